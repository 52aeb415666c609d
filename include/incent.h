/* incent.h — the pure arithmetic of incentive components (DESIGN §5 conventions 1–4, §7a).
 *
 * Everything here is exact (struct rat) and knows nothing of people or deals: tier tables
 * resolved to measure units, the three tier methods, slices that explain a line, curves, gates.
 * payout.c applies these to the dataset; the unit tests check them against hand calculations.
 *
 * Tiers are half-open [lower, next lower): a value on a boundary is in the higher tier. Pay(x)
 * is defined for x >= 0 and extended as an odd function (Pay(-x) = -Pay(x)), so a refund mirrors
 * its sale.
 *   marginal:     each tier's rate on the part of x inside that tier (nothing below the first
 *                 lower bound).
 *   full_value:   x × the rate of the highest tier whose lower bound is <= x (0 below the first).
 *   interpolated: x × r(x), r linear between the points (lower_i, rate_i), flat beyond the ends.
 */
#ifndef SAMETABLE_INCENT_H
#define SAMETABLE_INCENT_H

#include <stddef.h>

#include "plan.h"
#include "rat.h"

struct tier_r {
    struct rat lower; /* in measure units (minor units), resolved from % of quota or an amount */
    struct rat rate;
};

enum slice_kind {
    SLICE_TIER,    /* amount inside one tier × that tier's rate */
    SLICE_CATCHUP, /* full value: the earlier cumulative × the rate increase when a tier is crossed
                    */
    SLICE_WHOLE,   /* interpolated: the whole cumulative × the rate it has reached */
    SLICE_REVERSE, /* interpolated: minus the earlier cumulative × its rate */
};

struct slice {
    struct rat amount;
    struct rat rate;
    enum slice_kind kind;
    size_t tier; /* tier index (SLICE_TIER, SLICE_CATCHUP) */
};

/* Resolve a component's tiers: a percentage lower bound is that fraction of `quota`. */
void incent_resolve_tiers(const struct tier *t, size_t n, struct rat quota, struct tier_r *out);
/* A level as measure units: a fraction of quota, or the amount. */
struct rat incent_level(const struct level *l, struct rat quota);

/* The rate that applies at x >= 0 (full_value, interpolated), or the marginal rate at x. */
struct rat incent_rate_at(const struct tier_r *t, size_t n, enum tier_method m, struct rat x);
/* Pay(x) as above. */
struct rat incent_pay(const struct tier_r *t, size_t n, enum tier_method m, struct rat x);

/* The slices of Pay(after) - Pay(before): their amount × rate sum exactly to that difference.
 * Writes at most INCENT_SLICES_MAX(n) slices and returns how many. */
#define INCENT_SLICES_MAX(n) (2 * (n) + 4)
size_t incent_slices(const struct tier_r *t, size_t n, enum tier_method m, struct rat before,
                     struct rat after, struct slice *out);

/* A curve at attainment `att` (fractions): step takes the highest point at or below att;
 * interpolated is linear between points; flat beyond both ends. */
struct rat incent_curve(const struct curve_point *p, size_t n, enum curve_method m, struct rat att);

/* Proration factor as days: active days of [start, end] inside [first, last], all inclusive
 * (DAY_NONE start or end = open). */
int32_t incent_active_days(int32_t start, int32_t end, int32_t first, int32_t last);

/* The equal share of a quota stated for `quota_period` that an attainment period of kind `att`
 * gets: 1/4 for a quarter of a year, 3 for a quarter of monthly quotas. */
struct rat incent_period_share(enum period_kind quota_period, enum period_kind att);

#endif
