/* plan.h — incentive plans from the INI (DESIGN §5, §7a "Curves and versions").
 *
 * [plan.<id>] names a plan and its components; [plan.<id>.<component>] configures one component;
 * [plan.<id>@<yyyy-mm-dd>] is a later version, used for deals closed on or after that date (and
 * for period-level components whose attainment period ends on or after it), with components in
 * [plan.<id>@<date>.<component>]. A version replaces only the keys it states: every key is looked
 * up in the version's section first, then in the base plan's. Every key of every plan section is
 * validated when loaded; anything unknown, ambiguous or out of range is a config error with
 * file:line (exit 78), never a guess.
 *
 * Amounts (caps, goals, thresholds, amount tiers, SPIF amounts) are minor units of the reporting
 * currency; rates and percentages are exact decimals. A struct plan_set owns its plans; strings
 * point into the struct config, which must outlive it.
 */
#ifndef SAMETABLE_PLAN_H
#define SAMETABLE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "money.h"
#include "period.h"
#include "settings.h"

enum component_type { COMP_COMMISSION, COMP_BONUS, COMP_POOL, COMP_OVERRIDE, COMP_SPIF, COMP_N };
enum measure {
    MEASURE_OWN_REVENUE,
    MEASURE_TEAM_REVENUE,
    MEASURE_COMPANY_REVENUE,
    MEASURE_ATTRIBUTED_REVENUE,
    MEASURE_SOURCED_REVENUE,
    MEASURE_WON_DEALS,
    MEASURE_N
};
enum basis { BASIS_PER_DEAL, BASIS_PERIOD_TO_DATE, BASIS_PERIOD_TOTAL };
enum tier_method { METHOD_MARGINAL, METHOD_FULL_VALUE, METHOD_INTERPOLATED };
enum curve_method { CURVE_STEP, CURVE_INTERPOLATED };
enum scope { SCOPE_OWN, SCOPE_TEAM, SCOPE_COMPANY };
enum cap_excess { EXCESS_FORFEIT, EXCESS_CARRY };
enum division { DIVIDE_EQUAL, DIVIDE_BY_TARGET, DIVIDE_BY_CONTRIBUTION };
enum spif_payee { PAYEE_SPLITS, PAYEE_OWNER, PAYEE_COLUMN };
enum filter_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

/* A threshold that is either a share of the (effective) quota or an amount. */
struct level {
    bool pct;             /* true: `value` is a fraction of quota ("50%" = 0.5) */
    struct decimal value; /* fraction of quota, or minor units (scale 0) */
};

struct tier {
    struct level lower;  /* inclusive lower bound; tiers are half-open [lower, next lower) */
    struct decimal rate; /* fraction: 8% = 0.08 */
};

struct curve_point {
    struct decimal attainment; /* fraction of goal */
    struct decimal payout;     /* fraction of target incentive × weight */
};

struct filter_cond {
    bool is_amount; /* the reporting-currency amount; otherwise a deal column */
    size_t extra;   /* index into deal_table.extra when !is_amount */
    const char *header;
    enum filter_op op;
    const char *text; /* the value as written (unquoted) */
    size_t text_len;
    bool numeric; /* text parses as a decimal number */
    struct decimal num;
    int64_t minor; /* is_amount: the value in minor units */
};

struct component {
    const char *id;      /* the <component> part of the section name */
    const char *section; /* section the component's keys come from first */
    uint64_t line;       /* that section's line */
    enum component_type type;
    enum measure measure;
    enum attr_model model; /* attributed_revenue / sourced_revenue */
    enum scope scope;
    enum period_kind period; /* attainment period */
    enum basis basis;
    enum tier_method method;
    struct tier *tiers; /* commission / override; sorted, strictly increasing lower bounds */
    size_t n_tiers;
    bool has_gate;
    struct level gate; /* pays nothing while the measure is below it (inclusive) */
    int64_t cap_deal;  /* minor units, -1 = none */
    int64_t cap_period;
    enum cap_excess cap_excess;
    int32_t clawback_days; /* -1 = no clawback */
    /* pay_on (per-deal commission and override lines): the deal's line pays pay_booking of
     * itself on booking and pay_payment of it as the customer pays (collection lines); the two
     * total 1. collect: pay_payment > 0. */
    struct decimal pay_booking, pay_payment; /* fractions: 50% = 0.5 */
    bool collect;
    struct decimal weight; /* multiplies the component's pay; bonus: weight of the target */
    /* bonus */
    bool goal_is_quota;
    int64_t goal; /* minor units (or deals for won_deals) when !goal_is_quota */
    struct curve_point *curve;
    size_t n_curve;
    enum curve_method curve_method;
    bool has_cap_pct;
    struct decimal cap_pct; /* bonus cap as a fraction of target × weight */
    /* pool */
    bool pool_fixed;
    int64_t pool_amount; /* fixed pool */
    struct decimal share;
    int64_t threshold; /* only the measure above it funds the pool */
    enum division division;
    /* spif */
    int64_t spif_amount;
    int32_t from_day, to_day; /* inclusive business dates */
    struct filter_cond *conds;
    size_t n_conds;
    enum spif_payee payee;
    const char *payee_header;
    size_t payee_extra;
};

/* Days before the payout window whose deals a component paying on collection (pay_on) keeps: a
 * payment of a deal closed earlier than that pays nothing. */
#define PLAN_COLLECT_LOOKBACK 366

struct plan_version {
    int32_t from_day; /* DAY_NONE for the base version */
    const char *section;
    const char *name;
    enum period_kind quota_period;
    enum period_kind payout_period;
    int64_t cap_payee; /* per payee and payout period, minor units; -1 = none */
    /* With the ledger: a negative balance (payout periods netting below 0.00) is recovered from
     * later payouts, recover_share of each (0..1, default 1: all of it); forgive_on_leave drops
     * what is left when the person's employment ends. */
    struct decimal recover_share;
    bool forgive_on_leave;
    /* A draw (DESIGN §5 "draws"): a guaranteed amount per payout period. A row whose payout
     * (after the negative balance's recovery) is below `draw` pays `draw`; a recoverable draw
     * adds what it paid on top to the person's draw balance, recovered from later payouts:
     * draw_recovery_share of each payout above the draw (of the whole payout where no draw
     * applies), at most draw_recovery_cap per payout period. The people file's `draw` column
     * replaces the amount per person. */
    int64_t draw;                       /* minor units per payout period; 0 = no draw */
    bool draw_recoverable;              /* draw_type = recoverable (default) | non_recoverable */
    struct decimal draw_recovery_share; /* 0..1, default 1 */
    int64_t draw_recovery_cap;          /* minor units per payout period; -1 = none */
    int32_t draw_until;          /* last day a payout period may end for the guarantee to apply;
                                  * DAY_NONE = no end */
    int32_t draw_recovery_until; /* a payout period ending after it recovers nothing and the
                                  * balance still owed is forgiven; DAY_NONE = no end */
    struct component *components;
    size_t n_components;
};

struct plan {
    const char *id;                /* lower-cased plan id, as people files name it */
    struct plan_version *versions; /* base first, then by from_day */
    size_t n_versions;
    bool needs_quota;  /* some component measures attainment against quota */
    bool needs_target; /* some bonus or pool divides by target incentive */
};

struct plan_set {
    struct plan *plans;
    size_t n;
    /* Deal headers the plans read (SPIF filters and payee columns), for ingest_window. */
    const char **deal_extra;
    size_t n_deal_extra;
    unsigned models;      /* attribution models the plans need (bit set of enum attr_model) */
    int32_t max_lookback; /* days before the payout window that clawbacks (and collections,
                           * PLAN_COLLECT_LOOKBACK) reach back */
    bool any_carry;       /* some cap carries its excess (recomputed from the start of the year) */
    enum period_kind longest_period; /* longest attainment or payout period of any component */
};

/* Read every [plan.*] section. Returns 0 or -1 with file:line errors in d. */
int plan_load(struct plan_set *ps, struct config *c, const struct settings *s, struct diag *d);
void plan_release(struct plan_set *ps);
const struct plan *plan_find(const struct plan_set *ps, const char *id);
/* The version in force on `day` (the latest whose from_day <= day; the base otherwise). */
const struct plan_version *plan_version_on(const struct plan *p, int32_t day);
/* The component of a version with this id, or NULL. */
const struct component *plan_component(const struct plan_version *v, const char *id);

const char *component_type_name(enum component_type t);
const char *measure_name(enum measure m);

#endif
