/* identity.h — the identity map: contact IDs and merged lead IDs, each to its surviving lead.
 *
 * The identities input ([inputs] identities: contact_id → lead_id, e.g. Salesforce's converted
 * lead report or a CRM's merge history) is a set of edges between ids of one interner (the
 * leads'; a contact ID is interned there too). A key maps to one target. A key given two
 * different targets is conflicted: it maps nothing (the caller rejects its rows), so a chain
 * through it stops at it. Following a key's target while the target is itself a key ends at the
 * surviving lead (a merge chain); a chain that comes back on itself is a cycle, and every key on
 * it or leading into it resolves to nothing (the caller reports it as an error).
 *
 * Use: idmap_add for every row, then idmap_resolve once; idmap_lookup is then one comparison and
 * one load, for the hot path (every touch). The map owns its arrays; idmap_release frees them.
 */
#ifndef SAMETABLE_IDENTITY_H
#define SAMETABLE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDMAP_NONE UINT32_MAX

enum idmap_state {
    IDMAP_NOT_KEY,  /* no row maps this id */
    IDMAP_KEY,      /* one target (possibly given by several equal rows) */
    IDMAP_CONFLICT, /* two different targets: maps nothing */
    IDMAP_CYCLE,    /* on a cycle, or leading into one: maps nothing (after idmap_resolve) */
};

enum idmap_add_result {
    IDMAP_ADD_NEW,        /* the key's first row */
    IDMAP_ADD_SAME,       /* the key already maps to this target */
    IDMAP_ADD_CONFLICT,   /* the key mapped to another target: now conflicted */
    IDMAP_ADD_CONFLICTED, /* the key was conflicted already */
};

struct idmap {
    uint32_t n;       /* ids 0..n-1 have entries below */
    size_t cap;       /* capacity of to, line and state */
    uint32_t *to;     /* the row's target, IDMAP_NONE when not a key */
    uint64_t *line;   /* source line of the key's first row */
    uint8_t *state;   /* enum idmap_state */
    uint32_t n_keys;  /* ids in state IDMAP_KEY (before resolving) */
    uint32_t *final;  /* after idmap_resolve: the surviving lead, or IDMAP_NONE */
    uint32_t n_final; /* entries of final (0 before idmap_resolve) */
};

// clang-format off
#define IDMAP_INIT {0, 0, NULL, NULL, NULL, 0, NULL, 0}
// clang-format on

/* Add the row `from` → `to` read at `line` (from != to). On IDMAP_ADD_CONFLICT and
 * IDMAP_ADD_CONFLICTED, *first_line and *first_to (either may be NULL) are the key's first row. */
enum idmap_add_result idmap_add(struct idmap *m, uint32_t from, uint32_t to, uint64_t line,
                                uint64_t *first_line, uint32_t *first_to);

/* Called once per cycle with its keys in chain order (cycle[k] maps to cycle[k + 1], the last to
 * the first), starting at the key whose row comes first in the file. */
typedef void idmap_cycle_fn(void *ctx, const struct idmap *m, const uint32_t *cycle, size_t n);

/* Follow every chain to its end (final[]), report each cycle once. Returns how many cycles. */
size_t idmap_resolve(struct idmap *m, idmap_cycle_fn *on_cycle, void *ctx);

/* The surviving lead of `id`, or IDMAP_NONE when no row maps it (or its rows conflict, or its
 * chain is a cycle). */
static inline uint32_t idmap_lookup(const struct idmap *m, uint32_t id)
{
    return id < m->n_final ? m->final[id] : IDMAP_NONE;
}

static inline enum idmap_state idmap_state_of(const struct idmap *m, uint32_t id)
{
    return id < m->n ? (enum idmap_state)m->state[id] : IDMAP_NOT_KEY;
}

void idmap_release(struct idmap *m);

#endif
