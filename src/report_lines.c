/* report_lines.c — payout lines as a workbook sheet and as plain text (`sametable explain`).
 *
 * Both show the same trail a reviewer needs to rebuild a line: payee, component, deal, the
 * measure around the deal, quota or goal with proration days, attainment, tier slices
 * (amount × rate, unrounded), the exact sum, the rounding, and what gates and caps did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_internal.h"
#include "util.h"
#include "xlsxout.h"

static void fmt_rat_money(char *buf, size_t n, struct rat v, int digits)
{
    /* minor units -> major, with up to 6 more digits so unrounded slices show exactly */
    struct rat major = v;
    for (int i = 0; i < digits; i++)
        major = rat_div(major, rat_int64(10));
    rat_format(buf, n, major, digits + 6);
}

static void fmt_pct(char *buf, size_t n, struct rat v)
{
    rat_format(buf, n, rat_mul(v, rat_int64(100)), 6);
    size_t len = strlen(buf);
    snprintf(buf + len, n - len, "%%");
}

/* "7,500.00 × 6% + 12,500.00 × 8%" */
size_t report_line_slices(const struct report_ctx *r, const struct payout_line *l, char *buf,
                          size_t size)
{
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < l->n_slices && o < size; i++) {
        const struct slice *s = &r->p->slices[l->slice0 + i];
        char a[64], b[64];
        fmt_rat_money(a, sizeof a, s->amount, r->s->currency_digits);
        fmt_pct(b, sizeof b, s->rate);
        o += (size_t)snprintf(buf + o, size - o, "%s%s × %s%s", i ? " + " : "", a, b,
                              s->kind == SLICE_CATCHUP   ? " (catch-up)"
                              : s->kind == SLICE_REVERSE ? " (already paid)"
                                                         : "");
    }
    return o;
}

static const char *version_text(const struct payout_line *l, char *buf, size_t n)
{
    if (!l->version || l->version->from_day == DAY_NONE)
        return "base";
    date_format_day(buf, n, l->version->from_day);
    return buf;
}

static const char *deal_text(const struct report_ctx *r, const struct payout_line *l)
{
    return l->deal == ID_NONE ? "" : intern_str(&r->ds->deal_ids, r->ds->deals.id[l->deal]);
}

void report_lines_sheet(const struct report_ctx *r, struct xbook *b)
{
    const struct payouts *p = r->p;
    const struct dataset *ds = r->ds;
    int digits = r->s->currency_digits;
    struct xsheet *sh = xbook_add_sheet(b, "Lines");
    xs_tab_color(sh, TAB_DETAIL);
    static const char *const hdr[] = {
        "Person ID",   "Name",           "Plan",          "Version",       "Component",
        "Type",        "Line",           "Deal ID",       "Posted",        "Attainment period",
        "Credit",      "Measure before", "Measure after", "Quota or goal", "Attainment",
        "Active days", "Period days",    "Slices",        "Exact",         "Rounded",
        "Caps",        "Amount",         "Note"};
    for (uint16_t c = 0; c < ARRAY_LEN(hdr); c++)
        xs_text(sh, 0, c, hdr[c], XS_HEADER);
    xs_col_width(sh, 0, 1, 18);
    xs_col_width(sh, 2, 9, 13);
    xs_col_width(sh, 10, 16, 14);
    xs_col_width(sh, 17, 17, 48);
    xs_col_width(sh, 18, 21, 14);
    xs_col_width(sh, 22, 22, 60);
    char buf[1024], vb[16];
    uint32_t row = 1;
    for (size_t i = 0; i < p->n_lines; i++, row++) {
        const struct payout_line *l = &p->lines[i];
        xs_text(sh, row, 0, intern_str(&ds->people_ids, l->person), XS_PLAIN);
        xs_text(sh, row, 1, ds->people.name[l->person], XS_PLAIN);
        xs_text(sh, row, 2, l->plan->id, XS_PLAIN);
        xs_text(sh, row, 3, version_text(l, vb, sizeof vb), XS_PLAIN);
        xs_text(sh, row, 4, l->component ? l->component->id : "", XS_PLAIN);
        xs_text(sh, row, 5, l->component ? component_type_name(l->component->type) : "", XS_PLAIN);
        xs_text(sh, row, 6, line_kind_name(l->kind), XS_PLAIN);
        xs_text(sh, row, 7, deal_text(r, l), XS_PLAIN);
        xs_date(sh, row, 8, l->post_day, XS_DATE);
        xs_text(sh, row, 9, l->attain.name, XS_PLAIN);
        xs_money(sh, row, 10, l->credit, XS_MONEY);
        xs_money(sh, row, 11, l->before, XS_MONEY);
        xs_money(sh, row, 12, l->after, XS_MONEY);
        xs_number(sh, row, 13, rat_to_double(l->quota) * xs_major(1, digits), XS_MONEY);
        xs_number(sh, row, 14, rat_to_double(l->attainment), XS_PCT);
        xs_int(sh, row, 15, l->active_days, XS_INT);
        xs_int(sh, row, 16, l->period_days, XS_INT);
        report_line_slices(r, l, buf, sizeof buf);
        xs_text(sh, row, 17, buf, XS_PLAIN);
        xs_number(sh, row, 18, rat_to_double(l->raw) * xs_major(1, digits), XS_MONEY);
        xs_money(sh, row, 19, l->rounded, XS_MONEY);
        xs_money(sh, row, 20, l->capped, XS_MONEY);
        xs_money(sh, row, 21, l->amount, XS_MONEY);
        xs_text(sh, row, 22, l->note, XS_PLAIN);
    }
    char f[64], c1[16], c2[16];
    xs_text(sh, row, 0, "Total", XS_BOLD);
    if (p->n_lines) {
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, 21), xs_cell(c2, row - 1, 21));
        xs_formula_money(sh, row, 21, f, p->total, XS_MONEY_TOTAL);
    } else {
        xs_money(sh, row, 21, 0, XS_MONEY_TOTAL);
    }
    xs_freeze(sh, 1, 2);
    xs_autofilter(sh, 0, 0, row > 1 ? row - 1 : 1, (uint16_t)(ARRAY_LEN(hdr) - 1));
}

static void explain_line(const struct report_ctx *r, const struct payout_line *l, FILE *fp)
{
    int digits = r->s->currency_digits;
    char a[64], b[64], c[64], q[64], day[16], buf[1024];
    date_format_day(day, sizeof day, l->post_day);
    fprintf(fp, "  %s  %s", day, l->component ? l->component->id : "(plan)");
    if (l->deal != ID_NONE)
        fprintf(fp, " deal %s", deal_text(r, l));
    if (l->kind != LINE_DEAL)
        fprintf(fp, " (%s)", line_kind_name(l->kind));
    fprintf(fp, " [%s, version %s]\n", l->attain.name, version_text(l, c, sizeof c));
    if (l->component && l->kind != LINE_PAYEE_CAP && l->component->type != COMP_SPIF) {
        money_format(a, sizeof a, l->credit, digits);
        fprintf(fp, "      %s credit %s", measure_name(l->component->measure), a);
        if (l->kind == LINE_DEAL && l->component->basis == BASIS_PERIOD_TO_DATE) {
            money_format(b, sizeof b, l->before, digits);
            money_format(c, sizeof c, l->after, digits);
            fprintf(fp, "; period to date %s -> %s", b, c);
        }
        fputc('\n', fp);
        if (!rat_is_zero(l->quota)) {
            fmt_rat_money(q, sizeof q, l->quota, digits);
            fmt_pct(b, sizeof b, l->attainment);
            fprintf(fp, "      quota/goal %s (active %d of %d days), attainment %s\n", q,
                    l->active_days, l->period_days, b);
        }
    }
    if (l->n_slices) {
        report_line_slices(r, l, buf, sizeof buf);
        fprintf(fp, "      slices %s\n", buf);
    }
    fmt_rat_money(a, sizeof a, l->raw, digits);
    money_format(b, sizeof b, l->rounded, digits);
    money_format(c, sizeof c, l->amount, digits);
    fprintf(fp, "      exact %s -> rounded %s", a, b);
    if (l->capped) {
        money_format(q, sizeof q, l->capped, digits);
        fprintf(fp, ", caps %s", q);
    }
    fprintf(fp, " => pays %s\n", c);
    if (l->note[0])
        fprintf(fp, "      note: %s\n", l->note);
}

int report_explain(const struct report_ctx *r, const char *person, const char *deal, FILE *fp)
{
    const struct dataset *ds = r->ds;
    const struct payouts *p = r->p;
    int digits = r->s->currency_digits;
    uint32_t who = ID_NONE, drow = ID_NONE;
    if (person) {
        who = intern_find(&ds->people_ids, person, strlen(person));
        if (who == ID_NONE || !ds->people.name[who])
            return -1;
        const char *plan = ds->people.plan[who];
        fprintf(fp, "%s %s (%s, %s), plan %s, payout period %s\n", person, ds->people.name[who],
                ds->people.team[who] == ID_NONE ? "" : intern_str(&ds->teams, ds->people.team[who]),
                ds->people.role[who], plan ? plan : "(none)", r->period->name);
    } else {
        uint32_t id = intern_find(&ds->deal_ids, deal, strlen(deal));
        for (uint32_t k = 0; id != ID_NONE && k < ds->deals.n; k++)
            if (ds->deals.id[k] == id)
                drow = k;
        if (drow == ID_NONE)
            return -1;
        char amt[48], day[16];
        money_format(amt, sizeof amt, ds->deals.amount[drow], digits);
        date_format_day(day, sizeof day, ds->deals.close_day[drow]);
        fprintf(fp, "deal %s: %s %s closed %s, owner %s; lines in payout period %s\n", deal, amt,
                r->s->currency, day, intern_str(&ds->people_ids, ds->deals.owner[drow]),
                r->period->name);
    }
    int64_t total = 0;
    uint32_t last = ID_NONE;
    size_t n = 0;
    for (size_t i = 0; i < p->n_lines; i++) {
        const struct payout_line *l = &p->lines[i];
        if ((who != ID_NONE && l->person != who) || (drow != ID_NONE && l->deal != drow))
            continue;
        if (drow != ID_NONE && l->person != last) {
            fprintf(fp, "%s %s:\n", intern_str(&ds->people_ids, l->person),
                    ds->people.name[l->person]);
            last = l->person;
        }
        explain_line(r, l, fp);
        total += l->amount;
        n++;
    }
    char t[48];
    money_format(t, sizeof t, total, digits);
    fprintf(fp, "%zu lines, total %s %s\n", n, t, r->s->currency);
    return 0;
}
