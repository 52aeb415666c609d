/* settle.c — a nightly run with the ledger: true-ups, unclosed lines, clawbacks of what was paid.
 */
#include "settle.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"
#include "ids.h"
#include "money.h"
#include "util.h"

void settle_payout_period(const struct plan *plan, const struct period *period, int32_t day,
                          struct period *out)
{
    enum period_kind k =
        plan ? plan_version_on(plan, period->last_day)->payout_period : PERIOD_MONTH;
    period_containing(k, day, out);
}

/* A line's key as numbers: person (people id, or KEY_LOCAL | a local id for a name the people
 * file no longer has), component (a local id of its name), kind (enum line_kind, or KIND_BASELINE
 * for a baseline period's per-person key), deal (deal id, KEY_LOCAL | local, or KEY_NONE),
 * attainment period (first day × 4 + kind, 0 none) and the payout period it is about (its last
 * day). Equal keys are about the same line; comparing numbers is what makes a year of lines
 * cheap to match against a year of posted lines. */
#define KEY_LOCAL     0x80000000u
#define KEY_NONE      UINT32_MAX
#define KIND_BASELINE 100u

struct skey {
    uint32_t person, comp, kind, deal;
    int32_t attain, about;
};

static int skey_cmp(const struct skey *a, const struct skey *b)
{
#define CMP_FIELD(f)                                                                               \
    if (a->f != b->f)                                                                              \
        return a->f < b->f ? -1 : 1;
    CMP_FIELD(person)
    CMP_FIELD(comp)
    CMP_FIELD(kind)
    CMP_FIELD(deal)
    CMP_FIELD(attain)
    CMP_FIELD(about)
#undef CMP_FIELD
    return 0;
}

/* One key: what the recomputation and the ledger say about it. */
struct key_ent {
    struct skey key;
    int64_t recomputed, paid;
    bool has_recomputed, has_paid;
    bool baseline;               /* a baseline period's per-person key */
    const struct payout_line *l; /* the first recomputed line with the key, or NULL */
    const struct ledger_line *p; /* the first paid line with the key, or NULL */
};

static int key_cmp(const void *a, const void *b)
{
    return skey_cmp(&((const struct key_ent *)a)->key, &((const struct key_ent *)b)->key);
}

/* Turns names into key numbers: local ids for component names and for people and deals the
 * dataset does not have; each distinct string of what was paid worked out once. */
struct keyer {
    const struct dataset *ds;
    const struct ledger_paid *lp;
    /* per string id of lp->strs: its person, deal and component code + 1 (0: not worked out
     * yet), and its period's first (attainment) and last (about) day codes + 1 */
    uint32_t *person_of, *deal_of, *comp_of, *kind_of;
    int32_t *first_of, *last_of;
    struct intern names;
    const struct component *last_c;
    uint32_t last_cid;
};

static uint32_t name_id(struct keyer *kr, char tag, const char *s)
{
    char buf[IDS_MAX_LEN + 8];
    int n = snprintf(buf, sizeof buf, "%c%s", tag, s);
    return intern_add(&kr->names, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, NULL);
}

static uint32_t person_code(struct keyer *kr, const char *s)
{
    uint32_t id = intern_find(&kr->ds->people_ids, s, strlen(s));
    return id != INTERN_NONE ? id : KEY_LOCAL | name_id(kr, 'p', s);
}

static uint32_t deal_code(struct keyer *kr, const char *s)
{
    if (!s[0])
        return KEY_NONE;
    uint32_t id = intern_find(&kr->ds->deal_ids, s, strlen(s));
    return id != INTERN_NONE ? id : KEY_LOCAL | name_id(kr, 'd', s);
}

static uint32_t comp_code(struct keyer *kr, const struct component *c)
{
    if (c != kr->last_c || !kr->last_cid) {
        kr->last_c = c;
        kr->last_cid = name_id(kr, 'c', c ? c->id : "") + 1;
    }
    return kr->last_cid - 1;
}

/* A period name's first day × 4 + kind and last day (0, 0 when it is not one). */
static void period_code(const char *s, int32_t *first, int32_t *last)
{
    struct period q;
    bool ok = s[0] && !period_parse(s, &q);
    *first = ok ? q.first_day * 4 + (int32_t)q.kind : 0;
    *last = ok ? q.last_day : 0;
}

static uint32_t kind_code(const struct ledger_line *x)
{
    if (x->entry == LE_BASELINE)
        return KIND_BASELINE;
    for (uint32_t k = 0; k < LINE_TRUEUP; k++)
        if (!strcmp(line_kind_name((enum line_kind)k), x->kind))
            return k;
    return LINE_DEAL;
}

/* The key of a recomputed line about payout period Q. */
static struct skey line_key(struct keyer *kr, const struct payout_line *l, const struct period *Q,
                            bool baseline)
{
    if (baseline)
        return (struct skey){l->person, comp_code(kr, NULL), KIND_BASELINE, KEY_NONE,
                             0,         Q->last_day};
    return (struct skey){l->person,
                         comp_code(kr, l->component),
                         (uint32_t)l->kind,
                         l->deal == ID_NONE ? KEY_NONE : kr->ds->deals.id[l->deal],
                         l->attain.first_day * 4 + (int32_t)l->attain.kind,
                         Q->last_day};
}

/* The key of posted line i, each distinct string worked out once. */
static struct skey paid_key(struct keyer *kr, size_t i)
{
    const struct ledger_line *x = &kr->lp->lines[i];
    const struct ledger_line_ids *id = &kr->lp->ids[i];
    if (!kr->person_of[id->person])
        kr->person_of[id->person] = person_code(kr, x->person) + 1;
    if (!kr->last_of[id->about]) {
        int32_t f, l;
        period_code(x->about, &f, &l);
        kr->last_of[id->about] = l + 1;
    }
    int32_t about = kr->last_of[id->about] - 1;
    if (x->entry == LE_BASELINE)
        return (struct skey){
            kr->person_of[id->person] - 1, comp_code(kr, NULL), KIND_BASELINE, KEY_NONE, 0, about};
    if (!kr->first_of[id->attain]) {
        int32_t f, l;
        period_code(x->attain, &f, &l);
        kr->first_of[id->attain] = f + 1;
    }
    if (!kr->comp_of[id->component])
        kr->comp_of[id->component] = name_id(kr, 'c', x->component) + 1;
    if (!kr->deal_of[id->deal])
        kr->deal_of[id->deal] = deal_code(kr, x->deal) + 1;
    if (!kr->kind_of[id->kind])
        kr->kind_of[id->kind] = kind_code(x) + 1;
    return (struct skey){kr->person_of[id->person] - 1, kr->comp_of[id->component] - 1,
                         kr->kind_of[id->kind] - 1,     kr->deal_of[id->deal] - 1,
                         kr->first_of[id->attain] - 1,  about};
}

/* Paid per (person, component, deal) for clawbacks. */
struct deal_paid {
    struct skey key; /* kind, attain and about 0 */
    int64_t paid;
};

static int deal_paid_cmp(const void *a, const void *b)
{
    return skey_cmp(&((const struct deal_paid *)a)->key, &((const struct deal_paid *)b)->key);
}

int payout_fix_cmp(const void *a, const void *b)
{
    const struct payout_clawback_fix *x = a, *y = b;
    if (x->deal != y->deal)
        return x->deal < y->deal ? -1 : 1;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    uintptr_t cx = (uintptr_t)x->component, cy = (uintptr_t)y->component;
    return cx < cy ? -1 : cx > cy;
}

static const char *deal_name(const struct dataset *ds, uint32_t deal)
{
    return deal == ID_NONE ? "" : intern_str(&ds->deal_ids, ds->deals.id[deal]);
}

static void add_extra(struct settle *st, const struct payout_extra *x, const char *note)
{
    VEC_GROW(st->extras, st->cap_extras, st->n_extras + 1);
    struct payout_extra *e = &st->extras[st->n_extras++];
    *e = *x;
    e->note = arena_strndup(&st->notes, note, strlen(note));
}

void settle_notice(struct settle *st, const char *text)
{
    VEC_GROW(st->notices, st->cap_notices, st->n_notices + 1);
    st->notices[st->n_notices++] = arena_strndup(&st->notes, text, strlen(text));
}

static bool paid_entry_counts(enum ledger_entry e)
{
    return e == LE_LINE || e == LE_TRUEUP || e == LE_UNCLOSED || e == LE_CLAWBACK ||
           e == LE_BASELINE;
}

/* Compare the recomputed lines `y` posted in payout periods inside [from, before) with what the
 * ledger says was paid about those periods. Differences become the open period's lines, or, for
 * an earlier plan year (old), notices: changes older than the plan year are listed, not paid. */
static int settle_range(struct settle *st, const struct settle_input *in, const struct payouts *y,
                        int32_t from, int32_t before, bool old, struct diag *d)
{
    const struct dataset *ds = in->ds;
    const struct ledger_paid *lp = in->paid;
    const struct period *P = in->period;
    struct keyer keyer = {0}, *kr = &keyer;
    kr->ds = ds;
    kr->lp = lp;
    size_t n_strs = lp->strs.n ? lp->strs.n : 1;
    kr->person_of = xcalloc(n_strs, sizeof *kr->person_of);
    kr->deal_of = xcalloc(n_strs, sizeof *kr->deal_of);
    kr->comp_of = xcalloc(n_strs, sizeof *kr->comp_of);
    kr->kind_of = xcalloc(n_strs, sizeof *kr->kind_of);
    kr->first_of = xcalloc(n_strs, sizeof *kr->first_of);
    kr->last_of = xcalloc(n_strs, sizeof *kr->last_of);
    kr->names = (struct intern)INTERN_INIT;
    /* deal id (interner) -> its row in the deal table, ID_NONE when it has none */
    uint32_t n_ids = ds->deal_ids.n;
    uint32_t *row_of = xmalloc((n_ids ? n_ids : 1) * sizeof *row_of);
    for (uint32_t i = 0; i < n_ids; i++)
        row_of[i] = ID_NONE;
    for (uint32_t row = 0; row < ds->deals.n; row++)
        if (ds->deals.id[row] < n_ids)
            row_of[ds->deals.id[row]] = row;

    /* Both sides' keys in one array, sorted, then swept. */
    size_t n = 0, cap = y->n_lines + lp->n_lines + 1;
    struct key_ent *k = xcalloc(cap, sizeof *k);
    for (size_t i = 0; i < y->n_lines; i++) {
        const struct payout_line *l = &y->lines[i];
        if (l->post_day < from || l->post_day >= before)
            continue;
        struct period Q;
        settle_payout_period(l->plan, P, l->post_day, &Q);
        if (Q.last_day >= before)
            continue; /* the period's own run pays it, or it is not payable yet */
        const struct ledger_period *c = ledger_closed_on(lp, Q.last_day);
        struct key_ent *e = &k[n++];
        e->baseline = c && c->baseline;
        e->key = line_key(kr, l, &Q, e->baseline);
        e->recomputed = l->amount;
        e->has_recomputed = true;
        e->l = l;
    }
    /* Paid per (person, component, deal) for clawbacks: deal and collection lines and true-ups
     * about them. */
    struct deal_paid *dp = xcalloc(lp->n_lines + 1, sizeof *dp);
    size_t n_dp = 0;
    for (size_t i = 0; i < lp->n_lines; i++) {
        const struct ledger_line *x = &lp->lines[i];
        if (!paid_entry_counts(x->entry))
            continue;
        struct skey key = paid_key(kr, i);
        if (key.deal != KEY_NONE && (key.kind == LINE_DEAL || key.kind == LINE_COLLECTION))
            dp[n_dp++] = (struct deal_paid){{key.person, key.comp, 0, key.deal, 0, 0}, x->amount};
        if (!key.about || key.about < from || key.about >= before)
            continue; /* another plan year, or about the open period (a reopened close) */
        struct key_ent *e = &k[n++];
        e->baseline = x->entry == LE_BASELINE;
        e->key = key;
        e->paid = x->amount;
        e->has_paid = true;
        e->p = x;
    }
    qsort(dp, n_dp, sizeof *dp, deal_paid_cmp);
    size_t m = 0; /* merge equal keys */
    for (size_t i = 0; i < n_dp; i++) {
        if (m && !deal_paid_cmp(&dp[m - 1], &dp[i]))
            dp[m - 1].paid += dp[i].paid;
        else
            dp[m++] = dp[i];
    }
    n_dp = m;

    qsort(k, n, sizeof *k, key_cmp);
    int rc = 0;
    char note[PAYOUT_NOTE_MAX], a[48], b[48];
    int cd = in->digits;
    for (size_t i = 0; i < n;) {
        struct key_ent sum = k[i];
        size_t j = i + 1;
        for (; j < n && !skey_cmp(&k[j].key, &k[i].key); j++) {
            sum.recomputed += k[j].recomputed;
            sum.paid += k[j].paid;
            sum.has_recomputed |= k[j].has_recomputed;
            sum.has_paid |= k[j].has_paid;
            if (!sum.l)
                sum.l = k[j].l;
            if (!sum.p)
                sum.p = k[j].p;
        }
        i = j;
        const struct payout_line *l = sum.l;
        bool clawback = sum.key.kind == LINE_CLAWBACK;
        int64_t now = sum.recomputed;
        if (clawback) {
            if (sum.has_paid || !l)
                continue; /* a clawback posted is final */
            /* a cancellation dated in an earlier payout period that no close posted: give
             * back what was paid for the deal, when it was paid */
            struct deal_paid q = {{sum.key.person, sum.key.comp, 0, sum.key.deal, 0, 0}, 0};
            const struct deal_paid *f = bsearch(&q, dp, n_dp, sizeof *dp, deal_paid_cmp);
            if (f)
                now = -f->paid;
        }
        int64_t diff;
        struct period about; /* the payout period the key is about */
        if (l)
            settle_payout_period(l->plan, P, l->post_day, &about);
        else if (period_parse(sum.p->about, &about))
            BUG("settle: a posted line's period no longer parses");
        if (__builtin_sub_overflow(now, sum.paid, &diff)) {
            diag_error(d, NULL, 0, "ledger: an amount about %s does not fit", about.name);
            rc = -1;
            break;
        }
        if (!diff)
            continue;
        const char *person_s = l ? intern_str(&ds->people_ids, l->person) : sum.p->person;
        uint32_t person = l ? l->person : intern_find(&ds->people_ids, person_s, strlen(person_s));
        if (person == ID_NONE || person >= ds->people.n) {
            money_format_grouped(a, sizeof a, diff, cd);
            diag_warn(d, NULL, 0,
                      "ledger: %s was paid for person '%s' in %s, who is no longer in the people "
                      "file: nothing is posted",
                      a, person_s, about.name);
            continue;
        }
        const struct plan *plan = l ? l->plan : NULL;
        if (!plan) {
            /* a key only the ledger has: the person's line is gone from the recomputation */
            const char *pid = ds->people.plan[person];
            plan = pid ? plan_find(in->plans, pid) : NULL;
            if (!plan) {
                money_format_grouped(a, sizeof a, -sum.paid, cd);
                diag_warn(d, NULL, 0,
                          "ledger: '%s' has no plan now; %s paid in %s would be taken back: "
                          "nothing is posted",
                          person_s, a, about.name);
                continue;
            }
        }
        struct payout_extra x = {.person = person,
                                 .plan = plan,
                                 .component = l ? l->component : NULL,
                                 .deal = l ? l->deal : ID_NONE,
                                 .post_day = P->last_day,
                                 .about_day = about.last_day,
                                 .amount = diff};
        if (l) {
            x.attain = l->attain;
            x.about_kind = l->kind;
        } else {
            if (period_parse(sum.p->attain, &x.attain))
                x.attain = about;
            x.about_kind = LINE_DEAL;
            for (int kk = 0; kk < LINE_TRUEUP; kk++)
                if (!strcmp(line_kind_name((enum line_kind)kk), sum.p->kind))
                    x.about_kind = (enum line_kind)kk;
            if (sum.p->component[0]) {
                const struct plan_version *v = plan_version_on(plan, about.last_day);
                x.component = plan_component(v, sum.p->component);
            }
            if (sum.key.deal != KEY_NONE && !(sum.key.deal & KEY_LOCAL))
                x.deal = row_of[sum.key.deal];
        }
        const char *what = sum.baseline ? "all lines"
                           : (l ? l->deal : x.deal) != ID_NONE
                               ? NULL
                               : (x.component ? x.component->id : "payee cap");
        char subject[80];
        if (what)
            put_text(subject, sizeof subject, "%s", what);
        else
            put_text(subject, sizeof subject, "deal %s", l ? deal_name(ds, l->deal) : sum.p->deal);
        money_format_grouped(a, sizeof a, sum.paid, cd);
        money_format_grouped(b, sizeof b, now, cd);
        if (old) {
            char msg[400];
            put_text(msg, sizeof msg,
                     "%s: %s, %s (closed, plan year %d): paid %s, now %s — a change older than "
                     "the plan year, not paid",
                     person_s, subject, about.name, about.year, a, b);
            settle_notice(st, msg);
            continue;
        }
        if (clawback) {
            x.kind = LINE_LATE_CLAWBACK;
            put_text(note, sizeof note, "%s cancelled in %s: gives back what was paid (%s)",
                     subject, about.name, b);
        } else if (!sum.has_paid && !ledger_closed_on(lp, about.last_day)) {
            x.kind = LINE_UNCLOSED;
            put_text(note, sizeof note, "%s, %s: no close has paid it (%s)", subject, about.name,
                     b);
        } else {
            x.kind = LINE_TRUEUP;
            put_text(note, sizeof note, "true-up of %s, %s: paid %s, now %s", subject, about.name,
                     a, b);
        }
        add_extra(st, &x, note);
    }

    /* Clawback fixes: every deal cancelled in the period whose lines were paid. */
    if (rc == 0 && !old)
        for (size_t i = 0; i < n_dp; i++) {
            uint32_t deal_id = dp[i].key.deal, person = dp[i].key.person;
            if ((deal_id & KEY_LOCAL) || (person & KEY_LOCAL) || person >= ds->people.n)
                continue; /* a deal or person the inputs no longer have */
            const char *comp = intern_str(&kr->names, dp[i].key.comp) + 1;
            const char *pid = ds->people.plan[person];
            const struct plan *plan = pid ? plan_find(in->plans, pid) : NULL;
            if (!plan)
                continue;
            /* the deal's row, when it was cancelled in the period */
            uint32_t row = deal_id < n_ids ? row_of[deal_id] : ID_NONE;
            if (row != ID_NONE) {
                int32_t cday = ds->deals.cancel_day[row];
                if (cday == DAY_NONE || !period_has_day(P, cday))
                    continue;
                /* every version's component of that id: the clawback line names the version
                 * the deal's line was paid under */
                for (size_t v = 0; v < plan->n_versions; v++) {
                    const struct component *c = plan_component(&plan->versions[v], comp);
                    if (!c)
                        continue;
                    VEC_GROW(st->fixes, st->cap_fixes, st->n_fixes + 1);
                    st->fixes[st->n_fixes++] = (struct payout_clawback_fix){
                        .deal = row, .person = person, .component = c, .amount = -dp[i].paid};
                }
            }
        }
    if (st->n_fixes)
        qsort(st->fixes, st->n_fixes, sizeof *st->fixes, payout_fix_cmp);
    free(k);
    free(dp);
    free(row_of);
    intern_release(&kr->names);
    free(kr->person_of);
    free(kr->deal_of);
    free(kr->comp_of);
    free(kr->kind_of);
    free(kr->first_of);
    free(kr->last_of);
    return rc;
}

int settle_plan(struct settle *st, const struct settle_input *in, struct diag *d)
{
    memset(st, 0, sizeof *st);
    const struct dataset *ds = in->ds;
    const struct ledger_paid *lp = in->paid;
    st->balance_in = xcalloc(ds->people.n ? ds->people.n : 1, sizeof *st->balance_in);
    st->draw_in = xcalloc(ds->people.n ? ds->people.n : 1, sizeof *st->draw_in);
    for (size_t i = 0; i < lp->n_balances; i++) {
        const char *who = lp->balances[i].person;
        uint32_t id = intern_find(&ds->people_ids, who, strlen(who));
        if (id != ID_NONE && id < ds->people.n) {
            st->balance_in[id] = lp->balances[i].balance;
            st->draw_in[id] = lp->balances[i].draw;
        }
    }
    int rc = settle_range(st, in, in->ytd, in->year->first_day, in->period->first_day, false, d);
    if (rc == 0 && in->prev)
        rc = settle_range(st, in, in->prev, in->prev_year->first_day, in->prev_year->last_day + 1,
                          true, d);
    return rc;
}

int settle_manual(struct settle *st, const struct dataset *ds, const struct plan_set *plans,
                  const struct ledger_paid *paid, const struct period *period, int digits,
                  struct diag *d)
{
    const struct adjustment_table *t = &ds->adjustments;
    int rc = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct period *q = &t->period[i];
        /* Without a ledger: paid by the run whose window holds the adjustment period's last day.
         * With it: once, by the first open period at or after it. */
        if (paid ? q->last_day > period->last_day : !period_has_day(period, q->last_day))
            continue;
        const struct ledger_paid_adjustment *done = NULL;
        for (size_t k = 0; paid && k < paid->n_adjustments && !done; k++)
            if (strcmp(paid->adjustments[k].id, t->id[i]) == 0)
                done = &paid->adjustments[k];
        if (done) {
            int64_t was = done->amount;
            if (was != t->amount[i]) {
                char a[48], b[48], msg[300];
                money_format_grouped(a, sizeof a, was, digits);
                money_format_grouped(b, sizeof b, t->amount[i], digits);
                put_text(msg, sizeof msg,
                         "adjustment %s (%s line %llu) was paid %s; the file now says %s: it is "
                         "not paid again (add a new adjustment for a difference)",
                         t->id[i], ds->files[INPUT_ADJUSTMENTS].display,
                         (unsigned long long)t->line[i], a, b);
                settle_notice(st, msg);
            }
            continue;
        }
        uint32_t who = t->person[i];
        const char *pid = ds->people.plan[who];
        const struct plan *plan = pid ? plan_find(plans, pid) : NULL;
        if (!plan) {
            diag_error(d, ds->files[INPUT_ADJUSTMENTS].display, t->line[i],
                       "adjustment '%s': person '%s' has no plan, so no payroll row can pay it",
                       t->id[i], intern_str(&ds->people_ids, who));
            rc = -1;
            continue;
        }
        char a[48], note[PAYOUT_NOTE_MAX];
        money_format_grouped(a, sizeof a, t->amount[i], digits);
        put_text(note, sizeof note, "%s (approved by %s; adjustment %s%s%s)", t->reason[i],
                 t->approved_by[i], t->id[i], q->last_day < period->first_day ? ", for " : "",
                 q->last_day < period->first_day ? q->name : "");
        struct payout_extra x = {.person = who,
                                 .plan = plan,
                                 .kind = LINE_MANUAL,
                                 .deal = ID_NONE,
                                 .post_day = period->last_day < q->last_day ? period->last_day
                                                                            : q->last_day,
                                 .attain = *q,
                                 .about_day = q->last_day,
                                 .about_kind = LINE_MANUAL,
                                 .amount = t->amount[i],
                                 .ref = (uint32_t)i};
        if (paid)
            x.post_day = period->last_day;
        add_extra(st, &x, note);
    }
    return rc;
}

void settle_release(struct settle *st)
{
    if (!st)
        return;
    free(st->extras);
    free(st->fixes);
    free(st->notices);
    free(st->balance_in);
    free(st->draw_in);
    arena_release(&st->notes);
    memset(st, 0, sizeof *st);
}

/* ---- what the ledger stores for the run ---------------------------------------------------- */

static enum ledger_entry entry_of(const struct payout_line *l)
{
    switch (l->kind) {
    case LINE_TRUEUP:
        return LE_TRUEUP;
    case LINE_UNCLOSED:
        return LE_UNCLOSED;
    case LINE_LATE_CLAWBACK:
        return LE_CLAWBACK;
    case LINE_MANUAL:
        return LE_MANUAL;
    default:
        return LE_LINE;
    }
}

static bool ledger_kind(enum line_kind k)
{
    return k == LINE_TRUEUP || k == LINE_UNCLOSED || k == LINE_LATE_CLAWBACK || k == LINE_MANUAL;
}

void settle_record_build(struct settle_record *rec, const struct payouts *pay,
                         const struct dataset *ds, const char *reporting_currency, int base_digits,
                         settle_calc_fn *calc, void *calc_ctx)
{
    char text[1024];
    memset(rec, 0, sizeof *rec);
    struct fx_rates rates;
    fx_rates_init(&rates, &ds->fx);
    int digits = base_digits;
    size_t n_lines = 0;
    for (size_t i = 0; i < pay->n_rows; i++)
        n_lines += pay->rows[i].n_lines + 3; /* and its draw entries */
    rec->lines = xcalloc(n_lines + 1, sizeof *rec->lines);
    rec->rows = xcalloc(pay->n_rows + 1, sizeof *rec->rows);
    for (size_t i = 0; i < pay->n_rows; i++) {
        const struct payout_row *row = &pay->rows[i];
        const char *person = intern_str(&ds->people_ids, row->person);
        const char *pp = pay->periods[row->pp - 1].name;
        const char *cur = ds->people.currency[row->person].code;
        if (!cur[0])
            cur = reporting_currency;
        int64_t adj = 0;
        char *rate = arena_alloc(&rec->arena, 40, 1);
        struct decimal r = {1, 0};
        bool foreign = row->rate_day != DAY_NONE && fx_rate_on(&rates, cur, row->rate_day, &r) == 0;
        if (foreign)
            decimal_format(rate, 40, r); /* the rate the row's pay was converted at */
        else
            put_text(rate, 40, "1");
        for (size_t j = row->line0; j < row->line0 + row->n_lines; j++) {
            const struct payout_line *l = &pay->lines[pay->line_index[j]];
            struct ledger_line *x = &rec->lines[rec->n_lines++];
            x->entry = entry_of(l);
            x->person = person;
            x->payout_period = pp;
            x->component = l->component ? l->component->id : "";
            bool lk = ledger_kind(l->kind);
            x->kind = line_kind_name(lk ? l->about_kind : l->kind);
            if (l->kind == LINE_CLAWBACK)
                x->entry = LE_LINE;
            x->deal = deal_name(ds, l->deal);
            x->attain = l->attain.name;
            if (lk && l->about_day) {
                struct period Q;
                settle_payout_period(l->plan, &pay->periods[row->pp - 1], l->about_day, &Q);
                x->about = arena_strndup(&rec->arena, Q.name, strlen(Q.name));
            } else {
                x->about = pp;
            }
            x->amount = l->amount;
            if (lk)
                adj += l->amount;
            x->pay_currency = cur;
            /* each line converted on its own at the row's rate (the row's pay is converted once
             * from its payable, so lines may differ from it by their roundings) */
            x->pay_amount = l->amount;
            if (foreign && fx_from_base(l->amount, cur, r, base_digits, &x->pay_amount))
                x->pay_amount = 0;
            x->fx_rate = rate;
            x->note = l->note;
            x->calc = "";
            if (calc) {
                calc(calc_ctx, l, text, sizeof text);
                x->calc = arena_strndup(&rec->arena, text, strlen(text));
            }
            x->ref = l->kind == LINE_MANUAL && (size_t)l->credit < ds->adjustments.n
                         ? ds->adjustments.id[(size_t)l->credit]
                         : "";
        }
        /* The draw as ledger entries: paid up to the guarantee (+), recovered toward the draw
         * balance (−), and a balance forgiven (what was given up; it pays nothing). None of
         * them is earned: settle_plan never compares them (paid_entry_counts). */
        const struct {
            enum ledger_entry entry;
            int64_t amount;
        } draws[] = {{LE_DRAW, row->draw_paid},
                     {LE_DRAW_BACK, -row->draw_recovered},
                     {LE_FORGIVEN, row->draw_forgiven}};
        for (size_t j = 0; j < ARRAY_LEN(draws); j++) {
            if (!draws[j].amount)
                continue;
            char a[48], b[48], c[48];
            money_format_grouped(a, sizeof a, row->draw, digits);
            money_format_grouped(b, sizeof b, row->draw_in, digits);
            money_format_grouped(c, sizeof c, row->draw_out, digits);
            char *note = arena_alloc(&rec->arena, PAYOUT_NOTE_MAX, 1);
            if (draws[j].entry == LE_DRAW)
                put_text(note, PAYOUT_NOTE_MAX, "draw of %s: paid up to it; balance %s -> %s", a, b,
                         c);
            else if (draws[j].entry == LE_DRAW_BACK)
                put_text(note, PAYOUT_NOTE_MAX, "draw recovered; balance %s -> %s", b, c);
            else
                put_text(note, PAYOUT_NOTE_MAX,
                         "draw balance still owed forgiven (its recovery window ended, or a leaver "
                         "under "
                         "forgive_on_leave); it pays nothing");
            struct ledger_line *x = &rec->lines[rec->n_lines++];
            *x = (struct ledger_line){.entry = draws[j].entry,
                                      .person = person,
                                      .payout_period = pp,
                                      .component = "",
                                      .kind = "draw",
                                      .deal = "",
                                      .attain = "",
                                      .about = pp,
                                      .amount = draws[j].amount,
                                      .pay_amount = draws[j].amount,
                                      .pay_currency = cur,
                                      .fx_rate = rate,
                                      .note = note,
                                      .ref = ""};
            if (foreign && fx_from_base(draws[j].amount, cur, r, base_digits, &x->pay_amount))
                x->pay_amount = 0;
            if (draws[j].entry != LE_FORGIVEN)
                adj += draws[j].amount;
        }
        struct ledger_row *w = &rec->rows[rec->n_rows++];
        w->person = person;
        w->payout_period = pp;
        w->earned = row->earned - (adj - row->draw_paid + row->draw_recovered);
        w->adjustments = adj;
        w->draw_in = row->draw_in;
        w->draw_out = row->draw_out;
        w->balance_in = row->balance_in;
        w->recovered = row->recovered;
        w->balance_out = row->balance_out;
        w->forgiven = row->forgiven;
        w->payable = row->payable;
        w->pay = row->pay;
        w->pay_currency = cur;
        w->fx_rate = rate;
    }
    fx_rates_release(&rates);
}

void settle_record_release(struct settle_record *rec)
{
    if (!rec)
        return;
    free(rec->lines);
    free(rec->rows);
    arena_release(&rec->arena);
    memset(rec, 0, sizeof *rec);
}
