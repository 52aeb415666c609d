/* ledger_close.c — the ledger's commands: close, baseline, reopen, backup, export, history. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csvout.h"
#include "date.h"
#include "ledger.h"
#include "ledger_db.h"
#include "money.h"
#include "sha256.h"
#include "util.h"

/* The latest close not reopened: its period name, days and id (id 0: none). */
struct last_close {
    int64_t id;
    char period[32];
    int32_t first_day, last_day;
    char run_id[64], closed_at[32], closed_by[64];
};

static int latest_close(struct ledger *l, struct last_close *c, struct diag *d)
{
    memset(c, 0, sizeof *c);
    sqlite3_stmt *st = ledger_prepare(
        l,
        "SELECT id, period, first_day, last_day, coalesce(run_id, 'baseline'), closed_at,"
        " closed_by FROM close WHERE reopened_at IS NULL ORDER BY last_day DESC LIMIT 1",
        d);
    if (!st)
        return LEDGER_EIO;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        c->id = sqlite3_column_int64(st, 0);
        put_text(c->period, sizeof c->period, "%s", ledger_col_text(st, 1));
        c->first_day = sqlite3_column_int(st, 2);
        c->last_day = sqlite3_column_int(st, 3);
        put_text(c->run_id, sizeof c->run_id, "%s", ledger_col_text(st, 4));
        put_text(c->closed_at, sizeof c->closed_at, "%s", ledger_col_text(st, 5));
        put_text(c->closed_by, sizeof c->closed_by, "%s", ledger_col_text(st, 6));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? LEDGER_OK : ledger_db_fail(l, d, "read closes");
}

/* Refuse a second close of a period, or one out of order. */
static int check_order(struct ledger *l, const struct ledger_close_req *q, struct diag *d)
{
    struct last_close c;
    int rc = latest_close(l, &c, d);
    if (rc)
        return rc;
    if (!c.id)
        return LEDGER_OK;
    if (q->first_day == c.first_day && q->last_day == c.last_day) {
        diag_error(d, l->path, 0,
                   "ledger: %s is already closed (%s, by %s on %s); to close it again, reopen it "
                   "first: sametable close --reopen %s --reason TEXT",
                   q->period, c.run_id, c.closed_by, c.closed_at, q->period);
        return LEDGER_EREFUSED;
    }
    if (q->first_day <= c.last_day) {
        diag_error(d, l->path, 0,
                   "ledger: %s is not after the latest closed period %s: periods are closed in "
                   "order and a closed period is never closed again (reopen the latest first)",
                   q->period, c.period);
        return LEDGER_EREFUSED;
    }
    if (q->first_day != c.last_day + 1) {
        char next[16];
        date_format_day(next, sizeof next, c.last_day + 1);
        diag_error(d, l->path, 0,
                   "ledger: close out of order: the latest closed period is %s, so the next close "
                   "must start on %s, and %s does not",
                   c.period, next, q->period);
        return LEDGER_EREFUSED;
    }
    return LEDGER_OK;
}

static int record_event(struct ledger *l, const char *action, const struct ledger_close_req *q,
                        const char *run_id, const char *detail, struct diag *d)
{
    sqlite3_stmt *st = ledger_prepare(
        l, "INSERT INTO event (at, user, action, period, run_id, detail) VALUES (?,?,?,?,?,?)", d);
    if (!st)
        return LEDGER_EIO;
    char at[32];
    ledger_utc_text(at, sizeof at, q->now);
    ledger_bind_text(st, 1, at);
    ledger_bind_text(st, 2, q->user);
    ledger_bind_text(st, 3, action);
    ledger_bind_text(st, 4, q->period);
    ledger_bind_text(st, 5, run_id);
    ledger_bind_text(st, 6, detail);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? LEDGER_OK : ledger_db_fail(l, d, "record the event");
}

static int insert_close(struct ledger *l, const struct ledger_close_req *q, const char *run_id,
                        const char *base_path, const char *base_sha, int64_t *id, struct diag *d)
{
    sqlite3_stmt *st = ledger_prepare(
        l,
        "INSERT INTO close (period, first_day, last_day, run_id, baseline_path, baseline_sha256,"
        " closed_at, closed_by) VALUES (?,?,?,?,?,?,?,?)",
        d);
    if (!st)
        return LEDGER_EIO;
    char at[32];
    ledger_utc_text(at, sizeof at, q->now);
    ledger_bind_text(st, 1, q->period);
    sqlite3_bind_int(st, 2, q->first_day);
    sqlite3_bind_int(st, 3, q->last_day);
    ledger_bind_text(st, 4, run_id);
    ledger_bind_text(st, 5, base_path);
    ledger_bind_text(st, 6, base_sha);
    ledger_bind_text(st, 7, at);
    ledger_bind_text(st, 8, q->user);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ledger_db_fail(l, d, "record the close");
    *id = sqlite3_last_insert_rowid(l->db);
    return LEDGER_OK;
}

/* The run ID in a payroll file's first data row (column run_id), into id[size]; "" if none. */
static int payroll_run_id(const char *path, char *id, size_t size, struct diag *d)
{
    id[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        diag_error(d, path, 0, "cannot read the payroll file: %s", strerror(errno));
        return LEDGER_EDATA;
    }
    char hdr[1024], row[4096];
    if (!fgets(hdr, sizeof hdr, f) || !fgets(row, sizeof row, f)) {
        fclose(f);
        return LEDGER_OK;
    }
    fclose(f);
    hdr[strcspn(hdr, "\r\n")] = 0;
    row[strcspn(row, "\r\n")] = 0;
    /* run_id is the last column sametable writes; its value never holds a comma or quote. */
    const char *h = strrchr(hdr, ',');
    const char *v = strrchr(row, ',');
    if (h && v && !strcmp(h + 1, "run_id"))
        put_text(id, size, "%s", v + 1);
    return LEDGER_OK;
}

/* Copy a run's rows (run_line or run_row) into the close `id` with one INSERT … SELECT. */
static int copy_run(struct ledger *l, const char *sql, int64_t id, const char *run_id,
                    const char *what, struct diag *d)
{
    sqlite3_stmt *st = ledger_prepare(l, sql, d);
    if (!st)
        return LEDGER_EIO;
    sqlite3_bind_int64(st, 1, id);
    ledger_bind_text(st, 2, run_id);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? LEDGER_OK : ledger_db_fail(l, d, what);
}

int ledger_close_period(struct ledger *l, const struct ledger_close_req *q, struct diag *d)
{
    ledger_test_step(l); /* 1: locked, nothing begun */
    int rc = ledger_exec(l, "BEGIN IMMEDIATE", d);
    if (rc)
        return rc;
    ledger_test_step(l); /* 2 */
    sqlite3_stmt *st =
        ledger_prepare(l,
                       "SELECT period, first_day, last_day, published_at IS NOT NULL,"
                       " coalesce(payroll_sha256, ''), coalesce(payroll_path, '')"
                       " FROM run WHERE run_id = ?",
                       d);
    if (!st)
        goto fail;
    ledger_bind_text(st, 1, q->run_id);
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (step != SQLITE_DONE) {
            rc = ledger_db_fail(l, d, "read the run");
            goto fail;
        }
        diag_error(d, l->path, 0,
                   "ledger: no run '%s' in the ledger: close the run ID printed in the payroll "
                   "file payroll imported (its run_id column)",
                   q->run_id);
        rc = LEDGER_EREFUSED;
        goto fail;
    }
    char run_period[32], sha[65], ppath[4096];
    put_text(run_period, sizeof run_period, "%s", ledger_col_text(st, 0));
    int32_t f0 = sqlite3_column_int(st, 1), f1 = sqlite3_column_int(st, 2);
    bool published = sqlite3_column_int(st, 3) != 0;
    put_text(sha, sizeof sha, "%s", ledger_col_text(st, 4));
    put_text(ppath, sizeof ppath, "%s", ledger_col_text(st, 5));
    sqlite3_finalize(st);
    if (!published) {
        diag_error(d, l->path, 0,
                   "ledger: run '%s' was never published (it failed or was stopped before its "
                   "outputs were switched into place), so payroll cannot have imported it",
                   q->run_id);
        rc = LEDGER_EREFUSED;
        goto fail;
    }
    if (f0 != q->first_day || f1 != q->last_day) {
        diag_error(d, l->path, 0, "ledger: run '%s' is a run over %s, not %s", q->run_id,
                   run_period, q->period);
        rc = LEDGER_EREFUSED;
        goto fail;
    }
    if (q->payroll_path) {
        char file_id[64];
        if ((rc = payroll_run_id(q->payroll_path, file_id, sizeof file_id, d)))
            goto fail;
        if (strcmp(file_id, q->run_id)) {
            diag_error(d, q->payroll_path, 0,
                       "ledger: this payroll file was written by run '%s', not '%s': close the "
                       "run whose payroll file payroll imported",
                       file_id[0] ? file_id : "(none)", q->run_id);
            rc = LEDGER_EREFUSED;
            goto fail;
        }
        char got[65];
        int64_t size;
        int e = sha256_file(q->payroll_path, got, &size);
        if (e) {
            diag_error(d, q->payroll_path, 0, "cannot read the payroll file: %s", strerror(e));
            rc = LEDGER_EDATA;
            goto fail;
        }
        if (strcmp(got, sha)) {
            diag_error(d, q->payroll_path, 0,
                       "ledger: this file is not the payroll file run '%s' published (%s): its "
                       "SHA-256 differs, so it was changed after the run",
                       q->run_id, ppath);
            rc = LEDGER_EREFUSED;
            goto fail;
        }
    }
    if ((rc = check_order(l, q, d)))
        goto fail;
    ledger_test_step(l); /* 3 */
    int64_t id;
    if ((rc = insert_close(l, q, q->run_id, NULL, NULL, &id, d)))
        goto fail;
    ledger_test_step(l); /* 4 */
    if ((rc = copy_run(l,
                       "INSERT INTO posted SELECT ?, seq, entry, person, payout_period,"
                       " component, kind, deal, attain, about, about_last, amount, pay_amount,"
                       " pay_currency, fx_rate, note, ref, calc FROM run_line WHERE run_id = ?",
                       id, q->run_id, "post the run's lines", d)))
        goto fail;
    ledger_test_step(l); /* 5 */
    if ((rc = copy_run(l,
                       "INSERT INTO posted_row SELECT ?, seq, person, payout_period, earned,"
                       " adjustments, balance_in, recovered, draw_in, draw_out, balance_out,"
                       " forgiven, payable, pay, pay_currency, fx_rate FROM run_row"
                       " WHERE run_id = ?",
                       id, q->run_id, "post the run's payroll rows", d)))
        goto fail;
    ledger_test_step(l); /* 6 */
    if ((rc = record_event(l, "close", q, q->run_id, q->payroll_path ? q->payroll_path : "", d)))
        goto fail;
    ledger_test_step(l); /* 7: everything written, not committed */
    if ((rc = ledger_exec(l, "COMMIT", d)))
        goto fail;
    ledger_test_step(l); /* 8: committed */
    return LEDGER_OK;
fail:
    ledger_rollback(l);
    return rc ? rc : LEDGER_EIO;
}

/* ---- baseline ----------------------------------------------------------------------------------
 */

/* Split one CSV record (RFC 4180, as sametable writes it) into fields; modifies line. */
static size_t split_csv(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        char *out = p;
        f[n++] = out;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p)
                    break;
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            while (*p && *p != ',')
                p++;
        } else {
            while (*p && *p != ',')
                *out++ = *p++;
        }
        bool more = *p == ',';
        if (*p)
            p++;
        *out = 0;
        if (!more)
            break;
    }
    return n;
}

static int col_of(char **h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(h[i], name))
            return (int)i;
    return -1;
}

int ledger_baseline(struct ledger *l, const struct ledger_close_req *q, struct diag *d)
{
    char sha[65];
    int64_t size;
    int e = sha256_file(q->payroll_path, sha, &size);
    if (e) {
        diag_error(d, q->payroll_path, 0, "cannot read the baseline payroll file: %s", strerror(e));
        return LEDGER_EDATA;
    }
    FILE *f = fopen(q->payroll_path, "r");
    if (!f) {
        diag_error(d, q->payroll_path, 0, "cannot read the baseline payroll file: %s",
                   strerror(errno));
        return LEDGER_EDATA;
    }
    int rc = ledger_exec(l, "BEGIN IMMEDIATE", d);
    if (rc) {
        fclose(f);
        return rc;
    }
    if ((rc = check_order(l, q, d)))
        goto fail;
    int64_t id;
    if ((rc = insert_close(l, q, NULL, q->payroll_path, sha, &id, d)))
        goto fail;
    char line[8192];
    char *h[16], *v[16];
    char hdr[8192];
    if (!fgets(hdr, sizeof hdr, f)) {
        diag_error(d, q->payroll_path, 1, "the baseline payroll file is empty");
        rc = LEDGER_EDATA;
        goto fail;
    }
    hdr[strcspn(hdr, "\r\n")] = 0;
    if (!strncmp(hdr, "\xEF\xBB\xBF", 3))
        memmove(hdr, hdr + 3, strlen(hdr + 3) + 1);
    size_t nh = split_csv(hdr, h, 16);
    int c_person = col_of(h, nh, "person_id"), c_amount = col_of(h, nh, "amount"),
        c_cur = col_of(h, nh, "currency"), c_period = col_of(h, nh, "period");
    if (c_person < 0 || c_amount < 0 || c_cur < 0 || c_period < 0) {
        diag_error(d, q->payroll_path, 1,
                   "a baseline needs sametable's payroll columns person_id, amount, currency and "
                   "period");
        rc = LEDGER_EDATA;
        goto fail;
    }
    sqlite3_stmt *st =
        ledger_prepare(l, "INSERT INTO posted VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", d);
    sqlite3_stmt *sr =
        ledger_prepare(l, "INSERT INTO posted_row VALUES (?,?,?,?,?,0,0,0,0,0,0,0,?,?,?,'1')", d);
    if (!st || !sr) {
        sqlite3_finalize(st);
        sqlite3_finalize(sr);
        rc = LEDGER_EIO;
        goto fail;
    }
    uint64_t lineno = 1;
    int64_t seq = 0;
    int digits = money_minor_digits(q->currency);
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0])
            continue;
        size_t n = split_csv(line, v, 16);
        if (n != nh) {
            diag_error(d, q->payroll_path, lineno, "%zu fields, the header has %zu", n, nh);
            rc = LEDGER_EDATA;
            break;
        }
        const char *amt = v[c_amount];
        struct money_fmt mf = {.decimal = '.', .thousands = 0, .minor_digits = digits};
        struct money_parsed mp;
        if (strcmp(v[c_cur], q->currency)) {
            diag_error(d, q->payroll_path, lineno,
                       "column 'currency', value '%s': a baseline records amounts in the reporting "
                       "currency %s (convert this row or leave that person's months out)",
                       v[c_cur], q->currency);
            rc = LEDGER_EDATA;
            break;
        }
        if (money_parse(amt, strlen(amt), &mf, &mp)) {
            diag_error(d, q->payroll_path, lineno, "column 'amount', value '%s': not an amount",
                       amt);
            rc = LEDGER_EDATA;
            break;
        }
        struct ledger_line x = {.entry = LE_BASELINE,
                                .person = v[c_person],
                                .payout_period = v[c_period],
                                .about = v[c_period],
                                .amount = mp.minor,
                                .pay_amount = mp.minor,
                                .pay_currency = v[c_cur],
                                .fx_rate = "1",
                                .note = "paid before the ledger (baseline payroll file)"};
        char owner[32];
        put_text(owner, sizeof owner, "%" PRId64, id);
        sqlite3_reset(st);
        if ((rc = ledger_insert_line(l, st, owner, seq, &x, d)))
            break;
        sqlite3_reset(sr);
        sqlite3_bind_int64(sr, 1, id);
        sqlite3_bind_int64(sr, 2, seq);
        ledger_bind_text(sr, 3, v[c_person]);
        ledger_bind_text(sr, 4, v[c_period]);
        sqlite3_bind_int64(sr, 5, mp.minor);
        sqlite3_bind_int64(sr, 6, mp.minor);
        sqlite3_bind_int64(sr, 7, mp.minor);
        ledger_bind_text(sr, 8, v[c_cur]);
        if (sqlite3_step(sr) != SQLITE_DONE) {
            rc = ledger_db_fail(l, d, "record a baseline row");
            break;
        }
        seq++;
    }
    sqlite3_finalize(st);
    sqlite3_finalize(sr);
    if (rc)
        goto fail;
    char detail[4200];
    put_text(detail, sizeof detail, "%s (%" PRId64 " rows, sha256 %s)", q->payroll_path, seq, sha);
    if ((rc = record_event(l, "baseline", q, NULL, detail, d)))
        goto fail;
    fclose(f);
    return ledger_exec(l, "COMMIT", d);
fail:
    fclose(f);
    ledger_rollback(l);
    return rc ? rc : LEDGER_EIO;
}

int ledger_reopen(struct ledger *l, const struct ledger_close_req *q, struct diag *d)
{
    int rc = ledger_exec(l, "BEGIN IMMEDIATE", d);
    if (rc)
        return rc;
    struct last_close c;
    if ((rc = latest_close(l, &c, d)))
        goto fail;
    if (!c.id) {
        diag_error(d, l->path, 0, "ledger: no period is closed, so there is nothing to reopen");
        rc = LEDGER_EREFUSED;
        goto fail;
    }
    if (strcmp(c.period, q->period)) {
        diag_error(d, l->path, 0,
                   "ledger: only the latest closed period (%s) can be reopened, not %s: later "
                   "closes built on it",
                   c.period, q->period);
        rc = LEDGER_EREFUSED;
        goto fail;
    }
    sqlite3_stmt *st = ledger_prepare(
        l, "UPDATE close SET reopened_at = ?, reopened_by = ?, reopen_reason = ? WHERE id = ?", d);
    if (!st)
        goto fail;
    char at[32];
    ledger_utc_text(at, sizeof at, q->now);
    ledger_bind_text(st, 1, at);
    ledger_bind_text(st, 2, q->user);
    ledger_bind_text(st, 3, q->reason);
    sqlite3_bind_int64(st, 4, c.id);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) {
        rc = ledger_db_fail(l, d, "reopen");
        goto fail;
    }
    if ((rc = record_event(l, "reopen", q, c.run_id, q->reason, d)))
        goto fail;
    return ledger_exec(l, "COMMIT", d);
fail:
    ledger_rollback(l);
    return rc ? rc : LEDGER_EIO;
}

/* ---- backup, export
 * ------------------------------------------------------------------------------ */

int ledger_backup(struct ledger *l, const char *file, struct diag *d)
{
    char tmp[4200];
    put_text(tmp, sizeof tmp, "%s.tmp.%d", file, (int)getpid());
    sqlite3 *dst = NULL;
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        diag_error(d, file, 0, "ledger backup: cannot create: %s",
                   dst ? sqlite3_errmsg(dst) : "out of memory");
        sqlite3_close(dst);
        unlink(tmp);
        return LEDGER_EIO;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", l->db, "main");
    int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
    if (b)
        sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        diag_error(d, file, 0, "ledger backup: %s", sqlite3_errmsg(dst));
        sqlite3_close(dst);
        unlink(tmp);
        return LEDGER_EIO;
    }
    /* A backup is a self-contained file: no WAL beside it. */
    sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
    if (sqlite3_close(dst) != SQLITE_OK || rename(tmp, file) != 0) {
        diag_error(d, file, 0, "ledger backup: cannot put the copy into place: %s",
                   strerror(errno));
        unlink(tmp);
        return LEDGER_EIO;
    }
    return LEDGER_OK;
}

int ledger_export(struct ledger *l, const char *file, struct diag *d)
{
    sqlite3_stmt *st = ledger_prepare(
        l,
        "SELECT c.period, coalesce(c.run_id, ''), c.closed_at, c.closed_by,"
        " CASE WHEN c.reopened_at IS NULL THEN 'closed' ELSE 'reopened' END,"
        " coalesce(c.reopened_at, ''), p.entry, p.person, p.payout_period, p.component, p.kind,"
        " p.deal, p.attain, p.about, p.amount, r.currency, p.pay_amount, p.pay_currency,"
        " p.fx_rate, p.note, p.ref, p.calc FROM posted p JOIN close c ON c.id = p.close_id"
        " LEFT JOIN run r ON r.run_id = c.run_id ORDER BY c.id, p.seq",
        d);
    if (!st)
        return LEDGER_EIO;
    struct csvout o;
    if (csvout_open(&o, file, d)) {
        sqlite3_finalize(st);
        return LEDGER_EIO;
    }
    static const char *const hdr[] = {
        "period",      "run_id",     "closed_at",         "closed_by",     "status",
        "reopened_at", "entry",      "person_id",         "payout_period", "component",
        "kind",        "deal_id",    "attainment_period", "about_period",  "amount",
        "currency",    "pay_amount", "pay_currency",      "fx_rate",       "note",
        "ref",         "calculation"};
    for (size_t i = 0; i < ARRAY_LEN(hdr); i++)
        csvout_text(&o, hdr[i]);
    csvout_end_row(&o);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < 22; i++) {
            if (i == 14 || i == 16) {
                const char *cur = ledger_col_text(st, i + 1);
                int dg = cur[0] ? money_minor_digits(cur) : 2;
                csvout_money(&o, sqlite3_column_int64(st, i), dg < 0 ? 2 : dg);
            } else {
                csvout_text(&o, ledger_col_text(st, i));
            }
        }
        csvout_end_row(&o);
    }
    sqlite3_finalize(st);
    int rc = csvout_close(&o, d) ? LEDGER_EIO : LEDGER_OK;
    if (step != SQLITE_DONE)
        return ledger_db_fail(l, d, "export");
    return rc;
}

/* ---- history -----------------------------------------------------------------------------------
 */

static void money_text(char *buf, size_t n, int64_t v, int digits)
{
    money_format_grouped(buf, n, v, digits);
}

int ledger_history(struct ledger *l, const char *person, int digits, FILE *fp, struct diag *d)
{
    sqlite3_stmt *cl = ledger_prepare(
        l,
        "SELECT c.id, c.period, coalesce(c.run_id, 'baseline'), c.closed_at, c.closed_by,"
        " coalesce(c.reopened_at, ''), coalesce(c.reopen_reason, '') FROM close c"
        " WHERE EXISTS (SELECT 1 FROM posted p WHERE p.close_id = c.id AND p.person = ?1)"
        " OR EXISTS (SELECT 1 FROM posted_row r WHERE r.close_id = c.id AND r.person = ?1)"
        " ORDER BY c.id",
        d);
    sqlite3_stmt *ln =
        ledger_prepare(l,
                       "SELECT entry, component, kind, deal, about, amount, note, calc FROM posted"
                       " WHERE close_id = ? AND person = ? ORDER BY seq",
                       d);
    sqlite3_stmt *rw = ledger_prepare(
        l,
        "SELECT payout_period, earned, adjustments, balance_in, recovered, draw_in, draw_out,"
        " balance_out, payable, pay, pay_currency, fx_rate FROM posted_row"
        " WHERE close_id = ? AND person = ? ORDER BY seq",
        d);
    if (!cl || !ln || !rw) {
        sqlite3_finalize(cl);
        sqlite3_finalize(ln);
        sqlite3_finalize(rw);
        return LEDGER_EIO;
    }
    ledger_bind_text(cl, 1, person);
    int64_t paid_total = 0;
    size_t n_closes = 0;
    char a[40], b[40], c[40], e[40], f[40];
    while (sqlite3_step(cl) == SQLITE_ROW) {
        n_closes++;
        int64_t id = sqlite3_column_int64(cl, 0);
        bool reopened = ledger_col_text(cl, 5)[0] != 0;
        fprintf(fp, "%s  closed %s by %s, run %s%s%s%s\n", ledger_col_text(cl, 1),
                ledger_col_text(cl, 3), ledger_col_text(cl, 4), ledger_col_text(cl, 2),
                reopened ? " — REOPENED " : "", reopened ? ledger_col_text(cl, 5) : "",
                reopened ? " (not counted as paid)" : "");
        if (reopened && ledger_col_text(cl, 6)[0])
            fprintf(fp, "  reason: %s\n", ledger_col_text(cl, 6));
        sqlite3_reset(ln);
        sqlite3_bind_int64(ln, 1, id);
        ledger_bind_text(ln, 2, person);
        while (sqlite3_step(ln) == SQLITE_ROW) {
            /* each line as explain shows it: what it is, its amount, its arithmetic */
            const char *entry = ledger_col_text(ln, 0), *kind = ledger_col_text(ln, 2);
            const char *deal = ledger_col_text(ln, 3), *calc = ledger_col_text(ln, 7);
            char what[96];
            if (!strcmp(entry, "line"))
                put_text(what, sizeof what, "%s%s%s", kind, deal[0] ? " " : "", deal);
            else
                put_text(what, sizeof what, "%s%s%s", entry, deal[0] ? " " : "", deal);
            money_text(a, sizeof a, sqlite3_column_int64(ln, 5), digits);
            fprintf(fp, "  %-14s %-22s %14s  %s\n",
                    ledger_col_text(ln, 1)[0] ? ledger_col_text(ln, 1) : "-", what, a,
                    calc[0] ? calc : ledger_col_text(ln, 6));
        }
        sqlite3_reset(rw);
        sqlite3_bind_int64(rw, 1, id);
        ledger_bind_text(rw, 2, person);
        while (sqlite3_step(rw) == SQLITE_ROW) {
            int64_t earned = sqlite3_column_int64(rw, 1), adj = sqlite3_column_int64(rw, 2),
                    bin = sqlite3_column_int64(rw, 3), rec = sqlite3_column_int64(rw, 4),
                    bout = sqlite3_column_int64(rw, 7), payable = sqlite3_column_int64(rw, 8),
                    pay = sqlite3_column_int64(rw, 9);
            money_text(a, sizeof a, earned, digits);
            money_text(b, sizeof b, adj, digits);
            money_text(c, sizeof c, rec, digits);
            money_text(e, sizeof e, payable, digits);
            const char *cur = ledger_col_text(rw, 10);
            int pd = cur[0] ? money_minor_digits(cur) : digits;
            money_text(f, sizeof f, pay, pd < 0 ? digits : pd);
            fprintf(fp, "  %s: earned %s + adjustments %s − recovered %s = payable %s",
                    ledger_col_text(rw, 0), a, b, c, e);
            if (strcmp(ledger_col_text(rw, 11), "1"))
                fprintf(fp, "; ÷ rate %s = %s %s", ledger_col_text(rw, 11), f, cur);
            fputc('\n', fp);
            if (bin || bout) {
                money_text(a, sizeof a, bin, digits);
                money_text(b, sizeof b, bout, digits);
                fprintf(fp, "  balance owed: %s carried in, %s carried out\n", a, b);
            }
            int64_t din = sqlite3_column_int64(rw, 5), dout = sqlite3_column_int64(rw, 6);
            if (din || dout) {
                money_text(a, sizeof a, din, digits);
                money_text(b, sizeof b, dout, digits);
                fprintf(fp, "  draw to recover: %s carried in, %s carried out\n", a, b);
            }
            if (!reopened)
                paid_total += payable;
        }
    }
    sqlite3_finalize(cl);
    sqlite3_finalize(ln);
    sqlite3_finalize(rw);
    if (!n_closes) {
        diag_error(d, l->path, 0, "ledger: no closed period pays '%s'", person);
        return LEDGER_EREFUSED;
    }
    money_text(a, sizeof a, paid_total, digits);
    fprintf(fp, "paid to date (closed periods not reopened): %s\n", a);
    return LEDGER_OK;
}
