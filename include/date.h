/* date.h — proleptic Gregorian calendar dates and date-time parsing, without the C library's time
 * functions (no mktime, localtime or TZ).
 *
 * A day is a day number: days since 1970-01-01 (negative before). A timestamp is seconds since the
 * Unix epoch, UTC. Parsing yields the civil fields as written (struct datetime); turning a local
 * date-time into UTC needs a zone and is tz.h's job. Nothing here allocates.
 */
#ifndef SAMETABLE_DATE_H
#define SAMETABLE_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DATE_SECONDS_PER_DAY 86400

/* True for a real date in years 1..9999 (the range every parser accepts). */
bool date_valid(int year, int month, int day);
/* 28..31, or 0 for a month outside 1..12. */
int date_days_in_month(int year, int month);
/* Day number of a valid civil date (year 1..9999). */
int32_t date_from_civil(int year, int month, int day);
void date_to_civil(int32_t day, int *year, int *month, int *mday);
/* Floor division of epoch seconds into a day number (correct for negative timestamps); clamped to
 * INT32_MIN..INT32_MAX for timestamps beyond the range of day numbers. */
int32_t date_day_of_ts(int64_t ts);

/* The date part's layout in a file; every layout may be followed by a time (see date_parse). */
enum date_format {
    DATE_ISO,     /* 2026-11-03, 2026-11-03T09:05:00Z, 2026-11-03 09:05:00.123+01:00, …      */
    DATE_MDY,     /* m/d/yyyy (1 or 2 digit month and day): 11/3/2026, 11/03/2026 9:05 AM    */
    DATE_DMY,     /* d/m/yyyy: 3/11/2026                                                      */
    DATE_DMY_DOT, /* dd.mm.yyyy (1 or 2 digits): 03.11.2026, 3.11.2026 09:05                  */
    DATE_YMD,     /* yyyy-mm-dd (strict ISO date part, same as DATE_ISO for dates)             */
};

/* Map a config name ("iso", "m/d/yyyy", "d/m/yyyy", "dd.mm.yyyy", "yyyy-mm-dd"), compared
 * ASCII case-insensitively, to a format. Returns 0 or -1. date_format_name returns the lower-case
 * name (static storage); an out-of-range value is a BUG(). */
int date_format_from_name(const char *name, enum date_format *out);
const char *date_format_name(enum date_format f);

enum date_err {
    DATE_OK = 0,
    DATE_EEMPTY,   /* empty field */
    DATE_ESYNTAX,  /* not in the declared layout */
    DATE_EINVALID, /* fields in range syntactically but not a real date/time (2026-02-30, 25:00) */
    DATE_ESPREADSHEET /* a spreadsheet error literal or an Excel serial number like 46329 */
};

struct datetime {
    int32_t day;        /* day number of the civil date as written */
    int32_t sec;        /* seconds after midnight as written (0 when !has_time) */
    int32_t offset_sec; /* UTC offset as written, seconds east of UTC (only when has_offset) */
    bool has_time;
    bool has_offset; /* 'Z' or ±hh:mm / ±hhmm / ±hh after the time */
};

/* Parse a whole field strictly (surrounding ASCII spaces ignored). After the date part an optional
 * time may follow, separated by 'T' (ISO only) or one space: h:mm, h:mm:ss, h:mm:ss.fraction
 * (fraction truncated), with an optional " AM"/" PM" (case-insensitive, hour 1..12) in the
 * non-ISO layouts, and an optional offset (Z, ±hh:mm, ±hhmm, ±hh) in DATE_ISO/DATE_YMD.
 * Two-digit years are rejected. Returns an enum date_err.
 * Details the layouts leave open:
 *   - only ' ' is trimmed (callers run trim_span first for tabs and Unicode spaces);
 *   - hours have 1 or 2 digits, minutes and seconds exactly 2, the fraction 1 or more digits and
 *     only after seconds; 'T' is accepted in DATE_ISO only, so DATE_YMD needs the space;
 *   - the offset follows the time with no space; 'z' counts as 'Z'; -00:00 is +00:00; at most
 *     ±18:00; an offset after AM/PM is a syntax error;
 *   - the whole layout is checked before any value, so DATE_ESYNTAX wins over DATE_EINVALID
 *     ("2026-02-30 x" is a syntax error, "2026-02-30 25:00" is invalid);
 *   - DATE_ESPREADSHEET: a bare 4..6-digit number with an optional ".digits" part (an Excel serial,
 *     possibly with a time fraction), or an error literal such as #N/A, #VALUE!, #REF!, #DIV/0!,
 *     #NAME?, #NUM!, #NULL! (case-insensitive), whatever the layout;
 *   - *out is written only on DATE_OK; offset_sec is 0 when !has_offset. */
int date_parse(const char *s, size_t len, enum date_format fmt, struct datetime *out);
const char *date_strerror(int err);

/* Strict ISO calendar date "yyyy-mm-dd" (for config values and --as-of): no spaces, no time.
 * Returns 0 or -1. */
int date_parse_day(const char *s, int32_t *day);

/* Format a day number as "yyyy-mm-dd" (buf of at least 11 bytes; output is truncated to size). */
void date_format_day(char *buf, size_t size, int32_t day);

/* UTC timestamp of a parsed value that carries an offset: day*86400 + sec - offset_sec. */
int64_t datetime_utc_with_offset(const struct datetime *dt);

#endif
