/* csvout.h — RFC 4180 CSV output that is safe to open in a spreadsheet.
 *
 * Fields are quoted when they hold a comma, quote, CR or LF; records end in CRLF. Text fields
 * that start with = + - @ TAB or CR get a leading apostrophe (OWASP's CSV-injection rule), so
 * "=HYPERLINK(…)" in an input never becomes a live formula in payroll's spreadsheet; numbers are
 * written bare. Control characters other than TAB, LF and CR (C0, DEL, C1) and invalid UTF-8 are
 * written as U+FFFD, as in the workbooks (out_text_char). Write errors are latched and reported
 * by csvout_close.
 */
#ifndef SAMETABLE_CSVOUT_H
#define SAMETABLE_CSVOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

struct csvout {
    FILE *fp;
    const char *path;
    bool row_started;
};

/* Open path for writing. Returns 0 or -1 with an error in d. */
int csvout_open(struct csvout *o, const char *path, struct diag *d);
void csvout_text(struct csvout *o, const char *s);
void csvout_money(struct csvout *o, int64_t minor, int digits);
void csvout_uint(struct csvout *o, uint64_t v);
/* A measure that is not money (conversions, shares), with 10 significant digits. */
void csvout_double(struct csvout *o, double v);
void csvout_end_row(struct csvout *o);
/* Flush and close; returns 0, or the errno of the first failure (after adding an error to d). */
int csvout_close(struct csvout *o, struct diag *d);

#endif
