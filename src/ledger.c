/* ledger.c — the payout ledger's storage: open, lock, migrate, record runs, load what was paid. */
#include "ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "ledger_db.h"
#include "period.h"
#include "sha256.h"
#include "util.h"

#define LEDGER_APP_ID   0x53544c47 /* "STLG": a sametable ledger */
#define BUSY_TIMEOUT_MS 10000

static const char *const entry_names[LE_N] = {
    "line", "trueup", "unclosed", "clawback", "manual", "draw", "draw_back", "forgiven", "baseline",
};

const char *ledger_entry_name(enum ledger_entry e)
{
    return (unsigned)e < LE_N ? entry_names[e] : "?";
}

int ledger_entry_parse(const char *s, enum ledger_entry *out)
{
    for (int i = 0; i < LE_N; i++)
        if (!strcmp(s, entry_names[i])) {
            *out = (enum ledger_entry)i;
            return 0;
        }
    return -1;
}

/* Schema migrations: migrations[v] takes a ledger from version v to v + 1. */
static const char *const migrations[LEDGER_SCHEMA] = {
    /* 0 -> 1 */
    "CREATE TABLE run ("
    " run_id TEXT PRIMARY KEY, period TEXT NOT NULL, first_day INTEGER NOT NULL,"
    " last_day INTEGER NOT NULL, as_of TEXT NOT NULL, started_at TEXT NOT NULL,"
    " published_at TEXT, user TEXT NOT NULL, currency TEXT NOT NULL,"
    " config_path TEXT NOT NULL, config_sha256 TEXT NOT NULL, config_text TEXT NOT NULL,"
    " payroll_path TEXT, payroll_sha256 TEXT);"
    "CREATE TABLE run_input ("
    " run_id TEXT NOT NULL REFERENCES run(run_id), file TEXT NOT NULL, path TEXT NOT NULL,"
    " size INTEGER NOT NULL, sha256 TEXT NOT NULL);"
    "CREATE TABLE run_line ("
    " run_id TEXT NOT NULL REFERENCES run(run_id), seq INTEGER NOT NULL, entry TEXT NOT NULL,"
    " person TEXT NOT NULL, payout_period TEXT NOT NULL, component TEXT NOT NULL,"
    " kind TEXT NOT NULL, deal TEXT NOT NULL, attain TEXT NOT NULL, about TEXT NOT NULL,"
    " about_last INTEGER NOT NULL, amount INTEGER NOT NULL, pay_amount INTEGER NOT NULL,"
    " pay_currency TEXT NOT NULL, fx_rate TEXT NOT NULL, note TEXT NOT NULL, ref TEXT NOT NULL,"
    " calc TEXT NOT NULL, PRIMARY KEY (run_id, seq));"
    "CREATE TABLE run_row ("
    " run_id TEXT NOT NULL REFERENCES run(run_id), seq INTEGER NOT NULL, person TEXT NOT NULL,"
    " payout_period TEXT NOT NULL, earned INTEGER NOT NULL, adjustments INTEGER NOT NULL,"
    " balance_in INTEGER NOT NULL, recovered INTEGER NOT NULL, draw_in INTEGER NOT NULL,"
    " draw_out INTEGER NOT NULL, balance_out INTEGER NOT NULL, forgiven INTEGER NOT NULL,"
    " payable INTEGER NOT NULL, pay INTEGER NOT NULL, pay_currency TEXT NOT NULL,"
    " fx_rate TEXT NOT NULL, PRIMARY KEY (run_id, seq));"
    "CREATE TABLE close ("
    " id INTEGER PRIMARY KEY, period TEXT NOT NULL, first_day INTEGER NOT NULL,"
    " last_day INTEGER NOT NULL, run_id TEXT REFERENCES run(run_id), baseline_path TEXT,"
    " baseline_sha256 TEXT, closed_at TEXT NOT NULL, closed_by TEXT NOT NULL,"
    " reopened_at TEXT, reopened_by TEXT, reopen_reason TEXT);"
    "CREATE TABLE posted ("
    " close_id INTEGER NOT NULL REFERENCES close(id), seq INTEGER NOT NULL, entry TEXT NOT NULL,"
    " person TEXT NOT NULL, payout_period TEXT NOT NULL, component TEXT NOT NULL,"
    " kind TEXT NOT NULL, deal TEXT NOT NULL, attain TEXT NOT NULL, about TEXT NOT NULL,"
    " about_last INTEGER NOT NULL, amount INTEGER NOT NULL, pay_amount INTEGER NOT NULL,"
    " pay_currency TEXT NOT NULL, fx_rate TEXT NOT NULL, note TEXT NOT NULL, ref TEXT NOT NULL,"
    " calc TEXT NOT NULL, PRIMARY KEY (close_id, seq));"
    "CREATE INDEX posted_person ON posted(person);"
    "CREATE INDEX posted_about ON posted(about_last);"
    "CREATE TABLE posted_row ("
    " close_id INTEGER NOT NULL REFERENCES close(id), seq INTEGER NOT NULL,"
    " person TEXT NOT NULL, payout_period TEXT NOT NULL, earned INTEGER NOT NULL,"
    " adjustments INTEGER NOT NULL, balance_in INTEGER NOT NULL, recovered INTEGER NOT NULL,"
    " draw_in INTEGER NOT NULL, draw_out INTEGER NOT NULL, balance_out INTEGER NOT NULL,"
    " forgiven INTEGER NOT NULL, payable INTEGER NOT NULL, pay INTEGER NOT NULL,"
    " pay_currency TEXT NOT NULL, fx_rate TEXT NOT NULL, PRIMARY KEY (close_id, seq));"
    "CREATE TABLE event ("
    " id INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,"
    " period TEXT NOT NULL, run_id TEXT, detail TEXT NOT NULL);",
};

/* ---- errors and small helpers ---------------------------------------------------------------- */

int ledger_db_fail(struct ledger *l, struct diag *d, const char *what)
{
    int code = l->db ? sqlite3_extended_errcode(l->db) : SQLITE_ERROR;
    diag_error(d, l->path, 0, "ledger: %s: %s", what,
               l->db ? sqlite3_errmsg(l->db) : "no database");
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
        return LEDGER_ELOCKED;
    if ((code & 0xff) == SQLITE_NOTADB || (code & 0xff) == SQLITE_CORRUPT)
        return LEDGER_ECONFIG;
    return LEDGER_EIO;
}

int ledger_exec(struct ledger *l, const char *sql, struct diag *d)
{
    char *err = NULL;
    if (sqlite3_exec(l->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        sqlite3_free(err);
        return ledger_db_fail(l, d, sql);
    }
    return LEDGER_OK;
}

sqlite3_stmt *ledger_prepare(struct ledger *l, const char *sql, struct diag *d)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK) {
        ledger_db_fail(l, d, "prepare");
        return NULL;
    }
    return st;
}

void ledger_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

const char *ledger_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

void ledger_rollback(struct ledger *l)
{
    if (l->db && !sqlite3_get_autocommit(l->db))
        sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
}

void ledger_utc_text(char *buf, size_t size, int64_t now)
{
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *ledger_user(void)
{
    const char *u = getenv("USER");
    if (!u || !u[0])
        u = getenv("LOGNAME");
    return u && u[0] ? u : "unknown";
}

static long kill_at = -1, pause_at = -1, steps;

void ledger_test_step(const struct ledger *l)
{
    if (kill_at < 0) {
        const char *e = getenv("SAMETABLE_TEST_LEDGER_KILL");
        kill_at = e && e[0] ? strtol(e, NULL, 10) : 0;
        e = getenv("SAMETABLE_TEST_LEDGER_PAUSE");
        pause_at = e && e[0] ? strtol(e, NULL, 10) : 0;
    }
    ++steps;
    if (kill_at > 0 && steps == kill_at)
        raise(SIGKILL);
    if (pause_at > 0 && steps == pause_at) {
        /* "<ledger>.paused" exists while the close waits here (at most 60 s): a test removes it
         * to let the close go on */
        char flag[4200];
        put_text(flag, sizeof flag, "%s.paused", l->path);
        int fd = open(flag, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0)
            close(fd);
        for (int i = 0; i < 6000 && access(flag, F_OK) == 0; i++) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

/* ---- open ---------------------------------------------------------------------------------------
 */

/* Network filesystems (statfs f_type): WAL needs a shared-memory index that they do not give. */
static const char *network_fs(long type)
{
    switch ((unsigned long)type) {
    case 0x6969UL:
        return "NFS";
    case 0x517bUL:
        return "SMB";
    case 0xff534d42UL:
        return "CIFS";
    case 0xfe534d42UL:
        return "SMB2";
    case 0x65735546UL:
        return "FUSE (sshfs and the like)";
    case 0x73757245UL:
        return "Coda";
    case 0x5346414fUL:
        return "AFS";
    case 0x01021997UL:
        return "9P";
    case 0x00c36400UL:
        return "Ceph";
    case 0x47504653UL:
        return "GPFS";
    case 0x0bd00bd0UL:
        return "Lustre";
    default:
        return NULL;
    }
}

static int check_local(const char *path, struct diag *d)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        put_text(dir, sizeof dir, ".");
    else if (slash == path)
        put_text(dir, sizeof dir, "/");
    else
        put_text(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    struct statfs sf;
    if (statfs(dir, &sf) != 0) {
        diag_error(d, path, 0, "ledger: cannot use the folder '%s': %s", dir, strerror(errno));
        return LEDGER_ECONFIG;
    }
    const char *net = network_fs((long)sf.f_type);
    if (net) {
        diag_error(d, path, 0,
                   "ledger: '%s' is on a network filesystem (%s); the ledger must be a file on a "
                   "local disk (SQLite's WAL mode is not safe on network shares): set [ledger] "
                   "path to a local file and back it up with 'sametable ledger backup'",
                   path, net);
        return LEDGER_ECONFIG;
    }
    return LEDGER_OK;
}

static int take_lock(struct ledger *l, struct diag *d)
{
    char lock[4096];
    put_text(lock, sizeof lock, "%s.lock", l->path);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        diag_error(d, lock, 0, "ledger: cannot open the lock file: %s", strerror(errno));
        return LEDGER_ECONFIG;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK) {
            diag_error(d, l->path, 0,
                       "ledger: another sametable run or close holds the ledger (%s); try again "
                       "when it has finished",
                       lock);
            return LEDGER_ELOCKED;
        }
        diag_error(d, lock, 0, "ledger: cannot lock: %s", strerror(e));
        return LEDGER_EIO;
    }
    l->lock_fd = fd;
    return LEDGER_OK;
}

static int int_pragma(struct ledger *l, const char *sql, int64_t *out, struct diag *d)
{
    sqlite3_stmt *st = ledger_prepare(l, sql, d);
    if (!st)
        return sqlite3_errcode(l->db) == SQLITE_NOTADB ? LEDGER_ECONFIG : LEDGER_EIO;
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? LEDGER_OK : ledger_db_fail(l, d, sql);
}

static int migrate(struct ledger *l, struct diag *d)
{
    int64_t version = 0, app = 0, tables = 0;
    int rc = int_pragma(l, "PRAGMA user_version", &version, d);
    if (!rc)
        rc = int_pragma(l, "PRAGMA application_id", &app, d);
    if (!rc)
        rc = int_pragma(l, "SELECT count(*) FROM sqlite_master", &tables, d);
    if (rc) {
        diag_error(d, l->path, 0, "ledger: '%s' is not a sametable ledger (not a SQLite database)",
                   l->path);
        return LEDGER_ECONFIG;
    }
    if ((app != 0 && app != LEDGER_APP_ID) || (app == 0 && tables > 0)) {
        diag_error(d, l->path, 0,
                   "ledger: '%s' is a SQLite database but not a sametable ledger; name a new file "
                   "or an existing ledger in [ledger] path",
                   l->path);
        return LEDGER_ECONFIG;
    }
    if (version > LEDGER_SCHEMA) {
        diag_error(d, l->path, 0,
                   "ledger: schema version %" PRId64 " is newer than this sametable understands "
                   "(%d); use the sametable that wrote it",
                   version, LEDGER_SCHEMA);
        return LEDGER_ECONFIG;
    }
    for (int64_t v = version; v < LEDGER_SCHEMA; v++) {
        char set[80];
        put_text(set, sizeof set, "PRAGMA user_version = %" PRId64 ";", v + 1);
        if ((rc = ledger_exec(l, "BEGIN IMMEDIATE", d)))
            return rc;
        if ((rc = ledger_exec(l, migrations[v], d)) || (rc = ledger_exec(l, set, d))) {
            ledger_rollback(l);
            return rc;
        }
        if (v == 0) {
            char app_sql[80];
            put_text(app_sql, sizeof app_sql, "PRAGMA application_id = %d;", LEDGER_APP_ID);
            if ((rc = ledger_exec(l, app_sql, d))) {
                ledger_rollback(l);
                return rc;
            }
        }
        if ((rc = ledger_exec(l, "COMMIT", d))) {
            ledger_rollback(l);
            return rc;
        }
    }
    return LEDGER_OK;
}

int ledger_open(struct ledger *l, const char *path, struct diag *d)
{
    memset(l, 0, sizeof *l);
    l->lock_fd = -1;
    l->path = path;
    int rc = check_local(path, d);
    if (!rc)
        rc = take_lock(l, d);
    if (rc)
        return rc;
    if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        diag_error(d, path, 0, "ledger: cannot open: %s",
                   l->db ? sqlite3_errmsg(l->db) : "out of memory");
        ledger_close_db(l);
        return LEDGER_ECONFIG;
    }
    sqlite3_busy_timeout(l->db, BUSY_TIMEOUT_MS);
    int64_t ignored;
    rc = int_pragma(l, "PRAGMA journal_mode = WAL", &ignored, d);
    if (!rc)
        rc = ledger_exec(l, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", d);
    if (rc) {
        diag_error(d, path, 0, "ledger: '%s' is not a sametable ledger or cannot be opened", path);
        ledger_close_db(l);
        return LEDGER_ECONFIG;
    }
    rc = migrate(l, d);
    if (rc)
        ledger_close_db(l);
    return rc;
}

void ledger_close_db(struct ledger *l)
{
    if (!l)
        return;
    if (l->db) {
        ledger_rollback(l);
        sqlite3_close(l->db);
        l->db = NULL;
    }
    if (l->lock_fd >= 0) {
        close(l->lock_fd);
        l->lock_fd = -1;
    }
}

void ledger_new_run_id(char *buf, size_t size, int64_t now)
{
    const char *fixed = getenv("SAMETABLE_TEST_RUN_ID");
    if (fixed && fixed[0]) {
        put_text(buf, size, "%s", fixed);
        return;
    }
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
        r = (uint32_t)getpid() ^ (uint32_t)now;
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y%m%dT%H%M%SZ", &tm);
    put_text(buf, size, "%s-%08" PRIx32, ts, r);
}

/* ---- recording a run ----------------------------------------------------------------------------
 */

int ledger_insert_line(struct ledger *l, sqlite3_stmt *st, const char *owner, int64_t seq,
                       const struct ledger_line *x, struct diag *d)
{
    int i = 1;
    ledger_bind_text(st, i++, owner);
    sqlite3_bind_int64(st, i++, seq);
    ledger_bind_text(st, i++, ledger_entry_name(x->entry));
    ledger_bind_text(st, i++, x->person);
    ledger_bind_text(st, i++, x->payout_period);
    ledger_bind_text(st, i++, x->component ? x->component : "");
    ledger_bind_text(st, i++, x->kind ? x->kind : "");
    ledger_bind_text(st, i++, x->deal ? x->deal : "");
    ledger_bind_text(st, i++, x->attain ? x->attain : "");
    ledger_bind_text(st, i++, x->about ? x->about : "");
    struct period about;
    sqlite3_bind_int(st, i++, x->about && !period_parse(x->about, &about) ? about.last_day : 0);
    sqlite3_bind_int64(st, i++, x->amount);
    sqlite3_bind_int64(st, i++, x->pay_amount);
    ledger_bind_text(st, i++, x->pay_currency ? x->pay_currency : "");
    ledger_bind_text(st, i++, x->fx_rate ? x->fx_rate : "1");
    ledger_bind_text(st, i++, x->note ? x->note : "");
    ledger_bind_text(st, i++, x->ref ? x->ref : "");
    ledger_bind_text(st, i++, x->calc ? x->calc : "");
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? LEDGER_OK : ledger_db_fail(l, d, "insert a line");
}

int ledger_run_stage(struct ledger *l, const struct ledger_run *r, struct diag *d)
{
    int rc = ledger_exec(l, "BEGIN IMMEDIATE", d);
    if (rc)
        return rc;
    char started[32], cfg_sha[65];
    ledger_utc_text(started, sizeof started, (int64_t)time(NULL));
    sha256_hex(r->config_text, strlen(r->config_text), cfg_sha);
    sqlite3_stmt *st = ledger_prepare(
        l,
        "INSERT INTO run (run_id, period, first_day, last_day, as_of, started_at, user, currency,"
        " config_path, config_sha256, config_text) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        d);
    if (!st)
        goto fail;
    ledger_bind_text(st, 1, r->run_id);
    ledger_bind_text(st, 2, r->period);
    sqlite3_bind_int(st, 3, r->first_day);
    sqlite3_bind_int(st, 4, r->last_day);
    ledger_bind_text(st, 5, r->as_of);
    ledger_bind_text(st, 6, started);
    ledger_bind_text(st, 7, r->user);
    ledger_bind_text(st, 8, r->currency);
    ledger_bind_text(st, 9, r->config_path);
    ledger_bind_text(st, 10, cfg_sha);
    ledger_bind_text(st, 11, r->config_text);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_finalize(st);
        rc = ledger_db_fail(l, d, "record the run");
        goto fail;
    }
    sqlite3_finalize(st);

    st = ledger_prepare(l, "INSERT INTO run_input VALUES (?,?,?,?,?)", d);
    if (!st)
        goto fail;
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct ledger_input *in = &r->inputs[i];
        ledger_bind_text(st, 1, r->run_id);
        ledger_bind_text(st, 2, in->file);
        ledger_bind_text(st, 3, in->path);
        sqlite3_bind_int64(st, 4, in->size);
        ledger_bind_text(st, 5, in->sha256);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            rc = ledger_db_fail(l, d, "record an input");
            goto fail;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);

    st = ledger_prepare(l, "INSERT INTO run_line VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", d);
    if (!st)
        goto fail;
    for (size_t i = 0; i < r->n_lines; i++)
        if ((rc = ledger_insert_line(l, st, r->run_id, (int64_t)i, &r->lines[i], d))) {
            sqlite3_finalize(st);
            goto fail;
        }
    sqlite3_finalize(st);

    st = ledger_prepare(l, "INSERT INTO run_row VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", d);
    if (!st)
        goto fail;
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct ledger_row *w = &r->rows[i];
        int k = 1;
        ledger_bind_text(st, k++, r->run_id);
        sqlite3_bind_int64(st, k++, (int64_t)i);
        ledger_bind_text(st, k++, w->person);
        ledger_bind_text(st, k++, w->payout_period);
        sqlite3_bind_int64(st, k++, w->earned);
        sqlite3_bind_int64(st, k++, w->adjustments);
        sqlite3_bind_int64(st, k++, w->balance_in);
        sqlite3_bind_int64(st, k++, w->recovered);
        sqlite3_bind_int64(st, k++, w->draw_in);
        sqlite3_bind_int64(st, k++, w->draw_out);
        sqlite3_bind_int64(st, k++, w->balance_out);
        sqlite3_bind_int64(st, k++, w->forgiven);
        sqlite3_bind_int64(st, k++, w->payable);
        sqlite3_bind_int64(st, k++, w->pay);
        ledger_bind_text(st, k++, w->pay_currency ? w->pay_currency : "");
        ledger_bind_text(st, k++, w->fx_rate ? w->fx_rate : "1");
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            rc = ledger_db_fail(l, d, "record a payroll row");
            goto fail;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return ledger_exec(l, "COMMIT", d);
fail:
    ledger_rollback(l);
    return rc ? rc : LEDGER_EIO;
}

int ledger_run_published(struct ledger *l, const char *run_id, const char *payroll_path,
                         const char *payroll_sha256, struct diag *d)
{
    sqlite3_stmt *st = ledger_prepare(
        l, "UPDATE run SET published_at = ?, payroll_path = ?, payroll_sha256 = ? WHERE run_id = ?",
        d);
    if (!st)
        return LEDGER_EIO;
    char now[32];
    ledger_utc_text(now, sizeof now, (int64_t)time(NULL));
    ledger_bind_text(st, 1, now);
    ledger_bind_text(st, 2, payroll_path);
    ledger_bind_text(st, 3, payroll_sha256);
    ledger_bind_text(st, 4, run_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? LEDGER_OK : ledger_db_fail(l, d, "mark the run published");
}

/* ---- loading what was paid ----------------------------------------------------------------------
 */

/* One copy of each distinct string of what was paid (people, components, deals and periods
 * repeat on every line). */
static char *keep_id(struct ledger_paid *p, const char *s, uint32_t *id)
{
    *id = intern_add(&p->strs, s, strlen(s), NULL);
    return (char *)(uintptr_t)intern_str(&p->strs, *id);
}

static char *keep(struct ledger_paid *p, const char *s)
{
    uint32_t id;
    return keep_id(p, s, &id);
}

int ledger_load_paid(struct ledger *l, struct ledger_paid *p, int32_t since, struct diag *d)
{
    memset(p, 0, sizeof *p);
    p->strs = (struct intern)INTERN_INIT;
    size_t cap = 0;
    sqlite3_stmt *st = ledger_prepare(
        l,
        "SELECT c.period, c.first_day, c.last_day, c.baseline_path IS NOT NULL, "
        "coalesce(c.run_id, '') FROM close c WHERE c.reopened_at IS NULL ORDER BY c.first_day",
        d);
    if (!st)
        return LEDGER_EIO;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (p->n_periods == cap) {
            cap = grow_capacity(cap, p->n_periods + 1);
            p->periods = xreallocarray(p->periods, cap, sizeof *p->periods);
        }
        struct ledger_period *q = &p->periods[p->n_periods++];
        q->name = keep(p, ledger_col_text(st, 0));
        q->first_day = sqlite3_column_int(st, 1);
        q->last_day = sqlite3_column_int(st, 2);
        q->baseline = sqlite3_column_int(st, 3) != 0;
        q->run_id = keep(p, ledger_col_text(st, 4));
    }
    sqlite3_finalize(st);

    cap = 0;
    st =
        ledger_prepare(l,
                       "SELECT p.entry, p.person, p.payout_period, p.component, p.kind, p.deal,"
                       " p.attain, p.about, p.amount, p.ref FROM posted p"
                       " JOIN close c ON c.id = p.close_id WHERE c.reopened_at IS NULL"
                       " AND (p.about_last >= ? OR p.entry = 'manual') ORDER BY c.first_day, p.seq",
                       d);
    if (!st)
        return LEDGER_EIO;
    sqlite3_bind_int(st, 1, since);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (p->n_lines == cap) {
            cap = grow_capacity(cap, p->n_lines + 1);
            p->lines = xreallocarray(p->lines, cap, sizeof *p->lines);
            p->ids = xreallocarray(p->ids, cap, sizeof *p->ids);
        }
        struct ledger_line_ids *k = &p->ids[p->n_lines];
        struct ledger_line *x = &p->lines[p->n_lines++];
        memset(x, 0, sizeof *x);
        if (ledger_entry_parse(ledger_col_text(st, 0), &x->entry))
            x->entry = LE_LINE;
        x->person = keep_id(p, ledger_col_text(st, 1), &k->person);
        x->payout_period = keep(p, ledger_col_text(st, 2));
        x->component = keep_id(p, ledger_col_text(st, 3), &k->component);
        x->kind = keep_id(p, ledger_col_text(st, 4), &k->kind);
        x->deal = keep_id(p, ledger_col_text(st, 5), &k->deal);
        x->attain = keep_id(p, ledger_col_text(st, 6), &k->attain);
        x->about = keep_id(p, ledger_col_text(st, 7), &k->about);
        x->amount = sqlite3_column_int64(st, 8);
        x->ref = keep(p, ledger_col_text(st, 9));
        x->note = x->pay_currency = x->fx_rate = "";
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return ledger_db_fail(l, d, "read the posted lines");

    /* Each person's balances as carried out of their latest closed row. */
    cap = 0;
    st = ledger_prepare(l,
                        "SELECT r.person, r.balance_out, r.draw_out"
                        " FROM posted_row r JOIN close c ON c.id = r.close_id"
                        " WHERE c.reopened_at IS NULL ORDER BY r.person, c.first_day, r.seq",
                        d);
    if (!st)
        return LEDGER_EIO;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *who = ledger_col_text(st, 0);
        struct ledger_balance *b = p->n_balances ? &p->balances[p->n_balances - 1] : NULL;
        if (!b || strcmp(b->person, who)) {
            if (p->n_balances == cap) {
                cap = grow_capacity(cap, p->n_balances + 1);
                p->balances = xreallocarray(p->balances, cap, sizeof *p->balances);
            }
            b = &p->balances[p->n_balances++];
            b->person = keep(p, who);
        }
        b->balance = sqlite3_column_int64(st, 1);
        b->draw = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return ledger_db_fail(l, d, "read the balances");

    cap = 0;
    st = ledger_prepare(l,
                        "SELECT r.person, r.payout_period, c.first_day, r.payable"
                        " FROM posted_row r JOIN close c ON c.id = r.close_id"
                        " WHERE c.reopened_at IS NULL ORDER BY c.first_day, r.seq",
                        d);
    if (!st)
        return LEDGER_EIO;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (p->n_rows == cap) {
            cap = grow_capacity(cap, p->n_rows + 1);
            p->rows = xreallocarray(p->rows, cap, sizeof *p->rows);
        }
        struct ledger_paid_row *w = &p->rows[p->n_rows++];
        w->person = keep(p, ledger_col_text(st, 0));
        w->payout_period = keep(p, ledger_col_text(st, 1));
        w->first_day = sqlite3_column_int(st, 2);
        w->payable = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return ledger_db_fail(l, d, "read the paid rows");

    /* What was paid per manual adjustment id (in load order: an id's first close first). */
    cap = 0;
    for (size_t i = 0; i < p->n_lines; i++) {
        if (p->lines[i].entry != LE_MANUAL)
            continue;
        size_t a = 0;
        while (a < p->n_adjustments && p->adjustments[a].id != p->lines[i].ref)
            a++; /* ids are interned: equal ids are the same pointer */
        if (a == p->n_adjustments) {
            if (p->n_adjustments == cap) {
                cap = grow_capacity(cap, p->n_adjustments + 1);
                p->adjustments = xreallocarray(p->adjustments, cap, sizeof *p->adjustments);
            }
            p->adjustments[p->n_adjustments++] =
                (struct ledger_paid_adjustment){p->lines[i].ref, 0};
        }
        p->adjustments[a].amount += p->lines[i].amount;
    }
    return LEDGER_OK;
}

void ledger_paid_release(struct ledger_paid *p)
{
    if (!p)
        return;
    free(p->lines);
    free(p->ids);
    free(p->periods);
    free(p->balances);
    free(p->rows);
    free(p->adjustments);
    intern_release(&p->strs);
    memset(p, 0, sizeof *p);
}

const struct ledger_period *ledger_closed_on(const struct ledger_paid *p, int32_t day)
{
    for (size_t i = 0; i < p->n_periods; i++)
        if (day >= p->periods[i].first_day && day <= p->periods[i].last_day)
            return &p->periods[i];
    return NULL;
}
