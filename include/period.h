/* period.h — calendar periods (month, quarter, year) as inclusive day ranges with stable names.
 *
 * A period is spelled "2026-11", "2026-Q4" or "2026" (DESIGN §6); its days are business calendar
 * days. Plain values, no allocation.
 */
#ifndef SAMETABLE_PERIOD_H
#define SAMETABLE_PERIOD_H

#include <stdbool.h>
#include <stdint.h>

enum period_kind { PERIOD_MONTH, PERIOD_QUARTER, PERIOD_YEAR };

struct period {
    enum period_kind kind;
    int year;
    int index;         /* month 1..12, quarter 1..4, 0 for a year */
    int32_t first_day; /* day number of the first day */
    int32_t last_day;  /* day number of the last day (inclusive) */
    char name[12];     /* "2026-11", "2026-Q4", "2026" */
};

/* Parse a period name strictly. Returns 0 or -1. */
int period_parse(const char *s, struct period *out);
/* The period of `kind` that contains `day`. */
void period_containing(enum period_kind kind, int32_t day, struct period *out);
static inline bool period_has_day(const struct period *p, int32_t day)
{
    return day >= p->first_day && day <= p->last_day;
}
int32_t period_days(const struct period *p);

#endif
