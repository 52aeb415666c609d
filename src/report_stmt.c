/* report_stmt.c — one person's statement workbook: what they can be sent, and nothing about anyone
 * else (DESIGN §7a "Also expected", §7b "Publishing").
 *
 * A statement holds the person's plan and quota, attainment per measured component, what they
 * earned in the period and in the year to date (recomputed from source), every payout line with
 * its deal, account name, deal amount, rate and arithmetic, and a short run block. It names no
 * other person: deal owners, split partners and managers are not shown, only deal IDs and names.
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

/* The lines table's columns. */
enum {
    SC_DATE,
    SC_COMPONENT,
    SC_DEAL,
    SC_NAME,
    SC_DEAL_AMOUNT,
    SC_RATE,
    SC_HOW,
    SC_AMOUNT,
    SC_KEY, /* component number, for the component table's SUMIF (never input text) */
    SC_N
};

/* The rate(s) of a line's slices as text: "6%", "6% / 8%", "" when none. */
static void rates_text(const struct report_ctx *r, const struct payout_line *l, char *buf,
                       size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->n_slices && o + 1 < size; i++) {
        const struct slice *s = &r->p->slices[l->slice0 + i];
        char pct[48];
        rat_format(pct, sizeof pct, rat_mul(s->rate, rat_int64(100)), 6);
        int n = snprintf(buf + o, size - o, "%s%s%%", i ? " / " : "", pct);
        if (n < 0 || (size_t)n >= size - o)
            break;
        o += (size_t)n;
    }
}

/* Index of the component among the version's, + 1 (0: a line of no component). */
static uint32_t component_key(const struct plan_version *v, const struct payout_line *l)
{
    if (!l->component || !v)
        return 0;
    for (size_t i = 0; i < v->n_components; i++)
        if (strcmp(v->components[i].id, l->component->id) == 0)
            return (uint32_t)i + 1;
    return 0;
}

static int64_t sum_component(const struct payouts *p, uint32_t who, const char *component,
                             int32_t last_day)
{
    int64_t s = 0;
    if (!p || who >= p->n_people)
        return 0;
    size_t end = p->person_line0[who] + p->person_nlines[who];
    for (size_t j = p->person_line0[who]; j < end; j++) {
        const struct payout_line *l = &p->lines[j];
        if (l->component && strcmp(l->component->id, component) == 0 && l->post_day <= last_day)
            s += l->amount;
    }
    return s;
}

static int64_t sum_adjustments(const struct payouts *p, uint32_t who, const struct plan_version *v,
                               int32_t last_day)
{
    int64_t s = 0;
    if (!p || who >= p->n_people)
        return 0;
    size_t end = p->person_line0[who] + p->person_nlines[who];
    for (size_t j = p->person_line0[who]; j < end; j++) {
        const struct payout_line *l = &p->lines[j];
        if (component_key(v, l) == 0 && l->post_day <= last_day)
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

static void label_text(struct xsheet *sh, uint32_t row, const char *label, const char *value)
{
    xs_text(sh, row, 0, label, XS_BOLD);
    xs_text(sh, row, 2, value, XS_PLAIN);
}

int report_statement_xlsx(const struct report_ctx *r, const struct payouts *ytd, uint32_t who,
                          const char *path, struct diag *d)
{
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    const struct payouts *p = r->p;
    const char *pid = intern_str(&ds->people_ids, who);
    char buf[1024], f[256], c1[16], c2[16], c3[16];
    snprintf(buf, sizeof buf, "Statement of %s", pt->name[who]);
    struct xbook *b = report_book(r, path, "Statement", buf, d);
    if (!b)
        return -1;
    const struct plan *pl = pt->plan[who] ? plan_find(r->plans, pt->plan[who]) : NULL;
    const struct plan_version *v = pl ? plan_version_on(pl, r->period->last_day) : NULL;
    int digits = r->s->currency_digits;

    struct xsheet *sh = xbook_add_sheet(b, "Statement");
    xs_hide_gridlines(sh);
    xs_tab_color(sh, TAB_SUMMARY);
    uint32_t row = 0;
    snprintf(buf, sizeof buf, "Statement %s — %s", r->period->name, pt->name[who]);
    xs_text(sh, row++, 0, buf, XS_TITLE);
    xs_text(sh, row++, 0,
            "Earned amounts are recomputed from the source data of this run; what was paid is "
            "on your payslip. Each line is rounded half away from zero to the cent.",
            XS_NOTE);
    row++;
    label_text(sh, row++, "Name", pt->name[who]);
    label_text(sh, row++, "Person ID", pid);
    label_text(sh, row++, "Team",
               pt->team[who] == ID_NONE ? "" : intern_str(&ds->teams, pt->team[who]));
    label_text(sh, row++, "Role", pt->role[who] ? pt->role[who] : "");
    if (v) {
        snprintf(buf, sizeof buf, "%s (%s)", v->name, pl->id);
        label_text(sh, row++, "Plan", buf);
    }
    char first[16], last[16];
    date_format_day(first, sizeof first, r->period->first_day);
    date_format_day(last, sizeof last, r->period->last_day);
    snprintf(buf, sizeof buf, "%s (%s to %s)", r->period->name, first, last);
    label_text(sh, row++, "Period", buf);
    xs_text(sh, row, 0, "As of", XS_BOLD);
    xs_date(sh, row++, 2, r->as_of_day, XS_DATE);
    label_text(sh, row++, "Currency", r->s->currency);
    row++;

    /* Components: quota or goal, measure to date, attainment, earned in the period and the year.
     * Earned in the period is a SUMIF over the lines below (by component number). */
    static const char *const chdr[] = {"Component",
                                       "Type",
                                       "Quota or goal (effective)",
                                       "Measure to date (attainment period)",
                                       "Attainment",
                                       "Earned this period",
                                       "Earned year to date (recomputed)"};
    uint32_t comp_header = row;
    for (uint16_t c = 0; c < ARRAY_LEN(chdr); c++)
        xs_text(sh, row, c, chdr[c], c < 2 ? XS_HEADER : XS_HEADER_NUM);
    xs_row_height(sh, row, 30);
    row++;
    size_t n_comp = v ? v->n_components : 0;
    uint32_t comp_first = row;
    /* Rows of the lines table, known once the component table's size is: header, first line. */
    uint32_t lines_header =
        comp_first + (uint32_t)n_comp + 1 /* adjustments */ + 1 /* total */ + 2 /* gap, caption */;
    uint32_t lines_first = lines_header + 1;
    size_t n_lines = p && who < p->n_people ? p->person_nlines[who] : 0;
    uint32_t lines_last = lines_first + (uint32_t)(n_lines ? n_lines : 1) - 1;
    char k1[16], k2[16], a1[16], a2[16];
    xs_cell(k1, lines_first, SC_KEY);
    xs_cell(k2, lines_last, SC_KEY);
    xs_cell(a1, lines_first, SC_AMOUNT);
    xs_cell(a2, lines_last, SC_AMOUNT);
    int32_t ytd_last = r->as_of_day < r->period->last_day ? r->as_of_day : r->period->last_day;
    for (size_t i = 0; i <= n_comp; i++) {
        bool adj = i == n_comp;
        const struct component *c = adj ? NULL : &v->components[i];
        xs_text(sh, row, 0, adj ? "Adjustments" : c->id, XS_PLAIN);
        xs_text(sh, row, 1,
                adj ? "clawbacks, carried cap excess, payee cap" : component_type_name(c->type),
                adj ? XS_NOTE : XS_PLAIN);
        const struct payout_measure *lm = adj ? NULL : measured(p, who, c->id);
        if (lm) {
            double q = rat_to_double(lm->quota) * xs_major(1, digits); /* major units */
            if (c->measure == MEASURE_WON_DEALS) {
                xs_number(sh, row, 2, rat_to_double(lm->quota), XS_DEALS);
                xs_number(sh, row, 3, (double)lm->measure, XS_INT);
            } else {
                xs_number(sh, row, 2, q, XS_MONEY);
                xs_money(sh, row, 3, lm->measure, XS_MONEY);
            }
            snprintf(f, sizeof f, "=IF(%s=0,0,%s/%s)", xs_cell(c1, row, 2), xs_cell(c2, row, 3),
                     xs_cell(c3, row, 2));
            xs_formula(sh, row, 4, f, rat_to_double(lm->attainment), XS_PCT);
        } else if (!adj) {
            xs_text(sh, row, 4, "no quota", XS_NOTE);
        }
        int64_t earned = adj ? sum_adjustments(p, who, v, r->period->last_day)
                             : sum_component(p, who, c->id, r->period->last_day);
        if (n_lines) {
            snprintf(f, sizeof f, "=SUMIF(%s:%s,%zu,%s:%s)", k1, k2, adj ? (size_t)0 : i + 1, a1,
                     a2);
            xs_formula_money(sh, row, 5, f, earned, XS_MONEY);
        } else {
            xs_money(sh, row, 5, 0, XS_MONEY);
        }
        int64_t y =
            adj ? sum_adjustments(ytd, who, v, ytd_last) : sum_component(ytd, who, c->id, ytd_last);
        xs_money(sh, row, 6, y, XS_MONEY);
        row++;
    }
    xs_text(sh, row, 0, "Total", XS_BOLD);
    snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, comp_first, 5), xs_cell(c2, row - 1, 5));
    int64_t total = p && who < p->n_people ? p->person_total[who] : 0;
    xs_formula_money(sh, row, 5, f, total, XS_MONEY_TOTAL);
    int64_t ytd_total = 0;
    for (size_t i = 0; i < n_comp; i++)
        ytd_total += sum_component(ytd, who, v->components[i].id, ytd_last);
    ytd_total += sum_adjustments(ytd, who, v, ytd_last);
    snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, comp_first, 6), xs_cell(c2, row - 1, 6));
    xs_formula_money(sh, row, 6, f, ytd_total, XS_MONEY_TOTAL);
    row += 2;
    xs_text(sh, row++, 0, "Payout lines", XS_BOLD);
    if (row != lines_header)
        BUG("statement layout differs from its prediction");

    static const char *const lhdr[SC_N] = {
        "Date", "Component",          "Deal ID", "Account / deal name", "Deal amount",
        "Rate", "How it is computed", "Amount",  "Component #"};
    for (uint16_t c = 0; c < SC_N; c++)
        xs_text(sh, row, c, lhdr[c],
                c == SC_DEAL_AMOUNT || c == SC_AMOUNT || c == SC_KEY ? XS_HEADER_NUM : XS_HEADER);
    xs_row_height(sh, row, 30);
    xs_print_titles(sh, row, row);
    row++;
    if (!n_lines) {
        xs_text(sh, row, SC_HOW, "No payout lines in the period.", XS_NOTE);
        row++;
    }
    size_t end = n_lines ? p->person_line0[who] + n_lines : 0;
    for (size_t j = n_lines ? p->person_line0[who] : 0; j < end; j++) {
        const struct payout_line *l = &p->lines[j];
        xs_date(sh, row, SC_DATE, l->post_day, XS_DATE);
        xs_text(sh, row, SC_COMPONENT, l->component ? l->component->id : line_kind_name(l->kind),
                XS_PLAIN);
        if (l->deal != ID_NONE) {
            xs_text(sh, row, SC_DEAL, intern_str(&ds->deal_ids, ds->deals.id[l->deal]), XS_PLAIN);
            xs_text(sh, row, SC_NAME, ds->deals.name ? ds->deals.name[l->deal] : "", XS_PLAIN);
            xs_money(sh, row, SC_DEAL_AMOUNT, ds->deals.amount[l->deal], XS_MONEY);
        }
        rates_text(r, l, buf, sizeof buf);
        xs_text(sh, row, SC_RATE, buf, XS_PLAIN);
        report_line_text(r, l, buf, sizeof buf);
        xs_text(sh, row, SC_HOW, buf, XS_CALC);
        xs_money(sh, row, SC_AMOUNT, l->amount, XS_MONEY);
        xs_int(sh, row, SC_KEY, component_key(v, l), XS_INT);
        row++;
    }
    xs_text(sh, row, SC_HOW, "Total", XS_BOLD);
    snprintf(f, sizeof f, "=SUM(%s:%s)", a1, a2);
    xs_formula_money(sh, row, SC_AMOUNT, f, total, XS_MONEY_TOTAL);
    row++;
    for (uint32_t q = 0; p && who < p->n_people && q < p->person_nrows[who]; q++) {
        const struct payout_row *pr = &p->rows[p->person_row0[who] + q];
        char amt[48];
        if (pr->to_recover) { /* payroll never goes below 0.00 */
            report_money_text(amt, sizeof amt, pr->to_recover, digits);
            snprintf(buf, sizeof buf, "Payable for %s: 0.00 %s; %s %s to recover",
                     p->periods[pr->pp - 1].name, r->s->currency, amt, r->s->currency);
            xs_text(sh, row++, SC_HOW, buf, XS_NOTE);
        }
        if (report_pay_fx_text(r, pr, buf, sizeof buf))
            xs_text(sh, row++, SC_HOW, buf, XS_NOTE);
    }
    xs_col_width(sh, SC_HOW, SC_HOW, 70);
    xs_freeze(sh, lines_header + 1, 0);
    (void)comp_header;

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
