/* test_publish.c — atomic publication, the run lock, and the basics of the xlsx writer.
 *
 * Each test works in its own mkdtemp folder, removed with everything in it at the end. The
 * publish registry is static, and Criterion runs every test in a fresh process, so tests do not
 * see each other's registrations.
 */
#include "publish.h"
#include "xlsxout.h"
#include "zipcheck.h"

#include "diag.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

/* Take the lock on base (every set needs it); the caller unlocks. */
static int lock_base(void)
{
    struct diag d = DIAG_INIT;
    int fd = -1;
    cr_assert_eq(publish_lock(base, &fd, &d), PUBLISH_OK, "%s", d.n ? d.v[0].message : "");
    cr_assert_eq(d.n_errors, 0); /* a recovery adds a warning */
    diag_release(&d);
    return fd;
}

static const char *manifest(char *buf, size_t size)
{
    return in_base(buf, size, ".sametable.publish");
}

Test(publish, begin_returns_a_temporary_path_inside_the_directory)
{
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    const char *tmp = NULL;
    cr_assert_eq(publish_begin(base, "payouts-2026-10.xlsx", &tmp, &d), PUBLISH_OK);
    cr_assert(tmp != NULL);
    size_t bl = strlen(base);
    cr_assert_eq(strncmp(tmp, base, bl), 0, "%s is not in %s", tmp, base);
    cr_assert_eq(tmp[bl], '/');
    cr_assert(strchr(tmp + bl + 1, '/') == NULL, "%s is in a subfolder", tmp);
    /* Hidden and marked temporary: ".<name>.tmp.<pid>". */
    char want[96];
    snprintf(want, sizeof want, ".payouts-2026-10.xlsx.tmp.%ld", (long)getpid());
    cr_assert_str_eq(tmp + bl + 1, want);
    /* Nothing is staged on disk yet; the journal already names it, before it can exist. */
    cr_assert_eq(count_entries(base, ".tmp."), 0);
    char mp[160], line[600];
    char *text = read_file(manifest(mp, sizeof mp));
    cr_assert(text != NULL, "no journal");
    snprintf(line, sizeof line, "sametable publish 1 staging\nfile\t%s\t%s/payouts-2026-10.xlsx\n",
             tmp, base);
    cr_assert_str_eq(text, line);
    free(text);
    publish_abort();
    cr_assert_not(exists(mp), "abort leaves the journal");
    publish_unlock(fd);
    diag_release(&d);
}

Test(publish, commit_renames_every_file_into_place_with_its_bytes)
{
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    char dir[160];
    in_base(dir, sizeof dir, "out"); /* created by publish_begin */
    static const struct {
        const char *name, *bytes;
    } files[] = {
        {"payroll-2026-10.csv", "person,amount\nP1,1000.01\n"},
        {"rejects-2026-10.csv", "file,line,reason\n"},
        {"attribution-2026-10.xlsx", "PK\x03\x04 not really a zip"},
    };
    size_t n = sizeof files / sizeof files[0];
    for (size_t i = 0; i < n; i++) {
        const char *tmp = NULL;
        cr_assert_eq(publish_begin(dir, files[i].name, &tmp, &d), PUBLISH_OK);
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
    }
    cr_assert_eq(count_entries(dir, ".tmp."), 0);
    cr_assert_eq(count_entries(dir, NULL), n);
    char mp[160];
    cr_assert_not(exists(manifest(mp, sizeof mp)), "the manifest outlives the switch");
    cr_assert_eq(d.n, 0);
    publish_unlock(fd);
    diag_release(&d);
}

Test(publish, commit_replaces_an_existing_final_file)
{
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    char final[160];
    write_file(in_base(final, sizeof final, "payroll-2026-10.csv"), "old\n");
    const char *tmp = NULL;
    cr_assert_eq(publish_begin(base, "payroll-2026-10.csv", &tmp, &d), PUBLISH_OK);
    write_file(tmp, "new\n");
    cr_assert_eq(publish_commit(&d), PUBLISH_OK);
    char *text = read_file(final);
    cr_assert(text != NULL);
    cr_assert_str_eq(text, "new\n");
    free(text);
    cr_assert_eq(count_entries(base, NULL), 2, "the file and the lock");
    publish_unlock(fd);
    diag_release(&d);
}

Test(publish, abort_removes_the_temporary_files_and_publishes_nothing)
{
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    const char *names[] = {"payouts-2026-10.xlsx", "payroll-2026-10.csv"};
    for (size_t i = 0; i < 2; i++) {
        const char *tmp = NULL;
        cr_assert_eq(publish_begin(base, names[i], &tmp, &d), PUBLISH_OK);
        write_file(tmp, "partial");
        cr_assert(exists(tmp));
    }
    cr_assert_eq(count_entries(base, ".tmp."), 2);
    publish_abort();
    cr_assert_eq(count_entries(base, NULL), 1, "only the lock is left");
    /* A commit after the abort has nothing left to publish. */
    cr_assert_eq(publish_commit(&d), PUBLISH_OK);
    cr_assert_eq(count_entries(base, NULL), 1);
    publish_unlock(fd);
    diag_release(&d);
}

Test(publish, begin_refuses_a_directory_it_cannot_create_and_a_bad_name)
{
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    char file[160], dir[160];
    write_file(in_base(file, sizeof file, "plain"), "not a directory\n");
    const char *tmp = "x";
    cr_assert_eq(publish_begin(in_base(dir, sizeof dir, "plain/2026-10"), "P1.xlsx", &tmp, &d),
                 PUBLISH_ECREATE);
    cr_assert(tmp == NULL);
    cr_assert(has_error(&d));
    static const char *const bad[] = {"", ".", "..", "a/b.xlsx"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(publish_begin(base, bad[i], &tmp, &d), PUBLISH_ECREATE, "'%s'", bad[i]);
    publish_abort();
    publish_unlock(fd);
    diag_release(&d);
}

/* ---- publish: sets of any size across directories ------------------------------------------ */

/* A set: file i is "f<i>.txt" in dirs[i % N_DIRS] with the text "gen <g> file <i>\n". The
 * statements directory is nested and new, as DIR/<period>/ is on a first run. */
#define N_DIRS 3
static const char *const set_dirs[N_DIRS] = {"out", "stmts/2026-10", "out/more"};

static void set_paths(char *final, size_t size, size_t i)
{
    snprintf(final, size, "%s/%s/f%zu.txt", base, set_dirs[i % N_DIRS], i);
}

/* Stage and write the n files of generation g (lock held). Returns a status. */
static int stage_set(int g, size_t n)
{
    struct diag d = DIAG_INIT;
    int rc = PUBLISH_OK;
    for (size_t i = 0; i < n && rc == PUBLISH_OK; i++) {
        char dir[160], name[32], text[64];
        in_base(dir, sizeof dir, set_dirs[i % N_DIRS]);
        snprintf(name, sizeof name, "f%zu.txt", i);
        const char *tmp = NULL;
        rc = publish_begin(dir, name, &tmp, &d);
        if (rc == PUBLISH_OK) {
            snprintf(text, sizeof text, "gen %d file %zu\n", g, i);
            write_file(tmp, text);
        }
    }
    diag_release(&d);
    return rc;
}

#define SET_ABSENT (-1)
#define SET_MIXED  (-2)

/* The generation every final file of the set holds, SET_ABSENT if none exists, SET_MIXED if
 * they differ or one holds something else. */
static int set_state(size_t n)
{
    int g = SET_ABSENT - 10; /* not decided */
    for (size_t i = 0; i < n; i++) {
        char final[200];
        set_paths(final, sizeof final, i);
        char *text = read_file(final);
        int gi = SET_ABSENT;
        if (text) {
            int gg = -1;
            size_t ii = SIZE_MAX;
            if (sscanf(text, "gen %d file %zu", &gg, &ii) != 2 || ii != i)
                gg = SET_MIXED;
            gi = gg;
            free(text);
        }
        if (g == SET_ABSENT - 10)
            g = gi;
        else if (g != gi)
            return SET_MIXED;
    }
    return g;
}

/* Staged files left in any directory of the set. */
static size_t temps_left(void)
{
    size_t n = 0;
    for (size_t k = 0; k < N_DIRS; k++) {
        char dir[160];
        if (exists(in_base(dir, sizeof dir, set_dirs[k])))
            n += count_entries(dir, ".tmp.");
    }
    return n;
}

Test(publish, a_set_of_any_size_across_directories_switches_whole)
{
    /* 300 files: five chunks of the registry, three directories, two of them new. */
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    cr_assert_eq(stage_set(1, 300), PUBLISH_OK);
    cr_assert_eq(set_state(300), SET_ABSENT, "visible before the switch");
    cr_assert_eq(temps_left(), 300);
    cr_assert_eq(publish_commit(&d), PUBLISH_OK, "%s", d.n ? d.v[0].message : "");
    cr_assert_eq(set_state(300), 1);
    cr_assert_eq(temps_left(), 0);
    char mp[160];
    cr_assert_not(exists(manifest(mp, sizeof mp)));
    /* The next generation replaces every file. */
    cr_assert_eq(stage_set(2, 300), PUBLISH_OK);
    cr_assert_eq(publish_commit(&d), PUBLISH_OK);
    cr_assert_eq(set_state(300), 2);
    cr_assert_eq(d.n, 0);
    publish_unlock(fd);
    diag_release(&d);
}

/* ---- publish: injected failures -------------------------------------------------------------- */

/* The hook fails (or kills) at up to two points, and counts every step. */
static struct hook_point {
    enum publish_step step;
    size_t index;
    int err;   /* fail with this errno */
    bool kill; /* SIGKILL the process instead */
} hook_pts[2];
static size_t hook_calls[PUBLISH_STEP_UNDO_JOURNAL + 1]; /* times each step ran */

static int hook(enum publish_step s, size_t i)
{
    hook_calls[s]++;
    for (size_t k = 0; k < 2; k++) {
        const struct hook_point *h = &hook_pts[k];
        if (s != h->step || i != h->index)
            continue;
        if (h->kill)
            kill(getpid(), SIGKILL);
        return h->err;
    }
    return 0;
}

static void hook_at(enum publish_step s, size_t i, int err, bool kill_it)
{
    hook_pts[0] = (struct hook_point){s, i, err, kill_it};
    hook_pts[1] = (struct hook_point){PUBLISH_STEP_STAGE, SIZE_MAX, 0, false};
    memset(hook_calls, 0, sizeof hook_calls);
    publish_test_hook(hook);
}

/* A second point, after hook_at. */
static void hook_also(enum publish_step s, size_t i, int err, bool kill_it)
{
    hook_pts[1] = (struct hook_point){s, i, err, kill_it};
}

static const char *const step_names[] = {"stage",    "sync",      "sync_staged", "manifest",
                                         "seal",     "rename",    "sync_dir",    "unseal",
                                         "roll_fwd", "roll_back", "undo",        "undo_journal"};

/* One point of a switch: a step and the index it runs with. */
struct point {
    enum publish_step step;
    size_t i;
};

/* Publish generation g of n files with a counting hook (lock held). */
static void count_points(int g, size_t n)
{
    struct diag d = DIAG_INIT;
    hook_at(PUBLISH_STEP_ROLL_BACK, SIZE_MAX, 0, false);
    cr_assert_eq(stage_set(g, n), PUBLISH_OK);
    cr_assert_eq(publish_commit(&d), PUBLISH_OK);
    publish_test_hook(NULL);
    diag_release(&d);
}

/* Every point a switch of n files passes, in order (lock held): counted on a second clean run,
 * generation g, once the first (generation g too) has created the directories. Returns how many
 * (at most max). */
static size_t switch_points(int g, size_t n, struct point *pts, size_t max)
{
    /* By hand, the directories synced: on the first run the three of the set (out,
     * stmts/2026-10, out/more) and the parents of the four it creates (base for out and stmts,
     * stmts for 2026-10, out for more): base, out, stmts, stmts/2026-10, out/more = 5, before
     * the seal and after the switch. Later runs create nothing: 3. */
    count_points(g, n);
    cr_assert_eq(hook_calls[PUBLISH_STEP_SYNC_STAGED], 5);
    cr_assert_eq(hook_calls[PUBLISH_STEP_SYNC_DIR], 5);
    count_points(g, n);
    cr_assert_eq(hook_calls[PUBLISH_STEP_SYNC_STAGED], N_DIRS);
    cr_assert_eq(hook_calls[PUBLISH_STEP_SYNC_DIR], N_DIRS);
    /* n stage, n sync, 1 manifest, 1 seal, n renames, 1 unseal; nothing undone. */
    cr_assert_eq(hook_calls[PUBLISH_STEP_STAGE], n);
    cr_assert_eq(hook_calls[PUBLISH_STEP_SYNC], n);
    cr_assert_eq(hook_calls[PUBLISH_STEP_RENAME], n);
    cr_assert_eq(hook_calls[PUBLISH_STEP_MANIFEST], 1);
    cr_assert_eq(hook_calls[PUBLISH_STEP_SEAL], 1);
    cr_assert_eq(hook_calls[PUBLISH_STEP_UNSEAL], 1);
    cr_assert_eq(hook_calls[PUBLISH_STEP_UNDO], 0);
    size_t k = 0;
    for (int s = PUBLISH_STEP_STAGE; s <= PUBLISH_STEP_UNSEAL; s++)
        for (size_t i = 0; i < hook_calls[s]; i++) {
            cr_assert(k < max);
            pts[k++] = (struct point){(enum publish_step)s, i};
        }
    return k;
}

/* Killed at these steps, the next start finds the new set (the commit point is the seal). */
static bool after_commit_point(enum publish_step s)
{
    return s == PUBLISH_STEP_RENAME || s == PUBLISH_STEP_SYNC_DIR || s == PUBLISH_STEP_UNSEAL;
}

Test(publish, a_failure_at_any_step_leaves_the_old_set_byte_identical_or_the_whole_new_one,
     .timeout = 120)
{
    enum { N = 7 };
    int fd = lock_base();
    struct point pts[64];
    size_t n_pts = switch_points(0, N, pts, 64);
    int gen = 0; /* the set now on disk */
    char mp[160];
    manifest(mp, sizeof mp);
    size_t undone = 0, want_undone = 0;
    for (size_t k = 0; k < n_pts; k++) {
        const struct point *pt = &pts[k];
        if (pt->step == PUBLISH_STEP_STAGE)
            continue; /* a failed begin is the caller's abort; tested below */
        int next = gen + 1;
        struct diag d = DIAG_INIT;
        int err = pt->step == PUBLISH_STEP_SYNC ? ENOSPC : EIO;
        hook_at(pt->step, pt->i, err, false);
        cr_assert_eq(stage_set(next, N), PUBLISH_OK);
        int rc = publish_commit(&d);
        publish_test_hook(NULL);
        cr_assert_eq(rc, PUBLISH_EIO, "%s %zu: status %d", step_names[pt->step], pt->i, rc);
        cr_assert(has_error(&d), "%s %zu: no message", step_names[pt->step], pt->i);
        cr_assert_eq(d.n_errors, 1, "%s %zu: one message", step_names[pt->step], pt->i);
        /* A failed exchange after i switched files puts i back; a failed sync after the
         * switch puts all N back. */
        undone += hook_calls[PUBLISH_STEP_UNDO];
        want_undone += pt->step == PUBLISH_STEP_RENAME     ? pt->i
                       : pt->step == PUBLISH_STEP_SYNC_DIR ? N
                                                           : 0;
        int want;
        if (pt->step == PUBLISH_STEP_UNSEAL) {
            /* The set is whole and new; only the manifest could not go. */
            cr_assert(exists(mp), "%s %zu: the manifest is gone", step_names[pt->step], pt->i);
            cr_assert_eq(set_state(N), next, "%s %zu", step_names[pt->step], pt->i);
            want = next;
        } else {
            /* Undone at once: the old set, nothing staged, no manifest. */
            cr_assert_eq(set_state(N), gen, "%s %zu", step_names[pt->step], pt->i);
            cr_assert_eq(temps_left(), 0, "%s %zu", step_names[pt->step], pt->i);
            cr_assert_not(exists(mp), "%s %zu", step_names[pt->step], pt->i);
            if (pt->step == PUBLISH_STEP_RENAME || pt->step == PUBLISH_STEP_SYNC_DIR)
                cr_assert(strstr(d.v[0].message, "; the previous outputs are kept"), "%s",
                          d.v[0].message);
            want = gen;
        }
        /* The next start. */
        publish_unlock(fd);
        fd = lock_base();
        cr_assert_eq(set_state(N), want, "%s %zu: generation %d, expected %d", step_names[pt->step],
                     pt->i, set_state(N), want);
        cr_assert_eq(temps_left(), 0, "%s %zu", step_names[pt->step], pt->i);
        cr_assert_not(exists(mp), "%s %zu", step_names[pt->step], pt->i);
        gen = want;
        diag_release(&d);
    }
    /* N - 1 failed exchanges after 1 … N - 1 switched files, N failed syncs after all: the
     * undo ran where it had something to undo, or the test proves less than it says. */
    cr_assert_eq(undone, want_undone);
    cr_assert_geq(undone, (size_t)N * (N - 1) / 2 + N);
    publish_unlock(fd);
}

Test(publish, a_directory_where_a_file_goes_fails_the_switch_and_keeps_the_old_set)
{
    enum { N = 5 };
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    cr_assert_eq(stage_set(1, N), PUBLISH_OK);
    cr_assert_eq(publish_commit(&d), PUBLISH_OK);
    /* File 3 becomes a non-empty directory: files 0 to 2 are switched before it is reached. */
    char final[200], inner[240];
    set_paths(final, sizeof final, 3);
    cr_assert_eq(unlink(final), 0);
    cr_assert_eq(mkdir(final, 0777), 0);
    snprintf(inner, sizeof inner, "%s/keep", final);
    write_file(inner, "kept\n");
    cr_assert_eq(stage_set(2, N), PUBLISH_OK);
    cr_assert_eq(publish_commit(&d), PUBLISH_EIO);
    cr_assert_eq(d.n_errors, 1);
    char want[300];
    snprintf(want, sizeof want, "cannot publish '%s': %s; the previous outputs are kept", final,
             strerror(EISDIR));
    cr_assert_str_eq(d.v[0].message, want);
    for (size_t i = 0; i < N; i++) {
        if (i == 3)
            continue;
        char path[200];
        set_paths(path, sizeof path, i);
        char *text = read_file(path);
        char expect[64];
        snprintf(expect, sizeof expect, "gen 1 file %zu\n", i);
        cr_assert(text && strcmp(text, expect) == 0, "file %zu: %s", i, text ? text : "(none)");
        free(text);
    }
    char *kept = read_file(inner);
    cr_assert_str_eq(kept, "kept\n");
    free(kept);
    cr_assert_eq(temps_left(), 0);
    char mp[160];
    cr_assert_not(exists(manifest(mp, sizeof mp)));
    publish_unlock(fd);
    diag_release(&d);
}

Test(publish, a_failed_begin_and_the_callers_abort_keep_the_old_set)
{
    enum { N = 5 };
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    cr_assert_eq(stage_set(1, N), PUBLISH_OK);
    cr_assert_eq(publish_commit(&d), PUBLISH_OK);
    hook_at(PUBLISH_STEP_STAGE, 3, ENOSPC, false);
    cr_assert_eq(stage_set(2, N), PUBLISH_EIO);
    publish_test_hook(NULL);
    cr_assert_eq(temps_left(), 3);
    publish_abort();
    cr_assert_eq(set_state(N), 1);
    cr_assert_eq(temps_left(), 0);
    char mp[160];
    cr_assert_not(exists(manifest(mp, sizeof mp)));
    publish_unlock(fd);
    diag_release(&d);
}

/* A switch that fails at file 2 and whose undo fails at file 0: file 0 new, file 1 put back,
 * files 2… still staged, the switch manifest kept. Lock held; returns the status. */
static int fail_switch_and_undo(int g, size_t n, struct diag *d)
{
    hook_at(PUBLISH_STEP_RENAME, 2, EIO, false);
    hook_also(PUBLISH_STEP_UNDO, 0, EIO, false);
    cr_assert_eq(stage_set(g, n), PUBLISH_OK);
    int rc = publish_commit(d);
    publish_test_hook(NULL);
    return rc;
}

Test(publish, a_switch_that_cannot_be_undone_is_completed_by_the_next_start)
{
    enum { N = 5 };
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    cr_assert_eq(stage_set(1, N), PUBLISH_OK);
    cr_assert_eq(publish_commit(&d), PUBLISH_OK);
    cr_assert_eq(fail_switch_and_undo(2, N, &d), PUBLISH_EIO);
    cr_assert_eq(set_state(N), SET_MIXED);
    cr_assert_eq(d.n_errors, 1);
    cr_assert(strstr(d.v[0].message, "the next run completes the switch"), "%s", d.v[0].message);
    publish_unlock(fd);
    fd = lock_base();
    cr_assert_eq(set_state(N), 2);
    cr_assert_eq(temps_left(), 0, "the old files kept by the exchange are removed too");
    publish_unlock(fd);
    diag_release(&d);
}

Test(publish, a_recovery_that_fails_is_completed_by_the_start_after)
{
    enum { N = 5 };
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    cr_assert_eq(stage_set(1, N), PUBLISH_OK);
    cr_assert_eq(publish_commit(&d), PUBLISH_OK);
    cr_assert_eq(fail_switch_and_undo(2, N, &d), PUBLISH_EIO);
    cr_assert_eq(set_state(N), SET_MIXED);
    publish_unlock(fd);
    /* The next start fails in the middle of rolling forward: exit 74, the lock let go. */
    hook_at(PUBLISH_STEP_ROLL_FWD, 3, EIO, false);
    struct diag d2 = DIAG_INIT;
    fd = 0;
    cr_assert_eq(publish_lock(base, &fd, &d2), PUBLISH_EIO);
    cr_assert_eq(fd, -1);
    cr_assert(has_error(&d2));
    publish_test_hook(NULL);
    /* The one after completes it. */
    fd = lock_base();
    cr_assert_eq(set_state(N), 2);
    cr_assert_eq(temps_left(), 0);
    publish_unlock(fd);
    diag_release(&d);
    diag_release(&d2);
}

Test(publish, a_committed_file_lost_before_recovery_is_reported_not_guessed)
{
    enum { N = 4 };
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    cr_assert_eq(fail_switch_and_undo(1, N, &d), PUBLISH_EIO);
    publish_unlock(fd);
    /* Someone removes the staged copy of file 2 by hand. */
    char dir[160], path[200];
    in_base(dir, sizeof dir, set_dirs[2 % N_DIRS]);
    snprintf(path, sizeof path, "%s/.f2.txt.tmp.%ld", dir, (long)getpid());
    cr_assert_eq(unlink(path), 0, "%s", path);
    struct diag d2 = DIAG_INIT;
    cr_assert_eq(publish_lock(base, &fd, &d2), PUBLISH_EIO);
    cr_assert(has_error(&d2));
    cr_assert(strstr(d2.v[0].message, "f2.txt") != NULL, "%s", d2.v[0].message);
    char mp[160];
    cr_assert(exists(manifest(mp, sizeof mp)), "the manifest is kept for a person to look at");
    diag_release(&d);
    diag_release(&d2);
}

Test(publish, messages_name_the_final_path_and_a_file_size_limit)
{
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    const char *tmp = NULL;
    cr_assert_eq(publish_begin(base, "payroll-2026-10.csv", &tmp, &d), PUBLISH_OK);
    char final[160];
    in_base(final, sizeof final, "payroll-2026-10.csv");
    cr_assert_str_eq(publish_target_of(tmp), final);
    cr_assert_str_eq(publish_target_of("/elsewhere/x.csv"), "/elsewhere/x.csv");
    cr_assert_str_eq(publish_strerror(ENOSPC), strerror(ENOSPC));
    cr_assert(strstr(publish_strerror(EFBIG), "file size limit") != NULL);
    publish_abort();
    publish_unlock(fd);
    diag_release(&d);
}

/* ---- publish: SIGKILL ------------------------------------------------------------------------ */

/* In a child: take the lock, stage generation g of n files and switch, with the hook set. Exits
 * 0 when the switch went through. */
static void child_publish(int g, size_t n)
{
    struct diag d = DIAG_INIT;
    int fd = -1;
    if (publish_lock(base, &fd, &d) != PUBLISH_OK)
        _exit(20);
    if (stage_set(g, n) != PUBLISH_OK)
        _exit(21);
    _exit(publish_commit(&d) == PUBLISH_OK ? 0 : 22);
}

/* Fork, run fn(g, n) in the child, and return its wait status. */
static int in_child(void (*fn)(int, size_t), int g, size_t n)
{
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0)
        fn(g, n);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return status;
}

static bool killed(int status)
{
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

Test(publish, sigkill_at_every_step_then_the_next_start_leaves_a_whole_set, .timeout = 180)
{
    enum { N = 6 };
    int fd = lock_base();
    struct point pts[64];
    size_t n_pts = switch_points(0, N, pts, 64);
    publish_unlock(fd);
    int gen = 0;
    char mp[160];
    manifest(mp, sizeof mp);
    for (size_t k = 0; k < n_pts; k++) {
        const struct point *pt = &pts[k];
        int next = gen + 1;
        hook_at(pt->step, pt->i, 0, true);
        int status = in_child(child_publish, next, N);
        publish_test_hook(NULL);
        cr_assert(killed(status), "%s %zu: child status %#x", step_names[pt->step], pt->i, status);
        /* Killed at the seal means before the rename that commits. */
        int want = after_commit_point(pt->step) ? next : gen;
        fd = lock_base();
        cr_assert_eq(set_state(N), want, "%s %zu: generation %d, expected %d", step_names[pt->step],
                     pt->i, set_state(N), want);
        cr_assert_eq(temps_left(), 0, "%s %zu", step_names[pt->step], pt->i);
        cr_assert_not(exists(mp), "%s %zu", step_names[pt->step], pt->i);
        publish_unlock(fd);
        gen = want;
    }
}

Test(publish, sigkill_while_undoing_a_failed_switch_then_the_next_start_leaves_a_whole_set,
     .timeout = 60)
{
    enum { N = 6, FAIL_AT = 4 };
    int fd = lock_base();
    struct diag d = DIAG_INIT;
    cr_assert_eq(stage_set(0, N), PUBLISH_OK);
    cr_assert_eq(publish_commit(&d), PUBLISH_OK);
    publish_unlock(fd);
    char mp[160];
    manifest(mp, sizeof mp);
    /* The exchange of file 4 fails; the undo then puts back files 3, 2, 1, 0 and rewrites the
     * journal (write 0, rename 1). A kill at any of those points. */
    struct point pts[FAIL_AT + 2];
    size_t n_pts = 0;
    for (size_t i = FAIL_AT; i-- > 0;)
        pts[n_pts++] = (struct point){PUBLISH_STEP_UNDO, i};
    pts[n_pts++] = (struct point){PUBLISH_STEP_UNDO_JOURNAL, 0};
    pts[n_pts++] = (struct point){PUBLISH_STEP_UNDO_JOURNAL, 1};
    int gen = 0;
    for (size_t k = 0; k < n_pts; k++) {
        int next = gen + 1;
        hook_at(PUBLISH_STEP_RENAME, FAIL_AT, EIO, false);
        hook_also(pts[k].step, pts[k].i, 0, true);
        int status = in_child(child_publish, next, N);
        publish_test_hook(NULL);
        cr_assert(killed(status), "%s %zu: child status %#x", step_names[pts[k].step], pts[k].i,
                  status);
        /* The switch manifest still rules: the next start rolls forward to the new set. */
        fd = lock_base();
        cr_assert_eq(set_state(N), next, "%s %zu: generation %d", step_names[pts[k].step], pts[k].i,
                     set_state(N));
        cr_assert_eq(temps_left(), 0, "%s %zu", step_names[pts[k].step], pts[k].i);
        cr_assert_not(exists(mp));
        publish_unlock(fd);
        gen = next;
    }
    diag_release(&d);
}

/* In a child: take the lock, which recovers with the hook set to kill. */
static void child_recover(int g, size_t n)
{
    (void)g;
    (void)n;
    struct diag d = DIAG_INIT;
    int fd = -1;
    _exit(publish_lock(base, &fd, &d) == PUBLISH_OK ? 0 : 30);
}

Test(publish, sigkill_during_recovery_then_the_next_start_finishes_it, .timeout = 60)
{
    enum { N = 6 };
    char mp[160];
    manifest(mp, sizeof mp);
    /* Roll forward: a switch stopped at rename 2, recovery killed at every file. */
    for (size_t i = 0; i < N; i++) {
        hook_at(PUBLISH_STEP_RENAME, 2, 0, true);
        cr_assert(killed(in_child(child_publish, (int)i + 1, N)));
        cr_assert_eq(set_state(N), SET_MIXED, "rename 2 reached after rename 0 and 1");
        hook_at(PUBLISH_STEP_ROLL_FWD, i, 0, true);
        cr_assert(killed(in_child(child_recover, 0, 0)), "roll_fwd %zu", i);
        publish_test_hook(NULL);
        int fd = lock_base();
        cr_assert_eq(set_state(N), (int)i + 1, "roll_fwd %zu", i);
        cr_assert_eq(temps_left(), 0);
        cr_assert_not(exists(mp));
        publish_unlock(fd);
    }
    /* Roll back: staging stopped at file 4, recovery killed at every staged file. */
    int gen = set_state(N);
    for (size_t i = 0; i < 4; i++) {
        hook_at(PUBLISH_STEP_STAGE, 4, 0, true);
        cr_assert(killed(in_child(child_publish, 100, N)));
        cr_assert_eq(temps_left(), 4);
        hook_at(PUBLISH_STEP_ROLL_BACK, i, 0, true);
        cr_assert(killed(in_child(child_recover, 0, 0)), "roll_back %zu", i);
        publish_test_hook(NULL);
        int fd = lock_base();
        cr_assert_eq(set_state(N), gen);
        cr_assert_eq(temps_left(), 0);
        cr_assert_not(exists(mp));
        publish_unlock(fd);
    }
}

/* A child that publishes a bigger set (files of a few KiB) with no hook, so a kill from the
 * parent lands wherever the child happens to be: in its own writes, in an fsync, between
 * renames. */
static void child_publish_big(int g, size_t n)
{
    struct diag d = DIAG_INIT;
    int fd = -1;
    if (publish_lock(base, &fd, &d) != PUBLISH_OK)
        _exit(20);
    char pad[4096];
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    for (size_t i = 0; i < n; i++) {
        char dir[160], name[32];
        in_base(dir, sizeof dir, set_dirs[i % N_DIRS]);
        snprintf(name, sizeof name, "f%zu.txt", i);
        const char *tmp = NULL;
        if (publish_begin(dir, name, &tmp, &d) != PUBLISH_OK)
            _exit(21);
        FILE *fp = fopen(tmp, "wb");
        if (!fp || fprintf(fp, "gen %d file %zu\n%s\n", g, i, pad) < 0 || fclose(fp) != 0)
            _exit(23);
    }
    _exit(publish_commit(&d) == PUBLISH_OK ? 0 : 22);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(publish, sigkill_at_random_moments_then_the_next_start_leaves_a_whole_set, .timeout = 180)
{
    enum { N = 48, RUNS = 24 };
    /* How long a whole publication takes here, to spread the kills over it. */
    double t0 = now_s();
    int status = in_child(child_publish_big, 0, N);
    double span = now_s() - t0;
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
    cr_assert_eq(set_state(N), 0);
    int gen = 0;
    size_t n_killed = 0, n_old = 0, n_new = 0;
    uint64_t seed = 0x5eed1234u; /* fixed: the same delays every run */
    char mp[160];
    manifest(mp, sizeof mp);
    for (int r = 0; r < RUNS; r++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        double delay = span * 1.2 * (double)(seed >> 11) / (double)(1ull << 53);
        int next = gen + 1;
        fflush(NULL);
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0)
            child_publish_big(next, N);
        struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        n_killed += killed(status);
        int fd = lock_base();
        int now = set_state(N);
        cr_assert(now == gen || now == next, "run %d (%.4f s): generation %d, not %d or %d", r,
                  delay, now, gen, next);
        cr_assert_eq(temps_left(), 0, "run %d", r);
        cr_assert_not(exists(mp), "run %d", r);
        publish_unlock(fd);
        n_old += now == gen;
        n_new += now == next;
        gen = now;
    }
    cr_log_info("random kills: %zu of %d runs killed; %zu kept the old set, %zu the new "
                "(publication takes %.3f s)",
                n_killed, RUNS, n_old, n_new, span);
    cr_assert_geq(n_killed, 1, "no kill landed before the child finished");
}

/* ---- publish: SIGINT and SIGTERM --------------------------------------------------------------
 */

static void child_stage_then_signal(int sig, size_t n)
{
    publish_install_signals();
    struct diag d = DIAG_INIT;
    int fd = -1;
    if (publish_lock(base, &fd, &d) != PUBLISH_OK || stage_set(1, n) != PUBLISH_OK)
        _exit(20);
    raise(sig);
    _exit(21);
}

Test(publish, sigterm_or_sigint_before_the_switch_removes_every_staged_file_and_the_journal)
{
    /* 150 files: the handler walks three chunks. */
    static const int sigs[] = {SIGTERM, SIGINT};
    for (size_t k = 0; k < 2; k++) {
        int status = in_child(child_stage_then_signal, sigs[k], 150);
        cr_assert(WIFEXITED(status), "status %#x", status);
        cr_assert_eq(WEXITSTATUS(status), 128 + sigs[k]);
        cr_assert_eq(temps_left(), 0);
        cr_assert_eq(set_state(150), SET_ABSENT);
        char mp[160];
        cr_assert_not(exists(manifest(mp, sizeof mp)));
    }
}

static int hook_raise(enum publish_step s, size_t i)
{
    if (s == PUBLISH_STEP_RENAME && i == 1)
        raise(SIGTERM);
    return 0;
}

static void child_signal_in_switch(int g, size_t n)
{
    publish_install_signals();
    publish_test_hook(hook_raise);
    child_publish(g, n);
}

Test(publish, sigterm_during_the_switch_takes_effect_once_the_set_is_whole)
{
    int status = in_child(child_signal_in_switch, 1, 9);
    cr_assert(WIFEXITED(status), "status %#x", status);
    cr_assert_eq(WEXITSTATUS(status), 128 + SIGTERM);
    cr_assert_eq(set_state(9), 1);
    cr_assert_eq(temps_left(), 0);
    char mp[160];
    cr_assert_not(exists(manifest(mp, sizeof mp)));
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

static const struct xbook_props PROPS = {"Test book", "unit test", "Example Co", 20757,
                                         2,           "USD",       false};

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
    /* Row by row: a workbook streams (xbook_create). */
    xs_text(s, 1, 0, "bad \x80 byte \xC3 and \xC0\xAF", XS_PLAIN);
    xs_money(s, 1, 1, 2000010, XS_MONEY);
    xs_text(s, 2, 0, "bell \x07 and escape \x1B", XS_PLAIN);
    xs_money(s, 2, 1, -100001, XS_MONEY);
    xs_text(s, 3, 0, "=HYPERLINK(\"http://example.com\")", XS_PLAIN);
    xs_formula_money(s, 3, 1, "=SUM(B2:B3)", 1900009, XS_MONEY_TOTAL);
    xs_text(s, 4, 0, "Gr\xC3\xBC\xC3\x9F \xE2\x82\xAC", XS_BOLD);
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

/* Row order (issue 12, streamed writing): libxlsxwriter's constant_memory mode drops a cell
 * written above the last row written, silently. Every kind of row write is counted when it goes
 * up; on a sheet marked xs_in_row_order it stops the program instead. */
Test(xlsxout, writes_above_the_last_row_written_are_counted)
{
    char path[160];
    in_base(path, sizeof path, "order.xlsx");
    struct diag d = DIAG_INIT;
    struct xbook_props in_memory = PROPS;
    in_memory.in_memory = true; /* streamed, the first write above would stop the program */
    struct xbook *b = xbook_create(path, &in_memory, &d);
    cr_assert(b != NULL);
    struct xsheet *down = xbook_add_sheet(b, "Down");
    xs_text(down, 0, 0, "a", XS_PLAIN);
    xs_text(down, 0, 1, "b", XS_PLAIN); /* the same row again is in order */
    xs_row_height(down, 0, 30);
    xs_money(down, 2, 0, 100, XS_MONEY);
    xs_formula(down, 2, 1, "=A3", 1.0, XS_MONEY);
    xs_comment(down, 2, 1, "note");
    xs_row_level(down, 3, 1);
    xs_col_width(down, 0, 1, 12); /* not a row */
    cr_assert_eq(xs_rows_out_of_order(down), 0);
    struct xsheet *up = xbook_add_sheet(b, "Up");
    xs_text(up, 5, 0, "below", XS_PLAIN);
    xs_text(up, 4, 0, "above", XS_PLAIN);
    xs_number(up, 3, 0, 1, XS_INT);
    xs_formula(up, 2, 0, "=1", 1, XS_INT);
    xs_comment(up, 1, 0, "note");
    xs_row_height(up, 0, 30);
    xs_row_level(up, 0, 1);
    cr_assert_eq(xs_rows_out_of_order(up), 6);
    cr_assert_eq(xbook_close(b, &d), 0);
    diag_release(&d);
}

Test(xlsxout, a_sheet_in_row_order_stops_at_a_write_above_its_last_row, .signal = SIGABRT)
{
    char path[160];
    in_base(path, sizeof path, "order_stop.xlsx");
    struct diag d = DIAG_INIT;
    struct xbook *b = xbook_create(path, &PROPS, &d);
    cr_assert(b != NULL);
    struct xsheet *s = xbook_add_sheet(b, "Lines");
    xs_in_row_order(s);
    xs_text(s, 3, 0, "header", XS_HEADER);
    xs_money(s, 4, 0, 1, XS_MONEY);
    xs_text(s, 3, 1, "a header written late would be lost when streamed", XS_HEADER);
}

/* Streamed (every workbook sametable writes), every sheet is in row order from xbook_add_sheet,
 * marked or not: each kind of write above the last row written stops the program. */
static struct xsheet *streamed_sheet(const char *file)
{
    char path[160];
    in_base(path, sizeof path, file);
    struct diag d = DIAG_INIT;
    struct xbook *b = xbook_create(path, &PROPS, &d);
    cr_assert(b != NULL);
    struct xsheet *s = xbook_add_sheet(b, "Unmarked");
    xs_text(s, 0, 0, "title", XS_TITLE);
    xs_text(s, 2, 0, "header", XS_HEADER);
    xs_row_height(s, 2, 30);
    xs_money(s, 3, 0, 100, XS_MONEY);
    xs_comment(s, 3, 0, "a note on the row being written is in order");
    return s;
}

Test(xlsxout, streamed_every_sheet_stops_at_a_cell_above, .signal = SIGABRT)
{
    struct xsheet *s = streamed_sheet("stream_cell.xlsx");
    xs_formula(s, 2, 1, "=A4", 1.0, XS_MONEY); /* a total filled in above its detail */
}

Test(xlsxout, streamed_every_sheet_stops_at_a_comment_above, .signal = SIGABRT)
{
    struct xsheet *s = streamed_sheet("stream_comment.xlsx");
    xs_comment(s, 0, 0, "a note added to the title afterwards");
}

Test(xlsxout, streamed_every_sheet_stops_at_a_row_height_above, .signal = SIGABRT)
{
    struct xsheet *s = streamed_sheet("stream_height.xlsx");
    xs_row_height(s, 0, 30);
}

Test(xlsxout, streamed_every_sheet_stops_at_an_outline_level_above, .signal = SIGABRT)
{
    struct xsheet *s = streamed_sheet("stream_level.xlsx");
    xs_row_level(s, 2, 1);
}

Test(xlsxout, streamed_every_sheet_stops_at_a_filter_set_after_rows_below_it, .signal = SIGABRT)
{
    struct xsheet *s = streamed_sheet("stream_filter.xlsx");
    xs_text(s, 5, 0, "a total below the filtered rows", XS_BOLD);
    xs_autofilter(s, 2, 0, 3, 1); /* libxlsxwriter would refuse it: set it before row 5 */
}

/* The same sheet written in order closes without an error, its filter set before the rows below
 * it (also when the filter's range ends at the last row written). */
Test(xlsxout, streamed_in_order_closes)
{
    char path[160];
    in_base(path, sizeof path, "stream_ok.xlsx");
    struct diag d = DIAG_INIT;
    struct xbook *b = xbook_create(path, &PROPS, &d);
    cr_assert(b != NULL);
    struct xsheet *s = xbook_add_sheet(b, "Ordered");
    xs_text(s, 0, 0, "title", XS_TITLE);
    xs_text(s, 2, 0, "header", XS_HEADER);
    xs_row_height(s, 2, 30);
    xs_autofilter(s, 2, 0, 4, 1);
    for (uint32_t r = 3; r <= 4; r++) {
        xs_row_level(s, r, 1);
        xs_money(s, r, 0, 100 * r, XS_MONEY);
        xs_comment(s, r, 0, "note");
    }
    xs_formula(s, 5, 0, "=SUM(A4:A5)", 7.0, XS_MONEY_TOTAL);
    xs_col_width(s, 0, 0, 12); /* not a row: any time */
    xs_freeze(s, 3, 0);
    struct xsheet *t = xbook_add_sheet(b, "Exceptions");
    xs_text(t, 0, 0, "header", XS_HEADER);
    xs_text(t, 1, 0, "last row", XS_PLAIN);
    xs_autofilter(t, 0, 0, 1, 0);
    cr_assert_eq(xs_rows_out_of_order(s) + xs_rows_out_of_order(t), 0);
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

/* Point fd 2 at a file of the test's: what reaches the process's stderr lands there. Returns the
 * saved fd 2. */
static int stderr_to(const char *path)
{
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    cr_assert(saved >= 0 && fd >= 0);
    cr_assert_eq(dup2(fd, 2), 2);
    close(fd);
    return saved;
}

static void stderr_back(int saved)
{
    fflush(stderr);
    cr_assert_eq(dup2(saved, 2), 2);
    close(saved);
}

/* A book with enough in it that its parts are larger than a few KiB. */
static struct xbook *some_book(const char *path, struct diag *d)
{
    struct xbook *b = xbook_create(path, &PROPS, d);
    cr_assert(b != NULL);
    struct xsheet *s = xbook_add_sheet(b, "Data");
    for (uint32_t r = 0; r < 400; r++) {
        char text[64];
        snprintf(text, sizeof text, "campaign %u of a long list", r);
        xs_text(s, r, 0, text, XS_PLAIN);
        xs_money(s, r, 1, (int64_t)r * 12345, XS_MONEY);
    }
    return b;
}

/* Many sheets, each part a few KiB: every temporary file stays under an 8 KiB limit, the zip
 * of them all does not. */
static struct xbook *many_sheets(const char *path, struct diag *d)
{
    struct xbook *b = xbook_create(path, &PROPS, d);
    cr_assert(b != NULL);
    uint64_t x = 88172645463325252u;
    for (int k = 0; k < 12; k++) {
        char name[16];
        snprintf(name, sizeof name, "S%d", k);
        struct xsheet *s = xbook_add_sheet(b, name);
        for (uint32_t r = 0; r < 40; r++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* numbers that do not compress well */
            xs_number(s, r, 0, (double)(x % 1000000007u) / 7.0, XS_PLAIN);
        }
    }
    return b;
}

/* Close book under an 8 KiB file size limit with fd 2 pointed at a file; returns xbook_close's
 * result and checks the one error line and that nothing of the library reached fd 2. */
static int close_over_the_limit(struct xbook *(*make)(const char *, struct diag *), struct diag *d)
{
    publish_install_signals(); /* SIGXFSZ ignored: writes fail with EFBIG */
    char path[160], err_path[160];
    in_base(path, sizeof path, "big.xlsx");
    in_base(err_path, sizeof err_path, "stderr.txt");
    struct rlimit lim = {8192, 8192};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int saved = stderr_to(err_path);
    int rc = xbook_close(make(path, d), d);
    fputs("ours after close\n", stderr); /* fd 2 is ours again */
    stderr_back(saved);
    cr_assert_eq(d->n_errors, 1);
    char want[300];
    snprintf(want, sizeof want,
             "cannot write '%s': File too large (over the file size limit, ulimit -f)", path);
    cr_assert_str_eq(d->v[0].message, want);
    char *text = read_file(err_path);
    cr_assert_str_eq(text, "ours after close\n");
    free(text);
    return rc;
}

Test(xlsxout, a_part_cut_short_by_the_file_size_limit_is_found_by_reading_the_book_back)
{
    /* One sheet's part passes 8 KiB: libxlsxwriter's write to its temporary file fails, it does
     * not notice, and zips the first 8 KiB of the part, which compress well under the limit. */
    struct diag d = DIAG_INIT;
    cr_assert_eq(close_over_the_limit(some_book, &d), -1);
    diag_release(&d);
}

Test(xlsxout, the_librarys_own_error_lines_become_notes_not_stderr)
{
    /* The zip itself passes the limit: libxlsxwriter prints "[ERROR]" lines and fails. */
    struct diag d = DIAG_INIT;
    cr_assert_eq(close_over_the_limit(many_sheets, &d), -1);
    size_t notes = 0;
    for (size_t i = 0; i < d.n; i++)
        if (d.v[i].severity == DIAG_NOTE) {
            notes++;
            cr_assert(strncmp(d.v[i].message, "libxlsxwriter: ", 15) == 0, "%s", d.v[i].message);
            cr_assert(strstr(d.v[i].message, "[ERROR]") == NULL, "%s", d.v[i].message);
        }
    cr_assert_geq(notes, 1, "the library printed nothing: the test proves less than it says");
    diag_release(&d);
}

Test(xlsxout, a_book_within_the_limits_closes_with_nothing_caught)
{
    char path[160], err_path[160];
    in_base(path, sizeof path, "ok.xlsx");
    in_base(err_path, sizeof err_path, "stderr.txt");
    int saved = stderr_to(err_path);
    struct diag d = DIAG_INIT;
    for (int k = 0; k < 3; k++) /* the caught file is reused: each close starts empty */
        cr_assert_eq(xbook_close(some_book(path, &d), &d), 0);
    stderr_back(saved);
    cr_assert_eq(d.n, 0, "%s", d.n ? d.v[0].message : "");
    cr_assert(starts_with_pk(path));
    char *text = read_file(err_path);
    cr_assert_str_eq(text, "");
    free(text);
    diag_release(&d);
}

Test(xlsxout, zipcheck_passes_a_whole_book_and_finds_a_cut_or_damaged_one)
{
    char path[160];
    in_base(path, sizeof path, "check.xlsx");
    struct diag d = DIAG_INIT;
    cr_assert_eq(xbook_close(some_book(path, &d), &d), 0);
    struct zipcheck_result zr;
    cr_assert_eq(zipcheck_xml(path, &zr), 0, "%s %s", zr.part, zr.why);
    cr_assert_gt(zr.largest, 8192, "the sheet's part, uncompressed");
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    FILE *fp = fopen(path, "r+b");
    cr_assert(fp != NULL);
    /* A byte of the first member's compressed data changed: it no longer inflates to its CRC. */
    cr_assert_eq(fseek(fp, 100, SEEK_SET), 0);
    int ch = fgetc(fp);
    cr_assert_eq(fseek(fp, 100, SEEK_SET), 0);
    fputc(ch ^ 0x55, fp);
    fclose(fp);
    cr_assert_eq(zipcheck_xml(path, &zr), -1);
    cr_assert_str_eq(zr.part, "[Content_Types].xml");
    /* Cut short: no central directory at the end. */
    cr_assert_eq(truncate(path, st.st_size / 2), 0);
    cr_assert_eq(zipcheck_xml(path, &zr), -1);
    cr_assert_str_eq(zr.part, "");
    cr_assert_str_eq(zr.why, "has no end of central directory");
    diag_release(&d);
}
