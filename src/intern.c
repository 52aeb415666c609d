/* intern.c — open-addressing hash table from strings to dense ids. */
#include "intern.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint64_t hash_str(const char *s, size_t len)
{
    return hash_bytes(s, len, 0x51ed270b27a3f4c1u);
}

/* A slot holds id + 1 in its low half (0 = empty) and the high half of the string's hash, so a
 * probe tells most other strings apart without loading their length or bytes: a lookup of a new
 * string costs one cache miss instead of one per string met on the way. The slot a string's
 * probe starts at comes from the same high half (HOME), so growing the table moves slots by
 * what they hold and never hashes a string again, with no array of hashes kept beside. */
#define SLOT(id, h)      ((uint64_t)((h) >> 32) << 32 | ((uint64_t)(id) + 1))
#define SLOT_ID(v)       ((uint32_t)(v)-1)
#define SLOT_TAG(h)      ((h) >> 32 << 32)
#define SLOT_TAG_MASK    (~(uint64_t)UINT32_MAX)
#define HOME(h, n_slots) ((size_t)((h) >> 32) & ((n_slots)-1))

static void rehash(struct intern *in, size_t n_slots)
{
    if (n_slots > SIZE_MAX / sizeof *in->slots || n_slots > ((size_t)1 << 32))
        BUG("intern: too many slots");
    uint64_t *slots = xrealloc_large(NULL, 0, n_slots * sizeof *slots);
    memset(slots, 0, n_slots * sizeof *slots);
    for (size_t k = 0; k < in->n_slots; k++) {
        uint64_t v = in->slots[k];
        if (!v)
            continue;
        size_t i = HOME(v, n_slots);
        while (slots[i])
            i = (i + 1) & (n_slots - 1);
        slots[i] = v;
    }
    free(in->slots);
    in->slots = slots;
    in->n_slots = n_slots;
}

static uint32_t lookup(const struct intern *in, const char *s, size_t len, uint64_t h, size_t *slot)
{
    if (!in->n_slots) {
        *slot = 0;
        return INTERN_NONE;
    }
    uint64_t tag = SLOT_TAG(h);
    size_t i = HOME(h, in->n_slots);
    for (uint64_t v; (v = in->slots[i]) != 0; i = (i + 1) & (in->n_slots - 1)) {
        if ((v & SLOT_TAG_MASK) != tag)
            continue;
        uint32_t id = SLOT_ID(v);
        if (in->lens[id] == len && memcmp(in->strs[id], s, len) == 0)
            return id;
    }
    *slot = i;
    return INTERN_NONE;
}

uint32_t intern_find(const struct intern *in, const char *s, size_t len)
{
    if (in->sealed) {
        for (uint32_t id = 0; id < in->n; id++)
            if (in->lens[id] == len && memcmp(in->strs[id], s, len) == 0)
                return id;
        return INTERN_NONE;
    }
    size_t slot;
    return lookup(in, s, len, hash_str(s, len), &slot);
}

void intern_prefetch(const struct intern *in, const char *s, size_t len)
{
    if (in->n_slots)
        __builtin_prefetch(&in->slots[HOME(hash_str(s, len), in->n_slots)], 1);
}

/* A slot of the recent cache from the length and the first and last 8 bytes. */
static size_t recent_slot(const char *s, size_t len)
{
    uint64_t a = 0, b = 0;
    memcpy(&a, s, len < 8 ? len : 8);
    if (len > 8)
        memcpy(&b, s + len - 8, 8);
    return (size_t)(((a ^ (b * 0x9e3779b97f4a7c15u) ^ len) * 0xff51afd7ed558ccdu) >>
                    (64 - INTERN_RECENT_BITS));
}

void intern_seal(struct intern *in)
{
    free(in->slots);
    in->slots = NULL;
    in->n_slots = 0;
    in->sealed = true;
}

/* A sealed interner's table again, to add to it. */
static void unseal(struct intern *in)
{
    size_t n_slots = 64;
    while ((size_t)in->n * 2 > n_slots)
        n_slots *= 2;
    rehash(in, n_slots); /* an empty table of that size */
    for (uint32_t id = 0; id < in->n; id++) {
        uint64_t h = hash_str(in->strs[id], in->lens[id]);
        size_t i = HOME(h, n_slots);
        while (in->slots[i])
            i = (i + 1) & (n_slots - 1);
        in->slots[i] = SLOT(id, h);
    }
    in->sealed = false;
}

uint32_t intern_add(struct intern *in, const char *s, size_t len, bool *added)
{
    if (in->sealed)
        unseal(in);
    size_t rs = recent_slot(s, len);
    uint32_t r = in->recent[rs];
    if (r && in->lens[r - 1] == len && memcmp(in->strs[r - 1], s, len) == 0) {
        if (added)
            *added = false;
        return r - 1;
    }
    uint64_t h = hash_str(s, len);
    size_t slot;
    uint32_t id = lookup(in, s, len, h, &slot);
    if (added)
        *added = id == INTERN_NONE;
    if (id != INTERN_NONE) {
        in->recent[rs] = id + 1;
        return id;
    }
    if (len > UINT32_MAX || in->n == INTERN_NONE - 1)
        BUG("intern_add: too many or too long strings");
    if ((size_t)(in->n + 1) * 2 > in->n_slots) {
        rehash(in, in->n_slots ? in->n_slots * 2 : 64);
        lookup(in, s, len, h, &slot);
    }
    if (in->n == in->cap) {
        size_t cap = grow_capacity(in->cap, (size_t)in->n + 1);
        if (cap >= INTERN_NONE)
            cap = INTERN_NONE - 1;
        in->strs = xrealloc_large(in->strs, in->n * sizeof *in->strs, cap * sizeof *in->strs);
        in->lens = xrealloc_large(in->lens, in->n * sizeof *in->lens, cap * sizeof *in->lens);
        in->cap = (uint32_t)cap;
    }
    id = in->n++;
    in->strs[id] = arena_strndup(&in->arena, s, len);
    in->lens[id] = (uint32_t)len;
    in->slots[slot] = SLOT(id, h);
    in->recent[rs] = id + 1;
    return id;
}

void intern_release(struct intern *in)
{
    if (!in)
        return;
    arena_release(&in->arena);
    free(in->strs);
    free(in->lens);
    free(in->slots);
    memset(in, 0, sizeof *in);
}
