/* run.h — one invocation of the pipeline: config → ingest → join → attribute → incent → report →
 * publish.
 *
 * run_execute never prints to stdout except what the command itself is for (`check` prints the
 * reconciliation); diagnostics go to d and main.c prints them. The result is a sysexits code.
 */
#ifndef SAMETABLE_RUN_H
#define SAMETABLE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

enum run_command {
    RUN_RUN,
    RUN_CHECK,
    RUN_ATTRIBUTE,
    RUN_EXPLAIN,
    RUN_CLOSE,   /* close --period P --run ID | --baseline P --payroll FILE | --reopen P */
    RUN_LEDGER,  /* ledger backup FILE | ledger export FILE */
    RUN_HISTORY, /* history --person ID */
};

/* Exit codes from <sysexits.h> (DESIGN §7). */
enum run_status {
    RUN_OK = 0,
    RUN_EUSAGE = 64,
    RUN_EDATA = 65,
    RUN_ENOINPUT = 66,
    RUN_ECANTCREAT = 73,
    RUN_EIO = 74,
    RUN_ELOCKED = 75,
    RUN_EREFUSED = 76, /* the ledger refuses: a close of an unknown or unpublished run, a second
                        * close, one out of order; a run over a closed period */
    RUN_ECONFIG = 78,
};

struct run_opts {
    enum run_command command;
    const char *config_path;
    bool config_explicit;       /* -c was given */
    const char *as_of;          /* yyyy-mm-dd or NULL */
    const char *period;         /* 2026-11, 2026-Q4, 2026 or NULL */
    const char *out_dir;        /* relative to the working directory, or NULL */
    const char *statements_dir; /* --statements DIR: one workbook per person, or NULL */
    const char **sets;          /* "section.key=value" overrides */
    size_t n_sets;
    const char *paths;          /* attribute: the path-level file */
    const char *models;         /* attribute: comma-separated models */
    const char *explain_person; /* explain --person ID */
    const char *explain_deal;   /* explain --deal ID */
    const char *run_id;         /* close --run ID */
    const char *payroll;        /* close --payroll FILE: the file payroll imported */
    const char *baseline;       /* close --baseline P */
    const char *reopen;         /* close --reopen P */
    const char *reason;         /* close --reopen … --reason TEXT */
    const char *ledger_sub;     /* ledger: "backup" or "export" */
    const char *ledger_file;    /* ledger: its FILE */
    bool strict;
    int verbose; /* -v: stage timings and counts on stderr */
    int64_t now; /* the wall clock, injected: UTC epoch seconds */
    FILE *out;   /* where `check` prints (stdout) */
    FILE *log;   /* where -v prints (stderr) */
};

int run_execute(const struct run_opts *o, struct diag *d);

/* The exit code of a publish.h status: ECREATE 73, ELOCKED 75, EIO (a full disk, a file size
 * limit, a failed switch or recovery) 74. Every command that writes maps its statuses here. */
int run_exit_of_publish(int publish_status);

#endif
