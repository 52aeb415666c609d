/* fuzz_money.c — libFuzzer target: money_parse, decimal_parse, money_mul_div and money_allocate.
 *
 * The whole input is one field. It is parsed with every valid struct money_fmt (decimal '.' or
 * ','; thousands ',', '.', ' ', '\'' or none; minor digits 0..4). Checked:
 *  - an amount that parses formats back (money_format) to a plain decimal that parses, with
 *    {'.', 0, digits}, to the same minor units and no currency;
 *  - on error *out is {0, ""}; a currency is "" or a known upper-case ISO code;
 *  - shape errors (empty, spreadsheet literal, syntax, grouping) do not depend on minor digits,
 *    and an amount valid with d digits is, with d + 1, ten times as many units or an overflow;
 *  - padding with spaces changes nothing;
 *  - decimal_parse round-trips through decimal_format; money_mul_decimal and money_mul_div agree
 *    with a 128-bit reference;
 *  - money_minor_digits gives -1 or 0..4;
 *  - money_allocate on weights taken from the input returns 0 exactly when it should, and then
 *    its shares sum to the total, follow the sign, are floor or floor + 1 of the exact share, and
 *    the extra units go to the largest remainders, ties to the lower index.
 * A violation prints what differed and aborts, so libFuzzer saves the input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_money: invariant failed at %s:%d: %s\n  ", __FILE__, __LINE__,   \
                    #cond);                                                                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define MAX_INPUT 4096 /* longer fields add nothing but time */

static const char decimals[] = {'.', ','};
static const char thousands[] = {',', '.', ' ', '\'', 0};

static bool shape_error(int e)
{
    return e == MONEY_EEMPTY || e == MONEY_ESPREADSHEET || e == MONEY_ESYNTAX ||
           e == MONEY_EGROUPING;
}

static void check_currency(const struct money_parsed *p, const char *s, size_t n)
{
    if (p->currency[0] == '\0')
        return;
    CHECK(p->currency[3] == '\0' && money_minor_digits(p->currency) >= 0,
          "currency '%.4s' from '%.*s'", p->currency, (int)n, s);
    for (int i = 0; i < 3; i++)
        CHECK(p->currency[i] >= 'A' && p->currency[i] <= 'Z', "currency '%.4s' not upper case",
              p->currency);
}

/* Parses s with fmt and checks what holds for any single result. */
static int parse_checked(const char *s, size_t n, const struct money_fmt *fmt,
                         struct money_parsed *out)
{
    memset(out, 0x5A, sizeof *out);
    int e = money_parse(s, n, fmt, out);
    CHECK(e >= MONEY_OK && e <= MONEY_ECURRENCY && e != MONEY_ECURRENCY, "money_parse returned %d",
          e);
    CHECK(money_strerror(e) != NULL, "no strerror for %d", e);
    if (e != MONEY_OK) {
        CHECK(out->minor == 0 && out->currency[0] == '\0', "error %d left out = {%lld, '%.4s'}", e,
              (long long)out->minor, out->currency);
        return e;
    }
    check_currency(out, s, n);

    char buf[64];
    size_t len = money_format(buf, sizeof buf, out->minor, fmt->minor_digits);
    CHECK(len < sizeof buf && strlen(buf) == len, "money_format length %zu", len);
    struct money_fmt plain = {'.', 0, fmt->minor_digits};
    struct money_parsed back;
    int e2 = money_parse(buf, len, &plain, &back);
    CHECK(e2 == MONEY_OK && back.minor == out->minor && back.currency[0] == '\0',
          "'%.*s' (decimal '%c', thousands %d, %d digits) is %lld, formatted '%s', parsed back "
          "as %d/%lld",
          (int)n, s, fmt->decimal, fmt->thousands, fmt->minor_digits, (long long)out->minor, buf,
          e2, (long long)back.minor);
    return e;
}

static void fuzz_parse(const char *s, size_t n, int64_t *some_minor, bool *have_minor)
{
    for (size_t di = 0; di < sizeof decimals; di++) {
        for (size_t ti = 0; ti < sizeof thousands; ti++) {
            if (thousands[ti] == decimals[di])
                continue;
            int prev_e = -1;
            struct money_parsed prev = {0, ""};
            for (int digits = 0; digits <= 4; digits++) {
                struct money_fmt fmt = {decimals[di], thousands[ti], digits};
                struct money_parsed p;
                int e = parse_checked(s, n, &fmt, &p);
                if (e == MONEY_OK && !*have_minor) {
                    *some_minor = p.minor;
                    *have_minor = true;
                }
                if (prev_e >= 0) {
                    if (shape_error(prev_e) || shape_error(e))
                        CHECK(e == prev_e, "'%.*s': %d with %d digits but %d with %d", (int)n, s,
                              prev_e, digits - 1, e, digits);
                    if (prev_e == MONEY_OK) {
                        i128 want = (i128)prev.minor * 10;
                        bool fits = want >= INT64_MIN && want <= INT64_MAX;
                        CHECK(fits ? (e == MONEY_OK && p.minor == (int64_t)want &&
                                      strcmp(p.currency, prev.currency) == 0)
                                   : e == MONEY_EOVERFLOW,
                              "'%.*s': %lld with %d digits, then %d/%lld with %d", (int)n, s,
                              (long long)prev.minor, digits - 1, e, (long long)p.minor, digits);
                    }
                }
                prev_e = e;
                prev = p;
            }
        }
    }

    /* Padding is trimmed, so it cannot change the result. */
    char padded[MAX_INPUT + 4];
    memcpy(padded, " \xC2\xA0", 3); /* space, NBSP */
    memcpy(padded + 3, s, n);
    padded[n + 3] = '\t';
    struct money_fmt fmt = {',', '.', 2};
    struct money_parsed a, b;
    int ea = money_parse(s, n, &fmt, &a);
    int eb = money_parse(padded, n + 4, &fmt, &b);
    CHECK(ea == eb && a.minor == b.minor && strcmp(a.currency, b.currency) == 0,
          "'%.*s' gives %d/%lld, padded %d/%lld", (int)n, s, ea, (long long)a.minor, eb,
          (long long)b.minor);
}

/* round_half_away_from_zero(a * b / c) in 128 bits, by signed division. */
static bool ref_mul_div(int64_t a, int64_t b, int64_t c, int64_t *out)
{
    if (c == 0)
        return false;
    i128 p = (i128)a * b;
    i128 q = p / c, r = p % c;
    u128 ar = r < 0 ? (u128)-r : (u128)r;
    u128 ac = c < 0 ? (u128) - (i128)c : (u128)c;
    if (2 * ar >= ac)
        q += ((p < 0) != (c < 0)) ? -1 : 1;
    if (q < INT64_MIN || q > INT64_MAX)
        return false;
    *out = (int64_t)q;
    return true;
}

static void fuzz_decimal(const char *s, size_t n, int64_t minor)
{
    struct decimal d = {0x5A5A, 99};
    if (decimal_parse(s, n, &d) != 0) {
        CHECK(d.units == 0x5A5A && d.scale == 99, "decimal_parse failed but wrote *out");
        return;
    }
    CHECK(d.scale >= 0 && d.scale <= 18, "'%.*s': scale %d", (int)n, s, d.scale);
    char buf[64];
    size_t len = decimal_format(buf, sizeof buf, d);
    CHECK(len < sizeof buf && strlen(buf) == len, "decimal_format length %zu", len);
    struct decimal back;
    CHECK(decimal_parse(buf, len, &back) == 0 && decimal_cmp(back, d) == 0,
          "'%.*s' is {%lld, %d}, formatted '%s', which does not parse back to it", (int)n, s,
          (long long)d.units, d.scale, buf);
    CHECK(decimal_cmp(d, d) == 0, "decimal_cmp(d, d) != 0");

    static const int64_t pow10[19] = {1,
                                      10,
                                      100,
                                      1000,
                                      10000,
                                      100000,
                                      1000000,
                                      10000000,
                                      100000000,
                                      1000000000,
                                      10000000000,
                                      100000000000,
                                      1000000000000,
                                      10000000000000,
                                      100000000000000,
                                      1000000000000000,
                                      10000000000000000,
                                      100000000000000000,
                                      1000000000000000000};
    int64_t got = 0x5A5A, want = 0;
    int rc = money_mul_decimal(minor, d, &got);
    bool ok = ref_mul_div(minor, d.units, pow10[d.scale], &want);
    CHECK((rc == 0) == ok && (!ok || got == want),
          "money_mul_decimal(%lld, {%lld, %d}) = %d/%lld, expected %d/%lld", (long long)minor,
          (long long)d.units, d.scale, rc, (long long)got, ok ? 0 : -1, (long long)want);
}

/* Reads the input as a stream of integers for the arithmetic checks. */
struct bytes {
    const uint8_t *p;
    size_t n;
};

static uint64_t take(struct bytes *b, size_t k)
{
    uint64_t v = 0;
    for (size_t i = 0; i < k && b->n > 0; i++, b->p++, b->n--)
        v = (v << 8) | *b->p;
    return v;
}

static void fuzz_mul_div(struct bytes *b)
{
    int64_t a = (int64_t)take(b, 8), x = (int64_t)take(b, 8), c = (int64_t)take(b, 8);
    int64_t got = 0x5A5A, want = 0;
    int rc = money_mul_div(a, x, c, &got);
    bool ok = ref_mul_div(a, x, c, &want);
    CHECK((rc == 0) == ok && (!ok || got == want),
          "money_mul_div(%lld, %lld, %lld) = %d/%lld, expected %d/%lld", (long long)a, (long long)x,
          (long long)c, rc, (long long)got, ok ? 0 : -1, (long long)want);
    if (rc != 0)
        CHECK(got == 0x5A5A, "money_mul_div failed but wrote *out");
}

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
}

static void fuzz_allocate(struct bytes *b, int64_t total)
{
    enum { MAX_SHARES = 16 };
    uint64_t w[MAX_SHARES];
    int64_t out[MAX_SHARES];
    size_t n = (size_t)(take(b, 1) % (MAX_SHARES + 1));
    for (size_t i = 0; i < n; i++) {
        uint64_t sel = take(b, 1);
        switch (sel % 4) {
        case 0:
            w[i] = 0;
            break;
        case 1:
            w[i] = sel >> 2; /* small: many ties */
            break;
        case 2:
            w[i] = take(b, 8);
            break;
        default:
            w[i] = take(b, 8) >> (sel % 64);
            break;
        }
    }
    u128 sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i];
    bool valid = n > 0 && sum > 0 && sum <= UINT64_MAX;
    for (size_t i = 0; i < MAX_SHARES; i++)
        out[i] = 0x5A5A;
    int rc = money_allocate(total, w, n, out);
    CHECK(rc == (valid ? 0 : -1), "money_allocate(%lld, n=%zu) returned %d", (long long)total, n,
          rc);
    if (rc != 0) {
        for (size_t i = 0; i < n; i++)
            CHECK(out[i] == 0x5A5A, "money_allocate failed but wrote out[%zu]", i);
        return;
    }

    uint64_t abs_total = magnitude(total);
    i128 got = 0;
    uint64_t floors = 0;
    uint64_t rem[MAX_SHARES];
    bool extra[MAX_SHARES];
    for (size_t i = 0; i < n; i++) {
        got += out[i];
        uint64_t q = (uint64_t)((u128)abs_total * w[i] / sum);
        rem[i] = (uint64_t)((u128)abs_total * w[i] % sum);
        floors += q;
        uint64_t m = magnitude(out[i]);
        CHECK(out[i] == 0 || (out[i] < 0) == (total < 0), "share %zu = %lld, total %lld", i,
              (long long)out[i], (long long)total);
        CHECK(m == q || m == q + 1, "share %zu = %lld, floor %llu", i, (long long)out[i],
              (unsigned long long)q);
        CHECK(w[i] != 0 || out[i] == 0, "zero weight %zu got %lld", i, (long long)out[i]);
        extra[i] = m == q + 1;
    }
    CHECK(got == total, "shares of %lld sum to %lld (n=%zu)", (long long)total, (long long)got, n);
    CHECK(abs_total - floors < n || floors == abs_total, "%llu units left over for %zu shares",
          (unsigned long long)(abs_total - floors), n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (extra[i] && !extra[j])
                CHECK(rem[i] > rem[j] || (rem[i] == rem[j] && i < j),
                      "share %zu (remainder %llu) got the extra unit before share %zu (%llu)", i,
                      (unsigned long long)rem[i], j, (unsigned long long)rem[j]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = size < MAX_INPUT ? size : MAX_INPUT;
    /* A private copy so ASan catches a read one past the field. */
    char *s = malloc(n ? n : 1);
    if (!s)
        abort();
    memcpy(s, data, n);

    int64_t minor = 0;
    bool have_minor = false;
    fuzz_parse(s, n, &minor, &have_minor);
    fuzz_decimal(s, n, have_minor ? minor : 12345);

    /* The input as a currency code. */
    char code[5] = {0};
    memcpy(code, s, n < 4 ? n : 4);
    int md = money_minor_digits(code);
    CHECK(md >= -1 && md <= 4, "money_minor_digits('%s') = %d", code, md);

    struct bytes b = {data, size};
    fuzz_mul_div(&b);
    b = (struct bytes){data, size};
    int64_t total = have_minor ? minor : (int64_t)take(&b, 8);
    fuzz_allocate(&b, total);

    free(s);
    return 0;
}
