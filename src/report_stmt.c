/* report_stmt.c — a person's statement: the block the payouts workbook's team sheets show per
 * person, and the workbook of its own that `--statements DIR` writes for each person (DESIGN §7a
 * "Also expected", §7b "Publishing").
 *
 * A statement states the person's plan; per component its effective quota or goal, the measure to
 * date, attainment, what was earned in the run's period and in the year to date (recomputed from
 * source); every payout line with its deal, account name, deal amount, rate, arithmetic and amount;
 * and per payout period what was earned and what payroll pays. It names no other person: deal
 * owners, split partners and managers are not shown, only deal IDs and names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "ids.h"
#include "money.h"
#include "report.h"
#include "report_internal.h"
#include "util.h"

/* The block's columns. The component table above the lines uses the same columns. */
enum {
    SB_DATE,        /* lines: date           components: component */
    SB_COMPONENT,   /* lines: component      components: type */
    SB_DEAL,        /* lines: deal ID        components: measure */
    SB_NAME,        /* lines: account name   components: quota or goal */
    SB_DEAL_AMOUNT, /* lines: deal amount    components: measure to date */
    SB_RATE,        /* lines: rate           components: attainment */
    SB_HOW,         /* lines: arithmetic     components: attainment period */
    SB_AMOUNT,      /* lines: amount         components: earned in the run's period */
    SB_YTD,         /*                       components: earned in the year to date */
    SB_CKEY,        /* lines: the component's row number in the block's table (never input text) */
    SB_PPKEY,       /* lines: payout period number */
    SB_N
};

/* A line counts toward its component (commission, bonus, pool, SPIF …) or, for clawbacks,
 * carried cap excess and payee caps, toward Adjustments — as the Payouts sheet's columns do. */
static const char *line_component(const struct payout_line *l)
{
    if (l->component && (l->kind == LINE_DEAL || l->kind == LINE_PERIOD || l->kind == LINE_POOL ||
                         l->kind == LINE_COLLECTION))
        return l->component->id;
    return NULL;
}

/* The rate(s) of a line's slices as text: "6%", "6% / 8%", "" when none. */
static void rates_text(const struct payouts *p, const struct payout_line *l, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->n_slices && o + 1 < size; i++) {
        const struct slice *s = &p->slices[l->slice0 + i];
        char pct[48];
        rat_format(pct, sizeof pct, rat_mul(s->rate, rat_int64(100)), 6);
        int n = snprintf(buf + o, size - o, "%s%s%%", i ? " / " : "", pct);
        if (n < 0 || (size_t)n >= size - o)
            break;
        o += (size_t)n;
    }
}

/* The components a person's block lists: those of their plan version in force at the period's
 * end, then any other component a line of theirs belongs to in the period or the year to date (a
 * component of an earlier version), in order of appearance. */
struct comp_list {
    const struct component **c;
    size_t n, cap;
};

static void comp_list_add(struct comp_list *cl, const struct component *c)
{
    for (size_t i = 0; i < cl->n; i++)
        if (strcmp(cl->c[i]->id, c->id) == 0)
            return;
    VEC_GROW(cl->c, cl->cap, cl->n + 1);
    cl->c[cl->n++] = c;
}

static void comp_list_lines(struct comp_list *cl, const struct payouts *p, uint32_t who)
{
    size_t n = p && who < p->n_people ? p->person_nlines[who] : 0;
    for (size_t j = n ? p->person_line0[who] : 0; n && j < p->person_line0[who] + n; j++)
        if (line_component(&p->lines[j]))
            comp_list_add(cl, p->lines[j].component);
}

static size_t comp_index(const struct comp_list *cl, const char *id)
{
    for (size_t i = 0; i < cl->n; i++)
        if (strcmp(cl->c[i]->id, id) == 0)
            return i;
    return cl->n; /* Adjustments */
}

static int64_t sum_of(const struct payouts *p, uint32_t who, const char *component,
                      int32_t last_day)
{
    int64_t s = 0;
    if (!p || who >= p->n_people)
        return 0;
    size_t end = p->person_line0[who] + p->person_nlines[who];
    for (size_t j = p->person_line0[who]; j < end; j++) {
        const struct payout_line *l = &p->lines[j];
        const char *c = line_component(l);
        bool match = component ? c && strcmp(c, component) == 0 : c == NULL;
        if (match && l->post_day <= last_day)
            s += l->amount;
    }
    return s;
}

/* The component's measure at the end of the person's last payout period in the run, when it is
 * measured against a quota or goal: the attainment the Payouts sheet and explain show. */
static const struct payout_measure *measured(const struct payouts *p, uint32_t who,
                                             const char *component)
{
    if (!p || who >= p->n_people || !p->person_nrows[who])
        return NULL;
    const struct payout_row *row = &p->rows[p->person_row0[who] + p->person_nrows[who] - 1];
    for (size_t m = row->measure0; m < row->measure0 + row->n_measures; m++)
        if (strcmp(p->measures[m].component->id, component) == 0 &&
            !rat_is_zero(p->measures[m].quota))
            return &p->measures[m];
    return NULL;
}

/* The components a person's block lists (the caller frees cl->c). */
static void statement_components(const struct report_ctx *r, uint32_t who, struct comp_list *cl)
{
    const struct person_table *pt = &r->ds->people;
    const struct plan *pl = pt->plan[who] ? plan_find(r->plans, pt->plan[who]) : NULL;
    const struct plan_version *v = pl ? plan_version_on(pl, r->period->last_day) : NULL;
    memset(cl, 0, sizeof *cl);
    for (size_t i = 0; v && i < v->n_components; i++)
        comp_list_add(cl, &v->components[i]);
    comp_list_lines(cl, r->p, who);
    comp_list_lines(cl, r->ytd, who);
}

/* A payout period with a draw, below its "Earned in" row: the balance owed recovered (ledger),
 * what the draw paid and recovered, Payable as a formula over those cells, and the draw balance
 * carried in and out (DESIGN §5 draws: shown on every statement). Returns the next free row. */
static uint32_t draw_block(const struct report_ctx *r, struct xsheet *sh, uint32_t row,
                           const struct payout_row *pr, const struct plan *pl,
                           uint32_t *payable_row)
{
    const struct payouts *p = r->p;
    int digits = r->s->currency_digits;
    const char *cur = r->s->currency;
    const struct period *P = &p->periods[pr->pp - 1];
    const struct plan_version *v = pl ? plan_version_on(pl, P->last_day) : NULL;
    char buf[512], f[256], c1[16], c2[16], c3[16], c4[16], a[48], b[48], c[48], e[48];
    uint32_t earned = row - 1;
    xs_cell(c1, earned, SB_AMOUNT);
    put_text(c2, sizeof c2, "0");
    put_text(c3, sizeof c3, "0");
    put_text(c4, sizeof c4, "0");
    if (pr->recovered) {
        xs_text(sh, row, SB_HOW, "Balance owed from closed periods, recovered", XS_PLAIN);
        xs_money(sh, row, SB_AMOUNT, -pr->recovered, XS_MONEY);
        xs_cell(c2, row++, SB_AMOUNT);
    }
    if (pr->draw || pr->draw_paid) {
        report_money_text(a, sizeof a, pr->draw, digits);
        put_text(buf, sizeof buf, "Draw paid: guaranteed %s %s (%s), less the payout before it", a,
                 cur, v && !v->draw_recoverable ? "non-recoverable" : "recoverable");
        xs_text(sh, row, SB_HOW, buf, XS_PLAIN);
        xs_money(sh, row, SB_AMOUNT, pr->draw_paid, XS_MONEY);
        xs_cell(c3, row++, SB_AMOUNT);
    }
    if (pr->draw_recovered || pr->draw_in) {
        char share[48], cap[64] = "";
        report_percent_text(share, sizeof share,
                            v ? v->draw_recovery_share : (struct decimal){1, 0});
        if (v && v->draw_recovery_cap >= 0) {
            report_money_text(a, sizeof a, v->draw_recovery_cap, digits);
            put_text(cap, sizeof cap, ", at most %s", a);
        }
        put_text(buf, sizeof buf,
                 "Draw recovered: %s × the payout above the draw%s, at most the balance", share,
                 cap);
        xs_text(sh, row, SB_HOW, buf, XS_PLAIN);
        xs_money(sh, row, SB_AMOUNT, -pr->draw_recovered, XS_MONEY);
        xs_cell(c4, row++, SB_AMOUNT);
    }
    put_text(buf, sizeof buf, "Payable in %s", P->name);
    xs_text(sh, row, SB_HOW, buf, XS_BOLD);
    put_text(f, sizeof f, "=ROUND(MAX(0,%s+%s)+%s+%s,%d)", c1, c2, c3, c4, digits);
    xs_formula_money(sh, row, SB_AMOUNT, f, pr->payable, XS_MONEY_TOTAL);
    *payable_row = row;
    row++;
    report_money_text(a, sizeof a, pr->draw_in, digits);
    report_money_text(b, sizeof b, v && v->draw_recoverable ? pr->draw_paid : 0, digits);
    report_money_text(c, sizeof c, pr->draw_recovered, digits);
    report_money_text(e, sizeof e, pr->draw_out, digits);
    size_t o = (size_t)snprintf(buf, sizeof buf,
                                "Draw balance: %s carried in + %s paid − %s recovered", a, b, c);
    if (pr->draw_forgiven && o < sizeof buf) {
        report_money_text(a, sizeof a, pr->draw_forgiven, digits);
        o += (size_t)snprintf(buf + o, sizeof buf - o, " − %s forgiven", a);
    }
    if (o < sizeof buf)
        snprintf(buf + o, sizeof buf - o, " = %s %s carried out%s", e, cur,
                 r->paid ? "" : " (without the ledger every run starts from 0.00)");
    xs_text(sh, row++, SB_HOW, buf, XS_NOTE);
    if (pr->to_recover) {
        report_money_text(a, sizeof a, pr->to_recover, digits);
        put_text(buf, sizeof buf, "To recover: %s %s (lines netting below 0.00)", a, cur);
        xs_text(sh, row++, SB_HOW, buf, XS_NOTE);
    }
    return row;
}

uint32_t report_statement_block(const struct report_ctx *r, struct xsheet *sh, uint32_t row,
                                uint32_t who, const struct stmt_refs *refs)
{
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    const struct payouts *p = r->p;
    int digits = r->s->currency_digits;
    char buf[1024], f[512], c1[16], c2[16], c3[16];
    const struct plan *pl = pt->plan[who] ? plan_find(r->plans, pt->plan[who]) : NULL;
    const struct plan_version *v = pl ? plan_version_on(pl, r->period->last_day) : NULL;
    size_t n_lines = p && who < p->n_people ? p->person_nlines[who] : 0;
    size_t line0 = n_lines ? p->person_line0[who] : 0;

    /* Widths: the writer fits columns to their content, up to these. */
    xs_col_width(sh, SB_DATE, SB_DATE, 16);
    xs_col_width(sh, SB_NAME, SB_NAME, 32);
    xs_col_width(sh, SB_HOW, SB_HOW, 60);
    /* Heading. */
    snprintf(buf, sizeof buf, "%s (%s)", pt->name[who], intern_str(&ds->people_ids, who));
    xs_text(sh, row++, 0, buf, XS_BOLD);
    snprintf(buf, sizeof buf, "%s · %s · plan %s%s%s%s · period %s",
             pt->team[who] == ID_NONE ? "no team" : intern_str(&ds->teams, pt->team[who]),
             pt->role[who] ? pt->role[who] : "", v ? v->name : "(none)", pl ? " (" : "",
             pl ? pl->id : "", pl ? ")" : "", r->period->name);
    xs_text(sh, row++, 0, buf, XS_NOTE);

    /* The components. */
    struct comp_list cl;
    statement_components(r, who, &cl);

    char h_earned[64], h_ytd[128], h_quota[64], h_measure[64];
    snprintf(h_earned, sizeof h_earned, "Earned in %s (%s)", r->period->name, r->s->currency);
    int year, month, mday;
    date_to_civil(r->period->last_day, &year, &month, &mday);
    uint64_t unread = ds->files[INPUT_DEALS].ytd_only_rejects;
    if (unread)
        snprintf(h_ytd, sizeof h_ytd,
                 "Earned in %d to date, recomputed (%s); incomplete: %llu "
                 "deal rows unreadable",
                 year, r->s->currency, (unsigned long long)unread);
    else
        snprintf(h_ytd, sizeof h_ytd, "Earned in %d to date, recomputed (%s)", year,
                 r->s->currency);
    snprintf(h_quota, sizeof h_quota, "Quota or goal, effective (%s)", r->s->currency);
    snprintf(h_measure, sizeof h_measure, "Measure to date (%s)", r->s->currency);
    const char *chdr[SB_N] = {
        "Component",         "Type",   "Measure", h_quota, h_measure, "Attainment (%)",
        "Attainment period", h_earned, h_ytd,     NULL,    NULL};
    for (uint16_t c = 0; c < SB_YTD + 1; c++)
        xs_text(sh, row, c, chdr[c], c >= SB_NAME && c != SB_HOW ? XS_HEADER_NUM : XS_HEADER);
    xs_row_height(sh, row, 30);
    row++;
    uint32_t comp_first = row;
    /* Rows of the lines table, for the component table's SUMIFs: component rows, Adjustments,
     * Total, a blank row, the caption, the header. */
    uint32_t lines_first = comp_first + (uint32_t)cl.n + 1 + 1 + 1 + 1 + 1;
    uint32_t lines_last = lines_first + (uint32_t)(n_lines ? n_lines : 1) - 1;
    char k1[16], k2[16], a1[16], a2[16];
    xs_cell(k1, lines_first, SB_CKEY);
    xs_cell(k2, lines_last, SB_CKEY);
    xs_cell(a1, lines_first, SB_AMOUNT);
    xs_cell(a2, lines_last, SB_AMOUNT);
    int32_t last_day = r->period->last_day;
    int32_t ytd_last = r->as_of_day < last_day ? r->as_of_day : last_day;
    int64_t total = 0, ytd_total = 0;
    for (size_t i = 0; i <= cl.n; i++) {
        bool adj = i == cl.n;
        const struct component *c = adj ? NULL : cl.c[i];
        xs_text(sh, row, SB_DATE, adj ? "Adjustments" : c->id, XS_PLAIN);
        xs_text(sh, row, SB_COMPONENT,
                adj ? "clawbacks, ledger adjustments, carried cap excess, payee cap"
                    : component_type_name(c->type),
                adj ? XS_NOTE : XS_PLAIN);
        const struct payout_measure *m = adj ? NULL : measured(p, who, c->id);
        if (!adj)
            xs_text(sh, row, SB_DEAL, measure_name(c->measure), XS_PLAIN);
        if (m) {
            if (c->measure == MEASURE_WON_DEALS) {
                xs_number(sh, row, SB_NAME, rat_to_double(m->quota), XS_DEALS);
                xs_number(sh, row, SB_DEAL_AMOUNT, (double)m->measure, XS_INT);
            } else {
                xs_number(sh, row, SB_NAME, rat_to_double(m->quota) * xs_major(1, digits),
                          XS_MONEY);
                xs_money(sh, row, SB_DEAL_AMOUNT, m->measure, XS_MONEY);
            }
            snprintf(f, sizeof f, "=IF(%s=0,0,%s/%s)", xs_cell(c1, row, SB_NAME),
                     xs_cell(c2, row, SB_DEAL_AMOUNT), xs_cell(c3, row, SB_NAME));
            xs_formula(sh, row, SB_RATE, f, rat_to_double(m->attainment), XS_PCT);
            xs_text(sh, row, SB_HOW, m->attain.name, XS_PLAIN);
        } else if (!adj) {
            xs_text(sh, row, SB_RATE, "no quota", XS_NOTE);
        }
        const char *id = adj ? NULL : c->id;
        int64_t earned = sum_of(p, who, id, last_day);
        int64_t ytd = sum_of(r->ytd, who, id, ytd_last);
        total += earned;
        ytd_total += ytd;
        uint32_t column = refs ? report_pay_column_of(refs->k, id) : 0;
        if (refs && (adj || column != refs->k->n_columns)) {
            /* The person's rows of the Components sheet for this payout column. */
            snprintf(f, sizeof f, "=SUMIFS(%s,%s,%u,%s,%u)", refs->comp_amount, refs->comp_person,
                     refs->person_key, refs->comp_column, column);
            xs_formula_money(sh, row, SB_AMOUNT, f, earned, XS_MONEY);
        } else if (refs) {
            /* A component with no column on Payouts (only earlier in the year): nothing in the
             * period. */
            xs_money(sh, row, SB_AMOUNT, earned, XS_MONEY);
        } else if (n_lines) {
            snprintf(f, sizeof f, "=SUMIF(%s:%s,%zu,%s:%s)", k1, k2, i + 1, a1, a2);
            xs_formula_money(sh, row, SB_AMOUNT, f, earned, XS_MONEY);
        } else {
            xs_money(sh, row, SB_AMOUNT, 0, XS_MONEY);
        }
        if (r->ytd)
            xs_money(sh, row, SB_YTD, ytd, XS_MONEY);
        row++;
    }
    xs_text(sh, row, SB_DATE, "Total", XS_BOLD);
    snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, comp_first, SB_AMOUNT),
             xs_cell(c2, row - 1, SB_AMOUNT));
    xs_formula_money(sh, row, SB_AMOUNT, f, total, XS_MONEY_TOTAL);
    if (r->ytd) {
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, comp_first, SB_YTD),
                 xs_cell(c2, row - 1, SB_YTD));
        xs_formula_money(sh, row, SB_YTD, f, ytd_total, XS_MONEY_TOTAL);
    }
    row += 2;
    xs_text(sh, row++, 0, "Payout lines", XS_BOLD);

    /* The lines. */
    char h_deal[48], h_amount[48];
    snprintf(h_deal, sizeof h_deal, "Deal amount (%s)", r->s->currency);
    snprintf(h_amount, sizeof h_amount, "Amount (%s)", r->s->currency);
    const char *lhdr[SB_N] = {"Date",
                              "Component",
                              "Deal ID",
                              "Account / deal name",
                              h_deal,
                              "Rate",
                              "How it is computed",
                              h_amount,
                              NULL,
                              "Component #",
                              "Payout period #"};
    for (uint16_t c = 0; c < SB_N; c++)
        if (lhdr[c])
            xs_text(sh, row, c, lhdr[c],
                    c == SB_DEAL_AMOUNT || c == SB_RATE || c == SB_AMOUNT || c >= SB_CKEY
                        ? XS_HEADER_NUM
                        : XS_HEADER);
    xs_row_height(sh, row, 30);
    row++;
    if (row != lines_first)
        BUG("statement block layout differs from its prediction");
    if (!n_lines) {
        xs_text(sh, row, SB_HOW, "No payout lines in the period.", XS_NOTE);
        row++;
    }
    /* Each line's payout period number, from the payroll rows that hold it. */
    uint32_t *pp_of = xcalloc(n_lines ? n_lines : 1, sizeof *pp_of);
    for (uint32_t q = 0; p && who < p->n_people && q < p->person_nrows[who]; q++) {
        const struct payout_row *pr = &p->rows[p->person_row0[who] + q];
        for (size_t x = pr->line0; x < pr->line0 + pr->n_lines; x++)
            if (p->line_index[x] >= line0 && p->line_index[x] < line0 + n_lines)
                pp_of[p->line_index[x] - line0] = pr->pp;
    }
    /* In the payouts workbook, the lines the Lines sheet shows ([output] lines_rows_max): the
     * others are left out here too, so a sheet of statements never outgrows what a spreadsheet
     * opens; its amounts come from Components, which add every line. */
    size_t left_out = 0;
    int64_t left_out_amount = 0;
    for (size_t j = line0; j < line0 + n_lines; j++) {
        const struct payout_line *l = &p->lines[j];
        if (refs && (refs->ll->last < refs->ll->first ||
                     (uint64_t)refs->ll->first + j > (uint64_t)refs->ll->last)) {
            left_out++;
            left_out_amount += l->amount;
            continue;
        }
        xs_date(sh, row, SB_DATE, l->post_day, XS_DATE);
        xs_text(sh, row, SB_COMPONENT, l->component ? l->component->id : line_kind_name(l->kind),
                XS_PLAIN);
        if (l->deal != ID_NONE) {
            xs_text(sh, row, SB_DEAL, intern_str(&ds->deal_ids, ds->deals.id[l->deal]), XS_PLAIN);
            xs_text(sh, row, SB_NAME, ds->deals.name[l->deal], XS_PLAIN);
            xs_money(sh, row, SB_DEAL_AMOUNT, ds->deals.amount[l->deal], XS_MONEY);
        }
        rates_text(p, l, buf, sizeof buf);
        xs_text(sh, row, SB_RATE, buf, XS_TEXT_RIGHT);
        report_line_text(r, l, buf, sizeof buf);
        xs_text(sh, row, SB_HOW, buf, XS_CALC);
        if (refs) {
            snprintf(f, sizeof f, "=Lines!%s",
                     xs_cell(c1, refs->ll->first + (uint32_t)j, refs->ll->col_amount));
            xs_formula_money(sh, row, SB_AMOUNT, f, l->amount, XS_MONEY);
        } else {
            xs_money(sh, row, SB_AMOUNT, l->amount, XS_MONEY);
        }
        const char *lc = line_component(l);
        xs_int(sh, row, SB_CKEY, (int64_t)(lc ? comp_index(&cl, lc) : cl.n) + 1, XS_INT);
        xs_int(sh, row, SB_PPKEY, pp_of[j - line0], XS_INT);
        if (refs)
            xs_row_level(sh, row, 1);
        row++;
    }
    if (left_out) {
        char a[48];
        report_money_text(a, sizeof a, left_out_amount, digits);
        snprintf(buf, sizeof buf,
                 "%s%zu %sline%s (%s %s) %s in lines-%s.csv: the Lines sheet holds "
                 "the first %zu",
                 left_out == n_lines ? "This person's " : "", left_out,
                 left_out == n_lines ? "" : "more ", left_out == 1 ? "" : "s", a, r->s->currency,
                 left_out == 1 ? "is" : "are", r->period->name, report_lines_shown(r));
        xs_text(sh, row, SB_HOW, buf, XS_NOTE);
        xs_row_level(sh, row, 1);
        row++;
    }
    free(pp_of);
    free(cl.c);

    /* Per payout period: earned, and what payroll pays. */
    char p1[16], p2[16];
    xs_cell(p1, lines_first, SB_PPKEY);
    xs_cell(p2, lines_last, SB_PPKEY);
    for (uint32_t q = 0; p && who < p->n_people && q < p->person_nrows[who]; q++) {
        const struct payout_row *pr = &p->rows[p->person_row0[who] + q];
        const char *pp = p->periods[pr->pp - 1].name;
        snprintf(buf, sizeof buf, "Earned in %s", pp);
        xs_text(sh, row, SB_HOW, buf, XS_BOLD);
        if (refs)
            snprintf(f, sizeof f, "=SUMIFS(%s,%s,%u,%s,%u)", refs->comp_amount, refs->comp_person,
                     refs->person_key, refs->comp_pp, pr->pp);
        else
            snprintf(f, sizeof f, "=SUMIF(%s:%s,%u,%s:%s)", p1, p2, pr->pp, a1, a2);
        xs_formula_money(sh, row, SB_AMOUNT, f, pr->earned, XS_MONEY_TOTAL);
        row++;
        if (report_row_has_draw(pr)) {
            uint32_t payable_row = 0;
            row = draw_block(r, sh, row, pr, pl, &payable_row);
            if (r->paid && q + 1 == p->person_nrows[who])
                row = report_statement_paid_rows(r, sh, row, pr, payable_row, SB_HOW, SB_AMOUNT);
        } else if (r->paid) {
            row = report_statement_ledger_rows(r, sh, row, pr, pp, q + 1 == p->person_nrows[who],
                                               SB_HOW, SB_AMOUNT);
        } else if (pr->to_recover) {
            snprintf(buf, sizeof buf, "Payable in %s (never below 0.00)", pp);
            xs_text(sh, row, SB_HOW, buf, XS_BOLD);
            snprintf(f, sizeof f, "=MAX(0,%s)", xs_cell(c1, row - 1, SB_AMOUNT));
            xs_formula_money(sh, row, SB_AMOUNT, f, pr->payable, XS_MONEY_TOTAL);
            row++;
            char a[48];
            report_money_text(a, sizeof a, pr->to_recover, digits);
            snprintf(buf, sizeof buf, "To recover: %s %s (finance decides how)", a, r->s->currency);
            xs_text(sh, row++, SB_HOW, buf, XS_NOTE);
        }
        if (report_pay_fx_text(r, pr, buf, sizeof buf))
            xs_text(sh, row++, SB_HOW, buf, XS_NOTE);
    }
    return row;
}

int report_statement_xlsx(const struct report_ctx *r, uint32_t who, const char *path,
                          struct diag *d)
{
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    char buf[512];
    snprintf(buf, sizeof buf, "Statement of %s", pt->name[who]);
    struct xbook *b = report_book(r, path, "Statement", buf, d);
    if (!b)
        return -1;
    const struct plan *pl = pt->plan[who] ? plan_find(r->plans, pt->plan[who]) : NULL;

    struct xsheet *sh = xbook_add_sheet(b, "Statement");
    xs_hide_gridlines(sh);
    xs_tab_color(sh, TAB_SUMMARY);
    uint32_t row = 0;
    snprintf(buf, sizeof buf, "Statement %s — %s", r->period->name, pt->name[who]);
    xs_text(sh, row++, 0, buf, XS_TITLE);
    xs_text(sh, row++, 0,
            r->paid ? "Earned amounts are recomputed from the source data of this run. Periods "
                      "already paid are never changed: a correction to them is a line of this "
                      "period that says what was paid and what it is now. Each line is rounded "
                      "half away from zero to the cent."
                    : "Earned amounts are recomputed from the source data of this run; what was "
                      "paid is on your payslip. Each line is rounded half away from zero to the "
                      "cent.",
            XS_NOTE);
    row++;
    report_label_date(sh, row++, "As of", r->as_of_day);
    char first[16], last[16];
    date_format_day(first, sizeof first, r->period->first_day);
    date_format_day(last, sizeof last, r->period->last_day);
    snprintf(buf, sizeof buf, "%s (%s to %s)", r->period->name, first, last);
    report_label_value(sh, row++, "Period", buf);
    report_label_value(sh, row++, "Currency", r->s->currency);
    row++;
    /* The block's lines header repeats on every printed page of a long statement: the block
     * starts with a heading (2 rows), the component header and rows (components, Adjustments,
     * Total), a blank row and the caption. */
    uint32_t block = row;
    row = report_statement_block(r, sh, row, who, NULL);
    struct comp_list cl;
    statement_components(r, who, &cl);
    uint32_t lines_header = block + 2 + 1 + (uint32_t)cl.n + 2 + 2;
    xs_print_titles(sh, lines_header, lines_header);
    free(cl.c);

    if (pl)
        report_plans_sheet(r, b, pl);

    /* A short run block: what produced this statement, nothing about anyone else. */
    struct xsheet *run = xbook_add_sheet(b, "Run");
    xs_tab_color(run, TAB_RUN);
    row = 0;
    xs_text(run, row++, 0, "Run", XS_TITLE);
    report_label_value(run, row++, "Tool", "sametable " SAMETABLE_VERSION);
    report_label_value(run, row++, "Period", r->period->name);
    report_label_date(run, row++, "As of", r->as_of_day);
    report_label_value(run, row++, "Business time zone", r->s->timezone);
    report_label_value(run, row++, "Reporting currency", r->s->currency);
    report_label_value(run, row++, "Year to date",
                       "recomputed from the source data over the year up to the period's end");
    return xbook_close(b, d);
}

bool report_statement_wanted(const struct report_ctx *r, uint32_t who)
{
    const struct person_table *pt = &r->ds->people;
    /* Exactly the people payroll has a row for: on a plan, employed in a payout period of the
     * run or reached by one of its lines (a leaver's clawback), and whose payout period ends in
     * the run. */
    return who < pt->n && pt->name[who] && pt->plan[who] && r->p && who < r->p->n_people &&
           r->p->person_nrows[who] > 0;
}

/* A person ID as a file name: letters, digits, '-', '_' and '.' kept, anything else '_', no
 * leading '.', never empty. */
static char *file_safe(const char *id)
{
    size_t n = strlen(id);
    char *s = xmalloc(n + 2);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || (c == '.' && o > 0);
        s[o++] = ok ? c : '_';
    }
    if (o == 0)
        s[o++] = '_';
    s[o] = '\0';
    return s;
}

static const char *const *sort_names;
static const uint64_t *sort_lines;
/* By file name ignoring case, then by people-file line: colliding IDs sit side by side, the
 * earlier line first. */
static int cmp_name_nocase(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    const char *x = sort_names[i], *y = sort_names[j];
    int c = ascii_casecmp_n(x, strlen(x), y, strlen(y));
    return c ? c : (sort_lines[i] > sort_lines[j]) - (sort_lines[i] < sort_lines[j]);
}

char **report_statement_names(const struct report_ctx *r, struct diag *d)
{
    const struct dataset *ds = r->ds;
    uint32_t n = ds->people.n;
    char **names = xcalloc(n ? n : 1, sizeof *names);
    uint32_t *order = xcalloc(n ? n : 1, sizeof *order);
    uint32_t m = 0;
    for (uint32_t id = 0; id < n; id++) {
        if (!report_statement_wanted(r, id))
            continue;
        names[id] = file_safe(intern_str(&ds->people_ids, id));
        order[m++] = id;
    }
    sort_names = (const char *const *)names;
    sort_lines = ds->people.line;
    qsort(order, m, sizeof *order, cmp_name_nocase);
    int rc = 0;
    for (uint32_t i = 1; i < m; i++) {
        const char *a = names[order[i - 1]], *b = names[order[i]];
        if (ascii_casecmp_n(a, strlen(a), b, strlen(b)) == 0) {
            diag_error(d, ds->files[INPUT_PEOPLE].display, ds->people.line[order[i]],
                       "person IDs '%s' (line %llu) and '%s' would write the same statement "
                       "file '%s.xlsx' (file names ignore case and keep only letters, digits, "
                       "'-', '_' and '.'); give them distinct IDs or turn statements off",
                       intern_str(&ds->people_ids, order[i - 1]),
                       (unsigned long long)ds->people.line[order[i - 1]],
                       intern_str(&ds->people_ids, order[i]), b);
            rc = -1;
        }
    }
    free(order);
    if (rc) {
        for (uint32_t id = 0; id < n; id++)
            free(names[id]);
        free(names);
        return NULL;
    }
    return names;
}
