/* report_ledger.c — the payouts workbook's Adjustments sheet: what the ledger changed this run. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "ledger.h"
#include "money.h"
#include "report_internal.h"
#include "settle.h"
#include "util.h"

struct decimal report_recover_share(const struct report_ctx *r, uint32_t person)
{
    const char *pid = r->ds->people.plan[person];
    const struct plan *pl = pid ? plan_find(r->plans, pid) : NULL;
    return pl ? plan_version_on(pl, r->period->last_day)->recover_share : (struct decimal){1, 0};
}

size_t report_percent_text(char *buf, size_t size, struct decimal fraction)
{
    /* exactly: the fraction's digits with the point two places on ("0.125" → "12.5") */
    fraction.units *= 100;
    size_t n = decimal_format(buf, size, fraction);
    if (n + 1 < size) {
        buf[n++] = '%';
        buf[n] = 0;
    }
    return n;
}

bool report_row_has_draw(const struct payout_row *row)
{
    return row->draw || row->draw_in || row->draw_paid || row->draw_recovered ||
           row->draw_forgiven || row->draw_out;
}

bool report_any_draw(const struct payouts *p)
{
    for (size_t i = 0; p && i < p->n_rows; i++)
        if (report_row_has_draw(&p->rows[i]))
            return true;
    return false;
}

bool report_line_is_ledger(const struct payout_line *l)
{
    return l->kind == LINE_TRUEUP || l->kind == LINE_UNCLOSED || l->kind == LINE_LATE_CLAWBACK ||
           l->kind == LINE_MANUAL || (l->kind == LINE_CLAWBACK && strstr(l->note, "(ledger)"));
}

static const char *entry_text(const struct payout_line *l)
{
    switch (l->kind) {
    case LINE_TRUEUP:
        return "true-up";
    case LINE_UNCLOSED:
        return "not closed yet";
    case LINE_LATE_CLAWBACK:
        return "late clawback";
    case LINE_MANUAL:
        return "manual adjustment";
    case LINE_CLAWBACK:
        return "clawback of what was paid";
    default:
        return line_kind_name(l->kind);
    }
}

enum {
    AC_PERSON,
    AC_NAME,
    AC_PERIOD,
    AC_ENTRY,
    AC_COMPONENT,
    AC_DEAL,
    AC_ABOUT,
    AC_AMOUNT,
    AC_WHY
};

/* Paid in closed periods of the plan year holding the run's period, per person: from the
 * ledger's posted rows. */
static int64_t paid_in_year(const struct report_ctx *r, const char *person)
{
    struct period year;
    period_containing(PERIOD_YEAR, r->period->last_day, &year);
    int64_t sum = 0;
    for (size_t i = 0; i < r->paid->n_rows; i++) {
        const struct ledger_paid_row *w = &r->paid->rows[i];
        if (w->first_day >= year.first_day && w->first_day <= year.last_day &&
            strcmp(w->person, person) == 0)
            sum += w->payable;
    }
    return sum;
}

/* With the ledger, under "Earned in <period>" (the row above `row`): the balance owed carried in
 * and what this payout recovers of it, what payroll pays, the balance carried out, and on the
 * person's last payout period what closed periods paid in the year. Returns the next row. */
uint32_t report_statement_ledger_rows(const struct report_ctx *r, struct xsheet *sh, uint32_t row,
                                      const struct payout_row *pr, const char *pp, bool last,
                                      uint16_t how, uint16_t amt)
{
    char buf[160], f[256], c1[20], c2[20], c3[20], share[48];
    int digits = r->s->currency_digits;
    uint32_t earned = row - 1, bal = 0, rec = 0;
    bool owed = pr->balance_in || pr->balance_out || pr->forgiven;
    if (owed) {
        bal = row;
        xs_text(sh, row, how, "Balance owed, carried in from closed periods", XS_PLAIN);
        xs_money(sh, row++, amt, pr->balance_in, XS_MONEY);
        rec = row;
        struct decimal rs = report_recover_share(r, pr->person);
        decimal_format(share, sizeof share, rs);
        char pc[48];
        report_percent_text(pc, sizeof pc, rs);
        snprintf(buf, sizeof buf, "Recovered from this payout (recover_share %s of what it earned)",
                 pc);
        xs_text(sh, row, how, buf, XS_PLAIN);
        snprintf(f, sizeof f, "=MIN(%s,ROUND(MAX(0,%s)*%s,%d))", xs_cell(c1, bal, amt),
                 xs_cell(c2, earned, amt), share, digits);
        xs_formula_money(sh, row++, amt, f, pr->recovered, XS_MONEY);
    }
    uint32_t payable = row;
    snprintf(buf, sizeof buf, "Payable in %s (never below 0.00)", pp);
    xs_text(sh, row, how, buf, XS_BOLD);
    if (owed)
        snprintf(f, sizeof f, "=MAX(0,%s-%s)", xs_cell(c1, earned, amt), xs_cell(c2, rec, amt));
    else
        snprintf(f, sizeof f, "=MAX(0,%s)", xs_cell(c1, earned, amt));
    xs_formula_money(sh, row++, amt, f, pr->payable, XS_MONEY_TOTAL);
    if (owed) {
        xs_text(sh, row, how,
                pr->forgiven ? "Balance owed, carried out (after what is forgiven on leaving)"
                             : "Balance owed, carried out: recovered from later payouts",
                XS_PLAIN);
        char fg[48] = "";
        if (pr->forgiven)
            money_format(fg, sizeof fg, pr->forgiven, digits);
        snprintf(f, sizeof f, "=%s-%s+MAX(0,-%s)%s%s", xs_cell(c1, bal, amt), xs_cell(c2, rec, amt),
                 xs_cell(c3, earned, amt), pr->forgiven ? "-" : "", fg);
        xs_formula_money(sh, row++, amt, f, pr->balance_out, XS_MONEY);
    }
    if (last && r->paid)
        row = report_statement_paid_rows(r, sh, row, pr, payable, how, amt);
    return row;
}

uint32_t report_statement_paid_rows(const struct report_ctx *r, struct xsheet *sh, uint32_t row,
                                    const struct payout_row *pr, uint32_t payable, uint16_t how,
                                    uint16_t amt)
{
    char buf[160], f[128], c1[20], c2[20];
    struct period year;
    period_containing(PERIOD_YEAR, r->period->last_day, &year);
    int64_t paid = paid_in_year(r, intern_str(&r->ds->people_ids, pr->person));
    uint32_t paid_row = row;
    snprintf(buf, sizeof buf, "Paid in %s to date (closed periods, from the ledger)", year.name);
    xs_text(sh, row, how, buf, XS_PLAIN);
    xs_money(sh, row++, amt, paid, XS_MONEY);
    snprintf(buf, sizeof buf, "%s to date with this payout", year.name);
    xs_text(sh, row, how, buf, XS_BOLD);
    snprintf(f, sizeof f, "=%s+%s", xs_cell(c1, paid_row, amt), xs_cell(c2, payable, amt));
    xs_formula_money(sh, row++, amt, f, paid + pr->payable, XS_MONEY_TOTAL);
    return row;
}

void report_adjustments_sheet(const struct report_ctx *r, struct xbook *b)
{
    if (!r->settle || !r->p || (!r->paid && !r->settle->n_extras))
        return; /* neither a ledger nor manual adjustments */
    const struct payouts *p = r->p;
    const struct dataset *ds = r->ds;
    const char *cur = r->s->currency;
    struct xsheet *sh = xbook_add_sheet(b, "Adjustments");
    xs_tab_color(sh, TAB_DETAIL);
    char buf[1024], h[96], f[256], c1[20], c2[20];
    uint32_t row = 0;
    snprintf(buf, sizeof buf, "Ledger adjustments %s", r->period->name);
    xs_text(sh, row++, 0, buf, XS_TITLE);
    xs_text(sh, row++, 0,
            "Closed periods are never edited: what changed since a period was closed (an amount "
            "edited, a late deal, a cancellation, a tier reached later) is one line here, in the "
            "open period, naming its deal and period with the amount paid and the amount now. "
            "These lines are in each person's Adjustments column on Components and Payouts.",
            XS_NOTE);
    /* Which periods are closed. */
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; r->paid && i < r->paid->n_periods && o < sizeof buf; i++) {
        const struct ledger_period *c = &r->paid->periods[i];
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s (%s%s)", i ? ", " : "", c->name,
                              c->baseline ? "baseline" : "run ", c->baseline ? "" : c->run_id);
    }
    if (r->paid) {
        report_label_value(sh, ++row, "Ledger", r->s->ledger_path);
        report_label_value(sh, ++row, "Closed periods", o ? buf : "none yet");
    } else {
        report_label_value(sh, ++row, "Ledger",
                           "none ([ledger] path not set): manual adjustments are paid in the run "
                           "whose period holds theirs, and nothing remembers what was paid");
    }
    row += 2;

    static const char *const hdr[] = {"Person ID",  "Name",    "Payout period",       "Entry",
                                      "Component",  "Deal ID", "About payout period", NULL,
                                      "Explanation"};
    uint32_t header = row;
    xs_row_height(sh, header, 30); /* "About payout period" wraps onto two lines */
    for (uint16_t c = 0; c < ARRAY_LEN(hdr); c++) {
        if (c == AC_AMOUNT) {
            snprintf(h, sizeof h, "Amount (%s)", cur);
            xs_text(sh, header, c, h, XS_HEADER_NUM);
        } else {
            xs_text(sh, header, c, hdr[c], XS_HEADER);
        }
    }
    row++;
    uint32_t first = row;
    int64_t total = 0;
    for (size_t i = 0; i < p->n_rows; i++) {
        const struct payout_row *pr = &p->rows[i];
        for (size_t j = pr->line0; j < pr->line0 + pr->n_lines; j++) {
            const struct payout_line *l = &p->lines[p->line_index[j]];
            if (!report_line_is_ledger(l))
                continue;
            xs_text(sh, row, AC_PERSON, intern_str(&ds->people_ids, pr->person), XS_PLAIN);
            xs_text(sh, row, AC_NAME, ds->people.name[pr->person], XS_PLAIN);
            xs_text(sh, row, AC_PERIOD, p->periods[pr->pp - 1].name, XS_PLAIN);
            xs_text(sh, row, AC_ENTRY, entry_text(l), XS_PLAIN);
            xs_text(sh, row, AC_COMPONENT, l->component ? l->component->id : "", XS_PLAIN);
            xs_text(sh, row, AC_DEAL,
                    l->deal == ID_NONE ? "" : intern_str(&ds->deal_ids, ds->deals.id[l->deal]),
                    XS_PLAIN);
            if (l->about_day) {
                struct period q;
                settle_payout_period(l->plan, r->period, l->about_day, &q);
                xs_text(sh, row, AC_ABOUT, q.name, XS_PLAIN);
            }
            xs_money(sh, row, AC_AMOUNT, l->amount, XS_MONEY);
            xs_text(sh, row, AC_WHY, l->note, XS_PLAIN);
            total += l->amount;
            row++;
        }
    }
    if (row == first)
        xs_text(sh, row++, 0, "No adjustments: every closed period recomputes to what was paid.",
                XS_NOTE);
    uint32_t total_row = row;
    xs_text(sh, row, 0, "Total", XS_BOLD);
    if (row > first) {
        snprintf(f, sizeof f, "=SUBTOTAL(9,%s:%s)", xs_cell(c1, first, AC_AMOUNT),
                 xs_cell(c2, row - 1, AC_AMOUNT));
        xs_formula_money(sh, row, AC_AMOUNT, f, total, XS_MONEY_TOTAL);
    } else {
        xs_money(sh, row, AC_AMOUNT, 0, XS_MONEY_TOTAL);
    }
    row = total_row + 3;
    if (r->settle->n_notices) {
        xs_text(sh, row++, 0, "Seen and not paid", XS_BOLD);
        for (size_t i = 0; i < r->settle->n_notices; i++)
            xs_text(sh, row++, 0, r->settle->notices[i], XS_PLAIN);
        row += 2;
    }
    if (!r->paid) {
        xs_col_width(sh, 0, 0, 14);
        xs_col_width(sh, 1, 1, 20);
        xs_col_width(sh, 2, 7, 14);
        xs_col_width(sh, 8, 8, 90);
        return;
    }

    /* Balances and paid to date, per payroll row that has any. */
    xs_text(sh, row++, 0, "Balances and paid to date", XS_BOLD);
    xs_text(sh, row++, 0,
            "Balance owed: what payout periods netting below 0.00 left, recovered from later "
            "payouts (recover_share of each; forgive_on_leave). Paid in the year: payable of the "
            "closed periods of the plan year, from the ledger. Draw: the recoverable draw balance "
            "carried in from the ledger, what draws paid and recovered over the run's payout "
            "periods, and the balance carried out (in − … = out, less anything forgiven).",
            XS_NOTE);
    static const char *const bh[] = {"Person ID",
                                     "Name",
                                     "Payout period",
                                     "Carried in",
                                     "Recovered",
                                     "Carried out",
                                     "Forgiven",
                                     "Payable now",
                                     "Paid in the year (closed)",
                                     "Year to date with this payout",
                                     "Draw carried in",
                                     "Draw paid",
                                     "Draw recovered",
                                     "Draw forgiven",
                                     "Draw carried out"};
    for (uint16_t c = 0; c < ARRAY_LEN(bh); c++) {
        if (c >= 3) {
            snprintf(h, sizeof h, "%s (%s)", bh[c], cur);
            xs_text(sh, row, c, h, XS_HEADER_NUM);
        } else {
            xs_text(sh, row, c, bh[c], XS_HEADER);
        }
    }
    xs_row_height(sh, row, 45); /* "Year to date with this payout (USD)" takes three lines */
    row++;
    for (size_t i = 0; i < p->n_rows; i++) {
        const struct payout_row *pr = &p->rows[i];
        bool last = i + 1 == p->n_rows || p->rows[i + 1].person != pr->person;
        if (!last)
            continue; /* one row per person: their last payout period (where balances sit) */
        const char *pid = intern_str(&ds->people_ids, pr->person);
        int64_t paid = paid_in_year(r, pid);
        xs_text(sh, row, 0, pid, XS_PLAIN);
        xs_text(sh, row, 1, ds->people.name[pr->person], XS_PLAIN);
        xs_text(sh, row, 2, p->periods[pr->pp - 1].name, XS_PLAIN);
        xs_money(sh, row, 3, pr->balance_in, XS_MONEY);
        xs_money(sh, row, 4, pr->recovered, XS_MONEY);
        xs_money(sh, row, 5, pr->balance_out, XS_MONEY);
        xs_money(sh, row, 6, pr->forgiven, XS_MONEY);
        int64_t now = 0;
        for (size_t q = r->p->person_row0[pr->person];
             q < r->p->person_row0[pr->person] + r->p->person_nrows[pr->person]; q++)
            now += r->p->rows[q].payable;
        xs_money(sh, row, 7, now, XS_MONEY);
        xs_money(sh, row, 8, paid, XS_MONEY);
        snprintf(f, sizeof f, "=%s+%s", xs_cell(c1, row, 7), xs_cell(c2, row, 8));
        xs_formula_money(sh, row, 9, f, now + paid, XS_MONEY);
        /* the draw over the person's rows of the run: in on the first, out on the last */
        size_t q0 = r->p->person_row0[pr->person], qn = r->p->person_nrows[pr->person];
        int64_t dpaid = 0, drec = 0, dfor = 0;
        for (size_t q = q0; q < q0 + qn; q++) {
            dpaid += r->p->rows[q].draw_paid;
            drec += r->p->rows[q].draw_recovered;
            dfor += r->p->rows[q].draw_forgiven;
        }
        xs_money(sh, row, 10, r->p->rows[q0].draw_in, XS_MONEY);
        xs_money(sh, row, 11, dpaid, XS_MONEY);
        xs_money(sh, row, 12, drec, XS_MONEY);
        xs_money(sh, row, 13, dfor, XS_MONEY);
        xs_money(sh, row, 14, pr->draw_out, XS_MONEY);
        row++;
    }
    xs_col_width(sh, 0, 0, 14);
    xs_col_width(sh, 1, 1, 20);
    xs_col_width(sh, 2, 7, 14);
    xs_col_width(sh, 8, 8, 90);
    xs_col_width(sh, 9, 14, 14);
    xs_freeze(sh, header + 1, 2);
}
