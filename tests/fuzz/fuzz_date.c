/* fuzz_date.c — libFuzzer target: date_parse in every layout, date_parse_day, the day arithmetic.
 *
 * The whole input is one field. Checked:
 *  - date_parse returns an enum date_err and, on DATE_OK, a day that round-trips through
 *    date_to_civil / date_from_civil to a valid date, 0 <= sec < 86400 (0 without a time), an
 *    offset only with has_offset and within ±18:00, and only in the ISO layouts;
 *  - padding with spaces changes nothing;
 *  - date_parse_day on the input up to its first NUL agrees with date_parse(DATE_ISO) on it when
 *    it succeeds, and its day formats back (date_format_day) to the same text;
 *  - date_format_from_name accepts only a format's own name, in any case;
 *  - a day number read from the input survives date_to_civil / date_from_civil within years
 *    1..9999, and date_day_of_ts floors.
 * A violation prints what differed and aborts, so libFuzzer saves the input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_date: invariant failed at %s:%d: %s\n  ", __FILE__, __LINE__,    \
                    #cond);                                                                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define MAX_INPUT 1024 /* longer fields add nothing but time */

static const enum date_format formats[] = {DATE_ISO, DATE_MDY, DATE_DMY, DATE_DMY_DOT, DATE_YMD};

/* Day numbers of 0001-01-01 and 9999-12-31. */
#define FIRST_DAY (-719162)
#define LAST_DAY  2932896

static void check_day(int32_t day, const char *what)
{
    int y, m, d;
    date_to_civil(day, &y, &m, &d);
    CHECK(date_valid(y, m, d), "%s: day %d is %d-%d-%d, not a valid date", what, (int)day, y, m, d);
    int32_t back = date_from_civil(y, m, d);
    CHECK(back == day, "%s: day %d -> %04d-%02d-%02d -> day %d", what, (int)day, y, m, d,
          (int)back);
    char buf[16];
    date_format_day(buf, sizeof buf, day);
    int32_t again = -1;
    CHECK(date_parse_day(buf, &again) == 0 && again == day,
          "%s: day %d formats as '%s', which date_parse_day does not read back", what, (int)day,
          buf);
}

static void fuzz_parse(const char *s, size_t n)
{
    for (size_t fi = 0; fi < sizeof formats / sizeof formats[0]; fi++) {
        enum date_format f = formats[fi];
        struct datetime dt;
        memset(&dt, 0x5A, sizeof dt);
        int e = date_parse(s, n, f, &dt);
        CHECK(e >= DATE_OK && e <= DATE_ESPREADSHEET, "date_parse returned %d", e);
        CHECK(date_strerror(e) != NULL, "no strerror for %d", e);

        /* Padding is trimmed, so it cannot change the result. */
        char padded[MAX_INPUT + 4];
        memcpy(padded, "  ", 2);
        memcpy(padded + 2, s, n);
        memcpy(padded + 2 + n, "  ", 2);
        struct datetime pt;
        memset(&pt, 0x5A, sizeof pt);
        int pe = date_parse(padded, n + 4, f, &pt);
        CHECK(pe == e && (e != DATE_OK || memcmp(&pt, &dt, sizeof dt) == 0),
              "'%.*s' (%s): %d, padded %d", (int)n, s, date_format_name(f), e, pe);

        if (e != DATE_OK)
            continue;
        check_day(dt.day, "date_parse");
        CHECK(dt.sec >= 0 && dt.sec < DATE_SECONDS_PER_DAY, "'%.*s' (%s): sec %d", (int)n, s,
              date_format_name(f), (int)dt.sec);
        CHECK(dt.has_time || dt.sec == 0, "'%.*s': sec %d without a time", (int)n, s, (int)dt.sec);
        CHECK(dt.has_time || !dt.has_offset, "'%.*s': offset without a time", (int)n, s);
        CHECK(dt.has_offset || dt.offset_sec == 0, "'%.*s': offset_sec %d without an offset",
              (int)n, s, (int)dt.offset_sec);
        CHECK(!dt.has_offset || f == DATE_ISO || f == DATE_YMD, "'%.*s': offset in layout %s",
              (int)n, s, date_format_name(f));
        CHECK(dt.offset_sec >= -18 * 3600 && dt.offset_sec <= 18 * 3600, "'%.*s': offset_sec %d",
              (int)n, s, (int)dt.offset_sec);
        int64_t utc = datetime_utc_with_offset(&dt);
        int32_t uday = date_day_of_ts(utc);
        CHECK(uday >= dt.day - 1 && uday <= dt.day + 1, "'%.*s': UTC day %d for local day %d",
              (int)n, s, (int)uday, (int)dt.day);
    }
}

static void fuzz_parse_day(const char *s, size_t n)
{
    /* s is NUL-terminated at n or earlier. */
    int32_t day = 0x5A5A5A;
    if (date_parse_day(s, &day) != 0) {
        CHECK(day == 0x5A5A5A, "date_parse_day failed but wrote *day");
        return;
    }
    check_day(day, "date_parse_day");
    size_t len = strlen(s);
    CHECK(len == 10, "date_parse_day accepted '%s' of %zu bytes", s, len);
    char buf[16];
    date_format_day(buf, sizeof buf, day);
    CHECK(strcmp(buf, s) == 0, "date_parse_day('%s') = %d, which formats as '%s'", s, (int)day,
          buf);
    struct datetime dt;
    int e = date_parse(s, len, DATE_ISO, &dt);
    CHECK(e == DATE_OK && dt.day == day && !dt.has_time && !dt.has_offset,
          "date_parse_day('%s') = %d but date_parse gives %d/%d", s, (int)day, e, (int)dt.day);
    (void)n;
}

static void fuzz_format_name(const char *s)
{
    enum date_format f;
    if (date_format_from_name(s, &f) != 0)
        return;
    CHECK(strcasecmp(date_format_name(f), s) == 0, "'%s' names format %s", s, date_format_name(f));
}

static void fuzz_days(const uint8_t *data, size_t size)
{
    if (size < 8)
        return;
    int32_t raw;
    memcpy(&raw, data + size - 4, sizeof raw);
    int32_t day = FIRST_DAY + (int32_t)((uint32_t)raw % (uint32_t)(LAST_DAY - FIRST_DAY + 1));
    check_day(day, "day number");

    int64_t ts;
    memcpy(&ts, data + size - 8, sizeof ts);
    int32_t td = date_day_of_ts(ts);
    if (td > INT32_MIN && td < INT32_MAX) {
        int64_t start = (int64_t)td * DATE_SECONDS_PER_DAY;
        CHECK(start <= ts && ts - start < DATE_SECONDS_PER_DAY, "date_day_of_ts(%lld) = %d",
              (long long)ts, (int)td);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = size < MAX_INPUT ? size : MAX_INPUT;
    /* A private, exactly sized copy so ASan catches a read past the field; the NUL-terminated
     * copy is for date_parse_day. */
    char *s = malloc(n ? n : 1);
    char *z = malloc(n + 1);
    if (!s || !z)
        abort();
    memcpy(s, data, n);
    memcpy(z, data, n);
    z[n] = '\0';

    fuzz_parse(s, n);
    fuzz_parse_day(z, n);
    fuzz_format_name(z);
    fuzz_days(data, size);

    free(s);
    free(z);
    return 0;
}
