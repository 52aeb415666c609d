/* plan.c — reading and validating plan sections (the plan language of DESIGN §5). */
#include "plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "util.h"

#define PLAN_SECTIONS_MAX 4096
#define LIST_MAX          64

/* Key lookup for one version of a plan or component: the version's section first, then the base
 * plan's. Errors land on the line of whichever entry supplied the value. */
struct keys {
    struct config *c;
    const char *sec[2]; /* [0] the version's section (may equal [1]), [1] the base section */
    struct diag *d;
    int digits; /* minor units of the reporting currency */
    int rc;
};

static const char *src(struct keys *k, const char *key)
{
    if (k->sec[0] && config_find(k->c, k->sec[0], key))
        return k->sec[0];
    if (k->sec[1] && config_find(k->c, k->sec[1], key))
        return k->sec[1];
    return k->sec[0] ? k->sec[0] : k->sec[1];
}

static struct cfg_entry *entry(struct keys *k, const char *key)
{
    return config_find(k->c, src(k, key), key);
}

static void fail(struct keys *k, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct keys *k, const char *key, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct cfg_entry *e = key ? entry(k, key) : NULL;
    if (e)
        config_error_at(k->c, e, k->d, "%s", msg);
    else
        diag_error(k->d, k->c->display, config_section_line(k->c, src(k, "type")), "%s", msg);
    k->rc = -1;
}

static size_t get_enum(struct keys *k, const char *key, const char *const *names, size_t n,
                       size_t def)
{
    size_t v;
    if (config_get_enum(k->c, src(k, key), key, names, n, def, &v, k->d))
        k->rc = -1;
    return v;
}

static const char *get_str(struct keys *k, const char *key, const char *def)
{
    const char *v;
    if (config_get_str(k->c, src(k, key), key, def, &v, k->d))
        k->rc = -1;
    return v;
}

/* Record the value in force for the Run sheet (and mark the key used) when this module parses
 * the value itself. */
static void in_force(struct keys *k, const char *key, const char *def)
{
    const char *unused;
    config_get_str(k->c, src(k, key), key, def, &unused, k->d);
}

static bool has(struct keys *k, const char *key)
{
    return entry(k, key) != NULL;
}

/* An amount in the reporting currency ("5000.00", "1,000,000.00"), or -1 on error. */
static int parse_amount(struct keys *k, const char *s, size_t len, int64_t *out)
{
    struct money_fmt f = {'.', ',', k->digits};
    struct money_parsed mp;
    if (money_parse(s, len, &f, &mp) || mp.minor < 0)
        return -1;
    *out = mp.minor;
    return 0;
}

static int64_t get_amount(struct keys *k, const char *key, int64_t def)
{
    struct cfg_entry *e = entry(k, key);
    if (!e)
        return def;
    int64_t v;
    if (parse_amount(k, e->value, strlen(e->value), &v)) {
        fail(k, key, "bad value '%s' for key '%s': expected an amount like 5000.00", e->value, key);
        return def;
    }
    in_force(k, key, "");
    return v;
}

/* A percentage or fraction ("5%", "0.05"); at most 10 fractional digits after the % shift. */
static int parse_rate(const char *s, size_t len, struct decimal *out)
{
    if (decimal_parse(s, len, out) || out->scale > 10)
        return -1;
    return 0;
}

static struct decimal get_rate(struct keys *k, const char *key, const char *def, bool *present)
{
    struct cfg_entry *e = entry(k, key);
    struct decimal v = {0, 0};
    if (present)
        *present = e != NULL;
    const char *s = e ? e->value : def;
    if (parse_rate(s, strlen(s), &v) || v.units < 0) {
        fail(k, key, "bad value '%s' for key '%s': expected a percentage like 5%% or 12.5%%", s,
             key);
        return (struct decimal){0, 0};
    }
    in_force(k, key, def);
    return v;
}

/* A level: "50%" (of quota) or an amount "150000.00". */
static int parse_level(struct keys *k, const char *s, size_t len, struct level *out)
{
    trim_span(&s, &len);
    if (len && s[len - 1] == '%') {
        out->pct = true;
        return parse_rate(s, len, &out->value) || out->value.units < 0 ? -1 : 0;
    }
    int64_t v;
    if (parse_amount(k, s, len, &v))
        return -1;
    out->pct = false;
    out->value = (struct decimal){v, 0};
    return 0;
}

/* Split "a: b, c: d" into pairs. Returns the count, or -1 on a syntax error. */
static int split_pairs(const char *s, const char *left[], size_t llen[], const char *right[],
                       size_t rlen[], int max)
{
    int n = 0;
    while (*s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        const char *colon = memchr(s, ':', len);
        if (!colon || n == max)
            return -1;
        left[n] = s;
        llen[n] = (size_t)(colon - s);
        right[n] = colon + 1;
        rlen[n] = len - llen[n] - 1;
        trim_span(&left[n], &llen[n]);
        trim_span(&right[n], &rlen[n]);
        if (!llen[n] || !rlen[n])
            return -1;
        n++;
        s = end ? end + 1 : s + len;
    }
    return n;
}

static void load_tiers(struct keys *k, struct component *comp)
{
    const char *l[LIST_MAX], *r[LIST_MAX];
    size_t ll[LIST_MAX], rl[LIST_MAX];
    if (has(k, "rate") && has(k, "tiers")) {
        fail(k, "rate", "give either 'rate' or 'tiers', not both");
        return;
    }
    if (has(k, "rate")) {
        comp->tiers = xcalloc(1, sizeof *comp->tiers);
        comp->n_tiers = 1;
        comp->tiers[0].lower = (struct level){false, {0, 0}};
        comp->tiers[0].rate = get_rate(k, "rate", "0", NULL);
        if (decimal_cmp(comp->tiers[0].rate, (struct decimal){1, 0}) > 0)
            fail(k, "rate", "bad value '%s' for key 'rate': a rate above 100%%",
                 entry(k, "rate")->value);
        return;
    }
    struct cfg_entry *e = entry(k, "tiers");
    if (!e) {
        fail(k, NULL, "[%s] needs 'rate = <percent>' or 'tiers = <lower>: <rate>, …'", k->sec[0]);
        return;
    }
    in_force(k, "tiers", "");
    int n = split_pairs(e->value, l, ll, r, rl, LIST_MAX);
    if (n <= 0) {
        fail(k, "tiers",
             "bad tiers '%s': expected '<lower>: <rate>, …' like '0%%: 5%%, 100%%: 8%%'", e->value);
        return;
    }
    comp->tiers = xcalloc((size_t)n, sizeof *comp->tiers);
    comp->n_tiers = (size_t)n;
    for (int i = 0; i < n; i++) {
        struct tier *t = &comp->tiers[i];
        if (parse_level(k, l[i], ll[i], &t->lower) || parse_rate(r[i], rl[i], &t->rate) ||
            t->rate.units < 0 || decimal_cmp(t->rate, (struct decimal){1, 0}) > 0) {
            fail(k, "tiers", "bad tier '%.*s: %.*s' in '%s'", (int)ll[i], l[i], (int)rl[i], r[i],
                 e->value);
            return;
        }
        if (i > 0 && t->lower.pct != comp->tiers[0].lower.pct) {
            fail(k, "tiers", "tiers mix percentages of quota and amounts in '%s'", e->value);
            return;
        }
        if (i > 0 && decimal_cmp(t->lower.value, comp->tiers[i - 1].lower.value) <= 0) {
            fail(k, "tiers",
                 "tiers must have strictly increasing lower bounds: '%.*s' after '%.*s' in '%s'",
                 (int)ll[i], l[i], (int)ll[i - 1], l[i - 1], e->value);
            return;
        }
    }
}

static void load_curve(struct keys *k, struct component *comp)
{
    const char *l[LIST_MAX], *r[LIST_MAX];
    size_t ll[LIST_MAX], rl[LIST_MAX];
    struct cfg_entry *e = entry(k, "curve");
    if (!e) {
        fail(k, NULL, "[%s] needs 'curve = <attainment>: <payout>, …'", k->sec[0]);
        return;
    }
    in_force(k, "curve", "");
    int n = split_pairs(e->value, l, ll, r, rl, LIST_MAX);
    if (n <= 0) {
        fail(k, "curve",
             "bad curve '%s': expected '<attainment>: <payout>, …' like '0%%: 0%%, "
             "100%%: 100%%'",
             e->value);
        return;
    }
    comp->curve = xcalloc((size_t)n, sizeof *comp->curve);
    comp->n_curve = (size_t)n;
    for (int i = 0; i < n; i++) {
        struct curve_point *p = &comp->curve[i];
        if (parse_rate(l[i], ll[i], &p->attainment) || parse_rate(r[i], rl[i], &p->payout) ||
            p->attainment.units < 0 || p->payout.units < 0) {
            fail(k, "curve", "bad curve point '%.*s: %.*s' in '%s'", (int)ll[i], l[i], (int)rl[i],
                 r[i], e->value);
            return;
        }
        if (i > 0 && decimal_cmp(p->attainment, comp->curve[i - 1].attainment) <= 0) {
            fail(k, "curve", "curve points must have strictly increasing attainment in '%s'",
                 e->value);
            return;
        }
    }
}

static const char *const op_names[] = {"=", "!=", "<", "<=", ">", ">="};

/* "Deal Type = New Logo and amount >= 25000.00": conditions joined by 'and'. */
static void load_filter(struct keys *k, struct component *comp, struct plan_set *ps)
{
    struct cfg_entry *e = entry(k, "filter");
    if (!e)
        return;
    in_force(k, "filter", "");
    const char *s = e->value;
    size_t cap = 0;
    while (*s) {
        /* The next " and " (case-insensitive) ends this condition. */
        const char *end = NULL;
        for (const char *q = s; *q && !end; q++)
            if ((q[0] == ' ' || q[0] == '\t') && ascii_casecmp_n(q + 1, 3, "and", 3) == 0 &&
                (q[4] == ' ' || q[4] == '\t'))
                end = q;
        size_t len = end ? (size_t)(end - s) : strlen(s);
        const char *op = NULL;
        size_t oplen = 0;
        for (size_t i = 0; i < len && !op; i++) {
            if (s[i] == '=' || s[i] == '<' || s[i] == '>' || (s[i] == '!' && s[i + 1] == '=')) {
                op = s + i;
                oplen = (i + 1 < len && s[i + 1] == '=' && s[i] != '=') ? 2 : 1;
            }
        }
        struct filter_cond fc = {0};
        const char *h = s, *v = op ? op + oplen : NULL;
        size_t hl = op ? (size_t)(op - s) : 0, vl = op ? len - hl - oplen : 0;
        if (op) {
            trim_span(&h, &hl);
            trim_span(&v, &vl);
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
                v++;
                vl -= 2;
            }
        }
        if (!op || !hl || !vl) {
            fail(k, "filter",
                 "bad filter condition '%.*s': expected '<column> <op> <value>' with op one of "
                 "= != < <= > >=",
                 (int)len, s);
            return;
        }
        for (size_t i = 0; i < ARRAY_LEN(op_names); i++)
            if (strlen(op_names[i]) == oplen && memcmp(op_names[i], op, oplen) == 0)
                fc.op = (enum filter_op)i;
        fc.text = v;
        fc.text_len = vl;
        fc.numeric = decimal_parse(v, vl, &fc.num) == 0;
        fc.header = xstrndup(h, hl);
        if (ascii_casecmp_n(h, hl, "amount", 6) == 0) {
            fc.is_amount = true;
            if (parse_amount(k, v, vl, &fc.minor)) {
                fail(k, "filter", "bad amount '%.*s' in filter condition '%.*s'", (int)vl, v,
                     (int)len, s);
                return;
            }
        } else {
            if (fc.op != OP_EQ && fc.op != OP_NE && !fc.numeric) {
                fail(k, "filter", "'%.*s' compares '%.*s' with %s, which needs a number", (int)len,
                     s, (int)hl, h, op_names[fc.op]);
                return;
            }
            fc.extra = SIZE_MAX;
            for (size_t i = 0; i < ps->n_deal_extra; i++)
                if (ascii_casecmp_n(ps->deal_extra[i], strlen(ps->deal_extra[i]), h, hl) == 0)
                    fc.extra = i;
            if (fc.extra == SIZE_MAX) {
                fc.extra = ps->n_deal_extra;
                ps->deal_extra =
                    xreallocarray(ps->deal_extra, ps->n_deal_extra + 1, sizeof *ps->deal_extra);
                ps->deal_extra[ps->n_deal_extra++] = fc.header;
            }
        }
        VEC_GROW(comp->conds, cap, comp->n_conds + 1);
        comp->conds[comp->n_conds++] = fc;
        s = end ? end + 5 : s + len;
        while (*s == ' ' || *s == '\t')
            s++;
    }
}

static bool strcasecmp_ascii(const char *a, const char *b)
{
    return ascii_casecmp_n(a, strlen(a), b, strlen(b)) == 0;
}

static bool level_needs_quota(const struct level *l)
{
    return l->pct;
}

/* pay_on = booking 50%, payment 50%: what share of a deal's line pays on booking and what share
 * as the customer pays. Each part at most once, shares from 0% to 100%, totalling 100%. */
static void load_pay_on(struct keys *k, struct component *comp, struct plan_set *ps)
{
    comp->pay_booking = (struct decimal){1, 0};
    comp->pay_payment = (struct decimal){0, 0};
    struct cfg_entry *e = entry(k, "pay_on");
    if (!e)
        return;
    in_force(k, "pay_on", "");
    if ((comp->type != COMP_COMMISSION && comp->type != COMP_OVERRIDE) ||
        comp->basis == BASIS_PERIOD_TOTAL) {
        fail(k, "pay_on",
             "pay_on needs a line per deal: only a commission or override with basis per_deal "
             "or period_to_date can pay on collection");
        return;
    }
    const char *s = e->value;
    bool seen[2] = {false, false};
    struct decimal share[2] = {{0, 0}, {0, 0}};
    int64_t total = 0; /* in 1e-10 */
    while (*s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        const char *w = s;
        size_t wl = len;
        trim_span(&w, &wl);
        size_t nl = 0;
        while (nl < wl && w[nl] != ' ' && w[nl] != '\t')
            nl++;
        const char *r = w + nl;
        size_t rl = wl - nl;
        trim_span(&r, &rl);
        int part = nl == 7 && !memcmp(w, "booking", 7)   ? 0
                   : nl == 7 && !memcmp(w, "payment", 7) ? 1
                                                         : -1;
        struct decimal v;
        if (part < 0 || !rl || parse_rate(r, rl, &v) || v.units < 0 || seen[part]) {
            fail(k, "pay_on",
                 "bad pay_on part '%.*s': expected 'booking <percent>' and 'payment <percent>', "
                 "each at most once (booking 50%%, payment 50%%)",
                 (int)wl, w);
            return;
        }
        seen[part] = true;
        share[part] = v;
        int64_t x = v.units;
        for (int i = v.scale; i < 10 && x <= INT64_MAX / 10; i++)
            x *= 10;
        total = x > INT64_MAX - total ? INT64_MAX : total + x;
        s = end ? end + 1 : s + len;
    }
    if (total != 10000000000) {
        fail(k, "pay_on", "pay_on '%s' does not total 100%%", e->value);
        return;
    }
    comp->pay_booking = share[0];
    comp->pay_payment = share[1];
    comp->collect = share[1].units != 0;
    if (comp->collect && ps->max_lookback < PLAN_COLLECT_LOOKBACK)
        ps->max_lookback = PLAN_COLLECT_LOOKBACK;
}

static void load_component(struct keys *k, struct component *comp, struct plan *plan,
                           const struct plan_version *v, struct plan_set *ps)
{
    static const char *const types[] = {"commission", "bonus", "pool", "override", "spif"};
    static const char *const measures[] = {"own_revenue",     "team_revenue",
                                           "company_revenue", "attributed_revenue",
                                           "sourced_revenue", "won_deals"};
    static const char *const periods[] = {"month", "quarter", "year"};
    static const char *const bases[] = {"per_deal", "period_to_date", "period_total"};
    static const char *const methods[] = {"marginal", "full_value", "interpolated"};
    static const char *const curves[] = {"step", "interpolated"};
    static const char *const scopes[] = {"own", "team", "company"};
    static const char *const excess[] = {"forfeit", "carry"};
    static const char *const divisions[] = {"equal", "by_target_incentive", "by_contribution"};

    if (!has(k, "type")) {
        fail(k, NULL, "[%s] needs 'type = commission | bonus | pool | override | spif'", k->sec[0]);
        return;
    }
    comp->type = (enum component_type)get_enum(k, "type", types, ARRAY_LEN(types), 0);
    enum measure def_measure =
        comp->type == COMP_OVERRIDE ? MEASURE_TEAM_REVENUE : MEASURE_OWN_REVENUE;
    if (comp->type != COMP_SPIF)
        comp->measure =
            (enum measure)get_enum(k, "measure", measures, ARRAY_LEN(measures), def_measure);
    if (comp->measure == MEASURE_WON_DEALS && comp->type != COMP_BONUS)
        fail(k, "measure", "won_deals counts deals, not money: only a bonus can measure it");
    if (comp->type == COMP_OVERRIDE && comp->measure != MEASURE_TEAM_REVENUE)
        fail(k, "measure", "an override pays on team_revenue (the manager's reports)");
    comp->scope = comp->measure == MEASURE_ATTRIBUTED_REVENUE ? SCOPE_OWN : SCOPE_COMPANY;
    if (comp->measure == MEASURE_ATTRIBUTED_REVENUE || comp->measure == MEASURE_SOURCED_REVENUE) {
        const char *m = get_str(k, "model", "");
        if (!*m) {
            fail(k, NULL, "[%s] measures %s and needs 'model = <a rule-based model>'", k->sec[0],
                 measure_name(comp->measure));
        } else {
            size_t i = 0;
            while (i < MODEL_N && strcmp(attr_model_name((enum attr_model)i), m) != 0)
                i++;
            if (i == MODEL_N)
                fail(k, "model",
                     "unknown model '%s' for %s (a rule-based model such as linear or "
                     "first_touch)",
                     m, measure_name(comp->measure));
            comp->model = (enum attr_model)(i < MODEL_N ? i : 0);
            ps->models |= 1u << comp->model;
        }
        comp->scope = (enum scope)get_enum(k, "scope", scopes, ARRAY_LEN(scopes), comp->scope);
    }
    comp->period = (enum period_kind)get_enum(k, "period", periods, ARRAY_LEN(periods),
                                              (size_t)v->quota_period);
    comp->weight = get_rate(k, "weight", "100%", NULL);
    comp->cap_deal = get_amount(k, "cap_deal", -1);
    comp->cap_period = get_amount(k, "cap_period", -1);
    comp->cap_excess =
        (enum cap_excess)get_enum(k, "cap_excess", excess, ARRAY_LEN(excess), EXCESS_FORFEIT);
    if (comp->cap_excess == EXCESS_CARRY && comp->cap_period < 0)
        fail(k, "cap_excess", "cap_excess = carry needs cap_period");
    if (comp->cap_excess == EXCESS_CARRY)
        ps->any_carry = true;
    if (has(k, "gate")) {
        struct cfg_entry *e = entry(k, "gate");
        in_force(k, "gate", "");
        comp->has_gate = true;
        if (parse_level(k, e->value, strlen(e->value), &comp->gate))
            fail(k, "gate", "bad gate '%s': expected a percentage of quota or an amount", e->value);
        if (comp->gate.pct)
            plan->needs_quota = true;
    }
    if (comp->type == COMP_COMMISSION || comp->type == COMP_OVERRIDE) {
        comp->basis =
            (enum basis)get_enum(k, "basis", bases, ARRAY_LEN(bases), BASIS_PERIOD_TO_DATE);
        comp->method =
            (enum tier_method)get_enum(k, "method", methods, ARRAY_LEN(methods), METHOD_MARGINAL);
        load_tiers(k, comp);
        if (comp->n_tiers && level_needs_quota(&comp->tiers[0].lower))
            plan->needs_quota = true;
        if (comp->method == METHOD_INTERPOLATED && comp->n_tiers < 2)
            fail(k, "method", "method = interpolated needs at least two tiers");
        int64_t days = -1;
        if (has(k, "clawback_days")) {
            config_get_int(k->c, src(k, "clawback_days"), "clawback_days", -1, 0, 3650, &days,
                           k->d);
        }
        comp->clawback_days = (int32_t)days;
        if (days > ps->max_lookback)
            ps->max_lookback = (int32_t)days;
    } else {
        comp->clawback_days = -1;
        comp->basis = BASIS_PERIOD_TOTAL;
    }
    load_pay_on(k, comp, ps);
    if (comp->type == COMP_BONUS) {
        plan->needs_target = true;
        const char *g = get_str(k, "goal", "");
        if (!*g) {
            fail(k, NULL, "[%s] needs 'goal = <amount>' or 'goal = quota'", k->sec[0]);
        } else if (ascii_casecmp_n(g, strlen(g), "quota", 5) == 0) {
            comp->goal_is_quota = true;
            plan->needs_quota = true;
        } else if (comp->measure == MEASURE_WON_DEALS) {
            int64_t n;
            if (config_get_int(k->c, src(k, "goal"), "goal", 1, 1, INT32_MAX, &n, k->d))
                k->rc = -1;
            comp->goal = n;
        } else {
            comp->goal = get_amount(k, "goal", 0);
            if (comp->goal <= 0)
                fail(k, "goal", "the goal must be a positive amount");
        }
        load_curve(k, comp);
        comp->curve_method = (enum curve_method)get_enum(k, "curve_method", curves,
                                                         ARRAY_LEN(curves), CURVE_INTERPOLATED);
        comp->cap_pct = get_rate(k, "cap", "0", &comp->has_cap_pct);
    }
    if (comp->type == COMP_POOL) {
        bool has_share = has(k, "share"), has_amount = has(k, "amount");
        if (has_share == has_amount)
            fail(k, has_share ? "amount" : NULL,
                 "[%s] needs exactly one of 'share = <percent>' or 'amount = <fixed pool>'",
                 k->sec[0]);
        comp->pool_fixed = has_amount;
        comp->pool_amount = get_amount(k, "amount", 0);
        comp->share = get_rate(k, "share", "0", NULL);
        comp->threshold = get_amount(k, "threshold", 0);
        comp->division =
            (enum division)get_enum(k, "division", divisions, ARRAY_LEN(divisions), DIVIDE_EQUAL);
        if (comp->division == DIVIDE_BY_TARGET)
            plan->needs_target = true;
    }
    if (comp->type == COMP_SPIF) {
        comp->spif_amount = get_amount(k, "amount", -1);
        if (comp->spif_amount < 0)
            fail(k, NULL, "[%s] needs 'amount = <per qualifying deal>'", k->sec[0]);
        bool pf = false, pt = false;
        if (config_get_day(k->c, src(k, "from"), "from", &comp->from_day, &pf, k->d) ||
            config_get_day(k->c, src(k, "to"), "to", &comp->to_day, &pt, k->d))
            k->rc = -1;
        if (!pf)
            comp->from_day = INT32_MIN;
        if (!pt)
            comp->to_day = INT32_MAX;
        if (pf && pt && comp->to_day < comp->from_day)
            fail(k, "to", "the SPIF window ends before it starts");
        load_filter(k, comp, ps);
        const char *p = get_str(k, "payee", "splits");
        if (strcmp(p, "splits") == 0) {
            comp->payee = PAYEE_SPLITS;
        } else if (strcmp(p, "owner") == 0) {
            comp->payee = PAYEE_OWNER;
        } else if (strncmp(p, "column:", 7) == 0 && p[7]) {
            comp->payee = PAYEE_COLUMN;
            comp->payee_header = p + 7;
            while (*comp->payee_header == ' ')
                comp->payee_header++;
            comp->payee_extra = SIZE_MAX;
            for (size_t i = 0; i < ps->n_deal_extra; i++)
                if (strcasecmp_ascii(ps->deal_extra[i], comp->payee_header))
                    comp->payee_extra = i;
            if (comp->payee_extra == SIZE_MAX) {
                comp->payee_extra = ps->n_deal_extra;
                ps->deal_extra =
                    xreallocarray(ps->deal_extra, ps->n_deal_extra + 1, sizeof *ps->deal_extra);
                ps->deal_extra[ps->n_deal_extra++] = comp->payee_header;
            }
        } else {
            fail(k, "payee", "bad payee '%s': expected owner, splits or column:<header>", p);
        }
    }
    if (comp->period > ps->longest_period)
        ps->longest_period = comp->period;
}

/* Lower-cased "<prefix>.<name>" into buf. */
static void section_name(char *buf, size_t size, const char *prefix, const char *name, size_t len)
{
    snprintf(buf, size, "%s.%.*s", prefix, (int)len, name);
    for (char *s = buf; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s + 32);
}

static const struct cfg_section *find_section(const struct cfg_section **secs, size_t n,
                                              const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(secs[i]->name, name) == 0)
            return secs[i];
    return NULL;
}

/* The plan's draw keys (plan.h): amount, type, recovery share and cap, and the two end dates. */
static void load_draw(struct keys *k, struct plan_version *v)
{
    static const char *const types[] = {"non_recoverable", "recoverable"};
    v->draw = get_amount(k, "draw", 0);
    v->draw_recoverable = get_enum(k, "draw_type", types, ARRAY_LEN(types), 1) == 1;
    v->draw_recovery_share = get_rate(k, "draw_recovery_share", "100%", NULL);
    if (decimal_cmp(v->draw_recovery_share, (struct decimal){1, 0}) > 0)
        fail(k, "draw_recovery_share",
             "draw_recovery_share is at most 100%% (all of the payout above the draw)");
    v->draw_recovery_cap = get_amount(k, "draw_recovery_cap", -1);
    bool has_until = false, has_rec_until = false;
    if (config_get_day(k->c, src(k, "draw_until"), "draw_until", &v->draw_until, &has_until,
                       k->d) ||
        config_get_day(k->c, src(k, "draw_recovery_until"), "draw_recovery_until",
                       &v->draw_recovery_until, &has_rec_until, k->d))
        k->rc = -1;
    if (!has_until)
        v->draw_until = DAY_NONE;
    if (!has_rec_until)
        v->draw_recovery_until = DAY_NONE;
}

static int load_version(struct plan *p, struct plan_version *v, const char *base_sec,
                        const struct cfg_section **secs, size_t n, struct config *c, int digits,
                        struct plan_set *ps, struct diag *d)
{
    static const char *const periods[] = {"month", "quarter", "year"};
    struct keys k = {c, {v->section, base_sec}, d, digits, 0};
    config_has_section(c, v->section);
    v->name = get_str(&k, "name", p->id);
    v->quota_period =
        (enum period_kind)get_enum(&k, "quota_period", periods, ARRAY_LEN(periods), 0);
    v->payout_period =
        (enum period_kind)get_enum(&k, "payout_period", periods, ARRAY_LEN(periods), 0);
    v->cap_payee = get_amount(&k, "cap_payee", -1);
    static const char *const yes_no[] = {"no", "yes"};
    v->recover_share = get_rate(&k, "recover_share", "100%", NULL);
    if (decimal_cmp(v->recover_share, (struct decimal){1, 0}) > 0)
        fail(&k, "recover_share", "recover_share is at most 100%% (all of a payout)");
    v->forgive_on_leave = get_enum(&k, "forgive_on_leave", yes_no, ARRAY_LEN(yes_no), 0) == 1;
    load_draw(&k, v);
    if (v->payout_period > ps->longest_period)
        ps->longest_period = v->payout_period;
    const char *list = get_str(&k, "components", "");
    if (!*list) {
        diag_error(d, c->display, config_section_line(c, v->section),
                   "[%s] needs 'components = a, b, …'", v->section);
        return -1;
    }
    size_t cap = 0;
    for (const char *q = list; *q;) {
        const char *end = strchr(q, ',');
        size_t len = end ? (size_t)(end - q) : strlen(q);
        const char *w = q;
        trim_span(&w, &len);
        char vsec[256], bsec[256];
        section_name(vsec, sizeof vsec, v->section, w, len);
        section_name(bsec, sizeof bsec, base_sec, w, len);
        const struct cfg_section *vs = find_section(secs, n, vsec);
        const struct cfg_section *bs = find_section(secs, n, bsec);
        if (!vs && !bs) {
            config_error_at(c, config_find(c, src(&k, "components"), "components"), d,
                            "plan '%s' names component '%.*s' but there is no [%s]", p->id,
                            (int)len, w, vsec);
            k.rc = -1;
        } else {
            for (size_t i = 0; i < v->n_components; i++)
                if (strlen(v->components[i].id) == len &&
                    ascii_casecmp_n(v->components[i].id, len, w, len) == 0) {
                    config_error_at(c, config_find(c, src(&k, "components"), "components"), d,
                                    "plan '%s' names component '%.*s' twice", p->id, (int)len, w);
                    k.rc = -1;
                }
            VEC_GROW(v->components, cap, v->n_components + 1);
            struct component *comp = &v->components[v->n_components++];
            memset(comp, 0, sizeof *comp);
            const struct cfg_section *cs = vs ? vs : bs;
            comp->id = cs->name + strlen(vs ? v->section : base_sec) + 1;
            comp->section = cs->name;
            comp->line = cs->line;
            if (vs)
                config_has_section(c, vs->name);
            if (bs)
                config_has_section(c, bs->name);
            struct keys ck = {c, {vs ? vs->name : NULL, bs ? bs->name : NULL}, d, digits, 0};
            load_component(&ck, comp, p, v, ps);
            k.rc |= ck.rc;
        }
        q = end ? end + 1 : q + strlen(q);
    }
    return k.rc;
}

int plan_load(struct plan_set *ps, struct config *c, const struct settings *s, struct diag *d)
{
    memset(ps, 0, sizeof *ps);
    ps->max_lookback = 0;
    const struct cfg_section **secs = xcalloc(PLAN_SECTIONS_MAX, sizeof *secs);
    size_t n = config_sections_with_prefix(c, "plan.", secs, PLAN_SECTIONS_MAX);
    int rc = 0;
    size_t cap = 0;
    /* Plans first ([plan.<id>], no dot and no '@' after the prefix). */
    for (size_t i = 0; i < n; i++) {
        const char *id = secs[i]->name + 5;
        if (strchr(id, '.') || strchr(id, '@'))
            continue;
        if (!*id) {
            diag_error(d, c->display, secs[i]->line, "bad plan section [%s]", secs[i]->name);
            rc = -1;
            continue;
        }
        VEC_GROW(ps->plans, cap, ps->n + 1);
        struct plan *p = &ps->plans[ps->n++];
        memset(p, 0, sizeof *p);
        p->id = id;
        size_t vcap = 0;
        VEC_GROW(p->versions, vcap, 1);
        memset(&p->versions[0], 0, sizeof p->versions[0]);
        p->versions[0].from_day = DAY_NONE;
        p->versions[0].section = secs[i]->name;
        p->n_versions = 1;
        rc |=
            load_version(p, &p->versions[0], secs[i]->name, secs, n, c, s->currency_digits, ps, d);
        /* Versions: [plan.<id>@<date>], in date order. */
        size_t idlen = strlen(secs[i]->name);
        for (size_t j = 0; j < n; j++) {
            const char *vn = secs[j]->name;
            if (strncmp(vn, secs[i]->name, idlen) != 0 || vn[idlen] != '@' ||
                strchr(vn + idlen, '.'))
                continue;
            int32_t day;
            if (date_parse_day(vn + idlen + 1, &day)) {
                diag_error(d, c->display, secs[j]->line,
                           "bad plan version [%s]: expected [plan.%s@yyyy-mm-dd]", vn, id);
                rc = -1;
                continue;
            }
            VEC_GROW(p->versions, vcap, p->n_versions + 1);
            size_t at = p->n_versions;
            while (at > 1 && p->versions[at - 1].from_day > day) {
                p->versions[at] = p->versions[at - 1];
                at--;
            }
            struct plan_version *v = &p->versions[at];
            memset(v, 0, sizeof *v);
            v->from_day = day;
            v->section = vn;
            p->n_versions++;
            rc |= load_version(p, v, secs[i]->name, secs, n, c, s->currency_digits, ps, d);
        }
    }
    /* A version or component section whose plan does not exist. */
    for (size_t i = 0; i < n; i++) {
        const char *id = secs[i]->name + 5;
        size_t len = strcspn(id, ".@");
        bool found = false;
        for (size_t j = 0; j < ps->n && !found; j++)
            found = strlen(ps->plans[j].id) == len && strncmp(ps->plans[j].id, id, len) == 0;
        if (!found && (id[len] == '.' || id[len] == '@')) {
            diag_error(d, c->display, secs[i]->line,
                       "[%s] belongs to plan '%.*s', which has no "
                       "[plan.%.*s] section",
                       secs[i]->name, (int)len, id, (int)len, id);
            rc = -1;
        }
    }
    free(secs);
    return rc ? -1 : 0;
}

void plan_release(struct plan_set *ps)
{
    if (!ps)
        return;
    for (size_t i = 0; i < ps->n; i++) {
        struct plan *p = &ps->plans[i];
        for (size_t v = 0; v < p->n_versions; v++) {
            struct plan_version *pv = &p->versions[v];
            for (size_t k = 0; k < pv->n_components; k++) {
                struct component *comp = &pv->components[k];
                free(comp->tiers);
                free(comp->curve);
                for (size_t j = 0; j < comp->n_conds; j++)
                    free((char *)(uintptr_t)comp->conds[j].header);
                free(comp->conds);
            }
            free(pv->components);
        }
        free(p->versions);
    }
    free(ps->plans);
    free(ps->deal_extra);
    memset(ps, 0, sizeof *ps);
}

const struct plan *plan_find(const struct plan_set *ps, const char *id)
{
    for (size_t i = 0; i < ps->n; i++)
        if (strcmp(ps->plans[i].id, id) == 0)
            return &ps->plans[i];
    return NULL;
}

const struct plan_version *plan_version_on(const struct plan *p, int32_t day)
{
    const struct plan_version *v = &p->versions[0];
    for (size_t i = 1; i < p->n_versions; i++)
        if (p->versions[i].from_day <= day)
            v = &p->versions[i];
    return v;
}

const struct component *plan_component(const struct plan_version *v, const char *id)
{
    for (size_t i = 0; i < v->n_components; i++)
        if (strcmp(v->components[i].id, id) == 0)
            return &v->components[i];
    return NULL;
}

const char *component_type_name(enum component_type t)
{
    static const char *const names[] = {"commission", "bonus", "pool", "override", "spif"};
    return (unsigned)t < COMP_N ? names[t] : "?";
}

const char *measure_name(enum measure m)
{
    static const char *const names[] = {"own_revenue",        "team_revenue",    "company_revenue",
                                        "attributed_revenue", "sourced_revenue", "won_deals"};
    return (unsigned)m < MEASURE_N ? names[m] : "?";
}
