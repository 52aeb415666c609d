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
    free(t->day);
    free(t->campaign);
    free(t->channel);
    free(t->row_hash);
    free(t->line);
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
