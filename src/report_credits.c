/* report_credits.c — the attribution workbook's detail sheets (Deal credits, Unattributed,
 * Markov) and the credits CSV, plus what its writers share. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "csvout.h"
#include "date.h"
#include "report_attr_internal.h"
#include "report_internal.h"
#include "util.h"

#define DEAL_SHEET_ROWS_MAX 1048575u

void report_attr_models(const struct attribution *a, const struct dd_credit *ddc, bool with_dd,
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

const char *report_attr_model_name(const struct model_cols *mc, int k)
{
    return mc->dd[k] ? dd_model_name((enum dd_model)mc->m[k])
                     : attr_model_name((enum attr_model)mc->m[k]);
}

void report_col_headers(struct xsheet *sh, uint32_t row, const struct col_def *cols, uint16_t n,
                        const char *currency)
{
    for (uint16_t c = 0; c < n; c++) {
        char h[96];
        const char *text = cols[c].header;
        if (cols[c].money) {
            snprintf(h, sizeof h, "%s (%s)", cols[c].header, currency);
            text = h;
        }
        xs_text(sh, row, c, text, cols[c].number ? XS_HEADER_NUM : XS_HEADER);
        xs_col_width(sh, c, c, cols[c].width);
    }
}

/* A note over as many rows as it needs, each at most about `width` characters, so a
 * printed page is not widened by one long line. Returns the row after it. */
uint32_t report_note_lines(struct xsheet *sh, uint32_t row, const char *text, size_t width)
{
    char line[256];
    while (*text) {
        size_t n = 0, chars = 0, cut = 0;
        while (text[n] && (chars < width || !cut) && n + 4 < sizeof line) {
            if (text[n] == ' ')
                cut = n;
            chars += ((unsigned char)text[n] & 0xC0) != 0x80;
            n++;
        }
        if (!text[n] || !cut)
            cut = n;
        while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
            cut--; /* never split a character */
        memcpy(line, text, cut);
        line[cut] = '\0';
        xs_text(sh, row++, 0, line, XS_NOTE);
        text += cut;
        while (*text == ' ')
            text++;
    }
    return row;
}

/* The Deal credits sheet's columns before the models. */
enum deal_col {
    DC_DEAL,
    DC_CLOSE,
    DC_CAMPAIGN_ID,
    DC_CAMPAIGN,
    DC_CHANNEL,
    DC_AMOUNT,
    DC_TOUCHES,
    DC_MODEL0
};
static const struct col_def deal_cols[DC_MODEL0] = {
    [DC_DEAL] = {"Deal ID", 18, false, false},
    [DC_CLOSE] = {"Close date", 11, false, false},
    [DC_CAMPAIGN_ID] = {"Campaign ID", 18, false, false},
    [DC_CAMPAIGN] = {"Campaign", 30, false, false},
    [DC_CHANNEL] = {"Channel", 13, false, false},
    [DC_AMOUNT] = {"Deal amount", 14, true, true},
    [DC_TOUCHES] = {"Touches of the campaign in the journey", 12, true, false},
};

static const struct col_def unattributed_cols[UC_ORIG] = {
    [UC_DEAL] = {"Deal ID", 18, false, false},     [UC_CLOSE] = {"Close date", 11, false, false},
    [UC_LEAD] = {"Lead ID", 18, false, false},     [UC_OWNER_ID] = {"Owner ID", 18, false, false},
    [UC_OWNER] = {"Owner", 18, false, false},      [UC_REASON] = {"Reason", 70, false, false},
    [UC_AMOUNT] = {"Deal amount", 14, true, true},
};

/* Deal credits: one row per deal × campaign, one cents column per model; at most `max` rows in
 * all, continued on further sheets of at most 1,048,575 rows. Returns the rows left out. */
size_t report_deal_credits_sheets(const struct report_ctx *r, struct xbook *b,
                                  const struct model_cols *mc, size_t max)
{
    const struct attribution *a = r->a;
    const struct dataset *ds = r->ds;
    const struct campaign_table *ct = &ds->campaigns;
    size_t n = a->n_credits < max ? a->n_credits : max;
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
        report_col_headers(sh, 0, deal_cols, DC_MODEL0, r->s->currency);
        for (int k = 0; k < mc->n; k++) {
            char h[96];
            snprintf(h, sizeof h, "%s credit (%s)", report_attr_model_name(mc, k), r->s->currency);
            xs_text(sh, 0, (uint16_t)(DC_MODEL0 + k), h, XS_HEADER_NUM);
        }
        xs_text(sh, 0, (uint16_t)(DC_MODEL0 + mc->n), "Amount as written", XS_HEADER_NUM);
        xs_text(sh, 0, (uint16_t)(DC_MODEL0 + 1 + mc->n), "Currency as written", XS_HEADER);
        xs_row_height(sh, 0, 45);
        xs_col_width(sh, DC_MODEL0, (uint16_t)(DC_MODEL0 + 1 + mc->n), 14);
        size_t rows = n - done < DEAL_SHEET_ROWS_MAX ? n - done : DEAL_SHEET_ROWS_MAX;
        xs_autofilter(sh, 0, 0, rows ? (uint32_t)rows : 1, (uint16_t)(DC_MODEL0 + 1 + mc->n));
        for (size_t i = 0; i < rows; i++) {
            const struct credit *c = &a->credits[done + i];
            uint32_t rr = (uint32_t)(1 + i);
            uint32_t cp = c->campaign;
            xs_text(sh, rr, DC_DEAL, intern_str(&ds->deal_ids, ds->deals.id[c->deal]), XS_PLAIN);
            xs_date(sh, rr, DC_CLOSE, ds->deals.close_day[c->deal], XS_DATE);
            xs_text(sh, rr, DC_CAMPAIGN_ID, intern_str(&ds->campaign_ids, cp), XS_PLAIN);
            xs_text(sh, rr, DC_CAMPAIGN,
                    ct->known[cp] ? ct->name[cp] : "(not in the campaigns file)", XS_PLAIN);
            xs_text(sh, rr, DC_CHANNEL, intern_str(&ds->channels, ct->channel[cp]), XS_PLAIN);
            xs_money(sh, rr, DC_AMOUNT, ds->deals.amount[c->deal], XS_MONEY);
            xs_int(sh, rr, DC_TOUCHES, c->touches, XS_INT);
            for (int k = 0; k < mc->n; k++)
                xs_money(sh, rr, (uint16_t)(DC_MODEL0 + k), c->cents[mc->m[k]], XS_MONEY);
            report_original_amount(sh, rr, (uint16_t)(DC_MODEL0 + mc->n), ds, c->deal);
        }
        xs_freeze(sh, 1, 1);
        xs_print_wide(sh, 0, 0);
        done += rows;
        sheet_no++;
    } while (done < n);
    return a->n_credits - n;
}

void report_unattributed_sheet(const struct report_ctx *r, struct xbook *b)
{
    const struct attribution *a = r->a;
    const struct dataset *ds = r->ds;
    const struct deal_table *dl = &ds->deals;
    const struct person_table *pt = &ds->people;
    struct xsheet *sh = xbook_add_sheet(b, UNATTRIBUTED_SHEET);
    xs_tab_color(sh, TAB_DETAIL);
    report_col_headers(sh, 0, unattributed_cols, UC_ORIG, r->s->currency);
    xs_text(sh, 0, UC_ORIG, "Amount as written", XS_HEADER_NUM);
    xs_text(sh, 0, UC_ORIG + 1, "Currency as written", XS_HEADER);
    xs_col_width(sh, UC_ORIG, UC_ORIG + 1, 12);
    xs_row_height(sh, 0, 30);
    /* The filter before the rows below its header (row order): counted first. */
    uint32_t n = 0;
    for (uint32_t d = 0; d < dl->n; d++)
        n += a->in_period[d] && a->reason[d] != UNATTR_NONE;
    xs_autofilter(sh, 0, 0, n ? n : 1, UC_N - 1);
    uint32_t rr = 1;
    for (uint32_t d = 0; d < dl->n; d++) {
        if (!a->in_period[d] || a->reason[d] == UNATTR_NONE)
            continue;
        uint32_t o = dl->owner[d];
        xs_text(sh, rr, UC_DEAL, intern_str(&ds->deal_ids, dl->id[d]), XS_PLAIN);
        xs_date(sh, rr, UC_CLOSE, dl->close_day[d], XS_DATE);
        xs_text(sh, rr, UC_LEAD, dl->lead[d] == ID_NONE ? "" : intern_str(&ds->leads, dl->lead[d]),
                XS_PLAIN);
        xs_text(sh, rr, UC_OWNER_ID, intern_str(&ds->people_ids, o), XS_PLAIN);
        if (ds->files[INPUT_PEOPLE].present)
            xs_text(sh, rr, UC_OWNER,
                    o < pt->n && pt->name[o] ? pt->name[o] : "(not in the people file)", XS_PLAIN);
        xs_text(sh, rr, UC_REASON, unattributed_reason_text((enum unattributed_reason)a->reason[d]),
                XS_PLAIN);
        xs_money(sh, rr, UC_AMOUNT, dl->amount[d], XS_MONEY);
        report_original_amount(sh, rr, UC_ORIG, ds, d);
        rr++;
    }
    char f[96], c1[16], c2[16];
    xs_text(sh, rr, 0, "Total", XS_BOLD);
    if (rr > 1) {
        snprintf(f, sizeof f, "=SUM(%s:%s)", xs_cell(c1, 1, UC_AMOUNT),
                 xs_cell(c2, rr - 1, UC_AMOUNT));
        xs_formula_money(sh, rr, UC_AMOUNT, f, a->unattributed_cents, XS_MONEY_TOTAL);
    } else {
        xs_money(sh, rr, UC_AMOUNT, 0, XS_MONEY_TOTAL);
    }
    xs_freeze(sh, 1, 1);
}

/* Markov details: removal effects and credit per channel, and how the chain was built. */
void report_markov_sheet(const struct report_ctx *r, struct xbook *b)
{
    const struct dd_credit *dd = r->dd;
    const struct markov_result *mk = &dd->markov;
    const struct dataset *ds = r->ds;
    struct xsheet *sh = xbook_add_sheet(b, "Markov");
    xs_tab_color(sh, TAB_DETAIL);
    xs_col_width(sh, 0, 0, 44);
    xs_col_width(sh, 1, (uint16_t)(dd->n_channels + 2 > 3 ? dd->n_channels + 2 : 3), 16);
    uint32_t row = 0;
    xs_text(sh, row++, 0, "Markov removal effects", XS_TITLE);
    row = report_note_lines(
        sh, row,
        "Computed exactly from the absorbing chain (no simulation). Channel credit = "
        "removal effects normalised over channels; cents allocated by largest "
        "remainder (ties by channel name), then to campaigns by their share of the "
        "channel's touches in converting journeys.",
        100);
    row++;
    xs_text(sh, row, 0, "Order", XS_BOLD);
    xs_int(sh, row++, 1, r->s->markov_order, XS_INT);
    if (r->s->markov_horizon_observed) {
        char hz[160];
        snprintf(hz, sizeof hz,
                 "observed: a walk converts within %" PRIu32
                 " states (longest journey + 1, as ChannelAttribution)",
                 mk->horizon);
        report_label_value(sh, row++, "Horizon", hz);
    } else {
        report_label_value(sh, row++, "Horizon", "infinite (absorbing chain)");
    }
    xs_text(sh, row, 0, "Converting journeys", XS_BOLD);
    xs_int(sh, row++, 1, (int64_t)dd->n_converting, XS_INT);
    xs_text(sh, row, 0, "Non-converting journeys", XS_BOLD);
    xs_int(sh, row++, 1, (int64_t)dd->n_null, XS_INT);
    xs_text(sh, row, 0, "Transient states", XS_BOLD);
    xs_int(sh, row++, 1, mk->n_states, XS_INT);
    xs_text(sh, row, 0, "P(conversion): share of journeys that convert", XS_BOLD);
    xs_number(sh, row++, 1, mk->p_conversion, XS_PCT);
    row++;
    char credit_hdr[32];
    snprintf(credit_hdr, sizeof credit_hdr, "Credit (%s)", r->s->currency);
    const char *const hdr[] = {"Channel", "Removal effect (% of conversions lost without it)",
                               "Conversions credited (deals)", credit_hdr};
    for (uint16_t c = 0; c < 4; c++)
        xs_text(sh, row, c, hdr[c], c ? XS_HEADER_NUM : XS_HEADER);
    xs_row_height(sh, row, 45);
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
    xs_text(sh, row++, 0,
            "Transition probabilities (first order, collapsed journeys): the share of moves from "
            "the row's state that go to the column's, in %",
            XS_BOLD);
    uint32_t n = dd->n_channels;
    size_t cols = (size_t)n + 2;
    xs_text(sh, row, 0, "From \\ to (%)", XS_HEADER);
    for (uint32_t k = 0; k < n; k++)
        xs_text(sh, row, (uint16_t)(1 + k), intern_str(&ds->channels, ids[k]), XS_HEADER_NUM);
    xs_text(sh, row, (uint16_t)(1 + n), "(conversion)", XS_HEADER_NUM);
    xs_text(sh, row, (uint16_t)(2 + n), "(null)", XS_HEADER_NUM);
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
    int64_t ts = touch_ts(&ds->touches, touch);
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
    report_attr_models(r->a, r->dd, false, &cc.mc);
    static const char *const hdr[] = {"deal_id",    "close_date", "amount",      "lead_id",
                                      "touched_at", "touch_line", "campaign_id", "channel"};
    for (size_t i = 0; i < ARRAY_LEN(hdr); i++)
        csvout_text(&o, hdr[i]);
    for (int k = 0; k < cc.mc.n; k++) {
        char h[64];
        snprintf(h, sizeof h, "%s_%s", report_attr_model_name(&cc.mc, k), r->s->currency);
        csvout_text(&o, h);
    }
    csvout_end_row(&o);
    attrib_touch_credits(r->a, r->ds, ix, r->s, credits_row, &cc);
    return csvout_close(&o, d) ? -1 : 0;
}
