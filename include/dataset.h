/* dataset.h — the run's input data as compact columnar tables with interned ids.
 *
 * Each entity kind has its own interner (leads, campaigns, channels, people, teams, deals), so an
 * id is a dense uint32_t that indexes that kind's columns directly. Touches and deals are stored
 * in input order; join.h adds the lead → touches index. Every input row ends in exactly one
 * bucket of its file's reconciliation (struct file_stats); a rejected row also has a struct
 * reject. The dataset owns everything it points to; dataset_release frees it all.
 */
#ifndef SAMETABLE_DATASET_H
#define SAMETABLE_DATASET_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "identity.h"
#include "intern.h"
#include "money.h"
#include "period.h"
#include "schema.h"

#define ID_NONE  UINT32_MAX
#define DAY_NONE INT32_MIN

enum bucket {
    BUCKET_USED,
    BUCKET_DUPLICATE,
    BUCKET_FILTERED,
    BUCKET_UNMATCHED,
    BUCKET_REJECTED,
    BUCKET_N
};

/* Row reconciliation of one input file: rows = sum of buckets. */
struct file_stats {
    bool present;        /* the file was configured and read */
    const char *path;    /* as configured (resolved) */
    const char *display; /* base name for messages */
    uint64_t bytes;
    uint64_t lines; /* physical lines */
    uint64_t rows;  /* data records (header, blank and footer lines excluded) */
    uint64_t blank_lines;
    uint64_t footer_lines;
    uint64_t bucket[BUCKET_N];
    /* Rejected rows that matter only to the year-to-date figures (a deal of an earlier payout
     * period of the year): listed like every reject, not counted against max_reject_share. */
    uint64_t ytd_only_rejects;
    /* The identity map ([inputs] identities). Touches: rows whose lead came through it (a
     * contact, or a merged lead's old id; any bucket), how many of those join found duplicating
     * a touch the lead already had, and rows unmatched for want of a lead id (an empty lead_id
     * and a contact_id the map does not resolve; of them, contacts whose identities rows were
     * rejected), with the first such row's line and contact. Deals: rows whose lead id followed
     * the map. */
    uint64_t via_identities;
    uint64_t via_identities_dup;
    uint64_t no_lead_id;
    uint64_t no_lead_id_conflict;
    uint64_t no_lead_id_line;
    const char *no_lead_id_contact; /* in the dataset's arena */
    /* Touches rejected for an empty lead_id while [columns.touches] contact_id is not mapped
     * (likely a campaign member report's contacts), and the file's header that looks like a
     * contact ID column (NULL if none): the reject-share failure says how to map it. */
    uint64_t empty_lead_unmapped;
    const char *contact_column_hint; /* in the dataset's arena */
    char delimiter;
    bool had_bom;
};

struct reject {
    enum input_kind file;
    uint64_t line;      /* physical line where the record starts */
    const char *column; /* physical header, or NULL when the whole row is at fault */
    const char *value;  /* the offending value, or NULL */
    const char *reason; /* e.g. "bad amount: too many decimals" */
    /* A rejected deal row's amount as written, where it could be read (the row was rejected
     * for another field): what the rejection takes out of the run. */
    bool ytd_only; /* the row matters only to the year-to-date figures */
    bool has_amount;
    int64_t amount; /* minor units of `currency` */
    char currency[4];
};

struct campaign_table { /* indexed by campaign id */
    uint32_t n, cap;
    const char **name;  /* display name (input text) */
    uint32_t *channel;  /* channel id */
    uint32_t *owner;    /* person id or ID_NONE */
    int64_t *spend;     /* lifetime spend as the campaigns file states it: minor units of the
                         * reporting currency, 0 if none */
    int32_t *start_day; /* business date of start_date, DAY_NONE if none */
    int32_t *end_day;   /* business date of end_date (inclusive), DAY_NONE if none */
    uint64_t *line;     /* source line, 0 for a campaign only seen in touches */
    bool *known;        /* false: only referenced by touches, not in the campaigns file */
    /* The spend-by-date file ([inputs] spend): a campaign it names (any row with its ID) takes
     * its period spend from the file instead of the spread over its dates. */
    bool *spend_named;
    int64_t *spend_dated; /* sum of its rows dated in the run's period, minor units */
    uint32_t *spend_rows; /* those rows */
};

struct touch_table { /* indexed by touch number, in input order */
    uint64_t n, cap;
    uint32_t *lead; /* lead id */
    /* Times (touch_ts): UTC epoch seconds; a date-only value is its local midnight. Narrow
     * while every touch lies within 2^32 seconds (136 years) of ts_base: ts32 holds ts - ts_base
     * and ts is NULL; else (touch_when_put switches) ts holds them whole and ts32 is NULL. */
    int64_t *ts;
    uint32_t *ts32;
    int64_t ts_base;     /* set by the first touch (ts_based): the UTC midnight at or before its
                          * time - 2^31, so the UTC day of a time is ts_base_day + ts32 / 86400 */
    int64_t ts_base_day; /* ts_base / 86400 */
    bool ts_based;
    /* Business-local days (touch_day): within two days of the UTC day of ts for any real time
     * zone, so kept as day - floor(ts / 86400) in day8 (day NULL); a day that differs more
     * (touch_when_put switches) puts every touch's day into day (day8 NULL). */
    int32_t *day;
    int8_t *day8;
    uint32_t *campaign; /* campaign id */
    /* Channels (touch_channel): a row's channel is its campaign's unless the row names another.
     * Sparse while such rows are few: their touch numbers (ascending) in chan_at, their
     * channels in chan_id. Dense, once those would take more room than a 4-byte column
     * (touch_channel_put switches): channel holds every touch's; NULL in the sparse form. */
    uint32_t *channel;
    uint32_t *chan_at, *chan_id;
    size_t n_chan, cap_chan;
    uint64_t *row_hash; /* hash of all physical fields, for duplicate detection */
    uint8_t *bucket;    /* enum bucket of the row (join may mark duplicates) */
    /* Source lines (touch_line), in one of two forms. Runs, while they are the smaller: touch i
     * of run k (line_from[k] <= i < line_from[k + 1]) is on line i + line_delta[k]; a run ends
     * only where a row is not stored (filtered, rejected, no lead id), a record spans lines, or
     * a blank line intervenes, so a clean file is one run. Dense, once runs would take more than
     * a 4-byte column (touch_line_put switches): line holds each touch's line, low 32 bits, and
     * line_hi_from where the high bits step up. line is NULL in the run form. */
    uint32_t *line_from;
    uint64_t *line_delta;
    size_t n_line_runs, cap_line_runs;
    uint32_t *line; /* dense form: source line, low 32 bits */
    /* Lines grow with the touch number, so their high 32 bits change at a few touches only (none
     * below 2^32 lines): from touch line_hi_from[k] on they are k + 1. */
    uint64_t *line_hi_from;
    size_t n_line_hi;
    /* Touch numbers (ascending) whose lead came through the identity map: join orders them
     * after the lead's own touches of the same instant and drops one that repeats a campaign
     * the lead already has at that instant. */
    uint64_t *via;
    size_t n_via, cap_via;
};

/* The time of touch i (UTC epoch seconds). */
static inline int64_t touch_ts(const struct touch_table *t, uint64_t i)
{
    return t->ts ? t->ts[i] : t->ts_base + (int64_t)t->ts32[i];
}

/* floor(ts / 86400): the UTC day of an instant. */
static inline int64_t touch_utc_day(int64_t ts)
{
    return ts / 86400 - (ts % 86400 < 0);
}

/* The business-local day of touch i. */
static inline int32_t touch_day(const struct touch_table *t, uint64_t i)
{
    if (t->day)
        return t->day[i];
    int64_t utc = t->ts ? touch_utc_day(t->ts[i]) : t->ts_base_day + t->ts32[i] / 86400;
    return (int32_t)(utc + t->day8[i]);
}

/* Touch numbers fit 32 bits (the join index stores them so). */
#define TOUCHES_MAX ((uint64_t)UINT32_MAX)

/* The source line of touch i. */
static inline uint64_t touch_line(const struct touch_table *t, uint64_t i)
{
    if (!t->line) {
        size_t lo = 0, hi = t->n_line_runs; /* line_from[0] == 0 <= i */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (t->line_from[mid] <= i)
                lo = mid;
            else
                hi = mid;
        }
        return i + t->line_delta[lo];
    }
    size_t k = t->n_line_hi;
    while (k > 0 && t->line_hi_from[k - 1] > i)
        k--;
    return (uint64_t)k << 32 | t->line[i];
}

struct fx_code {
    char code[4]; /* ISO 4217, upper case, NUL-terminated */
};

/* A deal milestone (lead created, opportunity created). */
#define MILESTONE_NONE INT64_MIN
struct milestone {
    int64_t ts;     /* UTC instant; a date-only value is the end of its local day; or NONE */
    int32_t day;    /* business-local day */
    bool date_only; /* written without a time: compare local dates */
};

struct deal_table { /* indexed by row number in the deal table (one per deal id) */
    uint32_t n, cap;
    uint32_t *id;         /* deal id (deal interner) */
    uint32_t *lead;       /* lead id, ID_NONE if the row has none */
    uint32_t *owner;      /* person id (people interner; may be a person not in the people file) */
    int64_t *amount;      /* minor units of the reporting currency (converted at the close date) */
    int64_t *orig_amount; /* minor units of orig_currency, as written in the file */
    struct fx_code *orig_currency; /* the row's currency (the file's when no column) */
    int32_t *cancel_day;           /* business-local day of cancelled_at, DAY_NONE if none */
    int32_t *close_day;            /* business-local close date */
    int64_t *close_ts;             /* UTC instant; a date-only close is the end of that local day */
    uint64_t *line;                /* source line */
    uint64_t *row_hash;
    uint8_t *bucket;       /* enum bucket this row ended in */
    uint32_t *nrows;       /* input rows this deal stands for (rows differing only in lead merge) */
    bool *close_date_only; /* closed_at had no time (close_ts is the end of that day) */
    struct milestone *lead_created; /* lead_created_at, for w_shaped and full_path */
    struct milestone *opp_created;  /* created_at (opportunity created) */
    const char **name; /* account or deal name as written ("" when none), for statements */
    /* Extra deal columns that plans ask for (SPIF filters, `payee = column:<header>`), in the
     * order of ingest_window.deal_extra: extra[row * n_extra + j], "" when empty (arena). */
    const char **extra;
    size_t n_extra;
    /* Further leads of deals with several (lead[] holds the first): (deal row, lead) pairs in
     * the order ingest met them; join.h indexes them by deal. */
    uint32_t *xlead_deal;
    uint32_t *xlead_lead;
    size_t n_xlead, cap_xlead;
};

struct person_table { /* indexed by person id (people interner) */
    uint32_t n, cap;
    const char **name; /* NULL: id seen only as a deal owner or campaign owner */
    uint32_t *team;    /* team id or ID_NONE */
    const char **role;
    const char **plan; /* plan id as written (lower-cased), NULL if none */
    uint32_t *manager; /* person id of the manager, ID_NONE if none */
    uint64_t *line;
    /* Quota and target incentive, in minor units of the reporting currency, stated for the
     * plan's quota_period; QUOTA_NONE when the cell is empty or the column is not mapped. */
    int64_t *quota;
    int64_t *target;
    int64_t *draw;            /* draw per payout period (minor units), QUOTA_NONE: the plan's */
    int32_t *start_day;       /* first active business day, DAY_NONE = always */
    int32_t *end_day;         /* last active business day (inclusive), DAY_NONE = still active */
    struct fx_code *currency; /* payee currency; the reporting currency when not given */
};
#define QUOTA_NONE INT64_MIN

struct split_table { /* deal splits, in input order */
    size_t n, cap;
    uint32_t *deal;        /* deal id (deal interner) */
    uint32_t *person;      /* person id */
    struct decimal *share; /* fraction of the deal, 0..1 ("50" and "50%" are 0.5) */
    bool *overlay;         /* overlay split: counts only toward that person's own revenue */
    uint64_t *line;
};

struct fx_table { /* FX rates, in input order */
    size_t n, cap;
    struct fx_code *currency; /* ISO code, upper case */
    struct decimal *rate;     /* units of the reporting currency per unit of `currency` */
    int32_t *day;             /* effective from this business day */
    uint64_t *line;
};

/* Manual adjustments ([inputs] adjustments), in file order: every row kept is used. Strings are in
 * the dataset's arena. */
struct adjustment_table {
    size_t n, cap;
    const char **id;               /* adjustment_id as written (trimmed); unique in the file */
    uint32_t *person;              /* person id (people interner): a person of the people file */
    struct period *period;         /* the payout period it belongs to */
    int64_t *amount;               /* minor units of the reporting currency, != 0 (converted at
                                    * the rate in force on the period's last day) */
    int64_t *orig_amount;          /* minor units of orig_currency, as written */
    struct fx_code *orig_currency; /* the row's currency (the file's when none) */
    const char **reason;           /* as written, not empty */
    const char **approved_by;      /* as written, not empty */
    uint64_t *line;                /* source line */
};

/* Customer payments ([inputs] payments), in file order, used and unmatched rows alike (a row is
 * unmatched when no kept deal has its deal id: the deal may lie outside the run's windows).
 * Rows paid after as-of are filtered and not stored. */
struct payment_table {
    size_t n, cap;
    const char **id;               /* payment_id as written (trimmed); unique in the file */
    uint32_t *deal_row;            /* deal table row of its deal, ID_NONE when unmatched */
    const char **deal_id;          /* deal id, normalised like the deals file's ([ids]) */
    int32_t *paid_day;             /* business-local date of paid_at */
    int64_t *amount;               /* minor units of the reporting currency, != 0; negative: a
                                    * refund (converted at the rate in force on paid_day) */
    int64_t *orig_amount;          /* minor units of orig_currency, as written */
    struct fx_code *orig_currency; /* the row's currency (the file's when none) */
    uint64_t *line;                /* source line */
};

struct dataset {
    struct arena arena; /* strings of the tables and the rejects */
    char currency[4];   /* reporting currency, set by ingest_all: people.currency's default */
    struct intern leads, campaign_ids, channels, people_ids, teams, deal_ids;
    struct campaign_table campaigns;
    struct touch_table touches;
    struct deal_table deals;
    struct person_table people;
    struct split_table splits;
    struct fx_table fx;
    struct adjustment_table adjustments;
    struct payment_table payments;
    /* contact / merged lead id → surviving lead, ids of `leads` (ingest: identities file) */
    struct idmap identities;
    struct file_stats files[INPUT_N];
    struct reject *rejects;
    size_t n_rejects, cap_rejects;
};

/* The channel of touch i: the row's, else its campaign's. */
static inline uint32_t touch_channel(const struct dataset *ds, uint64_t i)
{
    const struct touch_table *t = &ds->touches;
    if (t->channel)
        return t->channel[i];
    size_t lo = 0, hi = t->n_chan; /* the first override at or after i */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->chan_at[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->n_chan && t->chan_at[lo] == i)
        return t->chan_id[lo];
    return ds->campaigns.channel[t->campaign[i]];
}

/* Record the channel of touch i, the touch after the last one recorded, whose campaign is set
 * and whose campaign's channel will not change any more. Inline for the common row, its
 * campaign's channel; touch_channel_put_other for the rest. */
void touch_channel_put_other(struct dataset *ds, uint64_t i, uint32_t channel);
static inline void touch_channel_put(struct dataset *ds, uint64_t i, uint32_t channel)
{
    const struct touch_table *t = &ds->touches;
    if (!t->channel && channel == ds->campaigns.channel[t->campaign[i]])
        return;
    touch_channel_put_other(ds, i, channel);
}

void dataset_init(struct dataset *ds);
void dataset_release(struct dataset *ds);

/* Record a rejected row (copies the strings into the dataset's arena). */
void dataset_reject(struct dataset *ds, enum input_kind file, uint64_t line, const char *column,
                    const char *value, size_t value_len, const char *reason);

/* Whether (ts, day) fit the narrow forms as they stand (both narrow, the base set): the common
 * case, stored by touch_when_put_narrow. */
static inline bool touch_when_narrow(const struct touch_table *t, int64_t ts, int32_t day)
{
    if (t->ts || t->day || !t->ts_based)
        return false;
    /* ts - ts_base in [0, 2^32) as unsigned arithmetic: ts_base lies well inside int64_t (see
     * touch_when_put), so no difference wraps into that range. */
    uint64_t off = (uint64_t)ts - (uint64_t)t->ts_base;
    if (off > UINT32_MAX)
        return false;
    int64_t d = (int64_t)day - (t->ts_base_day + (uint32_t)off / 86400);
    return d >= INT8_MIN && d <= INT8_MAX;
}
static inline void touch_when_put_narrow(struct touch_table *t, uint64_t i, int64_t ts, int32_t day)
{
    uint32_t off = (uint32_t)((uint64_t)ts - (uint64_t)t->ts_base);
    t->ts32[i] = off;
    t->day8[i] = (int8_t)((int64_t)day - (t->ts_base_day + off / 86400));
}
/* Whether touch_when_put can store (ts, day) without switching a column to its wide form (which
 * frees the narrow column's block). */
bool touch_when_fits(const struct touch_table *t, int64_t ts, int32_t day);
/* Record the time and business day of touch i, the touch after the last one recorded; switches
 * ts or day to the wide form (sized for t->cap touches) when the narrow one cannot hold them. */
void touch_when_put(struct touch_table *t, uint64_t i, int64_t ts, int32_t day);

/* Record the source line of touch i, the touch after the last one recorded (lines ascending,
 * line > i); inline while a run goes on, touch_line_put_new otherwise. Keeps the run form while
 * runs take no more room than a 4-byte column would (and always for the first 1024 runs); past
 * that, moves to the dense form, sized for t->cap touches (touch storage grows line with the other
 * columns then). */
void touch_line_put_new(struct touch_table *t, uint64_t i, uint64_t line);
static inline void touch_line_put(struct touch_table *t, uint64_t i, uint64_t line)
{
    if (!t->line && t->n_line_runs && t->line_delta[t->n_line_runs - 1] == line - i)
        return; /* the run goes on */
    touch_line_put_new(t, i, line);
}

/* Ensure a person / campaign id has a row (growing the columns with empty values). */
void person_table_touch(struct dataset *ds, uint32_t id);
void campaign_table_touch(struct dataset *ds, uint32_t id);

#endif
