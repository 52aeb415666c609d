/* publish.c — staged outputs switched as one set through an fsynced manifest, recovery of an
 * interrupted switch, the run lock and signal cleanup. */
#define _GNU_SOURCE /* renameat2 */
#include "publish.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "progress.h"
#include "settings.h"
#include "util.h"

#define MANIFEST     ".sametable.publish"
#define MANIFEST_NEW ".sametable.publish.new"
#define HEAD_STAGING "sametable publish 1 staging"
/* Version 2: a switched file's old version may wait at its staged path (RENAME_EXCHANGE). A
 * version 1 manifest (a plain rename per file) is rolled forward the same way; a binary that
 * knows only version 1 refuses version 2 as damaged instead of renaming an old file back. */
#define HEAD_SWITCH   "sametable publish 2 switch"
#define HEAD_SWITCH_1 "sametable publish 1 switch"
#define CHUNK_ENTRIES 64

_Static_assert(ATOMIC_POINTER_LOCK_FREE == 2 && ATOMIC_LONG_LOCK_FREE == 2 &&
                   ATOMIC_BOOL_LOCK_FREE == 2,
               "the signal handler reads the registry through lock-free atomics");

/* ---- the registry ------------------------------------------------------------------------ */

/* How a staged file went into place during the switch. */
enum how {
    HOW_STAGED,    /* not yet: the new file is at tmp */
    HOW_EXCHANGED, /* exchanged with the old file, which is now at tmp (undoable) */
    HOW_PLACED,    /* there was no old file (undoable: move it back to tmp) */
    HOW_REPLACED,  /* renamed over the old file on a filesystem that cannot exchange: old lost */
};

struct staged {
    char *tmp;   /* absolute temporary path, inside the final's directory */
    char *final; /* absolute final path */
    dev_t dev;   /* the staged file's device and inode, known once it is synced */
    ino_t ino;
    enum how how; /* during the switch */
};

/* Entries live in chunks that never move: the handler may walk them while publish_begin adds
 * one. A chunk is linked (release) before any entry in it is counted. */
struct chunk {
    struct staged v[CHUNK_ENTRIES];
    _Atomic(struct chunk *) next;
};

static _Atomic(struct chunk *) first_chunk;
static struct chunk *last_chunk;
static atomic_size_t n_staged; /* entries the handler may read, all fully written */

static char home[PATH_MAX];         /* the locked directory, absolute; "" without the lock */
static char journal_path[PATH_MAX]; /* <home>/.sametable.publish */
static atomic_bool journal_live;    /* the handler removes the journal after the staged files */
static int journal_fd = -1;

/* Directories to fsync at the switch: every one a file is staged in, and the parent of every
 * one created. Absolute, each once. */
static char **sync_dirs;
static size_t n_sync_dirs, cap_sync_dirs;
/* The last directory given to publish_begin, as given and resolved: N files in one directory
 * resolve it once. */
static char *last_dir_given, *last_dir_abs;

static int (*test_hook)(enum publish_step, size_t);

void publish_test_hook(int (*fn)(enum publish_step step, size_t i))
{
    test_hook = fn;
}

/* 0, or the errno a test wants this step to fail with (errno is set too). */
static int step(enum publish_step s, size_t i)
{
    int err = test_hook ? test_hook(s, i) : 0;
    if (err)
        errno = err;
    return err;
}

/* The i-th entry (i < n_staged). The chunk last reached is remembered (per thread: writer
 * threads look their target names up at once), so a loop over the set walks each link once. */
static _Thread_local struct chunk *at_chunk;
/* Directories publish_begin created for the set, parents first. */
static char **made_dirs;
static size_t n_made_dirs, cap_made_dirs;
static _Thread_local size_t at_index = SIZE_MAX;

static struct staged *entry_at(size_t i)
{
    size_t k = i / CHUNK_ENTRIES;
    if (!at_chunk || k < at_index) {
        at_chunk = atomic_load_explicit(&first_chunk, memory_order_relaxed);
        at_index = 0;
    }
    for (; at_index < k; at_index++)
        at_chunk = atomic_load_explicit(&at_chunk->next, memory_order_relaxed);
    return &at_chunk->v[i % CHUNK_ENTRIES];
}

/* ---- scratch directories ------------------------------------------------------------------
 * libxlsxwriter creates its temporary files (mkstemp, then unlink at once) in the directory it is
 * given. A signal between the two would leave one behind, under a name we do not know; so each
 * workbook gets a private directory beside its staged file, which the signal handler empties
 * and removes, and which the next run's recovery removes after a kill it could not catch. */

#define SCRATCH_SLOTS  OUTPUT_THREADS_MAX /* one per writer thread */
#define SCRATCH_PREFIX ".sametable-tmp."
static char scratch_path[SCRATCH_SLOTS][PATH_MAX];
static atomic_bool scratch_live[SCRATCH_SLOTS];

/* Empty and remove a scratch directory: open, getdents64, unlinkat, rmdir — all usable in a
 * signal handler (no opendir/readdir, which allocate). */
static void scratch_remove(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        _Alignas(struct dirent) char buf[4096];
        long n;
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
            for (long off = 0; off < n;) {
                const struct dirent *e = (const struct dirent *)(const void *)(buf + off);
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                    unlinkat(fd, e->d_name, 0);
                off += e->d_reclen;
            }
        }
        close(fd);
    }
    rmdir(path);
}

/* Scratch directories of processes that no longer exist (killed outright: SIGKILL, a crash) in
 * dir. The process ID in the name tells: a live run's directory — another run's sharing a
 * statements directory, or this run's own — is left alone. */
static void scratch_sweep(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(dp)) != NULL) {
        if (strncmp(e->d_name, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + strlen(SCRATCH_PREFIX), &end, 10);
        if (end == e->d_name + strlen(SCRATCH_PREFIX) || *end != '.' || pid <= 0 ||
            pid == (long)getpid() ||
            (pid <= INT_MAX && (kill((pid_t)pid, 0) == 0 || errno == EPERM)))
            continue;
        int len = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (len > 0 && (size_t)len < sizeof path)
            scratch_remove(path);
    }
    closedir(dp);
}

/* Writer threads open workbooks at once (run.c): the slots and the sweep are taken under it. */
static pthread_mutex_t scratch_mu = PTHREAD_MUTEX_INITIALIZER;

static int scratch_take(const char *dir, char *path, size_t size)
{
    /* Once per directory: what a killed run left there goes first. */
    static char swept[PATH_MAX];
    if (strcmp(swept, dir) != 0) {
        scratch_sweep(dir);
        snprintf(swept, sizeof swept, "%s", dir);
    }
    for (int i = 0; i < SCRATCH_SLOTS; i++) {
        if (atomic_load_explicit(&scratch_live[i], memory_order_acquire))
            continue;
        int len = snprintf(scratch_path[i], sizeof scratch_path[i], "%s/" SCRATCH_PREFIX "%ld.%d",
                           dir, (long)getpid(), i);
        if (len < 0 || (size_t)len >= sizeof scratch_path[i] || (size_t)len >= size)
            return -1;
        if (mkdir(scratch_path[i], 0700) != 0 && errno != EEXIST)
            return -1;
        atomic_store_explicit(&scratch_live[i], true, memory_order_release);
        memcpy(path, scratch_path[i], (size_t)len + 1);
        return i;
    }
    return -1;
}

int publish_scratch_begin(const char *dir, char *path, size_t size)
{
    pthread_mutex_lock(&scratch_mu);
    int slot = scratch_take(dir, path, size);
    pthread_mutex_unlock(&scratch_mu);
    return slot;
}

void publish_scratch_done(int slot)
{
    if (slot < 0 || slot >= SCRATCH_SLOTS)
        return;
    pthread_mutex_lock(&scratch_mu);
    scratch_remove(scratch_path[slot]);
    atomic_store_explicit(&scratch_live[slot], false, memory_order_release);
    pthread_mutex_unlock(&scratch_mu);
}

/* ---- signals ----------------------------------------------------------------------------- */

static void on_signal(int sig)
{
    diag_release_stderr_in_handler(); /* in case a library's output was being caught */
    progress_clear_in_handler();
    size_t n = atomic_load_explicit(&n_staged, memory_order_acquire);
    struct chunk *c = atomic_load_explicit(&first_chunk, memory_order_acquire);
    for (size_t i = 0; i < n && c; i++) {
        unlink(c->v[i % CHUNK_ENTRIES].tmp);
        if (i % CHUNK_ENTRIES == CHUNK_ENTRIES - 1)
            c = atomic_load_explicit(&c->next, memory_order_acquire);
    }
    for (int i = 0; i < SCRATCH_SLOTS; i++)
        if (atomic_load_explicit(&scratch_live[i], memory_order_acquire))
            scratch_remove(scratch_path[i]);
    /* After the files: a kill between the two leaves a journal that still lists them. */
    if (atomic_load_explicit(&journal_live, memory_order_acquire))
        unlink(journal_path);
    _exit(128 + sig);
}

void publish_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* Over the file size limit (ulimit -f) a write fails with EFBIG, reported and cleaned up
     * like a full disk, instead of the process being killed with its temporary files left. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGXFSZ, &sa, NULL);
}

const char *publish_target_of(const char *path)
{
    size_t n = atomic_load_explicit(&n_staged, memory_order_relaxed);
    for (size_t i = n; i-- > 0;) { /* the file being written is usually the last one staged */
        const struct staged *e = entry_at(i);
        if (strcmp(e->tmp, path) == 0)
            return e->final;
    }
    return path;
}

const char *publish_strerror(int err)
{
    if (err == EFBIG)
        return "File too large (over the file size limit, ulimit -f)";
    return strerror(err);
}

static void block_signals(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, old);
}

static void restore_signals(const sigset_t *old)
{
    sigprocmask(SIG_SETMASK, old, NULL);
}

/* Empty the registry (signals blocked by the caller, or no files staged). */
static void registry_clear(void)
{
    for (size_t i = 0; i < n_made_dirs; i++)
        free(made_dirs[i]);
    free(made_dirs);
    made_dirs = NULL;
    n_made_dirs = cap_made_dirs = 0;
    size_t n = atomic_load_explicit(&n_staged, memory_order_relaxed);
    atomic_store_explicit(&n_staged, 0, memory_order_release);
    struct chunk *c = atomic_load_explicit(&first_chunk, memory_order_relaxed);
    atomic_store_explicit(&first_chunk, NULL, memory_order_release);
    for (size_t i = 0; c; i += CHUNK_ENTRIES) {
        for (size_t k = 0; k < CHUNK_ENTRIES && i + k < n; k++) {
            free(c->v[k].tmp);
            free(c->v[k].final);
        }
        struct chunk *next = atomic_load_explicit(&c->next, memory_order_relaxed);
        free(c);
        c = next;
    }
    last_chunk = NULL;
    at_chunk = NULL;
    at_index = SIZE_MAX;
    for (size_t i = 0; i < n_sync_dirs; i++)
        free(sync_dirs[i]);
    free(sync_dirs);
    sync_dirs = NULL;
    n_sync_dirs = cap_sync_dirs = 0;
    free(last_dir_given);
    free(last_dir_abs);
    last_dir_given = last_dir_abs = NULL;
    if (journal_fd >= 0)
        close(journal_fd);
    journal_fd = -1;
}

/* ---- small I/O helpers -------------------------------------------------------------------- */

static int io_status(int err)
{
    return (err == EACCES || err == EPERM || err == EROFS || err == ENOTDIR || err == ENOENT)
               ? PUBLISH_ECREATE
               : PUBLISH_EIO;
}

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    errno = err;
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A growable byte buffer for manifest text. */
struct buf {
    char *p;
    size_t n, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
    VEC_GROW(b->p, b->cap, b->n + n + 1);
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* A path as a manifest field: backslash, tab and newline escaped, so fields split at tabs and
 * records at newlines whatever the path holds. */
static void buf_path(struct buf *b, const char *s)
{
    for (; *s; s++) {
        const char *e = *s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : *s == '\n' ? "\\n" : NULL;
        if (e)
            buf_add(b, e, 2);
        else
            buf_add(b, s, 1);
    }
}

/* Undo buf_path in place on a NUL-terminated field; -1 on a bad escape. */
static int unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s != '\\') {
            *o++ = *s;
            continue;
        }
        s++;
        if (*s == '\\')
            *o++ = '\\';
        else if (*s == 't')
            *o++ = '\t';
        else if (*s == 'n')
            *o++ = '\n';
        else
            return -1;
    }
    *o = '\0';
    return 0;
}

/* out = dir "/" prefix name suffix, at most PATH_MAX bytes with the NUL; -1 if longer. */
static int join_path(char *out, const char *dir, const char *prefix, const char *name,
                     const char *suffix)
{
    const char *parts[] = {dir, "/", prefix, name, suffix};
    size_t o = 0;
    for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
        size_t n = strlen(parts[i]);
        if (n >= PATH_MAX - o)
            return -1;
        memcpy(out + o, parts[i], n);
        o += n;
    }
    out[o] = '\0';
    return 0;
}

/* ---- directories ------------------------------------------------------------------------- */

static void add_sync_dir(const char *abs)
{
    for (size_t i = 0; i < n_sync_dirs; i++)
        if (strcmp(sync_dirs[i], abs) == 0)
            return;
    VEC_GROW(sync_dirs, cap_sync_dirs, n_sync_dirs + 1);
    sync_dirs[n_sync_dirs++] = xstrdup(abs);
}

/* mkdir -p; with `created` set, the parent of every directory made is added to the directories
 * the switch fsyncs, so a new directory's entry is as durable as the files in it. */
static int make_dirs(const char *dir, bool created, struct diag *d)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) {
        diag_error(d, NULL, 0, "output directory path is too long: '%s'", dir);
        return PUBLISH_ECREATE;
    }
    size_t len = strlen(buf);
    for (size_t k = 1; k <= len; k++) {
        if (buf[k] != '/' && buf[k] != '\0')
            continue;
        char c = buf[k];
        buf[k] = '\0';
        if (mkdir(buf, 0777) == 0) {
            if (created) {
                char made[PATH_MAX];
                if (realpath(buf, made)) /* removed again if the set is abandoned */
                    VEC_PUSH(made_dirs, n_made_dirs, cap_made_dirs, xstrdup(made));
                /* The parent: "." for "a", "/" for "/a", "x/y" for "x/y/a". */
                char parent[PATH_MAX], abs[PATH_MAX];
                const char *slash = strrchr(buf, '/');
                if (!slash)
                    strcpy(parent, ".");
                else if (slash == buf)
                    strcpy(parent, "/");
                else
                    snprintf(parent, sizeof parent, "%.*s", (int)(slash - buf), buf);
                if (realpath(parent, abs))
                    add_sync_dir(abs);
            }
        } else if (errno != EEXIST) {
            diag_error(d, NULL, 0, "cannot create output directory '%s': %s", buf, strerror(errno));
            return PUBLISH_ECREATE;
        }
        buf[k] = c;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        diag_error(d, NULL, 0, "output path '%s' is not a directory", dir);
        return PUBLISH_ECREATE;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        diag_error(d, NULL, 0, "cannot write to output directory '%s': %s", dir, strerror(errno));
        return PUBLISH_ECREATE;
    }
    return PUBLISH_OK;
}

int publish_prepare_dir(const char *dir, struct diag *d)
{
    return make_dirs(dir, false, d);
}

/* ---- the lock ------------------------------------------------------------------------------ */

int publish_lock(const char *dir, int *fd, struct diag *d)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.sametable.lock", dir);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (*fd < 0) {
        diag_error(d, NULL, 0, "cannot open lock file '%s': %s", path, strerror(errno));
        return PUBLISH_ECREATE;
    }
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        close(*fd);
        *fd = -1;
        if (err == EWOULDBLOCK) {
            diag_error(d, NULL, 0, "another sametable run holds the lock on '%s'", path);
            return PUBLISH_ELOCKED;
        }
        diag_error(d, NULL, 0, "cannot lock '%s': %s", path, strerror(err));
        return PUBLISH_EIO;
    }
    char abs[PATH_MAX];
    const char *why = realpath(dir, abs) ? NULL : strerror(errno);
    if (!why && join_path(journal_path, abs, "", MANIFEST_NEW, ""))
        why = "path too long";
    if (why) {
        diag_error(d, NULL, 0, "cannot resolve output directory '%s': %s", dir, why);
        publish_unlock(*fd);
        *fd = -1;
        return PUBLISH_ECREATE;
    }
    join_path(journal_path, abs, "", MANIFEST, "");
    int rc = publish_recover(abs, d);
    if (rc != PUBLISH_OK) {
        publish_unlock(*fd);
        *fd = -1;
        return rc;
    }
    snprintf(home, sizeof home, "%s", abs);
    return PUBLISH_OK;
}

void publish_unlock(int fd)
{
    if (fd >= 0) {
        close(fd);
        home[0] = '\0';
    }
}

/* ---- staging ----------------------------------------------------------------------------- */

/* The absolute form of `dir`, created if missing; NULL with an error. Owned by the registry. */
static const char *resolve_dir(const char *dir, int *rc, struct diag *d)
{
    if (last_dir_given && strcmp(last_dir_given, dir) == 0)
        return last_dir_abs;
    *rc = make_dirs(dir, true, d);
    if (*rc != PUBLISH_OK)
        return NULL;
    char abs[PATH_MAX];
    if (!realpath(dir, abs)) {
        diag_error(d, NULL, 0, "cannot resolve output directory '%s': %s", dir, strerror(errno));
        *rc = PUBLISH_ECREATE;
        return NULL;
    }
    free(last_dir_given);
    free(last_dir_abs);
    last_dir_given = xstrdup(dir);
    last_dir_abs = xstrdup(abs);
    add_sync_dir(abs);
    return last_dir_abs;
}

/* Open the journal on the first file of a set. */
static int journal_open(struct diag *d)
{
    if (journal_fd >= 0)
        return PUBLISH_OK;
    journal_fd = open(journal_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (journal_fd < 0) {
        int err = errno;
        diag_error(d, NULL, 0, "cannot create '%s': %s", journal_path, strerror(err));
        return io_status(err);
    }
    atomic_store_explicit(&journal_live, true, memory_order_release);
    if (write_all(journal_fd, HEAD_STAGING "\n", strlen(HEAD_STAGING) + 1)) {
        diag_error(d, NULL, 0, "cannot write '%s': %s", journal_path, strerror(errno));
        return PUBLISH_EIO;
    }
    return PUBLISH_OK;
}

int publish_begin(const char *dir, const char *name, const char **tmp, struct diag *d)
{
    *tmp = NULL;
    if (!home[0])
        BUG("publish_begin without the lock");
    if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        diag_error(d, NULL, 0, "bad output file name '%s'", name);
        return PUBLISH_ECREATE;
    }
    size_t i = atomic_load_explicit(&n_staged, memory_order_relaxed);
    int rc = PUBLISH_OK;
    const char *abs = resolve_dir(dir, &rc, d);
    if (!abs)
        return rc;
    char final[PATH_MAX], staged[PATH_MAX], pid[32];
    snprintf(pid, sizeof pid, ".tmp.%ld", (long)getpid());
    if (join_path(final, abs, "", name, "") || join_path(staged, abs, ".", name, pid)) {
        diag_error(d, NULL, 0, "output path too long: '%s/%s'", abs, name);
        return PUBLISH_ECREATE;
    }
    if ((rc = journal_open(d)) != PUBLISH_OK)
        return rc;
    /* The journal names the file before it can exist. */
    struct buf line = {NULL, 0, 0};
    buf_str(&line, "file\t");
    buf_path(&line, staged);
    buf_str(&line, "\t");
    buf_path(&line, final);
    buf_str(&line, "\n");
    int failed = step(PUBLISH_STEP_STAGE, i) || write_all(journal_fd, line.p, line.n);
    int err = errno;
    free(line.p);
    if (failed) {
        diag_error(d, NULL, 0, "cannot write '%s': %s", journal_path, strerror(err));
        return PUBLISH_EIO;
    }

    if (i % CHUNK_ENTRIES == 0) {
        struct chunk *c = xcalloc(1, sizeof *c);
        atomic_init(&c->next, NULL);
        if (last_chunk)
            atomic_store_explicit(&last_chunk->next, c, memory_order_release);
        else
            atomic_store_explicit(&first_chunk, c, memory_order_release);
        last_chunk = c;
    }
    struct staged *e = &last_chunk->v[i % CHUNK_ENTRIES];
    e->tmp = xstrdup(staged);
    e->final = xstrdup(final);
    atomic_store_explicit(&n_staged, i + 1, memory_order_release); /* now the handler sees it */
    *tmp = e->tmp;
    return PUBLISH_OK;
}

/* Remove the staged files and the journal; signals blocked by the caller. */
static void roll_back_staged(void)
{
    size_t n = atomic_load_explicit(&n_staged, memory_order_relaxed);
    for (size_t i = 0; i < n; i++)
        unlink(entry_at(i)->tmp);
    if (atomic_load_explicit(&journal_live, memory_order_relaxed)) {
        unlink(journal_path);
        atomic_store_explicit(&journal_live, false, memory_order_release);
    }
}

void publish_abort(void)
{
    sigset_t old;
    block_signals(&old);
    roll_back_staged();
    /* Directories made for the set (a statements folder): removed when nothing else is in them. */
    for (size_t i = n_made_dirs; i-- > 0;)
        rmdir(made_dirs[i]);
    registry_clear();
    restore_signals(&old);
}

/* ---- the switch --------------------------------------------------------------------------- */

/* The switch manifest's text: every file with its inode, every directory to sync. */
static void manifest_text(struct buf *b, size_t n)
{
    char head[96];
    snprintf(head, sizeof head, HEAD_SWITCH "\t%zu\t%zu\n", n, n_sync_dirs);
    buf_str(b, head);
    for (size_t i = 0; i < n; i++) {
        const struct staged *e = entry_at(i);
        char ids[64];
        snprintf(ids, sizeof ids, "\t%ju\t%ju\n", (uintmax_t)e->dev, (uintmax_t)e->ino);
        buf_str(b, "file\t");
        buf_path(b, e->tmp);
        buf_str(b, "\t");
        buf_path(b, e->final);
        buf_str(b, ids);
    }
    for (size_t i = 0; i < n_sync_dirs; i++) {
        buf_str(b, "dir\t");
        buf_path(b, sync_dirs[i]);
        buf_str(b, "\n");
    }
    buf_str(b, "end\n");
}

/* Replace the journal with `text`: written under a temporary name, synced, renamed over it, and
 * <home> synced. Returns 0, or -1 with errno (what = the path that failed). */
static int replace_journal(const struct buf *text, enum publish_step s_write,
                           enum publish_step s_rename, size_t i_rename, const char **what)
{
    static char tmp[PATH_MAX];
    if (join_path(tmp, home, "", MANIFEST_NEW, ""))
        BUG("publish: checked at lock time");
    *what = tmp;
    int fd = step(s_write, 0) ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    bool ok = fd >= 0 && write_all(fd, text->p, text->n) == 0 && fsync(fd) == 0;
    int err = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        unlink(tmp);
        errno = err;
        return -1;
    }
    if (step(s_rename, i_rename) || rename(tmp, journal_path) != 0) {
        err = errno;
        unlink(tmp);
        errno = err;
        return -1;
    }
    *what = home;
    return fsync_path(home, O_RDONLY | O_DIRECTORY);
}

/* Write the switch manifest and rename it over the journal: the commit point. Returns a status;
 * on failure nothing has been switched. */
static int seal(size_t n, struct diag *d)
{
    struct buf b = {NULL, 0, 0};
    manifest_text(&b, n);
    const char *what;
    int rc = replace_journal(&b, PUBLISH_STEP_MANIFEST, PUBLISH_STEP_SEAL, 0, &what);
    int err = errno;
    free(b.p);
    if (rc != 0) {
        /* A manifest renamed into place whose directory did not sync is still undone as a
         * whole, by the caller: it is not known to be durable. */
        diag_error(d, NULL, 0, "cannot write the publish manifest '%s': %s", journal_path,
                   publish_strerror(err));
        return io_status(err) == PUBLISH_ECREATE ? PUBLISH_ECREATE : PUBLISH_EIO;
    }
    return PUBLISH_OK;
}

/* Put the i-th staged file in place. An old file there is exchanged with it (RENAME_EXCHANGE),
 * so until the end of the switch it is kept at the staged path and the switch can be undone. */
static int switch_one(struct staged *e, size_t i)
{
    if (step(PUBLISH_STEP_RENAME, i))
        return -1;
    struct stat st;
    if (lstat(e->final, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            errno = EISDIR; /* what rename() says; an exchange would move the directory aside */
            return -1;
        }
        if (renameat2(AT_FDCWD, e->tmp, AT_FDCWD, e->final, RENAME_EXCHANGE) == 0) {
            e->how = HOW_EXCHANGED;
            return 0;
        }
        if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
            return -1;
        /* A filesystem that cannot exchange: the old file is lost, the switch only goes on. */
        if (rename(e->tmp, e->final) != 0)
            return -1;
        e->how = HOW_REPLACED;
        return 0;
    }
    if (errno != ENOENT || rename(e->tmp, e->final) != 0)
        return -1;
    e->how = HOW_PLACED;
    return 0;
}

/* After a failure inside the switch, the old set again: every file switched so far goes back
 * (the last first), the directories are synced, the manifest becomes a staging journal again
 * (so a crash from here on rolls back), and the staged files and the journal are removed.
 * Returns 0, or -1 with *bad and *bad_err saying what failed: then the switch manifest stays,
 * every new file is still at its final or staged path, and the next start rolls forward. */
static int undo_switch(size_t n_switched, size_t n, const char **bad, int *bad_err)
{
    for (size_t i = 0; i < n_switched; i++)
        if (entry_at(i)->how == HOW_REPLACED) {
            *bad = entry_at(i)->final;
            *bad_err = EOPNOTSUPP; /* its old version is gone: only forward is whole */
            return -1;
        }
    for (size_t i = n_switched; i-- > 0;) {
        struct staged *e = entry_at(i);
        int rc = step(PUBLISH_STEP_UNDO, i) ? -1
                 : e->how == HOW_EXCHANGED
                     ? renameat2(AT_FDCWD, e->tmp, AT_FDCWD, e->final, RENAME_EXCHANGE)
                     : rename(e->final, e->tmp);
        if (rc != 0) {
            *bad = e->final;
            *bad_err = errno;
            return -1;
        }
        e->how = HOW_STAGED;
    }
    for (size_t i = 0; i < n_sync_dirs; i++)
        if (fsync_path(sync_dirs[i], O_RDONLY | O_DIRECTORY) != 0) {
            *bad = sync_dirs[i];
            *bad_err = errno;
            return -1;
        }
    struct buf b = {NULL, 0, 0};
    buf_str(&b, HEAD_STAGING "\n");
    for (size_t i = 0; i < n; i++) {
        buf_str(&b, "file\t");
        buf_path(&b, entry_at(i)->tmp);
        buf_str(&b, "\t");
        buf_path(&b, entry_at(i)->final);
        buf_str(&b, "\n");
    }
    int rc = replace_journal(&b, PUBLISH_STEP_UNDO_JOURNAL, PUBLISH_STEP_UNDO_JOURNAL, 1, bad);
    *bad_err = errno;
    free(b.p);
    if (rc != 0)
        return -1;
    /* A staging journal again: the handler's duty until it is gone (signals are blocked). */
    atomic_store_explicit(&journal_live, true, memory_order_release);
    roll_back_staged();
    fsync_path(home, O_RDONLY | O_DIRECTORY);
    return 0;
}

int publish_commit(struct diag *d)
{
    size_t n = atomic_load_explicit(&n_staged, memory_order_relaxed);
    if (n == 0) {
        publish_abort();
        return PUBLISH_OK;
    }
    for (size_t i = 0; i < n; i++) {
        struct staged *e = entry_at(i);
        int fd = step(PUBLISH_STEP_SYNC, i) ? -1 : open(e->tmp, O_RDONLY | O_CLOEXEC);
        struct stat st;
        bool ok = fd >= 0 && fstat(fd, &st) == 0 && fsync(fd) == 0;
        int err = errno;
        if (fd >= 0)
            close(fd);
        if (!ok) {
            diag_error(d, NULL, 0, "cannot write '%s': %s", e->final, publish_strerror(err));
            publish_abort();
            return io_status(err) == PUBLISH_ECREATE ? PUBLISH_ECREATE : PUBLISH_EIO;
        }
        e->dev = st.st_dev;
        e->ino = st.st_ino;
        e->how = HOW_STAGED;
    }
    /* The staged files' directory entries are durable before the manifest names them. */
    for (size_t i = 0; i < n_sync_dirs; i++) {
        if (step(PUBLISH_STEP_SYNC_STAGED, i) ||
            fsync_path(sync_dirs[i], O_RDONLY | O_DIRECTORY) != 0) {
            diag_error(d, NULL, 0, "cannot sync directory '%s': %s", sync_dirs[i],
                       publish_strerror(errno));
            publish_abort();
            return PUBLISH_EIO;
        }
    }

    sigset_t old;
    block_signals(&old);
    int rc = seal(n, d);
    if (rc != PUBLISH_OK) {
        roll_back_staged(); /* the manifest too, even a switch whose directory did not sync */
        registry_clear();
        restore_signals(&old);
        return rc;
    }
    /* Committed: the manifest is the switch now, never removed by the handler. */
    atomic_store_explicit(&journal_live, false, memory_order_release);
    size_t n_switched = 0;
    const char *failed = NULL, *failed_dir = NULL;
    int err = 0;
    for (; n_switched < n; n_switched++)
        if (switch_one(entry_at(n_switched), n_switched) != 0) {
            err = errno;
            failed = entry_at(n_switched)->final;
            break;
        }
    for (size_t i = 0; i < n_sync_dirs && !err; i++) {
        if (step(PUBLISH_STEP_SYNC_DIR, i) ||
            fsync_path(sync_dirs[i], O_RDONLY | O_DIRECTORY) != 0) {
            err = errno;
            failed_dir = sync_dirs[i];
        }
    }
    if (err) {
        const char *bad = NULL;
        int bad_err = 0;
        bool undone = undo_switch(n_switched, n, &bad, &bad_err) == 0;
        char what[PATH_MAX + 64];
        if (failed)
            snprintf(what, sizeof what, "cannot publish '%s'", failed);
        else
            snprintf(what, sizeof what, "cannot sync directory '%s'", failed_dir);
        if (undone) {
            diag_error(d, NULL, 0, "%s: %s; the previous outputs are kept", what,
                       publish_strerror(err));
        } else {
            diag_error(d, NULL, 0,
                       "%s: %s; the previous outputs cannot be put back ('%s': %s): the next run "
                       "completes the switch recorded in '%s'",
                       what, publish_strerror(err), bad, publish_strerror(bad_err), journal_path);
            home[0] = '\0'; /* the manifest stays for recovery: no new set before the next lock */
        }
        registry_clear();
        restore_signals(&old);
        return PUBLISH_EIO;
    }
    /* The set is in place and durable: the old files kept at the staged paths go, then the
     * manifest. */
    for (size_t i = 0; i < n && rc == PUBLISH_OK; i++) {
        const struct staged *e = entry_at(i);
        if (e->how == HOW_EXCHANGED && unlink(e->tmp) != 0 && errno != ENOENT) {
            diag_error(d, NULL, 0, "cannot remove the previous '%s' (kept as '%s'): %s", e->final,
                       e->tmp, strerror(errno));
            rc = PUBLISH_EIO;
        }
    }
    if (rc == PUBLISH_OK && (step(PUBLISH_STEP_UNSEAL, 0) || unlink(journal_path) != 0 ||
                             fsync_path(home, O_RDONLY | O_DIRECTORY) != 0)) {
        diag_error(d, NULL, 0, "cannot remove '%s': %s", journal_path, strerror(errno));
        rc = PUBLISH_EIO;
    }
    registry_clear();
    if (rc != PUBLISH_OK)
        home[0] = '\0'; /* the manifest stays for recovery: no new set before the next lock */
    restore_signals(&old);
    return rc;
}

/* ---- recovery ---------------------------------------------------------------------------- */

/* The whole file at path in *text (NUL-terminated; caller frees), or -1 with errno. */
static int read_whole(const char *path, char **text, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct buf b = {NULL, 0, 0};
    char chunk[65536];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int err = errno;
            close(fd);
            free(b.p);
            errno = err;
            return -1;
        }
        if (r == 0)
            break;
        buf_add(&b, chunk, (size_t)r);
    }
    close(fd);
    if (!b.p)
        buf_add(&b, "", 0);
    *text = b.p;
    *len = b.n;
    return 0;
}

/* Split the next '\n'-terminated line of [*p, end) into at most max tab-separated fields (in
 * place). Returns the number of fields, or 0 at the end or on a line without its newline. */
static size_t next_line(char **p, char *end, char **f, size_t max)
{
    char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return 0;
    *nl = '\0';
    size_t n = 0;
    char *s = *p;
    *p = nl + 1;
    while (n < max) {
        f[n++] = s;
        char *tab = strchr(s, '\t');
        if (!tab)
            break;
        *tab = '\0';
        s = tab + 1;
    }
    return n;
}

static int parse_u64(const char *s, uintmax_t *out)
{
    if (!*s)
        return -1;
    uintmax_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINTMAX_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uintmax_t)(*s - '0');
    }
    *out = v;
    return 0;
}

/* Staging journal: remove every staged file it lists. A last line without its newline was cut
 * by the kill before its file could be created. */
static int roll_back(const char *mpath, char *p, char *end, struct diag *d)
{
    int rc = PUBLISH_OK;
    size_t i = 0, nf;
    char *f[4];
    while ((nf = next_line(&p, end, f, 4)) != 0) {
        if (nf != 3 || strcmp(f[0], "file") != 0 || unescape(f[1]) || unescape(f[2])) {
            diag_error(d, NULL, 0, "damaged publish journal '%s'", mpath);
            return PUBLISH_EIO;
        }
        if (step(PUBLISH_STEP_ROLL_BACK, i) || (unlink(f[1]) != 0 && errno != ENOENT)) {
            diag_error(d, NULL, 0, "cannot remove '%s' of an interrupted run: %s", f[1],
                       strerror(errno));
            rc = PUBLISH_EIO;
        }
        i++;
    }
    if (rc == PUBLISH_OK)
        diag_warn(d, NULL, 0, "an earlier run stopped before publishing: %zu staged files removed",
                  i);
    return rc;
}

/* Switch manifest: rename every staged file still present into place; one already renamed is
 * its final now (same device and inode). Then sync the directories it lists. */
static int roll_forward(const char *mpath, const char *files, const char *dirs, char *p, char *end,
                        struct diag *d)
{
    char *f[6];
    size_t nf;
    uintmax_t n_files, n_dirs;
    /* Old files kept at staged paths by an exchange: removed once the set is durable. */
    char **old_copies = NULL;
    size_t n_old = 0, cap_old = 0;
    int rc = PUBLISH_EIO;
    if (parse_u64(files, &n_files) || parse_u64(dirs, &n_dirs))
        goto damaged;
    for (uintmax_t i = 0; i < n_files; i++) {
        uintmax_t dev, ino;
        nf = next_line(&p, end, f, 6);
        if (nf != 5 || strcmp(f[0], "file") != 0 || unescape(f[1]) || unescape(f[2]) ||
            parse_u64(f[3], &dev) || parse_u64(f[4], &ino))
            goto damaged;
        if (step(PUBLISH_STEP_ROLL_FWD, (size_t)i)) {
            diag_error(d, NULL, 0, "cannot rename '%s' to '%s': %s", f[1], f[2], strerror(errno));
            goto out;
        }
        /* At the staged path: the new file (not switched yet), the old one it was exchanged
         * with (switched), or nothing (switched, or the old one already removed). */
        struct stat st;
        bool staged = lstat(f[1], &st) == 0;
        if (!staged && errno != ENOENT) {
            diag_error(d, NULL, 0, "cannot read '%s': %s", f[1], strerror(errno));
            goto out;
        }
        if (staged && (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino) {
            if (rename(f[1], f[2]) != 0) {
                diag_error(d, NULL, 0, "cannot rename '%s' to '%s': %s", f[1], f[2],
                           strerror(errno));
                goto out;
            }
            continue;
        }
        if (stat(f[2], &st) != 0 || (uintmax_t)st.st_dev != dev || (uintmax_t)st.st_ino != ino) {
            diag_error(d, NULL, 0,
                       "cannot complete the switch recorded in '%s': '%s' is neither staged as "
                       "'%s' nor in place; check the set and remove the manifest",
                       mpath, f[2], f[1]);
            goto out;
        }
        if (staged)
            VEC_PUSH(old_copies, n_old, cap_old, f[1]);
    }
    for (uintmax_t i = 0; i < n_dirs; i++) {
        nf = next_line(&p, end, f, 6);
        if (nf != 2 || strcmp(f[0], "dir") != 0 || unescape(f[1]))
            goto damaged;
        if (fsync_path(f[1], O_RDONLY | O_DIRECTORY) != 0) {
            diag_error(d, NULL, 0, "cannot sync directory '%s': %s", f[1], strerror(errno));
            goto out;
        }
    }
    nf = next_line(&p, end, f, 6);
    if (nf != 1 || strcmp(f[0], "end") != 0 || p != end)
        goto damaged;
    for (size_t i = 0; i < n_old; i++)
        if (unlink(old_copies[i]) != 0 && errno != ENOENT) {
            diag_error(d, NULL, 0, "cannot remove '%s': %s", old_copies[i], strerror(errno));
            goto out;
        }
    diag_warn(d, NULL, 0, "completed the switch of %ju files an earlier run was stopped in",
              n_files);
    rc = PUBLISH_OK;
    goto out;
damaged:
    diag_error(d, NULL, 0, "damaged publish manifest '%s': check the set and remove it", mpath);
out:
    free(old_copies);
    return rc;
}

int publish_recover(const char *dir, struct diag *d)
{
    char mpath[PATH_MAX], npath[PATH_MAX];
    if (join_path(mpath, dir, "", MANIFEST, "") || join_path(npath, dir, "", MANIFEST_NEW, "")) {
        diag_error(d, NULL, 0, "output directory path is too long: '%s'", dir);
        return PUBLISH_ECREATE;
    }
    sigset_t old;
    block_signals(&old);
    int rc = PUBLISH_OK;
    char *text = NULL;
    size_t len = 0;
    /* A switch manifest not yet renamed over the journal: the journal still rules. */
    if (unlink(npath) != 0 && errno != ENOENT) {
        diag_error(d, NULL, 0, "cannot remove '%s': %s", npath, strerror(errno));
        rc = PUBLISH_EIO;
    } else if (read_whole(mpath, &text, &len) != 0) {
        if (errno != ENOENT) {
            diag_error(d, NULL, 0, "cannot read '%s': %s", mpath, strerror(errno));
            rc = PUBLISH_EIO;
        }
    } else {
        char *p = text, *end = text + len, *f[3];
        size_t nf = next_line(&p, end, f, 3);
        if (nf == 1 && strcmp(f[0], HEAD_STAGING) == 0) {
            rc = roll_back(mpath, p, end, d);
        } else if (nf == 3 &&
                   (strcmp(f[0], HEAD_SWITCH) == 0 || strcmp(f[0], HEAD_SWITCH_1) == 0)) {
            rc = roll_forward(mpath, f[1], f[2], p, end, d);
        } else if (nf == 0 && len <= strlen(HEAD_STAGING) && memcmp(text, HEAD_STAGING, len) == 0) {
            /* Killed between creating the journal and writing its first line: nothing staged. */
        } else {
            diag_error(d, NULL, 0, "damaged publish manifest '%s': check the set and remove it",
                       mpath);
            rc = PUBLISH_EIO;
        }
        if (rc == PUBLISH_OK && (unlink(mpath) != 0 || fsync_path(dir, O_RDONLY | O_DIRECTORY))) {
            diag_error(d, NULL, 0, "cannot remove '%s': %s", mpath, strerror(errno));
            rc = PUBLISH_EIO;
        }
    }
    free(text);
    restore_signals(&old);
    return rc;
}
