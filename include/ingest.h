/* ingest.h — reading the configured input files into a struct dataset.
 *
 * Files are read in dependency order (campaigns, people, identities, touches, fx, deals, splits,
 * spend, adjustments, payments) with csvin, columns are mapped by header (trimmed, ASCII
 * case-insensitive), every value is parsed strictly, and each data row lands in exactly one
 * bucket: used, duplicate, filtered (not closed-won, or neither closed in the kept window nor
 * cancelled in the cancel window by as-of; a spend row dated outside the period; a payment paid
 * after as-of), unmatched (a touch of an unknown campaign: kept and attributed to that campaign
 * id; a spend row of an unknown campaign: not counted; a payment of no kept deal: kept, with no
 * deal row) or rejected (with a struct reject naming line, column, value and reason). Adjustments
 * and payments have no duplicates: a row whose id repeats an earlier row's is rejected. Deals
 * whose lead has no touches are re-bucketed as unmatched by join. A kept deal in another currency
 * is converted into the reporting currency at the FX rate in force on its close day (an
 * adjustment: on its period's last day; a payment: on its paid day); without one (or without an
 * fx file) the row is rejected.
 */
#ifndef SAMETABLE_INGEST_H
#define SAMETABLE_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "dataset.h"
#include "diag.h"
#include "settings.h"
#include "tz.h"

enum ingest_status {
    INGEST_OK = 0,
    INGEST_EMISSING, /* a required file is missing or 0 bytes (exit 66) */
    INGEST_EDATA,    /* bad data: header problems, encoding, quoting, rejects over threshold (65) */
    INGEST_EIO,      /* read error (74) */
    INGEST_ECONFIG,  /* a configured time zone could not be loaded, or the deals file lacks a
                      * deal_extra header (78) */
};

struct ingest_window {
    int32_t as_of_day;  /* rows dated after this business day are filtered */
    int32_t keep_first; /* deals closing on business days [keep_first, keep_last] are kept */
    int32_t keep_last;
    /* Deals cancelled on business days [cancel_first, cancel_last] are kept whatever their
     * close date (their clawback posts in the run's period); cancel_first > cancel_last: none. */
    int32_t cancel_first;
    int32_t cancel_last;
    /* The run's period: spend-by-date rows dated on business days [period_first, period_last]
     * (and not after as-of) are used, the others filtered. */
    int32_t period_first;
    int32_t period_last;
    /* The deals this run's pay needs, when the keep window above is wider (it also holds the
     * year to date): rows only in the wider window are still read, but their rejects do not
     * count against max_reject_share. has_pay_window false: the keep window is the pay window. */
    bool has_pay_window;
    int32_t pay_keep_first;
    int32_t pay_cancel_first;
    int32_t pay_cancel_last;
    const struct tz *business;
    bool strict; /* any rejected row fails the run */
    /* Deal headers that plans read (SPIF filters, SPIF payee columns): matched like mapped
     * headers (trimmed, ASCII case-insensitive); a header the deals file lacks is a config
     * error (INGEST_ECONFIG) naming it. Their values land in deal_table.extra. */
    const char *const *deal_extra;
    size_t n_deal_extra;
};

/* Read every configured file into ds. Returns an enum ingest_status; diagnostics go to d. */
int ingest_all(struct dataset *ds, const struct settings *s, const struct ingest_window *w,
               struct diag *d);

/* Whether `stage` is one of the comma-separated `won_stages` (trimmed, ASCII case-insensitive). */
bool ingest_stage_is_won(const char *won_stages, const char *stage, size_t len);

#endif
