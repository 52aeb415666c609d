/* arena.h — bump allocation for data that lives as long as the run.
 *
 * An arena hands out memory from large blocks and frees it all at once in arena_release. Nothing
 * allocated from it is freed individually. Allocation aborts on exhaustion like xmalloc.
 */
#ifndef SAMETABLE_ARENA_H
#define SAMETABLE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head; /* newest block first */
    size_t used_bytes;        /* bytes handed out, for -v statistics */
};

#define ARENA_INIT                                                                                 \
    {                                                                                              \
        NULL, 0                                                                                    \
    }

/* size bytes aligned to `align` (a power of two, at most 16). */
void *arena_alloc(struct arena *a, size_t size, size_t align);
/* A NUL-terminated copy of s[0..n) owned by the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_release(struct arena *a);

#endif
