/* test_tz.c — TZif loading, footer rules, gaps and folds, against published DST dates. */
#include "tz.h"

#include "date.h"

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    return (int64_t)date_from_civil(y, mo, d) * DATE_SECONDS_PER_DAY + h * 3600 + mi * 60 + s;
}

static struct tz *load(const char *name)
{
    struct tz *z = NULL;
    char err[128] = "";
    cr_assert_eq(tz_load(name, &z, err, sizeof err), 0, "load '%s': %s", name, err);
    return z;
}

/* ---- a scratch zone directory with hand-built TZif files ---- */

static char scratch[64];
static char made[64][64]; /* entries created in scratch, removed in reverse order */
static size_t n_made;
static bool made_dir[64];

static void scratch_init(void)
{
    strcpy(scratch, "/tmp/sametable-tz-XXXXXX");
    cr_assert(mkdtemp(scratch) != NULL);
    n_made = 0;
    tz_set_dir(scratch);
}

static void scratch_fini(void)
{
    char path[160];
    while (n_made > 0) {
        n_made--;
        snprintf(path, sizeof path, "%s/%s", scratch, made[n_made]);
        if (made_dir[n_made])
            rmdir(path);
        else
            unlink(path);
    }
    rmdir(scratch);
    tz_set_dir(NULL);
}

static void remember(const char *name, bool is_dir)
{
    cr_assert(n_made < 64 && strlen(name) < sizeof made[0]);
    for (size_t i = 0; i < n_made; i++)
        if (strcmp(made[i], name) == 0)
            return;
    strcpy(made[n_made], name);
    made_dir[n_made++] = is_dir;
}

static void write_file(const char *name, const void *data, size_t len)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", scratch, name);
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL, "create %s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    remember(name, false);
}

struct tzif_spec {
    char version; /* 0 (v1 only) or '2' */
    size_t n_trans;
    const int64_t *trans;
    const uint8_t *idx;
    size_t n_types;
    const int32_t *utoff;
    const char *footer; /* v2 only; NULL writes no footer at all */
    uint32_t leapcnt;
};

struct bytes {
    unsigned char *p;
    size_t len, cap;
};

static void put(struct bytes *b, const void *data, size_t n)
{
    if (n == 0)
        return;
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = realloc(b->p, b->cap);
        cr_assert(b->p != NULL);
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put_be(struct bytes *b, uint64_t v, int size)
{
    unsigned char tmp[8];
    for (int i = 0; i < size; i++)
        tmp[i] = (unsigned char)(v >> (8 * (size - 1 - i)));
    put(b, tmp, (size_t)size);
}

static void put_header(struct bytes *b, char version, uint32_t leapcnt, size_t timecnt,
                       size_t typecnt)
{
    static const unsigned char zeros[15] = {0};
    put(b, "TZif", 4);
    put(b, &version, 1);
    put(b, zeros, 15);
    put_be(b, 0, 4);       /* isutcnt */
    put_be(b, 0, 4);       /* isstdcnt */
    put_be(b, leapcnt, 4); /* leapcnt */
    put_be(b, timecnt, 4);
    put_be(b, typecnt, 4);
    put_be(b, 4, 4); /* charcnt: "ABC\0" */
}

static void put_data(struct bytes *b, const struct tzif_spec *s, int time_size)
{
    for (size_t i = 0; i < s->n_trans; i++)
        put_be(b, (uint64_t)s->trans[i], time_size);
    put(b, s->idx, s->n_trans);
    for (size_t i = 0; i < s->n_types; i++) {
        unsigned char isdst_abbr[2] = {0, 0};
        put_be(b, (uint32_t)s->utoff[i], 4);
        put(b, isdst_abbr, 2);
    }
    put(b, "ABC", 4);
    static const unsigned char zero_leap[12] = {0}; /* occurrence time + correction */
    for (uint32_t i = 0; i < s->leapcnt; i++)
        put(b, zero_leap, (size_t)time_size + 4);
}

static struct bytes build_tzif(const struct tzif_spec *s)
{
    struct bytes b = {0};
    if (s->version == 0) {
        put_header(&b, 0, s->leapcnt, s->n_trans, s->n_types);
        put_data(&b, s, 4);
        return b;
    }
    /* v2+: a minimal v1 block (one type, as slim files have), then the real 64-bit block */
    struct tzif_spec v1 = {0, 0, NULL, NULL, 1, s->utoff, NULL, 0};
    put_header(&b, s->version, 0, 0, 1);
    put_data(&b, &v1, 4);
    put_header(&b, s->version, s->leapcnt, s->n_trans, s->n_types);
    put_data(&b, s, 8);
    if (s->footer) {
        put(&b, "\n", 1);
        put(&b, s->footer, strlen(s->footer));
        put(&b, "\n", 1);
    }
    return b;
}

static void write_tzif(const char *name, const struct tzif_spec *s)
{
    struct bytes b = build_tzif(s);
    write_file(name, b.p, b.len);
    free(b.p);
}

/* A zone with no transitions at all: everything comes from the footer. */
static void write_footer_zone(const char *name, const char *footer)
{
    static const int32_t utoff[] = {0};
    struct tzif_spec s = {'2', 0, NULL, NULL, 1, utoff, footer, 0};
    write_tzif(name, &s);
}

struct offset_case {
    const char *zone;
    int y, mo, d, h, mi, s; /* UTC */
    int32_t offset;
};

static void check_offsets(const struct offset_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct offset_case *c = &cases[i];
        struct tz *z = load(c->zone);
        int32_t got = tz_offset_at(z, utc(c->y, c->mo, c->d, c->h, c->mi, c->s));
        cr_assert_eq(got, c->offset, "%s at %04d-%02d-%02d %02d:%02d:%02d UTC: got %d, want %d",
                     c->zone, c->y, c->mo, c->d, c->h, c->mi, c->s, (int)got, (int)c->offset);
        tz_free(z);
    }
}

/* ---- names and loading ---- */

Test(tz, utc_loads_without_any_zone_files)
{
    tz_set_dir("/nonexistent/zoneinfo");
    static const char *const names[] = {"UTC", "Etc/UTC"};
    for (size_t i = 0; i < 2; i++) {
        struct tz *z = load(names[i]);
        cr_assert_str_eq(tz_name(z), names[i]);
        cr_assert_eq(tz_offset_at(z, utc(2026, 7, 1, 12, 0, 0)), 0);
        cr_assert_eq(tz_offset_at(z, -4000000000000), 0);
        cr_assert_eq(tz_local_to_utc(z, 20760, 32700), (int64_t)20760 * 86400 + 32700);
        cr_assert_eq(tz_local_day(z, -1), -1);
        tz_free(z);
    }
    struct tz *z = NULL;
    char err[128];
    cr_assert_eq(tz_load("Europe/Berlin", &z, err, sizeof err), -1);
    cr_assert_str_eq(err, "unknown time zone 'Europe/Berlin'");
    tz_free(NULL);
    tz_set_dir(NULL);
}

Test(tz, bad_or_unknown_names_are_refused_with_the_name_quoted)
{
    static const struct {
        const char *name, *msg;
    } cases[] = {
        {"Europe/Berlinn", "unknown time zone 'Europe/Berlinn'"},
        {"../etc/passwd", "unknown time zone '../etc/passwd'"},
        {"/etc/passwd", "unknown time zone '/etc/passwd'"},
        {"/usr/share/zoneinfo/UTC", "unknown time zone '/usr/share/zoneinfo/UTC'"},
        {"Europe/../Europe/Berlin", "unknown time zone 'Europe/../Europe/Berlin'"},
        {"Europe/Berlin ", "unknown time zone 'Europe/Berlin '"},
        {"Europe\nBerlin", "unknown time zone 'Europe?Berlin'"},
        {"zone.tab", "unknown time zone 'zone.tab'"},
        {"Europe", "unknown time zone 'Europe'"}, /* a directory */
        {"europe/berlin", "unknown time zone 'europe/berlin'"},
        {"Z", "unknown time zone 'Z'"},
        {"", "unknown time zone ''"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tz *z = NULL;
        char err[128] = "";
        cr_assert_eq(tz_load(cases[i].name, &z, err, sizeof err), -1, "'%s'", cases[i].name);
        cr_assert_str_eq(err, cases[i].msg);
    }
    char long_name[300];
    memset(long_name, 'A', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    struct tz *z = NULL;
    char small[8];
    cr_assert_eq(tz_load(long_name, &z, small, sizeof small), -1);
    cr_assert_str_eq(small, "unknown"); /* truncated, still terminated */
    cr_assert_eq(tz_load("Nope/Nope", &z, NULL, 0), -1);
}

Test(tz, names_with_plus_minus_and_underscore_load)
{
    /* Etc/GMT+5 is five hours behind UTC: the POSIX sign convention, not ISO's */
    static const struct offset_case cases[] = {
        {"Etc/GMT+5", 2026, 7, 1, 0, 0, 0, -18000},
        {"Etc/GMT-14", 2026, 7, 1, 0, 0, 0, 50400},
        {"America/Port-au-Prince", 2026, 1, 15, 0, 0, 0, -18000},
        {"America/Los_Angeles", 2026, 1, 15, 0, 0, 0, -28800},
    };
    check_offsets(cases, sizeof cases / sizeof cases[0]);
}

/* ---- the system's zones against published facts ---- */

/* Change instants, by hand:
 *   EU: last Sunday of March / October at 01:00 UTC. 2026: Mar 29, Oct 25 (given). 2040: Mar 29
 *     2040 is 14*365 + 4 leap days = 5114 days after Sunday 2026-03-29, 5114 % 7 = 4 -> Thursday,
 *     so the last Sunday is Mar 25; Oct 1 2040 is Mar 1 (Thursday) + 214 days, 214 % 7 = 4 ->
 *     Monday, so the last Sunday of October is Oct 28.
 *   US: second Sunday of March / first Sunday of November at 02:00 local. 2026: Mar 8 (10:00 UTC
 *     = 02:00 PST), Nov 1 (09:00 UTC = 02:00 PDT). 2040: Mar 1 is a Thursday -> Mar 11; Oct 28 is
 *     a Sunday -> Nov 4.
 *   Lord Howe (+10:30, +11 in summer): first Sunday of October at 02:00 standard, first Sunday of
 *     April at 02:00 daylight. 2026: Oct 4 -> Oct 3 15:30 UTC; Apr 5 -> Apr 4 15:00 UTC. 2040:
 *     Apr 1 is Mar 1 + 31 days -> Sunday -> Mar 31 15:00 UTC.
 *   Nuuk "<-02>2<-01>,M3.5.0/-1,M10.5.0/0": the EU Sundays, at -1:00 standard (= Saturday 23:00
 *     -02 = 01:00 UTC) and 00:00 daylight (= 01:00 UTC).
 *   Jerusalem "IST-2IDT,M3.4.4/26,M10.5.0": fourth Thursday of March at 26:00 = Friday 02:00 IST =
 *     00:00 UTC; 2026: Mar 26 -> Mar 27 00:00 UTC; 2040: Mar 22 -> Mar 23 00:00 UTC. End: last
 *     Sunday of October 02:00 IDT = Saturday 23:00 UTC; 2040: Oct 27 23:00 UTC. */
static const struct offset_case published[] = {
    {"Europe/Berlin", 2026, 1, 15, 12, 0, 0, 3600},
    {"Europe/Berlin", 2026, 7, 1, 12, 0, 0, 7200},
    {"Europe/Berlin", 2026, 3, 29, 0, 59, 59, 3600},
    {"Europe/Berlin", 2026, 3, 29, 1, 0, 0, 7200},
    {"Europe/Berlin", 2026, 10, 25, 0, 59, 59, 7200},
    {"Europe/Berlin", 2026, 10, 25, 1, 0, 0, 3600},
    {"Europe/Berlin", 2040, 3, 25, 0, 59, 59, 3600},
    {"Europe/Berlin", 2040, 3, 25, 1, 0, 0, 7200},
    {"Europe/Berlin", 2040, 7, 1, 12, 0, 0, 7200},
    {"Europe/Berlin", 2040, 10, 28, 0, 59, 59, 7200},
    {"Europe/Berlin", 2040, 10, 28, 1, 0, 0, 3600},
    {"Europe/Berlin", 1975, 7, 1, 12, 0, 0, 3600}, /* no DST in Berlin 1950..1979 */
    {"Europe/Berlin", 1900, 1, 1, 0, 0, 0, 3600},  /* CET since 1893 */
    {"America/Los_Angeles", 2026, 3, 8, 9, 59, 59, -28800},
    {"America/Los_Angeles", 2026, 3, 8, 10, 0, 0, -25200},
    {"America/Los_Angeles", 2026, 11, 1, 8, 59, 59, -25200},
    {"America/Los_Angeles", 2026, 11, 1, 9, 0, 0, -28800},
    {"America/Los_Angeles", 2040, 3, 11, 9, 59, 59, -28800},
    {"America/Los_Angeles", 2040, 3, 11, 10, 0, 0, -25200},
    {"America/Los_Angeles", 2040, 7, 1, 0, 0, 0, -25200},
    {"America/Los_Angeles", 2040, 11, 4, 8, 59, 59, -25200},
    {"America/Los_Angeles", 2040, 11, 4, 9, 0, 0, -28800},
    {"Asia/Kolkata", 1970, 1, 1, 0, 0, 0, 19800},
    {"Asia/Kolkata", 2026, 7, 1, 0, 0, 0, 19800},
    {"Asia/Kolkata", 2040, 1, 1, 0, 0, 0, 19800},
    {"Australia/Lord_Howe", 2026, 1, 15, 0, 0, 0, 39600},
    {"Australia/Lord_Howe", 2026, 4, 4, 14, 59, 59, 39600},
    {"Australia/Lord_Howe", 2026, 4, 4, 15, 0, 0, 37800},
    {"Australia/Lord_Howe", 2026, 10, 3, 15, 29, 59, 37800},
    {"Australia/Lord_Howe", 2026, 10, 3, 15, 30, 0, 39600},
    {"Australia/Lord_Howe", 2040, 3, 31, 14, 59, 59, 39600},
    {"Australia/Lord_Howe", 2040, 3, 31, 15, 0, 0, 37800},
    {"America/Nuuk", 2026, 3, 29, 0, 59, 59, -7200},
    {"America/Nuuk", 2026, 3, 29, 1, 0, 0, -3600},
    {"America/Nuuk", 2040, 3, 25, 0, 59, 59, -7200},
    {"America/Nuuk", 2040, 3, 25, 1, 0, 0, -3600},
    {"America/Nuuk", 2040, 10, 28, 0, 59, 59, -3600},
    {"America/Nuuk", 2040, 10, 28, 1, 0, 0, -7200},
    {"Asia/Jerusalem", 2026, 3, 26, 23, 59, 59, 7200},
    {"Asia/Jerusalem", 2026, 3, 27, 0, 0, 0, 10800},
    {"Asia/Jerusalem", 2040, 3, 22, 23, 59, 59, 7200},
    {"Asia/Jerusalem", 2040, 3, 23, 0, 0, 0, 10800},
    {"Asia/Jerusalem", 2040, 10, 27, 22, 59, 59, 10800},
    {"Asia/Jerusalem", 2040, 10, 27, 23, 0, 0, 7200},
};

Test(tz, offsets_change_at_the_published_instants_through_2040)
{
    check_offsets(published, sizeof published / sizeof published[0]);
}

struct local_case {
    const char *zone;
    int y, mo, d, h, mi, s;       /* local */
    int uy, umo, ud, uh, umi, us; /* expected UTC */
};

/* Gap: the offset before the change (02:30 PST = 10:30 UTC, which reads 03:30 PDT). Fold: the
 * earlier instant (01:30 PDT = 08:30 UTC). Lord Howe moves 30 minutes: 01:30..02:00 repeats on
 * 2026-04-05 (01:45 +11 = 14:45 UTC the day before), 02:00..02:30 is skipped on 2026-10-04 (02:15
 * at +10:30 = 15:45 UTC the day before). Nuuk changes at local midnight: 23:00..24:00 on Mar 28 is
 * skipped (23:30 at -02 = 01:30 UTC), 23:00..24:00 on Oct 24 repeats (23:30 at -01 = 00:30). */
static const struct local_case locals[] = {
    {"America/Los_Angeles", 2026, 11, 1, 1, 30, 0, 2026, 11, 1, 8, 30, 0},
    {"America/Los_Angeles", 2026, 11, 1, 1, 0, 0, 2026, 11, 1, 8, 0, 0},
    {"America/Los_Angeles", 2026, 11, 1, 1, 59, 59, 2026, 11, 1, 8, 59, 59},
    {"America/Los_Angeles", 2026, 11, 1, 0, 59, 0, 2026, 11, 1, 7, 59, 0},
    {"America/Los_Angeles", 2026, 11, 1, 2, 0, 0, 2026, 11, 1, 10, 0, 0},
    {"America/Los_Angeles", 2026, 3, 8, 2, 30, 0, 2026, 3, 8, 10, 30, 0},
    {"America/Los_Angeles", 2026, 3, 8, 2, 0, 0, 2026, 3, 8, 10, 0, 0},
    {"America/Los_Angeles", 2026, 3, 8, 1, 59, 59, 2026, 3, 8, 9, 59, 59},
    {"America/Los_Angeles", 2026, 3, 8, 3, 0, 0, 2026, 3, 8, 10, 0, 0},
    {"America/Los_Angeles", 2026, 7, 1, 12, 0, 0, 2026, 7, 1, 19, 0, 0},
    {"America/Los_Angeles", 2040, 11, 4, 1, 30, 0, 2040, 11, 4, 8, 30, 0},
    {"America/Los_Angeles", 2040, 3, 11, 2, 30, 0, 2040, 3, 11, 10, 30, 0},
    {"Europe/Berlin", 2026, 3, 29, 2, 30, 0, 2026, 3, 29, 1, 30, 0},
    {"Europe/Berlin", 2026, 10, 25, 2, 30, 0, 2026, 10, 25, 0, 30, 0},
    {"Europe/Berlin", 2026, 10, 25, 3, 0, 0, 2026, 10, 25, 2, 0, 0},
    {"Europe/Berlin", 2026, 10, 25, 1, 59, 59, 2026, 10, 24, 23, 59, 59},
    {"Europe/Berlin", 2026, 1, 1, 0, 0, 0, 2025, 12, 31, 23, 0, 0},
    {"Europe/Berlin", 2040, 3, 25, 2, 30, 0, 2040, 3, 25, 1, 30, 0},
    {"Europe/Berlin", 2040, 10, 28, 2, 30, 0, 2040, 10, 28, 0, 30, 0},
    {"Asia/Kolkata", 2026, 11, 3, 0, 0, 0, 2026, 11, 2, 18, 30, 0},
    {"Australia/Lord_Howe", 2026, 4, 5, 1, 45, 0, 2026, 4, 4, 14, 45, 0},
    {"Australia/Lord_Howe", 2026, 4, 5, 2, 0, 0, 2026, 4, 4, 15, 30, 0},
    {"Australia/Lord_Howe", 2026, 10, 4, 2, 15, 0, 2026, 10, 3, 15, 45, 0},
    {"Australia/Lord_Howe", 2026, 10, 4, 2, 30, 0, 2026, 10, 3, 15, 30, 0},
    {"America/Nuuk", 2026, 3, 28, 23, 30, 0, 2026, 3, 29, 1, 30, 0},
    {"America/Nuuk", 2026, 10, 24, 23, 30, 0, 2026, 10, 25, 0, 30, 0},
    {"UTC", 2026, 11, 3, 9, 5, 0, 2026, 11, 3, 9, 5, 0},
};

Test(tz, local_times_in_gaps_and_folds_follow_the_documented_rules)
{
    for (size_t i = 0; i < sizeof locals / sizeof locals[0]; i++) {
        const struct local_case *c = &locals[i];
        struct tz *z = load(c->zone);
        int64_t got =
            tz_local_to_utc(z, date_from_civil(c->y, c->mo, c->d), c->h * 3600 + c->mi * 60 + c->s);
        int64_t want = utc(c->uy, c->umo, c->ud, c->uh, c->umi, c->us);
        cr_assert_eq(got, want, "%s local %04d-%02d-%02d %02d:%02d:%02d: off by %lld s", c->zone,
                     c->y, c->mo, c->d, c->h, c->mi, c->s, (long long)(got - want));
        tz_free(z);
    }
}

Test(tz, local_day_floors_including_before_1970)
{
    static const struct {
        const char *zone;
        int64_t t;
        int y, mo, d; /* local date */
    } cases[] = {
        {"America/Los_Angeles", 1793692799, 2026, 11, 2}, /* 2026-11-03 07:59:59 UTC */
        {"America/Los_Angeles", 1793692800, 2026, 11, 3}, /* 08:00 UTC = 00:00 PST */
        {"Asia/Kolkata", 1793644200 - 1, 2026, 11, 2},    /* 2026-11-02 18:30 UTC - 1 */
        {"Asia/Kolkata", 1793644200, 2026, 11, 3},
        {"UTC", -1, 1969, 12, 31},
        {"UTC", -86400, 1969, 12, 31},
        {"UTC", -86401, 1969, 12, 30},
        {"America/Los_Angeles", 0, 1969, 12, 31},      /* 16:00 PST the day before */
        {"America/Los_Angeles", -57600, 1969, 12, 31}, /* 1969-12-31 08:00 UTC = 00:00 PST */
        {"America/Los_Angeles", -57601, 1969, 12, 30},
        {"Europe/Berlin", -3600, 1970, 1, 1}, /* 23:00 UTC = 00:00 CET */
        {"Europe/Berlin", -3601, 1969, 12, 31},
        {"Europe/Berlin", -2208992400, 1900, 1, 1}, /* 1899-12-31 23:00 UTC */
        {"Europe/Berlin", -2208992401, 1899, 12, 31},
    };
    /* 1793692800 = 20760 * 86400 + 8 * 3600; 1793644200 = 20759 * 86400 + 18.5 * 3600;
     * -2208992400 = -25567 * 86400 - 3600. */
    cr_assert_eq(utc(2026, 11, 3, 8, 0, 0), 1793692800);
    cr_assert_eq(utc(2026, 11, 2, 18, 30, 0), 1793644200);
    cr_assert_eq(utc(1899, 12, 31, 23, 0, 0), -2208992400);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tz *z = load(cases[i].zone);
        int32_t got = tz_local_day(z, cases[i].t);
        cr_assert_eq(got, date_from_civil(cases[i].y, cases[i].mo, cases[i].d), "%s at %lld",
                     cases[i].zone, (long long)cases[i].t);
        tz_free(z);
    }
    struct tz *z = load("America/Los_Angeles");
    cr_assert_eq(tz_local_day(z, INT64_MIN), INT32_MIN);
    cr_assert_eq(tz_local_day(z, INT64_MAX), INT32_MAX);
    tz_free(z);
}

Test(tz, system_tzdata_version_looks_like_a_release)
{
    tz_set_dir(NULL);
    const char *v = tz_data_version();
    cr_assert(strlen(v) == 5 && v[0] >= '1' && v[0] <= '2' && v[4] >= 'a' && v[4] <= 'z', "'%s'",
              v);
}

/* ---- hand-built files ---- */

TestSuite(tzfile, .init = scratch_init, .fini = scratch_fini);

/* A "slim" Berlin: one type and the footer. It must agree with the system's Berlin (fat or slim)
 * at every hour since the EU rules settled in 1996, in both directions. */
Test(tzfile, footer_only_zone_matches_the_full_zone)
{
    write_footer_zone("SlimBerlin", "CET-1CEST,M3.5.0,M10.5.0/3");
    struct tz *slim = load("SlimBerlin");
    tz_set_dir(NULL);
    struct tz *full = load("Europe/Berlin");
    for (int64_t t = utc(1996, 1, 1, 0, 0, 0); t < utc(2041, 1, 1, 0, 0, 0); t += 3600)
        cr_assert_eq(tz_offset_at(slim, t), tz_offset_at(full, t), "t=%lld", (long long)t);
    for (int32_t day = date_from_civil(2020, 1, 1); day < date_from_civil(2031, 1, 1); day++)
        for (int32_t sec = 0; sec < 86400; sec += 1800)
            cr_assert_eq(tz_local_to_utc(slim, day, sec), tz_local_to_utc(full, day, sec),
                         "day %d sec %d", (int)day, (int)sec);
    cr_assert_eq(tz_offset_at(slim, utc(2026, 3, 29, 1, 0, 0)), 7200);
    cr_assert_eq(tz_offset_at(slim, utc(2026, 10, 25, 1, 0, 0)), 3600);
    tz_free(slim);
    tz_free(full);
}

Test(tzfile, version_1_files_use_32_bit_times_and_keep_the_last_type)
{
    static const int64_t trans[] = {-1000000000, 1000000000};
    static const uint8_t idx[] = {1, 0};
    static const int32_t utoff[] = {-18000, 3600};
    struct tzif_spec s = {0, 2, trans, idx, 2, utoff, NULL, 0};
    write_tzif("V1Only", &s);
    struct tz *z = load("V1Only");
    cr_assert_eq(tz_offset_at(z, -1000000001), -18000); /* type 0 before the first transition */
    cr_assert_eq(tz_offset_at(z, -1000000000), 3600);
    cr_assert_eq(tz_offset_at(z, 999999999), 3600);
    cr_assert_eq(tz_offset_at(z, 1000000000), -18000);
    cr_assert_eq(tz_offset_at(z, (int64_t)1 << 40), -18000);
    tz_free(z);
}

Test(tzfile, the_footer_governs_only_after_the_last_transition)
{
    /* Deliberately inconsistent footer (+04 where the last type is +03) to see which one wins. */
    static const int64_t trans[] = {0};
    static const uint8_t idx[] = {1};
    static const int32_t utoff[] = {1800, 10800};
    struct tzif_spec s = {'2', 1, trans, idx, 2, utoff, "<+04>-4", 0};
    write_tzif("V2Fixed", &s);
    struct tz *z = load("V2Fixed");
    cr_assert_eq(tz_offset_at(z, -((int64_t)1 << 40)), 1800);
    cr_assert_eq(tz_offset_at(z, -1), 1800);
    cr_assert_eq(tz_offset_at(z, 0), 10800);
    cr_assert_eq(tz_offset_at(z, 1), 14400);
    tz_free(z);
}

/* Footers with hand-computed change instants. Std offset 0 and DST +1 h unless stated.
 *   J60 is March 1 in every year; zero-based 59 is Feb 29 in 2028 but Mar 1 in 2027.
 *   J300 = Oct 27 (Jan..Sep of a common year: 273 days); zero-based 300 in 2028 = Oct 27 (Jan..Sep
 *   = 274 days, day 274 is Oct 1), in 2027 = Oct 28. Ends at 00:00 daylight = 23:00 UTC before.
 *   /-25 and /167: 2026's last Sunday of March (29th) minus 25 h = Mar 27 23:00 UTC; last Sunday
 *   of October (25th) + 167 h = Oct 31 23:00 daylight = 22:00 UTC.
 *   M12.5.0/167: 2026's last Sunday of December is the 27th (Oct 25 + 63 days); + 167 h =
 * 2027-01-02 23:00 UTC, so year 2026's start falls in 2027; M2.1.0 of 2027 is Feb 7 (Jan 3 is a
 * Sunday), 02:00 daylight = 01:00 UTC. EST5EDT with no rule: the US default M3.2.0,M11.1.0 -> Mar 8
 * 07:00 UTC, Nov 1 06:00 UTC. EST5EDT,0/0,J365/25: daylight time all year (RFC 8536 §3.3.1). */
static const struct {
    const char *footer;
    int y, mo, d, h, mi, s; /* UTC */
    int32_t offset;
} footer_cases[] = {
    {"AAA0BBB,J60/0,J300/0", 2028, 2, 29, 23, 59, 59, 0},
    {"AAA0BBB,J60/0,J300/0", 2028, 3, 1, 0, 0, 0, 3600},
    {"AAA0BBB,J60/0,J300/0", 2027, 2, 28, 23, 59, 59, 0},
    {"AAA0BBB,J60/0,J300/0", 2027, 3, 1, 0, 0, 0, 3600},
    {"AAA0BBB,J60/0,J300/0", 2028, 10, 26, 22, 59, 59, 3600},
    {"AAA0BBB,J60/0,J300/0", 2028, 10, 26, 23, 0, 0, 0},
    {"AAA0BBB,59/0,300/0", 2028, 2, 28, 23, 59, 59, 0},
    {"AAA0BBB,59/0,300/0", 2028, 2, 29, 0, 0, 0, 3600},
    {"AAA0BBB,59/0,300/0", 2027, 2, 28, 23, 59, 59, 0},
    {"AAA0BBB,59/0,300/0", 2027, 3, 1, 0, 0, 0, 3600},
    {"AAA0BBB,59/0,300/0", 2028, 10, 26, 22, 59, 59, 3600},
    {"AAA0BBB,59/0,300/0", 2028, 10, 26, 23, 0, 0, 0},
    {"AAA0BBB,59/0,300/0", 2027, 10, 27, 22, 59, 59, 3600},
    {"AAA0BBB,59/0,300/0", 2027, 10, 27, 23, 0, 0, 0},
    {"AAA0BBB,M3.5.0/-25,M10.5.0/167", 2026, 3, 27, 22, 59, 59, 0},
    {"AAA0BBB,M3.5.0/-25,M10.5.0/167", 2026, 3, 27, 23, 0, 0, 3600},
    {"AAA0BBB,M3.5.0/-25,M10.5.0/167", 2026, 10, 31, 21, 59, 59, 3600},
    {"AAA0BBB,M3.5.0/-25,M10.5.0/167", 2026, 10, 31, 22, 0, 0, 0},
    {"AAA0BBB,M12.5.0/167,M2.1.0", 2027, 1, 2, 22, 59, 59, 0},
    {"AAA0BBB,M12.5.0/167,M2.1.0", 2027, 1, 2, 23, 0, 0, 3600},
    {"AAA0BBB,M12.5.0/167,M2.1.0", 2027, 2, 7, 0, 59, 59, 3600},
    {"AAA0BBB,M12.5.0/167,M2.1.0", 2027, 2, 7, 1, 0, 0, 0},
    {"AAA0BBB,M12.5.0/167,M2.1.0", 2026, 12, 31, 0, 0, 0, 0},
    {"EST5EDT", 2026, 3, 8, 6, 59, 59, -18000},
    {"EST5EDT", 2026, 3, 8, 7, 0, 0, -14400},
    {"EST5EDT", 2026, 11, 1, 5, 59, 59, -14400},
    {"EST5EDT", 2026, 11, 1, 6, 0, 0, -18000},
    {"EST5EDT,0/0,J365/25", 2026, 1, 1, 0, 0, 0, -14400},
    {"EST5EDT,0/0,J365/25", 2026, 1, 1, 5, 0, 0, -14400},
    {"EST5EDT,0/0,J365/25", 2026, 7, 1, 0, 0, 0, -14400},
    {"EST5EDT,0/0,J365/25", 2028, 12, 31, 23, 59, 59, -14400},
    {"EST5EDT,0/0,J365/25", 2029, 1, 1, 5, 0, 0, -14400},
    {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 2026, 7, 1, 0, 0, 0, 37800},
    {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 2026, 12, 1, 0, 0, 0, 39600},
    {"AAA3BBB2,M3.2.0/2:30:15,M11.1.0/-2:30", 2026, 3, 8, 5, 30, 14, -10800},
    {"AAA3BBB2,M3.2.0/2:30:15,M11.1.0/-2:30", 2026, 3, 8, 5, 30, 15, -7200},
    {"AAA3BBB2,M3.2.0/2:30:15,M11.1.0/-2:30", 2026, 10, 31, 23, 29, 59, -7200},
    {"AAA3BBB2,M3.2.0/2:30:15,M11.1.0/-2:30", 2026, 10, 31, 23, 30, 0, -10800},
    {"<-03>3", 2026, 7, 1, 0, 0, 0, -10800},
    {"AAA+1:30:15", 2026, 7, 1, 0, 0, 0, -5415},
};
/* The AAA3BBB2 rows: start Mar 8 02:30:15 at -03 = 05:30:15 UTC; end Nov 1 minus 2:30 = Oct 31
 * 21:30 at -02 = 23:30 UTC. */

Test(tzfile, footer_rules_change_on_the_hand_computed_instants)
{
    for (size_t i = 0; i < sizeof footer_cases / sizeof footer_cases[0]; i++) {
        char name[16];
        snprintf(name, sizeof name, "F%zu", i);
        write_footer_zone(name, footer_cases[i].footer);
        struct tz *z = load(name);
        int64_t t = utc(footer_cases[i].y, footer_cases[i].mo, footer_cases[i].d, footer_cases[i].h,
                        footer_cases[i].mi, footer_cases[i].s);
        int32_t got = tz_offset_at(z, t);
        cr_assert_eq(got, footer_cases[i].offset, "'%s' at %04d-%02d-%02d %02d:%02d:%02d: got %d",
                     footer_cases[i].footer, footer_cases[i].y, footer_cases[i].mo,
                     footer_cases[i].d, footer_cases[i].h, footer_cases[i].mi, footer_cases[i].s,
                     (int)got);
        tz_free(z);
    }
}

Test(tzfile, dst_all_year_has_no_gap_or_fold_at_new_year)
{
    write_footer_zone("AllYear", "EST5EDT,0/0,J365/25");
    struct tz *z = load("AllYear");
    /* 2027-01-01 00:30 EDT = 04:30 UTC; 2026-06-01 12:00 EDT = 16:00 UTC */
    cr_assert_eq(tz_local_to_utc(z, date_from_civil(2027, 1, 1), 1800), utc(2027, 1, 1, 4, 30, 0));
    cr_assert_eq(tz_local_to_utc(z, date_from_civil(2026, 6, 1), 43200), utc(2026, 6, 1, 16, 0, 0));
    tz_free(z);
}

Test(tzfile, malformed_footers_are_rejected)
{
    static const char *const bad[] = {
        "CET-1CEST,M13.5.0,M10.5.0/3",
        "CET-1CEST,M3.6.0,M10.5.0",
        "CET-1CEST,M3.5.7,M10.5.0",
        "CET-1CEST,M0.5.0,M10.5.0",
        "CET-1CEST,M3.5.0",
        "CET-1CEST,M3.5.0,M10.5.0/168",
        "CET-1CEST,M3.5.0/-168,M10.5.0",
        "C-1",
        "CET",
        "CET-25",
        "CET-1:60",
        "<+1>-1",
        "<+01-1",
        "CET-1CEST,J0,J365",
        "CET-1CEST,J366,J1",
        "CET-1CEST,366,1",
        "CET-1CEST,M3.5.0,M10.5.0 ",
        "CET-1CEST,M3.5.0,M10.5.0,",
        "CET-1CE",
        "CET-1CEST,M3.5.0,M10.5.0/",
        "CET-1CEST,,M10.5.0",
        " CET-1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[16], err[128] = "", want[64];
        snprintf(name, sizeof name, "B%zu", i);
        write_footer_zone(name, bad[i]);
        struct tz *z = NULL;
        cr_assert_eq(tz_load(name, &z, err, sizeof err), -1, "footer '%s' accepted", bad[i]);
        snprintf(want, sizeof want, "bad time zone file for '%s'", name);
        cr_assert_str_eq(err, want);
    }
}

Test(tzfile, damaged_files_are_reported_not_loaded)
{
    static const int64_t trans[] = {100, 50};
    static const uint8_t idx_ok[] = {0, 1}, idx_bad[] = {0, 5};
    static const int32_t utoff[] = {0, 3600}, huge[] = {0, 100000};
    static const int64_t sorted[] = {50, 100};
    struct tzif_spec s;

    write_file("NotTzif", "hello\n", 6);
    write_file("Empty", "", 0);
    s = (struct tzif_spec){'2', 2, trans, idx_ok, 2, utoff, "", 0};
    write_tzif("Unsorted", &s);
    s = (struct tzif_spec){'2', 2, sorted, idx_bad, 2, utoff, "", 0};
    write_tzif("BadIndex", &s);
    s = (struct tzif_spec){'2', 2, sorted, idx_ok, 2, huge, "", 0};
    write_tzif("HugeOffset", &s);
    s = (struct tzif_spec){'2', 2, sorted, idx_ok, 2, utoff, NULL, 0};
    write_tzif("NoFooter", &s);
    s = (struct tzif_spec){'2', 2, sorted, idx_ok, 2, utoff, "", 1};
    write_tzif("Leap", &s);
    s = (struct tzif_spec){'2', 2, sorted, idx_ok, 2, utoff, "CET-1", 0};
    struct bytes b = build_tzif(&s);
    write_file("Truncated", b.p, b.len - 20);
    write_file("NoNewline", b.p, b.len - 1);
    free(b.p);
    char path[160];
    snprintf(path, sizeof path, "%s/Dir", scratch);
    cr_assert_eq(mkdir(path, 0700), 0);
    remember("Dir", true);

    static const struct {
        const char *name, *msg;
    } cases[] = {
        {"NotTzif", "unknown time zone 'NotTzif'"},
        {"Empty", "unknown time zone 'Empty'"},
        {"Dir", "unknown time zone 'Dir'"},
        {"Missing", "unknown time zone 'Missing'"},
        {"Unsorted", "bad time zone file for 'Unsorted'"},
        {"BadIndex", "bad time zone file for 'BadIndex'"},
        {"HugeOffset", "bad time zone file for 'HugeOffset'"},
        {"NoFooter", "bad time zone file for 'NoFooter'"},
        {"Truncated", "bad time zone file for 'Truncated'"},
        {"NoNewline", "bad time zone file for 'NoNewline'"},
        {"Leap", "unsupported time zone 'Leap' (leap seconds)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tz *z = NULL;
        char err[128] = "";
        cr_assert_eq(tz_load(cases[i].name, &z, err, sizeof err), -1, "%s", cases[i].name);
        cr_assert_str_eq(err, cases[i].msg);
    }
    /* the same bytes, whole, load */
    s = (struct tzif_spec){'2', 2, sorted, idx_ok, 2, utoff, "CET-1", 0};
    write_tzif("Whole", &s);
    struct tz *z = load("Whole");
    cr_assert_eq(tz_offset_at(z, 75), 0);
    cr_assert_eq(tz_offset_at(z, 100), 3600);
    cr_assert_eq(tz_offset_at(z, (int64_t)1 << 40), 3600);
    tz_free(z);
}

Test(tzfile, data_version_comes_from_tzdata_zi_or_version_file)
{
    cr_assert_str_eq(tz_data_version(), "unknown");
    static const char plus[] = "2024a\n";
    write_file("+VERSION", plus, strlen(plus));
    tz_set_dir(scratch); /* forget the cached answer */
    cr_assert_str_eq(tz_data_version(), "2024a");
    static const char zi_bad[] = "# not a version line\n";
    write_file("tzdata.zi", zi_bad, strlen(zi_bad));
    tz_set_dir(scratch);
    cr_assert_str_eq(tz_data_version(), "2024a");
    static const char zi[] = "# version 2099z\n# ddeps backzone\n";
    write_file("tzdata.zi", zi, strlen(zi));
    tz_set_dir(scratch);
    cr_assert_str_eq(tz_data_version(), "2099z");
    static const char zi_junk[] = "# version 20 99\n";
    write_file("tzdata.zi", zi_junk, strlen(zi_junk));
    static const char plus_junk[] = "../x\n";
    write_file("+VERSION", plus_junk, strlen(plus_junk));
    tz_set_dir(scratch);
    cr_assert_str_eq(tz_data_version(), "unknown");
}
