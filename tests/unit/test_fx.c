/* test_fx.c — the FX rate in force on a day and the two conversions (DESIGN §5 FX, §7a "FX").
 *
 * Every expected value is worked by hand in the comment beside it. Amounts are minor units
 * (cents for USD/EUR/GBP, yen for JPY, fils for KWD); rates are units of the reporting currency
 * per unit of the other one, written as text and parsed with decimal_parse as ingest does.
 */
#include "fx.h"

#include "dataset.h"
#include "date.h"
#include "money.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct decimal D(const char *s) {
    struct decimal d = {0, 0};
    cr_assert_eq(decimal_parse(s, strlen(s), &d), 0, "decimal_parse('%s')", s);
    return d;
}

static int32_t
day(int y, int m, int d)
{
    return date_from_civil(y, m, d);
}

struct rate_row {
    const char *code, *rate;
    int y, m, d;
};

/* An fx table as ingest leaves it (input order, (currency, day) unique), indexed. */
static void rates_of(struct fx_rates *out, const struct rate_row *rows, size_t n)
{
    struct fx_table t = {0};
    t.n = t.cap = n;
    t.currency = calloc(n ? n : 1, sizeof *t.currency);
    t.rate = calloc(n ? n : 1, sizeof *t.rate);
    t.day = calloc(n ? n : 1, sizeof *t.day);
    t.line = calloc(n ? n : 1, sizeof *t.line);
    for (size_t i = 0; i < n; i++) {
        memcpy(t.currency[i].code, rows[i].code, 4);
        t.rate[i] = D(rows[i].rate);
        t.day[i] = day(rows[i].y, rows[i].m, rows[i].d);
        t.line[i] = i + 2;
    }
    fx_rates_init(out, &t);
    /* The index owns its copy: the table may go. */
    free(t.currency);
    free(t.rate);
    free(t.day);
    free(t.line);
}

/* Deliberately not in (currency, day) order: the index sorts. */
static const struct rate_row table[] = {
    {"EUR", "1.2", 2026, 3, 1},          {"JPY", "0.0067", 2026, 1, 1}, {"EUR", "1.10", 2026, 1, 1},
    {"GBP", "1.2345678901", 2026, 2, 1}, {"EUR", "1.15", 2026, 2, 1},
};

struct on_case {
    const char *code;
    int y, m, d;
    int rc;           /* 0 = a rate, -1 = none */
    const char *want; /* the rate in force, when rc == 0 */
};

Test(fx, the_rate_in_force_is_the_latest_effective_on_or_before_the_day)
{
    static const struct on_case cases[] = {
        {"EUR", 2025, 12, 31, -1, NULL}, /* before EUR's first rate (2026-01-01): none */
        {"EUR", 2026, 1, 1, 0, "1.10"},  /* on an effective day: that day's rate */
        {"EUR", 2026, 1, 31, 0, "1.10"}, /* between 01-01 and 02-01: the earlier */
        {"EUR", 2026, 2, 1, 0, "1.15"},  /* on the second effective day */
        {"EUR", 2026, 2, 28, 0, "1.15"}, /* the day before 03-01 */
        {"EUR", 2026, 3, 1, 0, "1.2"},   /* on the last one */
        {"EUR", 2027, 6, 30, 0, "1.2"},  /* long after the last: it stays in force */
        {"GBP", 2026, 1, 31, -1, NULL},  /* GBP starts 02-01; EUR's and JPY's do not count */
        {"GBP", 2026, 2, 1, 0, "1.2345678901"},
        {"JPY", 2026, 12, 31, 0, "0.0067"}, /* the only JPY rate */
        {"CHF", 2026, 6, 1, -1, NULL},      /* a currency without rates */
        {"AAA", 2026, 6, 1, -1, NULL},      /* sorts before every code */
        {"ZZZ", 2026, 6, 1, -1, NULL},      /* sorts after every code */
    };
    struct fx_rates r;
    rates_of(&r, table, N_ELEMS(table));
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        const struct on_case *c = &cases[i];
        struct decimal got = {-7, 3}; /* a sentinel: untouched when there is no rate */
        int rc = fx_rate_on(&r, c->code, day(c->y, c->m, c->d), &got);
        cr_assert_eq(rc, c->rc, "case %zu: %s on %04d-%02d-%02d: rc %d", i, c->code, c->y, c->m,
                     c->d, rc);
        if (rc == 0)
            cr_assert_eq(decimal_cmp(got, D(c->want)), 0, "case %zu: %s: wrong rate", i, c->code);
        else
            cr_assert(got.units == -7 && got.scale == 3, "case %zu: out written without a rate", i);
    }
    fx_rates_release(&r);
    fx_rates_release(&r); /* released twice: still empty, no double free */
    cr_assert_eq(r.n, 0);
}

Test(fx, an_empty_table_has_no_rate)
{
    struct fx_rates r;
    rates_of(&r, NULL, 0);
    struct decimal got;
    cr_assert_eq(fx_rate_on(&r, "EUR", day(2026, 1, 1), &got), -1);
    fx_rates_release(&r);
    fx_rates_release(NULL);
}

struct conv_case {
    int64_t in;
    const char *code; /* the other currency */
    const char *rate;
    int base_digits;
    int64_t want;
};

/* Into the reporting currency: in × rate, minor digits folded in, rounded half away from zero. */
Test(fx, to_base_multiplies_and_rounds_once_half_away_from_zero)
{
    static const struct conv_case cases[] = {
        /* EUR → USD (2 → 2 digits) */
        {1, "EUR", "1.5", 2, 2},   /* 0.01 × 1.5 = 0.015 USD = 1.5 cents → 2 (half up) */
        {-1, "EUR", "1.5", 2, -2}, /* −1.5 cents → −2 (half away from zero, not toward +∞) */
        {3, "EUR", "1.5", 2, 5},   /* 4.5 → 5 */
        {-3, "EUR", "1.5", 2, -5},        /* −4.5 → −5 */
        {2, "EUR", "1.25", 2, 3},         /* 2.5 → 3 */
        {-2, "EUR", "1.25", 2, -3},       /* −2.5 → −3 */
        {1, "EUR", "1.25", 2, 1},         /* 1.25 → 1 (below the half) */
        {-1, "EUR", "1.25", 2, -1},       /* −1.25 → −1 */
        {7, "EUR", "1.1", 2, 8},          /* 7.7 → 8 */
        {-7, "EUR", "1.1", 2, -8},        /* −7.7 → −8 */
        {10000, "EUR", "1.10", 2, 11000}, /* 100.00 EUR × 1.10 = 110.00 USD */
        {0, "EUR", "1.10", 2, 0},
        /* JPY (0 digits) → USD (2): yen × rate USD = yen × rate × 100 cents */
        {1000, "JPY", "0.0067", 2, 670}, /* ¥1000 × 0.0067 = 6.70 USD = 670 cents */
        {1, "JPY", "0.0067", 2, 1},      /* ¥1 = 0.67 cents → 1 */
        {-1, "JPY", "0.0067", 2, -1},    /* −0.67 → −1 */
        {75, "JPY", "0.0067", 2, 50},    /* ¥75 × 0.67 = 50.25 cents → 50 */
        /* USD (2) → JPY base (0): cents × rate / 100 */
        {100, "USD", "150", 0, 150}, /* 1.00 USD × 150 = ¥150 */
        {1, "USD", "150", 0, 2},     /* 0.01 USD × 150 = ¥1.5 → ¥2 */
        {-1, "USD", "150", 0, -2},   /* −¥1.5 → −¥2 */
        /* JPY (0) → KWD base (3): the rate's scale goes below 0 (2 × 10^3 per yen in fils) */
        {5, "JPY", "2", 3, 10000}, /* ¥5 × 2 KWD = 10 KWD = 10000 fils */
        /* a rate with 10 fractional digits */
        {100000, "GBP", "1.2345678901", 2, 123457},   /* 1000.00 × 1.2345678901 = 1234.5678901
                                                        USD = 123456.78901 cents → 123457 */
        {-100000, "GBP", "1.2345678901", 2, -123457}, /* the same, negative */
        {1, "GBP", "0.0000000001", 2, 0},             /* 1e−10 cents → 0 */
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        const struct conv_case *c = &cases[i];
        int64_t got = -999;
        int rc = fx_to_base(c->in, c->code, D(c->rate), c->base_digits, &got);
        cr_assert_eq(rc, 0, "case %zu: rc %d", i, rc);
        cr_assert_eq(got, c->want, "case %zu: %lld %s × %s: got %lld, want %lld", i,
                     (long long)c->in, c->code, c->rate, (long long)got, (long long)c->want);
    }
}

/* Into a payee's currency: in ÷ rate, minor digits folded in, rounded half away from zero. */
Test(fx, from_base_divides_and_rounds_once_half_away_from_zero)
{
    static const struct conv_case cases[] = {
        /* USD base (2) → EUR (2) */
        {10000, "EUR", "1.10", 2, 9091},   /* 100.00 / 1.1 = 90.9090… EUR → 9091 cents */
        {-10000, "EUR", "1.10", 2, -9091}, /* a clawback: −9090.9… → −9091 */
        {1, "EUR", "0.4", 2, 3},           /* 1 / 0.4 = 2.5 cents → 3 */
        {-1, "EUR", "0.4", 2, -3},         /* −2.5 → −3 */
        {3, "EUR", "0.8", 2, 4},           /* 3 / 0.8 = 3.75 → 4 */
        {1, "EUR", "0.8", 2, 1},           /* 1.25 → 1 */
        {-1, "EUR", "0.8", 2, -1},         /* −1.25 → −1 */
        {11000, "EUR", "1.10", 2, 10000},  /* exact: 110.00 / 1.1 = 100.00 */
        /* USD base (2) → JPY (0): cents / 100 / rate yen */
        {670, "JPY", "0.0067", 2, 1000}, /* 6.70 USD / 0.0067 = ¥1000 */
        {1, "JPY", "0.0067", 2, 1},      /* 0.01 / 0.0067 = ¥1.49… → ¥1 */
        {-1, "JPY", "0.0067", 2, -1},    /* −¥1.49… → −¥1 */
        {335, "JPY", "0.0067", 2, 500},  /* 3.35 / 0.0067 = ¥500 */
        {2, "JPY", "0.008", 2, 3},       /* 0.02 / 0.008 = ¥2.5 → ¥3 */
        {-2, "JPY", "0.008", 2, -3},     /* −¥2.5 → −¥3 */
        /* JPY base (0) → USD (2): yen × 100 / rate cents */
        {150, "USD", "150", 0, 100}, /* ¥150 / 150 = 1.00 USD */
        {1, "USD", "150", 0, 1},     /* ¥1 / 150 = 0.00666… USD = 0.67 cents → 1 */
        {1, "USD", "200", 0, 1},     /* 0.5 cents → 1 */
        {-1, "USD", "200", 0, -1},   /* −0.5 cents → −1 */
        /* a rate with 10 fractional digits: 1,234,567.89 USD / 1.2345678901 GBP.
         * 1.2345678901 × 1,000,000 = 1,234,567.8901, which is 0.0001 more than the amount, so the
         * quotient is 1,000,000 − 0.0001 / 1.2345678901 = 999,999.999919… GBP
         * = 99,999,999.9919… pence → 100,000,000 */
        {123456789, "GBP", "1.2345678901", 2, 100000000},
        {-123456789, "GBP", "1.2345678901", 2, -100000000},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        const struct conv_case *c = &cases[i];
        int64_t got = -999;
        int rc = fx_from_base(c->in, c->code, D(c->rate), c->base_digits, &got);
        cr_assert_eq(rc, 0, "case %zu: rc %d", i, rc);
        cr_assert_eq(got, c->want, "case %zu: %lld ÷ %s (%s): got %lld, want %lld", i,
                     (long long)c->in, c->rate, c->code, (long long)got, (long long)c->want);
    }
}

Test(fx, a_result_that_does_not_fit_is_an_error)
{
    int64_t got;
    /* INT64_MAX cents × 2 > INT64_MAX */
    cr_assert_eq(fx_to_base(INT64_MAX, "EUR", D("2"), 2, &got), -1);
    cr_assert_eq(fx_to_base(INT64_MIN + 1, "EUR", D("2"), 2, &got), -1);
    /* JPY → KWD folds 10^3 into the rate: 10^16 × 1000 does not fit int64 before multiplying */
    cr_assert_eq(fx_to_base(1, "JPY", D("10000000000000000"), 3, &got), -1);
    /* INT64_MAX / 10^−10 ≈ 9.2e28 minor units */
    cr_assert_eq(fx_from_base(INT64_MAX, "EUR", D("0.0000000001"), 2, &got), -1);
    /* and the overflow flag was read and cleared: the next conversion is fine (1.00 / 2) */
    cr_assert_eq(fx_from_base(100, "EUR", D("2"), 2, &got), 0);
    cr_assert_eq(got, 50);
}
