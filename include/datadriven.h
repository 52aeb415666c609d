/* datadriven.h — data-driven attribution over journeys: Markov removal effects and Shapley values.
 *
 * Input is a set of journeys, each a sequence of channel ids (dense 0..n_channels-1) with a
 * number of conversions, a conversion value and a number of non-conversions ("nulls"), as in
 * ChannelAttribution's path-level data. Consecutive repeats of a channel are collapsed when a
 * journey is added (DESIGN §7a), so every model sees collapsed journeys. A journey with no steps
 * is stored but ignored by every model: it has no channel to credit, and its conversions and
 * value are not in the totals (the caller reports them as unattributed).
 *
 * Results are per channel, in doubles (shares of conversions and of value); turning them into
 * cents is the caller's job (largest remainder over channels). Everything is exact and
 * deterministic: no sampling, every sum runs in a fixed order, so two runs over the same journeys
 * give bit-identical results. Functions fill caller-allocated arrays, except markov_run*, which
 * allocates the arrays of its result (free with markov_result_release); dd_paths owns its arrays
 * but not the channel names.
 *
 * Markov model of order k (src/datadriven.c has the derivations):
 *   - States are the observed k-tuples of consecutive channels of the collapsed journeys, plus
 *     start, conversion and null. A collapsed journey c1..cL with L >= k is the state sequence
 *     (c1..ck), (c2..ck+1), ..., (cL-k+1..cL); one with L < k is the single state (c1..cL).
 *     ChannelAttribution forms its windows over the raw touches and then drops consecutive
 *     duplicate states; for order 1 that is the same chain, for k >= 2 it differs only on
 *     journeys with repeated touches (we collapse first, as DESIGN §7a requires).
 *   - A journey with weight w = conversions + nulls > 0 adds w to start -> s1 and to each
 *     s_i -> s_i+1, `conversions` to s_m -> conversion and `nulls` to s_m -> null. Transition
 *     probabilities are the counts divided by the state's total outgoing count.
 *   - Removing channel c removes every state whose tuple contains c; transitions into them go to
 *     null. removal_effect[c] = 1 - P_without_c / P.
 *   - MARKOV_INFINITE: P is the absorption probability in conversion, from (I - Q) x = r.
 *   - MARKOV_OBSERVED: P is the probability of reaching conversion after visiting at most
 *     N = H + 1 transient states, H being the largest number of order-k states (as above,
 *     repeats collapsed) in any journey: ChannelAttribution's max_npassi, by which its
 *     simulation cuts walks (src/datadriven.c shows how its code arrives at H + 1). As there, a
 *     journey with neither conversions nor nulls counts H + 2 (it adds nothing to the chain).
 *     markov_opts.max_states sets N instead (ChannelAttribution's max_step).
 */
#ifndef SAMETABLE_DATADRIVEN_H
#define SAMETABLE_DATADRIVEN_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct dd_paths {
    uint32_t n_channels;
    const char **channel_names; /* n_channels names (owned by the caller of dd_paths_init) */
    size_t n_paths;
    uint32_t *offsets;   /* n_paths + 1 offsets into steps */
    uint32_t *steps;     /* channel ids, consecutive repeats collapsed */
    double *conversions; /* per path: total conversions (may be fractional) */
    double *value;       /* per path: total conversion value */
    double *nulls;       /* per path: total non-conversions */
    size_t cap_paths, cap_steps;
};

void dd_paths_init(struct dd_paths *p, uint32_t n_channels, const char **channel_names);
/* Add one journey: steps[0..n) are channel ids < n_channels (BUG otherwise); consecutive repeats
 * are collapsed here. conversions and nulls must be finite and >= 0, value finite (BUG
 * otherwise). */
void dd_paths_add(struct dd_paths *p, const uint32_t *steps, size_t n, double conversions,
                  double value, double nulls);
/* Number of steps of the longest (collapsed) journey; 0 when there is none. */
size_t dd_paths_max_length(const struct dd_paths *p);
void dd_paths_release(struct dd_paths *p);

enum markov_horizon {
    MARKOV_INFINITE, /* textbook absorbing chain */
    MARKOV_OBSERVED  /* ChannelAttribution: walks visiting more states than the longest observed
                      * journey (in collapsed order-k states) + 1 do not convert */
};

/* How (I - Q) x = r is solved for MARKOV_INFINITE. AUTO: dense Gaussian elimination with partial
 * pivoting up to 256 transient states, Gauss-Seidel beyond. DENSE refuses more than 4096 states.
 * ITERATIVE sweeps until the estimated remaining error is below 1e-14 relative to max |x|. */
enum markov_solver { MARKOV_SOLVER_AUTO, MARKOV_SOLVER_DENSE, MARKOV_SOLVER_ITERATIVE };

struct markov_opts {
    int order;                   /* 1..4 */
    enum markov_horizon horizon; /* MARKOV_INFINITE or MARKOV_OBSERVED */
    uint32_t max_states;         /* MARKOV_OBSERVED: horizon in transient states, 0 = longest
                                  * observed journey + 1 (ChannelAttribution's max_npassi) */
    enum markov_solver solver;   /* MARKOV_INFINITE only */
};
#define MARKOV_OPTS_INIT                                                                           \
    {                                                                                              \
        1, MARKOV_INFINITE, 0, MARKOV_SOLVER_AUTO                                                  \
    }

struct markov_result {
    double p_conversion;    /* probability of conversion from start in the full chain */
    double *removal_effect; /* per channel: 1 - P_without_c(conversion) / P(conversion) */
    double *conversions;    /* per channel: removal effects normalised × total conversions */
    double *value;          /* per channel: removal effects normalised × total value */
    /* per channel: ChannelAttribution's value removal effect, 1 - E_without_c[value] / E[value],
     * where a walk converting from state s earns the mean value per conversion of the journeys
     * ending in s. Informational: `value` uses removal_effect, as DESIGN §4 says. */
    double *value_removal_effect;
    double total_conversions; /* over journeys with at least one step */
    double total_value;       /* over journeys with at least one step */
    uint32_t n_states;        /* transient states (order-k channel tuples) used */
    uint32_t horizon;         /* MARKOV_OBSERVED: states a converting walk may visit; else 0 */
};

/* Compute Markov attribution of the given order (1..4). Arrays of *r are allocated here (free
 * with markov_result_release, also after a failure). Returns 0, or -1 with an error in d (order
 * out of range, no conversions, a solver that cannot run). */
int markov_run(const struct dd_paths *p, int order, enum markov_horizon horizon,
               struct markov_result *r, struct diag *d);
/* The same with every option spelled out (markov_run uses max_states 0 and MARKOV_SOLVER_AUTO). */
int markov_run_opts(const struct dd_paths *p, const struct markov_opts *o, struct markov_result *r,
                    struct diag *d);
void markov_result_release(struct markov_result *r);

/* Shapley attribution (Zhao, Mahboobi & Bagheri 2018) over journeys with at least one step.
 *
 * simplified: the Shapley value of the game v(S) = conversions (or value) of the journeys whose
 * channel set is a subset of S. That game is a sum of unanimity games, one per journey, so its
 * Shapley value splits each journey's conversions and value equally over its distinct channels.
 *
 * ordered: Zhao et al.'s ordered Shapley value φ_j^i, the credit of channel j at position i
 * (1-based, over the collapsed journey): each journey's share for channel j (conversions / number
 * of distinct channels) is split equally over the positions where j occurs. Summed over positions
 * it is exactly the simplified value, so shapley_ordered's per-channel totals equal
 * shapley_simplified's; the positional breakdown is shapley_ordered_positions.
 *
 * conv_out and value_out hold n_channels entries. Returns 0, or -1 (outputs zeroed) when no
 * journey with a step has conversions. */
int shapley_simplified(const struct dd_paths *p, double *conv_out, double *value_out);
int shapley_ordered(const struct dd_paths *p, double *conv_out, double *value_out);
/* φ_j^i into conv_out[j * n_positions + (i - 1)] and likewise value_out (n_channels ×
 * n_positions each). Returns -1 (outputs zeroed) if n_positions < dd_paths_max_length(p) or no
 * journey with a step has conversions. */
int shapley_ordered_positions(const struct dd_paths *p, size_t n_positions, double *conv_out,
                              double *value_out);

#endif
