/* payout.c — the incentive engine: components, tiers, caps, clawbacks, pools, lines. */
#define _GNU_SOURCE /* qsort_r */
#include "payout.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payout_internal.h"
#include "progress.h"
#include "util.h"

/* c's tiers resolved against quota, from the cache when they were just resolved. */
static const struct tier_r *resolved_tiers(struct engine *e, const struct component *c,
                                           struct rat quota)
{
    if (e->tier_c == c && e->tier_quota.n == quota.n && e->tier_quota.d == quota.d)
        return e->tier_r;
    VEC_GROW(e->tier_r, e->cap_tier_r, c->n_tiers ? c->n_tiers : 1);
    incent_resolve_tiers(c->tiers, c->n_tiers, quota, e->tier_r);
    e->tier_c = c;
    e->tier_quota = quota;
    return e->tier_r;
}

const char *line_kind_name(enum line_kind k)
{
    static const char *const names[] = {
        "deal",           "period",        "pool share",       "clawback",
        "carry",          "payee cap",     "collection",       "true-up",
        "not closed yet", "late clawback", "manual adjustment"};
    return (unsigned)k < ARRAY_LEN(names) ? names[k] : "?";
}

const char *payout_issue_text(enum payout_issue_kind k)
{
    switch (k) {
    case PAYOUT_OWNER_UNKNOWN:
        return "pays no one: the deal's owner is not in the people file";
    case PAYOUT_OWNER_NO_PLAN:
        return "pays no one: the deal's owner has no plan";
    case PAYOUT_OWNER_INACTIVE:
        return "pays no one: the deal's owner was not active on the close date";
    case PAYOUT_SPIF_PAYEE_UNKNOWN:
        return "SPIF pays no one: its payee column names no one in the people file";
    }
    return "?";
}

static void add_issue(struct payouts *p, enum payout_issue_kind kind, uint32_t deal,
                      uint32_t person)
{
    VEC_GROW(p->issues, p->cap_issues, p->n_issues + 1);
    p->issues[p->n_issues++] = (struct payout_issue){kind, deal, person, NULL};
}

/* ---- lines ------------------------------------------------------------------------------- */

struct ctx {
    uint32_t person;
    const struct plan *plan;
    struct period A;
    struct rat quota, target;
    int32_t active, days;
    int64_t paid;   /* this component's pay so far in A (clawbacks excluded) */
    int64_t excess; /* forfeited or carried by cap_period */
};

static struct payout_line *new_line(struct engine *e, const struct ctx *x,
                                    const struct plan_version *v, const struct component *c,
                                    enum line_kind kind, uint32_t deal, int32_t post)
{
    VEC_GROW(e->tmp, e->cap_tmp, e->n_tmp + 1);
    struct payout_line *l = &e->tmp[e->n_tmp++];
    memset(l, 0, sizeof *l);
    l->note = "";
    l->person = x->person;
    l->plan = x->plan;
    l->version = v;
    l->component = c;
    l->kind = kind;
    l->deal = deal;
    l->post_day = post;
    l->attain = x->A;
    l->quota = x->quota;
    l->target = x->target;
    l->active_days = x->active;
    l->period_days = x->days;
    l->raw = rat_int64(0);
    l->attainment = rat_int64(0);
    l->slice0 = e->n_tslices;
    return l;
}

static void note(struct engine *e, struct payout_line *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(struct engine *e, struct payout_line *l, const char *fmt, ...)
{
    char buf[PAYOUT_NOTE_MAX];
    snprintf(buf, sizeof buf, "%s", l->note);
    size_t used = strlen(buf);
    if (used >= sizeof buf - 1)
        return;
    if (used)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, sizeof buf - used, fmt, ap);
    va_end(ap);
    l->note = arena_strndup(&e->p->notes, buf, strlen(buf));
}

/* The ledger's lines for person `who` (settle.h), after their own lines and cap_payee: kept when
 * their post day is in the person's window. */
static void add_extras(struct engine *e, uint32_t who, const struct plan *plan,
                       const struct period *win)
{
    for (size_t i = 0; i < e->in->n_extras; i++) {
        const struct payout_extra *x = &e->in->extras[i];
        if (x->person != who)
            continue;
        struct ctx c = {.person = who, .plan = plan, .A = x->attain};
        struct payout_line *l = new_line(e, &c, plan_version_on(plan, x->post_day), x->component,
                                         x->kind, x->deal, x->post_day);
        l->raw = rat_int64(x->amount);
        l->rounded = x->amount;
        l->amount = x->amount;
        l->about_day = x->about_day;
        l->about_kind = x->about_kind;
        if (x->kind == LINE_MANUAL)
            l->credit = x->ref;
        note(e, l, "%s", x->note);
    }
    keep_lines(e, win, NULL);
}

static void fmt_money(const struct engine *e, char *buf, size_t n, int64_t v)
{
    money_format(buf, n, v, e->in->s->currency_digits);
}

/* Round, then apply the deal cap and the period cap; updates x->paid and x->excess. */
static void finish_line(struct engine *e, struct ctx *x, const struct component *c,
                        struct payout_line *l, bool deal_cap)
{
    char a[40];
    l->rounded = rat_round(l->raw);
    int64_t amt = l->rounded;
    if (deal_cap && c->cap_deal >= 0 && (amt > c->cap_deal || amt < -c->cap_deal)) {
        amt = amt > 0 ? c->cap_deal : -c->cap_deal;
        fmt_money(e, a, sizeof a, c->cap_deal);
        note(e, l, "cap_deal %s", a);
    }
    if (c->cap_period >= 0 && amt > 0 && x->paid + amt > c->cap_period) {
        int64_t room = c->cap_period > x->paid ? c->cap_period - x->paid : 0;
        x->excess += amt - room;
        fmt_money(e, a, sizeof a, c->cap_period);
        note(e, l, "cap_period %s reached (%s)", a,
             c->cap_excess == EXCESS_CARRY ? "excess carried" : "excess forfeited");
        amt = room;
    }
    l->capped = amt - l->rounded;
    l->amount = amt;
    x->paid += amt;
    l->n_slices = e->n_tslices - l->slice0;
}

static void push_slices(struct engine *e, const struct slice *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        VEC_GROW(e->tslices, e->cap_tslices, e->n_tslices + 1);
        e->tslices[e->n_tslices++] = s[i];
    }
}

static struct rat slices_sum(const struct slice *s, size_t n)
{
    struct rat sum = rat_int64(0);
    for (size_t i = 0; i < n; i++)
        sum = rat_add(sum, rat_mul(s[i].amount, s[i].rate));
    return sum;
}

/* Effective quota and target of x->person for attainment period x->A under version v. */
static void set_quota(struct engine *e, struct ctx *x, const struct plan_version *v,
                      const struct component *c)
{
    const struct person_table *pt = &e->ds->people;
    uint32_t who = x->person;
    x->days = period_days(&x->A);
    x->active =
        incent_active_days(pt->start_day[who], pt->end_day[who], x->A.first_day, x->A.last_day);
    struct rat f =
        rat_mul(incent_period_share(v->quota_period, c->period), rat_frac(x->active, x->days));
    x->quota = pt->quota[who] == QUOTA_NONE ? rat_int64(0) : rat_mul(rat_int64(pt->quota[who]), f);
    x->target =
        pt->target[who] == QUOTA_NONE ? rat_int64(0) : rat_mul(rat_int64(pt->target[who]), f);
}

static bool gated(const struct component *c, struct rat quota, struct rat x)
{
    return !c->has_gate || rat_cmp(x, incent_level(&c->gate, quota)) >= 0;
}

static struct rat attainment(struct rat measure, struct rat quota)
{
    return rat_is_zero(quota) ? rat_int64(0) : rat_div(measure, quota);
}

/* Does a commission or override compare its measure with the quota (a tier or the gate stated
 * as a percentage of it)? A bonus always compares with its goal. */
bool uses_quota(const struct component *c)
{
    if (c->type == COMP_BONUS)
        return true;
    for (size_t i = 0; i < c->n_tiers; i++)
        if (c->tiers[i].lower.pct)
            return true;
    return c->has_gate && c->gate.pct;
}

/* The measure of component c at the last day of the person's payout period j (cum: credited in
 * x->A through that day), with its quota or goal. */
static void record_measure(struct engine *e, const struct ctx *x, const struct component *c,
                           uint32_t j, int64_t cum)
{
    struct payout_measure m = {.row = j, .component = c, .attain = x->A, .measure = cum};
    if (c->type == COMP_BONUS)
        m.quota = c->goal_is_quota ? x->quota : rat_int64(c->goal);
    else
        m.quota = uses_quota(c) ? x->quota : rat_int64(0);
    m.attainment = attainment(rat_int64(cum), m.quota);
    VEC_PUSH(e->meas, e->n_meas, e->cap_meas, m);
}

/* The collection lines of deal k (pay_on): one per payment posted up to the deal's cancel day
 * and as-of, on its paid day (the close day when paid before it): the cumulative collection pay
 * after it, C × min(1, collected ÷ deal amount) rounded once, minus the same before it, where C,
 * the payment part, is L − the booking part (L × payment share exactly, unless the booking part
 * was rounded: then the booking and payment parts still total L). The lines of a deal collected
 * in full sum exactly to C; a refund (negative payment) takes back. Never re-tiered: L is the
 * line computed at booking.
 * Returns what the lines pay in all; *in_window: of it, the lines posted in the run's window. */
static int64_t collections(struct engine *e, struct ctx *x, const struct plan_version *v,
                           const struct component *c, uint32_t k, int64_t booked,
                           int64_t *in_window)
{
    const struct deal_table *dl = &e->ds->deals;
    const struct payment_table *pm = &e->ds->payments;
    int32_t close = dl->close_day[k], cd = dl->cancel_day[k];
    /* the payment part: L less its booking part, so a deal collected in full pays L exactly */
    struct rat share =
        rat_int64(booked - rat_round(rat_mul(rat_int64(booked), rat_dec(c->pay_booking))));
    int64_t collected = 0, paid = 0;
    *in_window = 0;
    if (!e->pm_n || booked == 0)
        return 0;
    for (uint32_t i = e->pm_first[k]; i < e->pm_first[k] + e->pm_n[k]; i++) {
        uint32_t j = e->pm_idx[i];
        int32_t day = pm->paid_day[j] > close ? pm->paid_day[j] : close;
        if ((cd != DAY_NONE && day > cd) || day > e->in->as_of)
            break; /* by paid day: every later payment too */
        int64_t before = collected;
        if (__builtin_add_overflow(collected, pm->amount[j], &collected)) {
            collected = before;
            continue;
        }
        /* the share collected, 0 .. 1 */
        struct rat f =
            dl->amount[k] ? rat_div(rat_int64(collected), rat_int64(dl->amount[k])) : rat_int64(0);
        f = rat_max(rat_int64(0), rat_min(f, rat_int64(1)));
        struct rat raw = rat_mul(share, f);
        int64_t cum = rat_round(raw);
        if (cum == paid)
            continue; /* nothing more to pay (collected beyond the deal, or a rounding) */
        struct payout_line *l = new_line(e, x, v, c, LINE_COLLECTION, k, day);
        l->credit = pm->amount[j];
        l->before = before;
        l->after = collected;
        l->booked = booked;
        l->raw = raw;
        l->rounded = cum;
        l->capped = -paid;
        l->amount = cum - paid;
        l->n_slices = 0;
        note(e, l, "payment %s", pm->id[j]);
        paid = cum;
        if (period_has_day(&e->in->window, day))
            *in_window += l->amount;
    }
    return paid;
}

/* Commission / override line for one deal (basis per_deal or period_to_date). */
static void deal_line(struct engine *e, struct ctx *x, const struct plan_version *v,
                      const struct component *c, uint32_t k, int64_t cr, int64_t before)
{
    const struct tier_r *t = resolved_tiers(e, c, x->quota);
    struct payout_line *l = new_line(e, x, v, c, LINE_DEAL, k, e->ds->deals.close_day[k]);
    l->credit = cr;
    l->before = before;
    l->after = before + cr;
    struct rat a, b;
    if (c->basis == BASIS_PER_DEAL) {
        b = rat_int64(0);
        a = rat_int64(cr);
        l->attainment = attainment(rat_abs(a), x->quota);
        if (!gated(c, x->quota, rat_abs(a))) {
            a = rat_int64(0);
            note(e, l, "below the gate");
        }
    } else {
        b = rat_int64(before);
        a = rat_int64(before + cr);
        l->attainment = attainment(a, x->quota);
        bool gb = gated(c, x->quota, b), ga = gated(c, x->quota, a);
        if (!gb)
            b = rat_int64(0);
        if (!ga) {
            a = rat_int64(0);
            note(e, l, "below the gate");
        } else if (!gb) {
            note(e, l, "gate reached: pays from zero");
        }
    }
    struct slice s[INCENT_SLICES_MAX(64)];
    size_t ns = c->n_tiers <= 64 ? incent_slices(t, c->n_tiers, c->method, b, a, s) : 0;
    push_slices(e, s, ns);
    l->raw = rat_mul(slices_sum(s, ns), rat_dec(c->weight));
    finish_line(e, x, c, l, true);
    const struct deal_table *dl = &e->ds->deals;
    int32_t cd = dl->cancel_day[k];
    int64_t booked = l->amount; /* L: the line as computed at booking */
    int64_t orig = booked;      /* what the deal's lines pay up to its cancel day */
    int64_t in_window = 0;      /* of it, the collections posted in the run's window */
    if (c->collect) {
        l->booked = booked;
        l->amount = rat_round(rat_mul(rat_int64(booked), rat_dec(c->pay_booking)));
        l->capped = l->amount - l->rounded;
        char m[40], pct[40];
        fmt_money(e, m, sizeof m, booked);
        decimal_format(pct, sizeof pct,
                       (struct decimal){c->pay_booking.units * 100, c->pay_booking.scale});
        note(e, l, "pays booking %s%% of %s", pct, m);
        orig = l->amount; /* l moves as collection lines are added */
        orig += collections(e, x, v, c, k, booked, &in_window);
    }
    /* Clawback: a deal cancelled within clawback_days of its close. */
    if (c->clawback_days >= 0 && cd != DAY_NONE && cd - dl->close_day[k] <= c->clawback_days &&
        cd <= e->in->as_of && booked != 0) {
        /* With the ledger, a deal paid in a closed period gives back what was paid for it (and
         * what this run pays for it: collections of the open period before the cancellation). */
        struct payout_clawback_fix key = {.deal = k, .person = x->person, .component = c};
        const struct payout_clawback_fix *fix =
            e->in->n_fixes ? bsearch(&key, e->in->fixes, e->in->n_fixes, sizeof key, payout_fix_cmp)
                           : NULL;
        int64_t back = fix ? fix->amount - in_window : -orig;
        struct payout_line *cl = new_line(e, x, v, c, LINE_CLAWBACK, k, cd);
        cl->credit = cr;
        cl->raw = rat_int64(back);
        cl->rounded = back;
        cl->amount = back;
        char day[16];
        date_format_day(day, sizeof day, dl->close_day[k]);
        note(e, cl, "cancelled %d days after its close on %s (clawback_days %d)",
             cd - dl->close_day[k], day, c->clawback_days);
        if (fix)
            note(e, cl, "what was paid for it (ledger)");
    }
}

/* The first position in e->order (close order) of a deal closing on or after day. */
static size_t order_from(const struct engine *e, int32_t day)
{
    const int32_t *close = e->ds->deals.close_day;
    size_t lo = 0, hi = e->n_order;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (close[e->order[mid]] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first index into pos (ascending) holding a value >= v, or n. */
static size_t pos_from(const uint32_t *pos, size_t n, size_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pos[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first of n periods holding day, or n. */
uint32_t pp_of(const struct period *pps, uint32_t n, int32_t day)
{
    uint32_t q = 0;
    while (q < n && !period_has_day(&pps[q], day))
        q++;
    return q;
}

static void period_step(enum period_kind kind, struct period *A)
{
    period_containing(kind, A->last_day + 1, A);
}

/* Every line of one component of one person, over every attainment period up to the window. */
static void run_component(struct engine *e, uint32_t who, const struct plan *plan,
                          const struct component *ref)
{
    const struct period *W = &e->win;
    const struct deal_table *dl = &e->ds->deals;
    struct ctx x = {.person = who, .plan = plan};
    period_containing(ref->period, e->keep_first, &x.A);
    int year = x.A.year;
    int64_t carry = 0;
    size_t cursor = order_from(e, x.A.first_day); /* into e->order */
    const int64_t *shared = shared_prefix(e, plan, ref);
    /* The deals that can credit or pay this person, when a list holds them. */
    bool lists = false;
    const uint32_t *lpos = NULL;
    const int64_t *lcr = NULL;
    size_t nl = 0;
    if (ref->type == COMP_SPIF) {
        if (spif_column_only(plan, ref)) {
            lists = true;
            lpos = column_positions(e, ref->payee_extra, who, &nl);
        }
    } else if (!shared && (ref->type == COMP_COMMISSION || ref->type == COMP_OVERRIDE ||
                           ref->type == COMP_BONUS)) {
        const struct credit_lists *cl = credit_lists_for(e, plan, ref);
        if (cl) {
            lists = true;
            uint32_t g = group_of(&e->ds->people, key_groups(&cl->key), who);
            if (g != ID_NONE && g < cl->n_groups) {
                lpos = cl->pos + cl->first[g];
                lcr = cl->cr + cl->first[g];
                nl = cl->first[g + 1] - cl->first[g];
            }
        }
    }
    /* Periods that end before the window only matter for what they hand on: a clawback's
     * original line or carried cap excess. Without either, skip them. */
    bool history = false;
    for (size_t v = 0; v < plan->n_versions; v++) {
        const struct component *c = plan_component(&plan->versions[v], ref->id);
        history |= c && (c->clawback_days >= 0 || c->cap_excess == EXCESS_CARRY || c->collect);
    }
    /* Attainment periods that start after as-of have nothing to pay yet. */
    for (; x.A.first_day <= W->last_day && x.A.first_day <= e->in->as_of;
         period_step(ref->period, &x.A)) {
        if (x.A.year != year) {
            year = x.A.year;
            carry = 0;
        }
        if (!history && x.A.last_day < W->first_day) {
            cursor = order_from(e, x.A.last_day + 1);
            continue;
        }
        const struct plan_version *vend = plan_version_on(plan, x.A.last_day);
        const struct component *cend = plan_component(vend, ref->id);
        const struct component *cq = cend ? cend : ref;
        set_quota(e, &x, vend, cq);
        x.paid = 0;
        x.excess = 0;
        if (carry > 0 && cq->cap_period >= 0) {
            int64_t pay = carry < cq->cap_period ? carry : cq->cap_period;
            struct payout_line *l = new_line(e, &x, vend, cq, LINE_CARRY, ID_NONE, x.A.first_day);
            l->raw = rat_int64(pay);
            l->rounded = pay;
            l->amount = pay;
            x.paid = pay;
            carry -= pay;
            note(e, l, "cap excess carried from earlier periods of %d", year);
        }
        int64_t cum = 0;
        /* The person's payout periods whose last day lies in A: their measure is recorded as
         * the deals walk past that day. */
        bool measured = cend && (ref->type == COMP_COMMISSION || ref->type == COMP_OVERRIDE ||
                                 ref->type == COMP_BONUS);
        uint32_t jm = 0;
        while (jm < e->n_pps && e->pps[jm].last_day < x.A.first_day)
            jm++;
        size_t end = order_from(e, x.A.last_day + 1);
        /* The deals to look at: the person's own when the measure (or the SPIF payee) only
         * ever credits people on the deal; those whose payee column names them; those crediting
         * their group (credit lists, with the credit); else every deal of the period. */
        const uint32_t *pos = NULL;
        const int64_t *crs = NULL;
        size_t npos = 0;
        bool own = (ref->type == COMP_SPIF && ref->payee != PAYEE_COLUMN) ||
                   (ref->type != COMP_SPIF &&
                    (ref->measure == MEASURE_OWN_REVENUE || ref->measure == MEASURE_WON_DEALS));
        bool listed = own || lists;
        if (own) {
            pos = e->pl_pos + e->pl_first[who];
            npos = e->pl_n[who];
        } else if (lists) {
            pos = lpos;
            crs = lcr;
            npos = nl;
        }
        size_t from = listed ? pos_from(pos, npos, cursor) : cursor;
        size_t to = listed ? pos_from(pos, npos, end) : end;
        /* the component in the version of the deal's close day, looked up once per version */
        const struct plan_version *cv = NULL;
        const struct component *cc = NULL;
        if (ref->type == COMP_SPIF) {
            for (size_t i = from; i < to; i++) {
                uint32_t k = e->order[listed ? pos[i] : i];
                const struct plan_version *v = plan_version_on(plan, dl->close_day[k]);
                if (v != cv) {
                    cv = v;
                    cc = plan_component(v, ref->id);
                }
                const struct component *c = cc;
                if (!c || c->type != COMP_SPIF || !spif_window(c, dl->close_day[k]))
                    continue;
                /* a payee column naming someone else: skip before the (costlier) filter */
                if (c->payee == PAYEE_COLUMN && column_person(e, c->payee_extra, k) != who)
                    continue;
                if (!filter_pass(e, c, k))
                    continue;
                int64_t amt = spif_share(e, c, who, k);
                if (!amt || !deal_pays(e, k, who))
                    continue;
                struct payout_line *l = new_line(e, &x, v, c, LINE_DEAL, k, dl->close_day[k]);
                l->credit = dl->amount[k];
                l->raw = rat_mul(rat_int64(amt), rat_dec(c->weight));
                finish_line(e, &x, c, l, true);
            }
        } else if (ref->type == COMP_COMMISSION || ref->type == COMP_OVERRIDE ||
                   ref->type == COMP_BONUS) {
            if (shared && !listed) {
                /* a bonus on a credit naming no one: no deal lines, the measure from the sums */
                for (; measured && jm < e->n_pps && e->pps[jm].last_day <= x.A.last_day; jm++) {
                    size_t upto = order_from(e, e->pps[jm].last_day + 1);
                    record_measure(e, &x, cend, jm, shared[upto < to ? upto : to] - shared[from]);
                }
                cum = shared[to] - shared[from];
                from = to; /* no deal to walk */
            }
            for (size_t i = from; i < to; i++) {
                uint32_t k = e->order[listed ? pos[i] : i];
                for (; measured && jm < e->n_pps && e->pps[jm].last_day < dl->close_day[k]; jm++)
                    record_measure(e, &x, cend, jm, cum);
                const struct plan_version *v = plan_version_on(plan, dl->close_day[k]);
                if (v != cv) {
                    cv = v;
                    cc = plan_component(v, ref->id);
                }
                const struct component *c = cc;
                int64_t cr = crs ? crs[i] : credit(e, who, c ? c : ref, k, NULL);
                if (cr == 0)
                    continue;
                if (c && c->type != COMP_BONUS && c->basis != BASIS_PERIOD_TOTAL &&
                    deal_pays(e, k, who))
                    deal_line(e, &x, v, c, k, cr, cum);
                cum += cr;
            }
            for (; measured && jm < e->n_pps && e->pps[jm].last_day <= x.A.last_day; jm++)
                record_measure(e, &x, cend, jm, cum);
            /* A period-level line needs the person active at least one day of A: a leaver's
             * prorated target is 0, and rates are never prorated. */
            if (cend && (cend->type == COMP_BONUS || cend->basis == BASIS_PERIOD_TOTAL) &&
                x.A.last_day >= W->first_day && x.active > 0) {
                struct payout_line *l =
                    new_line(e, &x, vend, cend, LINE_PERIOD, ID_NONE, x.A.last_day);
                l->credit = cum;
                l->after = cum;
                struct rat m = rat_int64(cum);
                if (cend->type == COMP_BONUS) {
                    struct rat goal = cend->goal_is_quota ? x.quota : rat_int64(cend->goal);
                    l->quota = goal;
                    l->attainment = attainment(m, goal);
                    struct rat pct = rat_int64(0);
                    if (!gated(cend, goal, m)) {
                        note(e, l, "below the gate");
                    } else {
                        pct = incent_curve(cend->curve, cend->n_curve, cend->curve_method,
                                           l->attainment);
                        if (cend->has_cap_pct && rat_cmp(pct, rat_dec(cend->cap_pct)) > 0) {
                            pct = rat_dec(cend->cap_pct);
                            note(e, l, "curve capped");
                        }
                    }
                    /* one slice: the effective target × the curve's payout; weight below */
                    struct slice s = {x.target, pct, SLICE_WHOLE, 0};
                    push_slices(e, &s, 1);
                    l->raw = rat_mul(rat_mul(s.amount, s.rate), rat_dec(cend->weight));
                } else {
                    struct tier_r *t = xcalloc(cend->n_tiers, sizeof *t);
                    incent_resolve_tiers(cend->tiers, cend->n_tiers, x.quota, t);
                    l->attainment = attainment(m, x.quota);
                    struct slice s[INCENT_SLICES_MAX(64)];
                    size_t ns = 0;
                    if (!gated(cend, x.quota, m))
                        note(e, l, "below the gate");
                    else if (cend->n_tiers <= 64)
                        ns = incent_slices(t, cend->n_tiers, cend->method, rat_int64(0), m, s);
                    push_slices(e, s, ns);
                    l->raw = rat_mul(slices_sum(s, ns), rat_dec(cend->weight));
                    free(t);
                }
                finish_line(e, &x, cend, l, false);
            }
        }
        if (cq->cap_excess == EXCESS_CARRY)
            carry += x.excess;
        cursor = end;
    }
}

/* Pools: per plan, pool component and team, over the members active in the period. */
static void run_pools(struct engine *e, const struct plan *plan, const struct component *ref,
                      const struct period *W)
{
    const struct person_table *pt = &e->ds->people;
    bool *members = xcalloc(pt->n ? pt->n : 1, sizeof *members);
    uint32_t *list = xcalloc(e->n_people ? e->n_people : 1, sizeof *list);
    uint64_t *w = xcalloc(e->n_people ? e->n_people : 1, sizeof *w);
    int64_t *out = xcalloc(e->n_people ? e->n_people : 1, sizeof *out);
    struct period A;
    period_containing(ref->period, W->first_day, &A);
    for (; A.first_day <= W->last_day && A.first_day <= e->in->as_of;
         period_step(ref->period, &A)) {
        if (A.last_day < W->first_day || A.last_day > W->last_day)
            continue;
        const struct plan_version *v = plan_version_on(plan, A.last_day);
        const struct component *c = plan_component(v, ref->id);
        if (!c || c->type != COMP_POOL)
            continue;
        /* One pool per team, teams in order of their first member. */
        bool *team_done = xcalloc(e->ds->teams.n + 1, sizeof *team_done);
        for (uint32_t i = 0; i < e->n_people; i++) {
            uint32_t lead = e->people[i];
            if (e->plan_of[lead] != plan || pt->team[lead] == ID_NONE || team_done[pt->team[lead]])
                continue;
            team_done[pt->team[lead]] = true;
            uint32_t n = 0;
            memset(members, 0, pt->n * sizeof *members);
            for (uint32_t j = 0; j < e->n_people; j++) {
                uint32_t who = e->people[j];
                if (e->plan_of[who] == plan && pt->team[who] == pt->team[lead] &&
                    incent_active_days(pt->start_day[who], pt->end_day[who], A.first_day,
                                       A.last_day) > 0) {
                    members[who] = true;
                    list[n++] = who;
                }
            }
            if (!n)
                continue;
            int64_t m = 0;
            int64_t *contrib = out; /* reuse: own revenue per member */
            memset(contrib, 0, n * sizeof *contrib);
            struct component own = *c;
            own.measure = MEASURE_OWN_REVENUE;
            /* the period's deals: a range of the close order */
            size_t q_end = order_from(e, A.last_day + 1);
            for (size_t q = order_from(e, A.first_day); q < q_end; q++) {
                uint32_t k = e->order[q];
                m += credit(e, lead, c, k, members);
                for (uint32_t j = 0; j < n; j++)
                    contrib[j] += credit(e, list[j], &own, k, NULL);
            }
            int64_t fund = c->pool_amount;
            struct rat fr = rat_int64(fund);
            if (!c->pool_fixed) {
                int64_t above = m > c->threshold ? m - c->threshold : 0;
                fr = rat_mul(rat_int64(above), rat_dec(c->share));
                fund = rat_round(fr);
            }
            fund = rat_round(rat_mul(rat_int64(fund), rat_dec(c->weight)));
            bool any = false;
            for (uint32_t j = 0; j < n; j++) {
                uint32_t who = list[j];
                if (c->division == DIVIDE_EQUAL) {
                    w[j] = 1;
                } else if (c->division == DIVIDE_BY_CONTRIBUTION) {
                    w[j] = contrib[j] > 0 ? (uint64_t)contrib[j] : 0;
                } else {
                    struct ctx x = {.person = who, .plan = plan, .A = A};
                    set_quota(e, &x, v, c);
                    /* target in hundredths of a minor unit, exact enough for weights */
                    int64_t t100 = rat_round(rat_mul(x.target, rat_int64(100)));
                    w[j] = t100 > 0 ? (uint64_t)t100 : 0;
                }
                any |= w[j] > 0;
            }
            if (!any)
                for (uint32_t j = 0; j < n; j++)
                    w[j] = 1;
            int64_t *alloc = xcalloc(n, sizeof *alloc);
            if (money_allocate(fund, w, n, alloc))
                memset(alloc, 0, n * sizeof *alloc);
            for (uint32_t j = 0; j < n; j++) {
                uint32_t who = list[j];
                struct ctx x = {.person = who, .plan = plan, .A = A};
                set_quota(e, &x, v, c);
                struct payout_line *l = new_line(e, &x, v, c, LINE_POOL, ID_NONE, A.last_day);
                l->credit = m;
                l->after = c->division == DIVIDE_BY_CONTRIBUTION ? contrib[j] : 0;
                l->raw = rat_int64(alloc[j]);
                l->rounded = alloc[j];
                l->amount = alloc[j];
                char a[40], b[40];
                fmt_money(e, a, sizeof a, fund);
                fmt_money(e, b, sizeof b, m);
                note(e, l, "share %u of %u of a %s pool (team measure %s, division %s)", j + 1, n,
                     a, b,
                     c->division == DIVIDE_EQUAL       ? "equal"
                     : c->division == DIVIDE_BY_TARGET ? "by_target_incentive"
                                                       : "by_contribution");
                l->n_slices = 0;
                l->slice0 = e->n_tslices;
            }
            free(alloc);
        }
        free(team_done);
    }
    free(members);
    free(list);
    free(w);
    free(out);
}

/* The window a plan pays in for this run: the run's period, or, for a plan paying over a longer
 * period, that period when the run's period is its last part (else nothing). */
static bool plan_window(const struct plan *plan, const struct period *run, struct period *out)
{
    const struct plan_version *v = plan_version_on(plan, run->last_day);
    if (v->payout_period <= run->kind) {
        *out = *run;
        return true;
    }
    period_containing(v->payout_period, run->last_day, out);
    return out->last_day == run->last_day;
}

/* The payout periods a plan pays in a run over `run`: its window split by the payout_period in
 * force on the window's last day (a quarter run on a monthly plan: three months). Returns how
 * many were written to out (at most 12), 0 when the plan pays nothing in this run. */
uint32_t payout_periods(const struct plan *plan, const struct period *run, struct period out[12])
{
    struct period win;
    if (!plan_window(plan, run, &win))
        return 0;
    enum period_kind k = plan_version_on(plan, win.last_day)->payout_period;
    if (k >= win.kind) {
        out[0] = win;
        return 1;
    }
    uint32_t n = 0;
    for (int32_t day = win.first_day; day <= win.last_day && n < 12; day = out[n - 1].last_day + 1)
        period_containing(k, day, &out[n++]);
    return n;
}

static int person_cmp(const void *a, const void *b, void *ctx)
{
    const struct person_table *pt = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return pt->line[x] < pt->line[y] ? -1 : pt->line[x] > pt->line[y];
}

static int payment_cmp(const void *a, const void *b, void *ctx)
{
    const struct payment_table *pm = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (pm->deal_row[x] != pm->deal_row[y])
        return pm->deal_row[x] < pm->deal_row[y] ? -1 : 1;
    if (pm->paid_day[x] != pm->paid_day[y])
        return pm->paid_day[x] < pm->paid_day[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* The payments of each kept deal, by paid day (pm_first, pm_n, pm_idx); nothing without any. */
static void build_payments(struct engine *e)
{
    const struct payment_table *pm = &e->ds->payments;
    size_t nd = e->ds->deals.n;
    uint32_t n = 0;
    for (size_t i = 0; i < pm->n; i++)
        n += pm->deal_row[i] != ID_NONE && pm->deal_row[i] < nd;
    if (!n)
        return;
    e->pm_first = xcalloc(nd, sizeof *e->pm_first);
    e->pm_n = xcalloc(nd, sizeof *e->pm_n);
    e->pm_idx = xcalloc(n, sizeof *e->pm_idx);
    uint32_t m = 0;
    for (size_t i = 0; i < pm->n; i++)
        if (pm->deal_row[i] != ID_NONE && pm->deal_row[i] < nd)
            e->pm_idx[m++] = (uint32_t)i;
    qsort_r(e->pm_idx, n, sizeof *e->pm_idx, payment_cmp, (void *)(uintptr_t)pm);
    for (uint32_t i = n; i-- > 0;) {
        e->pm_first[pm->deal_row[e->pm_idx[i]]] = i;
        e->pm_n[pm->deal_row[e->pm_idx[i]]]++;
    }
}

int payout_run(struct payouts *p, const struct payout_input *in, struct diag *d)
{
    memset(p, 0, sizeof *p);
    const struct dataset *ds = in->ds;
    const struct person_table *pt = &ds->people;
    const struct deal_table *dl = &ds->deals;
    struct engine e = {.in = in, .ds = ds, .p = p, .d = d};
    size_t np = pt->n ? pt->n : 1;
    p->n_people = pt->n;
    p->person_total = xcalloc(np, sizeof *p->person_total);
    p->person_revenue = xcalloc(np, sizeof *p->person_revenue);
    p->person_deals = xcalloc(np, sizeof *p->person_deals);
    p->person_row0 = xcalloc(np, sizeof *p->person_row0);
    p->person_nrows = xcalloc(np, sizeof *p->person_nrows);
    e.meas0 = xcalloc(np, sizeof *e.meas0);
    e.n_pmeas = xcalloc(np, sizeof *e.n_pmeas);
    p->person_line0 = xcalloc(np, sizeof *p->person_line0);
    p->person_nlines = xcalloc(np, sizeof *p->person_nlines);
    e.plan_of = xcalloc(np, sizeof *e.plan_of);
    e.people = xcalloc(np, sizeof *e.people);
    for (uint32_t i = 0; i < pt->n; i++)
        if (pt->name[i])
            e.people[e.n_people++] = i;
    qsort_r(e.people, e.n_people, sizeof *e.people, person_cmp, (void *)(uintptr_t)pt);
    e.marketing = xcalloc(ds->channels.n ? ds->channels.n : 1, sizeof *e.marketing);
    for (uint32_t c = 0; c < ds->channels.n; c++) {
        const char *name = intern_str(&ds->channels, c);
        e.marketing[c] = !settings_list_has(in->s->non_marketing_channels, name, strlen(name));
    }
    e.keep_first = payout_keep_first(in->plans, &in->window);
    int rc = validate_people(&e);
    rc |= build_deals(&e);
    build_person_lists(&e);
    build_payments(&e);
    e.colp = xcalloc(ds->deals.n_extra ? ds->deals.n_extra : 1, sizeof *e.colp);
    e.colp_first = xcalloc(ds->deals.n_extra ? ds->deals.n_extra : 1, sizeof *e.colp_first);
    e.colp_pos = xcalloc(ds->deals.n_extra ? ds->deals.n_extra : 1, sizeof *e.colp_pos);
    if (rc) {
        rc = PAYOUT_ECONFIG;
        goto out;
    }
    /* Exceptions and own revenue of the window's deals. */
    for (uint32_t q = 0; q < e.n_order; q++) {
        uint32_t k = e.order[q];
        if (!period_has_day(&in->window, dl->close_day[k]))
            continue;
        uint32_t who = dl->owner[k];
        if (!pt->name[who])
            add_issue(p, PAYOUT_OWNER_UNKNOWN, k, who);
        else if (!active_on(pt, who, dl->close_day[k]))
            add_issue(p, PAYOUT_OWNER_INACTIVE, k, who);
        else if (!e.plan_of[who])
            add_issue(p, PAYOUT_OWNER_NO_PLAN, k, who);
        for (uint32_t i = e.sp_first[k]; i < e.sp_first[k] + e.sp_n[k]; i++) {
            uint32_t s = e.sp_person[i];
            if (!pt->name[s] || !active_on(pt, s, dl->close_day[k]))
                continue;
            p->person_revenue[s] += e.sp_cents[i];
            p->person_deals[s]++;
        }
    }
    spif_payee_issues(&e);
    rat_overflowed();
    progress_label(in->earned_only ? "computing pay (year to date)" : "computing pay");
    progress_total(e.n_people, "people");
    for (uint32_t j = 0; j < e.n_people && rc == 0; j++) {
        progress_count(j);
        uint32_t who = e.people[j];
        const struct plan *plan = e.plan_of[who];
        if (!plan)
            continue;
        struct period win;
        if (!plan_window(plan, &in->window, &win))
            continue;
        e.win = win;
        e.tier_c = NULL;
        e.n_pps = payout_periods(plan, &in->window, e.pps);
        e.meas0[who] = e.n_meas;
        /* Every component id of every version, in order of first appearance. */
        for (size_t v = 0; v < plan->n_versions; v++) {
            for (size_t c = 0; c < plan->versions[v].n_components; c++) {
                const struct component *comp = &plan->versions[v].components[c];
                bool seen = false;
                for (size_t u = 0; u < v && !seen; u++)
                    seen = plan_component(&plan->versions[u], comp->id) != NULL;
                if (seen || comp->type == COMP_POOL)
                    continue;
                run_component(&e, who, plan, comp);
            }
        }
        e.n_pmeas[who] = (uint32_t)(e.n_meas - e.meas0[who]);
        /* cap_payee: per payout period (a quarter run on a monthly plan caps each month); the
         * sums are taken as the lines are kept (the periods are disjoint) */
        int64_t pp_sum[12] = {0};
        keep_lines(&e, &win, pp_sum);
        for (uint32_t q = 0; q < e.n_pps; q++) {
            const struct period *P = &e.pps[q];
            const struct plan_version *vw = plan_version_on(plan, P->last_day);
            int64_t sum = pp_sum[q];
            if (vw->cap_payee < 0 || sum <= vw->cap_payee)
                continue;
            struct ctx x = {.person = who, .plan = plan, .A = *P};
            struct payout_line *l =
                new_line(&e, &x, vw, NULL, LINE_PAYEE_CAP, ID_NONE, P->last_day);
            l->amount = vw->cap_payee - sum;
            l->capped = l->amount;
            char a[40];
            fmt_money(&e, a, sizeof a, vw->cap_payee);
            note(&e, l, "cap_payee %s for the payout period %s", a, P->name);
            keep_lines(&e, P, NULL);
        }
        add_extras(&e, who, plan, &win);
        if (rat_overflowed()) {
            diag_error(d, ds->files[INPUT_PEOPLE].display, pt->line[who],
                       "pay of person '%s' does not fit the exact arithmetic (amounts or rates "
                       "too large)",
                       intern_str(&ds->people_ids, who));
            rc = PAYOUT_EOVERFLOW;
        }
    }
    /* Pools, per plan. */
    for (size_t i = 0; i < in->plans->n && rc == 0; i++) {
        const struct plan *plan = &in->plans->plans[i];
        struct period win;
        if (!plan_window(plan, &in->window, &win))
            continue;
        for (size_t v = 0; v < plan->n_versions; v++)
            for (size_t c = 0; c < plan->versions[v].n_components; c++) {
                const struct component *comp = &plan->versions[v].components[c];
                bool seen = false;
                for (size_t u = 0; u < v && !seen; u++)
                    seen = plan_component(&plan->versions[u], comp->id) != NULL;
                if (!seen && comp->type == COMP_POOL) {
                    run_pools(&e, plan, comp, &win);
                    keep_lines(&e, &win, NULL);
                }
            }
    }
    sort_lines(p, pt, e.people, e.n_people, !e.unsorted);
    if (rc == 0 && !in->earned_only) {
        build_rows(&e);
        rc = pay_currencies(&e);
    }
out:
    free(e.plan_of);
    free(e.people);
    free(e.order);
    free(e.sp_first);
    free(e.sp_n);
    free(e.sp_person);
    free(e.sp_cents);
    free(e.sp_overlay);
    free(e.marketing);
    free(e.pl_first);
    free(e.pl_n);
    free(e.pl_pos);
    free(e.pm_first);
    free(e.pm_n);
    free(e.pm_idx);
    for (size_t i = 0; e.colp && i < ds->deals.n_extra; i++)
        free(e.colp[i]);
    free(e.colp);
    for (size_t i = 0; e.colp_first && i < ds->deals.n_extra; i++) {
        free(e.colp_first[i]);
        free(e.colp_pos[i]);
    }
    free(e.colp_first);
    free(e.colp_pos);
    for (size_t i = 0; i < e.n_cls; i++) {
        free(e.cls[i].first);
        free(e.cls[i].pos);
        free(e.cls[i].cr);
    }
    free(e.cls);
    free(e.tmp);
    free(e.tslices);
    free(e.tier_r);
    for (int i = 0; i < e.n_shared; i++)
        free(e.shared[i].prefix);
    free(e.meas);
    free(e.meas0);
    free(e.n_pmeas);
    return rc;
}

void payout_release(struct payouts *p)
{
    if (!p)
        return;
    free(p->lines);
    free(p->slices);
    free(p->person_total);
    free(p->person_revenue);
    free(p->person_deals);
    free(p->rows);
    free(p->person_row0);
    free(p->person_nrows);
    free(p->line_index);
    free(p->measures);
    free(p->periods);
    free(p->person_line0);
    free(p->person_nlines);
    free(p->issues);
    arena_release(&p->notes);
    memset(p, 0, sizeof *p);
}
