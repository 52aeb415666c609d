/* util.c — aborting allocators, BUG(), array growth, small string helpers. */
#include "util.h"
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static _Noreturn void out_of_memory(size_t size)
{
    fprintf(stderr, "sametable: out of memory (%zu bytes)\n", size);
    abort();
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        out_of_memory(size);
    return q;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        out_of_memory(SIZE_MAX);
    return xrealloc(p, n * size);
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

_Noreturn void bug_at(const char *file, int line, const char *msg)
{
    diag_release_stderr_in_handler(); /* a writer thread may have fd 2 caught for a library */
    fprintf(stderr, "sametable: BUG at %s:%d: %s\n", file, line, msg);
    abort();
}

/* Huge pages are 2 MiB on x86-64 and arm64 (4 KiB base pages); a larger block asks for them. */
#define HUGE_PAGE ((size_t)2 << 20)

void *xrealloc_large(void *p, size_t old_size, size_t new_size)
{
#ifdef MADV_HUGEPAGE
    if (new_size >= 2 * HUGE_PAGE) {
        /* A fresh aligned block (copying what p held) rather than realloc, which keeps no
         * alignment: the kernel can only use huge pages for whole aligned 2 MiB ranges. */
        void *q;
        if (posix_memalign(&q, HUGE_PAGE, new_size) != 0)
            out_of_memory(new_size);
        (void)madvise(q, new_size & ~(HUGE_PAGE - 1), MADV_HUGEPAGE);
        if (p)
            memcpy(q, p, old_size < new_size ? old_size : new_size);
        free(p);
        return q;
    }
#endif
    (void)old_size;
    return xrealloc(p, new_size);
}

size_t grow_capacity(size_t cap, size_t need)
{
    size_t n = cap < 16 ? 16 : cap;
    while (n < need) {
        if (n > SIZE_MAX / 3 * 2)
            out_of_memory(SIZE_MAX);
        n += n / 2;
    }
    return n;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

uint64_t hash_accum(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    h ^= 0x9e3779b97f4a7c15u * (n + 1);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    if (n) {
        /* The 1..7 tail bytes, as two possibly overlapping 4-byte loads or single bytes. */
        uint64_t w;
        if (n >= 4) {
            uint32_t a, b;
            memcpy(&a, s, 4);
            memcpy(&b, s + n - 4, 4);
            w = ((uint64_t)a << 32) | b;
        } else {
            w = ((uint64_t)s[0] << 16) | ((uint64_t)s[n / 2] << 8) | s[n - 1];
        }
        h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
        h ^= h >> 32;
    }
    return h;
}

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed)
{
    return mix64(hash_accum(seed, p, n));
}

static unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

size_t utf8_decode(const char *s, size_t len, uint32_t *cp_out)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char c = p[0];
    if (c < 0x80) {
        *cp_out = c;
        return 1;
    }
    size_t k;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        k = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (k > len)
        return 0;
    for (size_t j = 1; j < k; j++) {
        if ((p[j] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[j] & 0x3Fu);
    }
    if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    *cp_out = cp;
    return k;
}

size_t out_text_char(const char *s, size_t len, bool *keep)
{
    uint32_t cp;
    size_t k = utf8_decode(s, len, &cp);
    if (k == 0) {
        *keep = false;
        return 1;
    }
    if (k == 1)
        *keep = (cp >= 0x20 && cp != 0x7F) || cp == '\t' || cp == '\n' || cp == '\r';
    else
        *keep = cp > 0x9F && cp != 0xFFFE && cp != 0xFFFF;
    return k;
}

bool spreadsheet_error_literal(const char *s, size_t len)
{
    /* Excel's classic seven, its dynamic-array and data-type errors, Google Sheets' #ERROR!. */
    static const char *const literals[] = {
        "#N/A",      "#VALUE!",   "#REF!",      "#DIV/0!",  "#NAME?",  "#NUM!",
        "#NULL!",    "#SPILL!",   "#CALC!",     "#FIELD!",  "#BUSY!",  "#BLOCKED!",
        "#CONNECT!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!", "#ERROR!", "#GETTING_DATA",
    };
    if (len < 4 || s[0] != '#')
        return false;
    for (size_t i = 0; i < ARRAY_LEN(literals); i++)
        if (ascii_casecmp_n(s, len, literals[i], strlen(literals[i])) == 0)
            return true;
    return false;
}

int ascii_casecmp_n(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    for (size_t i = 0; i < n; i++) {
        unsigned char ca = ascii_lower((unsigned char)a[i]), cb = ascii_lower((unsigned char)b[i]);
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

/* Length of the blank sequence at s (ASCII space/tab, NBSP, U+202F, U+200B, U+2060), 0 if none. */
static size_t blank_at(const unsigned char *s, size_t len)
{
    if (len >= 1 && (s[0] == ' ' || s[0] == '\t'))
        return 1;
    if (len >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
        return 2;
    if (len >= 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xAF || s[2] == 0x8B))
        return 3;
    if (len >= 3 && s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0xA0)
        return 3;
    return 0;
}

/* Length of a blank sequence ending at s + len, 0 if none. */
static size_t blank_before(const unsigned char *s, size_t len)
{
    if (len >= 1 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        return 1;
    if (len >= 2 && blank_at(s + len - 2, 2) == 2)
        return 2;
    if (len >= 3 && blank_at(s + len - 3, 3) == 3)
        return 3;
    return 0;
}

void trim_span_slow(const char **s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t n = *len, k;
    while ((k = blank_at(p, n)) > 0) {
        p += k;
        n -= k;
    }
    while ((k = blank_before(p, n)) > 0)
        n -= k;
    *s = (const char *)p;
    *len = n;
}

void put_text(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, size, fmt, ap);
    va_end(ap);
}
