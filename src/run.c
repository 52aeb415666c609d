/* run.c — sequencing the stages and publishing their outputs. */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attrib.h"
#include "config.h"
#include "dataset.h"
#include "ingest.h"
#include "join.h"
#include "payout.h"
#include "period.h"
#include "plan.h"
#include "progress.h"
#include "publish.h"
#include "report.h"
#include "settings.h"
#include "tz.h"
#include "util.h"

struct stage_clock {
    FILE *log;
    int verbose;
    struct timespec t0;
};

static void stage_start(struct stage_clock *c)
{
    clock_gettime(CLOCK_MONOTONIC, &c->t0);
}

static void stage_done(struct stage_clock *c, const char *name)
{
    progress_stage_end(); /* before the timing line, and before the next stage's line */
    if (!c->verbose)
        return;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms =
        (double)(t1.tv_sec - c->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - c->t0.tv_nsec) / 1e6;
    fprintf(c->log, "sametable: %-10s %9.1f ms\n", name, ms);
    c->t0 = t1;
}

static int ingest_status_to_exit(int rc)
{
    switch (rc) {
    case INGEST_OK:
        return RUN_OK;
    case INGEST_EMISSING:
        return RUN_ENOINPUT;
    case INGEST_EIO:
        return RUN_EIO;
    case INGEST_ECONFIG:
        return RUN_ECONFIG;
    default:
        return RUN_EDATA;
    }
}

int run_exit_of_publish(int rc)
{
    switch (rc) {
    case PUBLISH_OK:
        return RUN_OK;
    case PUBLISH_ECREATE:
        return RUN_ECANTCREAT;
    case PUBLISH_ELOCKED:
        return RUN_ELOCKED;
    default:
        return RUN_EIO;
    }
}

struct run_state {
    struct config cfg;
    struct settings s;
    struct plan_set plans;
    struct tz *business;
    struct dataset ds;
    struct lead_index ix;
    struct attribution attr;
    struct attribution yattr; /* over every kept deal of the year to date, for plans measuring
                               * attribution (both payout runs) */
    struct dd_credit dd;
    struct payouts pay;
    struct payouts ytd; /* over the year up to the period's end: statements' year to date */
    bool ytd_is_pay;    /* a year period: the year to date is the period's own run (ytd unused) */
    struct period ytd_window;
    const char *stmt_dir; /* per-person statements, or NULL */
    struct period period;
    int32_t as_of_day;
    const char *out_dir;
    int lock_fd;
    struct report_calc_cache *calc; /* for the calculation text of every report */
};

/* Config, settings and plans; the as-of date and the period. */
static int load_config(struct run_state *st, const struct run_opts *o, struct diag *d)
{
    if (config_load(&st->cfg, o->config_path, d))
        return RUN_ECONFIG;
    for (size_t i = 0; i < o->n_sets; i++)
        if (config_set(&st->cfg, o->sets[i], d))
            return RUN_EUSAGE;
    int rc = settings_load(&st->s, &st->cfg, d);
    if (st->s.inputs[INPUT_PEOPLE].path)
        rc |= plan_load(&st->plans, &st->cfg, &st->s, d);
    rc |= config_check_unused(&st->cfg, d);
    if (rc)
        return RUN_ECONFIG;

    char err[200];
    if (tz_load(st->s.timezone, &st->business, err, sizeof err)) {
        diag_error(d, st->cfg.display, 0, "%s", err);
        return RUN_ECONFIG;
    }
    if (o->as_of) {
        if (date_parse_day(o->as_of, &st->as_of_day)) {
            diag_error(d, NULL, 0, "bad --as-of '%s': expected a date yyyy-mm-dd", o->as_of);
            return RUN_EUSAGE;
        }
    } else if (st->s.as_of_set) {
        st->as_of_day = st->s.as_of_day;
    } else {
        /* Yesterday in the business zone: the last complete day. */
        st->as_of_day = tz_local_day(st->business, o->now) - 1;
    }
    const char *pname = o->period ? o->period : st->s.period;
    if (pname) {
        if (period_parse(pname, &st->period)) {
            if (o->period)
                diag_error(d, NULL, 0, "bad period '%s': expected 2026-11, 2026-Q4 or 2026", pname);
            else
                config_error_at(&st->cfg, config_find(&st->cfg, "run", "period"), d,
                                "bad period '%s' for key 'period' in [run]: expected 2026-11, "
                                "2026-Q4 or 2026",
                                pname);
            return o->period ? RUN_EUSAGE : RUN_ECONFIG;
        }
    } else {
        period_containing(PERIOD_MONTH, st->as_of_day, &st->period);
    }
    st->out_dir = o->out_dir ? o->out_dir : st->s.out_dir;
    st->stmt_dir = o->statements_dir ? o->statements_dir : st->s.statements_dir;
    if (!st->s.inputs[INPUT_PEOPLE].path)
        st->stmt_dir = NULL;
    /* Statements show the year to date: the year holding the period, up to its last day. */
    period_containing(PERIOD_YEAR, st->period.last_day, &st->ytd_window);
    st->ytd_window.last_day = st->period.last_day;
    return RUN_OK;
}

/* Incentives: attribution over every kept deal when a plan measures it, then the engine over the
 * period and over the year to date. */
static int run_payouts(struct run_state *st, struct diag *d)
{
    /* One attribution over the year's deals serves both runs: a deal's credits do not depend on
     * the window, and the period's run reads deals only from its own payout_keep_first on, which
     * the year's window (starting no later) holds. Over the period's window alone, sourced and
     * attributed revenue of the year's earlier months would count as zero. */
    struct payout_input in = {.ds = &st->ds,
                              .plans = &st->plans,
                              .s = &st->s,
                              .attr = payout_attribution(&st->yattr, &st->ds, &st->ix, &st->s,
                                                         &st->plans, &st->ytd_window),
                              .window = st->period,
                              .as_of = st->as_of_day};
    int rc = payout_run(&st->pay, &in, d);
    /* A year period's year to date is the period itself: same window, and earned_only changes
     * no line, so the period's payouts serve as the year to date. */
    st->ytd_is_pay = st->ytd_window.kind == st->period.kind &&
                     st->ytd_window.first_day == st->period.first_day &&
                     st->ytd_window.last_day == st->period.last_day;
    if (rc == PAYOUT_OK && !st->ytd_is_pay) {
        in.window = st->ytd_window;
        in.earned_only = true;
        rc = payout_run(&st->ytd, &in, d);
    }
    return rc == PAYOUT_OK        ? RUN_OK
           : rc == PAYOUT_ECONFIG ? RUN_ECONFIG
                                  : RUN_EDATA; /* overflow, FX */
}

/* The report context of a run: with or without its payouts. */
static struct report_ctx report_ctx_of(const struct run_state *st, bool payouts)
{
    return (struct report_ctx){.s = &st->s,
                               .cfg = &st->cfg,
                               .period = &st->period,
                               .as_of_day = st->as_of_day,
                               .ds = &st->ds,
                               .a = &st->attr,
                               .dd = &st->dd,
                               .p = payouts ? &st->pay : NULL,
                               .ytd = !payouts         ? NULL
                                      : st->ytd_is_pay ? &st->pay
                                                       : &st->ytd,
                               .plans = &st->plans,
                               .calc = st->calc};
}

/* One statement workbook per person on a plan, as <stmt_dir>/<period>/<id>.xlsx. */
static int write_statements(struct run_state *st, const struct report_ctx *r, char ***kept,
                            struct diag *d)
{
    char **names = report_statement_names(r, d);
    if (!names)
        return RUN_ECONFIG;
    size_t n = strlen(st->stmt_dir) + 1 + sizeof st->period.name;
    char *dir = xmalloc(n);
    snprintf(dir, n, "%s/%s", st->stmt_dir, st->period.name);
    int rc = RUN_OK;
    *kept = names; /* the caller frees them after sweeping the directory */
    progress_label("statements");
    progress_total(st->ds.people.n, "people");
    for (uint32_t id = 0; id < st->ds.people.n; id++) {
        progress_count(id);
        if (!names[id])
            continue;
        char file[IDS_MAX_LEN + 16];
        snprintf(file, sizeof file, "%s.xlsx", names[id]);
        const char *tmp;
        if (rc == RUN_OK) {
            int prc = publish_begin(dir, file, &tmp, d);
            if (prc != PUBLISH_OK)
                rc = run_exit_of_publish(prc);
            else if (report_statement_xlsx(r, id, tmp, d))
                rc = RUN_EIO;
        }
    }
    free(dir);
    return rc;
}

/* After the switch: remove the statement files of <stmt_dir>/<period> that the new set does not
 * hold (a person no longer paid in the period), so the folder that is mailed out is exactly the
 * set. Temporary and hidden files are left to publish's recovery. */
static int sweep_statements(const struct run_state *st, char **names, struct diag *d)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", st->stmt_dir, st->period.name);
    DIR *dp = opendir(dir);
    if (!dp) {
        diag_error(d, NULL, 0, "cannot list '%s' to remove old statements: %s", dir,
                   strerror(errno));
        return RUN_EIO;
    }
    int rc = RUN_OK;
    bool removed = false;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".xlsx") != 0)
            continue;
        bool keep = false;
        for (uint32_t id = 0; id < st->ds.people.n && !keep; id++)
            keep = names[id] && strlen(names[id]) == len - 5 &&
                   strncmp(names[id], e->d_name, len - 5) == 0;
        if (keep)
            continue;
        if (unlinkat(dirfd(dp), e->d_name, 0) != 0) {
            diag_error(d, NULL, 0, "cannot remove the old statement '%s/%s': %s", dir, e->d_name,
                       strerror(errno));
            rc = RUN_EIO;
        } else {
            removed = true;
        }
    }
    if (removed && fsync(dirfd(dp)) != 0) {
        diag_error(d, NULL, 0, "cannot sync '%s': %s", dir, strerror(errno));
        rc = RUN_EIO;
    }
    closedir(dp);
    return rc;
}

/* Stage `kind-period.ext` in the output directory: *tmp is where to write it. A failure is
 * kept in *status (the first one wins) and returns false. */
static bool stage(const struct run_state *st, const char *kind, const char *ext, const char **tmp,
                  int *status, struct diag *d)
{
    char name[96];
    snprintf(name, sizeof name, "%s-%s.%s", kind, st->period.name, ext);
    progress_label("%s", name);
    int rc = publish_begin(st->out_dir, name, tmp, d);
    if (rc != PUBLISH_OK && *status == RUN_OK)
        *status = run_exit_of_publish(rc);
    return rc == PUBLISH_OK;
}

static void free_names(char **names, uint32_t n)
{
    for (uint32_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* Write every output under a temporary name, then switch them as one set (publish.h): a failure
 * anywhere, a full disk or a file size limit included, leaves the previous set as it was. */
static int write_outputs(struct run_state *st, struct diag *d)
{
    struct report_ctx r = report_ctx_of(st, st->s.inputs[INPUT_PEOPLE].path != NULL);
    const char *tmp;
    int rc = 0, status = RUN_OK;
    char **kept = NULL; /* the statement files of the set, by person id */

    if (!stage(st, "attribution", "xlsx", &tmp, &status, d) || report_attribution_xlsx(&r, tmp, d))
        rc = -1;
    if (rc == 0 && r.p) {
        if (!stage(st, "payouts", "xlsx", &tmp, &status, d) || report_payouts_xlsx(&r, tmp, d))
            rc = -1;
        if (rc == 0 &&
            (!stage(st, "payroll", "csv", &tmp, &status, d) || report_payroll_csv(&r, tmp, d)))
            rc = -1;
        if (rc == 0 &&
            (!stage(st, "lines", "csv", &tmp, &status, d) || report_lines_csv(&r, tmp, d)))
            rc = -1;
    }
    if (rc == 0 &&
        (!stage(st, "credits", "csv", &tmp, &status, d) || report_credits_csv(&r, &st->ix, tmp, d)))
        rc = -1;
    if (rc == 0 &&
        (!stage(st, "rejects", "csv", &tmp, &status, d) || report_rejects_csv(&r, tmp, d)))
        rc = -1;
    if (rc == 0 && st->stmt_dir && r.p) {
        int s = write_statements(st, &r, &kept, d);
        if (s != RUN_OK) {
            publish_abort();
            free_names(kept, st->ds.people.n);
            return s;
        }
    }
    if (rc) {
        publish_abort();
        return status != RUN_OK ? status : RUN_EIO;
    }
    progress_label("switching to the new outputs");
    rc = run_exit_of_publish(publish_commit(d));
    if (rc == RUN_OK && kept)
        rc = sweep_statements(st, kept, d);
    free_names(kept, st->ds.people.n);
    return rc;
}

/* A run that succeeded with rejected rows says so in one stderr line (cron mails it): the count
 * per file and where the rows are listed. */
static void rejects_line(const struct run_state *st, FILE *log)
{
    if (!st->ds.n_rejects)
        return;
    uint64_t total = 0;
    for (int k = 0; k < INPUT_N; k++)
        total += st->ds.files[k].present ? st->ds.files[k].bucket[BUCKET_REJECTED] : 0;
    fprintf(log, "sametable: %" PRIu64 " input row%s rejected (", total, total == 1 ? "" : "s");
    const char *sep = "";
    for (int k = 0; k < INPUT_N; k++) {
        const struct file_stats *fs = &st->ds.files[k];
        if (!fs->present || !fs->bucket[BUCKET_REJECTED])
            continue;
        fprintf(log, "%s%s %" PRIu64, sep, fs->display, fs->bucket[BUCKET_REJECTED]);
        sep = ", ";
    }
    fprintf(log, "), listed in %s/rejects-%s.csv\n", st->out_dir, st->period.name);
}

static void state_release(struct run_state *st)
{
    payout_release(&st->pay);
    payout_release(&st->ytd);
    attrib_release(&st->yattr);
    dd_credit_release(&st->dd);
    attrib_release(&st->attr);
    join_release(&st->ix);
    dataset_release(&st->ds);
    tz_free(st->business);
    plan_release(&st->plans);
    config_release(&st->cfg);
    publish_unlock(st->lock_fd);
    report_calc_cache_free(st->calc);
}

int run_execute(const struct run_opts *o, struct diag *d)
{
    struct run_state st;
    memset(&st, 0, sizeof st);
    st.lock_fd = -1;
    st.calc = report_calc_cache_new();
    config_init(&st.cfg);
    dataset_init(&st.ds);
    struct stage_clock clk = {o->log, o->verbose, {0, 0}};
    stage_start(&clk);

    int rc = load_config(&st, o, d);
    stage_done(&clk, "config");
    if (rc == RUN_OK && o->command == RUN_RUN) {
        publish_install_signals();
        rc = run_exit_of_publish(publish_prepare_dir(st.out_dir, d));
        if (rc == RUN_OK)
            rc = run_exit_of_publish(publish_lock(st.out_dir, &st.lock_fd, d));
    }
    if (rc == RUN_OK) {
        bool people = st.s.inputs[INPUT_PEOPLE].path != NULL;
        struct ingest_window w = {.as_of_day = st.as_of_day,
                                  .keep_first = st.period.first_day,
                                  .keep_last = st.period.last_day,
                                  .cancel_first = 1, /* none */
                                  .cancel_last = 0,
                                  .period_first = st.period.first_day,
                                  .period_last = st.period.last_day,
                                  .business = st.business,
                                  .strict = o->strict};
        if (people) {
            /* Keep the year's deals for the year to date; only those this period's pay needs
             * count against the reject share. */
            struct ingest_window pay = w;
            payout_ingest_window(&st.plans, &st.period, &pay);
            payout_ingest_window(&st.plans, &st.ytd_window, &w);
            w.has_pay_window = true;
            w.pay_keep_first = pay.keep_first;
            w.pay_cancel_first = pay.cancel_first;
            w.pay_cancel_last = pay.cancel_last;
        }
        progress_stage("ingest");
        rc = ingest_status_to_exit(ingest_all(&st.ds, &st.s, &w, d));
        stage_done(&clk, "ingest");
    }
    if (rc == RUN_OK) {
        progress_stage("join");
        join_build(&st.ix, &st.ds);
        stage_done(&clk, "join");
        progress_stage("attribute");
        attrib_run(&st.attr, &st.ds, &st.ix, &st.s, &st.period);
        progress_label("data-driven models");
        if (attrib_data_driven(&st.dd, &st.attr, &st.ds, &st.ix, &st.s, &st.period, d))
            rc = RUN_EDATA;
        stage_done(&clk, "attribute");
        progress_stage("incent");
        if (rc == RUN_OK && st.s.inputs[INPUT_PEOPLE].path)
            rc = run_payouts(&st, d);
        stage_done(&clk, "incent");
    }
    if (rc == RUN_OK && o->command == RUN_CHECK) {
        struct report_ctx r = report_ctx_of(&st, false);
        report_reconciliation(&r, o->out);
    }
    if (rc == RUN_OK && o->command == RUN_EXPLAIN) {
        struct report_ctx r = report_ctx_of(&st, true);
        if (!st.s.inputs[INPUT_PEOPLE].path) {
            diag_error(d, st.cfg.display, 0, "explain needs a people file ([inputs] people)");
            rc = RUN_ECONFIG;
        } else if (report_explain(&r, o->explain_person, o->explain_deal, o->out)) {
            diag_error(d, NULL, 0, "no %s '%s' in the data", o->explain_person ? "person" : "deal",
                       o->explain_person ? o->explain_person : o->explain_deal);
            rc = RUN_EUSAGE; /* the argument names no one in the data */
        }
    }
    if (rc == RUN_OK && o->command == RUN_RUN) {
        progress_stage("write");
        rc = write_outputs(&st, d);
        stage_done(&clk, "write");
        if (rc == RUN_OK)
            rejects_line(&st, o->log);
    }
    if (o->verbose && rc == RUN_OK) {
        fprintf(o->log, "sametable: period %s, as of ", st.period.name);
        char day[16];
        date_format_day(day, sizeof day, st.as_of_day);
        fprintf(o->log, "%s, %" PRIu32 " deals closed-won, %zu rejected rows\n", day,
                st.attr.n_deals, st.ds.n_rejects);
    }
    state_release(&st);
    return rc;
}
