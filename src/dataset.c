/* dataset.c — lifetime and growth of the columnar input tables. */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void dataset_init(struct dataset *ds)
{
    memset(ds, 0, sizeof *ds);
}

void dataset_release(struct dataset *ds)
{
    if (!ds)
        return;
    intern_release(&ds->leads);
    intern_release(&ds->campaign_ids);
    intern_release(&ds->channels);
    intern_release(&ds->people_ids);
    intern_release(&ds->teams);
    intern_release(&ds->deal_ids);
    struct campaign_table *c = &ds->campaigns;
    free(c->name);
    free(c->channel);
    free(c->owner);
    free(c->spend);
    free(c->start_day);
    free(c->end_day);
    free(c->line);
    free(c->known);
    free(c->spend_named);
    free(c->spend_dated);
    free(c->spend_rows);
    struct touch_table *t = &ds->touches;
    free(t->lead);
    free(t->ts);
    free(t->ts32);
    free(t->day);
    free(t->day8);
    free(t->campaign);
    free(t->channel);
    free(t->chan_at);
    free(t->chan_id);
    free(t->row_hash);
    free(t->line);
    free(t->line_from);
    free(t->line_delta);
    free(t->line_hi_from);
    free(t->bucket);
    free(t->via);
    idmap_release(&ds->identities);
    struct deal_table *dl = &ds->deals;
    free(dl->id);
    free(dl->lead);
    free(dl->owner);
    free(dl->amount);
    free(dl->close_day);
    free(dl->close_ts);
    free(dl->line);
    free(dl->row_hash);
    free(dl->bucket);
    free(dl->nrows);
    free(dl->close_date_only);
    free(dl->lead_created);
    free(dl->opp_created);
    free(dl->name);
    free(dl->orig_amount);
    free(dl->orig_currency);
    free(dl->cancel_day);
    free(dl->extra);
    free(dl->xlead_deal);
    free(dl->xlead_lead);
    struct person_table *p = &ds->people;
    free(p->name);
    free(p->team);
    free(p->role);
    free(p->plan);
    free(p->line);
    free(p->manager);
    free(p->quota);
    free(p->target);
    free(p->draw);
    free(p->start_day);
    free(p->end_day);
    free(p->currency);
    struct split_table *sp = &ds->splits;
    free(sp->deal);
    free(sp->person);
    free(sp->share);
    free(sp->overlay);
    free(sp->line);
    struct fx_table *fx = &ds->fx;
    free(fx->currency);
    free(fx->rate);
    free(fx->day);
    free(fx->line);
    struct adjustment_table *aj = &ds->adjustments;
    free(aj->id);
    free(aj->person);
    free(aj->period);
    free(aj->amount);
    free(aj->orig_amount);
    free(aj->orig_currency);
    free(aj->reason);
    free(aj->approved_by);
    free(aj->line);
    struct payment_table *pm = &ds->payments;
    free(pm->id);
    free(pm->deal_row);
    free(pm->deal_id);
    free(pm->paid_day);
    free(pm->amount);
    free(pm->orig_amount);
    free(pm->orig_currency);
    free(pm->line);
    free(ds->rejects);
    arena_release(&ds->arena);
    memset(ds, 0, sizeof *ds);
}

void dataset_reject(struct dataset *ds, enum input_kind file, uint64_t line, const char *column,
                    const char *value, size_t value_len, const char *reason)
{
    VEC_GROW(ds->rejects, ds->cap_rejects, ds->n_rejects + 1);
    struct reject *r = &ds->rejects[ds->n_rejects++];
    r->file = file;
    r->line = line;
    r->column = column ? arena_strndup(&ds->arena, column, strlen(column)) : NULL;
    r->value = value ? arena_strndup(&ds->arena, value, value_len) : NULL;
    r->reason = arena_strndup(&ds->arena, reason, strlen(reason));
    r->has_amount = false;
    r->ytd_only = false;
    r->amount = 0;
    r->currency[0] = '\0';
}

#define TS_HALF ((int64_t)1 << 31)

static bool ts_narrow_fits(const struct touch_table *t, int64_t ts)
{
    if (!t->ts_based)
        return ts > INT64_MIN / 2 && ts < INT64_MAX / 2;
    /* ts_base lies within (INT64_MIN / 2 - 2^31 - 86400, INT64_MAX / 2): no difference wraps
     * into [0, 2^32) */
    return (uint64_t)ts - (uint64_t)t->ts_base <= UINT32_MAX;
}

static bool day_narrow_fits(int64_t ts, int32_t day)
{
    int64_t d = (int64_t)day - touch_utc_day(ts);
    return d >= INT8_MIN && d <= INT8_MAX;
}

bool touch_when_fits(const struct touch_table *t, int64_t ts, int32_t day)
{
    return (t->ts || ts_narrow_fits(t, ts)) && (t->day || day_narrow_fits(ts, day));
}

void touch_when_put(struct touch_table *t, uint64_t i, int64_t ts, int32_t day)
{
    size_t cap = t->cap > i ? t->cap : i + 1;
    if (!t->ts && !ts_narrow_fits(t, ts)) {
        int64_t *wide = xrealloc_large(NULL, 0, cap * sizeof *wide);
        for (uint64_t j = 0; j < i; j++)
            wide[j] = touch_ts(t, j);
        free(t->ts32);
        t->ts32 = NULL;
        t->ts = wide;
    }
    if (t->ts) {
        t->ts[i] = ts;
    } else {
        if (!t->ts_based) {
            t->ts_base_day = touch_utc_day(ts - TS_HALF);
            t->ts_base = t->ts_base_day * 86400;
            t->ts_based = true;
        }
        t->ts32[i] = (uint32_t)((uint64_t)ts - (uint64_t)t->ts_base);
    }
    if (!t->day && !day_narrow_fits(ts, day)) {
        int32_t *wide = xrealloc_large(NULL, 0, cap * sizeof *wide);
        for (uint64_t j = 0; j < i; j++)
            wide[j] = touch_day(t, j);
        free(t->day8);
        t->day8 = NULL;
        t->day = wide;
    }
    if (t->day)
        t->day[i] = day;
    else
        t->day8[i] = (int8_t)((int64_t)day - touch_utc_day(ts));
}

static void touch_line_dense(struct touch_table *t, uint64_t i, uint64_t line)
{
    while (line >> 32 > t->n_line_hi) { /* past 2^32 lines: note where the high bits step up */
        t->line_hi_from = xreallocarray(t->line_hi_from, t->n_line_hi + 1, sizeof *t->line_hi_from);
        t->line_hi_from[t->n_line_hi++] = i;
    }
    t->line[i] = (uint32_t)line;
}

void touch_line_put_new(struct touch_table *t, uint64_t i, uint64_t line)
{
    if (t->line) {
        touch_line_dense(t, i, line);
        return;
    }
    uint64_t delta = line - i;
    if (t->n_line_runs && t->line_delta[t->n_line_runs - 1] == delta)
        return;
    enum { RUN_BYTES = sizeof *t->line_from + sizeof *t->line_delta, RUNS_FREE = 1024 };
    if (t->n_line_runs >= RUNS_FREE &&
        (t->n_line_runs + 1) * RUN_BYTES > (i + 1) * sizeof *t->line) {
        /* Runs as many as the rows: a 4-byte column is smaller. */
        size_t cap = t->cap > i ? t->cap : i + 1;
        uint32_t *dense = xrealloc_large(NULL, 0, cap * sizeof *dense);
        uint32_t *from = t->line_from;
        uint64_t *d = t->line_delta;
        t->line = dense;
        for (uint64_t j = 0, k = 0; j < i; j++) {
            while (k + 1 < t->n_line_runs && from[k + 1] <= j)
                k++;
            touch_line_dense(t, j, j + d[k]);
        }
        touch_line_dense(t, i, line);
        free(t->line_from);
        free(t->line_delta);
        t->line_from = NULL;
        t->line_delta = NULL;
        t->n_line_runs = t->cap_line_runs = 0;
        return;
    }
    if (t->n_line_runs == t->cap_line_runs) {
        size_t cap = grow_capacity(t->cap_line_runs, t->n_line_runs + 1);
        t->line_from = xreallocarray(t->line_from, cap, sizeof *t->line_from);
        t->line_delta = xreallocarray(t->line_delta, cap, sizeof *t->line_delta);
        t->cap_line_runs = cap;
    }
    t->line_from[t->n_line_runs] = (uint32_t)i;
    t->line_delta[t->n_line_runs++] = delta;
}

void touch_channel_put_other(struct dataset *ds, uint64_t i, uint32_t channel)
{
    struct touch_table *t = &ds->touches;
    if (t->channel) {
        t->channel[i] = channel;
        return;
    }
    if (channel == ds->campaigns.channel[t->campaign[i]])
        return;
    enum { X_BYTES = sizeof *t->chan_at + sizeof *t->chan_id, X_FREE = 1024 };
    if (t->n_chan >= X_FREE && (t->n_chan + 1) * X_BYTES > (i + 1) * sizeof *t->channel) {
        /* Rows naming another channel as many as the rows: a column is smaller. */
        size_t cap = t->cap > i ? t->cap : i + 1;
        uint32_t *dense = xrealloc_large(NULL, 0, cap * sizeof *dense);
        for (uint64_t j = 0; j < i; j++)
            dense[j] = ds->campaigns.channel[t->campaign[j]];
        for (size_t k = 0; k < t->n_chan; k++)
            dense[t->chan_at[k]] = t->chan_id[k];
        dense[i] = channel;
        free(t->chan_at);
        free(t->chan_id);
        t->chan_at = t->chan_id = NULL;
        t->n_chan = t->cap_chan = 0;
        t->channel = dense;
        return;
    }
    if (t->n_chan == t->cap_chan) {
        size_t cap = grow_capacity(t->cap_chan, t->n_chan + 1);
        t->chan_at = xreallocarray(t->chan_at, cap, sizeof *t->chan_at);
        t->chan_id = xreallocarray(t->chan_id, cap, sizeof *t->chan_id);
        t->cap_chan = cap;
    }
    t->chan_at[t->n_chan] = (uint32_t)i;
    t->chan_id[t->n_chan++] = channel;
}

void person_table_touch(struct dataset *ds, uint32_t id)
{
    struct person_table *p = &ds->people;
    while (p->n <= id) {
        if (p->n == p->cap) {
            size_t cap = grow_capacity(p->cap, (size_t)p->n + 1);
            p->name = xreallocarray(p->name, cap, sizeof *p->name);
            p->team = xreallocarray(p->team, cap, sizeof *p->team);
            p->role = xreallocarray(p->role, cap, sizeof *p->role);
            p->plan = xreallocarray(p->plan, cap, sizeof *p->plan);
            p->line = xreallocarray(p->line, cap, sizeof *p->line);
            p->manager = xreallocarray(p->manager, cap, sizeof *p->manager);
            p->quota = xreallocarray(p->quota, cap, sizeof *p->quota);
            p->target = xreallocarray(p->target, cap, sizeof *p->target);
            p->draw = xreallocarray(p->draw, cap, sizeof *p->draw);
            p->start_day = xreallocarray(p->start_day, cap, sizeof *p->start_day);
            p->end_day = xreallocarray(p->end_day, cap, sizeof *p->end_day);
            p->currency = xreallocarray(p->currency, cap, sizeof *p->currency);
            p->cap = (uint32_t)cap;
        }
        p->name[p->n] = NULL;
        p->team[p->n] = ID_NONE;
        p->role[p->n] = NULL;
        p->plan[p->n] = NULL;
        p->line[p->n] = 0;
        p->manager[p->n] = ID_NONE;
        p->quota[p->n] = QUOTA_NONE;
        p->target[p->n] = QUOTA_NONE;
        p->draw[p->n] = QUOTA_NONE;
        p->start_day[p->n] = DAY_NONE;
        p->end_day[p->n] = DAY_NONE;
        memcpy(p->currency[p->n].code, ds->currency, sizeof p->currency[p->n].code);
        p->n++;
    }
}

void campaign_table_touch(struct dataset *ds, uint32_t id)
{
    struct campaign_table *c = &ds->campaigns;
    while (c->n <= id) {
        if (c->n == c->cap) {
            size_t cap = grow_capacity(c->cap, (size_t)c->n + 1);
            c->name = xreallocarray(c->name, cap, sizeof *c->name);
            c->channel = xreallocarray(c->channel, cap, sizeof *c->channel);
            c->owner = xreallocarray(c->owner, cap, sizeof *c->owner);
            c->spend = xreallocarray(c->spend, cap, sizeof *c->spend);
            c->start_day = xreallocarray(c->start_day, cap, sizeof *c->start_day);
            c->end_day = xreallocarray(c->end_day, cap, sizeof *c->end_day);
            c->line = xreallocarray(c->line, cap, sizeof *c->line);
            c->known = xreallocarray(c->known, cap, sizeof *c->known);
            c->spend_named = xreallocarray(c->spend_named, cap, sizeof *c->spend_named);
            c->spend_dated = xreallocarray(c->spend_dated, cap, sizeof *c->spend_dated);
            c->spend_rows = xreallocarray(c->spend_rows, cap, sizeof *c->spend_rows);
            c->cap = (uint32_t)cap;
        }
        c->name[c->n] = NULL;
        c->channel[c->n] = ID_NONE;
        c->owner[c->n] = ID_NONE;
        c->spend[c->n] = 0;
        c->start_day[c->n] = DAY_NONE;
        c->end_day[c->n] = DAY_NONE;
        c->line[c->n] = 0;
        c->known[c->n] = false;
        c->spend_named[c->n] = false;
        c->spend_dated[c->n] = 0;
        c->spend_rows[c->n] = 0;
        c->n++;
    }
}
