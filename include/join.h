/* join.h — the lead → touches index (CSR) and the join of deals to their leads' touches.
 *
 * offsets[lead] .. offsets[lead + 1] index into touches[], which holds touch numbers sorted by
 * (lead, time, own before joined through the identity map, input order). Building it also
 * settles two buckets: an exact duplicate touch (same lead, same instant, every physical field
 * equal) leaves the index and is counted as a duplicate, and so does a touch that came through the
 * identity map (touch_table.via) with the campaign of a touch the lead already has at that instant;
 * a kept deal none of whose leads has touches is counted as unmatched. The touches' row hashes
 * are needed for nothing else: join_build frees them (touch_table.row_hash is NULL after it). A
 * deal's first lead is ds->deals.lead[row]; deal_xoff/deal_xlead list its further leads (DESIGN
 * §7a: several lead IDs in one cell, or rows that differ only in lead). The index owns its arrays.
 */
#ifndef SAMETABLE_JOIN_H
#define SAMETABLE_JOIN_H

#include <stdint.h>

#include "dataset.h"

struct lead_index {
    uint32_t n_leads;
    uint32_t n_deals;
    uint32_t *deal_xoff;  /* n_deals + 1 offsets into deal_xlead: a deal's further leads */
    uint32_t *deal_xlead; /* lead ids, grouped by deal row */
    uint32_t *offsets;    /* n_leads + 1 entries (touch numbers fit 32 bits: ingest stops at
                           * TOUCHES_MAX) */
    uint32_t *touches;    /* touch numbers, grouped by lead, each group in time order */
};

/* How many touches the deal's leads have in all. */
uint64_t join_deal_touches(const struct lead_index *ix, const struct dataset *ds, uint32_t deal);

void join_build(struct lead_index *ix, struct dataset *ds);
void join_release(struct lead_index *ix);

#endif
