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
#include "settle.h"
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

void report_money_text(char *buf, size_t size, int64_t minor, int digits)
{
    money_format_grouped(buf, size, minor, digits);
}

void report_total_row(struct xsheet *sh, uint32_t row, uint32_t first, uint16_t col, int64_t total)
{
    xs_text(sh, row, 0, "Total", XS_BOLD);
    if (row > first) {
        char f[96], c1[16], c2[16];
        snprintf(f, sizeof f, "=SUBTOTAL(9,%s:%s)", xs_cell(c1, first, col),
                 xs_cell(c2, row - 1, col));
        xs_formula_money(sh, row, col, f, total, XS_MONEY_TOTAL);
    } else {
        xs_money(sh, row, col, 0, XS_MONEY_TOTAL);
    }
}

void report_label_date(struct xsheet *sh, uint32_t row, const char *label, int32_t day)
{
    xs_text(sh, row, 0, label, XS_BOLD);
    xs_date(sh, row, 1, day, XS_DATE);
}

/* At most this many rejected deal rows are listed on a Summary sheet (all are on Exceptions). */
#define SUMMARY_DEAL_REJECTS 20

uint32_t report_rejects_block(const struct report_ctx *r, struct xsheet *sh, uint32_t row)
{
    const struct dataset *ds = r->ds;
    char buf[256];
    uint64_t total = 0;
    for (int k = 0; k < INPUT_N; k++)
        total += ds->files[k].present ? ds->files[k].bucket[BUCKET_REJECTED] : 0;
    xs_text(sh, row, 0, "Rejected input rows", XS_BOLD);
    xs_int(sh, row, 1, (int64_t)total, XS_INT);
    snprintf(buf, sizeof buf, "%s",
             total ? "each is listed on Exceptions and in the rejects CSV"
                   : "every input row was read");
    xs_text(sh, row++, 2, buf, XS_NOTE);
    for (int k = 0; k < INPUT_N; k++) {
        const struct file_stats *fs = &ds->files[k];
        if (!fs->present || !fs->bucket[BUCKET_REJECTED])
            continue;
        snprintf(buf, sizeof buf, "    %s", fs->display);
        xs_text(sh, row, 0, buf, XS_PLAIN);
        xs_int(sh, row, 1, (int64_t)fs->bucket[BUCKET_REJECTED], XS_INT);
        snprintf(buf, sizeof buf, "of %llu data rows", (unsigned long long)fs->rows);
        xs_text(sh, row++, 2, buf, XS_NOTE);
    }
    size_t listed = 0, more = 0;
    for (size_t i = 0; i < ds->n_rejects; i++) {
        const struct reject *rj = &ds->rejects[i];
        if (rj->file != INPUT_DEALS)
            continue;
        if (listed == SUMMARY_DEAL_REJECTS) {
            more++;
            continue;
        }
        if (listed == 0) {
            xs_text(sh, row, 0, "Rejected deal rows", XS_HEADER);
            xs_text(sh, row, 1, "Amount as written", XS_HEADER_NUM);
            xs_text(sh, row, 2, "Currency", XS_HEADER);
            xs_text(sh, row++, 3, "Why", XS_HEADER);
        }
        snprintf(buf, sizeof buf, "%s:%llu", ds->files[INPUT_DEALS].display,
                 (unsigned long long)rj->line);
        xs_text(sh, row, 0, buf, XS_PLAIN);
        if (rj->has_amount) {
            if (strcmp(rj->currency, r->s->currency) == 0)
                xs_money(sh, row, 1, rj->amount, XS_MONEY);
            else
                xs_number(sh, row, 1, xs_major(rj->amount, money_minor_digits(rj->currency)),
                          XS_PLAIN);
            xs_text(sh, row, 2, rj->currency, XS_PLAIN);
        } else {
            xs_text(sh, row, 2, "not readable", XS_NOTE);
        }
        const char *scope = rj->ytd_only ? "year to date only: " : "";
        if (rj->column && rj->value)
            snprintf(buf, sizeof buf, "%s%s: '%.60s' in column '%.40s'", scope, rj->reason,
                     rj->value, rj->column);
        else
            snprintf(buf, sizeof buf, "%s%s", scope, rj->reason);
        xs_text(sh, row++, 3, buf, XS_PLAIN);
        listed++;
    }
    if (more) {
        snprintf(buf, sizeof buf, "… and %zu more rejected deal rows on Exceptions", more);
        xs_text(sh, row++, 0, buf, XS_NOTE);
    }
    return row;
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

/* Whether the identity map's counts are shown (Run sheet, `check`): with an identities file, or
 * when touches came through it or had no lead id. */
static bool identities_shown(const struct dataset *ds)
{
    const struct file_stats *t = &ds->files[INPUT_TOUCHES];
    return ds->files[INPUT_IDENTITIES].present || t->via_identities || t->no_lead_id;
}

/* What the "touches without a lead id" count means: why their contacts did not join. */
static void no_lead_id_text(const struct dataset *ds, char *buf, size_t size)
{
    const struct file_stats *t = &ds->files[INPUT_TOUCHES];
    int o = snprintf(buf, size, "%s",
                     ds->files[INPUT_IDENTITIES].present
                         ? "only a contact_id, which the identities file does not map to a lead"
                         : "only a contact_id, and no identities file ([inputs] identities) maps "
                           "contacts to leads");
    if (t->no_lead_id_conflict && o > 0 && (size_t)o < size)
        snprintf(buf + o, size - (size_t)o,
                 "; %" PRIu64 " of them: the contact's identities rows were rejected",
                 t->no_lead_id_conflict);
}

/* The Run sheet: version, dates, every config value in force, and each input's reconciliation. */
/* Which day's FX rate converted foreign payees' pay ([run] payment_fx_date), in words: each
 * payout period's last day (as-of when earlier), listed, or as-of. */
static void payee_rates_text(const struct report_ctx *r, char *buf, size_t size)
{
    const struct payouts *p = r->p;
    char day[16];
    if (!p->any_foreign_payee) {
        snprintf(buf, size, "not used: everyone is paid in %s (payment_fx_date = %s)",
                 r->s->currency, r->s->payment_fx_as_of ? "as_of" : "period_end");
        return;
    }
    if (r->s->payment_fx_as_of) {
        date_format_day(day, sizeof day, r->as_of_day);
        snprintf(buf, size,
                 "in force on as-of, %s, for every payout period (payment_fx_date = "
                 "as_of)",
                 day);
        return;
    }
    size_t o = (size_t)snprintf(buf, size,
                                "in force on each payout period's last day (as-of when "
                                "earlier):");
    int32_t last = DAY_NONE;
    uint32_t n_days = 0;
    for (uint32_t i = 0; i < p->n_periods; i++) {
        int32_t d = p->periods[i].last_day < r->as_of_day ? p->periods[i].last_day : r->as_of_day;
        if (d == last)
            continue;
        last = d;
        date_format_day(day, sizeof day, d);
        if (++n_days <= 12 && o < size)
            o += (size_t)snprintf(buf + o, size - o, "%s %s", n_days > 1 ? "," : "", day);
    }
    if (n_days > 12 && o < size)
        o += (size_t)snprintf(buf + o, size - o, " and %u more", n_days - 12);
    if (o < size)
        snprintf(buf + o, size - o, " (payment_fx_date = period_end)");
}

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
    report_label_value(sh, ++row, "Run ID", r->run_id ? r->run_id : "");
    report_label_value(sh, ++row, "Period", r->period->name);
    report_label_date(sh, ++row, "As of", r->as_of_day);
    report_label_value(sh, ++row, "Business time zone", r->s->timezone);
    report_label_value(sh, ++row, "Time zone data", tz_data_version());
    report_label_value(sh, ++row, "Configuration", r->cfg->path);
    if (r->p) {
        char rates[512];
        payee_rates_text(r, rates, sizeof rates);
        report_label_value(sh, ++row, "Payee currency rates", rates);
    }
    row += 2;

    xs_text(sh, row++, 0,
            "Input reconciliation (rows read = used + duplicate + filtered + "
            "unmatched + rejected)",
            XS_BOLD);
    static const char *const hdr[] = {"File",        "Path",        "Rows read", "Used",
                                      "Duplicate",   "Filtered",    "Unmatched", "Rejected",
                                      "Blank lines", "Footer lines"};
    for (uint16_t c = 0; c < ARRAY_LEN(hdr); c++)
        xs_text(sh, row, c, hdr[c], c >= 2 ? XS_HEADER_NUM : XS_HEADER);
    xs_row_height(sh, row, 30); /* "Blank lines", "Footer lines" wrap onto two lines */
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
    if (identities_shown(r->ds)) {
        const struct file_stats *tf = &r->ds->files[INPUT_TOUCHES];
        char note[400];
        row++;
        xs_text(sh, row, 0, "Touches joined through identities", XS_BOLD);
        xs_int(sh, row, 2, (int64_t)tf->via_identities, XS_INT);
        snprintf(note, sizeof note,
                 "touch rows whose lead came through the identities file (a contact's, or a "
                 "merged lead's old id); %" PRIu64
                 " of them repeat a campaign the lead already has at that instant and are counted "
                 "as duplicate",
                 tf->via_identities_dup);
        xs_text(sh, row++, 3, note, XS_NOTE);
        xs_text(sh, row, 0, "Touches unmatched: no lead id", XS_BOLD);
        xs_int(sh, row, 2, (int64_t)tf->no_lead_id, XS_INT);
        char why[300];
        no_lead_id_text(r->ds, why, sizeof why);
        snprintf(note, sizeof note, "counted as unmatched, never as rejected: %s", why);
        xs_text(sh, row++, 3, note, XS_NOTE);
        xs_text(sh, row, 0, "Deal rows joined through identities", XS_BOLD);
        xs_int(sh, row, 2, (int64_t)r->ds->files[INPUT_DEALS].via_identities, XS_INT);
        xs_text(sh, row++, 3,
                "deal rows whose lead id followed the identities file to the surviving lead",
                XS_NOTE);
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
            first[c] = touch_line(&ds->touches, t);
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
    const struct file_stats *tf = &ds->files[INPUT_TOUCHES];
    if (tf->no_lead_id) {
        char why[400], what[300];
        no_lead_id_text(ds, what, sizeof what);
        bool one = tf->no_lead_id == 1;
        snprintf(why, sizeof why,
                 "unmatched: no lead id (%" PRIu64 " %s, the first at this line, %s %s; not "
                 "attributed)",
                 tf->no_lead_id, one ? "touch" : "touches", one ? "has" : "have", what);
        xs_text(sh, row, 0, tf->display, XS_PLAIN);
        xs_int(sh, row, 1, (int64_t)tf->no_lead_id_line, XS_INT);
        xs_text(sh, row, 2, r->s->inputs[INPUT_TOUCHES].columns[TF_CONTACT], XS_PLAIN);
        xs_text(sh, row, 3, tf->no_lead_id_contact, XS_PLAIN);
        xs_text(sh, row, 4, why, XS_PLAIN);
        row++;
    }
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
        /* Payout periods whose lines net below 0.00: payroll pays 0.00, the rest is to recover. */
        for (size_t i = 0; i < r->p->n_rows; i++) {
            const struct payout_row *pr = &r->p->rows[i];
            if (!pr->to_recover)
                continue;
            char amt[48], cause[700], why[900];
            report_money_text(amt, sizeof amt, pr->to_recover, r->s->currency_digits);
            report_recover_cause(r, pr, cause, sizeof cause);
            snprintf(why, sizeof why,
                     r->paid ? "%s %s owed from payout period %s (payroll pays 0.00; the ledger "
                               "carries it and later payouts recover it): %s"
                             : "to recover %s %s in payout period %s (payroll pays 0.00): %s",
                     amt, r->s->currency, r->p->periods[pr->pp - 1].name, cause);
            xs_text(sh, row, 0, ds->files[INPUT_PEOPLE].display, XS_PLAIN);
            xs_int(sh, row, 1, (int64_t)ds->people.line[pr->person], XS_INT);
            xs_text(sh, row, 2, "person_id", XS_PLAIN);
            xs_text(sh, row, 3, intern_str(&ds->people_ids, pr->person), XS_PLAIN);
            xs_text(sh, row, 4, why, XS_PLAIN);
            row++;
        }
        /* What the ledger saw and did not pay (settle.h). */
        for (size_t i = 0; r->settle && i < r->settle->n_notices; i++) {
            xs_text(sh, row, 0, "ledger", XS_PLAIN);
            xs_text(sh, row, 4, r->settle->notices[i], XS_PLAIN);
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
    p->currency = r->s->currency;
    /* Streamed (every sheet written top to bottom). The variable is for tests only: the e2e case
     * xlsx_streamed_cells compares a streamed run's workbooks with ones written in memory. */
    p->in_memory = getenv("SAMETABLE_TEST_XLSX_IN_MEMORY") != NULL;
}

struct xbook *report_book(const struct report_ctx *r, const char *path, const char *kind,
                          const char *subject, struct diag *d)
{
    char title[64];
    snprintf(title, sizeof title, "%s %s", kind, r->period->name);
    struct xbook_props pp;
    report_props(r, &pp, title, subject);
    return xbook_create(path, &pp, d);
}

void report_original_amount(struct xsheet *sh, uint32_t row, uint16_t col, const struct dataset *ds,
                            uint32_t deal)
{
    const char *cur = ds->deals.orig_currency[deal].code;
    xs_number(sh, row, col, xs_major(ds->deals.orig_amount[deal], money_minor_digits(cur)),
              XS_DEALS);
    xs_text(sh, row, (uint16_t)(col + 1), cur, XS_PLAIN);
}

/* People of the people file in file order. */
uint32_t *report_people_order(const struct dataset *ds, uint32_t *n_out)
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

int report_payroll_csv(const struct report_ctx *r, const char *path, struct diag *d)
{
    struct csvout o;
    if (csvout_open(&o, path, d))
        return -1;
    static const char *const hdr[] = {"person_id", "name",   "amount",
                                      "currency",  "period", "run_id"};
    for (size_t i = 0; i < ARRAY_LEN(hdr); i++)
        csvout_text(&o, hdr[i]);
    csvout_end_row(&o);
    /* One row per person and payout period (the Payouts sheet's rows, in its order). */
    for (size_t i = 0; i < r->p->n_rows; i++) {
        const struct payout_row *row = &r->p->rows[i];
        uint32_t id = row->person;
        csvout_text(&o, intern_str(&r->ds->people_ids, id));
        csvout_text(&o, r->ds->people.name[id]);
        const char *cur = r->ds->people.currency[id].code;
        if (!cur[0])
            cur = r->s->currency;
        csvout_money(&o, row->pay, money_minor_digits(cur));
        csvout_text(&o, cur);
        csvout_text(&o, r->p->periods[row->pp - 1].name);
        csvout_text(&o, r->run_id ? r->run_id : "");
        csvout_end_row(&o);
    }
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
    /* The name column is 10 wide, wider when a present file's name is longer ("adjustments"). */
    int w = 10;
    for (int k = 0; k < INPUT_N; k++) {
        int n = (int)strlen(schema_get((enum input_kind)k)->name);
        if (r->ds->files[k].present && n > w)
            w = n;
    }
    fprintf(fp, "%-*s %10s", w, "file", "rows");
    for (int b = 0; b < BUCKET_N; b++)
        fprintf(fp, " %10s", bucket_names[b]);
    fprintf(fp, " %10s %10s\n", "blank", "footer");
    for (int k = 0; k < INPUT_N; k++) {
        const struct file_stats *fs = &r->ds->files[k];
        if (!fs->present)
            continue;
        fprintf(fp, "%-*s %10" PRIu64, w, schema_get((enum input_kind)k)->name, fs->rows);
        for (int b = 0; b < BUCKET_N; b++)
            fprintf(fp, " %10" PRIu64, fs->bucket[b]);
        fprintf(fp, " %10" PRIu64 " %10" PRIu64 "\n", fs->blank_lines, fs->footer_lines);
    }
    if (identities_shown(r->ds)) {
        const struct file_stats *tf = &r->ds->files[INPUT_TOUCHES];
        fprintf(fp,
                "\ntouches joined through identities: %" PRIu64 " (%" PRIu64
                " of them duplicates)\n",
                tf->via_identities, tf->via_identities_dup);
        fprintf(fp, "touches unmatched, no lead id: %" PRIu64, tf->no_lead_id);
        if (tf->no_lead_id_conflict)
            fprintf(fp, " (%" PRIu64 " of them: the contact's identities rows were rejected)",
                    tf->no_lead_id_conflict);
        fprintf(fp, "\ndeal rows joined through identities: %" PRIu64 "\n",
                r->ds->files[INPUT_DEALS].via_identities);
    }
}
