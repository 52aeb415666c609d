/* test_spend.c — period spend of campaigns (DESIGN §7b), each expectation worked by hand.
 *
 * Day numbers: 2026-08-31 = 20696, 2026-09-01 = 20697, 2026-10-01 = 20727, 2026-10-31 = 20757,
 * 2026-11-01 = 20758, 2026-11-30 = 20787, 2026-12-10 = 20797, 2026-12-15 = 20802,
 * 2027-01-31 = 20849. October 2026 is 31 days.
 */
#include "spend.h"

#include <criterion/criterion.h>
#include <string.h>

#include "dataset.h"
#include "period.h"

#define D_08_31    20696
#define D_09_01    20697
#define D_10_01    20727
#define D_10_31    20757
#define D_11_01    20758
#define D_11_30    20787
#define D_12_10    20797
#define D_12_15    20802
#define D_27_01_31 20849

struct spend_case {
    const char *what;
    int64_t spend;      /* campaigns file, cents */
    int32_t start, end; /* DAY_NONE: empty */
    bool named;         /* named by the spend file */
    int64_t dated;      /* its rows in the period */
    int32_t as_of;
    enum spend_basis basis;
    int32_t days_in, days;
    int64_t want; /* cents */
};

static const struct spend_case cases[] = {
    /* 92 days Aug 31 - Nov 30, 31 in October: 1,000,001 × 31 / 92 = 336,956.86 -> 336,957 */
    {"ended campaign straddling the period", 1000001, D_08_31, D_11_30, false, 0, D_12_10,
     SPEND_SPREAD, 31, 92, 336957},
    /* no end, as of Dec 10: Sep 1 - Dec 10 = 101 days: 610,000 × 31 / 101 = 187,227.72 */
    {"running campaign without an end date", 610000, D_09_01, DAY_NONE, false, 0, D_12_10,
     SPEND_RUNNING, 31, 101, 187228},
    /* end after as-of: Oct 1 - Dec 10 = 71 days: 70,000 × 31 / 71 = 30,563.38 */
    {"running campaign ending after as-of", 70000, D_10_01, D_27_01_31, false, 0, D_12_10,
     SPEND_RUNNING, 31, 71, 30563},
    /* as of Oct 31 the whole spend to date is October's: Oct 1 - Oct 31 */
    {"running campaign that started with the period", 4711873, D_10_01, D_27_01_31, false, 0,
     D_10_31, SPEND_RUNNING, 31, 31, 4711873},
    /* two days, one in October: 101 / 2 = 50.5 -> 51 (half away from zero) */
    {"half a cent rounds away from zero", 101, D_10_31, D_11_01, false, 0, D_12_10, SPEND_SPREAD, 1,
     2, 51},
    {"a negative half rounds away from zero too", -101, D_10_31, D_11_01, false, 0, D_12_10,
     SPEND_SPREAD, 1, 2, -51},
    {"campaign entirely before the period", 50000, D_08_31, D_09_01, false, 0, D_12_10,
     SPEND_SPREAD, 0, 2, 0},
    {"campaign entirely after the period", 50000, D_11_01, D_11_30, false, 0, D_12_10, SPEND_SPREAD,
     0, 30, 0},
    {"campaign without a start date counts all its spend", 50000, DAY_NONE, D_11_30, false, 0,
     D_12_10, SPEND_NO_DATES, 0, 0, 50000},
    {"campaign that starts after as-of has spent nothing yet", 80000, D_12_15, DAY_NONE, false, 0,
     D_12_10, SPEND_NOT_STARTED, 0, 0, 0},
    /* the spend file replaces the spread (which would be 3,650,000 × 31 / 344) */
    {"spend file rows replace the spread", 3650000, D_10_01, D_11_30, true, 6075, D_12_10,
     SPEND_FILE, 0, 0, 6075},
    {"named by the spend file with no row in the period", 300000, D_10_01, D_10_31, true, 0,
     D_12_10, SPEND_FILE, 0, 0, 0},
};

Test(spend, each_campaign_gets_its_period_spend_by_the_rule_of_its_basis)
{
    struct period oct;
    cr_assert_eq(period_parse("2026-10", &oct), 0);
    cr_assert_eq(oct.first_day, D_10_01);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct spend_case *k = &cases[i];
        struct dataset ds;
        dataset_init(&ds);
        uint32_t ch = intern_add(&ds.channels, "email", 5, NULL);
        uint32_t c = intern_add(&ds.campaign_ids, "C1", 2, NULL);
        campaign_table_touch(&ds, c);
        struct campaign_table *t = &ds.campaigns;
        t->known[c] = true;
        t->channel[c] = ch;
        t->spend[c] = k->spend;
        t->start_day[c] = k->start;
        t->end_day[c] = k->end;
        t->spend_named[c] = k->named;
        t->spend_dated[c] = k->dated;
        struct period_spend ps;
        spend_compute(&ps, &ds, &oct, k->as_of);
        cr_assert_eq(ps.basis[c], k->basis, "%s: basis %d", k->what, ps.basis[c]);
        cr_assert_eq(ps.campaign[c], k->want, "%s: %lld cents", k->what, (long long)ps.campaign[c]);
        cr_assert_eq(ps.days_in[c], k->days_in, "%s: days in %d", k->what, ps.days_in[c]);
        cr_assert_eq(ps.days[c], k->days, "%s: days %d", k->what, ps.days[c]);
        cr_assert_eq(ps.channel[ch], k->want, "%s: channel", k->what);
        cr_assert_eq(ps.total, k->want, "%s: total", k->what);
        cr_assert_eq(ps.n_basis[k->basis], 1, "%s", k->what);
        spend_release(&ps);
        dataset_release(&ds);
    }
}

Test(spend, a_campaign_only_seen_in_touches_has_no_spend_and_channels_sum_their_campaigns)
{
    struct period oct;
    cr_assert_eq(period_parse("2026-10", &oct), 0);
    struct dataset ds;
    dataset_init(&ds);
    uint32_t email = intern_add(&ds.channels, "email", 5, NULL);
    uint32_t search = intern_add(&ds.channels, "search", 6, NULL);
    static const char *const ids[] = {"A", "B", "C", "X"};
    uint32_t c[4];
    for (int i = 0; i < 4; i++) {
        c[i] = intern_add(&ds.campaign_ids, ids[i], 1, NULL);
        campaign_table_touch(&ds, c[i]);
    }
    struct campaign_table *t = &ds.campaigns;
    /* A, B: email, no dates (all of 1.00 and 2.00); C: search, 3.00; X: only in touches */
    for (int i = 0; i < 3; i++) {
        t->known[c[i]] = true;
        t->spend[c[i]] = 100 * (i + 1);
        t->channel[c[i]] = i < 2 ? email : search;
    }
    t->channel[c[3]] = search;
    t->spend[c[3]] = 999; /* never read for an unknown campaign */
    struct period_spend ps;
    spend_compute(&ps, &ds, &oct, D_10_31);
    cr_assert_eq(ps.basis[c[3]], SPEND_UNKNOWN);
    cr_assert_eq(ps.campaign[c[3]], 0);
    cr_assert_eq(ps.channel[email], 300);
    cr_assert_eq(ps.channel[search], 300);
    cr_assert_eq(ps.total, 600);
    cr_assert_eq(ps.n_basis[SPEND_NO_DATES], 3);
    cr_assert_str_eq(spend_basis_text(SPEND_NO_DATES), "no start date: all spend counted");
    spend_release(&ps);
    dataset_release(&ds);
}
