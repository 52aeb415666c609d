/* datadriven.c — exact Markov removal effects and Shapley values over path-level journeys.
 *
 * Markov chain. A journey of m order-k states s1..sm with c conversions and n nulls adds c + n
 * to start -> s1 and to every s_i -> s_i+1, c to s_m -> conversion and n to s_m -> null; each
 * state's transition probabilities are its counts over its total outgoing count. Q is the
 * transient-to-transient part, r(s) the probability of s -> conversion, π the start row.
 *
 *   textbook (MARKOV_INFINITE): P = π·x with (I - Q) x = r. Every observed state lies on a
 *   journey that ends in conversion or null, so absorption is reachable from every state, the
 *   spectral radius of Q is below 1 and I - Q is a nonsingular M-matrix: the system has one
 *   solution, Gaussian elimination with partial pivoting is stable on it, and Gauss-Seidel
 *   converges on it (its rate is at most the spectral radius of Q).
 *
 *   finite horizon (MARKOV_OBSERVED): f_1 = π, f_t+1 = f_t Q, and P_N = Σ_{t=1..N} f_t·r is the
 *   probability of converting right after the t-th transient state for some t <= N. This is the
 *   exact form of ChannelAttribution's simulation (ChannelAttribution.cpp, markov_model_cpp and
 *   W_markov_model_1) with N = its max_npassi:
 *     - max_npassi = H + 1, H being the most states of any journey (order-k states, consecutive
 *       repeats collapsed): counting a journey's steps it adds one for each state and one for
 *       the step out of the last (to conversion or null), and a journey with neither conversions
 *       nor nulls gets one more still (its parser steps past the end marker twice). H counts
 *       the states of our chain: for k >= 2 on a journey with repeated touches they are fewer
 *       than ChannelAttribution's (it forms k-grams before collapsing; see datadriven.h);
 *     - a walk starts with npassi0 = 0, loops while npassi0 <= max_npassi, draws the next state
 *       and adds one to npassi0 for each transient one; so from its max_npassi-th state it still
 *       draws once, and converts if that draw is conversion. A walk converts after at most
 *       max_npassi = H + 1 states; one that reaches a transient state after that counts as not
 *       converting. (Its max_step option replaces max_npassi: markov_opts.max_states here.)
 *
 *   Removing channel c deletes every state whose tuple contains c; edges into them lead to null,
 *   which is the same as fixing x = 0 (or f = 0) on them. Then removal_effect = 1 - P_c / P.
 *   Equivalently P - P_c is the probability of converting through a state containing c, which is
 *   what ChannelAttribution estimates by counting simulated converting walks that visited c.
 *
 * Worked example (DESIGN §4, the ChannelAttribution whitepaper): journeys A>B>A>B>B>A, A>B>B>A>A
 * and A>A, one conversion each, no nulls. Collapsed: A>B>A>B>A, A>B>A, A. Counts: start->A 3,
 * A->B 2+1 = 3, B->A 2+1 = 3, A->conversion 3. So from A: B or conversion, 1/2 each; B -> A.
 *   textbook: x_A = 1/2 + 1/2 x_B, x_B = x_A, so x_A = 1 and P = 1. Without A nothing converts:
 *   removal effect 1. Without B, A -> B leads to null: P = 1/2, removal effect 1/2. Normalised
 *   2/3 and 1/3 of 3 conversions: A 2, B 1.
 *   finite horizon: the longest journey has H = 5 states (A B A B A), so N = H + 1 = 6. A
 *   converting walk visits A (B A)^j, 2j + 1 states, with probability (1/2)^(j+1); j = 0, 1, 2
 *   fit in 6 states: P_N = 1/2 + 1/4 + 1/8 = 7/8. Without B only A -> conversion: 1/2, so B's
 *   removal effect is 1 - (1/2)/(7/8) = 3/7; A's is 1. Normalised: A 1/(10/7) = 7/10 of 3 = 2.1,
 *   B 3/10 of 3 = 0.9. (No walk has 6 states, so N = 5 would give the same: this example cannot
 *   tell H from H + 1.)
 *
 * Worked example where H and H + 1 differ (tests/e2e/cases/attribute_horizon_even): A > B with
 * 1 conversion (value 10), B > A with 1 null. H = 2, an even number, so N = 3. Counts: start->A 1,
 * start->B 1, A->B 1, B->conversion 1, B->A 1, A->null 1: from start A or B, from A B or null,
 * from B conversion or A, 1/2 each. Converting walks end in B: B (1 state) 1/4, A B (2) 1/8,
 * B A B (3) 1/16, A B A B (4) 1/32, ...
 *   N = 3: P = 1/4 + 1/8 + 1/16 = 7/16. Without A: only B -> conversion, 1/4; effect
 *   1 - (1/4)/(7/16) = 3/7. Without B: nothing converts, effect 1. Shares 3/10 and 7/10:
 *   A 0.3 conversions and 3 of value, B 0.7 and 7.
 *   (N = H = 2 would give P = 3/8, A's effect 1/3, shares 1/4 and 3/4: A 0.25, B 0.75;
 *   textbook: P = 1/2, A's effect 1/2, shares 1/3 and 2/3.)
 * ChannelAttribution's own C++ (2.1.7, built outside this repository) simulates on the same
 * journeys A 0.300, B 0.700, A's removal effect 0.429, and reports max_npassi 3; with
 * max_step = 2, A 0.251.
 * Order 2 (tests/e2e/cases/attribute_horizon_order2): the horizon counts order-k states, not
 * channels: A > B (1 conversion), B > C > A > C (1 conversion), B > A > B > C (1 null) have at
 * most 3 states ((B,C)(C,A)(A,C) and (B,A)(A,B)(B,C)), so N = 4, where counting 4 channels
 * would give 5.
 *
 * Value. ChannelAttribution draws a converting walk's value from the values per conversion of the
 * journeys that ended in the walk's last state; the expectation of that is the same linear
 * system with r_v(s) = (value of journeys ending in s) / (outgoing count of s) in place of r.
 * value_removal_effect = 1 - E_c[value] / E[value] uses it; `value` itself is the conversion
 * removal effects normalised times the total value, as DESIGN §4 specifies.
 *
 * Shapley. With R(T) = conversions of journeys whose channel set is exactly T, the game
 * v(S) = Σ_{T ⊆ S} R(T) is Σ_T R(T)·u_T, u_T the unanimity game of T (1 if T ⊆ S, else 0). The
 * Shapley value is linear and gives 1/|T| of u_T to each member of T, so
 * φ_j = Σ_{T ∋ j} R(T)/|T|: each journey's conversions split equally over its distinct channels
 * (Zhao et al. 2018, eq. for the simplified Shapley value). The ordered value φ_j^i splits
 * R(journey)/|T| further over the positions i where j occurs, so Σ_i φ_j^i = φ_j.
 */
#include "datadriven.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MK_MAX_ORDER   4
#define MK_KEY_WORDS   (MK_MAX_ORDER + 1) /* tuple length, then up to 4 channel ids */
#define MK_DENSE_AUTO  256u               /* AUTO solves up to this many states densely */
#define MK_DENSE_MAX   4096u              /* DENSE refuses larger systems (128 MiB matrix) */
#define MK_GS_TOL      1e-14              /* Gauss-Seidel: remaining error relative to max |x| */
#define MK_GS_MAX_SWPS 1000000u

/* ---------------------------------------------------------------------------------------------
 * Journeys
 */

void dd_paths_init(struct dd_paths *p, uint32_t n_channels, const char **channel_names)
{
    memset(p, 0, sizeof *p);
    p->n_channels = n_channels;
    p->channel_names = channel_names;
    p->offsets = xcalloc(1, sizeof *p->offsets);
}

void dd_paths_add(struct dd_paths *p, const uint32_t *steps, size_t n, double conversions,
                  double value, double nulls)
{
    if (!isfinite(conversions) || conversions < 0 || !isfinite(nulls) || nulls < 0 ||
        !isfinite(value))
        BUG("dd_paths_add: conversions and nulls must be finite and >= 0, value finite");
    if (p->n_paths + 1 > p->cap_paths) {
        size_t cap = grow_capacity(p->cap_paths, p->n_paths + 1);
        p->offsets = xreallocarray(p->offsets, cap + 1, sizeof *p->offsets);
        p->conversions = xreallocarray(p->conversions, cap, sizeof *p->conversions);
        p->value = xreallocarray(p->value, cap, sizeof *p->value);
        p->nulls = xreallocarray(p->nulls, cap, sizeof *p->nulls);
        p->cap_paths = cap;
    }
    size_t len = p->offsets[p->n_paths];
    if (n > UINT32_MAX - len)
        BUG("dd_paths_add: more journey steps than a uint32_t offset holds");
    VEC_GROW(p->steps, p->cap_steps, len + n);
    for (size_t i = 0; i < n; i++) {
        if (steps[i] >= p->n_channels)
            BUG("dd_paths_add: channel id out of range");
        if (i > 0 && steps[i] == steps[i - 1])
            continue;
        p->steps[len++] = steps[i];
    }
    p->conversions[p->n_paths] = conversions;
    p->value[p->n_paths] = value;
    p->nulls[p->n_paths] = nulls;
    p->n_paths++;
    p->offsets[p->n_paths] = (uint32_t)len;
}

size_t dd_paths_max_length(const struct dd_paths *p)
{
    size_t max = 0;
    for (size_t i = 0; i < p->n_paths; i++) {
        size_t n = p->offsets[i + 1] - p->offsets[i];
        if (n > max)
            max = n;
    }
    return max;
}

void dd_paths_release(struct dd_paths *p)
{
    if (!p)
        return;
    free(p->offsets);
    free(p->steps);
    free(p->conversions);
    free(p->value);
    free(p->nulls);
    memset(p, 0, sizeof *p);
}

/* ---------------------------------------------------------------------------------------------
 * Markov chain construction
 */

/* The transient part of the chain in CSR form; states are numbered by first appearance. */
struct mk_chain {
    uint32_t n;      /* transient states */
    uint32_t *keys;  /* n × MK_KEY_WORDS: tuple length, channel ids (unused words 0) */
    double *start_w; /* per state: count of start -> state */
    double *conv_w;  /* per state: count of state -> conversion */
    double *null_w;  /* per state: count of state -> null */
    double *val_w;   /* per state: value of the journeys ending there */
    size_t cap;      /* capacity of the per-state arrays */
    uint32_t *row;   /* n + 1 offsets into col/q */
    uint32_t *col;   /* successor state per edge */
    double *q;       /* transition probability per edge */
    double *pi;      /* per state: start -> state probability */
    double *r;       /* per state: state -> conversion probability */
    double *rv;      /* per state: expected value flowing to conversion per visit */
    uint32_t npassi; /* ChannelAttribution's max_npassi: see mk_chain_build */
    uint32_t *slots; /* hash table of state ids + 1, 0 = empty */
    size_t n_slots;  /* a power of two */
};

/* A distinct transition (from, to) with its weight summed over the journeys in input order. */
struct mk_edge {
    uint32_t from, to;
    double w;
};

/* The distinct transitions met so far, found by (from, to) through an open-addressing table
 * (edge index + 1, 0 = empty): one entry per distinct transition, not one per step of every
 * journey, so the chain of millions of journeys takes little room. */
struct mk_edges {
    struct mk_edge *e;
    size_t n, cap;
    uint32_t *slots;
    size_t n_slots; /* a power of two */
};

static size_t mk_edge_home(uint32_t from, uint32_t to, size_t n_slots)
{
    uint64_t k = (uint64_t)from << 32 | to;
    return (size_t)hash_bytes(&k, sizeof k, 0x3c6ef372) & (n_slots - 1);
}

static void mk_edges_rehash(struct mk_edges *x, size_t n_slots)
{
    free(x->slots);
    x->slots = xcalloc(n_slots, sizeof *x->slots);
    x->n_slots = n_slots;
    for (size_t i = 0; i < x->n; i++) {
        size_t h = mk_edge_home(x->e[i].from, x->e[i].to, n_slots);
        while (x->slots[h])
            h = (h + 1) & (n_slots - 1);
        x->slots[h] = (uint32_t)(i + 1);
    }
}

/* Adds w to the transition's sum: the first w starts it, later ones are added in the order they
 * come, so each sum is the one the journeys' order gives, bit for bit. */
static void mk_edge_add(struct mk_edges *x, uint32_t from, uint32_t to, double w)
{
    if (x->n * 2 >= x->n_slots)
        mk_edges_rehash(x, x->n_slots ? x->n_slots * 2 : 64);
    size_t h = mk_edge_home(from, to, x->n_slots);
    while (x->slots[h]) {
        struct mk_edge *e = &x->e[x->slots[h] - 1];
        if (e->from == from && e->to == to) {
            e->w += w;
            return;
        }
        h = (h + 1) & (x->n_slots - 1);
    }
    if (x->n >= UINT32_MAX - 1)
        BUG("markov: too many transitions");
    VEC_GROW(x->e, x->cap, x->n + 1);
    x->e[x->n] = (struct mk_edge){from, to, w};
    x->slots[h] = (uint32_t)++x->n;
}

static uint64_t mk_hash(const uint32_t *key)
{
    return hash_bytes(key, MK_KEY_WORDS * sizeof *key, 0x5d1a7e);
}

static void mk_rehash(struct mk_chain *ch, size_t n_slots)
{
    free(ch->slots);
    ch->slots = xcalloc(n_slots, sizeof *ch->slots);
    ch->n_slots = n_slots;
    for (uint32_t s = 0; s < ch->n; s++) {
        size_t h = (size_t)mk_hash(ch->keys + (size_t)s * MK_KEY_WORDS) & (n_slots - 1);
        while (ch->slots[h])
            h = (h + 1) & (n_slots - 1);
        ch->slots[h] = s + 1;
    }
}

/* Id of the state with this key, added (with zero counts) when new. */
static uint32_t mk_state(struct mk_chain *ch, const uint32_t *key)
{
    if ((size_t)ch->n * 2 >= ch->n_slots)
        mk_rehash(ch, ch->n_slots ? ch->n_slots * 2 : 64);
    size_t h = (size_t)mk_hash(key) & (ch->n_slots - 1);
    while (ch->slots[h]) {
        uint32_t s = ch->slots[h] - 1;
        if (!memcmp(ch->keys + (size_t)s * MK_KEY_WORDS, key, MK_KEY_WORDS * sizeof *key))
            return s;
        h = (h + 1) & (ch->n_slots - 1);
    }
    if (ch->n == UINT32_MAX - 1)
        BUG("markov: too many states");
    if ((size_t)ch->n + 1 > ch->cap) {
        size_t cap = grow_capacity(ch->cap, (size_t)ch->n + 1);
        ch->keys = xreallocarray(ch->keys, cap * MK_KEY_WORDS, sizeof *ch->keys);
        ch->start_w = xreallocarray(ch->start_w, cap, sizeof *ch->start_w);
        ch->conv_w = xreallocarray(ch->conv_w, cap, sizeof *ch->conv_w);
        ch->null_w = xreallocarray(ch->null_w, cap, sizeof *ch->null_w);
        ch->val_w = xreallocarray(ch->val_w, cap, sizeof *ch->val_w);
        ch->cap = cap;
    }
    uint32_t s = ch->n++;
    memcpy(ch->keys + (size_t)s * MK_KEY_WORDS, key, MK_KEY_WORDS * sizeof *key);
    ch->start_w[s] = ch->conv_w[s] = ch->null_w[s] = ch->val_w[s] = 0;
    ch->slots[h] = s + 1;
    return s;
}

/* Order the distinct edges by (from, to) with two stable counting sorts over the states, by to
 * and then by from: O(edges + states). */
static void mk_edges_sort(struct mk_edge **edges, size_t n_edges, uint32_t n_states)
{
    struct mk_edge *a = *edges, *b = xmalloc(n_edges * sizeof *b);
    size_t *count = xmalloc(((size_t)n_states + 1) * sizeof *count);
    for (int pass = 0; pass < 2; pass++) {
        memset(count, 0, ((size_t)n_states + 1) * sizeof *count);
        for (size_t e = 0; e < n_edges; e++)
            count[(pass ? a[e].from : a[e].to) + 1]++;
        for (uint32_t s = 0; s < n_states; s++)
            count[s + 1] += count[s];
        for (size_t e = 0; e < n_edges; e++)
            b[count[pass ? a[e].from : a[e].to]++] = a[e];
        struct mk_edge *t = a;
        a = b;
        b = t;
    }
    free(b);
    free(count);
    *edges = a;
}

static void mk_chain_release(struct mk_chain *ch)
{
    free(ch->keys);
    free(ch->start_w);
    free(ch->conv_w);
    free(ch->null_w);
    free(ch->val_w);
    free(ch->row);
    free(ch->col);
    free(ch->q);
    free(ch->pi);
    free(ch->r);
    free(ch->rv);
    free(ch->slots);
    memset(ch, 0, sizeof *ch);
}

/* Build the order-k chain: states, counts, then probabilities. */
static void mk_chain_build(struct mk_chain *ch, const struct dd_paths *p, uint32_t order)
{
    struct mk_edges x = {0};
    double start_total = 0;

    memset(ch, 0, sizeof *ch);
    for (size_t i = 0; i < p->n_paths; i++) {
        uint32_t len = p->offsets[i + 1] - p->offsets[i];
        double w = p->conversions[i] + p->nulls[i];
        if (len == 0)
            continue;
        /* A journey of L >= k channels has L - k + 1 windows; a shorter one is one state. */
        uint32_t width = len < order ? len : order;
        uint32_t m = len - width + 1;
        /* max_npassi: ChannelAttribution counts a journey's states, then one more for its end
         * (the step to conversion or null), and once more again when the journey has neither
         * conversions nor nulls, which it parses past its end marker. Such a journey adds nothing
         * to the chain but still sets the horizon, as it does there. */
        uint32_t extra = w > 0 ? 1u : 2u;
        uint32_t npassi = m > UINT32_MAX - extra ? UINT32_MAX : m + extra;
        if (npassi > ch->npassi)
            ch->npassi = npassi;
        if (!(w > 0))
            continue;
        const uint32_t *c = p->steps + p->offsets[i];
        uint32_t prev = 0;
        for (uint32_t j = 0; j < m; j++) {
            uint32_t key[MK_KEY_WORDS] = {0};
            key[0] = width;
            memcpy(key + 1, c + j, width * sizeof *c);
            uint32_t s = mk_state(ch, key);
            if (j == 0) {
                ch->start_w[s] += w;
            } else {
                mk_edge_add(&x, prev, s, w);
            }
            prev = s;
        }
        ch->conv_w[prev] += p->conversions[i];
        ch->null_w[prev] += p->nulls[i];
        ch->val_w[prev] += p->value[i];
        start_total += w;
    }

    /* The distinct edges (parallel ones summed in input order) into CSR rows. */
    free(x.slots);
    struct mk_edge *edges = x.e;
    size_t n_edges = x.n;
    if (n_edges)
        mk_edges_sort(&edges, n_edges, ch->n);
    uint32_t n = ch->n;
    ch->row = xcalloc((size_t)n + 1, sizeof *ch->row);
    ch->col = xmalloc((n_edges ? n_edges : 1) * sizeof *ch->col);
    ch->q = xmalloc((n_edges ? n_edges : 1) * sizeof *ch->q);
    for (size_t e = 0; e < n_edges; e++) {
        ch->col[e] = edges[e].to;
        ch->q[e] = edges[e].w;
        ch->row[edges[e].from + 1]++;
    }
    free(edges);
    for (uint32_t s = 0; s < n; s++)
        ch->row[s + 1] += ch->row[s];

    ch->pi = xmalloc((n ? n : 1) * sizeof *ch->pi);
    ch->r = xmalloc((n ? n : 1) * sizeof *ch->r);
    ch->rv = xmalloc((n ? n : 1) * sizeof *ch->rv);
    for (uint32_t s = 0; s < n; s++) {
        double out = ch->conv_w[s] + ch->null_w[s];
        for (uint32_t e = ch->row[s]; e < ch->row[s + 1]; e++)
            out += ch->q[e];
        /* out > 0: every state lies on a journey of positive weight. */
        for (uint32_t e = ch->row[s]; e < ch->row[s + 1]; e++)
            ch->q[e] /= out;
        ch->r[s] = ch->conv_w[s] / out;
        ch->rv[s] = ch->val_w[s] / out;
        ch->pi[s] = start_total > 0 ? ch->start_w[s] / start_total : 0;
    }
}

static bool mk_state_has(const struct mk_chain *ch, uint32_t s, uint32_t channel)
{
    const uint32_t *key = ch->keys + (size_t)s * MK_KEY_WORDS;
    for (uint32_t j = 0; j < key[0]; j++)
        if (key[1 + j] == channel)
            return true;
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * Solvers: each returns P = π·x and Pv = π·x_v over the states not removed.
 */

struct mk_work {
    double *a;      /* dense: m × m matrix */
    double *b;      /* dense: m × 2 right-hand sides */
    uint32_t *idx;  /* dense: state -> row, or UINT32_MAX if removed */
    uint32_t *inv;  /* dense: row -> state */
    double *x, *xv; /* iterative / horizon vectors */
    double *f, *fn; /* horizon: distribution now and next */
};

static void mk_work_release(struct mk_work *w)
{
    free(w->a);
    free(w->b);
    free(w->idx);
    free(w->inv);
    free(w->x);
    free(w->xv);
    free(w->f);
    free(w->fn);
}

static int mk_solve_dense(const struct mk_chain *ch, const unsigned char *removed,
                          struct mk_work *w, double *p, double *pv)
{
    uint32_t m = 0;
    for (uint32_t s = 0; s < ch->n; s++) {
        w->idx[s] = removed[s] ? UINT32_MAX : m;
        if (!removed[s])
            w->inv[m++] = s;
    }
    double *a = w->a, *b = w->b;
    memset(a, 0, (size_t)m * m * sizeof *a);
    for (uint32_t i = 0; i < m; i++) {
        uint32_t s = w->inv[i];
        a[(size_t)i * m + i] = 1;
        for (uint32_t e = ch->row[s]; e < ch->row[s + 1]; e++) {
            uint32_t j = w->idx[ch->col[e]];
            if (j != UINT32_MAX)
                a[(size_t)i * m + j] -= ch->q[e];
        }
        b[2 * i] = ch->r[s];
        b[2 * i + 1] = ch->rv[s];
    }
    /* Gaussian elimination with partial pivoting (first row of largest |pivot| on ties). */
    for (uint32_t k = 0; k < m; k++) {
        uint32_t piv = k;
        for (uint32_t i = k + 1; i < m; i++)
            if (fabs(a[(size_t)i * m + k]) > fabs(a[(size_t)piv * m + k]))
                piv = i;
        if (a[(size_t)piv * m + k] == 0)
            return -1;
        if (piv != k) {
            for (uint32_t j = 0; j < m; j++) {
                double t = a[(size_t)k * m + j];
                a[(size_t)k * m + j] = a[(size_t)piv * m + j];
                a[(size_t)piv * m + j] = t;
            }
            for (uint32_t j = 0; j < 2; j++) {
                double t = b[2 * k + j];
                b[2 * k + j] = b[2 * piv + j];
                b[2 * piv + j] = t;
            }
        }
        double d = a[(size_t)k * m + k];
        for (uint32_t i = k + 1; i < m; i++) {
            double f = a[(size_t)i * m + k] / d;
            if (f == 0)
                continue;
            a[(size_t)i * m + k] = 0;
            for (uint32_t j = k + 1; j < m; j++)
                a[(size_t)i * m + j] -= f * a[(size_t)k * m + j];
            b[2 * i] -= f * b[2 * k];
            b[2 * i + 1] -= f * b[2 * k + 1];
        }
    }
    for (uint32_t k = m; k-- > 0;) {
        double s0 = b[2 * k], s1 = b[2 * k + 1];
        for (uint32_t j = k + 1; j < m; j++) {
            s0 -= a[(size_t)k * m + j] * b[2 * j];
            s1 -= a[(size_t)k * m + j] * b[2 * j + 1];
        }
        b[2 * k] = s0 / a[(size_t)k * m + k];
        b[2 * k + 1] = s1 / a[(size_t)k * m + k];
    }
    double sp = 0, spv = 0;
    for (uint32_t i = 0; i < m; i++) {
        uint32_t s = w->inv[i];
        sp += ch->pi[s] * b[2 * i];
        spv += ch->pi[s] * b[2 * i + 1];
    }
    *p = sp;
    *pv = spv;
    return 0;
}

/* Gauss-Seidel has converged when the last sweep changed nothing beyond rounding, or when the
 * change is below the tolerance and the error still to come, delta·q/(1 - q) for the observed
 * contraction q = delta / previous delta, is too. */
static bool mk_gs_done(double delta, double prev, double scale)
{
    if (delta <= 4 * DBL_EPSILON * scale)
        return true;
    double tol = MK_GS_TOL * scale;
    if (delta > tol || !(prev > 0))
        return false;
    double q = delta / prev;
    return q < 1 && delta * q / (1 - q) <= tol;
}

static int mk_solve_iterative(const struct mk_chain *ch, const unsigned char *removed,
                              struct mk_work *w, double *p, double *pv)
{
    double *x = w->x, *xv = w->xv;
    memset(x, 0, ch->n * sizeof *x);
    memset(xv, 0, ch->n * sizeof *xv);
    double prev_dx = 0, prev_dv = 0;
    bool done = false;
    for (uint32_t sweep = 0; sweep < MK_GS_MAX_SWPS && !done; sweep++) {
        double dx = 0, dv = 0, mx = 0, mv = 0;
        /* Backwards: states are numbered in journey order, so successors are mostly fresh. */
        for (uint32_t s = ch->n; s-- > 0;) {
            if (removed[s])
                continue;
            double t = ch->r[s], tv = ch->rv[s];
            for (uint32_t e = ch->row[s]; e < ch->row[s + 1]; e++) {
                t += ch->q[e] * x[ch->col[e]];
                tv += ch->q[e] * xv[ch->col[e]];
            }
            dx = fmax(dx, fabs(t - x[s]));
            dv = fmax(dv, fabs(tv - xv[s]));
            mx = fmax(mx, fabs(t));
            mv = fmax(mv, fabs(tv));
            x[s] = t;
            xv[s] = tv;
        }
        done = mk_gs_done(dx, prev_dx, mx) && mk_gs_done(dv, prev_dv, mv);
        prev_dx = dx;
        prev_dv = dv;
    }
    if (!done)
        return -1;
    double sp = 0, spv = 0;
    for (uint32_t s = 0; s < ch->n; s++) {
        if (removed[s])
            continue;
        sp += ch->pi[s] * x[s];
        spv += ch->pi[s] * xv[s];
    }
    *p = sp;
    *pv = spv;
    return 0;
}

/* Probability of converting after at most `horizon` transient states, by dynamic programming.
 */
static void mk_solve_horizon(const struct mk_chain *ch, const unsigned char *removed,
                             uint32_t horizon, struct mk_work *w, double *p, double *pv)
{
    double *f = w->f, *fn = w->fn;
    for (uint32_t s = 0; s < ch->n; s++)
        f[s] = removed[s] ? 0 : ch->pi[s];
    double sp = 0, spv = 0;
    for (uint32_t t = 1; t <= horizon; t++) {
        for (uint32_t s = 0; s < ch->n; s++) {
            sp += f[s] * ch->r[s];
            spv += f[s] * ch->rv[s];
        }
        if (t == horizon)
            break;
        memset(fn, 0, ch->n * sizeof *fn);
        for (uint32_t s = 0; s < ch->n; s++) {
            if (f[s] == 0)
                continue;
            for (uint32_t e = ch->row[s]; e < ch->row[s + 1]; e++)
                if (!removed[ch->col[e]])
                    fn[ch->col[e]] += f[s] * ch->q[e];
        }
        double *tmp = f;
        f = fn;
        fn = tmp;
    }
    *p = sp;
    *pv = spv;
}

/* ---------------------------------------------------------------------------------------------
 * Markov attribution
 */

void markov_result_release(struct markov_result *r)
{
    if (!r)
        return;
    free(r->removal_effect);
    free(r->conversions);
    free(r->value);
    free(r->value_removal_effect);
    memset(r, 0, sizeof *r);
}

int markov_run(const struct dd_paths *p, int order, enum markov_horizon horizon,
               struct markov_result *r, struct diag *d)
{
    struct markov_opts o = MARKOV_OPTS_INIT;
    o.order = order;
    o.horizon = horizon;
    return markov_run_opts(p, &o, r, d);
}

int markov_run_opts(const struct dd_paths *p, const struct markov_opts *o, struct markov_result *r,
                    struct diag *d)
{
    uint32_t nc = p->n_channels;
    memset(r, 0, sizeof *r);
    r->removal_effect = xcalloc(nc ? nc : 1, sizeof *r->removal_effect);
    r->conversions = xcalloc(nc ? nc : 1, sizeof *r->conversions);
    r->value = xcalloc(nc ? nc : 1, sizeof *r->value);
    r->value_removal_effect = xcalloc(nc ? nc : 1, sizeof *r->value_removal_effect);

    if (o->order < 1 || o->order > MK_MAX_ORDER) {
        diag_error(d, NULL, 0, "markov order %d out of range (1 to %d)", o->order, MK_MAX_ORDER);
        return -1;
    }
    if (o->horizon != MARKOV_INFINITE && o->horizon != MARKOV_OBSERVED)
        BUG("markov_run_opts: bad horizon");

    for (size_t i = 0; i < p->n_paths; i++) {
        if (p->offsets[i + 1] == p->offsets[i])
            continue;
        r->total_conversions += p->conversions[i];
        r->total_value += p->value[i];
    }
    if (!(r->total_conversions > 0)) {
        diag_error(d, NULL, 0, "markov: no conversions in journeys with touches");
        return -1;
    }

    struct mk_chain ch;
    mk_chain_build(&ch, p, (uint32_t)o->order);
    r->n_states = ch.n;
    uint32_t n = ch.n;

    bool dense = false;
    uint32_t horizon = 0;
    if (o->horizon == MARKOV_OBSERVED) {
        horizon = o->max_states ? o->max_states : ch.npassi;
        r->horizon = horizon;
    } else if (o->solver == MARKOV_SOLVER_DENSE) {
        if (n > MK_DENSE_MAX) {
            diag_error(d, NULL, 0, "markov: %" PRIu32 " states are too many for the dense solver",
                       n);
            mk_chain_release(&ch);
            return -1;
        }
        dense = true;
    } else {
        dense = o->solver == MARKOV_SOLVER_AUTO && n <= MK_DENSE_AUTO;
    }

    struct mk_work w;
    memset(&w, 0, sizeof w);
    size_t n1 = n ? n : 1;
    if (dense) {
        w.a = xmalloc(n1 * n1 * sizeof *w.a);
        w.b = xmalloc(2 * n1 * sizeof *w.b);
        w.idx = xmalloc(n1 * sizeof *w.idx);
        w.inv = xmalloc(n1 * sizeof *w.inv);
    } else if (horizon) {
        w.f = xmalloc(n1 * sizeof *w.f);
        w.fn = xmalloc(n1 * sizeof *w.fn);
    } else {
        w.x = xmalloc(n1 * sizeof *w.x);
        w.xv = xmalloc(n1 * sizeof *w.xv);
    }
    unsigned char *removed = xcalloc(n1, 1);

    int ret = -1;
    double pc, pv;
#define MK_SOLVE(ok)                                                                               \
    do {                                                                                           \
        if (horizon) {                                                                             \
            mk_solve_horizon(&ch, removed, horizon, &w, &pc, &pv);                                 \
            (ok) = 0;                                                                              \
        } else if (dense) {                                                                        \
            (ok) = mk_solve_dense(&ch, removed, &w, &pc, &pv);                                     \
        } else {                                                                                   \
            (ok) = mk_solve_iterative(&ch, removed, &w, &pc, &pv);                                 \
        }                                                                                          \
    } while (0)

    int ok;
    MK_SOLVE(ok);
    if (ok) {
        diag_error(d, NULL, 0, "markov: the linear system could not be solved");
        goto out;
    }
    r->p_conversion = pc;
    double p_full = pc, pv_full = pv;
    if (!(p_full > 0)) {
        if (horizon)
            diag_error(d, NULL, 0, "markov: no walk converts within %" PRIu32 " states", horizon);
        else
            diag_error(d, NULL, 0, "markov: the chain never reaches conversion");
        goto out;
    }

    for (uint32_t c = 0; c < nc; c++) {
        bool any = false;
        for (uint32_t s = 0; s < n; s++) {
            removed[s] = mk_state_has(&ch, s, c);
            any |= removed[s];
        }
        if (!any)
            continue; /* a channel in no state: removing it changes nothing */
        MK_SOLVE(ok);
        if (ok) {
            diag_error(d, NULL, 0, "markov: the linear system could not be solved");
            goto out;
        }
        /* P_c <= P exactly; clamp the rounding of two separate solves. */
        double re = 1 - pc / p_full;
        r->removal_effect[c] = re < 0 ? 0 : re > 1 ? 1 : re;
        double vre = pv_full != 0 ? 1 - pv / pv_full : 0;
        r->value_removal_effect[c] = vre < 0 ? 0 : vre > 1 ? 1 : vre;
    }
#undef MK_SOLVE

    double sum = 0;
    for (uint32_t c = 0; c < nc; c++)
        sum += r->removal_effect[c];
    if (!(sum > 0)) {
        diag_error(d, NULL, 0, "markov: every removal effect is zero");
        goto out;
    }
    for (uint32_t c = 0; c < nc; c++) {
        double share = r->removal_effect[c] / sum;
        r->conversions[c] = share * r->total_conversions;
        r->value[c] = share * r->total_value;
    }
    ret = 0;
out:
    free(removed);
    mk_work_release(&w);
    mk_chain_release(&ch);
    return ret;
}

/* ---------------------------------------------------------------------------------------------
 * Shapley
 */

/* With n_positions > 0, Zhao et al.'s ordered Shapley value into conv_out/value_out as
 * n_channels × n_positions matrices; with 0, the simplified value per channel. */
static int shapley_core(const struct dd_paths *p, size_t n_positions, double *conv_out,
                        double *value_out)
{
    uint32_t nc = p->n_channels;
    bool ordered = n_positions > 0;
    size_t n_out = ordered ? (size_t)nc * n_positions : nc;
    memset(conv_out, 0, n_out * sizeof *conv_out);
    memset(value_out, 0, n_out * sizeof *value_out);

    double total = 0;
    for (size_t i = 0; i < p->n_paths; i++)
        if (p->offsets[i + 1] > p->offsets[i])
            total += p->conversions[i];
    if (!(total > 0) || (ordered && n_positions < dd_paths_max_length(p)))
        return -1;

    uint32_t *count = xcalloc(nc ? nc : 1, sizeof *count); /* occurrences in this journey */
    for (size_t i = 0; i < p->n_paths; i++) {
        uint32_t len = p->offsets[i + 1] - p->offsets[i];
        if (len == 0)
            continue;
        const uint32_t *c = p->steps + p->offsets[i];
        uint32_t distinct = 0;
        for (uint32_t j = 0; j < len; j++)
            if (count[c[j]]++ == 0)
                distinct++;
        double cv = p->conversions[i] / distinct, vv = p->value[i] / distinct;
        for (uint32_t j = 0; j < len; j++) {
            if (ordered) {
                size_t at = (size_t)c[j] * n_positions + j;
                conv_out[at] += cv / count[c[j]];
                value_out[at] += vv / count[c[j]];
            } else if (count[c[j]] != 0) {
                conv_out[c[j]] += cv;
                value_out[c[j]] += vv;
                count[c[j]] = 0; /* credit each distinct channel once, at its first occurrence */
            }
        }
        for (uint32_t j = 0; j < len; j++)
            count[c[j]] = 0;
    }
    free(count);
    return 0;
}

int shapley_simplified(const struct dd_paths *p, double *conv_out, double *value_out)
{
    return shapley_core(p, 0, conv_out, value_out);
}

int shapley_ordered_positions(const struct dd_paths *p, size_t n_positions, double *conv_out,
                              double *value_out)
{
    if (n_positions == 0) {
        /* No room for any position: only possible without journeys with steps, an error. */
        return -1;
    }
    return shapley_core(p, n_positions, conv_out, value_out);
}

int shapley_ordered(const struct dd_paths *p, double *conv_out, double *value_out)
{
    uint32_t nc = p->n_channels;
    size_t np = dd_paths_max_length(p);
    memset(conv_out, 0, nc * sizeof *conv_out);
    memset(value_out, 0, nc * sizeof *value_out);
    if (np == 0)
        return -1;
    double *pc = xmalloc((size_t)nc * np * sizeof *pc);
    double *pv = xmalloc((size_t)nc * np * sizeof *pv);
    int ret = shapley_core(p, np, pc, pv);
    if (ret == 0) {
        for (uint32_t c = 0; c < nc; c++) {
            for (size_t i = 0; i < np; i++) {
                conv_out[c] += pc[(size_t)c * np + i];
                value_out[c] += pv[(size_t)c * np + i];
            }
        }
    }
    free(pc);
    free(pv);
    return ret;
}
