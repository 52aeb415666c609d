/* payout.h — payout lines: what each person is owed, one explained line at a time.
 *
 * A line is payee × deal × component: base (the deal's amount), rate, and the amount rounded half
 * away from zero once (DESIGN §5.2). A person's total is the sum of their rounded lines. Deals
 * whose owner is not in the people file, or whose owner has no plan, pay no one and are listed as
 * exceptions. The struct payouts owns its arrays.
 */
#ifndef SAMETABLE_PAYOUT_H
#define SAMETABLE_PAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "period.h"
#include "plan.h"

struct payout_line {
    uint32_t person; /* person id */
    uint32_t deal;   /* deal table row */
    const struct plan *plan;
    const struct component *component;
    int64_t base;   /* minor units the rate applies to */
    int64_t amount; /* round_half_away(base * rate) */
};

enum payout_issue_kind { PAYOUT_OWNER_UNKNOWN, PAYOUT_OWNER_NO_PLAN, PAYOUT_PLAN_UNKNOWN };

struct payout_issue {
    enum payout_issue_kind kind;
    uint32_t deal;   /* deal table row, or ID_NONE */
    uint32_t person; /* person id */
};

struct payouts {
    struct payout_line *lines;
    size_t n_lines, cap_lines;
    int64_t *person_total;   /* per person id */
    int64_t *person_revenue; /* own closed-won revenue in the period, per person id */
    uint32_t *person_deals;  /* deals in the period, per person id */
    uint32_t n_people;
    int64_t total;
    struct payout_issue *issues;
    size_t n_issues, cap_issues;
};

/* Compute the lines for deals closed in `period`. Returns 0, or -1 if a person names a plan that
 * does not exist (an error in d naming the people file and line). */
int payout_run(struct payouts *p, const struct dataset *ds, const struct plan_set *plans,
               const struct period *period, struct diag *d);
void payout_release(struct payouts *p);

#endif
