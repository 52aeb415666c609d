/* attrib.c — journeys, model weights and the per-deal cent allocation. */
#include "attrib.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "progress.h"
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

/* Positional models: shares (ppm) for the first and last touch, for the lead- and
 * opportunity-creation milestone touches, and for the touches that are none of those ("the
 * rest"), spread equally. Coinciding anchors add up on one touch; a missing anchor or an empty
 * rest simply drops out: allocation renormalises. Weights use the rest's size as the common
 * denominator: an anchor weighs share × m, a rest touch weighs rest_share. */
struct positions {
    uint64_t first, lead, opp, last, rest; /* ppm */
};

static void positional(const struct journey_view *j, uint32_t n, const struct positions *p,
                       uint64_t *w)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        bool anchor = i == 0 || i == n - 1 || (p->lead && (int32_t)i == j->lead_idx) ||
                      (p->opp && (int32_t)i == j->opp_idx);
        m += !anchor;
    }
    uint64_t mm = m ? m : 1;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t a = 0;
        bool anchor = false;
        if (i == 0) {
            a += p->first;
            anchor = true;
        }
        if (i == n - 1) {
            a += p->last;
            anchor = true;
        }
        if (p->lead && (int32_t)i == j->lead_idx) {
            a += p->lead;
            anchor = true;
        }
        if (p->opp && (int32_t)i == j->opp_idx) {
            a += p->opp;
            anchor = true;
        }
        w[i] = anchor ? a * mm : p->rest;
    }
}

void attrib_weights(enum attr_model model, const struct journey_view *j, const struct settings *s,
                    uint64_t *w)
{
    uint32_t n = j->n;
    for (uint32_t i = 0; i < n; i++)
        w[i] = 0;
    if (n == 0)
        return;
    struct positions p = {0, 0, 0, 0, 0};
    switch (model) {
    case MODEL_FIRST_TOUCH:
        w[0] = 1;
        return;
    case MODEL_LAST_TOUCH:
        w[n - 1] = 1;
        return;
    case MODEL_LAST_NON_DIRECT:
        for (uint32_t i = n; i-- > 0;)
            if (!j->direct[i]) {
                w[i] = 1;
                return;
            }
        w[n - 1] = 1;
        return;
    case MODEL_LINEAR:
        for (uint32_t i = 0; i < n; i++)
            w[i] = 1;
        return;
    case MODEL_TIME_DECAY: {
        /* 2^(-age/h): relative to the youngest touch, scaled to 2^40, rounded once. Ages in
         * fractional days; the youngest (last) touch has the smallest age. */
        double h = (double)s->half_life_days.units;
        for (int k = 0; k < s->half_life_days.scale; k++)
            h /= 10.0;
        double young = (double)(j->age_ref - j->ts[n - 1]) / 86400.0;
        for (uint32_t i = 0; i < n; i++) {
            double age = (double)(j->age_ref - j->ts[i]) / 86400.0;
            double v = ldexp(exp2(-(age - young) / h), 40);
            w[i] = (uint64_t)llround(v);
        }
        if (w[n - 1] == 0)
            w[n - 1] = 1;
        return;
    }
    case MODEL_POSITION_BASED:
    case MODEL_CUSTOM: {
        const uint32_t *ppm = model == MODEL_CUSTOM ? s->custom_ppm : s->position_ppm;
        p.first = ppm[0];
        p.rest = ppm[1];
        p.last = ppm[2];
        break;
    }
    case MODEL_W_SHAPED:
        /* The journey ends at the opportunity touch when there is one. */
        if (j->opp_idx >= 0)
            n = (uint32_t)j->opp_idx + 1;
        p.first = 300000;
        p.lead = 300000;
        p.opp = 300000;
        p.rest = 100000;
        /* first/last are positions: in W-shaped the last touch is no anchor of its own. */
        {
            uint32_t m = 0;
            for (uint32_t i = 0; i < n; i++) {
                bool anchor = i == 0 || (int32_t)i == j->lead_idx || (int32_t)i == j->opp_idx;
                m += !anchor;
            }
            uint64_t mm = m ? m : 1;
            for (uint32_t i = 0; i < n; i++) {
                uint64_t a = 0;
                bool anchor = false;
                if (i == 0) {
                    a += p.first;
                    anchor = true;
                }
                if ((int32_t)i == j->lead_idx) {
                    a += p.lead;
                    anchor = true;
                }
                if ((int32_t)i == j->opp_idx) {
                    a += p.opp;
                    anchor = true;
                }
                w[i] = anchor ? a * mm : p.rest;
            }
        }
        return;
    case MODEL_FULL_PATH:
        p.first = 225000;
        p.lead = 225000;
        p.opp = 225000;
        p.last = 225000;
        p.rest = 100000;
        break;
    case MODEL_J_SHAPED:
        p.first = 200000;
        p.rest = 200000;
        p.last = 600000;
        break;
    case MODEL_INVERSE_J:
        p.first = 600000;
        p.rest = 200000;
        p.last = 200000;
        break;
    case MODEL_N:
        BUG("attrib_weights: unknown model");
    }
    positional(j, n, &p, w);
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
    int64_t *ts;       /* per touch instants, for the weight rules */
    bool *direct;      /* per touch: channel is direct */
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
    s->ts = xreallocarray(s->ts, cap, sizeof *s->ts);
    s->direct = xreallocarray(s->direct, cap, sizeof *s->direct);
    s->cap = cap;
}

static void scratch_release(struct scratch *s)
{
    free(s->touch);
    free(s->slot);
    free(s->camp);
    free(s->count);
    free(s->w);
    free(s->cw);
    free(s->out);
    free(s->slot_of);
    free(s->ts);
    free(s->direct);
}

static bool touch_before(const struct touch_table *t, uint64_t a, uint64_t b)
{
    int64_t ta = touch_ts(t, a), tb = touch_ts(t, b);
    return ta < tb || (ta == tb && a < b);
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
        if (touch_ts(t, x) > close_ts)
            break;
        *any_before = true;
        if (lookback > 0 && touch_day(t, x) < first_day)
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
        const struct touch_table *t = &ds->touches;
        for (uint32_t i = 1; i < n; i++) {
            uint64_t x = sc->touch[i];
            uint32_t j = i;
            while (j > 0 && touch_before(t, x, sc->touch[j - 1])) {
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

/* The milestone touch: the last journey touch at or before the milestone (by local date when the
 * milestone has no time), or -1. */
static int32_t milestone_index(const struct dataset *ds, const struct scratch *sc, uint32_t n,
                               const struct milestone *m)
{
    if (m->ts == MILESTONE_NONE)
        return -1;
    int32_t idx = -1;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t x = sc->touch[i];
        bool before = m->date_only ? touch_day(&ds->touches, x) <= m->day
                                   : touch_ts(&ds->touches, x) <= m->ts;
        if (before)
            idx = (int32_t)i;
    }
    return idx;
}

static void *zalloc(size_t n, size_t size)
{
    return xcalloc(n ? n : 1, size);
}

void attrib_run(struct attribution *a, const struct dataset *ds, const struct lead_index *ix,
                const struct settings *s, const struct period *period)
{
    const struct deal_table *dl = &ds->deals;
    memset(a, 0, sizeof *a);
    a->models = s->models;
    a->n_campaigns = ds->campaigns.n;
    a->n_channels = ds->channels.n;
    a->reason = zalloc(dl->n, sizeof *a->reason);
    a->journey_len = zalloc(dl->n, sizeof *a->journey_len);
    a->in_period = zalloc(dl->n, sizeof *a->in_period);
    a->credit_first = zalloc(dl->n, sizeof *a->credit_first);
    a->first_touch = zalloc(dl->n, sizeof *a->first_touch);
    a->campaign_touches = zalloc(a->n_campaigns, sizeof *a->campaign_touches);
    a->campaign_deals = zalloc(a->n_campaigns, sizeof *a->campaign_deals);
    a->channel_touches = zalloc(a->n_channels, sizeof *a->channel_touches);
    a->channel_deals = zalloc(a->n_channels, sizeof *a->channel_deals);
    a->campaign_period_touches = zalloc(a->n_campaigns, sizeof *a->campaign_period_touches);
    a->channel_period_touches = zalloc(a->n_channels, sizeof *a->channel_period_touches);
    for (uint64_t x = 0; x < ds->touches.n; x++) {
        if (ds->touches.bucket[x] == BUCKET_DUPLICATE ||
            !period_has_day(period, touch_day(&ds->touches, x)))
            continue;
        uint32_t c = ds->touches.campaign[x];
        a->campaign_period_touches[c]++;
        a->channel_period_touches[ds->campaigns.channel[c]]++;
    }
    for (int m = 0; m < MODEL_N; m++) {
        a->campaign_cents[m] = zalloc(a->n_campaigns, sizeof(int64_t));
        a->channel_cents[m] = zalloc(a->n_channels, sizeof(int64_t));
        a->campaign_deal_share[m] = zalloc(a->n_campaigns, sizeof(double));
        a->channel_deal_share[m] = zalloc(a->n_channels, sizeof(double));
    }
    /* Channel kinds, once: direct (last_non_direct) and marketing (sourced revenue). */
    bool *direct = zalloc(a->n_channels, sizeof *direct);
    bool *marketing = zalloc(a->n_channels, sizeof *marketing);
    for (uint32_t c = 0; c < a->n_channels; c++) {
        const char *name = intern_str(&ds->channels, c);
        size_t len = intern_len(&ds->channels, c);
        direct[c] = settings_list_has(s->direct_channels, name, len);
        marketing[c] = !settings_list_has(s->non_marketing_channels, name, len);
    }
    uint8_t *seen_channel = zalloc(a->n_channels, sizeof *seen_channel);
    struct scratch sc;
    memset(&sc, 0, sizeof sc);
    sc.slot_of = zalloc(a->n_campaigns, sizeof *sc.slot_of);

    progress_label("attributing");
    progress_total(dl->n, "deals");
    for (uint32_t d = 0; d < dl->n; d++) {
        progress_count(d); /* a relaxed store: free in this loop */
        a->first_touch[d] = ID_NONE;
        a->credit_first[d] = SIZE_MAX;
        if (dl->bucket[d] != BUCKET_USED && dl->bucket[d] != BUCKET_UNMATCHED)
            continue;
        if (!period_has_day(period, dl->close_day[d]))
            continue;
        a->in_period[d] = true;
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
        const struct touch_table *t = &ds->touches;
        uint32_t first = t->campaign[sc.touch[0]];
        a->first_touch[d] = first;
        if (marketing[ds->campaigns.channel[first]]) {
            a->n_sourced++;
            a->sourced_cents += dl->amount[d];
        }
        /* Campaign slots in order of first touch, so ties go to the earlier touch. */
        uint32_t n_slots = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint64_t x = sc.touch[i];
            uint32_t c = t->campaign[x];
            if (!sc.slot_of[c]) {
                sc.camp[n_slots] = c;
                sc.count[n_slots] = 0;
                sc.slot_of[c] = ++n_slots;
            }
            sc.slot[i] = sc.slot_of[c] - 1;
            sc.count[sc.slot[i]]++;
            sc.ts[i] = touch_ts(t, x);
            sc.direct[i] = direct[touch_channel(ds, x)];
            a->campaign_touches[c]++;
            a->channel_touches[ds->campaigns.channel[c]]++;
        }
        size_t first_credit = a->n_credits;
        a->credit_first[d] = first_credit;
        VEC_GROW(a->credits, a->cap_credits, a->n_credits + n_slots);
        for (uint32_t k = 0; k < n_slots; k++) {
            struct credit *c = &a->credits[a->n_credits++];
            memset(c, 0, sizeof *c);
            c->deal = d;
            c->campaign = sc.camp[k];
            c->touches = sc.count[k];
            a->campaign_deals[sc.camp[k]]++;
            uint32_t ch = ds->campaigns.channel[sc.camp[k]];
            if (!seen_channel[ch]++)
                a->channel_deals[ch]++;
        }
        for (uint32_t k = 0; k < n_slots; k++)
            seen_channel[ds->campaigns.channel[sc.camp[k]]] = 0;

        struct journey_view jv = {n,
                                  sc.ts,
                                  sc.direct,
                                  dl->close_ts[d] + (dl->close_date_only[d]),
                                  milestone_index(ds, &sc, n, &dl->lead_created[d]),
                                  milestone_index(ds, &sc, n, &dl->opp_created[d])};
        for (int m = 0; m < MODEL_N; m++) {
            if (!(s->models & (1u << m)))
                continue;
            attrib_weights((enum attr_model)m, &jv, s, sc.w);
            memset(sc.cw, 0, n_slots * sizeof *sc.cw);
            for (uint32_t i = 0; i < n; i++)
                sc.cw[sc.slot[i]] += sc.w[i];
            if (money_allocate(dl->amount[d], sc.cw, n_slots, sc.out))
                BUG("allocation over a non-empty journey failed");
            for (uint32_t k = 0; k < n_slots; k++) {
                struct credit *c = &a->credits[first_credit + k];
                uint32_t ch = ds->campaigns.channel[c->campaign];
                c->cents[m] = sc.out[k];
                a->campaign_cents[m][c->campaign] += sc.out[k];
                a->channel_cents[m][ch] += sc.out[k];
                if (dl->amount[d] != 0) {
                    double share = (double)sc.out[k] / (double)dl->amount[d];
                    a->campaign_deal_share[m][c->campaign] += share;
                    a->channel_deal_share[m][ch] += share;
                }
            }
        }
        for (uint32_t k = 0; k < n_slots; k++)
            sc.slot_of[sc.camp[k]] = 0;
    }
    scratch_release(&sc);
    free(direct);
    free(marketing);
    free(seen_channel);
}

void attrib_touch_credits(const struct attribution *a, const struct dataset *ds,
                          const struct lead_index *ix, const struct settings *s, attrib_touch_fn fn,
                          void *ctx)
{
    const struct deal_table *dl = &ds->deals;
    struct scratch sc;
    memset(&sc, 0, sizeof sc);
    /* Per credit (campaign of the deal) and model: cents still to hand out, touches left. */
    int64_t cents[MODEL_N];
    for (uint32_t d = 0; d < dl->n; d++) {
        if (!a->in_period[d] || a->reason[d] != UNATTR_NONE)
            continue;
        uint32_t n;
        journey(ds, ix, s, d, &sc, &n);
        size_t first = a->credit_first[d];
        size_t end = first;
        while (end < a->n_credits && a->credits[end].deal == d)
            end++;
        /* For each credit, each touch of its campaign gets floor(cents / k) and the first
         * (cents mod k) touches one more unit (largest remainder with equal weights: ties to
         * the earlier touch), signs mirrored for refunds. */
        for (uint32_t i = 0; i < n; i++) {
            uint64_t x = sc.touch[i];
            uint32_t camp = ds->touches.campaign[x];
            size_t k = first;
            while (k < end && a->credits[k].campaign != camp)
                k++;
            if (k == end)
                BUG("touch of a campaign without a credit");
            const struct credit *c = &a->credits[k];
            /* rank of this touch among its campaign's touches in the journey */
            uint32_t rank = 0;
            for (uint32_t j = 0; j < i; j++)
                rank += ds->touches.campaign[sc.touch[j]] == camp;
            for (int m = 0; m < MODEL_N; m++) {
                int64_t v = c->cents[m], q = (v < 0 ? -v : v);
                int64_t base = q / c->touches, extra = q % c->touches;
                int64_t mine = base + (rank < extra ? 1 : 0);
                cents[m] = v < 0 ? -mine : mine;
            }
            fn(ctx, d, x, cents);
        }
    }
    scratch_release(&sc);
}

void attrib_release(struct attribution *a)
{
    if (!a)
        return;
    free(a->credits);
    free(a->reason);
    free(a->journey_len);
    free(a->in_period);
    free(a->credit_first);
    free(a->first_touch);
    free(a->campaign_touches);
    free(a->campaign_deals);
    free(a->channel_touches);
    free(a->channel_deals);
    free(a->campaign_period_touches);
    free(a->channel_period_touches);
    for (int m = 0; m < MODEL_N; m++) {
        free(a->campaign_cents[m]);
        free(a->channel_cents[m]);
        free(a->campaign_deal_share[m]);
        free(a->channel_deal_share[m]);
    }
    memset(a, 0, sizeof *a);
}

/* ---- data-driven models ------------------------------------------------------------------ */

static const struct intern *order_by;
static int by_name(const void *x, const void *y)
{
    return strcmp(intern_str(order_by, *(const uint32_t *)x),
                  intern_str(order_by, *(const uint32_t *)y));
}

/* Allocate `total` over the ids[0..n) in proportion to double weights (scaled to integers once,
 * so the split is exact and repeatable); ids are in tie-break order. */
static void allocate_by(int64_t total, const uint32_t *ids, uint32_t n, const double *weight,
                        int64_t *out_by_id)
{
    double max = 0;
    for (uint32_t i = 0; i < n; i++)
        if (weight[ids[i]] > max)
            max = weight[ids[i]];
    if (n == 0 || max <= 0)
        return;
    uint64_t *w = xcalloc(n, sizeof *w);
    int64_t *o = xcalloc(n, sizeof *o);
    for (uint32_t i = 0; i < n; i++) {
        double v = weight[ids[i]] > 0 ? weight[ids[i]] / max : 0;
        w[i] = (uint64_t)llround(ldexp(v, 40));
    }
    if (money_allocate(total, w, n, o) == 0)
        for (uint32_t i = 0; i < n; i++)
            out_by_id[ids[i]] += o[i];
    free(w);
    free(o);
}

/* The non-converting journeys met so far, by their collapsed channel sequence: index + 1 of
 * their path (0 = empty slot), so a journey like an earlier one adds a non-conversion to that
 * path instead of a path of its own. The models read a path's counts only through sums of whole
 * numbers (Markov, the transitions) or of zeros (Shapley: no conversions, no value), which the
 * order of adding does not change, so the results are the same bit for bit. */
struct null_paths {
    uint32_t *slots;
    size_t n, n_slots; /* a power of two */
};

static uint64_t steps_hash(const uint32_t *steps, size_t n)
{
    return hash_bytes(steps, n * sizeof *steps, 0x1b873593);
}

static void null_paths_rehash(struct null_paths *np, const struct dd_paths *p, size_t n_slots)
{
    uint32_t *slots = xcalloc(n_slots, sizeof *slots);
    for (size_t k = 0; k < np->n_slots; k++) {
        uint32_t v = np->slots[k];
        if (!v)
            continue;
        uint32_t b = p->offsets[v - 1], e = p->offsets[v];
        size_t i = (size_t)steps_hash(p->steps + b, e - b) & (n_slots - 1);
        while (slots[i])
            i = (i + 1) & (n_slots - 1);
        slots[i] = v;
    }
    free(np->slots);
    np->slots = slots;
    np->n_slots = n_slots;
}

/* One non-converting journey: steps[0..n) (n > 0) with consecutive repeats collapsed. */
static void null_paths_add(struct null_paths *np, struct dd_paths *p, const uint32_t *steps,
                           size_t n)
{
    if ((np->n + 1) * 2 > np->n_slots)
        null_paths_rehash(np, p, np->n_slots ? np->n_slots * 2 : 1024);
    size_t i = (size_t)steps_hash(steps, n) & (np->n_slots - 1);
    for (uint32_t v; (v = np->slots[i]) != 0; i = (i + 1) & (np->n_slots - 1)) {
        uint32_t b = p->offsets[v - 1], e = p->offsets[v];
        if (e - b == n && memcmp(p->steps + b, steps, n * sizeof *steps) == 0) {
            p->nulls[v - 1] += 1.0;
            return;
        }
    }
    if (p->n_paths >= UINT32_MAX - 1)
        BUG("attrib: too many journeys");
    dd_paths_add(p, steps, n, 0.0, 0.0, 1.0);
    np->slots[i] = (uint32_t)p->n_paths;
    np->n++;
}

int attrib_data_driven(struct dd_credit *out, const struct attribution *a, const struct dataset *ds,
                       const struct lead_index *ix, const struct settings *s,
                       const struct period *period, struct diag *d)
{
    memset(out, 0, sizeof *out);
    out->models = s->dd_models;
    if (!s->dd_models)
        return 0;
    const struct deal_table *dl = &ds->deals;
    const struct touch_table *t = &ds->touches;
    uint32_t n_ch = ds->channels.n, n_camp = ds->campaigns.n;
    const char **names = zalloc(n_ch, sizeof *names);
    for (uint32_t c = 0; c < n_ch; c++)
        names[c] = intern_str(&ds->channels, c);
    struct dd_paths paths;
    dd_paths_init(&paths, n_ch, names);
    struct scratch sc;
    memset(&sc, 0, sizeof sc);
    uint32_t *steps = NULL;
    size_t cap_steps = 0;
    bool *lead_won = zalloc(ix->n_leads, sizeof *lead_won);

    for (uint32_t k = 0; k < dl->n; k++) {
        if (!a->in_period[k])
            continue;
        if (dl->lead[k] != ID_NONE)
            lead_won[dl->lead[k]] = true;
        for (uint32_t x = ix->deal_xoff[k]; x < ix->deal_xoff[k + 1]; x++)
            lead_won[ix->deal_xlead[x]] = true;
        if (a->reason[k] != UNATTR_NONE)
            continue;
        uint32_t n;
        journey(ds, ix, s, k, &sc, &n);
        VEC_GROW(steps, cap_steps, n);
        for (uint32_t i = 0; i < n; i++)
            steps[i] = ds->campaigns.channel[t->campaign[sc.touch[i]]];
        dd_paths_add(&paths, steps, n, 1.0, (double)dl->amount[k], 0.0);
        out->n_converting++;
        out->total_cents += dl->amount[k];
    }
    int32_t from = period->first_day - (int32_t)s->lookback_days;
    struct null_paths nulls = {0};
    for (uint32_t l = 0; l < ix->n_leads; l++) {
        if (lead_won[l])
            continue;
        uint32_t n = 0;
        for (uint64_t i = ix->offsets[l]; i < ix->offsets[l + 1]; i++) {
            uint64_t x = ix->touches[i];
            int32_t day = touch_day(t, x);
            if (day > period->last_day || (s->lookback_days > 0 && day < from))
                continue;
            uint32_t ch = ds->campaigns.channel[t->campaign[x]];
            if (n && steps[n - 1] == ch)
                continue; /* collapsed, as dd_paths_add would */
            VEC_GROW(steps, cap_steps, (size_t)n + 1);
            steps[n++] = ch;
        }
        if (n) {
            null_paths_add(&nulls, &paths, steps, n);
            out->n_null++;
        }
    }
    free(nulls.slots);

    /* Order-1 transition counts over the collapsed journeys, normalised per row. */
    out->n_channels = n_ch;
    size_t cols = (size_t)n_ch + 2;
    out->transitions = zalloc(((size_t)n_ch + 1) * cols, sizeof(double));
    for (size_t i = 0; i < paths.n_paths; i++) {
        uint32_t b = paths.offsets[i], e = paths.offsets[i + 1];
        double wgt = paths.conversions[i] + paths.nulls[i];
        if (b == e || wgt <= 0)
            continue;
        out->transitions[paths.steps[b]] += wgt;
        for (uint32_t k = b; k + 1 < e; k++)
            out->transitions[(1 + (size_t)paths.steps[k]) * cols + paths.steps[k + 1]] += wgt;
        size_t last = (1 + (size_t)paths.steps[e - 1]) * cols;
        out->transitions[last + n_ch] += paths.conversions[i];
        out->transitions[last + n_ch + 1] += paths.nulls[i];
    }
    for (size_t r = 0; r <= n_ch; r++) {
        double sum = 0;
        for (size_t c = 0; c < cols; c++)
            sum += out->transitions[r * cols + c];
        for (size_t c = 0; sum > 0 && c < cols; c++)
            out->transitions[r * cols + c] /= sum;
    }

    uint32_t *ch_order = zalloc(n_ch, sizeof *ch_order);
    for (uint32_t c = 0; c < n_ch; c++)
        ch_order[c] = c;
    order_by = &ds->channels;
    qsort(ch_order, n_ch, sizeof *ch_order, by_name);
    uint32_t *camp_order = zalloc(n_camp, sizeof *camp_order);
    for (uint32_t c = 0; c < n_camp; c++)
        camp_order[c] = c;
    order_by = &ds->campaign_ids;
    qsort(camp_order, n_camp, sizeof *camp_order, by_name);
    double *camp_weight = zalloc(n_camp, sizeof *camp_weight);
    for (uint32_t c = 0; c < n_camp; c++)
        camp_weight[c] = a->campaign_touches[c];
    uint32_t *members = zalloc(n_camp, sizeof *members);

    int rc = 0;
    double *value = zalloc(n_ch, sizeof *value);
    for (int m = 0; m < DD_N; m++) {
        if (!(s->dd_models & (1u << m)))
            continue;
        out->channel_cents[m] = zalloc(n_ch, sizeof(int64_t));
        out->channel_conversions[m] = zalloc(n_ch, sizeof(double));
        out->campaign_cents[m] = zalloc(n_camp, sizeof(int64_t));
        if (out->n_converting == 0)
            continue;
        int r = 0;
        if (m == DD_MARKOV) {
            r = markov_run(&paths, (int)s->markov_order,
                           s->markov_horizon_observed ? MARKOV_OBSERVED : MARKOV_INFINITE,
                           &out->markov, d);
            if (r == 0) {
                memcpy(value, out->markov.value, n_ch * sizeof *value);
                memcpy(out->channel_conversions[m], out->markov.conversions, n_ch * sizeof(double));
            }
        } else {
            r = (m == DD_SHAPLEY ? shapley_simplified
                                 : shapley_ordered)(&paths, out->channel_conversions[m], value);
            if (r)
                diag_error(d, NULL, 0, "%s attribution found no converting journey",
                           dd_model_name((enum dd_model)m));
        }
        if (r) {
            rc = -1;
            continue;
        }
        allocate_by(out->total_cents, ch_order, n_ch, value, out->channel_cents[m]);
        for (uint32_t c = 0; c < n_ch; c++) {
            uint32_t n_members = 0;
            for (uint32_t i = 0; i < n_camp; i++)
                if (ds->campaigns.channel[camp_order[i]] == c)
                    members[n_members++] = camp_order[i];
            allocate_by(out->channel_cents[m][c], members, n_members, camp_weight,
                        out->campaign_cents[m]);
        }
    }
    free(value);
    free(members);
    free(camp_weight);
    free(camp_order);
    free(ch_order);
    free(lead_won);
    free(steps);
    scratch_release(&sc);
    dd_paths_release(&paths);
    free(names);
    return rc;
}

void dd_credit_release(struct dd_credit *c)
{
    if (!c)
        return;
    for (int m = 0; m < DD_N; m++) {
        free(c->channel_cents[m]);
        free(c->channel_conversions[m]);
        free(c->campaign_cents[m]);
    }
    if (c->models & (1u << DD_MARKOV))
        markov_result_release(&c->markov);
    free(c->transitions);
    memset(c, 0, sizeof *c);
}
