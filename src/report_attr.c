/* report_attr.c — the attribution workbook: Summary, Channels and Campaigns (with spend in the
 * period), then the detail sheets of report_credits.c, Exceptions and Run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_attr_internal.h"
#include "report_internal.h"
#include "spend.h"
#include "util.h"

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

/* Per model: credit, deals credited (fractional), ROAS, ROI, cost per won deal. Spend in the
 * period is in column spend_col of the same row. */
#define PER_MODEL 5

static void model_headers(struct xsheet *sh, uint32_t row, uint16_t col0,
                          const struct model_cols *mc, const char *currency)
{
    for (int k = 0; k < mc->n; k++) {
        const char *name = report_attr_model_name(mc, k);
        uint16_t c = (uint16_t)(col0 + k * PER_MODEL);
        char h[96];
        snprintf(h, sizeof h, "%s credit (%s)", name, currency);
        xs_text(sh, row, c, h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "%s deals credited (fractional)", name);
        xs_text(sh, row, (uint16_t)(c + 1), h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "%s ROAS (credit ÷ spend in period)", name);
        xs_text(sh, row, (uint16_t)(c + 2), h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "%s ROI (%% of spend in period)", name);
        xs_text(sh, row, (uint16_t)(c + 3), h, XS_HEADER_NUM);
        snprintf(h, sizeof h, "%s cost per won deal (%s)", name, currency);
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
#define CHANNELS_SHEET  "Channels"
#define CAMPAIGNS_SHEET "Campaigns"

/* The Channels sheet's columns before the models: one table for headers and the writer. */
enum channel_col { CH_NAME, CH_TOUCHES_PERIOD, CH_TOUCHES_WON, CH_DEALS, CH_SPEND, CH_MODEL0 };
static const struct col_def channel_cols[CH_MODEL0] = {
    [CH_NAME] = {"Channel", 18, false, false},
    [CH_TOUCHES_PERIOD] = {"Touches in period (dated in it, all leads)", 14, true, false},
    [CH_TOUCHES_WON] = {"Touches in won journeys (deals closed-won in period)", 14, true, false},
    [CH_DEALS] = {"Won deals touched (count)", 14, true, false},
    [CH_SPEND] = {"Spend in period", 14, true, true},
};

/* The Campaigns sheet's columns before the models. */
enum campaign_col {
    CC_ID,
    CC_NAME,
    CC_CHANNEL,
    CC_OWNER_ID,
    CC_OWNER,
    CC_START,
    CC_END,
    CC_BASIS,
    CC_LIFETIME,
    CC_DAYS_IN,
    CC_DAYS,
    CC_SPEND,
    CC_TOUCHES_PERIOD,
    CC_TOUCHES_WON,
    CC_DEALS,
    CC_MODEL0
};
static const struct col_def campaign_cols[CC_MODEL0] = {
    [CC_ID] = {"Campaign ID", 18, false, false},
    [CC_NAME] = {"Campaign", 34, false, false},
    [CC_CHANNEL] = {"Channel", 13, false, false},
    [CC_OWNER_ID] = {"Owner ID", 18, false, false},
    [CC_OWNER] = {"Owner", 18, false, false},
    [CC_START] = {"Start date", 11, false, false},
    [CC_END] = {"End date", 11, false, false},
    [CC_BASIS] = {"Period spend basis", 30, false, false},
    [CC_LIFETIME] = {"Lifetime spend, campaigns file", 14, true, true},
    [CC_DAYS_IN] = {"Days in period (of the spread)", 11, true, false},
    [CC_DAYS] = {"Days spread over (start to end or as-of)", 12, true, false},
    [CC_SPEND] = {"Spend in period", 14, true, true},
    [CC_TOUCHES_PERIOD] = {"Touches in period (dated in it, all leads)", 12, true, false},
    [CC_TOUCHES_WON] = {"Touches in won journeys (deals closed-won in period)", 13, true, false},
    [CC_DEALS] = {"Won deals touched (count)", 11, true, false},
};

/* The Summary's note on how spend is assigned to the period (also a note on Campaigns). */
static const char spend_rule[] =
    "Spend in period: each campaign's spend (campaigns file) spread evenly over its start-to-end "
    "days, both inclusive (a running campaign, with no end date or one after as-of: start to "
    "as-of), counting the days inside the period: spend × days in period ÷ days spread over, "
    "rounded half away from zero to the cent once per campaign. A campaign without a start date "
    "counts all of its spend. A campaign named in the spend-by-date file ([inputs] spend) counts "
    "the sum of its rows dated in the period instead. ROAS, ROI and cost per won deal use the "
    "spend in period; lifetime spend is shown on Campaigns for reference only.";

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

/* The channels in descending order of credit under model column k (ties: channel name order),
 * those with no credit left out. Returns how many; out holds at least n_channels ids. The
 * caller passes the channel ids sorted by name and their Channels row. */
static uint32_t top_channels(const struct report_ctx *r, const struct model_cols *mc, int k,
                             const uint32_t *by_name, uint32_t n, uint32_t *out)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        int64_t v = channel_credit(r, mc, k, by_name[i]);
        if (v == 0)
            continue;
        /* insertion sort on |credit| descending keeps name order among equals */
        uint32_t j = m++;
        while (j > 0) {
            int64_t u = channel_credit(r, mc, k, by_name[out[j - 1]]);
            if ((u < 0 ? -u : u) >= (v < 0 ? -v : v))
                break;
            out[j] = out[j - 1];
            j--;
        }
        out[j] = i; /* the index in name order = the Channels row - 1 */
    }
    return m;
}

#define TOP_CHANNELS 3

static void summary_sheet(const struct report_ctx *r, struct xbook *b, const struct model_cols *mc,
                          const struct period_spend *ps, size_t detail_cut)
{
    const struct attribution *a = r->a;
    const struct dataset *ds = r->ds;
    struct xsheet *sh = xbook_add_sheet(b, "Summary");
    xs_tab_color(sh, TAB_SUMMARY);
    xs_hide_gridlines(sh);
    double width_a = 20;
    char title[64], f[320], c1[16], c2[16], c3[16];
    snprintf(title, sizeof title, "Attribution %s", r->period->name);
    uint32_t row = 0;
    xs_text(sh, row++, 0, title, XS_TITLE);
    row = report_note_lines(
        sh, row,
        "Revenue of deals closed-won in the period, credited to the campaigns that "
        "touched the lead; each deal's credit sums to its amount to the cent.",
        110);
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
    int64_t spend = ps->total;
    int64_t attributed = a->won_cents - a->unattributed_cents;
    uint32_t n_attributed = a->n_deals - a->n_unattributed;

    uint32_t r_deals = row++, r_won = row++, r_unattr = row++, r_undeals = row++;
    uint32_t r_attr = row++, r_sourced = row++, r_srcshare = row++;
    summary_label(sh, r_deals, "Closed-won deals", &width_a);
    xs_int(sh, r_deals, 1, a->n_deals, XS_INT);
    summary_label(sh, r_won, "Closed-won revenue", &width_a);
    xs_money(sh, r_won, 1, a->won_cents, XS_MONEY);
    summary_label(sh, r_unattr, "Unattributed revenue", &width_a);
    /* the Unattributed sheet's total (a row per unattributed deal, then the total) */
    snprintf(f, sizeof f, "=" UNATTRIBUTED_SHEET "!%s",
             xs_cell(c1, 1 + (uint32_t)a->n_unattributed, UC_AMOUNT));
    xs_formula_money(sh, r_unattr, 1, f, a->unattributed_cents, XS_MONEY);
    summary_label(sh, r_undeals, "Unattributed deals", &width_a);
    xs_int(sh, r_undeals, 1, a->n_unattributed, XS_INT);
    summary_label(sh, r_attr, "Attributed revenue (credited to campaigns, every model)", &width_a);
    snprintf(f, sizeof f, "=%s-%s", xs_cell(c1, r_won, 1), xs_cell(c2, r_unattr, 1));
    xs_formula_money(sh, r_attr, 1, f, attributed, XS_MONEY);
    summary_label(sh, r_sourced, "Marketing-sourced revenue (first touch a marketing campaign)",
                  &width_a);
    xs_money(sh, r_sourced, 1, a->sourced_cents, XS_MONEY);
    summary_label(sh, r_srcshare, "Marketing-sourced share of closed-won revenue", &width_a);
    snprintf(f, sizeof f, "=IF(%s=0,0,%s/%s)", xs_cell(c1, r_won, 1), xs_cell(c2, r_sourced, 1),
             xs_cell(c3, r_won, 1));
    xs_formula(sh, r_srcshare, 1, f,
               a->won_cents ? (double)a->sourced_cents / (double)a->won_cents : 0.0, XS_PCT);
    row++;

    /* Spend and return: one figure each, whatever the model (every model credits the same
     * attributed revenue, and the same attributed deals). */
    uint32_t r_tp = row++, r_tw = row++, r_spend = row++;
    uint64_t tp = 0, tw = 0;
    for (uint32_t ch = 0; ch < n_ch; ch++) {
        tp += a->channel_period_touches[ch];
        tw += a->channel_touches[ch];
    }
    /* each row's label, then its value: rows top to bottom (xs_in_row_order) */
    summary_label(sh, r_tp, "Touches in period (dated in it, all leads)", &width_a);
    if (n_ch) {
        snprintf(f, sizeof f, "=" CHANNELS_SHEET "!%s", xs_cell(c1, ch_total, CH_TOUCHES_PERIOD));
        xs_formula(sh, r_tp, 1, f, (double)tp, XS_INT);
    } else {
        xs_int(sh, r_tp, 1, (int64_t)tp, XS_INT);
    }
    summary_label(sh, r_tw, "Touches in won journeys (deals closed-won in period)", &width_a);
    if (n_ch) {
        snprintf(f, sizeof f, "=" CHANNELS_SHEET "!%s", xs_cell(c1, ch_total, CH_TOUCHES_WON));
        xs_formula(sh, r_tw, 1, f, (double)tw, XS_INT);
    } else {
        xs_int(sh, r_tw, 1, (int64_t)tw, XS_INT);
    }
    summary_label(sh, r_spend, "Campaign spend in period", &width_a);
    if (n_ch) {
        snprintf(f, sizeof f, "=" CHANNELS_SHEET "!%s", xs_cell(c1, ch_total, CH_SPEND));
        xs_formula_money(sh, r_spend, 1, f, spend, XS_MONEY);
    } else {
        xs_money(sh, r_spend, 1, spend, XS_MONEY);
    }
    if (spend != 0) {
        uint32_t r_roas = row++, r_roi = row++, r_cpd = row++;
        summary_label(sh, r_roas, "ROAS (attributed revenue ÷ spend in period)", &width_a);
        snprintf(f, sizeof f, "=%s/%s", xs_cell(c1, r_attr, 1), xs_cell(c2, r_spend, 1));
        xs_formula(sh, r_roas, 1, f, (double)attributed / (double)spend, XS_RATIO);
        summary_label(sh, r_roi, "ROI ((attributed revenue − spend) ÷ spend in period)", &width_a);
        snprintf(f, sizeof f, "=(%s-%s)/%s", xs_cell(c1, r_attr, 1), xs_cell(c2, r_spend, 1),
                 xs_cell(c3, r_spend, 1));
        xs_formula(sh, r_roi, 1, f, (double)(attributed - spend) / (double)spend, XS_PCT);
        summary_label(sh, r_cpd, "Cost per attributed deal (spend in period ÷ deals)", &width_a);
        if (n_attributed) {
            snprintf(f, sizeof f, "=%s/(%s-%s)", xs_cell(c1, r_spend, 1), xs_cell(c2, r_deals, 1),
                     xs_cell(c3, r_undeals, 1));
            xs_formula(sh, r_cpd, 1, f,
                       xs_major(spend, r->s->currency_digits) / (double)n_attributed, XS_MONEY);
        }
    }
    row = report_note_lines(sh, row, spend_rule, 110);
    /* How each campaign's period spend was found (Campaigns: "Period spend basis"). */
    for (int k = 0; k < SPEND_BASIS_N; k++) {
        if (!ps->n_basis[k])
            continue;
        char label[96];
        snprintf(label, sizeof label, "Campaigns: %s", spend_basis_text((enum spend_basis)k));
        summary_label(sh, row, label, &width_a);
        xs_int(sh, row++, 1, ps->n_basis[k], XS_INT);
    }
    if (detail_cut)
        xs_text(sh, row++, 0,
                "The Deal credits sheet is cut at [output] detail_rows_max; "
                "credits-<period>.csv has every row.",
                XS_NOTE);
    row++;

    /* One row per model: the check that every cent is credited or unattributed, then where the
     * model puts the credit — its top channels with their shares, live over Channels. */
    char won[16], unattr[16];
    snprintf(won, sizeof won, "$B$%u", r_won + 1);
    snprintf(unattr, sizeof unattr, "$B$%u", r_unattr + 1);
    summary_label(sh, row++, "Revenue by model: where each model puts the credit", &width_a);
    row = report_note_lines(
        sh, row,
        "Every model credits the same attributed revenue; they differ in which channels and "
        "campaigns get it. Share = the channel's credit ÷ the model's attributed revenue "
        "(Channels sheet). Check = attributed + unattributed - closed-won revenue: 0 when every "
        "cent is either credited or unattributed.",
        110);
    /* where each model puts the credit first, the check cells last */
    enum {
        MT_MODEL,
        MT_TOP,
        MT_SHARE = MT_TOP + TOP_CHANNELS,
        MT_CAMPAIGNS = MT_SHARE + TOP_CHANNELS,
        MT_ATTRIBUTED,
        MT_UNATTRIBUTED,
        MT_CHECK,
        MT_N
    };
    static const char *const mhdr[MT_N] = {[MT_MODEL] = "Model",
                                           [MT_TOP] = "Top channel",
                                           [MT_TOP + 1] = "2nd channel",
                                           [MT_TOP + 2] = "3rd channel",
                                           [MT_SHARE] = "Top channel's share of credit",
                                           [MT_SHARE + 1] = "2nd channel's share of credit",
                                           [MT_SHARE + 2] = "3rd channel's share of credit",
                                           [MT_CAMPAIGNS] = "Campaigns credited (count)",
                                           [MT_ATTRIBUTED] = "Attributed revenue",
                                           [MT_UNATTRIBUTED] = "Unattributed revenue",
                                           [MT_CHECK] = "Check (= 0)"};
    uint32_t mtable = row++;
    for (uint16_t c = 0; c < MT_N; c++)
        xs_text(sh, mtable, c, mhdr[c], c < MT_SHARE ? XS_HEADER : XS_HEADER_NUM);
    xs_row_height(sh, mtable, 45);
    uint32_t *ids = report_sorted_ids(&ds->channels);
    uint32_t *top = xcalloc(n_ch ? n_ch : 1, sizeof *top);
    const struct campaign_table *ct = &ds->campaigns;
    for (int k = 0; k < mc->n; k++) {
        uint32_t rr = row++;
        uint16_t ccol = (uint16_t)(CH_MODEL0 + k * PER_MODEL);
        char tot[24];
        snprintf(tot, sizeof tot, "%s", xs_cell(c3, ch_total, ccol));
        xs_text(sh, rr, MT_MODEL, report_attr_model_name(mc, k), XS_PLAIN);
        uint32_t nt = top_channels(r, mc, k, ids, n_ch, top);
        for (uint32_t t = 0; t < nt && t < TOP_CHANNELS; t++) {
            uint32_t i = top[t], ch = ids[i];
            xs_text(sh, rr, (uint16_t)(MT_TOP + t), intern_str(&ds->channels, ch), XS_PLAIN);
            int64_t v = channel_credit(r, mc, k, ch);
            snprintf(f, sizeof f,
                     "=IF(" CHANNELS_SHEET "!%s=0,0," CHANNELS_SHEET "!%s/" CHANNELS_SHEET "!%s)",
                     tot, xs_cell(c1, 1 + i, ccol), tot);
            xs_formula(sh, rr, (uint16_t)(MT_SHARE + t), f,
                       attributed ? (double)v / (double)attributed : 0.0, XS_PCT);
        }
        uint32_t credited = 0;
        for (uint32_t c = 0; c < ct->n; c++)
            credited += campaign_credit(r, mc, k, c) != 0;
        if (ct->n) {
            /* the model's credit column on Campaigns, rows 2 .. 1 + campaigns */
            uint16_t col = (uint16_t)(CC_MODEL0 + k * PER_MODEL);
            snprintf(f, sizeof f, "=COUNTIF(" CAMPAIGNS_SHEET "!%s:%s,\"<>0\")",
                     xs_cell(c1, 1, col), xs_cell(c2, ct->n, col));
            xs_formula(sh, rr, MT_CAMPAIGNS, f, (double)credited, XS_INT);
        } else {
            xs_int(sh, rr, MT_CAMPAIGNS, 0, XS_INT);
        }
        if (n_ch) {
            snprintf(f, sizeof f, "=" CHANNELS_SHEET "!%s", tot);
            xs_formula_money(sh, rr, MT_ATTRIBUTED, f, attributed, XS_MONEY);
        } else {
            xs_money(sh, rr, MT_ATTRIBUTED, attributed, XS_MONEY);
        }
        snprintf(f, sizeof f, "=%s", unattr);
        xs_formula_money(sh, rr, MT_UNATTRIBUTED, f, a->unattributed_cents, XS_MONEY);
        snprintf(f, sizeof f, "=%s+%s-%s", xs_cell(c1, rr, MT_ATTRIBUTED),
                 xs_cell(c2, rr, MT_UNATTRIBUTED), won);
        xs_formula_money(sh, rr, MT_CHECK, f, 0, XS_MONEY);
    }
    free(top);
    row++;

    /* Credit by channel, models side by side: the Channels sheet's cells. */
    summary_label(sh, row++, "Credited revenue by channel, models side by side", &width_a);
    uint32_t table = row++;
    uint32_t first_data = row, total_row = first_data + n_ch;
    xs_text(sh, table, 0, "Channel", XS_HEADER);
    for (int k = 0; k < mc->n; k++) {
        char h[96];
        snprintf(h, sizeof h, "%s credit (%s)", report_attr_model_name(mc, k), r->s->currency);
        xs_text(sh, table, (uint16_t)(1 + k), h, XS_HEADER_NUM);
    }
    xs_row_height(sh, table, 30);
    for (uint32_t i = 0; i < n_ch; i++) {
        uint32_t ch = ids[i], rr = first_data + i;
        xs_text(sh, rr, 0, intern_str(&ds->channels, ch), XS_PLAIN);
        for (int k = 0; k < mc->n; k++) {
            /* Channels lists the channels in the same order, from its row 2 */
            snprintf(f, sizeof f, "=" CHANNELS_SHEET "!%s",
                     xs_cell(c1, 1 + i, (uint16_t)(CH_MODEL0 + k * PER_MODEL)));
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
    int ncols = mc->n > MT_N - 1 ? mc->n : MT_N - 1;
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
                           const struct period_spend *ps)
{
    const struct attribution *a = r->a;
    const struct dataset *ds = r->ds;
    struct xsheet *sh = xbook_add_sheet(b, CHANNELS_SHEET);
    xs_tab_color(sh, TAB_DETAIL);
    report_col_headers(sh, 0, channel_cols, CH_MODEL0, r->s->currency);
    model_headers(sh, 0, CH_MODEL0, mc, r->s->currency);
    xs_row_height(sh, 0, 60); /* "Touches in won journeys (…)" takes four lines */
    xs_col_width(sh, CH_MODEL0, (uint16_t)(CH_MODEL0 - 1 + PER_MODEL * mc->n), 14);
    uint32_t n = ds->channels.n;
    /* The filter before the rows below its header (row order). */
    xs_autofilter(sh, 0, 0, n ? n : 1, (uint16_t)(CH_MODEL0 - 1 + PER_MODEL * mc->n));
    uint32_t *ids = report_sorted_ids(&ds->channels);
    int64_t touches_period = 0, touches_won = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ch = ids[i], rr = 1 + i;
        xs_text(sh, rr, CH_NAME, intern_str(&ds->channels, ch), XS_PLAIN);
        xs_int(sh, rr, CH_TOUCHES_PERIOD, a->channel_period_touches[ch], XS_INT);
        xs_int(sh, rr, CH_TOUCHES_WON, a->channel_touches[ch], XS_INT);
        xs_int(sh, rr, CH_DEALS, a->channel_deals[ch], XS_INT);
        xs_money(sh, rr, CH_SPEND, ps->channel[ch], XS_MONEY);
        touches_period += a->channel_period_touches[ch];
        touches_won += a->channel_touches[ch];
        for (int k = 0; k < mc->n; k++)
            model_cells(sh, rr, (uint16_t)(CH_MODEL0 + k * PER_MODEL), CH_SPEND, ps->channel[ch],
                        channel_credit(r, mc, k, ch), NULL, channel_deals(r, mc, k, ch), false,
                        r->s->currency_digits);
    }
    free(ids);
    uint32_t tr = 1 + n;
    char f[96], c1[16], c2[16];
    xs_text(sh, tr, 0, "Total", XS_BOLD);
    if (n) {
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, CH_TOUCHES_PERIOD),
                 xs_cell(c2, tr - 1, CH_TOUCHES_PERIOD));
        xs_formula(sh, tr, CH_TOUCHES_PERIOD, f, (double)touches_period, XS_INT_TOTAL);
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, CH_TOUCHES_WON),
                 xs_cell(c2, tr - 1, CH_TOUCHES_WON));
        xs_formula(sh, tr, CH_TOUCHES_WON, f, (double)touches_won, XS_INT_TOTAL);
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, CH_SPEND),
                 xs_cell(c2, tr - 1, CH_SPEND));
        xs_formula_money(sh, tr, CH_SPEND, f, ps->total, XS_MONEY_TOTAL);
    }
    int64_t attributed = a->won_cents - a->unattributed_cents;
    for (int k = 0; k < mc->n; k++) {
        double deals = 0;
        for (uint32_t ch = 0; ch < n; ch++)
            deals += channel_deals(r, mc, k, ch);
        uint16_t col = (uint16_t)(CH_MODEL0 + k * PER_MODEL);
        if (n)
            snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, col), xs_cell(c2, tr - 1, col));
        model_cells(sh, tr, col, CH_SPEND, ps->total, attributed, n ? f : NULL, deals, true,
                    r->s->currency_digits);
    }
    xs_freeze(sh, 1, 1);
    xs_print_wide(sh, 0, 0);
}

/* ROUND(major × in ÷ days, digits) as a spreadsheet computes it (IEEE doubles, the result snapped
 * to 15 significant digits, then half away from zero), in minor units; *ambiguous when the double
 * lies within a hair of a half, where spreadsheets may disagree. */
static int64_t sheet_spread(int64_t minor, int32_t in, int32_t days, int digits, bool *ambiguous)
{
    double x = xs_major(minor, digits) * (double)in / (double)days;
    for (int i = 0; i < digits; i++)
        x *= 10;
    char buf[64];
    snprintf(buf, sizeof buf, "%.15g", x);
    double y = strtod(buf, NULL);
    double m = y < 0 ? -y : y;
    double fl = (double)(int64_t)m, frac = m - fl;
    *ambiguous = frac > 0.5 - 1e-7 && frac < 0.5 + 1e-7 && frac != 0.5;
    int64_t v = (int64_t)fl + (frac >= 0.5 ? 1 : 0);
    return y < 0 ? -v : v;
}

/* The Campaigns sheet's spend cells of campaign c in row rr: lifetime, basis, days, period spend
 * (a live formula over the row's cells where it has one). */
static void campaign_spend_cells(const struct report_ctx *r, struct xsheet *sh, uint32_t rr,
                                 const struct period_spend *ps, uint32_t c)
{
    const struct campaign_table *ct = &r->ds->campaigns;
    int digits = r->s->currency_digits;
    char basis[128], f[96], lt[16], in[16], dd[16];
    enum spend_basis b = (enum spend_basis)ps->basis[c];
    xs_cell(lt, rr, CC_LIFETIME);
    xs_cell(in, rr, CC_DAYS_IN);
    xs_cell(dd, rr, CC_DAYS);
    if (ct->known[c])
        xs_money(sh, rr, CC_LIFETIME, ct->spend[c], XS_MONEY);
    switch (b) {
    case SPEND_SPREAD:
    case SPEND_RUNNING: {
        snprintf(basis, sizeof basis, "%s: %d of %d days",
                 b == SPEND_RUNNING ? "running" : "spread", ps->days_in[c], ps->days[c]);
        xs_int(sh, rr, CC_DAYS_IN, ps->days_in[c], XS_INT);
        xs_int(sh, rr, CC_DAYS, ps->days[c], XS_INT);
        snprintf(f, sizeof f, "=ROUND(%s*%s/%s,%d)", lt, in, dd, digits);
        bool ambiguous;
        int64_t sheet = sheet_spread(ct->spend[c], ps->days_in[c], ps->days[c], digits, &ambiguous);
        if (sheet == ps->campaign[c] && !ambiguous) {
            xs_formula_money(sh, rr, CC_SPEND, f, ps->campaign[c], XS_MONEY);
        } else {
            xs_money(sh, rr, CC_SPEND, ps->campaign[c], XS_MONEY);
            xs_comment(sh, rr, CC_SPEND,
                       "A value, not a formula: a spreadsheet's binary arithmetic would round "
                       "lifetime × days in period ÷ days spread over differently from the exact "
                       "amount (half away from zero).");
        }
        break;
    }
    case SPEND_NO_DATES:
        snprintf(basis, sizeof basis, "no start date: all spend");
        snprintf(f, sizeof f, "=%s", lt);
        xs_formula_money(sh, rr, CC_SPEND, f, ps->campaign[c], XS_MONEY);
        break;
    case SPEND_FILE:
        snprintf(basis, sizeof basis, "spend file: %u rows dated in period", ct->spend_rows[c]);
        xs_money(sh, rr, CC_SPEND, ps->campaign[c], XS_MONEY);
        break;
    case SPEND_NOT_STARTED:
        snprintf(basis, sizeof basis, "starts after as-of: none yet");
        xs_money(sh, rr, CC_SPEND, 0, XS_MONEY);
        break;
    case SPEND_UNKNOWN:
    default:
        snprintf(basis, sizeof basis, "not in the campaigns file: none");
        xs_money(sh, rr, CC_SPEND, 0, XS_MONEY);
        break;
    }
    xs_text(sh, rr, CC_BASIS, basis, XS_PLAIN);
}

static void campaigns_sheet(const struct report_ctx *r, struct xbook *b,
                            const struct model_cols *mc, const struct period_spend *ps)
{
    const struct attribution *a = r->a;
    const struct dataset *ds = r->ds;
    const struct campaign_table *ct = &ds->campaigns;
    const struct person_table *pt = &ds->people;
    struct xsheet *sh = xbook_add_sheet(b, CAMPAIGNS_SHEET);
    xs_tab_color(sh, TAB_DETAIL);
    report_col_headers(sh, 0, campaign_cols, CC_MODEL0, r->s->currency);
    xs_comment(sh, 0, CC_SPEND, spend_rule);
    model_headers(sh, 0, CC_MODEL0, mc, r->s->currency);
    xs_row_height(sh, 0, 75);
    xs_col_width(sh, CC_MODEL0, (uint16_t)(CC_MODEL0 - 1 + PER_MODEL * mc->n), 14);
    /* The filter before the rows below its header (row order): one row per campaign. */
    xs_autofilter(sh, 0, 0, ct->n ? ct->n : 1, (uint16_t)(CC_MODEL0 - 1 + PER_MODEL * mc->n));
    uint32_t *ids = report_sorted_ids(&ds->campaign_ids);
    uint32_t rr = 1;
    int64_t lifetime = 0, touches_period = 0, touches_won = 0;
    for (uint32_t i = 0; i < ct->n; i++) {
        uint32_t c = ids[i];
        xs_text(sh, rr, CC_ID, intern_str(&ds->campaign_ids, c), XS_PLAIN);
        xs_text(sh, rr, CC_NAME, ct->known[c] ? ct->name[c] : "(not in the campaigns file)",
                XS_PLAIN);
        xs_text(sh, rr, CC_CHANNEL,
                ct->channel[c] == ID_NONE ? "" : intern_str(&ds->channels, ct->channel[c]),
                XS_PLAIN);
        uint32_t o = ct->owner[c];
        if (o != ID_NONE) {
            xs_text(sh, rr, CC_OWNER_ID, intern_str(&ds->people_ids, o), XS_PLAIN);
            if (ds->files[INPUT_PEOPLE].present) /* without a people file: no names to show */
                xs_text(sh, rr, CC_OWNER,
                        o < pt->n && pt->name[o] ? pt->name[o] : "(not in the people file)",
                        XS_PLAIN);
        }
        if (ct->known[c] && ct->start_day[c] != DAY_NONE)
            xs_date(sh, rr, CC_START, ct->start_day[c], XS_DATE);
        if (ct->known[c] && ct->end_day[c] != DAY_NONE)
            xs_date(sh, rr, CC_END, ct->end_day[c], XS_DATE);
        campaign_spend_cells(r, sh, rr, ps, c);
        lifetime += ct->known[c] ? ct->spend[c] : 0;
        xs_int(sh, rr, CC_TOUCHES_PERIOD, a->campaign_period_touches[c], XS_INT);
        xs_int(sh, rr, CC_TOUCHES_WON, a->campaign_touches[c], XS_INT);
        xs_int(sh, rr, CC_DEALS, a->campaign_deals[c], XS_INT);
        touches_period += a->campaign_period_touches[c];
        touches_won += a->campaign_touches[c];
        for (int k = 0; k < mc->n; k++)
            model_cells(sh, rr, (uint16_t)(CC_MODEL0 + k * PER_MODEL), CC_SPEND, ps->campaign[c],
                        campaign_credit(r, mc, k, c), NULL, campaign_deals(r, mc, k, c), false,
                        r->s->currency_digits);
        rr++;
    }
    free(ids);
    char f[96], c1[16], c2[16];
    xs_text(sh, rr, 0, "Total", XS_BOLD);
    if (rr > 1) {
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, CC_LIFETIME),
                 xs_cell(c2, rr - 1, CC_LIFETIME));
        xs_formula_money(sh, rr, CC_LIFETIME, f, lifetime, XS_MONEY_TOTAL);
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, CC_SPEND),
                 xs_cell(c2, rr - 1, CC_SPEND));
        xs_formula_money(sh, rr, CC_SPEND, f, ps->total, XS_MONEY_TOTAL);
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, CC_TOUCHES_PERIOD),
                 xs_cell(c2, rr - 1, CC_TOUCHES_PERIOD));
        xs_formula(sh, rr, CC_TOUCHES_PERIOD, f, (double)touches_period, XS_INT_TOTAL);
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, CC_TOUCHES_WON),
                 xs_cell(c2, rr - 1, CC_TOUCHES_WON));
        xs_formula(sh, rr, CC_TOUCHES_WON, f, (double)touches_won, XS_INT_TOTAL);
        int64_t attributed = a->won_cents - a->unattributed_cents;
        for (int k = 0; k < mc->n; k++) {
            uint16_t col = (uint16_t)(CC_MODEL0 + k * PER_MODEL);
            snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, col), xs_cell(c2, rr - 1, col));
            xs_formula_money(sh, rr, col, f, attributed, XS_MONEY_TOTAL);
        }
    }
    xs_freeze(sh, 1, 2);
    xs_print_wide(sh, 0, 1);
}

int report_attribution_xlsx(const struct report_ctx *r, const char *path, struct diag *d)
{
    struct xbook *b = report_book(r, path, "Attribution",
                                  "Closed-won revenue credited to campaigns and channels", d);
    if (!b)
        return -1;
    struct model_cols mc, rule;
    report_attr_models(r->a, r->dd, true, &mc);
    report_attr_models(r->a, r->dd, false, &rule);
    struct period_spend ps;
    spend_compute(&ps, r->ds, r->period, r->as_of_day);
    size_t cap = r->s->detail_rows_max ? (size_t)r->s->detail_rows_max : 0;
    size_t cut = cap < r->a->n_credits ? r->a->n_credits - cap : 0;
    summary_sheet(r, b, &mc, &ps, cut);
    channels_sheet(r, b, &mc, &ps);
    campaigns_sheet(r, b, &mc, &ps);
    if (cap)
        report_deal_credits_sheets(r, b, &rule, cap);
    report_unattributed_sheet(r, b);
    if (r->dd && (r->dd->models & (1u << DD_MARKOV)))
        report_markov_sheet(r, b);
    report_exceptions_sheet(r, b, false);
    report_run_sheet(r, b);
    spend_release(&ps);
    return xbook_close(b, d);
}
