/* test_date.c — day numbers, calendar validity and the strict date-time field parser. */
#include "date.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

/* Day numbers worked out by hand, not taken from the program:
 *   1900-01-01: 70 years * 365 = 25550 days plus 17 leap days (1904..1968) -> -25567
 *   2000-01-01: 30 * 365 = 10950 plus 7 leap days (1972..1996) -> 10957
 *   2000-03-01: 10957 + 31 (Jan) + 29 (Feb, 2000 is a leap year) -> 11017
 *   2026-01-01: 56 * 365 = 20440 plus 14 leap days (1972..2024) -> 20454
 *   2026-11-03: 20454 + 304 (Jan..Oct of a common year) + 2 -> 20760
 *   0001-01-01: proleptic ordinal 1, 1970-01-01 is ordinal 719163 -> -719162
 *   9999-12-31: ordinal 3652059 (9999 years * 365.2425 = 3652058.25 -> 3652059) -> 2932896 */
static const struct {
    int y, m, d;
    int32_t day;
} known_days[] = {
    {1970, 1, 1, 0},     {1969, 12, 31, -1},      {1970, 1, 2, 1},     {1900, 1, 1, -25567},
    {2000, 1, 1, 10957}, {2000, 3, 1, 11017},     {2026, 1, 1, 20454}, {2026, 11, 3, 20760},
    {1, 1, 1, -719162},  {9999, 12, 31, 2932896},
};

Test(date, known_dates_have_their_hand_computed_day_numbers)
{
    for (size_t i = 0; i < sizeof known_days / sizeof known_days[0]; i++) {
        int y, m, d;
        int32_t got = date_from_civil(known_days[i].y, known_days[i].m, known_days[i].d);
        cr_assert_eq(got, known_days[i].day, "%04d-%02d-%02d: got %d, want %d", known_days[i].y,
                     known_days[i].m, known_days[i].d, (int)got, (int)known_days[i].day);
        date_to_civil(known_days[i].day, &y, &m, &d);
        cr_assert(y == known_days[i].y && m == known_days[i].m && d == known_days[i].d,
                  "day %d: got %04d-%02d-%02d", (int)known_days[i].day, y, m, d);
    }
}

/* Walking the calendar one day at a time with date_days_in_month checks both directions against
 * a counter that owes nothing to the era arithmetic. */
Test(date, every_day_from_1900_to_2100_round_trips)
{
    int32_t expect = -25567; /* 1900-01-01, see above */
    for (int y = 1900; y <= 2100; y++) {
        for (int m = 1; m <= 12; m++) {
            for (int d = 1; d <= date_days_in_month(y, m); d++, expect++) {
                int yy, mm, dd;
                cr_assert_eq(date_from_civil(y, m, d), expect, "%04d-%02d-%02d", y, m, d);
                date_to_civil(expect, &yy, &mm, &dd);
                cr_assert(yy == y && mm == m && dd == d, "day %d", (int)expect);
            }
        }
    }
    /* 201 years with 49 leap days: 1904..2096 by fours; 1900 and 2100 are common years */
    cr_assert_eq(expect, -25567 + 201 * 365 + 49);
}

Test(date, every_day_of_years_1_to_9999_round_trips)
{
    int32_t first = date_from_civil(1, 1, 1), last = date_from_civil(9999, 12, 31);
    int py = 0, pm = 12, pd = 31; /* the day before 0001-01-01 */
    for (int32_t day = first; day <= last; day++) {
        int y, m, d;
        date_to_civil(day, &y, &m, &d);
        cr_assert(date_valid(y, m, d), "day %d gave %d-%d-%d", (int)day, y, m, d);
        cr_assert_eq(date_from_civil(y, m, d), day, "day %d", (int)day);
        /* consecutive: either the next day in the month, or the 1st of the next month */
        bool next_day = y == py && m == pm && d == pd + 1;
        bool next_month =
            d == 1 && ((y == py && m == pm + 1) || (y == py + 1 && m == 1 && pm == 12));
        cr_assert(next_day || next_month, "day %d: %d-%d-%d after %d-%d-%d", (int)day, y, m, d, py,
                  pm, pd);
        py = y;
        pm = m;
        pd = d;
    }
}

Test(date, leap_years_follow_the_gregorian_rule)
{
    static const struct {
        int y, m, d;
        bool valid;
    } cases[] = {
        {2024, 2, 29, true},  {2000, 2, 29, true},  {2028, 2, 29, true},  {1600, 2, 29, true},
        {2100, 2, 29, false}, {1900, 2, 29, false}, {2025, 2, 29, false}, {2026, 2, 30, false},
        {2026, 4, 31, false}, {2026, 4, 30, true},  {2026, 12, 31, true}, {2026, 13, 1, false},
        {2026, 0, 1, false},  {2026, 1, 0, false},  {0, 1, 1, false},     {10000, 1, 1, false},
        {1, 1, 1, true},      {9999, 12, 31, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq(date_valid(cases[i].y, cases[i].m, cases[i].d), cases[i].valid, "%d-%d-%d",
                     cases[i].y, cases[i].m, cases[i].d);
    cr_assert_eq(date_days_in_month(2024, 2), 29);
    cr_assert_eq(date_days_in_month(2100, 2), 28);
    cr_assert_eq(date_days_in_month(2026, 9), 30);
    cr_assert_eq(date_days_in_month(2026, 13), 0);
}

Test(date, timestamps_floor_to_their_day_including_before_1970)
{
    static const struct {
        int64_t ts;
        int32_t day;
    } cases[] = {
        {0, 0},
        {86399, 0},
        {86400, 1},
        {-1, -1},
        {-86400, -1},
        {-86401, -2},
        {1793664000, 20760}, /* 20760 * 86400: 2026-11-03 00:00:00 UTC */
        {1793663999, 20759},
        {-2208988800, -25567}, /* -25567 * 86400: 1900-01-01 00:00:00 UTC */
        {-2208988801, -25568},
        {INT64_MAX, INT32_MAX},
        {INT64_MIN, INT32_MIN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq(date_day_of_ts(cases[i].ts), cases[i].day, "ts %lld", (long long)cases[i].ts);
}

Test(date, days_format_as_iso_dates)
{
    char buf[11];
    date_format_day(buf, sizeof buf, 20760);
    cr_assert_str_eq(buf, "2026-11-03");
    date_format_day(buf, sizeof buf, 0);
    cr_assert_str_eq(buf, "1970-01-01");
    date_format_day(buf, sizeof buf, -1);
    cr_assert_str_eq(buf, "1969-12-31");
    date_format_day(buf, sizeof buf, -719162);
    cr_assert_str_eq(buf, "0001-01-01");
}

Test(date, strict_iso_day_rejects_anything_but_a_real_yyyy_mm_dd)
{
    static const struct {
        const char *in;
        int rc;
        int32_t day;
    } cases[] = {
        {"2026-11-03", 0, 20760}, {"2000-03-01", 0, 11017}, {"2026-02-30", -1, 0},
        {" 2026-11-03", -1, 0},   {"2026-11-03 ", -1, 0},   {"2026-11-03T00:00", -1, 0},
        {"2026-1-3", -1, 0},      {"26-11-03", -1, 0},      {"", -1, 0},
        {"46329", -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t day = -99;
        int rc = date_parse_day(cases[i].in, &day);
        cr_assert_eq(rc, cases[i].rc, "'%s'", cases[i].in);
        if (rc == 0)
            cr_assert_eq(day, cases[i].day, "'%s'", cases[i].in);
    }
}

Test(date, format_names_map_both_ways)
{
    static const char *const names[] = {"iso", "m/d/yyyy", "d/m/yyyy", "dd.mm.yyyy", "yyyy-mm-dd"};
    static const enum date_format fmts[] = {DATE_ISO, DATE_MDY, DATE_DMY, DATE_DMY_DOT, DATE_YMD};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        enum date_format f;
        cr_assert_eq(date_format_from_name(names[i], &f), 0, "%s", names[i]);
        cr_assert_eq(f, fmts[i], "%s", names[i]);
        cr_assert_str_eq(date_format_name(fmts[i]), names[i]);
    }
    enum date_format f;
    cr_assert_eq(date_format_from_name("ISO", &f), 0);
    cr_assert_eq(f, DATE_ISO);
    cr_assert_eq(date_format_from_name("mm/dd/yyyy", &f), -1);
    cr_assert_eq(date_format_from_name("", &f), -1);
    cr_assert_eq(date_format_from_name("iso ", &f), -1);
}

#define Z true /* has_offset */
#define T true /* has_time */

struct parse_case {
    const char *in;
    enum date_format fmt;
    int err;
    int y, m, d;
    int32_t sec;
    bool has_time;
    bool has_offset;
    int32_t offset_sec;
};

/* Seconds after midnight: 09:05 = 9*3600 + 5*60 = 32700; 21:05 = 75900; 06:56:35 = 21600 + 3360 +
 * 35 = 24995; 22:00 = 79200; 23:59:59 = 86399; 12:30 = 45000; 12:59:59 = 3599 after 12 AM;
 * 13:00 = 46800; 23:59 = 86340; 17:45 = 63900. Offsets: +05:30 = 19800, 18:00 = 64800. */
static const struct parse_case parse_cases[] = {
    /* ISO: dates, separators, fractions, offsets */
    {"2026-11-03", DATE_ISO, DATE_OK, 2026, 11, 3, 0, false, false, 0},
    {"  2026-11-03  ", DATE_ISO, DATE_OK, 2026, 11, 3, 0, false, false, 0},
    {"2026-11-03T09:05:00Z", DATE_ISO, DATE_OK, 2026, 11, 3, 32700, T, Z, 0},
    {"2026-11-03T09:05:00z", DATE_ISO, DATE_OK, 2026, 11, 3, 32700, T, Z, 0},
    {"2026-11-03 09:05:00.123+01:00", DATE_ISO, DATE_OK, 2026, 11, 3, 32700, T, Z, 3600},
    {"2013-09-26T06:56:35+0000", DATE_ISO, DATE_OK, 2013, 9, 26, 24995, T, Z, 0},
    {"2026-09-05T22:00:00.000Z", DATE_ISO, DATE_OK, 2026, 9, 5, 79200, T, Z, 0},
    {"2026-11-03T09:05", DATE_ISO, DATE_OK, 2026, 11, 3, 32700, T, false, 0},
    {"2026-11-03T9:05", DATE_ISO, DATE_OK, 2026, 11, 3, 32700, T, false, 0},
    {"2026-11-03T09:05:00-07:00", DATE_ISO, DATE_OK, 2026, 11, 3, 32700, T, Z, -25200},
    {"2026-11-03T09:05:00+0530", DATE_ISO, DATE_OK, 2026, 11, 3, 32700, T, Z, 19800},
    {"2026-11-03T09:05:00-03", DATE_ISO, DATE_OK, 2026, 11, 3, 32700, T, Z, -10800},
    {"2026-11-03T09:05-00:00", DATE_ISO, DATE_OK, 2026, 11, 3, 32700, T, Z, 0},
    {"2026-11-03T09:05:00+18:00", DATE_ISO, DATE_OK, 2026, 11, 3, 32700, T, Z, 64800},
    {"2026-11-03T09:05:00-1800", DATE_ISO, DATE_OK, 2026, 11, 3, 32700, T, Z, -64800},
    {"2026-11-03T23:59:59.999999999", DATE_ISO, DATE_OK, 2026, 11, 3, 86399, T, false, 0},
    {"2026-11-03T00:00:00", DATE_ISO, DATE_OK, 2026, 11, 3, 0, T, false, 0},
    {"2026-11-03T09:05:00+18:01", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T09:05:00+19", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T09:05:00+01:60", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T09:05:00+1", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T09:05:00+013", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T09:05:00+01:0", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T09:05:00 +01:00", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T09:05:00ZZ", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03Z", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T09", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T09:5", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T009:05", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T09:05:00.", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T09:05.5", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T09:05 AM", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03  09:05", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03\t", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T24:00", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T23:60", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03T23:59:60", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    /* ISO: impossible dates, leap years, year width */
    {"2026-02-30", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"2026-13-01", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"2026-00-10", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"2026-11-00", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"0000-01-01", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"2024-02-29", DATE_ISO, DATE_OK, 2024, 2, 29, 0, false, false, 0},
    {"2000-02-29", DATE_ISO, DATE_OK, 2000, 2, 29, 0, false, false, 0},
    {"2028-02-29", DATE_ISO, DATE_OK, 2028, 2, 29, 0, false, false, 0},
    {"2100-02-29", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"2025-02-29", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"26-11-03", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-1-3", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"20261-11-03", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026/11/03", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-02-30 garbage", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-02-30 25:00", DATE_ISO, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    /* empty fields and spreadsheet values, whatever the layout */
    {"", DATE_ISO, DATE_EEMPTY, 0, 0, 0, 0, false, false, 0},
    {"   ", DATE_MDY, DATE_EEMPTY, 0, 0, 0, 0, false, false, 0},
    {"46329", DATE_ISO, DATE_ESPREADSHEET, 0, 0, 0, 0, false, false, 0},
    {"46329", DATE_MDY, DATE_ESPREADSHEET, 0, 0, 0, 0, false, false, 0},
    {"46329.375", DATE_DMY, DATE_ESPREADSHEET, 0, 0, 0, 0, false, false, 0},
    {"2026", DATE_ISO, DATE_ESPREADSHEET, 0, 0, 0, 0, false, false, 0},
    {"123456", DATE_YMD, DATE_ESPREADSHEET, 0, 0, 0, 0, false, false, 0},
    {"123", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"1234567", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"1793664000000", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"46329.", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"#N/A", DATE_ISO, DATE_ESPREADSHEET, 0, 0, 0, 0, false, false, 0},
    {"#VALUE!", DATE_MDY, DATE_ESPREADSHEET, 0, 0, 0, 0, false, false, 0},
    {"#REF!", DATE_DMY, DATE_ESPREADSHEET, 0, 0, 0, 0, false, false, 0},
    {"#DIV/0!", DATE_DMY_DOT, DATE_ESPREADSHEET, 0, 0, 0, 0, false, false, 0},
    {" #NAME? ", DATE_YMD, DATE_ESPREADSHEET, 0, 0, 0, 0, false, false, 0},
    {"#NUM!", DATE_ISO, DATE_ESPREADSHEET, 0, 0, 0, 0, false, false, 0},
    {"#NULL!", DATE_ISO, DATE_ESPREADSHEET, 0, 0, 0, 0, false, false, 0},
    {"#N/A/", DATE_ISO, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    /* yyyy-mm-dd: ISO date part, space before the time, AM/PM and offsets allowed */
    {"2026-11-03", DATE_YMD, DATE_OK, 2026, 11, 3, 0, false, false, 0},
    {"2026-11-03 9:05 PM", DATE_YMD, DATE_OK, 2026, 11, 3, 75900, T, false, 0},
    {"2026-11-03 09:05:00+01:00", DATE_YMD, DATE_OK, 2026, 11, 3, 32700, T, Z, 3600},
    {"2013-09-26 06:56:35+0000", DATE_YMD, DATE_OK, 2013, 9, 26, 24995, T, Z, 0},
    {"2026-11-03 09:05Z", DATE_YMD, DATE_OK, 2026, 11, 3, 32700, T, Z, 0},
    {"2026-11-03T09:05", DATE_YMD, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03 9:05 PM+01:00", DATE_YMD, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-02-29", DATE_YMD, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    /* m/d/yyyy */
    {"11/3/2026", DATE_MDY, DATE_OK, 2026, 11, 3, 0, false, false, 0},
    {"11/03/2026 9:05 AM", DATE_MDY, DATE_OK, 2026, 11, 3, 32700, T, false, 0},
    {"11/3/2026 9:05 am", DATE_MDY, DATE_OK, 2026, 11, 3, 32700, T, false, 0},
    {"11/3/2026 9:05 PM ", DATE_MDY, DATE_OK, 2026, 11, 3, 75900, T, false, 0},
    {"11/3/2026 9:05 pM", DATE_MDY, DATE_OK, 2026, 11, 3, 75900, T, false, 0},
    {"1/2/2026 17:45", DATE_MDY, DATE_OK, 2026, 1, 2, 63900, T, false, 0},
    {"11/3/2026 12:00 AM", DATE_MDY, DATE_OK, 2026, 11, 3, 0, T, false, 0},
    {"11/3/2026 12:59:59 AM", DATE_MDY, DATE_OK, 2026, 11, 3, 3599, T, false, 0},
    {"11/3/2026 12:30 PM", DATE_MDY, DATE_OK, 2026, 11, 3, 45000, T, false, 0},
    {"11/3/2026 1:00 PM", DATE_MDY, DATE_OK, 2026, 11, 3, 46800, T, false, 0},
    {"11/3/2026 11:59 PM", DATE_MDY, DATE_OK, 2026, 11, 3, 86340, T, false, 0},
    {"11/3/2026 0:30 AM", DATE_MDY, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"11/3/2026 00:30 PM", DATE_MDY, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"11/3/2026 13:00 PM", DATE_MDY, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"11/3/2026 9:05AM", DATE_MDY, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"11/3/2026 9:05  AM", DATE_MDY, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"11/3/2026 9:05 XM", DATE_MDY, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"11/3/2026 9:05 A.M.", DATE_MDY, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"11/3/2026 9:05:00Z", DATE_MDY, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"11/3/2026T09:05", DATE_MDY, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"31/12/2026", DATE_MDY, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"13/1/2026", DATE_MDY, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"2/29/2025", DATE_MDY, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"2/29/2028", DATE_MDY, DATE_OK, 2028, 2, 29, 0, false, false, 0},
    {"11/3/26", DATE_MDY, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"011/3/2026", DATE_MDY, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"11-3-2026", DATE_MDY, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"2026-11-03", DATE_MDY, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    /* d/m/yyyy */
    {"3/11/2026", DATE_DMY, DATE_OK, 2026, 11, 3, 0, false, false, 0},
    {"31/12/2026", DATE_DMY, DATE_OK, 2026, 12, 31, 0, false, false, 0},
    {"29/2/2024 23:59:59", DATE_DMY, DATE_OK, 2024, 2, 29, 86399, T, false, 0},
    {"3/11/2026 9:05 PM", DATE_DMY, DATE_OK, 2026, 11, 3, 75900, T, false, 0},
    {"12/31/2026", DATE_DMY, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"3/11/2026 09:05+01:00", DATE_DMY, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    /* dd.mm.yyyy */
    {"03.11.2026", DATE_DMY_DOT, DATE_OK, 2026, 11, 3, 0, false, false, 0},
    {"3.11.2026 09:05", DATE_DMY_DOT, DATE_OK, 2026, 11, 3, 32700, T, false, 0},
    {"03.11.2026 9:05 PM", DATE_DMY_DOT, DATE_OK, 2026, 11, 3, 75900, T, false, 0},
    {"3.11.26", DATE_DMY_DOT, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"3/11/2026", DATE_DMY_DOT, DATE_ESYNTAX, 0, 0, 0, 0, false, false, 0},
    {"31.04.2026", DATE_DMY_DOT, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
    {"29.02.2100", DATE_DMY_DOT, DATE_EINVALID, 0, 0, 0, 0, false, false, 0},
};

Test(date, parse_accepts_each_layout_and_classifies_each_failure)
{
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const struct parse_case *c = &parse_cases[i];
        struct datetime dt = {0};
        int err = date_parse(c->in, strlen(c->in), c->fmt, &dt);
        cr_assert_eq(err, c->err, "'%s' as %s: got %s, want %s", c->in, date_format_name(c->fmt),
                     date_strerror(err), date_strerror(c->err));
        if (err != DATE_OK)
            continue;
        cr_assert_eq(dt.day, date_from_civil(c->y, c->m, c->d), "'%s': day", c->in);
        cr_assert_eq(dt.sec, c->sec, "'%s': sec %d", c->in, (int)dt.sec);
        cr_assert_eq(dt.has_time, c->has_time, "'%s': has_time", c->in);
        cr_assert_eq(dt.has_offset, c->has_offset, "'%s': has_offset", c->in);
        cr_assert_eq(dt.offset_sec, c->offset_sec, "'%s': offset %d", c->in, (int)dt.offset_sec);
    }
}

Test(date, parse_reads_only_the_given_length)
{
    static const char buf[] = "2026-11-03T09:05:00Zjunk";
    struct datetime dt = {0};
    cr_assert_eq(date_parse(buf, 20, DATE_ISO, &dt), DATE_OK);
    cr_assert_eq(dt.day, 20760);
    cr_assert_eq(date_parse(buf, 10, DATE_ISO, &dt), DATE_OK);
    cr_assert_eq(dt.has_time, false);
    cr_assert_eq(date_parse(buf, 0, DATE_ISO, &dt), DATE_EEMPTY);
}

Test(date, values_with_an_offset_convert_to_utc)
{
    struct datetime dt = {0};
    static const char in[] = "2026-11-03T09:05:00+01:00";
    cr_assert_eq(date_parse(in, strlen(in), DATE_ISO, &dt), DATE_OK);
    /* 20760 * 86400 = 1793664000; + 32700 (09:05) - 3600 (+01:00) = 1793693100 */
    cr_assert_eq(datetime_utc_with_offset(&dt), 1793693100);
    static const char west[] = "1969-12-31 23:00-02:00";
    cr_assert_eq(date_parse(west, strlen(west), DATE_YMD, &dt), DATE_OK);
    /* -86400 + 82800 + 7200 = 3600: 1970-01-01 01:00 UTC */
    cr_assert_eq(datetime_utc_with_offset(&dt), 3600);
}

Test(date, every_error_has_a_distinct_message)
{
    static const int errs[] = {DATE_OK, DATE_EEMPTY, DATE_ESYNTAX, DATE_EINVALID,
                               DATE_ESPREADSHEET};
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        cr_assert(date_strerror(errs[i])[0] != '\0');
        for (size_t j = 0; j < i; j++)
            cr_assert(strcmp(date_strerror(errs[i]), date_strerror(errs[j])) != 0);
    }
}
