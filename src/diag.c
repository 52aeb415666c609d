/* diag.c — collecting diagnostics with their source locations; catching a library's own stderr
 * output. */
#define _GNU_SOURCE /* memfd_create */
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "progress.h"
#include "util.h"

void diag_init(struct diag *d)
{
    memset(d, 0, sizeof *d);
}

void diag_release(struct diag *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].message);
    }
    free(d->v);
    memset(d, 0, sizeof *d);
}

void diag_move(struct diag *d, struct diag *from)
{
    VEC_GROW(d->v, d->cap, d->n + from->n);
    if (from->n)
        memcpy(d->v + d->n, from->v, from->n * sizeof *from->v);
    d->n += from->n;
    d->n_errors += from->n_errors;
    d->n_warnings += from->n_warnings;
    free(from->v);
    memset(from, 0, sizeof *from);
}

void diag_vadd(struct diag *d, enum diag_severity sev, const char *file, uint64_t line,
               uint32_t column, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        BUG("vsnprintf failed");
    char *msg = xmalloc((size_t)n + 1);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);

    VEC_GROW(d->v, d->cap, d->n + 1);
    struct diag_entry *e = &d->v[d->n++];
    e->severity = sev;
    e->file = file ? xstrdup(file) : NULL;
    e->line = line;
    e->column = column;
    e->message = msg;
    e->summary = false;
    if (sev == DIAG_ERROR)
        d->n_errors++;
    else if (sev == DIAG_WARNING)
        d->n_warnings++;
}

void diag_add(struct diag *d, enum diag_severity sev, const char *file, uint64_t line,
              uint32_t column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, sev, file, line, column, fmt, ap);
    va_end(ap);
}

void diag_summary(struct diag *d, const char *file, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, DIAG_ERROR, file, 0, 0, fmt, ap);
    va_end(ap);
    d->v[d->n - 1].summary = true;
    d->n_errors--;
}

void diag_count_hidden(struct diag *d, size_t n)
{
    d->n_errors += n;
}

void diag_print(FILE *fp, const struct diag_entry *e)
{
    const char *sev = e->severity == DIAG_WARNING ? "warning: "
                      : e->severity == DIAG_NOTE  ? "note: "
                                                  : "";
    if (fp == stderr)
        progress_clear(); /* a progress line on the terminal is erased first */
    if (e->file && e->line)
        fprintf(fp, "%s:%llu: %s%s\n", e->file, (unsigned long long)e->line, sev, e->message);
    else if (e->file)
        fprintf(fp, "%s: %s%s\n", e->file, sev, e->message);
    else
        fprintf(fp, "%s%s\n", sev, e->message);
}

/* Write as much of s as fits in `room` output bytes and `max` input bytes, whole characters only.
 * Returns the output length; *consumed is how many input bytes were shown. */
static size_t quote_into(char *buf, size_t room, const unsigned char *p, size_t len, size_t max,
                         size_t *consumed)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0, i = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = utf8_decode((const char *)(p + i), len - i, &cp);
        bool plain = k > 1 || (k == 1 && p[i] >= 0x20 && p[i] != 0x7F);
        if (!plain)
            k = 1;
        size_t out = plain ? k : 4;
        if (i + k > max || o + out > room)
            break;
        if (plain) {
            memcpy(buf + o, p + i, k);
        } else {
            buf[o] = '\\';
            buf[o + 1] = 'x';
            buf[o + 2] = hex[p[i] >> 4];
            buf[o + 3] = hex[p[i] & 15];
        }
        o += out;
        i += k;
    }
    *consumed = i;
    return o;
}

char *diag_quote(char *buf, size_t size, const char *s, size_t len, size_t max)
{
    if (size == 0)
        return buf;
    const unsigned char *p = (const unsigned char *)s;
    size_t used;
    size_t o = quote_into(buf, size - 1, p, len, max, &used);
    if (used < len) {
        /* Cut: make room for the ellipsis, still on a character boundary. */
        o = size > 4 ? quote_into(buf, size - 4, p, len, max, &used) : 0;
        if (o + 3 < size) {
            memcpy(buf + o, "...", 3);
            o += 3;
        }
    }
    buf[o] = '\0';
    return buf;
}

/* ---- a library's own stderr output ------------------------------------------------------- */

static pthread_mutex_t catch_mu = PTHREAD_MUTEX_INITIALIZER;
static int caught_fd = -1;           /* the in-memory file fd 2 points at; kept for reuse */
static int catchers;                 /* calls caught and not yet released, under catch_mu */
static atomic_int saved_stderr = -1; /* the real stderr while caught, else -1 */

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a signal handler restores fd 2 through an atomic");

int64_t diag_catch_stderr(void)
{
    pthread_mutex_lock(&catch_mu);
    int64_t from = -1;
    if (catchers == 0) {
        if (atomic_load(&saved_stderr) >= 0)
            BUG("diag_catch_stderr: stderr caught without a caller");
        /* In memory: a full disk or a file size limit must not cost the message of why. */
        if (caught_fd < 0)
            caught_fd = memfd_create("sametable-stderr", MFD_CLOEXEC);
        else if (ftruncate(caught_fd, 0) != 0 || lseek(caught_fd, 0, SEEK_SET) != 0)
            goto out;
        if (caught_fd < 0)
            goto out;
        fflush(stderr);
        int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        if (saved < 0)
            goto out; /* no stderr to protect */
        if (dup2(caught_fd, STDERR_FILENO) < 0) {
            close(saved);
            goto out;
        }
        atomic_store(&saved_stderr, saved);
    }
    /* fd 2 shares the file's offset: what this call's library prints starts here. */
    off_t at = lseek(caught_fd, 0, SEEK_CUR);
    from = at < 0 ? 0 : (int64_t)at;
    catchers++;
out:
    pthread_mutex_unlock(&catch_mu);
    return from;
}

size_t diag_release_stderr(int64_t from, char *buf, size_t size)
{
    if (buf && size)
        buf[0] = '\0';
    if (from < 0)
        return 0;
    pthread_mutex_lock(&catch_mu);
    if (catchers <= 0)
        BUG("diag_release_stderr without diag_catch_stderr");
    fflush(stderr);
    off_t end = lseek(caught_fd, 0, SEEK_CUR);
    size_t n = end > from ? (size_t)(end - from) : 0;
    if (n && buf && size > 1) {
        size_t want = n < size - 1 ? n : size - 1;
        ssize_t got = pread(caught_fd, buf, want, (off_t)from);
        buf[got > 0 ? (size_t)got : 0] = '\0';
    }
    if (--catchers == 0) {
        int saved = atomic_exchange(&saved_stderr, -1);
        if (saved >= 0) {
            /* dup2 retries: it fails only on EINTR/EBUSY races, and fd 2 must come back. */
            while (dup2(saved, STDERR_FILENO) < 0 && errno == EINTR)
                ;
            close(saved);
        }
    }
    pthread_mutex_unlock(&catch_mu);
    return n;
}

void diag_release_stderr_in_handler(void)
{
    int saved = atomic_exchange(&saved_stderr, -1);
    if (saved >= 0)
        dup2(saved, STDERR_FILENO);
}

void diag_add_caught(struct diag *d, enum diag_severity sev, const char *who, const char *text)
{
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, "\n");
        const char *s = p, *end = p + len;
        p = *end ? end + 1 : end;
        /* "[ERROR]", "[WARNING]" and a "[file.c:123]" location are libxlsxwriter's, not news. */
        while (s < end && *s == '[') {
            const char *close = memchr(s, ']', (size_t)(end - s));
            if (!close)
                break;
            s = close + 1;
        }
        while (s < end && (*s == ':' || *s == ' '))
            s++;
        while (end > s && (end[-1] == '\r' || end[-1] == ' '))
            end--;
        if (s == end)
            continue;
        char q[400];
        diag_add(d, sev, NULL, 0, 0, "%s: %s", who,
                 diag_quote(q, sizeof q, s, (size_t)(end - s), 300));
    }
}
