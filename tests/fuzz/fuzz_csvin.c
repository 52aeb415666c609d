/* fuzz_csvin.c — libFuzzer target: csvin_read over arbitrary bytes, with invariant checks.
 *
 * The whole input is the file. It is written to a memfd (or, failing that, one temp file under
 * /tmp created once and rewritten) and read through its path with several option sets:
 * delimiter 0 / ',' / ';' times footer on / off, each with a chunk size picked by the first input
 * byte (1, 7, 4096, …) and again with one 64 KiB chunk. Checked on every run:
 *  - every field is NUL-terminated at lens[i] and holds no NUL (strlen == lens[i]);
 *  - a record without an encoding fault holds valid UTF-8 and no U+FEFF (the header's first
 *    field without the file's BOM); a record with one is a data record, the fault lies in one
 *    of its fields and lines, at an offset inside the file, and its fields hold a U+FFFD;
 *  - the first callback is the header (index 0), data records count 1, 2, … and
 *    stats->records equals the number of data callbacks;
 *  - lines are 1-based, line <= end_line, and a record starts after the previous one ended;
 *  - on CSVIN_OK: bytes == input size, end_line of the last record <= stats->lines, and every
 *    physical line is accounted for: records + blank + footer (+ a "sep=" line) == lines;
 *  - the chunk size changes nothing: status, stats, records (faults included) and diagnostics
 *    are identical (after a failure, the bytes read may differ);
 *  - with a small max_field_bytes no delivered field is longer than it;
 *  - a callback returning -1 yields CSVIN_ESTOPPED and no further callbacks.
 * A violation prints what differed and aborts, so libFuzzer saves the input.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csvin.h"
#include "diag.h"

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_csvin: invariant failed at %s:%d: %s\n  ", __FILE__, __LINE__,   \
                    #cond);                                                                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static int g_fd = -1;
static char g_path[64];
static FILE *g_null;  /* diag_print target */
static size_t g_size; /* bytes of the current input */

static void setup_file(void)
{
    if (g_fd >= 0)
        return;
    g_fd = memfd_create("fuzz_csvin", MFD_CLOEXEC);
    if (g_fd >= 0) {
        snprintf(g_path, sizeof g_path, "/proc/self/fd/%d", g_fd);
        if (access(g_path, R_OK) == 0)
            return;
        close(g_fd);
    }
    /* No memfd or no /proc: one file under /tmp, created once and rewritten every run. */
    snprintf(g_path, sizeof g_path, "/tmp/fuzz_csvin.%ld.csv", (long)getpid());
    g_fd = open(g_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (g_fd < 0) {
        perror("fuzz_csvin: cannot create the temp file");
        abort();
    }
}

static void cleanup_file(void)
{
    if (g_fd >= 0 && strncmp(g_path, "/tmp/", 5) == 0)
        unlink(g_path);
}

static void write_input(const uint8_t *data, size_t size)
{
    if (ftruncate(g_fd, 0) != 0) {
        perror("fuzz_csvin: ftruncate");
        abort();
    }
    size_t done = 0;
    while (done < size) {
        ssize_t k = pwrite(g_fd, data + done, size - done, (off_t)done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            perror("fuzz_csvin: pwrite");
            abort();
        }
        done += (size_t)k;
    }
}

/* What one csvin_read run saw, for the checks and for comparing runs. */
struct seen {
    uint64_t callbacks;  /* header included */
    uint64_t data_recs;  /* callbacks with !is_header */
    uint64_t rec_lines;  /* sum of end_line - line + 1 over all callbacks */
    uint64_t last_end;   /* end_line of the last callback, 0 before any */
    uint64_t hash;       /* FNV-1a over everything delivered */
    uint64_t stop_after; /* return -1 from this callback (1-based), 0 = never */
    size_t max_field;    /* bytes; 0 = no check */
    size_t size;         /* of the input */
    bool stopped;
};

/* Whether s[0, n) is valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF)
 * without U+FEFF. */
static bool utf8_clean(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k = c >= 0xC2 && c <= 0xDF   ? 2
                   : c >= 0xE0 && c <= 0xEF ? 3
                   : c >= 0xF0 && c <= 0xF4 ? 4
                                            : 0;
        if (k == 0 || i + k > n)
            return false;
        uint32_t cp = c & (k == 2 ? 0x1Fu : k == 3 ? 0x0Fu : 0x07u);
        for (size_t j = 1; j < k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + j] & 0x3Fu);
        }
        if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || cp == 0xFEFF)
            return false;
        i += k;
    }
    return true;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static int on_record(void *ctx, const struct csvin_record *rec)
{
    struct seen *s = ctx;
    CHECK(!s->stopped, "callback after it returned -1");
    CHECK(rec->is_header == (s->callbacks == 0), "is_header %d on callback %llu", rec->is_header,
          (unsigned long long)s->callbacks + 1);
    CHECK(rec->index == (rec->is_header ? 0 : s->data_recs + 1), "index %llu, expected %llu",
          (unsigned long long)rec->index,
          (unsigned long long)(rec->is_header ? 0 : s->data_recs + 1));
    CHECK(rec->line >= 1 && rec->line <= rec->end_line, "line %llu, end_line %llu",
          (unsigned long long)rec->line, (unsigned long long)rec->end_line);
    CHECK(rec->line > s->last_end,
          "record at line %llu starts before the previous one ended (%llu)",
          (unsigned long long)rec->line, (unsigned long long)s->last_end);
    CHECK(rec->n_fields >= 1, "record with no fields at line %llu", (unsigned long long)rec->line);

    uint64_t h = s->hash;
    h = fnv(h, &rec->line, sizeof rec->line);
    h = fnv(h, &rec->end_line, sizeof rec->end_line);
    h = fnv(h, &rec->n_fields, sizeof rec->n_fields);
    for (size_t i = 0; i < rec->n_fields; i++) {
        const char *f = rec->fields[i];
        size_t len = rec->lens[i];
        CHECK(f != NULL, "field %zu is NULL", i);
        CHECK(strlen(f) == len, "field %zu: strlen %zu != lens %zu at line %llu", i, strlen(f), len,
              (unsigned long long)rec->line);
        CHECK(s->max_field == 0 || len <= s->max_field, "field %zu of %zu bytes > max %zu", i, len,
              s->max_field);
        h = fnv(h, &len, sizeof len);
        h = fnv(h, f, len);
    }
    if (rec->fault) {
        const struct csvin_fault *f = rec->fault;
        CHECK(!rec->is_header, "a header with a fault at line %llu", (unsigned long long)rec->line);
        CHECK(f->kind >= CSVIN_FAULT_NUL && f->kind <= CSVIN_FAULT_CUT, "fault kind %d", f->kind);
        CHECK(f->field < rec->n_fields, "fault in field %u of %zu", f->field, rec->n_fields);
        CHECK(f->line >= rec->line && f->line <= rec->end_line,
              "fault on line %llu of a record on lines %llu-%llu", (unsigned long long)f->line,
              (unsigned long long)rec->line, (unsigned long long)rec->end_line);
        CHECK(f->offset < s->size, "fault at offset %llu of %zu bytes",
              (unsigned long long)f->offset, s->size);
        bool marked = false;
        for (size_t i = 0; i < rec->n_fields && !marked; i++)
            marked = memmem(rec->fields[i], rec->lens[i], "\xEF\xBF\xBD", 3) != NULL;
        CHECK(marked, "no U+FFFD in a record with a fault at line %llu",
              (unsigned long long)rec->line);
        char text[200];
        csvin_fault_text(rec, text, sizeof text);
        CHECK(strstr(text, "byte offset") != NULL, "fault text '%s'", text);
        h = fnv(h, &f->offset, sizeof f->offset); /* field by field: the struct has padding */
        h = fnv(h, &f->line, sizeof f->line);
        h = fnv(h, &f->field, sizeof f->field);
        h = fnv(h, &f->kind, sizeof f->kind);
        h = fnv(h, &f->byte, sizeof f->byte);
        h = fnv(h, text, strlen(text));
    } else {
        for (size_t i = 0; i < rec->n_fields; i++)
            CHECK(utf8_clean((const unsigned char *)rec->fields[i], rec->lens[i]),
                  "field %zu of line %llu is not clean UTF-8", i, (unsigned long long)rec->line);
    }
    if (rec->n_fields > 0) {
        char q[64];
        diag_quote(q, sizeof q, rec->fields[0], rec->lens[0], 40);
        CHECK(memchr(q, '\0', sizeof q) != NULL, "diag_quote did not terminate");
    }
    s->hash = h;
    s->callbacks++;
    if (!rec->is_header)
        s->data_recs++;
    s->rec_lines += rec->end_line - rec->line + 1;
    s->last_end = rec->end_line;
    if (s->stop_after && s->callbacks == s->stop_after) {
        s->stopped = true;
        return -1;
    }
    return 0;
}

struct run {
    int status;
    struct csvin_stats st;
    struct seen seen;
    uint64_t diag_hash; /* over line, column and message of every entry */
    size_t n_diag;
};

static void one_run(const struct csvin_opts *o, uint64_t stop_after, struct run *r)
{
    struct diag d;
    diag_init(&d);
    memset(r, 0, sizeof *r);
    r->seen.hash = 0xcbf29ce484222325u;
    r->seen.stop_after = stop_after;
    r->seen.max_field = o->max_field_bytes;
    r->seen.size = g_size;
    r->status = csvin_read(g_path, "fuzz.csv", o, on_record, &r->seen, &r->st, &d);
    r->n_diag = d.n;
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < d.n; i++) {
        diag_print(g_null, &d.v[i]);
        h = fnv(h, &d.v[i].line, sizeof d.v[i].line);
        h = fnv(h, &d.v[i].column, sizeof d.v[i].column);
        h = fnv(h, d.v[i].message, strlen(d.v[i].message));
    }
    r->diag_hash = h;
    /* Every failure but a stop names itself in d. */
    CHECK((r->status == CSVIN_OK || r->status == CSVIN_ESTOPPED) == (d.n_errors == 0),
          "status %d with %zu errors", r->status, d.n_errors);
    diag_release(&d);
}

/* Whether the file opens with an Excel "sep=" line (after an optional BOM). */
static bool has_sep_line(const uint8_t *data, size_t size)
{
    size_t p = size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    return size - p >= 5 && strncasecmp((const char *)data + p, "sep=", 4) == 0;
}

static void check_run(const struct run *r, const struct csvin_opts *o, const uint8_t *data,
                      size_t size)
{
    const struct seen *s = &r->seen;
    CHECK(r->st.records == s->data_recs, "stats->records %llu != %llu data callbacks",
          (unsigned long long)r->st.records, (unsigned long long)s->data_recs);
    CHECK(r->st.bytes <= size, "stats->bytes %llu > size %zu", (unsigned long long)r->st.bytes,
          size);
    CHECK(o->footer || r->st.footer_lines == 0, "footer lines %llu with footer off",
          (unsigned long long)r->st.footer_lines);
    if (s->stopped)
        CHECK(r->status == CSVIN_ESTOPPED, "callback stopped but status %d", r->status);
    else
        CHECK(r->status != CSVIN_ESTOPPED, "CSVIN_ESTOPPED without a stop");
    if (size == 0)
        CHECK(r->status == CSVIN_EEMPTY, "empty file gave status %d", r->status);
    if (r->status != CSVIN_OK)
        return;
    CHECK(s->callbacks >= 1, "CSVIN_OK without a header");
    CHECK(r->st.bytes == size, "CSVIN_OK but bytes %llu != size %zu",
          (unsigned long long)r->st.bytes, size);
    CHECK(s->last_end <= r->st.lines, "last end_line %llu > stats->lines %llu",
          (unsigned long long)s->last_end, (unsigned long long)r->st.lines);
    if (o->delimiter)
        CHECK(r->st.delimiter == o->delimiter || has_sep_line(data, size),
              "delimiter '%c' used, '%c' asked", r->st.delimiter, o->delimiter);
    CHECK(r->st.had_bom == (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0), "had_bom %d",
          r->st.had_bom);
    uint64_t accounted = s->rec_lines + r->st.blank_lines + r->st.footer_lines;
    CHECK(accounted == r->st.lines || (accounted + 1 == r->st.lines && has_sep_line(data, size)),
          "lines %llu but records %llu + blank %llu + footer %llu", (unsigned long long)r->st.lines,
          (unsigned long long)s->rec_lines, (unsigned long long)r->st.blank_lines,
          (unsigned long long)r->st.footer_lines);
}

static void same_runs(const struct run *a, const struct run *b, size_t chunk_a, size_t chunk_b)
{
#define SAME(field, fmt, cast)                                                                     \
    CHECK(a->field == b->field, #field " differs: " fmt " with chunk %zu, " fmt " with chunk %zu", \
          (cast)a->field, chunk_a, (cast)b->field, chunk_b)
    SAME(status, "%d", int);
    /* After a failure, how much was read ahead of it depends on the chunk size. */
    if (a->status == CSVIN_OK)
        SAME(st.bytes, "%llu", unsigned long long);
    SAME(st.lines, "%llu", unsigned long long);
    SAME(st.records, "%llu", unsigned long long);
    SAME(st.blank_lines, "%llu", unsigned long long);
    SAME(st.footer_lines, "%llu", unsigned long long);
    SAME(st.delimiter, "%d", int);
    SAME(st.had_bom, "%d", int);
    SAME(seen.callbacks, "%llu", unsigned long long);
    SAME(seen.hash, "%llx", unsigned long long);
    SAME(n_diag, "%zu", size_t);
    SAME(diag_hash, "%llx", unsigned long long);
#undef SAME
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setup_file();
    g_null = fopen("/dev/null", "w");
    if (!g_null)
        abort();
    atexit(cleanup_file);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[] = {1, 7, 4096, 2, 3, 13, 64, 0};
    static const char delims[] = {0, ',', ';'};
    setup_file();
    write_input(data, size);
    g_size = size;

    uint8_t b0 = size > 0 ? data[0] : 0;
    uint8_t b1 = size > 1 ? data[1] : 0;
    size_t chunk = chunks[b0 % (sizeof chunks / sizeof chunks[0])];
    /* Byte-at-a-time reads of a long input cost a syscall a byte, 14 times over, and find
     * nothing that a 7-byte chunk does not; keep long inputs fast. */
    if (size > 1024 && chunk != 0 && chunk < 7)
        chunk = 7;

    for (size_t di = 0; di < sizeof delims; di++) {
        for (int footer = 1; footer >= 0; footer--) {
            struct csvin_opts o = CSVIN_OPTS_INIT;
            o.delimiter = delims[di];
            o.footer = footer != 0;
            struct run small, big;
            o.chunk_size = chunk;
            one_run(&o, 0, &small);
            check_run(&small, &o, data, size);
            o.chunk_size = 65536;
            one_run(&o, 0, &big);
            check_run(&big, &o, data, size);
            same_runs(&small, &big, chunk, 65536);
        }
    }

    /* A tight field limit, with the same chunk-size independence. Where a chunk ends once decided
     * which error a too-long field got (tests/fuzz/corpus/csvin/regress-maxfield-*.csv). */
    {
        struct csvin_opts o = CSVIN_OPTS_INIT;
        o.max_field_bytes = 1 + (size_t)(b1 % 32);
        struct run small, big;
        o.chunk_size = chunk;
        one_run(&o, 0, &small);
        check_run(&small, &o, data, size);
        o.chunk_size = 65536;
        one_run(&o, 0, &big);
        check_run(&big, &o, data, size);
        same_runs(&small, &big, chunk, 65536);
    }

    /* Stopping from the callback. */
    {
        struct csvin_opts o = CSVIN_OPTS_INIT;
        o.chunk_size = chunk;
        struct run r;
        one_run(&o, 1 + (uint64_t)(b1 % 4), &r);
        check_run(&r, &o, data, size);
    }
    return 0;
}
