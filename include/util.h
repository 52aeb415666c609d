/* util.h — allocation that aborts on exhaustion, BUG() for impossible states, growable arrays.
 *
 * Out of memory is the one failure the tool does not report through return codes: every
 * allocation goes through xmalloc/xcalloc/xrealloc, which print one line and abort.
 * VEC_GROW is the single overflow-checked way to grow an array; vectors are plain
 * {pointer, length, capacity} triples owned by whoever holds the struct.
 */
#ifndef SAMETABLE_UTIL_H
#define SAMETABLE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* xreallocarray: realloc to n * size bytes, aborting if the product overflows. */
void *xreallocarray(void *p, size_t n, size_t size);
/* xrealloc for a large array filled front to back (a table column): from 4 MiB up the block is
 * 2 MiB-aligned and the kernel is asked to back it with huge pages, one page fault per 2 MiB
 * instead of 512. old_size is how many bytes of p to keep. Free the result with free(). */
void *xrealloc_large(void *p, size_t old_size, size_t new_size);
char *xstrndup(const char *s, size_t n);
char *xstrdup(const char *s);

/* Aborts with file:line; for states the program's own logic rules out. */
_Noreturn void bug_at(const char *file, int line, const char *msg);
#define BUG(msg) bug_at(__FILE__, __LINE__, (msg))

/* Capacity for n more elements: grows by half again, at least 16, checked for overflow. */
size_t grow_capacity(size_t cap, size_t need);

/* Ensure array `ptr` (with capacity `cap`) can hold `need` elements. */
#define VEC_GROW(ptr, cap, need)                                                                   \
    do {                                                                                           \
        if ((size_t)(need) > (cap)) {                                                              \
            (cap) = grow_capacity((cap), (size_t)(need));                                          \
            (ptr) = xreallocarray((ptr), (cap), sizeof *(ptr));                                    \
        }                                                                                          \
    } while (0)

/* Append one element to array `ptr` with length `len` and capacity `cap`. */
#define VEC_PUSH(ptr, len, cap, value)                                                             \
    do {                                                                                           \
        VEC_GROW(ptr, cap, (len) + 1);                                                             \
        (ptr)[(len)++] = (value);                                                                  \
    } while (0)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A fast, well-mixed 64-bit hash of n bytes (8 bytes a step), chained through seed. Not for
 * security: only for hash tables and duplicate detection. */
uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);
/* The same without the final mixing step, for chaining several ranges into one hash; finish with
 * hash_bytes(NULL, 0, h) or use the result only as a chained seed. */
uint64_t hash_accum(uint64_t h, const void *p, size_t n);

/* Is s[0..len) a spreadsheet error value (#N/A, #VALUE!, #REF!, #DIV/0!, …, Google's #ERROR!),
 * ignoring ASCII case? Such values arrive in any column of a sheet saved as CSV. */
bool spreadsheet_error_literal(const char *s, size_t len);

/* Text for the outputs (workbooks and CSV files): the length of the character at s[0, len) (1
 * for a byte that starts no valid UTF-8 character) and, in *keep, whether it may be written as
 * it is. Not kept, and written as U+FFFD: invalid UTF-8, the C0 controls other than TAB, LF and
 * CR, DEL, the C1 controls (U+0080-U+009F), and U+FFFE and U+FFFF, which XML forbids. */
size_t out_text_char(const char *s, size_t len, bool *keep);
/* The valid UTF-8 sequence at s[0, len) (len >= 1): its length (1 to 4) and code point, or 0 when
 * the bytes there are not one (a stray continuation byte, an overlong form, a surrogate, a
 * sequence cut short). */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* ASCII case-insensitive comparison of two byte ranges. */
int ascii_casecmp_n(const char *a, size_t alen, const char *b, size_t blen);
/* Trim ASCII space/tab and the UTF-8 NBSP (U+00A0), narrow NBSP (U+202F), zero-width space
 * (U+200B) and word joiner (U+2060) from both ends of [*s, *s + *len). */
void trim_span_slow(const char **s, size_t *len);
static inline void trim_span(const char **s, size_t *len)
{
    /* Most fields start and end with a byte that cannot begin or end a blank. */
    unsigned char a, z;
    if (*len == 0)
        return;
    a = (unsigned char)(*s)[0];
    z = (unsigned char)(*s)[*len - 1];
    if (a != ' ' && a != '\t' && a < 0x80 && z != ' ' && z != '\t' && z < 0x80)
        return;
    trim_span_slow(s, len);
}

/* snprintf into out that may cut a too long text short (for buffers that hold any realistic
 * value: calculation text). */
void put_text(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
