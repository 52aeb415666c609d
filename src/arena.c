/* arena.c — block-chained bump allocator. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ARENA_BLOCK_MIN ((size_t)64 * 1024)

struct arena_block {
    struct arena_block *next;
    size_t size; /* usable bytes in data[] */
    size_t used; /* bytes taken from data[] */
    _Alignas(16) unsigned char data[];
};

void *arena_alloc(struct arena *a, size_t size, size_t align)
{
    if (align == 0 || align > 16 || (align & (align - 1)) != 0)
        BUG("arena_alloc: bad alignment");
    struct arena_block *b = a->head;
    size_t off = b ? (b->used + align - 1) & ~(align - 1) : 0;
    if (!b || off > b->size || size > b->size - off) {
        size_t want = size > ARENA_BLOCK_MIN / 4 ? size : ARENA_BLOCK_MIN;
        if (want > SIZE_MAX - sizeof *b)
            BUG("arena_alloc: size overflow");
        struct arena_block *nb = xmalloc(sizeof *nb + want);
        nb->size = want;
        nb->used = 0;
        /* A large, one-off allocation goes behind the current block so that block keeps filling. */
        if (b && size > ARENA_BLOCK_MIN / 4) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
        off = 0;
    }
    b->used = off + size;
    a->used_bytes += size;
    return b->data + off;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1, 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void arena_release(struct arena *a)
{
    if (!a)
        return;
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used_bytes = 0;
}
