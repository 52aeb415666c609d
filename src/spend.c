/* spend.c — campaign spend belonging to the run's period. */
#include "spend.h"

#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "util.h"

static const char *const basis_text[SPEND_BASIS_N] = {
#define SPEND_TEXT(id, text) [id] = text,
    SPEND_BASES(SPEND_TEXT)
#undef SPEND_TEXT
};

const char *spend_basis_text(enum spend_basis b)
{
    return (unsigned)b < SPEND_BASIS_N ? basis_text[b] : "?";
}

static int32_t max_day(int32_t a, int32_t b)
{
    return a > b ? a : b;
}

static int32_t min_day(int32_t a, int32_t b)
{
    return a < b ? a : b;
}

void spend_compute(struct period_spend *ps, const struct dataset *ds, const struct period *period,
                   int32_t as_of_day)
{
    const struct campaign_table *ct = &ds->campaigns;
    memset(ps, 0, sizeof *ps);
    ps->n_campaigns = ct->n;
    ps->n_channels = ds->channels.n;
    size_t nc = ct->n ? ct->n : 1;
    ps->campaign = xcalloc(nc, sizeof *ps->campaign);
    ps->basis = xcalloc(nc, sizeof *ps->basis);
    ps->days_in = xcalloc(nc, sizeof *ps->days_in);
    ps->days = xcalloc(nc, sizeof *ps->days);
    ps->channel = xcalloc(ds->channels.n ? ds->channels.n : 1, sizeof *ps->channel);
    for (uint32_t c = 0; c < ct->n; c++) {
        enum spend_basis b;
        int64_t cents = 0;
        if (!ct->known[c]) {
            b = SPEND_UNKNOWN;
        } else if (ct->spend_named[c]) {
            b = SPEND_FILE;
            cents = ct->spend_dated[c];
        } else if (ct->start_day[c] == DAY_NONE) {
            b = SPEND_NO_DATES;
            cents = ct->spend[c];
        } else {
            int32_t first = ct->start_day[c];
            bool running = ct->end_day[c] == DAY_NONE || ct->end_day[c] > as_of_day;
            int32_t last = running ? as_of_day : ct->end_day[c];
            if (last < first) {
                b = SPEND_NOT_STARTED;
            } else {
                b = running ? SPEND_RUNNING : SPEND_SPREAD;
                int32_t days = last - first + 1;
                int32_t in =
                    min_day(last, period->last_day) - max_day(first, period->first_day) + 1;
                if (in < 0)
                    in = 0;
                ps->days[c] = days;
                ps->days_in[c] = in;
                /* in <= days, so the result is at most |spend| and always fits */
                if (money_mul_div(ct->spend[c], in, days, &cents))
                    BUG("period spend does not fit");
            }
        }
        ps->basis[c] = (uint8_t)b;
        ps->n_basis[b]++;
        ps->campaign[c] = cents;
        ps->total += cents;
        if (ct->channel[c] != ID_NONE)
            ps->channel[ct->channel[c]] += cents;
    }
}

void spend_release(struct period_spend *ps)
{
    if (!ps)
        return;
    free(ps->campaign);
    free(ps->basis);
    free(ps->days_in);
    free(ps->days);
    free(ps->channel);
    memset(ps, 0, sizeof *ps);
}
