/* test_ledger.c — the ledger's file: creation, schema version, what it refuses, its lock, run IDs,
 * grouped money text.
 *
 * Each test works in its own mkdtemp folder (removed at the end). Criterion runs every test in a
 * fresh process.
 */
#include "ledger.h"

#include "diag.h"
#include "money.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static char dir[64], db[128];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/sametable-ledger-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/ledger.db", dir);
}

static void teardown(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(ledger, .init = setup, .fini = teardown);

static int64_t pragma(const char *path, const char *sql)
{
    sqlite3 *h = NULL;
    cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static void exec(const char *path, const char *sql)
{
    sqlite3 *h = NULL;
    cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    sqlite3_close(h);
}

static bool said(const struct diag *d, const char *text)
{
    for (size_t i = 0; i < d->n; i++)
        if (strstr(d->v[i].message, text))
            return true;
    return false;
}

Test(ledger, creates_the_current_schema_in_wal_mode)
{
    struct diag d;
    diag_init(&d);
    struct ledger l;
    cr_assert_eq(ledger_open(&l, db, &d), LEDGER_OK);
    ledger_close_db(&l);
    cr_assert_eq(pragma(db, "PRAGMA user_version"), LEDGER_SCHEMA);
    cr_assert_eq(pragma(db, "PRAGMA application_id"), 0x53544c47);
    cr_assert_eq(pragma(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), 8);
    sqlite3 *h = NULL;
    sqlite3_open(db, &h);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(h);
    /* a second open of the same file migrates nothing and succeeds */
    cr_assert_eq(ledger_open(&l, db, &d), LEDGER_OK);
    ledger_close_db(&l);
    cr_assert_eq(d.n_errors, 0);
    diag_release(&d);
}

Test(ledger, refuses_a_newer_schema)
{
    struct diag d;
    diag_init(&d);
    struct ledger l;
    cr_assert_eq(ledger_open(&l, db, &d), LEDGER_OK);
    ledger_close_db(&l);
    exec(db, "PRAGMA user_version = 99");
    cr_assert_eq(ledger_open(&l, db, &d), LEDGER_ECONFIG);
    cr_assert(said(&d, "schema version 99 is newer"));
    diag_release(&d);
}

Test(ledger, refuses_another_sqlite_database_and_a_file_that_is_not_one)
{
    struct diag d;
    diag_init(&d);
    struct ledger l;
    exec(db, "CREATE TABLE invoices (id INTEGER)");
    cr_assert_eq(ledger_open(&l, db, &d), LEDGER_ECONFIG);
    cr_assert(said(&d, "not a sametable ledger"));
    char text[160];
    snprintf(text, sizeof text, "%s/notes.txt", dir);
    FILE *f = fopen(text, "w");
    cr_assert_not_null(f);
    fputs("this is not a database, it is a text file long enough to have a header\n", f);
    fclose(f);
    diag_release(&d);
    diag_init(&d);
    cr_assert_eq(ledger_open(&l, text, &d), LEDGER_ECONFIG);
    cr_assert(said(&d, "not a sametable ledger"));
    diag_release(&d);
}

Test(ledger, a_held_lock_is_refused_without_waiting)
{
    struct diag d;
    diag_init(&d);
    char lock[160];
    snprintf(lock, sizeof lock, "%s.lock", db);
    int fd = open(lock, O_RDWR | O_CREAT, 0644);
    cr_assert_geq(fd, 0);
    cr_assert_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
    struct ledger l;
    cr_assert_eq(ledger_open(&l, db, &d), LEDGER_ELOCKED);
    cr_assert(said(&d, "another sametable run or close holds the ledger"));
    close(fd);
    cr_assert_eq(ledger_open(&l, db, &d), LEDGER_OK);
    ledger_close_db(&l);
    diag_release(&d);
}

Test(ledger, a_missing_folder_is_a_configuration_error)
{
    struct diag d;
    diag_init(&d);
    struct ledger l;
    char path[160];
    snprintf(path, sizeof path, "%s/no/such/folder/ledger.db", dir);
    cr_assert_eq(ledger_open(&l, path, &d), LEDGER_ECONFIG);
    cr_assert(said(&d, "cannot use the folder"));
    diag_release(&d);
}

Test(ledger, run_ids_are_time_and_random)
{
    unsetenv("SAMETABLE_TEST_RUN_ID");
    char a[40], b[40];
    ledger_new_run_id(a, sizeof a, 1796630400); /* 2026-12-07 08:00:00 UTC */
    ledger_new_run_id(b, sizeof b, 1796630400);
    cr_assert_eq(strlen(a), strlen("20261207T080000Z-0123abcd"));
    cr_assert_eq(strncmp(a, "20261207T080000Z-", 17), 0, "%s", a);
    cr_assert_str_neq(a, b); /* 32 random bits each: equal once in 4 billion */
    setenv("SAMETABLE_TEST_RUN_ID", "fixed", 1);
    ledger_new_run_id(a, sizeof a, 1796630400);
    cr_assert_str_eq(a, "fixed");
}

Test(ledger, entry_names_round_trip)
{
    for (int e = 0; e < LE_N; e++) {
        enum ledger_entry back;
        cr_assert_eq(ledger_entry_parse(ledger_entry_name((enum ledger_entry)e), &back), 0);
        cr_assert_eq((int)back, e);
    }
    enum ledger_entry x;
    cr_assert_eq(ledger_entry_parse("bonus", &x), -1);
}

Test(ledger, grouped_money_text)
{
    char buf[48];
    money_format_grouped(buf, sizeof buf, 0, 2);
    cr_assert_str_eq(buf, "0.00");
    money_format_grouped(buf, sizeof buf, 99999, 2);
    cr_assert_str_eq(buf, "999.99");
    money_format_grouped(buf, sizeof buf, 100000, 2);
    cr_assert_str_eq(buf, "1,000.00");
    money_format_grouped(buf, sizeof buf, -123456789, 2);
    cr_assert_str_eq(buf, "-1,234,567.89");
    money_format_grouped(buf, sizeof buf, 1234567, 0); /* JPY */
    cr_assert_str_eq(buf, "1,234,567");
    money_format_grouped(buf, sizeof buf, -1000, 3); /* KWD -1.000 */
    cr_assert_str_eq(buf, "-1.000");
}
