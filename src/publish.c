/* publish.c — temporary files, fsync + rename publication, locking and signal cleanup. */
#include "publish.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Static storage so the signal handler can unlink without touching the heap. */
static char tmp_paths[PUBLISH_MAX_FILES][PATH_MAX];
static char final_paths[PUBLISH_MAX_FILES][PATH_MAX];
static char dir_paths[PUBLISH_MAX_FILES][PATH_MAX];
static volatile sig_atomic_t n_files;
static size_t n_committed;

static void on_signal(int sig)
{
    for (sig_atomic_t i = 0; i < n_files; i++)
        unlink(tmp_paths[i]);
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
}

static int io_status(int err)
{
    return (err == EACCES || err == EPERM || err == EROFS || err == ENOTDIR || err == ENOENT)
               ? PUBLISH_ECREATE
               : PUBLISH_EIO;
}

int publish_prepare_dir(const char *dir, struct diag *d)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) {
        diag_error(d, NULL, 0, "output directory path is too long: '%s'", dir);
        return PUBLISH_ECREATE;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            diag_error(d, NULL, 0, "cannot create output directory '%s': %s", buf, strerror(errno));
            return PUBLISH_ECREATE;
        }
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        diag_error(d, NULL, 0, "cannot create output directory '%s': %s", buf, strerror(errno));
        return PUBLISH_ECREATE;
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
    return PUBLISH_OK;
}

void publish_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

const char *publish_begin(const char *dir, const char *name, struct diag *d)
{
    if (n_files >= PUBLISH_MAX_FILES) {
        diag_error(d, NULL, 0, "too many output files (at most %d)", PUBLISH_MAX_FILES);
        return NULL;
    }
    int i = n_files;
    int a = snprintf(final_paths[i], PATH_MAX, "%s/%s", dir, name);
    int b = snprintf(tmp_paths[i], PATH_MAX, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    int c = snprintf(dir_paths[i], PATH_MAX, "%s", dir);
    if (a >= PATH_MAX || b >= PATH_MAX || c >= PATH_MAX) {
        diag_error(d, NULL, 0, "output path too long in '%s'", dir);
        return NULL;
    }
    n_files = i + 1; /* only now may the handler see it */
    return tmp_paths[i];
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

int publish_commit(struct diag *d)
{
    for (sig_atomic_t i = 0; i < n_files; i++) {
        if (fsync_path(tmp_paths[i], O_RDONLY) != 0) {
            int err = errno;
            diag_error(d, NULL, 0, "cannot sync '%s': %s", tmp_paths[i], strerror(err));
            publish_abort();
            return io_status(err) == PUBLISH_ECREATE ? PUBLISH_ECREATE : PUBLISH_EIO;
        }
    }
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    int rc = PUBLISH_OK;
    sig_atomic_t i;
    for (i = 0; i < n_files; i++) {
        if (rename(tmp_paths[i], final_paths[i]) != 0) {
            diag_error(d, NULL, 0, "cannot rename '%s' to '%s': %s", tmp_paths[i], final_paths[i],
                       strerror(errno));
            rc = PUBLISH_EIO;
            break;
        }
    }
    n_committed = (size_t)i;
    if (rc == PUBLISH_OK) {
        for (sig_atomic_t k = 0; k < n_files; k++) {
            if (k > 0 && strcmp(dir_paths[k], dir_paths[k - 1]) == 0)
                continue;
            if (fsync_path(dir_paths[k], O_RDONLY | O_DIRECTORY) != 0) {
                diag_error(d, NULL, 0, "cannot sync directory '%s': %s", dir_paths[k],
                           strerror(errno));
                rc = PUBLISH_EIO;
            }
        }
    } else {
        for (sig_atomic_t k = i; k < n_files; k++)
            unlink(tmp_paths[k]);
    }
    n_files = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}

void publish_abort(void)
{
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    for (sig_atomic_t i = 0; i < n_files; i++)
        unlink(tmp_paths[i]);
    n_files = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
}

const char *publish_final_path(size_t i)
{
    return i < n_committed ? final_paths[i] : NULL;
}
