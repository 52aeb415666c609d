/* date.c — day numbers (Hinnant's days-from-civil) and strict date-time field parsing. */
#include "date.h"

#include "util.h"

#include <stdio.h>
#include <string.h>

bool date_valid(int year, int month, int day)
{
    if (year < 1 || year > 9999 || month < 1 || month > 12)
        return false;
    return day >= 1 && day <= date_days_in_month(year, month);
}

static bool is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && is_leap(year))
        return 29;
    return days[month - 1];
}

/* Hinnant's algorithm counts eras of 400 years (146097 days) from 0000-03-01 so that the leap day
 * falls at the end of each computational year; 719468 is the day count from there to 1970-01-01. */
int32_t date_from_civil(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (int64_t)(month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void date_to_civil(int32_t day, int *year, int *month, int *mday)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *mday = (int)(doy - (153 * mp + 2) / 5 + 1);
}

/* Clamped because the int64 range of seconds spans far more days than int32 can name. */
int32_t date_day_of_ts(int64_t ts)
{
    int64_t d = ts / DATE_SECONDS_PER_DAY;
    if (ts % DATE_SECONDS_PER_DAY < 0)
        d--;
    if (d > INT32_MAX)
        return INT32_MAX;
    if (d < INT32_MIN)
        return INT32_MIN;
    return (int32_t)d;
}

static const char *const format_names[] = {
    [DATE_ISO] = "iso",        [DATE_MDY] = "m/d/yyyy",
    [DATE_DMY] = "d/m/yyyy",   [DATE_DMY_DOT] = "dd.mm.yyyy",
    [DATE_YMD] = "yyyy-mm-dd",
};

int date_format_from_name(const char *name, enum date_format *out)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < ARRAY_LEN(format_names); i++) {
        if (ascii_casecmp_n(name, len, format_names[i], strlen(format_names[i])) == 0) {
            *out = (enum date_format)i;
            return 0;
        }
    }
    return -1;
}

const char *date_format_name(enum date_format f)
{
    if ((size_t)f >= ARRAY_LEN(format_names))
        BUG("date_format_name: unknown format");
    return format_names[f];
}

const char *date_strerror(int err)
{
    switch (err) {
    case DATE_OK:
        return "ok";
    case DATE_EEMPTY:
        return "empty date";
    case DATE_ESYNTAX:
        return "not in the declared date layout";
    case DATE_EINVALID:
        return "no such date or time";
    case DATE_ESPREADSHEET:
        return "spreadsheet error value or serial number instead of a date";
    default:
        return "unknown date error";
    }
}

struct cursor {
    const char *p;
    const char *end;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Digits are taken greedily before counting so that "20261" is never read as year 2026 plus a
 * stray digit: the run as a whole must have min..max digits. */
static bool take_digits(struct cursor *c, int min, int max, int *value)
{
    int n = 0, v = 0;
    while (c->p < c->end && is_digit(*c->p)) {
        if (n < max)
            v = v * 10 + (*c->p - '0');
        n++;
        c->p++;
    }
    if (n < min || n > max)
        return false;
    *value = v;
    return true;
}

static bool take_char(struct cursor *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

static bool at_end(const struct cursor *c)
{
    return c->p == c->end;
}

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

/* Excel serials (1900 system: 46329 is 2026-11-03) and error literals arrive in date columns
 * when a sheet was saved without a date format; they deserve their own message. */
static bool is_spreadsheet_value(const char *s, size_t len)
{
    if (spreadsheet_error_literal(s, len))
        return true;
    const char *dot = memchr(s, '.', len);
    size_t int_len = dot ? (size_t)(dot - s) : len;
    if (int_len < 4 || int_len > 6 || !all_digits(s, int_len))
        return false;
    if (!dot)
        return true;
    size_t frac_len = len - int_len - 1;
    return frac_len > 0 && all_digits(dot + 1, frac_len);
}

static bool parse_date_part(struct cursor *c, enum date_format fmt, int *y, int *m, int *d)
{
    switch (fmt) {
    case DATE_ISO:
    case DATE_YMD:
        return take_digits(c, 4, 4, y) && take_char(c, '-') && take_digits(c, 2, 2, m) &&
               take_char(c, '-') && take_digits(c, 2, 2, d);
    case DATE_MDY:
        return take_digits(c, 1, 2, m) && take_char(c, '/') && take_digits(c, 1, 2, d) &&
               take_char(c, '/') && take_digits(c, 4, 4, y);
    case DATE_DMY:
        return take_digits(c, 1, 2, d) && take_char(c, '/') && take_digits(c, 1, 2, m) &&
               take_char(c, '/') && take_digits(c, 4, 4, y);
    case DATE_DMY_DOT:
        return take_digits(c, 1, 2, d) && take_char(c, '.') && take_digits(c, 1, 2, m) &&
               take_char(c, '.') && take_digits(c, 4, 4, y);
    }
    return false;
}

/* " AM" / " PM", case-insensitive; sets *pm. */
static bool take_meridiem(struct cursor *c, bool *pm)
{
    if (c->end - c->p < 3 || c->p[0] != ' ')
        return false;
    char a = c->p[1], b = c->p[2];
    if ((a == 'A' || a == 'a' || a == 'P' || a == 'p') && (b == 'M' || b == 'm')) {
        *pm = a == 'P' || a == 'p';
        c->p += 3;
        return true;
    }
    return false;
}

struct offset_fields {
    int sign; /* +1 east, -1 west */
    int hours;
    int minutes;
};

static bool take_offset(struct cursor *c, struct offset_fields *o)
{
    if (take_char(c, 'Z') || take_char(c, 'z')) {
        *o = (struct offset_fields){1, 0, 0};
        return true;
    }
    if (take_char(c, '+'))
        o->sign = 1;
    else if (take_char(c, '-'))
        o->sign = -1;
    else
        return false;
    int v;
    const char *start = c->p;
    if (!take_digits(c, 2, 4, &v))
        return false;
    size_t n = (size_t)(c->p - start);
    if (n == 4) {
        o->hours = v / 100;
        o->minutes = v % 100;
        return true;
    }
    if (n != 2)
        return false;
    o->hours = v;
    o->minutes = 0;
    if (take_char(c, ':'))
        return take_digits(c, 2, 2, &o->minutes);
    return true;
}

/* Two ASCII digits at s as a number, or -1. */
static int two_digits(const char *s)
{
    unsigned a = (unsigned)(s[0] - '0'), b = (unsigned)(s[1] - '0');
    return a < 10 && b < 10 ? (int)(a * 10 + b) : -1;
}

/* The shapes machine exports write millions of times — "2026-10-14" and "2026-10-14T09:05:00Z" —
 * parsed without the general cursor. Returns DATE_OK, an error, or -1 when s is not one of them
 * (the general parser then decides). */
static int parse_iso_fast(const char *s, size_t len, struct datetime *out)
{
    if ((len != 10 && len != 20) || s[4] != '-' || s[7] != '-')
        return -1;
    int yh = two_digits(s), yl = two_digits(s + 2), mo = two_digits(s + 5), d = two_digits(s + 8);
    if (yh < 0 || yl < 0 || mo < 0 || d < 0)
        return -1;
    int y = yh * 100 + yl, h = 0, mi = 0, sec = 0;
    if (len == 20) {
        if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
            return -1;
        h = two_digits(s + 11);
        mi = two_digits(s + 14);
        sec = two_digits(s + 17);
        if (h < 0 || mi < 0 || sec < 0)
            return -1;
    }
    if (y < 1 || !date_valid(y, mo, d) || h > 23 || mi > 59 || sec > 59)
        return -1; /* the general parser names the error */
    out->day = date_from_civil(y, mo, d);
    out->sec = h * 3600 + mi * 60 + sec;
    out->offset_sec = 0;
    out->has_time = len == 20;
    out->has_offset = len == 20;
    return DATE_OK;
}

int date_parse(const char *s, size_t len, enum date_format fmt, struct datetime *out)
{
    if (fmt == DATE_ISO || (fmt == DATE_YMD && len == 10)) {
        int rc = parse_iso_fast(s, len, out);
        if (rc >= 0)
            return rc;
    }
    while (len > 0 && s[0] == ' ') {
        s++;
        len--;
    }
    while (len > 0 && s[len - 1] == ' ')
        len--;
    if (len == 0)
        return DATE_EEMPTY;
    if (is_spreadsheet_value(s, len))
        return DATE_ESPREADSHEET;

    /* The whole layout is matched before any value is checked, so a field that is both garbled
     * and impossible reports the garbling. */
    struct cursor c = {s, s + len};
    int y, mo, d;
    if (!parse_date_part(&c, fmt, &y, &mo, &d))
        return DATE_ESYNTAX;

    bool has_time = false, has_meridiem = false, pm = false, has_offset = false;
    int h = 0, mi = 0, sec = 0;
    struct offset_fields off = {1, 0, 0};
    if (!at_end(&c)) {
        if (!(take_char(&c, ' ') || (fmt == DATE_ISO && take_char(&c, 'T'))))
            return DATE_ESYNTAX;
        if (!take_digits(&c, 1, 2, &h) || !take_char(&c, ':') || !take_digits(&c, 2, 2, &mi))
            return DATE_ESYNTAX;
        if (take_char(&c, ':')) {
            if (!take_digits(&c, 2, 2, &sec))
                return DATE_ESYNTAX;
            if (take_char(&c, '.')) {
                const char *frac = c.p;
                while (c.p < c.end && is_digit(*c.p))
                    c.p++;
                if (c.p == frac)
                    return DATE_ESYNTAX;
            }
        }
        has_time = true;
        if (fmt != DATE_ISO)
            has_meridiem = take_meridiem(&c, &pm);
        if (!has_meridiem && (fmt == DATE_ISO || fmt == DATE_YMD) && !at_end(&c)) {
            if (!take_offset(&c, &off))
                return DATE_ESYNTAX;
            has_offset = true;
        }
        if (!at_end(&c))
            return DATE_ESYNTAX;
    }

    if (!date_valid(y, mo, d))
        return DATE_EINVALID;
    if (has_meridiem) {
        if (h < 1 || h > 12)
            return DATE_EINVALID;
        h = h % 12 + (pm ? 12 : 0);
    }
    if (h > 23 || mi > 59 || sec > 59)
        return DATE_EINVALID;
    int32_t offset_sec = (int32_t)(off.sign * (off.hours * 3600 + off.minutes * 60));
    if (off.minutes > 59 || off.hours * 60 + off.minutes > 18 * 60)
        return DATE_EINVALID;

    out->day = date_from_civil(y, mo, d);
    out->sec = (int32_t)(h * 3600 + mi * 60 + sec);
    out->offset_sec = has_offset ? offset_sec : 0;
    out->has_time = has_time;
    out->has_offset = has_offset;
    return DATE_OK;
}

int date_parse_day(const char *s, int32_t *day)
{
    struct cursor c = {s, s + strlen(s)};
    int y, m, d;
    if (!parse_date_part(&c, DATE_ISO, &y, &m, &d) || !at_end(&c) || !date_valid(y, m, d))
        return -1;
    *day = date_from_civil(y, m, d);
    return 0;
}

void date_format_day(char *buf, size_t size, int32_t day)
{
    int y, m, d;
    date_to_civil(day, &y, &m, &d);
    snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

int64_t datetime_utc_with_offset(const struct datetime *dt)
{
    return (int64_t)dt->day * DATE_SECONDS_PER_DAY + dt->sec - dt->offset_sec;
}
