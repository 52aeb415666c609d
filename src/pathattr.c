/* pathattr.c — path-level attribution (ChannelAttribution's input format) to CSV and xlsx. */
#include "pathattr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "csvin.h"
#include "csvout.h"
#include "datadriven.h"
#include "intern.h"
#include "money.h"
#include "publish.h"
#include "run.h"
#include "util.h"
#include "xlsxout.h"

enum pmodel { PM_MARKOV, PM_SHAPLEY, PM_SHAPLEY_ORDERED, PM_FIRST, PM_LAST, PM_LINEAR, PM_N };
static const char *const pm_names[PM_N] = {"markov",      "shapley",    "shapley_ordered",
                                           "first_touch", "last_touch", "linear"};

enum { COL_PATH, COL_CONV, COL_VALUE, COL_NULL, COL_N };
static const char *const col_names[COL_N] = {"path", "total_conversions", "total_conversion_value",
                                             "total_null"};

struct reader {
    const char *display;
    const char *sep;
    struct intern channels;
    uint32_t *steps;
    size_t n_steps, cap_steps;
    /* journeys as channel ids, kept until the channel count is known */
    uint32_t *all_steps;
    size_t n_all, cap_all;
    size_t *offsets;
    double *conv, *value, *nulls;
    size_t n_paths, cap_paths;
    int col[COL_N];
    struct diag *d;
    int failed;
};

/* A non-negative decimal count or value as a double (exactly parsed, then converted once). */
static int number(const char *s, size_t n, double *out)
{
    struct decimal v;
    const char *p = s;
    trim_span(&p, &n);
    if (n == 0) {
        *out = 0;
        return 0;
    }
    if (decimal_parse(p, n, &v) || v.units < 0)
        return -1;
    double x = (double)v.units;
    for (int i = 0; i < v.scale; i++)
        x /= 10.0;
    *out = x;
    return 0;
}

static int on_record(void *ctx, const struct csvin_record *rec)
{
    struct reader *r = ctx;
    if (rec->is_header) {
        for (int c = 0; c < COL_N; c++) {
            r->col[c] = -1;
            for (size_t i = 0; i < rec->n_fields; i++) {
                const char *h = rec->fields[i];
                size_t hl = rec->lens[i];
                trim_span(&h, &hl);
                if (ascii_casecmp_n(h, hl, col_names[c], strlen(col_names[c])) == 0)
                    r->col[c] = (int)i;
            }
            if (r->col[c] < 0 && c != COL_NULL) {
                diag_error(r->d, r->display, rec->line, "no column '%s'", col_names[c]);
                r->failed = 1;
            }
        }
        return r->failed ? -1 : 0;
    }
    if (rec->fault) { /* a NUL byte, a stray U+FEFF or invalid UTF-8: no row here is optional */
        char why[160];
        diag_error(r->d, r->display, rec->line, "%s", csvin_fault_text(rec, why, sizeof why));
        r->failed = 1;
        return -1;
    }
    double v[COL_N] = {0, 0, 0, 0};
    for (int c = COL_CONV; c < COL_N; c++) {
        if (r->col[c] < 0)
            continue;
        if ((size_t)r->col[c] >= rec->n_fields ||
            number(rec->fields[r->col[c]], rec->lens[r->col[c]], &v[c])) {
            char q[120];
            const char *f = (size_t)r->col[c] < rec->n_fields ? rec->fields[r->col[c]] : "";
            diag_error(r->d, r->display, rec->line, "bad number '%s' in column '%s'",
                       diag_quote(q, sizeof q, f, strlen(f), 60), col_names[c]);
            r->failed = 1;
            return -1;
        }
    }
    const char *p = (size_t)r->col[COL_PATH] < rec->n_fields ? rec->fields[r->col[COL_PATH]] : "";
    size_t n = strlen(p), sl = strlen(r->sep);
    size_t start = r->n_all;
    while (n > 0) {
        const char *hit = sl ? strstr(p, r->sep) : NULL;
        size_t part = hit ? (size_t)(hit - p) : n;
        const char *w = p;
        size_t wl = part;
        trim_span(&w, &wl);
        if (wl) {
            VEC_GROW(r->all_steps, r->cap_all, r->n_all + 1);
            r->all_steps[r->n_all++] = intern_add(&r->channels, w, wl, NULL);
        }
        if (!hit)
            break;
        p = hit + sl;
        n -= part + sl;
    }
    if (r->n_paths == r->cap_paths) {
        size_t cap = grow_capacity(r->cap_paths, r->n_paths + 1);
        r->offsets = xreallocarray(r->offsets, cap + 1, sizeof *r->offsets);
        r->conv = xreallocarray(r->conv, cap, sizeof *r->conv);
        r->value = xreallocarray(r->value, cap, sizeof *r->value);
        r->nulls = xreallocarray(r->nulls, cap, sizeof *r->nulls);
        r->cap_paths = cap;
    }
    r->offsets[r->n_paths] = start;
    r->conv[r->n_paths] = v[COL_CONV];
    r->value[r->n_paths] = v[COL_VALUE];
    r->nulls[r->n_paths] = v[COL_NULL];
    r->n_paths++;
    r->offsets[r->n_paths] = r->n_all;
    return 0;
}

static void reader_release(struct reader *r)
{
    intern_release(&r->channels);
    free(r->all_steps);
    free(r->offsets);
    free(r->conv);
    free(r->value);
    free(r->nulls);
}

/* Heuristic models over collapsed paths: all to the first, all to the last, or equal shares. */
static void heuristic(const struct dd_paths *p, enum pmodel m, double *conv, double *value)
{
    for (size_t i = 0; i < p->n_paths; i++) {
        uint32_t b = p->offsets[i], e = p->offsets[i + 1];
        if (b == e)
            continue;
        for (uint32_t k = b; k < e; k++) {
            double share = m == PM_LINEAR  ? 1.0 / (double)(e - b)
                           : m == PM_FIRST ? (k == b ? 1.0 : 0.0)
                                           : (k == e - 1 ? 1.0 : 0.0);
            conv[p->steps[k]] += share * p->conversions[i];
            value[p->steps[k]] += share * p->value[i];
        }
    }
}

static int write_outputs(const char *dir, const char *const *names, uint32_t n_ch,
                         const unsigned chosen, double *conv[PM_N], double *value[PM_N],
                         const double *removal, struct diag *d)
{
    /* Both files are one set, staged, switched and cleaned up on a signal like run's. */
    const char *tmp;
    int prc = publish_begin(dir, "path-attribution.csv", &tmp, d);
    if (prc != PUBLISH_OK) {
        publish_abort();
        return run_exit_of_publish(prc);
    }
    /* Channel names are input text: quoted and neutralised like every CSV the tool writes. */
    struct csvout o;
    if (csvout_open(&o, tmp, d)) {
        publish_abort();
        return RUN_EIO;
    }
    csvout_text(&o, "channel");
    for (int m = 0; m < PM_N; m++)
        if (chosen & (1u << m)) {
            char h[64];
            snprintf(h, sizeof h, "%s_conversions", pm_names[m]);
            csvout_text(&o, h);
            snprintf(h, sizeof h, "%s_value", pm_names[m]);
            csvout_text(&o, h);
            if (m == PM_MARKOV)
                csvout_text(&o, "markov_removal_effect");
        }
    csvout_end_row(&o);
    for (uint32_t c = 0; c < n_ch; c++) {
        csvout_text(&o, names[c]);
        for (int m = 0; m < PM_N; m++)
            if (chosen & (1u << m)) {
                csvout_double(&o, conv[m][c]);
                csvout_double(&o, value[m][c]);
                if (m == PM_MARKOV)
                    csvout_double(&o, removal[c]);
            }
        csvout_end_row(&o);
    }
    if (csvout_close(&o, d)) {
        publish_abort();
        return RUN_EIO;
    }
    const char *xtmp;
    prc = publish_begin(dir, "path-attribution.xlsx", &xtmp, d);
    struct xbook_props pp = {"Path-level attribution", "Per-channel credit", "", 0, 2, NULL, false};
    struct xbook *b = prc == PUBLISH_OK ? xbook_create(xtmp, &pp, d) : NULL;
    if (!b) {
        publish_abort();
        return prc != PUBLISH_OK ? run_exit_of_publish(prc) : RUN_EIO;
    }
    struct xsheet *sh = xbook_add_sheet(b, "Channels");
    xs_col_width(sh, 0, 0, 18);
    xs_col_width(sh, 1, 20, 16);
    uint16_t col = 0;
    xs_text(sh, 0, col++, "Channel", XS_HEADER);
    for (int m = 0; m < PM_N; m++)
        if (chosen & (1u << m)) {
            char h[64];
            snprintf(h, sizeof h, "%s conversions", pm_names[m]);
            xs_text(sh, 0, col++, h, XS_HEADER);
            snprintf(h, sizeof h, "%s value", pm_names[m]);
            xs_text(sh, 0, col++, h, XS_HEADER);
            if (m == PM_MARKOV)
                xs_text(sh, 0, col++, "markov removal effect", XS_HEADER);
        }
    for (uint32_t c = 0; c < n_ch; c++) {
        col = 0;
        xs_text(sh, c + 1, col++, names[c], XS_PLAIN);
        for (int m = 0; m < PM_N; m++)
            if (chosen & (1u << m)) {
                xs_number(sh, c + 1, col++, conv[m][c], XS_DEALS);
                xs_number(sh, c + 1, col++, value[m][c], XS_DEALS);
                if (m == PM_MARKOV)
                    xs_number(sh, c + 1, col++, removal[c], XS_PCT);
            }
    }
    xs_freeze(sh, 1, 1);
    if (xbook_close(b, d)) {
        publish_abort();
        return RUN_EIO;
    }
    return run_exit_of_publish(publish_commit(d));
}

int pathattr_run(const struct pathattr_opts *o, struct diag *d)
{
    struct config c;
    config_init(&c);
    int rc = RUN_OK;
    if (o->config_path) {
        if (config_load(&c, o->config_path, d)) {
            config_release(&c);
            return RUN_ECONFIG;
        }
    } else {
        c.path = xstrdup("(no configuration)");
        c.display = xstrdup("--set");
        c.dir = xstrdup(".");
    }
    for (size_t i = 0; i < o->n_sets; i++)
        if (config_set(&c, o->sets[i], d)) {
            config_release(&c);
            return RUN_EUSAGE;
        }
    int64_t order;
    size_t hz;
    const char *sep, *models;
    static const char *const horizons[] = {"infinite", "observed"};
    int bad = config_get_int(&c, "attribution", "markov_order", 1, 1, 4, &order, d);
    bad |= config_get_enum(&c, "attribution", "markov_horizon", horizons, 2, 0, &hz, d);
    bad |= config_get_str(&c, "attribution", "path_separator", " > ", &sep, d);
    models = o->models ? o->models : "markov";
    unsigned chosen = 0;
    for (const char *p = models; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *w = p;
        trim_span(&w, &n);
        int found = -1;
        for (int m = 0; m < PM_N; m++)
            if (ascii_casecmp_n(w, n, pm_names[m], strlen(pm_names[m])) == 0)
                found = m;
        if (found < 0 && n) {
            diag_error(d, NULL, 0,
                       "model '%.*s' cannot run on path-level data (markov, shapley, "
                       "shapley_ordered, first_touch, last_touch, linear)",
                       (int)n, w);
            bad = -1;
        } else if (found >= 0) {
            chosen |= 1u << found;
        }
        p = end ? end + 1 : p + strlen(p);
    }
    if (bad || !chosen) {
        if (!chosen && !bad)
            diag_error(d, NULL, 0, "no model chosen (--models markov,shapley,…)");
        config_release(&c);
        return o->models && !bad ? RUN_EUSAGE : RUN_ECONFIG;
    }

    struct reader r;
    memset(&r, 0, sizeof r);
    r.d = d;
    r.sep = sep;
    const char *slash = strrchr(o->paths_file, '/');
    r.display = slash ? slash + 1 : o->paths_file;
    struct csvin_opts copts = CSVIN_OPTS_INIT;
    struct csvin_stats st;
    memset(&st, 0, sizeof st);
    int crc = csvin_read(o->paths_file, r.display, &copts, on_record, &r, &st, d);
    if (crc != CSVIN_OK || r.failed) {
        rc = crc == CSVIN_EMISSING || crc == CSVIN_EEMPTY ? RUN_ENOINPUT
             : crc == CSVIN_EIO                           ? RUN_EIO
                                                          : RUN_EDATA;
        reader_release(&r);
        config_release(&c);
        return rc;
    }
    uint32_t n_ch = r.channels.n;
    const char **names = xcalloc(n_ch ? n_ch : 1, sizeof *names);
    for (uint32_t i = 0; i < n_ch; i++)
        names[i] = intern_str(&r.channels, i);
    struct dd_paths paths;
    dd_paths_init(&paths, n_ch, names);
    for (size_t i = 0; i < r.n_paths; i++)
        dd_paths_add(&paths, r.all_steps + r.offsets[i], r.offsets[i + 1] - r.offsets[i], r.conv[i],
                     r.value[i], r.nulls[i]);

    double *conv[PM_N], *value[PM_N];
    for (int m = 0; m < PM_N; m++) {
        conv[m] = xcalloc(n_ch ? n_ch : 1, sizeof(double));
        value[m] = xcalloc(n_ch ? n_ch : 1, sizeof(double));
    }
    struct markov_result mk;
    memset(&mk, 0, sizeof mk);
    double *removal = xcalloc(n_ch ? n_ch : 1, sizeof *removal);
    if (chosen & (1u << PM_MARKOV)) {
        if (markov_run(&paths, (int)order, hz ? MARKOV_OBSERVED : MARKOV_INFINITE, &mk, d))
            rc = RUN_EDATA;
        else {
            memcpy(conv[PM_MARKOV], mk.conversions, n_ch * sizeof(double));
            memcpy(value[PM_MARKOV], mk.value, n_ch * sizeof(double));
            memcpy(removal, mk.removal_effect, n_ch * sizeof(double));
        }
    }
    if (rc == RUN_OK && (chosen & (1u << PM_SHAPLEY)) &&
        shapley_simplified(&paths, conv[PM_SHAPLEY], value[PM_SHAPLEY]))
        rc = RUN_EDATA;
    if (rc == RUN_OK && (chosen & (1u << PM_SHAPLEY_ORDERED)) &&
        shapley_ordered(&paths, conv[PM_SHAPLEY_ORDERED], value[PM_SHAPLEY_ORDERED]))
        rc = RUN_EDATA;
    for (int m = PM_FIRST; m <= PM_LINEAR; m++)
        if (chosen & (1u << m))
            heuristic(&paths, (enum pmodel)m, conv[m], value[m]);
    if (rc == RUN_EDATA && d->n_errors == 0)
        diag_error(d, r.display, 0, "no converting path");
    if (rc == RUN_OK) {
        const char *dir = o->out_dir ? o->out_dir : ".";
        int lock_fd = -1;
        int prc = publish_prepare_dir(dir, d);
        if (prc == PUBLISH_OK)
            prc = publish_lock(dir, &lock_fd, d);
        rc = prc == PUBLISH_OK ? write_outputs(dir, names, n_ch, chosen, conv, value, removal, d)
                               : run_exit_of_publish(prc);
        publish_unlock(lock_fd);
    }
    markov_result_release(&mk);
    free(removal);
    for (int m = 0; m < PM_N; m++) {
        free(conv[m]);
        free(value[m]);
    }
    dd_paths_release(&paths);
    free(names);
    reader_release(&r);
    config_release(&c);
    return rc;
}
