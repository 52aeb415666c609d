/* rat.c — reduced 128-bit rationals with overflow detection. */
#include "rat.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Per thread: outputs are written by several threads at once (run.c). */
static _Thread_local bool overflow_flag;

bool rat_overflowed(void)
{
    bool f = overflow_flag;
    overflow_flag = false;
    return f;
}

static rat_int iabs(rat_int v)
{
    if (v < 0) {
        if (v == -v && v != 0) /* the most negative value */
            overflow_flag = true;
        return -v;
    }
    return v;
}

static bool fits_u64(rat_int v)
{
    return v >= 0 && v <= (rat_int)UINT64_MAX;
}

static bool fits_i64(rat_int v)
{
    return v >= -(rat_int)INT64_MAX && v <= (rat_int)INT64_MAX;
}

static rat_int gcd(rat_int a, rat_int b)
{
    a = iabs(a);
    b = iabs(b);
    while (b) {
        if (fits_u64(a) && fits_u64(b)) { /* the same steps in 64 bits: no 128-bit division */
            uint64_t x = (uint64_t)a, y = (uint64_t)b;
            while (y) {
                uint64_t t = x % y;
                x = y;
                y = t;
            }
            return (rat_int)x;
        }
        rat_int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* x / y for y > 0, in 64 bits when both fit (the same quotient, truncated toward zero). */
static rat_int quo(rat_int x, rat_int y)
{
    if (fits_i64(x) && fits_i64(y))
        return (rat_int)((int64_t)x / (int64_t)y);
    return x / y;
}

static rat_int mul(rat_int a, rat_int b)
{
    rat_int r;
    if (__builtin_mul_overflow(a, b, &r)) {
        overflow_flag = true;
        return 0;
    }
    return r;
}

static rat_int add(rat_int a, rat_int b)
{
    rat_int r;
    if (__builtin_add_overflow(a, b, &r)) {
        overflow_flag = true;
        return 0;
    }
    return r;
}

/* The most negative rat_int: iabs of it sets the overflow flag, so the fast paths leave it to
 * the general steps. */
__extension__ typedef unsigned __int128 rat_uint;
#define RAT_INT_MIN (-(rat_int)(~(rat_uint)0 >> 1) - 1)

static struct rat make(rat_int n, rat_int d)
{
    if (d == 1 && n != RAT_INT_MIN) /* what the steps below give: gcd(n, 1) == 1 */
        return (struct rat){n, 1};
    if (d == 0) {
        if (overflow_flag) /* an overflowing product already made the result meaningless */
            return (struct rat){0, 1};
        BUG("rational with a zero denominator");
    }
    if (d < 0) {
        n = -n;
        d = -d;
    }
    rat_int g = gcd(n, d);
    if (g > 1) {
        n = quo(n, g);
        d = quo(d, g);
    }
    if (n == 0)
        d = 1;
    return (struct rat){n, d};
}

struct rat rat_int64(int64_t v)
{
    return (struct rat){v, 1};
}

struct rat rat_frac(int64_t n, int64_t d)
{
    return make(n, d);
}

struct rat rat_dec(struct decimal v)
{
    if (v.scale < 0 || v.scale > 18)
        BUG("decimal scale out of range");
    rat_int d = 1;
    for (int i = 0; i < v.scale; i++)
        d *= 10;
    return make(v.units, d);
}

struct rat rat_add(struct rat a, struct rat b)
{
    /* a.n/a.d + b.n/b.d over lcm(a.d, b.d). */
    if (a.d == b.d) /* the steps below with g = a.d: (a.n × 1 + b.n × 1) / (a.d × 1) */
        return make(add(a.n, b.n), a.d);
    rat_int g = gcd(a.d, b.d);
    rat_int da = quo(a.d, g), db = quo(b.d, g);
    rat_int n = add(mul(a.n, db), mul(b.n, da));
    rat_int d = mul(a.d, db);
    return make(n, d);
}

struct rat rat_neg(struct rat a)
{
    return (struct rat){-a.n, a.d};
}

struct rat rat_sub(struct rat a, struct rat b)
{
    return rat_add(a, rat_neg(b));
}

struct rat rat_mul(struct rat a, struct rat b)
{
    /* Cross-reduce first so the products stay small. */
    if (a.d == 1 && b.d == 1 && a.n != RAT_INT_MIN && b.n != RAT_INT_MIN)
        return make(mul(a.n, b.n), 1); /* the steps below with g1 = g2 = 1 */
    rat_int g1 = gcd(a.n, b.d), g2 = gcd(b.n, a.d);
    if (g1 == 0)
        g1 = 1;
    if (g2 == 0)
        g2 = 1;
    rat_int n = mul(quo(a.n, g1), quo(b.n, g2));
    rat_int d = mul(quo(a.d, g2), quo(b.d, g1));
    return make(n, d);
}

struct rat rat_div(struct rat a, struct rat b)
{
    if (b.n == 0)
        BUG("rational division by zero");
    struct rat inv = b.n < 0 ? (struct rat){-b.d, -b.n} : (struct rat){b.d, b.n};
    return rat_mul(a, inv);
}

struct rat rat_abs(struct rat a)
{
    return a.n < 0 ? rat_neg(a) : a;
}

int rat_sign(struct rat a)
{
    return (a.n > 0) - (a.n < 0);
}

int rat_cmp(struct rat a, struct rat b)
{
    /* Within 64 bits the cross products are exact in 128 (and a - b could not overflow). */
    if (fits_i64(a.n) && fits_i64(a.d) && fits_i64(b.n) && fits_i64(b.d)) {
        rat_int x = a.n * b.d, y = b.n * a.d;
        return x < y ? -1 : x > y;
    }
    return rat_sign(rat_sub(a, b));
}

struct rat rat_min(struct rat a, struct rat b)
{
    return rat_cmp(a, b) <= 0 ? a : b;
}

struct rat rat_max(struct rat a, struct rat b)
{
    return rat_cmp(a, b) >= 0 ? a : b;
}

int64_t rat_round(struct rat a)
{
    rat_int m = iabs(a.n);
    rat_int q = m / a.d, r = m % a.d;
    if (r >= a.d - r) /* r / d >= 1/2 */
        q++;
    if (a.n < 0 && q == (rat_int)INT64_MAX + 1)
        return INT64_MIN;
    if (q > INT64_MAX) {
        overflow_flag = true;
        return 0;
    }
    return a.n < 0 ? -(int64_t)q : (int64_t)q;
}

double rat_to_double(struct rat a)
{
    return (double)a.n / (double)a.d;
}

size_t rat_format(char *buf, size_t size, struct rat a, int digits)
{
    if (digits < 0 || digits > 18)
        BUG("rat_format digits out of range");
    rat_int p = 1;
    for (int i = 0; i < digits; i++)
        p *= 10;
    int64_t scaled = rat_round(rat_mul(a, (struct rat){p, 1}));
    char tmp[64];
    money_format(tmp, sizeof tmp, scaled, digits);
    size_t len = 0;
    while (tmp[len])
        len++;
    if (digits > 0) {
        while (len > 0 && tmp[len - 1] == '0')
            len--;
        if (len > 0 && tmp[len - 1] == '.')
            len--;
        tmp[len] = 0;
    }
    if (len == 2 && tmp[0] == '-' && tmp[1] == '0')
        len = (size_t)snprintf(tmp, sizeof tmp, "0");
    snprintf(buf, size, "%s", tmp);
    return len;
}

/* ---- exact text for calculations a reader redoes by hand ---------------------------------- */

/* Digits of |v| into out (at least 41 bytes); returns their count. */
static size_t i128_digits(char *out, rat_int v)
{
    char tmp[48];
    size_t n = 0;
    __extension__ unsigned __int128 u =
        v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = 0;
    return n;
}

/* The integer N written as N / 10^decimals with thousands grouped: "-1,234.5678". */
static void put_scaled(char *out, size_t size, rat_int N, int decimals)
{
    char d[48];
    size_t nd = i128_digits(d, N), dec = (size_t)decimals;
    char padded[96];
    size_t np = 0;
    for (size_t i = nd; i <= dec; i++) /* at least one digit before the point */
        padded[np++] = '0';
    memcpy(padded + np, d, nd);
    np += nd;
    size_t int_len = np - dec, o = 0;
    if (N < 0 && o + 1 < size)
        out[o++] = '-';
    for (size_t i = 0; i < int_len && o + 2 < size; i++) {
        if (i && (int_len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = padded[i];
    }
    if (dec && o + 1 < size)
        out[o++] = '.';
    for (size_t i = int_len; i < np && o + 1 < size; i++)
        out[o++] = padded[i];
    out[o] = 0;
}

/* d = 2^a 5^b m with m coprime to 10: returns m, and in *k max(a, b). */
static rat_int split_ten(rat_int d, int *k)
{
    int a = 0, b = 0;
    while (d % 2 == 0) {
        d /= 2;
        a++;
    }
    while (d % 5 == 0) {
        d /= 5;
        b++;
    }
    *k = a > b ? a : b;
    return d;
}

static rat_int pow10_128(int k)
{
    rat_int p = 1;
    for (int i = 0; i < k; i++)
        p *= 10;
    return p;
}

/* n/d with d = 2^a 5^b (k = max(a, b) <= 30) as N / 10^k: N = n × 10^k / d, or -1 if it does
 * not fit. */
static int scaled_numerator(rat_int n, rat_int d, int k, rat_int *N)
{
    rat_int f = pow10_128(k) / d; /* exact: d divides 10^k */
    rat_int lim = (((rat_int)1 << 125) / f);
    if (n > lim || n < -lim)
        return -1;
    *N = n * f;
    return 0;
}

/* v exactly, at least min_dec decimals: "1,234.5", "(12,500.00 ÷ 3)" when it is not a finite
 * decimal. */
void rat_text_exact(char *out, size_t size, struct rat v, int min_dec)
{
    int k;
    rat_int m = split_ten(v.d, &k);
    rat_int N;
    if (k <= 30 && scaled_numerator(v.n, v.d / m, k, &N) == 0) {
        int dec = k > min_dec ? k : min_dec;
        if (dec > k) {
            rat_int f = pow10_128(dec - k);
            N *= f;
        }
        if (m == 1) {
            put_scaled(out, size, N, dec);
            return;
        }
        char num[96], den[48];
        put_scaled(num, sizeof num, N, dec);
        i128_digits(den, m);
        put_text(out, size, "(%s ÷ %s)", num, den);
        return;
    }
    char num[48], den[48]; /* a last resort that is still exact */
    i128_digits(num, v.n);
    i128_digits(den, v.d);
    put_text(out, size, "(%s%s ÷ %s)", v.n < 0 ? "-" : "", num, den);
}

/* A fraction as a percentage, exactly: "6%", "38.5%", "(70.21% ÷ 11)". */
void rat_text_pct(char *out, size_t size, struct rat frac)
{
    struct rat v = rat_mul(frac, rat_int64(100));
    int k;
    rat_int m = split_ten(v.d, &k);
    rat_int N;
    char num[96], den[48];
    if (k <= 30 && scaled_numerator(v.n, v.d / m, k, &N) == 0) {
        put_scaled(num, sizeof num, N, k);
        if (m == 1) {
            put_text(out, size, "%s%%", num);
        } else {
            i128_digits(den, m);
            put_text(out, size, "(%s%% ÷ %s)", num, den);
        }
        return;
    }
    i128_digits(num, v.n);
    i128_digits(den, v.d);
    put_text(out, size, "(%s%s%% ÷ %s)", v.n < 0 ? "-" : "", num, den);
}

/* v for reading (not for arithmetic): exact when it is a decimal of at most max_dec places,
 * else cut off after max_dec places and marked "…". */
void rat_text_cut(char *out, size_t size, struct rat v, int min_dec, int max_dec, bool pct)
{
    if (pct)
        v = rat_mul(v, rat_int64(100));
    int k;
    rat_int m = split_ten(v.d, &k);
    rat_int N;
    if (m == 1 && k <= max_dec && scaled_numerator(v.n, v.d, k, &N) == 0) {
        int dec = k > min_dec ? k : min_dec;
        N *= pow10_128(dec - k);
        put_scaled(out, size, N, dec);
        if (pct)
            put_text(out + strlen(out), size - strlen(out), "%%");
        return;
    }
    rat_int p = pow10_128(max_dec);
    rat_int lim = ((rat_int)1 << 125) / p;
    if (v.n > lim || v.n < -lim) {
        put_text(out, size, "%.6g%s", rat_to_double(v), pct ? "%" : "");
        return;
    }
    N = v.n * p / v.d; /* truncates toward zero */
    put_scaled(out, size, N, max_dec);
    put_text(out + strlen(out), size - strlen(out), "…%s", pct ? "%" : "");
}
