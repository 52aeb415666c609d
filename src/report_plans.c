/* report_plans.c — the Plans sheet of the payouts workbook: every plan version's parameters and
 * tier and curve tables as configured (DESIGN §5, §6).
 *
 * Two columns throughout: a label (a config key where there is one) and its value, so a reviewer
 * can map each row back to the INI. Amounts are numbers in the reporting currency, rates and
 * percentages numbers in percent format, dates Excel dates; everything that comes from the
 * configuration is written as a string cell, never into a formula.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "report.h"
#include "report_internal.h"
#include "util.h"
#include "xlsxout.h"

#define WIDTH_MIN 12.0
#define WIDTH_MAX 70.0

struct psheet {
    struct xsheet *sh;
    uint32_t row;
    int digits;      /* minor units of the reporting currency */
    double width[2]; /* widest content seen in columns A and B, in characters */
};

/* Characters (not bytes) of UTF-8 text: what a column must be wide enough for. */
static size_t text_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static void fit(struct psheet *p, uint16_t col, size_t chars)
{
    double w = (double)chars + 2;
    if (col < 2 && w > p->width[col])
        p->width[col] = w;
}

/* The number as the sheet shows it: units / 10^scale. Only for display; the INI stays exact. */
static double dec_double(struct decimal d)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                   1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
    int s = d.scale < 0 ? 0 : d.scale > 18 ? 18 : d.scale;
    return (double)d.units / pow10[s];
}

/* Width of a money cell: the plain decimal plus its thousands separators. */
static size_t money_chars(const struct psheet *p, int64_t minor)
{
    char buf[48];
    size_t n = money_format(buf, sizeof buf, minor, p->digits);
    size_t intd = n - (p->digits ? (size_t)p->digits + 1 : 0) - (minor < 0);
    return n + (intd > 3 ? (intd - 1) / 3 : 0);
}

/* Width of a percent cell ("0.0%" format): the percentage to one decimal and the sign. */
static size_t pct_chars(struct decimal d)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%.1f%%", dec_double(d) * 100);
    return strlen(buf);
}

static void cell_text(struct psheet *p, uint16_t col, const char *text, enum xstyle st)
{
    xs_text(p->sh, p->row, col, text, st);
    fit(p, col, text_chars(text));
}

/* A label row's label: the key as the INI spells it (or a short description). */
static void label(struct psheet *p, const char *key)
{
    cell_text(p, 0, key, XS_PLAIN);
}

static void row_text(struct psheet *p, const char *key, const char *value)
{
    label(p, key);
    cell_text(p, 1, value, XS_PLAIN);
    p->row++;
}

static void put_money(struct psheet *p, uint16_t col, int64_t minor)
{
    xs_money(p->sh, p->row, col, minor, XS_MONEY);
    fit(p, col, money_chars(p, minor));
}

static void put_pct(struct psheet *p, uint16_t col, struct decimal d)
{
    xs_number(p->sh, p->row, col, dec_double(d), XS_PCT);
    fit(p, col, pct_chars(d));
}

static void row_money(struct psheet *p, const char *key, int64_t minor)
{
    label(p, key);
    put_money(p, 1, minor);
    p->row++;
}

/* A money value where -1 means "not configured". */
static void row_money_opt(struct psheet *p, const char *key, int64_t minor)
{
    if (minor < 0)
        row_text(p, key, "none");
    else
        row_money(p, key, minor);
}

static void row_pct(struct psheet *p, const char *key, struct decimal d)
{
    label(p, key);
    put_pct(p, 1, d);
    p->row++;
}

static void row_int(struct psheet *p, const char *key, int64_t v)
{
    label(p, key);
    xs_int(p->sh, p->row, 1, v, XS_INT);
    char buf[32];
    fit(p, 1, (size_t)snprintf(buf, sizeof buf, "%lld", (long long)v) + 4);
    p->row++;
}

static void row_date(struct psheet *p, const char *key, int32_t day)
{
    label(p, key);
    xs_date(p->sh, p->row, 1, day, XS_DATE);
    fit(p, 1, 10);
    p->row++;
}

static const char *period_name(enum period_kind k)
{
    return k == PERIOD_MONTH ? "month" : k == PERIOD_QUARTER ? "quarter" : "year";
}

static const char *basis_name(enum basis b)
{
    static const char *const n[] = {"per_deal", "period_to_date", "period_total"};
    return (unsigned)b < ARRAY_LEN(n) ? n[b] : "?";
}

static const char *method_name(enum tier_method m)
{
    static const char *const n[] = {"marginal", "full_value", "interpolated"};
    return (unsigned)m < ARRAY_LEN(n) ? n[m] : "?";
}

static const char *scope_name(enum scope s)
{
    static const char *const n[] = {"own", "team", "company"};
    return (unsigned)s < ARRAY_LEN(n) ? n[s] : "?";
}

static const char *division_name(enum division d)
{
    static const char *const n[] = {"equal", "by_target_incentive", "by_contribution"};
    return (unsigned)d < ARRAY_LEN(n) ? n[d] : "?";
}

static const char *const op_names[] = {"=", "!=", "<", "<=", ">", ">="};

/* The SPIF filter as written: "Deal Type = New Logo and amount >= 25000.00". Caller frees. */
static char *filter_text(const struct component *c)
{
    size_t need = 1;
    for (size_t i = 0; i < c->n_conds; i++)
        need += strlen(c->conds[i].header) + c->conds[i].text_len + 12;
    char *buf = xmalloc(need);
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < c->n_conds; i++) {
        const struct filter_cond *fc = &c->conds[i];
        const char *op = (unsigned)fc->op < ARRAY_LEN(op_names) ? op_names[fc->op] : "?";
        o += (size_t)snprintf(buf + o, need - o, "%s%s %s %.*s", i ? " and " : "", fc->header, op,
                              (int)fc->text_len, fc->text);
    }
    return buf;
}

/* A gate or tier bound: a share of quota (or goal) in percent format, or an amount. */
static void put_level(struct psheet *p, uint16_t col, const struct level *l)
{
    if (l->pct)
        put_pct(p, col, l->value);
    else
        put_money(p, col, l->value.units);
}

static void measure_rows(struct psheet *p, const struct component *c)
{
    row_text(p, "measure", measure_name(c->measure));
    if (c->measure == MEASURE_ATTRIBUTED_REVENUE || c->measure == MEASURE_SOURCED_REVENUE) {
        row_text(p, "model", attr_model_name(c->model));
        row_text(p, "scope", scope_name(c->scope));
    }
}

static void gate_row(struct psheet *p, const struct component *c, const char *of)
{
    if (!c->has_gate) {
        row_text(p, "gate", "none");
        return;
    }
    char key[48];
    snprintf(key, sizeof key, "gate (%s)", c->gate.pct ? of : "amount");
    label(p, key);
    put_level(p, 1, &c->gate);
    p->row++;
}

static void cap_rows(struct psheet *p, const struct component *c, bool per_deal)
{
    if (per_deal)
        row_money_opt(p, "cap_deal", c->cap_deal);
    row_money_opt(p, "cap_period", c->cap_period);
    if (c->cap_period >= 0)
        row_text(p, "cap_excess", c->cap_excess == EXCESS_CARRY ? "carry" : "forfeit");
}

static void tier_table(struct psheet *p, const struct component *c)
{
    cell_text(p, 0, "From (lower bound)", XS_HEADER);
    cell_text(p, 1, "Rate", XS_HEADER);
    p->row++;
    for (size_t i = 0; i < c->n_tiers; i++) {
        put_level(p, 0, &c->tiers[i].lower);
        put_pct(p, 1, c->tiers[i].rate);
        p->row++;
    }
}

static void curve_table(struct psheet *p, const struct component *c)
{
    cell_text(p, 0, "Attainment", XS_HEADER);
    cell_text(p, 1, "Payout % of target", XS_HEADER);
    p->row++;
    for (size_t i = 0; i < c->n_curve; i++) {
        put_pct(p, 0, c->curve[i].attainment);
        put_pct(p, 1, c->curve[i].payout);
        p->row++;
    }
}

/* Where the keys come from: the section with its line and, for a later version, the base
 * section that supplies every key the version does not state. */
static void section_row(struct psheet *p, const struct report_ctx *r, const char *section,
                        const char *base_plan, const char *component)
{
    char base[300], buf[700];
    if (component)
        snprintf(base, sizeof base, "%s.%s", base_plan, component);
    else
        snprintf(base, sizeof base, "%s", base_plan);
    uint64_t line = config_section_line(r->cfg, section);
    int n = line ? snprintf(buf, sizeof buf, "[%s], line %llu", section, (unsigned long long)line)
                 : snprintf(buf, sizeof buf, "[%s] (--set)", section);
    if (strcmp(base, section) != 0 && config_section_line(r->cfg, base) && n > 0 &&
        (size_t)n < sizeof buf)
        snprintf(buf + n, sizeof buf - (size_t)n, "; other keys from [%s]", base);
    /* Not fitted: the text may run on into the empty columns to its right. */
    label(p, "section");
    xs_text(p->sh, p->row++, 1, buf, XS_NOTE);
}

static void component_block(struct psheet *p, const struct report_ctx *r, const char *base,
                            const struct component *c)
{
    char buf[320];
    p->row++;
    snprintf(buf, sizeof buf, "Component %s (%s)", c->id, component_type_name(c->type));
    xs_text(p->sh, p->row++, 0, buf, XS_BOLD);
    section_row(p, r, c->section, base, c->id);
    switch (c->type) {
    case COMP_COMMISSION:
    case COMP_OVERRIDE:
        measure_rows(p, c);
        row_text(p, "period", period_name(c->period));
        row_text(p, "basis", basis_name(c->basis));
        row_text(p, "method", method_name(c->method));
        gate_row(p, c, "% of quota");
        cap_rows(p, c, true);
        row_pct(p, "weight", c->weight);
        if (c->clawback_days < 0)
            row_text(p, "clawback_days", "none");
        else
            row_int(p, "clawback_days", c->clawback_days);
        if (c->collect) {
            /* pay_on: the booking and payment shares (shown only when part pays on payment) */
            row_pct(p, "pay_on booking", c->pay_booking);
            row_pct(p, "pay_on payment", c->pay_payment);
        }
        tier_table(p, c);
        break;
    case COMP_BONUS:
        measure_rows(p, c);
        row_text(p, "period", period_name(c->period));
        if (c->goal_is_quota)
            row_text(p, "goal", "quota");
        else if (c->measure == MEASURE_WON_DEALS)
            row_int(p, "goal (deals)", c->goal);
        else
            row_money(p, "goal", c->goal);
        row_text(p, "curve_method", c->curve_method == CURVE_STEP ? "step" : "interpolated");
        gate_row(p, c, "% of goal");
        if (c->has_cap_pct)
            row_pct(p, "cap (% of target × weight)", c->cap_pct);
        else
            row_text(p, "cap", "none");
        cap_rows(p, c, false);
        row_pct(p, "weight", c->weight);
        if (c->n_curve)
            curve_table(p, c);
        break;
    case COMP_POOL:
        measure_rows(p, c);
        row_text(p, "period", period_name(c->period));
        if (c->pool_fixed) {
            row_money(p, "amount (fixed pool)", c->pool_amount);
        } else {
            row_pct(p, "share", c->share);
            row_money(p, "threshold", c->threshold);
        }
        row_text(p, "division", division_name(c->division));
        row_pct(p, "weight", c->weight);
        break;
    case COMP_SPIF: {
        row_money(p, "amount (per deal)", c->spif_amount);
        if (c->from_day == INT32_MIN)
            row_text(p, "from", "no start");
        else
            row_date(p, "from", c->from_day);
        if (c->to_day == INT32_MAX)
            row_text(p, "to", "no end");
        else
            row_date(p, "to", c->to_day);
        if (c->n_conds) {
            char *f = filter_text(c);
            row_text(p, "filter", f);
            free(f);
        } else {
            row_text(p, "filter", "none (every deal)");
        }
        if (c->payee == PAYEE_COLUMN) {
            snprintf(buf, sizeof buf, "column:%s", c->payee_header);
            row_text(p, "payee", buf);
        } else {
            row_text(p, "payee", c->payee == PAYEE_OWNER ? "owner" : "splits");
        }
        row_pct(p, "weight", c->weight);
        cap_rows(p, c, true);
        if (c->cap_period >= 0)
            row_text(p, "period", period_name(c->period));
        break;
    }
    case COMP_N:
        break;
    }
}

static void version_block(struct psheet *p, const struct report_ctx *r, const struct plan *pl,
                          size_t vi)
{
    const struct plan_version *v = &pl->versions[vi];
    const struct plan_version *next = vi + 1 < pl->n_versions ? &pl->versions[vi + 1] : NULL;
    char buf[400], day[24];
    if (v->from_day == DAY_NONE) {
        snprintf(day, sizeof day, "base");
    } else {
        char d[12];
        date_format_day(d, sizeof d, v->from_day);
        snprintf(day, sizeof day, "from %s", d);
    }
    p->row += 2;
    snprintf(buf, sizeof buf, "Plan %s — %s (version %s)", pl->id, v->name, day);
    xs_text(p->sh, p->row++, 0, buf, XS_BOLD);
    section_row(p, r, v->section, pl->versions[0].section, NULL);
    if (v->from_day != DAY_NONE)
        row_date(p, "applies from", v->from_day);
    else if (next)
        row_text(p, "applies from", "the start (base version)");
    if (next)
        row_date(p, "applies until", next->from_day - 1);
    row_text(p, "quota_period", period_name(v->quota_period));
    row_text(p, "payout_period", period_name(v->payout_period));
    row_money_opt(p, "cap_payee", v->cap_payee);
    if (v->draw > 0) { /* only a plan with a draw lists its keys */
        row_money(p, "draw", v->draw);
        row_text(p, "draw_type", v->draw_recoverable ? "recoverable" : "non_recoverable");
        if (v->draw_recoverable) {
            row_pct(p, "draw_recovery_share", v->draw_recovery_share);
            row_money_opt(p, "draw_recovery_cap", v->draw_recovery_cap);
            if (v->draw_recovery_until != DAY_NONE)
                row_date(p, "draw_recovery_until", v->draw_recovery_until);
        }
        if (v->draw_until != DAY_NONE)
            row_date(p, "draw_until", v->draw_until);
    }
    size_t need = 1;
    for (size_t i = 0; i < v->n_components; i++)
        need += strlen(v->components[i].id) + 2;
    char *list = xmalloc(need);
    size_t o = 0;
    list[0] = 0;
    for (size_t i = 0; i < v->n_components; i++)
        o += (size_t)snprintf(list + o, need - o, "%s%s", i ? ", " : "", v->components[i].id);
    row_text(p, "components", list);
    free(list);
    for (size_t i = 0; i < v->n_components; i++)
        component_block(p, r, pl->versions[0].section, &v->components[i]);
}

void report_plans_sheet(const struct report_ctx *r, struct xbook *b, const struct plan *only)
{
    struct psheet p = {xbook_add_sheet(b, only ? "Plan" : "Plans"),
                       0,
                       r->s->currency_digits,
                       {WIDTH_MIN, WIDTH_MIN}};
    xs_tab_color(p.sh, TAB_DETAIL);
    xs_hide_gridlines(p.sh);
    char buf[512];
    xs_text(p.sh, p.row++, 0, only ? "Plan" : "Plans", XS_TITLE);
    snprintf(buf, sizeof buf, "As configured in %s", r->cfg->display);
    xs_text(p.sh, p.row++, 0, buf, XS_NOTE);
    p.row++;
    xs_text(p.sh, p.row, 0, "Period", XS_BOLD);
    cell_text(&p, 1, r->period->name, XS_PLAIN);
    p.row++;
    xs_text(p.sh, p.row, 0, "Currency", XS_BOLD);
    cell_text(&p, 1, r->s->currency, XS_PLAIN);
    p.row += 2;
    xs_text(p.sh, p.row++, 0,
            "Tier lower bounds are a percentage of quota or an amount of the measure; tiers are "
            "half-open [lower, next lower). Amounts are in the reporting currency.",
            XS_NOTE);
    xs_text(p.sh, p.row++, 0,
            "A later version applies to deals closed on or after its date, and to period-level "
            "components whose attainment period ends on or after it.",
            XS_NOTE);
    if (!r->plans || !r->plans->n) {
        p.row++;
        xs_text(p.sh, p.row, 0, "No plans configured.", XS_NOTE);
    } else {
        for (size_t i = 0; i < r->plans->n; i++)
            for (size_t v = 0; v < r->plans->plans[i].n_versions; v++)
                if (!only || only == &r->plans->plans[i])
                    version_block(&p, r, &r->plans->plans[i], v);
    }
    for (uint16_t c = 0; c < 2; c++)
        xs_col_width(p.sh, c, c, p.width[c] > WIDTH_MAX ? WIDTH_MAX : p.width[c]);
}
