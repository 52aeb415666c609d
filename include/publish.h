/* publish.h — a run's outputs switch as one set, whole or not at all, across directories and
 * across a crash; the per-directory run lock; cleanup on SIGINT/SIGTERM.
 *
 * A run publishes a set of any size: files in its output directory ("home") and in other
 * directories (per-person statements under DIR/<period>/). The protocol (DESIGN §7b):
 *
 *  1. publish_lock(home) takes "<home>/.sametable.lock" and, before anything else, finishes or
 *     undoes a switch an earlier run left half done (publish_recover). The set's manifest lives
 *     in the locked directory: "<home>/.sametable.publish".
 *  2. publish_begin(dir, name) stages one output as ".<name>.tmp.<pid>" inside its own target
 *     directory (created with its parents if missing), so its final rename never crosses a
 *     filesystem. Before the path is handed out, a line naming it is appended to the manifest,
 *     which is a "staging" journal until the switch: a run killed while staging leaves a list of
 *     what to remove.
 *  3. publish_commit fsyncs every staged file and every directory it staged in (and the parent
 *     of every directory it created); writes the manifest anew as a "switch" (each staged path,
 *     final path and the staged file's device and inode) under a temporary name, fsyncs it,
 *     renames it over the journal and fsyncs <home>: that rename is the commit point. Then it
 *     puts every staged file into place by exchanging it with the old file (renameat2
 *     RENAME_EXCHANGE; a plain rename where there is no old file), so each old file is kept at
 *     the staged path until the end; fsyncs the directories again, removes the old files and
 *     then the manifest.
 *  4. A failure inside the switch (an exchange or rename refused: EISDIR, EIO, …; a directory
 *     that does not sync) undoes it in the same process: every file switched so far is
 *     exchanged back, the directories synced, the manifest turned back into a staging journal,
 *     and the staged files removed: the old set is whole and byte-identical, exit 74. Only when
 *     the undo itself fails (or a filesystem without RENAME_EXCHANGE lost an old file to a
 *     plain rename) does the switch manifest stay, for the next start to roll forward.
 *
 * Recovery (the next start, under the lock). A staging journal means the switch never began (or
 * was undone) and every file of the old set is in place: the staged files are removed (rolled
 * back). A switch manifest means the set was committed and every staged file was durable; it is
 * rolled forward: a staged path holding the new file (by device and inode) is renamed into place;
 * a final already holding it is done, and an old file left at its staged path by the exchange is
 * removed once the directories are synced. A committed file whose staged copy is gone and whose
 * final is not that copy (removed by hand, or lost by the filesystem) cannot be completed: recovery
 * fails (exit 74) naming it and keeps the manifest. Between a crash inside the switch and the next
 * start the set is mixed on disk; "<home>/.sametable.publish" exists exactly then, and a reader
 * that finds it should wait for the next run.
 *
 * SIGXFSZ is ignored (publish_install_signals): past a file size limit a write fails with EFBIG
 * and is reported and cleaned up like a full disk.
 *
 * Signals. Until the commit point the SIGINT/SIGTERM handler removes every staged file and then
 * the journal, and exits 128 + signal. It allocates nothing: staged paths live in fixed-size
 * chunks that never move once linked, published to the handler through lock-free atomics (a
 * count and the chunk links), so a set of any size is reachable from it. From the commit point
 * until the manifest is removed every signal is blocked: SIGINT/SIGTERM take effect once the set
 * is whole. Only one set is open at a time (the registry is per process). Files staged in
 * directories outside <home> are covered by <home>'s lock only; two runs with different output
 * directories must not share a statements directory.
 *
 * Ownership: paths returned by publish_begin belong to the registry and stay valid until
 * publish_commit or publish_abort.
 */
#ifndef SAMETABLE_PUBLISH_H
#define SAMETABLE_PUBLISH_H

#include <stddef.h>

#include "diag.h"

enum publish_status {
    PUBLISH_OK = 0,
    PUBLISH_ECREATE, /* the directory or a file cannot be created or written (exit 73) */
    PUBLISH_EIO,     /* write, fsync or rename failed: ENOSPC, EFBIG, EIO, … (exit 74) */
    PUBLISH_ELOCKED, /* another run holds the directory's lock (exit 75) */
};

/* Install the SIGINT/SIGTERM handlers and ignore SIGXFSZ (idempotent). */
void publish_install_signals(void);

/* Create `dir` (and parents) if needed and check it is a writable directory. */
int publish_prepare_dir(const char *dir, struct diag *d);

/* Take the run lock "<dir>/.sametable.lock" without waiting, then recover what an earlier run
 * left (publish_recover); `dir` becomes the home of this run's manifest. *fd keeps the lock
 * until publish_unlock. A failed recovery returns its status and releases the lock. */
int publish_lock(const char *dir, int *fd, struct diag *d);
void publish_unlock(int fd);

/* Roll an interrupted switch in `home` forward or back as described above (a warning says which;
 * nothing to do is PUBLISH_OK without a message). Called by publish_lock; the caller holds the
 * lock. */
int publish_recover(const char *home, struct diag *d);

/* Stage output `name` in `dir`, any directory (created with its parents if missing): *tmp is the
 * temporary path to write it to. Needs the lock (publish_lock). Returns a status: ECREATE when
 * the directory cannot be created, EIO when the manifest cannot be written. Adding the N
 * statement files of a period is N calls with the same `dir`. */
int publish_begin(const char *dir, const char *name, const char **tmp, struct diag *d);

/* Switch the staged set into place, all or nothing. Before the commit point a failure removes
 * every staged file (the old set stays whole); after it a failure leaves the manifest for the
 * next start to roll forward. The registry is empty afterwards either way. Returns a status. */
int publish_commit(struct diag *d);

/* Remove every staged file and the journal (after a failure). */
void publish_abort(void);

/* For messages: the final path of a staged temporary path (one publish_begin returned), else
 * `path` itself. The operator knows the output by that name; the temporary one ends in a pid. */
const char *publish_target_of(const char *path);

/* strerror(err), saying for EFBIG that a file size limit (ulimit -f) was reached. A full disk
 * (ENOSPC) and a file size limit (EFBIG) are I/O errors like EIO: exit 74. */
const char *publish_strerror(int err);

/* Tests only. The steps of staging, a switch and a recovery, in order. */
enum publish_step {
    PUBLISH_STEP_STAGE,       /* i-th publish_begin, before its journal line */
    PUBLISH_STEP_SYNC,        /* fsync of the i-th staged file */
    PUBLISH_STEP_SYNC_STAGED, /* fsync of the i-th directory holding staged files */
    PUBLISH_STEP_MANIFEST,    /* writing and syncing the switch manifest under its temporary name */
    PUBLISH_STEP_SEAL,        /* renaming it over the journal (the commit point) */
    PUBLISH_STEP_RENAME,      /* exchange (or rename) of the i-th staged file into place */
    PUBLISH_STEP_SYNC_DIR,    /* fsync of the i-th touched directory */
    PUBLISH_STEP_UNSEAL,      /* removing the manifest */
    PUBLISH_STEP_ROLL_FWD,    /* recovery: rename of the i-th committed file */
    PUBLISH_STEP_ROLL_BACK,   /* recovery: removal of the i-th staged file */
    PUBLISH_STEP_UNDO,        /* a failed switch: putting the i-th switched file back */
    PUBLISH_STEP_UNDO_JOURNAL, /* then writing (0) and renaming (1) the staging journal again */
};

/* Tests only: fn (NULL: none) runs before each step with the step's index; a nonzero return
 * fails the step as if its system call had failed with that errno. A hook may also stop or kill
 * the process there, to test recovery. */
void publish_test_hook(int (*fn)(enum publish_step step, size_t i));

/* A private directory for a library's temporary files in dir (a staging directory): created,
 * its path written to path[size]; the signal handler empties and removes it, and so does
 * publish_scratch_done. Returns its slot, or -1 (no slot free, path too long, mkdir failed: the
 * caller then uses dir itself). */
int publish_scratch_begin(const char *dir, char *path, size_t size);
void publish_scratch_done(int slot);

#endif
