/* join.h — the lead → touches index (CSR) and the join of deals to their leads' touches.
 *
 * offsets[lead] .. offsets[lead + 1] index into touches[], which holds touch numbers sorted by
 * (lead, time, input order). Building it also settles two buckets: an exact duplicate touch (same
 * lead, same instant, every physical field equal) leaves the index and is counted as a duplicate,
 * and a kept deal whose lead has no touches is counted as unmatched. The index owns its arrays.
 */
#ifndef SAMETABLE_JOIN_H
#define SAMETABLE_JOIN_H

#include <stdint.h>

#include "dataset.h"

struct lead_index {
    uint32_t n_leads;
    uint64_t *offsets; /* n_leads + 1 entries */
    uint64_t *touches; /* touch numbers, grouped by lead, each group in time order */
};

void join_build(struct lead_index *ix, struct dataset *ds);
void join_release(struct lead_index *ix);

#endif
