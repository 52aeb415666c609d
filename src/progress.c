/* progress.c — the progress line on a terminal, drawn by a thread of its own. */
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define PROGRESS_TICK_MS     100  /* at most ten redraws a second */
#define PROGRESS_AFTER_MS    1000 /* a stage shorter than this shows nothing */
#define PROGRESS_LINE_MAX    400  /* bytes of the drawn text */
#define PROGRESS_DEFAULT_COL 80   /* when the terminal does not say its width */

_Atomic uint64_t progress_n_count, progress_n_bytes;

/* Everything below but the atomics is guarded by mu. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static atomic_bool on;           /* progress_start succeeded and progress_stop has not run */
static atomic_int out_fd = -1;   /* our copy of the terminal's fd; the signal handler reads it */
static atomic_size_t shown_cols; /* columns of the line on the screen, 0 = none shown */
static bool quit;                /* the thread ends */
static bool in_stage;            /* between progress_stage and progress_stage_end */
static struct timespec stage_t0, step_t0; /* CLOCK_MONOTONIC */
static long after_ms = PROGRESS_AFTER_MS;
static char stage_name[24], label[160], note[160], unit[24];
static uint64_t total;               /* items of the step, 0 = not counted against a total */
static bool file_step;               /* the step reads a file: rows and a percentage */
static uint64_t file_size;           /* bytes, 0 = unknown (a pipe) */
static char last[PROGRESS_LINE_MAX]; /* the text on the screen */

static void write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return; /* a terminal that went away: nothing to tell it */
        s += k;
        n -= (size_t)k;
    }
}

/* Columns of UTF-8 text, one per character (what file names and labels hold). */
static size_t cols_of(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static size_t terminal_cols(int fd)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
        return ws.ws_col;
    return PROGRESS_DEFAULT_COL;
}

static void erase_locked(void)
{
    size_t n = atomic_load(&shown_cols);
    int fd = atomic_load(&out_fd);
    if (n == 0 || fd < 0)
        return;
    if (n > terminal_cols(fd) - 1)
        n = terminal_cols(fd) - 1; /* narrowed since: more spaces would wrap */
    char buf[PROGRESS_LINE_MAX + 2];
    buf[0] = '\r';
    memset(buf + 1, ' ', n);
    buf[n + 1] = '\r';
    write_all(fd, buf, n + 2);
    atomic_store(&shown_cols, 0);
    last[0] = '\0';
}

/* "4210000" as "4,210,000". */
static void grouped(char *buf, size_t size, uint64_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)(t.tv_sec - since->tv_sec) * 1000 + (t.tv_nsec - since->tv_nsec) / 1000000;
}

/* "sametable: <stage>  <label>: <detail>", the stage in the column -v prints it in. */
static void format_locked(char *line, size_t size)
{
    char a[32], b[32], detail[200];
    uint64_t count = atomic_load_explicit(&progress_n_count, memory_order_relaxed);
    grouped(a, sizeof a, count);
    if (total) {
        grouped(b, sizeof b, total);
        if (snprintf(detail, sizeof detail, "%s of %s %s%s%s", a, b, unit, note[0] ? "; " : "",
                     note) >= (int)sizeof detail)
            detail[sizeof detail - 1] = '\0'; /* cut: the line is cut to the terminal anyway */
    } else if (file_step && file_size) {
        uint64_t bytes = atomic_load_explicit(&progress_n_bytes, memory_order_relaxed);
        uint64_t pct = bytes >= file_size ? 100 : bytes * 100 / file_size;
        snprintf(detail, sizeof detail, "%s rows (%" PRIu64 " %%)", a, pct);
    } else if (file_step) {
        snprintf(detail, sizeof detail, "%s rows", a);
    } else if (note[0]) {
        snprintf(detail, sizeof detail, "%s", note);
    } else {
        snprintf(detail, sizeof detail, "%ld s", elapsed_ms(&step_t0) / 1000); /* of the step */
    }
    snprintf(line, size, "sametable: %-10s %s%s%s", stage_name, label, label[0] ? ": " : "",
             detail);
}

static void draw_locked(void)
{
    int fd = atomic_load(&out_fd);
    if (!in_stage || fd < 0)
        return;
    pid_t fg = tcgetpgrp(fd); /* -1 when not our controlling terminal: draw */
    if (fg >= 0 && fg != getpgrp())
        return; /* in the background (Ctrl-Z, bg): the shell has the terminal */
    if (elapsed_ms(&stage_t0) < after_ms)
        return;
    /* A terminal that takes no output (Ctrl-S) must not hold the run up: skip this tick. */
    struct pollfd pf = {.fd = fd, .events = POLLOUT};
    if (poll(&pf, 1, 0) != 1 || !(pf.revents & POLLOUT))
        return;
    char line[PROGRESS_LINE_MAX];
    format_locked(line, sizeof line);
    /* Never wrap: a wrapped line cannot be redrawn with "\r". */
    size_t width = terminal_cols(fd) - 1, len = strlen(line);
    if (width > PROGRESS_LINE_MAX - 1)
        width = PROGRESS_LINE_MAX - 1;
    while (cols_of(line, len) > width) {
        do
            len--;
        while (len > 0 && ((unsigned char)line[len] & 0xC0) == 0x80);
    }
    line[len] = '\0';
    size_t cols = cols_of(line, len), before = atomic_load(&shown_cols);
    if (before && strcmp(line, last) == 0)
        return;
    char buf[2 * PROGRESS_LINE_MAX + 2];
    size_t o = 0;
    buf[o++] = '\r';
    memcpy(buf + o, line, len);
    o += len;
    for (size_t c = cols; c < before && c < width; c++)
        buf[o++] = ' '; /* what is left of a longer line (of a narrower terminal now) */
    /* Shown before it is written: a signal handler that runs in between erases it. */
    atomic_store(&shown_cols, cols > before ? cols : before);
    if (atomic_load(&out_fd) < 0)
        return; /* a signal handler has taken the terminal back */
    write_all(fd, buf, o);
    memcpy(last, line, len + 1);
}

static void *run_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!quit) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += PROGRESS_TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&wake, &mu, &until);
        if (!quit)
            draw_locked();
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

/* SAMETABLE_PROGRESS_AFTER_MS: digits only, else the default. */
static long threshold_from_env(void)
{
    const char *s = getenv("SAMETABLE_PROGRESS_AFTER_MS");
    if (!s || !*s || strlen(s) > 9)
        return PROGRESS_AFTER_MS;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return PROGRESS_AFTER_MS;
        v = v * 10 + (*p - '0');
    }
    return v;
}

bool progress_start(int fd)
{
    if (atomic_load(&on) || !isatty(fd))
        return false;
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0)
        return false;
    pthread_mutex_lock(&mu);
    after_ms = threshold_from_env();
    quit = false;
    atomic_store(&out_fd, copy);
    pthread_mutex_unlock(&mu);
    /* Signals go to the main thread: the handlers there clean up and exit. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    bool started = pthread_create(&thread, NULL, run_thread, NULL) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!started) {
        atomic_store(&out_fd, -1);
        close(copy);
        return false;
    }
    atomic_store(&on, true);
    return true;
}

void progress_stop(void)
{
    if (!atomic_load(&on))
        return;
    pthread_mutex_lock(&mu);
    quit = true;
    in_stage = false;
    erase_locked();
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&mu);
    if (pthread_join(thread, NULL) != 0)
        BUG("progress: cannot join the drawing thread");
    int fd = atomic_exchange(&out_fd, -1);
    if (fd >= 0)
        close(fd);
    atomic_store(&on, false);
}

/* With SAMETABLE_PROGRESS_AFTER_MS=0 (tests) every step is drawn as it begins, besides the
 * ticks: a test sees each stage and step however fast the run. */
static void step_changed_locked(void)
{
    if (after_ms == 0)
        draw_locked();
}

static void reset_step_locked(void)
{
    note[0] = unit[0] = '\0';
    total = 0;
    file_step = false;
    file_size = 0;
    atomic_store_explicit(&progress_n_count, 0, memory_order_relaxed);
    atomic_store_explicit(&progress_n_bytes, 0, memory_order_relaxed);
}

void progress_stage(const char *name)
{
    if (!atomic_load_explicit(&on, memory_order_relaxed))
        return;
    pthread_mutex_lock(&mu);
    erase_locked();
    in_stage = true;
    clock_gettime(CLOCK_MONOTONIC, &stage_t0);
    step_t0 = stage_t0;
    snprintf(stage_name, sizeof stage_name, "%s", name);
    label[0] = '\0';
    reset_step_locked();
    step_changed_locked();
    pthread_mutex_unlock(&mu);
}

void progress_stage_end(void)
{
    if (!atomic_load_explicit(&on, memory_order_relaxed))
        return;
    pthread_mutex_lock(&mu);
    in_stage = false;
    erase_locked();
    pthread_mutex_unlock(&mu);
}

void progress_label(const char *fmt, ...)
{
    if (!atomic_load_explicit(&on, memory_order_relaxed))
        return;
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&mu);
    vsnprintf(label, sizeof label, fmt, ap);
    clock_gettime(CLOCK_MONOTONIC, &step_t0);
    reset_step_locked();
    step_changed_locked();
    pthread_mutex_unlock(&mu);
    va_end(ap);
}

/* The file this thread writes (progress_job): its notes are prefixed with it. */
static _Thread_local char job[96];

void progress_note(const char *fmt, ...)
{
    if (!atomic_load_explicit(&on, memory_order_relaxed))
        return;
    char text[sizeof note];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&mu);
    if (!job[0])
        snprintf(note, sizeof note, "%s", text);
    else if (snprintf(note, sizeof note, "%s: %s", job, text) >= (int)sizeof note)
        note[sizeof note - 1] = '\0'; /* cut */
    step_changed_locked();
    pthread_mutex_unlock(&mu);
}

void progress_job(const char *name)
{
    if (!atomic_load_explicit(&on, memory_order_relaxed))
        return;
    snprintf(job, sizeof job, "%s", name ? name : "");
    if (!job[0])
        return;
    pthread_mutex_lock(&mu);
    snprintf(note, sizeof note, "%s", job);
    step_changed_locked();
    pthread_mutex_unlock(&mu);
}

void progress_total(uint64_t n, const char *what)
{
    if (!atomic_load_explicit(&on, memory_order_relaxed))
        return;
    pthread_mutex_lock(&mu);
    total = n;
    snprintf(unit, sizeof unit, "%s", what);
    atomic_store_explicit(&progress_n_count, 0, memory_order_relaxed);
    step_changed_locked();
    pthread_mutex_unlock(&mu);
}

void progress_file_size(uint64_t size)
{
    if (!atomic_load_explicit(&on, memory_order_relaxed))
        return;
    pthread_mutex_lock(&mu);
    file_step = true;
    file_size = size;
    step_changed_locked();
    pthread_mutex_unlock(&mu);
}

void progress_clear(void)
{
    if (!atomic_load_explicit(&on, memory_order_relaxed))
        return;
    pthread_mutex_lock(&mu);
    erase_locked();
    pthread_mutex_unlock(&mu);
}

void progress_clear_in_handler(void)
{
    /* The fd first: the drawing thread, which may still run until the handler's _exit, looks at
     * it again just before it writes. */
    int fd = atomic_exchange(&out_fd, -1);
    size_t n = atomic_exchange(&shown_cols, 0);
    if (n == 0 || fd < 0)
        return;
    char buf[64];
    memset(buf, ' ', sizeof buf);
    write_all(fd, "\r", 1);
    while (n > 0) {
        size_t k = n < sizeof buf ? n : sizeof buf;
        write_all(fd, buf, k);
        n -= k;
    }
    write_all(fd, "\r", 1);
}
