/* report.h — the run's outputs laid out for people: workbooks and CSV files.
 *
 * Each function writes one file at the path given (a temporary name from publish.h) from the
 * computed tables, which it only reads. Totals in workbooks are live formulas carrying the value
 * the tool computed, so the file shows the right numbers even where nothing recalculates.
 */
#ifndef SAMETABLE_REPORT_H
#define SAMETABLE_REPORT_H

#include <stdint.h>

#include "attrib.h"
#include "dataset.h"
#include "diag.h"
#include "payout.h"
#include "period.h"
#include "plan.h"
#include "settings.h"

struct report_ctx {
    const struct settings *s;
    const struct config *cfg;
    const struct period *period;
    int32_t as_of_day;
    const struct dataset *ds;
    const struct attribution *a;
    const struct dd_credit *dd; /* data-driven credit, NULL when none configured */
    const struct payouts *p;    /* NULL when no people file is configured */
    const struct plan_set *plans;
};

int report_attribution_xlsx(const struct report_ctx *r, const char *path, struct diag *d);
int report_payouts_xlsx(const struct report_ctx *r, const char *path, struct diag *d);
/* payroll-<period>.csv: person_id, name, amount, currency, period — one row per person and
 * payout period (the period column holds the payout period), never below 0.00. */
int report_payroll_csv(const struct report_ctx *r, const char *path, struct diag *d);
/* credits-<period>.csv: one row per deal × eligible touch, one cents column per rule-based
 * model; streamed, never capped. */
int report_credits_csv(const struct report_ctx *r, const struct lead_index *ix, const char *path,
                       struct diag *d);
/* rejects-<period>.csv: file, line, column, value, reason — one row per rejected row. */
int report_rejects_csv(const struct report_ctx *r, const char *path, struct diag *d);

/* `sametable explain`: every payout line of a person (person != NULL) or of a deal, with its
 * arithmetic, as plain text. Returns 0, or -1 if no such person or deal is in the data. */
int report_explain(const struct report_ctx *r, const char *person, const char *deal, FILE *fp);

/* Plain-text reconciliation of every input file (for `sametable check` and -v). */
void report_reconciliation(const struct report_ctx *r, FILE *fp);

#endif
