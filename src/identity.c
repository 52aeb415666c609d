/* identity.c — the identity map: rows in, chains followed to the surviving lead, cycles found. */
#include "identity.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void idmap_grow(struct idmap *m, uint32_t id)
{
    if (id < m->n)
        return;
    if ((size_t)id + 1 > m->cap) {
        size_t cap = grow_capacity(m->cap, (size_t)id + 1);
        m->to = xreallocarray(m->to, cap, sizeof *m->to);
        m->line = xreallocarray(m->line, cap, sizeof *m->line);
        m->state = xreallocarray(m->state, cap, sizeof *m->state);
        m->cap = cap;
    }
    for (uint32_t i = m->n; i <= id; i++) {
        m->to[i] = IDMAP_NONE;
        m->line[i] = 0;
        m->state[i] = IDMAP_NOT_KEY;
    }
    m->n = id + 1;
}

enum idmap_add_result idmap_add(struct idmap *m, uint32_t from, uint32_t to, uint64_t line,
                                uint64_t *first_line, uint32_t *first_to)
{
    if (from == to || from == IDMAP_NONE || to == IDMAP_NONE)
        BUG("idmap_add: an id mapped to itself or to none");
    idmap_grow(m, from);
    if (first_line)
        *first_line = m->line[from];
    if (first_to)
        *first_to = m->to[from];
    switch ((enum idmap_state)m->state[from]) {
    case IDMAP_NOT_KEY:
        m->state[from] = IDMAP_KEY;
        m->to[from] = to;
        m->line[from] = line;
        m->n_keys++;
        return IDMAP_ADD_NEW;
    case IDMAP_KEY:
        if (m->to[from] == to)
            return IDMAP_ADD_SAME;
        m->state[from] = IDMAP_CONFLICT;
        m->n_keys--;
        return IDMAP_ADD_CONFLICT;
    case IDMAP_CONFLICT:
        return IDMAP_ADD_CONFLICTED;
    case IDMAP_CYCLE:
        break;
    }
    BUG("idmap_add after idmap_resolve");
}

static bool is_key(const struct idmap *m, uint32_t id)
{
    return id < m->n && m->state[id] == IDMAP_KEY;
}

/* Rotate cycle[0..n) so that it starts at the key whose row has the smallest line. */
static void rotate_to_first_line(const struct idmap *m, uint32_t *cycle, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (m->line[cycle[i]] < m->line[cycle[best]])
            best = i;
    if (best == 0)
        return;
    uint32_t *tmp = xmalloc(n * sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        tmp[i] = cycle[(best + i) % n];
    memcpy(cycle, tmp, n * sizeof *tmp);
    free(tmp);
}

size_t idmap_resolve(struct idmap *m, idmap_cycle_fn *on_cycle, void *ctx)
{
    enum { WHITE, ON_PATH, DONE };
    free(m->final);
    m->final = xmalloc((m->n ? m->n : 1) * sizeof *m->final);
    uint8_t *color = xcalloc(m->n ? m->n : 1, sizeof *color);
    uint32_t *path = NULL;
    size_t cap = 0, n_cycles = 0;
    for (uint32_t k = 0; k < m->n; k++)
        m->final[k] = IDMAP_NONE;
    for (uint32_t k = 0; k < m->n; k++) {
        if (!is_key(m, k) || color[k] != WHITE)
            continue;
        /* Walk the chain from k until it leaves the keys, meets a key already settled, or comes
         * back to a key on this walk (a cycle). Each key is walked once: linear in all. */
        size_t n = 0;
        uint32_t x = k;
        while (is_key(m, x) && color[x] == WHITE) {
            color[x] = ON_PATH;
            VEC_PUSH(path, n, cap, x);
            x = m->to[x];
        }
        uint32_t result;
        if (!is_key(m, x)) {
            result = x; /* the surviving lead (or a conflicted id, which maps nothing) */
        } else if (color[x] == DONE) {
            result = m->final[x];
        } else {
            size_t at = n;
            while (path[at - 1] != x)
                at--;
            at--;
            rotate_to_first_line(m, path + at, n - at);
            if (on_cycle)
                on_cycle(ctx, m, path + at, n - at);
            n_cycles++;
            result = IDMAP_NONE;
        }
        for (size_t i = 0; i < n; i++) {
            color[path[i]] = DONE;
            m->final[path[i]] = result;
        }
    }
    /* Keys on or leading into a cycle map nothing. */
    for (uint32_t k = 0; k < m->n; k++)
        if (m->state[k] == IDMAP_KEY && m->final[k] == IDMAP_NONE)
            m->state[k] = IDMAP_CYCLE;
    m->n_final = m->n;
    free(path);
    free(color);
    return n_cycles;
}

void idmap_release(struct idmap *m)
{
    if (!m)
        return;
    free(m->to);
    free(m->line);
    free(m->state);
    free(m->final);
    memset(m, 0, sizeof *m);
}
