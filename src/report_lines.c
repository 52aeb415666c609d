/* report_lines.c — payout lines as a workbook sheet and as plain text (`sametable explain`).
 *
 * Both show the same trail a reviewer needs to rebuild a line: payee, component, deal, the
 * measure around the deal, quota or goal with proration days, attainment, tier slices
 * (amount × rate, unrounded), the exact sum, the rounding, and what gates and caps did; the
 * calculation text itself comes from report_calc.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "incent.h"
#include "report.h"
#include "report_internal.h"
#include "util.h"
#include "xlsxout.h"

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

uint32_t report_pay_column_of(const struct pay_keys *k, const char *component)
{
    for (uint32_t i = 0; component && i + 1 < k->n_columns; i++)
        if (strcmp(k->columns[i], component) == 0)
            return i + 1;
    return k->n_columns; /* adjustments: clawbacks, carried excess, payee caps */
}

uint32_t report_pay_column(const struct pay_keys *k, const struct payout_line *l)
{
    if (l->component && (l->kind == LINE_DEAL || l->kind == LINE_PERIOD || l->kind == LINE_POOL ||
                         l->kind == LINE_COLLECTION))
        for (uint32_t i = 0; i + 1 < k->n_columns; i++)
            if (strcmp(k->columns[i], l->component->id) == 0)
                return i + 1;
    return k->n_columns; /* adjustments: clawbacks, carried excess, payee caps */
}

/* Columns of the Lines sheet before the slices. */
enum {
    LC_PERSON,
    LC_NAME,
    LC_PLAN,
    LC_VERSION,
    LC_COMPONENT,
    LC_TYPE,
    LC_LINE,
    LC_DEAL,
    LC_POSTED,
    LC_PERIOD,
    LC_CREDIT,
    LC_BEFORE,
    LC_AFTER,
    LC_QUOTA_STATED,
    LC_TARGET_STATED,
    LC_SHARE,
    LC_ACTIVE,
    LC_DAYS,
    LC_QUOTA,
    LC_TARGET,
    LC_ATTAIN,
    LC_SLICES /* amount, rate, pay per slice; then weight, exact, rounded, caps, amount, keys */
};

/* ROUND(x, digits) as a spreadsheet computes it: snap to 15 significant digits (what Excel and
 * LibreOffice show and round), then half away from zero. *ambiguous: the double is within a
 * hair of a half, where another spreadsheet might round the other way. */
static int64_t sheet_round(double x, int digits, bool *ambiguous)
{
    double scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    char buf[64];
    snprintf(buf, sizeof buf, "%.15g", x * scale);
    double y = strtod(buf, NULL);
    double a = y < 0 ? -y : y;
    double fl = (double)(int64_t)a, frac = a - fl;
    *ambiguous = frac > 0.5 - 1e-7 && frac < 0.5 + 1e-7 && frac != 0.5;
    int64_t r = (int64_t)fl + (frac >= 0.5 ? 1 : 0);
    return y < 0 ? -r : r;
}

static double rat_major(struct rat v, int digits)
{
    double d = rat_to_double(v);
    for (int i = 0; i < digits; i++)
        d /= 10;
    return d;
}

static void stated(struct xsheet *sh, uint32_t row, uint16_t col, int64_t v)
{
    if (v != QUOTA_NONE)
        xs_money(sh, row, col, v, XS_MONEY);
}

static size_t slice_columns(const struct payouts *p)
{
    size_t ns = 1; /* as many as the longest line needs, at least one */
    for (size_t i = 0; i < p->n_lines; i++)
        if (p->lines[i].n_slices > ns)
            ns = p->lines[i].n_slices;
    return ns;
}

#define LINES_HEADER_ROW 3

size_t report_lines_shown(const struct report_ctx *r)
{
    size_t cap = r->s->lines_rows_max > 0 ? (size_t)r->s->lines_rows_max : 0;
    return r->p->n_lines < cap ? r->p->n_lines : cap;
}

void report_lines_layout(const struct report_ctx *r, struct lines_layout *out)
{
    uint16_t c_weight = (uint16_t)(LC_SLICES + 3 * slice_columns(r->p));
    out->first = LINES_HEADER_ROW + 1;
    out->last = out->first + (uint32_t)report_lines_shown(r) - 1;
    out->col_amount = c_weight + 4;
    out->col_person_key = c_weight + 5;
    out->col_column_key = c_weight + 6;
    out->col_period_key = c_weight + 10; /* after Note and the deal's original amount, currency */
}

void report_lines_sheet(const struct report_ctx *r, struct xbook *b, const struct pay_keys *k,
                        struct lines_layout *out)
{
    const struct payouts *p = r->p;
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    int digits = r->s->currency_digits;
    struct xsheet *sh = xbook_add_sheet(b, "Lines");
    xs_tab_color(sh, TAB_DETAIL);
    xs_in_row_order(sh); /* the biggest sheet streams first: every write below goes down */

    size_t ns = slice_columns(p);
    const uint16_t c_weight = (uint16_t)(LC_SLICES + 3 * ns), c_exact = c_weight + 1,
                   c_rounded = c_weight + 2, c_caps = c_weight + 3, c_amount = c_weight + 4,
                   c_pkey = c_weight + 5, c_ckey = c_weight + 6, c_note = c_weight + 7;

    const size_t shown = report_lines_shown(r);
    char title[64], cut[512];
    snprintf(title, sizeof title, "Payout lines %s", r->period->name);
    xs_text(sh, 0, 0, title, XS_TITLE);
    snprintf(cut, sizeof cut, "%s%s",
             shown < p->n_lines ? "Lines paid in the period with their inputs."
                                : "Every line paid in the period with its inputs.",
             " Slices are unrounded (amount × rate); only the line rounds: Rounded = "
             "ROUND(SUM(slices) × weight, 2); Amount = Rounded + caps. Quota and target = stated × "
             "share of the quota period × active days / period days.");
    xs_text(sh, 1, 0, cut, XS_NOTE);
    if (shown < p->n_lines) {
        /* Above the header, short enough for a printed page: this is not every line. */
        if (shown)
            snprintf(cut, sizeof cut,
                     "The first %zu of %zu lines ([output] lines_rows_max); every line is in "
                     "lines-%s.csv.",
                     shown, p->n_lines, r->period->name);
        else
            snprintf(cut, sizeof cut,
                     "No line on this sheet ([output] lines_rows_max = 0): all %zu are in "
                     "lines-%s.csv.",
                     p->n_lines, r->period->name);
        xs_text(sh, 2, 0, cut, XS_BOLD);
    }
    const uint32_t header = LINES_HEADER_ROW, first = header + 1;
    /* Every column names its unit: the reporting currency, %, days or a plain count. */
    const char *cur = r->s->currency;
    char hdr[LC_SLICES][48];
    static const char *const names[LC_SLICES] = {"Person ID",
                                                 "Name",
                                                 "Plan",
                                                 "Version",
                                                 "Component",
                                                 "Type",
                                                 "Line",
                                                 "Deal ID",
                                                 "Posted",
                                                 "Attainment period",
                                                 "Credit (%s)",
                                                 "Measure before (%s)",
                                                 "Measure after (%s)",
                                                 "Quota stated (%s)",
                                                 "Target stated (%s)",
                                                 "Share of the quota period",
                                                 "Active days",
                                                 "Period days",
                                                 "Quota or goal (%s)",
                                                 "Target (%s)",
                                                 "Attainment (%%)"};
    for (uint16_t c = 0; c < LC_SLICES; c++) {
        _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wformat-nonliteral\"")
            snprintf(hdr[c], sizeof hdr[c], names[c], cur);
        _Pragma("GCC diagnostic pop")
            xs_text(sh, header, c, hdr[c], c >= LC_CREDIT ? XS_HEADER_NUM : XS_HEADER);
    }
    xs_row_height(sh, header, 30);
    for (size_t i = 0; i < ns; i++) {
        char h[48];
        snprintf(h, sizeof h, "Slice %zu amount (%s)", i + 1, cur);
        xs_text(sh, header, (uint16_t)(LC_SLICES + 3 * i), h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "Slice %zu rate (%%)", i + 1);
        xs_text(sh, header, (uint16_t)(LC_SLICES + 3 * i + 1), h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "Slice %zu pay (%s)", i + 1, cur);
        xs_text(sh, header, (uint16_t)(LC_SLICES + 3 * i + 2), h, XS_HEADER_NUM);
    }
    static const char *const tail[] = {"Weight (%%)",
                                       "Exact (%s)",
                                       "Rounded (%s)",
                                       "Caps (%s)",
                                       "Amount (%s)",
                                       "Person #",
                                       "Column #",
                                       "Calculation (redo it by hand: → rounds to the cent)",
                                       "Deal amount as written",
                                       "Deal currency as written"};
    for (uint16_t c = 0; c < ARRAY_LEN(tail); c++) {
        char h[96];
        _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wformat-nonliteral\"")
            snprintf(h, sizeof h, tail[c], cur);
        _Pragma("GCC diagnostic pop") xs_text(
            sh, header, (uint16_t)(c_weight + c), h,
            c_weight + c == c_note || c_weight + c == c_note + 2 ? XS_HEADER : XS_HEADER_NUM);
    }
    xs_text(sh, header, (uint16_t)(c_note + 3), "Payout period #", XS_HEADER_NUM);

    /* before the rows: a calculation wraps at it, and it fits a printed page beside the keys */
    xs_col_width(sh, c_note, c_note, 60);
    /* before the rows (row order): the filter covers the header and the lines shown */
    xs_autofilter(sh, header, 0, shown ? first + (uint32_t)shown - 1 : first,
                  (uint16_t)(c_note + 3));
    char buf[2048], vb[16], f[512], c1[16], c2[16], c3[16], c4[16];
    uint32_t row = first;
    int64_t shown_total = 0;
    for (size_t i = 0; i < shown; i++, row++) {
        const struct payout_line *l = &p->lines[i];
        const struct component *comp = l->component;
        shown_total += l->amount;
        xs_text(sh, row, LC_PERSON, intern_str(&ds->people_ids, l->person), XS_PLAIN);
        xs_text(sh, row, LC_NAME, pt->name[l->person], XS_PLAIN);
        xs_text(sh, row, LC_PLAN, l->plan->id, XS_PLAIN);
        xs_text(sh, row, LC_VERSION, version_text(l, vb, sizeof vb), XS_PLAIN);
        xs_text(sh, row, LC_COMPONENT, comp ? comp->id : "", XS_PLAIN);
        xs_text(sh, row, LC_TYPE, comp ? component_type_name(comp->type) : "", XS_PLAIN);
        xs_text(sh, row, LC_LINE, line_kind_name(l->kind), XS_PLAIN);
        xs_text(sh, row, LC_DEAL, deal_text(r, l), XS_PLAIN);
        xs_date(sh, row, LC_POSTED, l->post_day, XS_DATE);
        xs_text(sh, row, LC_PERIOD, l->attain.name, XS_PLAIN);
        xs_money(sh, row, LC_CREDIT, l->credit, XS_MONEY);
        xs_money(sh, row, LC_BEFORE, l->before, XS_MONEY);
        xs_money(sh, row, LC_AFTER, l->after, XS_MONEY);
        stated(sh, row, LC_QUOTA_STATED, pt->quota[l->person]);
        stated(sh, row, LC_TARGET_STATED, pt->target[l->person]);
        struct rat share = comp && l->version
                               ? incent_period_share(l->version->quota_period, comp->period)
                               : rat_int64(1);
        if (share.d == 1) {
            xs_number(sh, row, LC_SHARE, (double)share.n, XS_DEALS);
        } else {
            snprintf(f, sizeof f, "=%lld/%lld", (long long)share.n, (long long)share.d);
            xs_formula(sh, row, LC_SHARE, f, rat_to_double(share), XS_DEALS);
        }
        xs_int(sh, row, LC_ACTIVE, l->active_days, XS_INT);
        xs_int(sh, row, LC_DAYS, l->period_days, XS_INT);
        /* Effective quota and target as formulas over the stated values and the day counts. */
        xs_cell(c2, row, LC_SHARE);
        xs_cell(c3, row, LC_ACTIVE);
        xs_cell(c4, row, LC_DAYS);
        /* Quota and attainment only on lines that measure one: a SPIF, pool or adjustment line
         * has neither, whatever the person's quota. */
        bool measured = report_line_has_attainment(l);
        bool goal_literal = comp && comp->type == COMP_BONUS && !comp->goal_is_quota;
        if (measured && !goal_literal && pt->quota[l->person] != QUOTA_NONE && l->period_days > 0) {
            snprintf(f, sizeof f, "=%s*%s*%s/%s", xs_cell(c1, row, LC_QUOTA_STATED), c2, c3, c4);
            xs_formula(sh, row, LC_QUOTA, f, rat_major(l->quota, digits), XS_MONEY);
        } else if (measured) {
            xs_number(sh, row, LC_QUOTA, rat_major(l->quota, digits), XS_MONEY);
        }
        if (!rat_is_zero(l->target) && pt->target[l->person] != QUOTA_NONE && l->period_days > 0) {
            snprintf(f, sizeof f, "=%s*%s*%s/%s", xs_cell(c1, row, LC_TARGET_STATED), c2, c3, c4);
            xs_formula(sh, row, LC_TARGET, f, rat_major(l->target, digits), XS_MONEY);
        }
        if (measured)
            xs_number(sh, row, LC_ATTAIN, rat_to_double(l->attainment), XS_PCT);

        /* Slices: amount × rate, unrounded. A bonus's slice amount is the effective target. */
        double sheet_sum = 0;
        for (size_t j = 0; j < l->n_slices; j++) {
            const struct slice *sl = &p->slices[l->slice0 + j];
            uint16_t ca = (uint16_t)(LC_SLICES + 3 * j);
            double amt = rat_major(sl->amount, digits), rate = rat_to_double(sl->rate);
            if (comp && comp->type == COMP_BONUS && j == 0 && !rat_is_zero(l->target) &&
                pt->target[l->person] != QUOTA_NONE) {
                snprintf(f, sizeof f, "=%s", xs_cell(c1, row, LC_TARGET));
                xs_formula(sh, row, ca, f, amt, XS_MONEY);
            } else {
                xs_number(sh, row, ca, amt, XS_MONEY);
            }
            xs_number(sh, row, (uint16_t)(ca + 1), rate, XS_PCT);
            snprintf(f, sizeof f, "=%s*%s", xs_cell(c1, row, ca), xs_cell(c2, row, ca + 1));
            xs_formula(sh, row, (uint16_t)(ca + 2), f, amt * rate, XS_MONEY);
            sheet_sum += amt * rate;
        }
        double weight = comp ? (double)comp->weight.units : 1;
        for (int sc = 0; comp && sc < comp->weight.scale; sc++)
            weight /= 10;
        if (comp && comp->type == COMP_POOL)
            weight = 1; /* the weight already shaped the pool before it was divided */
        xs_number(sh, row, c_weight, weight, XS_PCT);
        bool ambiguous = false;
        int64_t sheet_cents = sheet_round(sheet_sum * weight, digits, &ambiguous);
        bool live = l->n_slices > 0 && !ambiguous && sheet_cents == l->rounded;
        if (live) {
            /* every slice's pay column: =SUM(pay1,pay2,…)*weight */
            size_t o = (size_t)snprintf(f, sizeof f, "=SUM(");
            for (size_t j = 0; j < ns && o < sizeof f; j++)
                o += (size_t)snprintf(f + o, sizeof f - o, "%s%s", j ? "," : "",
                                      xs_cell(c1, row, (uint16_t)(LC_SLICES + 3 * j + 2)));
            snprintf(f + o, sizeof f - o, ")*%s", xs_cell(c3, row, c_weight));
            xs_formula(sh, row, c_exact, f, rat_major(l->raw, digits), XS_MONEY);
            snprintf(f, sizeof f, "=ROUND(%s,%d)", xs_cell(c1, row, c_exact), digits);
            xs_formula_money(sh, row, c_rounded, f, l->rounded, XS_MONEY);
        } else {
            xs_number(sh, row, c_exact, rat_major(l->raw, digits), XS_MONEY);
            xs_money(sh, row, c_rounded, l->rounded, XS_MONEY);
            if (l->n_slices > 0) {
                char note[256], a[48], e[48];
                money_format(a, sizeof a, l->rounded, digits);
                money_format(e, sizeof e, sheet_cents, digits);
                snprintf(note, sizeof note,
                         "Written as a value: a spreadsheet's binary floating point would round "
                         "this line to %s%s; the exact arithmetic gives %s.",
                         e, ambiguous ? " or the other way (a hair from a half cent)" : "", a);
                xs_comment(sh, row, c_rounded, note);
            }
        }
        xs_money(sh, row, c_caps, l->capped, XS_MONEY);
        snprintf(f, sizeof f, "=%s+%s", xs_cell(c1, row, c_rounded), xs_cell(c2, row, c_caps));
        xs_formula_money(sh, row, c_amount, f, l->amount, XS_MONEY);
        xs_int(sh, row, c_pkey, k->person[l->person], XS_INT);
        xs_int(sh, row, c_ckey, report_pay_column(k, l), XS_INT);
        report_line_text(r, l, buf, sizeof buf);
        xs_text(sh, row, c_note, buf, XS_CALC);
        if (l->deal != ID_NONE)
            report_original_amount(sh, row, (uint16_t)(c_note + 1), ds, l->deal);
        xs_int(sh, row, (uint16_t)(c_note + 3), p->rows[l->row].pp, XS_INT);
    }
    report_total_row(sh, row, first, c_amount, shown_total);
    if (shown < p->n_lines && shown) {
        char of[64];
        snprintf(of, sizeof of, "of the %zu lines shown", shown);
        xs_text(sh, row, LC_NAME, of, XS_BOLD);
    }
    if (shown < p->n_lines) {
        char more[256], t[48];
        report_money_text(t, sizeof t, p->total - shown_total, digits);
        snprintf(more, sizeof more, "%zu %sline%s (%s %s) in lines-%s.csv, not on this sheet.",
                 p->n_lines - shown, shown ? "more " : "", p->n_lines - shown == 1 ? "" : "s", t,
                 cur, r->period->name);
        xs_text(sh, row + 2, 0, more, XS_BOLD); /* a blank row apart: not a table row */
    }
    xs_col_width(sh, LC_PERSON, LC_NAME, 18);
    xs_col_width(sh, LC_PLAN, LC_PERIOD, 12);
    xs_col_width(sh, LC_CREDIT, (uint16_t)(c_amount), 13);
    xs_col_width(sh, c_pkey, c_ckey, 9);
    xs_col_width(sh, (uint16_t)(c_note + 1), (uint16_t)(c_note + 2), 13);
    xs_freeze(sh, first, 2);
    xs_print_wide(sh, LC_PERSON, LC_NAME); /* readable on paper, across pages, like Payouts */
    out->first = first;
    out->last = row - 1;
    out->col_amount = c_amount;
    out->col_person_key = c_pkey;
    out->col_column_key = c_ckey;
    out->col_period_key = (uint16_t)(c_note + 3);
}

int report_lines_csv(const struct report_ctx *r, const char *path, struct diag *d)
{
    const struct payouts *p = r->p;
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    int digits = r->s->currency_digits;
    struct csvout o;
    if (csvout_open(&o, path, d))
        return -1;
    static const char *const hdr[] = {"person_id",
                                      "name",
                                      "plan",
                                      "version",
                                      "component",
                                      "type",
                                      "line",
                                      "deal_id",
                                      "posted",
                                      "attainment_period",
                                      "credit",
                                      "measure_before",
                                      "measure_after",
                                      "quota_stated",
                                      "target_stated",
                                      "active_days",
                                      "period_days",
                                      "rounded",
                                      "caps",
                                      "amount",
                                      "currency",
                                      "payout_period",
                                      "calculation",
                                      "deal_amount_as_written",
                                      "deal_currency_as_written"};
    for (size_t i = 0; i < ARRAY_LEN(hdr); i++)
        csvout_text(&o, hdr[i]);
    csvout_end_row(&o);
    char buf[2048], vb[16], day[16];
    /* One record per line, written as it is formatted: nothing but the current record is held. */
    for (size_t i = 0; i < p->n_lines; i++) {
        const struct payout_line *l = &p->lines[i];
        const struct component *comp = l->component;
        csvout_text(&o, intern_str(&ds->people_ids, l->person));
        csvout_text(&o, pt->name[l->person]);
        csvout_text(&o, l->plan->id);
        csvout_text(&o, version_text(l, vb, sizeof vb));
        csvout_text(&o, comp ? comp->id : "");
        csvout_text(&o, comp ? component_type_name(comp->type) : "");
        csvout_text(&o, line_kind_name(l->kind));
        csvout_text(&o, deal_text(r, l));
        date_format_day(day, sizeof day, l->post_day);
        csvout_text(&o, day);
        csvout_text(&o, l->attain.name);
        csvout_money(&o, l->credit, digits);
        csvout_money(&o, l->before, digits);
        csvout_money(&o, l->after, digits);
        if (pt->quota[l->person] != QUOTA_NONE)
            csvout_money(&o, pt->quota[l->person], digits);
        else
            csvout_text(&o, "");
        if (pt->target[l->person] != QUOTA_NONE)
            csvout_money(&o, pt->target[l->person], digits);
        else
            csvout_text(&o, "");
        snprintf(vb, sizeof vb, "%d", l->active_days);
        csvout_text(&o, vb);
        snprintf(vb, sizeof vb, "%d", l->period_days);
        csvout_text(&o, vb);
        csvout_money(&o, l->rounded, digits);
        csvout_money(&o, l->capped, digits);
        csvout_money(&o, l->amount, digits);
        csvout_text(&o, r->s->currency);
        csvout_text(&o, p->periods[p->rows[l->row].pp - 1].name);
        report_line_text(r, l, buf, sizeof buf);
        csvout_text(&o, buf);
        if (l->deal != ID_NONE) {
            const char *cur = ds->deals.orig_currency[l->deal].code;
            csvout_money(&o, ds->deals.orig_amount[l->deal], money_minor_digits(cur));
            csvout_text(&o, cur);
        } else {
            csvout_text(&o, "");
            csvout_text(&o, "");
        }
        csvout_end_row(&o);
    }
    return csvout_close(&o, d) ? -1 : 0;
}

/* One line: its heading, the measure around it, then its calculation one clause a line. */
static void explain_line(const struct report_ctx *r, const struct payout_line *l, FILE *fp)
{
    int digits = r->s->currency_digits;
    char a[64], b[64], c[64], day[16], buf[4096];
    date_format_day(day, sizeof day, l->post_day);
    fprintf(fp, "  %s  %s", day, l->component ? l->component->id : "(plan)");
    if (l->deal != ID_NONE)
        fprintf(fp, " deal %s", deal_text(r, l));
    if (l->kind != LINE_DEAL)
        fprintf(fp, " (%s)", line_kind_name(l->kind));
    fprintf(fp, " [%s, version %s]\n", l->attain.name, version_text(l, c, sizeof c));
    if (l->component && l->kind != LINE_PAYEE_CAP && l->component->type != COMP_SPIF &&
        l->kind != LINE_POOL && l->kind != LINE_COLLECTION && !report_line_is_ledger(l)) {
        report_money_text(a, sizeof a, l->credit, digits);
        fprintf(fp, "      %s: %s %s", measure_name(l->component->measure),
                l->deal != ID_NONE ? "this deal" : "in the period", a);
        if (l->kind == LINE_DEAL && l->component->basis == BASIS_PERIOD_TO_DATE) {
            report_money_text(b, sizeof b, l->before, digits);
            report_money_text(c, sizeof c, l->after, digits);
            fprintf(fp, ", period to date %s to %s", b, c);
        }
        if (report_line_has_attainment(l))
            fprintf(fp, " (active %d of %d days)", l->active_days, l->period_days);
        fputc('\n', fp);
    }
    report_line_calc(r, l, true, buf, sizeof buf);
    for (const char *s = buf; *s;) {
        const char *e = strstr(s, "; ");
        size_t len = e ? (size_t)(e - s) : strlen(s);
        fprintf(fp, "      %.*s\n", (int)len, s);
        s += len + (e ? 2 : 0);
    }
    report_money_text(a, sizeof a, l->amount, digits);
    fprintf(fp, "      pays %s\n", a);
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
        report_money_text(amt, sizeof amt, ds->deals.amount[drow], digits);
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
    char t[48], fx[512];
    report_money_text(t, sizeof t, total, digits);
    fprintf(fp, "%zu line%s, total %s %s\n", n, n == 1 ? "" : "s", t, r->s->currency);
    for (uint32_t q = 0; who != ID_NONE && who < p->n_people && q < p->person_nrows[who]; q++)
        if (report_pay_fx_text(r, &p->rows[p->person_row0[who] + q], fx, sizeof fx))
            fprintf(fp, "%s\n", fx);
    return 0;
}
