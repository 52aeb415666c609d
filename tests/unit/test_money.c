/* test_money.c — strict amount parsing, exact rates, formatting, largest-remainder allocation. */
#include "money.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* UTF-8 spellings used in the tables. */
#define NBSP  "\xC2\xA0"     /* U+00A0 */
#define NNBSP "\xE2\x80\xAF" /* U+202F */
#define RSQ   "\xE2\x80\x99" /* U+2019, Swiss apostrophe grouping */
#define EURO  "\xE2\x82\xAC"
#define POUND "\xC2\xA3"
#define YEN   "\xC2\xA5"

static const struct money_fmt us = {'.', ',', 2};  /* en_US, USD */
static const struct money_fmt de = {',', '.', 2};  /* de_DE, EUR */
static const struct money_fmt fr = {',', ' ', 2};  /* fr_FR, EUR: space/NBSP/NNBSP groups */
static const struct money_fmt ch = {'.', '\'', 2}; /* de_CH, CHF: ' or U+2019 groups */
static const struct money_fmt jp = {'.', ',', 0};  /* JPY has no minor unit */
static const struct money_fmt kw = {'.', ',', 3};  /* KWD has 3 (fils) */
static const struct money_fmt cl = {'.', ',', 4};  /* CLF has 4 */
static const struct money_fmt bare = {'.', 0, 2};  /* no grouping declared */

struct parse_case {
    const char *in;
    const struct money_fmt *fmt;
    int64_t minor;
    const char *currency;
    int err;
};

/* Amounts worked out by hand: minor = whole * 10^minor_digits + fraction padded to that width.
 *   12,34,567.00  -> 1234567 * 100            = 123456700
 *   1,23,45,678.90 -> 12345678 * 100 + 90     = 1234567890
 *   INT64_MAX = 9223372036854775807, so in cents 92233720368547758.07 is the largest amount
 *   and -92233720368547758.08 (= INT64_MIN) the smallest. */
static const struct parse_case parse_cases[] = {
    /* plain numbers */
    {"0", &us, 0, "", MONEY_OK},
    {"1", &us, 100, "", MONEY_OK},
    {"1.5", &us, 150, "", MONEY_OK},
    {"1.50", &us, 150, "", MONEY_OK},
    {".5", &us, 50, "", MONEY_OK},
    {"-0.00", &us, 0, "", MONEY_OK},
    {"007.25", &us, 725, "", MONEY_OK},
    {"1234.50", &us, 123450, "", MONEY_OK},
    {"1,234.50", &us, 123450, "", MONEY_OK},
    {"1,234,567.89", &us, 123456789, "", MONEY_OK},
    {"12,34,567.00", &us, 123456700, "", MONEY_OK},
    {"1,23,45,678.90", &us, 1234567890, "", MONEY_OK},
    {"1,234", &us, 123400, "", MONEY_OK},
    /* symbols and codes, prefix and suffix, with and without a space */
    {"$1,234.50", &us, 123450, "USD", MONEY_OK},
    {"$ 1,234.50", &us, 123450, "USD", MONEY_OK},
    {"$" NBSP "1,234.50", &us, 123450, "USD", MONEY_OK},
    {"USD 1,234.50", &us, 123450, "USD", MONEY_OK},
    {"USD1,234.50", &us, 123450, "USD", MONEY_OK},
    {"usd 1,234.50", &us, 123450, "USD", MONEY_OK},
    {"1,234.50 USD", &us, 123450, "USD", MONEY_OK},
    {"1,234.50" NBSP "USD", &us, 123450, "USD", MONEY_OK},
    {"1,234.50 $", &us, 123450, "USD", MONEY_OK},
    {POUND "1,234.50", &us, 123450, "GBP", MONEY_OK},
    {EURO "1,234.50", &us, 123450, "EUR", MONEY_OK}, /* callers, not the parser, compare currency */
    {"CAD 10.00", &us, 1000, "CAD", MONEY_OK},
    /* padding */
    {"  $1,234.50  ", &us, 123450, "USD", MONEY_OK},
    {NBSP "$1,234.50" NBSP, &us, 123450, "USD", MONEY_OK},
    {NNBSP "1,234.50" NNBSP, &us, 123450, "", MONEY_OK},
    {"\t1.00\t", &us, 100, "", MONEY_OK},
    /* negatives */
    {"-1,200.00", &us, -120000, "", MONEY_OK},
    {"+1,200.00", &us, 120000, "", MONEY_OK},
    {"$-1,200.00", &us, -120000, "USD", MONEY_OK},
    {"-$1,200.00", &us, -120000, "USD", MONEY_OK},
    {"USD -1,234.50", &us, -123450, "USD", MONEY_OK},
    {"-USD 1,234.50", &us, -123450, "USD", MONEY_OK},
    {"(1,200.00)", &us, -120000, "", MONEY_OK},
    {"($1,200.00)", &us, -120000, "USD", MONEY_OK},
    {"$(1,200.00)", &us, -120000, "USD", MONEY_OK},
    {"$ (1,200.00)", &us, -120000, "USD", MONEY_OK},
    {"(1,200.00) USD", &us, -120000, "USD", MONEY_OK},
    {"(1,200.00 USD)", &us, -120000, "USD", MONEY_OK},
    {"1,200.00-", &us, -120000, "", MONEY_OK},
    {"(.5)", &us, -50, "", MONEY_OK},
    /* German, French, Swiss */
    {"1.234,50 " EURO, &de, 123450, "EUR", MONEY_OK},
    {"48.000,00 " EURO, &de, 4800000, "EUR", MONEY_OK},
    {"-1.234,50 " EURO, &de, -123450, "EUR", MONEY_OK},
    {"1.234,50 EUR", &de, 123450, "EUR", MONEY_OK},
    {EURO " 1.234,50", &de, 123450, "EUR", MONEY_OK},
    {"1.234,50-", &de, -123450, "", MONEY_OK},
    {"1234,5", &de, 123450, "", MONEY_OK},
    {"1.234", &de, 123400, "", MONEY_OK}, /* one thousand two hundred thirty-four in de_DE */
    {"1 234,50 " EURO, &fr, 123450, "EUR", MONEY_OK},
    {"1" NBSP "234,50" NBSP EURO, &fr, 123450, "EUR", MONEY_OK},
    {"1" NNBSP "234,50" NNBSP EURO, &fr, 123450, "EUR", MONEY_OK},
    {"1 234 567,89 " EURO, &fr, 123456789, "EUR", MONEY_OK},
    {"1 234 " EURO, &fr, 123400, "EUR", MONEY_OK},
    {"CHF 1" RSQ "234.50", &ch, 123450, "CHF", MONEY_OK},
    {"CHF 1'234.50", &ch, 123450, "CHF", MONEY_OK},
    {"1" RSQ "234" RSQ "567.00", &ch, 123456700, "", MONEY_OK},
    /* currencies with 0, 3 and 4 minor digits */
    {YEN "10,000", &jp, 10000, "JPY", MONEY_OK},
    {"JPY 10,000", &jp, 10000, "JPY", MONEY_OK},
    {YEN "-500", &jp, -500, "JPY", MONEY_OK},
    {"10,000.5", &jp, 0, "", MONEY_EPRECISION},
    {"10,000.00", &jp, 0, "", MONEY_EPRECISION},
    {"KWD 1,234.567", &kw, 1234567, "KWD", MONEY_OK},
    {"1.5", &kw, 1500, "", MONEY_OK},
    {"0.001", &kw, 1, "", MONEY_OK},
    {"1.2345", &kw, 0, "", MONEY_EPRECISION},
    {"CLF 1.2345", &cl, 12345, "CLF", MONEY_OK},
    /* range: INT64_MAX/INT64_MIN minor units exactly, and one unit beyond */
    {"92233720368547758.07", &us, INT64_MAX, "", MONEY_OK},
    {"92,233,720,368,547,758.07", &us, INT64_MAX, "", MONEY_OK},
    {"92233720368547758.08", &us, 0, "", MONEY_EOVERFLOW},
    {"-92233720368547758.08", &us, INT64_MIN, "", MONEY_OK},
    {"(92233720368547758.08)", &us, INT64_MIN, "", MONEY_OK},
    {"92233720368547758.08-", &us, INT64_MIN, "", MONEY_OK},
    {"-92233720368547758.09", &us, 0, "", MONEY_EOVERFLOW},
    {"92233720368547758", &us, 9223372036854775800, "", MONEY_OK},
    {"92233720368547759", &us, 0, "", MONEY_EOVERFLOW},   /* 9223372036854775900 > INT64_MAX */
    {"92233720368547758.1", &us, 0, "", MONEY_EOVERFLOW}, /* ...810 > ...807 */
    {"9223372036854775807", &jp, INT64_MAX, "", MONEY_OK},
    {"9223372036854775808", &jp, 0, "", MONEY_EOVERFLOW},
    {"-9223372036854775808", &jp, INT64_MIN, "", MONEY_OK},
    {"99999999999999999999999999999999999999999", &us, 0, "", MONEY_EOVERFLOW},
    {"0000000000000000000000000000001.00", &us, 100, "", MONEY_OK},
    /* grouping in the wrong places */
    {"12,50", &us, 0, "", MONEY_EGROUPING},
    {"12,50 " EURO, &us, 0, "", MONEY_EGROUPING},
    {"1,2345", &us, 0, "", MONEY_EGROUPING},
    {"1,234,5", &us, 0, "", MONEY_EGROUPING},
    {"1234,567.00", &us, 0, "", MONEY_EGROUPING},
    {"0,123", &us, 0, "", MONEY_EGROUPING},
    {"123,45,678.00", &us, 0, "", MONEY_EGROUPING}, /* Indian groups need a 1-2 digit head */
    {"1,234,56,789", &us, 0, "", MONEY_EGROUPING},  /* 3- and 2-digit groups mixed */
    {"12.50", &de, 0, "", MONEY_EGROUPING},
    {"1,234.5", &us, 123450, "", MONEY_OK},
    /* precision */
    {"1.500", &us, 0, "", MONEY_EPRECISION},
    {"1,234.567", &us, 0, "", MONEY_EPRECISION},
    /* grouping characters the format did not declare */
    {"1,234.50", &bare, 0, "", MONEY_ESYNTAX},
    {"1'234.50", &bare, 0, "", MONEY_ESYNTAX},
    {"1234.50", &bare, 123450, "", MONEY_OK},
    {"1" RSQ "234.50", &us, 0, "", MONEY_ESYNTAX},
    {"1 234.50", &us, 0, "", MONEY_ESYNTAX},
    {"1,234.50", &de, 0, "", MONEY_ESYNTAX},
    /* not amounts */
    {"1.", &us, 0, "", MONEY_ESYNTAX},
    {".", &us, 0, "", MONEY_ESYNTAX},
    {"5.10203E+10", &us, 0, "", MONEY_ESYNTAX}, /* also has too many decimals: syntax wins */
    {"5E+10", &us, 0, "", MONEY_ESYNTAX},
    {"1e3", &us, 0, "", MONEY_ESYNTAX},
    {"abc", &us, 0, "", MONEY_ESYNTAX},
    {"$", &us, 0, "", MONEY_ESYNTAX},
    {"-", &us, 0, "", MONEY_ESYNTAX},
    {"()", &us, 0, "", MONEY_ESYNTAX},
    {"1,,234", &us, 0, "", MONEY_ESYNTAX},
    {",123", &us, 0, "", MONEY_ESYNTAX},
    {"1,234,", &us, 0, "", MONEY_ESYNTAX},
    {"1.2.3", &us, 0, "", MONEY_ESYNTAX},
    {"--1", &us, 0, "", MONEY_ESYNTAX},
    {"- 1,200.00", &us, 0, "", MONEY_ESYNTAX},
    {"-(1,200.00)", &us, 0, "", MONEY_ESYNTAX},
    {"(-1,200.00)", &us, 0, "", MONEY_ESYNTAX},
    {"(1,200.00)-", &us, 0, "", MONEY_ESYNTAX},
    {"-1,200.00-", &us, 0, "", MONEY_ESYNTAX},
    {"(1,200.00", &us, 0, "", MONEY_ESYNTAX},
    {"1,200.00)", &us, 0, "", MONEY_ESYNTAX},
    {"( 1,200.00 )", &us, 0, "", MONEY_ESYNTAX},
    {"1,200.00 -", &us, 0, "", MONEY_ESYNTAX},
    {"$1,234.50 USD", &us, 0, "", MONEY_ESYNTAX},
    {"1,234.50 XYZ", &us, 0, "", MONEY_ESYNTAX},
    {"1 EURO", &us, 0, "", MONEY_ESYNTAX},
    {"1  234,50", &fr, 0, "", MONEY_ESYNTAX},
    {"0x10", &us, 0, "", MONEY_ESYNTAX},
    /* empty and spreadsheet errors */
    {"", &us, 0, "", MONEY_EEMPTY},
    {"   ", &us, 0, "", MONEY_EEMPTY},
    {NBSP NNBSP, &us, 0, "", MONEY_EEMPTY},
    {"#N/A", &us, 0, "", MONEY_ESPREADSHEET},
    {"#VALUE!", &us, 0, "", MONEY_ESPREADSHEET},
    {"#REF!", &us, 0, "", MONEY_ESPREADSHEET},
    {"#DIV/0!", &us, 0, "", MONEY_ESPREADSHEET},
    {"#NAME?", &us, 0, "", MONEY_ESPREADSHEET},
    {"#NUM!", &us, 0, "", MONEY_ESPREADSHEET},
    {"#NULL!", &us, 0, "", MONEY_ESPREADSHEET},
    {" #N/A ", &us, 0, "", MONEY_ESPREADSHEET},
    {"#n/a", &us, 0, "", MONEY_ESPREADSHEET},
    {"#N/A!", &us, 0, "", MONEY_ESYNTAX},
    {"#FOO", &us, 0, "", MONEY_ESYNTAX},
};

Test(money, parse_table_gives_the_hand_computed_amount_or_error)
{
    for (size_t i = 0; i < N_ELEMS(parse_cases); i++) {
        const struct parse_case *c = &parse_cases[i];
        struct money_parsed got;
        int err = money_parse(c->in, strlen(c->in), c->fmt, &got);
        cr_assert_eq(err, c->err, "'%s': error %d (%s), want %d (%s)", c->in, err,
                     money_strerror(err), c->err, money_strerror(c->err));
        cr_assert_eq(got.minor, c->minor, "'%s': minor %" PRId64 ", want %" PRId64, c->in,
                     got.minor, c->minor);
        cr_assert_str_eq(got.currency, c->currency, "'%s': currency '%s', want '%s'", c->in,
                         got.currency, c->currency);
    }
}

Test(money, parse_reads_exactly_len_bytes)
{
    struct money_parsed got;
    /* "1,234.50" is 8 bytes; the trailing junk lies outside the field. */
    cr_assert_eq(money_parse("1,234.50xyz", 8, &us, &got), MONEY_OK);
    cr_assert_eq(got.minor, 123450);
    /* An embedded NUL is a bad byte, not the end of the field. */
    cr_assert_eq(money_parse("1\0"
                             "00",
                             4, &us, &got),
                 MONEY_ESYNTAX);
    cr_assert_eq(money_parse("12", 0, &us, &got), MONEY_EEMPTY);
}

Test(money, strerror_is_lower_case_without_final_period)
{
    cr_assert_str_eq(money_strerror(MONEY_ESYNTAX), "not an amount in the declared format");
    cr_assert_str_eq(money_strerror(MONEY_EPRECISION), "too many decimals");
    for (int e = MONEY_OK; e <= MONEY_ECURRENCY + 1; e++) {
        const char *m = money_strerror(e);
        size_t n = strlen(m);
        cr_assert(n > 0, "error %d has no message", e);
        cr_assert(m[n - 1] != '.', "error %d: '%s' ends in a period", e, m);
        for (size_t j = 0; j < n; j++)
            cr_assert(!(m[j] >= 'A' && m[j] <= 'Z'), "error %d: '%s' has upper case", e, m);
    }
}

static const struct {
    const char *iso;
    int digits;
} minor_cases[] = {
    {"USD", 2},  {"usd", 2},  {"EUR", 2}, {"GBP", 2}, {"CHF", 2},   {"INR", 2},  {"CNY", 2},
    {"JPY", 0},  {"KRW", 0},  {"CLP", 0}, {"ISK", 0}, {"VND", 0},   {"XAF", 0},  {"XOF", 0},
    {"BIF", 0},  {"DJF", 0},  {"GNF", 0}, {"KMF", 0}, {"PYG", 0},   {"RWF", 0},  {"UGX", 0},
    {"UYI", 0},  {"VUV", 0},  {"XPF", 0}, {"BHD", 3}, {"IQD", 3},   {"JOD", 3},  {"KWD", 3},
    {"LYD", 3},  {"OMR", 3},  {"TND", 3}, {"CLF", 4}, {"UYW", 4},   {"AED", 2},  {"ZWL", 2},
    {"XYZ", -1}, {"XAU", -1}, {"", -1},   {"US", -1}, {"USDX", -1}, {"U$D", -1},
};

Test(money, minor_digits_follow_iso_4217)
{
    for (size_t i = 0; i < N_ELEMS(minor_cases); i++)
        cr_assert_eq(money_minor_digits(minor_cases[i].iso), minor_cases[i].digits, "'%s'",
                     minor_cases[i].iso);
    cr_assert_eq(money_minor_digits(NULL), -1);
}

static const struct {
    int64_t minor;
    int digits;
    const char *want;
} format_cases[] = {
    {-123450, 2, "-1234.50"},
    {1000, 0, "1000"},
    {5, 3, "0.005"},
    {0, 2, "0.00"},
    {0, 0, "0"},
    {-5, 2, "-0.05"},
    {123456, 4, "12.3456"},
    {INT64_MAX, 0, "9223372036854775807"},
    {INT64_MIN, 2, "-92233720368547758.08"},
    {1, 18, "0.000000000000000001"},
};

Test(money, format_writes_plain_fixed_decimals)
{
    char buf[64];
    for (size_t i = 0; i < N_ELEMS(format_cases); i++) {
        size_t n = money_format(buf, sizeof buf, format_cases[i].minor, format_cases[i].digits);
        cr_assert_str_eq(buf, format_cases[i].want, "%" PRId64 "/%d", format_cases[i].minor,
                         format_cases[i].digits);
        cr_assert_eq(n, strlen(format_cases[i].want));
    }
}

Test(money, format_truncates_like_snprintf)
{
    char buf[4] = "zzz";
    cr_assert_eq(money_format(buf, sizeof buf, 123450, 2), 7); /* "1234.50" */
    cr_assert_str_eq(buf, "123");
    cr_assert_eq(money_format(buf, 0, -1, 2), 5); /* "-0.01", nothing written */
    cr_assert_str_eq(buf, "123");
}

Test(money, format_then_parse_round_trips)
{
    char buf[64];
    const int64_t values[] = {0, 1, -1, 99, -100, 123456789, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < N_ELEMS(values); i++) {
        struct money_parsed got;
        size_t n = money_format(buf, sizeof buf, values[i], 2);
        cr_assert_eq(money_parse(buf, n, &bare, &got), MONEY_OK, "'%s'", buf);
        cr_assert_eq(got.minor, values[i], "'%s'", buf);
    }
}

struct muldiv_case {
    int64_t a, b, c;
    int rc;
    int64_t want;
};

/*   2000010 * 5 / 100 = 100000.5 -> 100001 (5% of 20,000.10 pays 1,000.01)
 *   10 / 4 = 2.5 -> 3; 20 / 3 = 6.67 -> 7; 10 / 3 = 3.33 -> 3
 *   6148914691236517205 * 3 = 2^64 - 1, / 2 = 2^63 - 0.5 -> rounds to 2^63: only negative fits
 *   INT64_MIN * INT64_MIN / INT64_MIN = 2^126 / -2^63 = -2^63 = INT64_MIN */
static const struct muldiv_case muldiv_cases[] = {
    {2000010, 5, 100, 0, 100001},
    {-2000010, 5, 100, 0, -100001},
    {2000010, -5, 100, 0, -100001},
    {2000010, 5, -100, 0, -100001},
    {-2000010, -5, 100, 0, 100001},
    {-2000010, -5, -100, 0, -100001},
    {10, 1, 4, 0, 3},
    {-10, 1, 4, 0, -3},
    {20, 1, 3, 0, 7},
    {10, 1, 3, 0, 3},
    {-10, 1, 3, 0, -3},
    {0, 5, 7, 0, 0},
    {1, 1, 0, -1, 0},
    {INT64_MAX, INT64_MAX, INT64_MAX, 0, INT64_MAX},
    {INT64_MIN, 1, 1, 0, INT64_MIN},
    {INT64_MIN, -1, 1, -1, 0},
    {INT64_MIN, 1, -1, -1, 0},
    {INT64_MAX, 2, 1, -1, 0},
    {INT64_MAX, -1, 1, 0, -INT64_MAX},
    {INT64_MIN, INT64_MIN, INT64_MIN, 0, INT64_MIN},
    {6148914691236517205, 3, 2, -1, 0},
    {-6148914691236517205, 3, 2, 0, INT64_MIN},
};

Test(money, mul_div_rounds_half_away_from_zero_exactly)
{
    for (size_t i = 0; i < N_ELEMS(muldiv_cases); i++) {
        const struct muldiv_case *c = &muldiv_cases[i];
        int64_t got = 12345;
        int rc = money_mul_div(c->a, c->b, c->c, &got);
        cr_assert_eq(rc, c->rc, "%" PRId64 " * %" PRId64 " / %" PRId64 ": rc %d", c->a, c->b, c->c,
                     rc);
        if (rc == 0)
            cr_assert_eq(got, c->want, "%" PRId64 " * %" PRId64 " / %" PRId64 ": %" PRId64, c->a,
                         c->b, c->c, got);
        else
            cr_assert_eq(got, 12345, "failure must leave *out alone");
    }
}

struct muldec_case {
    int64_t minor;
    struct decimal rate;
    int rc;
    int64_t want;
};

/*   20,000.10 at 5%: 2000010 * 5 / 100 = 100000.5 -> 100001 cents = 1,000.01
 *   10.00 at 12.5%: 1000 * 125 / 1000 = 125
 *   3.33 at 50%: 333 * 5 / 10 = 166.5 -> 167
 *   1,234.56 at FX 1.085: 123456 * 1.085 = 123456 + 10493.76 = 133949.76 -> 133950
 *   INT64_MAX at 10^-18: 9.223372036854775807 -> 9 */
static const struct muldec_case muldec_cases[] = {
    {2000010, {5, 2}, 0, 100001},
    {-2000010, {5, 2}, 0, -100001},
    {1000, {125, 3}, 0, 125},
    {333, {5, 1}, 0, 167},
    {-333, {5, 1}, 0, -167},
    {123456, {10850000000, 10}, 0, 133950},
    {INT64_MAX, {1, 18}, 0, 9},
    {12345, {0, 0}, 0, 0},
    {1, {INT64_MAX, 0}, 0, INT64_MAX},
    {100, {INT64_MAX, 0}, -1, 0},
    {INT64_MAX, {2, 0}, -1, 0},
    {INT64_MAX, {INT64_MAX, 18}, -1, 0}, /* ~8.5e19 > INT64_MAX */
    {INT64_MIN, {-1, 0}, -1, 0},
    {100, {1, 19}, -1, 0},
    {100, {1, -1}, -1, 0},
};

Test(money, mul_decimal_applies_rates_exactly)
{
    for (size_t i = 0; i < N_ELEMS(muldec_cases); i++) {
        const struct muldec_case *c = &muldec_cases[i];
        int64_t got = 0;
        int rc = money_mul_decimal(c->minor, c->rate, &got);
        cr_assert_eq(rc, c->rc, "%" PRId64 " * %" PRId64 "e-%d: rc %d", c->minor, c->rate.units,
                     c->rate.scale, rc);
        if (rc == 0)
            cr_assert_eq(got, c->want, "%" PRId64 " * %" PRId64 "e-%d: %" PRId64, c->minor,
                         c->rate.units, c->rate.scale, got);
    }
}

struct decparse_case {
    const char *in;
    int rc;
    int64_t units;
    int scale;
};

static const struct decparse_case decparse_cases[] = {
    {"5%", 0, 5, 2},
    {"12.5%", 0, 125, 3},
    {"0.05", 0, 5, 2},
    {"-3", 0, -3, 0},
    {"5 %", 0, 5, 2},
    {"5" NNBSP "%", 0, 5, 2},
    {"+1.5", 0, 15, 1},
    {"100%", 0, 100, 2},
    {".5", 0, 5, 1},
    {" 0.25 ", 0, 25, 2},
    {"1.0850000000", 0, 10850000000, 10},
    {"0.000000000000000001", 0, 1, 18},
    {"0.0000000000000000001", -1, 0, 0}, /* 19 fractional digits */
    {"0.0000000000000001%", 0, 1, 18},   /* 16 digits + 2 for the percent */
    {"0.00000000000000001%", -1, 0, 0},  /* 17 + 2 = 19 */
    {"9223372036854775807", 0, INT64_MAX, 0},
    {"9223372036854775808", -1, 0, 0},
    {"-9223372036854775808", 0, INT64_MIN, 0},
    {"5%%", -1, 0, 0},
    {"", -1, 0, 0},
    {"   ", -1, 0, 0},
    {"abc", -1, 0, 0},
    {"1e3", -1, 0, 0},
    {"%", -1, 0, 0},
    {"-", -1, 0, 0},
    {"1.", -1, 0, 0},
    {"1.2.3", -1, 0, 0},
    {"1,5", -1, 0, 0},
    {"$5", -1, 0, 0},
    {"--5", -1, 0, 0},
    {"- 5", -1, 0, 0},
    {"5 % %", -1, 0, 0},
    {"%5", -1, 0, 0},
};

Test(decimal, parse_accepts_plain_and_percent_rates_strictly)
{
    for (size_t i = 0; i < N_ELEMS(decparse_cases); i++) {
        const struct decparse_case *c = &decparse_cases[i];
        struct decimal d = {0, 0};
        int rc = decimal_parse(c->in, strlen(c->in), &d);
        cr_assert_eq(rc, c->rc, "'%s': rc %d", c->in, rc);
        if (rc == 0) {
            cr_assert_eq(d.units, c->units, "'%s': units %" PRId64, c->in, d.units);
            cr_assert_eq(d.scale, c->scale, "'%s': scale %d", c->in, d.scale);
        }
    }
}

static const struct {
    struct decimal d;
    const char *want;
} decformat_cases[] = {
    {{5, 2}, "0.05"},
    {{125, 3}, "0.125"},
    {{125, 1}, "12.5"},
    {{3, 0}, "3"},
    {{-3, 0}, "-3"},
    {{500, 2}, "5"},
    {{1050, 2}, "10.5"},
    {{10, 0}, "10"},
    {{100, 1}, "10"},
    {{0, 5}, "0"},
    {{-5, 2}, "-0.05"},
    {{1, 18}, "0.000000000000000001"},
    {{INT64_MIN, 0}, "-9223372036854775808"},
    {{INT64_MIN, 18}, "-9.223372036854775808"},
};

Test(decimal, format_drops_trailing_zeros)
{
    char buf[64];
    for (size_t i = 0; i < N_ELEMS(decformat_cases); i++) {
        size_t n = decimal_format(buf, sizeof buf, decformat_cases[i].d);
        cr_assert_str_eq(buf, decformat_cases[i].want, "%" PRId64 "e-%d",
                         decformat_cases[i].d.units, decformat_cases[i].d.scale);
        cr_assert_eq(n, strlen(decformat_cases[i].want));
    }
    cr_assert_eq(decimal_format(buf, 3, (struct decimal){125, 3}), 5); /* "0.125" */
    cr_assert_str_eq(buf, "0.");
}

static int sign_of(int v)
{
    return (v > 0) - (v < 0);
}

static const struct {
    struct decimal a, b;
    int want;
} deccmp_cases[] = {
    {{5, 2}, {50, 3}, 0},
    {{5, 2}, {6, 2}, -1},
    {{-1, 0}, {-5, 1}, -1}, /* -1 < -0.5 */
    {{125, 3}, {12, 2}, 1}, /* 0.125 > 0.12 */
    {{1, 0}, {999999999999999999, 18}, 1},
    {{INT64_MAX, 0}, {INT64_MAX, 18}, 1},
    {{INT64_MIN, 0}, {INT64_MIN, 18}, -1},
    {{INT64_MIN, 0}, {INT64_MIN, 0}, 0},
    {{0, 0}, {0, 18}, 0},
};

Test(decimal, cmp_is_exact_across_scales)
{
    for (size_t i = 0; i < N_ELEMS(deccmp_cases); i++) {
        int got = decimal_cmp(deccmp_cases[i].a, deccmp_cases[i].b);
        cr_assert_eq(sign_of(got), deccmp_cases[i].want, "case %zu: %d", i, got);
        got = decimal_cmp(deccmp_cases[i].b, deccmp_cases[i].a);
        cr_assert_eq(sign_of(got), -deccmp_cases[i].want, "case %zu reversed: %d", i, got);
    }
}

struct alloc_case {
    int64_t total;
    size_t n;
    uint64_t weights[4];
    int64_t want[4];
};

/*   100 / 3 = 33 r 1 for each share: one unit left, ties to the first -> 34, 33, 33
 *   100 over 3:3:1 (W 7): 300/7 = 42 r 6 twice, 100/7 = 14 r 2; 2 left -> 43, 43, 14
 *   10 over 2:5:7 (W 14): 20/14 = 1 r 6, 50/14 = 3 r 8, 70/14 = 5 r 0; 1 left -> 1, 4, 5
 *   100000 over 3333:3333:3334: 33330, 33330, 33340 exactly
 *   101 over 0:1:0:1: 50 r 1 twice; 1 left -> index 1
 *   INT64_MAX over 1:1: 2^62 - 1 r 1 each (2^63 - 1 is odd); 1 left -> first gets 2^62 */
static const struct alloc_case alloc_cases[] = {
    {100, 3, {1, 1, 1}, {34, 33, 33}},
    {1, 3, {1, 1, 1}, {1, 0, 0}},
    {2, 3, {1, 1, 1}, {1, 1, 0}},
    {-100, 3, {1, 1, 1}, {-34, -33, -33}},
    {-1, 3, {1, 1, 1}, {-1, 0, 0}},
    {100000, 3, {1, 1, 1}, {33334, 33333, 33333}},
    {100000, 3, {3333, 3333, 3334}, {33330, 33330, 33340}},
    {100, 3, {3, 3, 1}, {43, 43, 14}},
    {10, 3, {2, 5, 7}, {1, 4, 5}},
    {-10, 3, {2, 5, 7}, {-1, -4, -5}},
    {100, 4, {0, 1, 0, 1}, {0, 50, 0, 50}},
    {101, 4, {0, 1, 0, 1}, {0, 51, 0, 50}},
    {1, 3, {0, 0, 1}, {0, 0, 1}},
    {0, 2, {1, 1}, {0, 0}},
    {100, 1, {UINT64_MAX}, {100}},
    {100, 2, {UINT64_MAX - 1, 1}, {100, 0}},
    {INT64_MIN, 1, {7}, {INT64_MIN}},
    {INT64_MIN, 2, {1, 1}, {-4611686018427387904, -4611686018427387904}},
    {INT64_MAX, 2, {1, 1}, {4611686018427387904, 4611686018427387903}},
};

Test(money, allocate_table_gives_hand_computed_shares)
{
    for (size_t i = 0; i < N_ELEMS(alloc_cases); i++) {
        const struct alloc_case *c = &alloc_cases[i];
        int64_t out[4] = {0};
        cr_assert_eq(money_allocate(c->total, c->weights, c->n, out), 0, "case %zu", i);
        for (size_t j = 0; j < c->n; j++)
            cr_assert_eq(out[j], c->want[j], "case %zu share %zu: %" PRId64 ", want %" PRId64, i, j,
                         out[j], c->want[j]);
    }
}

Test(money, allocate_rejects_no_shares_zero_weights_and_overflowing_weights)
{
    int64_t out[3] = {7, 7, 7};
    /* Each overflowing sum wraps to a nonzero value, so only the overflow check can catch it:
     * (2^64 - 1) + 2 wraps to 1; 2^63 + 2^63 + 5 wraps to 5. */
    const uint64_t zeros[3] = {0, 0, 0}, wraps_to_1[2] = {UINT64_MAX, 2},
                   wraps_to_5[3] = {1ull << 63, 1ull << 63, 5};
    cr_assert_eq(money_allocate(100, zeros, 0, out), -1);
    cr_assert_eq(money_allocate(100, zeros, 3, out), -1);
    cr_assert_eq(money_allocate(100, wraps_to_1, 2, out), -1);
    cr_assert_eq(money_allocate(100, wraps_to_5, 3, out), -1);
    cr_assert(out[0] == 7 && out[1] == 7 && out[2] == 7, "failure must leave out[] alone");
}

/* splitmix64: a fixed seed makes every run test the same cases. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t abs_u64(int64_t v)
{
    return v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
}

/* Checks the definition directly: each |out| is the floor of its exact share or one more, the
 * parts sum to total, and every share that got a unit has a larger remainder than every share
 * that did not (or an equal one and a lower index). */
static void check_allocation(int64_t total, const uint64_t *w, size_t n, const int64_t *out)
{
    uint64_t sum = 0, t = abs_u64(total);
    i128 got_sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i];
    for (size_t i = 0; i < n; i++) {
        u128 exact = (u128)t * w[i];
        uint64_t floor = (uint64_t)(exact / sum);
        uint64_t mag = abs_u64(out[i]);
        got_sum += out[i];
        cr_assert(mag == floor || mag == floor + 1, "total %" PRId64 " share %zu", total, i);
        cr_assert(out[i] == 0 || (out[i] < 0) == (total < 0), "sign of share %zu", i);
        if (w[i] == 0)
            cr_assert_eq(out[i], 0, "zero weight got %" PRId64, out[i]);
    }
    cr_assert(got_sum == (i128)total, "total %" PRId64 ": parts do not sum", total);
    for (size_t i = 0; i < n; i++) {
        uint64_t ri = (uint64_t)((u128)t * w[i] % sum);
        int up_i = abs_u64(out[i]) != (uint64_t)((u128)t * w[i] / sum);
        for (size_t j = 0; j < n; j++) {
            uint64_t rj = (uint64_t)((u128)t * w[j] % sum);
            int up_j = abs_u64(out[j]) != (uint64_t)((u128)t * w[j] / sum);
            if (up_i && !up_j)
                cr_assert(ri > rj || (ri == rj && i < j),
                          "total %" PRId64 ": share %zu (r %" PRIu64
                          ") got a unit before share %zu (r %" PRIu64 ")",
                          total, i, ri, j, rj);
        }
    }
}

Test(money, allocate_random_cases_sum_exactly_and_mirror_negatives)
{
    uint64_t state = 20261103;
    for (int k = 0; k < 5000; k++) {
        uint64_t w[12];
        int64_t pos[12], neg[12];
        size_t n = 1 + (size_t)(next_random(&state) % 12);
        uint64_t shape = next_random(&state) % 4;
        uint64_t any = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t r = next_random(&state);
            switch (shape) {
            case 0: /* small weights, many ties and zeros */
                w[i] = r % 4;
                break;
            case 1: /* percentages in basis points */
                w[i] = r % 10001;
                break;
            default: /* huge weights whose sum still fits in 64 bits */
                w[i] = r >> 4;
                break;
            }
            any |= w[i];
        }
        if (!any)
            w[0] = 1;
        uint64_t r = next_random(&state);
        int64_t total;
        switch (r % 3) {
        case 0:
            total = (int64_t)(r >> 40); /* up to ~16.7 million cents */
            break;
        case 1:
            total = (int64_t)(r >> 1); /* anything up to INT64_MAX */
            break;
        default:
            total = (int64_t)(r % 50);
            break;
        }
        cr_assert_eq(money_allocate(total, w, n, pos), 0);
        check_allocation(total, w, n, pos);
        cr_assert_eq(money_allocate(-total, w, n, neg), 0);
        check_allocation(-total, w, n, neg);
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(neg[i], -pos[i], "case %d share %zu: %" PRId64 " vs %" PRId64, k, i,
                         neg[i], pos[i]);
    }
}

Test(money, allocate_int64_min_splits_without_overflow)
{
    const uint64_t w[5] = {1, 2, 3, 4, 5};
    int64_t out[5];
    cr_assert_eq(money_allocate(INT64_MIN, w, 5, out), 0);
    check_allocation(INT64_MIN, w, 5, out);
}
