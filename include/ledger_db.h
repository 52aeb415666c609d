/* ledger_db.h — internal to the ledger's files (ledger.c, ledger_close.c): SQLite helpers.
 *
 * Every helper that fails adds one error to d naming the ledger file and SQLite's message, and
 * returns an enum ledger_status (ledger_db_fail maps SQLITE_BUSY to LEDGER_ELOCKED, a file that is
 * not a database to LEDGER_ECONFIG, the rest to LEDGER_EIO). Strings from ledger_col_text belong
 * to the statement and last until its next step.
 */
#ifndef SAMETABLE_LEDGER_DB_H
#define SAMETABLE_LEDGER_DB_H

#include <sqlite3.h>

#include "ledger.h"

int ledger_db_fail(struct ledger *l, struct diag *d, const char *what);
int ledger_exec(struct ledger *l, const char *sql, struct diag *d);
sqlite3_stmt *ledger_prepare(struct ledger *l, const char *sql, struct diag *d);
void ledger_bind_text(sqlite3_stmt *st, int i, const char *s);
const char *ledger_col_text(sqlite3_stmt *st, int i);
/* Roll back the open transaction, if any. */
void ledger_rollback(struct ledger *l);
/* "2026-12-07T08:15:02Z" */
void ledger_utc_text(char *buf, size_t size, int64_t now);
/* Insert one line into run_line or posted (16 columns: owner, seq, then the line). */
int ledger_insert_line(struct ledger *l, sqlite3_stmt *st, const char *owner, int64_t seq,
                       const struct ledger_line *x, struct diag *d);

#endif
