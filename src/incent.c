/* incent.c — tiers, slices, curves and proration, exactly. */
#include "incent.h"

#include "dataset.h"
#include "util.h"

struct rat incent_level(const struct level *l, struct rat quota)
{
    struct rat v = rat_dec(l->value);
    return l->pct ? rat_mul(v, quota) : v;
}

void incent_resolve_tiers(const struct tier *t, size_t n, struct rat quota, struct tier_r *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].lower = incent_level(&t[i].lower, quota);
        out[i].rate = rat_dec(t[i].rate);
    }
}

static size_t tier_index(const struct tier_r *t, size_t n, struct rat x);

/* For a slice: the tier whose rate applies, 0 below the first bound. */
static size_t slice_tier(const struct tier_r *t, size_t n, struct rat x)
{
    size_t k = tier_index(t, n, x);
    return k == n ? 0 : k;
}

/* Index of the highest tier whose lower bound is <= x, or n if x is below them all. */
static size_t tier_index(const struct tier_r *t, size_t n, struct rat x)
{
    size_t k = n;
    for (size_t i = 0; i < n; i++)
        if (rat_cmp(t[i].lower, x) <= 0)
            k = i;
    return k;
}

static struct rat interpolate(struct rat x, struct rat x0, struct rat y0, struct rat x1,
                              struct rat y1)
{
    /* y0 + (x - x0) (y1 - y0) / (x1 - x0) */
    return rat_add(y0, rat_div(rat_mul(rat_sub(x, x0), rat_sub(y1, y0)), rat_sub(x1, x0)));
}

struct rat incent_rate_at(const struct tier_r *t, size_t n, enum tier_method m, struct rat x)
{
    if (n == 0)
        return rat_int64(0);
    size_t k = tier_index(t, n, x);
    if (m == METHOD_INTERPOLATED) {
        if (k == n)
            return t[0].rate; /* flat below the first point */
        if (k == n - 1)
            return t[n - 1].rate;
        return interpolate(x, t[k].lower, t[k].rate, t[k + 1].lower, t[k + 1].rate);
    }
    return k == n ? rat_int64(0) : t[k].rate;
}

static struct rat pay_pos(const struct tier_r *t, size_t n, enum tier_method m, struct rat x)
{
    if (m != METHOD_MARGINAL)
        return rat_mul(x, incent_rate_at(t, n, m, x));
    struct rat sum = rat_int64(0);
    for (size_t i = 0; i < n && rat_cmp(x, t[i].lower) > 0; i++) {
        struct rat top = i + 1 < n ? rat_min(x, t[i + 1].lower) : x;
        sum = rat_add(sum, rat_mul(rat_sub(top, t[i].lower), t[i].rate));
    }
    return sum;
}

struct rat incent_pay(const struct tier_r *t, size_t n, enum tier_method m, struct rat x)
{
    if (rat_sign(x) < 0)
        return rat_neg(pay_pos(t, n, m, rat_neg(x)));
    return pay_pos(t, n, m, x);
}

/* Slices of Pay(b) - Pay(a) with 0 <= a, 0 <= b. */
static size_t slices_pos(const struct tier_r *t, size_t n, enum tier_method m, struct rat a,
                         struct rat b, struct slice *out)
{
    size_t k = 0;
    if (rat_cmp(a, b) == 0)
        return 0;
    if (m == METHOD_MARGINAL) {
        /* A tier [lo, hi] gives a slice only when it overlaps (min(a, b), max(a, b)): when it
         * starts at or above both, or ends at or below both, clip(a) == clip(b) and the slice
         * would be 0 (tested per tier: bounds mixing amounts and shares of quota need not
         * increase). */
        bool a_top = rat_cmp(a, b) >= 0;
        struct rat top = a_top ? a : b, bottom = a_top ? b : a;
        for (size_t i = 0; i < n; i++) {
            if (rat_cmp(t[i].lower, top) >= 0 ||
                (i + 1 < n && rat_cmp(t[i + 1].lower, bottom) <= 0))
                continue;
            struct rat lo = t[i].lower;
            /* clip(x) to [lo, hi]; the slice is clip(b) - clip(a) */
            struct rat ca = rat_max(a, lo), cb = rat_max(b, lo);
            if (i + 1 < n) {
                ca = rat_min(ca, t[i + 1].lower);
                cb = rat_min(cb, t[i + 1].lower);
            }
            struct rat amt = rat_sub(cb, ca);
            if (!rat_is_zero(amt))
                out[k++] = (struct slice){amt, t[i].rate, SLICE_TIER, i};
        }
        return k;
    }
    struct rat ra = incent_rate_at(t, n, m, a), rb = incent_rate_at(t, n, m, b);
    if (rat_cmp(ra, rb) == 0) {
        if (!rat_is_zero(rb))
            out[k++] = (struct slice){rat_sub(b, a), rb, SLICE_TIER, slice_tier(t, n, b)};
        return k;
    }
    if (m == METHOD_FULL_VALUE) {
        size_t tb = slice_tier(t, n, b);
        if (!rat_is_zero(rb))
            out[k++] = (struct slice){rat_sub(b, a), rb, SLICE_TIER, tb};
        if (!rat_is_zero(a))
            out[k++] = (struct slice){a, rat_sub(rb, ra), SLICE_CATCHUP, tb};
        return k;
    }
    if (!rat_is_zero(b))
        out[k++] = (struct slice){b, rb, SLICE_WHOLE, 0};
    if (!rat_is_zero(a))
        out[k++] = (struct slice){rat_neg(a), ra, SLICE_REVERSE, 0};
    return k;
}

static void negate(struct slice *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i].amount = rat_neg(s[i].amount);
}

size_t incent_slices(const struct tier_r *t, size_t n, enum tier_method m, struct rat before,
                     struct rat after, struct slice *out)
{
    int sa = rat_sign(before), sb = rat_sign(after);
    if (sa >= 0 && sb >= 0)
        return slices_pos(t, n, m, before, after, out);
    if (sa <= 0 && sb <= 0) {
        size_t k = slices_pos(t, n, m, rat_neg(before), rat_neg(after), out);
        negate(out, k);
        return k;
    }
    /* Crossing zero: before -> 0, then 0 -> after. */
    size_t k = incent_slices(t, n, m, before, rat_int64(0), out);
    return k + incent_slices(t, n, m, rat_int64(0), after, out + k);
}

struct rat incent_curve(const struct curve_point *p, size_t n, enum curve_method m, struct rat att)
{
    if (n == 0)
        return rat_int64(0);
    size_t k = n;
    for (size_t i = 0; i < n; i++)
        if (rat_cmp(rat_dec(p[i].attainment), att) <= 0)
            k = i;
    if (k == n)
        return rat_dec(p[0].payout);
    if (m == CURVE_STEP || k == n - 1)
        return rat_dec(p[k].payout);
    return interpolate(att, rat_dec(p[k].attainment), rat_dec(p[k].payout),
                       rat_dec(p[k + 1].attainment), rat_dec(p[k + 1].payout));
}

int32_t incent_active_days(int32_t start, int32_t end, int32_t first, int32_t last)
{
    int32_t a = start != DAY_NONE && start > first ? start : first;
    int32_t b = end != DAY_NONE && end < last ? end : last;
    return b >= a ? b - a + 1 : 0;
}

struct rat incent_period_share(enum period_kind quota_period, enum period_kind att)
{
    static const int64_t months[] = {1, 3, 12};
    return rat_frac(months[att], months[quota_period]);
}
