/* fx.h — the FX rate in force on a day, and conversions between currencies (DESIGN §5, §7a).
 *
 * The dataset's fx table holds effective-dated rates: `rate_to_base` units of the reporting
 * currency per unit of a currency, in force from its effective day until the next one of the
 * same currency. The rate in force on a day is the one with the latest effective day on or
 * before it; a day before a currency's first rate has none. Ingest keeps (currency, day) unique,
 * so the answer does not depend on the table's order.
 *
 * Amounts are int64_t minor units. A conversion folds the difference in minor digits between the
 * two currencies into the exact arithmetic (JPY has 0, USD 2, KWD 3) and rounds once, half away
 * from zero: into the reporting currency it multiplies by the rate (ingest converts foreign
 * deals on their close day), into a payee's currency it divides by it (payout pays at the rate
 * of its payment_fx_date). Nothing here uses floating point or reports a diagnostic: callers
 * say which row or person failed, in their own words.
 *
 * Ownership: struct fx_rates owns its sorted copy of the table (fx_rates_release frees it; a
 * zeroed or released struct is empty); it does not point into the table it was built from.
 */
#ifndef SAMETABLE_FX_H
#define SAMETABLE_FX_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "money.h"

/* The rates of an fx table sorted by (currency, effective day), for a binary search. */
struct fx_rates {
    struct fx_rate *rate; /* n entries, sorted; NULL when n == 0 */
    size_t n;
};

/* Build the index of `t`'s rates (t may be empty). Aborts on out of memory. */
void fx_rates_init(struct fx_rates *rates, const struct fx_table *t);
void fx_rates_release(struct fx_rates *rates);

/* The rate of `code` (ISO, upper case) in force on business day `day`: the latest effective day
 * on or before it. Returns 0 and sets *out, or -1 (out untouched) when there is none. */
int fx_rate_on(const struct fx_rates *rates, const char *code, int32_t day, struct decimal *out);

/* `minor` units of `code` × rate, in minor units of the reporting currency (`base_digits` minor
 * digits), rounded once, half away from zero. Returns 0, or -1 when the result (or the rate with
 * the digits folded in) does not fit. */
int fx_to_base(int64_t minor, const char *code, struct decimal rate, int base_digits, int64_t *out);

/* `minor` units of the reporting currency (`base_digits` minor digits) ÷ rate, in minor units of
 * `code`, rounded once, half away from zero. rate must be positive. Returns 0, or -1 when the
 * exact arithmetic overflowed (reads and clears rat.h's sticky flag, so it also reports an
 * overflow of the caller's own rat arithmetic since it last asked). */
int fx_from_base(int64_t minor, const char *code, struct decimal rate, int base_digits,
                 int64_t *out);

#endif
