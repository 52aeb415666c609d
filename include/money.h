/* money.h — money as int64_t minor units: strict parsing, formatting, exact rates, allocation.
 *
 * No function here uses floating point. An amount is an int64_t count of the currency's minor
 * units (cents for USD/EUR, yen for JPY, fils for KWD). Rates are exact decimals (struct decimal).
 * Rounding is half away from zero everywhere (DESIGN §5.2). Allocation is largest remainder with
 * ties to the earlier share, on the absolute amount with the sign restored (DESIGN §5.3, §7a).
 * Nothing here allocates memory; callers own every buffer they pass.
 */
#ifndef SAMETABLE_MONEY_H
#define SAMETABLE_MONEY_H

#include <stddef.h>
#include <stdint.h>

enum money_err {
    MONEY_OK = 0,
    MONEY_EEMPTY,     /* empty or blank field */
    MONEY_ESYNTAX,    /* not an amount in the declared format */
    MONEY_EGROUPING,  /* thousands separators in the wrong places, e.g. '12,50' with '.' decimal */
    MONEY_EPRECISION, /* more fractional digits than the currency has minor units */
    MONEY_EOVERFLOW,  /* does not fit int64_t minor units */
    MONEY_ESPREADSHEET, /* a spreadsheet error literal (#N/A, #VALUE!, #REF!, #DIV/0!, #NAME?, …) */
    MONEY_ECURRENCY,    /* a currency symbol/code that contradicts the expected currency */
};

/* How amounts in one file are written. */
struct money_fmt {
    char decimal;   /* '.' or ',' */
    char thousands; /* ',', '.', ' ' (also NBSP U+00A0 and U+202F), '\'' (also U+2019), or 0 = none
                     */
    int minor_digits; /* the currency's exponent, 0..4 (USD 2, JPY 0, KWD 3, CLF 4) */
};

struct money_parsed {
    int64_t minor;    /* the amount in minor units */
    char currency[4]; /* ISO code implied by a symbol or code in the value, "" if none */
};

/* Parse a whole field strictly. Accepted shapes: optional sign '-' or '+' before or after a
 * currency symbol ($ € £ ¥ or a 3-letter ISO code, prefix or suffix, with optional space/NBSP
 * between), digits with optional thousands separators (groups of 3, or Indian 2-digit groups before
 * the last 3), an optional decimal part of at most fmt->minor_digits digits, negatives as
 * '-1,200.00',
 * '$-1,200.00', '-$1,200.00', '(1,200.00)' or '1,200.00-'. Leading/trailing ASCII space and NBSP
 * are ignored. Symbols: $ = USD, € = EUR, £ = GBP, ¥ = JPY. Returns an enum money_err.
 *
 * Details the shapes above leave open:
 *  - Padding is whatever trim_span() strips (also tab, U+202F, U+200B, U+2060).
 *  - ISO codes match case-insensitively but only if money_minor_digits() knows them; out->currency
 *    is upper case. A symbol or code on both sides ("$1.00 USD") is MONEY_ESYNTAX. money_parse
 *    never returns MONEY_ECURRENCY: callers compare out->currency with what they expect.
 *  - '(' opens the field or follows a prefix currency ("$ (1,200.00)"); ')' closes it before or
 *    after a suffix currency. A sign together with parentheses is MONEY_ESYNTAX, as is a trailing
 *    minus not directly after the digits ("1,200.00 -").
 *  - ".5" is 0.50; "1." is MONEY_ESYNTAX. Leading zeros are allowed only without grouping.
 *  - Extra decimals are MONEY_EPRECISION even when they are zeros ("1.500" USD, "10,000.00" JPY).
 *  - A thousands separator counts only when a digit follows it, so with ' ' grouping "1 234 €" ends
 *    the number at the second space. With thousands = 0 any grouping character is MONEY_ESYNTAX.
 *  - Spreadsheet literals (case-insensitive): #N/A #VALUE! #REF! #DIV/0! #NAME? #NUM! #NULL!,
 *    Excel's newer #SPILL! #CALC! #FIELD! #BUSY! #BLOCKED! #CONNECT! #UNKNOWN! #GETTING_DATA and
 *    Google Sheets' #ERROR!.
 *  - When several things are wrong the first of ESYNTAX, EGROUPING, EPRECISION, EOVERFLOW wins, so
 *    "5.10203E+10" is a syntax error, not a precision one.
 *  - On error *out is {0, ""}. An invalid fmt (decimal not '.' or ',', thousands equal to decimal,
 *    minor_digits outside 0..4) is a caller bug and aborts through BUG(). */
int money_parse(const char *s, size_t len, const struct money_fmt *fmt, struct money_parsed *out);

/* A fixed, lower-case description of a money_err ("bad amount", "too many decimals", …). */
const char *money_strerror(int err);

/* ISO 4217 minor-unit exponent of a currency code (case-insensitive), or -1 if unknown. The table
 * holds the active codes plus a few recently withdrawn ones old exports still carry (HRK, SLL,
 * ZWL); codes without a minor unit (XAU, XDR, …) are unknown. */
int money_minor_digits(const char *iso);

/* Write `minor` as a plain decimal ("-1234.50", "1000", "0.005") with minor_digits decimals and
 * no grouping into buf (NUL-terminated, truncated to size). Returns the length it needed.
 * minor_digits outside 0..18 aborts through BUG(). */
size_t money_format(char *buf, size_t size, int64_t minor, int minor_digits);
/* The same with a comma between thousands: "-1,234,567.89". */
size_t money_format_grouped(char *buf, size_t size, int64_t minor, int minor_digits);

/* *out = round_half_away_from_zero(a * b / c), exact (128-bit intermediate).
 * Returns 0, or -1 if c == 0 or the result does not fit int64_t (then *out is left alone). */
int money_mul_div(int64_t a, int64_t b, int64_t c, int64_t *out);

/* An exact decimal number: units / 10^scale, scale 0..18. 5% is {5, 2}; 12.5% is {125, 3}. */
struct decimal {
    int64_t units;
    int scale;
};

/* Parse "0.05", "-3", "12.5%", "5 %" (percent divides by 100) strictly, at most 18 fractional
 * digits after the percent shift. Returns 0 or -1.
 * Digits are kept as written, not normalised: "0.050" is {50, 3}, "100%" is {100, 2}. The field is
 * trimmed like trim_span(); '+' is allowed; ".5" is accepted, "5." is not; the space before '%'
 * may be ASCII, NBSP or U+202F. No grouping or exponent. *out is left alone on error. */
int decimal_parse(const char *s, size_t len, struct decimal *out);

/* Write d as a plain decimal string without trailing zeros ("0.05", "12.5", "3").
 * Returns the length it needed. A scale outside 0..18 aborts through BUG() here and in
 * decimal_cmp; money_mul_decimal returns -1 for it instead. */
size_t decimal_format(char *buf, size_t size, struct decimal d);

/* Compare two decimals exactly: <0, 0, >0. */
int decimal_cmp(struct decimal a, struct decimal b);

/* *out = round_half_away_from_zero(minor * rate). Returns 0 or -1 on overflow. */
int money_mul_decimal(int64_t minor, struct decimal rate, int64_t *out);

/* Largest-remainder allocation of `total` over n shares in proportion to weights (each >= 0,
 * their sum > 0 and representable in uint64_t): out[i] = floor(|total| * w_i / W) plus one unit
 * for the (|total| - sum of floors) largest remainders, ties to the lower index; then the sign of
 * total is restored. The out[] sum to total exactly. Returns 0, or -1 if n == 0, all weights are 0
 * or their sum overflows (out[] is then left alone). A zero weight always gets 0. */
int money_allocate(int64_t total, const uint64_t *weights, size_t n, int64_t *out);

#endif
