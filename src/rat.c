/* rat.c — reduced 128-bit rationals with overflow detection. */
#include "rat.h"

#include <stdio.h>

#include "util.h"

static bool overflow_flag;

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

static rat_int gcd(rat_int a, rat_int b)
{
    a = iabs(a);
    b = iabs(b);
    while (b) {
        rat_int t = a % b;
        a = b;
        b = t;
    }
    return a;
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

static struct rat make(rat_int n, rat_int d)
{
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
        n /= g;
        d /= g;
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
    rat_int g = gcd(a.d, b.d);
    rat_int da = a.d / g, db = b.d / g;
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
    rat_int g1 = gcd(a.n, b.d), g2 = gcd(b.n, a.d);
    if (g1 == 0)
        g1 = 1;
    if (g2 == 0)
        g2 = 1;
    rat_int n = mul(a.n / g1, b.n / g2);
    rat_int d = mul(a.d / g2, b.d / g1);
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
