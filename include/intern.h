/* intern.h — string interner: each distinct string of one domain gets a dense uint32_t id.
 *
 * One interner per domain (leads, campaigns, channels, people, teams, …), so ids index columnar
 * arrays directly: the first new string gets 0, the next 1, and so on. Strings are compared
 * byte-for-byte; normalisation (trimming, case-folding) is the caller's job before interning.
 * The interner owns copies of its strings (in its arena) until intern_release.
 */
#ifndef SAMETABLE_INTERN_H
#define SAMETABLE_INTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define INTERN_NONE        UINT32_MAX
#define INTERN_RECENT_BITS 8

struct intern {
    struct arena arena;
    const char **strs; /* id -> NUL-terminated string */
    uint32_t *lens;    /* id -> length in bytes */
    uint32_t n, cap;   /* ids in use, capacity of strs/lens */
    uint64_t *slots;   /* open-addressing table: id + 1 (0 = empty), hash bits above */
    size_t n_slots;    /* a power of two */
    bool sealed;       /* intern_seal freed the slots */
    uint32_t recent[1 << INTERN_RECENT_BITS]; /* id + 1 of strings added lately, by a cheap
                                               * key: small domains (campaigns, channels) and
                                               * runs of one lead skip the hash table */
};

// clang-format off
#define INTERN_INIT {ARENA_INIT, NULL, NULL, 0, 0, NULL, 0, false, {0}}
// clang-format on

/* The id of s[0..len), adding it if new (*added tells which; may be NULL). */
uint32_t intern_add(struct intern *in, const char *s, size_t len, bool *added);
/* Prefetches the table slot where a lookup of s[0..len) starts, for intern_add or intern_find
 * soon after (the table of a large domain is far larger than the caches). Changes nothing. */
void intern_prefetch(const struct intern *in, const char *s, size_t len);
/* The id of s[0..len), or INTERN_NONE if it was never added. */
uint32_t intern_find(const struct intern *in, const char *s, size_t len);
static inline const char *intern_str(const struct intern *in, uint32_t id)
{
    return in->strs[id];
}
static inline uint32_t intern_len(const struct intern *in, uint32_t id)
{
    return in->lens[id];
}
/* Frees the lookup table (8 to 16 bytes an id) of an interner that will be
 * searched no more; intern_str and intern_len stay. intern_find still answers, by a linear scan,
 * and intern_add rebuilds the table first. */
void intern_seal(struct intern *in);
void intern_release(struct intern *in);

#endif
