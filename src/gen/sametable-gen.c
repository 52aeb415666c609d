/* sametable-gen.c — deterministic generator of sametable's four inputs (campaigns, touches, deals,
 * people) at any scale, in three CSV dialects: plain, HubSpot re-saved by US Excel, German Excel;
 * optionally deal splits, FX rates with deals and payees in other currencies, cancellations, and
 * campaign members that are contacts with an identities file mapping some of them to leads.
 *
 * Every lead draws from its own PRNG stream seeded by (seed, lead index), so a lead's touches and
 * deals depend on nothing else: not on the style, not on other leads. Touches and deals are
 * streamed lead by lead; only campaigns, people and small per-day lookup tables live in memory.
 * No floating point is used anywhere; money is int64_t cents, instants are day numbers + minutes.
 */
#include "date.h"
#include "money.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define GEN_EXIT_FAIL  1
#define GEN_EXIT_USAGE 64

__extension__ typedef unsigned __int128 gen_u128;

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---------------------------------------- */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

enum { STREAM_PEOPLE = 1, STREAM_CAMPAIGNS = 2, STREAM_LEADS = 3, STREAM_CONTACTS = 4 };

/* One independent stream per (seed, stream, index). */
static void rng_init(struct rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t x = seed;
    uint64_t a = splitmix64(&x);
    x = a ^ (stream * 0xD1B54A32D192ED03u);
    uint64_t b = splitmix64(&x);
    x = b ^ (index * 0x8CB92BA72F3D8DD7u);
    for (size_t i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Uniform in [0, n) for 1 <= n <= 2^32 (multiply-shift of the top 32 bits). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi], inclusive; lo <= hi. */
static int32_t rng_range(struct rng *r, int32_t lo, int32_t hi)
{
    return lo + (int32_t)rng_below(r, (uint32_t)(hi - lo) + 1u);
}

static bool rng_pct(struct rng *r, uint32_t pct)
{
    return rng_below(r, 100) < pct;
}

/* ---- vocabulary ---------------------------------------------------------------------------- */

enum gen_style { STYLE_PLAIN, STYLE_HUBSPOT, STYLE_GERMAN };

enum channel { CH_PAID_SEARCH, CH_PAID_SOCIAL, CH_EMAIL, CH_EVENTS, CH_ORGANIC, CH_DIRECT, N_CH };
static const char *const channel_names[N_CH] = {"paid_search", "paid_social", "email",
                                                "events",      "organic",     "direct"};
/* Share of touches per channel (percent) when a touch is not steered to a channel. */
static const uint32_t channel_touch_weight[N_CH] = {24, 20, 20, 8, 16, 12};
/* Relative cost of one weight-unit-day of a campaign, per channel (direct costs nothing). */
static const uint32_t channel_cost_rate[N_CH] = {90, 70, 15, 250, 12, 0};

enum touch_type { TT_AD_CLICK, TT_FORM, TT_EMAIL_CLICK, TT_PAGE_VIEW, TT_EVENT, TT_CALL, N_TT };
static const char *const touch_type_names[N_TT] = {
    "Ad click",  "Form submission",          "Marketing email click",
    "Page view", "Attended marketing event", "Call connected"};
/* Touch type weights (percent) per channel. */
static const uint8_t touch_type_weight[N_CH][N_TT] = {
    [CH_PAID_SEARCH] = {70, 10, 0, 20, 0, 0}, [CH_PAID_SOCIAL] = {65, 10, 0, 25, 0, 0},
    [CH_EMAIL] = {0, 15, 85, 0, 0, 0},        [CH_EVENTS] = {0, 20, 0, 0, 80, 0},
    [CH_ORGANIC] = {0, 25, 0, 75, 0, 0},      [CH_DIRECT] = {0, 15, 0, 55, 0, 30},
};

enum stage { ST_WON, ST_LOST, ST_QUALIFICATION, ST_PROPOSAL, ST_NEGOTIATION, N_ST };
static const char *const stage_names[N_ST] = {"Closed Won", "Closed Lost", "Qualification",
                                              "Proposal/Price Quote", "Negotiation/Review"};

enum deal_type { DT_NEW_LOGO, DT_EXPANSION, DT_RENEWAL, N_DT };
static const char *const deal_type_names[N_DT] = {"New Logo", "Expansion", "Renewal"};

/* Touches by hour of day (UTC): business hours across Europe and the Americas. */
static const uint32_t hour_weight[24] = {1, 1,  1,  1,  1,  2, 3, 5, 8, 10, 11, 10,
                                         9, 10, 11, 11, 10, 8, 6, 5, 4, 3,  2,  1};

static const char *const first_names[] = {
    "Anna",    "Ben",   "Carla",  "David", "Elif",   "Felix",  "Grace",  "Hiroshi",
    "Isabel",  "Jonas", "Kavya",  "Liam",  "Mónica", "Noah",   "Olivia", "Priya",
    "Quentin", "Rosa",  "Samuel", "Tara",  "Uma",    "Victor", "Wen",    "Ximena",
    "Yusuf",   "Zoë",   "Jürgen", "Søren", "José",   "Anaïs",  "Björn",  "Chloé",
    "Łukasz",  "Renée", "Marcus", "Nadia", "Omar",   "Paula",  "Rahul",  "Sofia"};
static const char *const last_names[] = {
    "Schmidt",   "García",  "O'Brien", "Nguyen",     "Kowalski", "Weiß",     "Müller",
    "Johansson", "Rossi",   "Dubois",  "Okafor",     "Tanaka",   "Patel",    "Silva",
    "Novak",     "Jensen",  "Fischer", "Østergaard", "Nuñez",    "Hoffmann", "Kim",
    "Lindqvist", "Moreau",  "Becker",  "Ivanova",    "Costa",    "Yilmaz",   "Murphy",
    "Andersen",  "Bauer",   "Chen",    "Dvořák",     "Eriksen",  "Ferreira", "Haddad",
    "Keller",    "Lefèvre", "Meyer",   "Nakamura",   "Ortiz",    "Richter",  "Svensson",
    "Wagner"};
#define N_FIRST 40u
#define N_LAST  43u
/* Unique names: person p < 40*43 gets first[a], last[(q*41 + a) % 43] with a = p % 40, q = p / 40,
 * a bijection because gcd(41, 43) = 1; p itself is a permutation of the person index. */
_Static_assert(ARRAY_LEN(first_names) == N_FIRST, "first name count");
_Static_assert(ARRAY_LEN(last_names) == N_LAST, "last name count");

static const char *const company_stems[] = {
    "Northwind",       "Bluefin",        "Acumen",       "Halcyon",      "Kestrel",
    "Brightline",      "Granite Peak",   "Lumen",        "Vantage",      "Copperleaf",
    "Bäckerei Krüger", "Müller & Söhne", "Åkesson",      "Zürcher",      "Nordlys",
    "Café Olé",        "Redwood",        "Ironbridge",   "Silverline",   "Pinecrest",
    "Smith, Barnes",   "Tidewater",      "Quantum Leaf", "Orchard",      "Meridian",
    "Blue Harbor",     "Falkenrot",      "Sakura",       "Cedar & Pine", "The \"Good\" Coffee"};
static const char *const company_trades[] = {
    "Logistics", "Analytics",    "Health", "Foods", "Robotics", "Capital",       "Software",
    "Energy",    "Maschinenbau", "Media",  "Labs",  "Systems",  "Manufacturing", "Retail"};
static const char *const company_forms[] = {"",    " Inc.", ", Inc.", " GmbH", " Ltd",
                                            " AB", " LLC",  " AG",    " S.A.", " & Co."};

/* The campaigns every run has (the first 20); more are generated from platform × theme. */
struct base_campaign {
    const char *name;
    enum channel channel;
    int start_month, start_mday, end_month, end_mday;
    uint32_t weight; /* relative touch share within its channel and days */
};
static const struct base_campaign base_campaigns[] = {
    {"Google Brand Search", CH_PAID_SEARCH, 1, 1, 12, 31, 30},
    {"Google Non-Brand: Revenue Analytics", CH_PAID_SEARCH, 1, 15, 12, 31, 20},
    {"Bing Search Ads", CH_PAID_SEARCH, 3, 1, 12, 31, 8},
    {"2026Q1 LinkedIn ABM", CH_PAID_SOCIAL, 1, 1, 3, 31, 20},
    {"2026Q2 LinkedIn ABM", CH_PAID_SOCIAL, 4, 1, 6, 30, 20},
    {"2026Q3 LinkedIn ABM", CH_PAID_SOCIAL, 7, 1, 9, 30, 20},
    {"2026Q4 LinkedIn ABM", CH_PAID_SOCIAL, 10, 1, 12, 31, 20},
    {"Meta Retargeting (Always-On)", CH_PAID_SOCIAL, 1, 1, 12, 31, 12},
    {"Monthly Newsletter", CH_EMAIL, 1, 1, 12, 31, 20},
    {"Nurture: Trial to Paid", CH_EMAIL, 1, 1, 12, 31, 15},
    {"2026Q2 Product Launch Email", CH_EMAIL, 4, 1, 6, 30, 15},
    {"Webinar: Pipeline Hygiene", CH_EVENTS, 2, 3, 3, 20, 25},
    {"Webinar: Comp Plans, Quotas & Payouts", CH_EVENTS, 5, 4, 6, 12, 25},
    {"SaaStr Annual 2026", CH_EVENTS, 8, 24, 9, 25, 30},
    {"Field Dinners: München & Zürich", CH_EVENTS, 10, 5, 11, 20, 20},
    {"Organic Search (SEO)", CH_ORGANIC, 1, 1, 12, 31, 30},
    {"Blog: The RevOps Playbook", CH_ORGANIC, 1, 1, 12, 31, 15},
    {"=HYPERLINK(\"http://example.com/partners\",\"Partner Referrals\")", CH_ORGANIC, 1, 1, 12, 31,
     4},
    {"Direct Traffic", CH_DIRECT, 1, 1, 12, 31, 40},
    {"Inbound Sales Line", CH_DIRECT, 1, 1, 12, 31, 20},
};
#define N_BASE_CAMPAIGNS 20u
_Static_assert(ARRAY_LEN(base_campaigns) == N_BASE_CAMPAIGNS, "base campaign count");

static const struct {
    const char *name;
    enum channel channel;
} platforms[] = {
    {"Google Ads", CH_PAID_SEARCH}, {"Bing Ads", CH_PAID_SEARCH}, {"LinkedIn", CH_PAID_SOCIAL},
    {"Meta", CH_PAID_SOCIAL},       {"Email", CH_EMAIL},          {"Webinar", CH_EVENTS},
    {"Roadshow", CH_EVENTS},        {"SEO", CH_ORGANIC},          {"Blog", CH_ORGANIC},
};
static const char *const themes[] = {"ABM",
                                     "Retargeting",
                                     "Pipeline Hygiene",
                                     "Forecasting",
                                     "RevOps",
                                     "Mid-Market",
                                     "Enterprise",
                                     "DACH",
                                     "Nordics",
                                     "UK&I",
                                     "Healthcare",
                                     "FinServ",
                                     "Manufacturing",
                                     "Competitive Takeout",
                                     "Free Trial",
                                     "Demo Request",
                                     "Partner Co-Marketing",
                                     "Customer Expansion",
                                     "Renewal Save",
                                     "Brand Awareness"};

static const char *const marketing_roles[] = {"Demand Generation Manager",
                                              "Field Marketing Manager",
                                              "Content Marketing Manager",
                                              "Marketing Operations Manager",
                                              "Product Marketing Manager",
                                              "Digital Marketing Manager",
                                              "Events Manager"};

/* Salesforce key prefixes and the first record number of each entity. */
#define ID_LEN           15
#define LEAD_ID_BASE     8200000u
#define DEAL_ID_BASE     2900000u
#define CAMPAIGN_ID_BASE 410000u
#define PERSON_ID_BASE   55000u
#define CONTACT_ID_BASE  6100000u

/* ---- model --------------------------------------------------------------------------------- */

struct person {
    char id[ID_LEN + 1];
    char name[64];
    const char *team;
    const char *role;
    const char *plan;
    int manager;          /* index into people, -1 for none */
    int64_t quota_cents;  /* per quarter; -1 = empty */
    int64_t target_cents; /* target incentive per quarter */
    int32_t start_day;    /* day number */
    int32_t end_day;      /* day number; INT32_MAX = still employed */
};

struct campaign {
    char id[ID_LEN + 1];
    char name[112];
    enum channel channel;
    size_t owner;        /* index into people */
    int64_t spend_cents; /* actual cost */
    int32_t start_day;   /* day number, inside its year */
    int32_t end_day;     /* day number, inclusive */
    uint32_t weight;     /* relative touch share */
};

struct gtouch {
    int32_t day;       /* day number */
    uint16_t minute;   /* minute of the day, 0..1439 */
    uint8_t type;      /* enum touch_type */
    uint32_t campaign; /* index into campaigns */
};

struct gdeal {
    int32_t close_day;    /* day number */
    int32_t created_day;  /* opportunity created, day number */
    int64_t amount_cents; /* > 0 */
    size_t owner;         /* index into people */
    uint8_t stage;        /* enum stage */
    uint8_t type;         /* enum deal_type */
};

#define MAX_LEAD_TOUCHES 64
#define MAX_LEAD_DEALS   2

struct lead {
    size_t n_touches;
    struct gtouch touches[MAX_LEAD_TOUCHES];
    size_t n_deals;
    struct gdeal deals[MAX_LEAD_DEALS];
    int32_t created_day; /* lead created, day number (only meaningful with deals) */
    char company[96];
};

/* ---- buffered CSV writer ------------------------------------------------------------------- */

#define OUT_CAP ((size_t)1 << 20)

struct out {
    FILE *f;
    char *buf; /* OUT_CAP bytes */
    size_t len;
    char *tmp_path; /* DIR/name.tmp */
    char *path;     /* DIR/name */
    int err;        /* errno of the first failure, 0 if none */
    char delim;
    bool quote_all;
    bool crlf;
    unsigned n_fields; /* fields written on the current row */
};

static void out_flush(struct out *o)
{
    if (o->len && !o->err && fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->err = errno ? errno : EIO;
    o->len = 0;
}

static void out_put(struct out *o, const char *s, size_t n)
{
    if (n > OUT_CAP - o->len) {
        out_flush(o);
        if (n > OUT_CAP) {
            if (!o->err && fwrite(s, 1, n, o->f) != n)
                o->err = errno ? errno : EIO;
            return;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void out_putc(struct out *o, char c)
{
    if (o->len == OUT_CAP)
        out_flush(o);
    o->buf[o->len++] = c;
}

static void field_begin(struct out *o)
{
    if (o->n_fields++)
        out_putc(o, o->delim);
}

/* A value known to hold no delimiter, quote or line break (IDs, dates, numbers, vocabulary). */
static void field_safe(struct out *o, const char *s, size_t n)
{
    field_begin(o);
    if (o->quote_all)
        out_putc(o, '"');
    out_put(o, s, n);
    if (o->quote_all)
        out_putc(o, '"');
}

static void field_str(struct out *o, const char *s)
{
    field_safe(o, s, strlen(s));
}

/* Free text: RFC 4180 quoting when needed (always in the HubSpot style). */
static void field_text(struct out *o, const char *s)
{
    size_t n = strlen(s);
    bool quote = o->quote_all;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == o->delim || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    field_begin(o);
    if (!quote) {
        out_put(o, s, n);
        return;
    }
    out_putc(o, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            out_putc(o, '"');
        out_putc(o, s[i]);
    }
    out_putc(o, '"');
}

static void row_end(struct out *o)
{
    if (o->crlf)
        out_putc(o, '\r');
    out_putc(o, '\n');
    o->n_fields = 0;
}

static char *path_join(const char *dir, const char *name, const char *suffix)
{
    size_t a = strlen(dir), b = strlen(name), c = strlen(suffix);
    char *p = xmalloc(a + b + c + 2);
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b);
    memcpy(p + a + 1 + b, suffix, c + 1);
    return p;
}

/* ---- formatting (no floating point, no locale) --------------------------------------------- */

static size_t put_uint(char *p, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

static size_t put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return 2;
}

/* A calendar date in the style's layout; buf holds at least 16 bytes. */
static size_t fmt_day(enum gen_style style, int32_t day, char *buf)
{
    int y, m, d;
    size_t n = 0;
    switch (style) {
    case STYLE_PLAIN:
        date_format_day(buf, 16, day);
        return strlen(buf);
    case STYLE_HUBSPOT: /* m/d/yyyy */
        date_to_civil(day, &y, &m, &d);
        n += put_uint(buf + n, (uint64_t)m);
        buf[n++] = '/';
        n += put_uint(buf + n, (uint64_t)d);
        buf[n++] = '/';
        n += put_uint(buf + n, (uint64_t)y);
        break;
    case STYLE_GERMAN: /* dd.mm.yyyy */
        date_to_civil(day, &y, &m, &d);
        n += put2(buf + n, d);
        buf[n++] = '.';
        n += put2(buf + n, m);
        buf[n++] = '.';
        n += put_uint(buf + n, (uint64_t)y);
        break;
    }
    buf[n] = '\0';
    return n;
}

/* The time of day after an already formatted date (ISO: T09:05:00Z, US: 9:05 AM, DE: 09:05). */
static size_t fmt_time(enum gen_style style, unsigned minute, char *p)
{
    int h = (int)(minute / 60), mi = (int)(minute % 60);
    size_t n = 0;
    switch (style) {
    case STYLE_PLAIN:
        p[n++] = 'T';
        n += put2(p + n, h);
        p[n++] = ':';
        n += put2(p + n, mi);
        memcpy(p + n, ":00Z", 4);
        n += 4;
        break;
    case STYLE_HUBSPOT: {
        int h12 = h % 12 == 0 ? 12 : h % 12;
        p[n++] = ' ';
        n += put_uint(p + n, (uint64_t)h12);
        p[n++] = ':';
        n += put2(p + n, mi);
        memcpy(p + n, h < 12 ? " AM" : " PM", 3);
        n += 3;
        break;
    }
    case STYLE_GERMAN:
        p[n++] = ' ';
        n += put2(p + n, h);
        p[n++] = ':';
        n += put2(p + n, mi);
        break;
    }
    p[n] = '\0';
    return n;
}

/* Digits of v with a separator every three places. */
static size_t put_grouped(char *p, uint64_t v, char sep)
{
    char digits[24];
    size_t nd = put_uint(digits, v), n = 0;
    for (size_t i = 0; i < nd; i++) {
        if (i && (nd - i) % 3 == 0)
            p[n++] = sep;
        p[n++] = digits[i];
    }
    return n;
}

/* A non-negative amount: 48000.00 | $48,000.00 | 48.000,00 € (buf of at least 40 bytes). */
static size_t fmt_money(enum gen_style style, int64_t cents, char *buf, size_t size)
{
    uint64_t units = (uint64_t)cents / 100, frac = (uint64_t)cents % 100;
    size_t n = 0;
    switch (style) {
    case STYLE_PLAIN:
        return money_format(buf, size, cents, 2);
    case STYLE_HUBSPOT:
        buf[n++] = '$';
        n += put_grouped(buf + n, units, ',');
        buf[n++] = '.';
        n += put2(buf + n, (int)frac);
        break;
    case STYLE_GERMAN:
        n += put_grouped(buf, units, '.');
        buf[n++] = ',';
        n += put2(buf + n, (int)frac);
        memcpy(buf + n, " \xE2\x82\xAC", 4); /* " €" */
        n += 4;
        break;
    }
    buf[n] = '\0';
    return n;
}

static const char base62_digits[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* A 15-character Salesforce-style ID: key prefix, pod "Dn", '0', nine base-62 digits.
 * Case-sensitive, as real 15-character IDs are. */
static void make_id(char out[ID_LEN + 1], const char *prefix, uint64_t n)
{
    memcpy(out, prefix, 3);
    out[3] = 'D';
    out[4] = 'n';
    out[5] = '0';
    for (int i = ID_LEN - 1; i >= 6; i--) {
        out[i] = base62_digits[n % 62];
        n /= 62;
    }
    out[ID_LEN] = '\0';
}

/* ---- the generator ------------------------------------------------------------------------- */

struct gen_opts {
    uint64_t scale_u; /* scale in millionths */
    uint64_t seed;
    enum gen_style style;
    const char *out_dir;
    /* Off by default, so the default output stays byte for byte what it was. Each is a fixed
     * function of the deal's serial number (no random draw), so the rest of the data does not
     * move when one is turned on. */
    bool splits;        /* splits.csv: revenue splits (2- and 3-way) and overlays of won deals */
    bool fx;            /* fx.csv; some deals and two payees in other currencies */
    bool cancellations; /* a Cancelled Date column; some won deals cancelled after closing */
    /* touches.csv gains a Contact ID column and campaign members that are contacts (Lead ID
     * empty); identities.csv maps some of those contacts to leads. Drawn from their own stream,
     * so the leads' data does not move. */
    bool contacts;
    /* --years N: N calendar years ending with 2026 (0: the year 2026 alone, the default output;
     * 1 differs from it only in the number of people). --scale is then the whole span's size. */
    unsigned years;
};

enum {
    OUT_CAMPAIGNS,
    OUT_PEOPLE,
    OUT_TOUCHES,
    OUT_DEALS,
    OUT_SPLITS,
    OUT_FX,
    OUT_IDENTITIES,
    N_OUT
};
static const char *const out_names[N_OUT] = {"campaigns.csv", "people.csv", "touches.csv",
                                             "deals.csv",     "splits.csv", "fx.csv",
                                             "identities.csv"};

#define LAST_YEAR 2026
#define MAX_YEARS 20

struct gen {
    struct gen_opts opt;
    int32_t jan1, nov25, dec31; /* day numbers: Jan 1 of the first year, Nov 25/Dec 31 of 2026 */
    int first_year;             /* LAST_YEAR + 1 - years */
    unsigned n_years;           /* max(1, years) */
    size_t n_days;              /* days from jan1 to dec31 */

    size_t n_leads;
    struct person *people;
    size_t n_people;
    size_t n_ae;
    size_t first_ae;   /* people[first_ae .. first_ae + n_ae) are the AEs */
    size_t leaver;     /* the AE who leaves on 2026-09-30 */
    uint32_t *ae_off;  /* CSR, n_days + 1 offsets: AEs active on each day */
    uint32_t *ae_list; /* person indexes */
    size_t *mkt;       /* marketing people who own campaigns */
    size_t n_mkt;
    size_t first_sdr, n_sdr; /* people[first_sdr .. first_sdr + n_sdr) are the SDRs */

    struct campaign *campaigns;
    size_t n_campaigns;
    uint32_t *cd_off;  /* CSR, n_days * N_CH + 1 offsets: campaigns active per (day, channel) */
    uint32_t *cd_camp; /* campaign indexes */
    uint32_t *cd_cum;  /* cumulative weights within each list */

    uint32_t hour_cum[24];
    char (*day_str)[16]; /* each day in the style's layout, n_days of them */
    uint8_t *day_len;

    uint64_t n_deals_written;
    struct out out[N_OUT];
    char err[512];
};

/* round(sqrt(k * scale)) for k * scale >= 1, exactly: the largest n with (2n - 1)^2 <= 4 k scale.
 */
static size_t round_sqrt_scaled(uint64_t k, uint64_t scale_u)
{
    size_t n = 1;
    while ((uint64_t)(2 * n + 1) * (2 * n + 1) * 1000000u <= 4 * k * scale_u)
        n++;
    return n;
}

static size_t day_index(const struct gen *g, int32_t day)
{
    return (size_t)(day - g->jan1);
}

/* ---- people -------------------------------------------------------------------------------- */

static void person_name(char *buf, size_t size, size_t i)
{
    size_t combos = (size_t)N_FIRST * N_LAST;
    size_t p = (i % combos * 617 + 11) % combos, a = p % N_FIRST, q = p / N_FIRST;
    size_t block = i / combos;
    const char *first = first_names[a], *last = last_names[(q * (N_FIRST + 1) + a) % N_LAST];
    if (block == 0)
        snprintf(buf, size, "%s %s", first, last);
    else
        snprintf(buf, size, "%s %c. %s", first, (char)('A' + (block - 1) % 26), last);
}

static int32_t hire_day(struct rng *r)
{
    return date_from_civil(2019 + (int)rng_below(r, 7), 1 + (int)rng_below(r, 12),
                           1 + (int)rng_below(r, 28));
}

static int64_t round_to(int64_t v, int64_t step)
{
    return (v + step / 2) / step * step;
}

static void build_people(struct gen *g)
{
    struct rng r;
    rng_init(&r, g->opt.seed, STREAM_PEOPLE, 0);

    /* --years: about 190 people at scale 1000 (the 10M touches), at least 25. */
    size_t n = g->opt.years                 ? round_sqrt_scaled(36, g->opt.scale_u)
               : g->opt.scale_u <= 1000000u ? 25
                                            : round_sqrt_scaled(625, g->opt.scale_u);
    if (n < 25)
        n = 25;
    size_t rest = n - 4; /* VP Sales, two sales managers, VP Marketing */
    size_t n_ae = (rest * 10 + 10) / 21, n_sdr = (rest * 4 + 10) / 21;
    size_t n_mkt = rest - n_ae - n_sdr;
    g->n_people = n;
    g->n_ae = n_ae;
    g->people = xcalloc(n, sizeof *g->people);
    g->mkt = xcalloc(n_mkt, sizeof *g->mkt);

    /* Quarterly quota: about 110% of the expected closed-won revenue per AE and quarter
     * (300 won deals a year at scale 1, about $30,000 each, over 3.6 quarters). */
    int64_t ae_quota =
        (int64_t)((gen_u128)277200000u * g->opt.scale_u / 1000000u / n_ae / g->n_years);
    ae_quota = round_to(ae_quota, 500000);
    if (ae_quota < 500000)
        ae_quota = 500000;

    size_t k = 0;
    size_t vp_sales = k++, mgr[2];
    mgr[0] = k++;
    mgr[1] = k++;
    g->first_ae = k;
    k += n_ae;
    size_t first_sdr = k;
    g->first_sdr = first_sdr;
    g->n_sdr = n_sdr;
    k += n_sdr;
    size_t vp_mkt = k++, first_mkt = k;

    for (size_t i = 0; i < n; i++) {
        struct person *p = &g->people[i];
        make_id(p->id, "005", PERSON_ID_BASE + i);
        person_name(p->name, sizeof p->name, i);
        p->start_day = hire_day(&r);
        p->end_day = INT32_MAX;
        p->manager = -1;
        p->quota_cents = -1;
        if (i == vp_sales) {
            p->team = "Sales";
            p->role = "VP Sales";
            p->plan = "mgr";
            p->quota_cents = ae_quota * (int64_t)n_ae;
            p->target_cents = 3000000;
        } else if (i == mgr[0] || i == mgr[1]) {
            p->team = i == mgr[0] ? "Sales East" : "Sales West";
            p->role = "Sales Manager";
            p->plan = "mgr";
            p->manager = (int)vp_sales;
            p->quota_cents = 0;
            p->target_cents = 2000000;
        } else if (i >= g->first_ae && i < first_sdr) {
            size_t j = i - g->first_ae;
            p->team = j % 2 == 0 ? "Sales East" : "Sales West";
            p->role = "Account Executive";
            p->plan = "ae";
            p->manager = (int)mgr[j % 2];
            p->quota_cents = ae_quota;
            p->target_cents = 1500000;
            g->people[mgr[j % 2]].quota_cents += ae_quota;
        } else if (i >= first_sdr && i < vp_mkt) {
            p->team = "SDR";
            p->role = "Sales Development Rep";
            p->plan = "sdr";
            p->manager = (int)vp_sales;
            p->target_cents = 600000;
        } else {
            p->team = "Marketing";
            p->plan = "mkt";
            p->role = i == vp_mkt ? "VP Marketing"
                                  : marketing_roles[(i - first_mkt) % ARRAY_LEN(marketing_roles)];
            p->manager = i == vp_mkt ? -1 : (int)vp_mkt;
            p->quota_cents = ae_quota * (int64_t)n_ae; /* the company revenue goal */
            p->target_cents = i == vp_mkt ? 1250000 : 500000;
            if (i != vp_mkt)
                g->mkt[g->n_mkt++] = i;
        }
    }
    /* One AE leaves at the end of Q3, the last one joins mid-August. */
    g->leaver = g->first_ae + 2;
    g->people[g->leaver].end_day = date_from_civil(2026, 9, 30);
    g->people[g->first_ae + n_ae - 1].start_day = date_from_civil(2026, 8, 17);

    g->ae_off = xcalloc(g->n_days + 1, sizeof *g->ae_off);
    g->ae_list = xcalloc(g->n_days * n_ae, sizeof *g->ae_list);
    uint32_t pos = 0;
    for (size_t d = 0; d < g->n_days; d++) {
        int32_t day = g->jan1 + (int32_t)d;
        g->ae_off[d] = pos;
        for (size_t j = g->first_ae; j < g->first_ae + n_ae; j++)
            if (g->people[j].start_day <= day && day <= g->people[j].end_day)
                g->ae_list[pos++] = (uint32_t)j;
    }
    g->ae_off[g->n_days] = pos;
}

/* ---- campaigns ----------------------------------------------------------------------------- */

static bool campaign_name_taken(const struct gen *g, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(g->campaigns[i].name, name) == 0)
            return true;
    return false;
}

/* A campaign's share of the budget: channel cost rate × active days × weight. */
static uint64_t campaign_cost_units(const struct campaign *c)
{
    uint64_t days = (uint64_t)(c->end_day - c->start_day + 1);
    return (uint64_t)channel_cost_rate[c->channel] * days * c->weight;
}

/* A base campaign's name in another year: "2026" replaced by the year, or " (year)" added. */
static void year_name(char *buf, size_t size, const char *name, int year)
{
    const char *at = strstr(name, "2026");
    if (year == LAST_YEAR)
        snprintf(buf, size, "%s", name);
    else if (at)
        snprintf(buf, size, "%.*s%d%s", (int)(at - name), name, year, at + 4);
    else
        snprintf(buf, size, "%s (%d)", name, year);
}

static void build_campaigns(struct gen *g)
{
    struct rng r;
    rng_init(&r, g->opt.seed, STREAM_CAMPAIGNS, 0);

    /* Per year: 20 up to scale 1 a year, then growing with sqrt; with --years, each year has
     * its own set (the base campaigns again, their names in that year). */
    uint64_t year_scale = g->opt.scale_u / g->n_years;
    size_t per_year = year_scale <= 1000000u ? 20 : round_sqrt_scaled(400, year_scale);
    size_t n = per_year * g->n_years;
    g->n_campaigns = n;
    g->campaigns = xcalloc(n, sizeof *g->campaigns);

    size_t k = 0; /* generated name counter: theme, platform, quarter, wave in mixed radix */
    for (size_t i = 0; i < n; i++) {
        struct campaign *c = &g->campaigns[i];
        size_t j = i % per_year;
        int year = g->first_year + (int)(i / per_year);
        if (j == 0)
            k = 0;
        make_id(c->id, "701", CAMPAIGN_ID_BASE + i);
        if (j < N_BASE_CAMPAIGNS) {
            const struct base_campaign *b = &base_campaigns[j];
            year_name(c->name, sizeof c->name, b->name, year);
            c->channel = b->channel;
            c->start_day = date_from_civil(year, b->start_month, b->start_mday);
            c->end_day = date_from_civil(year, b->end_month, b->end_mday);
            c->weight = b->weight;
        } else {
            size_t n_th = ARRAY_LEN(themes), n_pl = ARRAY_LEN(platforms);
            size_t th, pl, quarter, wave;
            do {
                if (g->opt.years) { /* quarter fastest: every quarter has its campaigns */
                    quarter = k % 4;
                    th = k / 4 % n_th;
                    pl = k / (4 * n_th) % n_pl;
                } else { /* the default output's order: the first 180 are all in Q1 */
                    th = k % n_th;
                    pl = k / n_th % n_pl;
                    quarter = k / (n_th * n_pl) % 4;
                }
                wave = k / (n_th * n_pl * 4);
                k++;
                if (wave == 0)
                    snprintf(c->name, sizeof c->name, "%dQ%zu %s %s", year, quarter + 1,
                             platforms[pl].name, themes[th]);
                else
                    snprintf(c->name, sizeof c->name, "%dQ%zu %s %s (Wave %zu)", year, quarter + 1,
                             platforms[pl].name, themes[th], wave + 1);
            } while (campaign_name_taken(g, i, c->name));
            c->channel = platforms[pl].channel;
            int32_t q_start = date_from_civil(year, 1 + 3 * (int)quarter, 1);
            int32_t q_end = quarter == 3 ? date_from_civil(year, 12, 31)
                                         : date_from_civil(year, 4 + 3 * (int)quarter, 1) - 1;
            if (c->channel == CH_EVENTS) {
                c->start_day = q_start + rng_range(&r, 0, 45);
                c->end_day = c->start_day + 41;
            } else {
                c->start_day = q_start;
                c->end_day = q_end;
            }
            c->weight = 5 + rng_below(&r, 16);
        }
        c->owner = g->mkt[rng_below(&r, (uint32_t)g->n_mkt)];
    }

    /* Spend: a budget of 17% of the expected closed-won revenue ($9.1M a year at scale 1),
     * shared by channel cost rate × active days × weight, then jittered ±10% with cents. */
    gen_u128 raw_total = 0;
    for (size_t i = 0; i < n; i++) {
        const struct campaign *c = &g->campaigns[i];
        raw_total += campaign_cost_units(c);
    }
    gen_u128 budget_cents = (gen_u128)154700000u * g->opt.scale_u / 1000000u;
    for (size_t i = 0; i < n; i++) {
        struct campaign *c = &g->campaigns[i];
        gen_u128 raw = campaign_cost_units(c);
        uint32_t jitter = 90 + rng_below(&r, 21), cents = rng_below(&r, 100);
        if (raw == 0) {
            c->spend_cents = 0;
            continue;
        }
        gen_u128 s = budget_cents * raw / raw_total * jitter / 100;
        c->spend_cents = (int64_t)(s / 100 * 100) + (int64_t)cents;
    }

    /* Per (day, channel): the campaigns active that day, with cumulative weights. */
    size_t n_lists = g->n_days * N_CH;
    g->cd_off = xcalloc(n_lists + 1, sizeof *g->cd_off);
    for (size_t i = 0; i < n; i++) {
        const struct campaign *c = &g->campaigns[i];
        for (int32_t d = c->start_day; d <= c->end_day; d++)
            g->cd_off[day_index(g, d) * N_CH + c->channel + 1]++;
    }
    for (size_t i = 0; i < n_lists; i++)
        g->cd_off[i + 1] += g->cd_off[i];
    g->cd_camp = xcalloc(g->cd_off[n_lists] + 1, sizeof *g->cd_camp);
    g->cd_cum = xcalloc(g->cd_off[n_lists] + 1, sizeof *g->cd_cum);
    uint32_t *fill = xcalloc(n_lists, sizeof *fill);
    for (size_t i = 0; i < n; i++) {
        const struct campaign *c = &g->campaigns[i];
        for (int32_t d = c->start_day; d <= c->end_day; d++) {
            size_t l = day_index(g, d) * N_CH + c->channel;
            uint32_t at = g->cd_off[l] + fill[l]++;
            g->cd_camp[at] = (uint32_t)i;
            g->cd_cum[at] = (at > g->cd_off[l] ? g->cd_cum[at - 1] : 0) + c->weight;
        }
    }
    free(fill);
}

/* ---- touches and deals of one lead --------------------------------------------------------- */

static uint32_t pick_weighted(struct rng *r, const uint32_t *cum, uint32_t lo, uint32_t hi)
{
    uint32_t x = rng_below(r, cum[hi - 1]);
    while (lo + 1 < hi) { /* first index in [lo, hi) with cum > x */
        uint32_t mid = lo + (hi - lo - 1) / 2;
        if (cum[mid] > x)
            hi = mid + 1;
        else
            lo = mid + 1;
    }
    return lo;
}

/* A campaign active on `day`, in channel `want` if it has one that day (want < 0: any). */
static uint32_t pick_campaign(const struct gen *g, struct rng *r, int32_t day, int want)
{
    size_t base = day_index(g, day) * N_CH;
    const uint32_t *off = g->cd_off + base;
    if (want >= 0 && off[want] < off[want + 1])
        return g->cd_camp[pick_weighted(r, g->cd_cum, off[want], off[want + 1])];
    uint32_t total = 0;
    for (size_t c = 0; c < N_CH; c++)
        if (off[c] < off[c + 1])
            total += channel_touch_weight[c];
    if (total == 0)
        BUG("no campaign active on a day");
    uint32_t x = rng_below(r, total);
    for (size_t c = 0; c < N_CH; c++) {
        if (off[c] == off[c + 1])
            continue;
        if (x < channel_touch_weight[c])
            return g->cd_camp[pick_weighted(r, g->cd_cum, off[c], off[c + 1])];
        x -= channel_touch_weight[c];
    }
    BUG("channel pick out of range");
}

static uint8_t pick_type(struct rng *r, enum channel ch)
{
    uint32_t x = rng_below(r, 100);
    for (uint8_t t = 0; t < N_TT; t++) {
        if (x < touch_type_weight[ch][t])
            return t;
        x -= touch_type_weight[ch][t];
    }
    BUG("touch type weights do not sum to 100");
}

static uint16_t pick_minute(const struct gen *g, struct rng *r)
{
    uint32_t x = rng_below(r, g->hour_cum[23]);
    unsigned h = 0;
    while (g->hour_cum[h] <= x)
        h++;
    return (uint16_t)(h * 60 + rng_below(r, 60));
}

static void touch_set_campaign(const struct gen *g, struct rng *r, struct gtouch *t, int want)
{
    t->campaign = pick_campaign(g, r, t->day, want);
    t->type = pick_type(r, g->campaigns[t->campaign].channel);
}

/* Add n touches on days uniform in [lo, hi] ∩ [jan1, dec31]; returns the index of the first one
 * added. */
static size_t add_touches(const struct gen *g, struct rng *r, struct lead *L, uint32_t n,
                          int32_t lo, int32_t hi)
{
    size_t first = L->n_touches;
    if (lo < g->jan1)
        lo = g->jan1;
    if (hi > g->dec31)
        hi = g->dec31;
    for (uint32_t i = 0; i < n && lo <= hi && L->n_touches < MAX_LEAD_TOUCHES; i++) {
        struct gtouch *t = &L->touches[L->n_touches++];
        t->day = rng_range(r, lo, hi);
        t->minute = pick_minute(g, r);
        touch_set_campaign(g, r, t, -1);
    }
    return first;
}

static int64_t touch_instant(const struct gtouch *t)
{
    return (int64_t)t->day * 1440 + t->minute;
}

static void sort_touches(struct lead *L)
{
    for (size_t i = 1; i < L->n_touches; i++) { /* stable insertion sort: a handful per lead */
        struct gtouch t = L->touches[i];
        size_t j = i;
        while (j > 0 && touch_instant(&L->touches[j - 1]) > touch_instant(&t)) {
            L->touches[j] = L->touches[j - 1];
            j--;
        }
        L->touches[j] = t;
    }
}

static uint8_t pick_stage(struct rng *r)
{
    uint32_t x = rng_below(r, 100);
    if (x < 60)
        return ST_WON;
    if (x < 85)
        return ST_LOST;
    return x < 90 ? ST_QUALIFICATION : x < 95 ? ST_PROPOSAL : ST_NEGOTIATION;
}

/* Skewed: many small deals, few large; mostly round hundreds, some odd dollars or cents. */
static int64_t pick_amount(struct rng *r)
{
    uint32_t band = rng_below(r, 100);
    int32_t lo = 2000, hi = 15000;
    if (band >= 92) {
        lo = 80000;
        hi = 120000;
    } else if (band >= 75) {
        lo = 40000;
        hi = 80000;
    } else if (band >= 45) {
        lo = 15000;
        hi = 40000;
    }
    int64_t dollars = rng_range(r, lo, hi);
    uint32_t shape = rng_below(r, 100);
    if (shape < 60)
        return round_to(dollars, 100) * 100;
    if (shape < 85 || dollars == hi)
        return dollars * 100;
    return dollars * 100 + 1 + rng_below(r, 99);
}

static size_t pick_owner(const struct gen *g, struct rng *r, int32_t close_day)
{
    size_t d = day_index(g, close_day);
    /* Now and then the departed AE's pipeline is never reassigned: an owner inactive at close. */
    if (close_day > g->people[g->leaver].end_day && rng_pct(r, 3))
        return g->leaver;
    uint32_t lo = g->ae_off[d], hi = g->ae_off[d + 1];
    return g->ae_list[lo + rng_below(r, hi - lo)];
}

enum journey { J_NORMAL, J_LATE_ONLY, J_EARLY_ONLY };

static void gen_lead(const struct gen *g, uint64_t index, struct lead *L)
{
    struct rng r;
    rng_init(&r, g->opt.seed, STREAM_LEADS, index);
    L->n_touches = 0;
    L->n_deals = 0;
    snprintf(L->company, sizeof L->company, "%s %s%s",
             company_stems[rng_below(&r, ARRAY_LEN(company_stems))],
             company_trades[rng_below(&r, ARRAY_LEN(company_trades))],
             company_forms[rng_below(&r, ARRAY_LEN(company_forms))]);

    if (rng_below(&r, 10000) >= 2380) { /* no opportunity: touches spread over the year */
        add_touches(g, &r, L, 1 + rng_below(&r, 4) + rng_below(&r, 5), g->jan1, g->dec31);
        sort_touches(L);
        return;
    }

    struct gdeal *d0 = &L->deals[0];
    d0->stage = pick_stage(&r);
    d0->close_day = rng_range(&r, g->jan1, g->nov25);
    uint32_t t = rng_below(&r, 100);
    d0->type = t < 65 ? DT_NEW_LOGO : t < 87 ? DT_EXPANSION : DT_RENEWAL;
    L->n_deals = 1;
    if (rng_pct(&r, 8)) {
        int32_t close2 = d0->close_day + rng_range(&r, 45, 200);
        uint8_t stage2 = pick_stage(&r);
        uint8_t type2 = rng_pct(&r, 70) ? DT_EXPANSION : DT_RENEWAL;
        if (close2 <= g->nov25) {
            L->deals[1].close_day = close2;
            L->deals[1].stage = stage2;
            L->deals[1].type = type2;
            L->n_deals = 2;
        }
    }
    bool any_won = d0->stage == ST_WON || (L->n_deals > 1 && L->deals[1].stage == ST_WON);
    bool dark = any_won && rng_pct(&r, 5); /* a won lead with no touches at all */
    enum journey journey = J_NORMAL;
    if (!dark && L->n_deals == 1 && d0->stage == ST_WON) {
        uint32_t u = rng_below(&r, 100);
        if (u < 2 || (u < 4 && d0->close_day < g->jan1 + 110))
            journey = J_LATE_ONLY; /* touched only after the close */
        else if (u < 4)
            journey = J_EARLY_ONLY; /* touched only outside a 90-day lookback */
    }

    for (size_t k = 0; k < L->n_deals && !dark; k++) {
        int32_t c = L->deals[k].close_day;
        if (journey == J_LATE_ONLY) {
            add_touches(g, &r, L, 2 + rng_below(&r, 4), c + 1, c + 75);
        } else if (journey == J_EARLY_ONLY) {
            add_touches(g, &r, L, 2 + rng_below(&r, 4), c - 240, c - 100);
        } else {
            size_t first = add_touches(g, &r, L, 3 + rng_below(&r, 6), c - 119, c);
            if (rng_pct(&r, 35) && first < L->n_touches) { /* ends on a direct visit or call */
                size_t last = first;
                for (size_t i = first + 1; i < L->n_touches; i++)
                    if (touch_instant(&L->touches[i]) >= touch_instant(&L->touches[last]))
                        last = i;
                touch_set_campaign(g, &r, &L->touches[last], CH_DIRECT);
            }
            if (rng_pct(&r, 30))
                add_touches(g, &r, L, 1 + rng_below(&r, 3), c + 1, c + 90);
        }
    }
    sort_touches(L);

    /* Lead creation: on the first touch's day, a little before it, or on the second touch. */
    int32_t lc = d0->close_day - rng_range(&r, 20, 119);
    const struct gtouch *first = L->n_touches ? &L->touches[0] : NULL;
    if (first && first->day <= d0->close_day && journey != J_LATE_ONLY) {
        uint32_t u = rng_below(&r, 100);
        lc = first->day;
        if (journey == J_NORMAL && u >= 60 && u < 85)
            lc = first->day - rng_range(&r, 1, 14);
        else if (journey == J_NORMAL && u >= 85 && L->n_touches > 1 &&
                 L->touches[1].day <= d0->close_day)
            lc = L->touches[1].day;
    }
    if (lc < g->jan1)
        lc = g->jan1;
    if (lc > d0->close_day)
        lc = d0->close_day;
    L->created_day = lc;

    /* The touch that created the lead was usually a form fill. */
    for (size_t i = L->n_touches; i-- > 0;) {
        struct gtouch *tt = &L->touches[i];
        if (tt->day <= lc) {
            if (g->campaigns[tt->campaign].channel != CH_EVENTS)
                tt->type = TT_FORM;
            break;
        }
    }

    for (size_t k = 0; k < L->n_deals; k++) {
        struct gdeal *d = &L->deals[k];
        int32_t from = k == 0 ? lc : (d0->close_day > lc ? d0->close_day : lc);
        d->created_day = from + (d->close_day - from) * (int32_t)(30 + rng_below(&r, 56)) / 100;
        d->amount_cents = pick_amount(&r);
        d->owner = pick_owner(g, &r, d->close_day);
    }
}

/* ---- writing ------------------------------------------------------------------------------- */

static void write_campaigns(struct gen *g)
{
    struct out *o = &g->out[OUT_CAMPAIGNS];
    static const char *const header[] = {"Campaign ID", "Campaign Name", "Channel",    "Owner ID",
                                         "Team",        "Actual Cost",   "Start Date", "End Date"};
    for (size_t i = 0; i < ARRAY_LEN(header); i++)
        field_str(o, header[i]);
    row_end(o);
    char buf[48];
    for (size_t i = 0; i < g->n_campaigns; i++) {
        const struct campaign *c = &g->campaigns[i];
        field_safe(o, c->id, ID_LEN);
        field_text(o, c->name);
        field_str(o, channel_names[c->channel]);
        field_safe(o, g->people[c->owner].id, ID_LEN);
        field_str(o, "Marketing");
        field_safe(o, buf, fmt_money(g->opt.style, c->spend_cents, buf, sizeof buf));
        field_safe(o, buf, fmt_day(g->opt.style, c->start_day, buf));
        field_safe(o, buf, fmt_day(g->opt.style, c->end_day, buf));
        row_end(o);
    }
}

/* --fx: the reporting currency of the style and the two others deals and payees may use. */
static const char *base_currency(const struct gen *g)
{
    return g->opt.style == STYLE_GERMAN ? "EUR" : "USD";
}

static const char *foreign_currency(const struct gen *g, size_t k)
{
    static const char *const usd_based[2] = {"EUR", "GBP"}, *const eur_based[2] = {"USD", "GBP"};
    return g->opt.style == STYLE_GERMAN ? eur_based[k] : usd_based[k];
}

/* A fixed hash of (seed, what, deal serial): the choices the options make per deal. */
static uint64_t deal_hash(const struct gen *g, uint64_t what, uint64_t serial)
{
    uint64_t x = g->opt.seed ^ (what * 0xD1B54A32D192ED03u) ^ (serial * 0x9E3779B97F4A7C15u);
    return splitmix64(&x);
}

enum { HASH_SPLIT = 1, HASH_CURRENCY = 2, HASH_CANCEL = 3 };

/* The currency a person is paid in under --fx: the second AE in the first foreign currency,
 * the first marketing person who owns campaigns in the second; everyone else in the base. */
static const char *person_currency(const struct gen *g, size_t i)
{
    if (g->n_ae > 1 && i == g->first_ae + 1)
        return foreign_currency(g, 0);
    if (g->n_mkt > 0 && i == g->mkt[0])
        return foreign_currency(g, 1);
    return base_currency(g);
}

static void write_people(struct gen *g)
{
    struct out *o = &g->out[OUT_PEOPLE];
    static const char *const header[] = {"Employee ID", "Full Name",  "Team",  "Role",
                                         "Plan",        "Manager ID", "Quota", "Target Incentive",
                                         "Start Date",  "End Date"};
    for (size_t i = 0; i < ARRAY_LEN(header); i++)
        field_str(o, header[i]);
    if (g->opt.fx)
        field_str(o, "Currency");
    row_end(o);
    char buf[48];
    for (size_t i = 0; i < g->n_people; i++) {
        const struct person *p = &g->people[i];
        field_safe(o, p->id, ID_LEN);
        field_text(o, p->name);
        field_str(o, p->team);
        field_str(o, p->role);
        field_str(o, p->plan);
        field_str(o, p->manager < 0 ? "" : g->people[p->manager].id);
        if (p->quota_cents < 0)
            field_str(o, "");
        else
            field_safe(o, buf, fmt_money(g->opt.style, p->quota_cents, buf, sizeof buf));
        field_safe(o, buf, fmt_money(g->opt.style, p->target_cents, buf, sizeof buf));
        field_safe(o, buf, fmt_day(g->opt.style, p->start_day, buf));
        if (p->end_day == INT32_MAX)
            field_str(o, "");
        else
            field_safe(o, buf, fmt_day(g->opt.style, p->end_day, buf));
        if (g->opt.fx)
            field_str(o, person_currency(g, i));
        row_end(o);
    }
}

/* --fx: a rate per foreign currency on the first of every month from the December before the
 * first year (2025-12) to 2026-12 and on 2026-08-15, with six decimals ("1.083517"): units of the
 * base currency per unit. */
static void write_fx(struct gen *g)
{
    struct out *o = &g->out[OUT_FX];
    static const char *const header[] = {"Currency", "Rate", "Effective Date"};
    for (size_t i = 0; i < ARRAY_LEN(header); i++)
        field_str(o, header[i]);
    row_end(o);
    /* base rate in millionths: EUR and GBP in USD; USD and GBP in EUR */
    static const uint32_t base_micro[2][2] = {{1080000u, 1260000u}, {920000u, 1170000u}};
    bool eur = g->opt.style == STYLE_GERMAN;
    uint32_t n_months = 12u * g->n_years + 2u; /* from December before the first year */
    for (size_t k = 0; k < 2; k++) {
        for (uint32_t m = 0; m <= n_months; m++) {
            int32_t day = m == n_months ? date_from_civil(2026, 8, 15)
                                        : date_from_civil(g->first_year - 1 + (int)(m + 11) / 12,
                                                          (int)(m + 11) % 12 + 1, 1);
            uint32_t micro = base_micro[eur][k] + (m * 37u + 11u + 17u * (uint32_t)k) % 50u * 100u +
                             (m * 7919u + 3u + 401u * (uint32_t)k) % 1000u;
            char rate[32], date[16];
            snprintf(rate, sizeof rate, "%u%c%06u", micro / 1000000u, eur ? ',' : '.',
                     micro % 1000000u);
            field_str(o, foreign_currency(g, k));
            field_str(o, rate);
            field_safe(o, date, fmt_day(g->opt.style, day, date));
            row_end(o);
        }
    }
}

/* A split percentage in the style's decimal layout: 3333 -> "33.33" or "33,33". */
static void field_percent(struct out *o, enum gen_style style, uint32_t hundredths)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%u%c%02u", hundredths / 100, style == STYLE_GERMAN ? ',' : '.',
             hundredths % 100);
    field_str(o, buf);
}

/* --splits: a won deal's split rows. One deal in eight is split two ways between its owner and
 * another AE active on the close day (50/50, 60/40, 70/30 or 75/25), one in eight three ways
 * (33.33/33.33/33.34: largest remainder decides a cent), and one in eight keeps 100% with its
 * owner and gives another AE a 10% overlay. */
static void write_splits(struct gen *g, uint64_t serial, const char *deal_id, const struct gdeal *d)
{
    if (d->stage != ST_WON || !g->n_ae)
        return;
    uint64_t h = deal_hash(g, HASH_SPLIT, serial);
    unsigned kind = (unsigned)(h % 8);
    if (kind > 2)
        return;
    size_t day = day_index(g, d->close_day);
    uint32_t lo = g->ae_off[day], hi = g->ae_off[day + 1];
    size_t other[2], n_other = 0;
    for (uint32_t k = 0; k < hi - lo && n_other < 2; k++) {
        size_t p = g->ae_list[lo + (uint32_t)((h >> 16) + k * 5u) % (hi - lo)];
        if (p != d->owner && (n_other == 0 || other[0] != p))
            other[n_other++] = p;
    }
    if (n_other < (kind == 1 ? 2u : 1u))
        return;
    static const uint32_t two_way[4] = {5000, 6000, 7000, 7500};
    struct out *o = &g->out[OUT_SPLITS];
    const size_t who[3] = {d->owner, other[0], n_other > 1 ? other[1] : other[0]};
    uint32_t pct[3];
    size_t n;
    if (kind == 0) {
        pct[0] = two_way[(h >> 8) % 4];
        pct[1] = 10000 - pct[0];
        n = 2;
    } else if (kind == 1) {
        pct[0] = 3333;
        pct[1] = 3333;
        pct[2] = 3334;
        n = 3;
    } else {
        pct[0] = 10000;
        pct[1] = 1000;
        n = 2;
    }
    for (size_t i = 0; i < n; i++) {
        field_safe(o, deal_id, ID_LEN);
        field_safe(o, g->people[who[i]].id, ID_LEN);
        field_percent(o, g->opt.style, pct[i]);
        field_str(o, kind == 2 && i == 1 ? "Overlay" : "Revenue");
        row_end(o);
    }
}

/* --years: the campaign member report's further columns, which sametable does not map (the issue's
 * data is about 133 bytes a touch row, not the 76 of the four mapped columns). */
static void touch_extra_fields(struct gen *g, struct out *o, const struct gtouch *t)
{
    if (!g->opt.years)
        return;
    size_t d = day_index(g, t->day);
    field_text(o, g->campaigns[t->campaign].name);
    field_str(o, "Responded");
    field_safe(o, g->day_str[d], g->day_len[d]);
}

/* One touch row: a lead's (contact_id NULL: Contact ID empty, when the column is written) or a
 * contact-only campaign member's (lead_id NULL: Lead ID empty, the contact in Contact ID). */
static void write_touch(struct gen *g, const char *lead_id, const char *contact_id,
                        const struct gtouch *t)
{
    struct out *o = &g->out[OUT_TOUCHES];
    const struct campaign *c = &g->campaigns[t->campaign];
    char buf[64];
    size_t d = day_index(g, t->day), n = g->day_len[d];
    memcpy(buf, g->day_str[d], n);
    n += fmt_time(g->opt.style, t->minute, buf + n);
    if (lead_id)
        field_safe(o, lead_id, ID_LEN);
    else
        field_str(o, "");
    if (contact_id)
        field_safe(o, contact_id, ID_LEN);
    else if (g->opt.contacts)
        field_str(o, "");
    field_safe(o, buf, n);
    field_safe(o, c->id, ID_LEN);
    field_str(o, channel_names[c->channel]);
    field_str(o, touch_type_names[t->type]);
    touch_extra_fields(g, o, t);
    row_end(o);
}

/* --contacts: the lead's contact, if it has one (drawn from the lead's own contacts stream, so
 * the leads' data does not move). A lead with a won deal was converted in 8% of cases: the
 * identities file maps its contact to it, and the campaign member report lists each of its
 * touches a second time under the contact, at the same instant (duplicates once joined). A lead
 * without a deal was converted in 3% of cases, and its contact has 1 to 3 touches of its own
 * dated January to March (before the lookback of any quarter after Q1 and of any month after
 * March, and no deal's journey: they change no figure of the demo's October run); another 3% are
 * contacts never converted, with 1 or 2 touches and no identities row (unmatched: no lead id). */
static void write_contact(struct gen *g, uint64_t index, const struct lead *L, const char *lead_id)
{
    struct rng r;
    rng_init(&r, g->opt.seed, STREAM_CONTACTS, index);
    bool won = false;
    for (size_t k = 0; k < L->n_deals; k++)
        won = won || L->deals[k].stage == ST_WON;
    uint32_t u = rng_below(&r, 100);
    enum { NONE, CONVERTED_MIRROR, CONVERTED_OWN, NEVER } kind = NONE;
    if (won && u < 8)
        kind = CONVERTED_MIRROR;
    else if (L->n_deals == 0 && u < 3)
        kind = CONVERTED_OWN;
    else if (L->n_deals == 0 && u < 6)
        kind = NEVER;
    if (kind == NONE)
        return;
    char contact_id[ID_LEN + 1];
    make_id(contact_id, "003", CONTACT_ID_BASE + index);
    if (kind != NEVER) {
        struct out *io = &g->out[OUT_IDENTITIES];
        field_safe(io, lead_id, ID_LEN);
        field_safe(io, contact_id, ID_LEN);
        row_end(io);
    }
    if (kind == CONVERTED_MIRROR) {
        for (size_t i = 0; i < L->n_touches; i++)
            write_touch(g, NULL, contact_id, &L->touches[i]);
        return;
    }
    struct lead *C = xmalloc(sizeof *C);
    C->n_touches = 0;
    if (kind == CONVERTED_OWN)
        add_touches(g, &r, C, 1 + rng_below(&r, 3), g->jan1, g->jan1 + 89);
    else
        add_touches(g, &r, C, 1 + rng_below(&r, 2), g->jan1, g->dec31);
    sort_touches(C);
    for (size_t i = 0; i < C->n_touches; i++)
        write_touch(g, NULL, contact_id, &C->touches[i]);
    free(C);
}

static void write_lead(struct gen *g, uint64_t index, const struct lead *L)
{
    char lead_id[ID_LEN + 1], buf[64];
    make_id(lead_id, "00Q", LEAD_ID_BASE + index);
    enum gen_style style = g->opt.style;

    for (size_t i = 0; i < L->n_touches; i++)
        write_touch(g, lead_id, NULL, &L->touches[i]);
    if (g->opt.contacts)
        write_contact(g, index, L, lead_id);

    struct out *o = &g->out[OUT_DEALS];
    for (size_t k = 0; k < L->n_deals; k++) {
        const struct gdeal *d = &L->deals[k];
        char deal_id[ID_LEN + 1], name[128];
        uint64_t serial = g->n_deals_written++;
        make_id(deal_id, "006", DEAL_ID_BASE + serial);
        snprintf(name, sizeof name, "%s - %s", L->company, deal_type_names[d->type]);
        field_safe(o, deal_id, ID_LEN);
        field_text(o, name);
        field_safe(o, lead_id, ID_LEN);
        field_safe(o, g->people[d->owner].id, ID_LEN);
        field_str(o, stage_names[d->stage]);
        field_safe(o, buf, fmt_money(style, d->amount_cents, buf, sizeof buf));
        const char *cur = style == STYLE_GERMAN ? "EUR" : "USD";
        if (g->opt.fx) {
            uint64_t hc = deal_hash(g, HASH_CURRENCY, serial) % 10;
            cur = hc < 2 ? foreign_currency(g, (size_t)hc) : base_currency(g);
        }
        field_str(o, cur);
        field_safe(o, buf, fmt_day(style, d->close_day, buf));
        field_safe(o, buf, fmt_day(style, d->created_day, buf));
        field_safe(o, buf, fmt_day(style, L->created_day, buf));
        field_str(o, deal_type_names[d->type]);
        /* The SDR who set up a new-logo opportunity: a fixed function of the deal's serial
         * number (no random draw, so the rest of the data does not move). */
        if (d->type == DT_NEW_LOGO && g->n_sdr)
            field_safe(o, g->people[g->first_sdr + (serial * 2654435761u >> 7) % g->n_sdr].id,
                       ID_LEN);
        else
            field_str(o, "");
        if (g->opt.cancellations) {
            /* One won deal in nine is cancelled 3 to 152 days after its close (within 2026). */
            uint64_t hx = deal_hash(g, HASH_CANCEL, serial);
            int32_t cancel = d->close_day + 3 + (int32_t)((hx >> 12) % 150);
            if (d->stage == ST_WON && hx % 9 == 0 && cancel <= g->dec31)
                field_safe(o, buf, fmt_day(style, cancel, buf));
            else
                field_str(o, "");
        }
        row_end(o);
        if (g->opt.splits)
            write_splits(g, serial, deal_id, d);
    }
}

static void write_deals_header(struct gen *g)
{
    struct out *o = &g->out[OUT_DEALS];
    static const char *const header[] = {"Opportunity ID", "Opportunity Name",
                                         "Lead ID",        "Opportunity Owner ID",
                                         "Stage",          "Amount",
                                         "Currency",       "Close Date",
                                         "Created Date",   "Lead Created Date",
                                         "Deal Type",      "SDR ID"};
    for (size_t i = 0; i < ARRAY_LEN(header); i++)
        field_str(o, header[i]);
    if (g->opt.cancellations)
        field_str(o, "Cancelled Date");
    row_end(o);
    if (g->opt.splits) {
        static const char *const sheader[] = {"Opportunity ID", "Employee ID", "Split Percent",
                                              "Split Type"};
        for (size_t i = 0; i < ARRAY_LEN(sheader); i++)
            field_str(&g->out[OUT_SPLITS], sheader[i]);
        row_end(&g->out[OUT_SPLITS]);
    }
    o = &g->out[OUT_TOUCHES];
    static const char *const theader[] = {"Touch Timestamp", "Campaign ID", "Channel",
                                          "Interaction Type"};
    field_str(o, "Lead ID");
    if (g->opt.contacts)
        field_str(o, "Contact ID");
    for (size_t i = 0; i < ARRAY_LEN(theader); i++)
        field_str(o, theader[i]);
    if (g->opt.years) {
        field_str(o, "Campaign Name");
        field_str(o, "Member Status");
        field_str(o, "First Responded Date");
    }
    row_end(o);
    if (g->opt.contacts) { /* a converted lead report */
        field_str(&g->out[OUT_IDENTITIES], "Lead ID");
        field_str(&g->out[OUT_IDENTITIES], "Converted Contact ID");
        row_end(&g->out[OUT_IDENTITIES]);
    }
}

/* ---- files --------------------------------------------------------------------------------- */

static int make_dirs(const char *dir)
{
    char *p = xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1; *s && rc == 0; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            rc = -1;
        *s = '/';
    }
    if (rc == 0 && mkdir(p, 0777) != 0 && errno != EEXIST)
        rc = -1;
    free(p);
    struct stat st;
    if (rc == 0 && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        errno = ENOTDIR;
        rc = -1;
    }
    return rc;
}

static bool out_enabled(const struct gen *g, size_t i)
{
    return (i != OUT_SPLITS || g->opt.splits) && (i != OUT_FX || g->opt.fx) &&
           (i != OUT_IDENTITIES || g->opt.contacts);
}

static int open_outputs(struct gen *g)
{
    bool excel = g->opt.style != STYLE_PLAIN;
    for (size_t i = 0; i < N_OUT; i++) {
        struct out *o = &g->out[i];
        if (!out_enabled(g, i))
            continue;
        o->path = path_join(g->opt.out_dir, out_names[i], "");
        o->tmp_path = path_join(g->opt.out_dir, out_names[i], ".tmp");
        o->buf = xmalloc(OUT_CAP);
        o->delim = g->opt.style == STYLE_GERMAN ? ';' : ',';
        o->quote_all = g->opt.style == STYLE_HUBSPOT;
        o->crlf = excel;
        o->f = fopen(o->tmp_path, "wb");
        if (!o->f) {
            snprintf(g->err, sizeof g->err, "cannot create '%s': %s", o->tmp_path, strerror(errno));
            return -1;
        }
        if (excel)
            out_put(o, "\xEF\xBB\xBF", 3); /* Excel's "CSV UTF-8" BOM */
    }
    return 0;
}

/* Flush and close every output; rename them into place only if all succeeded. */
static int close_outputs(struct gen *g, bool ok)
{
    for (size_t i = 0; i < N_OUT; i++) {
        struct out *o = &g->out[i];
        if (!o->f)
            continue;
        out_flush(o);
        if (fclose(o->f) != 0 && !o->err)
            o->err = errno ? errno : EIO;
        o->f = NULL;
        if (ok && o->err) {
            snprintf(g->err, sizeof g->err, "cannot write '%s': %s", o->tmp_path, strerror(o->err));
            ok = false;
        }
    }
    for (size_t i = 0; i < N_OUT && ok; i++) {
        struct out *o = &g->out[i];
        if (!o->path)
            continue;
        if (rename(o->tmp_path, o->path) != 0) {
            snprintf(g->err, sizeof g->err, "cannot rename '%s' to '%s': %s", o->tmp_path, o->path,
                     strerror(errno));
            ok = false;
        }
    }
    if (!ok)
        for (size_t i = 0; i < N_OUT; i++)
            if (g->out[i].tmp_path)
                remove(g->out[i].tmp_path);
    return ok ? 0 : -1;
}

static void gen_release(struct gen *g)
{
    for (size_t i = 0; i < N_OUT; i++) {
        free(g->out[i].buf);
        free(g->out[i].path);
        free(g->out[i].tmp_path);
    }
    free(g->people);
    free(g->mkt);
    free(g->ae_off);
    free(g->ae_list);
    free(g->campaigns);
    free(g->cd_off);
    free(g->cd_camp);
    free(g->cd_cum);
    free(g->day_str);
    free(g->day_len);
}

static int gen_run(struct gen *g)
{
    g->n_years = g->opt.years ? g->opt.years : 1;
    g->first_year = LAST_YEAR + 1 - (int)g->n_years;
    g->jan1 = date_from_civil(g->first_year, 1, 1);
    g->nov25 = date_from_civil(2026, 11, 25);
    g->dec31 = date_from_civil(2026, 12, 31);
    uint64_t leads = (2000u * g->opt.scale_u + 500000u) / 1000000u;
    g->n_leads = leads ? (size_t)leads : 1;
    uint32_t cum = 0;
    for (size_t h = 0; h < 24; h++)
        g->hour_cum[h] = cum += hour_weight[h];
    g->n_days = (size_t)(g->dec31 - g->jan1 + 1);
    g->day_str = xcalloc(g->n_days, sizeof *g->day_str);
    g->day_len = xcalloc(g->n_days, sizeof *g->day_len);
    for (size_t d = 0; d < g->n_days; d++)
        g->day_len[d] = (uint8_t)fmt_day(g->opt.style, g->jan1 + (int32_t)d, g->day_str[d]);

    build_people(g);
    build_campaigns(g);

    if (make_dirs(g->opt.out_dir) != 0) {
        snprintf(g->err, sizeof g->err, "cannot create directory '%s': %s", g->opt.out_dir,
                 strerror(errno));
        return -1;
    }
    if (open_outputs(g) != 0) {
        close_outputs(g, false);
        return -1;
    }
    write_campaigns(g);
    write_people(g);
    if (g->opt.fx)
        write_fx(g);
    write_deals_header(g);
    struct lead *L = xmalloc(sizeof *L);
    for (uint64_t i = 0; i < g->n_leads; i++) {
        gen_lead(g, i, L);
        write_lead(g, i, L);
        if (g->out[OUT_TOUCHES].err || g->out[OUT_DEALS].err || g->out[OUT_SPLITS].err ||
            g->out[OUT_IDENTITIES].err)
            break;
    }
    free(L);
    return close_outputs(g, true);
}

/* ---- command line -------------------------------------------------------------------------- */

static const char usage_text[] =
    "usage: sametable-gen [--scale X] [--seed N] [--style plain|hubspot|german] [--splits]\n"
    "                     [--fx] [--cancellations] [--contacts] [--years N] --out DIR\n"
    "\n"
    "Writes campaigns.csv, touches.csv, deals.csv and people.csv for the year 2026 (with\n"
    "--years N, the N years ending with 2026) into DIR. Identical arguments give identical bytes.\n"
    "\n"
    "  --scale X   size, a positive decimal (default 1): 2,000 leads, ~10,000 touches and\n"
    "              ~500 deals per unit; 20 campaigns and 25 people up to 1, growing with sqrt\n"
    "  --seed N    PRNG seed, 0..18446744073709551615 (default 42)\n"
    "  --style S   plain: UTF-8, LF, ISO dates, 48000.00 (default)\n"
    "              hubspot: US Excel re-save: BOM, CRLF, all quoted, 10/14/2026 9:05 AM, "
    "$48,000.00\n"
    "              german: German Excel re-save: BOM, CRLF, ';', 14.10.2026 09:05, 48.000,00 €\n"
    "  --splits    also splits.csv: one won deal in eight split two ways, one in eight three\n"
    "              ways (33.33/33.33/33.34), one in eight with a 10% overlay to another AE\n"
    "  --fx        also fx.csv (two other currencies, monthly rates with six decimals); one\n"
    "              deal in ten in each of them; people.csv gains a Currency column with two\n"
    "              people paid in them\n"
    "  --cancellations  deals.csv gains a Cancelled Date column: one won deal in nine is\n"
    "              cancelled 3 to 152 days after its close\n"
    "  --contacts  touches.csv gains a Contact ID column and rows of campaign members that\n"
    "              are contacts (Lead ID empty); identities.csv (Lead ID, Converted Contact\n"
    "              ID) maps the converted ones to their leads\n"
    "  --years N   N calendar years ending with 2026 (1..20; 2: 2025-2026); --scale is then the\n"
    "              size of the whole span (scale 1000 with --years 2: ~10M touches, 1.29 GB,\n"
    "              ~500k deals), each year has its own campaigns (the base ones again), and\n"
    "              people grow as sqrt(36 x scale), at least 25 (~190 at scale 1000); quotas\n"
    "              are per year's share of the revenue; touches.csv gains the (unmapped)\n"
    "              columns Campaign Name, Member Status and\n"
    "              First Responded Date. Without it: the year 2026 only\n"
    "  --out DIR   output directory (created if missing)\n"
    "  --help      print this help\n";

/* Strict positive decimal with at most 6 fractional digits, at most 100000. */
static int parse_scale(const char *s, uint64_t *out)
{
    uint64_t whole = 0, frac = 0;
    size_t i = 0, nd = 0, nf = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++, nd++) {
        whole = whole * 10 + (uint64_t)(s[i] - '0');
        if (whole > 100000)
            return -1;
    }
    if (s[i] == '.') {
        for (i++; s[i] >= '0' && s[i] <= '9'; i++, nf++) {
            if (nf == 6)
                return -1;
            frac = frac * 10 + (uint64_t)(s[i] - '0');
        }
        if (nf == 0)
            return -1;
    }
    if (s[i] != '\0' || nd + nf == 0)
        return -1;
    for (; nf < 6; nf++)
        frac *= 10;
    *out = whole * 1000000u + frac;
    return *out == 0 || *out > UINT64_C(100000) * 1000000u ? -1 : 0; /* 64-bit: 1e11 */
}

static int parse_seed(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        uint64_t digit = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return -1;
        v = v * 10 + digit;
    }
    *out = v;
    return 0;
}

static int usage_error(const char *fmt_arg, const char *what)
{
    fprintf(stderr, "sametable-gen: %s '%s'\n%s", what, fmt_arg, usage_text);
    return GEN_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    struct gen_opts opt = {.scale_u = 1000000u, .seed = 42, .style = STYLE_PLAIN};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(arg, "--splits") == 0 || strcmp(arg, "--fx") == 0 ||
            strcmp(arg, "--cancellations") == 0 || strcmp(arg, "--contacts") == 0) {
            bool *flag = arg[2] == 's'   ? &opt.splits
                         : arg[2] == 'f' ? &opt.fx
                         : arg[3] == 'a' ? &opt.cancellations
                                         : &opt.contacts;
            *flag = true;
            continue;
        }
        static const char *const with_value[] = {"--scale", "--seed", "--style", "--out",
                                                 "--years"};
        size_t opt_i = ARRAY_LEN(with_value);
        for (size_t k = 0; k < ARRAY_LEN(with_value); k++) {
            size_t n = strlen(with_value[k]);
            if (strncmp(arg, with_value[k], n) == 0 && (arg[n] == '\0' || arg[n] == '=')) {
                opt_i = k;
                if (arg[n] == '=')
                    val = arg + n + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else
                    return usage_error(arg, "missing value for");
                break;
            }
        }
        switch (opt_i) {
        case 0:
            if (parse_scale(val, &opt.scale_u) != 0)
                return usage_error(val, "bad scale (a positive decimal up to 100000)");
            break;
        case 1:
            if (parse_seed(val, &opt.seed) != 0)
                return usage_error(val, "bad seed");
            break;
        case 2:
            if (strcmp(val, "plain") == 0)
                opt.style = STYLE_PLAIN;
            else if (strcmp(val, "hubspot") == 0)
                opt.style = STYLE_HUBSPOT;
            else if (strcmp(val, "german") == 0)
                opt.style = STYLE_GERMAN;
            else
                return usage_error(val, "bad style");
            break;
        case 3:
            if (!*val)
                return usage_error(val, "empty output directory");
            opt.out_dir = val;
            break;
        case 4: {
            uint64_t y;
            if (parse_seed(val, &y) != 0 || y < 1 || y > MAX_YEARS)
                return usage_error(val, "bad number of years (1..20)");
            opt.years = (unsigned)y;
            break;
        }
        default:
            return usage_error(arg, "unknown argument");
        }
    }
    if (!opt.out_dir) {
        fprintf(stderr, "sametable-gen: --out DIR is required\n%s", usage_text);
        return GEN_EXIT_USAGE;
    }

    struct gen *g = xcalloc(1, sizeof *g);
    g->opt = opt;
    int rc = gen_run(g);
    if (rc != 0)
        fprintf(stderr, "sametable-gen: %s\n", g->err);
    gen_release(g);
    free(g);
    return rc == 0 ? 0 : GEN_EXIT_FAIL;
}
