/* test_incent.c — exact rationals and the pure incentive arithmetic (DESIGN §5, §7a "Curves and
 * versions", "Signs and splits"; issue 5 "Done when").
 *
 * Every expected value is worked by hand in the comment beside it. Amounts are cents (minor units)
 * unless a comment says dollars; rates are fractions (4% = 4/100). Tier tables are written as
 * struct tier (plan.h) and resolved with incent_resolve_tiers, as payout.c does.
 */
#include "incent.h"
#include "money.h"
#include "plan.h"
#include "rat.h"

#include "dataset.h" /* DAY_NONE */
#include "date.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------------------------ */

/* A decimal written as text ("4%", "0.05", "15000000"), through the same parser the INI uses. */
static struct decimal D(const char *s) {
    struct decimal d = {0, 0};
    cr_assert_eq(decimal_parse(s, strlen(s), &d), 0, "decimal_parse('%s')", s);
    return d;
}

static struct rat
R(int64_t n, int64_t d) {
    return rat_frac(n, d);
}

/* A 128-bit integer in decimal, for failure messages. */
static const char *
i128s(rat_int v, char *buf)
{
    char tmp[48];
    size_t k = 0;
    int neg = v < 0;
    /* work with negative values so the most negative one needs no special case */
    if (!neg)
        v = -v;
    do {
        int digit = (int)-(v % 10);
        tmp[k++] = (char)('0' + digit);
        v /= 10;
    } while (v != 0);
    size_t j = 0;
    if (neg)
        buf[j++] = '-';
    while (k > 0)
        buf[j++] = tmp[--k];
    buf[j] = 0;
    return buf;
}

/* Exact equality of two reduced rationals (same numerator and denominator), with an optional
 * printf-style note: assert_rat_eq(got, want) or assert_rat_eq(got, want, "fmt", args…). */
#define assert_rat_eq(...) rat_eq_at(__LINE__, __VA_ARGS__, NULL)

static void rat_eq_at(int line, struct rat got, struct rat want, const char *fmt, ...)
{
    char note[256] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(note, sizeof note, fmt, ap);
        va_end(ap);
    }
    char b1[48], b2[48], b3[48], b4[48];
    cr_assert(got.n == want.n && got.d == want.d, "line %d: got %s/%s, want %s/%s %s", line,
              i128s(got.n, b1), i128s(got.d, b2), i128s(want.n, b3), i128s(want.d, b4), note);
}

/* A tier on an amount (cents) or on a share of quota. */
static struct tier amount_tier(const char *lower_cents, const char *rate)
{
    return (struct tier){{false, D(lower_cents)}, D(rate)};
}

static struct tier pct_tier(const char *lower_pct, const char *rate)
{
    return (struct tier){{true, D(lower_pct)}, D(rate)};
}

/* Σ amount × rate over slices. */
static struct rat slices_sum(const struct slice *s, size_t n)
{
    struct rat sum = rat_int64(0);
    for (size_t i = 0; i < n; i++)
        sum = rat_add(sum, rat_mul(s[i].amount, s[i].rate));
    return sum;
}

struct want_slice {
    struct rat amount;
    struct rat rate;
    enum slice_kind kind;
    size_t tier; /* checked for SLICE_TIER and SLICE_CATCHUP only */
};

/* Compare the slices that carry an amount with a hand-written list (a slice of amount 0 explains
 * nothing; whether one is emitted is not part of the contract checked here). */
static void check_slices(const struct slice *got, size_t n_got, const struct want_slice *want,
                         size_t n_want, const char *what)
{
    size_t j = 0;
    for (size_t i = 0; i < n_got; i++) {
        if (rat_is_zero(got[i].amount))
            continue;
        cr_assert(j < n_want, "%s: more slices than the %zu expected", what, n_want);
        assert_rat_eq(got[i].amount, want[j].amount, "%s: slice %zu amount", what, j);
        assert_rat_eq(got[i].rate, want[j].rate, "%s: slice %zu rate", what, j);
        cr_assert_eq(got[i].kind, want[j].kind, "%s: slice %zu kind %d, want %d", what, j,
                     (int)got[i].kind, (int)want[j].kind);
        if (want[j].kind == SLICE_TIER || want[j].kind == SLICE_CATCHUP)
            cr_assert_eq(got[i].tier, want[j].tier, "%s: slice %zu tier %zu, want %zu", what, j,
                         got[i].tier, want[j].tier);
        j++;
    }
    cr_assert_eq(j, n_want, "%s: %zu slices, want %zu", what, j, n_want);
}

/* The tier table of issue 5: 0–150,000 at 4%, 150,000–250,000 at 6%, above at 8% (in cents:
 * 0, 15,000,000, 25,000,000). */
static void ae_table(struct tier_r out[3])
{
    const struct tier t[] = {
        amount_tier("0", "4%"),
        amount_tier("15000000", "6%"),
        amount_tier("25000000", "8%"),
    };
    incent_resolve_tiers(t, 3, rat_int64(0), out); /* amounts: the quota plays no part */
}

/* An interpolated table on amounts: (20,000.00, 2%), (100,000.00, 6%), (200,000.00, 10%). */
static void interp_table(struct tier_r out[3])
{
    const struct tier t[] = {
        amount_tier("2000000", "2%"),
        amount_tier("10000000", "6%"),
        amount_tier("20000000", "10%"),
    };
    incent_resolve_tiers(t, 3, rat_int64(0), out);
}

/* ---- rat ------------------------------------------------------------------------------------ */

Test(rat, construction_reduces_and_keeps_the_denominator_positive)
{
    assert_rat_eq(rat_frac(6, 4), R(3, 2), "6/4 = 3/2");
    cr_assert(rat_frac(6, 4).n == 3 && rat_frac(6, 4).d == 2);
    cr_assert(rat_frac(6, -4).n == -3 && rat_frac(6, -4).d == 2, "6/-4 = -3/2");
    cr_assert(rat_frac(-6, -4).n == 3 && rat_frac(-6, -4).d == 2, "-6/-4 = 3/2");
    cr_assert(rat_frac(0, -5).n == 0 && rat_frac(0, -5).d == 1, "0/-5 = 0/1");
    cr_assert(rat_int64(-7).n == -7 && rat_int64(-7).d == 1);
    /* rat_dec: 5% = {5, 2} = 5/100 = 1/20; 12.5% = {125, 3} = 125/1000 = 1/8; "0.050" = 50/1000 */
    struct rat five = rat_dec(D("5%"));
    cr_assert(five.n == 1 && five.d == 20);
    struct rat eighth = rat_dec(D("12.5%"));
    cr_assert(eighth.n == 1 && eighth.d == 8);
    struct rat f050 = rat_dec(D("0.050"));
    cr_assert(f050.n == 1 && f050.d == 20);
    struct rat minus = rat_dec(D("-3"));
    cr_assert(minus.n == -3 && minus.d == 1);
}

static const struct {
    char op; /* + - * / */
    int64_t an, ad, bn, bd;
    int64_t wn, wd; /* the reduced result */
} arith_cases[] = {
    {'+', 1, 6, 1, 3, 1, 2},       /* 1/6 + 2/6 = 3/6 = 1/2 */
    {'+', 1, 2, -1, 2, 0, 1},      /* 0, denominator 1 */
    {'+', 7, 10, 3, 100, 73, 100}, /* 70/100 + 3/100 */
    {'+', 1, 4, 1, 4, 1, 2},       /* 2/4 */
    {'-', 3, 4, 1, 4, 1, 2},       /* 2/4 */
    {'-', 1, 4, 3, 4, -1, 2},      /* -2/4 */
    {'-', 1, 3, 1, 3, 0, 1},
    {'-', -1, 6, 1, 10, -4, 15}, /* -5/30 - 3/30 = -8/30 */
    {'*', 2, 3, 9, 4, 3, 2},     /* 18/12 */
    {'*', -2, 3, 3, 4, -1, 2},   /* -6/12 */
    {'*', -2, 3, -3, 4, 1, 2},
    {'*', 0, 1, 5, 7, 0, 1},
    {'*', 2000010, 1, 5, 100, 200001, 2}, /* 2,000,010 × 5/100 = 10,000,050/100 = 100,000.5 */
    {'/', 1, 2, -3, 4, -2, 3},            /* 1/2 × -4/3 = -4/6 */
    {'/', -1, 2, -3, 4, 2, 3},
    {'/', 6, 1, 4, 1, 3, 2},
    {'/', 0, 1, -5, 1, 0, 1},
};

Test(rat, add_sub_mul_div_give_reduced_results)
{
    for (size_t i = 0; i < N_ELEMS(arith_cases); i++) {
        struct rat a = R(arith_cases[i].an, arith_cases[i].ad);
        struct rat b = R(arith_cases[i].bn, arith_cases[i].bd);
        struct rat got;
        switch (arith_cases[i].op) {
        case '+':
            got = rat_add(a, b);
            break;
        case '-':
            got = rat_sub(a, b);
            break;
        case '*':
            got = rat_mul(a, b);
            break;
        default:
            got = rat_div(a, b);
            break;
        }
        char b1[48], b2[48];
        cr_assert(got.n == arith_cases[i].wn && got.d == arith_cases[i].wd,
                  "case %zu (%" PRId64 "/%" PRId64 " %c %" PRId64 "/%" PRId64 "): %s/%s, want "
                  "%" PRId64 "/%" PRId64,
                  i, arith_cases[i].an, arith_cases[i].ad, arith_cases[i].op, arith_cases[i].bn,
                  arith_cases[i].bd, i128s(got.n, b1), i128s(got.d, b2), arith_cases[i].wn,
                  arith_cases[i].wd);
    }
    cr_assert(!rat_overflowed(), "no case above comes near 2^127");
}

Test(rat, neg_abs_sign_min_max)
{
    assert_rat_eq(rat_neg(R(3, 7)), R(-3, 7));
    assert_rat_eq(rat_abs(R(-3, 7)), R(3, 7));
    assert_rat_eq(rat_abs(R(3, 7)), R(3, 7));
    cr_assert_eq(rat_sign(R(-1, 1000000)), -1);
    cr_assert_eq(rat_sign(R(0, 3)), 0);
    cr_assert_eq(rat_sign(R(1, 1000000)), 1);
    cr_assert(rat_is_zero(rat_sub(R(1, 3), R(2, 6))));
    assert_rat_eq(rat_min(R(1, 3), R(1, 4)), R(1, 4));
    assert_rat_eq(rat_max(R(1, 3), R(1, 4)), R(1, 3));
    assert_rat_eq(rat_min(R(-1, 3), R(-1, 4)), R(-1, 3)); /* -0.333 < -0.25 */
}

static const struct {
    int64_t n, d;
    int64_t want;
} round_cases[] = {
    /* exactly half: away from zero */
    {1, 2, 1},
    {-1, 2, -1},
    {5, 2, 3},   /* 2.5 -> 3 */
    {-5, 2, -3}, /* -2.5 -> -3 */
    {7, 2, 4},   /* 3.5 -> 4, not to even */
    {-7, 2, -4},
    {200001, 2, 100001}, /* 100,000.5 cents -> 100,001 */
    {-200001, 2, -100001},
    /* just below and just above a half */
    {249, 100, 2},               /* 2.49 */
    {251, 100, 3},               /* 2.51 */
    {-249, 100, -2},             /* -2.49 */
    {-251, 100, -3},             /* -2.51 */
    {2499999999, 1000000000, 2}, /* 2.499999999 */
    {2500000001, 1000000000, 3}, /* 2.500000001 */
    {-2499999999, 1000000000, -2},
    {-2500000001, 1000000000, -3},
    /* thirds and integers */
    {1, 3, 0},
    {2, 3, 1},
    {-1, 3, 0},
    {-2, 3, -1},
    {0, 1, 0},
    {42, 1, 42},
    {-42, 1, -42},
    {14999999, 25, 600000}, /* 599,999.96 */
    {INT64_MAX, 1, INT64_MAX},
    {-INT64_MAX, 1, -INT64_MAX},
};

Test(rat, round_is_half_away_from_zero)
{
    for (size_t i = 0; i < N_ELEMS(round_cases); i++) {
        int64_t got = rat_round(R(round_cases[i].n, round_cases[i].d));
        cr_assert_eq(got, round_cases[i].want,
                     "round(%" PRId64 "/%" PRId64 ") = %" PRId64 ", want %" PRId64,
                     round_cases[i].n, round_cases[i].d, got, round_cases[i].want);
    }
    cr_assert(!rat_overflowed(), "every result above fits int64_t");
}

Test(rat, round_to_int64_min_fits)
{
    /* INT64_MIN = -9,223,372,036,854,775,808 is an int64_t: no overflow (rat.h: "Sets the overflow
     * flag if the result does not fit int64_t"). */
    (void)rat_overflowed();
    int64_t got = rat_round(rat_int64(INT64_MIN));
    cr_assert(!rat_overflowed(), "INT64_MIN fits int64_t but the overflow flag was set");
    cr_assert_eq(got, INT64_MIN, "got %" PRId64, got);
}

Test(rat, round_beyond_int64_sets_overflow)
{
    (void)rat_overflowed();
    /* INT64_MAX + 1/2 rounds away from zero to 2^63, one past INT64_MAX */
    (void)rat_round(rat_add(rat_int64(INT64_MAX), R(1, 2)));
    cr_assert(rat_overflowed());
    /* INT64_MAX + 1 = 2^63 */
    (void)rat_round(rat_add(rat_int64(INT64_MAX), rat_int64(1)));
    cr_assert(rat_overflowed());
    cr_assert(!rat_overflowed(), "reading the flag clears it");
}

static const struct {
    int64_t an, ad, bn, bd;
    int want;
} cmp_cases[] = {
    {1, 3, 333333, 1000000, 1}, /* 1/3 = 0.3333333… > 0.333333 */
    {333333, 1000000, 1, 3, -1},
    {2, 4, 1, 2, 0},
    {-1, 2, -1, 3, -1}, /* -0.5 < -0.333 */
    {-1, 3, -1, 2, 1},
    {0, 1, -1, 1000000, 1},
    {85000000, 31, 2741935, 1, 1},  /* 2,741,935.48… > 2,741,935 */
    {85000000, 31, 2741936, 1, -1}, /* 2,741,935.48… < 2,741,936 */
};

Test(rat, cmp_is_exact)
{
    for (size_t i = 0; i < N_ELEMS(cmp_cases); i++) {
        int got = rat_cmp(R(cmp_cases[i].an, cmp_cases[i].ad), R(cmp_cases[i].bn, cmp_cases[i].bd));
        int s = (got > 0) - (got < 0);
        cr_assert_eq(s, cmp_cases[i].want, "case %zu: %d", i, got);
    }
}

Test(rat, overflow_sets_a_flag_that_clears_when_read)
{
    (void)rat_overflowed();
    /* 2^50 × 2^50 = 2^100 fits in 127 bits */
    struct rat p50 = rat_int64(INT64_C(1) << 50);
    struct rat p100 = rat_mul(p50, p50);
    cr_assert(!rat_overflowed(), "2^100 fits");
    cr_assert(p100.n == ((rat_int)1 << 100) && p100.d == 1);
    /* 2^100 × 2^100 = 2^200 does not */
    (void)rat_mul(p100, p100);
    cr_assert(rat_overflowed(), "2^200 must set the flag");
    cr_assert(!rat_overflowed(), "the flag clears after it is read");
    /* 2^100 × 3 fits (about 2^101.6); the flag stays clear */
    (void)rat_mul(p100, rat_int64(3));
    cr_assert(!rat_overflowed());
    /* 2^126 + 2^126 = 2^127 = one past the largest 128-bit signed value */
    struct rat p126 = rat_mul(p100, rat_int64(INT64_C(1) << 26));
    cr_assert(!rat_overflowed(), "2^126 fits");
    (void)rat_add(p126, p126);
    cr_assert(rat_overflowed(), "2^127 must set the flag");
    cr_assert(!rat_overflowed());
    /* the flag is sticky: an overflow followed by fine operations still reports */
    (void)rat_mul(p100, p100);
    (void)rat_add(R(1, 2), R(1, 3));
    cr_assert(rat_overflowed(), "sticky until read");
}

Test(rat, overflow_in_a_denominator_sets_the_flag_instead_of_aborting)
{
    /* rat.h: "Overflow never wraps: an operation whose exact result does not fit sets a sticky
     * flag … the engine … reports an error instead of a wrong number". 1/2^100 × 1/2^100 =
     * 1/2^200: the denominator does not fit, which must be reported through the flag, not by
     * aborting the process. */
    (void)rat_overflowed();
    struct rat p50 = rat_int64(INT64_C(1) << 50);
    struct rat inv100 = rat_div(rat_int64(1), rat_mul(p50, p50));
    cr_assert(!rat_overflowed(), "1/2^100 fits");
    (void)rat_mul(inv100, inv100);
    cr_assert(rat_overflowed(), "1/2^200 must set the flag");
}

static const struct {
    int64_t n, d;
    int digits;
    const char *want;
} format_cases[] = {
    {1, 3, 4, "0.3333"},  {5, 12, 4, "0.4167"}, /* 0.41666… */
    {3, 4, 2, "0.75"},    {1, 2, 0, "1"},       /* half away from zero */
    {-1, 2, 0, "-1"},     {-1, 3, 0, "0"},      /* -0.33 rounds to 0, written without a sign */
    {-1, 1000, 2, "0"},                         /* -0.001 -> -0.00 -> 0 */
    {5, 1, 4, "5"},                             /* trailing zeros and the point dropped */
    {-1, 8, 3, "-0.125"},
};

Test(rat, format_rounds_and_drops_trailing_zeros)
{
    char buf[64];
    for (size_t i = 0; i < N_ELEMS(format_cases); i++) {
        size_t len = rat_format(buf, sizeof buf, R(format_cases[i].n, format_cases[i].d),
                                format_cases[i].digits);
        cr_assert_str_eq(buf, format_cases[i].want, "%" PRId64 "/%" PRId64 " @%d: '%s'",
                         format_cases[i].n, format_cases[i].d, format_cases[i].digits, buf);
        cr_assert_eq(len, strlen(format_cases[i].want));
    }
}

/* ---- a rate on a deal, half away from zero -------------------------------------------------- */

Test(incent, five_percent_of_20000_10_pays_1000_01)
{
    /* 20,000.10 = 2,000,010 cents; × 0.05 = 100,000.5 cents -> half away from zero -> 100,001
     * cents = 1,000.01 (not 1,000.00, which half-to-even or truncation would give). */
    int64_t got = 0;
    cr_assert_eq(money_mul_decimal(2000010, D("5%"), &got), 0);
    cr_assert_eq(got, 100001, "%" PRId64, got);
    /* a refund of the same deal mirrors it: -100,000.5 -> -100,001 */
    cr_assert_eq(money_mul_decimal(-2000010, D("5%"), &got), 0);
    cr_assert_eq(got, -100001, "%" PRId64, got);

    /* the same through a one-tier table (rate = 5% shorthand) */
    const struct tier t[] = {amount_tier("0", "5%")};
    struct tier_r r[1];
    incent_resolve_tiers(t, 1, rat_int64(0), r);
    for (int m = METHOD_MARGINAL; m <= METHOD_INTERPOLATED; m++) {
        struct rat pay = incent_pay(r, 1, (enum tier_method)m, rat_int64(2000010));
        assert_rat_eq(pay, R(200001, 2), "method %d: 2,000,010/20 = 100,000.5", m);
        cr_assert_eq(rat_round(pay), 100001, "method %d", m);
        cr_assert_eq(rat_round(incent_pay(r, 1, (enum tier_method)m, rat_int64(-2000010))), -100001,
                     "method %d refund", m);
    }
}

/* ---- marginal, full value ------------------------------------------------------------------- */

Test(incent, marginal_table_pays_1100_on_20000_after_145000)
{
    struct tier_r t[3];
    ae_table(t);
    /* Pay(145,000.00) = 14,500,000 × 4% = 580,000
     * Pay(165,000.00) = 15,000,000 × 4% + 1,500,000 × 6% = 600,000 + 90,000 = 690,000
     * difference = 110,000 cents = 5,000 × 4% + 15,000 × 6% = 200 + 900 = 1,100.00 */
    struct rat before = rat_int64(14500000), after = rat_int64(16500000);
    assert_rat_eq(incent_pay(t, 3, METHOD_MARGINAL, before), rat_int64(580000));
    assert_rat_eq(incent_pay(t, 3, METHOD_MARGINAL, after), rat_int64(690000));
    struct rat line = rat_sub(incent_pay(t, 3, METHOD_MARGINAL, after),
                              incent_pay(t, 3, METHOD_MARGINAL, before));
    cr_assert_eq(rat_round(line), 110000);

    /* the line's slices: 5,000.00 @ 4% (tier 0) and 15,000.00 @ 6% (tier 1), nothing at 8% */
    struct slice s[INCENT_SLICES_MAX(3)];
    size_t n = incent_slices(t, 3, METHOD_MARGINAL, before, after, s);
    cr_assert_eq(n, 2, "%zu slices", n);
    const struct want_slice want[] = {
        {rat_int64(500000), R(4, 100), SLICE_TIER, 0},
        {rat_int64(1500000), R(6, 100), SLICE_TIER, 1},
    };
    check_slices(s, n, want, 2, "145,000 -> 165,000");
    assert_rat_eq(slices_sum(s, n), rat_int64(110000));

    /* marginal rate at the points: 4% below 150,000, 6% from 150,000 on, 8% from 250,000 on */
    assert_rat_eq(incent_rate_at(t, 3, METHOD_MARGINAL, rat_int64(14999999)), R(4, 100));
    assert_rat_eq(incent_rate_at(t, 3, METHOD_MARGINAL, rat_int64(15000000)), R(6, 100));
    assert_rat_eq(incent_rate_at(t, 3, METHOD_MARGINAL, rat_int64(25000000)), R(8, 100));
    /* above the last tier: 26,000,000 -> 600,000 + 10,000,000 × 6% + 1,000,000 × 8%
     * = 600,000 + 600,000 + 80,000 = 1,280,000 */
    assert_rat_eq(incent_pay(t, 3, METHOD_MARGINAL, rat_int64(26000000)), rat_int64(1280000));
}

static const struct {
    int64_t x;            /* cents */
    int method;           /* enum tier_method */
    int64_t pay_n, pay_d; /* exact Pay(x) */
    int64_t rounded;      /* cents */
} boundary_cases[] = {
    /* exactly on the 150,000.00 boundary: it belongs to the higher tier (half-open tiers)
     *   full value: 15,000,000 × 6% = 900,000 = 9,000.00
     *   marginal:   15,000,000 × 4% (the 6% tier holds nothing yet) = 600,000 = 6,000.00 */
    {15000000, METHOD_FULL_VALUE, 900000, 1, 900000},
    {15000000, METHOD_MARGINAL, 600000, 1, 600000},
    /* one cent below: 149,999.99 × 4% = 5,999.9996, i.e. 14,999,999 × 4/100 = 14,999,999/25
     * = 599,999.96 cents -> 600,000 = 6,000.00, the same for both methods */
    {14999999, METHOD_FULL_VALUE, 14999999, 25, 600000},
    {14999999, METHOD_MARGINAL, 14999999, 25, 600000},
    /* one cent above: full value 15,000,001 × 6% = 900,000.06 -> 900,000;
     * marginal 600,000 + 1 × 6% = 600,000.06 -> 600,000 */
    {15000001, METHOD_FULL_VALUE, 45000003, 50, 900000},
    {15000001, METHOD_MARGINAL, 30000003, 50, 600000},
    /* at the 250,000.00 boundary: full value 25,000,000 × 8% = 2,000,000;
     * marginal 600,000 + 10,000,000 × 6% = 1,200,000 */
    {25000000, METHOD_FULL_VALUE, 2000000, 1, 2000000},
    {25000000, METHOD_MARGINAL, 1200000, 1, 1200000},
    /* zero pays nothing */
    {0, METHOD_FULL_VALUE, 0, 1, 0},
    {0, METHOD_MARGINAL, 0, 1, 0},
};

Test(incent, marginal_and_full_value_at_and_just_below_a_boundary)
{
    struct tier_r t[3];
    ae_table(t);
    for (size_t i = 0; i < N_ELEMS(boundary_cases); i++) {
        struct rat pay = incent_pay(t, 3, (enum tier_method)boundary_cases[i].method,
                                    rat_int64(boundary_cases[i].x));
        assert_rat_eq(pay, R(boundary_cases[i].pay_n, boundary_cases[i].pay_d),
                      "case %zu: Pay(%" PRId64 ") method %d", i, boundary_cases[i].x,
                      boundary_cases[i].method);
        cr_assert_eq(rat_round(pay), boundary_cases[i].rounded, "case %zu", i);
    }
    /* full value's rate: 4% one cent below, 6% on the boundary */
    assert_rat_eq(incent_rate_at(t, 3, METHOD_FULL_VALUE, rat_int64(14999999)), R(4, 100));
    assert_rat_eq(incent_rate_at(t, 3, METHOD_FULL_VALUE, rat_int64(15000000)), R(6, 100));
}

Test(incent, full_value_crossing_pays_a_catchup_slice)
{
    struct tier_r t[3];
    ae_table(t);
    struct slice s[INCENT_SLICES_MAX(3)];

    /* One cent that crosses 150,000.00: 14,999,999 -> 15,000,000.
     *   Pay(after) - Pay(before) = 900,000 - 599,999.96 = 300,000.04
     *   slices: the new cent at 6% = 0.06, and the catch-up on the earlier 14,999,999 at
     *   6% - 4% = 2%: 299,999.98; 0.06 + 299,999.98 = 300,000.04 */
    size_t n = incent_slices(t, 3, METHOD_FULL_VALUE, rat_int64(14999999), rat_int64(15000000), s);
    const struct want_slice cross_cent[] = {
        {rat_int64(1), R(6, 100), SLICE_TIER, 1},
        {rat_int64(14999999), R(2, 100), SLICE_CATCHUP, 1},
    };
    check_slices(s, n, cross_cent, 2, "full value 149,999.99 -> 150,000.00");
    assert_rat_eq(slices_sum(s, n), R(30000004, 100), "300,000.04");

    /* Marginal across the same cent: one slice, 1 × 4% = 0.04 = 600,000 - 599,999.96 */
    n = incent_slices(t, 3, METHOD_MARGINAL, rat_int64(14999999), rat_int64(15000000), s);
    const struct want_slice cross_cent_m[] = {{rat_int64(1), R(4, 100), SLICE_TIER, 0}};
    check_slices(s, n, cross_cent_m, 1, "marginal 149,999.99 -> 150,000.00");
    assert_rat_eq(slices_sum(s, n), R(4, 100));

    /* The 20,000 deal after 145,000 under full value:
     *   Pay(165,000) = 16,500,000 × 6% = 990,000; Pay(145,000) = 14,500,000 × 4% = 580,000
     *   line = 410,000 = 2,000,000 × 6% (120,000) + catch-up 14,500,000 × 2% (290,000) */
    n = incent_slices(t, 3, METHOD_FULL_VALUE, rat_int64(14500000), rat_int64(16500000), s);
    const struct want_slice deal[] = {
        {rat_int64(2000000), R(6, 100), SLICE_TIER, 1},
        {rat_int64(14500000), R(2, 100), SLICE_CATCHUP, 1},
    };
    check_slices(s, n, deal, 2, "full value 145,000 -> 165,000");
    assert_rat_eq(slices_sum(s, n), rat_int64(410000));

    /* Crossing two boundaries at once: 145,000 -> 260,000.
     *   Pay(260,000) = 26,000,000 × 8% = 2,080,000; line = 2,080,000 - 580,000 = 1,500,000
     *   = 11,500,000 × 8% (920,000) + catch-up 14,500,000 × (8% - 4%) (580,000) */
    n = incent_slices(t, 3, METHOD_FULL_VALUE, rat_int64(14500000), rat_int64(26000000), s);
    const struct want_slice two[] = {
        {rat_int64(11500000), R(8, 100), SLICE_TIER, 2},
        {rat_int64(14500000), R(4, 100), SLICE_CATCHUP, 2},
    };
    check_slices(s, n, two, 2, "full value 145,000 -> 260,000");
    assert_rat_eq(slices_sum(s, n), rat_int64(1500000));

    /* Inside one tier: 150,000 -> 160,000 is 1,000,000 × 6% = 60,000, no catch-up */
    n = incent_slices(t, 3, METHOD_FULL_VALUE, rat_int64(15000000), rat_int64(16000000), s);
    const struct want_slice inside[] = {{rat_int64(1000000), R(6, 100), SLICE_TIER, 1}};
    check_slices(s, n, inside, 1, "full value 150,000 -> 160,000");
    assert_rat_eq(slices_sum(s, n), rat_int64(60000));

    /* From zero there is nothing to catch up: 0 -> 165,000 is 16,500,000 × 6% = 990,000 */
    n = incent_slices(t, 3, METHOD_FULL_VALUE, rat_int64(0), rat_int64(16500000), s);
    const struct want_slice fresh[] = {{rat_int64(16500000), R(6, 100), SLICE_TIER, 1}};
    check_slices(s, n, fresh, 1, "full value 0 -> 165,000");

    /* No change, no slices */
    cr_assert_eq(incent_slices(t, 3, METHOD_FULL_VALUE, rat_int64(5), rat_int64(5), s), 0);
    cr_assert_eq(incent_slices(t, 3, METHOD_MARGINAL, rat_int64(5), rat_int64(5), s), 0);
}

Test(incent, tiers_starting_above_zero_pay_nothing_below_the_first)
{
    /* one tier from 10,000.00 at 5%: marginal pays 5% on the part above 10,000.00,
     * full value 5% of everything once 10,000.00 is reached, nothing below */
    const struct tier t0[] = {amount_tier("1000000", "5%")};
    struct tier_r t[1];
    incent_resolve_tiers(t0, 1, rat_int64(0), t);
    /* 5,000.00: both 0 */
    assert_rat_eq(incent_pay(t, 1, METHOD_MARGINAL, rat_int64(500000)), rat_int64(0));
    assert_rat_eq(incent_pay(t, 1, METHOD_FULL_VALUE, rat_int64(500000)), rat_int64(0));
    /* 15,000.00: marginal (1,500,000 - 1,000,000) × 5% = 25,000; full 1,500,000 × 5% = 75,000 */
    assert_rat_eq(incent_pay(t, 1, METHOD_MARGINAL, rat_int64(1500000)), rat_int64(25000));
    assert_rat_eq(incent_pay(t, 1, METHOD_FULL_VALUE, rat_int64(1500000)), rat_int64(75000));
    /* full value crossing from 5,000.00 (rate 0) to 15,000.00: 1,000,000 × 5% new
     * + catch-up 500,000 × (5% - 0) = 50,000 + 25,000 = 75,000 */
    struct slice s[INCENT_SLICES_MAX(1)];
    size_t n = incent_slices(t, 1, METHOD_FULL_VALUE, rat_int64(500000), rat_int64(1500000), s);
    const struct want_slice want[] = {
        {rat_int64(1000000), R(5, 100), SLICE_TIER, 0},
        {rat_int64(500000), R(5, 100), SLICE_CATCHUP, 0},
    };
    check_slices(s, n, want, 2, "full value 5,000 -> 15,000");
    assert_rat_eq(slices_sum(s, n), rat_int64(75000));
}

/* ---- percentage tiers on a prorated quota --------------------------------------------------- */

Test(incent, percentage_tiers_on_a_prorated_quota_split_a_cent)
{
    /* Quarterly-free example: quota 100,000.00 = 10,000,000 cents for a month, the person active
     * 17 of its 31 days: effective quota = 10,000,000 × 17/31 = 170,000,000/31 cents
     * = 5,483,870.967… (not a whole number of cents).
     * Tiers 0%: 5%, 50%: 8%, 100%: 12% resolve to
     *   0, 85,000,000/31 = 2,741,935.4838…, 170,000,000/31 = 5,483,870.9677… */
    struct rat quota = rat_mul(rat_int64(10000000), R(17, 31));
    assert_rat_eq(quota, R(170000000, 31));
    const struct tier pt[] = {
        pct_tier("0%", "5%"),
        pct_tier("50%", "8%"),
        pct_tier("100%", "12%"),
    };
    struct tier_r t[3];
    incent_resolve_tiers(pt, 3, quota, t);
    assert_rat_eq(t[0].lower, rat_int64(0));
    assert_rat_eq(t[1].lower, R(85000000, 31));
    assert_rat_eq(t[2].lower, R(170000000, 31));
    assert_rat_eq(t[1].rate, R(8, 100));

    /* incent_level: a 25% gate of that quota is 42,500,000/31 cents; an amount stays itself */
    const struct level gate = {true, D("25%")}, amount = {false, D("1234567")};
    assert_rat_eq(incent_level(&gate, quota), R(42500000, 31));
    assert_rat_eq(incent_level(&amount, quota), rat_int64(1234567));

    /* Which tier: 2,741,935 × 31 = 84,999,985 < 85,000,000 (below the 50% boundary, 5%);
     * 2,741,936 × 31 = 85,000,016 > 85,000,000 (above, 8%);
     * 5,483,870 × 31 = 169,999,970 < 170,000,000 (8%); 5,483,871 × 31 = 170,000,001 (12%). */
    static const struct {
        int64_t x;
        int64_t rate_pct;
    } which[] = {
        {2741935, 5},
        {2741936, 8},
        {5483870, 8},
        {5483871, 12},
    };
    for (size_t i = 0; i < N_ELEMS(which); i++) {
        assert_rat_eq(incent_rate_at(t, 3, METHOD_FULL_VALUE, rat_int64(which[i].x)),
                      R(which[i].rate_pct, 100), "full value rate at %" PRId64, which[i].x);
        assert_rat_eq(incent_rate_at(t, 3, METHOD_MARGINAL, rat_int64(which[i].x)),
                      R(which[i].rate_pct, 100), "marginal rate at %" PRId64, which[i].x);
    }

    /* Marginal pay on either side of the 50% boundary:
     *   Pay(2,741,935) = 2,741,935 × 5/100 = 548,387/4 = 137,096.75 -> 137,097
     *   Pay(2,741,936) = 85,000,000/31 × 5% + (85,000,016 - 85,000,000)/31 × 8%
     *                  = 4,250,000/31 + 16/31 × 8/100 = 106,250,000/775 + 32/775
     *                  = 106,250,032/775 = 137,096.8155 -> 137,097 */
    assert_rat_eq(incent_pay(t, 3, METHOD_MARGINAL, rat_int64(2741935)), R(548387, 4));
    assert_rat_eq(incent_pay(t, 3, METHOD_MARGINAL, rat_int64(2741936)), R(106250032, 775));
    cr_assert_eq(rat_round(incent_pay(t, 3, METHOD_MARGINAL, rat_int64(2741936))), 137097);

    /* The cent that crosses splits 15/31 @ 5% + 16/31 @ 8%:
     *   15/31 × 5/100 + 16/31 × 8/100 = (75 + 128)/3100 = 203/3100
     *   = 106,250,032/775 - 548,387/4 = (425,000,128 - 424,999,925)/3100 = 203/3100 */
    struct slice s[INCENT_SLICES_MAX(3)];
    size_t n = incent_slices(t, 3, METHOD_MARGINAL, rat_int64(2741935), rat_int64(2741936), s);
    const struct want_slice want[] = {
        {R(15, 31), R(5, 100), SLICE_TIER, 0},
        {R(16, 31), R(8, 100), SLICE_TIER, 1},
    };
    check_slices(s, n, want, 2, "marginal across 50% of a prorated quota");
    assert_rat_eq(slices_sum(s, n), R(203, 3100));

    /* Full value on either side: 2,741,935 × 5% = 137,096.75 -> 137,097;
     * 2,741,936 × 8% = 219,354.88 -> 219,355 */
    cr_assert_eq(rat_round(incent_pay(t, 3, METHOD_FULL_VALUE, rat_int64(2741935))), 137097);
    assert_rat_eq(incent_pay(t, 3, METHOD_FULL_VALUE, rat_int64(2741936)), R(5483872, 25),
                  "2,741,936 × 2/25 = 5,483,872/25 … = 219,354.88");
    cr_assert_eq(rat_round(incent_pay(t, 3, METHOD_FULL_VALUE, rat_int64(2741936))), 219355);
    cr_assert(!rat_overflowed());
}

/* ---- interpolated --------------------------------------------------------------------------- */

static const struct {
    int64_t x; /* cents */
    int64_t rate_n, rate_d;
    int64_t pay_n, pay_d;
} interp_cases[] = {
    /* table (2,000,000: 2%), (10,000,000: 6%), (20,000,000: 10%) */
    {1000000, 2, 100, 20000, 1}, /* below the first point: flat 2%; 1,000,000 × 2% */
    {0, 2, 100, 0, 1},
    {2000000, 2, 100, 40000, 1},   /* on the first point */
    {3000000, 25, 1000, 75000, 1}, /* 2% + (1/8) × 4% = 2.5%; 3,000,000 × 2.5% = 75,000 */
    {6000000, 4, 100, 240000, 1},  /* 2% + (4/8) × 4% = 4%; 240,000 */
    {10000000, 6, 100, 600000, 1}, /* on the middle point */
    {12500000, 7, 100, 875000, 1}, /* 6% + (2.5/10) × 4% = 7%; 875,000 */
    {20000000, 10, 100, 2000000, 1},
    {25000000, 10, 100, 2500000, 1}, /* above the last point: flat 10% */
    /* 2,000,001: rate = 2% + (1/8,000,000) × 4% = 0.02 + 0.000000005 = 4,000,001/200,000,000;
     * pay = 2,000,001 × 4,000,001 / 200,000,000 = 8,000,006,000,001/200,000,000
     * = 40,000.030000005 */
    {2000001, 4000001, 200000000, 8000006000001, 200000000},
};

Test(incent, interpolated_rate_is_linear_between_points_and_flat_beyond)
{
    struct tier_r t[3];
    interp_table(t);
    for (size_t i = 0; i < N_ELEMS(interp_cases); i++) {
        struct rat x = rat_int64(interp_cases[i].x);
        assert_rat_eq(incent_rate_at(t, 3, METHOD_INTERPOLATED, x),
                      R(interp_cases[i].rate_n, interp_cases[i].rate_d), "rate at %" PRId64,
                      interp_cases[i].x);
        assert_rat_eq(incent_pay(t, 3, METHOD_INTERPOLATED, x),
                      R(interp_cases[i].pay_n, interp_cases[i].pay_d), "Pay(%" PRId64 ")",
                      interp_cases[i].x);
    }
    cr_assert_eq(rat_round(incent_pay(t, 3, METHOD_INTERPOLATED, rat_int64(2000001))), 40000);
}

Test(incent, interpolated_slices_are_whole_minus_reverse)
{
    struct tier_r t[3];
    interp_table(t);
    struct slice s[INCENT_SLICES_MAX(3)];

    /* 60,000.00 -> 125,000.00: the whole 12,500,000 at 7% (875,000) minus the earlier 6,000,000
     * at its 4% (240,000) = 635,000 = Pay(12,500,000) - Pay(6,000,000) */
    size_t n = incent_slices(t, 3, METHOD_INTERPOLATED, rat_int64(6000000), rat_int64(12500000), s);
    const struct want_slice wr[] = {
        {rat_int64(12500000), R(7, 100), SLICE_WHOLE, 0},
        {rat_int64(-6000000), R(4, 100), SLICE_REVERSE, 0},
    };
    check_slices(s, n, wr, 2, "interpolated 60,000 -> 125,000");
    assert_rat_eq(slices_sum(s, n), rat_int64(635000));

    /* From zero: only the whole, 6,000,000 × 4% = 240,000 */
    n = incent_slices(t, 3, METHOD_INTERPOLATED, rat_int64(0), rat_int64(6000000), s);
    const struct want_slice w0[] = {{rat_int64(6000000), R(4, 100), SLICE_WHOLE, 0}};
    check_slices(s, n, w0, 1, "interpolated 0 -> 60,000");

    /* Both beyond the last point, same 10% rate: one tier slice 4,000,000 × 10% = 400,000
     * (Pay(25,000,000) - Pay(21,000,000) = 2,500,000 - 2,100,000) */
    n = incent_slices(t, 3, METHOD_INTERPOLATED, rat_int64(21000000), rat_int64(25000000), s);
    const struct want_slice wf[] = {{rat_int64(4000000), R(10, 100), SLICE_TIER, 2}};
    check_slices(s, n, wf, 1, "interpolated 210,000 -> 250,000");
    assert_rat_eq(slices_sum(s, n), rat_int64(400000));
}

/* ---- every method: slices sum to the difference --------------------------------------------- */

static const struct {
    int64_t before, after;
} step_cases[] = {
    {0, 16500000},         {14500000, 16500000},
    {14999999, 15000000},  {15000000, 14999999}, /* a negative adjustment back below the boundary */
    {14500000, 26000000},  {26000000, 14500000},
    {24999999, 25000001},  {16500000, -2000000}, /* a refund larger than everything so far */
    {-2000000, 16500000},  {-2000000, -16500000},
    {-16500000, -2000000}, {-1, 1},
    {3000000, 0},          {0, -3000000},
    {1000000, 1500000}, /* below the first interpolated point, flat */
};

Test(incent, slices_sum_to_the_pay_difference_for_every_method)
{
    struct tier_r ae[3], ip[3];
    ae_table(ae);
    interp_table(ip);
    const struct tier_r *tables[] = {ae, ip};
    for (size_t ti = 0; ti < 2; ti++)
        for (int m = METHOD_MARGINAL; m <= METHOD_INTERPOLATED; m++)
            for (size_t i = 0; i < N_ELEMS(step_cases); i++) {
                struct rat a = rat_int64(step_cases[i].before), b = rat_int64(step_cases[i].after);
                struct slice s[INCENT_SLICES_MAX(3)];
                size_t n = incent_slices(tables[ti], 3, (enum tier_method)m, a, b, s);
                cr_assert(n <= INCENT_SLICES_MAX(3));
                struct rat diff = rat_sub(incent_pay(tables[ti], 3, (enum tier_method)m, b),
                                          incent_pay(tables[ti], 3, (enum tier_method)m, a));
                assert_rat_eq(slices_sum(s, n), diff,
                              "table %zu method %d: %" PRId64 " -> %" PRId64, ti, m,
                              step_cases[i].before, step_cases[i].after);
            }
    cr_assert(!rat_overflowed());
}

/* ---- refunds -------------------------------------------------------------------------------- */

Test(incent, pay_is_odd_so_a_refund_mirrors_its_sale)
{
    struct tier_r ae[3], ip[3];
    ae_table(ae);
    interp_table(ip);
    /* marginal Pay(-165,000) = -690,000; full value Pay(-150,000) = -900,000;
     * interpolated Pay(-60,000) = -(6,000,000 × 4%) = -240,000 */
    assert_rat_eq(incent_pay(ae, 3, METHOD_MARGINAL, rat_int64(-16500000)), rat_int64(-690000));
    assert_rat_eq(incent_pay(ae, 3, METHOD_FULL_VALUE, rat_int64(-15000000)), rat_int64(-900000));
    assert_rat_eq(incent_pay(ip, 3, METHOD_INTERPOLATED, rat_int64(-6000000)), rat_int64(-240000));
    /* -149,999.99 full value: -599,999.96 -> -600,000 (half away from zero, mirrored) */
    struct rat p = incent_pay(ae, 3, METHOD_FULL_VALUE, rat_int64(-14999999));
    assert_rat_eq(p, R(-14999999, 25));
    cr_assert_eq(rat_round(p), -600000);
    /* a refund of the 20,000.10 deal at a flat 5%: -100,000.5 -> -100,001, the sale's mirror */
    const struct tier flat[] = {amount_tier("0", "5%")};
    struct tier_r f[1];
    incent_resolve_tiers(flat, 1, rat_int64(0), f);
    cr_assert_eq(rat_round(incent_pay(f, 1, METHOD_MARGINAL, rat_int64(-2000010))), -100001);
}

Test(incent, slices_from_a_positive_cumulative_to_a_negative_one)
{
    struct tier_r ae[3], ip[3];
    ae_table(ae);
    interp_table(ip);
    struct slice s[INCENT_SLICES_MAX(3) * 2];

    /* Marginal, 165,000 -> -20,000 (a refund of 185,000): first back down to 0, then below it.
     *   down: -15,000,000 @ 4% (tier 0), -1,500,000 @ 6% (tier 1) = -600,000 - 90,000
     *   below zero: -2,000,000 @ 4% (tier 0, mirrored) = -80,000
     *   total -770,000 = Pay(-2,000,000) - Pay(16,500,000) = -80,000 - 690,000 */
    size_t n = incent_slices(ae, 3, METHOD_MARGINAL, rat_int64(16500000), rat_int64(-2000000), s);
    const struct want_slice wm[] = {
        {rat_int64(-15000000), R(4, 100), SLICE_TIER, 0},
        {rat_int64(-1500000), R(6, 100), SLICE_TIER, 1},
        {rat_int64(-2000000), R(4, 100), SLICE_TIER, 0},
    };
    check_slices(s, n, wm, 3, "marginal 165,000 -> -20,000");
    assert_rat_eq(slices_sum(s, n), rat_int64(-770000));

    /* Full value, 165,000 -> -20,000:
     *   down to 0: Pay(0) - Pay(16,500,000) = -990,000; at 0 the rate is the first tier's 4%, so
     *   -16,500,000 @ 4% (-660,000) and a catch-up of the earlier 16,500,000 at 4% - 6% = -2%
     *   (-330,000);
     *   below zero: -2,000,000 @ 4% = -80,000; total -1,070,000 = -80,000 - 990,000 */
    n = incent_slices(ae, 3, METHOD_FULL_VALUE, rat_int64(16500000), rat_int64(-2000000), s);
    const struct want_slice wf[] = {
        {rat_int64(-16500000), R(4, 100), SLICE_TIER, 0},
        {rat_int64(16500000), R(-2, 100), SLICE_CATCHUP, 0},
        {rat_int64(-2000000), R(4, 100), SLICE_TIER, 0},
    };
    check_slices(s, n, wf, 3, "full value 165,000 -> -20,000");
    assert_rat_eq(slices_sum(s, n), rat_int64(-1070000));

    /* Interpolated, 60,000 -> -30,000:
     *   down to 0: reverse the earlier 6,000,000 at 4% (-240,000);
     *   below zero: the whole -3,000,000 at 2.5% (-75,000); total -315,000
     *   = Pay(-3,000,000) - Pay(6,000,000) = -75,000 - 240,000 */
    n = incent_slices(ip, 3, METHOD_INTERPOLATED, rat_int64(6000000), rat_int64(-3000000), s);
    const struct want_slice wi[] = {
        {rat_int64(-6000000), R(4, 100), SLICE_REVERSE, 0},
        {rat_int64(-3000000), R(25, 1000), SLICE_WHOLE, 0},
    };
    check_slices(s, n, wi, 2, "interpolated 60,000 -> -30,000");
    assert_rat_eq(slices_sum(s, n), rat_int64(-315000));

    /* Negative to more negative, marginal: -20,000 -> -165,000 mirrors 20,000 -> 165,000:
     *   -13,000,000 @ 4% (-520,000) and -1,500,000 @ 6% (-90,000) = -610,000
     *   = Pay(-16,500,000) - Pay(-2,000,000) = -690,000 + 80,000 */
    n = incent_slices(ae, 3, METHOD_MARGINAL, rat_int64(-2000000), rat_int64(-16500000), s);
    const struct want_slice wn[] = {
        {rat_int64(-13000000), R(4, 100), SLICE_TIER, 0},
        {rat_int64(-1500000), R(6, 100), SLICE_TIER, 1},
    };
    check_slices(s, n, wn, 2, "marginal -20,000 -> -165,000");
    assert_rat_eq(slices_sum(s, n), rat_int64(-610000));
}

/* ---- curves --------------------------------------------------------------------------------- */

static struct curve_point CP(const char *att, const char *payout) {
    return (struct curve_point){D(att), D(payout)};
}

static const struct {
    int64_t att_n, att_d;
    int64_t step_n, step_d;
    int64_t interp_n, interp_d;
} curve_cases[] = {
    /* curve 0%: 0%, 80%: 50%, 100%: 100%, 150%: 200% */
    {9, 10, 1, 2, 3, 4}, /* 90%: step 50%; interpolated 50% + (10/20) × 50% = 75% */
    {2, 1, 2, 1, 2, 1},  /* 200%: above the last point, flat 200% */
    {3, 2, 2, 1, 2, 1},  /* 150% exactly: 200% */
    {1, 1, 1, 1, 1, 1},  /* 100% exactly: 100% */
    {4, 5, 1, 2, 1, 2},  /* 80% exactly: 50% */
    {2, 5, 0, 1, 1, 4},  /* 40%: step 0%; interpolated (40/80) × 50% = 25% */
    {6, 5, 1, 1, 7, 5},  /* 120%: step 100%; interpolated 100% + (20/50) × 100% = 140% */
    /* 79.999%: step 0%; interpolated 0.79999 / 0.8 × 0.5 = 0.79999 × 5/8 = 399,995/800,000
     * = 79,999/160,000 = 0.49999375 */
    {79999, 100000, 0, 1, 79999, 160000},
    /* 2/3: step 0; interpolated (2/3) × 5/8 = 10/24 = 5/12 */
    {2, 3, 0, 1, 5, 12},
    {0, 1, 0, 1, 0, 1},
    {-1, 10, 0, 1, 0, 1}, /* refunds pushed attainment below 0: flat 0% */
};

Test(incent, curve_step_and_interpolated)
{
    const struct curve_point c[] = {CP("0%", "0%"), CP("80%", "50%"), CP("100%", "100%"),
                                    CP("150%", "200%")};
    for (size_t i = 0; i < N_ELEMS(curve_cases); i++) {
        struct rat att = R(curve_cases[i].att_n, curve_cases[i].att_d);
        assert_rat_eq(incent_curve(c, 4, CURVE_STEP, att),
                      R(curve_cases[i].step_n, curve_cases[i].step_d),
                      "step at %" PRId64 "/%" PRId64, curve_cases[i].att_n, curve_cases[i].att_d);
        assert_rat_eq(incent_curve(c, 4, CURVE_INTERPOLATED, att),
                      R(curve_cases[i].interp_n, curve_cases[i].interp_d),
                      "interpolated at %" PRId64 "/%" PRId64, curve_cases[i].att_n,
                      curve_cases[i].att_d);
    }
}

Test(incent, curve_is_flat_below_its_first_point)
{
    /* 50%: 25%, 100%: 100% */
    const struct curve_point c[] = {CP("50%", "25%"), CP("100%", "100%")};
    /* 30%: below the first point, both methods 25% */
    assert_rat_eq(incent_curve(c, 2, CURVE_STEP, R(3, 10)), R(1, 4));
    assert_rat_eq(incent_curve(c, 2, CURVE_INTERPOLATED, R(3, 10)), R(1, 4));
    /* 75%: step 25%; interpolated 25% + (25/50) × 75% = 62.5% = 5/8 */
    assert_rat_eq(incent_curve(c, 2, CURVE_STEP, R(3, 4)), R(1, 4));
    assert_rat_eq(incent_curve(c, 2, CURVE_INTERPOLATED, R(3, 4)), R(5, 8));
    /* a single point is flat everywhere */
    assert_rat_eq(incent_curve(c, 1, CURVE_INTERPOLATED, R(9, 1)), R(1, 4));
    /* no points pays nothing */
    assert_rat_eq(incent_curve(c, 0, CURVE_INTERPOLATED, R(1, 1)), rat_int64(0));
}

Test(incent, marketing_bonus_on_company_revenue_with_an_interpolated_curve)
{
    /* [plan.mkt.company_goal]: goal 2,500,000.00, weight 50%, curve 0%:0%, 80%:50%, 100%:100%,
     * 150%:200% interpolated, cap 200%. Target incentive 20,000.00 = 2,000,000 cents.
     * Company revenue 2,250,000.00: attainment = 225,000,000 / 250,000,000 = 9/10 (unrounded)
     * curve(0.9) = 75%; pay = 2,000,000 × 50% × 75% = 750,000 cents = 7,500.00 */
    const struct curve_point c[] = {CP("0%", "0%"), CP("80%", "50%"), CP("100%", "100%"),
                                    CP("150%", "200%")};
    struct rat att = rat_div(rat_int64(225000000), rat_int64(250000000));
    assert_rat_eq(att, R(9, 10));
    struct rat pct = incent_curve(c, 4, CURVE_INTERPOLATED, att);
    struct rat pay = rat_mul(rat_mul(rat_int64(2000000), rat_dec(D("50%"))), pct);
    cr_assert_eq(rat_round(pay), 750000);

    /* Revenue 2,123,456.78 = 212,345,678 cents: att = 212,345,678 / 250,000,000
     * = 0.849382712 (between 80% and 100%);
     * curve = 0.5 + (0.849382712 - 0.8) / 0.2 × 0.5 = 0.5 + 0.04938271 × 2.5 = 0.5 + 0.12345678
     * = 0.62345678; pay = 1,000,000 × 0.62345678 = 623,456.78 -> 623,457 cents */
    att = rat_div(rat_int64(212345678), rat_int64(250000000));
    pct = incent_curve(c, 4, CURVE_INTERPOLATED, att);
    assert_rat_eq(pct, R(31172839, 50000000), "0.62345678 = 62,345,678/100,000,000");
    pay = rat_mul(rat_mul(rat_int64(2000000), rat_dec(D("50%"))), pct);
    cr_assert_eq(rat_round(pay), 623457);

    /* 4,000,000.00: att 160% -> flat 200% = the 200% cap: 1,000,000 × 2 = 2,000,000 */
    att = rat_div(rat_int64(400000000), rat_int64(250000000));
    pct = rat_min(incent_curve(c, 4, CURVE_INTERPOLATED, att), rat_dec(D("200%")));
    cr_assert_eq(rat_round(rat_mul(rat_int64(1000000), pct)), 2000000);
}

/* ---- proration and period shares ------------------------------------------------------------ */

static const struct {
    int sy, sm, sd; /* start; year 0 = open (DAY_NONE) */
    int ey, em, ed; /* end; year 0 = open */
    int fy, fm, fd; /* period first day */
    int ly, lm, ld; /* period last day */
    int32_t want;
} days_cases[] = {
    /* October 2026 has 31 days; start 17 Oct: 17..31 inclusive = 31 - 17 + 1 = 15 */
    {2026, 10, 17, 0, 0, 0, 2026, 10, 1, 2026, 10, 31, 15},
    /* open at both ends: the whole month */
    {0, 0, 0, 0, 0, 0, 2026, 10, 1, 2026, 10, 31, 31},
    /* left on 10 Oct: 1..10 = 10 */
    {2025, 3, 1, 2026, 10, 10, 2026, 10, 1, 2026, 10, 31, 10},
    {0, 0, 0, 2026, 10, 10, 2026, 10, 1, 2026, 10, 31, 10},
    /* left before the period: 0 */
    {2025, 3, 1, 2026, 9, 30, 2026, 10, 1, 2026, 10, 31, 0},
    /* starts after the period: 0 */
    {2026, 11, 1, 0, 0, 0, 2026, 10, 1, 2026, 10, 31, 0},
    /* first and last day only */
    {2026, 10, 31, 0, 0, 0, 2026, 10, 1, 2026, 10, 31, 1},
    {0, 0, 0, 2026, 10, 1, 2026, 10, 1, 2026, 10, 31, 1},
    /* started and left inside: 17..20 = 4 */
    {2026, 10, 17, 2026, 10, 20, 2026, 10, 1, 2026, 10, 31, 4},
    /* one day */
    {2026, 10, 17, 2026, 10, 17, 2026, 10, 1, 2026, 10, 31, 1},
    /* Q4 2026 from 15 Nov: Nov 15..30 = 16, Dec = 31; 47 of the quarter's 31 + 30 + 31 = 92 */
    {2026, 11, 15, 0, 0, 0, 2026, 10, 1, 2026, 12, 31, 47},
    {0, 0, 0, 0, 0, 0, 2026, 10, 1, 2026, 12, 31, 92},
    /* February 2028 (leap): 29 days */
    {0, 0, 0, 0, 0, 0, 2028, 2, 1, 2028, 2, 29, 29},
    {2028, 2, 20, 0, 0, 0, 2028, 2, 1, 2028, 2, 29, 10}, /* 20..29 */
    /* a year: 2026 has 365 days; from 1 Jul: Jul..Dec = 31+31+30+31+30+31 = 184 */
    {2026, 7, 1, 0, 0, 0, 2026, 1, 1, 2026, 12, 31, 184},
};

static int32_t day_or_none(int y, int m, int d)
{
    return y == 0 ? DAY_NONE : date_from_civil(y, m, d);
}

Test(incent, active_days_are_inclusive_and_clipped_to_the_period)
{
    for (size_t i = 0; i < N_ELEMS(days_cases); i++) {
        int32_t got = incent_active_days(
            day_or_none(days_cases[i].sy, days_cases[i].sm, days_cases[i].sd),
            day_or_none(days_cases[i].ey, days_cases[i].em, days_cases[i].ed),
            date_from_civil(days_cases[i].fy, days_cases[i].fm, days_cases[i].fd),
            date_from_civil(days_cases[i].ly, days_cases[i].lm, days_cases[i].ld));
        cr_assert_eq(got, days_cases[i].want, "case %zu: %d days, want %d", i, (int)got,
                     (int)days_cases[i].want);
    }
}

Test(incent, proration_for_a_mid_month_start)
{
    /* Monthly quota 100,000.00 and target incentive 5,000.00; start 2026-10-17: 15 of 31 days.
     *   quota    10,000,000 × 15/31 = 150,000,000/31 = 4,838,709.677… cents
     *   target      500,000 × 15/31 =   7,500,000/31 =   241,935.48… -> 241,935 cents
     * Rates are never prorated: a 5% rate stays 5%, and a 50% tier moves with the quota:
     *   0.5 × 150,000,000/31 = 75,000,000/31 = 2,419,354.838… cents */
    int32_t first = date_from_civil(2026, 10, 1), last = date_from_civil(2026, 10, 31);
    int32_t days = incent_active_days(date_from_civil(2026, 10, 17), DAY_NONE, first, last);
    cr_assert_eq(days, 15);
    struct rat factor = R(days, last - first + 1);
    assert_rat_eq(factor, R(15, 31));
    struct rat quota = rat_mul(rat_int64(10000000), factor);
    assert_rat_eq(quota, R(150000000, 31));
    cr_assert_eq(rat_round(rat_mul(rat_int64(500000), factor)), 241935);
    const struct tier pt[] = {pct_tier("0%", "5%"), pct_tier("50%", "8%")};
    struct tier_r t[2];
    incent_resolve_tiers(pt, 2, quota, t);
    assert_rat_eq(t[1].lower, R(75000000, 31));
    assert_rat_eq(t[0].rate, R(5, 100));
    assert_rat_eq(t[1].rate, R(8, 100));
    /* a 40,000.00 month (4,000,000 cents) crosses 2,419,354.84: marginal pay
     *   75,000,000/31 × 5% + (4,000,000 - 75,000,000/31) × 8%
     *   = 3,750,000/31 + (124,000,000 - 75,000,000)/31 × 8/100 = 3,750,000/31 + 3,920,000/31
     *   = 7,670,000/31 = 247,419.35… -> 247,419 cents */
    struct rat pay = incent_pay(t, 2, METHOD_MARGINAL, rat_int64(4000000));
    assert_rat_eq(pay, R(7670000, 31));
    cr_assert_eq(rat_round(pay), 247419);
}

Test(incent, period_share_of_a_quota)
{
    /* a quota stated for quota_period, measured over an attainment period of kind att */
    assert_rat_eq(incent_period_share(PERIOD_YEAR, PERIOD_QUARTER), R(1, 4));  /* 3/12 */
    assert_rat_eq(incent_period_share(PERIOD_QUARTER, PERIOD_MONTH), R(1, 3)); /* 1/3 */
    assert_rat_eq(incent_period_share(PERIOD_MONTH, PERIOD_QUARTER), rat_int64(3));
    assert_rat_eq(incent_period_share(PERIOD_YEAR, PERIOD_MONTH), R(1, 12));
    assert_rat_eq(incent_period_share(PERIOD_MONTH, PERIOD_YEAR), rat_int64(12));
    assert_rat_eq(incent_period_share(PERIOD_QUARTER, PERIOD_YEAR), rat_int64(4));
    assert_rat_eq(incent_period_share(PERIOD_MONTH, PERIOD_MONTH), rat_int64(1));
    assert_rat_eq(incent_period_share(PERIOD_YEAR, PERIOD_YEAR), rat_int64(1));
    /* an annual quota of 1,200,000.00 for a quarter: 120,000,000 / 4 = 30,000,000 cents */
    assert_rat_eq(rat_mul(rat_int64(120000000), incent_period_share(PERIOD_YEAR, PERIOD_QUARTER)),
                  rat_int64(30000000));
}

/* ---- splits --------------------------------------------------------------------------------- */

static const struct {
    int64_t total;
    uint64_t w[3];
    int64_t want[3];
} split_cases[] = {
    /* 1,000.00 three ways: 100,000 / 3 = 33,333 rem 1 each; one cent left, ties to the first */
    {100000, {1, 1, 1}, {33334, 33333, 33333}},
    /* a refund mirrors it cent for cent */
    {-100000, {1, 1, 1}, {-33334, -33333, -33333}},
    /* weights as percentages × 100 (33.34 / 33.33 / 33.33): 100,000 × 3334/10000 = 33,340,
     * 100,000 × 3333/10000 = 33,330 (twice): exact, sum 100,000 */
    {100000, {3334, 3333, 3333}, {33340, 33330, 33330}},
    /* 50/30/20 of 1,000.01: 50,000.5, 30,000.3, 20,000.2; floors 100,000, one cent to the
     * largest remainder (0.5, the first) */
    {100001, {50, 30, 20}, {50001, 30000, 20000}},
    /* 0.02 three ways: 0.666… each; two cents to the first two (equal remainders) */
    {2, {1, 1, 1}, {1, 1, 0}},
};

Test(incent, three_way_split_sums_exactly)
{
    for (size_t i = 0; i < N_ELEMS(split_cases); i++) {
        int64_t out[3] = {0, 0, 0};
        cr_assert_eq(money_allocate(split_cases[i].total, split_cases[i].w, 3, out), 0);
        int64_t sum = 0;
        for (size_t j = 0; j < 3; j++) {
            cr_assert_eq(out[j], split_cases[i].want[j],
                         "case %zu share %zu: %" PRId64 ", want %" PRId64, i, j, out[j],
                         split_cases[i].want[j]);
            sum += out[j];
        }
        cr_assert_eq(sum, split_cases[i].total, "case %zu sums to %" PRId64, i, sum);
    }
}

/* ---- slice tier indexes --------------------------------------------------------------------- */

Test(incent, interpolated_flat_below_first_point_slice_names_a_real_tier)
{
    /* incent.h: `tier` is the "tier index (SLICE_TIER, SLICE_CATCHUP)", so it must be < n for
     * those kinds, including below the first lower bound. */
    struct slice s[INCENT_SLICES_MAX(3)];
    struct tier_r ip[3];
    interp_table(ip);
    /* interpolated, both cumulatives below the first point (20,000.00): the rate is the first
     * point's 2% flat, one SLICE_TIER of 500,000 × 2% = 10,000; its tier is the first, 0 */
    size_t n = incent_slices(ip, 3, METHOD_INTERPOLATED, rat_int64(1000000), rat_int64(1500000), s);
    cr_assert_eq(n, 1);
    assert_rat_eq(slices_sum(s, n), rat_int64(10000));
    cr_assert(s[0].kind != SLICE_TIER || s[0].tier < 3, "SLICE_TIER with tier %zu of 3", s[0].tier);
}

Test(incent, catchup_tier_index_names_a_tier_when_falling_below_the_first)
{
    struct slice s[INCENT_SLICES_MAX(1)];
    size_t n;
    /* full value with one tier from 10,000.00 at 5%, falling from 15,000.00 back to 5,000.00
     * (a refund): Pay(5,000) - Pay(15,000) = 0 - 75,000 = -75,000, explained as the catch-up
     * 1,500,000 × (0 - 5%); there is no tier at 5,000.00, so the slice may only name tier 0 */
    const struct tier t0[] = {amount_tier("1000000", "5%")};
    struct tier_r t[1];
    incent_resolve_tiers(t0, 1, rat_int64(0), t);
    n = incent_slices(t, 1, METHOD_FULL_VALUE, rat_int64(1500000), rat_int64(500000), s);
    assert_rat_eq(slices_sum(s, n), rat_int64(-75000));
    for (size_t i = 0; i < n; i++)
        cr_assert((s[i].kind != SLICE_TIER && s[i].kind != SLICE_CATCHUP) || s[i].tier < 1,
                  "slice %zu kind %d names tier %zu of a 1-tier table", i, (int)s[i].kind,
                  s[i].tier);
}

/* ---- exact text for hand calculations (rat_text_*, issue 10 item 8) ------------------------ */

Test(rat, text_exact_writes_finite_decimals_whole_and_others_over_a_whole_number)
{
    static const struct {
        int64_t n, d;
        int min_dec;
        const char *want;
    } cases[] = {
        {12500, 3, 2, "(12,500.00 ÷ 3)"},     /* a quarterly 12,500.00 over 3 months */
        {584375, 23, 2, "(584,375.00 ÷ 23)"}, /* 137,500 × 17/92 = 2,337,500/92 */
        {1, 6, 2, "(0.50 ÷ 3)"},              /* 1/6 = 0.5 / 3 */
        {123456789, 10000, 2, "12,345.6789"}, /* more decimals than min_dec: all of them */
        {-5, 100, 2, "-0.05"},
        {1234, 1, 2, "1,234.00"},
        {0, 1, 2, "0.00"},
        {7, 8, 0, "0.875"},
        {1, 3, 0, "(1 ÷ 3)"},
        {-1000000, 3, 2, "(-1,000,000.00 ÷ 3)"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char buf[96];
        rat_text_exact(buf, sizeof buf, rat_frac(cases[i].n, cases[i].d), cases[i].min_dec);
        cr_assert_str_eq(buf, cases[i].want, "%lld/%lld", (long long)cases[i].n,
                         (long long)cases[i].d);
    }
}

Test(rat, text_pct_is_exact_and_over_a_whole_number_when_not_a_finite_decimal)
{
    static const struct {
        int64_t n, d;
        const char *want;
    } cases[] = {
        {6, 100, "6%"},
        {15, 1000, "1.5%"},
        {3, 8, "37.5%"},
        {-1, 20, "-5%"},
        {7021, 110000, "(70.21% ÷ 11)"}, /* 7021/1100 % = 70.21/11 % */
        {1, 3, "(100% ÷ 3)"},
        {5, 8, "62.5%"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char buf[96];
        rat_text_pct(buf, sizeof buf, rat_frac(cases[i].n, cases[i].d));
        cr_assert_str_eq(buf, cases[i].want, "%lld/%lld", (long long)cases[i].n,
                         (long long)cases[i].d);
    }
}

Test(rat, text_cut_is_exact_when_it_can_be_and_cut_off_toward_zero_otherwise)
{
    char buf[96];
    /* the demo's marketing attainment: 559,476.97 / (2,750,000.00 / 3) = 1,678,430.91 /
     * 2,750,000 = 0.6103385127…, as a percentage 61.03385127…: cut after 6 places */
    rat_text_cut(buf, sizeof buf, rat_frac(167843091, 275000000), 0, 6, true);
    cr_assert_str_eq(buf, "61.033851…%");
    rat_text_cut(buf, sizeof buf, rat_frac(3, 10), 0, 6, true);
    cr_assert_str_eq(buf, "30%");
    rat_text_cut(buf, sizeof buf, rat_frac(31448256, 10000), 2, 8, false);
    cr_assert_str_eq(buf, "3,144.8256"); /* 52,413.76 × 6%: exact within 8 places */
    rat_text_cut(buf, sizeof buf, rat_frac(2, 3), 2, 8, false);
    cr_assert_str_eq(buf, "0.66666666…"); /* cut, not rounded to …67 */
    rat_text_cut(buf, sizeof buf, rat_frac(-2, 3), 0, 2, false);
    cr_assert_str_eq(buf, "-0.66…");
    rat_text_cut(buf, sizeof buf, rat_int64(474), 2, 8, false);
    cr_assert_str_eq(buf, "474.00");
}
