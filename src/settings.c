/* settings.c — typed settings for every section except plans. */
#include "settings.h"

#include <stdio.h>
#include <string.h>

#include "tz.h"
#include "util.h"

static const char *const model_names[MODEL_N] = {
    [MODEL_FIRST_TOUCH] = "first_touch",
    [MODEL_LAST_TOUCH] = "last_touch",
    [MODEL_LAST_NON_DIRECT] = "last_non_direct",
    [MODEL_LINEAR] = "linear",
    [MODEL_TIME_DECAY] = "time_decay",
    [MODEL_POSITION_BASED] = "position_based",
    [MODEL_W_SHAPED] = "w_shaped",
    [MODEL_FULL_PATH] = "full_path",
    [MODEL_J_SHAPED] = "j_shaped",
    [MODEL_INVERSE_J] = "inverse_j",
    [MODEL_CUSTOM] = "custom",
};
static const char *const dd_names[DD_N] = {
    [DD_MARKOV] = "markov", [DD_SHAPLEY] = "shapley", [DD_SHAPLEY_ORDERED] = "shapley_ordered"};

const char *attr_model_name(enum attr_model m)
{
    return (unsigned)m < MODEL_N ? model_names[m] : "?";
}

const char *dd_model_name(enum dd_model m)
{
    return (unsigned)m < DD_N ? dd_names[m] : "?";
}

bool settings_list_has(const char *list, const char *name, size_t len)
{
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *w = p;
        trim_span(&w, &n);
        if (n && ascii_casecmp_n(w, n, name, len) == 0)
            return true;
        p = end ? end + 1 : p + n;
    }
    return false;
}

/* Three shares (first, middle, last) in parts per million that must add up to 100%. */
static int get_shares(struct config *c, const char *prefix, const char *const defs[3],
                      uint32_t out[3], struct diag *d)
{
    static const char *const parts[3] = {"first", "middle", "last"};
    int rc = 0;
    uint64_t sum = 0;
    for (int i = 0; i < 3; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s_%s", prefix, parts[i]);
        struct decimal v;
        rc |= config_get_decimal(c, "attribution", key, defs[i], (struct decimal){0, 0},
                                 (struct decimal){1, 0}, &v, d);
        if (v.scale > 6) {
            config_error_at(c, config_find(c, "attribution", key), d,
                            "share '%s' in [attribution] has more than 4 decimals of a percent",
                            key);
            rc = -1;
            v = (struct decimal){0, 0};
        }
        uint64_t ppm = (uint64_t)v.units;
        for (int k = v.scale; k < 6; k++)
            ppm *= 10;
        out[i] = (uint32_t)ppm;
        sum += ppm;
    }
    if (rc == 0 && sum != 1000000) {
        char key[64];
        snprintf(key, sizeof key, "%s_first", prefix);
        config_error_at(c, config_find(c, "attribution", key), d,
                        "%s_first + %s_middle + %s_last in [attribution] must be 100%%", prefix,
                        prefix, prefix);
        rc = -1;
    }
    return rc;
}

static int check_zone(struct config *c, const char *sec, const char *key, const char *zone,
                      struct diag *d)
{
    struct tz *z;
    char err[200];
    if (tz_load(zone, &z, err, sizeof err) == 0) {
        tz_free(z);
        return 0;
    }
    struct cfg_entry *e = config_find(c, sec, key);
    config_error_at(c, e, d, "%s (key '%s' in [%s])", err, key, sec);
    return -1;
}

static int get_currency(struct config *c, const char *sec, const char *key, const char *def,
                        char out[4], int *digits, struct diag *d)
{
    const char *v;
    config_get_str(c, sec, key, def, &v, d);
    int dg = money_minor_digits(v);
    if (strlen(v) != 3 || dg < 0) {
        config_error_at(c, config_find(c, sec, key), d,
                        "unknown currency '%s' for key '%s' in [%s]: expected an ISO 4217 code", v,
                        key, sec);
        return -1;
    }
    for (int i = 0; i < 3; i++)
        out[i] = (char)(v[i] >= 'a' && v[i] <= 'z' ? v[i] - 32 : v[i]);
    out[3] = '\0';
    if (digits)
        *digits = dg;
    return 0;
}

/* One file's format: the [format.<file>] value, else the [format] value, else the default. */
static int load_format(struct config *c, const char *sec, const struct fmtcfg *def,
                       struct fmtcfg *f, const char *def_zone, struct diag *d)
{
    static const char *const delims[] = {"auto", ",", ";", "tab", "\t", "comma", "semicolon"};
    static const char delim_chars[] = {0, ',', ';', '\t', '\t', ',', ';'};
    static const char *const decimals[] = {".", ","};
    static const char *const thousands[] = {"none", ",", ".", "space", "'", "auto"};
    static const char *const dates[] = {"iso", "m/d/yyyy", "d/m/yyyy", "dd.mm.yyyy", "yyyy-mm-dd"};
    static const enum date_format date_vals[] = {DATE_ISO, DATE_MDY, DATE_DMY, DATE_DMY_DOT,
                                                 DATE_YMD};
    int rc = 0;
    size_t i, di;
    *f = *def;

    size_t ddef = 0;
    for (i = 0; i < ARRAY_LEN(delim_chars); i++)
        if (delim_chars[i] == def->delimiter) {
            ddef = i;
            break;
        }
    rc |= config_get_enum(c, sec, "delimiter", delims, ARRAY_LEN(delims), ddef, &i, d);
    f->delimiter = delim_chars[i];

    rc |= config_get_enum(c, sec, "decimal", decimals, ARRAY_LEN(decimals),
                          def->money.decimal == ',' ? 1 : 0, &di, d);
    f->money.decimal = di ? ',' : '.';

    /* "auto": the usual partner of the decimal separator (',' for '.', '.' for ','). */
    static const char thousand_chars[] = {0, ',', '.', ' ', '\'', 0};
    size_t tdef = 5;
    for (i = 0; i < 5 && !def->thousands_auto; i++)
        if (thousand_chars[i] == def->money.thousands)
            tdef = i;
    rc |= config_get_enum(c, sec, "thousands", thousands, ARRAY_LEN(thousands), tdef, &i, d);
    f->thousands_auto = i == 5;
    f->money.thousands = i == 5 ? (f->money.decimal == ',' ? '.' : ',') : thousand_chars[i];
    if (f->money.thousands == f->money.decimal) {
        config_error_at(c, config_find(c, sec, "thousands"), d,
                        "the thousands separator equals the decimal separator in [%s]", sec);
        rc = -1;
    }

    size_t dfdef = 0;
    for (i = 0; i < ARRAY_LEN(date_vals); i++)
        if (date_vals[i] == def->date_format)
            dfdef = i;
    rc |= config_get_enum(c, sec, "date_format", dates, ARRAY_LEN(dates), dfdef, &i, d);
    f->date_format = date_vals[i];

    rc |= config_get_str(c, sec, "timezone", def->timezone ? def->timezone : def_zone, &f->timezone,
                         d);
    if (config_find(c, sec, "timezone"))
        rc |= check_zone(c, sec, "timezone", f->timezone, d);

    int digits = 2;
    rc |= get_currency(c, sec, "currency", def->currency, f->currency, &digits, d);
    f->money.minor_digits = digits;
    rc |= config_get_bool(c, sec, "footer", def->footer, &f->footer, d);
    rc |= config_get_str(c, sec, "footer_pattern", def->footer_pattern ? def->footer_pattern : "",
                         &f->footer_pattern, d);
    return rc ? -1 : 0;
}

static int load_columns(struct config *c, enum input_kind k, struct inputcfg *in, struct diag *d)
{
    const struct schema *sc = schema_get(k);
    char sec[64];
    snprintf(sec, sizeof sec, "columns.%s", sc->name);
    config_has_section(c, sec);
    int rc = 0;
    for (size_t f = 0; f < sc->n_fields; f++)
        rc |= config_get_str(c, sec, sc->fields[f].name, sc->fields[f].name, &in->columns[f], d);
    return rc;
}

/* The files whose every row can change someone's pay: any rejected row fails the run unless
 * [format.<file>] max_reject_share says otherwise. A rejected identities row drops a contact's
 * (or a merged lead's) touches from a deal's journey, which moves credit and sourced revenue;
 * an adjustment or a payment row is pay itself (DESIGN §7a). */
static bool decides_pay(enum input_kind k)
{
    switch (k) {
    case INPUT_DEALS:
    case INPUT_PEOPLE:
    case INPUT_SPLITS:
    case INPUT_FX:
    case INPUT_IDENTITIES:
    case INPUT_ADJUSTMENTS:
    case INPUT_PAYMENTS:
        return true;
    default:
        return false;
    }
}

/* A key that no longer lives in `sec`: an error that names where it went. */
static int moved_key(struct config *c, const char *sec, const char *key, const char *where,
                     struct diag *d)
{
    struct cfg_entry *e = config_find(c, sec, key);
    if (!e)
        return 0;
    e->used = true;
    config_error_at(c, e, d, "[%s] %s is no longer read: %s", sec, key, where);
    return -1;
}

int settings_load(struct settings *s, struct config *c, struct diag *d)
{
    int rc = 0;
    memset(s, 0, sizeof *s);

    config_has_section(c, "run");
    rc |= config_get_day(c, "run", "as_of", &s->as_of_day, &s->as_of_set, d);
    const char *period;
    rc |= config_get_str(c, "run", "period", "", &period, d);
    s->period = *period ? period : NULL;
    static const char *const fx_dates[] = {"period_end", "as_of"};
    size_t fx_date;
    rc |= config_get_enum(c, "run", "payment_fx_date", fx_dates, 2, 0, &fx_date, d);
    s->payment_fx_as_of = fx_date == 1;
    rc |= config_get_str(c, "run", "timezone", "UTC", &s->timezone, d);
    rc |= check_zone(c, "run", "timezone", s->timezone, d);
    rc |= get_currency(c, "run", "currency", "USD", s->currency, &s->currency_digits, d);
    rc |= moved_key(c, "run", "max_reject_share",
                    "it is set per file: [format.deals] max_reject_share (default 0 for deals, "
                    "people, splits, fx, identities, adjustments and payments; 0.01 for touches "
                    "and campaigns)",
                    d);

    config_has_section(c, "inputs");
    config_has_section(c, "format");
    struct fmtcfg base = {0, {'.', ',', 2}, true, DATE_ISO, NULL, "", true, ""};
    memcpy(base.currency, s->currency, 4);
    base.money.minor_digits = s->currency_digits;
    struct fmtcfg deflt;
    rc |= load_format(c, "format", &base, &deflt, s->timezone, d);
    rc |= moved_key(c, "format", "max_reject_share",
                    "it is set per file only: [format.deals] max_reject_share, "
                    "[format.touches] max_reject_share, …",
                    d);
    for (int k = 0; k < INPUT_N; k++) {
        const struct schema *sc = schema_get((enum input_kind)k);
        struct inputcfg *in = &s->inputs[k];
        rc |= config_get_path(c, "inputs", sc->name, NULL, &in->path, d);
        if (!in->path && sc->required) {
            diag_error(d, c->display, 0, "[inputs] must name the %s file ('%s = path')", sc->name,
                       sc->name);
            rc = -1;
        }
        char sec[64];
        snprintf(sec, sizeof sec, "format.%s", sc->name);
        config_has_section(c, sec);
        rc |= load_format(c, sec, &deflt, &in->fmt, s->timezone, d);
        rc |= config_get_decimal(
            c, sec, "max_reject_share", decides_pay((enum input_kind)k) ? "0" : "0.01",
            (struct decimal){0, 0}, (struct decimal){1, 0}, &in->max_reject_share, d);
        rc |= load_columns(c, (enum input_kind)k, in, d);
    }
    /* An adjustment names a person of the people file: without one, every row would be
     * rejected. */
    if (s->inputs[INPUT_ADJUSTMENTS].path && !s->inputs[INPUT_PEOPLE].path) {
        config_error_at(c, config_find(c, "inputs", "adjustments"), d,
                        "[inputs] adjustments needs [inputs] people: an adjustment's person_id "
                        "must be a person of the people file");
        rc = -1;
    }

    config_has_section(c, "ids");
    rc |= config_get_bool(c, "ids", "salesforce_ids", false, &s->ids.salesforce, d);
    const char *fold;
    rc |= config_get_str(c, "ids", "case_insensitive", "", &fold, d);
    for (const char *p = fold; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *w = p;
        trim_span(&w, &n);
        int found = -1;
        for (int k = 0; k < ID_DOMAIN_N; k++) {
            const char *name = id_domain_name((enum id_domain)k);
            if (ascii_casecmp_n(w, n, name, strlen(name)) == 0)
                found = k;
        }
        if (found < 0 && n) {
            config_error_at(c, config_find(c, "ids", "case_insensitive"), d,
                            "unknown ID kind '%.*s' in [ids] case_insensitive: expected leads, "
                            "campaigns, people or deals",
                            (int)n, w);
            rc = -1;
        } else if (found >= 0) {
            s->ids.fold[found] = true;
        }
        p = end ? end + 1 : p + strlen(p);
    }

    config_has_section(c, "deals");
    rc |= config_get_str(c, "deals", "won_stages", "closed won, closedwon", &s->won_stages, d);
    rc |= config_get_str(c, "deals", "lead_id_separator", ";", &s->lead_separator, d);
    if (ascii_casecmp_n(s->lead_separator, strlen(s->lead_separator), "none", 4) == 0)
        s->lead_separator = "";

    config_has_section(c, "attribution");
    const char *models;
    rc |= config_get_str(c, "attribution", "models", "linear", &models, d);
    s->models = 0;
    s->dd_models = 0;
    for (const char *p = models; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *w = p;
        trim_span(&w, &n);
        int found = -1, dd = -1;
        for (int m = 0; m < MODEL_N; m++)
            if (ascii_casecmp_n(w, n, model_names[m], strlen(model_names[m])) == 0)
                found = m;
        for (int m = 0; m < DD_N; m++)
            if (ascii_casecmp_n(w, n, dd_names[m], strlen(dd_names[m])) == 0)
                dd = m;
        if (found >= 0) {
            s->models |= 1u << found;
        } else if (dd >= 0) {
            s->dd_models |= 1u << dd;
        } else if (n) {
            config_error_at(c, config_find(c, "attribution", "models"), d,
                            "unknown attribution model '%.*s' in [attribution] models "
                            "(first_touch, last_touch, last_non_direct, linear, time_decay, "
                            "position_based, w_shaped, full_path, j_shaped, inverse_j, custom, "
                            "markov, shapley, shapley_ordered)",
                            (int)n, w);
            rc = -1;
        }
        p = end ? end + 1 : p + strlen(p);
    }
    if (!s->models && !s->dd_models && rc == 0) {
        config_error_at(c, config_find(c, "attribution", "models"), d,
                        "[attribution] models names no model");
        rc = -1;
    }
    rc |= config_get_decimal(c, "attribution", "half_life_days", "7", (struct decimal){1, 3},
                             (struct decimal){3650, 0}, &s->half_life_days, d);
    static const char *const pos_defs[3] = {"40%", "20%", "40%"};
    rc |= get_shares(c, "position", pos_defs, s->position_ppm, d);
    rc |= get_shares(c, "custom", pos_defs, s->custom_ppm, d);
    rc |= config_get_str(c, "attribution", "direct_channels", "direct", &s->direct_channels, d);
    rc |= config_get_str(c, "attribution", "non_marketing_channels", s->direct_channels,
                         &s->non_marketing_channels, d);
    rc |= config_get_int(c, "attribution", "markov_order", 1, 1, 4, &s->markov_order, d);
    const char *path_sep;
    rc |= config_get_str(c, "attribution", "path_separator", " > ", &path_sep, d);
    static const char *const horizons[] = {"infinite", "observed"};
    size_t hz;
    rc |= config_get_enum(c, "attribution", "markov_horizon", horizons, 2, 0, &hz, d);
    s->markov_horizon_observed = hz == 1;
    rc |= config_get_int(c, "attribution", "lookback_days", 90, 0, 3650, &s->lookback_days, d);

    config_has_section(c, "output");
    rc |= config_get_path(c, "output", "dir", "out", &s->out_dir, d);
    rc |= config_get_path(c, "output", "statements", NULL, &s->statements_dir, d);
    rc |= config_get_str(c, "output", "company", "", &s->company, d);
    rc |= config_get_int(c, "output", "detail_rows_max", 100000, 0, 100000000, &s->detail_rows_max,
                         d);
    rc |= config_get_int(c, "output", "lines_rows_max", 100000, 0, 1000000, &s->lines_rows_max, d);
    rc |= config_get_int(c, "output", "threads", 0, 0, OUTPUT_THREADS_MAX, &s->output_threads, d);
    config_has_section(c, "ledger");
    const struct cfg_entry *lp = config_find(c, "ledger", "path");
    if (lp && !lp->value[0])
        s->ledger_path = NULL; /* an empty path (--set ledger.path=) turns the ledger off */
    else
        rc |= config_get_path(c, "ledger", "path", NULL, &s->ledger_path, d);
    return rc ? -1 : 0;
}
