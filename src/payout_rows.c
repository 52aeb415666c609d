/* payout_rows.c — kept lines in order, a row per person and payout period, pay in their currency.
 */
#include "payout_internal.h"

#include <stdlib.h>
#include <string.h>

#include "fx.h"
#include "money.h"
#include "util.h"

/* Move the lines of the current person posted inside `win` into p->lines; pp_sum (may be NULL)
 * adds each kept line's amount to its payout period in e->pps. */
void keep_lines(struct engine *e, const struct period *win, int64_t *pp_sum)
{
    struct payouts *p = e->p;
    const uint64_t *file_line = e->ds->people.line;
    for (size_t i = 0; i < e->n_tmp; i++) {
        const struct payout_line *t = &e->tmp[i];
        if (!period_has_day(win, t->post_day))
            continue;
        if (p->n_lines && file_line[t->person] < e->last_kept)
            e->unsorted = true;
        e->last_kept = file_line[t->person];
        if (pp_sum) {
            uint32_t q = pp_of(e->pps, e->n_pps, t->post_day);
            if (q < e->n_pps)
                pp_sum[q] += t->amount;
        }
        if (e->in->earned_only && !e->in->keep_lines && p->n_lines) {
            /* The year to date is read only as sums per person, component and day (statements'
             * "Earned in <year> to date"): a line of the same person, component, kind and day as
             * the line kept just before adds to it instead of taking another line's room. */
            struct payout_line *prev = &p->lines[p->n_lines - 1];
            if (prev->person == t->person && prev->component == t->component &&
                prev->kind == t->kind && prev->post_day == t->post_day) {
                prev->amount += t->amount;
                prev->rounded += t->rounded;
                prev->capped += t->capped;
                p->person_total[t->person] += t->amount;
                p->total += t->amount;
                continue;
            }
        }
        size_t first = p->n_slices;
        if (t->n_slices && !e->in->earned_only) {
            VEC_GROW(p->slices, p->cap_slices, p->n_slices + t->n_slices);
            memcpy(p->slices + first, e->tslices + t->slice0, t->n_slices * sizeof *p->slices);
            p->n_slices += t->n_slices;
        }
        VEC_GROW(p->lines, p->cap_lines, p->n_lines + 1);
        /* the person's lines as sort_lines finds them when they need no sorting */
        if (!p->person_nlines[t->person]++)
            p->person_line0[t->person] = p->n_lines;
        struct payout_line *l = &p->lines[p->n_lines++];
        memcpy(l, t, sizeof *l);
        l->slice0 = first;
        if (e->in->earned_only)
            l->n_slices = 0;
        p->person_total[l->person] += l->amount;
        p->total += l->amount;
    }
    e->n_tmp = 0;
    e->n_tslices = 0;
}

/* Lines by person in people-file order (pools were computed after everyone else), stable.
 * `people` lists everyone who can have lines, in people-file order. */
void sort_lines(struct payouts *p, const struct person_table *pt, const uint32_t *people,
                uint32_t n_people, bool sorted)
{
    size_t n = p->n_lines;
    /* A stable counting sort by the person's line (the rank of it among `people`, which are in
     * line order), moved in place along the permutation's cycles: no second copy of the lines. */
    uint32_t *rank = sorted ? NULL : xcalloc(pt->n ? pt->n : 1, sizeof *rank);
    for (uint32_t i = 0; rank && i < pt->n; i++)
        rank[i] = UINT32_MAX;
    uint32_t n_ranks = 0; /* people sharing a line share a rank: stable by line, as before */
    for (uint32_t j = 0; rank && j < n_people; j++) {
        if (j > 0 && pt->line[people[j - 1]] != pt->line[people[j]])
            n_ranks++;
        rank[people[j]] = n_ranks;
    }
    if (rank) {
        size_t *start = xcalloc((size_t)n_people + 1, sizeof *start); /* n_ranks <= n_people */
        for (size_t i = 0; i < n; i++) {
            uint32_t r = rank[p->lines[i].person];
            if (r == UINT32_MAX)
                BUG("a payout line of someone not in the people file");
            start[r + 1]++;
        }
        for (uint32_t j = 0; j < n_ranks; j++)
            start[j + 1] += start[j];
        size_t *dest = xcalloc(n ? n : 1, sizeof *dest);
        for (size_t i = 0; i < n; i++)
            dest[i] = start[rank[p->lines[i].person]]++;
        for (size_t i = 0; i < n; i++) {
            if (dest[i] == i)
                continue;
            struct payout_line carried = p->lines[i];
            size_t to = dest[i];
            while (to != i) {
                struct payout_line next = p->lines[to];
                p->lines[to] = carried;
                carried = next;
                size_t after = dest[to];
                dest[to] = to;
                to = after;
            }
            p->lines[i] = carried;
            dest[i] = i;
        }
        free(dest);
        free(start);
        free(rank);
        /* keep_lines counted them in the order kept */
        memset(p->person_nlines, 0, pt->n * sizeof *p->person_nlines);
        for (size_t i = n; i-- > 0;) {
            p->person_line0[p->lines[i].person] = i;
            p->person_nlines[p->lines[i].person]++;
        }
    }
}

/* Each row's payable amount in the person's own currency: divided by the rate in force on the
 * payout period's last day (or as-of, whichever is earlier; as-of under payment_fx_date =
 * as_of), rounded once. */
int pay_currencies(struct engine *e)
{
    const struct dataset *ds = e->ds;
    const struct person_table *pt = &ds->people;
    struct payouts *p = e->p;
    const char *base = e->in->s->currency;
    int rc = 0;
    struct fx_rates rates;
    fx_rates_init(&rates, &ds->fx);
    uint32_t failed = ID_NONE;
    for (size_t i = 0; i < p->n_rows; i++) {
        struct payout_row *row = &p->rows[i];
        uint32_t who = row->person;
        const char *cur = pt->currency[who].code;
        row->pay = row->payable;
        row->rate_day = DAY_NONE;
        if (!cur[0] || strcmp(cur, base) == 0)
            continue;
        p->any_foreign_payee = true;
        int32_t end = p->periods[row->pp - 1].last_day;
        row->rate_day = e->in->s->payment_fx_as_of || e->in->as_of < end ? e->in->as_of : end;
        struct decimal rate;
        char day[16];
        date_format_day(day, sizeof day, row->rate_day);
        if (fx_rate_on(&rates, cur, row->rate_day, &rate) || rate.units <= 0) {
            if (failed != who) /* once per person: their earliest day without a rate */
                diag_error(e->d, ds->files[INPUT_PEOPLE].display, pt->line[who],
                           "no FX rate for %s on or before %s to pay person '%s' in %s", cur, day,
                           intern_str(&ds->people_ids, who), cur);
            failed = who;
            rc = PAYOUT_EFX;
            continue;
        }
        if (fx_from_base(row->payable, cur, rate, e->in->s->currency_digits, &row->pay)) {
            diag_error(e->d, ds->files[INPUT_PEOPLE].display, pt->line[who],
                       "pay of person '%s' in %s does not fit", intern_str(&ds->people_ids, who),
                       cur);
            rc = PAYOUT_EOVERFLOW;
        }
    }
    fx_rates_release(&rates);
    return rc;
}

/* Payout periods in the order they end; a month before the quarter it ends with. */
static int period_cmp(const void *a, const void *b)
{
    const struct period *x = a, *y = b;
    if (x->last_day != y->last_day)
        return x->last_day < y->last_day ? -1 : 1;
    return x->kind < y->kind ? -1 : x->kind > y->kind;
}

/* An own-revenue share of a stated amount for payout period P: stated × P / quota period ×
 * active days / days of P (DESIGN §5: quota and target prorated, never rates). */
static struct rat period_amount(const struct engine *e, uint32_t who, int64_t stated,
                                const struct plan_version *v, const struct period *P)
{
    const struct person_table *pt = &e->ds->people;
    if (stated == QUOTA_NONE)
        return rat_int64(0);
    int32_t active =
        incent_active_days(pt->start_day[who], pt->end_day[who], P->first_day, P->last_day);
    struct rat f =
        rat_mul(incent_period_share(v->quota_period, P->kind), rat_frac(active, period_days(P)));
    return rat_mul(rat_int64(stated), f);
}

/* Is the person a rep for team roll-ups: a component measures their own revenue against quota? */
static bool own_revenue_quota(const struct plan_version *v)
{
    for (size_t c = 0; c < v->n_components; c++) {
        const struct component *comp = &v->components[c];
        if (comp->measure == MEASURE_OWN_REVENUE &&
            (comp->type == COMP_COMMISSION || comp->type == COMP_OVERRIDE ||
             (comp->type == COMP_BONUS && comp->goal_is_quota)) &&
            uses_quota(comp))
            return true;
    }
    return false;
}

/* With the ledger: the person's negative balance carried in is recovered from their rows in
 * order, recover_share of each row's positive earnings (rounded half away from zero once); a row
 * netting below zero pays 0.00 and adds its shortfall to the balance; a leaver's balance left
 * after their last row is forgiven when the plan says forgive_on_leave. */
static void recover_balance(struct engine *e, uint32_t who, const struct plan *plan)
{
    struct payouts *p = e->p;
    const struct person_table *pt = &e->ds->people;
    int64_t bal = e->in->balance_in[who];
    size_t r0 = p->person_row0[who], n = p->person_nrows[who];
    for (size_t i = r0; i < r0 + n; i++) {
        struct payout_row *row = &p->rows[i];
        const struct period *P = &p->periods[row->pp];
        const struct plan_version *v = plan_version_on(plan, P->last_day);
        row->balance_in = bal;
        int64_t share = 0;
        if (row->earned > 0 && money_mul_decimal(row->earned, v->recover_share, &share))
            share = row->earned; /* cannot overflow for a share <= 1; kept safe */
        row->recovered = bal < share ? bal : share;
        row->payable = row->earned - row->recovered > 0 ? row->earned - row->recovered : 0;
        bal = bal - row->recovered + (row->earned < 0 ? -row->earned : 0);
        bool last = i + 1 == r0 + n;
        if (last && bal > 0 && v->forgive_on_leave && pt->end_day[who] != DAY_NONE &&
            pt->end_day[who] <= P->last_day) {
            row->forgiven = bal;
            bal = 0;
        }
        row->balance_out = bal;
    }
}

int payout_draw_step(int64_t payable, int64_t balance, const struct payout_draw_terms *t,
                     struct payout_draw_step *out)
{
    memset(out, 0, sizeof *out);
    out->payable = payable;
    out->balance = balance;
    int64_t above = payable; /* what recovery takes a share of */
    if (t->applies && t->amount > 0) {
        if (payable < t->amount) {
            out->paid = t->amount - payable;
            out->payable = t->amount;
            if (t->recoverable && __builtin_add_overflow(out->balance, out->paid, &out->balance))
                return -1;
            above = 0;
        } else {
            above = payable - t->amount;
        }
    }
    if (t->recover && out->balance > 0 && above > 0) {
        int64_t take;
        if (money_mul_decimal(above, t->share, &take))
            return -1;
        if (take > out->balance)
            take = out->balance;
        if (t->cap >= 0 && take > t->cap)
            take = t->cap;
        out->recovered = take;
        out->payable -= take;
        out->balance -= take;
    }
    if (t->forgive && out->balance > 0) {
        out->forgiven = out->balance;
        out->balance = 0;
    }
    return 0;
}

/* Each row's draw (plan.h), in the person's row order, after the negative balance's recovery:
 * the draw balance carried in comes from the ledger (payout_input.draw_in), else starts at 0.
 * The guarantee applies to a row of a payout period the person was active in, ending on or
 * before draw_until; a period ending after draw_recovery_until recovers nothing and forgives
 * what is still owed; forgive_on_leave forgives a leaver's balance after their last row. */
static void apply_draws(struct engine *e, uint32_t who, const struct plan *plan)
{
    struct payouts *p = e->p;
    const struct person_table *pt = &e->ds->people;
    int64_t bal = e->in->draw_in ? e->in->draw_in[who] : 0;
    size_t r0 = p->person_row0[who], n = p->person_nrows[who];
    for (size_t i = r0; i < r0 + n; i++) {
        struct payout_row *row = &p->rows[i];
        const struct period *P = &p->periods[row->pp];
        const struct plan_version *v = plan_version_on(plan, P->last_day);
        int64_t amount = pt->draw[who] != QUOTA_NONE ? pt->draw[who] : v->draw;
        bool active =
            incent_active_days(pt->start_day[who], pt->end_day[who], P->first_day, P->last_day) > 0;
        struct payout_draw_terms t = {
            .amount = amount,
            .applies =
                amount > 0 && active && (v->draw_until == DAY_NONE || P->last_day <= v->draw_until),
            .recoverable = v->draw_recoverable,
            .recover = v->draw_recovery_until == DAY_NONE || P->last_day <= v->draw_recovery_until,
            .share = v->draw_recovery_share,
            .cap = v->draw_recovery_cap,
        };
        bool last = i + 1 == r0 + n;
        t.forgive = !t.recover || (last && v->forgive_on_leave && pt->end_day[who] != DAY_NONE &&
                                   pt->end_day[who] <= P->last_day);
        row->draw_in = bal;
        struct payout_draw_step s;
        if (payout_draw_step(row->payable, bal, &t, &s))
            BUG("a draw that does not fit in 64 bits"); /* amounts are at most a payout's */
        row->draw = t.applies ? amount : 0;
        row->draw_paid = s.paid;
        row->draw_recovered = s.recovered;
        row->draw_forgiven = s.forgiven;
        row->payable = s.payable;
        row->draw_out = bal = s.balance;
    }
}

/* Payroll rows: one per person on a plan paying in this run and each of their payout periods in
 * which they were active or have lines, with the lines, measures and own revenue of each. */
void build_rows(struct engine *e)
{
    const struct dataset *ds = e->ds;
    const struct person_table *pt = &ds->people;
    const struct deal_table *dl = &ds->deals;
    struct payouts *p = e->p;
    size_t cap_rows = 0, cap_measures = 0;
    size_t cap_periods = 0;
    uint8_t *lq = NULL; /* per line of the person: the index of its payout period in pps */
    size_t cap_lq = 0;
    p->line_index = xcalloc(p->n_lines ? p->n_lines : 1, sizeof *p->line_index);
    size_t n_index = 0;
    for (uint32_t j = 0; j < e->n_people; j++) {
        uint32_t who = e->people[j];
        const struct plan *plan = e->plan_of[who];
        struct period pps[12];
        uint32_t n = plan ? payout_periods(plan, &e->in->window, pps) : 0;
        p->person_row0[who] = p->n_rows;
        size_t l0 = p->person_line0[who], l1 = l0 + p->person_nlines[who];
        /* each line's payout period, found in one pass over the (wide) lines */
        VEC_GROW(lq, cap_lq, l1 - l0 + 1);
        for (size_t i = l0; i < l1; i++)
            lq[i - l0] = (uint8_t)pp_of(pps, n, p->lines[i].post_day);
        for (uint32_t q = 0; q < n; q++) {
            const struct period *P = &pps[q];
            struct payout_row row = {
                .person = who, .line0 = n_index, .quota = rat_int64(0), .target = rat_int64(0)};
            for (size_t i = l0; i < l1; i++)
                if (lq[i - l0] == q) {
                    p->line_index[n_index++] = i;
                    p->lines[i].row = (uint32_t)p->n_rows;
                    row.earned += p->lines[i].amount;
                }
            row.n_lines = n_index - row.line0;
            if (!row.n_lines && (P->first_day > e->in->as_of ||
                                 incent_active_days(pt->start_day[who], pt->end_day[who],
                                                    P->first_day, P->last_day) == 0))
                continue; /* not employed in it (or it starts after as-of) and nothing posted */
            row.payable = row.earned > 0 ? row.earned : 0;
            row.to_recover = row.earned < 0 ? -row.earned : 0;
            p->to_recover += row.to_recover;
            /* own revenue of the period's deals, as person_revenue counts it */
            const uint32_t *pos = e->pl_pos + e->pl_first[who];
            for (uint32_t i = 0; i < e->pl_n[who]; i++) {
                uint32_t k = e->order[pos[i]];
                if (!period_has_day(P, dl->close_day[k]) || !active_on(pt, who, dl->close_day[k]))
                    continue;
                for (uint32_t sp = e->sp_first[k]; sp < e->sp_first[k] + e->sp_n[k]; sp++)
                    if (e->sp_person[sp] == who) {
                        row.revenue += e->sp_cents[sp];
                        row.deals++;
                    }
            }
            const struct plan_version *v = plan_version_on(plan, P->last_day);
            row.target = period_amount(e, who, pt->target[who], v, P);
            if (own_revenue_quota(v))
                row.quota = period_amount(e, who, pt->quota[who], v, P);
            /* the payout period's number, fixed once every period is known */
            uint32_t k = 0;
            while (k < p->n_periods && period_cmp(&p->periods[k], P) != 0)
                k++;
            if (k == p->n_periods)
                VEC_PUSH(p->periods, p->n_periods, cap_periods, *P);
            row.pp = k;
            row.measure0 = p->n_measures;
            for (size_t m = e->meas0[who]; m < e->meas0[who] + e->n_pmeas[who]; m++)
                if (e->meas[m].row == q) {
                    struct payout_measure pm = e->meas[m];
                    pm.row = (uint32_t)p->n_rows;
                    VEC_PUSH(p->measures, p->n_measures, cap_measures, pm);
                }
            row.n_measures = p->n_measures - row.measure0;
            VEC_PUSH(p->rows, p->n_rows, cap_rows, row);
        }
        p->person_nrows[who] = (uint32_t)(p->n_rows - p->person_row0[who]);
        if (e->in->balance_in)
            recover_balance(e, who, plan);
        if (plan)
            apply_draws(e, who, plan);
    }
    free(lq);
    if (n_index != p->n_lines)
        BUG("a payout line posted outside its person's payout periods");
    /* Number the periods by date; rows keep their person's period order. */
    struct period *sorted = xcalloc(p->n_periods ? p->n_periods : 1, sizeof *sorted);
    if (p->n_periods) { /* no payout period (no one on a plan): periods is NULL */
        memcpy(sorted, p->periods, p->n_periods * sizeof *sorted);
        qsort(sorted, p->n_periods, sizeof *sorted, period_cmp);
    }
    for (size_t i = 0; i < p->n_rows; i++) {
        const struct period *P = &p->periods[p->rows[i].pp];
        uint32_t k = 0;
        while (period_cmp(&sorted[k], P) != 0)
            k++;
        p->rows[i].pp = k + 1;
    }
    free(p->periods);
    p->periods = sorted;
}

void payout_compact(struct payouts *p)
{
    if (p->n_rows)
        BUG("payout_compact: only earned-only payouts (no rows) can be compacted");
    size_t w = 0;
    for (size_t i = 0; i < p->n_lines; i++) {
        const struct payout_line *t = &p->lines[i];
        if (w) {
            struct payout_line *prev = &p->lines[w - 1];
            if (prev->person == t->person && prev->component == t->component &&
                prev->kind == t->kind && prev->post_day == t->post_day) {
                prev->amount += t->amount;
                prev->rounded += t->rounded;
                prev->capped += t->capped;
                p->person_nlines[t->person]--;
                continue;
            }
        }
        if (w == 0 || p->lines[w - 1].person != t->person)
            p->person_line0[t->person] = w;
        if (w != i)
            p->lines[w] = *t;
        w++;
    }
    p->n_lines = w;
    p->cap_lines = w ? w : 1;
    p->lines = xreallocarray(p->lines, p->cap_lines, sizeof *p->lines);
}
