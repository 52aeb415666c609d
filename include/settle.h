/* settle.h — a nightly run with the ledger: payable = earned − paid, the difference explained.
 *
 * Before the period's engine run, settle_plan compares the year's recomputation (every line of the
 * plan year up to the day before the open period, one by one: payout_input.keep_lines) with what
 * the ledger says was paid for the same key (person, component, kind, deal, attainment period,
 * payout period it is about). Each key whose amounts differ becomes one line of the open period:
 *   - LINE_TRUEUP: the key's payout period is closed (or paid before): recomputed − paid, naming
 *     the deal or period, the amount paid and the amount now (an amount edited after payment, a
 *     late deal dated in a closed month, a tier or decelerator that changed);
 *   - LINE_UNCLOSED: no close paid it yet (an earlier period still open, or months before the
 *     ledger's first close without a baseline): the line itself;
 *   - LINE_LATE_CLAWBACK: a cancellation dated in an earlier payout period that no close posted.
 * A clawback is final once posted: it is never trued up. A cancelled deal whose lines were paid
 * gives back exactly what was paid for it (its deal and collection lines and every true-up about
 * them, from the ledger): the clawback fixes the engine applies to the cancellation's line.
 * Baseline periods are compared per person and payout period (the baseline payroll file has no
 * lines).
 *
 * Lines of payout periods that end after the open period begins are the engine's own (the
 * period's run) or not payable yet; lines before the plan year are never recomputed.
 *
 * settle_plan also gives each person their balances carried in (payout_input.balance_in and
 * draw_in, from their latest closed payroll row) and settle_record turns the run's rows and lines
 * into what the ledger stores for the run.
 *
 * Ownership: a struct settle owns its arrays and notes; settle_release frees them. The extras
 * point into the plans and the dataset, which must outlive the settle.
 */
#ifndef SAMETABLE_SETTLE_H
#define SAMETABLE_SETTLE_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "ledger.h"
#include "payout.h"
#include "period.h"
#include "plan.h"

struct settle {
    struct payout_extra *extras;
    size_t n_extras, cap_extras;
    struct payout_clawback_fix *fixes;
    size_t n_fixes, cap_fixes;
    int64_t *balance_in; /* per person id */
    int64_t *draw_in;    /* per person id: recoverable draw balance carried in */
    struct arena notes;
    /* What the run saw and did not pay, for the Adjustments sheet: an adjustment paid before
     * whose amount changed, a change in a closed period of an earlier plan year. */
    const char **notices;
    size_t n_notices, cap_notices;
};

/* Add a notice (copied). */
void settle_notice(struct settle *st, const char *text);

struct settle_input {
    const struct dataset *ds;
    const struct plan_set *plans;
    const struct payouts *ytd;      /* the plan year up to the period's end, keep_lines */
    const struct ledger_paid *paid; /* from the ledger */
    const struct period *period;    /* the open period (the run's) */
    const struct period *year;      /* the plan year holding it */
    int digits;                     /* the reporting currency's minor digits (notes) */
    /* The previous plan year recomputed (keep_lines), when the ledger closed periods in it: its
     * changes are listed (notices), not paid. NULL otherwise. */
    const struct payouts *prev;
    const struct period *prev_year;
};

/* Work out the ledger's lines and clawback fixes for the open period. Returns 0, or -1 on
 * arithmetic that does not fit (an error in d). */
int settle_plan(struct settle *st, const struct settle_input *in, struct diag *d);
void settle_release(struct settle *st);

/* Manual adjustments ([inputs] adjustments) as LINE_MANUAL lines of the period: without a ledger
 * (paid NULL) those whose period ends in the run's period; with it, every one whose period ends
 * on or before the run's period's end and whose id no close has paid (so one dated in a closed
 * period is posted in the open one, and each is paid once). A person without a plan cannot be
 * paid: an error (file:line). Returns 0 or -1. */
int settle_manual(struct settle *st, const struct dataset *ds, const struct plan_set *plans,
                  const struct ledger_paid *paid, const struct period *period, int digits,
                  struct diag *d);

/* The payout period a line of `plan` posted on `day` belongs to, as the run over `period` splits
 * it (the plan version in force on the period's last day). */
void settle_payout_period(const struct plan *plan, const struct period *period, int32_t day,
                          struct period *out);

/* What the ledger stores for the run: one ledger_line per payout line of the run's rows and one
 * ledger_row per row. Strings point into the dataset, the plans and *arena. */
struct settle_record {
    struct ledger_line *lines;
    size_t n_lines;
    struct ledger_row *rows;
    size_t n_rows;
    struct arena arena;
};
typedef void settle_calc_fn(void *ctx, const struct payout_line *l, char *buf, size_t size);
/* calc (may be NULL) writes a line's arithmetic as explain shows it; the ledger keeps it, and
 * history prints it. */
void settle_record_build(struct settle_record *rec, const struct payouts *pay,
                         const struct dataset *ds, const char *reporting_currency, int base_digits,
                         settle_calc_fn *calc, void *calc_ctx);
void settle_record_release(struct settle_record *rec);

#endif
