/* tsan_csvin.c — the CSV reader's two-thread pipeline (src/csvin_pipe.c) under ThreadSanitizer.
 *
 * `make tsan` builds this with src/csvin.c, csvin_pipe.c, diag.c and util.c, all compiled with
 * -fsanitize=thread, and runs it (tests/tsan/run.sh). It is a plain program because Criterion 2.4
 * cannot run under ThreadSanitizer (Criterion issue 274). Each case writes a file, reads it on one
 * thread and then pipelined (small batches, so that the ring of batches turns over many times) at
 * several chunk sizes, and checks the records, fields, lines, stats, messages and return code
 * against an independent reference (ref_parse, a plain RFC 4180 splitter) and against the
 * one-thread read. The cases: generated files with multi-line quoted fields, mixed line ends and
 * multi-byte characters at chunk sizes from 1 byte up (records and characters straddle chunks and
 * batches); large multi-line quoted fields; empty, header-only and blank-only files; errors
 * mid-file; a callback stopping at many points, with an error after the stop that the reading
 * thread may reach and that must not be reported; a slow callback and a slow reading thread; and
 * the peek and ahead hooks, the latter using a column the callback grows (struct column: the
 * ownership protocol of ingest.c's touch-column prefault).
 *
 * Exit status: 0 when every check passed, 1 when one failed (each failure is printed), 2 when the
 * program cannot run. ThreadSanitizer's reports fail the run through TSAN_OPTIONS (run.sh).
 *
 * Built with -DTSAN_CSVIN_RELAXED_GUARD, struct column guards its block with a relaxed atomic
 * flag instead of the mutex, as ingest.c did before: ThreadSanitizer then reports the block freed
 * by the callback while the ahead hook may still read it (the check that the driver can fail).
 */
#define _GNU_SOURCE /* mkdtemp */
#include "csvin.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "progress.h"
#include "util.h"

/* ---- checks ----------------------------------------------------------------------------- */

static unsigned long n_reads, n_checks, n_failed;
static const char *current = "setup"; /* the case and read being checked, for messages */
static pthread_t main_thread;

static void failed(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failed(int line, const char *fmt, ...)
{
    n_failed++;
    if (n_failed > 50)
        return;
    fprintf(stderr, "tsan_csvin.c:%d: FAILED (%s): ", line, current);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Counts a check; on failure prints it and evaluates to false (the caller stops comparing). */
#define CHECK(cond, ...) (n_checks++, (cond) ? true : (failed(__LINE__, __VA_ARGS__), false))

static _Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void die(const char *fmt, ...)
{
    fputs("tsan_csvin: ", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

/* ---- bytes ------------------------------------------------------------------------------ */

struct buf {
    char *p;
    size_t n, cap;
};

static void put(struct buf *b, const void *s, size_t len)
{
    VEC_GROW(b->p, b->cap, b->n + len + 1);
    memcpy(b->p + b->n, s, len);
    b->n += len;
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putc_(struct buf *b, char c)
{
    put(b, &c, 1);
}

/* A 64-bit xorshift*: the same files on every run. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Du;
}

static unsigned pick(uint64_t *s, unsigned n)
{
    return (unsigned)(rnd(s) >> 33) % n;
}

static const char *const line_ends[] = {"\r\n", "\r\n", "\r\n", "\r\n", "\r\n",
                                        "\r\n", "\r\n", "\n",   "\n",   "\r"};

/* A quoted field of about `bytes` bytes over many lines (LF, CRLF and CR), with doubled quotes,
 * delimiters and multi-byte characters. */
static void big_field(struct buf *b, uint64_t *s, size_t bytes)
{
    static const char *const words[] = {"alpha", "Zoë", "東京", "😀",   "\"\"quoted\"\"",
                                        "a,b",   "  ",  "x",    "€12", ";"};
    putc_(b, '"');
    size_t start = b->n, col = 0;
    while (b->n - start < bytes) {
        const char *w = words[pick(s, sizeof words / sizeof words[0])];
        puts_(b, w);
        col += strlen(w);
        if (col > 40 + pick(s, 60)) {
            puts_(b, line_ends[pick(s, 10)]);
            col = 0;
        } else {
            putc_(b, ' ');
        }
    }
    putc_(b, '"');
}

/* n data records "id,name,amount,note" (after the header when `header`), each record's fields
 * and line end drawn from s; a field of big_bytes every big_every records (0: none). Also blank
 * lines, all-empty records and records with a fifth field, never fewer than four fields (after a
 * blank line, a shorter record would start the footer). */
static void generate(struct buf *b, uint64_t seed, size_t n, bool header, size_t big_every,
                     size_t big_bytes)
{
    static const char *const names[] = {
        "Ann",       "Zoë Müller",  "東京 branch",        "emoji 😀 ok",
        " spaced ",  "\"Q, Inc.\"", "\"say \"\"hi\"\"\"", "",
        "tab\there", "Ünïcödé"};
    static const char *const notes[] = {
        "",
        "plain",
        "\"a, b and \"\"c\"\"\"",
        "\"line one\r\nline two\nline three\rend\"",
        "\"\"",
        "\"ends in CRLF\r\n\"",
        "\"\n\"",
        "\"€ 1.234,56\"",
    };
    uint64_t s = seed * 0x9E3779B97F4A7C15u + 1;
    if (header)
        puts_(b, "id,name,amount,note\r\n");
    for (size_t i = 1; i <= n; i++) {
        unsigned k = pick(&s, 100);
        if (k < 3)
            puts_(b, line_ends[pick(&s, 10)]); /* a blank line */
        else if (k < 5)
            puts_(b, k == 3 ? ",,," : " ,\t,\"\",  "); /* an all-empty record */
        if (k < 5)
            puts_(b, line_ends[pick(&s, 10)]);
        char id[32];
        snprintf(id, sizeof id, "R%zu,", i);
        puts_(b, id);
        puts_(b, names[pick(&s, sizeof names / sizeof names[0])]);
        char amount[32];
        snprintf(amount, sizeof amount, ",%u,", (unsigned)pick(&s, 1000000));
        puts_(b, amount);
        if (big_every && i % big_every == 0)
            big_field(b, &s, big_bytes);
        else
            puts_(b, notes[pick(&s, sizeof notes / sizeof notes[0])]);
        if (pick(&s, 100) < 3)
            puts_(b, ",extra");
        if (i < n || pick(&s, 2)) /* the last line ends without a line end half the time */
            puts_(b, line_ends[pick(&s, 10)]);
    }
}

/* ---- records ---------------------------------------------------------------------------- */

struct rec {
    char *text; /* the fields, each followed by a NUL */
    size_t len, nf;
    uint64_t line, end_line, index, hash;
    bool is_header;
};

struct recs {
    struct rec *v;
    size_t n, cap;
};

static void recs_push(struct recs *r, const struct rec *x)
{
    VEC_PUSH(r->v, r->n, r->cap, *x);
}

static void recs_free(struct recs *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].text);
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* What a correct reader gives for a well-formed file (ref_parse). */
struct ref {
    struct recs recs;
    uint64_t lines, blank_lines, footer_lines, data_records;
    bool bom;
};

/* The lines a file's last bytes s[p, len) hold, counted without regard to quotes. */
static uint64_t plain_lines(const char *s, size_t p, size_t len)
{
    uint64_t n = 0;
    bool open = false;
    while (p < len) {
        if (s[p] == '\r' || s[p] == '\n') {
            p += s[p] == '\r' && p + 1 < len && s[p + 1] == '\n' ? 2 : 1;
            n++;
            open = false;
        } else {
            p++;
            open = true;
        }
    }
    return n + open;
}

/* RFC 4180 the plain way, with the reader's conventions: LF, CRLF and CR end a line, also inside
 * quotes; a line with nothing on it and a record of fields holding only spaces and tabs are blank
 * (counted, not delivered); the first other record is the header; after a blank, a record with
 * fewer fields than the header starts the footer. For well-formed input only. */
static void ref_parse(const char *s, size_t len, char delim, struct ref *out)
{
    memset(out, 0, sizeof *out);
    size_t p = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        p = 3;
        out->bom = true;
    }
    uint64_t line = 1, footer_from = 0;
    bool have_header = false, saw_blank = false;
    size_t header_nf = 0;
    struct buf f = {0};
    while (p < len) {
        if (s[p] == '\r' || s[p] == '\n') { /* a line with nothing on it */
            p += s[p] == '\r' && p + 1 < len && s[p + 1] == '\n' ? 2 : 1;
            out->blank_lines++;
            saw_blank = true;
            line++;
            continue;
        }
        uint64_t rec_line = line;
        size_t nf = 0;
        bool blank = true;
        f.n = 0;
        for (;;) {
            size_t start = f.n;
            if (p < len && s[p] == '"') {
                for (p++;;) {
                    if (p >= len)
                        die("reference: unterminated quoted field at line %llu",
                            (unsigned long long)rec_line);
                    char c = s[p++];
                    if (c == '"') {
                        if (p < len && s[p] == '"') {
                            putc_(&f, '"');
                            p++;
                            continue;
                        }
                        break;
                    }
                    putc_(&f, c);
                    if (c == '\r' && p < len && s[p] == '\n')
                        putc_(&f, s[p++]);
                    if (c == '\r' || c == '\n')
                        line++;
                }
                if (p < len && s[p] != delim && s[p] != '\r' && s[p] != '\n')
                    die("reference: text after a closing quote at line %llu",
                        (unsigned long long)line);
            } else {
                for (; p < len && s[p] != delim && s[p] != '\r' && s[p] != '\n'; p++) {
                    if (s[p] == '"')
                        die("reference: a bare quote at line %llu", (unsigned long long)line);
                    putc_(&f, s[p]);
                }
            }
            for (size_t i = start; i < f.n; i++)
                blank = blank && (f.p[i] == ' ' || f.p[i] == '\t');
            putc_(&f, '\0');
            nf++;
            if (p < len && s[p] == delim) {
                p++;
                continue;
            }
            break;
        }
        uint64_t end_line = line;
        if (p < len) { /* the line end */
            p += s[p] == '\r' && p + 1 < len && s[p + 1] == '\n' ? 2 : 1;
            line++;
        }
        if (blank) {
            out->blank_lines += end_line - rec_line + 1;
            saw_blank = true;
            continue;
        }
        if (have_header && saw_blank && nf < header_nf) {
            footer_from = rec_line;
            line += plain_lines(s, p, len); /* the rest is free text */
            p = len;
            break;
        }
        struct rec r = {.len = f.n, .nf = nf, .line = rec_line, .end_line = end_line};
        r.text = xmalloc(f.n + 1);
        memcpy(r.text, f.p, f.n);
        r.is_header = !have_header;
        if (have_header)
            r.index = ++out->data_records;
        else
            header_nf = nf;
        have_header = true;
        saw_blank = false;
        recs_push(&out->recs, &r);
    }
    bool ended = len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n');
    out->lines = line - (ended || len == (out->bom ? 3u : 0u) ? 1 : 0);
    if (footer_from)
        out->footer_lines = out->lines - footer_from + 1;
    free(f.p);
}

/* ---- hooks ------------------------------------------------------------------------------ */

static uint64_t now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

/* Keeps this thread busy for about us microseconds (not sched_yield: on a loaded machine a yield
 * can give the CPU away for milliseconds). */
static void spin(uint64_t us)
{
    uint64_t until = now_us() + us;
    while (now_us() < until)
        ;
}

/* A column the callback fills, one slot per data record, and grows by moving it to a new block
 * (a copy, then the old block freed, as xrealloc_large moves ingest.c's touch columns), and that
 * the ahead hook uses on the reading thread, as ingest.c's touch_prefault faults the columns in.
 * Ownership: the block is the callback's; the hook uses it only under mu and only while moved is
 * false; the callback sets moved under mu before it frees the block, so the hook never uses a
 * block once the callback may free it. Slot 0 holds a mark written before the read starts and
 * never again: it is what the hook reads (slots the callback is writing would be a race of the
 * model's own, as ingest.c's madvise reads nothing). */
enum { COLUMN_MARK = 0x5EED, COLUMN_FIRST_CAP = 200 };
struct column {
    pthread_mutex_t mu;
    const uint64_t *block; /* the block handed to the hook */
    bool moved;            /* under mu: the callback has moved the column; the hook keeps off */
#ifdef TSAN_CSVIN_RELAXED_GUARD
    atomic_bool moved_relaxed;
#endif
    uint64_t *v; /* the callback's: slot i + 1 holds data record i + 1's line */
    size_t n, cap;
    atomic_ulong uses; /* times the hook used the block (relaxed: only for the callback to wait) */
    unsigned long bad_marks; /* the hook's own */
};

static void column_init(struct column *c)
{
    memset(c, 0, sizeof *c);
    if (pthread_mutex_init(&c->mu, NULL) != 0)
        die("pthread_mutex_init");
    c->cap = COLUMN_FIRST_CAP;
    c->v = xmalloc(c->cap * sizeof *c->v);
    c->v[0] = COLUMN_MARK;
    c->n = 1;
    c->block = c->v;
    atomic_init(&c->uses, 0);
#ifdef TSAN_CSVIN_RELAXED_GUARD
    atomic_init(&c->moved_relaxed, false);
#endif
}

static void column_release(struct column *c)
{
    pthread_mutex_destroy(&c->mu);
    free(c->v);
}

/* The hook's side (reading thread). */
static void column_use(struct column *c)
{
#ifdef TSAN_CSVIN_RELAXED_GUARD
    if (atomic_load_explicit(&c->moved_relaxed, memory_order_relaxed))
        return;
    c->bad_marks += c->block[0] != COLUMN_MARK;
    atomic_fetch_add_explicit(&c->uses, 1, memory_order_relaxed);
#else
    pthread_mutex_lock(&c->mu);
    if (!c->moved) {
        c->bad_marks += c->block[0] != COLUMN_MARK;
        atomic_fetch_add_explicit(&c->uses, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&c->mu);
#endif
}

/* The callback's side: store one slot, moving the column when it is full. */
static void column_store(struct column *c, uint64_t value)
{
    if (c->n == c->cap) {
        /* The first move: give the hook a chance to use the block between the callback's last
         * hand-over and the move (bounded: the reading thread may be waiting for a free batch),
         * so that a guard that does not order the two is seen to fail whatever the timing. */
        unsigned long seen = atomic_load_explicit(&c->uses, memory_order_relaxed);
        uint64_t until = now_us() + 2000;
        while (c->block == c->v && atomic_load_explicit(&c->uses, memory_order_relaxed) == seen &&
               now_us() < until)
            sched_yield();
        size_t cap = c->cap + c->cap / 2;
        uint64_t *v = xmalloc(cap * sizeof *v);
        memcpy(v, c->v, c->n * sizeof *v);
#ifdef TSAN_CSVIN_RELAXED_GUARD
        atomic_store_explicit(&c->moved_relaxed, true, memory_order_relaxed);
#else
        pthread_mutex_lock(&c->mu);
        c->moved = true;
        pthread_mutex_unlock(&c->mu);
#endif
        free(c->v);
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = value;
}

/* csvin_opts.ahead's state: written on the reading thread, read once csvin_read has returned. */
struct ahead_log {
    unsigned long calls, slow_every;
    uint64_t last;      /* records at the last call */
    bool wrong_thread;  /* a call on the calling thread */
    bool went_back;     /* records smaller than at the previous call */
    struct column *col; /* NULL: none */
};

static void on_ahead(void *ctx, uint64_t records)
{
    struct ahead_log *a = ctx;
    a->wrong_thread = a->wrong_thread || pthread_equal(pthread_self(), main_thread);
    a->went_back = a->went_back || records < a->last;
    a->last = records;
    a->calls++;
    if (a->col)
        column_use(a->col);
    if (a->slow_every && a->calls % a->slow_every == 0)
        spin(20);
}

/* A digest of a record's fields as the peek hook and the callback see them. */
static uint64_t digest(const char *const *fields, const char *data, const size_t *lens, size_t nf)
{
    uint64_t h = 1469598103934665603u ^ nf;
    for (size_t i = 0; i < nf; i++) {
        const char *f = fields ? fields[i] : data;
        for (size_t j = 0; j <= lens[i]; j++) /* the NUL included */
            h = (h ^ (unsigned char)f[j]) * 1099511628211u;
        data += lens[i] + 1;
    }
    return h;
}

/* ---- reading ---------------------------------------------------------------------------- */

/* One read of a file and what it gave. */
struct run {
    int rc;
    struct recs recs;
    struct csvin_stats st;
    struct diag d;
    /* the callback's settings */
    size_t stop_at;    /* return -1 at this call (1 = the header); 0 = never */
    size_t warn_every; /* add a warning every this many records (0 = never) */
    size_t slow_every; /* spin a little every this many records (0 = never) */
    /* the callback's checks */
    size_t calls;
    bool wrong_thread, bad_index;
    struct {
        uint64_t *v;
        size_t n, cap;
    } peeked; /* digests of the data records peeked at, in order */
    size_t peek_misses;
    struct column *col;
};

static void on_peek(void *ctx, const char *data, const size_t *lens, size_t nf)
{
    struct run *r = ctx;
    r->wrong_thread = r->wrong_thread || !pthread_equal(pthread_self(), main_thread);
    VEC_PUSH(r->peeked.v, r->peeked.n, r->peeked.cap, digest(NULL, data, lens, nf));
}

static int on_record(void *ctx, const struct csvin_record *rec)
{
    struct run *r = ctx;
    r->calls++;
    r->wrong_thread = r->wrong_thread || !pthread_equal(pthread_self(), main_thread);
    uint64_t want_index = rec->is_header ? 0 : r->recs.n; /* the header is record 0 */
    r->bad_index = r->bad_index || rec->index != want_index || rec->is_header != (r->recs.n == 0);
    struct rec x = {.nf = rec->n_fields,
                    .line = rec->line,
                    .end_line = rec->end_line,
                    .index = rec->index,
                    .hash = rec->hash,
                    .is_header = rec->is_header};
    for (size_t i = 0; i < rec->n_fields; i++)
        x.len += rec->lens[i] + 1;
    x.text = xmalloc(x.len + 1);
    char *w = x.text;
    for (size_t i = 0; i < rec->n_fields; i++) {
        if (strlen(rec->fields[i]) != rec->lens[i])
            r->bad_index = true; /* a field not NUL-terminated at its length */
        memcpy(w, rec->fields[i], rec->lens[i] + 1);
        w += rec->lens[i] + 1;
    }
    recs_push(&r->recs, &x);
    if (!rec->is_header && r->peeked.cap) {
        /* Peeked at once, in order, before the callback gets it. */
        if (rec->index > r->peeked.n ||
            r->peeked.v[rec->index - 1] != digest(rec->fields, NULL, rec->lens, rec->n_fields))
            r->peek_misses++;
    }
    if (r->col && !rec->is_header)
        column_store(r->col, rec->line);
    if (r->warn_every && r->calls % r->warn_every == 0)
        diag_warn(&r->d, "t.csv", rec->line, "call %zu", r->calls);
    if (r->slow_every && r->calls % r->slow_every == 0)
        spin(10);
    return r->stop_at && r->calls == r->stop_at ? -1 : 0;
}

/* How a case reads. */
struct how {
    size_t chunk;      /* csvin_opts.chunk_size (0: 1 MiB) */
    size_t batch;      /* csvin_opts.batch_bytes; 0: one thread */
    bool hooks;        /* peek and ahead, the latter with a column */
    size_t stop_at;    /* see struct run */
    size_t slow_every; /* a slow callback */
    size_t slow_ahead; /* a slow reading thread (the ahead hook spins every this many calls) */
};

static void run_free(struct run *r)
{
    recs_free(&r->recs);
    diag_release(&r->d);
    free(r->peeked.v);
}

static char describe[200];

static void read_file(const char *path, const char *what, const struct how *h, struct run *r)
{
    snprintf(describe, sizeof describe, "%s, chunk %zu, %s%zu%s%s", what, h->chunk,
             h->batch ? "pipelined, batch " : "one thread", h->batch, h->hooks ? ", hooks" : "",
             h->slow_every || h->slow_ahead ? ", slow" : "");
    if (h->stop_at)
        snprintf(describe + strlen(describe), sizeof describe - strlen(describe),
                 ", stop at call %zu", h->stop_at);
    current = describe;
    memset(r, 0, sizeof *r);
    diag_init(&r->d);
    r->stop_at = h->stop_at;
    r->warn_every = 97;
    r->slow_every = h->slow_every;
    struct csvin_opts o = CSVIN_OPTS_INIT;
    o.delimiter = ',';
    o.chunk_size = h->chunk;
    o.pipeline = h->batch != 0;
    o.batch_bytes = h->batch;
    struct ahead_log a = {.slow_every = h->slow_ahead};
    struct column col;
    if (h->batch && (h->hooks || h->slow_ahead)) {
        o.ahead = on_ahead;
        o.ahead_ctx = &a;
    }
    if (h->batch && h->hooks) {
        column_init(&col);
        a.col = r->col = &col;
        o.peek = on_peek;
        o.peek_ctx = r;
        VEC_GROW(r->peeked.v, r->peeked.cap, 64);
    }
    r->rc = csvin_read(path, "t.csv", &o, on_record, r, &r->st, &r->d);
    n_reads++;

    CHECK(!r->wrong_thread, "a hook or the callback ran on the wrong thread");
    CHECK(!r->bad_index, "record index, header flag or field terminator wrong");
    if (o.ahead) {
        CHECK(!a.wrong_thread, "the ahead hook ran on the calling thread");
        CHECK(!a.went_back, "the ahead hook's record count went back");
        CHECK(r->st.records == 0 || a.last <= r->st.records || r->rc == CSVIN_ESTOPPED,
              "ahead saw %llu records, the read %llu", (unsigned long long)a.last,
              (unsigned long long)r->st.records);
    }
    if (o.peek) {
        CHECK(r->peek_misses == 0, "%zu records not peeked at before the callback", r->peek_misses);
        CHECK(r->rc == CSVIN_ESTOPPED || r->peeked.n == r->st.records,
              "%zu records peeked at, %llu read", r->peeked.n, (unsigned long long)r->st.records);
        CHECK(col.bad_marks == 0, "the ahead hook found its column's block changed");
        size_t data = r->recs.n ? r->recs.n - 1 : 0;
        bool same =
            CHECK(col.n == data + 1, "the column holds %zu records, not %zu", col.n - 1, data);
        for (size_t i = 1; same && i < col.n; i++)
            same = CHECK(col.v[i] == r->recs.v[i].line, "column slot %zu", i);
        column_release(&col);
    }
}

/* Whether b (pipelined) gave exactly what a (one thread) gave. */
static void same_as(const struct run *a, const struct run *b)
{
    CHECK(a->rc == b->rc, "rc %d, one thread %d", b->rc, a->rc);
    if (!CHECK(a->recs.n == b->recs.n, "%zu records, one thread %zu", b->recs.n, a->recs.n))
        return;
    for (size_t i = 0; i < a->recs.n; i++) {
        const struct rec *x = &a->recs.v[i], *y = &b->recs.v[i];
        if (!CHECK(x->len == y->len && x->nf == y->nf && memcmp(x->text, y->text, x->len) == 0 &&
                       x->line == y->line && x->end_line == y->end_line && x->index == y->index &&
                       x->hash == y->hash && x->is_header == y->is_header,
                   "record %zu (line %llu) differs from the one-thread read", i,
                   (unsigned long long)x->line))
            return;
    }
    const struct csvin_stats *s = &a->st, *t = &b->st;
    CHECK(s->bytes == t->bytes && s->lines == t->lines && s->records == t->records &&
              s->blank_lines == t->blank_lines && s->footer_lines == t->footer_lines &&
              s->delimiter == t->delimiter && s->had_bom == t->had_bom,
          "stats: bytes %llu/%llu lines %llu/%llu records %llu/%llu blank %llu/%llu footer "
          "%llu/%llu (pipelined/one thread)",
          (unsigned long long)t->bytes, (unsigned long long)s->bytes, (unsigned long long)t->lines,
          (unsigned long long)s->lines, (unsigned long long)t->records,
          (unsigned long long)s->records, (unsigned long long)t->blank_lines,
          (unsigned long long)s->blank_lines, (unsigned long long)t->footer_lines,
          (unsigned long long)s->footer_lines);
    if (!CHECK(a->d.n == b->d.n, "%zu messages, one thread %zu", b->d.n, a->d.n))
        return;
    for (size_t i = 0; i < a->d.n; i++) {
        const struct diag_entry *x = &a->d.v[i], *y = &b->d.v[i];
        if (!CHECK(x->severity == y->severity && x->line == y->line && x->column == y->column &&
                       strcmp(x->message, y->message) == 0,
                   "message %zu: %llu: %s; one thread %llu: %s", i, (unsigned long long)y->line,
                   y->message, (unsigned long long)x->line, x->message))
            return;
    }
}

/* Whether the first n records of r are the reference's first n. */
static void starts_like(const struct run *r, const struct ref *ref, size_t n)
{
    if (!CHECK(r->recs.n >= n && ref->recs.n >= n, "%zu records, want at least %zu", r->recs.n, n))
        return;
    for (size_t i = 0; i < n; i++) {
        const struct rec *x = &ref->recs.v[i], *y = &r->recs.v[i];
        if (!CHECK(x->len == y->len && x->nf == y->nf && memcmp(x->text, y->text, x->len) == 0 &&
                       x->line == y->line && x->end_line == y->end_line && x->index == y->index &&
                       x->is_header == y->is_header,
                   "record %zu: line %llu-%llu, %zu fields \"%.40s\"; want line %llu-%llu, %zu "
                   "fields \"%.40s\"",
                   i, (unsigned long long)y->line, (unsigned long long)y->end_line, y->nf, y->text,
                   (unsigned long long)x->line, (unsigned long long)x->end_line, x->nf, x->text))
            return;
    }
}

/* Whether r read the whole well-formed file as the reference did. */
static void like_ref(const struct run *r, const struct ref *ref, size_t bytes)
{
    CHECK(r->rc == CSVIN_OK, "rc %d", r->rc);
    CHECK(r->recs.n == ref->recs.n, "%zu records, want %zu", r->recs.n, ref->recs.n);
    starts_like(r, ref, r->recs.n < ref->recs.n ? r->recs.n : ref->recs.n);
    CHECK(r->st.bytes == bytes && r->st.lines == ref->lines && r->st.records == ref->data_records &&
              r->st.blank_lines == ref->blank_lines && r->st.footer_lines == ref->footer_lines &&
              r->st.had_bom == ref->bom,
          "stats: bytes %llu lines %llu records %llu blank %llu footer %llu; want %zu %llu %llu "
          "%llu %llu",
          (unsigned long long)r->st.bytes, (unsigned long long)r->st.lines,
          (unsigned long long)r->st.records, (unsigned long long)r->st.blank_lines,
          (unsigned long long)r->st.footer_lines, bytes, (unsigned long long)ref->lines,
          (unsigned long long)ref->data_records, (unsigned long long)ref->blank_lines,
          (unsigned long long)ref->footer_lines);
}

/* ---- files ------------------------------------------------------------------------------ */

static char tmpdir[256];

static const char *write_file(const char *name, const struct buf *b)
{
    static char path[320];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(b->p, 1, b->n, fp) != b->n || fclose(fp) != 0)
        die("cannot write %s: %s", path, strerror(errno));
    return path;
}

/* ---- cases ------------------------------------------------------------------------------ */

/* Reads a well-formed file on one thread and pipelined with each batch size, at each chunk
 * size; every read must give what the reference gives, and the pipelined ones exactly what the
 * one-thread one gives. Hooks and slowness vary from read to read. */
static void well_formed(const char *what, const struct buf *b, const size_t *chunks,
                        size_t n_chunks, const size_t *batches, size_t n_batches)
{
    struct ref ref;
    ref_parse(b->p, b->n, ',', &ref);
    const char *path = write_file("wf.csv", b);
    unsigned k = 0;
    for (size_t c = 0; c < n_chunks; c++) {
        struct how one = {.chunk = chunks[c]};
        struct run a;
        read_file(path, what, &one, &a);
        like_ref(&a, &ref, b->n);
        for (size_t i = 0; i < n_batches; i++, k++) {
            struct how two = {.chunk = chunks[c],
                              .batch = batches[i],
                              .hooks = k % 2 == 0,
                              .slow_every = k % 4 == 1 ? 13 : 0,
                              .slow_ahead = k % 4 == 3 ? 3 : 0};
            struct run r;
            read_file(path, what, &two, &r);
            like_ref(&r, &ref, b->n);
            same_as(&a, &r);
            run_free(&r);
        }
        run_free(&a);
    }
    recs_free(&ref.recs);
}

static void case_generated(void)
{
    static const size_t chunks[] = {0, 4099, 61, 7};
    static const size_t batches[] = {1, 7, 300, 65536};
    struct buf b = {0};
    generate(&b, 1, 2000, true, 400, 20000);
    well_formed("generated, 2000 records", &b, chunks, ARRAY_LEN(chunks), batches,
                ARRAY_LEN(batches));
    free(b.p);
}

static void case_tiny_chunks(void)
{
    static const size_t chunks[] = {1, 2, 3, 5, 11};
    static const size_t batches[] = {1, 3, 64};
    struct buf b = {0};
    puts_(&b, "\xEF\xBB\xBF"); /* with a BOM, cut by the first chunks too */
    generate(&b, 2, 150, true, 0, 0);
    well_formed("tiny chunks, 150 records", &b, chunks, ARRAY_LEN(chunks), batches,
                ARRAY_LEN(batches));
    free(b.p);
}

static void case_large_fields(void)
{
    /* Fields far larger than a batch (its buffer grows while the other thread reads another),
     * than a chunk, and than the 64 KiB the header detection reads ahead. */
    static const size_t chunks[] = {0, 4099};
    static const size_t batches[] = {1, 65536};
    struct buf b = {0};
    generate(&b, 3, 5, true, 1, 140000);
    well_formed("large fields", &b, chunks, ARRAY_LEN(chunks), batches, ARRAY_LEN(batches));
    free(b.p);
}

static void case_footer(void)
{
    static const size_t chunks[] = {0, 7};
    static const size_t batches[] = {1, 300};
    struct buf b = {0};
    generate(&b, 6, 400, true, 0, 0);
    puts_(&b, "\r\n\r\n\"Grand total\",\"1\r\n2\"\r\nfree \"text\r\n\r\nCopyright \xC2\xA9\n");
    well_formed("footer", &b, chunks, ARRAY_LEN(chunks), batches, ARRAY_LEN(batches));
    free(b.p);
}

/* Files too small or odd for the reference: what a read gives is stated here. */
static void case_odd_files(void)
{
    static const struct {
        const char *in;
        int rc;
        size_t records; /* delivered, the header included */
        uint64_t lines;
    } cases[] = {
        {"", CSVIN_EEMPTY, 0, 0},
        {"\xEF\xBB\xBF", CSVIN_ENOHEADER, 0, 0},
        {"\r\n\r\n,,\r\n", CSVIN_ENOHEADER, 0, 3},
        {"id,name\r\n", CSVIN_OK, 1, 1},
        {"id,name", CSVIN_OK, 1, 1},
        {"id,name\r", CSVIN_OK, 1, 1},
        {"\xEF\xBB\xBFid,\"na\r\nme\"\n", CSVIN_OK, 1, 2},
        {"sep=;\r\nid;name\r\n", CSVIN_OK, 1, 2},
        {"sep=;", CSVIN_ENOHEADER, 0, 1},
        {"\n\nid,name\n\n", CSVIN_OK, 1, 4},
        {"id,name\n1,2", CSVIN_OK, 2, 2},
    };
    static const size_t chunks[] = {0, 1};
    static const size_t batches[] = {1, 7};
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct buf b = {.p = NULL};
        puts_(&b, cases[i].in);
        const char *path = write_file("odd.csv", &b);
        char what[64];
        snprintf(what, sizeof what, "odd file %zu", i);
        for (size_t c = 0; c < ARRAY_LEN(chunks); c++) {
            struct how one = {.chunk = chunks[c]};
            struct run a;
            read_file(path, what, &one, &a);
            CHECK(a.rc == cases[i].rc && a.recs.n == cases[i].records &&
                      a.st.lines == cases[i].lines,
                  "rc %d, %zu records, %llu lines; want %d, %zu, %llu", a.rc, a.recs.n,
                  (unsigned long long)a.st.lines, cases[i].rc, cases[i].records,
                  (unsigned long long)cases[i].lines);
            for (size_t k = 0; k < ARRAY_LEN(batches); k++) {
                struct how two = {.chunk = chunks[c], .batch = batches[k], .hooks = true};
                struct run r;
                read_file(path, what, &two, &r);
                same_as(&a, &r);
                run_free(&r);
            }
            run_free(&a);
        }
        free(b.p);
    }
}

/* A fault mid-file: every record before its line is delivered, as the reference reads them, and
 * the pipelined reads give exactly what the one-thread read gives (whatever the reader does with
 * the fault and after it). A quoting fault fails the file at its line. */
static void case_faults(void)
{
    static const struct {
        const char *what, *line;
        size_t len;
        bool quoting;
    } faults[] = {
        {"text after a closing quote", "R9,\"x\"y,1,z\r\n", 0, true},
        {"bare quote", "R9,a\"b,1,z\r\n", 0, true},
        {"unterminated quote", "R9,\"open,1,z\r\nR10,a,1,z\r\n", 0, true},
        {"invalid UTF-8", "R9,caf\xE9,1,z\r\n", 0, false},
        {"NUL byte", "R9,a\0b,1,z\r\n", 12, false},
        {"stray BOM", "\xEF\xBB\xBFR9,a,1,z\r\n", 0, false},
    };
    static const size_t chunks[] = {0, 7};
    static const size_t batches[] = {1, 300};
    struct buf prefix = {0};
    generate(&prefix, 4, 700, true, 0, 0);
    puts_(&prefix, "\r\n"); /* the prefix's last line may lack its line end */
    struct ref ref;
    ref_parse(prefix.p, prefix.n, ',', &ref);
    for (size_t i = 0; i < ARRAY_LEN(faults); i++) {
        struct buf b = {0};
        put(&b, prefix.p, prefix.n);
        put(&b, faults[i].line, faults[i].len ? faults[i].len : strlen(faults[i].line));
        if (!faults[i].quoting || i != 2)
            generate(&b, 5, 60, false, 0, 0); /* more records after the fault */
        const char *path = write_file("fault.csv", &b);
        for (size_t c = 0; c < ARRAY_LEN(chunks); c++) {
            struct how one = {.chunk = chunks[c]};
            struct run a;
            read_file(path, faults[i].what, &one, &a);
            starts_like(&a, &ref, ref.recs.n);
            if (faults[i].quoting) {
                CHECK(a.rc == CSVIN_EQUOTE && a.recs.n == ref.recs.n,
                      "rc %d and %zu records, want %d and %zu", a.rc, a.recs.n, CSVIN_EQUOTE,
                      ref.recs.n);
                CHECK(a.d.n > 0 && a.d.v[a.d.n - 1].severity == DIAG_ERROR &&
                          a.d.v[a.d.n - 1].line == ref.lines + 1,
                      "no error at line %llu", (unsigned long long)ref.lines + 1);
            }
            for (size_t k = 0; k < ARRAY_LEN(batches); k++) {
                struct how two = {.chunk = chunks[c], .batch = batches[k], .hooks = k == 0};
                struct run r;
                read_file(path, faults[i].what, &two, &r);
                same_as(&a, &r);
                run_free(&r);
            }
            run_free(&a);
        }
        free(b.p);
    }
    recs_free(&ref.recs);
    free(prefix.p);
}

/* The callback stops at call n: the records up to it are the reference's, the read returns
 * CSVIN_ESTOPPED with the stats a one-thread read leaves, and the malformed line after the
 * records, which the reading thread may already have reached, is not reported. */
static void case_stops(void)
{
    static const size_t stops[] = {1, 2, 66, 700, 1001, 1002};
    static const size_t chunks[] = {0, 61};
    static const size_t batches[] = {1, 7, 65536};
    struct buf b = {0};
    generate(&b, 7, 1000, true, 0, 0);
    puts_(&b, "\r\n");
    struct ref ref;
    ref_parse(b.p, b.n, ',', &ref);
    puts_(&b, "R9,\"x\"y,1,z\r\n");
    const char *path = write_file("stop.csv", &b);
    for (size_t s = 0; s < ARRAY_LEN(stops); s++) {
        char what[64];
        snprintf(what, sizeof what, "stop after %zu of %zu records", stops[s], ref.recs.n);
        for (size_t c = 0; c < ARRAY_LEN(chunks); c++) {
            struct how one = {.chunk = chunks[c], .stop_at = stops[s]};
            struct run a;
            read_file(path, what, &one, &a);
            bool stopped = stops[s] <= ref.recs.n;
            size_t n = stopped ? stops[s] : ref.recs.n;
            CHECK(a.rc == (stopped ? CSVIN_ESTOPPED : CSVIN_EQUOTE) && a.recs.n == n &&
                      a.st.records == n - 1,
                  "rc %d, %zu records, %llu counted", a.rc, a.recs.n,
                  (unsigned long long)a.st.records);
            starts_like(&a, &ref, n);
            CHECK(a.d.n_errors == (size_t)!stopped, "%zu errors", a.d.n_errors);
            for (size_t k = 0; k < ARRAY_LEN(batches); k++) {
                struct how two = {.chunk = chunks[c],
                                  .batch = batches[k],
                                  .hooks = (s + k) % 2 == 0,
                                  .stop_at = stops[s],
                                  .slow_every = k == 1 ? 5 : 0};
                struct run r;
                read_file(path, what, &two, &r);
                same_as(&a, &r);
                run_free(&r);
            }
            run_free(&a);
        }
    }
    recs_free(&ref.recs);
    free(b.p);
}

/* The progress line drawn on a pseudo-terminal while every read runs: its thread reads the
 * counters the reading thread stores (progress.h), and this one drains what it draws. */
static int pty_master = -1, pty_slave = -1;
static pthread_t drainer;

static void *drain(void *arg)
{
    (void)arg;
    char b[4096];
    while (read(pty_master, b, sizeof b) > 0)
        ;
    return NULL;
}

static void progress_on(void)
{
    pty_master = posix_openpt(O_RDWR | O_NOCTTY);
    if (pty_master < 0 || grantpt(pty_master) || unlockpt(pty_master))
        die("cannot open a pseudo-terminal: %s", strerror(errno));
    pty_slave = open(ptsname(pty_master), O_RDWR | O_NOCTTY);
    if (pty_slave < 0 || pthread_create(&drainer, NULL, drain, NULL) != 0)
        die("cannot open the pseudo-terminal's slave: %s", strerror(errno));
    setenv("SAMETABLE_PROGRESS_AFTER_MS", "0", 1);
    if (!progress_start(pty_slave))
        die("the progress line does not start on a pseudo-terminal");
    progress_stage("ingest");
}

static void progress_off(void)
{
    progress_stage_end();
    progress_stop();
    close(pty_slave); /* the drainer's read ends with EIO */
    pthread_join(drainer, NULL);
    close(pty_master);
}

int main(void)
{
    main_thread = pthread_self();
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/tsan_csvin.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir))
        die("cannot create a directory in %s: %s", t && *t ? t : "/tmp", strerror(errno));

    progress_on();
    case_generated();
    case_tiny_chunks();
    case_large_fields();
    case_footer();
    case_odd_files();
    case_faults();
    case_stops();
    progress_off();

    static const char *const names[] = {"wf.csv", "odd.csv", "fault.csv", "stop.csv"};
    char path[320];
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        (void)unlink(path);
    }
    (void)rmdir(tmpdir);
    if (n_failed) {
        fprintf(stderr, "tsan_csvin: %lu of %lu checks failed over %lu reads\n", n_failed, n_checks,
                n_reads);
        return 1;
    }
    printf("tsan_csvin: %lu reads, %lu checks passed\n", n_reads, n_checks);
    return 0;
}
