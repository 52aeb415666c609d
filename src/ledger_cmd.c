/* ledger_cmd.c — close, ledger backup|export, history: the ledger's commands. */
#include "ledger_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "money.h"
#include "period.h"
#include "publish.h"

int ledger_exit_code(int ls)
{
    switch (ls) {
    case LEDGER_OK:
        return RUN_OK;
    case LEDGER_ECONFIG:
        return RUN_ECONFIG;
    case LEDGER_ELOCKED:
        return RUN_ELOCKED;
    case LEDGER_EREFUSED:
        return RUN_EREFUSED;
    case LEDGER_EDATA:
        return RUN_EDATA;
    default:
        return RUN_EIO;
    }
}

static int parse_period(const char *opt, const char *v, struct period *p, struct diag *d)
{
    if (!v || period_parse(v, p)) {
        diag_error(d, NULL, 0, "%s needs a period such as 2026-11, 2026-Q4 or 2026%s%s%s", opt,
                   v ? ", not '" : "", v ? v : "", v ? "'" : "");
        return RUN_EUSAGE;
    }
    return RUN_OK;
}

static int close_cmd(struct ledger *l, const struct settings *s, const char *out_dir,
                     const struct run_opts *o, struct diag *d)
{
    int modes = (o->period != NULL) + (o->baseline != NULL) + (o->reopen != NULL);
    if (modes != 1) {
        diag_error(d, NULL, 0,
                   "close needs one of --period P --run ID, --baseline P --payroll FILE, or "
                   "--reopen P --reason TEXT");
        return RUN_EUSAGE;
    }
    struct period p;
    struct ledger_close_req q = {.user = ledger_user(), .now = o->now, .currency = s->currency};
    int rc;
    if (o->period) {
        if ((rc = parse_period("close --period", o->period, &p, d)))
            return rc;
        if (!o->run_id) {
            diag_error(d, NULL, 0,
                       "close --period %s needs --run ID: the run ID in the payroll file payroll "
                       "imported (its run_id column)",
                       o->period);
            return RUN_EUSAGE;
        }
        q.run_id = o->run_id;
        q.payroll_path = o->payroll;
    } else if (o->baseline) {
        if ((rc = parse_period("close --baseline", o->baseline, &p, d)))
            return rc;
        if (!o->payroll) {
            diag_error(d, NULL, 0,
                       "close --baseline %s needs --payroll FILE: the payroll file that paid it",
                       o->baseline);
            return RUN_EUSAGE;
        }
        q.payroll_path = o->payroll;
    } else {
        if ((rc = parse_period("close --reopen", o->reopen, &p, d)))
            return rc;
        if (!o->reason || !o->reason[0]) {
            diag_error(d, NULL, 0, "close --reopen %s needs --reason TEXT (it is recorded)",
                       o->reopen);
            return RUN_EUSAGE;
        }
        q.reason = o->reason;
    }
    q.period = p.name;
    q.first_day = p.first_day;
    q.last_day = p.last_day;
    /* The ledger is locked (ledger_open); then the output directory, as a run takes them. */
    int lock_fd = -1;
    rc = run_exit_of_publish(publish_prepare_dir(out_dir, d));
    if (rc == RUN_OK)
        rc = run_exit_of_publish(publish_lock(out_dir, &lock_fd, d));
    if (rc != RUN_OK)
        return rc;
    int ls = o->period     ? ledger_close_period(l, &q, d)
             : o->baseline ? ledger_baseline(l, &q, d)
                           : ledger_reopen(l, &q, d);
    publish_unlock(lock_fd);
    return ledger_exit_code(ls);
}

int ledger_cmd_execute(const struct settings *s, const char *out_dir, const struct run_opts *o,
                       struct diag *d)
{
    if (!s->ledger_path) {
        diag_error(d, NULL, 0,
                   "%s needs a ledger: set [ledger] path to a file on a local disk (it is created "
                   "on first use)",
                   o->command == RUN_CLOSE     ? "close"
                   : o->command == RUN_HISTORY ? "history"
                                               : "ledger");
        return RUN_ECONFIG;
    }
    struct ledger l;
    int ls = ledger_open(&l, s->ledger_path, d);
    if (ls)
        return ledger_exit_code(ls);
    int rc;
    switch (o->command) {
    case RUN_CLOSE:
        rc = close_cmd(&l, s, out_dir, o, d);
        break;
    case RUN_LEDGER:
        ls = !strcmp(o->ledger_sub, "backup") ? ledger_backup(&l, o->ledger_file, d)
                                              : ledger_export(&l, o->ledger_file, d);
        rc = ledger_exit_code(ls);
        break;
    case RUN_HISTORY:
        ls = ledger_history(&l, o->explain_person, s->currency_digits, o->out, d);
        /* a person the ledger never paid: the argument names no one, as for explain */
        rc = ls == LEDGER_EREFUSED ? RUN_EUSAGE : ledger_exit_code(ls);
        break;
    default:
        rc = RUN_EUSAGE;
        break;
    }
    ledger_close_db(&l);
    return rc;
}
