/* rat.h — exact rational numbers for incentive arithmetic (DESIGN §5.1).
 *
 * Tier boundaries at a percentage of a prorated quota, interpolated rates and proration factors
 * are not decimals (a quota × 17/31 is not a whole number of cents), so the payout engine works
 * in rationals with 128-bit numerators and denominators, kept reduced, and rounds to minor units
 * only where DESIGN §5.2 says: half away from zero, once per line. No floating point is involved
 * except rat_to_double, which is for display (an attainment shown as a percentage).
 *
 * Overflow never wraps: an operation whose exact result does not fit sets a sticky flag, which
 * rat_overflowed() reports (and clears); the result is then meaningless. The engine checks the
 * flag after each person and reports an error instead of a wrong number.
 */
#ifndef SAMETABLE_RAT_H
#define SAMETABLE_RAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "money.h"

__extension__ typedef __int128 rat_int;

struct rat {
    rat_int n; /* numerator, sign of the value */
    rat_int d; /* denominator, > 0; gcd(n, d) == 1 */
};

struct rat rat_int64(int64_t v);
struct rat rat_frac(int64_t n, int64_t d); /* d != 0 */
struct rat rat_dec(struct decimal v);
struct rat rat_add(struct rat a, struct rat b);
struct rat rat_sub(struct rat a, struct rat b);
struct rat rat_mul(struct rat a, struct rat b);
struct rat rat_div(struct rat a, struct rat b); /* b != 0 */
struct rat rat_neg(struct rat a);
struct rat rat_abs(struct rat a);
int rat_cmp(struct rat a, struct rat b);
int rat_sign(struct rat a);
static inline bool rat_is_zero(struct rat a)
{
    return a.n == 0;
}
struct rat rat_min(struct rat a, struct rat b);
struct rat rat_max(struct rat a, struct rat b);

/* Round half away from zero to an integer (minor units). Sets the overflow flag if the result
 * does not fit int64_t. */
int64_t rat_round(struct rat a);
double rat_to_double(struct rat a);

/* Write a as a decimal with at most `digits` fractional digits, rounded half away from zero,
 * trailing zeros dropped ("0.125", "-3", "0.3333"). Returns the length it needed. */
size_t rat_format(char *buf, size_t size, struct rat a, int digits);

/* Text for calculations a reader redoes by hand (the Lines sheet, statements, explain), thousands
 * grouped with ',' and '.' before the decimals:
 *   rat_text_exact: a exactly, with at least min_dec decimals: "1,234.5678", "-0.05"; a value
 *     that is not a finite decimal as a finite decimal over a whole number, "(12,500.00 ÷ 3)"
 *     for 12500/3 (min_dec 2);
 *   rat_text_pct: a fraction as a percentage, exactly: "6%", "1.5%", "(70.21% ÷ 11)";
 *   rat_text_cut: for reading only: exact when a is a decimal of at most max_dec places, else
 *     cut off (toward zero) after max_dec places and marked "…": "61.033851…" (× 100 and "%"
 *     appended when pct). */
void rat_text_exact(char *buf, size_t size, struct rat a, int min_dec);
void rat_text_pct(char *buf, size_t size, struct rat a);
void rat_text_cut(char *buf, size_t size, struct rat a, int min_dec, int max_dec, bool pct);

/* true if some operation overflowed since the last call; clears the flag. */
bool rat_overflowed(void);

#endif
