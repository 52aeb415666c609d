/* ledger.h — the payout ledger: what was paid is remembered (DESIGN §7b Ledger), in SQLite.
 *
 * The ledger is one SQLite database named by `[ledger] path` (a file on a local filesystem: WAL
 * needs shared memory that network filesystems do not give, so NFS, SMB/CIFS, FUSE and the like
 * are refused). Without that key the tool is stateless and nothing here is used.
 *
 * What it holds (schema version LEDGER_SCHEMA; forward migrations in ledger.c run at open, each in
 * its own transaction):
 *   run        every `run` with the ledger on: its run ID, period, as-of, who ran it, the
 *              configuration text and SHA-256, the payroll file's SHA-256, and whether its set of
 *              outputs was published (the row is written before the switch as "staged" and marked
 *              published after it: a run killed in between is never closeable);
 *   run_input  the inputs' fingerprints (path, size, SHA-256);
 *   run_line   the lines the run's payroll file pays, one row per payout line and per ledger entry
 *              (true-up, clawback, manual adjustment, draw and its recovery), with
 * reporting-currency amount, payee-currency amount and the FX rate; run_row    its payroll rows
 * (person, payout period): earned, adjustments, the balance carried in and out, what payroll pays;
 * close      each close of a period (run ID, or a baseline payroll file), who and when; a reopen
 * sets reopened_* on the latest close and nothing is ever deleted; posted     the lines of closed
 * periods: a copy of the closed run's run_line rows, or the baseline's per-person rows; posted_row
 * the closed run's payroll rows (the balance carried out of each); event      close, baseline,
 * reopen: who, when, why.
 *
 * A line's key names what it is about: person, component, kind, deal, attainment period and the
 * payout period it belongs to ("about"). Paid for a key = the sum of posted lines with that key in
 * closes not reopened — the regular line plus every true-up posted about it later. The nightly run
 * (settle.h) compares those sums with the recomputation and posts the differences.
 *
 * Locking: the ledger's lock is an exclusive flock on "<path>.lock", taken without waiting
 * (another run or close holds it: LEDGER_ELOCKED, exit 75) before the output directory's lock and
 * held until ledger_close_db. Every write is one transaction (BEGIN IMMEDIATE … COMMIT) with
 * synchronous=FULL, so a process killed at any point leaves the database before or after it.
 *
 * Ownership: a struct ledger owns its connection and lock; strings returned in the structs below
 * are owned by the struct they are in and freed by its release function.
 */
#ifndef SAMETABLE_LEDGER_H
#define SAMETABLE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "intern.h"

#define LEDGER_SCHEMA 1

enum ledger_status {
    LEDGER_OK = 0,
    LEDGER_ECONFIG = -1,  /* not a local file, not a ledger, a newer schema (exit 78) */
    LEDGER_ELOCKED = -2,  /* another run or close holds the ledger (exit 75) */
    LEDGER_EIO = -3,      /* SQLite could not read or write (exit 74) */
    LEDGER_EREFUSED = -4, /* the ledger refuses: unknown or unpublished run, second close, out
                           * of order, reopen of a period that is not the latest (exit 76) */
    LEDGER_EDATA = -5,    /* a baseline payroll file that cannot be read (exit 65) */
};

struct sqlite3;

struct ledger {
    struct sqlite3 *db;
    int lock_fd;
    const char *path;
};

/* Open (creating it when missing) the ledger at path, take its lock, migrate it to LEDGER_SCHEMA.
 * Refuses a path on a network filesystem. Returns an enum ledger_status. */
int ledger_open(struct ledger *l, const char *path, struct diag *d);
/* Close the connection and release the lock (accepts a ledger never opened). */
void ledger_close_db(struct ledger *l);

/* One ledger entry or payout line as stored (run_line, posted). */
enum ledger_entry {
    LE_LINE,      /* a payout line of the period (payout.h) */
    LE_TRUEUP,    /* recomputed − paid for a key of a closed period */
    LE_UNCLOSED,  /* a line of an earlier payout period that no close has paid yet */
    LE_CLAWBACK,  /* minus what was paid for a cancelled deal (ledger), in the cancel's period */
    LE_MANUAL,    /* a manual adjustment (adjustments input) */
    LE_DRAW,      /* a draw paid up to the guaranteed amount */
    LE_DRAW_BACK, /* a recoverable draw recovered from this payout */
    LE_FORGIVEN,  /* a balance forgiven (a leaver; a draw's recovery window ended) */
    LE_BASELINE,  /* a baseline payroll row: what was paid before the ledger, per person */
    LE_N
};
const char *ledger_entry_name(enum ledger_entry e);
int ledger_entry_parse(const char *s, enum ledger_entry *out);

struct ledger_line {
    enum ledger_entry entry;
    const char *person, *payout_period; /* payout period whose payroll row pays it */
    const char *component, *kind, *deal, *attain, *about; /* the key ("" where none) */
    int64_t amount;                                       /* reporting currency, minor units */
    int64_t pay_amount;                                   /* payee currency, minor units */
    const char *pay_currency;
    const char *fx_rate;    /* exact decimal text: reporting per payee unit ("1" when the same) */
    const char *note, *ref; /* ref: adjustment or payment id */
    const char *calc;       /* the line's arithmetic as explain shows it, or "" */
};

struct ledger_row {
    const char *person, *payout_period;
    int64_t earned;      /* payout lines of the period */
    int64_t adjustments; /* true-ups, unclosed, clawbacks, manual, draws (signed) */
    int64_t balance_in;  /* negative balance carried in (>= 0: owed by the person) */
    int64_t recovered;   /* of it, recovered from this payout (>= 0) */
    int64_t draw_in;     /* recoverable draw balance carried in */
    int64_t draw_out;    /* and out */
    int64_t balance_out; /* carried out (>= 0) */
    int64_t forgiven;    /* a leaver's balance forgiven */
    int64_t payable;     /* reporting currency, >= 0 */
    int64_t pay;         /* payee currency */
    const char *pay_currency, *fx_rate;
};

struct ledger_input {
    const char *file; /* input kind name: "deals", "people", … */
    const char *path;
    int64_t size;
    char sha256[65];
};

struct ledger_run {
    const char *run_id, *period, *as_of, *user, *currency;
    int32_t first_day, last_day;
    const char *config_path, *config_text;
    const struct ledger_input *inputs;
    size_t n_inputs;
    const struct ledger_line *lines;
    size_t n_lines;
    const struct ledger_row *rows;
    size_t n_rows;
};

/* The user name from the environment (USER, else LOGNAME, else "unknown"): who ran, closed or
 * reopened. */
const char *ledger_user(void);

/* A new run ID: UTC time and 32 random bits, e.g. "20261207T081502Z-3fa9c01e"; buf >= 32. The
 * environment's SAMETABLE_TEST_RUN_ID replaces it (tests only). */
void ledger_new_run_id(char *buf, size_t size, int64_t now);

/* Record a run, its inputs, lines and rows as staged (one transaction). */
int ledger_run_stage(struct ledger *l, const struct ledger_run *r, struct diag *d);
/* Mark it published, with its payroll file's path and SHA-256. */
int ledger_run_published(struct ledger *l, const char *run_id, const char *payroll_path,
                         const char *payroll_sha256, struct diag *d);

/* What the ledger knows when a run starts. */
struct ledger_paid {
    /* Posted lines of closes not reopened, about payout periods ending on or after the `since`
     * of ledger_load_paid (and every manual adjustment's). */
    struct ledger_line *lines;
    size_t n_lines;
    /* Per line: its key's strings as ids in strs (equal strings, equal ids), for matching a
     * year of lines without looking each string up. */
    struct ledger_line_ids {
        uint32_t person, component, kind, deal, attain, about;
    } * ids;
    /* Closed periods not reopened, in order: name, days, baseline or not. */
    struct ledger_period {
        char *name;
        int32_t first_day, last_day;
        bool baseline;
        char *run_id;
    } * periods;
    size_t n_periods;
    /* Per person: the balance carried out of their latest closed payroll row (negative balance
     * and recoverable draw). */
    struct ledger_balance {
        char *person;
        int64_t balance, draw;
    } * balances;
    size_t n_balances;
    /* Payroll rows of closes not reopened: what was payable per person and payout period. */
    struct ledger_paid_row {
        char *person, *payout_period;
        int32_t first_day; /* the closed period's first day */
        int64_t payable;
    } * rows;
    size_t n_rows;
    /* Manual adjustments already paid (closed): each id once, with what was paid for it. */
    struct ledger_paid_adjustment {
        const char *id;
        int64_t amount;
    } * adjustments;
    size_t n_adjustments;
    struct intern strs; /* every string above */
};
/* What was paid: posted lines about payout periods ending on or after `since` (and every manual
 * adjustment, whenever), the closed periods, balances and paid rows. Strings are interned in
 * p->strs (one copy each); a line's note, payee amount and rate are not loaded (""/0). */
int ledger_load_paid(struct ledger *l, struct ledger_paid *p, int32_t since, struct diag *d);
void ledger_paid_release(struct ledger_paid *p);
/* The closed period holding `day`, or NULL. */
const struct ledger_period *ledger_closed_on(const struct ledger_paid *p, int32_t day);

/* close --period P --run ID [--payroll FILE]: record the published run's lines as paid. The
 * period is given as its name and days (the caller parsed it). Returns LEDGER_OK, or
 * LEDGER_EREFUSED with the reason in d. */
struct ledger_close_req {
    const char *period;
    int32_t first_day, last_day;
    const char *run_id;       /* NULL for a baseline */
    const char *payroll_path; /* the file payroll imported (optional for a run; a baseline's) */
    const char *user;
    const char *reason; /* reopen */
    const char *currency;
    int64_t now;
};
int ledger_close_period(struct ledger *l, const struct ledger_close_req *q, struct diag *d);
int ledger_baseline(struct ledger *l, const struct ledger_close_req *q, struct diag *d);
int ledger_reopen(struct ledger *l, const struct ledger_close_req *q, struct diag *d);

/* `ledger backup FILE`: SQLite's online backup into FILE (replaced). */
int ledger_backup(struct ledger *l, const char *file, struct diag *d);
/* `ledger export FILE`: every posted line as CSV (closes not reopened, and reopened ones marked).
 */
int ledger_export(struct ledger *l, const char *file, struct diag *d);
/* `history --person ID`: what was paid by period and component, adjustments and balances, with
 * the arithmetic; prints to fp. Returns LEDGER_OK, or LEDGER_EREFUSED when the ledger knows
 * nothing of the person. */
int ledger_history(struct ledger *l, const char *person, int digits, FILE *fp, struct diag *d);

/* Tests only: SAMETABLE_TEST_LEDGER_KILL=N kills the process with SIGKILL at the N-th step of a
 * close (steps are numbered from 1 as they come: 1 locked, 2 transaction begun, 3 run checked,
 * 4 close recorded, 5 lines posted, 6 rows posted, 7 event recorded, 8 committed); a number past
 * the last kills nothing. SAMETABLE_TEST_LEDGER_PAUSE=N waits at step N while
 * "<ledger>.paused" exists (it is created there). */
void ledger_test_step(const struct ledger *l);

#endif
