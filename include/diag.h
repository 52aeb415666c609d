/* diag.h — diagnostics: what went wrong, where (file, line, column), how badly.
 *
 * Modules never print; they append to a struct diag and return -1. main.c decides what to show.
 * Messages follow the house style: lower case, no final period, the value quoted:
 *   deals.csv:17: bad amount '12,50' in column 'Amount'
 * A struct diag owns copies of every string added to it.
 */
#ifndef SAMETABLE_DIAG_H
#define SAMETABLE_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum diag_severity { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR };

struct diag_entry {
    enum diag_severity severity;
    char *file;      /* path or base name as shown, NULL if none */
    uint64_t line;   /* 1-based physical line, 0 if none */
    uint32_t column; /* 1-based column (field) number, 0 if none */
    char *message;   /* without the location prefix */
    bool summary;    /* an error that sums up others: always shown, not counted among them */
};

struct diag {
    struct diag_entry *v;
    size_t n, cap;
    size_t n_errors, n_warnings; /* n_errors counts hidden ones too, not summaries */
};

#define DIAG_INIT                                                                                  \
    {                                                                                              \
        0                                                                                          \
    }

void diag_init(struct diag *d);
void diag_release(struct diag *d);
/* Append every entry of `from` to d, in order, with its counts; `from` is left empty. */
void diag_move(struct diag *d, struct diag *from);
/* Append a message; file may be NULL, line/column 0 when unknown. */
void diag_add(struct diag *d, enum diag_severity sev, const char *file, uint64_t line,
              uint32_t column, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void diag_vadd(struct diag *d, enum diag_severity sev, const char *file, uint64_t line,
               uint32_t column, const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
/* Shorthands for the common cases. */
#define diag_error(d, file, line, ...) diag_add((d), DIAG_ERROR, (file), (line), 0, __VA_ARGS__)
#define diag_warn(d, file, line, ...)  diag_add((d), DIAG_WARNING, (file), (line), 0, __VA_ARGS__)

/* An error that sums up others ("deals.csv: 329 of 524 data rows rejected …"): always shown,
 * after the errors it sums up, and not counted in n_errors. */
void diag_summary(struct diag *d, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Count n more errors that are not stored (the rest of a long list), so the count stays true. */
void diag_count_hidden(struct diag *d, size_t n);

/* Format one entry as "file:line: message" (or "file: message", or "message") into fp, with
 * "warning: " / "note: " after the location for those severities. */
void diag_print(FILE *fp, const struct diag_entry *e);

/* Write a byte range as it may be shown inside quotes in a message: at most `max` bytes, control
 * characters and invalid UTF-8 as \xHH, an ellipsis when cut. Returns buf. */
char *diag_quote(char *buf, size_t size, const char *s, size_t len, size_t max);

/* Catching what a library prints on standard error itself. libxlsxwriter 1.1.4 writes its own
 * "[ERROR][packager.c:…]" lines to stderr and offers no hook, so while it does I/O, fd 2 is
 * pointed at an in-memory file and what it printed is handed back to become a diagnostic; the
 * process's real stderr is restored before anything of ours prints. Threads writing outputs at
 * once may each catch: fd 2 stays caught from the first catch to the last release, and each
 * call gets what was printed between its own catch and release (with two libraries printing at
 * once, a line may reach both). diag_catch_stderr returns where this call's output starts (for
 * diag_release_stderr), or -1 when fd 2 could not be redirected (the library then prints as it
 * would); diag_release_stderr copies at most size - 1 of the bytes caught since `from` into buf
 * (NUL-terminated; buf may be NULL), restores fd 2 if no other call is caught, and returns how
 * many bytes were caught. */
int64_t diag_catch_stderr(void);
size_t diag_release_stderr(int64_t from, char *buf, size_t size);
/* The same restore, async-signal-safe: for a signal handler that ends the process. */
void diag_release_stderr_in_handler(void);
/* Add what a library printed, line by line, as entries of `sev` in d: "<who>: <line>", with
 * libxlsxwriter's "[ERROR][file.c:123]: " tags dropped. */
void diag_add_caught(struct diag *d, enum diag_severity sev, const char *who, const char *text);

#endif
