/* pathattr.h — `sametable attribute --paths FILE`: attribution of path-level data.
 *
 * Reads ChannelAttribution's aggregated format (path, total_conversions, total_conversion_value,
 * total_null; channels joined by " > " or [attribution] path_separator) and writes per-channel
 * credit for the chosen models to <out>/path-attribution.csv and .xlsx, so results can be
 * compared with that package's. Models: markov (settings markov_order, markov_horizon),
 * shapley, shapley_ordered, and the path-level heuristics first_touch, last_touch and linear
 * (over the collapsed path).
 */
#ifndef SAMETABLE_PATHATTR_H
#define SAMETABLE_PATHATTR_H

#include <stddef.h>

#include "diag.h"

struct pathattr_opts {
    const char *paths_file;
    const char *models;      /* comma-separated, NULL: [attribution] models, else markov */
    const char *out_dir;     /* NULL: the working directory */
    const char *config_path; /* optional INI for [attribution] keys */
    const char **sets;
    size_t n_sets;
};

/* Returns a sysexits code like run_execute. */
int pathattr_run(const struct pathattr_opts *o, struct diag *d);

#endif
