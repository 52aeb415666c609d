/* settings.h — the run's typed settings, read from a loaded struct config.
 *
 * Everything outside config.c sees settings, never INI strings. Paths are resolved against the INI
 * file's folder; strings point into the struct config, which must outlive the settings. Plans are
 * read separately by plan.h from the same config.
 */
#ifndef SAMETABLE_SETTINGS_H
#define SAMETABLE_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "date.h"
#include "ids.h"
#include "money.h"
#include "schema.h"

/* At most this many output files are written at once ([output] threads; publish.c has a scratch
 * directory slot for each). */
#define OUTPUT_THREADS_MAX 4

/* How one input file is written ([format] defaults, [format.<file>] per file). */
struct fmtcfg {
    char delimiter;         /* ',', ';', '\t', or 0 = detect */
    struct money_fmt money; /* decimal and thousands separators, minor digits of currency */
    bool thousands_auto;    /* thousands follows decimal: ',' for '.', '.' for ',' */
    enum date_format date_format;
    const char *timezone;       /* zone for date-times without an offset */
    char currency[4];           /* ISO code amounts are in unless a currency column says */
    bool footer;                /* stop at a report footer */
    const char *footer_pattern; /* first-field text that starts a footer, "" = none */
};

struct inputcfg {
    const char *path; /* resolved path, NULL if not configured */
    struct fmtcfg fmt;
    const char *columns[SCHEMA_MAX_FIELDS]; /* physical header per logical field */
    /* [format.<file>] max_reject_share: the share of data rows that may be rejected before the
     * run fails (1 disables); default 0 for the files that decide pay, 0.01 for the others. */
    struct decimal max_reject_share;
};

/* Rule-based attribution models (per deal, in cents); the bit is (1u << model). */
enum attr_model {
    MODEL_FIRST_TOUCH,
    MODEL_LAST_TOUCH,
    MODEL_LAST_NON_DIRECT,
    MODEL_LINEAR,
    MODEL_TIME_DECAY,
    MODEL_POSITION_BASED,
    MODEL_W_SHAPED,
    MODEL_FULL_PATH,
    MODEL_J_SHAPED,
    MODEL_INVERSE_J,
    MODEL_CUSTOM,
    MODEL_N
};

/* Data-driven models (per channel over all journeys); the bit is (1u << model). */
enum dd_model { DD_MARKOV, DD_SHAPLEY, DD_SHAPLEY_ORDERED, DD_N };

struct settings {
    /* [run] */
    int32_t as_of_day;    /* last complete day considered */
    bool as_of_set;       /* given in the INI or on the command line */
    const char *period;   /* "2026-10", "2026-Q4", "2026" or NULL (the month holding as-of) */
    const char *timezone; /* business time zone */
    char currency[4];     /* reporting currency */
    int currency_digits;  /* its minor units */
    /* [inputs], [format*], [columns.*] */
    struct inputcfg inputs[INPUT_N];
    /* [ids] */
    struct idcfg ids;
    /* [deals] */
    const char *won_stages;     /* comma-separated, matched trimmed and case-folded */
    const char *lead_separator; /* splits a lead_id cell into several leads; "" = never */
    /* [attribution] */
    unsigned models;                    /* bit set of enum attr_model */
    unsigned dd_models;                 /* bit set of enum dd_model */
    int64_t lookback_days;              /* 0 = no window */
    struct decimal half_life_days;      /* time decay half-life, > 0 */
    uint32_t position_ppm[3];           /* position_based first, middle, last, parts per million */
    uint32_t custom_ppm[3];             /* custom first, middle, last */
    const char *direct_channels;        /* comma-separated, ignoring case */
    const char *non_marketing_channels; /* comma-separated; default: the direct channels */
    int64_t markov_order;               /* 1..4 */
    bool markov_horizon_observed;       /* ChannelAttribution's finite horizon */
    /* [output] */
    const char *out_dir;        /* resolved against the INI's folder */
    const char *statements_dir; /* [output] statements: per-person statement files, or NULL */
    const char *company;        /* document property */
    int64_t detail_rows_max;    /* Deal credits rows in the workbook; 0 = no sheet */
    int64_t lines_rows_max;     /* Lines sheet rows in the payouts workbook; 0 = none */
    int64_t output_threads;     /* output files written at once; 0 = one per processor */
    /* [run] payment_fx_date = as_of: payee currencies convert at as-of's rates, not at the
     * payout period's end */
    bool payment_fx_as_of;
    /* [ledger] path: the payout ledger (ledger.h), resolved against the INI's folder; NULL = none
     * (stateless) */
    const char *ledger_path;
};

/* Read every non-plan section. Returns 0 or -1 with errors in d (bad values, unknown zone or
 * currency, missing required inputs). */
int settings_load(struct settings *s, struct config *c, struct diag *d);

const char *attr_model_name(enum attr_model m);
const char *dd_model_name(enum dd_model m);
/* Is `name` (len bytes) one of the comma-separated words of `list`, ignoring ASCII case? */
bool settings_list_has(const char *list, const char *name, size_t len);

#endif
