/* spend.h — what each campaign spent in the run's period (DESIGN §7b "Period figures").
 *
 * The campaigns file states one spend per campaign: its lifetime spend, or its spend to date while
 * it runs. A period's spend is that amount spread evenly over the campaign's days — start_date to
 * end_date, both inclusive; a running campaign (no end_date, or one after as-of) from start_date
 * to as-of — counting only the days inside the period:
 *
 *     period spend = round_half_away_from_zero(spend × days inside / days spread over)
 *
 * exact in integer minor units, rounded once per campaign. A campaign without a start_date counts
 * all of its spend in every period (labelled so). One that starts after as-of has no days yet and
 * counts nothing. A campaign the spend-by-date file names ([inputs] spend) takes the sum of its
 * rows dated in the period instead (ingest.h). Channel figures are sums over their campaigns.
 *
 * struct period_spend owns its arrays; spend_release frees them.
 */
#ifndef SAMETABLE_SPEND_H
#define SAMETABLE_SPEND_H

#include <stdint.h>

#include "dataset.h"
#include "period.h"

#define SPEND_BASES(X)                                                                             \
    X(SPEND_SPREAD, "spread over start–end days")                                                  \
    X(SPEND_RUNNING, "running: spread over start–as-of days")                                      \
    X(SPEND_NO_DATES, "no start date: all spend counted")                                          \
    X(SPEND_NOT_STARTED, "starts after as-of: nothing yet")                                        \
    X(SPEND_FILE, "spend file: its rows dated in the period")                                      \
    X(SPEND_UNKNOWN, "not in the campaigns file: no spend")

enum spend_basis {
#define SPEND_ENUM(id, text) id,
    SPEND_BASES(SPEND_ENUM)
#undef SPEND_ENUM
        SPEND_BASIS_N
};

/* A fixed description of a basis, for the workbook. */
const char *spend_basis_text(enum spend_basis b);

struct period_spend {
    uint32_t n_campaigns, n_channels;
    int64_t *campaign; /* per campaign id: spend in the period, minor units */
    uint8_t *basis;    /* per campaign id: enum spend_basis */
    int32_t *days_in;  /* per campaign id: days of the spread inside the period (spread bases) */
    int32_t *days;     /* per campaign id: days spread over (spread bases; 0 otherwise) */
    int64_t *channel;  /* per channel id: sum over the channel's campaigns */
    int64_t total;     /* over every campaign */
    uint32_t n_basis[SPEND_BASIS_N]; /* campaigns per basis */
};

/* Period spend of every campaign of ds (see above). as_of_day caps a running campaign. */
void spend_compute(struct period_spend *ps, const struct dataset *ds, const struct period *period,
                   int32_t as_of_day);
void spend_release(struct period_spend *ps);

#endif
