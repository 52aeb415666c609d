/* ledger_cmd.h — the ledger's commands on the command line: close (a period, a baseline, a
 * reopen), ledger backup|export, history. Each takes the ledger's lock and, for a close, then the
 * output directory's lock (always in that order, as a run does). */
#ifndef SAMETABLE_LEDGER_CMD_H
#define SAMETABLE_LEDGER_CMD_H

#include "diag.h"
#include "run.h"
#include "settings.h"

/* Run o->command (RUN_CLOSE, RUN_LEDGER or RUN_HISTORY) against s->ledger_path. Returns an exit
 * code (enum run_status). */
int ledger_cmd_execute(const struct settings *s, const char *out_dir, const struct run_opts *o,
                       struct diag *d);

/* The exit code of an enum ledger_status: ECONFIG 78, ELOCKED 75, EIO 74, EREFUSED 76, EDATA 65. */
int ledger_exit_code(int ledger_status);

#endif
