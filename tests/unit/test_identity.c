/* test_identity.c — the identity map: chains to the surviving lead, conflicts, cycles. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"

/* What the cycle callback saw: every cycle, its keys in the order given. */
struct seen {
    size_t n_cycles;
    uint32_t keys[4][8];
    size_t len[4];
};

static void record_cycle(void *ctx, const struct idmap *m, const uint32_t *cycle, size_t n)
{
    (void)m;
    struct seen *s = ctx;
    cr_assert_lt(s->n_cycles, 4);
    cr_assert_leq(n, 8);
    memcpy(s->keys[s->n_cycles], cycle, n * sizeof *cycle);
    s->len[s->n_cycles++] = n;
}

Test(identity, a_merge_chain_is_followed_to_the_surviving_lead)
{
    /* 0 → 1 → 2 → 3 (a contact converted to lead 1, merged into 2, merged into 3), rows given
     * out of chain order; 3 maps nowhere: it survives. */
    struct idmap m = IDMAP_INIT;
    cr_assert_eq(idmap_add(&m, 2, 3, 4, NULL, NULL), IDMAP_ADD_NEW);
    cr_assert_eq(idmap_add(&m, 0, 1, 2, NULL, NULL), IDMAP_ADD_NEW);
    cr_assert_eq(idmap_add(&m, 1, 2, 3, NULL, NULL), IDMAP_ADD_NEW);
    struct seen s = {0};
    cr_assert_eq(idmap_resolve(&m, record_cycle, &s), 0);
    cr_assert_eq(s.n_cycles, 0);
    for (uint32_t k = 0; k < 3; k++)
        cr_assert_eq(idmap_lookup(&m, k), 3, "key %u", k);
    cr_assert_eq(idmap_lookup(&m, 3), IDMAP_NONE);
    cr_assert_eq(idmap_lookup(&m, 99), IDMAP_NONE); /* an id past the map (a later touch's lead) */
    idmap_release(&m);
}

Test(identity, an_empty_map_resolves_nothing_and_lookups_cost_one_comparison)
{
    struct idmap m = IDMAP_INIT;
    cr_assert_eq(idmap_lookup(&m, 0), IDMAP_NONE); /* before resolving: nothing either */
    cr_assert_eq(idmap_resolve(&m, record_cycle, NULL), 0);
    cr_assert_eq(idmap_lookup(&m, 0), IDMAP_NONE);
    idmap_release(&m);
    idmap_release(NULL);
}

Test(identity, the_same_row_twice_is_a_duplicate_and_another_lead_a_conflict)
{
    struct idmap m = IDMAP_INIT;
    uint64_t line = 0;
    uint32_t to = 0;
    cr_assert_eq(idmap_add(&m, 5, 1, 2, &line, &to), IDMAP_ADD_NEW);
    cr_assert_eq(idmap_add(&m, 5, 1, 3, &line, &to), IDMAP_ADD_SAME);
    /* A second lead for contact 5: the first row (line 2, lead 1) is named. */
    cr_assert_eq(idmap_add(&m, 5, 2, 7, &line, &to), IDMAP_ADD_CONFLICT);
    cr_assert_eq(line, 2);
    cr_assert_eq(to, 1);
    /* Any later row of 5 (even the first lead again) finds it conflicted. */
    cr_assert_eq(idmap_add(&m, 5, 1, 9, &line, &to), IDMAP_ADD_CONFLICTED);
    cr_assert_eq(line, 2);
    cr_assert_eq(idmap_state_of(&m, 5), IDMAP_CONFLICT);
    cr_assert_eq(idmap_state_of(&m, 1), IDMAP_NOT_KEY);
    cr_assert_eq(idmap_state_of(&m, 1000), IDMAP_NOT_KEY);
    cr_assert_eq(idmap_resolve(&m, record_cycle, NULL), 0);
    cr_assert_eq(idmap_lookup(&m, 5), IDMAP_NONE); /* its touches are unmatched */
    idmap_release(&m);
}

Test(identity, a_chain_through_a_conflicted_id_stops_at_it)
{
    /* 7 → 4, and 4 → 8 and 4 → 9 conflict: 4's rows are rejected, so 4 is a lead of its own and
     * 7 joins it. */
    struct idmap m = IDMAP_INIT;
    cr_assert_eq(idmap_add(&m, 7, 4, 2, NULL, NULL), IDMAP_ADD_NEW);
    cr_assert_eq(idmap_add(&m, 4, 8, 3, NULL, NULL), IDMAP_ADD_NEW);
    cr_assert_eq(idmap_add(&m, 4, 9, 4, NULL, NULL), IDMAP_ADD_CONFLICT);
    cr_assert_eq(idmap_resolve(&m, record_cycle, NULL), 0);
    cr_assert_eq(idmap_lookup(&m, 7), 4);
    cr_assert_eq(idmap_lookup(&m, 4), IDMAP_NONE);
    idmap_release(&m);
}

Test(identity, a_cycle_is_reported_once_from_its_first_row_and_maps_nothing)
{
    /* Rows (line: from → to): 2: 4 → 5; 5: 3 → 1; 3: 1 → 2; 4: 2 → 3; 6: 0 → 1; 7: 6 → 7.
     * 1 → 2 → 3 → 1 is a cycle; its first row is line 3 (key 1), though the walk meets it from
     * key 0 (line 6) and key 1 is not where it closes. 0 leads into it: it maps nothing too.
     * 4 → 5 and 6 → 7 are untouched. */
    struct idmap m = IDMAP_INIT;
    idmap_add(&m, 4, 5, 2, NULL, NULL);
    idmap_add(&m, 3, 1, 5, NULL, NULL);
    idmap_add(&m, 1, 2, 3, NULL, NULL);
    idmap_add(&m, 2, 3, 4, NULL, NULL);
    idmap_add(&m, 0, 1, 6, NULL, NULL);
    idmap_add(&m, 6, 7, 7, NULL, NULL);
    struct seen s = {0};
    cr_assert_eq(idmap_resolve(&m, record_cycle, &s), 1);
    cr_assert_eq(s.n_cycles, 1);
    cr_assert_eq(s.len[0], 3);
    cr_assert_eq(s.keys[0][0], 1);
    cr_assert_eq(s.keys[0][1], 2);
    cr_assert_eq(s.keys[0][2], 3);
    for (uint32_t k = 0; k < 4; k++) {
        cr_assert_eq(idmap_lookup(&m, k), IDMAP_NONE, "key %u", k);
        cr_assert_eq(idmap_state_of(&m, k), IDMAP_CYCLE, "key %u", k);
    }
    cr_assert_eq(idmap_lookup(&m, 4), 5);
    cr_assert_eq(idmap_lookup(&m, 6), 7);
    idmap_release(&m);
}

Test(identity, a_two_row_cycle_starts_at_its_earlier_row_and_separate_cycles_are_each_reported)
{
    /* 0 → 1 (line 9), 1 → 0 (line 4): reported as [1, 0]. 2 → 3 (line 2), 3 → 2 (line 3):
     * reported as [2, 3]. */
    struct idmap m = IDMAP_INIT;
    idmap_add(&m, 0, 1, 9, NULL, NULL);
    idmap_add(&m, 1, 0, 4, NULL, NULL);
    idmap_add(&m, 2, 3, 2, NULL, NULL);
    idmap_add(&m, 3, 2, 3, NULL, NULL);
    struct seen s = {0};
    cr_assert_eq(idmap_resolve(&m, record_cycle, &s), 2);
    cr_assert_eq(s.n_cycles, 2);
    cr_assert_eq(s.len[0], 2);
    cr_assert_eq(s.keys[0][0], 1);
    cr_assert_eq(s.keys[0][1], 0);
    cr_assert_eq(s.len[1], 2);
    cr_assert_eq(s.keys[1][0], 2);
    cr_assert_eq(s.keys[1][1], 3);
    idmap_release(&m);
}

Test(identity, a_long_chain_resolves_without_recursion)
{
    /* 200,000 merges in a row, given last first: every id ends at the last one. */
    enum { N = 200000 };
    struct idmap m = IDMAP_INIT;
    for (uint32_t i = N; i-- > 0;)
        cr_assert_eq(idmap_add(&m, i, i + 1, (uint64_t)i + 2, NULL, NULL), IDMAP_ADD_NEW);
    cr_assert_eq(idmap_resolve(&m, NULL, NULL), 0);
    for (uint32_t i = 0; i < N; i++)
        if (idmap_lookup(&m, i) != N)
            cr_assert_fail("key %u maps to %u", i, idmap_lookup(&m, i));
    cr_assert_eq(idmap_lookup(&m, N), IDMAP_NONE);
    idmap_release(&m);
}
