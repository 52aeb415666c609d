/* report_pay.c — payouts-<period>.xlsx: Summary by team, Payouts per person, Lines, Plans,
 * Statements per team, Exceptions, Run (DESIGN §6).
 *
 * Every total is a live formula with the tool's own value cached: Payouts ← Lines by SUMIFS
 * over numeric keys (a person's number, a payout column's number), never over input text;
 * Summary ← Payouts the same way over team numbers; Statements reference the Lines cells.
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

/* What a person's attainment is measured on: their last line in the period that has a quota or
 * goal (its cumulative measure and effective quota, minor units). */
static bool person_attainment(const struct payouts *p, uint32_t who, int64_t *measure,
                              struct rat *goal)
{
    bool has = false;
    size_t end = p->person_line0[who] + p->person_nlines[who];
    for (size_t i = p->person_line0[who]; i < end; i++)
        if (!rat_is_zero(p->lines[i].quota)) {
            *measure = p->lines[i].after;
            *goal = p->lines[i].quota;
            has = true;
        }
    return has;
}

enum {
    PC_PERSON,
    PC_NAME,
    PC_TEAM,
    PC_ROLE,
    PC_PLAN,
    PC_DEALS,
    PC_REVENUE,
    PC_QUOTA,
    PC_TARGET,
    PC_MEASURE,
    PC_GOAL,
    PC_ATTAIN,
    PC_COLUMNS /* one per payout column, then Payout, Person #, Team # */
};

struct payouts_layout {
    uint32_t first, last;
    uint16_t col_total, col_team_key;
};

static void payouts_sheet(const struct report_ctx *r, struct xbook *b, const struct pay_keys *k,
                          const uint32_t *order, uint32_t n, const uint32_t *team_key,
                          const struct lines_layout *ll, struct payouts_layout *out)
{
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    const struct payouts *p = r->p;
    struct xsheet *sh = xbook_add_sheet(b, "Payouts");
    xs_tab_color(sh, TAB_DETAIL);
    char title[64];
    snprintf(title, sizeof title, "Payouts by person %s", r->period->name);
    xs_text(sh, 0, 0, title, XS_TITLE);
    xs_text(sh, 1, 0,
            "One row per person: each payout column sums that person's lines on the Lines sheet "
            "(SUMIFS over the Person # and Column # keys); Payout is the row's sum.",
            XS_NOTE);
    const uint32_t keyrow = 3, header = 4, first = header + 1;
    const uint16_t c_total = (uint16_t)(PC_COLUMNS + k->n_columns), c_pkey = c_total + 1,
                   c_tkey = c_total + 2;
    static const char *const hdr[PC_COLUMNS] = {
        "Person ID",        "Name",      "Team", "Role", "Plan", "Deals", "Own revenue", "Quota",
        "Target incentive", "Attainment"};
    for (uint16_t c = 0; c < PC_COLUMNS; c++)
        xs_text(sh, header, c, hdr[c], c >= PC_DEALS ? XS_HEADER_NUM : XS_HEADER);
    xs_row_height(sh, header, 30);
    xs_text(sh, keyrow, PC_ATTAIN, "Column # →", XS_NOTE);
    for (uint32_t j = 0; j < k->n_columns; j++) {
        xs_int(sh, keyrow, (uint16_t)(PC_COLUMNS + j), j + 1, XS_INT);
        xs_text(sh, header, (uint16_t)(PC_COLUMNS + j), k->columns[j], XS_HEADER_NUM);
    }
    xs_text(sh, header, c_total, "Payout", XS_HEADER_NUM);
    xs_text(sh, header, c_pkey, "Person #", XS_HEADER_NUM);
    xs_text(sh, header, c_tkey, "Team #", XS_HEADER_NUM);
    if (p->any_foreign_payee) {
        char paid[96], day[16];
        date_format_day(day, sizeof day, p->pay_rate_day);
        snprintf(paid, sizeof paid, "Paid amount (FX of %s)", day);
        xs_text(sh, header, (uint16_t)(c_tkey + 1), "Paid in", XS_HEADER);
        xs_text(sh, header, (uint16_t)(c_tkey + 2), paid, XS_HEADER_NUM);
    }

    /* Cached values: each person's sum per payout column, from the lines. */
    int64_t *cell = xcalloc((size_t)n * k->n_columns + 1, sizeof *cell);
    for (size_t i = 0; i < p->n_lines; i++) {
        const struct payout_line *l = &p->lines[i];
        uint32_t pk = k->person[l->person];
        if (pk)
            cell[(size_t)(pk - 1) * k->n_columns + report_pay_column(k, l) - 1] += l->amount;
    }
    char f[512], a1[16], a2[16], b1[16], b2[16], c1[16], c2[16], kc[16], pc[16];
    xs_cell(a1, ll->first, ll->col_amount);
    xs_cell(a2, ll->last, ll->col_amount);
    xs_cell(b1, ll->first, ll->col_person_key);
    xs_cell(b2, ll->last, ll->col_person_key);
    xs_cell(c1, ll->first, ll->col_column_key);
    xs_cell(c2, ll->last, ll->col_column_key);
    bool any_lines = ll->last >= ll->first;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id = order[i], rr = first + i;
        xs_text(sh, rr, PC_PERSON, intern_str(&ds->people_ids, id), XS_PLAIN);
        xs_text(sh, rr, PC_NAME, pt->name[id], XS_PLAIN);
        xs_text(sh, rr, PC_TEAM,
                pt->team[id] == ID_NONE ? "" : intern_str(&ds->teams, pt->team[id]), XS_PLAIN);
        xs_text(sh, rr, PC_ROLE, pt->role[id], XS_PLAIN);
        const struct plan *pl = pt->plan[id] ? plan_find(r->plans, pt->plan[id]) : NULL;
        xs_text(sh, rr, PC_PLAN, pl ? plan_version_on(pl, r->period->last_day)->name : "",
                XS_PLAIN);
        xs_int(sh, rr, PC_DEALS, p->person_deals[id], XS_INT);
        xs_money(sh, rr, PC_REVENUE, p->person_revenue[id], XS_MONEY);
        if (pt->quota[id] != QUOTA_NONE)
            xs_money(sh, rr, PC_QUOTA, pt->quota[id], XS_MONEY);
        if (pt->target[id] != QUOTA_NONE)
            xs_money(sh, rr, PC_TARGET, pt->target[id], XS_MONEY);
        int64_t measure = 0;
        struct rat goal = rat_int64(0);
        if (person_attainment(p, id, &measure, &goal)) {
            double g = rat_to_double(goal) * xs_major(1, r->s->currency_digits);
            xs_money(sh, rr, PC_MEASURE, measure, XS_MONEY);
            xs_number(sh, rr, PC_GOAL, g, XS_MONEY);
            char m1[16], g1[16];
            snprintf(f, sizeof f, "=IF(%s=0,0,%s/%s)", xs_cell(g1, rr, PC_GOAL),
                     xs_cell(m1, rr, PC_MEASURE), g1);
            xs_formula(sh, rr, PC_ATTAIN, f,
                       g != 0 ? xs_major(measure, r->s->currency_digits) / g : 0, XS_PCT);
        }
        xs_cell(pc, rr, c_pkey);
        for (uint32_t j = 0; j < k->n_columns; j++) {
            uint16_t col = (uint16_t)(PC_COLUMNS + j);
            int64_t v = cell[(size_t)i * k->n_columns + j];
            if (any_lines) {
                xs_cell(kc, keyrow, col);
                /* absolute key row: "$F$4" */
                char kabs[20];
                size_t L = 0;
                while (kc[L] && (kc[L] < '0' || kc[L] > '9'))
                    L++;
                snprintf(kabs, sizeof kabs, "$%.*s$%s", (int)L, kc, kc + L);
                char pabs[20];
                size_t M = 0;
                while (pc[M] && (pc[M] < '0' || pc[M] > '9'))
                    M++;
                snprintf(pabs, sizeof pabs, "$%.*s%s", (int)M, pc, pc + M);
                snprintf(f, sizeof f, "=SUMIFS(Lines!%s:%s,Lines!%s:%s,%s,Lines!%s:%s,%s)", a1, a2,
                         b1, b2, pabs, c1, c2, kabs);
                xs_formula_money(sh, rr, col, f, v, XS_MONEY);
            } else {
                xs_money(sh, rr, col, v, XS_MONEY);
            }
        }
        char s1[16], s2[16];
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(s1, rr, PC_COLUMNS),
                 xs_cell(s2, rr, (uint16_t)(c_total - 1)));
        xs_formula_money(sh, rr, c_total, f, p->person_total[id], XS_MONEY);
        xs_int(sh, rr, c_pkey, i + 1, XS_INT);
        if (pt->team[id] != ID_NONE)
            xs_int(sh, rr, c_tkey, team_key[pt->team[id]], XS_INT);
        if (p->any_foreign_payee) {
            const char *cur = pt->currency[id].code[0] ? pt->currency[id].code : r->s->currency;
            xs_text(sh, rr, (uint16_t)(c_tkey + 1), cur, XS_PLAIN);
            xs_number(sh, rr, (uint16_t)(c_tkey + 2),
                      xs_major(p->person_pay[id], money_minor_digits(cur)), XS_DEALS);
        }
    }
    uint32_t total_row = first + n;
    xs_text(sh, total_row, 0, "Total", XS_BOLD);
    int64_t total_rev = 0, total_deals = 0;
    for (uint32_t i = 0; i < n; i++) {
        total_rev += p->person_revenue[order[i]];
        total_deals += p->person_deals[order[i]];
    }
    for (uint16_t col = PC_DEALS; col <= c_total; col++) {
        if (col == PC_QUOTA || col == PC_TARGET || col == PC_MEASURE || col == PC_GOAL ||
            col == PC_ATTAIN)
            continue;
        int64_t v = col == PC_DEALS ? total_deals : col == PC_REVENUE ? total_rev : 0;
        if (col >= PC_COLUMNS && col < c_total)
            for (uint32_t i = 0; i < n; i++)
                v += cell[(size_t)i * k->n_columns + (col - PC_COLUMNS)];
        if (col == c_total)
            v = p->total;
        char s1[16], s2[16];
        if (n) {
            snprintf(f, sizeof f, "=SUBTOTAL(9,%s:%s)", xs_cell(s1, first, col),
                     xs_cell(s2, total_row - 1, col));
            if (col == PC_DEALS)
                xs_formula(sh, total_row, col, f, (double)v, XS_INT_TOTAL);
            else
                xs_formula_money(sh, total_row, col, f, v, XS_MONEY_TOTAL);
        } else {
            xs_money(sh, total_row, col, 0, XS_MONEY_TOTAL);
        }
    }
    free(cell);
    xs_col_width(sh, PC_PERSON, PC_PERSON, 18);
    xs_col_width(sh, PC_NAME, PC_NAME, 22);
    xs_col_width(sh, PC_TEAM, PC_PLAN, 20);
    xs_col_width(sh, PC_DEALS, PC_DEALS, 8);
    xs_col_width(sh, PC_REVENUE, c_total, 15);
    xs_col_width(sh, c_pkey, c_tkey, 9);
    xs_freeze(sh, first, 2);
    xs_autofilter(sh, header, 0, total_row - 1 > header ? total_row - 1 : header, c_tkey);
    out->first = first;
    out->last = first + n - 1;
    out->col_total = c_total;
    out->col_team_key = c_tkey;
}

static void summary_sheet(const struct report_ctx *r, struct xsheet *sh, const uint32_t *teams,
                          uint32_t n_teams, const uint32_t *order, uint32_t n,
                          const struct payouts_layout *pl)
{
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    const struct payouts *p = r->p;
    xs_tab_color(sh, TAB_SUMMARY);
    xs_hide_gridlines(sh);
    xs_col_width(sh, 0, 0, 30);
    xs_col_width(sh, 1, 8, 17);
    uint32_t row = 0;
    char title[64];
    snprintf(title, sizeof title, "Payouts %s", r->period->name);
    xs_text(sh, row++, 0, title, XS_TITLE);
    xs_text(sh, row++, 0,
            "What each team is owed for the period. Each payout line is rounded half away from "
            "zero to the cent; every total is a sum of rounded lines (Lines → Payouts → here).",
            XS_NOTE);
    row++;
    report_label_value(sh, row++, "Period", r->period->name);
    report_label_date(sh, row++, "As of", r->as_of_day);
    report_label_value(sh, row++, "Currency", r->s->currency);
    row = report_rejects_block(r, sh, row);
    row++;
    /* Team table: every figure a COUNTIF/SUMIFS over the Payouts rows with that team number. */
    enum { TC_TEAM, TC_HEAD, TC_TARGET, TC_REV, TC_MEASURE, TC_GOAL, TC_ATTAIN, TC_PAY, TC_KEY };
    static const char *const hdr[] = {
        "Team",          "Headcount",  "Target incentive", "Own revenue", "Attainment measure",
        "Quota or goal", "Attainment", "Payout",           "Team #"};
    static const uint16_t src[] = {0, 0, PC_TARGET, PC_REVENUE, PC_MEASURE, PC_GOAL, 0, 0, 0};
    uint32_t header = row;
    for (uint16_t c = 0; c < ARRAY_LEN(hdr); c++)
        xs_text(sh, header, c, hdr[c], c == TC_TEAM ? XS_HEADER : XS_HEADER_NUM);
    xs_row_height(sh, header, 30);
    uint32_t first = header + 1;
    char f[512], k1[16], k2[16], v1[16], v2[16], key[16], m[16], g[16];
    xs_cell(k1, pl->first, pl->col_team_key);
    xs_cell(k2, pl->last, pl->col_team_key);
    int digits = r->s->currency_digits;
    double tot[TC_KEY] = {0};
    for (uint32_t t = 0; t < n_teams; t++) {
        uint32_t rr = first + t;
        double v[TC_KEY] = {0}; /* cached values, major units */
        for (uint32_t i = 0; i < n; i++) {
            uint32_t id = order[i];
            if (pt->team[id] != teams[t])
                continue;
            v[TC_HEAD] += 1;
            v[TC_TARGET] += pt->target[id] == QUOTA_NONE ? 0 : xs_major(pt->target[id], digits);
            v[TC_REV] += xs_major(p->person_revenue[id], digits);
            v[TC_PAY] += xs_major(p->person_total[id], digits);
            int64_t measure;
            struct rat goal;
            if (person_attainment(p, id, &measure, &goal)) {
                v[TC_MEASURE] += xs_major(measure, digits);
                v[TC_GOAL] += rat_to_double(goal) * xs_major(1, digits);
            }
        }
        xs_text(sh, rr, TC_TEAM, intern_str(&ds->teams, teams[t]), XS_PLAIN);
        xs_int(sh, rr, TC_KEY, t + 1, XS_INT); /* the team's number: its place, 1-based */
        xs_cell(key, rr, TC_KEY);
        for (uint16_t c = TC_HEAD; c < TC_KEY; c++) {
            tot[c] += v[c];
            if (c == TC_ATTAIN) {
                snprintf(f, sizeof f, "=IF(%s=0,0,%s/%s)", xs_cell(g, rr, TC_GOAL),
                         xs_cell(m, rr, TC_MEASURE), g);
                xs_formula(sh, rr, c, f, v[TC_GOAL] != 0 ? v[TC_MEASURE] / v[TC_GOAL] : 0, XS_PCT);
            } else if (c == TC_HEAD) {
                snprintf(f, sizeof f, "=COUNTIF(Payouts!%s:%s,%s)", k1, k2, key);
                xs_formula(sh, rr, c, f, v[c], XS_INT);
            } else {
                uint16_t sc = c == TC_PAY ? pl->col_total : src[c];
                xs_cell(v1, pl->first, sc);
                xs_cell(v2, pl->last, sc);
                snprintf(f, sizeof f, "=SUMIFS(Payouts!%s:%s,Payouts!%s:%s,%s)", v1, v2, k1, k2,
                         key);
                xs_formula(sh, rr, c, f, v[c], XS_MONEY);
            }
        }
    }
    uint32_t total_row = first + n_teams;
    xs_text(sh, total_row, 0, "Total", XS_BOLD);
    for (uint16_t c = TC_HEAD; c < TC_KEY; c++) {
        char s1[16], s2[16];
        if (c == TC_ATTAIN) {
            snprintf(f, sizeof f, "=IF(%s=0,0,%s/%s)", xs_cell(g, total_row, TC_GOAL),
                     xs_cell(m, total_row, TC_MEASURE), g);
            xs_formula(sh, total_row, c, f, tot[TC_GOAL] != 0 ? tot[TC_MEASURE] / tot[TC_GOAL] : 0,
                       XS_PCT_TOTAL);
        } else if (!n_teams) {
            xs_number(sh, total_row, c, 0, c == TC_HEAD ? XS_INT_TOTAL : XS_MONEY_TOTAL);
        } else {
            snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(s1, first, c),
                     xs_cell(s2, total_row - 1, c));
            xs_formula(sh, total_row, c, f, tot[c], c == TC_HEAD ? XS_INT_TOTAL : XS_MONEY_TOTAL);
        }
    }
    /* A cross-check: the team total equals the sum of every line. */
    row = total_row + 2;
    xs_text(sh, row, 0, "Sum of all payout lines", XS_BOLD);
    xs_money(sh, row++, 1, p->total, XS_MONEY);
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
    if (n_teams)
        xs_chart_columns(sh, "Payout by team", header, first, total_row - 1, TC_TEAM, TC_PAY, 1,
                         row + 1, 0);
    xs_freeze(sh, header + 1, 0);
}

/* One sheet of statements per team: a block per person that could be sent to them. */
static void statements_sheets(const struct report_ctx *r, struct xbook *b, const uint32_t *teams,
                              uint32_t n_teams, const uint32_t *order, uint32_t n,
                              const struct lines_layout *ll)
{
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    const struct payouts *p = r->p;
    char name[XS_SHEET_NAME_SIZE], f[128], buf[1024], c1[16], c2[16];
    for (uint32_t t = 0; t < n_teams; t++) {
        const char *team = intern_str(&ds->teams, teams[t]);
        struct xsheet *sh = xbook_add_sheet(b, xbook_sheet_name(b, "St ", team, name));
        xs_tab_color(sh, TAB_DETAIL);
        xs_hide_gridlines(sh);
        xs_col_width(sh, 0, 0, 12);
        xs_col_width(sh, 1, 2, 18);
        xs_col_width(sh, 3, 3, 12);
        xs_col_width(sh, 4, 4, 70);
        xs_col_width(sh, 5, 5, 15);
        uint32_t row = 0;
        snprintf(buf, sizeof buf, "Statements %s — %s", r->period->name, team);
        xs_text(sh, row++, 0, buf, XS_TITLE);
        xs_text(sh, row++, 0,
                "One block per person; each amount is the line on the Lines sheet. Use the "
                "outline buttons to fold the lines.",
                XS_NOTE);
        row++;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t id = order[i];
            if (pt->team[id] != teams[t])
                continue;
            const struct plan *pl = pt->plan[id] ? plan_find(r->plans, pt->plan[id]) : NULL;
            snprintf(buf, sizeof buf, "%s (%s)", pt->name[id], intern_str(&ds->people_ids, id));
            xs_text(sh, row, 0, buf, XS_BOLD);
            snprintf(buf, sizeof buf, "%s · %s · plan %s · period %s", team, pt->role[id],
                     pl ? plan_version_on(pl, r->period->last_day)->name : "(none)",
                     r->period->name);
            xs_text(sh, row + 1, 0, buf, XS_NOTE);
            row += 2;
            static const char *const hdr[] = {"Date", "Component",          "Deal ID",
                                              "Line", "How it is computed", "Amount"};
            for (uint16_t c = 0; c < ARRAY_LEN(hdr); c++)
                xs_text(sh, row, c, hdr[c], c == 5 ? XS_HEADER_NUM : XS_HEADER);
            row++;
            uint32_t first = row;
            size_t end = p->person_line0[id] + p->person_nlines[id];
            for (size_t j = p->person_line0[id]; j < end; j++) {
                const struct payout_line *l = &p->lines[j];
                xs_date(sh, row, 0, l->post_day, XS_DATE);
                xs_text(sh, row, 1, l->component ? l->component->id : "", XS_PLAIN);
                xs_text(sh, row, 2,
                        l->deal == ID_NONE ? "" : intern_str(&ds->deal_ids, ds->deals.id[l->deal]),
                        XS_PLAIN);
                xs_text(sh, row, 3, line_kind_name(l->kind), XS_PLAIN);
                report_line_text(r, l, buf, sizeof buf);
                xs_text(sh, row, 4, buf, XS_PLAIN);
                snprintf(f, sizeof f, "=Lines!%s",
                         xs_cell(c1, ll->first + (uint32_t)j, ll->col_amount));
                xs_formula_money(sh, row, 5, f, l->amount, XS_MONEY);
                xs_row_level(sh, row, 1);
                row++;
            }
            if (row == first) {
                xs_text(sh, row, 4, "No payout lines in the period.", XS_NOTE);
                xs_row_level(sh, row, 1);
                row++;
            }
            xs_text(sh, row, 4, "Total", XS_BOLD);
            snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, first, 5), xs_cell(c2, row - 1, 5));
            xs_formula_money(sh, row, 5, f, p->person_total[id], XS_MONEY_TOTAL);
            row++;
            const char *cur = pt->currency[id].code;
            if (cur[0] && strcmp(cur, r->s->currency) != 0) {
                char amt[48], day[16];
                money_format(amt, sizeof amt, p->person_pay[id], money_minor_digits(cur));
                date_format_day(day, sizeof day, p->pay_rate_day);
                snprintf(buf, sizeof buf, "Paid in %s: %s (rate in force on %s)", cur, amt, day);
                xs_text(sh, row++, 4, buf, XS_NOTE);
            }
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
    /* Teams in order of their first person. */
    uint32_t *team_key = xcalloc(ds->teams.n + 1, sizeof *team_key);
    uint32_t *teams = xcalloc(ds->teams.n + 1, sizeof *teams); /* team ids by number - 1 */
    uint32_t n_teams = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = pt->team[order[i]];
        if (t == ID_NONE || team_key[t])
            continue;
        team_key[t] = ++n_teams;
        teams[n_teams - 1] = t;
    }
    /* Sheets in reading order: Summary, Payouts, Lines, Plans, statements. Formulas are text,
     * so Payouts can refer to Lines before Lines is written; Summary is filled once the
     * Payouts layout is known. */
    struct xsheet *summary = xbook_add_sheet(b, "Summary");
    struct lines_layout ll, written;
    struct payouts_layout pl;
    report_lines_layout(r, &ll);
    payouts_sheet(r, b, &k, order, n, team_key, &ll, &pl);
    report_lines_sheet(r, b, &k, &written);
    if (written.first != ll.first || written.last != ll.last || written.col_amount != ll.col_amount)
        BUG("Lines sheet layout differs from its prediction");
    report_plans_sheet(r, b, NULL);
    summary_sheet(r, summary, teams, n_teams, order, n, &pl);
    statements_sheets(r, b, teams, n_teams, order, n, &ll);
    report_exceptions_sheet(r, b, true);
    report_run_sheet(r, b);
    free(order);
    free(k.person);
    free(k.columns);
    free(team_key);
    free(teams);
    return xbook_close(b, d);
}
