/* test_draw.c — one payroll row's draw (payout_draw_step, payout.h; DESIGN §5 draws).
 *
 * Amounts are cents. Every expected value is worked by hand in the comment beside its row.
 */
#include "money.h"
#include "payout.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct decimal D(const char *s) {
    struct decimal d = {0, 0};
    cr_assert_eq(decimal_parse(s, strlen(s), &d), 0, "decimal_parse('%s')", s);
    return d;
}

struct draw_case {
    const char *what;
    int64_t payable, balance; /* before the draw */
    int64_t amount;
    bool applies, recoverable, recover, forgive;
    const char *share;
    int64_t cap;
    /* expected */
    int64_t paid, recovered, forgiven, payable_out, balance_out;
};

static const struct draw_case cases[] = {
    /* 3,000.00 guaranteed, 1,200.00 earned: pays 1,800.00 on top; balance 0 + 1,800.00 */
    {"a shortfall is paid and owed", 120000, 0, 300000, true, true, true, false, "1", -1, 180000, 0,
     0, 300000, 180000},
    /* 4,500.00 against 3,000.00, 1,800.00 owed: recovers min(1,800.00, 1 × 1,500.00) */
    {"recovery takes the payout above the draw", 450000, 180000, 300000, true, true, true, false,
     "1", -1, 0, 150000, 0, 300000, 30000},
    /* 5,000.00, 300.00 owed: min(300.00, 2,000.00) = 300.00 → pays 4,700.00 */
    {"recovery stops at the balance", 500000, 30000, 300000, true, true, true, false, "1", -1, 0,
     30000, 0, 470000, 0},
    /* non-recoverable: 500.00 earned of 2,000.00 → pays 2,000.00, nothing owed */
    {"a non-recoverable draw is never owed", 50000, 0, 200000, true, false, true, false, "1", -1,
     150000, 0, 0, 200000, 0},
    /* 4,000.00 above 2,000.00: 50% × 2,000.00 = 1,000.00, capped at 300.00 */
    {"the cap limits a period's recovery", 400000, 120000, 200000, true, true, true, false, "0.5",
     30000, 0, 30000, 0, 370000, 90000},
    /* 3,000.01 against 2,000.00: 50% × 1,000.01 = 500.005 → 500.01 (half away from zero);
     * pays 3,000.01 − 500.01 = 2,500.00; 1,000.00 − 500.01 = 499.99 owed */
    {"the share rounds once, half away from zero", 300001, 100000, 200000, true, true, true, false,
     "0.5", -1, 0, 50001, 0, 250000, 49999},
    /* past draw_recovery_until: nothing recovered, 900.00 forgiven, 5,000.00 paid whole */
    {"after the recovery window the balance is forgiven", 500000, 90000, 200000, true, true, false,
     true, "0.5", 30000, 0, 0, 90000, 500000, 0},
    /* no guarantee applies (draw_until passed): all of 1,000.00 is above, 100% recovers 1,000.00
     * of 2,500.00 owed → pays 0.00 */
    {"without a guarantee the whole payout recovers", 100000, 250000, 300000, false, true, true,
     false, "1", -1, 0, 100000, 0, 0, 150000},
    /* exactly the draw: nothing paid, nothing above to recover */
    {"a payout equal to the draw pays it and recovers nothing", 300000, 50000, 300000, true, true,
     true, false, "1", -1, 0, 0, 0, 300000, 50000},
    /* no draw and no balance: the row is untouched */
    {"no draw leaves the row alone", 123456, 0, 0, false, true, true, false, "1", -1, 0, 0, 0,
     123456, 0},
    /* a shortfall in the last row of a leaver forgiven at once (forgive_on_leave) */
    {"a leaver's balance is forgiven after the row", 0, 40000, 100000, true, true, true, true, "1",
     -1, 100000, 0, 140000, 100000, 0},
};

Test(draw, each_row_pays_recovers_and_carries_as_worked_by_hand)
{
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        const struct draw_case *k = &cases[i];
        struct payout_draw_terms t = {.amount = k->amount,
                                      .applies = k->applies,
                                      .recoverable = k->recoverable,
                                      .recover = k->recover,
                                      .forgive = k->forgive,
                                      .share = D(k->share),
                                      .cap = k->cap};
        struct payout_draw_step s;
        cr_assert_eq(payout_draw_step(k->payable, k->balance, &t, &s), 0, "%s", k->what);
        cr_assert_eq(s.paid, k->paid, "%s: paid %lld", k->what, (long long)s.paid);
        cr_assert_eq(s.recovered, k->recovered, "%s: recovered %lld", k->what,
                     (long long)s.recovered);
        cr_assert_eq(s.forgiven, k->forgiven, "%s: forgiven %lld", k->what, (long long)s.forgiven);
        cr_assert_eq(s.payable, k->payable_out, "%s: payable %lld", k->what, (long long)s.payable);
        cr_assert_eq(s.balance, k->balance_out, "%s: balance %lld", k->what, (long long)s.balance);
        /* the row's own arithmetic: payable = before + paid − recovered */
        cr_assert_eq(s.payable, k->payable + s.paid - s.recovered, "%s", k->what);
    }
}

Test(draw, a_balance_that_would_overflow_is_refused)
{
    struct payout_draw_terms t = {
        .amount = 100, .applies = true, .recoverable = true, .share = D("1"), .cap = -1};
    struct payout_draw_step s;
    cr_assert_eq(payout_draw_step(0, INT64_MAX, &t, &s), -1);
}
