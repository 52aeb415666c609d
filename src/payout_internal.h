/* payout_internal.h — what the payout engine's files share; not public (payout.h is the API).
 *
 * One payout run is one struct engine, which payout_run (payout.c) sets up, fills and frees; the
 * other files take it as a pointer and own nothing of their own that outlives the run. The engine
 * is split by concern:
 *   payout.c         the engine proper: lines of each component (tiers, gates, caps, carries,
 *                    clawbacks), pools, the payout periods a plan pays in, payout_run and
 *                    payout_release;
 *   payout_credit.c  measures and credit: the deals in close order and their splits, credit() of
 *                    one deal to one person under a component, the credit lists per credit key,
 *                    deal filters, SPIF payees and shares, person-independent prefix sums;
 *   payout_rows.c    payout rows: the lines kept for the window and their order, one row per
 *                    person and payout period, and each row's pay in the payee's currency (FX
 *                    through fx.h);
 *   payout_scope.c   what a run needs before the engine starts: the days ingest must keep
 *                    (payout_keep_first, payout_ingest_window), the plans' attribution
 *                    (payout_attribution), and validate_people.
 * A future payout ledger gets its own file beside these. Functions declared here are defined in
 * the file named above them; the small helpers several files call per deal are inline here.
 * Nothing here allocates except where a comment at the definition says so; what a function
 * builds into the engine is freed by payout_run.
 */
#ifndef SAMETABLE_PAYOUT_INTERNAL_H
#define SAMETABLE_PAYOUT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "ids.h"
#include "payout.h"
#include "rat.h"

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
    /* Per deal row: its customer payments (rows of ds->payments) by paid day, then file order
     * (CSR: pm_idx[pm_first[k] .. pm_first[k] + pm_n[k])); for collection lines (pay_on). */
    uint32_t *pm_first, *pm_n, *pm_idx;
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

static inline bool active_on(const struct person_table *pt, uint32_t who, int32_t day)
{
    return (pt->start_day[who] == DAY_NONE || day >= pt->start_day[who]) &&
           (pt->end_day[who] == DAY_NONE || day <= pt->end_day[who]);
}

enum group_kind { GROUP_PERSON, GROUP_TEAM, GROUP_ALL };

static inline enum group_kind key_groups(const struct credit_key *k)
{
    if (k->measure == MEASURE_TEAM_REVENUE)
        return k->override ? GROUP_PERSON : GROUP_TEAM;
    if (k->measure == MEASURE_COMPANY_REVENUE || k->scope == SCOPE_COMPANY)
        return GROUP_ALL;
    return k->scope == SCOPE_OWN ? GROUP_PERSON : GROUP_TEAM;
}

/* The group holding `who` under kind g (a split's person, a campaign's owner, or the person
 * being paid), or ID_NONE: none, so no credit (same_team and campaign_in_scope). */
static inline uint32_t group_of(const struct person_table *pt, enum group_kind g, uint32_t who)
{
    if (g == GROUP_ALL)
        return 0;
    if (who >= pt->n)
        return ID_NONE;
    return g == GROUP_PERSON ? who : pt->team[who];
}

/* Is `day` inside the SPIF's from .. to window (inclusive, open ends)? */
static inline bool spif_window(const struct component *c, int32_t day)
{
    return day >= c->from_day && day <= c->to_day;
}

/* payout_credit.c */
void build_person_lists(struct engine *e);
int build_deals(struct engine *e);
bool deal_pays(const struct engine *e, uint32_t k, uint32_t payee);
int64_t credit(const struct engine *e, uint32_t person, const struct component *c, uint32_t k,
               const bool *members);
const struct credit_lists *credit_lists_for(struct engine *e, const struct plan *plan,
                                            const struct component *ref);
bool filter_pass(const struct engine *e, const struct component *c, uint32_t k);
uint32_t column_person(struct engine *e, size_t col, uint32_t k);
const uint32_t *column_positions(struct engine *e, size_t col, uint32_t who, size_t *n);
bool spif_column_only(const struct plan *plan, const struct component *ref);
int64_t spif_share(struct engine *e, const struct component *c, uint32_t person, uint32_t k);
void spif_payee_issues(struct engine *e);
const int64_t *shared_prefix(struct engine *e, const struct plan *plan,
                             const struct component *ref);

/* payout_rows.c */
void keep_lines(struct engine *e, const struct period *win, int64_t *pp_sum);
void sort_lines(struct payouts *p, const struct person_table *pt, const uint32_t *people,
                uint32_t n_people, bool sorted);
int pay_currencies(struct engine *e);
void build_rows(struct engine *e);

/* payout_scope.c */
int validate_people(struct engine *e);

/* payout.c */
bool uses_quota(const struct component *c);
uint32_t pp_of(const struct period *pps, uint32_t n, int32_t day);
uint32_t payout_periods(const struct plan *plan, const struct period *run, struct period out[12]);

#endif
