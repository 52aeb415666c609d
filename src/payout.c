/* payout.c — flat-rate commission lines per deal. */
#include "payout.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void add_issue(struct payouts *p, enum payout_issue_kind kind, uint32_t deal,
                      uint32_t person)
{
    VEC_GROW(p->issues, p->cap_issues, p->n_issues + 1);
    p->issues[p->n_issues++] = (struct payout_issue){kind, deal, person};
}

int payout_run(struct payouts *p, const struct dataset *ds, const struct plan_set *plans,
               const struct period *period, struct diag *d)
{
    memset(p, 0, sizeof *p);
    const struct person_table *pt = &ds->people;
    const struct deal_table *dl = &ds->deals;
    p->n_people = pt->n;
    p->person_total = xcalloc(pt->n ? pt->n : 1, sizeof *p->person_total);
    p->person_revenue = xcalloc(pt->n ? pt->n : 1, sizeof *p->person_revenue);
    p->person_deals = xcalloc(pt->n ? pt->n : 1, sizeof *p->person_deals);

    int rc = 0;
    const struct plan **plan_of = xcalloc(pt->n ? pt->n : 1, sizeof *plan_of);
    for (uint32_t i = 0; i < pt->n; i++) {
        if (!pt->name[i] || !pt->plan[i])
            continue;
        plan_of[i] = plan_find(plans, pt->plan[i]);
        if (!plan_of[i]) {
            diag_error(d, ds->files[INPUT_PEOPLE].display, pt->line[i],
                       "person '%s' names plan '%s', which no [plan.%s] section defines",
                       intern_str(&ds->people_ids, i), pt->plan[i], pt->plan[i]);
            rc = -1;
        }
    }
    for (uint32_t k = 0; k < dl->n && rc == 0; k++) {
        if (dl->bucket[k] != BUCKET_USED && dl->bucket[k] != BUCKET_UNMATCHED)
            continue;
        if (!period_has_day(period, dl->close_day[k]))
            continue;
        uint32_t who = dl->owner[k];
        if (!pt->name[who]) {
            add_issue(p, PAYOUT_OWNER_UNKNOWN, k, who);
            continue;
        }
        p->person_revenue[who] += dl->amount[k];
        p->person_deals[who]++;
        const struct plan *plan = plan_of[who];
        if (!plan) {
            add_issue(p, PAYOUT_OWNER_NO_PLAN, k, who);
            continue;
        }
        for (size_t c = 0; c < plan->n_components; c++) {
            const struct component *comp = &plan->components[c];
            struct payout_line line = {who, k, plan, comp, dl->amount[k], 0};
            if (money_mul_decimal(line.base, comp->rate, &line.amount))
                BUG("commission overflows int64");
            VEC_PUSH(p->lines, p->n_lines, p->cap_lines, line);
            p->person_total[who] += line.amount;
            p->total += line.amount;
        }
    }
    free(plan_of);
    return rc;
}

void payout_release(struct payouts *p)
{
    if (!p)
        return;
    free(p->lines);
    free(p->person_total);
    free(p->person_revenue);
    free(p->person_deals);
    free(p->issues);
    memset(p, 0, sizeof *p);
}
