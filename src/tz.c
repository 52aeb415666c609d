/* tz.c — TZif reader (RFC 8536) with the POSIX TZ footer rule, and local/UTC conversion. */
#include "tz.h"

#include "date.h"
#include "util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_DIR_MAX     4096
#define TZ_NAME_MAX    255
#define TZ_FILE_MAX    (4u << 20) /* bytes; real zone files are a few KiB */
/* RFC 8536 §3.2: utoff should lie in [-89999, 93599] (-24:59:59 .. +25:59:59). */
#define TZ_UTOFF_MIN  (-89999)
#define TZ_UTOFF_MAX  93599
#define TZ_WINDOW_SEC (2 * (int64_t)DATE_SECONDS_PER_DAY) /* wider than any two offsets apart */
#define TZ_MAX_CUTS   32

struct tz_type {
    int32_t utoff; /* seconds east of UTC */
    bool isdst;
};

/* One end of the footer's DST period: a day rule plus a local time of day. */
struct tz_rule_date {
    char kind;    /* 'J' (Jn, 1..365, no Feb 29), 'D' (n, 0..365), 'M' (Mm.w.d) */
    int n;        /* day of year for 'J' and 'D' */
    int month;    /* 1..12 for 'M' */
    int week;     /* 1..5 for 'M', 5 = last */
    int weekday;  /* 0 = Sunday .. 6 for 'M' */
    int32_t time; /* seconds after local midnight, -167h..167h (RFC 8536 §3.3.1) */
};

struct tz_rule {
    int32_t std_utoff; /* seconds east */
    int32_t dst_utoff; /* seconds east, only when has_dst */
    bool has_dst;
    struct tz_rule_date start, end;
};

struct tz {
    char *name;
    int64_t *trans_ts;   /* UTC seconds, strictly increasing */
    uint8_t *trans_type; /* index into types */
    size_t n_trans;
    struct tz_type *types;
    size_t n_types;
    bool has_rule; /* the footer governs instants after the last transition */
    struct tz_rule rule;
};

static char tz_dir[TZ_DIR_MAX] = TZ_DEFAULT_DIR;
static char tz_version[32];
static bool tz_version_known;

void tz_set_dir(const char *dir)
{
    if (!dir)
        dir = TZ_DEFAULT_DIR;
    if (strlen(dir) >= sizeof tz_dir)
        BUG("tz_set_dir: directory name too long");
    strcpy(tz_dir, dir);
    tz_version_known = false;
}

/* ---- reading the file ---- */

static unsigned char *read_whole_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    bool ok = true;
    for (;;) {
        VEC_GROW(buf, cap, len + 4096);
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len > TZ_FILE_MAX) {
            ok = false;
            break;
        }
        if (got == 0) {
            ok = !ferror(f); /* a directory opens but fails to read with EISDIR */
            break;
        }
    }
    fclose(f);
    if (!ok) {
        free(buf);
        return NULL;
    }
    *len_out = len;
    return buf;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_header {
    char version; /* 0, '2', '3', '4' */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static bool read_header(const unsigned char *p, size_t avail, struct tzif_header *h)
{
    if (avail < 44 || memcmp(p, "TZif", 4) != 0)
        return false;
    h->version = (char)p[4];
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    return true;
}

/* Size of the data block after a header; 64-bit so that hostile counts cannot wrap. */
static uint64_t data_size(const struct tzif_header *h, unsigned time_size)
{
    return (uint64_t)h->timecnt * time_size + h->timecnt + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt;
}

enum tzif_status { TZIF_OK, TZIF_NOT_TZIF, TZIF_CORRUPT, TZIF_LEAP };

static bool parse_posix_tz(const char *s, size_t len, struct tz_rule *r);

static enum tzif_status parse_tzif(const unsigned char *buf, size_t len, struct tz *z)
{
    struct tzif_header h;
    if (!read_header(buf, len, &h))
        return TZIF_NOT_TZIF;
    const unsigned char *p = buf + 44;
    unsigned time_size = 4;
    if (h.version >= '2') {
        /* The v1 block is only there for old readers; the 64-bit block repeats it in full. */
        uint64_t skip = data_size(&h, 4);
        if (skip > len - 44)
            return TZIF_CORRUPT;
        p += skip;
        if (!read_header(p, len - (size_t)(p - buf), &h))
            return TZIF_CORRUPT;
        p += 44;
        time_size = 8;
    } else if (h.version != 0) {
        return TZIF_CORRUPT;
    }
    size_t avail = len - (size_t)(p - buf);
    if (data_size(&h, time_size) > avail)
        return TZIF_CORRUPT;
    if (h.typecnt == 0 || h.typecnt > 256 || (h.isstdcnt != 0 && h.isstdcnt != h.typecnt) ||
        (h.isutcnt != 0 && h.isutcnt != h.typecnt))
        return TZIF_CORRUPT;
    /* Leap-second ("right/") zones count TAI-like seconds; the tool's timestamps are POSIX. */
    if (h.leapcnt != 0)
        return TZIF_LEAP;

    z->n_trans = h.timecnt;
    z->trans_ts = xreallocarray(NULL, h.timecnt, sizeof *z->trans_ts);
    z->trans_type = xmalloc(h.timecnt);
    for (size_t i = 0; i < h.timecnt; i++, p += time_size) {
        z->trans_ts[i] = time_size == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
        if (i > 0 && z->trans_ts[i] <= z->trans_ts[i - 1])
            return TZIF_CORRUPT;
    }
    for (size_t i = 0; i < h.timecnt; i++, p++) {
        if (*p >= h.typecnt)
            return TZIF_CORRUPT;
        z->trans_type[i] = *p;
    }
    z->n_types = h.typecnt;
    z->types = xreallocarray(NULL, h.typecnt, sizeof *z->types);
    for (size_t i = 0; i < h.typecnt; i++, p += 6) {
        int32_t utoff = (int32_t)be32(p);
        if (utoff < TZ_UTOFF_MIN || utoff > TZ_UTOFF_MAX || p[4] > 1 || p[5] >= h.charcnt)
            return TZIF_CORRUPT;
        z->types[i] = (struct tz_type){utoff, p[4] == 1};
    }
    p += h.charcnt + (size_t)h.isstdcnt + h.isutcnt; /* abbreviations and indicators: unused */

    if (time_size == 8) {
        size_t rest = len - (size_t)(p - buf);
        const unsigned char *nl = rest > 0 ? memchr(p + 1, '\n', rest - 1) : NULL;
        if (rest == 0 || p[0] != '\n' || !nl)
            return TZIF_CORRUPT;
        size_t flen = (size_t)(nl - (p + 1));
        if (flen > 0) {
            if (!parse_posix_tz((const char *)p + 1, flen, &z->rule))
                return TZIF_CORRUPT;
            z->has_rule = true;
        }
    }
    return TZIF_OK;
}

/* ---- the POSIX TZ string (RFC 8536 §3.3) ---- */

struct span {
    const char *p, *end;
};

static bool span_char(struct span *s, char c)
{
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return true;
    }
    return false;
}

static bool span_number(struct span *s, int max_digits, int *v)
{
    int n = 0;
    *v = 0;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
        if (++n > max_digits)
            return false;
        *v = *v * 10 + (*s->p++ - '0');
    }
    return n > 0;
}

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Abbreviation: three or more letters, or <...> of letters, digits, '+' and '-'. */
static bool span_abbrev(struct span *s)
{
    const char *start = s->p;
    if (span_char(s, '<')) {
        start = s->p;
        while (s->p < s->end &&
               (is_alpha(*s->p) || (*s->p >= '0' && *s->p <= '9') || *s->p == '+' || *s->p == '-'))
            s->p++;
        return s->p - start >= 3 && span_char(s, '>');
    }
    while (s->p < s->end && is_alpha(*s->p))
        s->p++;
    return s->p - start >= 3;
}

/* [+-]hh[:mm[:ss]] in seconds, hours up to max_hours. */
static bool span_hms(struct span *s, int max_hours, int32_t *out)
{
    int sign = 1;
    if (span_char(s, '-'))
        sign = -1;
    else
        span_char(s, '+');
    int h, m = 0, sec = 0;
    if (!span_number(s, 3, &h) || h > max_hours)
        return false;
    if (span_char(s, ':')) {
        if (!span_number(s, 2, &m) || m > 59)
            return false;
        if (span_char(s, ':') && (!span_number(s, 2, &sec) || sec > 59))
            return false;
    }
    *out = (int32_t)(sign * (h * 3600 + m * 60 + sec));
    return true;
}

static bool span_rule_date(struct span *s, struct tz_rule_date *d)
{
    if (span_char(s, 'J')) {
        d->kind = 'J';
        if (!span_number(s, 3, &d->n) || d->n < 1 || d->n > 365)
            return false;
    } else if (span_char(s, 'M')) {
        d->kind = 'M';
        if (!span_number(s, 2, &d->month) || d->month < 1 || d->month > 12 || !span_char(s, '.') ||
            !span_number(s, 1, &d->week) || d->week < 1 || d->week > 5 || !span_char(s, '.') ||
            !span_number(s, 1, &d->weekday) || d->weekday > 6)
            return false;
    } else {
        d->kind = 'D';
        if (!span_number(s, 3, &d->n) || d->n > 365)
            return false;
    }
    d->time = 2 * 3600;
    if (span_char(s, '/'))
        return span_hms(s, 167, &d->time);
    return true;
}

static bool parse_posix_tz(const char *str, size_t len, struct tz_rule *r)
{
    struct span s = {str, str + len};
    int32_t west;
    memset(r, 0, sizeof *r);
    /* POSIX offsets count hours west of Greenwich, the opposite of utoff. */
    if (!span_abbrev(&s) || !span_hms(&s, 24, &west))
        return false;
    r->std_utoff = -west;
    if (s.p == s.end)
        return true;
    if (!span_abbrev(&s))
        return false;
    r->has_dst = true;
    r->dst_utoff = r->std_utoff + 3600;
    if (s.p < s.end && *s.p != ',') {
        if (!span_hms(&s, 24, &west))
            return false;
        r->dst_utoff = -west;
    }
    if (s.p == s.end) {
        /* No rule given: tzcode falls back to the US rules, so do the same. */
        static const char us[] = ",M3.2.0,M11.1.0";
        s = (struct span){us, us + sizeof us - 1};
    }
    if (!span_char(&s, ',') || !span_rule_date(&s, &r->start) || !span_char(&s, ',') ||
        !span_rule_date(&s, &r->end) || s.p != s.end)
        return false;
    return true;
}

/* ---- offsets ---- */

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t floor_mod(int64_t a, int64_t m)
{
    int64_t r = a % m;
    return r < 0 ? r + m : r;
}

static int64_t rule_day(const struct tz_rule_date *d, int year)
{
    int64_t jan1 = date_from_civil(year, 1, 1);
    switch (d->kind) {
    case 'J':
        return jan1 + d->n - 1 + (is_leap(year) && d->n >= 60);
    case 'D':
        return jan1 + d->n;
    default: {
        int64_t first = date_from_civil(year, d->month, 1);
        int64_t first_wd = floor_mod(first + 4, 7); /* 1970-01-01 was a Thursday */
        int64_t day = first + floor_mod(d->weekday - first_wd, 7) + (int64_t)(d->week - 1) * 7;
        int64_t len = date_days_in_month(year, d->month);
        while (day >= first + len)
            day -= 7;
        return day;
    }
    }
}

struct rule_change {
    int64_t ts;
    bool to_dst;
};

/* DST start and end of `year` as UTC instants. The start is written in standard time, the end in
 * daylight time (POSIX). */
static void rule_changes(const struct tz_rule *r, int year, struct rule_change out[2])
{
    out[0].ts = rule_day(&r->start, year) * DATE_SECONDS_PER_DAY + r->start.time - r->std_utoff;
    out[0].to_dst = true;
    out[1].ts = rule_day(&r->end, year) * DATE_SECONDS_PER_DAY + r->end.time - r->dst_utoff;
    out[1].to_dst = false;
}

/* Year of the UTC instant, kept where date_from_civil is defined with room for year +- 1. */
static int year_of(int64_t t)
{
    int y, m, d;
    date_to_civil(date_day_of_ts(t), &y, &m, &d);
    return y < 2 ? 2 : (y > 9998 ? 9998 : y);
}

/* Sort changes by instant; at a tie the DST start sorts last, so a rule whose end meets the next
 * start (DST all year, "EST5EDT,0/0,J365/25") stays in DST. */
static void sort_changes(struct rule_change *c, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct rule_change x = c[i];
        size_t j = i;
        while (j > 0 &&
               (c[j - 1].ts > x.ts || (c[j - 1].ts == x.ts && c[j - 1].to_dst > x.to_dst))) {
            c[j] = c[j - 1];
            j--;
        }
        c[j] = x;
    }
}

/* Changes of the year before and after are included because the extended /time of a rule
 * (up to 167 hours either way) can push a change across New Year. */
static int32_t rule_offset_at(const struct tz_rule *r, int64_t t)
{
    if (!r->has_dst)
        return r->std_utoff;
    int y = year_of(t);
    struct rule_change c[6];
    for (int i = 0; i < 3; i++)
        rule_changes(r, y - 1 + i, &c[2 * i]);
    sort_changes(c, 6);
    bool dst = false;
    for (size_t i = 0; i < 6 && c[i].ts <= t; i++)
        dst = c[i].to_dst;
    return dst ? r->dst_utoff : r->std_utoff;
}

int32_t tz_offset_at(const struct tz *z, int64_t t)
{
    size_t n = z->n_trans;
    if (z->has_rule && (n == 0 || t > z->trans_ts[n - 1]))
        return rule_offset_at(&z->rule, t);
    /* RFC 8536 §3.2: before the first transition (or with none) time type 0 applies. */
    if (n == 0 || t < z->trans_ts[0])
        return z->types[0].utoff;
    size_t lo = 0, hi = n; /* last transition <= t is in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans_ts[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->types[z->trans_type[lo]].utoff;
}

static void add_cut(int64_t *cuts, size_t *n, int64_t t)
{
    for (size_t i = 0; i < *n; i++)
        if (cuts[i] == t)
            return;
    if (*n < TZ_MAX_CUTS)
        cuts[(*n)++] = t;
}

/* Instants in (a, b] where the offset may change, sorted. */
static size_t cuts_between(const struct tz *z, int64_t a, int64_t b, int64_t *cuts)
{
    size_t n = 0;
    size_t lo = 0, hi = z->n_trans; /* first transition > a */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans_ts[mid] <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < z->n_trans && z->trans_ts[i] <= b; i++)
        add_cut(cuts, &n, z->trans_ts[i]);
    if (z->has_rule && z->rule.has_dst) {
        int64_t last = z->n_trans ? z->trans_ts[z->n_trans - 1] : INT64_MIN;
        for (int y = year_of(a) - 1; y <= year_of(b) + 1; y++) {
            struct rule_change c[2];
            rule_changes(&z->rule, y, c);
            for (int k = 0; k < 2; k++)
                if (c[k].ts > a && c[k].ts <= b && c[k].ts > last)
                    add_cut(cuts, &n, c[k].ts);
        }
    }
    for (size_t i = 1; i < n; i++) {
        int64_t x = cuts[i];
        size_t j = i;
        for (; j > 0 && cuts[j - 1] > x; j--)
            cuts[j] = cuts[j - 1];
        cuts[j] = x;
    }
    return n;
}

/* The offsets in force around the local time form segments between cuts; in each segment the
 * one candidate instant is local - offset. Segments are in time order, so the first candidate
 * that falls inside its own segment is the earlier instant of a fold. */
int64_t tz_local_to_utc(const struct tz *z, int32_t day, int32_t sec)
{
    int64_t local = (int64_t)day * DATE_SECONDS_PER_DAY + sec;
    int64_t a = local - TZ_WINDOW_SEC, b = local + TZ_WINDOW_SEC;
    int64_t cuts[TZ_MAX_CUTS];
    size_t n = cuts_between(z, a, b, cuts);
    int32_t offs[TZ_MAX_CUTS + 1];
    offs[0] = tz_offset_at(z, a);
    for (size_t i = 0; i < n; i++)
        offs[i + 1] = tz_offset_at(z, cuts[i]);
    for (size_t i = 0; i <= n; i++) {
        int64_t t = local - offs[i];
        int64_t seg_start = i == 0 ? a : cuts[i - 1];
        if (t >= seg_start && (i == n || t < cuts[i]))
            return t;
    }
    /* No instant shows this local time: it lies in a gap, read with the offset before it. */
    for (size_t i = 0; i < n; i++)
        if (cuts[i] + offs[i] <= local && local < cuts[i] + offs[i + 1])
            return local - offs[i];
    return local - offs[0];
}

int32_t tz_local_day(const struct tz *z, int64_t t)
{
    int32_t off = tz_offset_at(z, t);
    if ((off > 0 && t > INT64_MAX - off) || (off < 0 && t < INT64_MIN - off))
        return date_day_of_ts(t);
    return date_day_of_ts(t + off);
}

/* ---- loading ---- */

static bool valid_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > TZ_NAME_MAX || name[0] == '/' || strstr(name, ".."))
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!(is_alpha(c) || (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '+' ||
              c == '-'))
            return false;
    }
    return true;
}

/* The name goes into a message, so anything unprintable is shown as '?'. */
static void set_error(char *err, size_t errlen, const char *what, const char *name, const char *why)
{
    char shown[72];
    size_t i = 0;
    for (; name[i] && i < sizeof shown - 1; i++)
        shown[i] = (name[i] >= ' ' && name[i] <= '~') ? name[i] : '?';
    shown[i] = '\0';
    if (err && errlen > 0)
        snprintf(err, errlen, "%s '%s'%s", what, shown, why);
}

int tz_load(const char *name, struct tz **out, char *err, size_t errlen)
{
    if (!valid_name(name)) {
        set_error(err, errlen, "unknown time zone", name, "");
        return -1;
    }
    struct tz *z = xcalloc(1, sizeof *z);
    z->name = xstrdup(name);
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0) {
        z->n_types = 1;
        z->types = xcalloc(1, sizeof *z->types);
        *out = z;
        return 0;
    }

    char path[TZ_DIR_MAX + TZ_NAME_MAX + 2];
    snprintf(path, sizeof path, "%s/%s", tz_dir, name);
    size_t len = 0;
    unsigned char *buf = read_whole_file(path, &len);
    enum tzif_status st = buf ? parse_tzif(buf, len, z) : TZIF_NOT_TZIF;
    free(buf);
    if (st != TZIF_OK) {
        if (st == TZIF_LEAP)
            set_error(err, errlen, "unsupported time zone", name, " (leap seconds)");
        else if (st == TZIF_CORRUPT)
            set_error(err, errlen, "bad time zone file for", name, "");
        else
            set_error(err, errlen, "unknown time zone", name, "");
        tz_free(z);
        return -1;
    }
    *out = z;
    return 0;
}

void tz_free(struct tz *z)
{
    if (!z)
        return;
    free(z->name);
    free(z->trans_ts);
    free(z->trans_type);
    free(z->types);
    free(z);
}

const char *tz_name(const struct tz *z)
{
    return z->name;
}

/* ---- tzdata version ---- */

/* Copy the first line of `path` after `prefix` into tz_version if it looks like "2025b". */
static bool version_from(const char *file, const char *prefix)
{
    char path[TZ_DIR_MAX + 32], line[64];
    snprintf(path, sizeof path, "%s/%s", tz_dir, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    size_t plen = strlen(prefix);
    if (!got || strncmp(line, prefix, plen) != 0)
        return false;
    const char *v = line + plen;
    size_t n = strcspn(v, "\r\n");
    if (n == 0 || n >= sizeof tz_version)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(is_alpha(v[i]) || (v[i] >= '0' && v[i] <= '9')))
            return false;
    memcpy(tz_version, v, n);
    tz_version[n] = '\0';
    return true;
}

const char *tz_data_version(void)
{
    /* Read once, under a lock: workbooks written by several threads at once each ask (run.c). */
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&mu);
    if (!tz_version_known) {
        if (!version_from("tzdata.zi", "# version ") && !version_from("+VERSION", ""))
            strcpy(tz_version, "unknown");
        tz_version_known = true;
    }
    pthread_mutex_unlock(&mu);
    return tz_version;
}
