/* test_datadriven.c — Markov removal effects and Shapley values against hand derivations, and
 * ChannelAttribution's PathData at full size. */
#include "datadriven.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define EPS        1e-12

static const char *letters[] = {"A", "B", "C", "D", "E", "F"};

/* Add a journey written as letters, "ABBA" = A > B > B > A (channel id = letter - 'A'). */
static void add(struct dd_paths *p, const char *journey, double conv, double value, double nulls)
{
    uint32_t steps[64];
    size_t n = strlen(journey);
    cr_assert(n <= N_ELEMS(steps));
    for (size_t i = 0; i < n; i++)
        steps[i] = (uint32_t)(journey[i] - 'A');
    dd_paths_add(p, steps, n, conv, value, nulls);
}

/* DESIGN §4's published example: A>B>A>B>B>A, A>B>B>A>A, A>A, one conversion each, no nulls. */
static void whitepaper(struct dd_paths *p)
{
    dd_paths_init(p, 2, letters);
    add(p, "ABABBA", 1, 0, 0);
    add(p, "ABBAA", 1, 0, 0);
    add(p, "AA", 1, 0, 0);
}

/* The order-2 example (derivations at the tests below):
 *   J1 A>B>C        1 conversion, 0 nulls, value 10
 *   J2 A>A>B>A>B>B>C 1 conversion, 1 null, value 10 (collapsed: A>B>A>B>C)
 *   J3 C            0 conversions, 2 nulls
 *   J4 D>C          2 conversions, 0 nulls, value 40 */
static void example4(struct dd_paths *p)
{
    dd_paths_init(p, 4, letters);
    add(p, "ABC", 1, 10, 0);
    add(p, "AABABBC", 1, 10, 1);
    add(p, "C", 0, 0, 2);
    add(p, "DC", 2, 40, 0);
}

static void run_ok(const struct dd_paths *p, int order, enum markov_horizon h,
                   enum markov_solver solver, struct markov_result *r)
{
    struct markov_opts o = MARKOV_OPTS_INIT;
    struct diag d = DIAG_INIT;
    o.order = order;
    o.horizon = h;
    o.solver = solver;
    int rc = markov_run_opts(p, &o, r, &d);
    cr_assert_eq(rc, 0, "markov_run_opts failed: %s", d.n ? d.v[0].message : "(no message)");
    cr_assert_eq(d.n, 0);
    diag_release(&d);
}

static const enum markov_solver solvers[] = {MARKOV_SOLVER_AUTO, MARKOV_SOLVER_DENSE,
                                             MARKOV_SOLVER_ITERATIVE};

/* ---------------------------------------------------------------------------------------------
 * Journeys
 */

Test(datadriven, adding_a_journey_collapses_consecutive_repeats)
{
    struct dd_paths p;
    dd_paths_init(&p, 3, letters);
    add(&p, "AABBBAC", 2, 5, 1);
    add(&p, "", 1, 1, 0);
    add(&p, "CC", 0, 0, 3);
    static const uint32_t want[] = {0, 1, 0, 2, 2};
    cr_assert_eq(p.n_paths, 3);
    cr_assert_eq(p.offsets[0], 0);
    cr_assert_eq(p.offsets[1], 4);
    cr_assert_eq(p.offsets[2], 4);
    cr_assert_eq(p.offsets[3], 5);
    for (size_t i = 0; i < N_ELEMS(want); i++)
        cr_assert_eq(p.steps[i], want[i], "step %zu", i);
    cr_assert_float_eq(p.conversions[0], 2, 0);
    cr_assert_float_eq(p.value[0], 5, 0);
    cr_assert_float_eq(p.nulls[2], 3, 0);
    cr_assert_eq(dd_paths_max_length(&p), 4);
    dd_paths_release(&p);
    dd_paths_release(NULL);
}

/* ---------------------------------------------------------------------------------------------
 * Markov: hand derivations
 */

/* Collapsed: A>B>A>B>A, A>B>A, A. Counts start->A 3, A->B 3, B->A 3, A->conversion 3, so from A
 * B or conversion with 1/2 each and B -> A. x_A = 1/2 + x_B / 2, x_B = x_A: P = 1. Without A:
 * P = 0, removal effect 1. Without B: P = 1/2, removal effect 1/2. Shares 2/3, 1/3 of 3. */
Test(datadriven, markov_whitepaper_textbook_gives_a_2_and_b_1)
{
    struct dd_paths p;
    whitepaper(&p);
    for (size_t i = 0; i < N_ELEMS(solvers); i++) {
        struct markov_result r;
        run_ok(&p, 1, MARKOV_INFINITE, solvers[i], &r);
        cr_assert_float_eq(r.p_conversion, 1, EPS);
        cr_assert_float_eq(r.removal_effect[0], 1, EPS);
        cr_assert_float_eq(r.removal_effect[1], 0.5, EPS);
        cr_assert_float_eq(r.conversions[0], 2, EPS);
        cr_assert_float_eq(r.conversions[1], 1, EPS);
        cr_assert_float_eq(r.total_conversions, 3, 0);
        cr_assert_eq(r.n_states, 2);
        cr_assert_eq(r.horizon, 0);
        markov_result_release(&r);
    }
    dd_paths_release(&p);
}

/* The longest collapsed journey, A>B>A>B>A, has 5 states: the horizon is 5 + 1 = 6. Converting
 * walks are A (B A)^j with 2j + 1 states and probability (1/2)^(j+1); j = 0, 1, 2 fit:
 * P = 1/2 + 1/4 + 1/8 = 7/8. Without B: 1/2, removal effect 1 - (1/2)/(7/8) = 3/7. A: 1. Shares
 * 7/10, 3/10 of 3: 2.1 and 0.9. */
Test(datadriven, markov_whitepaper_finite_horizon_gives_b_three_sevenths)
{
    struct dd_paths p;
    whitepaper(&p);
    struct markov_result r;
    struct diag d = DIAG_INIT;
    cr_assert_eq(markov_run(&p, 1, MARKOV_OBSERVED, &r, &d), 0);
    cr_assert_eq(r.horizon, 6);
    cr_assert_float_eq(r.p_conversion, 7.0 / 8, EPS);
    cr_assert_float_eq(r.removal_effect[0], 1, EPS);
    cr_assert_float_eq(r.removal_effect[1], 3.0 / 7, EPS);
    cr_assert_float_eq(r.conversions[0], 2.1, EPS);
    cr_assert_float_eq(r.conversions[1], 0.9, EPS);
    markov_result_release(&r);
    diag_release(&d);
    dd_paths_release(&p);
}

/* The horizon counts states: with 1 only A -> conversion (1/2) fits and B's removal changes
 * nothing (effect 0, A gets all 3); with 3, P = 3/4 and B's effect is 1 - (1/2)/(3/4) = 1/3; with
 * 6 (the default, H + 1) the 7-state walk still does not fit: 7/8 and 3/7. */
Test(datadriven, markov_explicit_horizon_counts_transient_states)
{
    static const struct {
        uint32_t max_states;
        double p, re_b, conv_a;
    } cases[] = {
        {1, 0.5, 0, 3},
        {3, 0.75, 1.0 / 3, 3 * 0.75},
        {6, 7.0 / 8, 3.0 / 7, 2.1},
        {7, 15.0 / 16, 1 - 0.5 / (15.0 / 16), 3 * 15.0 / 22},
    };
    struct dd_paths p;
    whitepaper(&p);
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct markov_opts o = MARKOV_OPTS_INIT;
        struct markov_result r;
        struct diag d = DIAG_INIT;
        o.horizon = MARKOV_OBSERVED;
        o.max_states = cases[i].max_states;
        cr_assert_eq(markov_run_opts(&p, &o, &r, &d), 0);
        cr_assert_eq(r.horizon, cases[i].max_states);
        cr_assert_float_eq(r.p_conversion, cases[i].p, EPS, "case %zu", i);
        cr_assert_float_eq(r.removal_effect[1], cases[i].re_b, EPS, "case %zu", i);
        cr_assert_float_eq(r.conversions[0], cases[i].conv_a, EPS, "case %zu", i);
        markov_result_release(&r);
        diag_release(&d);
    }
    dd_paths_release(&p);
}

/* Where the horizon matters (src/datadriven.c's second worked example): A>B 1 conversion value
 * 10, B>A 1 null. The longest journey has H = 2 states, so the horizon is 3. From start A or B,
 * from A B or null, from B conversion or A, 1/2 each; converting walks end in B: B 1/4, A B 1/8,
 * B A B 1/16, A B A B 1/32, ...
 *   horizon 3: P = 7/16; without A only B -> conversion: 1/4, effect 1 - 4/7 = 3/7; without B:
 *   effect 1. Shares 3/10, 7/10: conversions 0.3, 0.7 and value 3, 7. The value removal effect
 *   equals the conversion one: B is the only state that converts (r_v(B) = 10/2 = 5 = 10 r(B)).
 *   horizon 2 (H itself): P = 3/8, A's effect 1 - (1/4)/(3/8) = 1/3, shares 1/4, 3/4.
 *   textbook: x_B = 1/2 + x_A/2, x_A = x_B/2: x_B = 2/3, x_A = 1/3, P = 1/2; without A 1/4,
 *   effect 1/2, shares 1/3, 2/3. */
Test(datadriven, markov_observed_horizon_is_the_longest_journey_plus_one)
{
    struct dd_paths p;
    dd_paths_init(&p, 2, letters);
    add(&p, "AB", 1, 10, 0);
    add(&p, "BA", 0, 0, 1);
    static const struct {
        enum markov_horizon h;
        uint32_t max_states, horizon;
        double p, re_a, conv_a;
    } cases[] = {
        {MARKOV_OBSERVED, 0, 3, 7.0 / 16, 3.0 / 7, 0.3},
        {MARKOV_OBSERVED, 2, 2, 3.0 / 8, 1.0 / 3, 0.25},
        {MARKOV_INFINITE, 0, 0, 0.5, 0.5, 1.0 / 3},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct markov_opts o = MARKOV_OPTS_INIT;
        struct markov_result r;
        struct diag d = DIAG_INIT;
        o.horizon = cases[i].h;
        o.max_states = cases[i].max_states;
        cr_assert_eq(markov_run_opts(&p, &o, &r, &d), 0);
        cr_assert_eq(r.horizon, cases[i].horizon, "case %zu", i);
        cr_assert_float_eq(r.p_conversion, cases[i].p, EPS, "case %zu", i);
        cr_assert_float_eq(r.removal_effect[0], cases[i].re_a, EPS, "case %zu", i);
        cr_assert_float_eq(r.removal_effect[1], 1, EPS, "case %zu", i);
        cr_assert_float_eq(r.value_removal_effect[0], cases[i].re_a, EPS, "case %zu", i);
        cr_assert_float_eq(r.conversions[0], cases[i].conv_a, EPS, "case %zu", i);
        cr_assert_float_eq(r.conversions[1], 1 - cases[i].conv_a, EPS, "case %zu", i);
        cr_assert_float_eq(r.value[0], 10 * cases[i].conv_a, 1e-11, "case %zu", i);
        markov_result_release(&r);
        diag_release(&d);
    }
    dd_paths_release(&p);
}

/* A journey with neither conversions nor nulls adds no state, but ChannelAttribution counts it
 * in max_npassi with two more than its states. With A>B>A (3 states, weight 0) beside the journeys
 * above the horizon is 3 + 2 = 5: P = 1/4 + 1/8 + 1/16 + 1/32 + 1/64 = 31/64, A's effect
 * 1 - (16/64)/(31/64) = 15/31, shares 15/46 and 31/46 of 1 conversion. (ChannelAttribution on
 * these three journeys: max_npassi 5, A 0.326, A's removal effect 0.484.) */
Test(datadriven, markov_observed_horizon_counts_a_weightless_journey_as_channelattribution_does)
{
    struct dd_paths p;
    dd_paths_init(&p, 2, letters);
    add(&p, "AB", 1, 10, 0);
    add(&p, "BA", 0, 0, 1);
    add(&p, "ABA", 0, 0, 0);
    struct markov_result r;
    run_ok(&p, 1, MARKOV_OBSERVED, MARKOV_SOLVER_AUTO, &r);
    cr_assert_eq(r.horizon, 5);
    cr_assert_eq(r.n_states, 2);
    cr_assert_float_eq(r.p_conversion, 31.0 / 64, EPS);
    cr_assert_float_eq(r.removal_effect[0], 15.0 / 31, EPS);
    cr_assert_float_eq(r.conversions[0], 15.0 / 46, EPS);
    cr_assert_float_eq(r.conversions[1], 31.0 / 46, EPS);
    markov_result_release(&r);
    dd_paths_release(&p);
}

/* Order 2: the horizon counts k-gram states, not channels (tests/e2e/cases/
 * attribute_horizon_order2 has the same journeys). A>B 1 conversion (the single state (A,B)),
 * B>C>A>C 1 conversion ((B,C)(C,A)(A,C)), B>A>B>C 1 null ((B,A)(A,B)(B,C)): at most 3 states, so
 * the horizon is 4 (4 channels + 1 would be 5). start: (A,B), (B,C), (B,A) 1/3 each; (A,B):
 * conversion or (B,C), 1/2 each; (B,C): (C,A) or null, 1/2 each; (C,A) -> (A,C) -> conversion;
 * (B,A) -> (A,B). The chain has no cycle; its converting walks:
 *   (A,B)                       1 state   1/3·1/2     = 1/6
 *   (B,A)(A,B)                  2 states  1/3·1·1/2   = 1/6
 *   (B,C)(C,A)(A,C)             3 states  1/3·1/2·1·1 = 1/6
 *   (A,B)(B,C)(C,A)(A,C)        4 states  1/3·1/2·1/2 = 1/12
 *   (B,A)(A,B)(B,C)(C,A)(A,C)   5 states                1/12
 * Horizon 4: P = 7/12. Removing A or B removes every converting walk: effect 1. Removing C
 * leaves the first two: 1/3, effect 1 - (1/3)/(7/12) = 3/7. Sum 17/7: shares 7/17, 7/17, 3/17 of
 * 2 conversions and 20 of value. Horizon 3: P = 1/2, C's effect 1/3; horizon 5 (and textbook):
 * P = 2/3, C's effect 1/2. */
Test(datadriven, markov_order2_horizon_counts_kgram_states)
{
    struct dd_paths p;
    dd_paths_init(&p, 3, letters);
    add(&p, "AB", 1, 10, 0);
    add(&p, "BCAC", 1, 10, 0);
    add(&p, "BABC", 0, 0, 1);
    static const struct {
        enum markov_horizon h;
        uint32_t max_states, horizon;
        double p, re_c;
    } cases[] = {
        {MARKOV_OBSERVED, 0, 4, 7.0 / 12, 3.0 / 7},
        {MARKOV_OBSERVED, 3, 3, 0.5, 1.0 / 3},
        {MARKOV_OBSERVED, 5, 5, 2.0 / 3, 0.5},
        {MARKOV_INFINITE, 0, 0, 2.0 / 3, 0.5},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct markov_opts o = MARKOV_OPTS_INIT;
        struct markov_result r;
        struct diag d = DIAG_INIT;
        o.order = 2;
        o.horizon = cases[i].h;
        o.max_states = cases[i].max_states;
        cr_assert_eq(markov_run_opts(&p, &o, &r, &d), 0);
        cr_assert_eq(r.n_states, 5);
        cr_assert_eq(r.horizon, cases[i].horizon, "case %zu", i);
        cr_assert_float_eq(r.p_conversion, cases[i].p, EPS, "case %zu", i);
        cr_assert_float_eq(r.removal_effect[0], 1, EPS, "case %zu", i);
        cr_assert_float_eq(r.removal_effect[1], 1, EPS, "case %zu", i);
        cr_assert_float_eq(r.removal_effect[2], cases[i].re_c, EPS, "case %zu", i);
        double sum = 2 + cases[i].re_c;
        cr_assert_float_eq(r.conversions[2], 2 * cases[i].re_c / sum, EPS, "case %zu", i);
        cr_assert_float_eq(r.value[0], 20 / sum, 1e-11, "case %zu", i);
        markov_result_release(&r);
        diag_release(&d);
    }
    /* The default's shares by hand: 7/17, 7/17, 3/17 of 2 conversions. */
    struct markov_result r;
    run_ok(&p, 2, MARKOV_OBSERVED, MARKOV_SOLVER_AUTO, &r);
    cr_assert_float_eq(r.conversions[0], 14.0 / 17, EPS);
    cr_assert_float_eq(r.conversions[1], 14.0 / 17, EPS);
    cr_assert_float_eq(r.conversions[2], 6.0 / 17, EPS);
    cr_assert_float_eq(r.value[2], 60.0 / 17, 1e-11);
    markov_result_release(&r);
    dd_paths_release(&p);
}

/* Order 1 on example4. Counts: start->A 3, start->C 2, start->D 2 (of 7); A->B 1 + 2·2 = 5;
 * B->C 1 + 2 = 3, B->A 2 (of 5); C->conversion 1 + 1 + 2 = 4, C->null 1 + 2 = 3 (of 7); D->C 2.
 * x_C = 4/7, x_B = 3/5 x_C + 2/5 x_A with x_A = x_B, so x_A = x_B = 4/7; x_D = 4/7; P = 4/7.
 *   without A: x_B = 3/5·4/7 = 12/35, start->A is lost: P = (2/7 + 2/7)·4/7 = 16/49, 1 - 4/7 = 3/7
 *   without B: A leads to null, the same: 3/7
 *   without C: nothing converts: 1
 *   without D: P = (3/7 + 2/7)·4/7 = 20/49, 1 - 5/7 = 2/7
 * Sum 15/7: shares 3/15, 3/15, 7/15, 2/15 of 4 conversions and of 60 value. */
Test(datadriven, markov_order1_example_matches_hand_solution)
{
    struct dd_paths p;
    example4(&p);
    static const double re[] = {3.0 / 7, 3.0 / 7, 1, 2.0 / 7};
    static const double share[] = {3.0 / 15, 3.0 / 15, 7.0 / 15, 2.0 / 15};
    for (size_t s = 0; s < N_ELEMS(solvers); s++) {
        struct markov_result r;
        run_ok(&p, 1, MARKOV_INFINITE, solvers[s], &r);
        cr_assert_float_eq(r.p_conversion, 4.0 / 7, EPS);
        cr_assert_eq(r.n_states, 4);
        for (size_t c = 0; c < 4; c++) {
            cr_assert_float_eq(r.removal_effect[c], re[c], EPS, "channel %zu", c);
            cr_assert_float_eq(r.conversions[c], 4 * share[c], EPS, "channel %zu", c);
            cr_assert_float_eq(r.value[c], 60 * share[c], 1e-11, "channel %zu", c);
        }
        markov_result_release(&r);
    }
    dd_paths_release(&p);
}

/* Order 2 on example4. States (A,B), (B,A), (B,C) from J1 and J2, the short journey C as the
 * 1-tuple (C), and (D,C). Counts: start->(A,B) 1 + 2 = 3, start->(C) 2, start->(D,C) 2 (of 7);
 * (A,B)->(B,C) 1 + 2 = 3, (A,B)->(B,A) 2 (of 5); (B,A)->(A,B) 2; (B,C)->conversion 2, ->null 1;
 * (C)->null 2; (D,C)->conversion 2.
 *   x_BC = 2/3, x_AB = 3/5·2/3 + 2/5 x_BA with x_BA = x_AB: x_AB = 2/3; x_C = 0; x_DC = 1.
 *   P = 3/7·2/3 + 2/7·1 = 4/7.
 *   without A ((A,B), (B,A) gone): P = 2/7, effect 1/2; without B (also (B,C)): 2/7, 1/2;
 *   without C ((B,C), (C), (D,C)): 0, effect 1; without D: 3/7·2/3 = 2/7, effect 1/2.
 * Unlike order 1, D's effect equals A's: (B,C) remembers that it did not come from D.
 * Sum 5/2: shares 1/5, 1/5, 2/5, 1/5 of 4 conversions (0.8, 0.8, 1.6, 0.8) and of 60 value. */
Test(datadriven, markov_order2_example_matches_hand_solution)
{
    struct dd_paths p;
    example4(&p);
    static const double re[] = {0.5, 0.5, 1, 0.5};
    static const double conv[] = {0.8, 0.8, 1.6, 0.8};
    static const double value[] = {12, 12, 24, 12};
    for (size_t s = 0; s < N_ELEMS(solvers); s++) {
        struct markov_result r;
        run_ok(&p, 2, MARKOV_INFINITE, solvers[s], &r);
        cr_assert_float_eq(r.p_conversion, 4.0 / 7, EPS);
        cr_assert_eq(r.n_states, 5);
        for (size_t c = 0; c < 4; c++) {
            cr_assert_float_eq(r.removal_effect[c], re[c], EPS, "channel %zu", c);
            cr_assert_float_eq(r.conversions[c], conv[c], EPS, "channel %zu", c);
            cr_assert_float_eq(r.value[c], value[c], 1e-11, "channel %zu", c);
        }
        markov_result_release(&r);
    }
    dd_paths_release(&p);
}

/* Order 2, finite horizon: the longest state sequence is J2's (A,B)(B,A)(A,B)(B,C), H = 4, so
 * the horizon is 5 (J2's 5 collapsed channels would make it 6). Converting walks within 5 states
 * (none has 3 or 5):
 *   (D,C)                      1 state   2/7
 *   (A,B)(B,C)                 2 states  3/7·3/5·2/3 = 6/35
 *   (A,B)(B,A)(A,B)(B,C)       4 states  3/7·2/5·3/5·2/3 = 12/175
 * P_H = 50/175 + 30/175 + 12/175 = 92/175. Without A or B: 50/175, effect 42/92 = 21/46; without
 * C: 0, effect 1; without D: 42/175, effect 50/92 = 25/46. Sum 113/46: shares 21, 21, 46, 25 of
 * 113, times 4 conversions. */
Test(datadriven, markov_order2_finite_horizon_matches_hand_solution)
{
    struct dd_paths p;
    example4(&p);
    struct markov_result r;
    run_ok(&p, 2, MARKOV_OBSERVED, MARKOV_SOLVER_AUTO, &r);
    static const double re[] = {21.0 / 46, 21.0 / 46, 1, 25.0 / 46};
    static const double share[] = {21.0 / 113, 21.0 / 113, 46.0 / 113, 25.0 / 113};
    cr_assert_eq(r.horizon, 5);
    cr_assert_float_eq(r.p_conversion, 92.0 / 175, EPS);
    for (size_t c = 0; c < 4; c++) {
        cr_assert_float_eq(r.removal_effect[c], re[c], EPS, "channel %zu", c);
        cr_assert_float_eq(r.conversions[c], 4 * share[c], EPS, "channel %zu", c);
    }
    markov_result_release(&r);
    dd_paths_release(&p);
}

/* Order 3 on example4: J1 (3 channels) is the single state (A,B,C); J2 is (A,B,A)(B,A,B)(A,B,C);
 * J3 is (C) and J4 the short (D,C). start: (A,B,C) 1, (A,B,A) 2, (C) 2, (D,C) 2 (of 7);
 * (A,B,C): conversion 2, null 1. P = 1/7·2/3 + 2/7·2/3 + 2/7 = 4/7; the chain has no cycle, so
 * the horizon H + 1 = 4 loses nothing. Without A, B or D: 2/7 (effect 1/2); without C: 0 (1). */
Test(datadriven, markov_order3_keeps_short_journeys_as_their_own_states)
{
    struct dd_paths p;
    example4(&p);
    static const enum markov_horizon hs[] = {MARKOV_INFINITE, MARKOV_OBSERVED};
    static const double re[] = {0.5, 0.5, 1, 0.5};
    for (size_t h = 0; h < N_ELEMS(hs); h++) {
        struct markov_result r;
        run_ok(&p, 3, hs[h], MARKOV_SOLVER_AUTO, &r);
        cr_assert_eq(r.n_states, 5);
        cr_assert_eq(r.horizon, hs[h] == MARKOV_OBSERVED ? 4u : 0u);
        cr_assert_float_eq(r.p_conversion, 4.0 / 7, EPS);
        for (size_t c = 0; c < 4; c++)
            cr_assert_float_eq(r.removal_effect[c], re[c], EPS, "channel %zu", c);
        markov_result_release(&r);
    }
    dd_paths_release(&p);
}

/* Value removal effects, order 2 on example4. r_v(s) = value of journeys ending in s / outgoing
 * count: (B,C) 20/3, (D,C) 40/2 = 20, (C) 0. x_v(B,C) = 20/3, x_v(A,B) = 3/5·20/3 + 2/5 x_v(A,B)
 * = 20/3. E = 3/7·20/3 + 2/7·20 = 60/7. Without A or B: 40/7, effect 1/3; without C: 1; without
 * D: 20/7, effect 2/3. Order 1: r_v(C) = 60/7, x_v = 60/7 everywhere reachable, the same ratios
 * as for conversions: 3/7, 3/7, 1, 2/7. */
Test(datadriven, markov_value_removal_effect_matches_hand_solution)
{
    struct dd_paths p;
    example4(&p);
    static const double re2[] = {1.0 / 3, 1.0 / 3, 1, 2.0 / 3};
    static const double re1[] = {3.0 / 7, 3.0 / 7, 1, 2.0 / 7};
    for (size_t s = 0; s < N_ELEMS(solvers); s++) {
        struct markov_result r;
        run_ok(&p, 2, MARKOV_INFINITE, solvers[s], &r);
        for (size_t c = 0; c < 4; c++)
            cr_assert_float_eq(r.value_removal_effect[c], re2[c], EPS, "channel %zu", c);
        markov_result_release(&r);
        run_ok(&p, 1, MARKOV_INFINITE, solvers[s], &r);
        for (size_t c = 0; c < 4; c++)
            cr_assert_float_eq(r.value_removal_effect[c], re1[c], EPS, "channel %zu", c);
        markov_result_release(&r);
    }
    dd_paths_release(&p);
}

Test(datadriven, markov_ignores_empty_journeys_and_credits_absent_channels_nothing)
{
    struct dd_paths p;
    dd_paths_init(&p, 6, letters); /* E and F never occur */
    add(&p, "ABABBA", 1, 0, 0);
    add(&p, "ABBAA", 1, 0, 0);
    add(&p, "AA", 1, 0, 0);
    add(&p, "", 5, 50, 5);  /* no touch: not in the chain, not in the totals */
    add(&p, "CD", 0, 0, 0); /* weight 0: adds no state */
    struct markov_result r;
    run_ok(&p, 1, MARKOV_INFINITE, MARKOV_SOLVER_AUTO, &r);
    cr_assert_float_eq(r.total_conversions, 3, 0);
    cr_assert_float_eq(r.total_value, 0, 0);
    cr_assert_eq(r.n_states, 2);
    cr_assert_float_eq(r.conversions[0], 2, EPS);
    cr_assert_float_eq(r.conversions[1], 1, EPS);
    for (size_t c = 2; c < 6; c++) {
        cr_assert_float_eq(r.removal_effect[c], 0, 0);
        cr_assert_float_eq(r.conversions[c], 0, 0);
    }
    markov_result_release(&r);
    dd_paths_release(&p);
}

Test(datadriven, markov_rejects_bad_orders_and_journeys_without_conversions)
{
    struct dd_paths p;
    whitepaper(&p);
    static const int bad[] = {0, 5, -1};
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        struct markov_result r;
        struct diag d = DIAG_INIT;
        cr_assert_eq(markov_run(&p, bad[i], MARKOV_INFINITE, &r, &d), -1);
        cr_assert_eq(d.n_errors, 1);
        cr_assert(strstr(d.v[0].message, "order") != NULL, "%s", d.v[0].message);
        markov_result_release(&r);
        diag_release(&d);
    }
    dd_paths_release(&p);

    dd_paths_init(&p, 2, letters);
    add(&p, "AB", 0, 0, 4);
    add(&p, "", 3, 0, 0);
    struct markov_result r;
    struct diag d = DIAG_INIT;
    cr_assert_eq(markov_run(&p, 1, MARKOV_OBSERVED, &r, &d), -1);
    cr_assert_eq(d.n_errors, 1);
    cr_assert(strstr(d.v[0].message, "no conversions") != NULL, "%s", d.v[0].message);
    markov_result_release(&r);
    diag_release(&d);
    dd_paths_release(&p);
}

/* ---------------------------------------------------------------------------------------------
 * Shapley
 */

/* Journeys (collapsed): A>B 2 conv value 30; B>C>B 1 conv value 12; A>B>C 3 conv value 60;
 * C 1 conv value 5; A 0 conv (4 nulls). R({A,B}) = 2, R({B,C}) = 1, R({A,B,C}) = 3, R({C}) = 1.
 * v(S) = conversions of journeys whose channel set is a subset of S:
 *   v() = v(A) = v(B) = 0, v(C) = 1, v(AB) = 2, v(AC) = 1, v(BC) = 2, v(ABC) = 7.
 * Full formula, weights |S|!(3 - |S| - 1)!/3! = 1/3, 1/6, 1/3 for |S| = 0, 1, 2:
 *   φ_A = 1/3·0 + 1/6·(v(AB)-v(B)) + 1/6·(v(AC)-v(C)) + 1/3·(v(ABC)-v(BC)) = 2/6 + 0 + 5/3 = 2
 *   φ_B = 1/3·0 + 1/6·(2 - 0) + 1/6·(2 - 1) + 1/3·(7 - 1) = 1/3 + 1/6 + 2 = 5/2
 *   φ_C = 1/3·1 + 1/6·(1 - 0) + 1/6·(2 - 0) + 1/3·(7 - 2) = 1/3 + 1/6 + 1/3 + 5/3 = 5/2
 * Simplified: A = 2/2 + 3/3 = 2; B = 2/2 + 1/2 + 3/3 = 5/2; C = 1/2 + 3/3 + 1 = 5/2. Equal.
 * Value, the same game over value: A = 30/2 + 60/3 = 35, B = 15 + 6 + 20 = 41, C = 6 + 20 + 5 =
 * 31 (sum 107 = 30 + 12 + 60 + 5). */
static void shapley_example(struct dd_paths *p)
{
    dd_paths_init(p, 3, letters);
    add(p, "AB", 2, 30, 0);
    add(p, "BCB", 1, 12, 0);
    add(p, "ABC", 3, 60, 1);
    add(p, "C", 1, 5, 2);
    add(p, "A", 0, 0, 4);
}

Test(datadriven, shapley_simplified_equals_the_full_formula_by_hand)
{
    struct dd_paths p;
    shapley_example(&p);
    double conv[3], value[3];
    cr_assert_eq(shapley_simplified(&p, conv, value), 0);
    static const double want_conv[] = {2, 2.5, 2.5}, want_value[] = {35, 41, 31};
    for (size_t c = 0; c < 3; c++) {
        cr_assert_float_eq(conv[c], want_conv[c], EPS, "channel %zu", c);
        cr_assert_float_eq(value[c], want_value[c], EPS, "channel %zu", c);
    }
    dd_paths_release(&p);
}

/* The full Shapley formula over all coalitions, with v(S) = conversions of the journeys whose
 * channel set is a subset of S; compared with shapley_simplified on generated journeys. */
static double coalition_value(const struct dd_paths *p, unsigned set)
{
    double v = 0;
    for (size_t i = 0; i < p->n_paths; i++) {
        unsigned mask = 0;
        for (uint32_t k = p->offsets[i]; k < p->offsets[i + 1]; k++)
            mask |= 1u << p->steps[k];
        if (mask && (mask & ~set) == 0)
            v += p->conversions[i];
    }
    return v;
}

Test(datadriven, shapley_simplified_equals_brute_force_shapley_on_generated_journeys)
{
    enum { NC = 5 };
    struct dd_paths p;
    dd_paths_init(&p, NC, letters);
    uint64_t x = 88172645463325252u; /* xorshift64: a fixed, repeatable sequence */
    for (int i = 0; i < 60; i++) {
        uint32_t steps[8];
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = 1 + (size_t)(x % 6);
        for (size_t k = 0; k < n; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            steps[k] = (uint32_t)(x % NC);
        }
        dd_paths_add(&p, steps, n, (double)(x % 4), 0, 1);
    }
    double fact[NC + 1] = {1};
    for (int k = 1; k <= NC; k++)
        fact[k] = fact[k - 1] * k;
    double conv[NC], value[NC];
    cr_assert_eq(shapley_simplified(&p, conv, value), 0);
    for (unsigned j = 0; j < NC; j++) {
        double phi = 0;
        for (unsigned s = 0; s < (1u << NC); s++) {
            if (s & (1u << j))
                continue;
            int size = __builtin_popcount(s);
            double weight = fact[size] * fact[NC - size - 1] / fact[NC];
            phi += weight * (coalition_value(&p, s | (1u << j)) - coalition_value(&p, s));
        }
        cr_assert_float_eq(conv[j], phi, 1e-9, "channel %u: %.17g vs %.17g", j, conv[j], phi);
    }
    dd_paths_release(&p);
}

/* Ordered: each journey's per-channel share conv/|T| is split over the positions of the channel.
 *   A>B (2):   A@1 1, B@2 1
 *   B>C>B (1): |T| = 2, B occurs twice: B@1 1/4, B@3 1/4; C@2 1/2
 *   A>B>C (3): A@1 1, B@2 1, C@3 1
 *   C (1):     C@1 1
 * A = [2, 0, 0], B = [1/4, 2, 1/4], C = [1, 1/2, 1]; rows sum to the simplified 2, 5/2, 5/2.
 * Value: A@1 15 + 20; B@1 3, B@2 15 + 20, B@3 3; C@1 5, C@2 6, C@3 20. */
Test(datadriven, shapley_ordered_splits_each_channel_over_its_positions)
{
    struct dd_paths p;
    shapley_example(&p);
    cr_assert_eq(dd_paths_max_length(&p), 3);
    double conv[9], value[9];
    cr_assert_eq(shapley_ordered_positions(&p, 3, conv, value), 0);
    static const double want_conv[] = {2, 0, 0, 0.25, 2, 0.25, 1, 0.5, 1};
    static const double want_value[] = {35, 0, 0, 3, 35, 3, 5, 6, 20};
    for (size_t i = 0; i < 9; i++) {
        cr_assert_float_eq(conv[i], want_conv[i], EPS, "cell %zu", i);
        cr_assert_float_eq(value[i], want_value[i], EPS, "cell %zu", i);
    }
    double tot[3], totv[3];
    cr_assert_eq(shapley_ordered(&p, tot, totv), 0);
    cr_assert_float_eq(tot[0], 2, EPS);
    cr_assert_float_eq(tot[1], 2.5, EPS);
    cr_assert_float_eq(tot[2], 2.5, EPS);
    cr_assert_float_eq(totv[1], 41, EPS);
    /* Too few positions for the longest journey. */
    cr_assert_eq(shapley_ordered_positions(&p, 2, conv, value), -1);
    dd_paths_release(&p);
}

Test(datadriven, shapley_fails_without_conversions)
{
    struct dd_paths p;
    dd_paths_init(&p, 2, letters);
    add(&p, "AB", 0, 0, 3);
    add(&p, "", 2, 10, 0);
    double conv[2] = {9, 9}, value[2] = {9, 9}, pos[4];
    cr_assert_eq(shapley_simplified(&p, conv, value), -1);
    cr_assert_float_eq(conv[0], 0, 0);
    cr_assert_float_eq(value[1], 0, 0);
    cr_assert_eq(shapley_ordered(&p, conv, value), -1);
    cr_assert_eq(shapley_ordered_positions(&p, 2, pos, pos), -1);
    dd_paths_release(&p);
}

/* ---------------------------------------------------------------------------------------------
 * PathData.csv (ChannelAttribution's example data): "path",conv,value,null per line, the path
 * quoted once and holding no quote or comma (checked here), channels joined by " > ".
 */

/* In the repository beside its source and licence notice (GPL-3); the tests run from the root. */
#define PATHDATA "tests/data/pathdata/PathData.csv"

struct pathdata {
    struct dd_paths p;
    char *names[64];
    const char *cnames[64]; /* the same, as dd_paths takes them */
    uint32_t n_names;
};

static uint32_t intern(struct pathdata *pd, const char *s, size_t n)
{
    for (uint32_t i = 0; i < pd->n_names; i++)
        if (strlen(pd->names[i]) == n && !memcmp(pd->names[i], s, n))
            return i;
    cr_assert(pd->n_names < N_ELEMS(pd->names));
    char *copy = malloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = 0;
    pd->names[pd->n_names] = copy;
    pd->cnames[pd->n_names] = copy;
    return pd->n_names++;
}

static double field(const char **s, char end)
{
    char *e;
    double v = strtod(*s, &e);
    cr_assert(e != *s && *e == end, "bad number in '%s'", *s);
    *s = e + (end ? 1 : 0);
    return v;
}

/* Load PathData.csv; a file that cannot be opened fails the test (never a skip). */
static void pathdata_load(struct pathdata *pd)
{
    FILE *fp = fopen(PATHDATA, "r");
    cr_assert_not_null(fp, "cannot open %s (%s): run the unit tests from the repository root",
                       PATHDATA, strerror(errno));
    memset(pd, 0, sizeof *pd);
    struct row {
        size_t first, n;
        double conv, value, nulls;
    } *rows = NULL;
    size_t n_rows = 0, cap_rows = 0, n_ids = 0, cap_ids = 0;
    uint32_t *ids = NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool header = true;
    while ((len = getline(&line, &cap, fp)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = 0;
        if (header) {
            cr_assert_str_eq(
                line, "\"path\",\"total_conversions\",\"total_conversion_value\",\"total_null\"");
            header = false;
            continue;
        }
        cr_assert_eq(line[0], '"', "unquoted path: %s", line);
        char *close = strchr(line + 1, '"');
        cr_assert(close && close[1] == ',' && !strchr(close + 1, '"'), "bad quoting: %s", line);
        for (const char *c = line + 1; c < close; c++)
            cr_assert(*c != ',', "comma inside a path: %s", line);
        if (n_rows == cap_rows) {
            cap_rows = cap_rows ? cap_rows * 2 : 1024;
            rows = realloc(rows, cap_rows * sizeof *rows);
        }
        struct row *r = &rows[n_rows++];
        r->first = n_ids;
        r->n = 0;
        const char *s = line + 1;
        while (s < close) {
            const char *gt = memchr(s, '>', (size_t)(close - s));
            const char *e = gt ? gt : close;
            const char *a = s, *b = e;
            while (a < b && *a == ' ')
                a++;
            while (b > a && b[-1] == ' ')
                b--;
            cr_assert(b > a, "empty channel: %s", line);
            if (n_ids == cap_ids) {
                cap_ids = cap_ids ? cap_ids * 2 : 4096;
                ids = realloc(ids, cap_ids * sizeof *ids);
            }
            ids[n_ids++] = intern(pd, a, (size_t)(b - a));
            r->n++;
            s = gt ? gt + 1 : close;
        }
        const char *f = close + 2;
        r->conv = field(&f, ',');
        r->value = field(&f, ',');
        r->nulls = field(&f, 0);
    }
    free(line);
    fclose(fp);
    dd_paths_init(&pd->p, pd->n_names, pd->cnames);
    for (size_t i = 0; i < n_rows; i++)
        dd_paths_add(&pd->p, ids + rows[i].first, rows[i].n, rows[i].conv, rows[i].value,
                     rows[i].nulls);
    free(rows);
    free(ids);
    cr_assert_eq(pd->p.n_paths, 10000);
    cr_assert_eq(pd->n_names, 12);
}

static void pathdata_release(struct pathdata *pd)
{
    dd_paths_release(&pd->p);
    for (uint32_t i = 0; i < pd->n_names; i++)
        free(pd->names[i]);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* Runs twice (bit-identical), checks the sums, returns the first result; prints the time. */
static void pathdata_run(const struct pathdata *pd, const struct markov_opts *o,
                         struct markov_result *r, const char *label)
{
    struct markov_result again;
    struct diag d = DIAG_INIT;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(markov_run_opts(&pd->p, o, r, &d), 0, "%s", d.n ? d.v[0].message : "");
    double secs = seconds_since(&t0);
    cr_assert_eq(markov_run_opts(&pd->p, o, &again, &d), 0);
    diag_release(&d);

    uint32_t nc = pd->p.n_channels;
    cr_assert_eq(memcmp(&r->p_conversion, &again.p_conversion, sizeof(double)), 0);
    cr_assert_eq(memcmp(r->removal_effect, again.removal_effect, nc * sizeof(double)), 0);
    cr_assert_eq(memcmp(r->conversions, again.conversions, nc * sizeof(double)), 0);
    cr_assert_eq(memcmp(r->value, again.value, nc * sizeof(double)), 0);
    cr_assert_eq(memcmp(r->value_removal_effect, again.value_removal_effect, nc * sizeof(double)),
                 0);
    markov_result_release(&again);

    double sc = 0, sv = 0;
    for (uint32_t c = 0; c < nc; c++) {
        cr_assert(r->removal_effect[c] > 0 && r->removal_effect[c] <= 1);
        sc += r->conversions[c];
        sv += r->value[c];
    }
    cr_assert_float_eq(r->total_conversions, 19785, 1e-9);
    /* In the chain estimated from the journeys every state's inflow equals its outflow, so the
     * expected visits from start are the observed counts over the starts, and the absorption
     * probability is Σ conversions / Σ (conversions + nulls), whatever the order. */
    if (o->horizon == MARKOV_INFINITE) {
        double conv = 0, starts = 0;
        for (size_t i = 0; i < pd->p.n_paths; i++) {
            conv += pd->p.conversions[i];
            starts += pd->p.conversions[i] + pd->p.nulls[i];
        }
        cr_assert_float_eq(r->p_conversion, conv / starts, 1e-12, "%.17g", r->p_conversion);
    }
    cr_assert_float_eq(sc, r->total_conversions, 1e-9 * r->total_conversions);
    cr_assert_float_eq(sv, r->total_value, 1e-9 * r->total_value);
    printf("pathdata %s: %u states, horizon %u, P(conversion) %.12f, %.3f ms\n", label, r->n_states,
           r->horizon, r->p_conversion, secs * 1e3);
}

static void pathdata_print(const struct pathdata *pd, const struct markov_result *r)
{
    printf("  %-8s %14s %14s %14s %14s\n", "channel", "removal_eff", "conversions", "value",
           "value_rem_eff");
    for (uint32_t c = 0; c < pd->p.n_channels; c++)
        printf("  %-8s %14.10f %14.6f %14.6f %14.10f\n", pd->names[c], r->removal_effect[c],
               r->conversions[c], r->value[c], r->value_removal_effect[c]);
}

Test(datadriven_pathdata, order1_both_horizons_sum_to_the_totals_and_repeat_exactly)
{
    struct pathdata pd;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pathdata_load(&pd);
    printf("pathdata: loaded %zu journeys, %u channels in %.3f ms; longest collapsed %zu\n",
           pd.p.n_paths, pd.p.n_channels, seconds_since(&t0) * 1e3, dd_paths_max_length(&pd.p));

    struct markov_opts o = MARKOV_OPTS_INIT;
    struct markov_result inf, obs, ca;
    pathdata_run(&pd, &o, &inf, "order 1 infinite");
    pathdata_print(&pd, &inf);
    o.horizon = MARKOV_OBSERVED;
    pathdata_run(&pd, &o, &obs, "order 1 observed");
    pathdata_print(&pd, &obs);
    /* Order 1: states are channels; every journey has conversions or nulls. */
    cr_assert_eq(obs.horizon, dd_paths_max_length(&pd.p) + 1);
    cr_assert(obs.p_conversion <= inf.p_conversion);
    /* One state fewer (the longest journey itself) converts less, never more. */
    o.max_states = obs.horizon - 1;
    pathdata_run(&pd, &o, &ca, "order 1 observed - 1 (the longest journey)");
    pathdata_print(&pd, &ca);
    cr_assert(ca.p_conversion < obs.p_conversion && obs.p_conversion <= inf.p_conversion);

    double sc[12], sv[12];
    cr_assert_eq(shapley_simplified(&pd.p, sc, sv), 0);
    printf("pathdata shapley simplified:\n");
    double tc = 0, tv = 0;
    for (uint32_t c = 0; c < pd.p.n_channels; c++) {
        printf("  %-8s %14.6f %14.6f\n", pd.names[c], sc[c], sv[c]);
        tc += sc[c];
        tv += sv[c];
    }
    cr_assert_float_eq(tc, inf.total_conversions, 1e-9 * tc);
    cr_assert_float_eq(tv, inf.total_value, 1e-9 * tv);

    markov_result_release(&inf);
    markov_result_release(&obs);
    markov_result_release(&ca);
    pathdata_release(&pd);
}

Test(datadriven_pathdata, dense_and_iterative_solvers_agree)
{
    struct pathdata pd;
    pathdata_load(&pd);
    for (int order = 1; order <= 3; order++) {
        struct markov_opts o = MARKOV_OPTS_INIT;
        struct markov_result a, b;
        char label[64];
        o.order = order;
        o.solver = MARKOV_SOLVER_DENSE;
        snprintf(label, sizeof label, "order %d dense", order);
        pathdata_run(&pd, &o, &a, label);
        o.solver = MARKOV_SOLVER_ITERATIVE;
        snprintf(label, sizeof label, "order %d iterative", order);
        pathdata_run(&pd, &o, &b, label);
        cr_assert_float_eq(a.p_conversion, b.p_conversion, 1e-13);
        for (uint32_t c = 0; c < pd.p.n_channels; c++) {
            cr_assert_float_eq(a.removal_effect[c], b.removal_effect[c], 1e-12, "channel %u", c);
            cr_assert_float_eq(a.value_removal_effect[c], b.value_removal_effect[c], 1e-12);
        }
        markov_result_release(&a);
        markov_result_release(&b);
    }
    pathdata_release(&pd);
}

Test(datadriven_pathdata, orders_2_to_4_sum_to_the_totals_and_repeat_exactly, .timeout = 600)
{
    struct pathdata pd;
    pathdata_load(&pd);
    for (int order = 2; order <= 4; order++) {
        static const enum markov_horizon hs[] = {MARKOV_INFINITE, MARKOV_OBSERVED};
        for (size_t h = 0; h < N_ELEMS(hs); h++) {
            struct markov_opts o = MARKOV_OPTS_INIT;
            struct markov_result r;
            char label[64];
            o.order = order;
            o.horizon = hs[h];
            snprintf(label, sizeof label, "order %d %s", order,
                     hs[h] == MARKOV_INFINITE ? "infinite" : "observed");
            pathdata_run(&pd, &o, &r, label);
            pathdata_print(&pd, &r);
            markov_result_release(&r);
        }
    }
    pathdata_release(&pd);
}
