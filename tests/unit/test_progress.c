/* test_progress.c — the progress line: drawn on a terminal only, its wording, its erasing. */
#define _GNU_SOURCE /* posix_openpt and friends */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

/* A pseudo-terminal: *slave is what progress draws on, the master is read back. */
static int open_pty(int *slave, unsigned short cols)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    cr_assert_geq(master, 0);
    cr_assert_eq(grantpt(master), 0);
    cr_assert_eq(unlockpt(master), 0);
    *slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    cr_assert_geq(*slave, 0);
    struct termios t;
    cr_assert_eq(tcgetattr(*slave, &t), 0);
    cfmakeraw(&t); /* the bytes as written, no "\n" to "\r\n" */
    cr_assert_eq(tcsetattr(*slave, TCSANOW, &t), 0);
    struct winsize ws = {.ws_row = 24, .ws_col = cols};
    cr_assert_eq(ioctl(*slave, TIOCSWINSZ, &ws), 0);
    return master;
}

struct screen {
    char buf[16384];
    size_t n;
};

/* Read what is there within ms milliseconds, appended to s. */
static void read_for(int master, struct screen *s, int ms)
{
    struct pollfd p = {.fd = master, .events = POLLIN};
    while (s->n < sizeof s->buf - 1 && poll(&p, 1, ms) > 0) {
        ssize_t k = read(master, s->buf + s->n, sizeof s->buf - 1 - s->n);
        if (k <= 0)
            break;
        s->n += (size_t)k;
        ms = 50; /* then whatever follows at once */
    }
    s->buf[s->n] = '\0';
}

/* Read until text has appeared (5 s at most: a loaded machine may delay the drawing thread). */
static bool read_until(int master, struct screen *s, const char *text)
{
    for (int i = 0; i < 50 && !strstr(s->buf, text); i++)
        read_for(master, s, 100);
    return strstr(s->buf, text) != NULL;
}

/* The screen ends with the line erased: "\r", at least `cols` spaces, "\r". */
static bool ends_erased(const struct screen *s, size_t cols)
{
    if (s->n < cols + 2 || s->buf[s->n - 1] != '\r')
        return false;
    size_t i = s->n - 1, spaces = 0;
    while (i > 0 && s->buf[i - 1] == ' ') {
        i--;
        spaces++;
    }
    return i > 0 && s->buf[i - 1] == '\r' && spaces >= cols;
}

Test(progress, nothing_is_drawn_when_the_fd_is_not_a_terminal)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    setenv("SAMETABLE_PROGRESS_AFTER_MS", "0", 1);
    cr_assert_not(progress_start(fds[1]));
    progress_stage("ingest");
    progress_label("reading touches.csv");
    progress_count(5);
    progress_stage_end();
    progress_stop();
    close(fds[1]);
    char b[16];
    cr_assert_eq(read(fds[0], b, sizeof b), 0, "a pipe got bytes");
    close(fds[0]);
}

Test(progress, a_file_being_read_shows_its_rows_and_percentage)
{
    int slave, master = open_pty(&slave, 120);
    setenv("SAMETABLE_PROGRESS_AFTER_MS", "0", 1);
    cr_assert(progress_start(slave));
    progress_stage("ingest");
    progress_label("reading %s", "touches.csv");
    progress_file_size(1000);
    progress_count(4210000);
    progress_bytes(380);
    struct screen s = {.n = 0};
    const char *want = "\rsametable: ingest     reading touches.csv: 4,210,000 rows (38 %)";
    cr_assert(read_until(master, &s, want), "not drawn: %s", s.buf);
    progress_stage_end();
    read_for(master, &s, 200);
    cr_assert(ends_erased(&s, strlen(want) - 1), "not erased: %s", s.buf);
    cr_assert_null(strchr(s.buf, '\n'));
    progress_stop();
    close(slave);
    close(master);
}

Test(progress, a_counted_step_shows_count_of_total)
{
    int slave, master = open_pty(&slave, 120);
    setenv("SAMETABLE_PROGRESS_AFTER_MS", "0", 1);
    cr_assert(progress_start(slave));
    progress_stage("attribute");
    progress_label("attributing");
    progress_total(312270, "deals");
    progress_count(120000);
    struct screen s = {.n = 0};
    cr_assert(read_until(master, &s, "sametable: attribute  attributing: 120,000 of 312,270 deals"),
              "not drawn: %s", s.buf);
    progress_note("ignored while counting");
    progress_label("data-driven models");
    cr_assert(read_until(master, &s, "sametable: attribute  data-driven models: 0 s"),
              "not drawn: %s", s.buf);
    progress_stop();
    read_for(master, &s, 200);
    cr_assert(ends_erased(&s, 40), "progress_stop did not erase: %s", s.buf);
    close(slave);
    close(master);
}

Test(progress, a_note_is_shown_after_the_label)
{
    int slave, master = open_pty(&slave, 120);
    setenv("SAMETABLE_PROGRESS_AFTER_MS", "0", 1);
    cr_assert(progress_start(slave));
    progress_stage("write");
    progress_label("payouts-2026-10.xlsx");
    progress_note("sheet %s", "Lines");
    struct screen s = {.n = 0};
    cr_assert(read_until(master, &s, "\rsametable: write      payouts-2026-10.xlsx: sheet Lines"),
              "not drawn: %s", s.buf);
    /* A shorter line overwrites what is left of the longer one. */
    progress_note("saving");
    cr_assert(read_until(master, &s, "payouts-2026-10.xlsx: saving     "), "not padded: %s", s.buf);
    /* Erased at once; the next tick may draw it again, so the erase is looked for, not the end. */
    size_t before = s.n;
    progress_clear();
    read_for(master, &s, 200);
    char erase[60] = "\r";
    memset(erase + 1, ' ', 50);
    cr_assert_not_null(strstr(s.buf + before, erase), "progress_clear did not erase: %s", s.buf);
    progress_stop();
    close(slave);
    close(master);
}

Test(progress, a_stage_shorter_than_the_threshold_shows_nothing)
{
    int slave, master = open_pty(&slave, 120);
    setenv("SAMETABLE_PROGRESS_AFTER_MS", "3000", 1);
    cr_assert(progress_start(slave));
    progress_stage("join");
    progress_label("joining");
    struct screen s = {.n = 0};
    read_for(master, &s, 500); /* five ticks, well under the three seconds */
    progress_stage_end();
    progress_stop();
    read_for(master, &s, 100);
    cr_assert_eq(s.n, 0, "drawn before the threshold: %s", s.buf);
    close(slave);
    close(master);
}

Test(progress, the_line_is_cut_to_the_terminal_width)
{
    int slave, master = open_pty(&slave, 30);
    setenv("SAMETABLE_PROGRESS_AFTER_MS", "0", 1);
    cr_assert(progress_start(slave));
    progress_stage("ingest");
    progress_label("reading a-file-with-a-very-long-name.csv");
    struct screen s = {.n = 0};
    cr_assert(read_until(master, &s, "\rsametable: ingest     reading"), "not drawn: %s", s.buf);
    read_for(master, &s, 200);
    progress_stop();
    read_for(master, &s, 200);
    /* Every drawn segment fits in 29 columns: a wrapped line could not be redrawn with "\r". */
    for (char *p = s.buf; *p;) {
        size_t len = strcspn(p, "\r");
        cr_assert_leq(len, 29, "a segment of %zu columns: %s", len, s.buf);
        p += len + (p[len] != '\0');
    }
    close(slave);
    close(master);
}
