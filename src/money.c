/* money.c — minor-unit money: strict amount parsing, exact rates, largest-remainder splits. */
#include "money.h"

#include <string.h>

#include "util.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define MAG_INT64_MIN     ((uint64_t)1 << 63) /* |INT64_MIN|, the largest magnitude we can return */
#define DECIMAL_MAX_SCALE 18                  /* 10^18 is the largest power of ten in int64_t */

static const int64_t pow10_table[DECIMAL_MAX_SCALE + 1] = {
    1,
    10,
    100,
    1000,
    10000,
    100000,
    1000000,
    10000000,
    100000000,
    1000000000,
    10000000000,
    100000000000,
    1000000000000,
    10000000000000,
    100000000000000,
    1000000000000000,
    10000000000000000,
    100000000000000000,
    1000000000000000000,
};

/* -(v + 1) cannot overflow, so INT64_MIN maps to 2^63 without undefined behaviour. */
static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
}

/* Callers guarantee m <= 2^63 when negative and m <= INT64_MAX otherwise. */
static int64_t from_magnitude(int negative, uint64_t m)
{
    if (!negative)
        return (int64_t)m;
    if (m == 0)
        return 0;
    return -(int64_t)(m - 1) - 1;
}

/* Whether magnitude m with the given sign is representable; m may exceed uint64_t. */
static int fits_int64(int negative, u128 m)
{
    return negative ? m <= MAG_INT64_MIN : m < MAG_INT64_MIN;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static unsigned char ascii_upper(unsigned char c)
{
    return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 32) : c;
}

/* ---- currency table ---------------------------------------------------------------------- */

struct currency {
    char code[4];
    signed char minor_digits;
};

/* ISO 4217 active codes (plus a few recently withdrawn ones that old exports still carry), sorted
 * so lookups can bisect. Codes without a minor unit (XAU, XDR, …) are deliberately absent. */
static const struct currency currencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUC", 2}, {"CUP", 2}, {"CVE", 2},
    {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2},
    {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2},
    {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HRK", 2}, {"HTG", 2}, {"HUF", 2},
    {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3},
    {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3},
    {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3},
    {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2},
    {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2},
    {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2},
    {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2},
    {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
    {"SHP", 2}, {"SLE", 2}, {"SLL", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2},
    {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2},
    {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0},
    {"UYU", 2}, {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2},
    {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2},
    {"ZWG", 2}, {"ZWL", 2},
};

/* Minor digits of the 3-byte code at s (any case), or -1. */
static int lookup_currency(const unsigned char *s, size_t len, char iso[4])
{
    char key[4];
    if (len != 3)
        return -1;
    for (size_t i = 0; i < 3; i++) {
        unsigned char c = ascii_upper(s[i]);
        if (c < 'A' || c > 'Z')
            return -1;
        key[i] = (char)c;
    }
    key[3] = '\0';
    size_t lo = 0, hi = ARRAY_LEN(currencies);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(key, currencies[mid].code, 3);
        if (c == 0) {
            if (iso)
                memcpy(iso, key, 4);
            return currencies[mid].minor_digits;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

int money_minor_digits(const char *iso)
{
    size_t n = 0;
    if (!iso)
        return -1;
    while (n < 4 && iso[n] != '\0')
        n++;
    return lookup_currency((const unsigned char *)iso, n, NULL);
}

/* ---- parsing ----------------------------------------------------------------------------- */

/* Length of one space between a currency and its number: ASCII space, NBSP or narrow NBSP. */
static size_t space_at(const unsigned char *s, size_t len)
{
    if (len >= 1 && s[0] == ' ')
        return 1;
    if (len >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
        return 2;
    if (len >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0xAF)
        return 3;
    return 0;
}

/* Length of a thousands separator of the declared kind at s, 0 if none. */
static size_t group_sep_at(const unsigned char *s, size_t len, char thousands)
{
    switch (thousands) {
    case 0:
        return 0;
    case ' ':
        return space_at(s, len);
    case '\'':
        if (len >= 1 && s[0] == '\'')
            return 1;
        if (len >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0x99) /* U+2019 */
            return 3;
        return 0;
    default:
        return len >= 1 && s[0] == (unsigned char)thousands ? 1 : 0;
    }
}

/* Length of a currency symbol or known ISO code at s (recording its code in iso), 0 if none. */
static size_t currency_at(const unsigned char *s, size_t len, char iso[4])
{
    static const struct {
        const char *utf8;
        const char *iso;
    } symbols[] = {
        {"$", "USD"},
        {"\xE2\x82\xAC", "EUR"},
        {"\xC2\xA3", "GBP"},
        {"\xC2\xA5", "JPY"},
    };
    for (size_t i = 0; i < ARRAY_LEN(symbols); i++) {
        size_t n = strlen(symbols[i].utf8);
        if (len >= n && memcmp(s, symbols[i].utf8, n) == 0) {
            memcpy(iso, symbols[i].iso, 4);
            return n;
        }
    }
    if (len >= 3 && lookup_currency(s, 3, iso) >= 0)
        return 3;
    return 0;
}

static int is_spreadsheet_error(const char *s, size_t len)
{
    return spreadsheet_error_literal(s, len);
}

/* The digits of an amount, scanned before its value is trusted: shape errors outrank grouping,
 * precision and range errors, so "5.10203E+10" is a syntax error, not a precision one. */
struct number_scan {
    size_t end;        /* index just past the number */
    int ok;            /* at least one digit, and no decimal separator left dangling */
    int bad_grouping;  /* separators present but not in valid 3- or Indian 2-digit groups */
    int bad_precision; /* more fractional digits than minor_digits */
    int too_big;       /* the magnitude exceeds 2^63 minor units */
    uint64_t minor;    /* magnitude in minor units when !too_big && !bad_precision */
};

static void scan_number(const unsigned char *s, size_t len, size_t p, const struct money_fmt *fmt,
                        struct number_scan *ns)
{
    u128 acc = 0;
    size_t run = 0, nruns = 0, first_len = 0, last_len = 0, nfrac = 0;
    int lead_zero = 0, mid2 = 1, mid3 = 1, any_digit = 0;

    memset(ns, 0, sizeof *ns);
    for (;;) {
        run = 0;
        while (p < len && is_digit(s[p])) {
            /* Saturate just past 2^63: the value is out of range either way and acc cannot wrap. */
            if (acc <= MAG_INT64_MIN)
                acc = acc * 10 + (unsigned)(s[p] - '0');
            run++;
            p++;
        }
        if (nruns == 0) {
            first_len = run;
            lead_zero = run > 0 && s[p - run] == '0';
        }
        size_t k = run > 0 ? group_sep_at(s + p, len - p, fmt->thousands) : 0;
        /* A separator not followed by a digit ends the number ("1 234 €" with ' ' grouping). */
        if (k > 0 && p + k < len && is_digit(s[p + k])) {
            if (nruns > 0) {
                mid2 &= run == 2;
                mid3 &= run == 3;
            }
            nruns++;
            p += k;
            continue;
        }
        last_len = run;
        nruns++;
        break;
    }
    any_digit = first_len > 0;

    if (p < len && s[p] == (unsigned char)fmt->decimal) {
        p++;
        while (p < len && is_digit(s[p])) {
            nfrac++;
            if (nfrac <= (size_t)fmt->minor_digits && acc <= MAG_INT64_MIN)
                acc = acc * 10 + (unsigned)(s[p] - '0');
            p++;
        }
        if (nfrac == 0) {
            ns->end = p;
            return; /* "1." is not an amount */
        }
        any_digit = 1;
    }
    ns->end = p;
    ns->ok = any_digit;
    if (nruns > 1) {
        /* "0,123" has a leading zero only grouping could explain; reject it with the rest. */
        int western = mid3 && first_len <= 3;
        int indian = nruns >= 3 && mid2 && first_len <= 2;
        ns->bad_grouping = last_len != 3 || lead_zero || !(western || indian);
    }
    if (nfrac > (size_t)fmt->minor_digits) {
        ns->bad_precision = 1;
        return;
    }
    for (size_t i = nfrac; i < (size_t)fmt->minor_digits; i++)
        if (acc <= MAG_INT64_MIN)
            acc *= 10;
    ns->too_big = acc > MAG_INT64_MIN;
    ns->minor = ns->too_big ? 0 : (uint64_t)acc;
}

static int sign_at(const unsigned char *s, size_t len, size_t p)
{
    if (p < len && s[p] == '-')
        return -1;
    if (p < len && s[p] == '+')
        return 1;
    return 0;
}

int money_parse(const char *str, size_t len, const struct money_fmt *fmt, struct money_parsed *out)
{
    if ((fmt->decimal != '.' && fmt->decimal != ',') || fmt->thousands == fmt->decimal ||
        fmt->minor_digits < 0 || fmt->minor_digits > 4)
        BUG("money_parse: invalid money_fmt");
    out->minor = 0;
    out->currency[0] = '\0';

    const char *t = str;
    size_t n = len;
    trim_span(&t, &n);
    if (n == 0)
        return MONEY_EEMPTY;
    if (is_spreadsheet_error(t, n))
        return MONEY_ESPREADSHEET;

    const unsigned char *s = (const unsigned char *)t;
    size_t p = 0, k;
    int sign = 0, paren = 0, closed = 0;
    char cur[4] = "";

    if (s[p] == '(') {
        paren = 1;
        p++;
    }
    if ((sign = sign_at(s, n, p)) != 0)
        p++;
    if ((k = currency_at(s + p, n - p, cur)) > 0) {
        p += k;
        while ((k = space_at(s + p, n - p)) > 0)
            p += k;
        /* Excel's accounting format writes "$ (1,200.00)": the bracket follows the symbol. */
        if (!paren && !sign && p < n && s[p] == '(') {
            paren = 1;
            p++;
        }
        if (!sign && (sign = sign_at(s, n, p)) != 0)
            p++;
    }

    struct number_scan ns;
    scan_number(s, n, p, fmt, &ns);
    if (!ns.ok)
        return MONEY_ESYNTAX;
    p = ns.end;

    /* SAP-style trailing minus sits right against the digits. */
    if (!sign && !paren && p < n && s[p] == '-') {
        sign = -1;
        p++;
    }
    if (paren && p < n && s[p] == ')') {
        closed = 1;
        p++;
    }
    size_t q = p;
    while ((k = space_at(s + q, n - q)) > 0)
        q += k;
    if (!cur[0] && (k = currency_at(s + q, n - q, cur)) > 0)
        p = q + k;
    if (paren && !closed && p < n && s[p] == ')') {
        closed = 1;
        p++;
    }
    if (p != n || paren != closed || (paren && sign))
        return MONEY_ESYNTAX;
    if (ns.bad_grouping)
        return MONEY_EGROUPING;
    if (ns.bad_precision)
        return MONEY_EPRECISION;
    int negative = paren || sign < 0;
    if (ns.too_big || !fits_int64(negative, ns.minor))
        return MONEY_EOVERFLOW;
    out->minor = from_magnitude(negative, ns.minor);
    memcpy(out->currency, cur, sizeof cur);
    return MONEY_OK;
}

const char *money_strerror(int err)
{
    switch (err) {
    case MONEY_OK:
        return "no error";
    case MONEY_EEMPTY:
        return "empty amount";
    case MONEY_ESYNTAX:
        return "not an amount in the declared format";
    case MONEY_EGROUPING:
        return "misplaced thousands separator";
    case MONEY_EPRECISION:
        return "too many decimals";
    case MONEY_EOVERFLOW:
        return "amount out of range";
    case MONEY_ESPREADSHEET:
        return "spreadsheet error value";
    case MONEY_ECURRENCY:
        return "currency does not match";
    default:
        return "unknown money error";
    }
}

/* ---- formatting -------------------------------------------------------------------------- */

/* Copy like snprintf: truncate to size, always terminate when size > 0, return the full length. */
static size_t copy_out(char *buf, size_t size, const char *src, size_t n)
{
    if (size > 0) {
        size_t m = n < size - 1 ? n : size - 1;
        memcpy(buf, src, m);
        buf[m] = '\0';
    }
    return n;
}

/* Writes |v| / 10^scale with exactly `scale` decimals into tmp (>= 42 bytes); returns length. */
static size_t format_fixed(char *tmp, int negative, uint64_t mag, int scale)
{
    char digits[24];
    size_t nd = 0, n = 0;
    do {
        digits[nd++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag > 0);
    while (nd <= (size_t)scale)
        digits[nd++] = '0'; /* at least one integer digit: "0.005" */
    if (negative)
        tmp[n++] = '-';
    for (size_t i = nd; i-- > 0;) {
        tmp[n++] = digits[i];
        if (i == (size_t)scale && i > 0)
            tmp[n++] = '.';
    }
    return n;
}

size_t money_format(char *buf, size_t size, int64_t minor, int minor_digits)
{
    char tmp[48];
    if (minor_digits < 0 || minor_digits > DECIMAL_MAX_SCALE)
        BUG("money_format: minor_digits out of range");
    size_t n = format_fixed(tmp, minor < 0, magnitude(minor), minor_digits);
    return copy_out(buf, size, tmp, n);
}

size_t money_format_grouped(char *buf, size_t size, int64_t minor, int minor_digits)
{
    char tmp[48], out[72];
    size_t n = money_format(tmp, sizeof tmp, minor, minor_digits);
    const char *dot = memchr(tmp, '.', n);
    size_t neg = tmp[0] == '-', int_end = dot ? (size_t)(dot - tmp) : n, o = 0;
    if (neg)
        out[o++] = '-';
    for (size_t i = neg; i < int_end; i++) {
        if (i > neg && (int_end - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = tmp[i];
    }
    for (size_t i = int_end; i < n; i++)
        out[o++] = tmp[i];
    return copy_out(buf, size, out, o);
}

size_t decimal_format(char *buf, size_t size, struct decimal d)
{
    char tmp[48];
    if (d.scale < 0 || d.scale > DECIMAL_MAX_SCALE)
        BUG("decimal_format: scale out of range");
    size_t n = format_fixed(tmp, d.units < 0, magnitude(d.units), d.scale);
    if (d.scale > 0) {
        while (tmp[n - 1] == '0')
            n--;
        if (tmp[n - 1] == '.')
            n--;
    }
    return copy_out(buf, size, tmp, n);
}

/* ---- exact arithmetic -------------------------------------------------------------------- */

int money_mul_div(int64_t a, int64_t b, int64_t c, int64_t *out)
{
    if (c == 0)
        return -1;
    int negative = (a < 0) != (b < 0);
    if (c < 0)
        negative = !negative;
    /* |a * b| <= 2^126, so the product and 2 * remainder both fit in 128 bits. */
    u128 p = (u128)magnitude(a) * magnitude(b);
    u128 d = magnitude(c);
    u128 q = p / d, r = p % d;
    if (2 * r >= d)
        q++;
    if (!fits_int64(negative, q))
        return -1;
    *out = from_magnitude(negative, (uint64_t)q);
    return 0;
}

int money_mul_decimal(int64_t minor, struct decimal rate, int64_t *out)
{
    if (rate.scale < 0 || rate.scale > DECIMAL_MAX_SCALE)
        return -1;
    return money_mul_div(minor, rate.units, pow10_table[rate.scale], out);
}

int decimal_cmp(struct decimal a, struct decimal b)
{
    if (a.scale < 0 || a.scale > DECIMAL_MAX_SCALE || b.scale < 0 || b.scale > DECIMAL_MAX_SCALE)
        BUG("decimal_cmp: scale out of range");
    /* |units| <= 2^63 and 10^18 < 2^60, so both sides fit in i128. */
    i128 x = (i128)a.units, y = (i128)b.units;
    if (a.scale < b.scale)
        x *= pow10_table[b.scale - a.scale];
    else
        y *= pow10_table[a.scale - b.scale];
    return (x > y) - (x < y);
}

int decimal_parse(const char *str, size_t len, struct decimal *out)
{
    const char *t = str;
    size_t n = len, p = 0, k, nint = 0, nfrac = 0;
    trim_span(&t, &n);
    const unsigned char *s = (const unsigned char *)t;
    u128 acc = 0;
    int negative = 0, percent = 0;

    if (p < n && (s[p] == '-' || s[p] == '+'))
        negative = s[p++] == '-';
    for (; p < n && is_digit(s[p]); p++, nint++)
        if (acc <= MAG_INT64_MIN)
            acc = acc * 10 + (unsigned)(s[p] - '0');
    if (p < n && s[p] == '.') {
        p++;
        for (; p < n && is_digit(s[p]); p++, nfrac++)
            if (acc <= MAG_INT64_MIN)
                acc = acc * 10 + (unsigned)(s[p] - '0');
        if (nfrac == 0)
            return -1;
    }
    if (nint + nfrac == 0)
        return -1;
    size_t q = p;
    while ((k = space_at(s + q, n - q)) > 0)
        q += k;
    if (q < n && s[q] == '%') {
        percent = 1;
        p = q + 1;
    }
    if (p != n)
        return -1;
    size_t scale = nfrac + (percent ? 2 : 0);
    if (scale > DECIMAL_MAX_SCALE || !fits_int64(negative, acc))
        return -1;
    out->units = from_magnitude(negative, (uint64_t)acc);
    out->scale = (int)scale;
    return 0;
}

/* ---- allocation -------------------------------------------------------------------------- */

/* Remainder of |total| * w / W given the already-stored floor q; multiplication only. */
static uint64_t share_remainder(uint64_t total, uint64_t w, uint64_t sum, uint64_t q)
{
    return (uint64_t)((u128)total * w - (u128)q * sum);
}

int money_allocate(int64_t total, const uint64_t *weights, size_t n, int64_t *out)
{
    uint64_t sum = 0;
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (weights[i] > UINT64_MAX - sum)
            return -1;
        sum += weights[i];
    }
    if (sum == 0)
        return -1;

    int negative = total < 0;
    uint64_t abs_total = magnitude(total), given = 0;
    /* Floors go straight into out[] (signed), so no scratch memory is needed. */
    for (size_t i = 0; i < n; i++) {
        uint64_t q = (uint64_t)((u128)abs_total * weights[i] / sum);
        out[i] = from_magnitude(negative, q);
        given += q;
    }
    uint64_t left = abs_total - given; /* < n, since each floor loses less than one unit */
    if (left == 0)
        return 0;

    /* Find the left-th largest remainder by bisecting on its value: O(64 n), no sorting buffer.
     * Invariant: at least `left` shares have a remainder >= lo. */
    uint64_t lo = 0, hi = sum - 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2 + 1;
        uint64_t count = 0;
        for (size_t i = 0; i < n; i++)
            if (share_remainder(abs_total, weights[i], sum, magnitude(out[i])) >= mid)
                count++;
        if (count >= left)
            lo = mid;
        else
            hi = mid - 1;
    }
    uint64_t above = 0;
    for (size_t i = 0; i < n; i++)
        if (share_remainder(abs_total, weights[i], sum, magnitude(out[i])) > lo)
            above++;
    uint64_t ties = left - above; /* shares at exactly the threshold, earliest first */
    for (size_t i = 0; i < n; i++) {
        uint64_t r = share_remainder(abs_total, weights[i], sum, magnitude(out[i]));
        if (r > lo || (r == lo && ties > 0)) {
            if (r == lo)
                ties--;
            out[i] = from_magnitude(negative, magnitude(out[i]) + 1);
        }
    }
    return 0;
}
