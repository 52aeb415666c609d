/* payout_scope.c — before the engine: what ingest keeps, the plans' attribution, people checks. */
#include "payout_internal.h"

#include "ingest.h"

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

int validate_people(struct engine *e)
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
