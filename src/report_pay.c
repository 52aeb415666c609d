/* report_pay.c — payouts-<period>.xlsx: Summary by team, Payouts per person and payout period,
 * Components, Lines, Plans, Statements per team, Exceptions, Run (DESIGN §6).
 *
 * Every total is a live formula with the tool's own value cached, matching rows by numbers (a
 * person's number, a payout period's number, a payout column's number, a team's number), never
 * by input text: Components ← Lines (one row per person × payout column × payout period, its
 * amount a SUMIFS over that row's lines); Payouts ← Components; Summary ← Payouts and
 * Components; Statements show lines from Lines and totals from Components. Nothing but the
 * Components amounts and the statements' lines refers to Lines, so a Lines sheet cut at a row
 * limit leaves every total standing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_internal.h"
#include "util.h"
#include "xlsxout.h"

/* Payout columns: every component id of every plan version, in order of first appearance. */
static void build_keys(const struct report_ctx *r, const uint32_t *order, uint32_t n,
                       struct pay_keys *k)
{
    k->person = xcalloc(r->ds->people.n ? r->ds->people.n : 1, sizeof *k->person);
    for (uint32_t i = 0; i < n; i++)
        k->person[order[i]] = i + 1;
    size_t cap = 0;
    k->columns = NULL;
    k->n_columns = 0;
    for (size_t i = 0; i < r->plans->n; i++) {
        const struct plan *pl = &r->plans->plans[i];
        for (size_t v = 0; v < pl->n_versions; v++)
            for (size_t c = 0; c < pl->versions[v].n_components; c++) {
                const char *id = pl->versions[v].components[c].id;
                bool seen = false;
                for (uint32_t j = 0; j < k->n_columns && !seen; j++)
                    seen = strcmp(k->columns[j], id) == 0;
                if (!seen)
                    VEC_PUSH(k->columns, k->n_columns, cap, id);
            }
    }
    const char *adj = "Adjustments";
    VEC_PUSH(k->columns, k->n_columns, cap, adj);
}

/* Does any version of the plan have a component with this id? */
static bool plan_has(const struct plan *pl, const char *id)
{
    for (size_t v = 0; pl && v < pl->n_versions; v++)
        if (plan_component(&pl->versions[v], id))
            return true;
    return false;
}

static const struct plan *plan_of(const struct report_ctx *r, uint32_t who)
{
    const char *id = r->ds->people.plan[who];
    return id ? plan_find(r->plans, id) : NULL;
}

/* The A1 name of a cell into a (16 bytes); returns how many of its characters are letters. */
static size_t cell_letters(char *a, uint32_t row, uint16_t col)
{
    xs_cell(a, row, col);
    size_t L = 0;
    while (a[L] && (a[L] < '0' || a[L] > '9'))
        L++;
    return L;
}

/* "Sheet!$F$5:$F$30": one column of rows r1..r2, absolute. */
static char *col_range(char *buf, size_t n, const char *sheet, uint32_t r1, uint32_t r2,
                       uint16_t col)
{
    char a[16];
    size_t L = cell_letters(a, r1, col);
    snprintf(buf, n, "%s!$%.*s$%u:$%.*s$%u", sheet, (int)L, a, r1 + 1, (int)L, a, r2 + 1);
    return buf;
}

/* "$F5" (absolute column) or "F$4" (absolute row). */
static char *abs_col(char *buf, uint32_t row, uint16_t col)
{
    char a[16];
    size_t L = cell_letters(a, row, col);
    snprintf(buf, 20, "$%.*s%s", (int)L, a, a + L);
    return buf;
}

static char *abs_row(char *buf, uint32_t row, uint16_t col)
{
    char a[16];
    size_t L = cell_letters(a, row, col);
    snprintf(buf, 20, "%.*s$%s", (int)L, a, a + L);
    return buf;
}

static double rat_major(struct rat v, int digits)
{
    return rat_to_double(v) * xs_major(1, digits);
}

void report_recover_cause(const struct report_ctx *r, const struct payout_row *row, char *buf,
                          size_t size)
{
    const struct payouts *p = r->p;
    int digits = r->s->currency_digits;
    size_t o = 0;
    int64_t rest = 0;
    buf[0] = 0;
    if (r->paid && row->balance_in) {
        char a[48], b[48];
        report_money_text(a, sizeof a, row->balance_in, digits);
        report_money_text(b, sizeof b, row->recovered, digits);
        o += (size_t)snprintf(buf, size, "%s owed from closed periods, %s recovered by this payout",
                              a, b);
        if (!row->to_recover)
            return;
        o += (size_t)snprintf(buf + o, size - o, "; this payout period nets below 0.00: ");
    }
    size_t start = o;
    for (size_t i = row->line0; i < row->line0 + row->n_lines && o < size; i++) {
        const struct payout_line *l = &p->lines[p->line_index[i]];
        if (l->amount >= 0) {
            rest += l->amount;
            continue;
        }
        char a[48];
        report_money_text(a, sizeof a, l->amount, digits);
        const char *deal =
            l->deal == ID_NONE ? "" : intern_str(&r->ds->deal_ids, r->ds->deals.id[l->deal]);
        if (l->kind == LINE_CLAWBACK)
            o += (size_t)snprintf(buf + o, size - o, "%sclawback of deal %s (%s)",
                                  o > start ? "; " : "", deal, a);
        else if (l->deal != ID_NONE)
            o += (size_t)snprintf(buf + o, size - o, "%s%s line on deal %s (%s)",
                                  o > start ? "; " : "", l->component ? l->component->id : "", deal,
                                  a);
        else
            o += (size_t)snprintf(buf + o, size - o, "%s%s %s (%s)", o > start ? "; " : "",
                                  l->component ? l->component->id : "", line_kind_name(l->kind), a);
    }
    if (o < size) {
        char a[48];
        report_money_text(a, sizeof a, rest, digits);
        snprintf(buf + o, size - o, " against %s of other lines", a);
    }
}

/* ---- Components: one row per person × payout column × payout period ----------------------- */

struct comp_row {
    uint32_t row;                   /* into payouts.rows */
    uint32_t column;                /* payout column number (1-based) */
    const struct payout_measure *m; /* its measure, or NULL */
    int64_t amount;
    uint32_t n_lines;
};

enum {
    CC_PERSON,
    CC_NAME,
    CC_PERIOD,
    CC_COMPONENT,
    CC_TYPE,
    CC_MEASURE_NAME,
    CC_ATTAIN_PERIOD,
    CC_MEASURE,
    CC_GOAL,
    CC_ATTAIN,
    CC_LINES,
    CC_AMOUNT,
    CC_PKEY,
    CC_PPKEY,
    CC_CKEY,
    CC_N
};

#define COMP_HEADER_ROW 3

/* The rows of the Components sheet, in Payouts order; *first_of (per payouts row) is the index
 * of the row's first Components row. */
static struct comp_row *comp_rows(const struct report_ctx *r, const struct pay_keys *k,
                                  size_t *n_out, size_t *first_of)
{
    const struct payouts *p = r->p;
    struct comp_row *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < p->n_rows; i++) {
        const struct payout_row *row = &p->rows[i];
        const struct plan *pl = plan_of(r, row->person);
        first_of[i] = n;
        size_t start = n;
        for (uint32_t j = 0; j + 1 < k->n_columns; j++) {
            if (!plan_has(pl, k->columns[j]))
                continue;
            struct comp_row c = {(uint32_t)i, j + 1, NULL, 0, 0};
            for (size_t m = row->measure0; m < row->measure0 + row->n_measures; m++)
                if (strcmp(p->measures[m].component->id, k->columns[j]) == 0)
                    c.m = &p->measures[m];
            VEC_PUSH(v, n, cap, c);
        }
        for (size_t li = row->line0; li < row->line0 + row->n_lines; li++) {
            const struct payout_line *l = &p->lines[p->line_index[li]];
            uint32_t col = report_pay_column(k, l);
            size_t at = start;
            while (at < n && v[at].column != col)
                at++;
            if (at == n) /* adjustments: a row only where there are some */
                VEC_PUSH(v, n, cap, ((struct comp_row){(uint32_t)i, col, NULL, 0, 0}));
            v[at].amount += l->amount;
            v[at].n_lines++;
        }
    }
    *n_out = n;
    return v;
}

static void components_sheet(const struct report_ctx *r, struct xbook *b, const struct pay_keys *k,
                             const struct comp_row *cr, size_t n, const struct lines_layout *ll)
{
    const struct dataset *ds = r->ds;
    const struct payouts *p = r->p;
    int digits = r->s->currency_digits;
    const char *cur = r->s->currency;
    struct xsheet *sh = xbook_add_sheet(b, "Components");
    xs_tab_color(sh, TAB_DETAIL);
    char title[64];
    snprintf(title, sizeof title, "Payout by component %s", r->period->name);
    xs_text(sh, 0, 0, title, XS_TITLE);
    /* With every line on the Lines sheet each amount is a SUMIFS over it; with the sheet cut
     * at [output] lines_rows_max a SUMIFS would miss lines, so the amounts are the sums of every
     * line as computed (lines-<period>.csv has each of them). */
    bool complete = report_lines_shown(r) == p->n_lines;
    char note[512];
    if (complete)
        snprintf(note, sizeof note, "%s",
                 "One row per person, payout column and payout period. Amount = SUMIFS over the "
                 "Lines sheet by Person #, Payout period # and Column #; Payouts and Summary add "
                 "up these rows.");
    else
        snprintf(note, sizeof note,
                 "One row per person, payout column and payout period. Amount: the sum of its "
                 "lines, all in lines-%s.csv.",
                 r->period->name);
    xs_text(sh, 1, 0, note, XS_NOTE);
    xs_text(sh, 2, 0,
            "Measure to date: what the component credits in its attainment period through the "
            "payout period's last day; Attainment = measure ÷ quota or goal.",
            XS_NOTE);
    const uint32_t header = COMP_HEADER_ROW, first = header + 1;
    const char *hdr[CC_N] = {"Person ID",
                             "Name",
                             "Payout period",
                             "Component",
                             "Type",
                             "Measure",
                             "Attainment period",
                             NULL,
                             NULL,
                             "Attainment (%)",
                             "Lines (count)",
                             NULL,
                             "Person #",
                             "Payout period #",
                             "Column #"};
    char hm[64], hg[64], ha[64];
    bool won = false;
    for (size_t m = 0; m < p->n_measures; m++)
        won |= p->measures[m].component->measure == MEASURE_WON_DEALS;
    snprintf(hm, sizeof hm,
             won ? "Measure to date (%s; deals for won_deals)" : "Measure to date (%s)", cur);
    snprintf(hg, sizeof hg, "Quota or goal (%s)", cur);
    snprintf(ha, sizeof ha, "Amount (%s)", cur);
    hdr[CC_MEASURE] = hm;
    hdr[CC_GOAL] = hg;
    hdr[CC_AMOUNT] = ha;
    for (uint16_t c = 0; c < CC_N; c++)
        xs_text(sh, header, c, hdr[c], c >= CC_MEASURE ? XS_HEADER_NUM : XS_HEADER);
    xs_row_height(sh, header, 45);
    char f[512], ra[96], rp[96], rpp[96], rc[96], c1[20], c2[20], c3[20];
    bool any_lines = complete && ll->last >= ll->first;
    col_range(ra, sizeof ra, "Lines", ll->first, ll->last, ll->col_amount);
    col_range(rp, sizeof rp, "Lines", ll->first, ll->last, ll->col_person_key);
    col_range(rpp, sizeof rpp, "Lines", ll->first, ll->last, ll->col_period_key);
    col_range(rc, sizeof rc, "Lines", ll->first, ll->last, ll->col_column_key);
    /* before the rows (row order): the header and one row per person, period and column */
    xs_autofilter(sh, header, 0, n ? first + (uint32_t)n - 1 : header, CC_CKEY);
    for (size_t i = 0; i < n; i++) {
        uint32_t rr = first + (uint32_t)i;
        const struct payout_row *row = &p->rows[cr[i].row];
        uint32_t who = row->person;
        bool adj = cr[i].column == k->n_columns;
        xs_text(sh, rr, CC_PERSON, intern_str(&ds->people_ids, who), XS_PLAIN);
        xs_text(sh, rr, CC_NAME, ds->people.name[who], XS_PLAIN);
        xs_text(sh, rr, CC_PERIOD, p->periods[row->pp - 1].name, XS_PLAIN);
        xs_text(sh, rr, CC_COMPONENT, k->columns[cr[i].column - 1], XS_PLAIN);
        const struct plan *pl = plan_of(r, who);
        const struct component *comp = NULL;
        for (size_t v = 0; pl && !adj && v < pl->n_versions && !comp; v++)
            comp = plan_component(&pl->versions[v], k->columns[cr[i].column - 1]);
        xs_text(sh, rr, CC_TYPE,
                adj    ? "clawbacks, carried excess, payee caps"
                : comp ? component_type_name(comp->type)
                       : "",
                XS_PLAIN);
        const struct payout_measure *m = cr[i].m;
        if (m) {
            bool deals = m->component->measure == MEASURE_WON_DEALS;
            xs_text(sh, rr, CC_MEASURE_NAME, measure_name(m->component->measure), XS_PLAIN);
            xs_text(sh, rr, CC_ATTAIN_PERIOD, m->attain.name, XS_PLAIN);
            if (deals)
                xs_int(sh, rr, CC_MEASURE, m->measure, XS_INT);
            else
                xs_money(sh, rr, CC_MEASURE, m->measure, XS_MONEY);
            if (!rat_is_zero(m->quota)) {
                double g = deals ? rat_to_double(m->quota) : rat_major(m->quota, digits);
                xs_number(sh, rr, CC_GOAL, g, deals ? XS_DEALS : XS_MONEY);
                snprintf(f, sizeof f, "=IF(%s=0,0,%s/%s)", xs_cell(c1, rr, CC_GOAL),
                         xs_cell(c2, rr, CC_MEASURE), c1);
                xs_formula(sh, rr, CC_ATTAIN, f, rat_to_double(m->attainment), XS_PCT);
            }
        }
        xs_int(sh, rr, CC_LINES, cr[i].n_lines, XS_INT);
        if (any_lines) {
            snprintf(f, sizeof f, "=SUMIFS(%s,%s,%s,%s,%s,%s,%s)", ra, rp, xs_cell(c1, rr, CC_PKEY),
                     rpp, xs_cell(c2, rr, CC_PPKEY), rc, xs_cell(c3, rr, CC_CKEY));
            xs_formula_money(sh, rr, CC_AMOUNT, f, cr[i].amount, XS_MONEY);
        } else {
            xs_money(sh, rr, CC_AMOUNT, cr[i].amount, XS_MONEY);
        }
        xs_int(sh, rr, CC_PKEY, k->person[who], XS_INT);
        xs_int(sh, rr, CC_PPKEY, row->pp, XS_INT);
        xs_int(sh, rr, CC_CKEY, cr[i].column, XS_INT);
    }
    uint32_t total = first + (uint32_t)n;
    report_total_row(sh, total, first, CC_AMOUNT, p->total);
    xs_col_width(sh, CC_PERSON, CC_NAME, 18);
    xs_col_width(sh, CC_PERIOD, CC_ATTAIN_PERIOD, 14);
    xs_col_width(sh, CC_TYPE, CC_TYPE, 22);
    xs_col_width(sh, CC_MEASURE, CC_AMOUNT, 15);
    xs_col_width(sh, CC_PKEY, CC_CKEY, 9);
    xs_freeze(sh, first, 2);
    xs_print_wide(sh, CC_PERSON, CC_NAME);
}

/* ---- Payouts: one row per person × payout period ------------------------------------------ */

enum {
    PC_PERSON,
    PC_NAME,
    PC_TEAM,
    PC_ROLE,
    PC_PLAN,
    PC_PERIOD,
    PC_DEALS,
    PC_REVENUE,
    PC_QUOTA,
    PC_TARGET,
    PC_ATTAIN0 /* one per measured component, then one per payout column, then the rest */
};

struct payouts_layout {
    uint32_t first, last; /* data rows (last < first: none) */
    uint16_t col_revenue, col_quota, col_target, col_earned, col_recover, col_payable,
        col_headcount, col_team_key;
};

/* Payout columns whose component is measured against a quota or goal somewhere in the run. */
static uint32_t measured_columns(const struct report_ctx *r, const struct pay_keys *k,
                                 uint32_t *out)
{
    uint32_t n = 0;
    for (uint32_t j = 0; j + 1 < k->n_columns; j++) {
        bool any = false;
        for (size_t m = 0; m < r->p->n_measures && !any; m++)
            any = !rat_is_zero(r->p->measures[m].quota) &&
                  strcmp(r->p->measures[m].component->id, k->columns[j]) == 0;
        if (any)
            out[n++] = j;
    }
    return n;
}

/* What a row leaves owed: without the ledger its shortfall (To recover); with it the balance
 * carried out (the Payouts sheet's column at col_recover holds one or the other). */
static int64_t row_owed(const struct report_ctx *r, const struct payout_row *pr)
{
    return r->paid ? pr->balance_out : pr->to_recover;
}

static void payouts_sheet(const struct report_ctx *r, struct xbook *b, const struct pay_keys *k,
                          const uint32_t *team_key, const struct comp_row *cr, size_t n_cr,
                          const size_t *comp_first, struct payouts_layout *out)
{
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    const struct payouts *p = r->p;
    const char *cur = r->s->currency;
    int digits = r->s->currency_digits;
    struct xsheet *sh = xbook_add_sheet(b, "Payouts");
    xs_tab_color(sh, TAB_DETAIL);
    char title[64];
    snprintf(title, sizeof title, "Payouts by person %s", r->period->name);
    xs_text(sh, 0, 0, title, XS_TITLE);
    char intro[1024];
    put_text(intro, sizeof intro, "%s%s",
             r->paid
                 ? "One row per person and payout period: the payroll CSV's rows, in its "
                   "order. Each payout column sums the person's rows on the Components sheet (the "
                   "ledger's "
                   "adjustments are in the Adjustments column); Earned is their sum; "
                   "Recovered takes a balance owed from closed periods back; Payable = Earned "
                   "− Recovered, never below 0.00 (the rest is carried out as owed)."
                 : "One row per person and payout period: the payroll CSV's rows, in its "
                   "order. Each payout column sums the person's rows on the Components sheet; "
                   "Earned is their sum; Payable = Earned, never below 0.00 (the rest is To "
                   "recover).",
             report_any_draw(p)
                 ? " Draws: Draw paid tops the payout up to the guaranteed draw; Draw recovered "
                   "takes a recoverable draw back from a payout above it (the plan's "
                   "draw_recovery_share, up to draw_recovery_cap and the balance); Payable adds "
                   "the one and takes the other."
                 : "");
    xs_text(sh, 1, 0, intro, XS_NOTE);
    xs_text(sh, 2, 0,
            "Quota and target incentive for the payout period = stated × payout period ÷ quota "
            "period × active days ÷ days; the quota only for people paid on their own revenue "
            "against it. Attainment: each measured component's, from Components.",
            XS_NOTE);
    uint32_t *measured = xcalloc(k->n_columns, sizeof *measured);
    uint32_t n_meas = measured_columns(r, k, measured);
    const uint32_t keyrow = 3, header = 4, first = header + 1;
    /* With the ledger: the balance owed carried in and what this payout recovers of it sit
     * between Earned and the balance carried out (To recover). */
    const bool ledger = r->paid != NULL;
    /* With a draw anywhere in the run: what it paid, what it recovered and the draw balance
     * carried out sit before Payable, whose formula adds the first and takes the second. */
    const bool draws = report_any_draw(p);
    const uint16_t c_cols = (uint16_t)(PC_ATTAIN0 + n_meas),
                   c_earned = (uint16_t)(c_cols + k->n_columns),
                   c_bal_in = ledger ? c_earned + 1 : 0, c_recovered = ledger ? c_earned + 2 : 0,
                   c_recover = (uint16_t)(c_earned + 1 + (ledger ? 2 : 0)),
                   c_draw_paid = draws ? (uint16_t)(c_recover + 1) : 0,
                   c_draw_rec = draws ? (uint16_t)(c_recover + 2) : 0,
                   c_draw_out = draws ? (uint16_t)(c_recover + 3) : 0,
                   c_payable = (uint16_t)(c_recover + 1 + (draws ? 3 : 0));
    uint16_t c = (uint16_t)(c_payable + 1);
    const uint16_t c_cur = p->any_foreign_payee ? c : 0,
                   c_pay = p->any_foreign_payee ? (uint16_t)(c + 1) : 0,
                   c_fxday = p->any_foreign_payee ? (uint16_t)(c + 2) : 0;
    if (p->any_foreign_payee)
        c = (uint16_t)(c + 3);
    const uint16_t c_head = c, c_pkey = c + 1, c_ppkey = c + 2, c_tkey = c + 3;

    char h[128];
    /* Rows top to bottom (xs_in_row_order): the column numbers above the header first. */
    xs_text(sh, keyrow, (uint16_t)(c_cols - 1), "Column # →", XS_NOTE);
    for (uint32_t j = 0; j < k->n_columns; j++)
        xs_int(sh, keyrow, (uint16_t)(c_cols + j), j + 1, XS_INT);
    static const char *const fixed[PC_QUOTA] = {
        "Person ID", "Name", "Team", "Role", "Plan", "Payout period", "Deals closed (count)"};
    for (uint16_t i = 0; i < PC_REVENUE; i++)
        xs_text(sh, header, i, fixed[i], i >= PC_DEALS ? XS_HEADER_NUM : XS_HEADER);
    snprintf(h, sizeof h, "Own revenue (%s)", cur);
    xs_text(sh, header, PC_REVENUE, h, XS_HEADER_NUM);
    snprintf(h, sizeof h, "Own-revenue quota for the payout period (%s)", cur);
    xs_text(sh, header, PC_QUOTA, h, XS_HEADER_NUM);
    snprintf(h, sizeof h, "Target incentive for the payout period (%s)", cur);
    xs_text(sh, header, PC_TARGET, h, XS_HEADER_NUM);
    for (uint32_t i = 0; i < n_meas; i++) {
        snprintf(h, sizeof h, "%s attainment (%%)", k->columns[measured[i]]);
        xs_text(sh, header, (uint16_t)(PC_ATTAIN0 + i), h, XS_HEADER_NUM);
    }
    for (uint32_t j = 0; j < k->n_columns; j++) {
        snprintf(h, sizeof h, "%s (%s)", k->columns[j], cur);
        xs_text(sh, header, (uint16_t)(c_cols + j), h, XS_HEADER_NUM);
    }
    snprintf(h, sizeof h, "Earned (%s)", cur);
    xs_text(sh, header, c_earned, h, XS_HEADER_NUM);
    if (ledger) {
        snprintf(h, sizeof h, "Balance owed, carried in (%s)", cur);
        xs_text(sh, header, c_bal_in, h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "Recovered from this payout (%s)", cur);
        xs_text(sh, header, c_recovered, h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "Balance owed, carried out (%s)", cur);
    } else {
        snprintf(h, sizeof h, "To recover (%s)", cur);
    }
    xs_text(sh, header, c_recover, h, XS_HEADER_NUM);
    if (draws) {
        snprintf(h, sizeof h, "Draw paid (%s)", cur);
        xs_text(sh, header, c_draw_paid, h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "Draw recovered (%s)", cur);
        xs_text(sh, header, c_draw_rec, h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "Draw balance carried out (%s)", cur);
        xs_text(sh, header, c_draw_out, h, XS_HEADER_NUM);
    }
    snprintf(h, sizeof h, "Payable (%s)", cur);
    xs_text(sh, header, c_payable, h, XS_HEADER_NUM);
    if (p->any_foreign_payee) {
        xs_text(sh, header, c_cur, "Paid in (currency)", XS_HEADER);
        xs_text(sh, header, c_pay, "Payable in the payee's currency", XS_HEADER_NUM);
        xs_text(sh, header, c_fxday, "FX rate of (date)", XS_HEADER_NUM);
    }
    xs_text(sh, header, c_head, "Headcount (1 per person)", XS_HEADER_NUM);
    xs_text(sh, header, c_pkey, "Person #", XS_HEADER_NUM);
    xs_text(sh, header, c_ppkey, "Payout period #", XS_HEADER_NUM);
    xs_text(sh, header, c_tkey, "Team #", XS_HEADER_NUM);
    xs_row_height(sh, header, 60);

    char f[512], ra[96], rp[96], rpp[96], rc[96], c1[20], c2[20], c3[20];
    uint32_t cf = COMP_HEADER_ROW + 1, cl = COMP_HEADER_ROW + (uint32_t)n_cr;
    col_range(ra, sizeof ra, "Components", cf, cl, CC_AMOUNT);
    col_range(rp, sizeof rp, "Components", cf, cl, CC_PKEY);
    col_range(rpp, sizeof rpp, "Components", cf, cl, CC_PPKEY);
    col_range(rc, sizeof rc, "Components", cf, cl, CC_CKEY);
    /* before the rows (row order): the header and one row per person and payout period */
    xs_autofilter(sh, header, 0, p->n_rows ? first + (uint32_t)p->n_rows - 1 : header, c_tkey);
    int64_t *cell = xcalloc(k->n_columns, sizeof *cell);
    for (size_t i = 0; i < p->n_rows; i++) {
        const struct payout_row *row = &p->rows[i];
        uint32_t id = row->person, rr = first + (uint32_t)i;
        xs_text(sh, rr, PC_PERSON, intern_str(&ds->people_ids, id), XS_PLAIN);
        xs_text(sh, rr, PC_NAME, pt->name[id], XS_PLAIN);
        xs_text(sh, rr, PC_TEAM,
                pt->team[id] == ID_NONE ? "" : intern_str(&ds->teams, pt->team[id]), XS_PLAIN);
        xs_text(sh, rr, PC_ROLE, pt->role[id], XS_PLAIN);
        const struct plan *pl = plan_of(r, id);
        const struct period *P = &p->periods[row->pp - 1];
        xs_text(sh, rr, PC_PLAN, pl ? plan_version_on(pl, P->last_day)->name : "", XS_PLAIN);
        xs_text(sh, rr, PC_PERIOD, P->name, XS_PLAIN);
        xs_int(sh, rr, PC_DEALS, row->deals, XS_INT);
        xs_money(sh, rr, PC_REVENUE, row->revenue, XS_MONEY);
        if (!rat_is_zero(row->quota))
            xs_number(sh, rr, PC_QUOTA, rat_major(row->quota, digits), XS_MONEY);
        if (!rat_is_zero(row->target))
            xs_number(sh, rr, PC_TARGET, rat_major(row->target, digits), XS_MONEY);
        /* attainment of each measured component: the Components row's own cell */
        size_t c0 = comp_first[i], c9 = i + 1 < p->n_rows ? comp_first[i + 1] : n_cr;
        for (uint32_t a = 0; a < n_meas; a++)
            for (size_t x = c0; x < c9; x++)
                if (cr[x].column == measured[a] + 1 && cr[x].m && !rat_is_zero(cr[x].m->quota)) {
                    snprintf(f, sizeof f, "=Components!%s",
                             xs_cell(c1, COMP_HEADER_ROW + 1 + (uint32_t)x, CC_ATTAIN));
                    xs_formula(sh, rr, (uint16_t)(PC_ATTAIN0 + a), f,
                               rat_to_double(cr[x].m->attainment), XS_PCT);
                }
        memset(cell, 0, k->n_columns * sizeof *cell);
        for (size_t x = c0; x < c9; x++)
            cell[cr[x].column - 1] += cr[x].amount;
        for (uint32_t j = 0; j < k->n_columns; j++) {
            uint16_t col = (uint16_t)(c_cols + j);
            if (n_cr) {
                snprintf(f, sizeof f, "=SUMIFS(%s,%s,%s,%s,%s,%s,%s)", ra, rp,
                         abs_col(c1, rr, c_pkey), rpp, abs_col(c2, rr, c_ppkey), rc,
                         abs_row(c3, keyrow, col));
                xs_formula_money(sh, rr, col, f, cell[j], XS_MONEY);
            } else {
                xs_money(sh, rr, col, cell[j], XS_MONEY);
            }
        }
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, rr, c_cols),
                 xs_cell(c2, rr, (uint16_t)(c_earned - 1)));
        xs_formula_money(sh, rr, c_earned, f, row->earned, XS_MONEY);
        if (ledger) {
            xs_money(sh, rr, c_bal_in, row->balance_in, XS_MONEY);
            char share[48];
            decimal_format(share, sizeof share, report_recover_share(r, row->person));
            snprintf(f, sizeof f, "=MIN(%s,ROUND(MAX(0,%s)*%s,%d))", xs_cell(c1, rr, c_bal_in),
                     xs_cell(c2, rr, c_earned), share, digits);
            xs_formula_money(sh, rr, c_recovered, f, row->recovered, XS_MONEY);
            char fg[48];
            money_format(fg, sizeof fg, row->forgiven, digits);
            if (row->forgiven)
                snprintf(f, sizeof f, "=%s-%s+MAX(0,-%s)-%s", xs_cell(c1, rr, c_bal_in),
                         xs_cell(c2, rr, c_recovered), xs_cell(c3, rr, c_earned), fg);
            else
                snprintf(f, sizeof f, "=%s-%s+MAX(0,-%s)", xs_cell(c1, rr, c_bal_in),
                         xs_cell(c2, rr, c_recovered), xs_cell(c3, rr, c_earned));
            xs_formula_money(sh, rr, c_recover, f, row->balance_out, XS_MONEY);
            snprintf(f, sizeof f, "=MAX(0,%s-%s)", xs_cell(c1, rr, c_earned),
                     xs_cell(c2, rr, c_recovered));
        } else {
            snprintf(f, sizeof f, "=MAX(0,-%s)", xs_cell(c1, rr, c_earned));
            xs_formula_money(sh, rr, c_recover, f, row->to_recover, XS_MONEY);
            snprintf(f, sizeof f, "=MAX(0,%s)", xs_cell(c1, rr, c_earned));
        }
        if (draws) {
            xs_money(sh, rr, c_draw_paid, row->draw_paid, XS_MONEY);
            xs_money(sh, rr, c_draw_rec, row->draw_recovered, XS_MONEY);
            xs_money(sh, rr, c_draw_out, row->draw_out, XS_MONEY);
            /* the payout before the draw, plus what the draw paid, less what it recovered */
            char g[600];
            put_text(g, sizeof g, "=ROUND(%s+%s-%s,%d)", f + 1, xs_cell(c1, rr, c_draw_paid),
                     xs_cell(c2, rr, c_draw_rec), digits);
            put_text(f, sizeof f, "%s", g);
        }
        xs_formula_money(sh, rr, c_payable, f, row->payable, XS_MONEY);
        if (p->any_foreign_payee) {
            const char *pc = pt->currency[id].code[0] ? pt->currency[id].code : cur;
            xs_text(sh, rr, c_cur, pc, XS_PLAIN);
            xs_number(sh, rr, c_pay, xs_major(row->pay, money_minor_digits(pc)), XS_DEALS);
            if (row->rate_day != DAY_NONE)
                xs_date(sh, rr, c_fxday, row->rate_day, XS_DATE);
        }
        xs_int(sh, rr, c_head, p->person_row0[id] == i ? 1 : 0, XS_INT);
        xs_int(sh, rr, c_pkey, k->person[id], XS_INT);
        xs_int(sh, rr, c_ppkey, row->pp, XS_INT);
        if (pt->team[id] != ID_NONE)
            xs_int(sh, rr, c_tkey, team_key[pt->team[id]], XS_INT);
    }
    free(cell);
    uint32_t total_row = first + (uint32_t)p->n_rows;
    xs_text(sh, total_row, 0, "Total", XS_BOLD);
    for (uint16_t col = PC_DEALS; col <= c_head; col++) {
        bool money = col == PC_REVENUE || col == PC_QUOTA || col == PC_TARGET ||
                     (col >= c_cols && col <= c_payable);
        if (!money && col != PC_DEALS && col != c_head)
            continue;
        double v = 0;
        for (size_t i = 0; i < p->n_rows; i++) {
            const struct payout_row *row = &p->rows[i];
            v += col == PC_DEALS     ? row->deals
                 : col == PC_REVENUE ? xs_major(row->revenue, digits)
                 : col == PC_QUOTA   ? rat_major(row->quota, digits)
                 : col == PC_TARGET  ? rat_major(row->target, digits)
                 : col == c_earned   ? xs_major(row->earned, digits)
                 : col == c_recover  ? xs_major(ledger ? row->balance_out : row->to_recover, digits)
                 : ledger && col == c_bal_in    ? xs_major(row->balance_in, digits)
                 : ledger && col == c_recovered ? xs_major(row->recovered, digits)
                 : draws && col == c_draw_paid  ? xs_major(row->draw_paid, digits)
                 : draws && col == c_draw_rec   ? xs_major(row->draw_recovered, digits)
                 : draws && col == c_draw_out   ? xs_major(row->draw_out, digits)
                 : col == c_payable             ? xs_major(row->payable, digits)
                 : col == c_head                ? (p->person_row0[row->person] == i ? 1 : 0)
                                                : 0;
        }
        if (col >= c_cols && col < c_earned) {
            int64_t m = 0;
            for (size_t x = 0; x < n_cr; x++)
                if (cr[x].column == (uint32_t)(col - c_cols) + 1)
                    m += cr[x].amount;
            v = xs_major(m, digits);
        }
        enum xstyle st = money ? XS_MONEY_TOTAL : XS_INT_TOTAL;
        if (p->n_rows) {
            snprintf(f, sizeof f, "=SUBTOTAL(9,%s:%s)", xs_cell(c1, first, col),
                     xs_cell(c2, total_row - 1, col));
            xs_formula(sh, total_row, col, f, v, st);
        } else {
            xs_number(sh, total_row, col, 0, st);
        }
    }
    free(measured);
    xs_col_width(sh, PC_PERSON, PC_PERSON, 18);
    xs_col_width(sh, PC_NAME, PC_NAME, 22);
    xs_col_width(sh, PC_TEAM, PC_PLAN, 20);
    xs_col_width(sh, PC_PERIOD, PC_DEALS, 10);
    xs_col_width(sh, PC_REVENUE, c_payable, 15);
    if (p->any_foreign_payee)
        xs_col_width(sh, c_cur, c_fxday, 13);
    xs_col_width(sh, c_head, c_tkey, 10);
    xs_freeze(sh, first, 2);
    xs_print_wide(sh, PC_PERSON, PC_NAME);
    out->first = first;
    out->last = first + (uint32_t)p->n_rows - 1;
    out->col_revenue = PC_REVENUE;
    out->col_quota = PC_QUOTA;
    out->col_target = PC_TARGET;
    out->col_earned = c_earned;
    out->col_recover = c_recover;
    out->col_payable = c_payable;
    out->col_headcount = c_head;
    out->col_team_key = c_tkey;
}

/* ---- Summary ------------------------------------------------------------------------------ */

static void summary_sheet(const struct report_ctx *r, struct xsheet *sh, const uint32_t *teams,
                          uint32_t n_teams, const uint32_t *team_key,
                          const struct payouts_layout *pl, size_t n_cr)
{
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    const struct payouts *p = r->p;
    const char *cur = r->s->currency;
    int digits = r->s->currency_digits;
    xs_tab_color(sh, TAB_SUMMARY);
    xs_hide_gridlines(sh);
    xs_col_width(sh, 0, 0, 30);
    xs_col_width(sh, 1, 9, 16);
    uint32_t row = 0;
    char title[64], buf[1024], h[128];
    snprintf(title, sizeof title, "Payouts %s", r->period->name);
    xs_text(sh, row++, 0, title, XS_TITLE);
    xs_text(sh, row++, 0,
            "What each team earned and what payroll pays for the period. Each payout line is "
            "rounded half away from zero to the cent;",
            XS_NOTE);
    if (report_lines_shown(r) == p->n_lines)
        snprintf(buf, sizeof buf, "%s",
                 "every total is a sum of rounded lines (Lines → Components → Payouts → here).");
    else
        snprintf(buf, sizeof buf,
                 "every total is a sum of rounded lines (lines-%s.csv → Components → Payouts → "
                 "here).",
                 r->period->name);
    xs_text(sh, row++, 0, buf, XS_NOTE);
    row++;
    report_label_value(sh, row++, "Period", r->period->name);
    report_label_date(sh, row++, "As of", r->as_of_day);
    report_label_value(sh, row++, "Currency", cur);
    /* The payout periods this run pays: a rerun over a longer period must not read as new pay. */
    size_t o = 0;
    buf[0] = 0;
    for (uint32_t i = 0; i < p->n_periods && o < sizeof buf; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ", " : "", p->periods[i].name);
    report_label_value(sh, row++, "Payout periods", p->n_periods ? buf : "(none)");
    /* People on a plan paying over a longer period than this run, not at its end: not in it. */
    uint32_t later = 0;
    for (uint32_t i = 0; i < pt->n; i++) {
        const struct plan *plan = pt->name[i] ? plan_of(r, i) : NULL;
        later += plan && !p->person_nrows[i] &&
                 plan_version_on(plan, r->period->last_day)->payout_period > r->period->kind;
    }
    if (later) {
        snprintf(buf, sizeof buf,
                 "%u %s on plans paid per quarter or year: paid by the run whose period ends "
                 "their payout period, not by this one.",
                 later, later == 1 ? "person is" : "people are");
        xs_text(sh, row++, 0, buf, XS_NOTE);
    }
    if (p->n_periods > 1) {
        o = (size_t)snprintf(buf, sizeof buf, "This run spans %u payout periods: ", p->n_periods);
        for (uint32_t i = 0; i < p->n_periods && o < sizeof buf; i++)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s",
                                  i == 0                  ? ""
                                  : i + 1 == p->n_periods ? " and "
                                                          : ", ",
                                  p->periods[i].name);
        if (o < sizeof buf)
            snprintf(buf + o, sizeof buf - o, ".");
        xs_text(sh, row++, 0, buf, XS_BOLD);
        xs_text(sh, row++, 0,
                "Payroll and Payouts have one row per person and payout period. Each row is what "
                "that payout period's own run pays,",
                XS_NOTE);
        xs_text(sh, row++, 0,
                "recomputed from today's inputs: a period already paid is not owed again.",
                XS_NOTE);
    }
    row = report_rejects_block(r, sh, row);
    row++;
    /* Team table: SUMIFS over the Payouts rows with that team number; only figures of one kind
     * are added up. */
    enum {
        TC_TEAM,
        TC_HEAD,
        TC_TARGET,
        TC_REV,
        TC_QUOTA,
        TC_ATTAIN,
        TC_EARNED,
        TC_RECOVER,
        TC_PAYABLE,
        TC_KEY,
        TC_N
    };
    const char *hdr[TC_N] = {"Team", "Headcount (people)"};
    char hb[TC_N][128];
    snprintf(hb[TC_TARGET], sizeof hb[0], "Target incentive for the period (%s)", cur);
    snprintf(hb[TC_REV], sizeof hb[0], "Reps' own revenue (%s)", cur);
    snprintf(hb[TC_QUOTA], sizeof hb[0], "Reps' own-revenue quota for the period (%s)", cur);
    snprintf(hb[TC_ATTAIN], sizeof hb[0], "Reps' attainment (own revenue ÷ quota, %%)");
    snprintf(hb[TC_EARNED], sizeof hb[0], "Earned (%s)", cur);
    snprintf(hb[TC_RECOVER], sizeof hb[0],
             r->paid ? "Balance owed, carried out (%s)" : "To recover (%s)", cur);
    snprintf(hb[TC_PAYABLE], sizeof hb[0], "Payable (%s)", cur);
    for (int i = TC_TARGET; i < TC_KEY; i++)
        hdr[i] = hb[i];
    hdr[TC_KEY] = "Team #";
    uint32_t header = row;
    for (uint16_t c = 0; c < TC_N; c++)
        xs_text(sh, header, c, hdr[c], c == TC_TEAM ? XS_HEADER : XS_HEADER_NUM);
    xs_row_height(sh, header, 45);
    uint32_t first = header + 1;
    const uint16_t src[TC_N] = {
        0, pl->col_headcount, pl->col_target,  pl->col_revenue, pl->col_quota,
        0, pl->col_earned,    pl->col_recover, pl->col_payable, 0};
    char f[512], rk[96], rv[96], rq[96], key[20], c1[20], c2[20];
    bool any_rows = p->n_rows > 0;
    col_range(rk, sizeof rk, "Payouts", pl->first, pl->last, pl->col_team_key);
    col_range(rq, sizeof rq, "Payouts", pl->first, pl->last, pl->col_quota);
    double tot[TC_N] = {0};
    for (uint32_t t = 0; t < n_teams; t++) {
        uint32_t rr = first + t;
        double v[TC_N] = {0}; /* cached values, major units */
        for (size_t i = 0; i < p->n_rows; i++) {
            const struct payout_row *pr = &p->rows[i];
            uint32_t id = pr->person;
            if (pt->team[id] == ID_NONE || team_key[pt->team[id]] != t + 1)
                continue;
            v[TC_HEAD] += p->person_row0[id] == i ? 1 : 0;
            v[TC_TARGET] += rat_major(pr->target, digits);
            if (!rat_is_zero(pr->quota))
                v[TC_REV] += xs_major(pr->revenue, digits);
            v[TC_QUOTA] += rat_major(pr->quota, digits);
            v[TC_EARNED] += xs_major(pr->earned, digits);
            v[TC_RECOVER] += xs_major(row_owed(r, pr), digits);
            v[TC_PAYABLE] += xs_major(pr->payable, digits);
        }
        xs_text(sh, rr, TC_TEAM, intern_str(&ds->teams, teams[t]), XS_PLAIN);
        xs_int(sh, rr, TC_KEY, t + 1, XS_INT); /* the team's number: its place, 1-based */
        xs_cell(key, rr, TC_KEY);
        for (uint16_t c = TC_HEAD; c < TC_KEY; c++) {
            tot[c] += v[c];
            if (c == TC_ATTAIN) {
                if (v[TC_QUOTA] == 0) {
                    xs_text(sh, rr, c, "—", XS_TEXT_RIGHT);
                    continue;
                }
                snprintf(f, sizeof f, "=IF(%s=0,0,%s/%s)", xs_cell(c1, rr, TC_QUOTA),
                         xs_cell(c2, rr, TC_REV), c1);
                xs_formula(sh, rr, c, f, v[TC_REV] / v[TC_QUOTA], XS_PCT);
                continue;
            }
            if (!any_rows) {
                xs_number(sh, rr, c, 0, c == TC_HEAD ? XS_INT : XS_MONEY);
                continue;
            }
            col_range(rv, sizeof rv, "Payouts", pl->first, pl->last, src[c]);
            if (c == TC_REV) /* reps only: rows with an own-revenue quota */
                snprintf(f, sizeof f, "=SUMIFS(%s,%s,%s,%s,\">0\")", rv, rk, key, rq);
            else
                snprintf(f, sizeof f, "=SUMIFS(%s,%s,%s)", rv, rk, key);
            xs_formula(sh, rr, c, f, v[c], c == TC_HEAD ? XS_INT : XS_MONEY);
        }
    }
    uint32_t total_row = first + n_teams;
    xs_text(sh, total_row, 0, "Total", XS_BOLD);
    for (uint16_t c = TC_HEAD; c < TC_KEY; c++) {
        if (c == TC_ATTAIN) {
            if (tot[TC_QUOTA] == 0) {
                xs_text(sh, total_row, c, "—", XS_TEXT_RIGHT);
                continue;
            }
            snprintf(f, sizeof f, "=IF(%s=0,0,%s/%s)", xs_cell(c1, total_row, TC_QUOTA),
                     xs_cell(c2, total_row, TC_REV), c1);
            xs_formula(sh, total_row, c, f, tot[TC_REV] / tot[TC_QUOTA], XS_PCT_TOTAL);
        } else if (!n_teams) {
            xs_number(sh, total_row, c, 0, c == TC_HEAD ? XS_INT_TOTAL : XS_MONEY_TOTAL);
        } else {
            snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, first, c),
                     xs_cell(c2, total_row - 1, c));
            xs_formula(sh, total_row, c, f, tot[c], c == TC_HEAD ? XS_INT_TOTAL : XS_MONEY_TOTAL);
        }
    }
    row = total_row + 1;
    xs_text(sh, row++, 0,
            "Reps: people paid on their own revenue against a quota; reps' attainment = their own "
            "revenue ÷ their quota for the period (— where a team has no rep).",
            XS_NOTE);
    xs_text(sh, row++, 0,
            "Managers' team revenue and marketing's company and sourced revenue are not added up: "
            "each person's attainment per component is on Payouts.",
            XS_NOTE);
    /* A cross-check: every Components row adds up to the sum of every line. */
    row++;
    snprintf(h, sizeof h, "Sum of all payout lines (%s)", cur);
    xs_text(sh, row, 0, h, XS_BOLD);
    if (n_cr) {
        col_range(rv, sizeof rv, "Components", COMP_HEADER_ROW + 1,
                  COMP_HEADER_ROW + (uint32_t)n_cr, CC_AMOUNT);
        snprintf(f, sizeof f, "=SUM(%s)", rv);
        xs_formula_money(sh, row++, 1, f, p->total, XS_MONEY);
    } else {
        xs_money(sh, row++, 1, p->total, XS_MONEY);
    }
    /* Where every line is: lines-<period>.csv, its count and total (the same cents). */
    size_t shown = report_lines_shown(r);
    xs_text(sh, row, 0, "Payout lines (count)", XS_BOLD);
    xs_int(sh, row++, 1, (int64_t)p->n_lines, XS_INT);
    snprintf(buf, sizeof buf, "lines-%s.csv", r->period->name);
    report_label_value(sh, row++, "Every line is in", buf);
    snprintf(h, sizeof h, "Its total (%s)", cur);
    xs_text(sh, row, 0, h, XS_BOLD);
    xs_money(sh, row++, 1, p->total, XS_MONEY);
    xs_text(sh, row, 0, "On the Lines sheet (count)", XS_BOLD);
    xs_int(sh, row++, 1, (int64_t)shown, XS_INT);
    if (shown < p->n_lines) {
        if (shown)
            snprintf(buf, sizeof buf,
                     "The Lines sheet holds the first %zu lines ([output] lines_rows_max); the "
                     "other %zu are in lines-%s.csv.",
                     shown, p->n_lines - shown, r->period->name);
        else
            snprintf(buf, sizeof buf,
                     "The Lines sheet holds no line ([output] lines_rows_max = 0); all %zu are in "
                     "lines-%s.csv.",
                     p->n_lines, r->period->name);
        xs_text(sh, row++, 0, buf, XS_NOTE);
        xs_text(sh, row++, 0, "Every total in this workbook adds all of them.", XS_NOTE);
    }
    int64_t nobody = 0;
    size_t n_nobody = 0;
    for (size_t i = 0; i < p->n_issues; i++)
        if (p->issues[i].deal != ID_NONE && p->issues[i].kind != PAYOUT_SPIF_PAYEE_UNKNOWN) {
            nobody += ds->deals.amount[p->issues[i].deal];
            n_nobody++;
        }
    xs_text(sh, row, 0, "Deals that pay no one", XS_BOLD);
    xs_int(sh, row++, 1, (int64_t)n_nobody, XS_INT);
    xs_text(sh, row, 0, "Their revenue", XS_BOLD);
    xs_money(sh, row++, 1, nobody, XS_MONEY);
    xs_text(sh, row++, 0,
            "(owner not in the people file, inactive on the close date, or without a plan; they "
            "still count in attribution and in team and company measures)",
            XS_NOTE);
    /* To recover: payroll pays 0.00 where a payout period nets negative. */
    row++;
    xs_text(sh, row++, 0, r->paid ? "Balance owed" : "To recover", XS_BOLD);
    size_t n_rec = 0;
    for (size_t i = 0; i < p->n_rows; i++)
        n_rec += row_owed(r, &p->rows[i]) > 0;
    if (!n_rec) {
        xs_text(sh, row++, 0,
                r->paid ? "Nothing: no one owes a balance after this payout."
                        : "Nothing: no person's payout period nets below 0.00.",
                XS_NOTE);
    } else {
        xs_text(sh, row++, 0,
                r->paid ? "Balances carried out of this payout (the ledger keeps them; later "
                          "payouts recover them, recover_share of each): what payout periods "
                          "netting below 0.00 left, less what was recovered."
                        : "Payout periods whose lines net below 0.00: payroll pays 0.00 and the "
                          "shortfall is listed here; recovering it is finance's decision.",
                XS_NOTE);
        snprintf(h, sizeof h, "Amount (%s)", cur);
        const char *rh[] = {"Person ID", "Name", "Payout period", h, "Cause"};
        for (uint16_t c = 0; c < ARRAY_LEN(rh); c++)
            xs_text(sh, row, c, rh[c], c == 3 ? XS_HEADER_NUM : XS_HEADER);
        row++;
        for (size_t i = 0; i < p->n_rows; i++) {
            const struct payout_row *pr = &p->rows[i];
            if (!row_owed(r, pr))
                continue;
            xs_text(sh, row, 0, intern_str(&ds->people_ids, pr->person), XS_PLAIN);
            xs_text(sh, row, 1, pt->name[pr->person], XS_PLAIN);
            xs_text(sh, row, 2, p->periods[pr->pp - 1].name, XS_PLAIN);
            snprintf(f, sizeof f, "=Payouts!%s",
                     xs_cell(c1, pl->first + (uint32_t)i, pl->col_recover));
            xs_formula_money(sh, row, 3, f, row_owed(r, pr), XS_MONEY);
            report_recover_cause(r, pr, buf, sizeof buf);
            xs_text(sh, row, 4, buf, XS_PLAIN);
            row++;
        }
    }
    if (n_teams) {
        /* the chart's series: the Earned column */
        xs_chart_columns(sh, "Earned by team", header, first, total_row - 1, TC_TEAM, TC_EARNED, 1,
                         row + 1, 0);
    }
    xs_freeze(sh, header + 1, 0);
}

/* ---- Statements --------------------------------------------------------------------------- */

/* One sheet of statements per team: a block per person that could be sent to them. */
static void statements_sheets(const struct report_ctx *r, struct xbook *b, const uint32_t *teams,
                              uint32_t n_teams, const uint32_t *order, uint32_t n,
                              const struct pay_keys *k, const struct lines_layout *ll, size_t n_cr)
{
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    const struct payouts *p = r->p;
    char name[XS_SHEET_NAME_SIZE], buf[1024];
    char ra[96], rp[96], rpp[96], rc[96];
    uint32_t cf = COMP_HEADER_ROW + 1, cl = COMP_HEADER_ROW + (uint32_t)n_cr;
    col_range(ra, sizeof ra, "Components", cf, cl, CC_AMOUNT);
    col_range(rp, sizeof rp, "Components", cf, cl, CC_PKEY);
    col_range(rpp, sizeof rpp, "Components", cf, cl, CC_PPKEY);
    col_range(rc, sizeof rc, "Components", cf, cl, CC_CKEY);
    for (uint32_t t = 0; t < n_teams; t++) {
        const char *team = intern_str(&ds->teams, teams[t]);
        struct xsheet *sh = xbook_add_sheet(b, xbook_sheet_name(b, "St ", team, name));
        xs_tab_color(sh, TAB_DETAIL);
        xs_hide_gridlines(sh);
        uint32_t row = 0;
        snprintf(buf, sizeof buf, "Statements %s — %s", r->period->name, team);
        xs_text(sh, row++, 0, buf, XS_TITLE);
        xs_text(sh, row++, 0,
                ll->last - ll->first + 1 == (uint32_t)p->n_lines
                    ? "One block per person; each amount is the line on the Lines sheet, each "
                      "total the person's rows on the Components sheet. Use the outline buttons "
                      "to fold the lines."
                    : "One block per person; each amount is the line on the Lines sheet, each "
                      "total the person's rows on the Components sheet. Lines past the Lines "
                      "sheet's cut are left out here too: a note in the block counts them.",
                XS_NOTE);
        row++;
        bool first_block = true;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t id = order[i];
            if (pt->team[id] != teams[t] || !p->person_nrows[id])
                continue;
            /* Each person's block starts a printed page, so it never splits from its heading
             * and can be handed to that person. */
            if (!first_block)
                xs_page_break_before(sh, row);
            first_block = false;
            struct stmt_refs refs = {.ll = ll,
                                     .k = k,
                                     .person_key = k->person[id],
                                     .comp_amount = ra,
                                     .comp_person = rp,
                                     .comp_pp = rpp,
                                     .comp_column = rc};
            row = report_statement_block(r, sh, row, id, n_cr ? &refs : NULL);
            row++;
        }
    }
}

int report_payouts_xlsx(const struct report_ctx *r, const char *path, struct diag *d)
{
    struct xbook *b =
        report_book(r, path, "Payouts", "Incentive payouts by team and person, with every line", d);
    if (!b)
        return -1;
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    uint32_t n;
    uint32_t *order = report_people_order(ds, &n);
    struct pay_keys k;
    build_keys(r, order, n, &k);
    /* Teams in order of their first person in the run. */
    uint32_t *team_key = xcalloc(ds->teams.n + 1, sizeof *team_key);
    uint32_t *teams = xcalloc(ds->teams.n + 1, sizeof *teams); /* team ids by number - 1 */
    uint32_t n_teams = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = pt->team[order[i]];
        if (t == ID_NONE || team_key[t] || !r->p->person_nrows[order[i]])
            continue;
        team_key[t] = ++n_teams;
        teams[n_teams - 1] = t;
    }
    size_t n_cr;
    size_t *comp_first = xcalloc(r->p->n_rows + 1, sizeof *comp_first);
    struct comp_row *cr = comp_rows(r, &k, &n_cr, comp_first);
    /* Sheets in reading order: Summary, Payouts, Components, Lines, Plans, statements. Formulas
     * are text, so a sheet can refer to one written after it; Summary is filled once the
     * Payouts layout is known. */
    struct xsheet *summary = xbook_add_sheet(b, "Summary");
    struct lines_layout ll, written;
    struct payouts_layout pl;
    report_lines_layout(r, &ll);
    payouts_sheet(r, b, &k, team_key, cr, n_cr, comp_first, &pl);
    components_sheet(r, b, &k, cr, n_cr, &ll);
    report_lines_sheet(r, b, &k, &written);
    if (written.first != ll.first || written.last != ll.last ||
        written.col_amount != ll.col_amount || written.col_period_key != ll.col_period_key)
        BUG("Lines sheet layout differs from its prediction");
    report_adjustments_sheet(r, b);
    report_plans_sheet(r, b, NULL);
    summary_sheet(r, summary, teams, n_teams, team_key, &pl, n_cr);
    statements_sheets(r, b, teams, n_teams, order, n, &k, &ll, n_cr);
    report_exceptions_sheet(r, b, true);
    report_run_sheet(r, b);
    free(cr);
    free(comp_first);
    free(order);
    free(k.person);
    free(k.columns);
    free(team_key);
    free(teams);
    return xbook_close(b, d);
}
