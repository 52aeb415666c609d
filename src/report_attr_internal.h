/* report_attr_internal.h — what the attribution workbook's writers share (report_attr.c: Summary,
 * Channels, Campaigns; report_credits.c: Deal credits, Unattributed, Markov, credits CSV). */
#ifndef SAMETABLE_REPORT_ATTR_INTERNAL_H
#define SAMETABLE_REPORT_ATTR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "xlsxout.h"

/* The models shown side by side: rule-based first, then data-driven (dd[k] true). */
struct model_cols {
    int n;
    int m[MODEL_N + DD_N];
    bool dd[MODEL_N + DD_N];
};

/* The models computed, data-driven ones too when with_dd. */
void report_attr_models(const struct attribution *a, const struct dd_credit *ddc, bool with_dd,
                        struct model_cols *mc);
/* The name of model column k ("linear", "markov"). */
const char *report_attr_model_name(const struct model_cols *mc, int k);

/* A fixed column of a detail sheet: its header, width and whether it holds numbers; a money
 * column's header ends in the reporting currency, "Spend in period (USD)". */
struct col_def {
    const char *header;
    double width;
    bool number;
    bool money;
};

/* The headers of columns 0..n-1 on `row` (a money column's ends in " (USD)"), each with its
 * width and right-aligned over numbers. */
void report_col_headers(struct xsheet *sh, uint32_t row, const struct col_def *cols, uint16_t n,
                        const char *currency);

/* A note (XS_NOTE) in column A over as many rows as it needs, each at most about `width`
 * characters, so that one long line does not widen a printed page. Returns the row after it. */
uint32_t report_note_lines(struct xsheet *sh, uint32_t row, const char *text, size_t width);

#define UNATTRIBUTED_SHEET "Unattributed"
/* Unattributed: one row per deal closed-won in the period that no campaign touched in time. */
enum unattributed_col {
    UC_DEAL,
    UC_CLOSE,
    UC_LEAD,
    UC_OWNER_ID,
    UC_OWNER,
    UC_REASON,
    UC_AMOUNT,
    UC_ORIG,
    UC_N = UC_ORIG + 2
};

/* Deal credits: one row per deal × campaign, one cents column per model; at most `max` rows in
 * all, continued on further sheets of at most 1,048,575 rows. Returns the rows left out. */
size_t report_deal_credits_sheets(const struct report_ctx *r, struct xbook *b,
                                  const struct model_cols *mc, size_t max);
/* Unattributed: its total is in row 1 + a->n_unattributed, column UC_AMOUNT. */
void report_unattributed_sheet(const struct report_ctx *r, struct xbook *b);
void report_markov_sheet(const struct report_ctx *r, struct xbook *b);

#endif
