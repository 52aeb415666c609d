/* attrib.h — journeys and rule-based attribution of closed-won revenue, exact to the cent.
 *
 * A deal's journey is its lead's touches with touched_at <= closed_at and, when lookback_days > 0,
 * a business-local day no earlier than the close day minus lookback_days (both ends inclusive),
 * in time order, ties by input order. Per deal and model the touch weights are summed per campaign
 * (campaigns in order of their first touch in the journey) and the deal's cents are allocated by
 * largest remainder, ties to the earlier campaign, so every deal's credits sum to its amount.
 * A deal with no eligible touch is unattributed in every model, with a reason.
 * The struct attribution owns all its arrays.
 */
#ifndef SAMETABLE_ATTRIB_H
#define SAMETABLE_ATTRIB_H

#include <stdbool.h>
#include <stdint.h>

#include "datadriven.h"
#include "dataset.h"
#include "join.h"
#include "period.h"
#include "settings.h"

enum unattributed_reason {
    UNATTR_NONE = 0,       /* attributed */
    UNATTR_NO_LEAD,        /* the deal row has no lead id */
    UNATTR_NO_TOUCHES,     /* the lead has no touches at all */
    UNATTR_AFTER_CLOSE,    /* every touch is after the close */
    UNATTR_OUTSIDE_WINDOW, /* touches before the close exist, but all before the lookback window */
};

const char *unattributed_reason_text(enum unattributed_reason r);

/* One (deal, campaign) pair with its credit under each configured model. */
struct credit {
    uint32_t deal;          /* deal table row */
    uint32_t campaign;      /* campaign id */
    uint32_t touches;       /* eligible touches of this campaign in the journey */
    int64_t cents[MODEL_N]; /* credited minor units per model */
};

struct attribution {
    unsigned models;       /* bit set of enum attr_model that were computed */
    bool *in_period;       /* per deal table row: closed-won in the period (attributed or not) */
    size_t *credit_first;  /* per deal table row: index of its first credit, SIZE_MAX if none */
    uint32_t *first_touch; /* per deal table row: campaign of the first eligible touch, or NONE */
    int64_t sourced_cents; /* deals whose first eligible touch is a marketing campaign */
    uint32_t n_sourced;
    uint32_t *campaign_touches; /* eligible touches in the journeys of the deals closed-won in
                                 * the period (a touch counts once per deal), per campaign */
    uint32_t *campaign_deals;   /* deals influenced (any eligible touch), per campaign */
    uint32_t *channel_touches;  /* per channel (the campaign's) */
    uint32_t *campaign_period_touches;    /* touches dated in the period (duplicates excluded),
                                           * whatever the lead, per campaign */
    uint32_t *channel_period_touches;     /* per channel (the campaign's) */
    uint32_t *channel_deals;              /* per channel */
    double *campaign_deal_share[MODEL_N]; /* sum over deals of credit / amount: fractional deals */
    double *channel_deal_share[MODEL_N];
    struct credit *credits; /* grouped by deal, deals in table order */
    size_t n_credits, cap_credits;
    uint8_t *reason;       /* per deal table row: enum unattributed_reason */
    uint32_t *journey_len; /* per deal table row: eligible touches */
    uint32_t n_deals;      /* deals closed in the period (attributed or not) */
    int64_t won_cents;     /* their total amount */
    int64_t unattributed_cents;
    uint32_t n_unattributed;
    int64_t *campaign_cents[MODEL_N]; /* per campaign id */
    int64_t *channel_cents[MODEL_N];  /* per channel id */
    uint32_t n_campaigns, n_channels;
};

/* Attribute every kept deal closed within `period`. */
void attrib_run(struct attribution *a, const struct dataset *ds, const struct lead_index *ix,
                const struct settings *s, const struct period *period);
void attrib_release(struct attribution *a);

/* Touch-level credit: called once per eligible touch of every attributed deal, deals in table
 * order, touches in journey order; cents[m] is the touch's share of its campaign's credit under
 * model m (the campaign's cents split equally over its touches by largest remainder, ties to
 * the earlier touch), so the touches of a deal sum to its amount under every model. Recomputes
 * the journeys instead of storing them. */
typedef void (*attrib_touch_fn)(void *ctx, uint32_t deal, uint64_t touch, const int64_t *cents);
void attrib_touch_credits(const struct attribution *a, const struct dataset *ds,
                          const struct lead_index *ix, const struct settings *s, attrib_touch_fn fn,
                          void *ctx);

/* One journey as the weight rules see it: touches in time order. */
struct journey_view {
    uint32_t n;
    const int64_t *ts;  /* UTC instants */
    const bool *direct; /* channel is in direct_channels */
    int64_t age_ref;    /* instant ages are measured from: the close, or for a date-only close
                         * the next local midnight (DESIGN §7a) */
    int32_t lead_idx;   /* lead-creation milestone touch, -1 if none */
    int32_t opp_idx;    /* opportunity-creation milestone touch, -1 if none */
};

/* Weights for the touches of a journey under `model`, as non-negative integers with a common
 * denominator so allocation stays exact (shares in parts per million, spread over the touches
 * they cover; time decay scaled so the youngest touch weighs 2^40). At least one is positive
 * when j->n > 0. w must hold j->n entries. */
void attrib_weights(enum attr_model model, const struct journey_view *j, const struct settings *s,
                    uint64_t *w);

/* Data-driven credit (markov, shapley, shapley_ordered): computed per channel over the period's
 * journeys — converting: every attributed deal closed in the period, value = its amount;
 * non-converting: every lead with touches dated in [period start − lookback, period end] and no
 * deal closed-won in the period. The converting deals' cents are allocated over channels by
 * largest remainder in proportion to the model's value credit (ties by channel name), then over
 * each channel's campaigns in proportion to their touches in converting journeys (ties by
 * campaign id). */
struct dd_credit {
    unsigned models;              /* bit set of enum dd_model computed */
    int64_t *channel_cents[DD_N]; /* per channel id */
    double *channel_conversions[DD_N];
    int64_t *campaign_cents[DD_N]; /* per campaign id */
    struct markov_result markov;   /* removal effects, when markov ran */
    /* First-order transition probabilities of the journeys (whatever markov_order is, for the
     * reader): rows start + channels, columns channels + conversion + null;
     * transitions[r * (n_channels + 2) + c], row 0 = start, row 1 + ch = from channel ch. */
    double *transitions;
    uint32_t n_channels;
    size_t n_converting, n_null; /* journeys used */
    int64_t total_cents;         /* what was allocated: the attributed revenue */
};

int attrib_data_driven(struct dd_credit *out, const struct attribution *a, const struct dataset *ds,
                       const struct lead_index *ix, const struct settings *s,
                       const struct period *period, struct diag *d);
void dd_credit_release(struct dd_credit *c);

#endif
