/* report_attr.c — the attribution workbook: Summary, Channels, Campaigns, Deal credits,
 * Unattributed, Exceptions, Run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "csvout.h"
#include "date.h"
#include "report_internal.h"
#include "util.h"

#define DEAL_SHEET_ROWS_MAX 1048575u

/* The models shown side by side: rule-based first, then data-driven (dd[k] true). */
struct model_cols {
    int n;
    int m[MODEL_N + DD_N];
    bool dd[MODEL_N + DD_N];
};

static void models_of(const struct attribution *a, const struct dd_credit *ddc, bool with_dd,
                      struct model_cols *mc)
{
    mc->n = 0;
    for (int m = 0; m < MODEL_N; m++)
        if (a->models & (1u << m)) {
            mc->dd[mc->n] = false;
            mc->m[mc->n++] = m;
        }
    for (int m = 0; with_dd && ddc && m < DD_N; m++)
        if (ddc->models & (1u << m)) {
            mc->dd[mc->n] = true;
            mc->m[mc->n++] = m;
        }
}

static const char *col_name(const struct model_cols *mc, int k)
{
    return mc->dd[k] ? dd_model_name((enum dd_model)mc->m[k])
                     : attr_model_name((enum attr_model)mc->m[k]);
}

static int64_t channel_credit(const struct report_ctx *r, const struct model_cols *mc, int k,
                              uint32_t ch)
{
    return mc->dd[k] ? r->dd->channel_cents[mc->m[k]][ch] : r->a->channel_cents[mc->m[k]][ch];
}

static double channel_deals(const struct report_ctx *r, const struct model_cols *mc, int k,
                            uint32_t ch)
{
    return mc->dd[k] ? r->dd->channel_conversions[mc->m[k]][ch]
                     : r->a->channel_deal_share[mc->m[k]][ch];
}

static int64_t campaign_credit(const struct report_ctx *r, const struct model_cols *mc, int k,
                               uint32_t c)
{
    return mc->dd[k] ? r->dd->campaign_cents[mc->m[k]][c] : r->a->campaign_cents[mc->m[k]][c];
}

static double campaign_deals(const struct report_ctx *r, const struct model_cols *mc, int k,
                             uint32_t c)
{
    return mc->dd[k] ? 0.0 : r->a->campaign_deal_share[mc->m[k]][c];
}

/* Per model: credit, deals credited (fractional), ROAS, ROI, cost per won deal. Spend is in
 * column spend_col of the same row. */
#define PER_MODEL 5

static void model_headers(struct xsheet *sh, uint32_t row, uint16_t col0,
                          const struct model_cols *mc, const char *currency)
{
    for (int k = 0; k < mc->n; k++) {
        const char *name = col_name(mc, k);
        uint16_t c = (uint16_t)(col0 + k * PER_MODEL);
        char h[96];
        snprintf(h, sizeof h, "%s credit (%s)", name, currency);
        xs_text(sh, row, c, h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "%s deals credited", name);
        xs_text(sh, row, (uint16_t)(c + 1), h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "%s ROAS", name);
        xs_text(sh, row, (uint16_t)(c + 2), h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "%s ROI", name);
        xs_text(sh, row, (uint16_t)(c + 3), h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "%s cost per won deal", name);
        xs_text(sh, row, (uint16_t)(c + 4), h, XS_HEADER_NUM);
    }
}

/* Credit and deals in the row; ROAS, ROI and cost per won deal as formulas over the row's cells
 * when there is spend (and credited deals), left empty otherwise. */
static void model_cells(struct xsheet *sh, uint32_t row, uint16_t col0, uint16_t spend_col,
                        int64_t spend, int64_t credit, const char *credit_formula, double deals,
                        bool total, int digits)
{
    char f[128], a[16], b[16];
    enum xstyle money = total ? XS_MONEY_TOTAL : XS_MONEY;
    if (credit_formula)
        xs_formula_money(sh, row, col0, credit_formula, credit, money);
    else
        xs_money(sh, row, col0, credit, money);
    xs_number(sh, row, (uint16_t)(col0 + 1), deals, total ? XS_DEALS_TOTAL : XS_DEALS);
    if (spend == 0)
        return;
    xs_cell(a, row, col0);
    xs_cell(b, row, spend_col);
    snprintf(f, sizeof f, "=%s/%s", a, b);
    xs_formula(sh, row, (uint16_t)(col0 + 2), f, (double)credit / (double)spend,
               total ? XS_RATIO_TOTAL : XS_RATIO);
    snprintf(f, sizeof f, "=(%s-%s)/%s", a, b, b);
    xs_formula(sh, row, (uint16_t)(col0 + 3), f, (double)(credit - spend) / (double)spend,
               total ? XS_PCT_TOTAL : XS_PCT);
    if (deals > 0) {
        char c[16];
        xs_cell(c, row, (uint16_t)(col0 + 1));
        snprintf(f, sizeof f, "=%s/%s", b, c);
        xs_formula(sh, row, (uint16_t)(col0 + 4), f, xs_major(spend, digits) / deals, money);
    }
}

/* Where the detail sheets put the numbers the Summary refers to. */
#define CHANNELS_SHEET     "Channels"
#define UNATTRIBUTED_SHEET "Unattributed"
#define CH_SPEND_COL       3
#define CH_MODEL_COL0      4

/* Characters (not bytes) of UTF-8 text. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A bold label in column A of the Summary; *width grows to fit it. */
static void summary_label(struct xsheet *sh, uint32_t row, const char *text, double *width)
{
    xs_text(sh, row, 0, text, XS_BOLD);
    /* about one width unit per character of bold Calibri 11, plus a margin */
    double w = (double)utf8_chars(text) + 3.0;
    if (w > *width)
        *width = w;
}

static void summary_sheet(const struct report_ctx *r, struct xbook *b, const struct model_cols *mc,
                          const int64_t *channel_spend, size_t detail_cut)
{
    const struct attribution *a = r->a;
    const struct dataset *ds = r->ds;
    struct xsheet *sh = xbook_add_sheet(b, "Summary");
    xs_tab_color(sh, TAB_SUMMARY);
    xs_hide_gridlines(sh);
    double width_a = 20;
    char title[64], f[256], c1[16], c2[16], c3[16];
    snprintf(title, sizeof title, "Attribution %s", r->period->name);
    uint32_t row = 0;
    xs_text(sh, row++, 0, title, XS_TITLE);
    xs_text(sh, row++, 0,
            "Revenue of deals closed-won in the period, credited to the campaigns that touched "
            "the lead; each deal's credit sums to its amount to the cent.",
            XS_NOTE);
    row++;
    report_label_value(sh, row++, "Period", r->period->name);
    report_label_date(sh, row++, "First day", r->period->first_day);
    report_label_date(sh, row++, "Last day", r->period->last_day);
    report_label_date(sh, row++, "As of", r->as_of_day);
    report_label_value(sh, row++, "Currency", r->s->currency);
    report_label_value(sh, row++, "Business time zone", r->s->timezone);
    summary_label(sh, row, "Lookback window (days, 0 = none)", &width_a);
    xs_int(sh, row++, 1, r->s->lookback_days, XS_INT);
    row = report_rejects_block(r, sh, row);
    row++;

    uint32_t n_ch = ds->channels.n;
    uint32_t ch_total = 1 + n_ch; /* the Channels sheet's total row */
    int64_t spend = 0;
    for (uint32_t c = 0; c < n_ch; c++)
        spend += channel_spend[c];

    uint32_t r_deals = row++, r_won = row++, r_unattr = row++, r_undeals = row++;
    uint32_t r_sourced = row++, r_srcshare = row++, r_spend = row++;
    summary_label(sh, r_deals, "Closed-won deals", &width_a);
    xs_int(sh, r_deals, 1, a->n_deals, XS_INT);
    summary_label(sh, r_won, "Closed-won revenue", &width_a);
    xs_money(sh, r_won, 1, a->won_cents, XS_MONEY);
    summary_label(sh, r_unattr, "Unattributed revenue", &width_a);
    /* the Unattributed sheet's total (a row per unattributed deal, then the total) */
    snprintf(f, sizeof f, "=" UNATTRIBUTED_SHEET "!%s",
             xs_cell(c1, 1 + (uint32_t)a->n_unattributed, 2));
    xs_formula_money(sh, r_unattr, 1, f, a->unattributed_cents, XS_MONEY);
    summary_label(sh, r_undeals, "Unattributed deals", &width_a);
    xs_int(sh, r_undeals, 1, a->n_unattributed, XS_INT);
    summary_label(sh, r_sourced, "Marketing-sourced revenue (first touch a marketing campaign)",
                  &width_a);
    xs_money(sh, r_sourced, 1, a->sourced_cents, XS_MONEY);
    summary_label(sh, r_srcshare, "Marketing-sourced share of closed-won revenue", &width_a);
    snprintf(f, sizeof f, "=IF(%s=0,0,%s/%s)", xs_cell(c1, r_won, 1), xs_cell(c2, r_sourced, 1),
             xs_cell(c3, r_won, 1));
    xs_formula(sh, r_srcshare, 1, f,
               a->won_cents ? (double)a->sourced_cents / (double)a->won_cents : 0.0, XS_PCT);
    summary_label(sh, r_spend, "Campaign spend", &width_a);
    if (n_ch) {
        snprintf(f, sizeof f, "=" CHANNELS_SHEET "!%s", xs_cell(c1, ch_total, CH_SPEND_COL));
        xs_formula_money(sh, r_spend, 1, f, spend, XS_MONEY);
    } else {
        xs_money(sh, r_spend, 1, spend, XS_MONEY);
    }
    if (detail_cut)
        xs_text(sh, row++, 0,
                "The Deal credits sheet is cut at [output] detail_rows_max; "
                "credits-<period>.csv has every row.",
                XS_NOTE);
    row++;

    /* One row per model: attributed (the Channels total), its share, unattributed, the check,
     * ROI and cost per won deal (the Channels total row's). */
    char won[16], unattr[16], spend_ref[16];
    snprintf(won, sizeof won, "$B$%u", r_won + 1);
    snprintf(unattr, sizeof unattr, "$B$%u", r_unattr + 1);
    snprintf(spend_ref, sizeof spend_ref, "$B$%u", r_spend + 1);
    summary_label(sh, row++, "Revenue by model", &width_a);
    xs_text(sh, row++, 0,
            "Check = attributed + unattributed - closed-won revenue: 0 when every cent of "
            "closed-won revenue is either credited or unattributed. ROI = (attributed - spend) / "
            "spend.",
            XS_NOTE);
    static const char *const mhdr[] = {
        "Model", "Attributed revenue", "Share of closed-won", "Unattributed revenue", "Check (= 0)",
        "ROI",   "Cost per won deal"};
    uint32_t mtable = row++;
    for (uint16_t c = 0; c < ARRAY_LEN(mhdr); c++)
        xs_text(sh, mtable, c, mhdr[c], c ? XS_HEADER_NUM : XS_HEADER);
    xs_row_height(sh, mtable, 30);
    int64_t attributed = a->won_cents - a->unattributed_cents;
    for (int k = 0; k < mc->n; k++) {
        uint32_t rr = row++;
        uint16_t ccol = (uint16_t)(CH_MODEL_COL0 + k * PER_MODEL);
        xs_text(sh, rr, 0, col_name(mc, k), XS_PLAIN);
        if (n_ch) {
            snprintf(f, sizeof f, "=" CHANNELS_SHEET "!%s", xs_cell(c1, ch_total, ccol));
            xs_formula_money(sh, rr, 1, f, attributed, XS_MONEY);
        } else {
            xs_money(sh, rr, 1, attributed, XS_MONEY);
        }
        snprintf(f, sizeof f, "=IF(%s=0,0,%s/%s)", won, xs_cell(c1, rr, 1), won);
        xs_formula(sh, rr, 2, f, a->won_cents ? (double)attributed / (double)a->won_cents : 0.0,
                   XS_PCT);
        snprintf(f, sizeof f, "=%s", unattr);
        xs_formula_money(sh, rr, 3, f, a->unattributed_cents, XS_MONEY);
        snprintf(f, sizeof f, "=%s+%s-%s", xs_cell(c1, rr, 1), xs_cell(c2, rr, 3), won);
        xs_formula_money(sh, rr, 4, f, 0, XS_MONEY);
        if (spend == 0)
            continue; /* no ROI or cost per deal without spend: left blank, as on Channels */
        snprintf(f, sizeof f, "=(%s-%s)/%s", xs_cell(c1, rr, 1), spend_ref, spend_ref);
        xs_formula(sh, rr, 5, f, (double)(attributed - spend) / (double)spend, XS_PCT);
        double deals = 0;
        for (uint32_t ch = 0; ch < n_ch; ch++)
            deals += channel_deals(r, mc, k, ch);
        if (n_ch && deals > 0) {
            snprintf(f, sizeof f, "=" CHANNELS_SHEET "!%s",
                     xs_cell(c1, ch_total, (uint16_t)(ccol + 4)));
            xs_formula(sh, rr, 6, f, xs_major(spend, r->s->currency_digits) / deals, XS_MONEY);
        }
    }
    row++;

    /* Credit by channel, models side by side: the Channels sheet's cells. */
    summary_label(sh, row++, "Credited revenue by channel, models side by side", &width_a);
    uint32_t table = row++;
    uint32_t first_data = row, total_row = first_data + n_ch;
    xs_text(sh, table, 0, "Channel", XS_HEADER);
    for (int k = 0; k < mc->n; k++) {
        char h[96];
        snprintf(h, sizeof h, "%s credit (%s)", col_name(mc, k), r->s->currency);
        xs_text(sh, table, (uint16_t)(1 + k), h, XS_HEADER_NUM);
    }
    xs_row_height(sh, table, 30);
    uint32_t *ids = report_sorted_ids(&ds->channels);
    for (uint32_t i = 0; i < n_ch; i++) {
        uint32_t ch = ids[i], rr = first_data + i;
        xs_text(sh, rr, 0, intern_str(&ds->channels, ch), XS_PLAIN);
        for (int k = 0; k < mc->n; k++) {
            /* Channels lists the channels in the same order, from its row 2 */
            snprintf(f, sizeof f, "=" CHANNELS_SHEET "!%s",
                     xs_cell(c1, 1 + i, (uint16_t)(CH_MODEL_COL0 + k * PER_MODEL)));
            xs_formula_money(sh, rr, (uint16_t)(1 + k), f, channel_credit(r, mc, k, ch), XS_MONEY);
        }
    }
    free(ids);
    xs_text(sh, total_row, 0, "Total", XS_BOLD);
    for (int k = 0; k < mc->n; k++) {
        uint16_t col = (uint16_t)(1 + k);
        if (n_ch) {
            snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, first_data, col),
                     xs_cell(c2, total_row - 1, col));
            xs_formula_money(sh, total_row, col, f, attributed, XS_MONEY_TOTAL);
        } else {
            xs_money(sh, total_row, col, 0, XS_MONEY_TOTAL);
        }
    }
    int ncols = mc->n > (int)ARRAY_LEN(mhdr) - 1 ? mc->n : (int)ARRAY_LEN(mhdr) - 1;
    xs_col_width(sh, 0, 0, width_a);
    xs_col_width(sh, 1, (uint16_t)ncols, 17);
    if (n_ch && mc->n) {
        /* as wide as the tables (about 7 pixels per width unit), tall enough for 12 series */
        double px = 7.0 * (width_a + 17.0 * ncols) + 5.0 * (ncols + 1);
        double xs = px / 480.0 < 1.6 ? 1.6 : px / 480.0;
        xs_chart_columns_scaled(sh, "Credited revenue by channel and model", table, first_data,
                                total_row - 1, 0, 1, (uint16_t)mc->n, total_row + 2, 0, xs, 1.9);
    }
}

static void channels_sheet(const struct report_ctx *r, struct xbook *b, const struct model_cols *mc,
                           const int64_t *channel_spend)
{
    const struct attribution *a = r->a;
    const struct dataset *ds = r->ds;
    struct xsheet *sh = xbook_add_sheet(b, "Channels");
    xs_tab_color(sh, TAB_DETAIL);
    static const char *const hdr[] = {"Channel", "Touches", "Influenced deals", "Spend"};
    for (uint16_t c = 0; c < 4; c++)
        xs_text(sh, 0, c, hdr[c], c ? XS_HEADER_NUM : XS_HEADER);
    model_headers(sh, 0, 4, mc, r->s->currency);
    xs_row_height(sh, 0, 45); /* "position_based cost per won deal" takes three lines */
    xs_col_width(sh, 0, 0, 18);
    xs_col_width(sh, 1, (uint16_t)(3 + PER_MODEL * mc->n), 14);
    uint32_t n = ds->channels.n;
    uint32_t *ids = report_sorted_ids(&ds->channels);
    int64_t spend_total = 0, touches = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ch = ids[i], rr = 1 + i;
        xs_text(sh, rr, 0, intern_str(&ds->channels, ch), XS_PLAIN);
        xs_int(sh, rr, 1, a->channel_touches[ch], XS_INT);
        xs_int(sh, rr, 2, a->channel_deals[ch], XS_INT);
        xs_money(sh, rr, 3, channel_spend[ch], XS_MONEY);
        spend_total += channel_spend[ch];
        touches += a->channel_touches[ch];
        for (int k = 0; k < mc->n; k++)
            model_cells(sh, rr, (uint16_t)(CH_MODEL_COL0 + k * PER_MODEL), CH_SPEND_COL,
                        channel_spend[ch], channel_credit(r, mc, k, ch), NULL,
                        channel_deals(r, mc, k, ch), false, r->s->currency_digits);
    }
    free(ids);
    uint32_t tr = 1 + n;
    char f[96], c1[16], c2[16];
    xs_text(sh, tr, 0, "Total", XS_BOLD);
    if (n) {
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, 1), xs_cell(c2, tr - 1, 1));
        xs_formula(sh, tr, 1, f, (double)touches, XS_INT_TOTAL);
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, 3), xs_cell(c2, tr - 1, 3));
        xs_formula_money(sh, tr, 3, f, spend_total, XS_MONEY_TOTAL);
    }
    int64_t attributed = a->won_cents - a->unattributed_cents;
    for (int k = 0; k < mc->n; k++) {
        double deals = 0;
        for (uint32_t ch = 0; ch < n; ch++)
            deals += channel_deals(r, mc, k, ch);
        uint16_t col = (uint16_t)(CH_MODEL_COL0 + k * PER_MODEL);
        if (n)
            snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, col), xs_cell(c2, tr - 1, col));
        model_cells(sh, tr, col, CH_SPEND_COL, spend_total, attributed, n ? f : NULL, deals, true,
                    r->s->currency_digits);
    }
    xs_freeze(sh, 1, 1);
    xs_autofilter(sh, 0, 0, n ? n : 1, (uint16_t)(3 + PER_MODEL * mc->n));
}

static void campaigns_sheet(const struct report_ctx *r, struct xbook *b,
                            const struct model_cols *mc)
{
    const struct attribution *a = r->a;
    const struct dataset *ds = r->ds;
    const struct campaign_table *ct = &ds->campaigns;
    struct xsheet *sh = xbook_add_sheet(b, "Campaigns");
    xs_tab_color(sh, TAB_DETAIL);
    static const char *const hdr[] = {"Campaign ID", "Campaign", "Channel",         "Owner",
                                      "Spend",       "Touches",  "Influenced deals"};
    for (uint16_t c = 0; c < 7; c++)
        xs_text(sh, 0, c, hdr[c], c >= 4 ? XS_HEADER_NUM : XS_HEADER);
    model_headers(sh, 0, 7, mc, r->s->currency);
    xs_row_height(sh, 0, 45);
    xs_col_width(sh, 0, 0, 18);
    xs_col_width(sh, 1, 1, 36);
    xs_col_width(sh, 2, 3, 16);
    xs_col_width(sh, 4, (uint16_t)(6 + PER_MODEL * mc->n), 14);
    uint32_t *ids = report_sorted_ids(&ds->campaign_ids);
    uint32_t rr = 1;
    for (uint32_t i = 0; i < ct->n; i++) {
        uint32_t c = ids[i];
        xs_text(sh, rr, 0, intern_str(&ds->campaign_ids, c), XS_PLAIN);
        xs_text(sh, rr, 1, ct->known[c] ? ct->name[c] : "(not in the campaigns file)", XS_PLAIN);
        xs_text(sh, rr, 2,
                ct->channel[c] == ID_NONE ? "" : intern_str(&ds->channels, ct->channel[c]),
                XS_PLAIN);
        xs_text(sh, rr, 3, ct->owner[c] == ID_NONE ? "" : intern_str(&ds->people_ids, ct->owner[c]),
                XS_PLAIN);
        xs_money(sh, rr, 4, ct->spend[c], XS_MONEY);
        xs_int(sh, rr, 5, a->campaign_touches[c], XS_INT);
        xs_int(sh, rr, 6, a->campaign_deals[c], XS_INT);
        for (int k = 0; k < mc->n; k++)
            model_cells(sh, rr, (uint16_t)(7 + k * PER_MODEL), 4, ct->spend[c],
                        campaign_credit(r, mc, k, c), NULL, campaign_deals(r, mc, k, c), false,
                        r->s->currency_digits);
        rr++;
    }
    free(ids);
    char f[96], c1[16], c2[16];
    xs_text(sh, rr, 0, "Total", XS_BOLD);
    if (rr > 1) {
        int64_t spend = 0;
        for (uint32_t c = 0; c < ct->n; c++)
            spend += ct->spend[c];
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, 4), xs_cell(c2, rr - 1, 4));
        xs_formula_money(sh, rr, 4, f, spend, XS_MONEY_TOTAL);
        int64_t attributed = a->won_cents - a->unattributed_cents;
        for (int k = 0; k < mc->n; k++) {
            uint16_t col = (uint16_t)(7 + k * PER_MODEL);
            snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, col), xs_cell(c2, rr - 1, col));
            xs_formula_money(sh, rr, col, f, attributed, XS_MONEY_TOTAL);
        }
    }
    xs_freeze(sh, 1, 2);
    xs_autofilter(sh, 0, 0, rr > 1 ? rr - 1 : 1, (uint16_t)(6 + PER_MODEL * mc->n));
}

/* Deal credits: one row per deal × campaign, one cents column per model; at most `max` rows in
 * all, continued on further sheets of at most 1,048,575 rows. Returns the rows left out. */
static size_t deal_credits_sheets(const struct report_ctx *r, struct xbook *b,
                                  const struct model_cols *mc, size_t max)
{
    const struct attribution *a = r->a;
    const struct dataset *ds = r->ds;
    size_t n = a->n_credits < max ? a->n_credits : max;
    static const char *const hdr[] = {"Deal ID",     "Close date", "Amount",
                                      "Campaign ID", "Channel",    "Touches"};
    size_t done = 0;
    int sheet_no = 1;
    do {
        char name[32];
        if (sheet_no == 1)
            snprintf(name, sizeof name, "Deal credits");
        else
            snprintf(name, sizeof name, "Deal credits %d", sheet_no);
        struct xsheet *sh = xbook_add_sheet(b, name);
        xs_tab_color(sh, TAB_DETAIL);
        for (uint16_t c = 0; c < 6; c++)
            xs_text(sh, 0, c, hdr[c], c == 2 || c == 5 ? XS_HEADER_NUM : XS_HEADER);
        for (int k = 0; k < mc->n; k++) {
            char h[96];
            snprintf(h, sizeof h, "%s (%s)", col_name(mc, k), r->s->currency);
            xs_text(sh, 0, (uint16_t)(6 + k), h, XS_HEADER_NUM);
        }
        xs_text(sh, 0, (uint16_t)(6 + mc->n), "Amount as written", XS_HEADER_NUM);
        xs_text(sh, 0, (uint16_t)(7 + mc->n), "Currency as written", XS_HEADER);
        xs_row_height(sh, 0, 30);
        xs_col_width(sh, 0, 0, 18);
        xs_col_width(sh, 1, (uint16_t)(5 + mc->n), 14);
        size_t rows = n - done < DEAL_SHEET_ROWS_MAX ? n - done : DEAL_SHEET_ROWS_MAX;
        for (size_t i = 0; i < rows; i++) {
            const struct credit *c = &a->credits[done + i];
            uint32_t rr = (uint32_t)(1 + i);
            xs_text(sh, rr, 0, intern_str(&ds->deal_ids, ds->deals.id[c->deal]), XS_PLAIN);
            xs_date(sh, rr, 1, ds->deals.close_day[c->deal], XS_DATE);
            xs_money(sh, rr, 2, ds->deals.amount[c->deal], XS_MONEY);
            xs_text(sh, rr, 3, intern_str(&ds->campaign_ids, c->campaign), XS_PLAIN);
            xs_text(sh, rr, 4, intern_str(&ds->channels, ds->campaigns.channel[c->campaign]),
                    XS_PLAIN);
            xs_int(sh, rr, 5, c->touches, XS_INT);
            for (int k = 0; k < mc->n; k++)
                xs_money(sh, rr, (uint16_t)(6 + k), c->cents[mc->m[k]], XS_MONEY);
            report_original_amount(sh, rr, (uint16_t)(6 + mc->n), ds, c->deal);
        }
        xs_freeze(sh, 1, 1);
        xs_autofilter(sh, 0, 0, rows ? (uint32_t)rows : 1, (uint16_t)(7 + mc->n));
        done += rows;
        sheet_no++;
    } while (done < n);
    return a->n_credits - n;
}

static void unattributed_sheet(const struct report_ctx *r, struct xbook *b)
{
    const struct attribution *a = r->a;
    const struct dataset *ds = r->ds;
    const struct deal_table *dl = &ds->deals;
    struct xsheet *sh = xbook_add_sheet(b, "Unattributed");
    xs_tab_color(sh, TAB_DETAIL);
    static const char *const hdr[] = {
        "Deal ID",           "Close date",         "Amount", "Lead ID", "Owner", "Reason",
        "Amount as written", "Currency as written"};
    for (uint16_t c = 0; c < 8; c++)
        xs_text(sh, 0, c, hdr[c], c == 2 || c == 6 ? XS_HEADER_NUM : XS_HEADER);
    xs_col_width(sh, 0, 4, 16);
    xs_col_width(sh, 5, 5, 70);
    uint32_t rr = 1;
    for (uint32_t d = 0; d < dl->n; d++) {
        if (!a->in_period[d] || a->reason[d] == UNATTR_NONE)
            continue;
        xs_text(sh, rr, 0, intern_str(&ds->deal_ids, dl->id[d]), XS_PLAIN);
        xs_date(sh, rr, 1, dl->close_day[d], XS_DATE);
        xs_money(sh, rr, 2, dl->amount[d], XS_MONEY);
        xs_text(sh, rr, 3, dl->lead[d] == ID_NONE ? "" : intern_str(&ds->leads, dl->lead[d]),
                XS_PLAIN);
        xs_text(sh, rr, 4, intern_str(&ds->people_ids, dl->owner[d]), XS_PLAIN);
        xs_text(sh, rr, 5, unattributed_reason_text((enum unattributed_reason)a->reason[d]),
                XS_PLAIN);
        report_original_amount(sh, rr, 6, ds, d);
        rr++;
    }
    char f[96], c1[16], c2[16];
    xs_text(sh, rr, 0, "Total", XS_BOLD);
    if (rr > 1) {
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, 2), xs_cell(c2, rr - 1, 2));
        xs_formula_money(sh, rr, 2, f, a->unattributed_cents, XS_MONEY_TOTAL);
    } else {
        xs_money(sh, rr, 2, 0, XS_MONEY_TOTAL);
    }
    xs_freeze(sh, 1, 1);
    xs_autofilter(sh, 0, 0, rr > 1 ? rr - 1 : 1, 7);
}

/* Markov details: removal effects and credit per channel, and how the chain was built. */
static void markov_sheet(const struct report_ctx *r, struct xbook *b)
{
    const struct dd_credit *dd = r->dd;
    const struct markov_result *mk = &dd->markov;
    const struct dataset *ds = r->ds;
    struct xsheet *sh = xbook_add_sheet(b, "Markov");
    xs_tab_color(sh, TAB_DETAIL);
    xs_col_width(sh, 0, 0, 30);
    xs_col_width(sh, 1, 4, 18);
    uint32_t row = 0;
    xs_text(sh, row++, 0, "Markov removal effects", XS_TITLE);
    xs_text(sh, row++, 0,
            "Computed exactly from the absorbing chain (no simulation). Channel credit = removal "
            "effects normalised over channels; cents allocated by largest remainder (ties by "
            "channel name), then to campaigns by their share of the channel's touches in "
            "converting journeys.",
            XS_NOTE);
    row++;
    xs_text(sh, row, 0, "Order", XS_BOLD);
    xs_int(sh, row++, 1, r->s->markov_order, XS_INT);
    report_label_value(sh, row++, "Horizon",
                       r->s->markov_horizon_observed ? "observed (finite)" : "infinite");
    xs_text(sh, row, 0, "Converting journeys", XS_BOLD);
    xs_int(sh, row++, 1, (int64_t)dd->n_converting, XS_INT);
    xs_text(sh, row, 0, "Non-converting journeys", XS_BOLD);
    xs_int(sh, row++, 1, (int64_t)dd->n_null, XS_INT);
    xs_text(sh, row, 0, "Transient states", XS_BOLD);
    xs_int(sh, row++, 1, mk->n_states, XS_INT);
    xs_text(sh, row, 0, "P(conversion)", XS_BOLD);
    xs_number(sh, row++, 1, mk->p_conversion, XS_RATIO);
    row++;
    static const char *const hdr[] = {"Channel", "Removal effect", "Conversions credited",
                                      "Credit"};
    for (uint16_t c = 0; c < 4; c++)
        xs_text(sh, row, c, hdr[c], XS_HEADER);
    row++;
    uint32_t *ids = report_sorted_ids(&ds->channels);
    for (uint32_t i = 0; i < ds->channels.n && mk->removal_effect; i++) {
        uint32_t ch = ids[i];
        xs_text(sh, row, 0, intern_str(&ds->channels, ch), XS_PLAIN);
        xs_number(sh, row, 1, mk->removal_effect[ch], XS_PCT);
        xs_number(sh, row, 2, mk->conversions[ch], XS_DEALS);
        xs_money(sh, row, 3, dd->channel_cents[DD_MARKOV][ch], XS_MONEY);
        row++;
    }
    /* First-order transition probabilities (rows: from; columns: to). */
    row++;
    xs_text(sh, row++, 0, "Transition probabilities (first order, collapsed journeys)", XS_BOLD);
    uint32_t n = dd->n_channels;
    size_t cols = (size_t)n + 2;
    xs_text(sh, row, 0, "From \\ to", XS_HEADER);
    for (uint32_t k = 0; k < n; k++)
        xs_text(sh, row, (uint16_t)(1 + k), intern_str(&ds->channels, ids[k]), XS_HEADER);
    xs_text(sh, row, (uint16_t)(1 + n), "(conversion)", XS_HEADER);
    xs_text(sh, row, (uint16_t)(2 + n), "(null)", XS_HEADER);
    row++;
    for (uint32_t from = 0; from <= n && dd->transitions; from++) {
        size_t r0 = from == 0 ? 0 : (size_t)(1 + ids[from - 1]);
        xs_text(sh, row, 0, from == 0 ? "(start)" : intern_str(&ds->channels, ids[from - 1]),
                XS_BOLD);
        for (uint32_t k = 0; k < n; k++)
            xs_number(sh, row, (uint16_t)(1 + k), dd->transitions[r0 * cols + ids[k]], XS_PCT);
        xs_number(sh, row, (uint16_t)(1 + n), dd->transitions[r0 * cols + n], XS_PCT);
        xs_number(sh, row, (uint16_t)(2 + n), dd->transitions[r0 * cols + n + 1], XS_PCT);
        row++;
    }
    free(ids);
}

int report_attribution_xlsx(const struct report_ctx *r, const char *path, struct diag *d)
{
    struct xbook *b = report_book(r, path, "Attribution",
                                  "Closed-won revenue credited to campaigns and channels", d);
    if (!b)
        return -1;
    struct model_cols mc, rule;
    models_of(r->a, r->dd, true, &mc);
    models_of(r->a, r->dd, false, &rule);
    const struct dataset *ds = r->ds;
    int64_t *channel_spend = xcalloc(ds->channels.n ? ds->channels.n : 1, sizeof *channel_spend);
    for (uint32_t c = 0; c < ds->campaigns.n; c++)
        if (ds->campaigns.channel[c] != ID_NONE)
            channel_spend[ds->campaigns.channel[c]] += ds->campaigns.spend[c];
    size_t cap = r->s->detail_rows_max ? (size_t)r->s->detail_rows_max : 0;
    size_t cut = cap < r->a->n_credits ? r->a->n_credits - cap : 0;
    summary_sheet(r, b, &mc, channel_spend, cut);
    channels_sheet(r, b, &mc, channel_spend);
    campaigns_sheet(r, b, &mc);
    if (cap)
        deal_credits_sheets(r, b, &rule, cap);
    unattributed_sheet(r, b);
    if (r->dd && (r->dd->models & (1u << DD_MARKOV)))
        markov_sheet(r, b);
    report_exceptions_sheet(r, b, false);
    report_run_sheet(r, b);
    free(channel_spend);
    return xbook_close(b, d);
}

struct credits_csv {
    const struct report_ctx *r;
    struct csvout *o;
    struct model_cols mc;
};

static void credits_row(void *ctx, uint32_t deal, uint64_t touch, const int64_t *cents)
{
    struct credits_csv *cc = ctx;
    const struct dataset *ds = cc->r->ds;
    char day[16], when[32];
    date_format_day(day, sizeof day, ds->deals.close_day[deal]);
    int64_t ts = ds->touches.ts[touch];
    int64_t sod = ts - (int64_t)date_day_of_ts(ts) * 86400;
    date_format_day(when, sizeof when, date_day_of_ts(ts));
    snprintf(when + 10, sizeof when - 10, "T%02d:%02d:%02dZ", (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60));
    csvout_text(cc->o, intern_str(&ds->deal_ids, ds->deals.id[deal]));
    csvout_text(cc->o, day);
    csvout_money(cc->o, ds->deals.amount[deal], cc->r->s->currency_digits);
    csvout_text(cc->o, intern_str(&ds->leads, ds->touches.lead[touch]));
    csvout_text(cc->o, when);
    csvout_uint(cc->o, touch_line(&ds->touches, touch));
    uint32_t camp = ds->touches.campaign[touch];
    csvout_text(cc->o, intern_str(&ds->campaign_ids, camp));
    csvout_text(cc->o, intern_str(&ds->channels, ds->campaigns.channel[camp]));
    for (int k = 0; k < cc->mc.n; k++)
        csvout_money(cc->o, cents[cc->mc.m[k]], cc->r->s->currency_digits);
    csvout_end_row(cc->o);
}

int report_credits_csv(const struct report_ctx *r, const struct lead_index *ix, const char *path,
                       struct diag *d)
{
    struct csvout o;
    if (csvout_open(&o, path, d))
        return -1;
    struct credits_csv cc;
    memset(&cc, 0, sizeof cc);
    cc.r = r;
    cc.o = &o;
    models_of(r->a, r->dd, false, &cc.mc);
    static const char *const hdr[] = {"deal_id",    "close_date", "amount",      "lead_id",
                                      "touched_at", "touch_line", "campaign_id", "channel"};
    for (size_t i = 0; i < ARRAY_LEN(hdr); i++)
        csvout_text(&o, hdr[i]);
    for (int k = 0; k < cc.mc.n; k++) {
        char h[64];
        snprintf(h, sizeof h, "%s_%s", col_name(&cc.mc, k), r->s->currency);
        csvout_text(&o, h);
    }
    csvout_end_row(&o);
    attrib_touch_credits(r->a, r->ds, ix, r->s, credits_row, &cc);
    return csvout_close(&o, d) ? -1 : 0;
}
