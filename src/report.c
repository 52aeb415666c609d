/* report.c — Summary and Run sheets, payroll and rejects CSV files. */
#include "report.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "tz.h"
#include "util.h"
#include "report_internal.h"
#include "xlsxout.h"

#define TAB_SUMMARY    0x1F4E79u
#define TAB_RUN        0x7F7F7Fu
#define TAB_EXCEPTIONS 0xC00000u

static const char *const bucket_names[BUCKET_N] = {"used", "duplicate", "filtered", "unmatched",
                                                   "rejected"};

void report_label_value(struct xsheet *sh, uint32_t row, const char *label, const char *value)
{
    xs_text(sh, row, 0, label, XS_BOLD);
    xs_text(sh, row, 1, value, XS_PLAIN);
}

void report_label_date(struct xsheet *sh, uint32_t row, const char *label, int32_t day)
{
    xs_text(sh, row, 0, label, XS_BOLD);
    xs_date(sh, row, 1, day, XS_DATE);
}

/* Order ids of an interner by their strings (bytewise), for stable sheet order. */
static const struct intern *sort_in;
static int cmp_by_string(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return strcmp(intern_str(sort_in, x), intern_str(sort_in, y));
}

uint32_t *report_sorted_ids(const struct intern *in)
{
    uint32_t *ids = xmalloc((in->n ? in->n : 1) * sizeof *ids);
    for (uint32_t i = 0; i < in->n; i++)
        ids[i] = i;
    sort_in = in;
    qsort(ids, in->n, sizeof *ids, cmp_by_string);
    return ids;
}

/* The Run sheet: version, dates, every config value in force, and each input's reconciliation. */
void report_run_sheet(const struct report_ctx *r, struct xbook *b)
{
    struct xsheet *sh = xbook_add_sheet(b, "Run");
    xs_tab_color(sh, TAB_RUN);
    xs_col_width(sh, 0, 0, 28);
    xs_col_width(sh, 1, 1, 44);
    xs_col_width(sh, 2, 9, 12);
    uint32_t row = 0;
    xs_text(sh, row++, 0, "Run", XS_TITLE);
    report_label_value(sh, ++row, "Tool", "sametable " SAMETABLE_VERSION);
    report_label_value(sh, ++row, "Period", r->period->name);
    report_label_date(sh, ++row, "As of", r->as_of_day);
    report_label_value(sh, ++row, "Business time zone", r->s->timezone);
    report_label_value(sh, ++row, "Time zone data", tz_data_version());
    report_label_value(sh, ++row, "Configuration", r->cfg->path);
    row += 2;

    xs_text(sh, row++, 0,
            "Input reconciliation (rows read = used + duplicate + filtered + "
            "unmatched + rejected)",
            XS_BOLD);
    static const char *const hdr[] = {"File",        "Path",        "Rows read", "Used",
                                      "Duplicate",   "Filtered",    "Unmatched", "Rejected",
                                      "Blank lines", "Footer lines"};
    for (uint16_t c = 0; c < ARRAY_LEN(hdr); c++)
        xs_text(sh, row, c, hdr[c], XS_HEADER);
    row++;
    for (int k = 0; k < INPUT_N; k++) {
        const struct file_stats *fs = &r->ds->files[k];
        if (!fs->present)
            continue;
        xs_text(sh, row, 0, schema_get((enum input_kind)k)->name, XS_PLAIN);
        xs_text(sh, row, 1, fs->path, XS_PLAIN);
        xs_int(sh, row, 2, (int64_t)fs->rows, XS_INT);
        for (int bk = 0; bk < BUCKET_N; bk++)
            xs_int(sh, row, (uint16_t)(3 + bk), (int64_t)fs->bucket[bk], XS_INT);
        xs_int(sh, row, 8, (int64_t)fs->blank_lines, XS_INT);
        xs_int(sh, row, 9, (int64_t)fs->footer_lines, XS_INT);
        row++;
    }
    row++;
    xs_text(sh, row++, 0, "Configuration in force", XS_BOLD);
    static const char *const chdr[] = {"Section", "Key", "Value", "Source"};
    for (uint16_t c = 0; c < ARRAY_LEN(chdr); c++)
        xs_text(sh, row, c, chdr[c], XS_HEADER);
    row++;
    for (size_t i = 0; i < r->cfg->n_in_force; i++) {
        const struct cfg_entry *e = &r->cfg->in_force[i];
        char src[64];
        if (e->source == CFG_FILE)
            snprintf(src, sizeof src, "line %" PRIu64, e->line);
        else
            snprintf(src, sizeof src, "%s", e->source == CFG_SET ? "--set" : "default");
        xs_text(sh, row, 0, e->section, XS_PLAIN);
        xs_text(sh, row, 1, e->key, XS_PLAIN);
        xs_text(sh, row, 2, e->value, XS_PLAIN);
        xs_text(sh, row, 3, src, XS_PLAIN);
        row++;
    }
}

/* The Exceptions sheet: every rejected input row, campaigns that touches name but the campaigns
 * file lacks, and (payouts) deals that pay no one. */
void report_exceptions_sheet(const struct report_ctx *r, struct xbook *b, bool payouts)
{
    const struct dataset *ds = r->ds;
    struct xsheet *sh = xbook_add_sheet(b, "Exceptions");
    xs_tab_color(sh, TAB_EXCEPTIONS);
    xs_col_width(sh, 0, 0, 14);
    xs_col_width(sh, 1, 1, 8);
    xs_col_width(sh, 2, 3, 22);
    xs_col_width(sh, 4, 4, 70);
    static const char *const hdr[] = {"File", "Line", "Column", "Value", "Problem"};
    for (uint16_t c = 0; c < ARRAY_LEN(hdr); c++)
        xs_text(sh, 0, c, hdr[c], XS_HEADER);
    uint32_t row = 1;
    for (size_t i = 0; i < ds->n_rejects; i++) {
        const struct reject *rj = &ds->rejects[i];
        xs_text(sh, row, 0, ds->files[rj->file].display, XS_PLAIN);
        xs_int(sh, row, 1, (int64_t)rj->line, XS_INT);
        xs_text(sh, row, 2, rj->column ? rj->column : "", XS_PLAIN);
        xs_text(sh, row, 3, rj->value ? rj->value : "", XS_PLAIN);
        char why[600];
        snprintf(why, sizeof why, "rejected: %s", rj->reason);
        xs_text(sh, row, 4, why, XS_PLAIN);
        row++;
    }
    /* One pass over the touches: how many unmatched touches name each unknown campaign. */
    const struct campaign_table *ct = &ds->campaigns;
    uint64_t *count = xcalloc(ct->n ? ct->n : 1, sizeof *count);
    uint64_t *first = xcalloc(ct->n ? ct->n : 1, sizeof *first);
    for (uint64_t t = 0; t < ds->touches.n; t++) {
        uint32_t c = ds->touches.campaign[t];
        if (ds->touches.bucket[t] != BUCKET_UNMATCHED)
            continue;
        if (!count[c]++)
            first[c] = ds->touches.line[t];
    }
    for (uint32_t c = 0; c < ct->n; c++) {
        if (ct->known[c] || !count[c])
            continue;
        xs_text(sh, row, 0, ds->files[INPUT_TOUCHES].display, XS_PLAIN);
        xs_int(sh, row, 1, (int64_t)first[c], XS_INT);
        xs_text(sh, row, 2, "campaign_id", XS_PLAIN);
        xs_text(sh, row, 3, intern_str(&ds->campaign_ids, c), XS_PLAIN);
        char why[160];
        snprintf(why, sizeof why,
                 "unmatched: campaign not in the campaigns file (%llu touches, credited to this "
                 "id)",
                 (unsigned long long)count[c]);
        xs_text(sh, row, 4, why, XS_PLAIN);
        row++;
    }
    free(count);
    free(first);
    if (payouts && r->p) {
        for (size_t i = 0; i < r->p->n_issues; i++) {
            const struct payout_issue *is = &r->p->issues[i];
            if (is->deal == ID_NONE)
                continue;
            xs_text(sh, row, 0, ds->files[INPUT_DEALS].display, XS_PLAIN);
            xs_int(sh, row, 1, (int64_t)ds->deals.line[is->deal], XS_INT);
            xs_text(sh, row, 2, "owner_id", XS_PLAIN);
            if (is->kind == PAYOUT_SPIF_PAYEE_UNKNOWN) {
                const struct deal_table *dl = &ds->deals;
                xs_text(sh, row, 2, is->spif->payee_header, XS_PLAIN);
                xs_text(sh, row, 3,
                        dl->extra[(size_t)is->deal * dl->n_extra + is->spif->payee_extra],
                        XS_PLAIN);
            } else {
                xs_text(sh, row, 3, intern_str(&ds->people_ids, is->person), XS_PLAIN);
            }
            xs_text(sh, row, 4, payout_issue_text(is->kind), XS_PLAIN);
            row++;
        }
    }
    if (row == 1)
        xs_text(sh, 1, 0, "No exceptions.", XS_NOTE);
    xs_freeze(sh, 1, 0);
    xs_autofilter(sh, 0, 0, row > 1 ? row - 1 : 1, 4);
}

void report_props(const struct report_ctx *r, struct xbook_props *p, const char *title,
                  const char *subject)
{
    p->title = title;
    p->subject = subject;
    p->company = r->s->company;
    p->created_day = r->as_of_day;
    p->money_digits = r->s->currency_digits;
}

/* People of the people file in file order. */
static uint32_t *people_in_file_order(const struct dataset *ds, uint32_t *n_out)
{
    const struct person_table *pt = &ds->people;
    uint32_t *v = xmalloc((pt->n ? pt->n : 1) * sizeof *v);
    uint32_t n = 0;
    for (uint32_t i = 0; i < pt->n; i++)
        if (pt->name[i])
            v[n++] = i;
    /* Insertion by line: people files are small and mostly in order already. */
    for (uint32_t i = 1; i < n; i++) {
        uint32_t x = v[i], j = i;
        while (j > 0 && pt->line[v[j - 1]] > pt->line[x]) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    *n_out = n;
    return v;
}

int report_payouts_xlsx(const struct report_ctx *r, const char *path, struct diag *d)
{
    char title[64];
    snprintf(title, sizeof title, "Payouts %s", r->period->name);
    struct xbook_props pp;
    report_props(r, &pp, title, "Incentive payouts by person");
    struct xbook *b = xbook_create(path, &pp, d);
    if (!b)
        return -1;
    const struct dataset *ds = r->ds;
    const struct person_table *pt = &ds->people;
    const struct payouts *p = r->p;

    struct xsheet *sh = xbook_add_sheet(b, "Summary");
    xs_tab_color(sh, TAB_SUMMARY);
    xs_hide_gridlines(sh);
    xs_col_width(sh, 0, 0, 30);
    xs_col_width(sh, 1, 1, 24);
    xs_col_width(sh, 2, 4, 16);
    xs_col_width(sh, 5, 7, 16);
    uint32_t row = 0;
    xs_text(sh, row++, 0, title, XS_TITLE);
    xs_text(sh, row++, 0,
            "What each person is owed for deals closed-won in the period; each payout line is "
            "rounded half away from zero to the cent and totals are sums of rounded lines.",
            XS_NOTE);
    row++;
    report_label_value(sh, row++, "Period", r->period->name);
    report_label_date(sh, row++, "As of", r->as_of_day);
    report_label_value(sh, row++, "Currency", r->s->currency);
    row++;

    static const char *const hdr[] = {"Person ID", "Name",  "Team",        "Role",
                                      "Plan",      "Deals", "Own revenue", "Payout"};
    uint32_t header = row;
    for (uint16_t c = 0; c < ARRAY_LEN(hdr); c++)
        xs_text(sh, header, c, hdr[c], XS_HEADER);
    if (p->any_foreign_payee) {
        char paid[96], day[16];
        date_format_day(day, sizeof day, p->pay_rate_day);
        snprintf(paid, sizeof paid, "Paid amount (FX of %s)", day);
        xs_text(sh, header, 8, "Paid in", XS_HEADER);
        xs_text(sh, header, 9, paid, XS_HEADER);
    }
    uint32_t n;
    uint32_t *order = people_in_file_order(ds, &n);
    uint32_t first = header + 1;
    int64_t total_rev = 0, total_deals = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id = order[i], rr = first + i;
        xs_text(sh, rr, 0, intern_str(&ds->people_ids, id), XS_PLAIN);
        xs_text(sh, rr, 1, pt->name[id], XS_PLAIN);
        xs_text(sh, rr, 2, pt->team[id] == ID_NONE ? "" : intern_str(&ds->teams, pt->team[id]),
                XS_PLAIN);
        xs_text(sh, rr, 3, pt->role[id], XS_PLAIN);
        const struct plan *pl = pt->plan[id] ? plan_find(r->plans, pt->plan[id]) : NULL;
        xs_text(sh, rr, 4, pl ? plan_version_on(pl, r->period->last_day)->name : "", XS_PLAIN);
        xs_int(sh, rr, 5, p->person_deals[id], XS_INT);
        xs_money(sh, rr, 6, p->person_revenue[id], XS_MONEY);
        xs_money(sh, rr, 7, p->person_total[id], XS_MONEY);
        total_rev += p->person_revenue[id];
        total_deals += p->person_deals[id];
        if (p->any_foreign_payee) {
            const char *cur = pt->currency[id].code[0] ? pt->currency[id].code : r->s->currency;
            xs_text(sh, rr, 8, cur, XS_PLAIN);
            xs_number(sh, rr, 9, xs_major(p->person_pay[id], money_minor_digits(cur)), XS_MONEY);
        }
    }
    uint32_t total_row = first + n;
    char f[96], c1[16], c2[16];
    xs_text(sh, total_row, 0, "Total", XS_BOLD);
    static const int64_t zero = 0;
    const int64_t *tot[3] = {&total_deals, &total_rev, &p->total};
    for (uint16_t c = 5; c <= 7; c++) {
        if (n) {
            snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, first, c),
                     xs_cell(c2, total_row - 1, c));
            if (c == 5)
                xs_formula(sh, total_row, c, f, (double)*tot[0], XS_INT_TOTAL);
            else
                xs_formula_money(sh, total_row, c, f, *tot[c - 5], XS_MONEY_TOTAL);
        } else {
            xs_money(sh, total_row, c, zero, XS_MONEY_TOTAL);
        }
    }
    xs_freeze(sh, header + 1, 0);
    xs_autofilter(sh, header, 0, total_row - 1 > header ? total_row - 1 : header, 7);
    free(order);

    row = total_row + 2;
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
    xs_text(sh, row, 0,
            "(owner not in the people file, inactive on the close date, or without a plan; they "
            "still count in attribution and in team and company measures)",
            XS_NOTE);
    report_lines_sheet(r, b);
    report_exceptions_sheet(r, b, true);
    report_run_sheet(r, b);
    return xbook_close(b, d);
}

int report_payroll_csv(const struct report_ctx *r, const char *path, struct diag *d)
{
    struct csvout o;
    if (csvout_open(&o, path, d))
        return -1;
    static const char *const hdr[] = {"person_id", "name", "amount", "currency", "period"};
    for (size_t i = 0; i < ARRAY_LEN(hdr); i++)
        csvout_text(&o, hdr[i]);
    csvout_end_row(&o);
    uint32_t n;
    uint32_t *order = people_in_file_order(r->ds, &n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id = order[i];
        if (!r->ds->people.plan[id])
            continue;
        csvout_text(&o, intern_str(&r->ds->people_ids, id));
        csvout_text(&o, r->ds->people.name[id]);
        const char *cur = r->ds->people.currency[id].code;
        if (!cur[0])
            cur = r->s->currency;
        csvout_money(&o, r->p->person_pay[id], money_minor_digits(cur));
        csvout_text(&o, cur);
        csvout_text(&o, r->period->name);
        csvout_end_row(&o);
    }
    free(order);
    return csvout_close(&o, d) ? -1 : 0;
}

int report_rejects_csv(const struct report_ctx *r, const char *path, struct diag *d)
{
    struct csvout o;
    if (csvout_open(&o, path, d))
        return -1;
    static const char *const hdr[] = {"file", "line", "column", "value", "reason"};
    for (size_t i = 0; i < ARRAY_LEN(hdr); i++)
        csvout_text(&o, hdr[i]);
    csvout_end_row(&o);
    for (size_t i = 0; i < r->ds->n_rejects; i++) {
        const struct reject *rj = &r->ds->rejects[i];
        csvout_text(&o, r->ds->files[rj->file].display);
        csvout_uint(&o, rj->line);
        csvout_text(&o, rj->column ? rj->column : "");
        csvout_text(&o, rj->value ? rj->value : "");
        csvout_text(&o, rj->reason);
        csvout_end_row(&o);
    }
    return csvout_close(&o, d) ? -1 : 0;
}

void report_reconciliation(const struct report_ctx *r, FILE *fp)
{
    fprintf(fp, "%-10s %10s", "file", "rows");
    for (int b = 0; b < BUCKET_N; b++)
        fprintf(fp, " %10s", bucket_names[b]);
    fprintf(fp, " %10s %10s\n", "blank", "footer");
    for (int k = 0; k < INPUT_N; k++) {
        const struct file_stats *fs = &r->ds->files[k];
        if (!fs->present)
            continue;
        fprintf(fp, "%-10s %10" PRIu64, schema_get((enum input_kind)k)->name, fs->rows);
        for (int b = 0; b < BUCKET_N; b++)
            fprintf(fp, " %10" PRIu64, fs->bucket[b]);
        fprintf(fp, " %10" PRIu64 " %10" PRIu64 "\n", fs->blank_lines, fs->footer_lines);
    }
}
