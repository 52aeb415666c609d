/* report_internal.h — pieces the workbook writers share (report.c, report_attr.c); not public. */
#ifndef SAMETABLE_REPORT_INTERNAL_H
#define SAMETABLE_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "intern.h"
#include "report.h"
#include "xlsxout.h"

#define TAB_SUMMARY    0x1F4E79u
#define TAB_DETAIL     0x2E75B6u
#define TAB_RUN        0x7F7F7Fu
#define TAB_EXCEPTIONS 0xC00000u

void report_label_value(struct xsheet *sh, uint32_t row, const char *label, const char *value);
void report_label_date(struct xsheet *sh, uint32_t row, const char *label, int32_t day);
/* A table's "Total" row at `row`: =SUBTOTAL(9, …) over the money column `col` from `first` to the
 * row above (so a filtered view sums what it shows), cached as `total`; 0.00 when empty. */
void report_total_row(struct xsheet *sh, uint32_t row, uint32_t first, uint16_t col,
                      int64_t total);
/* The Summary sheets' block of rejected input rows from `row` on: the count per file, and each
 * rejected deal row with its amount where it could be read. Returns the next free row. */
uint32_t report_rejects_block(const struct report_ctx *r, struct xsheet *sh, uint32_t row);
/* The ids of an interner ordered by their strings (bytewise); the caller frees the array. */
uint32_t *report_sorted_ids(const struct intern *in);
void report_run_sheet(const struct report_ctx *r, struct xbook *b);
void report_exceptions_sheet(const struct report_ctx *r, struct xbook *b, bool payouts);
void report_props(const struct report_ctx *r, struct xbook_props *p, const char *title,
                  const char *subject);
/* A workbook titled "<kind> <period>" with the run's document properties, or NULL (error in d). */
struct xbook *report_book(const struct report_ctx *r, const char *path, const char *kind,
                          const char *subject, struct diag *d);

/* A deal's amount as written in its file and that currency (DESIGN §7a FX: the original beside
 * the converted amount), in columns col and col + 1. */
void report_original_amount(struct xsheet *sh, uint32_t row, uint16_t col, const struct dataset *ds,
                            uint32_t deal);
/* People of the people file in file order (the caller frees the array). */
uint32_t *report_people_order(const struct dataset *ds, uint32_t *n_out);

/* Keys that let formulas match rows by number, never by input text (a team named "<100" or
 * "*" would be a criterion, not a value, inside SUMIFS): a person's number (1-based, people-file
 * order) and a payout column's number (components in plan order, then adjustments). */
struct pay_keys {
    uint32_t *person;     /* per person id, 0 if not in the people file */
    const char **columns; /* payout column names: component ids, then "Adjustments" */
    uint32_t n_columns;
};
uint32_t report_pay_column(const struct pay_keys *k, const struct payout_line *l);
/* The payout column number of a component id (NULL: Adjustments). */
uint32_t report_pay_column_of(const struct pay_keys *k, const char *component);

/* Where the Lines sheet put things, for formulas on other sheets. */
struct lines_layout {
    uint32_t first, last; /* rows of the first and last line (last < first: no lines) */
    uint16_t col_amount, col_person_key, col_column_key;
    uint16_t col_period_key; /* the line's payout period number (payouts.periods, 1-based) */
};
/* Lines on the Lines sheet: the first [output] lines_rows_max of the run's lines. */
size_t report_lines_shown(const struct report_ctx *r);
void report_lines_layout(const struct report_ctx *r, struct lines_layout *out);
void report_lines_sheet(const struct report_ctx *r, struct xbook *b, const struct pay_keys *k,
                        struct lines_layout *out);
/* The Plans sheet: every plan as configured, or only `only` (a sheet named "Plan"). */
void report_plans_sheet(const struct report_ctx *r, struct xbook *b, const struct plan *only);
/* A line's arithmetic as clauses a reader redoes by hand (report_calc.c has the grammar):
 * "7,500.00 × 6% + 12,500.00 × 8% → 1,450.00; capped at cap_deal 1,000.00 → 1,000.00".
 * `detail` (explain) adds the quota and the attainment. Returns the length written. */
size_t report_line_calc(const struct report_ctx *r, const struct payout_line *l, bool detail,
                        char *buf, size_t size);
/* report_line_calc without the detail: the Lines sheet's and the statements' text. */
void report_line_text(const struct report_ctx *r, const struct payout_line *l, char *buf,
                      size_t size);
/* Does the line measure attainment (a commission, override or bonus line with a quota or
 * goal)? SPIF, pool and adjustment lines do not. */
bool report_line_has_attainment(const struct payout_line *l);
/* A payout row paid in another currency: "Paid in EUR: 9,105.89 USD ÷ 1.083769 rate → 8,402.06
 * EUR for 2026-08; …" (its payable amount divided by the rate in force on its rate day) into
 * buf, returning 1; 0 (buf empty) when the person is paid in the reporting currency. */
int report_pay_fx_text(const struct report_ctx *r, const struct payout_row *pr, char *buf,
                       size_t size);
/* "-1,234.56": minor units with the currency's decimals and thousands separators. */
void report_money_text(char *buf, size_t size, int64_t minor, int digits);
/* report_ledger.c: the Adjustments sheet (with a ledger or manual adjustments); a person's
 * recover_share as an exact decimal (formulas print it with decimal_format); whether a line is one
 * the ledger made or fixed. */
void report_adjustments_sheet(const struct report_ctx *r, struct xbook *b);
struct decimal report_recover_share(const struct report_ctx *r, uint32_t person);
/* A fraction as an exact percentage: 0.5 → "50%", 0.125 → "12.5%", 1 → "100%". */
size_t report_percent_text(char *buf, size_t size, struct decimal fraction);
bool report_line_is_ledger(const struct payout_line *l);
/* A statement's rows under "Earned in <pp>" with the ledger (balance owed, recovered, payable,
 * carried out; paid in the year to date on the person's last payout period), in columns how
 * (text) and amt (amounts). Returns the next row. */
uint32_t report_statement_ledger_rows(const struct report_ctx *r, struct xsheet *sh, uint32_t row,
                                      const struct payout_row *pr, const char *pp, bool last,
                                      uint16_t how, uint16_t amt);
/* With the ledger, on a person's last payout period: paid in the year to date by the closed
 * periods, and with this payout (whose Payable is in row `payable`). Returns the next row. */
uint32_t report_statement_paid_rows(const struct report_ctx *r, struct xsheet *sh, uint32_t row,
                                    const struct payout_row *pr, uint32_t payable, uint16_t how,
                                    uint16_t amt);
/* Does a payroll row have a draw (a guarantee applying, or a draw balance in, out, paid,
 * recovered or forgiven)? Does any row of the run? */
bool report_row_has_draw(const struct payout_row *row);
bool report_any_draw(const struct payouts *p);
/* Why a payout row nets below 0.00: its negative lines and the rest ("clawback of deal D2
 * (-1,000.00) against 200.00 of other lines"), for the to-recover entries. */
void report_recover_cause(const struct report_ctx *r, const struct payout_row *row, char *buf,
                          size_t size);

/* A statement block inside the payouts workbook refers to its Lines and Components sheets: line
 * amounts are =Lines!<cell>, totals SUMIFS over the person's Components rows. */
struct stmt_refs {
    const struct lines_layout *ll;
    const struct pay_keys *k;
    uint32_t person_key;
    const char *comp_amount, *comp_person, *comp_pp, *comp_column; /* "Components!$L$6:$L$90" */
};
/* One person's statement block from `row` on (heading, components with quota, measure,
 * attainment, earned in the period and in the year to date, every line with deal, account name,
 * deal amount, rate, arithmetic and amount, earned and payable per payout period). With refs NULL
 * the block stands alone (a statement file). Returns the next free row. */
uint32_t report_statement_block(const struct report_ctx *r, struct xsheet *sh, uint32_t row,
                                uint32_t who, const struct stmt_refs *refs);

#endif
