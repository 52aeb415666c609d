/* test_publish.c — atomic publication, the run lock, and the basics of the xlsx writer.
 *
 * Each test works in its own mkdtemp folder, removed with everything in it at the end. The
 * publish registry is static, and Criterion runs every test in a fresh process, so tests do not
 * see each other's registrations.
 */
#include "publish.h"
#include "xlsxout.h"

#include "diag.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- fixtures --------------------------------------------------------------------------- */

static char base[64];

/* Remove path and, if it is a directory, everything below it (no symlinks are followed). */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[512];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void setup(void)
{
    strcpy(base, "/tmp/test_publish_XXXXXX");
    cr_assert(mkdtemp(base) != NULL, "mkdtemp failed");
}

static void teardown(void)
{
    remove_tree(base);
}

TestSuite(publish, .init = setup, .fini = teardown);
TestSuite(xlsxout, .init = setup, .fini = teardown);

/* "<base>/<rel>" in buf. */
static const char *in_base(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s/%s", base, rel);
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    cr_assert(fp != NULL, "cannot create %s", path);
    size_t n = strlen(text);
    cr_assert_eq(fwrite(text, 1, n, fp), n);
    cr_assert_eq(fclose(fp), 0);
}

/* The whole file as a string (caller frees), or NULL if it cannot be opened. */
static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = malloc(4096);
    cr_assert(buf != NULL);
    size_t n = fread(buf, 1, 4095, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Entries of dir other than "." and "..", and how many of them contain `needle` (NULL: all). */
static size_t count_entries(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    cr_assert(d != NULL, "cannot open %s", dir);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (!needle || strstr(e->d_name, needle))
            n++;
    }
    closedir(d);
    return n;
}

static bool has_error(const struct diag *d)
{
    return d->n_errors > 0 && d->n > 0 && d->v[0].message && d->v[0].message[0];
}

/* ---- publish: directories ---------------------------------------------------------------- */

Test(publish, prepare_dir_creates_nested_folders)
{
    char dir[160];
    in_base(dir, sizeof dir, "a/b/c");
    struct diag d = DIAG_INIT;
    cr_assert_eq(publish_prepare_dir(dir, &d), PUBLISH_OK);
    struct stat st;
    cr_assert_eq(stat(dir, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(d.n, 0);
    /* Again, on the directory that now exists. */
    cr_assert_eq(publish_prepare_dir(dir, &d), PUBLISH_OK);
    cr_assert_eq(d.n, 0);
    diag_release(&d);
}

Test(publish, prepare_dir_accepts_a_trailing_slash)
{
    char dir[160];
    in_base(dir, sizeof dir, "out/");
    struct diag d = DIAG_INIT;
    cr_assert_eq(publish_prepare_dir(dir, &d), PUBLISH_OK);
    char plain[160];
    struct stat st;
    cr_assert_eq(stat(in_base(plain, sizeof plain, "out"), &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    diag_release(&d);
}

Test(publish, prepare_dir_on_or_under_a_regular_file_fails_with_ecreate)
{
    char file[160];
    write_file(in_base(file, sizeof file, "plain"), "not a directory\n");
    static const char *const rels[] = {"plain", "plain/sub", "plain/sub/deeper"};
    for (size_t i = 0; i < sizeof rels / sizeof rels[0]; i++) {
        char dir[160];
        struct diag d = DIAG_INIT;
        cr_assert_eq(publish_prepare_dir(in_base(dir, sizeof dir, rels[i]), &d), PUBLISH_ECREATE,
                     "%s", rels[i]);
        cr_assert(has_error(&d), "%s: no message", rels[i]);
        diag_release(&d);
    }
    /* The file is untouched. */
    char *text = read_file(file);
    cr_assert(text != NULL);
    cr_assert_str_eq(text, "not a directory\n");
    free(text);
}

/* ---- publish: files ------------------------------------------------------------------------ */

Test(publish, begin_returns_a_temporary_path_inside_the_directory)
{
    struct diag d = DIAG_INIT;
    const char *tmp = publish_begin(base, "payouts-2026-10.xlsx", &d);
    cr_assert(tmp != NULL);
    size_t bl = strlen(base);
    cr_assert_eq(strncmp(tmp, base, bl), 0, "%s is not in %s", tmp, base);
    cr_assert_eq(tmp[bl], '/');
    cr_assert(strchr(tmp + bl + 1, '/') == NULL, "%s is in a subfolder", tmp);
    /* Hidden and marked temporary: ".<name>.tmp.<pid>". */
    char want[96];
    snprintf(want, sizeof want, ".payouts-2026-10.xlsx.tmp.%ld", (long)getpid());
    cr_assert_str_eq(tmp + bl + 1, want);
    cr_assert(strcmp(tmp + bl + 1, "payouts-2026-10.xlsx") != 0);
    /* Nothing exists yet. */
    cr_assert_eq(count_entries(base, NULL), 0);
    publish_abort();
    diag_release(&d);
}

Test(publish, commit_renames_every_file_into_place_with_its_bytes)
{
    struct diag d = DIAG_INIT;
    char dir[160];
    in_base(dir, sizeof dir, "out");
    cr_assert_eq(publish_prepare_dir(dir, &d), PUBLISH_OK);
    static const struct {
        const char *name, *bytes;
    } files[] = {
        {"payroll-2026-10.csv", "person,amount\nP1,1000.01\n"},
        {"rejects-2026-10.csv", "file,line,reason\n"},
        {"attribution-2026-10.xlsx", "PK\x03\x04 not really a zip"},
    };
    size_t n = sizeof files / sizeof files[0];
    for (size_t i = 0; i < n; i++) {
        const char *tmp = publish_begin(dir, files[i].name, &d);
        cr_assert(tmp != NULL);
        write_file(tmp, files[i].bytes);
        char final[200];
        snprintf(final, sizeof final, "%s/%s", dir, files[i].name);
        cr_assert_not(exists(final), "%s visible before commit", files[i].name);
    }
    cr_assert_eq(publish_commit(&d), PUBLISH_OK, "%s", d.n ? d.v[0].message : "");
    for (size_t i = 0; i < n; i++) {
        char final[200];
        snprintf(final, sizeof final, "%s/%s", dir, files[i].name);
        char *text = read_file(final);
        cr_assert(text != NULL, "%s missing", final);
        cr_assert_str_eq(text, files[i].bytes);
        free(text);
        cr_assert(publish_final_path(i) != NULL);
        cr_assert_str_eq(publish_final_path(i), final);
    }
    cr_assert(publish_final_path(n) == NULL);
    cr_assert_eq(count_entries(dir, ".tmp."), 0);
    cr_assert_eq(count_entries(dir, NULL), n);
    cr_assert_eq(d.n, 0);
    diag_release(&d);
}

Test(publish, commit_replaces_an_existing_final_file)
{
    struct diag d = DIAG_INIT;
    char final[160];
    write_file(in_base(final, sizeof final, "payroll-2026-10.csv"), "old\n");
    const char *tmp = publish_begin(base, "payroll-2026-10.csv", &d);
    cr_assert(tmp != NULL);
    write_file(tmp, "new\n");
    cr_assert_eq(publish_commit(&d), PUBLISH_OK);
    char *text = read_file(final);
    cr_assert(text != NULL);
    cr_assert_str_eq(text, "new\n");
    free(text);
    cr_assert_eq(count_entries(base, NULL), 1);
    diag_release(&d);
}

Test(publish, abort_removes_the_temporary_files_and_publishes_nothing)
{
    struct diag d = DIAG_INIT;
    const char *names[] = {"payouts-2026-10.xlsx", "payroll-2026-10.csv"};
    for (size_t i = 0; i < 2; i++) {
        const char *tmp = publish_begin(base, names[i], &d);
        cr_assert(tmp != NULL);
        write_file(tmp, "partial");
        cr_assert(exists(tmp));
    }
    cr_assert_eq(count_entries(base, ".tmp."), 2);
    publish_abort();
    cr_assert_eq(count_entries(base, NULL), 0);
    /* A commit after the abort has nothing left to publish. */
    cr_assert_eq(publish_commit(&d), PUBLISH_OK);
    cr_assert_eq(count_entries(base, NULL), 0);
    cr_assert(publish_final_path(0) == NULL);
    diag_release(&d);
}

Test(publish, begin_refuses_more_than_publish_max_files)
{
    struct diag d = DIAG_INIT;
    for (int i = 0; i < PUBLISH_MAX_FILES; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%d.csv", i);
        cr_assert(publish_begin(base, name, &d) != NULL, "file %d", i);
    }
    cr_assert(publish_begin(base, "one-too-many.csv", &d) == NULL);
    cr_assert(has_error(&d));
    publish_abort();
    diag_release(&d);
}

/* ---- publish: the lock --------------------------------------------------------------------- */

Test(publish, a_second_run_in_another_process_finds_the_lock_held)
{
    struct diag d = DIAG_INIT;
    int fd = -1;
    cr_assert_eq(publish_lock(base, &fd, &d), PUBLISH_OK);
    cr_assert(fd >= 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        struct diag cd = DIAG_INIT;
        int cfd = -1;
        int rc = publish_lock(base, &cfd, &cd);
        int code = rc == PUBLISH_ELOCKED && cfd == -1 && has_error(&cd) ? 0 : 10 + rc;
        diag_release(&cd);
        _exit(code);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status));
    cr_assert_eq(WEXITSTATUS(status), 0, "child saw status %d", WEXITSTATUS(status) - 10);

    /* Once the parent lets go, another process gets it. */
    publish_unlock(fd);
    pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        struct diag cd = DIAG_INIT;
        int cfd = -1;
        int rc = publish_lock(base, &cfd, &cd);
        publish_unlock(cfd);
        diag_release(&cd);
        _exit(rc == PUBLISH_OK ? 0 : 10 + rc);
    }
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status));
    cr_assert_eq(WEXITSTATUS(status), 0);
    diag_release(&d);
}

Test(publish, a_second_lock_in_the_same_process_also_conflicts)
{
    /* flock belongs to the open file description, so a second open + flock conflicts. */
    struct diag d = DIAG_INIT;
    int fd1 = -1, fd2 = -1;
    cr_assert_eq(publish_lock(base, &fd1, &d), PUBLISH_OK);
    cr_assert_eq(publish_lock(base, &fd2, &d), PUBLISH_ELOCKED);
    cr_assert_eq(fd2, -1);
    cr_assert(has_error(&d));
    publish_unlock(fd1);
    cr_assert_eq(publish_lock(base, &fd2, &d), PUBLISH_OK);
    publish_unlock(fd2);
    diag_release(&d);
}

Test(publish, the_lock_lives_in_the_output_directory)
{
    struct diag d = DIAG_INIT;
    int fd = -1;
    cr_assert_eq(publish_lock(base, &fd, &d), PUBLISH_OK);
    char path[160];
    cr_assert(exists(in_base(path, sizeof path, ".sametable.lock")));
    publish_unlock(fd);
    /* A directory that does not exist cannot be locked. */
    cr_assert_eq(publish_lock(in_base(path, sizeof path, "missing"), &fd, &d), PUBLISH_ECREATE);
    cr_assert_eq(fd, -1);
    diag_release(&d);
}

/* ---- xlsxout ----------------------------------------------------------------------------- */

Test(xlsxout, xs_cell_names_cells_like_a_spreadsheet)
{
    static const struct {
        uint32_t row;
        uint16_t col;
        const char *want;
    } cases[] = {
        {0, 0, "A1"},
        {11, 1, "B12"},
        {0, 25, "Z1"},
        {0, 26, "AA1"}, /* 26 = 1·26 + 0 */
        {0, 27, "AB1"},
        {0, 51, "AZ1"}, /* 51 = 1·26 + 25 */
        {0, 52, "BA1"},
        {0, 701, "ZZ1"},    /* 701 = 26·26 + 25 */
        {0, 702, "AAA1"},   /* 702 = 26 + 26² */
        {0, 16383, "XFD1"}, /* X=24, F=6, D=4: 24·676 + 6·26 + 4 = 16384 (1-based) */
        {1048575, 16383, "XFD1048576"},
        {99, 2, "C100"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[16];
        cr_assert_str_eq(xs_cell(buf, cases[i].row, cases[i].col), cases[i].want, "row %u col %u",
                         cases[i].row, (unsigned)cases[i].col);
    }
}

Test(xlsxout, xs_major_divides_minor_units_by_ten_to_the_digits)
{
    static const struct {
        int64_t minor;
        int digits;
        double want;
    } cases[] = {
        {12345, 2, 123.45}, {12345, 0, 12345.0}, {12345, 3, 12.345},   {-12345, 2, -123.45},
        {0, 2, 0.0},        {1, 2, 0.01},        {100001, 2, 1000.01},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* Both sides are the nearest double to the decimal, so exact comparison is right. */
        double got = xs_major(cases[i].minor, cases[i].digits);
        cr_assert(got == cases[i].want, "%lld/10^%d = %.17g", (long long)cases[i].minor,
                  cases[i].digits, got);
    }
}

static const struct xbook_props PROPS = {"Test book", "unit test", "Example Co", 20757, 2, "USD"};

static bool starts_with_pk(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    char magic[2] = {0, 0};
    size_t n = fread(magic, 1, 2, fp);
    fclose(fp);
    return n == 2 && magic[0] == 'P' && magic[1] == 'K';
}

Test(xlsxout, a_workbook_with_every_cell_kind_closes_cleanly_as_a_zip_file)
{
    char path[160];
    in_base(path, sizeof path, "book.xlsx");
    struct diag d = DIAG_INIT;
    struct xbook *b = xbook_create(path, &PROPS, &d);
    cr_assert(b != NULL, "%s", d.n ? d.v[0].message : "");
    struct xsheet *s = xbook_add_sheet(b, "Data");
    cr_assert(s != NULL);
    xs_text(s, 0, 0, "Campaign", XS_HEADER);
    xs_text(s, 0, 1, "Amount", XS_HEADER);
    /* Invalid UTF-8 (a lone continuation byte, a truncated sequence, an overlong '/'),
     * control characters XML forbids, and text that looks like a formula. */
    xs_text(s, 1, 0, "bad \x80 byte \xC3 and \xC0\xAF", XS_PLAIN);
    xs_text(s, 2, 0, "bell \x07 and escape \x1B", XS_PLAIN);
    xs_text(s, 3, 0, "=HYPERLINK(\"http://example.com\")", XS_PLAIN);
    xs_text(s, 4, 0, "Gr\xC3\xBC\xC3\x9F \xE2\x82\xAC", XS_BOLD);
    xs_money(s, 1, 1, 2000010, XS_MONEY);
    xs_money(s, 2, 1, -100001, XS_MONEY);
    xs_formula_money(s, 3, 1, "=SUM(B2:B3)", 1900009, XS_MONEY_TOTAL);
    xs_formula(s, 4, 1, "=B4*2", 38000.18, XS_PLAIN);
    xs_date(s, 5, 1, 20757, XS_DATE);
    xs_int(s, 6, 1, 42, XS_INT);
    xs_number(s, 7, 1, 0.125, XS_PCT);
    xs_col_width(s, 0, 1, 24.0);
    xs_freeze(s, 1, 0);
    xs_autofilter(s, 0, 0, 7, 1);
    xs_hide_gridlines(s);
    xs_tab_color(s, 0x336699);
    struct xsheet *s2 = xbook_add_sheet(b, "Second sheet");
    cr_assert(s2 != NULL);
    xs_text(s2, 0, 0, "", XS_NOTE);
    cr_assert_eq(xbook_close(b, &d), 0, "%s", d.n ? d.v[0].message : "");
    cr_assert_eq(d.n, 0);
    cr_assert(starts_with_pk(path));
    diag_release(&d);
}

Test(xlsxout, text_longer_than_a_cell_holds_is_cut_not_refused)
{
    /* 40,000 two-byte characters: more than the 32,767 characters a cell may hold. */
    size_t n = 40000;
    char *text = malloc(2 * n + 1);
    cr_assert(text != NULL);
    for (size_t i = 0; i < n; i++)
        memcpy(text + 2 * i, "\xC3\xA9", 2);
    text[2 * n] = '\0';
    char path[160];
    in_base(path, sizeof path, "long.xlsx");
    struct diag d = DIAG_INIT;
    struct xbook *b = xbook_create(path, &PROPS, &d);
    cr_assert(b != NULL);
    struct xsheet *s = xbook_add_sheet(b, "Long");
    xs_text(s, 0, 0, text, XS_PLAIN);
    memset(text, 'a', 2 * n);
    xs_text(s, 1, 0, text, XS_PLAIN);
    free(text);
    cr_assert_eq(xbook_close(b, &d), 0, "%s", d.n ? d.v[0].message : "");
    cr_assert(starts_with_pk(path));
    diag_release(&d);
}

Test(xlsxout, a_failed_write_is_reported_at_close_with_its_sheet_and_cell)
{
    char path[160];
    in_base(path, sizeof path, "bad.xlsx");
    struct diag d = DIAG_INIT;
    struct xbook *b = xbook_create(path, &PROPS, &d);
    cr_assert(b != NULL);
    struct xsheet *s = xbook_add_sheet(b, "Data");
    xs_number(s, 0, 0, 1.0, XS_PLAIN);
    /* Row 1,048,576 (0-based) is one past the last row a sheet has; the first failure is
     * latched, the second not reported. */
    xs_number(s, 1048576, 0, 1.0, XS_PLAIN);
    xs_number(s, 1048576, 1, 1.0, XS_PLAIN);
    cr_assert_eq(xbook_close(b, &d), -1);
    cr_assert_eq(d.n, 1);
    cr_assert(strstr(d.v[0].message, "Data!A1048577") != NULL, "%s", d.v[0].message);
    diag_release(&d);
}

Test(xlsxout, xbook_close_accepts_null)
{
    struct diag d = DIAG_INIT;
    cr_assert_eq(xbook_close(NULL, &d), 0);
    cr_assert_eq(d.n, 0);
}

Test(xlsxout, xbook_create_in_a_missing_folder_fails_with_a_message)
{
    char path[160];
    in_base(path, sizeof path, "missing/book.xlsx");
    struct diag d = DIAG_INIT;
    struct xbook *b = xbook_create(path, &PROPS, &d);
    if (b) {
        /* libxlsxwriter may only find out when writing: then close must fail. */
        cr_assert_eq(xbook_close(b, &d), -1);
    }
    cr_assert(has_error(&d));
    cr_assert_not(exists(path));
    diag_release(&d);
}
