/* ingest.c — from CSV records to typed, interned, reconciled rows. */
#include "ingest.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "csvin.h"
#include "fx.h"
#include "ids.h"
#include "money.h"
#include "util.h"

/* A set of row hashes (open addressing, 0 = empty; a hash of 0 is stored as 1). */
struct hash_set {
    uint64_t *slot;
    size_t n, n_slots;
};

/* Reading state for one file. */
struct reader {
    struct dataset *ds;
    const struct settings *s;
    const struct ingest_window *w;
    enum input_kind kind;
    const struct inputcfg *in;
    struct file_stats *fs;
    struct diag *d;
    const struct tz *file_tz;
    int col[SCHEMA_MAX_FIELDS]; /* physical column per logical field, -1 if not in the file */
    size_t n_header;
    char **header; /* physical header names, trimmed */
    bool header_failed;
    bool header_missing;  /* a mapped header (or one a plan reads) is not in the file */
    uint64_t header_line; /* the header's physical line */
    /* per deal id: the first row's hash and line, and where it went */
    uint64_t *seen_hash;
    uint64_t *seen_line;
    uint8_t *seen_bucket;
    uint32_t *seen_row;         /* deal table row, or ID_NONE */
    uint64_t *seen_hash_nolead; /* hash without the lead column */
    uint32_t *seen_nrows;       /* physical rows counted for this deal id (all in one bucket) */
    uint32_t *seen_head;        /* first entry of the deal's row list, ID_NONE if none */
    /* Row lists: every accepted row of a deal id (line, full hash), linked per deal. */
    uint64_t *dl_line, *dl_hash;
    uint32_t *dl_next;
    size_t dl_n, dl_cap;
    size_t seen_cap;
    const struct csvin_record *rec;
    uint64_t row_hash;               /* hash of every field of rec */
    bool row_ytd_only;               /* this deal row matters only to the year-to-date figures */
    struct touch_prefault *prefault; /* the touches file: shared with the reading thread */
    char peek_last[64];              /* touches and deals: the ID record_peek last prefetched */
    size_t peek_last_len;
    /* Hashes of rejected rows: an exact copy of a rejected row is a duplicate, counted once like
     * any other copy. */
    struct hash_set rejected;
    struct hash_set spend_seen; /* spend: hashes of every row so far, for duplicates */
    /* deals: the physical column of each ingest_window.deal_extra header */
    int *extra_col;
    bool extra_missing; /* one of them is not in the file: a config error */
    /* deals: the FX rates, for the rate in force on a day (NULL for the files read before) */
    const struct fx_rates *fx;
    /* adjustments, payments: the row ids met so far (any row with a non-empty id), and the line
     * of the first row with each */
    struct intern row_ids;
    uint64_t *row_id_line;
    size_t row_id_cap;
    /* payments: deal id (deal interner) → the kept deal's row, ID_NONE if none */
    uint32_t *deal_row_of;
    size_t n_deal_row_of;
};

/* A hash of every field except column `skip` (-1: none); lengths are part of it, so moving a
 * byte from one field to the next changes the hash. */
static uint64_t hash_record_except(const struct csvin_record *rec, int skip)
{
    uint64_t h = 0x9e3779b97f4a7c15u;
    for (size_t f = 0; f < rec->n_fields; f++) {
        if ((int)f == skip)
            continue;
        h = hash_accum(h, rec->fields[f], rec->lens[f]);
    }
    return hash_bytes(NULL, 0, h);
}

/* The trimmed value of logical field f, or an empty span if the column is not in the file. */
static const char *field(const struct reader *r, int f, size_t *len)
{
    int c = r->col[f];
    if (c < 0) {
        *len = 0;
        return "";
    }
    const char *v = r->rec->fields[c];
    *len = r->rec->lens[c];
    trim_span(&v, len);
    return v;
}

static const char *colname(const struct reader *r, int f)
{
    return r->col[f] >= 0 ? r->header[r->col[f]] : r->in->columns[f];
}

static void reject(struct reader *r, int f, const char *v, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void reject(struct reader *r, int f, const char *v, size_t len, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    dataset_reject(r->ds, r->kind, r->rec->line, f >= 0 ? colname(r, f) : NULL, v, len, reason);
    r->fs->bucket[BUCKET_REJECTED]++;
    if (r->row_ytd_only) {
        r->ds->rejects[r->ds->n_rejects - 1].ytd_only = true;
        r->fs->ytd_only_rejects++;
    }
}

static void reject_required(struct reader *r, int f)
{
    reject(r, f, "", 0, "empty %s", schema_get(r->kind)->fields[f].name);
}

/* Parse a date or date-time field. A date-only value is a business calendar date: its instant
 * is the local midnight that starts it, or with end_of_day the last second of it. */
static int when_core(struct reader *r, const char *v, size_t n, bool end_of_day, int64_t *ts,
                     int32_t *day, bool *date_only)
{
    struct datetime dt;
    int err = date_parse(v, n, r->in->fmt.date_format, &dt);
    if (err)
        return err;
    *date_only = !dt.has_time;
    if (!dt.has_time) {
        *day = dt.day;
        *ts = end_of_day ? tz_local_to_utc(r->w->business, dt.day + 1, 0) - 1
                         : tz_local_to_utc(r->w->business, dt.day, 0);
        return 0;
    }
    *ts =
        dt.has_offset ? datetime_utc_with_offset(&dt) : tz_local_to_utc(r->file_tz, dt.day, dt.sec);
    *day = tz_local_day(r->w->business, *ts);
    return 0;
}

static void reject_date(struct reader *r, int f, const char *v, size_t n, int err)
{
    reject(r, f, v, n, "bad date (%s, expected %s)", date_strerror(err),
           date_format_name(r->in->fmt.date_format));
}

static int parse_when_v(struct reader *r, int f, const char *v, size_t n, bool end_of_day,
                        int64_t *ts, int32_t *day, bool *date_only)
{
    int err = when_core(r, v, n, end_of_day, ts, day, date_only);
    if (err) {
        reject_date(r, f, v, n, err);
        return -1;
    }
    return 0;
}

/* A deal row's close and cancel dates, read once, before anything else of the row. */
struct deal_dates {
    const char *close_v, *cancel_v;
    size_t n_close, n_cancel;
    int close_err, cancel_err; /* enum date_err; 0 when parsed (or the cancel cell is empty) */
    int64_t close_ts, cancel_ts;
    int32_t close_day, cancel_day; /* cancel_day DAY_NONE when not cancelled */
    bool close_date_only, cancel_date_only;
};

static void deal_dates_read(struct reader *r, struct deal_dates *dd)
{
    memset(dd, 0, sizeof *dd);
    dd->close_v = field(r, DF_CLOSED, &dd->n_close);
    dd->cancel_v = field(r, DF_CANCELLED, &dd->n_cancel);
    dd->cancel_day = DAY_NONE;
    if (dd->n_close)
        dd->close_err = when_core(r, dd->close_v, dd->n_close, true, &dd->close_ts, &dd->close_day,
                                  &dd->close_date_only);
    if (dd->n_cancel)
        dd->cancel_err = when_core(r, dd->cancel_v, dd->n_cancel, false, &dd->cancel_ts,
                                   &dd->cancel_day, &dd->cancel_date_only);
}

static bool deal_dates_ok(const struct deal_dates *dd)
{
    return dd->n_close && !dd->close_err && !dd->cancel_err;
}

/* Closed in [first, keep_last] or cancelled in [cfirst, clast], neither after as-of. */
static bool deal_in_window(const struct deal_dates *dd, const struct ingest_window *w,
                           int32_t first, int32_t cfirst, int32_t clast)
{
    bool closed =
        dd->close_day <= w->as_of_day && dd->close_day >= first && dd->close_day <= w->keep_last;
    bool cancelled = dd->cancel_day != DAY_NONE && dd->cancel_day <= w->as_of_day &&
                     dd->cancel_day >= cfirst && dd->cancel_day <= clast;
    return closed || cancelled;
}

static int parse_when(struct reader *r, int f, bool end_of_day, int64_t *ts, int32_t *day)
{
    size_t n;
    const char *v = field(r, f, &n);
    if (n == 0) {
        reject_required(r, f);
        return -1;
    }
    bool date_only;
    return parse_when_v(r, f, v, n, end_of_day, ts, day, &date_only);
}

/* An optional milestone (lead created, opportunity created): absent when the column is missing
 * or empty. A date-only value is the end of that local day, so "at or before" it compares local
 * dates. Returns 0 or -1 after rejecting the row. */
static int parse_milestone(struct reader *r, int f, struct milestone *m)
{
    size_t n;
    const char *v = field(r, f, &n);
    m->ts = MILESTONE_NONE;
    m->day = 0;
    m->date_only = false;
    if (n == 0)
        return 0;
    return parse_when_v(r, f, v, n, true, &m->ts, &m->day, &m->date_only);
}

/* Parse an amount in `currency` (the file's, or the row's currency column). */
static int parse_money(struct reader *r, int f, const char *currency, int64_t *out)
{
    size_t n;
    const char *v = field(r, f, &n);
    struct money_fmt mf = r->in->fmt.money;
    int digits = money_minor_digits(currency);
    mf.minor_digits = digits < 0 ? 2 : digits;
    struct money_parsed mp;
    int err = money_parse(v, n, &mf, &mp);
    if (err) {
        /* "14707,47" under decimal '.' is a misplaced thousands separator, and a decimal comma
         * reads it: say which setting would (and the other way round). */
        struct money_fmt other = mf;
        other.decimal = mf.decimal == '.' ? ',' : '.';
        other.thousands = other.decimal == ',' ? '.' : ',';
        if (err != MONEY_EEMPTY && err != MONEY_ESPREADSHEET &&
            money_parse(v, n, &other, &mp) == MONEY_OK)
            reject(r, f, v, n,
                   "bad amount (%s; if '%c' is the decimal separator, set [format.%s] "
                   "decimal = %c)",
                   money_strerror(err), other.decimal, schema_get(r->kind)->name, other.decimal);
        else
            reject(r, f, v, n, "bad amount (%s)", money_strerror(err));
        return -1;
    }
    if (mp.currency[0] && strcmp(mp.currency, currency) != 0) {
        reject(r, f, v, n, "amount is in %s but the row's currency is %s", mp.currency, currency);
        return -1;
    }
    *out = mp.minor;
    return 0;
}

/* An optional business calendar date written without a time (start_date, end_date): DAY_NONE
 * when empty. Returns 0 or -1 after rejecting the row. */
static int parse_day_opt(struct reader *r, int f, int32_t *day)
{
    size_t n;
    const char *v = field(r, f, &n);
    *day = DAY_NONE;
    if (n == 0)
        return 0;
    struct datetime dt;
    int err = date_parse(v, n, r->in->fmt.date_format, &dt);
    if (err) {
        reject(r, f, v, n, "bad date (%s, expected %s)", date_strerror(err),
               date_format_name(r->in->fmt.date_format));
        return -1;
    }
    if (dt.has_time) {
        reject(r, f, v, n, "expected a date without a time");
        return -1;
    }
    *day = dt.day;
    return 0;
}

/* An optional amount in the reporting currency (quota, target incentive): QUOTA_NONE when the
 * cell is empty or the column is not mapped; a negative amount is a bad value. Returns 0 or -1
 * after rejecting the row. */
static int parse_money_opt(struct reader *r, int f, int64_t *out)
{
    size_t n;
    const char *v = field(r, f, &n);
    *out = QUOTA_NONE;
    if (n == 0)
        return 0;
    int64_t m;
    if (parse_money(r, f, r->s->currency, &m))
        return -1;
    if (m < 0) {
        reject(r, f, v, n, "negative %s", schema_get(r->kind)->fields[f].name);
        return -1;
    }
    *out = m;
    return 0;
}

/* An ISO 4217 code cell, upper-cased into code[4]. Returns 0, or -1 after rejecting the row. */
static int parse_currency(struct reader *r, int f, const char *v, size_t n, char code[4])
{
    memset(code, 0, 4);
    if (n == 3)
        for (int i = 0; i < 3; i++)
            code[i] = (char)(v[i] >= 'a' && v[i] <= 'z' ? v[i] - 32 : v[i]);
    if (n != 3 || money_minor_digits(code) < 0) {
        reject(r, f, v, n, "unknown currency code");
        return -1;
    }
    return 0;
}

static uint32_t intern_field(struct intern *in, const char *v, size_t n)
{
    return intern_add(in, v, n, NULL);
}

bool ingest_stage_is_won(const char *won_stages, const char *stage, size_t len)
{
    trim_span(&stage, &len);
    for (const char *p = won_stages; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *w = p;
        trim_span(&w, &n);
        if (n && ascii_casecmp_n(w, n, stage, len) == 0)
            return true;
        p = end ? end + 1 : p + n;
    }
    return false;
}

/* Add h to the set; false if it was there already. */
static bool hash_set_add(struct hash_set *set, uint64_t h)
{
    h = h ? h : 1;
    if ((set->n + 1) * 2 > set->n_slots) {
        size_t n = set->n_slots ? set->n_slots * 2 : 64;
        uint64_t *v = xcalloc(n, sizeof *v);
        for (size_t i = 0; i < set->n_slots; i++) {
            if (!set->slot[i])
                continue;
            size_t j = (size_t)set->slot[i] & (n - 1);
            while (v[j])
                j = (j + 1) & (n - 1);
            v[j] = set->slot[i];
        }
        free(set->slot);
        set->slot = v;
        set->n_slots = n;
    }
    size_t j = (size_t)h & (set->n_slots - 1);
    while (set->slot[j]) {
        if (set->slot[j] == h)
            return false;
        j = (j + 1) & (set->n_slots - 1);
    }
    set->slot[j] = h;
    set->n++;
    return true;
}

static bool hash_set_has(const struct hash_set *set, uint64_t h)
{
    if (!set->n)
        return false;
    h = h ? h : 1;
    size_t j = (size_t)h & (set->n_slots - 1);
    while (set->slot[j]) {
        if (set->slot[j] == h)
            return true;
        j = (j + 1) & (set->n_slots - 1);
    }
    return false;
}

/* ---- per-file row handlers ------------------------------------------------------------- */

/* An ID field, normalised (ids.h): *id points into the record or into buf. Returns 0 (possibly
 * empty) or -1 after rejecting the row. */
static int id_value(struct reader *r, int f, enum id_domain dom, char *buf, const char **id,
                    size_t *n)
{
    size_t len;
    const char *v = field(r, f, &len);
    const char *why;
    if (ids_normalize(&r->s->ids, dom, v, len, buf, id, n, &why)) {
        reject(r, f, v, len, "%s", why);
        return -1;
    }
    return 0;
}

static int required_id(struct reader *r, int f, enum id_domain dom, char *buf, const char **id,
                       size_t *n)
{
    if (id_value(r, f, dom, buf, id, n))
        return -1;
    if (*n == 0) {
        reject_required(r, f);
        return -1;
    }
    return 0;
}

/* Text that ends up in a workbook cell must fit one: at most 32,767 characters (UTF-16 units,
 * as Excel counts). Longer text rejects the row rather than being cut silently. Returns 0, or -1
 * after rejecting. Cheap for the common case: only a field over 32,767 bytes is counted. */
#define CELL_TEXT_MAX 32767
static int cell_text(struct reader *r, int f, const char *v, size_t n)
{
    if (n <= CELL_TEXT_MAX)
        return 0;
    size_t units = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c & 0xC0) != 0x80)
            units += c >= 0xF0 ? 2 : 1;
    }
    if (units <= CELL_TEXT_MAX)
        return 0;
    size_t shown = 60;
    while (shown < n && ((unsigned char)v[shown] & 0xC0) == 0x80)
        shown++;
    reject(r, f, v, shown,
           "text of %zu characters is longer than a spreadsheet cell holds (32,767); the value "
           "shown is its start",
           units);
    return -1;
}

/* A campaign's start_date or end_date: a date, or a date-time taken as its business-local day;
 * DAY_NONE when empty. Returns 0 or -1 after rejecting the row. */
static int campaign_day(struct reader *r, int f, int32_t *day)
{
    size_t n;
    const char *v = field(r, f, &n);
    *day = DAY_NONE;
    if (n == 0)
        return 0;
    int64_t ts;
    bool date_only;
    return parse_when_v(r, f, v, n, false, &ts, day, &date_only);
}

static void campaign_row(struct reader *r)
{
    char id_buf[IDS_MAX_LEN + 1], owner_buf[IDS_MAX_LEN + 1];
    const char *id, *owner;
    size_t ni, nn, nc, no;
    const char *name = field(r, CF_NAME, &nn), *ch = field(r, CF_CHANNEL, &nc);
    if (required_id(r, CF_ID, ID_CAMPAIGN, id_buf, &id, &ni))
        return;
    if (!nn) {
        reject_required(r, CF_NAME);
        return;
    }
    if (!nc) {
        reject_required(r, CF_CHANNEL);
        return;
    }
    if (cell_text(r, CF_NAME, name, nn) || cell_text(r, CF_CHANNEL, ch, nc))
        return;
    if (id_value(r, CF_OWNER, ID_PERSON, owner_buf, &owner, &no))
        return;
    int64_t spend = 0;
    if (r->col[CF_SPEND] >= 0) {
        size_t ns;
        field(r, CF_SPEND, &ns);
        if (ns && parse_money(r, CF_SPEND, r->s->currency, &spend))
            return;
    }
    int32_t start_day, end_day;
    if (campaign_day(r, CF_START, &start_day) || campaign_day(r, CF_END, &end_day))
        return;
    if (start_day != DAY_NONE && end_day != DAY_NONE && end_day < start_day) {
        size_t ne;
        const char *ev = field(r, CF_END, &ne);
        reject(r, CF_END, ev, ne, "end_date before start_date");
        return;
    }
    bool added;
    uint32_t cid = intern_add(&r->ds->campaign_ids, id, ni, &added);
    campaign_table_touch(r->ds, cid);
    struct campaign_table *t = &r->ds->campaigns;
    uint64_t h = r->row_hash;
    if (!added && t->known[cid]) {
        if (r->seen_hash[cid] == h) {
            r->fs->bucket[BUCKET_DUPLICATE]++;
            return;
        }
        reject(r, CF_ID, id, ni,
               "campaign id appears twice with different values (first at line "
               "%llu)",
               (unsigned long long)t->line[cid]);
        return;
    }
    VEC_GROW(r->seen_hash, r->seen_cap, (size_t)cid + 1);
    r->seen_hash[cid] = h;
    t->known[cid] = true;
    t->name[cid] = arena_strndup(&r->ds->arena, name, nn);
    t->channel[cid] = intern_field(&r->ds->channels, ch, nc);
    t->owner[cid] = no ? intern_field(&r->ds->people_ids, owner, no) : ID_NONE;
    if (no)
        person_table_touch(r->ds, t->owner[cid]);
    t->spend[cid] = spend;
    t->start_day[cid] = start_day;
    t->end_day[cid] = end_day;
    t->line[cid] = r->rec->line;
    r->fs->bucket[BUCKET_USED]++;
}

static void person_row(struct reader *r)
{
    char id_buf[IDS_MAX_LEN + 1], mgr_buf[IDS_MAX_LEN + 1];
    const char *id, *mgr;
    size_t ni, nn, nt, nr, np, nm;
    const char *name = field(r, PF_NAME, &nn), *team = field(r, PF_TEAM, &nt);
    const char *role = field(r, PF_ROLE, &nr), *plan = field(r, PF_PLAN, &np);
    if (required_id(r, PF_ID, ID_PERSON, id_buf, &id, &ni))
        return;
    if (!nn) {
        reject_required(r, PF_NAME);
        return;
    }
    if (!nt) {
        reject_required(r, PF_TEAM);
        return;
    }
    if (cell_text(r, PF_NAME, name, nn) || cell_text(r, PF_TEAM, team, nt) ||
        cell_text(r, PF_ROLE, role, nr))
        return;
    if (id_value(r, PF_MANAGER, ID_PERSON, mgr_buf, &mgr, &nm))
        return;
    int64_t quota, target, draw;
    if (parse_money_opt(r, PF_QUOTA, &quota) || parse_money_opt(r, PF_TARGET, &target) ||
        parse_money_opt(r, PF_DRAW, &draw))
        return;
    int32_t start_day, end_day;
    if (parse_day_opt(r, PF_START, &start_day) || parse_day_opt(r, PF_END, &end_day))
        return;
    if (start_day != DAY_NONE && end_day != DAY_NONE && end_day < start_day) {
        size_t ne;
        const char *ev = field(r, PF_END, &ne);
        reject(r, PF_END, ev, ne, "end_date before start_date");
        return;
    }
    char currency[4];
    memcpy(currency, r->s->currency, sizeof currency);
    {
        size_t nc;
        const char *cv = field(r, PF_CURRENCY, &nc);
        if (nc && parse_currency(r, PF_CURRENCY, cv, nc, currency))
            return;
    }
    uint32_t pid = intern_field(&r->ds->people_ids, id, ni);
    person_table_touch(r->ds, pid);
    struct person_table *t = &r->ds->people;
    uint64_t h = r->row_hash;
    if (t->name[pid]) {
        if (pid < r->seen_cap && r->seen_hash[pid] == h) {
            r->fs->bucket[BUCKET_DUPLICATE]++;
            return;
        }
        reject(r, PF_ID, id, ni,
               "person id appears twice with different values (first at line "
               "%llu)",
               (unsigned long long)t->line[pid]);
        return;
    }
    size_t old = r->seen_cap;
    VEC_GROW(r->seen_hash, r->seen_cap, (size_t)pid + 1);
    for (size_t i = old; i < r->seen_cap; i++)
        r->seen_hash[i] = 0;
    r->seen_hash[pid] = h;
    t->name[pid] = arena_strndup(&r->ds->arena, name, nn);
    t->team[pid] = intern_field(&r->ds->teams, team, nt);
    t->role[pid] = arena_strndup(&r->ds->arena, role, nr);
    char *pl = arena_strndup(&r->ds->arena, plan, np);
    for (char *p = pl; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    t->plan[pid] = np ? pl : NULL;
    t->line[pid] = r->rec->line;
    t->quota[pid] = quota;
    t->target[pid] = target;
    t->draw[pid] = draw;
    t->start_day[pid] = start_day;
    t->end_day[pid] = end_day;
    memcpy(t->currency[pid].code, currency, sizeof currency);
    if (nm) {
        uint32_t m = intern_field(&r->ds->people_ids, mgr, nm);
        person_table_touch(r->ds, m);
        t->manager[pid] = m;
    }
    r->fs->bucket[BUCKET_USED]++;
}

/* Column p of t (t->n elements in use) grown to cap elements, in huge pages when large: filling
 * a column page by page otherwise costs more in page faults than the parsing. */
#define TOUCH_COLUMN_GROW(t, p, cap)                                                               \
    do {                                                                                           \
        if ((cap) > SIZE_MAX / sizeof *(p))                                                        \
            BUG("touch table too large");                                                          \
        (p) = xrealloc_large((p), (t)->n * sizeof *(p), (cap) * sizeof *(p));                      \
    } while (0)

static void touches_grow(struct touch_table *t, size_t cap)
{
    TOUCH_COLUMN_GROW(t, t->lead, cap);
    if (t->ts) /* ts and day: whichever form each is in (touch_when_put) */
        TOUCH_COLUMN_GROW(t, t->ts, cap);
    else
        TOUCH_COLUMN_GROW(t, t->ts32, cap);
    if (t->day)
        TOUCH_COLUMN_GROW(t, t->day, cap);
    else
        TOUCH_COLUMN_GROW(t, t->day8, cap);
    TOUCH_COLUMN_GROW(t, t->campaign, cap);
    if (t->channel) /* the dense form of the channels (touch_channel_put) */
        TOUCH_COLUMN_GROW(t, t->channel, cap);
    TOUCH_COLUMN_GROW(t, t->row_hash, cap);
    if (t->line) /* the dense form of the lines (touch_line_put) */
        TOUCH_COLUMN_GROW(t, t->line, cap);
    TOUCH_COLUMN_GROW(t, t->bucket, cap);
    t->cap = cap;
}

/* Size the touch columns once from the file's size (exports run 60–120 bytes a row), so ten
 * million rows are not copied by repeated growth. */
static void touches_reserve(struct dataset *ds, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || st.st_size <= 0)
        return;
    size_t guess = (size_t)st.st_size / 64 + 16;
    if (guess > ds->touches.cap)
        touches_grow(&ds->touches, guess);
}

/* The touch columns as reserved before the touches file is read, for the reading thread to fault
 * in ahead of touch_row (csvin_opts.ahead): the kernel's zeroing of some 40 fresh bytes a row
 * otherwise runs on the thread that interns and stores, the busier of the two. Faulting in does
 * not change what memory holds, so it may run while touch_row writes the same pages.
 * Ownership: the blocks are touch_row's, which fills them and, when they are full, moves them
 * (touches_grow frees them). The reading thread uses them only under mu and only while moved is
 * false; touch_row sets moved under mu before the first move, so no madvise ever runs on a block
 * that may have been freed. (A flag tested without the lock cannot order the two: the block could
 * be freed between the test and the madvise.) The lock is taken once per batch handed over and
 * once by touch_row, which does not wait in practice: the blocks are full only once the reading
 * thread has read as many rows, and it faults in TOUCH_PREFAULT_AHEAD rows (more than a batch)
 * beyond those it has read, so by then it has faulted them in whole. */
enum { TOUCH_COLUMNS = 6, TOUCH_PREFAULT_AHEAD = 16384 /* rows beyond those read */ };
struct touch_prefault {
    pthread_mutex_t mu;
    char *base[TOUCH_COLUMNS];
    size_t elem[TOUCH_COLUMNS]; /* bytes per row */
    size_t done[TOUCH_COLUMNS]; /* bytes from base faulted in */
    uint64_t cap;               /* rows reserved */
    bool moved; /* under mu: touch_row moves the blocks; the reading thread leaves them alone */
    bool off;   /* the kernel cannot (reading thread only) */
};

static void touch_prefault_init(struct touch_prefault *pf, const struct touch_table *t)
{
    memset(pf, 0, sizeof *pf);
    if (pthread_mutex_init(&pf->mu, NULL) != 0)
        BUG("ingest: cannot initialise a mutex");
    /* Not the lines nor the channels: their sparse forms are small, and dense forms do not
     * exist yet. */
    char *base[TOUCH_COLUMNS] = {(char *)t->lead,
                                 t->ts ? (char *)t->ts : (char *)t->ts32,
                                 t->day ? (char *)t->day : (char *)t->day8,
                                 (char *)t->campaign,
                                 (char *)t->row_hash,
                                 (char *)t->bucket};
    size_t elem[TOUCH_COLUMNS] = {sizeof *t->lead,
                                  t->ts ? sizeof *t->ts : sizeof *t->ts32,
                                  t->day ? sizeof *t->day : sizeof *t->day8,
                                  sizeof *t->campaign,
                                  sizeof *t->row_hash,
                                  sizeof *t->bucket};
    memcpy(pf->base, base, sizeof base);
    memcpy(pf->elem, elem, sizeof elem);
    for (int c = 0; c < TOUCH_COLUMNS; c++)
        pf->done[c] = (size_t)t->n * elem[c];
    pf->cap = t->cap;
}

static void touch_prefault_locked(struct touch_prefault *pf, uint64_t records)
{
#ifdef MADV_POPULATE_WRITE
    enum { STEP = 2 << 20 }; /* a huge page: each call faults in whole ones */
    if (pf->off || pf->moved)
        return;
    uint64_t rows = records + TOUCH_PREFAULT_AHEAD;
    if (rows > pf->cap)
        rows = pf->cap;
    for (int c = 0; c < TOUCH_COLUMNS; c++) {
        size_t size = (size_t)pf->cap * pf->elem[c];
        size_t want = ((size_t)rows * pf->elem[c] + STEP - 1) / STEP * STEP;
        if (want > size)
            want = size;
        if (want <= pf->done[c])
            continue;
        uintptr_t from = ((uintptr_t)pf->base[c] + pf->done[c]) & ~(uintptr_t)4095;
        uintptr_t to = (uintptr_t)pf->base[c] + want;
        if (madvise((void *)from, to - from, MADV_POPULATE_WRITE) != 0 && errno == EINVAL) {
            pf->off = true; /* a kernel before 5.14 */
            return;
        }
        pf->done[c] = want;
    }
#else
    (void)pf;
    (void)records;
#endif
}

/* csvin_opts.ahead, on the reading thread. */
static void touch_prefault(void *ctx, uint64_t records)
{
    struct touch_prefault *pf = ctx;
    pthread_mutex_lock(&pf->mu);
    touch_prefault_locked(pf, records);
    pthread_mutex_unlock(&pf->mu);
}

/* csvin_opts.peek: prefetches the slot of the interner where the lookup of a record's main ID
 * will start: a touch's lead, a deal's ID. With millions of distinct IDs the table is far larger
 * than the caches, and an ID met for the first time (or past the interner's recent cache) costs
 * a cache miss there otherwise. Only for an ID interned as it stands (ids_normalize's fast path);
 * an ID equal to the last one prefetched, as in a run of one lead's touches, is skipped. */
static void record_peek(void *ctx, const char *data, const size_t *lens, size_t nf)
{
    struct reader *r = ctx;
    int f = r->kind == INPUT_TOUCHES ? TF_LEAD : DF_ID;
    enum id_domain dom = r->kind == INPUT_TOUCHES ? ID_LEAD : ID_DEAL;
    int c = r->col[f];
    if (nf != r->n_header || c < 0)
        return; /* before the header, or a row to be rejected */
    const char *v = data;
    for (int k = 0; k < c; k++)
        v += lens[k] + 1;
    size_t n = lens[c];
    trim_span(&v, &n);
    const struct idcfg *ids = &r->s->ids;
    if (ids->salesforce || ids->fold[dom] || n == 0 || n > sizeof r->peek_last || ids_suspect(v, n))
        return;
    if (n == r->peek_last_len && memcmp(v, r->peek_last, n) == 0)
        return;
    memcpy(r->peek_last, v, n);
    r->peek_last_len = n;
    intern_prefetch(r->kind == INPUT_TOUCHES ? &r->ds->leads : &r->ds->deal_ids, v, n);
}

/* A touch without a lead id: unmatched ("no lead id"), never rejected; the first one's line and
 * contact are kept for the Exceptions sheet. */
static void touch_no_lead(struct reader *r, const char *contact, size_t n, bool conflict)
{
    struct file_stats *fs = r->fs;
    if (!fs->no_lead_id++) {
        fs->no_lead_id_line = r->rec->line;
        fs->no_lead_id_contact = arena_strndup(&r->ds->arena, contact, n);
    }
    fs->no_lead_id_conflict += conflict;
    fs->bucket[BUCKET_UNMATCHED]++;
}

/* A touch with an empty lead_id while contact_id is not mapped: still rejected, but counted, and
 * the first time the header is searched for a contact ID column to name in the hint. */
static void empty_lead_unmapped(struct reader *r)
{
    struct file_stats *fs = r->fs;
    if (fs->empty_lead_unmapped++)
        return;
    for (size_t i = 0; i < r->n_header; i++) {
        const char *h = r->header[i];
        size_t n = strlen(h);
        for (size_t j = 0; j + 7 <= n; j++)
            if (ascii_casecmp_n(h + j, 7, "contact", 7) == 0) {
                fs->contact_column_hint = arena_strndup(&r->ds->arena, h, n);
                return;
            }
    }
}

static void touch_row(struct reader *r)
{
    char lead_buf[IDS_MAX_LEN + 1], camp_buf[IDS_MAX_LEN + 1], contact_buf[IDS_MAX_LEN + 1];
    const char *lead, *camp, *contact = NULL;
    size_t nl, nc, nch, nco = 0;
    const char *ch = field(r, TF_CHANNEL, &nch);
    if (cell_text(r, TF_CHANNEL, ch, nch))
        return;
    if (id_value(r, TF_LEAD, ID_LEAD, lead_buf, &lead, &nl))
        return;
    if (nl == 0) {
        /* A campaign member that is a contact: its contact_id joins through the identity map. */
        if (r->col[TF_CONTACT] < 0) {
            empty_lead_unmapped(r);
            reject_required(r, TF_LEAD);
            return;
        }
        if (id_value(r, TF_CONTACT, ID_LEAD, contact_buf, &contact, &nco))
            return;
        if (nco == 0) {
            reject(r, TF_LEAD, "", 0, "empty lead_id and contact_id");
            return;
        }
    }
    if (required_id(r, TF_CAMPAIGN, ID_CAMPAIGN, camp_buf, &camp, &nc))
        return;
    int64_t ts;
    int32_t day;
    if (parse_when(r, TF_AT, false, &ts, &day))
        return;
    if (day > r->w->as_of_day) {
        r->fs->bucket[BUCKET_FILTERED]++;
        return;
    }
    struct dataset *ds = r->ds;
    /* The lead: its own id (a merged lead's old id follows the map to the survivor), or the
     * lead the map gives the contact. Without identities idmap_lookup is one comparison. */
    uint32_t lid;
    bool via = false;
    if (nl) {
        lid = intern_field(&ds->leads, lead, nl);
        uint32_t to = idmap_lookup(&ds->identities, lid);
        if (to != IDMAP_NONE) {
            lid = to;
            via = true;
        }
    } else {
        uint32_t key = intern_find(&ds->leads, contact, nco);
        lid = key == INTERN_NONE ? IDMAP_NONE : idmap_lookup(&ds->identities, key);
        if (lid == IDMAP_NONE) {
            touch_no_lead(r, contact, nco,
                          key != INTERN_NONE &&
                              idmap_state_of(&ds->identities, key) == IDMAP_CONFLICT);
            return;
        }
        via = true;
    }
    uint32_t cid = intern_field(&ds->campaign_ids, camp, nc);
    campaign_table_touch(ds, cid);
    /* Most rows repeat their campaign's own channel: compare before hashing. */
    uint32_t cch = ds->campaigns.channel[cid];
    uint32_t chid = cch;
    if (nch && !(cch != ID_NONE && intern_len(&ds->channels, cch) == nch &&
                 memcmp(intern_str(&ds->channels, cch), ch, nch) == 0))
        chid = intern_field(&ds->channels, ch, nch);
    enum bucket b = BUCKET_USED;
    if (!ds->campaigns.known[cid]) {
        b = BUCKET_UNMATCHED;
        if (ds->campaigns.channel[cid] == ID_NONE)
            ds->campaigns.channel[cid] = nch ? chid : intern_field(&ds->channels, "(unknown)", 9);
        if (chid == ID_NONE)
            chid = ds->campaigns.channel[cid];
    }
    struct touch_table *t = &ds->touches;
    /* The blocks move when they are full, or when a time or day needs a column's wide form. */
    bool narrow = touch_when_narrow(t, ts, day);
    if (t->n == t->cap || (!narrow && !touch_when_fits(t, ts, day))) {
        if (r->prefault) { /* the reading thread gives the blocks up before they move */
            pthread_mutex_lock(&r->prefault->mu);
            r->prefault->moved = true;
            pthread_mutex_unlock(&r->prefault->mu);
            r->prefault = NULL;
        }
        if (t->n == t->cap)
            touches_grow(t, grow_capacity(t->cap, t->n + 1));
    }
    if (t->n == TOUCHES_MAX)
        BUG("ingest: more than 2^32 - 1 touches");
    uint64_t i = t->n++;
    t->lead[i] = lid;
    if (narrow)
        touch_when_put_narrow(t, i, ts, day);
    else
        touch_when_put(t, i, ts, day);
    t->campaign[i] = cid;
    touch_channel_put(ds, i, chid);
    t->row_hash[i] = r->row_hash;
    touch_line_put(t, i, r->rec->line);
    t->bucket[i] = (uint8_t)b;
    if (via) {
        VEC_PUSH(t->via, t->n_via, t->cap_via, i);
        r->fs->via_identities++;
    }
    r->fs->bucket[b]++;
}

static void deal_seen_grow(struct reader *r, uint32_t id)
{
    size_t old = r->seen_cap;
    if ((size_t)id < old)
        return;
    size_t cap = old;
    VEC_GROW(r->seen_hash, cap, (size_t)id + 1);
    r->seen_line = xreallocarray(r->seen_line, cap, sizeof *r->seen_line);
    r->seen_bucket = xreallocarray(r->seen_bucket, cap, sizeof *r->seen_bucket);
    r->seen_row = xreallocarray(r->seen_row, cap, sizeof *r->seen_row);
    r->seen_hash_nolead = xreallocarray(r->seen_hash_nolead, cap, sizeof *r->seen_hash_nolead);
    r->seen_nrows = xreallocarray(r->seen_nrows, cap, sizeof *r->seen_nrows);
    r->seen_head = xreallocarray(r->seen_head, cap, sizeof *r->seen_head);
    r->seen_cap = cap;
}

/* Remember one more accepted row of deal id `did`. */
static void deal_row_note(struct reader *r, uint32_t did, uint64_t h)
{
    if (r->dl_n == r->dl_cap) {
        size_t cap = grow_capacity(r->dl_cap, r->dl_n + 1);
        r->dl_line = xreallocarray(r->dl_line, cap, sizeof *r->dl_line);
        r->dl_hash = xreallocarray(r->dl_hash, cap, sizeof *r->dl_hash);
        r->dl_next = xreallocarray(r->dl_next, cap, sizeof *r->dl_next);
        r->dl_cap = cap;
    }
    size_t k = r->dl_n++;
    r->dl_line[k] = r->rec->line;
    r->dl_hash[k] = h;
    r->dl_next[k] = r->seen_head[did];
    r->seen_head[did] = (uint32_t)k;
    r->seen_nrows[did]++;
}

/* The leads of a deal row: the lead_id cell split at the separator, each part an ID; an id the
 * identity map knows (a merged lead's old id, a contact) is replaced by its surviving lead, and
 * *via says so. Returns how many (0 allowed: a deal without a lead), or -1 after rejecting the
 * row. */
static int deal_leads(struct reader *r, uint32_t *leads, int max, bool *via)
{
    *via = false;
    size_t n;
    const char *v = field(r, DF_LEAD, &n);
    const char *sep = r->s->lead_separator;
    size_t sl = strlen(sep);
    int count = 0;
    while (n > 0) {
        const char *hit = NULL;
        if (sl)
            for (size_t i = 0; i + sl <= n && !hit; i++)
                if (memcmp(v + i, sep, sl) == 0)
                    hit = v + i;
        size_t part = hit ? (size_t)(hit - v) : n;
        const char *pv = v;
        size_t pn = part;
        trim_span(&pv, &pn);
        if (pn) {
            char lead_buf[IDS_MAX_LEN + 1];
            const char *idv;
            size_t bn;
            const char *why;
            if (ids_normalize(&r->s->ids, ID_LEAD, pv, pn, lead_buf, &idv, &bn, &why)) {
                reject(r, DF_LEAD, pv, pn, "%s", why);
                return -1;
            }
            if (count == max) {
                reject(r, DF_LEAD, v, n, "more than %d lead IDs in one cell", max);
                return -1;
            }
            uint32_t lead = intern_field(&r->ds->leads, idv, bn);
            uint32_t to = idmap_lookup(&r->ds->identities, lead);
            if (to != IDMAP_NONE) {
                lead = to;
                *via = true;
            }
            bool dup = false;
            for (int k = 0; k < count; k++)
                dup = dup || leads[k] == lead;
            if (!dup)
                leads[count++] = lead;
        }
        if (!hit)
            break;
        n -= part + sl;
        v = hit + sl;
    }
    return count;
}

static void deal_add_lead(struct dataset *ds, uint32_t row, uint32_t lead)
{
    struct deal_table *t = &ds->deals;
    if (t->lead[row] == lead)
        return;
    for (size_t k = 0; k < t->n_xlead; k++)
        if (t->xlead_deal[k] == row && t->xlead_lead[k] == lead)
            return;
    if (t->lead[row] == ID_NONE) {
        t->lead[row] = lead;
        return;
    }
    if (t->n_xlead == t->cap_xlead) {
        size_t cap = grow_capacity(t->cap_xlead, t->n_xlead + 1);
        t->xlead_deal = xreallocarray(t->xlead_deal, cap, sizeof *t->xlead_deal);
        t->xlead_lead = xreallocarray(t->xlead_lead, cap, sizeof *t->xlead_lead);
        t->cap_xlead = cap;
    }
    t->xlead_deal[t->n_xlead] = row;
    t->xlead_lead[t->n_xlead++] = lead;
}

#define DEAL_LEADS_MAX 64

static void deals_grow(struct deal_table *t, size_t cap)
{
    t->id = xreallocarray(t->id, cap, sizeof *t->id);
    t->lead = xreallocarray(t->lead, cap, sizeof *t->lead);
    t->owner = xreallocarray(t->owner, cap, sizeof *t->owner);
    t->amount = xreallocarray(t->amount, cap, sizeof *t->amount);
    t->orig_amount = xreallocarray(t->orig_amount, cap, sizeof *t->orig_amount);
    t->orig_currency = xreallocarray(t->orig_currency, cap, sizeof *t->orig_currency);
    t->cancel_day = xreallocarray(t->cancel_day, cap, sizeof *t->cancel_day);
    t->close_day = xreallocarray(t->close_day, cap, sizeof *t->close_day);
    t->close_ts = xreallocarray(t->close_ts, cap, sizeof *t->close_ts);
    t->line = xreallocarray(t->line, cap, sizeof *t->line);
    t->row_hash = xreallocarray(t->row_hash, cap, sizeof *t->row_hash);
    t->bucket = xreallocarray(t->bucket, cap, sizeof *t->bucket);
    t->nrows = xreallocarray(t->nrows, cap, sizeof *t->nrows);
    t->close_date_only = xreallocarray(t->close_date_only, cap, sizeof *t->close_date_only);
    t->lead_created = xreallocarray(t->lead_created, cap, sizeof *t->lead_created);
    t->opp_created = xreallocarray(t->opp_created, cap, sizeof *t->opp_created);
    t->name = xreallocarray(t->name, cap, sizeof *t->name);
    if (t->n_extra)
        t->extra = xreallocarray(t->extra, cap, t->n_extra * sizeof *t->extra);
    t->cap = (uint32_t)cap;
}

/* Convert `orig` minor units of `cur` into the reporting currency at the rate in force on `day`
 * (fx.h: the latest effective_date on or before it; exact, rounded once, half away from zero).
 * A rejection names the row's currency cell (logical field cur_f), or its amount (amount_f) when
 * the currency cell is empty. Returns 0, or -1 after rejecting the row. */
static int fx_convert(struct reader *r, int cur_f, int amount_f, const char *cur, int64_t orig,
                      int32_t day, int64_t *out)
{
    struct decimal rate;
    int no_rate = fx_rate_on(r->fx, cur, day, &rate);
    size_t nc;
    const char *cv = field(r, cur_f, &nc);
    int f = nc ? cur_f : amount_f;
    if (f == amount_f)
        cv = field(r, amount_f, &nc);
    if (no_rate) {
        char date[16];
        date_format_day(date, sizeof date, day);
        reject(r, f, cv, nc, "no FX rate for %s on or before %s", cur, date);
        return -1;
    }
    if (fx_to_base(orig, cur, rate, r->s->currency_digits, out)) {
        reject(r, f, cv, nc, "converted amount does not fit");
        return -1;
    }
    return 0;
}

/* A further row for a deal id: an exact copy of one of its rows is a duplicate; one that differs
 * only in its lead adds that lead to the deal (DESIGN §7a); anything else rejects every row of
 * the deal. */
static void deal_repeat(struct reader *r, uint32_t did, const char *id, size_t ni, uint64_t h,
                        uint64_t h_nolead)
{
    struct dataset *ds = r->ds;
    uint8_t b = r->seen_bucket[did];
    if (b != BUCKET_REJECTED) {
        for (uint32_t k = r->seen_head[did]; k != ID_NONE; k = r->dl_next[k]) {
            if (r->dl_hash[k] == h) {
                r->fs->bucket[BUCKET_DUPLICATE]++;
                return;
            }
        }
        if (r->seen_hash_nolead[did] == h_nolead) {
            uint32_t leads[DEAL_LEADS_MAX];
            bool via;
            int n = deal_leads(r, leads, DEAL_LEADS_MAX, &via);
            if (n < 0)
                return;
            r->fs->via_identities += via;
            uint32_t row = r->seen_row[did];
            if (row != ID_NONE) {
                for (int k = 0; k < n; k++)
                    deal_add_lead(ds, row, leads[k]);
                ds->deals.nrows[row]++;
            }
            deal_row_note(r, did, h);
            r->fs->bucket[b]++;
            return;
        }
        /* Take every earlier row of the deal out of its bucket and reject it. */
        r->fs->bucket[b] -= r->seen_nrows[did];
        r->fs->bucket[BUCKET_REJECTED] += r->seen_nrows[did];
        if (r->seen_row[did] != ID_NONE)
            ds->deals.bucket[r->seen_row[did]] = BUCKET_REJECTED;
        char reason[160];
        snprintf(reason, sizeof reason,
                 "deal id appears again with different values at line %llu; all its rows "
                 "rejected",
                 (unsigned long long)r->rec->line);
        for (uint32_t k = r->seen_head[did]; k != ID_NONE; k = r->dl_next[k]) {
            dataset_reject(ds, r->kind, r->dl_line[k], colname(r, DF_ID), id, ni, reason);
            hash_set_add(&r->rejected, r->dl_hash[k]);
        }
        r->seen_bucket[did] = BUCKET_REJECTED;
    }
    reject(r, DF_ID, id, ni,
           "deal id appears again with different values (first at line %llu); all its rows "
           "rejected",
           (unsigned long long)r->seen_line[did]);
}

static void deal_row(struct reader *r)
{
    struct dataset *ds = r->ds;
    char id_buf[IDS_MAX_LEN + 1], owner_buf[IDS_MAX_LEN + 1];
    const char *id, *owner;
    size_t ni, ns, no;
    const struct ingest_window *w = r->w;
    struct deal_dates dd;
    deal_dates_read(r, &dd);
    if (deal_dates_ok(&dd) &&
        !deal_in_window(&dd, w, w->keep_first, w->cancel_first, w->cancel_last)) {
        /* Dates outside every window the run keeps: the row cannot affect it and is not read
         * further, so a bad ID, amount or a conflicting repeat of an old deal never blocks it. */
        r->fs->bucket[BUCKET_FILTERED]++;
        return;
    }
    if (required_id(r, DF_ID, ID_DEAL, id_buf, &id, &ni))
        return;
    uint64_t h = r->row_hash;
    uint64_t h_nolead = hash_record_except(r->rec, r->col[DF_LEAD]);
    bool added;
    uint32_t did = intern_add(&ds->deal_ids, id, ni, &added);
    deal_seen_grow(r, did);
    if (!added) {
        deal_repeat(r, did, id, ni, h, h_nolead);
        return;
    }
    r->seen_hash[did] = h;
    r->seen_hash_nolead[did] = h_nolead;
    r->seen_line[did] = r->rec->line;
    r->seen_row[did] = ID_NONE;
    r->seen_bucket[did] = BUCKET_REJECTED;
    r->seen_nrows[did] = 0;
    r->seen_head[did] = ID_NONE;

    const char *stage = field(r, DF_STAGE, &ns);
    if (r->col[DF_STAGE] >= 0 && !ingest_stage_is_won(r->s->won_stages, stage, ns)) {
        r->seen_bucket[did] = BUCKET_FILTERED;
        r->fs->bucket[BUCKET_FILTERED]++;
        deal_row_note(r, did, h);
        return;
    }
    /* Dates that did not parse (a row with good dates is inside a kept window by now). */
    if (dd.n_close == 0) {
        reject_required(r, DF_CLOSED);
        return;
    }
    if (dd.close_err) {
        reject_date(r, DF_CLOSED, dd.close_v, dd.n_close, dd.close_err);
        return;
    }
    if (dd.cancel_err) {
        reject_date(r, DF_CANCELLED, dd.cancel_v, dd.n_cancel, dd.cancel_err);
        return;
    }
    int64_t close_ts = dd.close_ts;
    int32_t close_day = dd.close_day, cancel_day = dd.cancel_day;
    bool close_date_only = dd.close_date_only;
    /* Kept only for the year to date (not for this run's pay)? Then a bad value in its other
     * fields is listed but does not count against the file's share. */
    if (w->has_pay_window)
        r->row_ytd_only =
            !deal_in_window(&dd, w, w->pay_keep_first, w->pay_cancel_first, w->pay_cancel_last);
    if (cancel_day != DAY_NONE) {
        /* Two times compare as instants; otherwise a cancel on the closing day is fine. */
        bool timed = !dd.cancel_date_only && !close_date_only;
        if (cancel_day < close_day || (timed && dd.cancel_ts < close_ts)) {
            reject(r, DF_CANCELLED, dd.cancel_v, dd.n_cancel, "cancelled before it closed");
            return;
        }
    }
    char currency[4];
    memcpy(currency, r->in->fmt.currency, 4);
    {
        size_t nc;
        const char *c = field(r, DF_CURRENCY, &nc);
        if (nc && parse_currency(r, DF_CURRENCY, c, nc, currency))
            return;
    }
    bool foreign = strcmp(currency, r->s->currency) != 0;
    if (foreign && !r->s->inputs[INPUT_FX].path) {
        size_t nc;
        const char *c = field(r, DF_CURRENCY, &nc);
        reject(r, DF_CURRENCY, c, nc,
               "amount in %s but no FX rates are configured to convert it into %s", currency,
               r->s->currency);
        return;
    }
    int64_t orig_amount;
    if (parse_money(r, DF_AMOUNT, currency, &orig_amount))
        return;
    struct milestone lead_created, opp_created;
    if (parse_milestone(r, DF_LEAD_CREATED, &lead_created) ||
        parse_milestone(r, DF_CREATED, &opp_created))
        return;
    if (required_id(r, DF_OWNER, ID_PERSON, owner_buf, &owner, &no))
        return;
    uint32_t leads[DEAL_LEADS_MAX];
    bool via;
    int n_leads = deal_leads(r, leads, DEAL_LEADS_MAX, &via);
    if (n_leads < 0)
        return;
    size_t n_name;
    const char *name = field(r, DF_NAME, &n_name);
    if (cell_text(r, DF_NAME, name, n_name))
        return;
    /* Converted only once the deal is known to be kept: a deal outside the window needs no rate,
     * so a rates file that starts this year does not reject last year's deals. */
    int64_t amount = orig_amount;
    if (foreign && fx_convert(r, DF_CURRENCY, DF_AMOUNT, currency, orig_amount, close_day, &amount))
        return;
    struct deal_table *t = &ds->deals;
    if (t->n == t->cap)
        deals_grow(t, grow_capacity(t->cap, (size_t)t->n + 1));
    uint32_t i = t->n++;
    t->nrows[i] = 1;
    t->id[i] = did;
    t->lead[i] = ID_NONE;
    for (int k = 0; k < n_leads; k++)
        deal_add_lead(ds, i, leads[k]);
    t->owner[i] = intern_field(&ds->people_ids, owner, no);
    person_table_touch(ds, t->owner[i]);
    t->amount[i] = amount;
    t->orig_amount[i] = orig_amount;
    memcpy(t->orig_currency[i].code, currency, sizeof currency);
    t->cancel_day[i] = cancel_day;
    t->close_day[i] = close_day;
    t->close_ts[i] = close_ts;
    t->close_date_only[i] = close_date_only;
    t->lead_created[i] = lead_created;
    t->opp_created[i] = opp_created;
    t->name[i] = n_name ? arena_strndup(&ds->arena, name, n_name) : "";
    t->line[i] = r->rec->line;
    t->row_hash[i] = h;
    t->bucket[i] = BUCKET_USED;
    for (size_t j = 0; j < t->n_extra; j++) {
        const char *v = r->rec->fields[r->extra_col[j]];
        size_t n = r->rec->lens[r->extra_col[j]];
        trim_span(&v, &n);
        t->extra[(size_t)i * t->n_extra + j] = arena_strndup(&ds->arena, v, n);
    }
    r->seen_row[did] = i;
    r->seen_bucket[did] = BUCKET_USED;
    r->fs->bucket[BUCKET_USED]++;
    r->fs->via_identities += via;
    deal_row_note(r, did, h);
}

static void split_row(struct reader *r)
{
    char deal_buf[IDS_MAX_LEN + 1], person_buf[IDS_MAX_LEN + 1];
    const char *deal, *person;
    size_t nd, np, npc, nt;
    if (required_id(r, SF_DEAL, ID_DEAL, deal_buf, &deal, &nd) ||
        required_id(r, SF_PERSON, ID_PERSON, person_buf, &person, &np))
        return;
    const char *pct = field(r, SF_PERCENT, &npc);
    struct decimal share;
    if (npc == 0) {
        reject_required(r, SF_PERCENT);
        return;
    }
    if (decimal_parse(pct, npc, &share)) {
        reject(r, SF_PERCENT, pct, npc, "bad percentage");
        return;
    }
    /* "50" and "50%" both mean half: a bare number is in percent points. */
    if (!memchr(pct, '%', npc))
        share.scale += 2;
    if (share.units < 0 || share.scale > 18 || decimal_cmp(share, (struct decimal){1, 0}) > 0) {
        reject(r, SF_PERCENT, pct, npc, "percentage outside 0 to 100");
        return;
    }
    const char *type = field(r, SF_TYPE, &nt);
    bool overlay = false;
    if (nt) {
        if (ascii_casecmp_n(type, nt, "overlay", 7) == 0)
            overlay = true;
        else if (ascii_casecmp_n(type, nt, "revenue", 7) != 0) {
            reject(r, SF_TYPE, type, nt, "split type must be revenue or overlay");
            return;
        }
    }
    struct split_table *t = &r->ds->splits;
    if (t->n == t->cap) {
        size_t cap = grow_capacity(t->cap, t->n + 1);
        t->deal = xreallocarray(t->deal, cap, sizeof *t->deal);
        t->person = xreallocarray(t->person, cap, sizeof *t->person);
        t->share = xreallocarray(t->share, cap, sizeof *t->share);
        t->overlay = xreallocarray(t->overlay, cap, sizeof *t->overlay);
        t->line = xreallocarray(t->line, cap, sizeof *t->line);
        t->cap = cap;
    }
    size_t i = t->n++;
    t->deal[i] = intern_field(&r->ds->deal_ids, deal, nd);
    t->person[i] = intern_field(&r->ds->people_ids, person, np);
    person_table_touch(r->ds, t->person[i]);
    t->share[i] = share;
    t->overlay[i] = overlay;
    t->line[i] = r->rec->line;
    r->fs->bucket[BUCKET_USED]++;
}

static void fx_row(struct reader *r)
{
    size_t nc, nr, ne;
    const char *cur = field(r, XF_CURRENCY, &nc), *rate = field(r, XF_RATE, &nr);
    field(r, XF_EFFECTIVE, &ne);
    char code[4];
    if (parse_currency(r, XF_CURRENCY, cur, nc, code))
        return;
    struct decimal d;
    if (nr == 0 || memchr(rate, '%', nr) || decimal_parse(rate, nr, &d) || d.units <= 0 ||
        d.scale > 10) {
        reject(r, XF_RATE, rate, nr, "rate must be a positive decimal with at most 10 decimals");
        return;
    }
    int64_t ts;
    int32_t day;
    if (parse_when(r, XF_EFFECTIVE, false, &ts, &day))
        return;
    struct fx_table *t = &r->ds->fx;
    for (size_t k = 0; k < t->n; k++) {
        if (strcmp(t->currency[k].code, code) == 0 && t->day[k] == day) {
            if (decimal_cmp(t->rate[k], d) == 0) {
                r->fs->bucket[BUCKET_DUPLICATE]++;
                return;
            }
            reject(r, XF_RATE, rate, nr, "a different rate for %s on the same date is at line %llu",
                   code, (unsigned long long)t->line[k]);
            return;
        }
    }
    if (t->n == t->cap) {
        size_t cap = grow_capacity(t->cap, t->n + 1);
        t->currency = xreallocarray(t->currency, cap, sizeof *t->currency);
        t->rate = xreallocarray(t->rate, cap, sizeof *t->rate);
        t->day = xreallocarray(t->day, cap, sizeof *t->day);
        t->line = xreallocarray(t->line, cap, sizeof *t->line);
        t->cap = cap;
    }
    size_t i = t->n++;
    memcpy(t->currency[i].code, code, 4);
    t->rate[i] = d;
    t->day[i] = day;
    t->line[i] = r->rec->line;
    r->fs->bucket[BUCKET_USED]++;
}

/* A spend-by-date row (DESIGN §7b): campaign_id, date (or date-time: its business-local day),
 * amount in the reporting currency. Any row whose campaign is in the campaigns file marks it as
 * named by the file, whatever its date, so its period spend is the sum of its rows dated in the
 * period (none: 0.00), never the spread. A row dated outside the period or after as-of is
 * filtered before its amount is read; a row of a campaign missing from the campaigns file is
 * unmatched (its spend has no campaign to go to). */
static void spend_row(struct reader *r)
{
    if (!hash_set_add(&r->spend_seen, r->row_hash)) {
        r->fs->bucket[BUCKET_DUPLICATE]++;
        return;
    }
    char id_buf[IDS_MAX_LEN + 1];
    const char *id;
    size_t ni;
    if (required_id(r, SPF_CAMPAIGN, ID_CAMPAIGN, id_buf, &id, &ni))
        return;
    int64_t ts;
    int32_t day;
    if (parse_when(r, SPF_DATE, false, &ts, &day))
        return;
    struct campaign_table *t = &r->ds->campaigns;
    uint32_t cid = intern_find(&r->ds->campaign_ids, id, ni);
    bool known = cid != INTERN_NONE && cid < t->n && t->known[cid];
    if (known)
        t->spend_named[cid] = true;
    const struct ingest_window *w = r->w;
    if (day > w->as_of_day || day < w->period_first || day > w->period_last) {
        r->fs->bucket[BUCKET_FILTERED]++;
        return;
    }
    if (!known) {
        r->fs->bucket[BUCKET_UNMATCHED]++;
        return;
    }
    int64_t amount;
    if (parse_money(r, SPF_AMOUNT, r->s->currency, &amount))
        return;
    if (__builtin_add_overflow(t->spend_dated[cid], amount, &t->spend_dated[cid])) {
        size_t na;
        const char *av = field(r, SPF_AMOUNT, &na);
        reject(r, SPF_AMOUNT, av, na, "the campaign's spend in the period does not fit");
        return;
    }
    t->spend_rows[cid]++;
    r->fs->bucket[BUCKET_USED]++;
}

/* An identities row (contact_id → lead_id): a contact converted to a lead, or a lead merged into
 * another. The same mapping again is a duplicate; a row mapping an id to itself says nothing and
 * is filtered. A contact_id given a second, different lead rejects both rows (each message names
 * the other's line) and every later row of that contact_id: its touches are then unmatched. */
static void identity_row(struct reader *r)
{
    char from_buf[IDS_MAX_LEN + 1], to_buf[IDS_MAX_LEN + 1];
    const char *from_v, *to_v;
    size_t nf, nt;
    if (required_id(r, IF_CONTACT, ID_LEAD, from_buf, &from_v, &nf) ||
        required_id(r, IF_LEAD, ID_LEAD, to_buf, &to_v, &nt))
        return;
    struct dataset *ds = r->ds;
    uint32_t from = intern_field(&ds->leads, from_v, nf);
    uint32_t to = intern_field(&ds->leads, to_v, nt);
    if (from == to) {
        r->fs->bucket[BUCKET_FILTERED]++;
        return;
    }
    if ((size_t)from >= r->seen_cap) {
        size_t cap = r->seen_cap;
        VEC_GROW(r->seen_hash, cap, (size_t)from + 1);
        r->seen_line = xreallocarray(r->seen_line, cap, sizeof *r->seen_line);
        r->seen_cap = cap;
    }
    uint64_t first_line;
    uint32_t first_to;
    char q1[80], q2[80];
    switch (idmap_add(&ds->identities, from, to, r->rec->line, &first_line, &first_to)) {
    case IDMAP_ADD_NEW:
        r->seen_hash[from] = r->row_hash;
        r->fs->bucket[BUCKET_USED]++;
        return;
    case IDMAP_ADD_SAME:
        r->fs->bucket[BUCKET_DUPLICATE]++;
        return;
    case IDMAP_ADD_CONFLICT: {
        /* The first row leaves the used rows: both are rejected, each naming the other. */
        char reason[320];
        diag_quote(q1, sizeof q1, intern_str(&ds->leads, first_to),
                   intern_len(&ds->leads, first_to), 60);
        diag_quote(q2, sizeof q2, to_v, nt, 60);
        snprintf(reason, sizeof reason,
                 "contact_id maps to two different leads, '%s' here and '%s' at line %llu; both "
                 "rows rejected",
                 q1, q2, (unsigned long long)r->rec->line);
        dataset_reject(ds, r->kind, first_line, colname(r, IF_CONTACT), from_v, nf, reason);
        hash_set_add(&r->rejected, r->seen_hash[from]);
        r->fs->bucket[BUCKET_USED]--;
        r->fs->bucket[BUCKET_REJECTED]++;
        r->seen_line[from] = r->rec->line;
        reject(r, IF_CONTACT, from_v, nf,
               "contact_id maps to two different leads, '%s' here and '%s' at line %llu; both "
               "rows rejected",
               q2, q1, (unsigned long long)first_line);
        return;
    }
    case IDMAP_ADD_CONFLICTED:
        reject(r, IF_CONTACT, from_v, nf,
               "contact_id already maps to two different leads (lines %llu and %llu); this row "
               "is rejected too",
               (unsigned long long)first_line, (unsigned long long)r->seen_line[from]);
        return;
    }
}

/* A cycle in the identity map: one error naming every row on it (up to IDMAP_CYCLE_SHOWN). */
#define IDMAP_CYCLE_SHOWN 8
struct cycle_ctx {
    const struct dataset *ds;
    const char *display;
    struct diag *d;
};

static void identity_cycle(void *ctx, const struct idmap *m, const uint32_t *cycle, size_t n)
{
    const struct cycle_ctx *c = ctx;
    const struct intern *in = &c->ds->leads;
    /* Each step is at most 2 + 5 + 20 + 7 + 79 + 6 + 79 + 1 = 199 bytes. */
    char msg[IDMAP_CYCLE_SHOWN * 200 + 64], q1[80], q2[80];
    size_t o = 0;
    for (size_t i = 0; i < n && i < IDMAP_CYCLE_SHOWN; i++) {
        uint32_t a = cycle[i], b = m->to[a];
        o += (size_t)snprintf(msg + o, sizeof msg - o, "%sline %llu maps '%s' to '%s'",
                              i ? ", " : "", (unsigned long long)m->line[a],
                              diag_quote(q1, sizeof q1, intern_str(in, a), intern_len(in, a), 60),
                              diag_quote(q2, sizeof q2, intern_str(in, b), intern_len(in, b), 60));
        if (o >= sizeof msg)
            BUG("cycle message does not fit");
    }
    if (n > IDMAP_CYCLE_SHOWN)
        snprintf(msg + o, sizeof msg - o, ", … (%zu rows in the cycle)", n);
    diag_error(c->d, c->display, m->line[cycle[0]],
               "the merge chain goes round in a cycle and reaches no surviving lead: %s", msg);
}

/* Follow every chain of the identity map to its surviving lead; a cycle is bad data. */
static int identities_resolve(struct dataset *ds, struct diag *d)
{
    struct cycle_ctx c = {ds, ds->files[INPUT_IDENTITIES].display, d};
    return idmap_resolve(&ds->identities, identity_cycle, &c) ? INGEST_EDATA : INGEST_OK;
}

/* ---- adjustments and payments (issue 13: the ledger's inputs) -------------------------------- */

/* Rows of these files are never duplicates: two equal rows are two adjustments (or payments)
 * when their ids differ, and a repeated id is rejected (unique_row_id). */
static bool has_row_ids(enum input_kind k)
{
    return k == INPUT_ADJUSTMENTS || k == INPUT_PAYMENTS;
}

/* The row's id (adjustment_id, payment_id): required, and unique in the file. The first row
 * with an id holds it whatever becomes of that row; a later row with it is rejected, naming the
 * first's line. Returns 0, or -1 after rejecting the row. */
static int unique_row_id(struct reader *r, int f, const char **id, size_t *n)
{
    *id = field(r, f, n);
    if (*n == 0) {
        reject_required(r, f);
        return -1;
    }
    if (cell_text(r, f, *id, *n))
        return -1;
    bool added;
    uint32_t k = intern_add(&r->row_ids, *id, *n, &added);
    if (added) {
        VEC_GROW(r->row_id_line, r->row_id_cap, (size_t)k + 1);
        r->row_id_line[k] = r->rec->line;
        return 0;
    }
    reject(r, f, *id, *n, "repeated %s (first at line %llu)", schema_get(r->kind)->fields[f].name,
           (unsigned long long)r->row_id_line[k]);
    return -1;
}

/* Required text (reason, approved_by), not empty, that fits a cell. Returns 0, or -1 after
 * rejecting the row. */
static int required_text(struct reader *r, int f, const char **v, size_t *n)
{
    *v = field(r, f, n);
    if (*n == 0) {
        reject_required(r, f);
        return -1;
    }
    return cell_text(r, f, *v, *n);
}

/* A row's money, as deals read it: the currency cell (else the file's currency), the amount in
 * that currency (required, not 0), converted into the reporting currency at the rate in force on
 * `day`. Returns 0, or -1 after rejecting the row. */
static int row_amount(struct reader *r, int cur_f, int amount_f, int32_t day, char currency[4],
                      int64_t *orig, int64_t *amount)
{
    memcpy(currency, r->in->fmt.currency, 4);
    size_t nc, na;
    const char *c = field(r, cur_f, &nc);
    if (nc && parse_currency(r, cur_f, c, nc, currency))
        return -1;
    bool foreign = strcmp(currency, r->s->currency) != 0;
    if (foreign && !r->s->inputs[INPUT_FX].path) {
        reject(r, cur_f, c, nc, "amount in %s but no FX rates are configured to convert it into %s",
               currency, r->s->currency);
        return -1;
    }
    const char *av = field(r, amount_f, &na);
    if (na == 0) {
        reject_required(r, amount_f);
        return -1;
    }
    if (parse_money(r, amount_f, currency, orig))
        return -1;
    if (*orig == 0) {
        reject(r, amount_f, av, na, "amount is 0");
        return -1;
    }
    *amount = *orig;
    return foreign ? fx_convert(r, cur_f, amount_f, currency, *orig, day, amount) : 0;
}

static void adjustments_grow(struct adjustment_table *t)
{
    size_t cap = grow_capacity(t->cap, t->n + 1);
    t->id = xreallocarray(t->id, cap, sizeof *t->id);
    t->person = xreallocarray(t->person, cap, sizeof *t->person);
    t->period = xreallocarray(t->period, cap, sizeof *t->period);
    t->amount = xreallocarray(t->amount, cap, sizeof *t->amount);
    t->orig_amount = xreallocarray(t->orig_amount, cap, sizeof *t->orig_amount);
    t->orig_currency = xreallocarray(t->orig_currency, cap, sizeof *t->orig_currency);
    t->reason = xreallocarray(t->reason, cap, sizeof *t->reason);
    t->approved_by = xreallocarray(t->approved_by, cap, sizeof *t->approved_by);
    t->line = xreallocarray(t->line, cap, sizeof *t->line);
    t->cap = cap;
}

/* A manual adjustment: adjustment_id, person_id (of the people file), period (a payout period
 * name), amount (+ currency), reason, approved_by. Amounts in another currency convert at the
 * rate in force on the period's last day. */
static void adjustment_row(struct reader *r)
{
    struct dataset *ds = r->ds;
    const char *id, *person, *reason, *approved;
    size_t ni, np, nr, na;
    char person_buf[IDS_MAX_LEN + 1];
    if (unique_row_id(r, ADJF_ID, &id, &ni) ||
        required_id(r, ADJF_PERSON, ID_PERSON, person_buf, &person, &np))
        return;
    uint32_t pid = intern_find(&ds->people_ids, person, np);
    if (pid == INTERN_NONE || pid >= ds->people.n || !ds->people.name[pid]) {
        reject(r, ADJF_PERSON, person, np, "person_id not in the people file");
        return;
    }
    size_t nper;
    const char *pv = field(r, ADJF_PERIOD, &nper);
    if (nper == 0) {
        reject_required(r, ADJF_PERIOD);
        return;
    }
    char name[16];
    struct period period;
    bool fits = nper < sizeof name;
    if (fits) {
        memcpy(name, pv, nper);
        name[nper] = '\0';
    }
    if (!fits || period_parse(name, &period)) {
        reject(r, ADJF_PERIOD, pv, nper,
               "bad period (expected a month 2026-10, a quarter "
               "2026-Q4 or a year 2026)");
        return;
    }
    char currency[4];
    int64_t orig, amount;
    if (row_amount(r, ADJF_CURRENCY, ADJF_AMOUNT, period.last_day, currency, &orig, &amount) ||
        required_text(r, ADJF_REASON, &reason, &nr) ||
        required_text(r, ADJF_APPROVED, &approved, &na))
        return;
    struct adjustment_table *t = &ds->adjustments;
    if (t->n == t->cap)
        adjustments_grow(t);
    size_t i = t->n++;
    t->id[i] = arena_strndup(&ds->arena, id, ni);
    t->person[i] = pid;
    t->period[i] = period;
    t->amount[i] = amount;
    t->orig_amount[i] = orig;
    memcpy(t->orig_currency[i].code, currency, sizeof currency);
    t->reason[i] = arena_strndup(&ds->arena, reason, nr);
    t->approved_by[i] = arena_strndup(&ds->arena, approved, na);
    t->line[i] = r->rec->line;
    r->fs->bucket[BUCKET_USED]++;
}

static void payments_grow(struct payment_table *t)
{
    size_t cap = grow_capacity(t->cap, t->n + 1);
    t->id = xreallocarray(t->id, cap, sizeof *t->id);
    t->deal_row = xreallocarray(t->deal_row, cap, sizeof *t->deal_row);
    t->deal_id = xreallocarray(t->deal_id, cap, sizeof *t->deal_id);
    t->paid_day = xreallocarray(t->paid_day, cap, sizeof *t->paid_day);
    t->amount = xreallocarray(t->amount, cap, sizeof *t->amount);
    t->orig_amount = xreallocarray(t->orig_amount, cap, sizeof *t->orig_amount);
    t->orig_currency = xreallocarray(t->orig_currency, cap, sizeof *t->orig_currency);
    t->line = xreallocarray(t->line, cap, sizeof *t->line);
    t->cap = cap;
}

/* A customer payment: payment_id, deal_id, paid_at, amount (+ currency); a negative amount
 * refunds a payment. A row paid after as-of is filtered before its other fields are read (it
 * cannot affect the run, DESIGN §7a/§7b). A deal id that no kept deal has is not an error (the
 * deal may lie outside the run's windows): the row is kept and counted unmatched. */
static void payment_row(struct reader *r)
{
    struct dataset *ds = r->ds;
    size_t npaid;
    const char *paid_v = field(r, PAYF_PAID, &npaid);
    int64_t ts;
    int32_t day = 0;
    bool date_only;
    int date_err = npaid ? when_core(r, paid_v, npaid, false, &ts, &day, &date_only) : 0;
    if (npaid && !date_err && day > r->w->as_of_day) {
        r->fs->bucket[BUCKET_FILTERED]++;
        return;
    }
    const char *id, *deal;
    size_t ni, nd;
    char deal_buf[IDS_MAX_LEN + 1];
    if (unique_row_id(r, PAYF_ID, &id, &ni) ||
        required_id(r, PAYF_DEAL, ID_DEAL, deal_buf, &deal, &nd))
        return;
    if (npaid == 0) {
        reject_required(r, PAYF_PAID);
        return;
    }
    if (date_err) {
        reject_date(r, PAYF_PAID, paid_v, npaid, date_err);
        return;
    }
    char currency[4];
    int64_t orig, amount;
    if (row_amount(r, PAYF_CURRENCY, PAYF_AMOUNT, day, currency, &orig, &amount))
        return;
    uint32_t did = intern_find(&ds->deal_ids, deal, nd);
    uint32_t row = did < r->n_deal_row_of ? r->deal_row_of[did] : ID_NONE;
    struct payment_table *t = &ds->payments;
    if (t->n == t->cap)
        payments_grow(t);
    size_t i = t->n++;
    t->id[i] = arena_strndup(&ds->arena, id, ni);
    t->deal_row[i] = row;
    t->deal_id[i] = arena_strndup(&ds->arena, deal, nd);
    t->paid_day[i] = day;
    t->amount[i] = amount;
    t->orig_amount[i] = orig;
    memcpy(t->orig_currency[i].code, currency, sizeof currency);
    t->line[i] = r->rec->line;
    r->fs->bucket[row == ID_NONE ? BUCKET_UNMATCHED : BUCKET_USED]++;
}

/* Every kept deal's row by its deal id, for the payments file. */
static void deal_rows_index(struct reader *r)
{
    const struct deal_table *t = &r->ds->deals;
    r->n_deal_row_of = r->ds->deal_ids.n;
    r->deal_row_of = xcalloc(r->n_deal_row_of ? r->n_deal_row_of : 1, sizeof *r->deal_row_of);
    for (size_t i = 0; i < r->n_deal_row_of; i++)
        r->deal_row_of[i] = ID_NONE;
    for (uint32_t i = 0; i < t->n; i++)
        if (t->bucket[i] == BUCKET_USED)
            r->deal_row_of[t->id[i]] = i;
}

/* ---- header and dispatch ---------------------------------------------------------------- */

/* Columns of the extra deal headers plans read. One that is missing sets extra_missing (a config
 * error, not bad data); returns -1 when one appears twice. */
static int map_deal_extra(struct reader *r, const struct csvin_record *rec)
{
    const struct ingest_window *w = r->w;
    r->extra_col = xcalloc(w->n_deal_extra ? w->n_deal_extra : 1, sizeof *r->extra_col);
    int rc = 0;
    for (size_t j = 0; j < w->n_deal_extra; j++) {
        const char *want = w->deal_extra[j];
        size_t wl = strlen(want);
        trim_span(&want, &wl);
        r->extra_col[j] = -1;
        for (size_t i = 0; i < r->n_header; i++) {
            if (ascii_casecmp_n(r->header[i], strlen(r->header[i]), want, wl) != 0)
                continue;
            if (r->extra_col[j] >= 0) {
                diag_error(r->d, r->fs->display, rec->line,
                           "header '%.*s' (read by a plan) appears twice, in columns %d and %zu",
                           (int)wl, want, r->extra_col[j] + 1, i + 1);
                rc = -1;
                break;
            }
            r->extra_col[j] = (int)i;
        }
        if (r->extra_col[j] < 0) {
            diag_error(r->d, r->fs->display, rec->line,
                       "no column '%.*s', which a plan reads (a spif filter or payee column)",
                       (int)wl, want);
            r->extra_missing = true;
            r->header_missing = true;
        }
    }
    return rc;
}

static int map_header(struct reader *r, const struct csvin_record *rec)
{
    const struct schema *sc = schema_get(r->kind);
    r->header_line = rec->line;
    r->n_header = rec->n_fields;
    r->header = xcalloc(rec->n_fields, sizeof *r->header);
    for (size_t i = 0; i < rec->n_fields; i++) {
        const char *v = rec->fields[i];
        size_t n = rec->lens[i];
        trim_span(&v, &n);
        r->header[i] = xstrndup(v, n);
    }
    int rc = 0;
    for (size_t f = 0; f < sc->n_fields; f++) {
        const char *want = r->in->columns[f];
        size_t wl = strlen(want);
        r->col[f] = -1;
        for (size_t i = 0; i < rec->n_fields; i++) {
            if (ascii_casecmp_n(r->header[i], strlen(r->header[i]), want, wl) != 0)
                continue;
            if (r->col[f] >= 0) {
                diag_error(r->d, r->fs->display, rec->line,
                           "header '%s' (for %s) appears twice, in columns %d and %zu", want,
                           sc->fields[f].name, r->col[f] + 1, i + 1);
                rc = -1;
                break;
            }
            r->col[f] = (int)i;
        }
        if (r->col[f] < 0 && sc->fields[f].required) {
            diag_error(r->d, r->fs->display, rec->line,
                       "no column '%s' for %s (map it with [columns.%s] %s = <header>)", want,
                       sc->fields[f].name, sc->name, sc->fields[f].name);
            r->header_missing = true;
            rc = -1;
        }
    }
    if (r->kind == INPUT_DEALS && map_deal_extra(r, rec))
        rc = -1;
    return rc;
}

/* After a mapped header was not found: the headers the file has, and, when the header line
 * looks split at the wrong character, the delimiter setting that reads it. The delimiter is known
 * only once the read has returned (it may come from a "sep=" line or be detected). */
static void header_help(const struct reader *r, char delim)
{
    char list[480], q[80];
    size_t o = 0, shown = 0;
    for (; shown < r->n_header; shown++) {
        const char *h = r->header[shown];
        diag_quote(q, sizeof q, h, strlen(h), 60);
        if (o + strlen(q) + 4 >= sizeof list - 40)
            break;
        o += (size_t)snprintf(list + o, sizeof list - o, "%s'%s'", shown ? ", " : "", q);
    }
    if (shown < r->n_header)
        snprintf(list + o, sizeof list - o, ", … (%zu in all)", r->n_header);
    diag_error(r->d, r->fs->display, r->header_line, "headers in the file: %s", list);

    /* Another of , ; TAB that would split the line into at least as many fields means it was
     * split at the wrong one: "a;b;c" read with ',' is one field holding two ';'. A header read
     * right rarely qualifies: "Betrag (EUR, netto)" among six ';' fields holds one ','. */
    static const char cands[] = {',', ';', '\t'};
    static const char *const names[] = {"comma", "semicolon", "tab"};
    static const char *const shown_as[] = {"','", "';'", "tabs"};
    size_t best = 0, best_n = 0;
    for (size_t c = 0; c < ARRAY_LEN(cands); c++) {
        size_t n = 0;
        for (size_t i = 0; i < r->n_header && cands[c] != delim; i++)
            for (const char *p = r->header[i]; *p; p++)
                n += *p == cands[c];
        if (n > best_n) {
            best = c;
            best_n = n;
        }
    }
    if (best_n == 0 || best_n + 1 < r->n_header)
        return;
    const char *delim_shown = delim == '\t'  ? "tab"
                              : delim == ',' ? "','"
                              : delim == ';' ? "';'"
                                             : NULL;
    char other[8];
    if (!delim_shown) {
        snprintf(other, sizeof other, "'%c'", delim);
        delim_shown = other;
    }
    diag_error(r->d, r->fs->display, r->header_line,
               "the header line holds %s but the delimiter is %s (%s); set [format.%s] delimiter "
               "= %s",
               shown_as[best], delim_shown,
               r->in->fmt.delimiter == delim ? "declared" : "detected from the header line",
               schema_get(r->kind)->name, names[best]);
}

static void dispatch(struct reader *r)
{
    switch (r->kind) {
    case INPUT_CAMPAIGNS:
        campaign_row(r);
        break;
    case INPUT_PEOPLE:
        person_row(r);
        break;
    case INPUT_TOUCHES:
        touch_row(r);
        break;
    case INPUT_DEALS:
        deal_row(r);
        break;
    case INPUT_SPLITS:
        split_row(r);
        break;
    case INPUT_FX:
        fx_row(r);
        break;
    case INPUT_SPEND:
        spend_row(r);
        break;
    case INPUT_IDENTITIES:
        identity_row(r);
        break;
    case INPUT_ADJUSTMENTS:
        adjustment_row(r);
        break;
    case INPUT_PAYMENTS:
        payment_row(r);
        break;
    case INPUT_N:
        BUG("reader for an unsupported file");
    }
}

/* The amount of a deal row just rejected, where it can be read (quietly: the row already has its
 * message), on the rejects of this record: the Summary sheets show what was taken out. */
static void deal_reject_amount(struct reader *r, size_t first_reject)
{
    char currency[4];
    memcpy(currency, r->in->fmt.currency, 4);
    size_t nc, na;
    const char *c = field(r, DF_CURRENCY, &nc);
    if (nc == 3)
        for (int i = 0; i < 3; i++)
            currency[i] = (char)(c[i] >= 'a' && c[i] <= 'z' ? c[i] - 32 : c[i]);
    if (nc && (nc != 3 || money_minor_digits(currency) < 0))
        return;
    const char *v = field(r, DF_AMOUNT, &na);
    struct money_fmt mf = r->in->fmt.money;
    mf.minor_digits = money_minor_digits(currency);
    struct money_parsed mp;
    if (na == 0 || money_parse(v, na, &mf, &mp) ||
        (mp.currency[0] && strcmp(mp.currency, currency) != 0))
        return;
    for (size_t i = first_reject; i < r->ds->n_rejects; i++) {
        struct reject *rj = &r->ds->rejects[i];
        if (rj->line != r->rec->line)
            continue;
        rj->has_amount = true;
        rj->amount = mp.minor;
        memcpy(rj->currency, currency, sizeof rj->currency);
    }
}

/* A record with an encoding fault (a NUL byte, a stray U+FEFF, invalid UTF-8 in a UTF-8 file) is
 * rejected as a whole, naming the column it is in and the byte offset; its value shows the faulty
 * bytes as U+FFFD. A deal row whose dates put it outside every kept window is filtered first, as
 * any deal row is, and one kept only for the year to date is marked so. */
static void fault_row(struct reader *r)
{
    const struct csvin_record *rec = r->rec;
    if (r->kind == INPUT_DEALS && rec->n_fields == r->n_header) {
        const struct ingest_window *w = r->w;
        struct deal_dates dd;
        deal_dates_read(r, &dd);
        if (deal_dates_ok(&dd)) {
            if (!deal_in_window(&dd, w, w->keep_first, w->cancel_first, w->cancel_last)) {
                r->fs->bucket[BUCKET_FILTERED]++;
                return;
            }
            r->row_ytd_only =
                w->has_pay_window &&
                !deal_in_window(&dd, w, w->pay_keep_first, w->pay_cancel_first, w->pay_cancel_last);
        }
    }
    char why[160];
    csvin_fault_text(rec, why, sizeof why);
    uint32_t c = rec->fault->field;
    bool named = c < rec->n_fields && c < r->n_header;
    dataset_reject(r->ds, r->kind, rec->line, named ? r->header[c] : NULL,
                   named ? rec->fields[c] : NULL, named ? rec->lens[c] : 0, why);
    r->fs->bucket[BUCKET_REJECTED]++;
    if (r->row_ytd_only) {
        r->ds->rejects[r->ds->n_rejects - 1].ytd_only = true;
        r->fs->ytd_only_rejects++;
    }
}

static int on_record(void *ctx, const struct csvin_record *rec)
{
    struct reader *r = ctx;
    r->rec = rec;
    if (rec->is_header) {
        if (map_header(r, rec)) {
            r->header_failed = true;
            return -1;
        }
        return r->extra_missing ? -1 : 0;
    }
    r->row_hash = rec->hash;
    r->row_ytd_only = false;
    bool copies_count = !has_row_ids(r->kind);
    if (copies_count && hash_set_has(&r->rejected, r->row_hash)) {
        r->fs->bucket[BUCKET_DUPLICATE]++;
        return 0;
    }
    uint64_t rejected = r->fs->bucket[BUCKET_REJECTED];
    size_t first_reject = r->ds->n_rejects;
    if (rec->fault)
        fault_row(r);
    else if (rec->n_fields != r->n_header)
        reject(r, -1, NULL, 0, "expected %zu fields, got %zu", r->n_header, rec->n_fields);
    else
        dispatch(r);
    if (r->fs->bucket[BUCKET_REJECTED] > rejected) {
        if (copies_count)
            hash_set_add(&r->rejected, r->row_hash);
        if (r->kind == INPUT_DEALS && rec->n_fields == r->n_header)
            deal_reject_amount(r, first_reject);
    }
    return 0;
}

static void reader_release(struct reader *r)
{
    for (size_t i = 0; i < r->n_header; i++)
        free(r->header[i]);
    free(r->header);
    free(r->seen_hash);
    free(r->seen_line);
    free(r->seen_bucket);
    free(r->seen_row);
    free(r->seen_hash_nolead);
    free(r->seen_nrows);
    free(r->seen_head);
    free(r->dl_line);
    free(r->dl_hash);
    free(r->dl_next);
    free(r->rejected.slot);
    free(r->spend_seen.slot);
    free(r->extra_col);
    intern_release(&r->row_ids);
    free(r->row_id_line);
    free(r->deal_row_of);
}

static int read_file(struct dataset *ds, const struct settings *s, const struct ingest_window *w,
                     enum input_kind kind, const struct fx_rates *fx, struct diag *d)
{
    const struct inputcfg *in = &s->inputs[kind];
    struct file_stats *fs = &ds->files[kind];
    fs->present = true;
    fs->path = in->path;
    const char *slash = strrchr(in->path, '/');
    fs->display = slash ? slash + 1 : in->path;

    struct tz *file_tz = NULL;
    char err[200];
    if (tz_load(in->fmt.timezone, &file_tz, err, sizeof err)) {
        diag_error(d, fs->display, 0, "%s", err);
        return INGEST_ECONFIG;
    }
    struct reader r = {
        .ds = ds,
        .s = s,
        .w = w,
        .kind = kind,
        .in = in,
        .fs = fs,
        .d = d,
        .file_tz = file_tz,
        .fx = fx,
        .row_ids = INTERN_INIT,
    };
    if (kind == INPUT_PAYMENTS)
        deal_rows_index(&r);
    struct csvin_opts opts = CSVIN_OPTS_INIT;
    struct touch_prefault *prefault = NULL;
    if (kind == INPUT_TOUCHES) {
        touches_reserve(ds, in->path);
        prefault = r.prefault = xmalloc(sizeof *prefault);
        touch_prefault_init(prefault, &ds->touches);
        opts.ahead = touch_prefault;
        opts.ahead_ctx = prefault;
    }
    if (kind == INPUT_TOUCHES || kind == INPUT_DEALS) {
        opts.peek = record_peek;
        opts.peek_ctx = &r;
    }
    opts.delimiter = in->fmt.delimiter;
    opts.footer = in->fmt.footer;
    opts.footer_pattern = in->fmt.footer_pattern;
    struct csvin_stats st;
    memset(&st, 0, sizeof st);
    int rc = csvin_read(in->path, fs->display, &opts, on_record, &r, &st, d);
    if (prefault)
        pthread_mutex_destroy(&prefault->mu);
    free(prefault);
    fs->bytes = st.bytes;
    fs->lines = st.lines;
    fs->rows = st.records;
    fs->blank_lines = st.blank_lines;
    fs->footer_lines = st.footer_lines;
    fs->delimiter = st.delimiter;
    fs->had_bom = st.had_bom;
    if (r.header_missing)
        header_help(&r, st.delimiter);
    bool header_failed = r.header_failed, extra_missing = r.extra_missing;
    reader_release(&r);
    tz_free(file_tz);

    switch (rc) {
    case CSVIN_OK:
        break;
    case CSVIN_EMISSING:
    case CSVIN_EEMPTY:
        return INGEST_EMISSING;
    case CSVIN_EIO:
        return INGEST_EIO;
    case CSVIN_ESTOPPED:
        if (header_failed)
            return INGEST_EDATA;
        if (extra_missing)
            return INGEST_ECONFIG;
        BUG("csvin stopped without a reason");
    default:
        return INGEST_EDATA;
    }
    if (fs->rows == 0) {
        diag_error(d, fs->display, 0, "no data rows (header only)");
        return INGEST_EDATA;
    }
    uint64_t sum = 0;
    for (int b = 0; b < BUCKET_N; b++)
        sum += fs->bucket[b];
    if (sum != fs->rows)
        BUG("row reconciliation does not add up");
    return INGEST_OK;
}

/* At most this many rejected rows of one file are shown when it fails the run. */
#define MAX_REJECTS_SHOWN 20

/* The first rejected rows of a failing file, as errors: a failed cron run says what to fix.
 * The rest are counted, so the closing count is the true one. */
static void show_rejects(const struct dataset *ds, enum input_kind kind, struct diag *d)
{
    size_t shown = 0, hidden = 0;
    for (size_t i = 0; i < ds->n_rejects; i++) {
        const struct reject *rj = &ds->rejects[i];
        if (rj->file != kind)
            continue;
        if (shown == MAX_REJECTS_SHOWN) {
            hidden++;
            continue;
        }
        char q[200];
        if (rj->column && rj->value)
            diag_error(d, ds->files[kind].display, rj->line, "%s: '%s' in column '%s'", rj->reason,
                       diag_quote(q, sizeof q, rj->value, strlen(rj->value), 120), rj->column);
        else
            diag_error(d, ds->files[kind].display, rj->line, "%s", rj->reason);
        shown++;
    }
    diag_count_hidden(d, hidden);
}

/* Rows rejected for an empty lead_id in a touches file without a contact_id mapping are most
 * likely a campaign member report's contacts: say how to count them as unmatched instead. */
static void contact_hint(const struct file_stats *fs, struct diag *d)
{
    char q[80], col[160];
    if (fs->contact_column_hint)
        snprintf(
            col, sizeof col, "the file's column '%s'",
            diag_quote(q, sizeof q, fs->contact_column_hint, strlen(fs->contact_column_hint), 60));
    else
        snprintf(col, sizeof col, "the file's contact ID column");
    diag_summary(d, fs->display,
                 "%llu of them have an empty lead_id: if they are contacts (a campaign member "
                 "report), map %s with [columns.touches] contact_id to count them as unmatched "
                 "(no lead id) and join them through [inputs] identities",
                 (unsigned long long)fs->empty_lead_unmapped, col);
}

/* Rejects over the file's allowed share (or any, under --strict) fail the run. */
static int check_rejects(const struct dataset *ds, const struct settings *s,
                         const struct ingest_window *w, struct diag *d)
{
    int rc = INGEST_OK;
    for (int k = 0; k < INPUT_N; k++) {
        const struct file_stats *fs = &ds->files[k];
        const struct decimal share = s->inputs[k].max_reject_share;
        uint64_t rej = fs->bucket[BUCKET_REJECTED] - fs->ytd_only_rejects;
        if (!fs->present || rej == 0)
            continue;
        /* rej / rows > units / 10^scale, compared exactly in integers. */
        __extension__ unsigned __int128 lhs = (unsigned __int128)rej;
        __extension__ unsigned __int128 rhs = (unsigned __int128)fs->rows * (uint64_t)share.units;
        for (int i = 0; i < share.scale; i++)
            lhs *= 10;
        if (w->strict || lhs > rhs) {
            show_rejects(ds, (enum input_kind)k, d);
            char why[96];
            if (w->strict) {
                snprintf(why, sizeof why, "none under --strict");
            } else {
                char v[48];
                decimal_format(v, sizeof v, share);
                snprintf(why, sizeof why, "[format.%s] max_reject_share %s",
                         schema_get((enum input_kind)k)->name, v);
            }
            char ytd[96] = "";
            if (fs->ytd_only_rejects)
                snprintf(ytd, sizeof ytd, "; %llu more only affect the year to date",
                         (unsigned long long)fs->ytd_only_rejects);
            diag_summary(d, fs->display,
                         "%llu of %llu data rows rejected, more than allowed (%s)%s",
                         (unsigned long long)rej, (unsigned long long)fs->rows, why, ytd);
            if (fs->empty_lead_unmapped)
                contact_hint(fs, d);
            rc = INGEST_EDATA;
        }
    }
    return rc;
}

int ingest_all(struct dataset *ds, const struct settings *s, const struct ingest_window *w,
               struct diag *d)
{
    /* FX before deals, which are converted as they are read; the identity map before touches
     * and deals, whose lead ids go through it as they are read. Adjustments name people and
     * payments name deals, so both come after those (and after fx: they convert too). */
    static const enum input_kind order[] = {
        INPUT_CAMPAIGNS, INPUT_PEOPLE, INPUT_IDENTITIES, INPUT_TOUCHES,     INPUT_FX,
        INPUT_DEALS,     INPUT_SPLITS, INPUT_SPEND,      INPUT_ADJUSTMENTS, INPUT_PAYMENTS};
    memcpy(ds->currency, s->currency, sizeof ds->currency);
    ds->deals.n_extra = w->n_deal_extra;
    struct fx_rates fx = {0};
    bool fx_built = false;
    int worst = INGEST_OK;
    for (size_t i = 0; i < ARRAY_LEN(order); i++) {
        if (order[i] == INPUT_DEALS) {
            fx_rates_init(&fx, &ds->fx);
            fx_built = true;
        }
        if (!s->inputs[order[i]].path)
            continue;
        int rc = read_file(ds, s, w, order[i], fx_built ? &fx : NULL, d);
        if (order[i] == INPUT_IDENTITIES && identities_resolve(ds, d) != INGEST_OK &&
            rc == INGEST_OK)
            rc = INGEST_EDATA;
        /* Keep reading the other files so one run reports every broken input. */
        if (rc != INGEST_OK && (worst == INGEST_OK || rc < worst))
            worst = rc;
    }
    fx_rates_release(&fx);
    /* Every lead id is in: later stages only read the ids' strings, so the lookup table goes. */
    intern_seal(&ds->leads);
    if (worst != INGEST_OK)
        return worst;
    return check_rejects(ds, s, w, d);
}
