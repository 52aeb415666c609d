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

void report_recover_share_text(const struct report_ctx *r, uint32_t person, char *buf, size_t size)
{
    const char *pid = r->ds->people.plan[person];
    const struct plan *pl = pid ? plan_find(r->plans, pid) : NULL;
    struct decimal share = {1, 0};
    if (pl)
        share = plan_version_on(pl, r->period->last_day)->recover_share;
    decimal_format(buf, size, share);
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

void report_adjustments_sheet(const struct report_ctx *r, struct xbook *b)
{
    if (!r->settle || !r->p)
        return;
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
    for (size_t i = 0; i < r->paid->n_periods && o < sizeof buf; i++) {
        const struct ledger_period *c = &r->paid->periods[i];
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s (%s%s)", i ? ", " : "", c->name,
                              c->baseline ? "baseline" : "run ", c->baseline ? "" : c->run_id);
    }
    report_label_value(sh, ++row, "Ledger", r->s->ledger_path);
    report_label_value(sh, ++row, "Closed periods", o ? buf : "none yet");
    row += 2;

    static const char *const hdr[] = {"Person ID",  "Name",    "Payout period",       "Entry",
                                      "Component",  "Deal ID", "About payout period", NULL,
                                      "Explanation"};
    uint32_t header = row;
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
    xs_text(sh, row, 0, "Total", XS_BOLD);
    if (row > first) {
        snprintf(f, sizeof f, "=SUBTOTAL(9,%s:%s)", xs_cell(c1, first, AC_AMOUNT),
                 xs_cell(c2, row - 1, AC_AMOUNT));
        xs_formula_money(sh, row, AC_AMOUNT, f, total, XS_MONEY_TOTAL);
    } else {
        xs_money(sh, row, AC_AMOUNT, 0, XS_MONEY_TOTAL);
    }
    row += 3;

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
    xs_row_height(sh, row, 30);
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
