/* attrib.c — journeys, model weights and the per-deal cent allocation. */
#include "attrib.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "util.h"

const char *unattributed_reason_text(enum unattributed_reason r)
{
    switch (r) {
    case UNATTR_NONE:
        return "";
    case UNATTR_NO_LEAD:
        return "no lead id on the deal";
    case UNATTR_NO_TOUCHES:
        return "the lead has no touches";
    case UNATTR_AFTER_CLOSE:
        return "all of the lead's touches are after the close";
    case UNATTR_OUTSIDE_WINDOW:
        return "all of the lead's touches before the close are outside the lookback window";
    }
    return "?";
}

void attrib_weights(enum attr_model model, uint32_t n, uint64_t *w)
{
    switch (model) {
    case MODEL_LINEAR:
        for (uint32_t i = 0; i < n; i++)
            w[i] = 1;
        return;
    case MODEL_N:
        break;
    }
    BUG("attrib_weights: unknown model");
}

/* Scratch space reused across deals. */
struct scratch {
    uint64_t *touch;   /* journey touch numbers */
    uint32_t *slot;    /* journey position -> campaign slot */
    uint32_t *camp;    /* slot -> campaign id */
    uint32_t *count;   /* slot -> touches */
    uint64_t *w;       /* per touch weights */
    uint64_t *cw;      /* per slot summed weights */
    int64_t *out;      /* per slot cents */
    uint32_t *slot_of; /* campaign id -> slot + 1 for the current deal (0 = none) */
    size_t cap;
};

static void scratch_reserve(struct scratch *s, size_t n)
{
    if (n <= s->cap)
        return;
    size_t cap = grow_capacity(s->cap, n);
    s->touch = xreallocarray(s->touch, cap, sizeof *s->touch);
    s->slot = xreallocarray(s->slot, cap, sizeof *s->slot);
    s->camp = xreallocarray(s->camp, cap, sizeof *s->camp);
    s->count = xreallocarray(s->count, cap, sizeof *s->count);
    s->w = xreallocarray(s->w, cap, sizeof *s->w);
    s->cw = xreallocarray(s->cw, cap, sizeof *s->cw);
    s->out = xreallocarray(s->out, cap, sizeof *s->out);
    s->cap = cap;
}

static bool touch_before(const int64_t *ts, uint64_t a, uint64_t b)
{
    return ts[a] < ts[b] || (ts[a] == ts[b] && a < b);
}

/* Append lead's eligible touches to sc->touch[*n..]; note whether any is at or before the close. */
static void collect(const struct dataset *ds, const struct lead_index *ix, uint32_t lead,
                    int64_t close_ts, int32_t first_day, int64_t lookback, struct scratch *sc,
                    uint32_t *n, bool *any_before)
{
    const struct touch_table *t = &ds->touches;
    uint64_t b = ix->offsets[lead], e = ix->offsets[lead + 1];
    scratch_reserve(sc, *n + (e - b));
    for (uint64_t i = b; i < e; i++) {
        uint64_t x = ix->touches[i];
        if (t->ts[x] > close_ts)
            break;
        *any_before = true;
        if (lookback > 0 && t->day[x] < first_day)
            continue;
        sc->touch[(*n)++] = x;
    }
}

static enum unattributed_reason journey(const struct dataset *ds, const struct lead_index *ix,
                                        const struct settings *s, uint32_t deal, struct scratch *sc,
                                        uint32_t *n_out)
{
    const struct deal_table *dl = &ds->deals;
    *n_out = 0;
    uint32_t lead = dl->lead[deal];
    if (lead == ID_NONE)
        return UNATTR_NO_LEAD;
    if (join_deal_touches(ix, ds, deal) == 0)
        return UNATTR_NO_TOUCHES;
    int64_t close_ts = dl->close_ts[deal];
    int32_t first_day = dl->close_day[deal] - (int32_t)s->lookback_days;
    bool any_before = false;
    uint32_t n = 0;
    collect(ds, ix, lead, close_ts, first_day, s->lookback_days, sc, &n, &any_before);
    uint32_t xb = ix->deal_xoff[deal], xe = ix->deal_xoff[deal + 1];
    for (uint32_t k = xb; k < xe; k++)
        collect(ds, ix, ix->deal_xlead[k], close_ts, first_day, s->lookback_days, sc, &n,
                &any_before);
    if (xe > xb) {
        /* Several leads: one journey in time order, ties by input order. */
        const int64_t *ts = ds->touches.ts;
        for (uint32_t i = 1; i < n; i++) {
            uint64_t x = sc->touch[i];
            uint32_t j = i;
            while (j > 0 && touch_before(ts, x, sc->touch[j - 1])) {
                sc->touch[j] = sc->touch[j - 1];
                j--;
            }
            sc->touch[j] = x;
        }
    }
    *n_out = n;
    if (n)
        return UNATTR_NONE;
    return any_before ? UNATTR_OUTSIDE_WINDOW : UNATTR_AFTER_CLOSE;
}

void attrib_run(struct attribution *a, const struct dataset *ds, const struct lead_index *ix,
                const struct settings *s, const struct period *period)
{
    const struct deal_table *dl = &ds->deals;
    memset(a, 0, sizeof *a);
    a->models = s->models;
    a->n_campaigns = ds->campaigns.n;
    a->n_channels = ds->channels.n;
    a->reason = xcalloc(dl->n ? dl->n : 1, sizeof *a->reason);
    a->journey_len = xcalloc(dl->n ? dl->n : 1, sizeof *a->journey_len);
    for (int m = 0; m < MODEL_N; m++) {
        a->campaign_cents[m] = xcalloc(a->n_campaigns ? a->n_campaigns : 1, sizeof(int64_t));
        a->channel_cents[m] = xcalloc(a->n_channels ? a->n_channels : 1, sizeof(int64_t));
    }
    struct scratch sc;
    memset(&sc, 0, sizeof sc);
    sc.slot_of = xcalloc(a->n_campaigns ? a->n_campaigns : 1, sizeof *sc.slot_of);

    for (uint32_t d = 0; d < dl->n; d++) {
        if (dl->bucket[d] != BUCKET_USED && dl->bucket[d] != BUCKET_UNMATCHED)
            continue;
        if (!period_has_day(period, dl->close_day[d]))
            continue;
        a->n_deals++;
        a->won_cents += dl->amount[d];
        uint32_t n;
        enum unattributed_reason why = journey(ds, ix, s, d, &sc, &n);
        a->reason[d] = (uint8_t)why;
        a->journey_len[d] = n;
        if (why != UNATTR_NONE) {
            a->n_unattributed++;
            a->unattributed_cents += dl->amount[d];
            continue;
        }
        /* Campaign slots in order of first touch, so ties go to the earlier touch. */
        uint32_t n_slots = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t c = ds->touches.campaign[sc.touch[i]];
            if (!sc.slot_of[c]) {
                sc.camp[n_slots] = c;
                sc.count[n_slots] = 0;
                sc.slot_of[c] = ++n_slots;
            }
            sc.slot[i] = sc.slot_of[c] - 1;
            sc.count[sc.slot[i]]++;
        }
        size_t first = a->n_credits;
        VEC_GROW(a->credits, a->cap_credits, a->n_credits + n_slots);
        for (uint32_t k = 0; k < n_slots; k++) {
            struct credit *c = &a->credits[a->n_credits++];
            memset(c, 0, sizeof *c);
            c->deal = d;
            c->campaign = sc.camp[k];
            c->touches = sc.count[k];
        }
        for (int m = 0; m < MODEL_N; m++) {
            if (!(s->models & (1u << m)))
                continue;
            attrib_weights((enum attr_model)m, n, sc.w);
            memset(sc.cw, 0, n_slots * sizeof *sc.cw);
            for (uint32_t i = 0; i < n; i++)
                sc.cw[sc.slot[i]] += sc.w[i];
            if (money_allocate(dl->amount[d], sc.cw, n_slots, sc.out))
                BUG("allocation over a non-empty journey failed");
            for (uint32_t k = 0; k < n_slots; k++) {
                struct credit *c = &a->credits[first + k];
                c->cents[m] = sc.out[k];
                a->campaign_cents[m][c->campaign] += sc.out[k];
                a->channel_cents[m][ds->campaigns.channel[c->campaign]] += sc.out[k];
            }
        }
        for (uint32_t k = 0; k < n_slots; k++)
            sc.slot_of[sc.camp[k]] = 0;
    }
    free(sc.touch);
    free(sc.slot);
    free(sc.camp);
    free(sc.count);
    free(sc.w);
    free(sc.cw);
    free(sc.out);
    free(sc.slot_of);
}

void attrib_release(struct attribution *a)
{
    if (!a)
        return;
    free(a->credits);
    free(a->reason);
    free(a->journey_len);
    for (int m = 0; m < MODEL_N; m++) {
        free(a->campaign_cents[m]);
        free(a->channel_cents[m]);
    }
    memset(a, 0, sizeof *a);
}
