/* progress.h — a one-line progress indicator on a terminal's stderr while a stage runs long.
 *
 * Shown only when main.c has turned it on (stderr is a terminal, no -q, no --no-progress): never
 * in cron's mail or a test's captured stderr. It is the one module besides main.c that prints,
 * and it prints only this line: on a copy of fd 2 taken at progress_start (so that it never lands
 * in a library's caught stderr, diag.h), from a thread of its own that wakes ten times a second,
 * and only once the current stage has run for over a second (SAMETABLE_PROGRESS_AFTER_MS, for
 * tests, sets another threshold). The line is redrawn in place with "\r", cut to the terminal's
 * width, and erased (spaces, then "\r") at the stage's end and before anything else is printed on
 * stderr: whoever prints calls progress_clear first (diag_print does).
 *
 * The stages report what they do through cheap calls: a label ("reading touches.csv",
 * "attributing", "writing payouts-2026-10.xlsx"), a note for the current step ("sheet Lines"), and
 * counters: progress_count / progress_bytes are one relaxed atomic store (no clock, no lock), so
 * they may sit in hot loops and be called from any thread. When the indicator is off, every call
 * still works and nothing is drawn; the labels cost a lock and a few bytes of copying.
 *
 * What the line says: "sametable: <stage> <label>: <detail>", the stage name in the column where
 * -v prints its timing ("ingest", "join", "attribute", "incent", "write"), the detail being
 * "<count> of <total> <unit>" when a total is known, "<count> rows (<p> %)" when the bytes of a
 * file are counted, the note when one is set, else the seconds the step has taken so far
 * ("12 s"). Numbers are grouped by thousands: "sametable: ingest     reading touches.csv: 4,210,000
 * rows (38 %)".
 */
#ifndef SAMETABLE_PROGRESS_H
#define SAMETABLE_PROGRESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Turn the indicator on (fd is where it draws, normally STDERR_FILENO; it is duplicated) and
 * start its thread. Nothing happens when fd is not a terminal. Returns whether it is on. */
bool progress_start(int fd);
/* Erase the line, stop the thread and close the copy of fd. Safe to call when never started. */
void progress_stop(void);

/* A stage begins (name as -v prints it): its clock starts, label, note and counters are reset. */
void progress_stage(const char *label);
/* The stage has ended: the line is erased and nothing is drawn until the next progress_stage. */
void progress_stage_end(void);
/* Within a stage: a new step. Resets note and counters, keeps the stage's clock. */
void progress_label(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The step's detail, shown after the label. */
void progress_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The calling thread now writes the file `name` (NULL: none): the note shows it, and this
 * thread's later notes are prefixed with it ("payouts-2026-10.xlsx: sheet Lines"). With a total
 * (progress_total), the line shows the count and then the latest note of any thread. */
void progress_job(const char *name);
/* The step counts `unit` items up to total (progress_count). */
void progress_total(uint64_t total, const char *unit);
/* The step reads a file of `size` bytes: progress_bytes over it is the percentage, progress_count
 * the rows. */
void progress_file_size(uint64_t size);
/* Erase the line now, if it is shown; it comes back at the next redraw. */
void progress_clear(void);
/* The same from a signal handler that ends the process (async-signal-safe). */
void progress_clear_in_handler(void);

extern _Atomic uint64_t progress_n_count, progress_n_bytes;

/* Items done in the current step: one relaxed store, for hot loops, from any thread. */
static inline void progress_count(uint64_t n)
{
    atomic_store_explicit(&progress_n_count, n, memory_order_relaxed);
}

/* Bytes read of the current step's file. */
static inline void progress_bytes(uint64_t n)
{
    atomic_store_explicit(&progress_n_bytes, n, memory_order_relaxed);
}

#endif
