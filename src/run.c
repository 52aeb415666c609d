/* run.c — sequencing the stages and publishing their outputs. */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attrib.h"
#include "config.h"
#include "dataset.h"
#include "ingest.h"
#include "join.h"
#include "date.h"
#include "ledger.h"
#include "ledger_cmd.h"
#include "schema.h"
#include "payout.h"
#include "period.h"
#include "plan.h"
#include "progress.h"
#include "publish.h"
#include "report.h"
#include "settings.h"
#include "settle.h"
#include "sha256.h"
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

/* Milliseconds from t0 to now; *now gets the time read. */
static double ms_since(const struct timespec *t0, struct timespec *now)
{
    clock_gettime(CLOCK_MONOTONIC, now);
    return (double)(now->tv_sec - t0->tv_sec) * 1e3 + (double)(now->tv_nsec - t0->tv_nsec) / 1e6;
}

static void stage_done(struct stage_clock *c, const char *name)
{
    progress_stage_end(); /* before the timing line, and before the next stage's line */
    if (!c->verbose)
        return;
    struct timespec t1;
    double ms = ms_since(&c->t0, &t1);
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

/* The inputs' fingerprints for the ledger, computed on a thread of their own during ingest. */
struct fingerprints {
    pthread_t thread;
    bool started;
    const struct settings *s;
    struct ledger_input v[INPUT_N];
    size_t n;
    int err; /* errno of the first file that could not be read */
    const char *err_path;
};

static void *fingerprint_thread(void *arg)
{
    struct fingerprints *f = arg;
    for (int k = 0; k < INPUT_N; k++) {
        const char *path = f->s->inputs[k].path;
        if (!path)
            continue;
        struct ledger_input *in = &f->v[f->n];
        in->file = schema_get((enum input_kind)k)->name;
        in->path = path;
        int e = sha256_file(path, in->sha256, &in->size);
        if (e) {
            if (!f->err) {
                f->err = e;
                f->err_path = path;
            }
            continue;
        }
        f->n++;
    }
    return NULL;
}

struct run_state {
    char run_id[64];
    struct ledger ledger; /* open (and locked) when [ledger] path is set */
    bool ledger_on;
    struct ledger_paid paid;
    struct settle settle;
    struct fingerprints fp;
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
    /* With the ledger, when it closed periods of the previous plan year: that year recomputed,
     * so a change to it is listed (not paid) */
    bool prev_on;
    struct period prev_year;
    struct payouts prev;
    bool ytd_is_pay; /* a year period: the year to date is the period's own run (ytd unused) */
    struct period ytd_window;
    const char *stmt_dir; /* per-person statements, or NULL */
    struct period period;
    int32_t as_of_day;
    const char *out_dir;
    int lock_fd;
    struct report_calc_cache *calc; /* for the calculation text of every report */
    FILE *log;                      /* -v -v: each output file's time */
    int verbose;
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

static int run_status_of_payout(int rc)
{
    return rc == PAYOUT_OK        ? RUN_OK
           : rc == PAYOUT_ECONFIG ? RUN_ECONFIG
                                  : RUN_EDATA; /* overflow, FX */
}

/* With the ledger: the year to date first, every line kept (settle compares them with what was
 * paid), then the period with the ledger's lines, clawback fixes and balances (settle.h). */
static int run_payouts_ledger(struct run_state *st, struct payout_input *in, struct diag *d)
{
    struct payouts none;
    memset(&none, 0, sizeof none);
    int rc = PAYOUT_OK;
    if (!st->ytd_is_pay) {
        struct payout_input y = *in;
        y.window = st->ytd_window;
        y.earned_only = true;
        y.keep_lines = true;
        rc = payout_run(&st->ytd, &y, d);
    }
    if (rc != PAYOUT_OK)
        return run_status_of_payout(rc);
    if (st->prev_on) {
        struct payout_input y = *in;
        y.window = st->prev_year;
        y.earned_only = true;
        y.keep_lines = true;
        rc = payout_run(&st->prev, &y, d);
        if (rc != PAYOUT_OK)
            return run_status_of_payout(rc);
    }
    struct period year;
    period_containing(PERIOD_YEAR, st->period.last_day, &year);
    struct settle_input si = {.ds = &st->ds,
                              .plans = &st->plans,
                              .ytd = st->ytd_is_pay ? &none : &st->ytd,
                              .paid = &st->paid,
                              .period = &st->period,
                              .year = &year,
                              .digits = st->s.currency_digits,
                              .prev = st->prev_on ? &st->prev : NULL,
                              .prev_year = &st->prev_year};
    if (settle_plan(&st->settle, &si, d) ||
        settle_manual(&st->settle, &st->ds, &st->plans, &st->paid, &st->period,
                      st->s.currency_digits, d))
        return RUN_EDATA;
    /* Compared: the previous year is not needed again, the year to date only as sums. */
    payout_release(&st->prev);
    memset(&st->prev, 0, sizeof st->prev);
    if (!st->ytd_is_pay)
        payout_compact(&st->ytd);
    in->extras = st->settle.extras;
    in->n_extras = st->settle.n_extras;
    in->fixes = st->settle.fixes;
    in->n_fixes = st->settle.n_fixes;
    in->balance_in = st->settle.balance_in;
    in->draw_in = st->settle.draw_in;
    return run_status_of_payout(payout_run(&st->pay, in, d));
}

/* Incentives: attribution over every kept deal when a plan measures it, then the engine over the
 * period and over the year to date. */
static int run_payouts(struct run_state *st, struct diag *d)
{
    /* With the previous plan year recomputed (the ledger closed periods in it), its deals'
     * attribution too. */
    struct period attr_window = st->ytd_window;
    if (st->prev_on)
        attr_window.first_day = st->prev_year.first_day;
    /* One attribution over the year's deals serves both runs: a deal's credits do not depend on
     * the window, and the period's run reads deals only from its own payout_keep_first on, which
     * the year's window (starting no later) holds. Over the period's window alone, sourced and
     * attributed revenue of the year's earlier months would count as zero. */
    struct payout_input in = {
        .ds = &st->ds,
        .plans = &st->plans,
        .s = &st->s,
        .attr = payout_attribution(&st->yattr, &st->ds, &st->ix, &st->s, &st->plans, &attr_window),
        .window = st->period,
        .as_of = st->as_of_day};
    /* A year period's year to date is the period itself: same window, and earned_only changes
     * no line, so the period's payouts serve as the year to date. */
    st->ytd_is_pay = st->ytd_window.kind == st->period.kind &&
                     st->ytd_window.first_day == st->period.first_day &&
                     st->ytd_window.last_day == st->period.last_day;
    if (st->ledger_on)
        return run_payouts_ledger(st, &in, d);
    /* Without a ledger: manual adjustments of the period are its lines. */
    if (settle_manual(&st->settle, &st->ds, &st->plans, NULL, &st->period, st->s.currency_digits,
                      d))
        return RUN_EDATA;
    in.extras = st->settle.extras;
    in.n_extras = st->settle.n_extras;
    int rc = payout_run(&st->pay, &in, d);
    if (rc == PAYOUT_OK && !st->ytd_is_pay) {
        in.window = st->ytd_window;
        in.extras = NULL;
        in.n_extras = 0;
        in.earned_only = true;
        rc = payout_run(&st->ytd, &in, d);
    }
    return run_status_of_payout(rc);
}

/* The report context of a run: with or without its payouts. */
static struct report_ctx report_ctx_of(const struct run_state *st, bool payouts)
{
    return (struct report_ctx){.run_id = st->run_id,
                               .settle = payouts ? &st->settle : NULL,
                               .paid = st->ledger_on ? &st->paid : NULL,
                               .s = &st->s,
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

static void free_names(char **names, uint32_t n)
{
    for (uint32_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* ---- writing the set: every output file is a job, written by one of a few threads ---------- */

enum out_kind {
    OUT_ATTRIBUTION,
    OUT_PAYOUTS,
    OUT_PAYROLL,
    OUT_LINES,
    OUT_CREDITS,
    OUT_REJECTS,
    OUT_STATEMENT
};

struct out_job {
    enum out_kind kind;
    uint32_t person; /* OUT_STATEMENT */
    char name[IDS_MAX_LEN + 32];
    const char *tmp;  /* its staged path (publish_begin), NULL when staging failed */
    int status;       /* RUN_OK, or what staging or writing it failed with */
    bool ran;         /* a thread took it (it is skipped once another job has failed) */
    unsigned thread;  /* which writer thread, numbered as they start taking files */
    double ms;        /* how long writing it took */
    struct diag diag; /* its messages, merged in the set's order */
};

struct writers {
    struct run_state *st;
    const struct report_ctx *r;
    struct out_job *jobs;
    size_t n;
    const size_t *order; /* the order jobs are taken in: the biggest first */
    atomic_size_t next;
    atomic_bool failed;
    atomic_uint_fast64_t files_done;
    atomic_uint threads; /* writer threads numbered so far */
};

static int write_job(struct writers *w, struct out_job *j)
{
    const struct report_ctx *r = w->r;
    progress_job(j->name);
    switch (j->kind) {
    case OUT_ATTRIBUTION:
        return report_attribution_xlsx(r, j->tmp, &j->diag);
    case OUT_PAYOUTS:
        return report_payouts_xlsx(r, j->tmp, &j->diag);
    case OUT_PAYROLL:
        return report_payroll_csv(r, j->tmp, &j->diag);
    case OUT_LINES:
        return report_lines_csv(r, j->tmp, &j->diag);
    case OUT_CREDITS:
        return report_credits_csv(r, &w->st->ix, j->tmp, &j->diag);
    case OUT_REJECTS:
        return report_rejects_csv(r, j->tmp, &j->diag);
    case OUT_STATEMENT:
        return report_statement_xlsx(r, j->person, j->tmp, &j->diag);
    }
    BUG("unknown output kind");
}

static void *writer_thread(void *arg)
{
    struct writers *w = arg;
    unsigned me = atomic_fetch_add(&w->threads, 1) + 1;
    for (;;) {
        size_t k = atomic_fetch_add(&w->next, 1);
        if (k >= w->n)
            break;
        struct out_job *j = &w->jobs[w->order[k]];
        if (atomic_load(&w->failed))
            continue; /* after a failure the set is abandoned: no more files are started */
        j->ran = true;
        j->thread = me;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int failed = write_job(w, j);
        j->ms = ms_since(&t0, &t1);
        if (failed) {
            j->status = RUN_EIO;
            atomic_store(&w->failed, true);
        }
        progress_count(atomic_fetch_add(&w->files_done, 1) + 1);
    }
    progress_job(NULL);
    return NULL;
}

/* How many threads write: [output] threads, or one per processor (at most OUTPUT_THREADS_MAX),
 * never more than there are files. */
static size_t writer_count(const struct run_state *st, size_t n_jobs)
{
    long want = (long)st->s.output_threads;
    if (want <= 0) {
        want = sysconf(_SC_NPROCESSORS_ONLN);
        if (want < 1)
            want = 1;
        if (want > OUTPUT_THREADS_MAX)
            want = OUTPUT_THREADS_MAX;
    }
    return (size_t)want < n_jobs ? (size_t)want : (n_jobs ? n_jobs : 1);
}

/* Run the jobs on `threads` threads (this one among them); returns how many threads ran. */
static size_t run_writers(struct writers *w, size_t threads)
{
    pthread_t tid[OUTPUT_THREADS_MAX];
    size_t started = 0;
    /* The other threads block the signals: the handler (publish.c) runs on this one, and a
     * thread stopped mid-write is ended with the process. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (size_t t = 1; t < threads; t++) {
        if (pthread_create(&tid[started], NULL, writer_thread, w) != 0)
            break; /* fewer threads: the jobs still all run */
        started++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    writer_thread(w);
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    return started + 1;
}

static void add_job(struct out_job **jobs, size_t *n, size_t *cap, enum out_kind kind,
                    uint32_t person, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void add_job(struct out_job **jobs, size_t *n, size_t *cap, enum out_kind kind,
                    uint32_t person, const char *fmt, ...)
{
    VEC_GROW(*jobs, *cap, *n + 1);
    struct out_job *j = &(*jobs)[(*n)++];
    memset(j, 0, sizeof *j);
    j->kind = kind;
    j->person = person;
    j->status = RUN_OK;
    diag_init(&j->diag);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->name, sizeof j->name, fmt, ap);
    va_end(ap);
}

/* The set's files in their order (the order of messages, and of the journal). Statements are
 * <stmt_dir>/<period>/<id>.xlsx, one per person on a plan. */
static int plan_jobs(struct run_state *st, const struct report_ctx *r, struct out_job **jobs,
                     size_t *n, char ***kept, struct diag *d)
{
    size_t cap = 0;
    const char *p = st->period.name;
    add_job(jobs, n, &cap, OUT_ATTRIBUTION, 0, "attribution-%s.xlsx", p);
    if (r->p) {
        add_job(jobs, n, &cap, OUT_PAYOUTS, 0, "payouts-%s.xlsx", p);
        add_job(jobs, n, &cap, OUT_PAYROLL, 0, "payroll-%s.csv", p);
        add_job(jobs, n, &cap, OUT_LINES, 0, "lines-%s.csv", p);
    }
    add_job(jobs, n, &cap, OUT_CREDITS, 0, "credits-%s.csv", p);
    add_job(jobs, n, &cap, OUT_REJECTS, 0, "rejects-%s.csv", p);
    if (st->stmt_dir && r->p) {
        char **names = report_statement_names(r, d);
        if (!names)
            return RUN_ECONFIG;
        *kept = names; /* the caller frees them after sweeping the directory */
        for (uint32_t id = 0; id < st->ds.people.n; id++)
            if (names[id])
                add_job(jobs, n, &cap, OUT_STATEMENT, id, "%s.xlsx", names[id]);
    }
    return RUN_OK;
}

/* Stage every file of the set (publish_begin, in the set's order, on this thread); a failure
 * stops there. Returns RUN_OK or the failure's status. */
static int stage_jobs(const struct run_state *st, struct out_job *jobs, size_t n)
{
    char *stmt = NULL;
    int rc = RUN_OK;
    for (size_t i = 0; i < n && rc == RUN_OK; i++) {
        struct out_job *j = &jobs[i];
        const char *dir = st->out_dir;
        if (j->kind == OUT_STATEMENT) {
            if (!stmt) {
                size_t len = strlen(st->stmt_dir) + 1 + sizeof st->period.name;
                stmt = xmalloc(len);
                snprintf(stmt, len, "%s/%s", st->stmt_dir, st->period.name);
            }
            dir = stmt;
        }
        int prc = publish_begin(dir, j->name, &j->tmp, &j->diag);
        if (prc != PUBLISH_OK)
            rc = j->status = run_exit_of_publish(prc);
    }
    free(stmt);
    return rc;
}

/* A rough cost of writing a job, in cells (a CSV field counts an eighth of a workbook cell):
 * the threads take the costliest first, so the longest file does not start last. */
static double job_cost(const struct run_state *st, const struct report_ctx *r,
                       const struct out_job *j)
{
    double lines = r->p ? (double)r->p->n_lines : 0, credits = (double)r->a->n_credits;
    double shown = st->s.lines_rows_max < lines ? (double)st->s.lines_rows_max : lines;
    double detail = st->s.detail_rows_max < credits ? (double)st->s.detail_rows_max : credits;
    switch (j->kind) {
    case OUT_ATTRIBUTION:
        return detail * (6 + MODEL_N) + (double)st->ds.campaigns.n * MODEL_N * 6;
    case OUT_PAYOUTS:
        return shown * 35 + lines * 11 + (double)st->ds.people.n * 30;
    case OUT_LINES:
        return lines * 25 / 8;
    case OUT_CREDITS:
        return credits * (6 + MODEL_N) / 8;
    case OUT_STATEMENT:
        return r->p && j->person < r->p->n_people
                   ? (double)r->p->person_nlines[j->person] * 11 + 200
                   : 200;
    case OUT_PAYROLL:
    case OUT_REJECTS:
        break;
    }
    return 1;
}

struct job_rank {
    double cost;
    size_t i;
};

static int by_cost_desc(const void *a, const void *b)
{
    const struct job_rank *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i; /* ties: the set's order */
}

/* The order jobs are taken in: costliest first (job_cost). */
static size_t *job_order(const struct run_state *st, const struct report_ctx *r,
                         const struct out_job *jobs, size_t n)
{
    struct job_rank *rank = xmalloc((n ? n : 1) * sizeof *rank);
    for (size_t i = 0; i < n; i++)
        rank[i] = (struct job_rank){job_cost(st, r, &jobs[i]), i};
    qsort(rank, n, sizeof *rank, by_cost_desc);
    size_t *order = xmalloc((n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = rank[i].i;
    free(rank);
    return order;
}

/* Write every output under a temporary name, then switch them as one set (publish.h): a failure
 * anywhere, a full disk or a file size limit included, leaves the previous set as it was. The
 * files are written by up to [output] threads threads at once; their messages come in the set's
 * order, up to the first file that failed. */
static void line_calc(void *ctx, const struct payout_line *l, char *buf, size_t size)
{
    report_line_calc_text(ctx, l, buf, size);
}

/* Record the run in the ledger as staged (its payroll rows and lines, the inputs' fingerprints,
 * the configuration), just before the switch: a run killed before it is published stays
 * unpublished and can never be closed. */
static int ledger_stage_run(struct run_state *st, const char *payroll_tmp, char sha[65],
                            char *final, struct diag *d)
{
    if (!payroll_tmp)
        BUG("ledger: the set has no payroll file");
    int64_t size;
    int e = sha256_file(payroll_tmp, sha, &size);
    if (e) {
        diag_error(d, publish_target_of(payroll_tmp), 0, "cannot read back: %s", strerror(e));
        return RUN_EIO;
    }
    put_text(final, 4200, "%s", publish_target_of(payroll_tmp));
    if (st->fp.started) {
        pthread_join(st->fp.thread, NULL);
        st->fp.started = false;
    }
    if (st->fp.err) {
        diag_error(d, st->fp.err_path, 0, "cannot read the input to fingerprint it: %s",
                   strerror(st->fp.err));
        return RUN_ENOINPUT;
    }
    struct settle_record rec;
    struct report_ctx rctx = report_ctx_of(st, true);
    settle_record_build(&rec, &st->pay, &st->ds, st->s.currency, st->s.currency_digits, line_calc,
                        &rctx);
    char *cfg_text = config_in_force_text(&st->cfg);
    char as_of[16];
    date_format_day(as_of, sizeof as_of, st->as_of_day);
    struct ledger_run r = {.run_id = st->run_id,
                           .period = st->period.name,
                           .as_of = as_of,
                           .user = ledger_user(),
                           .currency = st->s.currency,
                           .first_day = st->period.first_day,
                           .last_day = st->period.last_day,
                           .config_path = st->cfg.display,
                           .config_text = cfg_text,
                           .inputs = st->fp.v,
                           .n_inputs = st->fp.n,
                           .lines = rec.lines,
                           .n_lines = rec.n_lines,
                           .rows = rec.rows,
                           .n_rows = rec.n_rows};
    int rc = ledger_exit_code(ledger_run_stage(&st->ledger, &r, d));
    settle_record_release(&rec);
    free(cfg_text);
    return rc;
}

static int write_outputs(struct run_state *st, struct diag *d)
{
    struct report_ctx r = report_ctx_of(st, st->s.inputs[INPUT_PEOPLE].path != NULL);
    struct out_job *jobs = NULL;
    size_t n = 0;
    char **kept = NULL; /* the statement files of the set, by person id */
    int status = plan_jobs(st, &r, &jobs, &n, &kept, d);
    progress_label("staging");
    if (status == RUN_OK)
        status = stage_jobs(st, jobs, n);
    if (status == RUN_OK) {
        report_calc_cache_build(&r); /* the threads only read it */
        size_t *order = job_order(st, &r, jobs, n);
        struct writers w = {.st = st, .r = &r, .jobs = jobs, .n = n, .order = order};
        atomic_init(&w.next, 0);
        atomic_init(&w.failed, false);
        atomic_init(&w.files_done, 0);
        atomic_init(&w.threads, 0);
        progress_label("%s", "");
        progress_total(n, "files");
        size_t threads = run_writers(&w, writer_count(st, n));
        free(order);
        if (st->verbose >= 2) { /* -v -v: where the write stage's time went */
            fprintf(st->log, "sametable:   %zu files on %zu thread%s\n", n, threads,
                    threads == 1 ? "" : "s");
            for (size_t i = 0; i < n; i++)
                if (jobs[i].ran)
                    fprintf(st->log, "sametable:   %-40s %9.1f ms  thread %u\n", jobs[i].name,
                            jobs[i].ms, jobs[i].thread);
        }
    }
    /* Messages in the set's order; after a failure, the failed file's are the last. */
    for (size_t i = 0; i < n; i++) {
        diag_move(d, &jobs[i].diag);
        if (jobs[i].status != RUN_OK && status == RUN_OK)
            status = jobs[i].status;
        if (jobs[i].status != RUN_OK)
            break;
    }
    const char *jobs_payroll_tmp = NULL;
    for (size_t i = 0; i < n; i++) {
        diag_release(&jobs[i].diag);
        if (jobs[i].kind == OUT_PAYROLL)
            jobs_payroll_tmp = jobs[i].tmp;
    }
    free(jobs);
    if (status != RUN_OK) {
        publish_abort();
        free_names(kept, st->ds.people.n);
        return status;
    }
    char payroll_sha[65] = "";
    char payroll_final[4200] = "";
    if (st->ledger_on) {
        status = ledger_stage_run(st, jobs_payroll_tmp, payroll_sha, payroll_final, d);
        if (status != RUN_OK) {
            publish_abort();
            free_names(kept, st->ds.people.n);
            return status;
        }
    }
    progress_label("switching to the new outputs");
    int rc = run_exit_of_publish(publish_commit(d));
    if (rc == RUN_OK && st->ledger_on)
        rc = ledger_exit_code(
            ledger_run_published(&st->ledger, st->run_id, payroll_final, payroll_sha, d));
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
    if (st->fp.started)
        pthread_join(st->fp.thread, NULL);
    settle_release(&st->settle);
    ledger_paid_release(&st->paid);
    ledger_close_db(&st->ledger);
    payout_release(&st->pay);
    payout_release(&st->ytd);
    payout_release(&st->prev);
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

/* The oldest payout period end a run needs from the ledger: the previous plan year's start (its
 * changes are listed), or as far back as a clawback reaches, whichever is earlier. */
static int32_t ledger_horizon(const struct run_state *st)
{
    struct period prev;
    period_containing(PERIOD_YEAR, st->ytd_window.first_day - 1, &prev);
    int32_t h = st->period.first_day - st->plans.max_lookback - 1;
    return h < prev.first_day ? h : prev.first_day;
}

/* Open the ledger, read what was paid, refuse a run over a closed period. */
static int open_ledger(struct run_state *st, const struct run_opts *o, struct diag *d)
{
    int rc = ledger_exit_code(ledger_open(&st->ledger, st->s.ledger_path, d));
    if (rc == RUN_OK)
        rc = ledger_exit_code(ledger_load_paid(&st->ledger, &st->paid, ledger_horizon(st), d));
    if (rc != RUN_OK)
        return rc;
    st->ledger_on = true;
    for (size_t i = 0; i < st->paid.n_periods; i++) {
        const struct ledger_period *c = &st->paid.periods[i];
        if (c->first_day <= st->period.last_day && c->last_day >= st->period.first_day) {
            if (o->command == RUN_EXPLAIN) {
                /* explain recomputes; what was paid is history's */
                fprintf(o->out,
                        "%s is closed in the ledger (%s %s): the lines below are recomputed "
                        "from today's inputs; what was paid: sametable history --person ID\n\n",
                        st->period.name, c->baseline ? "baseline" : "run",
                        c->baseline ? c->name : c->run_id);
                ledger_paid_release(&st->paid);
                ledger_close_db(&st->ledger);
                st->ledger_on = false;
                return RUN_OK;
            }
            diag_error(d, st->s.ledger_path, 0,
                       "%s is closed in the ledger (%s %s): a run over it would write a payroll "
                       "file for pay already recorded as paid. See what was paid with "
                       "'sametable history --person ID'; recompute without the ledger with "
                       "--set ledger.path= ; or reopen the latest closed period with 'sametable "
                       "close --reopen P --reason TEXT'",
                       st->period.name, c->baseline ? "baseline" : "run",
                       c->baseline ? c->name : c->run_id);
            return RUN_EREFUSED;
        }
    }
    /* The previous plan year is recomputed when the ledger closed periods in it. */
    period_containing(PERIOD_YEAR, st->ytd_window.first_day - 1, &st->prev_year);
    for (size_t i = 0; i < st->paid.n_periods; i++)
        if (st->paid.periods[i].last_day >= st->prev_year.first_day &&
            st->paid.periods[i].first_day <= st->prev_year.last_day)
            st->prev_on = true;
    return RUN_OK;
}

/* The inputs' fingerprints for the ledger, on a thread of their own while join, attribution and
 * incentives run on this one (after ingest, so the two do not compete for the reading: the
 * files are read again, normally from the page cache). */
static void start_fingerprints(struct run_state *st)
{
    st->fp.s = &st->s;
    if (pthread_create(&st->fp.thread, NULL, fingerprint_thread, &st->fp) == 0)
        st->fp.started = true;
    else
        fingerprint_thread(&st->fp);
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
    st.log = o->log;
    st.verbose = o->verbose;
    stage_start(&clk);

    st.ledger.lock_fd = -1;
    int rc = load_config(&st, o, d);
    stage_done(&clk, "config");
    if (rc == RUN_OK &&
        (o->command == RUN_CLOSE || o->command == RUN_LEDGER || o->command == RUN_HISTORY)) {
        rc = ledger_cmd_execute(&st.s, st.out_dir, o, d);
        state_release(&st);
        return rc;
    }
    ledger_new_run_id(st.run_id, sizeof st.run_id, o->now);
    if (rc == RUN_OK && (o->command == RUN_RUN || o->command == RUN_EXPLAIN) && st.s.ledger_path &&
        st.s.inputs[INPUT_PEOPLE].path) {
        /* The ledger's lock first, then the output directory's (a close takes them so too). */
        publish_install_signals();
        progress_stage("ledger");
        rc = open_ledger(&st, o, d);
        stage_done(&clk, "ledger");
    }
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
            if (st.prev_on) { /* the previous plan year's deals too */
                struct ingest_window pw = w;
                payout_ingest_window(&st.plans, &st.prev_year, &pw);
                if (pw.keep_first < w.keep_first)
                    w.keep_first = pw.keep_first;
            }
            w.has_pay_window = true;
            w.pay_keep_first = pay.keep_first;
            w.pay_cancel_first = pay.cancel_first;
            w.pay_cancel_last = pay.cancel_last;
        }
        progress_stage("ingest");
        rc = ingest_status_to_exit(ingest_all(&st.ds, &st.s, &w, d));
        stage_done(&clk, "ingest");
        if (rc == RUN_OK && st.ledger_on && o->command == RUN_RUN)
            start_fingerprints(&st);
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
