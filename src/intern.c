/* intern.c — open-addressing hash table from strings to dense ids. */
#include "intern.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint64_t hash_str(const char *s, size_t len)
{
    return hash_bytes(s, len, 0x51ed270b27a3f4c1u);
}

static void rehash(struct intern *in, size_t n_slots)
{
    uint32_t *slots = xcalloc(n_slots, sizeof *slots);
    for (uint32_t id = 0; id < in->n; id++) {
        size_t i = (size_t)in->hashes[id] & (n_slots - 1);
        while (slots[i])
            i = (i + 1) & (n_slots - 1);
        slots[i] = id + 1;
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
    size_t i = (size_t)h & (in->n_slots - 1);
    while (in->slots[i]) {
        uint32_t id = in->slots[i] - 1;
        if (in->hashes[id] == h && in->lens[id] == len && memcmp(in->strs[id], s, len) == 0)
            return id;
        i = (i + 1) & (in->n_slots - 1);
    }
    *slot = i;
    return INTERN_NONE;
}

uint32_t intern_find(const struct intern *in, const char *s, size_t len)
{
    size_t slot;
    return lookup(in, s, len, hash_str(s, len), &slot);
}

/* A slot of the recent cache from the length and the first and last 8 bytes. */
static size_t recent_slot(const char *s, size_t len)
{
    uint64_t a = 0, b = 0;
    memcpy(&a, s, len < 8 ? len : 8);
    if (len > 8)
        memcpy(&b, s + len - 8, 8);
    return (size_t)(((a ^ (b * 0x9e3779b97f4a7c15u) ^ len) * 0xff51afd7ed558ccdu) >> 58);
}

uint32_t intern_add(struct intern *in, const char *s, size_t len, bool *added)
{
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
        in->strs = xreallocarray(in->strs, cap, sizeof *in->strs);
        in->lens = xreallocarray(in->lens, cap, sizeof *in->lens);
        in->hashes = xreallocarray(in->hashes, cap, sizeof *in->hashes);
        in->cap = (uint32_t)cap;
    }
    id = in->n++;
    in->strs[id] = arena_strndup(&in->arena, s, len);
    in->lens[id] = (uint32_t)len;
    in->hashes[id] = h;
    in->slots[slot] = id + 1;
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
    free(in->hashes);
    memset(in, 0, sizeof *in);
}
