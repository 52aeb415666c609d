/* payout.c — the incentive engine: measures, components, caps, clawbacks, lines. */
#define _GNU_SOURCE /* qsort_r */
#include "payout.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"
#include "ids.h"
#include "ingest.h"
#include "progress.h"
#include "util.h"

/* What a component's credit to one person depends on besides the deal (credit()), for the
 * measures whose credit can name people who are not on the deal. */
struct credit_key {
    enum measure measure; /* team, company, attributed or sourced revenue */
    bool override;        /* team revenue: the reports of the person (override), not their team */
    enum scope scope;     /* attributed and sourced revenue; SCOPE_COMPANY otherwise */
    int model;            /* attributed revenue: the model; -1 otherwise */
};

/* The deals crediting each group of people under one credit key. A group is what credit()
 * compares the person with: the person (override; own scope), their team (team revenue; team
 * scope) or everyone (company revenue and scope). Group g: positions in the close order
 * pos[first[g] .. first[g + 1]), ascending, each with its credit cr[] (never 0: a deal crediting
 * 0 adds no line and moves no measure, so leaving it out changes nothing). */
struct credit_lists {
    struct credit_key key;
    uint32_t n_groups;
    uint32_t *first; /* n_groups + 1 */
    uint32_t *pos;
    int64_t *cr;
};

struct engine {
    const struct payout_input *in;
    const struct dataset *ds;
    struct payouts *p;
    struct diag *d;
    const struct plan **plan_of; /* per person id */
    uint32_t *people;            /* people with a name, in people-file order */
    uint32_t n_people;
    uint32_t *order; /* creditable deal rows in close order */
    uint32_t n_order;
    /* Credit of each deal to people: revenue splits (or the owner) and overlays. */
    uint32_t *sp_first, *sp_n; /* per deal row */
    uint32_t *sp_person;
    int64_t *sp_cents;
    bool *sp_overlay;
    size_t n_sp, cap_sp;
    bool *marketing; /* per channel id */
    /* Per person: positions in `order` of the deals they have a split in or own (CSR). */
    uint32_t *pl_first, *pl_n, *pl_pos;
    /* Per deal-extra column used as a SPIF payee: the person each deal row names (lazily). */
    uint32_t **colp;
    int32_t keep_first;
    /* The payout periods of the person being computed (the window split by their plan's
     * payout_period), and the measures their components record at each one's last day; `row`
     * of a recorded measure is the index into pps until build_rows assigns the real row. */
    struct period win; /* the window the person's plan pays in (plan_window) */
    struct period pps[12];
    uint32_t n_pps;
    struct payout_measure *meas;
    size_t n_meas, cap_meas;
    size_t *meas0;     /* per person id: their first recorded measure */
    uint32_t *n_pmeas; /* per person id: how many */
    /* Lines of the component being computed, before the window filter. */
    struct payout_line *tmp;
    size_t n_tmp, cap_tmp;
    struct slice *tslices;
    size_t n_tslices, cap_tslices;
    /* deal_line's tiers resolved against a quota: kept while the component and quota repeat
     * (every deal of an attainment period), reset per person */
    const struct component *tier_c;
    struct rat tier_quota;
    struct tier_r *tier_r;
    size_t cap_tier_r;
    /* Credits that name no person (company revenue; company-scope sourced or attributed
     * revenue), summed once over the close order: prefix[i] = the deals at positions < i.
     * Bonuses on them read sums from here instead of walking every deal for every person. */
    struct shared_sum {
        enum measure measure;
        int model;
        int64_t *prefix; /* NULL: a sum overflowed; walk the deals */
    } shared[8];
    int n_shared;
    /* Per credit key (credit_key_of), the deals that credit each group of people: built once
     * per run when a component first needs it, so a component walks only the deals that credit
     * its person instead of every deal of each attainment period (credit_lists_for). */
    struct credit_lists *cls;
    size_t n_cls, cap_cls;
    /* Per deal-extra column used as a SPIF payee: each person's positions in `order` whose
     * column names them (CSR over person ids; lazily, like colp). */
    uint32_t **colp_first, **colp_pos;
    /* keep_lines: the people-file line of the last line kept, and whether a kept line ever
     * followed one of a later person (then sort_lines has work to do). */
    uint64_t last_kept;
    bool unsorted;
};

/* c's tiers resolved against quota, from the cache when they were just resolved. */
static const struct tier_r *resolved_tiers(struct engine *e, const struct component *c,
                                           struct rat quota)
{
    if (e->tier_c == c && e->tier_quota.n == quota.n && e->tier_quota.d == quota.d)
        return e->tier_r;
    VEC_GROW(e->tier_r, e->cap_tier_r, c->n_tiers ? c->n_tiers : 1);
    incent_resolve_tiers(c->tiers, c->n_tiers, quota, e->tier_r);
    e->tier_c = c;
    e->tier_quota = quota;
    return e->tier_r;
}

const char *line_kind_name(enum line_kind k)
{
    static const char *const names[] = {"deal",     "period", "pool share",
                                        "clawback", "carry",  "payee cap"};
    return (unsigned)k < ARRAY_LEN(names) ? names[k] : "?";
}

const char *payout_issue_text(enum payout_issue_kind k)
{
    switch (k) {
    case PAYOUT_OWNER_UNKNOWN:
        return "pays no one: the deal's owner is not in the people file";
    case PAYOUT_OWNER_NO_PLAN:
        return "pays no one: the deal's owner has no plan";
    case PAYOUT_OWNER_INACTIVE:
        return "pays no one: the deal's owner was not active on the close date";
    case PAYOUT_SPIF_PAYEE_UNKNOWN:
        return "SPIF pays no one: its payee column names no one in the people file";
    }
    return "?";
}

static void add_issue(struct payouts *p, enum payout_issue_kind kind, uint32_t deal,
                      uint32_t person)
{
    VEC_GROW(p->issues, p->cap_issues, p->n_issues + 1);
    p->issues[p->n_issues++] = (struct payout_issue){kind, deal, person, NULL};
}

static bool active_on(const struct person_table *pt, uint32_t who, int32_t day)
{
    return (pt->start_day[who] == DAY_NONE || day >= pt->start_day[who]) &&
           (pt->end_day[who] == DAY_NONE || day <= pt->end_day[who]);
}

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
static void build_person_lists(struct engine *e)
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

static int build_deals(struct engine *e)
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
static bool deal_pays(const struct engine *e, uint32_t k, uint32_t payee)
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
static int64_t credit(const struct engine *e, uint32_t person, const struct component *c,
                      uint32_t k, const bool *members)
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

enum group_kind { GROUP_PERSON, GROUP_TEAM, GROUP_ALL };

static enum group_kind key_groups(const struct credit_key *k)
{
    if (k->measure == MEASURE_TEAM_REVENUE)
        return k->override ? GROUP_PERSON : GROUP_TEAM;
    if (k->measure == MEASURE_COMPANY_REVENUE || k->scope == SCOPE_COMPANY)
        return GROUP_ALL;
    return k->scope == SCOPE_OWN ? GROUP_PERSON : GROUP_TEAM;
}

/* The group holding `who` under kind g (a split's person, a campaign's owner, or the person
 * being paid), or ID_NONE: none, so no credit (same_team and campaign_in_scope). */
static uint32_t group_of(const struct person_table *pt, enum group_kind g, uint32_t who)
{
    if (g == GROUP_ALL)
        return 0;
    if (who >= pt->n)
        return ID_NONE;
    return g == GROUP_PERSON ? who : pt->team[who];
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
static const struct credit_lists *credit_lists_for(struct engine *e, const struct plan *plan,
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

/* ---- lines ------------------------------------------------------------------------------- */

struct ctx {
    uint32_t person;
    const struct plan *plan;
    struct period A;
    struct rat quota, target;
    int32_t active, days;
    int64_t paid;   /* this component's pay so far in A (clawbacks excluded) */
    int64_t excess; /* forfeited or carried by cap_period */
};

static struct payout_line *new_line(struct engine *e, const struct ctx *x,
                                    const struct plan_version *v, const struct component *c,
                                    enum line_kind kind, uint32_t deal, int32_t post)
{
    VEC_GROW(e->tmp, e->cap_tmp, e->n_tmp + 1);
    struct payout_line *l = &e->tmp[e->n_tmp++];
    memset(l, 0, sizeof *l);
    l->note = "";
    l->person = x->person;
    l->plan = x->plan;
    l->version = v;
    l->component = c;
    l->kind = kind;
    l->deal = deal;
    l->post_day = post;
    l->attain = x->A;
    l->quota = x->quota;
    l->target = x->target;
    l->active_days = x->active;
    l->period_days = x->days;
    l->raw = rat_int64(0);
    l->attainment = rat_int64(0);
    l->slice0 = e->n_tslices;
    return l;
}

static void note(struct engine *e, struct payout_line *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(struct engine *e, struct payout_line *l, const char *fmt, ...)
{
    char buf[PAYOUT_NOTE_MAX];
    snprintf(buf, sizeof buf, "%s", l->note);
    size_t used = strlen(buf);
    if (used >= sizeof buf - 1)
        return;
    if (used)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, sizeof buf - used, fmt, ap);
    va_end(ap);
    l->note = arena_strndup(&e->p->notes, buf, strlen(buf));
}

static void fmt_money(const struct engine *e, char *buf, size_t n, int64_t v)
{
    money_format(buf, n, v, e->in->s->currency_digits);
}

/* Round, then apply the deal cap and the period cap; updates x->paid and x->excess. */
static void finish_line(struct engine *e, struct ctx *x, const struct component *c,
                        struct payout_line *l, bool deal_cap)
{
    char a[40];
    l->rounded = rat_round(l->raw);
    int64_t amt = l->rounded;
    if (deal_cap && c->cap_deal >= 0 && (amt > c->cap_deal || amt < -c->cap_deal)) {
        amt = amt > 0 ? c->cap_deal : -c->cap_deal;
        fmt_money(e, a, sizeof a, c->cap_deal);
        note(e, l, "cap_deal %s", a);
    }
    if (c->cap_period >= 0 && amt > 0 && x->paid + amt > c->cap_period) {
        int64_t room = c->cap_period > x->paid ? c->cap_period - x->paid : 0;
        x->excess += amt - room;
        fmt_money(e, a, sizeof a, c->cap_period);
        note(e, l, "cap_period %s reached (%s)", a,
             c->cap_excess == EXCESS_CARRY ? "excess carried" : "excess forfeited");
        amt = room;
    }
    l->capped = amt - l->rounded;
    l->amount = amt;
    x->paid += amt;
    l->n_slices = e->n_tslices - l->slice0;
}

static void push_slices(struct engine *e, const struct slice *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        VEC_GROW(e->tslices, e->cap_tslices, e->n_tslices + 1);
        e->tslices[e->n_tslices++] = s[i];
    }
}

static struct rat slices_sum(const struct slice *s, size_t n)
{
    struct rat sum = rat_int64(0);
    for (size_t i = 0; i < n; i++)
        sum = rat_add(sum, rat_mul(s[i].amount, s[i].rate));
    return sum;
}

/* Effective quota and target of x->person for attainment period x->A under version v. */
static void set_quota(struct engine *e, struct ctx *x, const struct plan_version *v,
                      const struct component *c)
{
    const struct person_table *pt = &e->ds->people;
    uint32_t who = x->person;
    x->days = period_days(&x->A);
    x->active =
        incent_active_days(pt->start_day[who], pt->end_day[who], x->A.first_day, x->A.last_day);
    struct rat f =
        rat_mul(incent_period_share(v->quota_period, c->period), rat_frac(x->active, x->days));
    x->quota = pt->quota[who] == QUOTA_NONE ? rat_int64(0) : rat_mul(rat_int64(pt->quota[who]), f);
    x->target =
        pt->target[who] == QUOTA_NONE ? rat_int64(0) : rat_mul(rat_int64(pt->target[who]), f);
}

static bool gated(const struct component *c, struct rat quota, struct rat x)
{
    return !c->has_gate || rat_cmp(x, incent_level(&c->gate, quota)) >= 0;
}

static struct rat attainment(struct rat measure, struct rat quota)
{
    return rat_is_zero(quota) ? rat_int64(0) : rat_div(measure, quota);
}

/* Does a commission or override compare its measure with the quota (a tier or the gate stated
 * as a percentage of it)? A bonus always compares with its goal. */
static bool uses_quota(const struct component *c)
{
    if (c->type == COMP_BONUS)
        return true;
    for (size_t i = 0; i < c->n_tiers; i++)
        if (c->tiers[i].lower.pct)
            return true;
    return c->has_gate && c->gate.pct;
}

/* The measure of component c at the last day of the person's payout period j (cum: credited in
 * x->A through that day), with its quota or goal. */
static void record_measure(struct engine *e, const struct ctx *x, const struct component *c,
                           uint32_t j, int64_t cum)
{
    struct payout_measure m = {.row = j, .component = c, .attain = x->A, .measure = cum};
    if (c->type == COMP_BONUS)
        m.quota = c->goal_is_quota ? x->quota : rat_int64(c->goal);
    else
        m.quota = uses_quota(c) ? x->quota : rat_int64(0);
    m.attainment = attainment(rat_int64(cum), m.quota);
    VEC_PUSH(e->meas, e->n_meas, e->cap_meas, m);
}

/* Commission / override line for one deal (basis per_deal or period_to_date). */
static void deal_line(struct engine *e, struct ctx *x, const struct plan_version *v,
                      const struct component *c, uint32_t k, int64_t cr, int64_t before)
{
    const struct tier_r *t = resolved_tiers(e, c, x->quota);
    struct payout_line *l = new_line(e, x, v, c, LINE_DEAL, k, e->ds->deals.close_day[k]);
    l->credit = cr;
    l->before = before;
    l->after = before + cr;
    struct rat a, b;
    if (c->basis == BASIS_PER_DEAL) {
        b = rat_int64(0);
        a = rat_int64(cr);
        l->attainment = attainment(rat_abs(a), x->quota);
        if (!gated(c, x->quota, rat_abs(a))) {
            a = rat_int64(0);
            note(e, l, "below the gate");
        }
    } else {
        b = rat_int64(before);
        a = rat_int64(before + cr);
        l->attainment = attainment(a, x->quota);
        bool gb = gated(c, x->quota, b), ga = gated(c, x->quota, a);
        if (!gb)
            b = rat_int64(0);
        if (!ga) {
            a = rat_int64(0);
            note(e, l, "below the gate");
        } else if (!gb) {
            note(e, l, "gate reached: pays from zero");
        }
    }
    struct slice s[INCENT_SLICES_MAX(64)];
    size_t ns = c->n_tiers <= 64 ? incent_slices(t, c->n_tiers, c->method, b, a, s) : 0;
    push_slices(e, s, ns);
    l->raw = rat_mul(slices_sum(s, ns), rat_dec(c->weight));
    finish_line(e, x, c, l, true);
    /* Clawback: a deal cancelled within clawback_days of its close. */
    const struct deal_table *dl = &e->ds->deals;
    int32_t cd = dl->cancel_day[k];
    if (c->clawback_days >= 0 && cd != DAY_NONE && cd - dl->close_day[k] <= c->clawback_days &&
        cd <= e->in->as_of && l->amount != 0) {
        int64_t orig = l->amount;
        struct payout_line *cl = new_line(e, x, v, c, LINE_CLAWBACK, k, cd);
        cl->credit = cr;
        cl->raw = rat_int64(-orig);
        cl->rounded = -orig;
        cl->amount = -orig;
        char day[16];
        date_format_day(day, sizeof day, dl->close_day[k]);
        note(e, cl, "cancelled %d days after its close on %s (clawback_days %d)",
             cd - dl->close_day[k], day, c->clawback_days);
    }
}

static bool filter_pass(const struct engine *e, const struct component *c, uint32_t k)
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
static uint32_t column_person(struct engine *e, size_t col, uint32_t k)
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
static const uint32_t *column_positions(struct engine *e, size_t col, uint32_t who, size_t *n)
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
static bool spif_column_only(const struct plan *plan, const struct component *ref)
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
static int64_t spif_share(struct engine *e, const struct component *c, uint32_t person, uint32_t k)
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

/* Is `day` inside the SPIF's from .. to window (inclusive, open ends)? */
static bool spif_window(const struct component *c, int32_t day)
{
    return day >= c->from_day && day <= c->to_day;
}

/* Window deals that qualify for a SPIF paying `column:<header>` whose value names no one in
 * the people file: listed once per deal and SPIF, since nobody's lines will show them. */
static void spif_payee_issues(struct engine *e)
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

/* The first position in e->order (close order) of a deal closing on or after day. */
static size_t order_from(const struct engine *e, int32_t day)
{
    const int32_t *close = e->ds->deals.close_day;
    size_t lo = 0, hi = e->n_order;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (close[e->order[mid]] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first index into pos (ascending) holding a value >= v, or n. */
static size_t pos_from(const uint32_t *pos, size_t n, size_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pos[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first of n periods holding day, or n. */
static uint32_t pp_of(const struct period *pps, uint32_t n, int32_t day)
{
    uint32_t q = 0;
    while (q < n && !period_has_day(&pps[q], day))
        q++;
    return q;
}

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
static const int64_t *shared_prefix(struct engine *e, const struct plan *plan,
                                    const struct component *ref)
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

static void period_step(enum period_kind kind, struct period *A)
{
    period_containing(kind, A->last_day + 1, A);
}

/* Every line of one component of one person, over every attainment period up to the window. */
static void run_component(struct engine *e, uint32_t who, const struct plan *plan,
                          const struct component *ref)
{
    const struct period *W = &e->win;
    const struct deal_table *dl = &e->ds->deals;
    struct ctx x = {.person = who, .plan = plan};
    period_containing(ref->period, e->keep_first, &x.A);
    int year = x.A.year;
    int64_t carry = 0;
    size_t cursor = order_from(e, x.A.first_day); /* into e->order */
    const int64_t *shared = shared_prefix(e, plan, ref);
    /* The deals that can credit or pay this person, when a list holds them. */
    bool lists = false;
    const uint32_t *lpos = NULL;
    const int64_t *lcr = NULL;
    size_t nl = 0;
    if (ref->type == COMP_SPIF) {
        if (spif_column_only(plan, ref)) {
            lists = true;
            lpos = column_positions(e, ref->payee_extra, who, &nl);
        }
    } else if (!shared && (ref->type == COMP_COMMISSION || ref->type == COMP_OVERRIDE ||
                           ref->type == COMP_BONUS)) {
        const struct credit_lists *cl = credit_lists_for(e, plan, ref);
        if (cl) {
            lists = true;
            uint32_t g = group_of(&e->ds->people, key_groups(&cl->key), who);
            if (g != ID_NONE && g < cl->n_groups) {
                lpos = cl->pos + cl->first[g];
                lcr = cl->cr + cl->first[g];
                nl = cl->first[g + 1] - cl->first[g];
            }
        }
    }
    /* Periods that end before the window only matter for what they hand on: a clawback's
     * original line or carried cap excess. Without either, skip them. */
    bool history = false;
    for (size_t v = 0; v < plan->n_versions; v++) {
        const struct component *c = plan_component(&plan->versions[v], ref->id);
        history |= c && (c->clawback_days >= 0 || c->cap_excess == EXCESS_CARRY);
    }
    /* Attainment periods that start after as-of have nothing to pay yet. */
    for (; x.A.first_day <= W->last_day && x.A.first_day <= e->in->as_of;
         period_step(ref->period, &x.A)) {
        if (x.A.year != year) {
            year = x.A.year;
            carry = 0;
        }
        if (!history && x.A.last_day < W->first_day) {
            cursor = order_from(e, x.A.last_day + 1);
            continue;
        }
        const struct plan_version *vend = plan_version_on(plan, x.A.last_day);
        const struct component *cend = plan_component(vend, ref->id);
        const struct component *cq = cend ? cend : ref;
        set_quota(e, &x, vend, cq);
        x.paid = 0;
        x.excess = 0;
        if (carry > 0 && cq->cap_period >= 0) {
            int64_t pay = carry < cq->cap_period ? carry : cq->cap_period;
            struct payout_line *l = new_line(e, &x, vend, cq, LINE_CARRY, ID_NONE, x.A.first_day);
            l->raw = rat_int64(pay);
            l->rounded = pay;
            l->amount = pay;
            x.paid = pay;
            carry -= pay;
            note(e, l, "cap excess carried from earlier periods of %d", year);
        }
        int64_t cum = 0;
        /* The person's payout periods whose last day lies in A: their measure is recorded as
         * the deals walk past that day. */
        bool measured = cend && (ref->type == COMP_COMMISSION || ref->type == COMP_OVERRIDE ||
                                 ref->type == COMP_BONUS);
        uint32_t jm = 0;
        while (jm < e->n_pps && e->pps[jm].last_day < x.A.first_day)
            jm++;
        size_t end = order_from(e, x.A.last_day + 1);
        /* The deals to look at: the person's own when the measure (or the SPIF payee) only
         * ever credits people on the deal; those whose payee column names them; those crediting
         * their group (credit lists, with the credit); else every deal of the period. */
        const uint32_t *pos = NULL;
        const int64_t *crs = NULL;
        size_t npos = 0;
        bool own = (ref->type == COMP_SPIF && ref->payee != PAYEE_COLUMN) ||
                   (ref->type != COMP_SPIF &&
                    (ref->measure == MEASURE_OWN_REVENUE || ref->measure == MEASURE_WON_DEALS));
        bool listed = own || lists;
        if (own) {
            pos = e->pl_pos + e->pl_first[who];
            npos = e->pl_n[who];
        } else if (lists) {
            pos = lpos;
            crs = lcr;
            npos = nl;
        }
        size_t from = listed ? pos_from(pos, npos, cursor) : cursor;
        size_t to = listed ? pos_from(pos, npos, end) : end;
        /* the component in the version of the deal's close day, looked up once per version */
        const struct plan_version *cv = NULL;
        const struct component *cc = NULL;
        if (ref->type == COMP_SPIF) {
            for (size_t i = from; i < to; i++) {
                uint32_t k = e->order[listed ? pos[i] : i];
                const struct plan_version *v = plan_version_on(plan, dl->close_day[k]);
                if (v != cv) {
                    cv = v;
                    cc = plan_component(v, ref->id);
                }
                const struct component *c = cc;
                if (!c || c->type != COMP_SPIF || !spif_window(c, dl->close_day[k]))
                    continue;
                /* a payee column naming someone else: skip before the (costlier) filter */
                if (c->payee == PAYEE_COLUMN && column_person(e, c->payee_extra, k) != who)
                    continue;
                if (!filter_pass(e, c, k))
                    continue;
                int64_t amt = spif_share(e, c, who, k);
                if (!amt || !deal_pays(e, k, who))
                    continue;
                struct payout_line *l = new_line(e, &x, v, c, LINE_DEAL, k, dl->close_day[k]);
                l->credit = dl->amount[k];
                l->raw = rat_mul(rat_int64(amt), rat_dec(c->weight));
                finish_line(e, &x, c, l, true);
            }
        } else if (ref->type == COMP_COMMISSION || ref->type == COMP_OVERRIDE ||
                   ref->type == COMP_BONUS) {
            if (shared && !listed) {
                /* a bonus on a credit naming no one: no deal lines, the measure from the sums */
                for (; measured && jm < e->n_pps && e->pps[jm].last_day <= x.A.last_day; jm++) {
                    size_t upto = order_from(e, e->pps[jm].last_day + 1);
                    record_measure(e, &x, cend, jm, shared[upto < to ? upto : to] - shared[from]);
                }
                cum = shared[to] - shared[from];
                from = to; /* no deal to walk */
            }
            for (size_t i = from; i < to; i++) {
                uint32_t k = e->order[listed ? pos[i] : i];
                for (; measured && jm < e->n_pps && e->pps[jm].last_day < dl->close_day[k]; jm++)
                    record_measure(e, &x, cend, jm, cum);
                const struct plan_version *v = plan_version_on(plan, dl->close_day[k]);
                if (v != cv) {
                    cv = v;
                    cc = plan_component(v, ref->id);
                }
                const struct component *c = cc;
                int64_t cr = crs ? crs[i] : credit(e, who, c ? c : ref, k, NULL);
                if (cr == 0)
                    continue;
                if (c && c->type != COMP_BONUS && c->basis != BASIS_PERIOD_TOTAL &&
                    deal_pays(e, k, who))
                    deal_line(e, &x, v, c, k, cr, cum);
                cum += cr;
            }
            for (; measured && jm < e->n_pps && e->pps[jm].last_day <= x.A.last_day; jm++)
                record_measure(e, &x, cend, jm, cum);
            /* A period-level line needs the person active at least one day of A: a leaver's
             * prorated target is 0, and rates are never prorated. */
            if (cend && (cend->type == COMP_BONUS || cend->basis == BASIS_PERIOD_TOTAL) &&
                x.A.last_day >= W->first_day && x.active > 0) {
                struct payout_line *l =
                    new_line(e, &x, vend, cend, LINE_PERIOD, ID_NONE, x.A.last_day);
                l->credit = cum;
                l->after = cum;
                struct rat m = rat_int64(cum);
                if (cend->type == COMP_BONUS) {
                    struct rat goal = cend->goal_is_quota ? x.quota : rat_int64(cend->goal);
                    l->quota = goal;
                    l->attainment = attainment(m, goal);
                    struct rat pct = rat_int64(0);
                    if (!gated(cend, goal, m)) {
                        note(e, l, "below the gate");
                    } else {
                        pct = incent_curve(cend->curve, cend->n_curve, cend->curve_method,
                                           l->attainment);
                        if (cend->has_cap_pct && rat_cmp(pct, rat_dec(cend->cap_pct)) > 0) {
                            pct = rat_dec(cend->cap_pct);
                            note(e, l, "curve capped");
                        }
                    }
                    /* one slice: the effective target × the curve's payout; weight below */
                    struct slice s = {x.target, pct, SLICE_WHOLE, 0};
                    push_slices(e, &s, 1);
                    l->raw = rat_mul(rat_mul(s.amount, s.rate), rat_dec(cend->weight));
                } else {
                    struct tier_r *t = xcalloc(cend->n_tiers, sizeof *t);
                    incent_resolve_tiers(cend->tiers, cend->n_tiers, x.quota, t);
                    l->attainment = attainment(m, x.quota);
                    struct slice s[INCENT_SLICES_MAX(64)];
                    size_t ns = 0;
                    if (!gated(cend, x.quota, m))
                        note(e, l, "below the gate");
                    else if (cend->n_tiers <= 64)
                        ns = incent_slices(t, cend->n_tiers, cend->method, rat_int64(0), m, s);
                    push_slices(e, s, ns);
                    l->raw = rat_mul(slices_sum(s, ns), rat_dec(cend->weight));
                    free(t);
                }
                finish_line(e, &x, cend, l, false);
            }
        }
        if (cq->cap_excess == EXCESS_CARRY)
            carry += x.excess;
        cursor = end;
    }
}

/* Pools: per plan, pool component and team, over the members active in the period. */
static void run_pools(struct engine *e, const struct plan *plan, const struct component *ref,
                      const struct period *W)
{
    const struct person_table *pt = &e->ds->people;
    bool *members = xcalloc(pt->n ? pt->n : 1, sizeof *members);
    uint32_t *list = xcalloc(e->n_people ? e->n_people : 1, sizeof *list);
    uint64_t *w = xcalloc(e->n_people ? e->n_people : 1, sizeof *w);
    int64_t *out = xcalloc(e->n_people ? e->n_people : 1, sizeof *out);
    struct period A;
    period_containing(ref->period, W->first_day, &A);
    for (; A.first_day <= W->last_day && A.first_day <= e->in->as_of;
         period_step(ref->period, &A)) {
        if (A.last_day < W->first_day || A.last_day > W->last_day)
            continue;
        const struct plan_version *v = plan_version_on(plan, A.last_day);
        const struct component *c = plan_component(v, ref->id);
        if (!c || c->type != COMP_POOL)
            continue;
        /* One pool per team, teams in order of their first member. */
        bool *team_done = xcalloc(e->ds->teams.n + 1, sizeof *team_done);
        for (uint32_t i = 0; i < e->n_people; i++) {
            uint32_t lead = e->people[i];
            if (e->plan_of[lead] != plan || pt->team[lead] == ID_NONE || team_done[pt->team[lead]])
                continue;
            team_done[pt->team[lead]] = true;
            uint32_t n = 0;
            memset(members, 0, pt->n * sizeof *members);
            for (uint32_t j = 0; j < e->n_people; j++) {
                uint32_t who = e->people[j];
                if (e->plan_of[who] == plan && pt->team[who] == pt->team[lead] &&
                    incent_active_days(pt->start_day[who], pt->end_day[who], A.first_day,
                                       A.last_day) > 0) {
                    members[who] = true;
                    list[n++] = who;
                }
            }
            if (!n)
                continue;
            int64_t m = 0;
            int64_t *contrib = out; /* reuse: own revenue per member */
            memset(contrib, 0, n * sizeof *contrib);
            struct component own = *c;
            own.measure = MEASURE_OWN_REVENUE;
            /* the period's deals: a range of the close order */
            size_t q_end = order_from(e, A.last_day + 1);
            for (size_t q = order_from(e, A.first_day); q < q_end; q++) {
                uint32_t k = e->order[q];
                m += credit(e, lead, c, k, members);
                for (uint32_t j = 0; j < n; j++)
                    contrib[j] += credit(e, list[j], &own, k, NULL);
            }
            int64_t fund = c->pool_amount;
            struct rat fr = rat_int64(fund);
            if (!c->pool_fixed) {
                int64_t above = m > c->threshold ? m - c->threshold : 0;
                fr = rat_mul(rat_int64(above), rat_dec(c->share));
                fund = rat_round(fr);
            }
            fund = rat_round(rat_mul(rat_int64(fund), rat_dec(c->weight)));
            bool any = false;
            for (uint32_t j = 0; j < n; j++) {
                uint32_t who = list[j];
                if (c->division == DIVIDE_EQUAL) {
                    w[j] = 1;
                } else if (c->division == DIVIDE_BY_CONTRIBUTION) {
                    w[j] = contrib[j] > 0 ? (uint64_t)contrib[j] : 0;
                } else {
                    struct ctx x = {.person = who, .plan = plan, .A = A};
                    set_quota(e, &x, v, c);
                    /* target in hundredths of a minor unit, exact enough for weights */
                    int64_t t100 = rat_round(rat_mul(x.target, rat_int64(100)));
                    w[j] = t100 > 0 ? (uint64_t)t100 : 0;
                }
                any |= w[j] > 0;
            }
            if (!any)
                for (uint32_t j = 0; j < n; j++)
                    w[j] = 1;
            int64_t *alloc = xcalloc(n, sizeof *alloc);
            if (money_allocate(fund, w, n, alloc))
                memset(alloc, 0, n * sizeof *alloc);
            for (uint32_t j = 0; j < n; j++) {
                uint32_t who = list[j];
                struct ctx x = {.person = who, .plan = plan, .A = A};
                set_quota(e, &x, v, c);
                struct payout_line *l = new_line(e, &x, v, c, LINE_POOL, ID_NONE, A.last_day);
                l->credit = m;
                l->after = c->division == DIVIDE_BY_CONTRIBUTION ? contrib[j] : 0;
                l->raw = rat_int64(alloc[j]);
                l->rounded = alloc[j];
                l->amount = alloc[j];
                char a[40], b[40];
                fmt_money(e, a, sizeof a, fund);
                fmt_money(e, b, sizeof b, m);
                note(e, l, "share %u of %u of a %s pool (team measure %s, division %s)", j + 1, n,
                     a, b,
                     c->division == DIVIDE_EQUAL       ? "equal"
                     : c->division == DIVIDE_BY_TARGET ? "by_target_incentive"
                                                       : "by_contribution");
                l->n_slices = 0;
                l->slice0 = e->n_tslices;
            }
            free(alloc);
        }
        free(team_done);
    }
    free(members);
    free(list);
    free(w);
    free(out);
}

/* The window a plan pays in for this run: the run's period, or, for a plan paying over a longer
 * period, that period when the run's period is its last part (else nothing). */
static bool plan_window(const struct plan *plan, const struct period *run, struct period *out)
{
    const struct plan_version *v = plan_version_on(plan, run->last_day);
    if (v->payout_period <= run->kind) {
        *out = *run;
        return true;
    }
    period_containing(v->payout_period, run->last_day, out);
    return out->last_day == run->last_day;
}

/* The payout periods a plan pays in a run over `run`: its window split by the payout_period in
 * force on the window's last day (a quarter run on a monthly plan: three months). Returns how
 * many were written to out (at most 12), 0 when the plan pays nothing in this run. */
static uint32_t payout_periods(const struct plan *plan, const struct period *run,
                               struct period out[12])
{
    struct period win;
    if (!plan_window(plan, run, &win))
        return 0;
    enum period_kind k = plan_version_on(plan, win.last_day)->payout_period;
    if (k >= win.kind) {
        out[0] = win;
        return 1;
    }
    uint32_t n = 0;
    for (int32_t day = win.first_day; day <= win.last_day && n < 12; day = out[n - 1].last_day + 1)
        period_containing(k, day, &out[n++]);
    return n;
}

/* Move the lines of the current person posted inside `win` into p->lines; pp_sum (may be NULL)
 * adds each kept line's amount to its payout period in e->pps. */
static void keep_lines(struct engine *e, const struct period *win, int64_t *pp_sum)
{
    struct payouts *p = e->p;
    const uint64_t *file_line = e->ds->people.line;
    for (size_t i = 0; i < e->n_tmp; i++) {
        const struct payout_line *t = &e->tmp[i];
        if (!period_has_day(win, t->post_day))
            continue;
        if (p->n_lines && file_line[t->person] < e->last_kept)
            e->unsorted = true;
        e->last_kept = file_line[t->person];
        if (pp_sum) {
            uint32_t q = pp_of(e->pps, e->n_pps, t->post_day);
            if (q < e->n_pps)
                pp_sum[q] += t->amount;
        }
        if (e->in->earned_only && p->n_lines) {
            /* The year to date is read only as sums per person, component and day (statements'
             * "Earned in <year> to date"): a line of the same person, component, kind and day as
             * the line kept just before adds to it instead of taking another line's room. */
            struct payout_line *prev = &p->lines[p->n_lines - 1];
            if (prev->person == t->person && prev->component == t->component &&
                prev->kind == t->kind && prev->post_day == t->post_day) {
                prev->amount += t->amount;
                prev->rounded += t->rounded;
                prev->capped += t->capped;
                p->person_total[t->person] += t->amount;
                p->total += t->amount;
                continue;
            }
        }
        size_t first = p->n_slices;
        if (t->n_slices && !e->in->earned_only) {
            VEC_GROW(p->slices, p->cap_slices, p->n_slices + t->n_slices);
            memcpy(p->slices + first, e->tslices + t->slice0, t->n_slices * sizeof *p->slices);
            p->n_slices += t->n_slices;
        }
        VEC_GROW(p->lines, p->cap_lines, p->n_lines + 1);
        /* the person's lines as sort_lines finds them when they need no sorting */
        if (!p->person_nlines[t->person]++)
            p->person_line0[t->person] = p->n_lines;
        struct payout_line *l = &p->lines[p->n_lines++];
        memcpy(l, t, sizeof *l);
        l->slice0 = first;
        if (e->in->earned_only)
            l->n_slices = 0;
        p->person_total[l->person] += l->amount;
        p->total += l->amount;
    }
    e->n_tmp = 0;
    e->n_tslices = 0;
}

static int person_cmp(const void *a, const void *b, void *ctx)
{
    const struct person_table *pt = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return pt->line[x] < pt->line[y] ? -1 : pt->line[x] > pt->line[y];
}

/* Lines by person in people-file order (pools were computed after everyone else), stable.
 * `people` lists everyone who can have lines, in people-file order. */
static void sort_lines(struct payouts *p, const struct person_table *pt, const uint32_t *people,
                       uint32_t n_people, bool sorted)
{
    size_t n = p->n_lines;
    /* A stable counting sort by the person's line (the rank of it among `people`, which are in
     * line order), moved in place along the permutation's cycles: no second copy of the lines. */
    uint32_t *rank = sorted ? NULL : xcalloc(pt->n ? pt->n : 1, sizeof *rank);
    for (uint32_t i = 0; rank && i < pt->n; i++)
        rank[i] = UINT32_MAX;
    uint32_t n_ranks = 0; /* people sharing a line share a rank: stable by line, as before */
    for (uint32_t j = 0; rank && j < n_people; j++) {
        if (j > 0 && pt->line[people[j - 1]] != pt->line[people[j]])
            n_ranks++;
        rank[people[j]] = n_ranks;
    }
    if (rank) {
        size_t *start = xcalloc((size_t)n_people + 1, sizeof *start); /* n_ranks <= n_people */
        for (size_t i = 0; i < n; i++) {
            uint32_t r = rank[p->lines[i].person];
            if (r == UINT32_MAX)
                BUG("a payout line of someone not in the people file");
            start[r + 1]++;
        }
        for (uint32_t j = 0; j < n_ranks; j++)
            start[j + 1] += start[j];
        size_t *dest = xcalloc(n ? n : 1, sizeof *dest);
        for (size_t i = 0; i < n; i++)
            dest[i] = start[rank[p->lines[i].person]]++;
        for (size_t i = 0; i < n; i++) {
            if (dest[i] == i)
                continue;
            struct payout_line carried = p->lines[i];
            size_t to = dest[i];
            while (to != i) {
                struct payout_line next = p->lines[to];
                p->lines[to] = carried;
                carried = next;
                size_t after = dest[to];
                dest[to] = to;
                to = after;
            }
            p->lines[i] = carried;
            dest[i] = i;
        }
        free(dest);
        free(start);
        free(rank);
        /* keep_lines counted them in the order kept */
        memset(p->person_nlines, 0, pt->n * sizeof *p->person_nlines);
        for (size_t i = n; i-- > 0;) {
            p->person_line0[p->lines[i].person] = i;
            p->person_nlines[p->lines[i].person]++;
        }
    }
}

int32_t payout_keep_first(const struct plan_set *plans, const struct period *window)
{
    struct period A;
    period_containing(plans->longest_period, window->first_day, &A);
    int32_t first = A.first_day;
    if (plans->max_lookback > 0) {
        period_containing(plans->longest_period, window->first_day - plans->max_lookback, &A);
        if (A.first_day < first)
            first = A.first_day;
    }
    if (plans->any_carry) {
        period_containing(PERIOD_YEAR, first, &A);
        first = A.first_day;
    }
    return first < window->first_day ? first : window->first_day;
}

/* Each row's payable amount in the person's own currency: divided by the rate in force on the
 * payout period's last day (or as-of, whichever is earlier; as-of under payment_fx_date =
 * as_of), rounded once. */
static int pay_currencies(struct engine *e)
{
    const struct dataset *ds = e->ds;
    const struct person_table *pt = &ds->people;
    struct payouts *p = e->p;
    const char *base = e->in->s->currency;
    int rc = 0;
    struct fx_rates rates;
    fx_rates_init(&rates, &ds->fx);
    uint32_t failed = ID_NONE;
    for (size_t i = 0; i < p->n_rows; i++) {
        struct payout_row *row = &p->rows[i];
        uint32_t who = row->person;
        const char *cur = pt->currency[who].code;
        row->pay = row->payable;
        row->rate_day = DAY_NONE;
        if (!cur[0] || strcmp(cur, base) == 0)
            continue;
        p->any_foreign_payee = true;
        int32_t end = p->periods[row->pp - 1].last_day;
        row->rate_day = e->in->s->payment_fx_as_of || e->in->as_of < end ? e->in->as_of : end;
        struct decimal rate;
        char day[16];
        date_format_day(day, sizeof day, row->rate_day);
        if (fx_rate_on(&rates, cur, row->rate_day, &rate) || rate.units <= 0) {
            if (failed != who) /* once per person: their earliest day without a rate */
                diag_error(e->d, ds->files[INPUT_PEOPLE].display, pt->line[who],
                           "no FX rate for %s on or before %s to pay person '%s' in %s", cur, day,
                           intern_str(&ds->people_ids, who), cur);
            failed = who;
            rc = PAYOUT_EFX;
            continue;
        }
        if (fx_from_base(row->payable, cur, rate, e->in->s->currency_digits, &row->pay)) {
            diag_error(e->d, ds->files[INPUT_PEOPLE].display, pt->line[who],
                       "pay of person '%s' in %s does not fit", intern_str(&ds->people_ids, who),
                       cur);
            rc = PAYOUT_EOVERFLOW;
        }
    }
    fx_rates_release(&rates);
    return rc;
}

/* Payout periods in the order they end; a month before the quarter it ends with. */
static int period_cmp(const void *a, const void *b)
{
    const struct period *x = a, *y = b;
    if (x->last_day != y->last_day)
        return x->last_day < y->last_day ? -1 : 1;
    return x->kind < y->kind ? -1 : x->kind > y->kind;
}

/* An own-revenue share of a stated amount for payout period P: stated × P / quota period ×
 * active days / days of P (DESIGN §5: quota and target prorated, never rates). */
static struct rat period_amount(const struct engine *e, uint32_t who, int64_t stated,
                                const struct plan_version *v, const struct period *P)
{
    const struct person_table *pt = &e->ds->people;
    if (stated == QUOTA_NONE)
        return rat_int64(0);
    int32_t active =
        incent_active_days(pt->start_day[who], pt->end_day[who], P->first_day, P->last_day);
    struct rat f =
        rat_mul(incent_period_share(v->quota_period, P->kind), rat_frac(active, period_days(P)));
    return rat_mul(rat_int64(stated), f);
}

/* Is the person a rep for team roll-ups: a component measures their own revenue against quota? */
static bool own_revenue_quota(const struct plan_version *v)
{
    for (size_t c = 0; c < v->n_components; c++) {
        const struct component *comp = &v->components[c];
        if (comp->measure == MEASURE_OWN_REVENUE &&
            (comp->type == COMP_COMMISSION || comp->type == COMP_OVERRIDE ||
             (comp->type == COMP_BONUS && comp->goal_is_quota)) &&
            uses_quota(comp))
            return true;
    }
    return false;
}

/* Payroll rows: one per person on a plan paying in this run and each of their payout periods in
 * which they were active or have lines, with the lines, measures and own revenue of each. */
static void build_rows(struct engine *e)
{
    const struct dataset *ds = e->ds;
    const struct person_table *pt = &ds->people;
    const struct deal_table *dl = &ds->deals;
    struct payouts *p = e->p;
    size_t cap_rows = 0, cap_measures = 0;
    size_t cap_periods = 0;
    uint8_t *lq = NULL; /* per line of the person: the index of its payout period in pps */
    size_t cap_lq = 0;
    p->line_index = xcalloc(p->n_lines ? p->n_lines : 1, sizeof *p->line_index);
    size_t n_index = 0;
    for (uint32_t j = 0; j < e->n_people; j++) {
        uint32_t who = e->people[j];
        const struct plan *plan = e->plan_of[who];
        struct period pps[12];
        uint32_t n = plan ? payout_periods(plan, &e->in->window, pps) : 0;
        p->person_row0[who] = p->n_rows;
        size_t l0 = p->person_line0[who], l1 = l0 + p->person_nlines[who];
        /* each line's payout period, found in one pass over the (wide) lines */
        VEC_GROW(lq, cap_lq, l1 - l0 + 1);
        for (size_t i = l0; i < l1; i++)
            lq[i - l0] = (uint8_t)pp_of(pps, n, p->lines[i].post_day);
        for (uint32_t q = 0; q < n; q++) {
            const struct period *P = &pps[q];
            struct payout_row row = {
                .person = who, .line0 = n_index, .quota = rat_int64(0), .target = rat_int64(0)};
            for (size_t i = l0; i < l1; i++)
                if (lq[i - l0] == q) {
                    p->line_index[n_index++] = i;
                    p->lines[i].row = (uint32_t)p->n_rows;
                    row.earned += p->lines[i].amount;
                }
            row.n_lines = n_index - row.line0;
            if (!row.n_lines && (P->first_day > e->in->as_of ||
                                 incent_active_days(pt->start_day[who], pt->end_day[who],
                                                    P->first_day, P->last_day) == 0))
                continue; /* not employed in it (or it starts after as-of) and nothing posted */
            row.payable = row.earned > 0 ? row.earned : 0;
            row.to_recover = row.earned < 0 ? -row.earned : 0;
            p->to_recover += row.to_recover;
            /* own revenue of the period's deals, as person_revenue counts it */
            const uint32_t *pos = e->pl_pos + e->pl_first[who];
            for (uint32_t i = 0; i < e->pl_n[who]; i++) {
                uint32_t k = e->order[pos[i]];
                if (!period_has_day(P, dl->close_day[k]) || !active_on(pt, who, dl->close_day[k]))
                    continue;
                for (uint32_t sp = e->sp_first[k]; sp < e->sp_first[k] + e->sp_n[k]; sp++)
                    if (e->sp_person[sp] == who) {
                        row.revenue += e->sp_cents[sp];
                        row.deals++;
                    }
            }
            const struct plan_version *v = plan_version_on(plan, P->last_day);
            row.target = period_amount(e, who, pt->target[who], v, P);
            if (own_revenue_quota(v))
                row.quota = period_amount(e, who, pt->quota[who], v, P);
            /* the payout period's number, fixed once every period is known */
            uint32_t k = 0;
            while (k < p->n_periods && period_cmp(&p->periods[k], P) != 0)
                k++;
            if (k == p->n_periods)
                VEC_PUSH(p->periods, p->n_periods, cap_periods, *P);
            row.pp = k;
            row.measure0 = p->n_measures;
            for (size_t m = e->meas0[who]; m < e->meas0[who] + e->n_pmeas[who]; m++)
                if (e->meas[m].row == q) {
                    struct payout_measure pm = e->meas[m];
                    pm.row = (uint32_t)p->n_rows;
                    VEC_PUSH(p->measures, p->n_measures, cap_measures, pm);
                }
            row.n_measures = p->n_measures - row.measure0;
            VEC_PUSH(p->rows, p->n_rows, cap_rows, row);
        }
        p->person_nrows[who] = (uint32_t)(p->n_rows - p->person_row0[who]);
    }
    free(lq);
    if (n_index != p->n_lines)
        BUG("a payout line posted outside its person's payout periods");
    /* Number the periods by date; rows keep their person's period order. */
    struct period *sorted = xcalloc(p->n_periods ? p->n_periods : 1, sizeof *sorted);
    if (p->n_periods) { /* no payout period (no one on a plan): periods is NULL */
        memcpy(sorted, p->periods, p->n_periods * sizeof *sorted);
        qsort(sorted, p->n_periods, sizeof *sorted, period_cmp);
    }
    for (size_t i = 0; i < p->n_rows; i++) {
        const struct period *P = &p->periods[p->rows[i].pp];
        uint32_t k = 0;
        while (period_cmp(&sorted[k], P) != 0)
            k++;
        p->rows[i].pp = k + 1;
    }
    free(p->periods);
    p->periods = sorted;
}

void payout_ingest_window(const struct plan_set *plans, const struct period *window,
                          struct ingest_window *w)
{
    w->keep_first = payout_keep_first(plans, window);
    w->keep_last = window->last_day;
    w->cancel_first = window->first_day;
    w->cancel_last = window->last_day;
    w->deal_extra = plans->deal_extra;
    w->n_deal_extra = plans->n_deal_extra;
}

const struct attribution *payout_attribution(struct attribution *a, const struct dataset *ds,
                                             const struct lead_index *ix, const struct settings *s,
                                             const struct plan_set *plans,
                                             const struct period *window)
{
    if (!plans->models)
        return NULL;
    struct settings with = *s;
    with.models = plans->models;
    struct period wide = *window;
    wide.first_day = payout_keep_first(plans, window);
    attrib_run(a, ds, ix, &with, &wide);
    return a;
}

static int validate_people(struct engine *e)
{
    const struct dataset *ds = e->ds;
    const struct person_table *pt = &ds->people;
    int rc = 0;
    for (uint32_t j = 0; j < e->n_people; j++) {
        uint32_t i = e->people[j];
        if (!pt->plan[i])
            continue;
        const struct plan *plan = plan_find(e->in->plans, pt->plan[i]);
        e->plan_of[i] = plan;
        const char *id = intern_str(&ds->people_ids, i);
        if (!plan) {
            diag_error(e->d, ds->files[INPUT_PEOPLE].display, pt->line[i],
                       "person '%s' names plan '%s', which no [plan.%s] section defines", id,
                       pt->plan[i], pt->plan[i]);
            rc = -1;
            continue;
        }
        if (plan->needs_quota && pt->quota[i] == QUOTA_NONE) {
            diag_error(e->d, ds->files[INPUT_PEOPLE].display, pt->line[i],
                       "person '%s' is on plan '%s', which measures attainment against quota, "
                       "but has no quota",
                       id, plan->id);
            rc = -1;
        }
        if (plan->needs_target && pt->target[i] == QUOTA_NONE) {
            diag_error(e->d, ds->files[INPUT_PEOPLE].display, pt->line[i],
                       "person '%s' is on plan '%s', which pays on target incentive, but has no "
                       "target_incentive",
                       id, plan->id);
            rc = -1;
        }
    }
    return rc;
}

int payout_run(struct payouts *p, const struct payout_input *in, struct diag *d)
{
    memset(p, 0, sizeof *p);
    const struct dataset *ds = in->ds;
    const struct person_table *pt = &ds->people;
    const struct deal_table *dl = &ds->deals;
    struct engine e = {.in = in, .ds = ds, .p = p, .d = d};
    size_t np = pt->n ? pt->n : 1;
    p->n_people = pt->n;
    p->person_total = xcalloc(np, sizeof *p->person_total);
    p->person_revenue = xcalloc(np, sizeof *p->person_revenue);
    p->person_deals = xcalloc(np, sizeof *p->person_deals);
    p->person_row0 = xcalloc(np, sizeof *p->person_row0);
    p->person_nrows = xcalloc(np, sizeof *p->person_nrows);
    e.meas0 = xcalloc(np, sizeof *e.meas0);
    e.n_pmeas = xcalloc(np, sizeof *e.n_pmeas);
    p->person_line0 = xcalloc(np, sizeof *p->person_line0);
    p->person_nlines = xcalloc(np, sizeof *p->person_nlines);
    e.plan_of = xcalloc(np, sizeof *e.plan_of);
    e.people = xcalloc(np, sizeof *e.people);
    for (uint32_t i = 0; i < pt->n; i++)
        if (pt->name[i])
            e.people[e.n_people++] = i;
    qsort_r(e.people, e.n_people, sizeof *e.people, person_cmp, (void *)(uintptr_t)pt);
    e.marketing = xcalloc(ds->channels.n ? ds->channels.n : 1, sizeof *e.marketing);
    for (uint32_t c = 0; c < ds->channels.n; c++) {
        const char *name = intern_str(&ds->channels, c);
        e.marketing[c] = !settings_list_has(in->s->non_marketing_channels, name, strlen(name));
    }
    e.keep_first = payout_keep_first(in->plans, &in->window);
    int rc = validate_people(&e);
    rc |= build_deals(&e);
    build_person_lists(&e);
    e.colp = xcalloc(ds->deals.n_extra ? ds->deals.n_extra : 1, sizeof *e.colp);
    e.colp_first = xcalloc(ds->deals.n_extra ? ds->deals.n_extra : 1, sizeof *e.colp_first);
    e.colp_pos = xcalloc(ds->deals.n_extra ? ds->deals.n_extra : 1, sizeof *e.colp_pos);
    if (rc) {
        rc = PAYOUT_ECONFIG;
        goto out;
    }
    /* Exceptions and own revenue of the window's deals. */
    for (uint32_t q = 0; q < e.n_order; q++) {
        uint32_t k = e.order[q];
        if (!period_has_day(&in->window, dl->close_day[k]))
            continue;
        uint32_t who = dl->owner[k];
        if (!pt->name[who])
            add_issue(p, PAYOUT_OWNER_UNKNOWN, k, who);
        else if (!active_on(pt, who, dl->close_day[k]))
            add_issue(p, PAYOUT_OWNER_INACTIVE, k, who);
        else if (!e.plan_of[who])
            add_issue(p, PAYOUT_OWNER_NO_PLAN, k, who);
        for (uint32_t i = e.sp_first[k]; i < e.sp_first[k] + e.sp_n[k]; i++) {
            uint32_t s = e.sp_person[i];
            if (!pt->name[s] || !active_on(pt, s, dl->close_day[k]))
                continue;
            p->person_revenue[s] += e.sp_cents[i];
            p->person_deals[s]++;
        }
    }
    spif_payee_issues(&e);
    rat_overflowed();
    progress_label(in->earned_only ? "computing pay (year to date)" : "computing pay");
    progress_total(e.n_people, "people");
    for (uint32_t j = 0; j < e.n_people && rc == 0; j++) {
        progress_count(j);
        uint32_t who = e.people[j];
        const struct plan *plan = e.plan_of[who];
        if (!plan)
            continue;
        struct period win;
        if (!plan_window(plan, &in->window, &win))
            continue;
        e.win = win;
        e.tier_c = NULL;
        e.n_pps = payout_periods(plan, &in->window, e.pps);
        e.meas0[who] = e.n_meas;
        /* Every component id of every version, in order of first appearance. */
        for (size_t v = 0; v < plan->n_versions; v++) {
            for (size_t c = 0; c < plan->versions[v].n_components; c++) {
                const struct component *comp = &plan->versions[v].components[c];
                bool seen = false;
                for (size_t u = 0; u < v && !seen; u++)
                    seen = plan_component(&plan->versions[u], comp->id) != NULL;
                if (seen || comp->type == COMP_POOL)
                    continue;
                run_component(&e, who, plan, comp);
            }
        }
        e.n_pmeas[who] = (uint32_t)(e.n_meas - e.meas0[who]);
        /* cap_payee: per payout period (a quarter run on a monthly plan caps each month); the
         * sums are taken as the lines are kept (the periods are disjoint) */
        int64_t pp_sum[12] = {0};
        keep_lines(&e, &win, pp_sum);
        for (uint32_t q = 0; q < e.n_pps; q++) {
            const struct period *P = &e.pps[q];
            const struct plan_version *vw = plan_version_on(plan, P->last_day);
            int64_t sum = pp_sum[q];
            if (vw->cap_payee < 0 || sum <= vw->cap_payee)
                continue;
            struct ctx x = {.person = who, .plan = plan, .A = *P};
            struct payout_line *l =
                new_line(&e, &x, vw, NULL, LINE_PAYEE_CAP, ID_NONE, P->last_day);
            l->amount = vw->cap_payee - sum;
            l->capped = l->amount;
            char a[40];
            fmt_money(&e, a, sizeof a, vw->cap_payee);
            note(&e, l, "cap_payee %s for the payout period %s", a, P->name);
            keep_lines(&e, P, NULL);
        }
        if (rat_overflowed()) {
            diag_error(d, ds->files[INPUT_PEOPLE].display, pt->line[who],
                       "pay of person '%s' does not fit the exact arithmetic (amounts or rates "
                       "too large)",
                       intern_str(&ds->people_ids, who));
            rc = PAYOUT_EOVERFLOW;
        }
    }
    /* Pools, per plan. */
    for (size_t i = 0; i < in->plans->n && rc == 0; i++) {
        const struct plan *plan = &in->plans->plans[i];
        struct period win;
        if (!plan_window(plan, &in->window, &win))
            continue;
        for (size_t v = 0; v < plan->n_versions; v++)
            for (size_t c = 0; c < plan->versions[v].n_components; c++) {
                const struct component *comp = &plan->versions[v].components[c];
                bool seen = false;
                for (size_t u = 0; u < v && !seen; u++)
                    seen = plan_component(&plan->versions[u], comp->id) != NULL;
                if (!seen && comp->type == COMP_POOL) {
                    run_pools(&e, plan, comp, &win);
                    keep_lines(&e, &win, NULL);
                }
            }
    }
    sort_lines(p, pt, e.people, e.n_people, !e.unsorted);
    if (rc == 0 && !in->earned_only) {
        build_rows(&e);
        rc = pay_currencies(&e);
    }
out:
    free(e.plan_of);
    free(e.people);
    free(e.order);
    free(e.sp_first);
    free(e.sp_n);
    free(e.sp_person);
    free(e.sp_cents);
    free(e.sp_overlay);
    free(e.marketing);
    free(e.pl_first);
    free(e.pl_n);
    free(e.pl_pos);
    for (size_t i = 0; e.colp && i < ds->deals.n_extra; i++)
        free(e.colp[i]);
    free(e.colp);
    for (size_t i = 0; e.colp_first && i < ds->deals.n_extra; i++) {
        free(e.colp_first[i]);
        free(e.colp_pos[i]);
    }
    free(e.colp_first);
    free(e.colp_pos);
    for (size_t i = 0; i < e.n_cls; i++) {
        free(e.cls[i].first);
        free(e.cls[i].pos);
        free(e.cls[i].cr);
    }
    free(e.cls);
    free(e.tmp);
    free(e.tslices);
    free(e.tier_r);
    for (int i = 0; i < e.n_shared; i++)
        free(e.shared[i].prefix);
    free(e.meas);
    free(e.meas0);
    free(e.n_pmeas);
    return rc;
}

void payout_release(struct payouts *p)
{
    if (!p)
        return;
    free(p->lines);
    free(p->slices);
    free(p->person_total);
    free(p->person_revenue);
    free(p->person_deals);
    free(p->rows);
    free(p->person_row0);
    free(p->person_nrows);
    free(p->line_index);
    free(p->measures);
    free(p->periods);
    free(p->person_line0);
    free(p->person_nlines);
    free(p->issues);
    arena_release(&p->notes);
    memset(p, 0, sizeof *p);
}
