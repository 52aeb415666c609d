/* report_calc.c — a payout line's arithmetic as text a reader can redo by hand (DESIGN §7b).
 *
 * The Lines sheet, the statements and `sametable explain` show the same clauses, joined by "; ":
 *   name = EXPR = SHOWN          a named value (attainment, payout, rate_after, …)
 *   EXPR = SHOWN → AMOUNT        a step: AMOUNT is EXPR rounded half away from zero to the cent
 *                                (an allocation's part says "(largest remainder)": rounded down
 *                                or up so the parts add up, DESIGN §5.3)
 *   anything else                a note
 * EXPR holds every factor exactly: a value that is not a finite decimal is written as a finite
 * decimal over a whole number ("12,500.00 ÷ 3", "(70.21% ÷ 11)"), proration as day counts
 * ("× 45/92 days"); only SHOWN may be cut off ("…"). Words between the numbers are labels. The
 * last AMOUNT is what the line pays. tests/e2e/lib/sheetcheck.py redoes every clause exactly.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incent.h"
#include "report_internal.h"
#include "util.h"

static rat_int pow10_128(int k)
{
    rat_int p = 1;
    for (int i = 0; i < k; i++)
        p *= 10;
    return p;
}

/* Minor units exactly, in major units with the currency's decimals at least. */
static void fmt_money_exact(char *out, size_t size, struct rat minor, int digits)
{
    rat_text_exact(out, size, rat_div(minor, (struct rat){pow10_128(digits), 1}), digits);
}

static void fmt_cents(char *out, size_t size, int64_t minor, int digits)
{
    fmt_money_exact(out, size, rat_int64(minor), digits);
}

static void fmt_decimal(char *out, size_t size, struct decimal d)
{
    rat_text_exact(out, size, rat_dec(d), 0);
}

/* ---- the text ---------------------------------------------------------------------------- */

struct calc {
    char *buf;
    size_t size, len;
};

static void add(struct calc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct calc *c, const char *fmt, ...)
{
    if (c->len + 1 >= c->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->buf + c->len, c->size - c->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        c->len = c->len + (size_t)n < c->size ? c->len + (size_t)n : c->size - 1;
}

/* Start a clause: "; " after the previous one. */
static void clause(struct calc *c)
{
    if (c->len)
        add(c, "; ");
}

/* " = SHOWN" when the exact value is not already the rounded amount, then " → AMOUNT". */
static void step_end(struct calc *c, struct rat exact, int64_t rounded, int digits,
                     const char *after)
{
    char s[96], a[64];
    if (rat_cmp(exact, rat_int64(rounded)) != 0) {
        struct rat major = rat_div(exact, (struct rat){pow10_128(digits), 1});
        rat_text_cut(s, sizeof s, major, digits, digits + 6, false);
        add(c, " = %s", s);
    }
    fmt_cents(a, sizeof a, rounded, digits);
    add(c, " → %s%s", a, after ? after : "");
}

static bool weight_is_one(struct decimal w)
{
    return rat_cmp(rat_dec(w), rat_int64(1)) == 0;
}

static int cdigits(const struct report_ctx *r)
{
    return r->s->currency_digits;
}

/* The stated quota or target of the line's person, as its share of the attainment period and
 * its proration: "275,000.00 × 45/92 days", "12,500.00 ÷ 3". Returns false (out = the exact
 * value) when `effective` is not stated × share × days. */
static bool stated_expr(const struct report_ctx *r, const struct payout_line *l, int64_t stated,
                        struct rat effective, char *out, size_t size, bool paren)
{
    int digits = cdigits(r);
    const struct component *comp = l->component;
    struct rat share = comp && l->version
                           ? incent_period_share(l->version->quota_period, comp->period)
                           : rat_int64(1);
    if (stated != QUOTA_NONE && l->period_days > 0) {
        struct rat f = rat_mul(share, rat_frac(l->active_days, l->period_days));
        if (rat_cmp(rat_mul(rat_int64(stated), f), effective) == 0) {
            char s[64], t[160];
            fmt_cents(s, sizeof s, stated, digits);
            size_t o = (size_t)snprintf(t, sizeof t, "%s", s);
            bool op = false;
            if (share.n == 1 && share.d > 1) {
                o += (size_t)snprintf(t + o, sizeof t - o, " ÷ %lld", (long long)share.d);
                op = true;
            } else if (share.d == 1 && share.n > 1) {
                o += (size_t)snprintf(t + o, sizeof t - o, " × %lld", (long long)share.n);
                op = true;
            } else if (share.n != share.d) {
                o += (size_t)snprintf(t + o, sizeof t - o, " × %lld/%lld", (long long)share.n,
                                      (long long)share.d);
                op = true;
            }
            if (l->active_days != l->period_days) {
                snprintf(t + o, sizeof t - o, " × %d/%d days", l->active_days, l->period_days);
                op = true;
            }
            snprintf(out, size, paren && op ? "(%s)" : "%s", t);
            return true;
        }
    }
    fmt_money_exact(out, size, effective, digits);
    return false;
}

/* The goal or quota a line's attainment is measured against, as an expression. */
static void goal_expr(const struct report_ctx *r, const struct payout_line *l, char *out,
                      size_t size, bool paren)
{
    const struct component *comp = l->component;
    if (comp && comp->type == COMP_BONUS && !comp->goal_is_quota) {
        fmt_money_exact(out, size, l->quota, cdigits(r));
        return;
    }
    stated_expr(r, l, r->ds->people.quota[l->person], l->quota, out, size, paren);
}

bool report_line_has_attainment(const struct payout_line *l)
{
    const struct component *c = l->component;
    return c && (l->kind == LINE_DEAL || l->kind == LINE_PERIOD) &&
           (c->type == COMP_COMMISSION || c->type == COMP_OVERRIDE || c->type == COMP_BONUS) &&
           !rat_is_zero(l->quota);
}

/* ---- where a deal line's credit comes from ------------------------------------------------ */

#define SPLITS_MAX 256

struct deal_split {
    uint32_t person;
    int64_t cents; /* the person's part of the deal (allocated, or the overlay's) */
    struct decimal share;
    bool overlay;
};

struct report_calc_cache {
    const struct dataset *ds; /* the dataset the lookups were built for */
    size_t n_splits;
    uint32_t *first; /* per deal id: its first split row, UINT32_MAX for none */
    uint32_t *next;  /* per split row: the deal's next split row, UINT32_MAX at the end */
};

struct report_calc_cache *report_calc_cache_new(void)
{
    return xcalloc(1, sizeof(struct report_calc_cache));
}

void report_calc_cache_free(struct report_calc_cache *c)
{
    if (!c)
        return;
    free(c->first);
    free(c->next);
    free(c);
}

/* The split rows of deal id `id` in file order: from the cache (built on first use), or by
 * scanning the table when there is none. Returns the first row, then *next of each. */
static uint32_t split_first(const struct report_ctx *r, uint32_t id, const uint32_t **next)
{
    const struct split_table *st = &r->ds->splits;
    struct report_calc_cache *c = r->calc;
    *next = NULL;
    if (!c) {
        for (size_t i = 0; i < st->n; i++)
            if (st->deal[i] == id)
                return (uint32_t)i;
        return UINT32_MAX;
    }
    if (c->ds != r->ds || c->n_splits != st->n || !c->first) {
        uint32_t nid = r->ds->deal_ids.n;
        free(c->first);
        free(c->next);
        c->first = xcalloc(nid ? nid : 1, sizeof *c->first);
        c->next = xcalloc(st->n ? st->n : 1, sizeof *c->next);
        for (uint32_t i = 0; i < nid; i++)
            c->first[i] = UINT32_MAX;
        for (size_t i = st->n; i-- > 0;) { /* backwards: each row points at the later one */
            c->next[i] = UINT32_MAX;
            if (st->deal[i] < nid) {
                c->next[i] = c->first[st->deal[i]];
                c->first[st->deal[i]] = (uint32_t)i;
            }
        }
        c->ds = r->ds;
        c->n_splits = st->n;
    }
    *next = c->next;
    return id < r->ds->deal_ids.n ? c->first[id] : UINT32_MAX;
}

void report_calc_cache_build(const struct report_ctx *r)
{
    const uint32_t *next;
    if (r->calc)
        (void)split_first(r, 0, &next);
}

/* The next split row of the same deal after row i (see split_first). */
static uint32_t split_next(const struct report_ctx *r, const uint32_t *next, uint32_t i,
                           uint32_t id)
{
    if (next)
        return next[i];
    const struct split_table *st = &r->ds->splits;
    for (size_t j = (size_t)i + 1; j < st->n; j++)
        if (st->deal[j] == id)
            return (uint32_t)j;
    return UINT32_MAX;
}

/* The deal's split rows in file order with their cents: revenue rows allocated by largest
 * remainder in proportion to their shares (as payout_credit.c does), overlays rounded. Returns how
 * many (0: no split rows, the owner has it all); *sum: the revenue shares' total. */
static size_t deal_splits(const struct report_ctx *r, uint32_t k, struct deal_split *out,
                          struct rat *sum)
{
    const struct dataset *ds = r->ds;
    const struct split_table *st = &ds->splits;
    uint32_t id = ds->deals.id[k];
    size_t n = 0, nrev = 0;
    uint64_t w[SPLITS_MAX];
    size_t rev_at[SPLITS_MAX];
    *sum = rat_int64(0);
    int scale = 4;
    const uint32_t *next;
    uint32_t first = split_first(r, id, &next);
    for (uint32_t i = first; i != UINT32_MAX; i = split_next(r, next, i, id))
        if (st->share[i].scale > scale)
            scale = st->share[i].scale > 12 ? 12 : st->share[i].scale;
    for (uint32_t i = first; i != UINT32_MAX && n < SPLITS_MAX; i = split_next(r, next, i, id)) {
        out[n] = (struct deal_split){st->person[i], 0, st->share[i], st->overlay[i]};
        if (st->overlay[i]) {
            int64_t c = 0;
            if (money_mul_decimal(ds->deals.amount[k], st->share[i], &c))
                c = 0;
            out[n].cents = c;
        } else {
            uint64_t v = (uint64_t)st->share[i].units;
            for (int s = st->share[i].scale; s < scale; s++)
                v *= 10;
            for (int s = scale; s < st->share[i].scale; s++)
                v /= 10;
            w[nrev] = v;
            rev_at[nrev++] = n;
            *sum = rat_add(*sum, rat_dec(st->share[i]));
        }
        n++;
    }
    int64_t alloc[SPLITS_MAX];
    if (nrev && money_allocate(ds->deals.amount[k], w, nrev, alloc) == 0)
        for (size_t i = 0; i < nrev; i++)
            out[rev_at[i]].cents = alloc[i];
    return n;
}

/* "deal 59,800.00 GBP × 1.264873 → 75,639.23" when the deal was converted at its close date. */
static void fx_clause(struct calc *c, const struct report_ctx *r, uint32_t k)
{
    const struct dataset *ds = r->ds;
    const char *cur = ds->deals.orig_currency[k].code;
    if (!cur[0] || strcmp(cur, r->s->currency) == 0)
        return;
    const struct fx_table *fx = &ds->fx;
    int32_t best = DAY_NONE, close = ds->deals.close_day[k];
    struct decimal rate = {0, 0};
    for (size_t i = 0; i < fx->n; i++)
        if (strcmp(fx->currency[i].code, cur) == 0 && fx->day[i] <= close && fx->day[i] > best) {
            best = fx->day[i];
            rate = fx->rate[i];
        }
    char o[64], rt[64], a[64];
    fmt_cents(o, sizeof o, ds->deals.orig_amount[k], money_minor_digits(cur));
    fmt_cents(a, sizeof a, ds->deals.amount[k], cdigits(r));
    clause(c);
    if (best == DAY_NONE) {
        add(c, "deal %s %s converted to %s %s", o, cur, a, r->s->currency);
        return;
    }
    fmt_decimal(rt, sizeof rt, rate);
    char day[16];
    date_format_day(day, sizeof day, best);
    add(c, "deal %s %s × %s rate → %s %s", o, cur, rt, a, r->s->currency);
    clause(c);
    add(c, "rate in force on the close date (from %s)", day);
}

/* One split row's part: "75,639.23 × 75% split → 56,729.42 (largest remainder)". */
static void split_part(struct calc *c, const struct report_ctx *r, uint32_t k,
                       const struct deal_split *s, struct rat sum, const char *what)
{
    int digits = cdigits(r);
    char a[64], p[64], q[64], v[64];
    fmt_cents(a, sizeof a, r->ds->deals.amount[k], digits);
    rat_text_pct(p, sizeof p, rat_dec(s->share));
    fmt_cents(v, sizeof v, s->cents, digits);
    clause(c);
    struct rat exact = rat_mul(rat_int64(r->ds->deals.amount[k]), rat_dec(s->share));
    if (!s->overlay && rat_cmp(sum, rat_int64(1)) != 0) {
        exact = rat_div(exact, sum);
        rat_text_pct(q, sizeof q, sum);
        add(c, "%s × %s ÷ %s %s", a, p, q, what);
    } else {
        add(c, "%s × %s %s", a, p, what);
    }
    add(c, " → %s%s", v, rat_round(exact) != s->cents ? " (largest remainder)" : "");
}

/* How the deal's amount became this line's credit: FX, then the person's split parts (own
 * revenue) or the team's (team revenue). Nothing when the credit is the whole deal. */
static void credit_clauses(struct calc *c, const struct report_ctx *r, const struct payout_line *l)
{
    const struct dataset *ds = r->ds;
    const struct component *comp = l->component;
    uint32_t k = l->deal;
    if (k == ID_NONE || !comp)
        return;
    enum measure m = comp->measure;
    if (m == MEASURE_WON_DEALS || m == MEASURE_ATTRIBUTED_REVENUE)
        return;
    fx_clause(c, r, k);
    if (m != MEASURE_OWN_REVENUE && m != MEASURE_TEAM_REVENUE)
        return;
    struct deal_split sp[SPLITS_MAX];
    struct rat sum;
    size_t n = deal_splits(r, k, sp, &sum);
    if (n == 0 || l->credit == ds->deals.amount[k] || l->credit == -ds->deals.amount[k])
        return;
    size_t mine[SPLITS_MAX], nm = 0;
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        bool in = m == MEASURE_OWN_REVENUE
                      ? sp[i].person == l->person
                      : !sp[i].overlay &&
                            (comp->type == COMP_OVERRIDE
                                 ? payout_reports_to(&ds->people, sp[i].person, l->person)
                                 : ds->people.team[sp[i].person] != ID_NONE &&
                                       ds->people.team[sp[i].person] == ds->people.team[l->person]);
        if (in) {
            mine[nm++] = i;
            total += sp[i].cents;
        }
    }
    char v[64];
    if (nm == 0 || total != l->credit) { /* a rule this text does not know: say what it is */
        fmt_cents(v, sizeof v, l->credit, cdigits(r));
        clause(c);
        add(c, "the line's credit of the deal is %s", v);
        return;
    }
    for (size_t i = 0; i < nm; i++)
        split_part(c, r, k, &sp[mine[i]], sum,
                   sp[mine[i]].overlay         ? "overlay"
                   : m == MEASURE_TEAM_REVENUE ? "split in the team"
                                               : "split");
    if (nm > 1) {
        clause(c);
        for (size_t i = 0; i < nm; i++) {
            fmt_cents(v, sizeof v, sp[mine[i]].cents, cdigits(r));
            add(c, "%s%s", i ? " + " : "", v);
        }
        fmt_cents(v, sizeof v, l->credit, cdigits(r));
        add(c, " → %s credit", v);
    }
}

/* ---- commission and override ------------------------------------------------------------- */

/* rate_after / rate_before of an interpolated commission: the tier rates either side of x. */
static void interp_rate_def(struct calc *c, const struct report_ctx *r, const struct payout_line *l,
                            const char *name, struct rat x, struct rat rate)
{
    const struct component *comp = l->component;
    int digits = cdigits(r);
    struct tier_r t[64];
    size_t n = comp->n_tiers <= 64 ? comp->n_tiers : 0;
    incent_resolve_tiers(comp->tiers, n, l->quota, t);
    size_t k = n;
    for (size_t i = 0; i < n; i++)
        if (rat_cmp(t[i].lower, x) <= 0)
            k = i;
    char s[96];
    clause(c);
    if (k < n && k + 1 < n) {
        struct rat want = rat_add(
            t[k].rate, rat_div(rat_mul(rat_sub(x, t[k].lower), rat_sub(t[k + 1].rate, t[k].rate)),
                               rat_sub(t[k + 1].lower, t[k].lower)));
        if (rat_cmp(want, rate) == 0) {
            char x0[96], x1[96], xs[96], r0[64], r1[64];
            fmt_money_exact(xs, sizeof xs, x, digits);
            fmt_money_exact(x0, sizeof x0, t[k].lower, digits);
            fmt_money_exact(x1, sizeof x1, t[k + 1].lower, digits);
            rat_text_pct(r0, sizeof r0, t[k].rate);
            rat_text_pct(r1, sizeof r1, t[k + 1].rate);
            rat_text_cut(s, sizeof s, rate, 0, 6, true);
            add(c, "%s = %s + (%s − %s) × (%s − %s) ÷ (%s − %s) = %s", name, r0, xs, x0, r1, r0, x1,
                x0, s);
            clause(c);
            add(c, "interpolated between the tiers at %s and %s", x0, x1);
            return;
        }
    }
    char e[96];
    rat_text_pct(e, sizeof e, rate);
    add(c, "%s = %s", name, e);
}

/* A tier's lower bound as the reader finds it: "25% × (275,000.00 × 45/92 days)", or the amount. */
static void bound_expr(const struct report_ctx *r, const struct payout_line *l, size_t tier,
                       char *out, size_t size)
{
    const struct level *lv = &l->component->tiers[tier].lower;
    if (!lv->pct) {
        fmt_money_exact(out, size, rat_dec(lv->value), cdigits(r));
        return;
    }
    char p[64], q[160];
    rat_text_pct(p, sizeof p, rat_dec(lv->value));
    goal_expr(r, l, q, sizeof q, true);
    put_text(out, size, "%s × %s", p, q);
}

/* A marginal slice whose amount is not a finite decimal (a bound at a share of a prorated
 * quota): written as its two ends, "(25% × (275,000.00 × 45/92 days) − 14,987.59)", when they
 * are the clipped measure before and after the line. Returns false to leave it as a number. */
static bool slice_ends(const struct report_ctx *r, const struct payout_line *l,
                       const struct slice *s, char *out, size_t size)
{
    const struct component *comp = l->component;
    if (comp->method != METHOD_MARGINAL || s->kind != SLICE_TIER || comp->n_tiers > 64)
        return false;
    struct tier_r t[64];
    incent_resolve_tiers(comp->tiers, comp->n_tiers, l->quota, t);
    size_t i = s->tier;
    struct rat lo = t[i].lower;
    bool has_hi = i + 1 < comp->n_tiers;
    struct rat hi = has_hi ? t[i + 1].lower : rat_int64(0);
    bool per_deal = comp->basis == BASIS_PER_DEAL;
    struct rat a = rat_int64(per_deal ? (l->credit < 0 ? -l->credit : l->credit) : l->after);
    struct rat b = rat_int64(per_deal || strstr(l->note, "pays from zero") ? 0 : l->before);
    struct rat ends[2] = {a, b};
    char txt[2][200];
    for (int k = 0; k < 2; k++) {
        struct rat v = rat_max(ends[k], lo);
        if (has_hi)
            v = rat_min(v, hi);
        if (rat_cmp(v, lo) == 0)
            bound_expr(r, l, i, txt[k], sizeof txt[k]);
        else if (has_hi && rat_cmp(v, hi) == 0)
            bound_expr(r, l, i + 1, txt[k], sizeof txt[k]);
        else
            fmt_money_exact(txt[k], sizeof txt[k], v, cdigits(r));
        ends[k] = v;
    }
    if (rat_cmp(rat_sub(ends[0], ends[1]), s->amount) != 0)
        return false;
    put_text(out, size, "(%s − %s)", txt[0], txt[1]);
    return true;
}

static void slices_step(struct calc *c, const struct report_ctx *r, const struct payout_line *l)
{
    const struct slice *sl = &r->p->slices[l->slice0];
    const struct component *comp = l->component;
    int digits = cdigits(r);
    bool interp = comp && comp->method == METHOD_INTERPOLATED;
    /* Interpolated rates are rarely finite decimals: name them, with their derivation. */
    const char *rate_name[64] = {0};
    for (size_t i = 0; interp && i < l->n_slices && i < 64; i++) {
        if (sl[i].kind != SLICE_WHOLE && sl[i].kind != SLICE_REVERSE)
            continue;
        char probe[96];
        rat_text_pct(probe, sizeof probe, sl[i].rate);
        if (!strchr(probe, '('))
            continue;
        rate_name[i] = sl[i].kind == SLICE_WHOLE ? "rate_after" : "rate_before";
        interp_rate_def(c, r, l, rate_name[i], rat_abs(sl[i].amount), sl[i].rate);
    }
    clause(c);
    bool weighted = comp && comp->type != COMP_POOL && !weight_is_one(comp->weight);
    if (weighted && l->n_slices > 1)
        add(c, "(");
    if (l->n_slices == 0)
        add(c, "0.00");
    for (size_t i = 0; i < l->n_slices; i++) {
        char a[420], p[96];
        struct rat amt = sl[i].amount;
        bool neg = rat_sign(amt) < 0;
        fmt_money_exact(a, sizeof a, neg && i ? rat_neg(amt) : amt, digits);
        if (strchr(a, '(') && !neg)
            slice_ends(r, l, &sl[i], a, sizeof a);
        if (i < 64 && rate_name[i])
            snprintf(p, sizeof p, "%s", rate_name[i]);
        else
            rat_text_pct(p, sizeof p, sl[i].rate);
        add(c, "%s%s × %s%s", i ? (neg ? " − " : " + ") : "", a, p,
            sl[i].kind == SLICE_CATCHUP   ? " catch-up"
            : sl[i].kind == SLICE_REVERSE ? " already paid"
                                          : "");
    }
    if (weighted) {
        char w[64];
        rat_text_pct(w, sizeof w, rat_dec(comp->weight));
        add(c, "%s × %s weight", l->n_slices > 1 ? ")" : "", w);
    }
    step_end(c, l->raw, l->rounded, digits, NULL);
}

/* What the deal cap and the period cap did to the rounded line. */
static void caps_steps(struct calc *c, const struct report_ctx *r, const struct payout_line *l)
{
    const struct component *comp = l->component;
    int digits = cdigits(r);
    /* with pay_on, the line after its caps is L, booked (the booking share comes after) */
    int64_t after = comp && comp->collect ? l->booked : l->amount;
    if (!comp || after == l->rounded)
        return;
    int64_t amt = l->rounded;
    char a[64], b[64], v[64];
    if (l->kind == LINE_DEAL && comp->cap_deal >= 0 &&
        (amt > comp->cap_deal || amt < -comp->cap_deal)) {
        amt = amt > 0 ? comp->cap_deal : -comp->cap_deal;
        fmt_cents(v, sizeof v, amt, digits);
        clause(c);
        add(c, "capped at cap_deal %s → %s", v, v);
    }
    if (amt != after && comp->cap_period >= 0) {
        fmt_cents(a, sizeof a, comp->cap_period, digits);
        fmt_cents(b, sizeof b, comp->cap_period - after, digits);
        fmt_cents(v, sizeof v, after, digits);
        clause(c);
        add(c, "cap_period %s − %s already paid under the cap → %s", a, b, v);
        clause(c);
        add(c, "the rest is %s",
            comp->cap_excess == EXCESS_CARRY ? "carried to the next attainment period"
                                             : "forfeited");
    }
}

/* ---- bonus ------------------------------------------------------------------------------- */

static void bonus_clauses(struct calc *c, const struct report_ctx *r, const struct payout_line *l)
{
    const struct component *comp = l->component;
    const struct person_table *pt = &r->ds->people;
    int digits = cdigits(r);
    char g[160], m[64], s[96], t[160], w[64];
    struct rat pct = l->n_slices ? r->p->slices[l->slice0].rate : rat_int64(0);
    struct rat att = l->attainment;
    bool have_att = !rat_is_zero(l->quota);
    if (have_att) {
        goal_expr(r, l, g, sizeof g, true);
        fmt_cents(m, sizeof m, l->credit, digits);
        rat_text_cut(s, sizeof s, att, 0, 6, true);
        clause(c);
        add(c, "attainment = %s ÷ %s = %s", m, g, s);
    }
    /* The curve's payout, the way incent_curve reaches it. */
    bool gated = comp->has_gate && have_att &&
                 rat_cmp(rat_int64(l->credit), incent_level(&comp->gate, l->quota)) < 0;
    size_t n = comp->n_curve, k = n;
    for (size_t i = 0; i < n; i++)
        if (rat_cmp(rat_dec(comp->curve[i].attainment), att) <= 0)
            k = i;
    clause(c);
    char y0[64], y1[64], x0[64], x1[64];
    struct rat curve = incent_curve(comp->curve, n, comp->curve_method, att);
    bool capped = comp->has_cap_pct && rat_cmp(curve, rat_dec(comp->cap_pct)) > 0;
    if (gated) {
        char gl[64];
        rat_text_pct(gl, sizeof gl, rat_div(incent_level(&comp->gate, l->quota), l->quota));
        add(c, "payout = 0%%");
        clause(c);
        add(c, "below the gate: attainment under %s pays nothing", gl);
    } else if (capped) {
        rat_text_pct(y0, sizeof y0, rat_dec(comp->cap_pct));
        add(c, "payout = %s", y0);
        clause(c);
        add(c, "the curve is capped at %s", y0);
    } else if (n && k < n && k + 1 < n && comp->curve_method == CURVE_INTERPOLATED &&
               rat_cmp(rat_dec(comp->curve[k].attainment), att) != 0) {
        struct curve_point a = comp->curve[k], b = comp->curve[k + 1];
        rat_text_pct(x0, sizeof x0, rat_dec(a.attainment));
        rat_text_pct(x1, sizeof x1, rat_dec(b.attainment));
        rat_text_pct(y0, sizeof y0, rat_dec(a.payout));
        rat_text_pct(y1, sizeof y1, rat_dec(b.payout));
        rat_text_cut(s, sizeof s, pct, 0, 6, true);
        if (rat_is_zero(rat_dec(a.attainment)) && rat_is_zero(rat_dec(a.payout)))
            add(c, "payout = attainment × %s ÷ %s = %s", y1, x1, s);
        else
            add(c, "payout = %s + (attainment − %s) × (%s − %s) ÷ (%s − %s) = %s", y0, x0, y1, y0,
                x1, x0, s);
        clause(c);
        add(c, "interpolated between the curve's points %s: %s and %s: %s", x0, y0, x1, y1);
    } else {
        rat_text_pct(y0, sizeof y0, pct);
        add(c, "payout = %s", y0);
        if (n && k < n)
            rat_text_pct(x0, sizeof x0, rat_dec(comp->curve[k].attainment));
        clause(c);
        if (n && k == n)
            add(c, "below the curve's first point");
        else if (n && k + 1 == n)
            add(c, "the curve is flat from its last point, %s", x0);
        else if (n)
            add(c, "%s: attainment from %s pays %s",
                comp->curve_method == CURVE_STEP ? "step curve" : "on a point of the curve", x0,
                y0);
    }
    /* target × weight × payout */
    clause(c);
    if (pt->target[l->person] != QUOTA_NONE && !rat_is_zero(l->target))
        stated_expr(r, l, pt->target[l->person], l->target, t, sizeof t, false);
    else
        snprintf(t, sizeof t, "0.00");
    add(c, "target %s", t);
    if (!weight_is_one(comp->weight)) {
        rat_text_pct(w, sizeof w, rat_dec(comp->weight));
        add(c, " × %s weight", w);
    }
    add(c, " × payout");
    step_end(c, l->raw, l->rounded, digits, NULL);
}

/* ---- SPIF ----------------------------------------------------------------------------- */

/* With payee = splits the SPIF amount is allocated over the deal's revenue parts, by largest
 * remainder (payout_credit.c spif_share); the payee's part, then the weight. */
static void spif_clauses(struct calc *c, const struct report_ctx *r, const struct payout_line *l)
{
    const struct component *comp = l->component;
    int digits = cdigits(r);
    char a[64], v[64], w[64], tot[64], sh[64];
    fmt_cents(a, sizeof a, comp->spif_amount, digits);
    bool weighted = !weight_is_one(comp->weight);
    if (weighted)
        rat_text_pct(w, sizeof w, rat_dec(comp->weight));
    clause(c);
    if (comp->payee == PAYEE_SPLITS && l->deal != ID_NONE) {
        struct deal_split sp[SPLITS_MAX];
        struct rat sum;
        size_t n = deal_splits(r, l->deal, sp, &sum), nrev = 0, mine = SIZE_MAX;
        uint64_t wt[SPLITS_MAX];
        int64_t W = 0, out[SPLITS_MAX];
        for (size_t i = 0; i < n; i++) {
            if (sp[i].overlay)
                continue;
            wt[nrev] = (uint64_t)(sp[i].cents < 0 ? -sp[i].cents : sp[i].cents);
            W += (int64_t)wt[nrev];
            if (sp[i].person == l->person)
                mine = nrev;
            nrev++;
        }
        if (nrev > 1 && mine != SIZE_MAX && money_allocate(comp->spif_amount, wt, nrev, out) == 0) {
            struct rat exact = rat_div(
                rat_mul(rat_int64(comp->spif_amount), rat_int64((int64_t)wt[mine])), rat_int64(W));
            fmt_cents(v, sizeof v, (int64_t)wt[mine], digits);
            fmt_cents(tot, sizeof tot, W, digits);
            fmt_cents(sh, sizeof sh, out[mine], digits);
            add(c, "SPIF %s × %s ÷ %s split share → %s%s", a, v, tot, sh,
                rat_round(exact) != out[mine] ? " (largest remainder)" : "");
            if (!weighted)
                return;
            clause(c);
            add(c, "%s × %s weight", sh, w);
            step_end(c, l->raw, l->rounded, digits, NULL);
            return;
        }
    }
    add(c, "SPIF %s per qualifying deal", a);
    if (weighted)
        add(c, " × %s weight", w);
    step_end(c, l->raw, l->rounded, digits, NULL);
}

/* ---- pool -------------------------------------------------------------------------------- */

static void pool_clauses(struct calc *c, const struct report_ctx *r, const struct payout_line *l)
{
    const struct component *comp = l->component;
    const struct payouts *p = r->p;
    const struct person_table *pt = &r->ds->people;
    int digits = cdigits(r);
    char a[64], b[64], s[64], v[64];
    /* The pool's members: the lines of this pool (same component, period and team). */
    uint64_t wsum = 0, mine = 0;
    size_t n = 0;
    bool any = false;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < p->n_lines; i++) {
            const struct payout_line *o = &p->lines[i];
            if (o->kind != LINE_POOL || o->component != comp ||
                o->attain.first_day != l->attain.first_day ||
                pt->team[o->person] != pt->team[l->person])
                continue;
            uint64_t wt = 1;
            if (comp->division == DIVIDE_BY_CONTRIBUTION)
                wt = o->after > 0 ? (uint64_t)o->after : 0;
            else if (comp->division == DIVIDE_BY_TARGET) {
                int64_t t100 = rat_round(rat_mul(o->target, rat_int64(100)));
                wt = t100 > 0 ? (uint64_t)t100 : 0;
            }
            if (pass == 0) {
                any |= wt > 0;
                n++;
                continue;
            }
            if (!any)
                wt = 1;
            wsum += wt;
            if (o == l)
                mine = wt;
        }
    }
    /* the fund */
    int64_t fund0 = comp->pool_amount;
    clause(c);
    if (comp->pool_fixed) {
        fmt_cents(a, sizeof a, fund0, digits);
        add(c, "pool %s → %s", a, a);
    } else {
        int64_t above = l->credit > comp->threshold ? l->credit - comp->threshold : 0;
        struct rat fr = rat_mul(rat_int64(above), rat_dec(comp->share));
        fund0 = rat_round(fr);
        fmt_cents(a, sizeof a, l->credit, digits);
        fmt_cents(b, sizeof b, comp->threshold, digits);
        rat_text_pct(s, sizeof s, rat_dec(comp->share));
        if (above > 0) {
            add(c, "pool (%s − %s threshold) × %s", a, b, s);
            step_end(c, fr, fund0, digits, NULL);
        } else {
            add(c, "pool 0.00 → 0.00");
            clause(c);
            add(c, "the team measure %s is not above the threshold %s", a, b);
        }
    }
    int64_t fund = rat_round(rat_mul(rat_int64(fund0), rat_dec(comp->weight)));
    if (!weight_is_one(comp->weight)) {
        fmt_cents(a, sizeof a, fund0, digits);
        rat_text_pct(s, sizeof s, rat_dec(comp->weight));
        clause(c);
        add(c, "%s × %s weight", a, s);
        step_end(c, rat_mul(rat_int64(fund0), rat_dec(comp->weight)), fund, digits, NULL);
    }
    fmt_cents(a, sizeof a, fund, digits);
    fmt_cents(v, sizeof v, l->amount, digits);
    clause(c);
    struct rat exact = rat_int64(0);
    if (wsum > 0)
        exact =
            rat_div(rat_mul(rat_int64(fund), rat_int64((int64_t)mine)), rat_int64((int64_t)wsum));
    const char *lr = rat_round(exact) != l->amount ? " (largest remainder)" : "";
    if (comp->division == DIVIDE_EQUAL || !any) {
        add(c, "%s ÷ %zu members → %s%s", a, n, v, lr);
    } else if (comp->division == DIVIDE_BY_CONTRIBUTION) {
        fmt_cents(b, sizeof b, (int64_t)mine, digits);
        fmt_cents(s, sizeof s, (int64_t)wsum, digits);
        add(c, "%s × %s own revenue ÷ %s the members' → %s%s", a, b, s, v, lr);
    } else {
        fmt_cents(b, sizeof b, (int64_t)mine, digits + 2);
        fmt_cents(s, sizeof s, (int64_t)wsum, digits + 2);
        add(c, "%s × %s target ÷ %s the members' → %s%s", a, b, s, v, lr);
    }
}

/* ---- notes the engine wrote that the clauses above do not already say -------------------- */

static void other_notes(struct calc *c, const struct payout_line *l)
{
    static const char *const known[] = {
        "cap_deal",  "cap_period", "below the gate",     "curve capped", "share ",
        "cap_payee", "cancelled ", "cap excess carried", "pays booking"};
    const char *s = l->note;
    while (*s) {
        const char *e = strstr(s, "; ");
        size_t len = e ? (size_t)(e - s) : strlen(s);
        bool dup = false;
        for (size_t i = 0; i < ARRAY_LEN(known) && !dup; i++)
            dup = strncmp(s, known[i], strlen(known[i])) == 0;
        if (!dup && len) {
            clause(c);
            add(c, "%.*s", (int)len, s);
        }
        s += len;
        if (e)
            s += 2;
    }
}

/* pay_on: the booking share of L, the line as computed ("L 1,000.00 × 50% on booking → 500.00"). */
static void booking_step(struct calc *c, const struct report_ctx *r, const struct payout_line *l)
{
    char a[64], p[64];
    int digits = cdigits(r);
    fmt_cents(a, sizeof a, l->booked, digits);
    rat_text_pct(p, sizeof p, rat_dec(l->component->pay_booking));
    clause(c);
    add(c, "L %s × %s on booking", a, p);
    step_end(c, rat_mul(rat_int64(l->booked), rat_dec(l->component->pay_booking)), l->amount,
             digits, NULL);
}

/* pay_on: one payment's collection line: the cumulative pay after it, L × payment share ×
 * min(1, collected ÷ deal amount), less what the deal's earlier payments paid. */
static void collection_clauses(struct calc *c, const struct report_ctx *r,
                               const struct payout_line *l)
{
    const struct component *comp = l->component;
    int digits = cdigits(r);
    int64_t deal = r->ds->deals.amount[l->deal];
    char a[64], b[64], p[64], q[64], v[64];
    fmt_cents(a, sizeof a, l->credit, digits);
    fmt_cents(b, sizeof b, l->after, digits);
    fmt_cents(q, sizeof q, deal, digits);
    clause(c);
    /* min(1, collected ÷ deal amount), never below 0 */
    bool full = deal != 0 && (deal > 0 ? l->after >= deal : l->after <= deal);
    bool none = deal == 0 || (deal > 0 ? l->after <= 0 : l->after >= 0);
    add(c, "payment %s: collected %s to date of the deal's %s%s", a, b, q, full ? ", in full" : "");
    fmt_cents(a, sizeof a, l->booked, digits);
    rat_text_pct(p, sizeof p, rat_dec(comp->pay_payment));
    clause(c);
    /* the payment part: L × payment share, or L less the booking part when that was rounded */
    int64_t bk = rat_round(rat_mul(rat_int64(l->booked), rat_dec(comp->pay_booking)));
    if (rat_cmp(rat_int64(l->booked - bk),
                rat_mul(rat_int64(l->booked), rat_dec(comp->pay_payment))) == 0) {
        add(c, "L %s × payment %s", a, p);
    } else {
        fmt_cents(v, sizeof v, bk, digits);
        add(c, "(L %s − %s paid on booking)", a, v);
    }
    if (none)
        add(c, " × 0");
    else if (!full)
        add(c, " × %s ÷ %s", b, q);
    int64_t before = -l->capped;
    fmt_cents(v, sizeof v, before < 0 ? -before : before, digits);
    if (before > 0)
        add(c, " − %s paid before", v);
    else if (before < 0)
        add(c, " + %s taken back before", v);
    step_end(c, rat_add(l->raw, rat_int64(-before)), l->amount, digits, NULL);
}

/* ---- a line ------------------------------------------------------------------------------ */

size_t report_line_calc(const struct report_ctx *r, const struct payout_line *l, bool detail,
                        char *buf, size_t size)
{
    struct calc c = {buf, size, 0};
    buf[0] = 0;
    const struct component *comp = l->component;
    int digits = cdigits(r);
    char a[64], b[64], q[160], s[96];
    if (detail && report_line_has_attainment(l) && comp->type != COMP_BONUS) {
        goal_expr(r, l, q, sizeof q, false);
        rat_text_cut(s, sizeof s, rat_div(l->quota, (struct rat){pow10_128(digits), 1}), digits,
                     digits + 6, false);
        clause(&c);
        if (strcmp(q, s) == 0)
            add(&c, "quota = %s", q);
        else
            add(&c, "quota = %s = %s", q, s);
        goal_expr(r, l, q, sizeof q, true);
        fmt_cents(a, sizeof a,
                  comp->basis == BASIS_PER_DEAL ? (l->credit < 0 ? -l->credit : l->credit)
                                                : l->after,
                  digits);
        rat_text_cut(s, sizeof s, l->attainment, 0, 6, true);
        clause(&c);
        add(&c, "attainment = %s ÷ %s = %s", a, q, s);
    }
    switch (l->kind) {
    case LINE_DEAL:
        if (comp && comp->type == COMP_SPIF) {
            spif_clauses(&c, r, l);
            break;
        }
        credit_clauses(&c, r, l);
        __attribute__((fallthrough)); /* a deal's slices are read like a period's */
    case LINE_PERIOD:
        if (comp && comp->type == COMP_BONUS) {
            bonus_clauses(&c, r, l);
            break;
        }
        if (strstr(l->note, "below the gate")) {
            clause(&c);
            add(&c, "below the gate: nothing is paid");
        }
        slices_step(&c, r, l);
        break;
    case LINE_POOL:
        pool_clauses(&c, r, l);
        break;
    case LINE_CLAWBACK: {
        const struct deal_table *dl = &r->ds->deals;
        char day[16];
        date_format_day(day, sizeof day, dl->close_day[l->deal]);
        clause(&c);
        add(&c, "cancelled %d days after its close on %s (clawback_days %d)",
            dl->cancel_day[l->deal] - dl->close_day[l->deal], day, comp ? comp->clawback_days : 0);
        fmt_cents(a, sizeof a, -l->amount, digits);
        fmt_cents(b, sizeof b, l->amount, digits);
        clause(&c);
        if (l->amount <= 0)
            add(&c, "− %s paid for the deal → %s", a, b);
        else
            add(&c, "%s taken back for the deal is returned → %s", b, b);
        break;
    }
    case LINE_COLLECTION:
        collection_clauses(&c, r, l);
        break;
    case LINE_CARRY:
        fmt_cents(a, sizeof a, l->amount, digits);
        clause(&c);
        add(&c, "cap excess carried from earlier attainment periods of the year");
        clause(&c);
        add(&c, "%s carried → %s", a, a);
        break;
    case LINE_PAYEE_CAP: {
        const struct plan_version *v = l->version;
        /* the line brings what the payout period earned down to the cap: earned = cap − line */
        fmt_cents(a, sizeof a, v ? v->cap_payee : 0, digits);
        fmt_cents(b, sizeof b, (v ? v->cap_payee : 0) - l->amount, digits);
        fmt_cents(q, sizeof q, l->amount, digits);
        clause(&c);
        add(&c, "cap_payee %s − %s earned in the period → %s", a, b, q);
        break;
    }
    case LINE_TRUEUP:
    case LINE_UNCLOSED:
    case LINE_LATE_CLAWBACK:
    case LINE_MANUAL:
        /* the ledger's lines: the note says what and why, with the amounts it compares */
        fmt_cents(a, sizeof a, l->amount, digits);
        clause(&c);
        add(&c, "%s → %s", l->note, a);
        return c.len;
    }
    if (l->kind == LINE_DEAL || l->kind == LINE_PERIOD)
        caps_steps(&c, r, l);
    if (l->kind == LINE_DEAL && comp && comp->collect)
        booking_step(&c, r, l);
    other_notes(&c, l);
    return c.len;
}

void report_line_text(const struct report_ctx *r, const struct payout_line *l, char *buf,
                      size_t size)
{
    report_line_calc(r, l, false, buf, size);
}

int report_pay_fx_text(const struct report_ctx *r, const struct payout_row *pr, char *buf,
                       size_t size)
{
    const struct dataset *ds = r->ds;
    const char *cur = ds->people.currency[pr->person].code;
    buf[0] = 0;
    if (pr->rate_day == DAY_NONE || !cur[0] || strcmp(cur, r->s->currency) == 0)
        return 0;
    int32_t best = DAY_NONE;
    struct decimal rate = {0, 0};
    for (size_t i = 0; i < ds->fx.n; i++)
        if (strcmp(ds->fx.currency[i].code, cur) == 0 && ds->fx.day[i] <= pr->rate_day &&
            ds->fx.day[i] > best) {
            best = ds->fx.day[i];
            rate = ds->fx.rate[i];
        }
    char t[64], rt[64], v[64], day[16], pd[16];
    const char *period = r->p->periods[pr->pp - 1].name;
    fmt_cents(t, sizeof t, pr->payable, cdigits(r));
    fmt_cents(v, sizeof v, pr->pay, money_minor_digits(cur));
    date_format_day(pd, sizeof pd, pr->rate_day);
    if (best == DAY_NONE) {
        snprintf(buf, size, "Paid in %s: %s %s for %s (rate in force on %s)", cur, v, cur, period,
                 pd);
        return 1;
    }
    fmt_decimal(rt, sizeof rt, rate);
    date_format_day(day, sizeof day, best);
    snprintf(buf, size,
             "Paid in %s: %s %s ÷ %s rate → %s %s for %s; the rate in force on %s (from %s)", cur,
             t, r->s->currency, rt, v, cur, period, pd, day);
    return 1;
}

void report_line_calc_text(const struct report_ctx *r, const struct payout_line *l, char *buf,
                           size_t size)
{
    report_line_calc(r, l, false, buf, size);
}
