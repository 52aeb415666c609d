/* publish.h — output files that appear whole or not at all, the per-directory run lock, and
 * cleanup on SIGINT/SIGTERM.
 *
 * Every output is written to a temporary name in its target directory (".<name>.tmp.<pid>"),
 * and publish_commit fsyncs each one, renames them into place with signals blocked, and fsyncs
 * the directory. Until then a signal handler removes the temporary files and exits 128 + signal.
 * The registry of temporary paths is static: at most PUBLISH_MAX_FILES outputs per run.
 */
#ifndef SAMETABLE_PUBLISH_H
#define SAMETABLE_PUBLISH_H

#include <stddef.h>

#include "diag.h"

#define PUBLISH_MAX_FILES 16

enum publish_status {
    PUBLISH_OK = 0,
    PUBLISH_ECREATE, /* the directory or a file cannot be created or written (exit 73) */
    PUBLISH_EIO,     /* write, fsync or rename failed: ENOSPC, EFBIG, EIO, … (exit 74) */
    PUBLISH_ELOCKED, /* another run holds the directory's lock (exit 75) */
};

/* Install the SIGINT/SIGTERM handlers (idempotent). */
void publish_install_signals(void);

/* Create `dir` (and parents) if needed and check it is a writable directory. */
int publish_prepare_dir(const char *dir, struct diag *d);

/* Take the run lock "<dir>/.sametable.lock" without waiting; *fd keeps it until publish_unlock. */
int publish_lock(const char *dir, int *fd, struct diag *d);
void publish_unlock(int fd);

/* Register output `name` in `dir`: returns its temporary path (owned by the registry) to write
 * to, or NULL with an error if the registry is full. */
const char *publish_begin(const char *dir, const char *name, struct diag *d);

/* Make every registered file durable and rename it to its final name. Returns a status. */
int publish_commit(struct diag *d);

/* Remove every registered temporary file (after a failure). */
void publish_abort(void);

/* The final path of the i-th committed file, for messages; NULL past the end. */
const char *publish_final_path(size_t i);

#endif
