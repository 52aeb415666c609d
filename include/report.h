/* report.h — the run's outputs laid out for people: workbooks and CSV files.
 *
 * Each function writes one file at the path given (a temporary name from publish.h) from the
 * computed tables, which it only reads. Totals in workbooks are live formulas carrying the value
 * the tool computed, so the file shows the right numbers even where nothing recalculates.
 */
#ifndef SAMETABLE_REPORT_H
#define SAMETABLE_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "attrib.h"
#include "dataset.h"
#include "diag.h"
#include "payout.h"
#include "period.h"
#include "plan.h"
#include "settings.h"

struct report_calc_cache; /* report_calc.c: lookups the calculation text builds once per run */

struct settle;
struct ledger_paid;

struct report_ctx {
    const char *run_id;             /* this run's ID (Run sheet, payroll CSV) */
    const struct settle *settle;    /* the ledger's work for this run, NULL without a ledger */
    const struct ledger_paid *paid; /* what the ledger says was paid, NULL without a ledger */
    const struct settings *s;
    const struct config *cfg;
    const struct period *period;
    int32_t as_of_day;
    const struct dataset *ds;
    const struct attribution *a;
    const struct dd_credit *dd; /* data-driven credit, NULL when none configured */
    const struct payouts *p;    /* NULL when no people file is configured */
    const struct payouts *ytd;  /* the payouts over the year up to the period's end, or NULL */
    const struct plan_set *plans;
    struct report_calc_cache *calc; /* NULL: every line looks its deal's splits up again */
};

/* The lookups behind the calculation text of one run's dataset (a deal's split rows), built on
 * first use; the caller owns it and frees it (NULL is fine) after the last report. */
struct report_calc_cache *report_calc_cache_new(void);
void report_calc_cache_free(struct report_calc_cache *c);
/* Build r->calc's lookups now (reports running at once in several threads then only read it). */
void report_calc_cache_build(const struct report_ctx *r);

int report_attribution_xlsx(const struct report_ctx *r, const char *path, struct diag *d);
int report_payouts_xlsx(const struct report_ctx *r, const char *path, struct diag *d);
/* payroll-<period>.csv: person_id, name, amount, currency, period, run_id — one row per person
 * and payout period (the period column holds the payout period), never below 0.00; run_id is
 * the run's ID, which `close --run` names. */
int report_payroll_csv(const struct report_ctx *r, const char *path, struct diag *d);
/* lines-<period>.csv: every payout line (the Lines sheet's columns without its slice arithmetic,
 * which the calculation text carries), amounts in minor-unit-exact decimals; streamed, never
 * capped. */
int report_lines_csv(const struct report_ctx *r, const char *path, struct diag *d);
/* credits-<period>.csv: one row per deal × eligible touch, one cents column per rule-based
 * model; streamed, never capped. */
int report_credits_csv(const struct report_ctx *r, const struct lead_index *ix, const char *path,
                       struct diag *d);
/* rejects-<period>.csv: file, line, column, value, reason — one row per rejected row. */
int report_rejects_csv(const struct report_ctx *r, const char *path, struct diag *d);

/* One person's statement workbook (`--statements DIR` writes DIR/<period>/<id>.xlsx): their
 * plan, quota and attainment per measured component, earned in the period and (from `ytd`, the
 * payouts over the year up to the period's end in r->ytd) in the year to date, every line
 * with deal, account name, deal amount, rate and arithmetic, and a short run block. It names no
 * other person. */
int report_statement_xlsx(const struct report_ctx *r, uint32_t who, const char *path,
                          struct diag *d);
/* Whether a person gets a statement: exactly when payroll has a row for them (on a plan,
 * employed in a payout period of the run or reached by one of its lines, that payout period
 * ending in the run). */
bool report_statement_wanted(const struct report_ctx *r, uint32_t who);
/* Statement file names (without ".xlsx") per person id, NULL for people without one; or NULL
 * with an error per pair of IDs that collide ignoring case or once made file-safe. The caller
 * frees each name and the array. */
char **report_statement_names(const struct report_ctx *r, struct diag *d);

/* One payout line's arithmetic as one line of text, as explain and the lines CSV show it. */
void report_line_calc_text(const struct report_ctx *r, const struct payout_line *l, char *buf,
                           size_t size);

/* `sametable explain`: every payout line of a person (person != NULL) or of a deal, with its
 * arithmetic, as plain text. Returns 0, or -1 if no such person or deal is in the data. */
int report_explain(const struct report_ctx *r, const char *person, const char *deal, FILE *fp);

/* Plain-text reconciliation of every input file (for `sametable check` and -v). */
void report_reconciliation(const struct report_ctx *r, FILE *fp);

#endif
