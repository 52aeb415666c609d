/* payout_credit.c — measures: which deals credit whom, by how much (credit lists, SPIF shares). */
#define _GNU_SOURCE /* qsort_r */
#include "payout_internal.h"

#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "util.h"

/* ---- deals, splits and order ------------------------------------------------------------- */

static int deal_cmp(const void *a, const void *b, void *ctx)
{
    const struct dataset *ds = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const struct deal_table *t = &ds->deals;
    if (t->close_day[x] != t->close_day[y])
        return t->close_day[x] < t->close_day[y] ? -1 : 1;
    if (t->close_ts[x] != t->close_ts[y])
        return t->close_ts[x] < t->close_ts[y] ? -1 : 1;
    return strcmp(intern_str(&ds->deal_ids, t->id[x]), intern_str(&ds->deal_ids, t->id[y]));
}

static void sp_push(struct engine *e, uint32_t person, int64_t cents, bool overlay)
{
    if (e->n_sp == e->cap_sp) {
        size_t cap = e->cap_sp ? 2 * e->cap_sp : 64;
        e->sp_person = xreallocarray(e->sp_person, cap, sizeof *e->sp_person);
        e->sp_cents = xreallocarray(e->sp_cents, cap, sizeof *e->sp_cents);
        e->sp_overlay = xreallocarray(e->sp_overlay, cap, sizeof *e->sp_overlay);
        e->cap_sp = cap;
    }
    e->sp_person[e->n_sp] = person;
    e->sp_cents[e->n_sp] = cents;
    e->sp_overlay[e->n_sp] = overlay;
    e->n_sp++;
}

/* Each person's deals (split or owner), as positions in the close order. */
void build_person_lists(struct engine *e)
{
    const struct deal_table *dl = &e->ds->deals;
    uint32_t np = e->ds->people.n;
    e->pl_first = xcalloc((size_t)np + 1, sizeof *e->pl_first);
    e->pl_n = xcalloc(np ? np : 1, sizeof *e->pl_n);
    /* Count, then fill; a person twice in one deal (owner and split) is listed once. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            uint32_t sum = 0;
            for (uint32_t i = 0; i < np; i++) {
                e->pl_first[i] = sum;
                sum += e->pl_n[i];
                e->pl_n[i] = 0;
            }
            e->pl_first[np] = sum;
            e->pl_pos = xcalloc(sum ? sum : 1, sizeof *e->pl_pos);
        }
        for (uint32_t q = 0; q < e->n_order; q++) {
            uint32_t k = e->order[q];
            for (uint32_t i = e->sp_first[k]; i <= e->sp_first[k] + e->sp_n[k]; i++) {
                uint32_t who = i < e->sp_first[k] + e->sp_n[k] ? e->sp_person[i] : dl->owner[k];
                if (who >= np)
                    continue;
                uint32_t n = e->pl_n[who];
                if (pass == 0) {
                    e->pl_n[who]++; /* may overcount a repeat; the fill pass dedupes */
                    continue;
                }
                if (n && e->pl_pos[e->pl_first[who] + n - 1] == q)
                    continue;
                e->pl_pos[e->pl_first[who] + n] = q;
                e->pl_n[who]++;
            }
        }
    }
}

int build_deals(struct engine *e)
{
    const struct dataset *ds = e->ds;
    const struct deal_table *dl = &ds->deals;
    const struct split_table *st = &ds->splits;
    e->order = xcalloc(dl->n ? dl->n : 1, sizeof *e->order);
    for (uint32_t k = 0; k < dl->n; k++)
        if ((dl->bucket[k] == BUCKET_USED || dl->bucket[k] == BUCKET_UNMATCHED) &&
            dl->close_day[k] <= e->in->as_of)
            e->order[e->n_order++] = k;
    qsort_r(e->order, e->n_order, sizeof *e->order, deal_cmp, (void *)(uintptr_t)ds);

    /* deal id -> the split rows naming it, in file order */
    uint32_t nid = ds->deal_ids.n;
    uint32_t *row_of = xcalloc(nid ? nid : 1, sizeof *row_of);
    for (uint32_t i = 0; i < nid; i++)
        row_of[i] = ID_NONE;
    for (uint32_t k = 0; k < dl->n; k++)
        row_of[dl->id[k]] = k;
    uint32_t *first = xcalloc(dl->n ? dl->n : 1, sizeof *first), *next = NULL;
    for (uint32_t k = 0; k < dl->n; k++)
        first[k] = UINT32_MAX;
    next = xcalloc(st->n ? st->n : 1, sizeof *next);
    uint32_t *last = xcalloc(dl->n ? dl->n : 1, sizeof *last);
    for (size_t i = 0; i < st->n; i++) {
        uint32_t k = st->deal[i] < nid ? row_of[st->deal[i]] : ID_NONE;
        next[i] = UINT32_MAX;
        if (k == ID_NONE)
            continue;
        if (first[k] == UINT32_MAX)
            first[k] = (uint32_t)i;
        else
            next[last[k]] = (uint32_t)i;
        last[k] = (uint32_t)i;
    }
    int rc = 0;
    e->sp_first = xcalloc(dl->n ? dl->n : 1, sizeof *e->sp_first);
    e->sp_n = xcalloc(dl->n ? dl->n : 1, sizeof *e->sp_n);
    uint64_t w[256];
    uint32_t who[256];
    int64_t out[256];
    for (uint32_t k = 0; k < dl->n; k++) {
        e->sp_first[k] = (uint32_t)e->n_sp;
        if (first[k] == UINT32_MAX) {
            sp_push(e, dl->owner[k], dl->amount[k], false);
            e->sp_n[k] = 1;
            continue;
        }
        /* Revenue splits: weights on a common scale, checked to total 100 ± 0.01. */
        int scale = 4;
        for (uint32_t i = first[k]; i != UINT32_MAX; i = next[i])
            if (st->share[i].scale > scale)
                scale = st->share[i].scale;
        if (scale > 12)
            scale = 12;
        size_t n = 0;
        uint64_t sum = 0;
        uint64_t unit = 1;
        for (int s = 0; s < scale; s++)
            unit *= 10;
        for (uint32_t i = first[k]; i != UINT32_MAX; i = next[i]) {
            if (st->overlay[i] || n == ARRAY_LEN(w))
                continue;
            struct decimal sh = st->share[i];
            uint64_t v = (uint64_t)sh.units;
            for (int s = sh.scale; s < scale; s++)
                v *= 10;
            for (int s = scale; s < sh.scale; s++)
                v /= 10;
            w[n] = v;
            who[n] = st->person[i];
            sum += v;
            n++;
        }
        /* 100% ± 0.01 percentage points: |sum - unit| <= unit / 10000 */
        uint64_t tol = unit / 10000;
        if (n > 0 && (sum + tol < unit || sum > unit + tol)) {
            char pct[48];
            decimal_format(pct, sizeof pct, (struct decimal){(int64_t)sum * 100, scale});
            diag_error(e->d, ds->files[INPUT_SPLITS].display, st->line[first[k]],
                       "revenue splits of deal '%s' total %s%%, not 100%%",
                       intern_str(&ds->deal_ids, dl->id[k]), pct);
            rc = -1;
        }
        if (n > 0 && sum > 0 && money_allocate(dl->amount[k], w, n, out) == 0) {
            for (size_t i = 0; i < n; i++)
                sp_push(e, who[i], out[i], false);
        } else if (n == 0) {
            sp_push(e, dl->owner[k], dl->amount[k], false);
        }
        for (uint32_t i = first[k]; i != UINT32_MAX; i = next[i]) {
            if (!st->overlay[i])
                continue;
            int64_t c;
            if (money_mul_decimal(dl->amount[k], st->share[i], &c))
                BUG("overlay split overflows");
            sp_push(e, st->person[i], c, true);
        }
        e->sp_n[k] = (uint32_t)(e->n_sp - e->sp_first[k]);
    }
    free(row_of);
    free(first);
    free(next);
    free(last);
    return rc;
}

/* A deal whose owner is unknown or inactive on its close date pays no one (DESIGN §7a): it stays
 * in every measure, but no per-deal line is paid on it. Nor does a payee earn per-deal lines on
 * days they are not active. */
bool deal_pays(const struct engine *e, uint32_t k, uint32_t payee)
{
    const struct person_table *pt = &e->ds->people;
    uint32_t owner = e->ds->deals.owner[k];
    int32_t day = e->ds->deals.close_day[k];
    return pt->name[owner] && active_on(pt, owner, day) && active_on(pt, payee, day);
}

/* ---- measures ---------------------------------------------------------------------------- */

/* How far up a manager chain is followed (it also ends a loop in the people file). */
#define MANAGER_CHAIN_MAX 64

bool payout_reports_to(const struct person_table *pt, uint32_t who, uint32_t mgr)
{
    uint32_t m = who < pt->n ? pt->manager[who] : ID_NONE;
    for (int depth = 0; m != ID_NONE && depth < MANAGER_CHAIN_MAX; depth++) {
        if (m == mgr)
            return true;
        m = pt->manager[m];
    }
    return false;
}

static bool same_team(const struct person_table *pt, uint32_t a, uint32_t b)
{
    return a < pt->n && b < pt->n && pt->team[a] != ID_NONE && pt->team[a] == pt->team[b];
}

static bool campaign_in_scope(const struct engine *e, enum scope sc, uint32_t person,
                              uint32_t campaign)
{
    if (sc == SCOPE_COMPANY)
        return true;
    uint32_t owner = e->ds->campaigns.owner[campaign];
    if (owner == ID_NONE)
        return false;
    return sc == SCOPE_OWN ? owner == person : same_team(&e->ds->people, owner, person);
}

/* The deal's credit to `person`'s measure under `c` (minor units, or deals for won_deals).
 * `members` (may be NULL) is a pool's member set for team measures. */
int64_t credit(const struct engine *e, uint32_t person, const struct component *c, uint32_t k,
               const bool *members)
{
    const struct dataset *ds = e->ds;
    const struct person_table *pt = &ds->people;
    int32_t day = ds->deals.close_day[k];
    int64_t sum = 0;
    switch (c->measure) {
    case MEASURE_OWN_REVENUE:
    case MEASURE_WON_DEALS:
        for (uint32_t i = e->sp_first[k]; i < e->sp_first[k] + e->sp_n[k]; i++)
            if (members
                    ? members[e->sp_person[i]] && !e->sp_overlay[i]
                    : e->sp_person[i] == person && pt->name[person] && active_on(pt, person, day))
                sum += e->sp_cents[i];
        if (c->measure == MEASURE_WON_DEALS)
            return sum != 0 ? (sum > 0 ? 1 : -1) : 0;
        return sum;
    case MEASURE_TEAM_REVENUE:
        for (uint32_t i = e->sp_first[k]; i < e->sp_first[k] + e->sp_n[k]; i++) {
            uint32_t who = e->sp_person[i];
            if (e->sp_overlay[i])
                continue;
            bool in = members                    ? members[who]
                      : c->type == COMP_OVERRIDE ? payout_reports_to(pt, who, person)
                                                 : same_team(pt, who, person);
            if (in)
                sum += e->sp_cents[i];
        }
        return sum;
    case MEASURE_COMPANY_REVENUE:
        return ds->deals.amount[k];
    case MEASURE_ATTRIBUTED_REVENUE: {
        const struct attribution *a = e->in->attr;
        if (!a || a->credit_first[k] == SIZE_MAX)
            return 0;
        for (size_t i = a->credit_first[k]; i < a->n_credits && a->credits[i].deal == k; i++)
            if (campaign_in_scope(e, c->scope, person, a->credits[i].campaign))
                sum += a->credits[i].cents[c->model];
        return sum;
    }
    case MEASURE_SOURCED_REVENUE: {
        const struct attribution *a = e->in->attr;
        if (!a)
            return 0;
        uint32_t first = a->first_touch[k];
        if (first == ID_NONE || !e->marketing[ds->campaigns.channel[first]])
            return 0;
        return campaign_in_scope(e, c->scope, person, first) ? ds->deals.amount[k] : 0;
    }
    case MEASURE_N:
        break;
    }
    BUG("unknown measure");
}

/* ---- credit lists ------------------------------------------------------------------------ */

/* The credit key of c, or false when c credits only people on the deal (own revenue, won deals:
 * pl_pos lists those). */
static bool credit_key_of(const struct component *c, struct credit_key *k)
{
    *k = (struct credit_key){c->measure, false, SCOPE_COMPANY, -1};
    switch (c->measure) {
    case MEASURE_TEAM_REVENUE:
        k->override = c->type == COMP_OVERRIDE;
        return true;
    case MEASURE_COMPANY_REVENUE:
        return true;
    case MEASURE_ATTRIBUTED_REVENUE:
        k->model = (int)c->model;
        k->scope = c->scope;
        return true;
    case MEASURE_SOURCED_REVENUE:
        k->scope = c->scope;
        return true;
    case MEASURE_OWN_REVENUE:
    case MEASURE_WON_DEALS:
    case MEASURE_N:
        break;
    }
    return false;
}

static bool credit_key_eq(const struct credit_key *a, const struct credit_key *b)
{
    return a->measure == b->measure && a->override == b->override && a->scope == b->scope &&
           a->model == b->model;
}

/* Scratch for one deal's credits by group: the groups touched, in order, and their sums. */
struct gather {
    int64_t *acc;     /* per group */
    uint32_t *stamp;  /* per group: the deal (position + 1) that last touched it */
    uint32_t *list;   /* the groups touched by the current deal */
    uint32_t n;       /* how many */
    uint32_t *chain;  /* per person: the split (+ 1) whose manager chain last reached them */
    uint32_t n_split; /* splits walked so far */
};

static void gather_add(struct gather *g, uint32_t q, uint32_t group, int64_t cents)
{
    if (g->stamp[group] != q + 1) {
        g->stamp[group] = q + 1;
        g->acc[group] = 0;
        g->list[g->n++] = group;
    }
    g->acc[group] += cents;
}

/* The credits of the deal at position q of the close order to each group under key k: what
 * credit() would sum for any person of that group, gathered in one pass over the deal's splits
 * or attribution credits. */
static void gather_deal(const struct engine *e, const struct credit_key *key, enum group_kind gk,
                        uint32_t n_groups, uint32_t q, struct gather *g)
{
    const struct dataset *ds = e->ds;
    const struct person_table *pt = &ds->people;
    uint32_t k = e->order[q];
    g->n = 0;
    switch (key->measure) {
    case MEASURE_TEAM_REVENUE:
        for (uint32_t i = e->sp_first[k]; i < e->sp_first[k] + e->sp_n[k]; i++) {
            uint32_t who = e->sp_person[i];
            if (e->sp_overlay[i])
                continue;
            if (!key->override) {
                uint32_t t = group_of(pt, GROUP_TEAM, who);
                if (t != ID_NONE && t < n_groups)
                    gather_add(g, q, t, e->sp_cents[i]);
                continue;
            }
            /* payout_reports_to: every manager up the chain, each once */
            uint32_t split = ++g->n_split;
            uint32_t m = who < pt->n ? pt->manager[who] : ID_NONE;
            for (int depth = 0; m != ID_NONE && m < pt->n && depth < MANAGER_CHAIN_MAX; depth++) {
                if (g->chain[m] != split) {
                    g->chain[m] = split;
                    gather_add(g, q, m, e->sp_cents[i]);
                }
                m = pt->manager[m];
            }
        }
        return;
    case MEASURE_COMPANY_REVENUE:
        gather_add(g, q, 0, ds->deals.amount[k]);
        return;
    case MEASURE_ATTRIBUTED_REVENUE: {
        const struct attribution *a = e->in->attr;
        if (!a || a->credit_first[k] == SIZE_MAX)
            return;
        for (size_t i = a->credit_first[k]; i < a->n_credits && a->credits[i].deal == k; i++) {
            uint32_t owner = ds->campaigns.owner[a->credits[i].campaign];
            if (gk != GROUP_ALL && owner == ID_NONE)
                continue;
            uint32_t grp = group_of(pt, gk, owner);
            if (grp != ID_NONE && grp < n_groups)
                gather_add(g, q, grp, a->credits[i].cents[key->model]);
        }
        return;
    }
    case MEASURE_SOURCED_REVENUE: {
        const struct attribution *a = e->in->attr;
        if (!a)
            return;
        uint32_t first = a->first_touch[k];
        if (first == ID_NONE || !e->marketing[ds->campaigns.channel[first]])
            return;
        uint32_t owner = ds->campaigns.owner[first];
        if (gk != GROUP_ALL && owner == ID_NONE)
            return;
        uint32_t grp = group_of(pt, gk, owner);
        if (grp != ID_NONE && grp < n_groups)
            gather_add(g, q, grp, ds->deals.amount[k]);
        return;
    }
    case MEASURE_OWN_REVENUE:
    case MEASURE_WON_DEALS:
    case MEASURE_N:
        break;
    }
    BUG("no credit lists for this measure");
}

/* Attributed revenue's lists, gathered in one pass over the attribution's credits in their own
 * (deal table) order rather than deal by deal in close order, which reads them at random: each
 * deal's credits to a group become one entry (group, position, credit), the entries are ordered
 * by position with a counting sort, then by group with a stable one. */
static void build_attributed_lists(const struct engine *e, struct credit_lists *cl,
                                   struct gather *g)
{
    const struct dataset *ds = e->ds;
    const struct attribution *a = e->in->attr;
    enum group_kind gk = key_groups(&cl->key);
    uint32_t n = cl->n_groups;
    uint32_t *q_of = xcalloc(ds->deals.n ? ds->deals.n : 1, sizeof *q_of);
    for (uint32_t k = 0; k < ds->deals.n; k++)
        q_of[k] = UINT32_MAX;
    for (uint32_t q = 0; q < e->n_order; q++)
        q_of[e->order[q]] = q;
    size_t nt = 0, cap = 0;
    uint32_t *tg = NULL, *tq = NULL;
    int64_t *tc = NULL;
    for (size_t i = 0; a && i < a->n_credits;) {
        uint32_t k = a->credits[i].deal;
        uint32_t q = k < ds->deals.n ? q_of[k] : UINT32_MAX;
        /* only the run of credits from the deal's credit_first on, as credit() reads them */
        if (q != UINT32_MAX && a->credit_first[k] != i)
            q = UINT32_MAX;
        size_t j = i;
        g->n = 0;
        for (; j < a->n_credits && a->credits[j].deal == k; j++) {
            if (q == UINT32_MAX)
                continue;
            uint32_t owner = ds->campaigns.owner[a->credits[j].campaign];
            if (gk != GROUP_ALL && owner == ID_NONE)
                continue;
            uint32_t grp = group_of(&ds->people, gk, owner);
            if (grp != ID_NONE && grp < n)
                gather_add(g, q, grp, a->credits[j].cents[cl->key.model]);
        }
        for (uint32_t t = 0; t < g->n; t++) {
            uint32_t grp = g->list[t];
            if (g->acc[grp] == 0)
                continue;
            if (nt == cap) {
                cap = cap ? 2 * cap : 1024;
                tg = xreallocarray(tg, cap, sizeof *tg);
                tq = xreallocarray(tq, cap, sizeof *tq);
                tc = xreallocarray(tc, cap, sizeof *tc);
            }
            tg[nt] = grp;
            tq[nt] = q;
            tc[nt++] = g->acc[grp];
        }
        i = j;
    }
    free(q_of);
    /* by position (counting sort), then stably by group */
    uint32_t *qstart = xcalloc((size_t)e->n_order + 1, sizeof *qstart);
    for (size_t t = 0; t < nt; t++)
        qstart[tq[t] + 1]++;
    for (uint32_t q = 0; q < e->n_order; q++)
        qstart[q + 1] += qstart[q];
    uint32_t *by_q = xcalloc(nt ? nt : 1, sizeof *by_q);
    for (size_t t = 0; t < nt; t++)
        by_q[qstart[tq[t]]++] = (uint32_t)t;
    free(qstart);
    for (size_t t = 0; t < nt; t++)
        cl->first[tg[t] + 1]++;
    for (uint32_t i = 0; i < n; i++)
        cl->first[i + 1] += cl->first[i];
    cl->pos = xcalloc(nt ? nt : 1, sizeof *cl->pos);
    cl->cr = xcalloc(nt ? nt : 1, sizeof *cl->cr);
    uint32_t *fill = xcalloc(n ? n : 1, sizeof *fill);
    memcpy(fill, cl->first, (size_t)n * sizeof *fill);
    for (size_t i = 0; i < nt; i++) {
        uint32_t t = by_q[i];
        cl->pos[fill[tg[t]]] = tq[t];
        cl->cr[fill[tg[t]]++] = tc[t];
    }
    free(fill);
    free(by_q);
    free(tg);
    free(tq);
    free(tc);
}

static void build_credit_lists(const struct engine *e, struct credit_lists *cl)
{
    const struct person_table *pt = &e->ds->people;
    enum group_kind gk = key_groups(&cl->key);
    uint32_t n = gk == GROUP_ALL ? 1 : gk == GROUP_PERSON ? pt->n : e->ds->teams.n;
    for (uint32_t i = 0; gk == GROUP_TEAM && i < pt->n; i++)
        if (pt->team[i] != ID_NONE && pt->team[i] >= n)
            n = pt->team[i] + 1;
    cl->n_groups = n;
    size_t ng = n ? n : 1;
    struct gather g = {.acc = xcalloc(ng, sizeof *g.acc),
                       .stamp = xcalloc(ng, sizeof *g.stamp),
                       .list = xcalloc(ng, sizeof *g.list),
                       .chain = xcalloc(pt->n ? pt->n : 1, sizeof *g.chain)};
    cl->first = xcalloc((size_t)n + 1, sizeof *cl->first);
    uint32_t *fill = NULL;
    if (cl->key.measure == MEASURE_ATTRIBUTED_REVENUE) {
        build_attributed_lists(e, cl, &g);
        goto done;
    }
    /* Count per group, then fill: the same gathering twice rather than a list of triples. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            uint32_t sum = 0;
            for (uint32_t i = 0; i < n; i++) {
                uint32_t c = cl->first[i];
                cl->first[i] = sum;
                sum += c;
            }
            cl->first[n] = sum;
            cl->pos = xcalloc(sum ? sum : 1, sizeof *cl->pos);
            cl->cr = xcalloc(sum ? sum : 1, sizeof *cl->cr);
            fill = xcalloc(ng, sizeof *fill);
            memcpy(fill, cl->first, (size_t)n * sizeof *fill);
            memset(g.stamp, 0, ng * sizeof *g.stamp);
            memset(g.chain, 0, (pt->n ? pt->n : 1) * sizeof *g.chain);
            g.n_split = 0;
        }
        for (uint32_t q = 0; q < e->n_order; q++) {
            gather_deal(e, &cl->key, gk, n, q, &g);
            for (uint32_t i = 0; i < g.n; i++) {
                uint32_t grp = g.list[i];
                if (g.acc[grp] == 0)
                    continue;
                if (pass == 0) {
                    cl->first[grp]++;
                } else {
                    cl->pos[fill[grp]] = q;
                    cl->cr[fill[grp]++] = g.acc[grp];
                }
            }
        }
    }
done:
    free(fill);
    free(g.acc);
    free(g.stamp);
    free(g.list);
    free(g.chain);
}

/* The credit lists of a commission, override or bonus when every version credits it under one
 * key (built on first use), else NULL: walk every deal with credit(). */
const struct credit_lists *credit_lists_for(struct engine *e, const struct plan *plan,
                                            const struct component *ref)
{
    struct credit_key key;
    if (!credit_key_of(ref, &key))
        return NULL;
    for (size_t v = 0; v < plan->n_versions; v++) {
        const struct component *c = plan_component(&plan->versions[v], ref->id);
        struct credit_key k2;
        if (c && (!credit_key_of(c, &k2) || !credit_key_eq(&k2, &key)))
            return NULL;
    }
    for (size_t i = 0; i < e->n_cls; i++)
        if (credit_key_eq(&e->cls[i].key, &key))
            return &e->cls[i];
    VEC_GROW(e->cls, e->cap_cls, e->n_cls + 1);
    struct credit_lists *cl = &e->cls[e->n_cls++];
    *cl = (struct credit_lists){.key = key};
    build_credit_lists(e, cl);
    return cl;
}

/* ---- deal filters and SPIF payees -------------------------------------------------------- */

bool filter_pass(const struct engine *e, const struct component *c, uint32_t k)
{
    const struct deal_table *dl = &e->ds->deals;
    for (size_t i = 0; i < c->n_conds; i++) {
        const struct filter_cond *f = &c->conds[i];
        int cmp;
        if (f->is_amount) {
            cmp = dl->amount[k] < f->minor ? -1 : dl->amount[k] > f->minor;
        } else {
            const char *v = dl->extra[(size_t)k * dl->n_extra + f->extra];
            size_t vl = strlen(v);
            if (f->op == OP_EQ || f->op == OP_NE) {
                bool eq = ascii_casecmp_n(v, vl, f->text, f->text_len) == 0;
                if (eq != (f->op == OP_EQ))
                    return false;
                continue;
            }
            struct decimal dv;
            if (decimal_parse(v, vl, &dv))
                return false;
            cmp = decimal_cmp(dv, f->num);
        }
        bool ok = false;
        switch (f->op) {
        case OP_EQ:
            ok = cmp == 0;
            break;
        case OP_NE:
            ok = cmp != 0;
            break;
        case OP_LT:
            ok = cmp < 0;
            break;
        case OP_LE:
            ok = cmp <= 0;
            break;
        case OP_GT:
            ok = cmp > 0;
            break;
        case OP_GE:
            ok = cmp >= 0;
            break;
        }
        if (!ok)
            return false;
    }
    return true;
}

/* The person a deal's extra column names (normalised like person ids), or ID_NONE. */
uint32_t column_person(struct engine *e, size_t col, uint32_t k)
{
    const struct dataset *ds = e->ds;
    const struct deal_table *dl = &ds->deals;
    if (!e->colp[col]) {
        uint32_t *v = xcalloc(dl->n ? dl->n : 1, sizeof *v);
        for (uint32_t r = 0; r < dl->n; r++) {
            const char *s = dl->extra[(size_t)r * dl->n_extra + col];
            char buf[IDS_MAX_LEN + 1];
            const char *id, *why;
            size_t n;
            v[r] = ID_NONE;
            if (*s && !ids_normalize(&e->in->s->ids, ID_PERSON, s, strlen(s), buf, &id, &n, &why))
                v[r] = intern_find(&ds->people_ids, id, n);
        }
        e->colp[col] = v;
    }
    return e->colp[col][k];
}

/* The positions in the close order of the deals whose extra column `col` names `who` (*n of
 * them, ascending). */
const uint32_t *column_positions(struct engine *e, size_t col, uint32_t who, size_t *n)
{
    uint32_t np = e->ds->people.n;
    if (!e->colp_first[col]) {
        uint32_t *first = xcalloc((size_t)np + 1, sizeof *first);
        for (uint32_t q = 0; q < e->n_order; q++) {
            uint32_t v = column_person(e, col, e->order[q]);
            if (v < np)
                first[v + 1]++;
        }
        for (uint32_t i = 0; i < np; i++)
            first[i + 1] += first[i];
        uint32_t *pos = xcalloc(first[np] ? first[np] : 1, sizeof *pos);
        uint32_t *fill = xcalloc(np ? np : 1, sizeof *fill);
        memcpy(fill, first, (size_t)np * sizeof *fill);
        for (uint32_t q = 0; q < e->n_order; q++) {
            uint32_t v = column_person(e, col, e->order[q]);
            if (v < np)
                pos[fill[v]++] = q;
        }
        free(fill);
        e->colp_first[col] = first;
        e->colp_pos[col] = pos;
    }
    if (who >= np) {
        *n = 0;
        return NULL;
    }
    *n = e->colp_first[col][who + 1] - e->colp_first[col][who];
    return e->colp_pos[col] + e->colp_first[col][who];
}

/* Does every version's SPIF of ref's id pay the payee column ref pays (or is no SPIF)? Then
 * only the deals whose column names the person can pay them. */
bool spif_column_only(const struct plan *plan, const struct component *ref)
{
    if (ref->payee != PAYEE_COLUMN)
        return false;
    for (size_t v = 0; v < plan->n_versions; v++) {
        const struct component *c = plan_component(&plan->versions[v], ref->id);
        if (c && c->type == COMP_SPIF &&
            (c->payee != PAYEE_COLUMN || c->payee_extra != ref->payee_extra))
            return false;
    }
    return true;
}

/* The SPIF amount `person` gets for deal k (0 if none). */
int64_t spif_share(struct engine *e, const struct component *c, uint32_t person, uint32_t k)
{
    const struct dataset *ds = e->ds;
    const struct deal_table *dl = &ds->deals;
    switch (c->payee) {
    case PAYEE_OWNER:
        return dl->owner[k] == person ? c->spif_amount : 0;
    case PAYEE_COLUMN:
        return column_person(e, c->payee_extra, k) == person ? c->spif_amount : 0;
    case PAYEE_SPLITS: {
        uint64_t w[256];
        int64_t out[256];
        size_t n = 0, mine = SIZE_MAX;
        for (uint32_t i = e->sp_first[k]; i < e->sp_first[k] + e->sp_n[k] && n < 256; i++) {
            if (e->sp_overlay[i])
                continue;
            int64_t cents = e->sp_cents[i];
            w[n] = (uint64_t)(cents < 0 ? -cents : cents);
            if (e->sp_person[i] == person)
                mine = n;
            n++;
        }
        if (mine == SIZE_MAX || money_allocate(c->spif_amount, w, n, out))
            return 0;
        return out[mine];
    }
    }
    return 0;
}

/* Window deals that qualify for a SPIF paying `column:<header>` whose value names no one in
 * the people file: listed once per deal and SPIF, since nobody's lines will show them. */
void spif_payee_issues(struct engine *e)
{
    const struct dataset *ds = e->ds;
    const struct deal_table *dl = &ds->deals;
    for (uint32_t q = 0; q < e->n_order; q++) {
        uint32_t k = e->order[q];
        if (!period_has_day(&e->in->window, dl->close_day[k]))
            continue;
        for (size_t i = 0; i < e->in->plans->n; i++) {
            const struct plan_version *v =
                plan_version_on(&e->in->plans->plans[i], dl->close_day[k]);
            for (size_t c = 0; c < v->n_components; c++) {
                const struct component *comp = &v->components[c];
                if (comp->type != COMP_SPIF || comp->payee != PAYEE_COLUMN ||
                    !spif_window(comp, dl->close_day[k]) || !filter_pass(e, comp, k))
                    continue;
                if (!*dl->extra[(size_t)k * dl->n_extra + comp->payee_extra])
                    continue; /* names no payee at all */
                uint32_t who = column_person(e, comp->payee_extra, k);
                if (who != ID_NONE && ds->people.name[who])
                    continue;
                VEC_GROW(e->p->issues, e->p->cap_issues, e->p->n_issues + 1);
                e->p->issues[e->p->n_issues++] =
                    (struct payout_issue){PAYOUT_SPIF_PAYEE_UNKNOWN, k, ID_NONE, comp};
            }
        }
    }
}

/* ---- credit shared by everyone ----------------------------------------------------------- */

/* The credit key of a component whose credit names no person, or false. */
static bool shared_key(const struct component *c, enum measure *m, int *model)
{
    *m = c->measure;
    *model = c->measure == MEASURE_ATTRIBUTED_REVENUE ? (int)c->model : -1;
    return c->measure == MEASURE_COMPANY_REVENUE ||
           ((c->measure == MEASURE_SOURCED_REVENUE || c->measure == MEASURE_ATTRIBUTED_REVENUE) &&
            c->scope == SCOPE_COMPANY);
}

/* The prefix sums of a bonus component's credit over the close order when every version credits
 * it the same person-independent way (else NULL: walk the deals). */
const int64_t *shared_prefix(struct engine *e, const struct plan *plan, const struct component *ref)
{
    enum measure m;
    int model;
    if (ref->type != COMP_BONUS || !shared_key(ref, &m, &model))
        return NULL;
    for (size_t v = 0; v < plan->n_versions; v++) {
        const struct component *c = plan_component(&plan->versions[v], ref->id);
        enum measure m2;
        int model2;
        if (c &&
            (c->type != COMP_BONUS || !shared_key(c, &m2, &model2) || m2 != m || model2 != model))
            return NULL;
    }
    for (int i = 0; i < e->n_shared; i++)
        if (e->shared[i].measure == m && e->shared[i].model == model)
            return e->shared[i].prefix;
    if (e->n_shared == (int)ARRAY_LEN(e->shared))
        return NULL;
    int64_t *prefix = xcalloc((size_t)e->n_order + 1, sizeof *prefix);
    for (size_t i = 0; i < e->n_order && prefix; i++)
        if (__builtin_add_overflow(prefix[i], credit(e, ID_NONE, ref, e->order[i], NULL),
                                   &prefix[i + 1])) {
            free(prefix);
            prefix = NULL;
        }
    e->shared[e->n_shared++] = (struct shared_sum){m, model, prefix};
    return prefix;
}
