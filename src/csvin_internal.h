/* csvin_internal.h — what the reader (csvin.c) and its two-thread pipeline (csvin_pipe.c) share;
 * not public.
 *
 * The reader (struct reader) parses a file into records; alone it calls the callback itself, in
 * the pipeline it runs on a thread of its own and fills batches (struct batch) of a ring (struct
 * pipe) that the calling thread hands to the callback. A batch is written by one thread, then read
 * by the other, never both at once.
 */
#ifndef SAMETABLE_CSVIN_INTERNAL_H
#define SAMETABLE_CSVIN_INTERNAL_H

#include <csv.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "csvin.h"
#include "diag.h"

enum {
    CSVIN_DEFAULT_CHUNK = 1 << 20,
    CSVIN_DEFAULT_MAX_FIELD = 1 << 20,
    /* The BOM, a "sep=" line and the header line are looked at before parsing starts; up to this
     * many bytes (or one chunk, if larger) are read ahead for that. */
    CSVIN_HEAD_MAX = 64 * 1024,
    CSVIN_FIRST_BLOCK = 4096, /* libcsv's first field buffer; it grows geometrically from there */
    /* The pipeline: a batch is handed over once it holds this many field bytes or records, and
     * the reading thread fills one while the others wait for or are in the callbacks. */
    CSVIN_BATCH_BYTES = 1 << 20,
    CSVIN_BATCH_RECS = 4096,
    CSVIN_BATCH_FIRST = 64, /* records in the first batch, doubling up to CSVIN_BATCH_RECS: the
                             * callbacks start as soon as possible */
    CSVIN_RING = 4,
    CSVIN_PEEK_AHEAD = 16, /* csvin_opts.peek sees a record this many before the callback */
    /* Room reserved up front in each batch, beyond batch_bytes, for the record that crosses it
     * and for fields, so that buffers seldom grow (growing copies and touches fresh pages). */
    CSVIN_BATCH_SLACK = 64 * 1024,
    CSVIN_BATCH_FIELDS = 8 * CSVIN_BATCH_RECS,
    CSVIN_BATCH_MAX = 64 << 20, /* largest batch_bytes taken */
};

/* Below this size a regular file is read on one thread: starting one costs more than it saves. */
#define CSVIN_PIPELINE_MIN ((off_t)4 << 20)
/* Data one thread writes often is kept this far from data the other thread uses, so that no
 * cache line holds both and bounces between the cores at every write. */
#define CSVIN_CACHE_LINE 64

/* libcsv's parser state "no field of the current row seen yet" (ROW_NOT_BEGUN in libcsv.c). The
 * pstate field is public in struct csv_parser; this value is the only one relied on. */
#define LIBCSV_ROW_NOT_BEGUN 0

enum utf8_fault {
    U8_OK,
    U8_NUL,   /* a NUL byte */
    U8_LEAD,  /* a byte that cannot start a character (80–BF, F8–FF) */
    U8_SHORT, /* a lead byte not followed by enough continuation bytes */
    U8_RANGE, /* well-formed but overlong, a surrogate or above U+10FFFF */
    U8_BOM,   /* U+FEFF after the start of the file */
    U8_EOF,   /* the file ends inside a multi-byte character */
};

/* A record of a batch with an encoding fault; few records have one, so the batch lists them apart
 * instead of widening every batch_rec (which only flags it). */
struct batch_fault {
    size_t rec; /* the record's index in the batch */
    struct csvin_fault f;
};

/* One record in a batch. Its index is not kept: the consumer counts records as it goes. */
struct batch_rec {
    uint64_t line, end_line;
    uint64_t hash; /* of the record's bytes, computed by the reader thread */
    size_t nf;     /* fields: the batch's next nf ones */
    bool is_header;
    bool has_fault; /* the batch's next entry of faults is this record's */
};

/* The stats a one-thread read returns when the callback stops at a record (footer_lines is 0 and
 * records the consumer's count). They change seldom from record to record, so a batch keeps an
 * entry only where they change. */
struct batch_stats {
    size_t rec; /* from this record of the batch on */
    uint64_t bytes, blank_lines;
    bool line_ended; /* the reader was at the start of a line: stats->lines is end_line - 1 */
};

/* Records assembled by the reader: one at a time when it calls the callback itself, a batch of
 * them in the pipeline. Buffers are reused from record to record and from batch to batch. Fields
 * lie end to end in data, each followed by a NUL, so that lens alone locates them: the field
 * pointers are made by whoever calls the callback (the consumer, in its own cache). */
struct batch {
    char *data;
    size_t data_len, data_cap; /* bytes */
    size_t *lens;              /* field lengths in bytes */
    size_t nf, f_cap;          /* fields */
    struct batch_rec *recs;
    size_t n_recs, r_cap; /* records */
    struct batch_stats *stats;
    size_t n_stats, s_cap; /* stats entries (pipeline only) */
    struct batch_fault *faults;
    size_t n_faults, fl_cap; /* records with a fault, in record order (pipeline only) */
};

/* The hand-over between the reading thread (producer) and the calling one (consumer). Batch k
 * lives in ring[k % CSVIN_RING]; the producer fills batch k only once batch k - CSVIN_RING has
 * been released, so a batch is written by one thread and then read by the other, never both. */
struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t sealed;   /* a batch was handed over, or the producer is done */
    pthread_cond_t released; /* a batch was given back, or the consumer stopped */
    uint64_t n_sealed;       /* batches handed over (under mu; written by the producer) */
    uint64_t n_released;     /* batches given back (under mu; written by the consumer) */
    bool done;               /* the last batch has been handed over (under mu) */
    atomic_bool stop;        /* the callback returned -1; written under mu, also read without */
    struct {
        char pad[CSVIN_CACHE_LINE];
        struct batch b;
    } ring[CSVIN_RING];
    char pad[CSVIN_CACHE_LINE];
};

struct reader {
    const char *path;
    const char *display;
    csvin_record_fn fn;
    void *ctx;
    struct csvin_stats *st;
    struct diag *d;
    bool footer_on;
    const char *footer_pattern; /* a first field starting with this starts the footer */
    void (*ahead)(void *, uint64_t); /* csvin_opts.ahead, called by the pipeline's producer */
    void *ahead_ctx;
    void (*peek)(void *, const char *, const size_t *, size_t); /* csvin_opts.peek, called by
                                                                  * the pipeline's consumer */
    void *peek_ctx;
    size_t max_field;           /* bytes */
    struct csv_parser parser;
    int status; /* enum csvin_status; anything but CSVIN_OK ends the read */

    /* Physical lines. */
    uint64_t line;       /* line being read, 1-based */
    uint64_t chunk_off;  /* file offset of buf[0] */
    bool at_line_start;  /* the next byte fed starts a line */
    bool pending_cr;     /* the last byte fed was a CR at the end of what could be fed: whether
                          * an LF follows (same line) is known only with the next bytes */
    int line_pstate;     /* parser state when the current line began */
    unsigned line_rows;  /* records libcsv completed on the current line (at most one) */
    uint64_t rec_line;   /* line where the record being parsed started */
    uint64_t field_line; /* line where the field being parsed started */

    /* Byte check. A character cut by the end of a chunk is held back, unfed, and checked again
     * at the front of the next one, so that libcsv only ever sees checked bytes. */
    size_t held; /* bytes at the end of the chunk held back (0–3) */
    enum utf8_fault fault;
    uint64_t fault_off; /* file offset of the offending byte or sequence */
    unsigned char fault_byte;
    size_t fault_len;  /* bytes of the offending sequence, skipped when its record takes it */
    bool utf8_shown;   /* a UTF-8 BOM or a valid multi-byte character has been read: invalid
                        * UTF-8 from here on is a damaged record, not a file in another encoding */
    struct csvin_fault rec_fault;  /* the first fault of the record being parsed (kind 0: none) */
    struct csvin_fault fault_copy; /* the fault of the record being delivered, for the callback */

    /* The record being assembled: fields [f0, b->nf) of b, starting at b->data + d0. */
    struct batch *b; /* &one, or the ring batch being filled in the pipeline */
    struct batch one;
    size_t f0, d0;
    const char **ptrs; /* the fields of the record delivered here */
    size_t ptrs_cap;
    struct pipe *pipe;  /* NULL when the callback is called from here */
    size_t batch_bytes; /* in the pipeline, hand a batch over once it holds this many bytes */
    size_t batch_recs;  /* or this many records */

    /* Records. */
    bool have_header;
    size_t header_nf;
    bool saw_blank; /* a blank line or all-empty record since the last delivered record */
    bool in_footer;
    unsigned char delim;
};

/* csvin.c */
/* Points (*ptrs)[0, nf) at nf fields lying end to end from s; returns the end of the last. */
const char *csvin_field_ptrs(const char ***ptrs, size_t *cap, const char *s, const size_t *lens,
                             size_t nf);
void csvin_batch_free(struct batch *b);
/* Everything after the file is open: reads, checks and parses it, delivering every record. */
void csvin_read_fd(struct reader *r, int fd, char opt_delim, size_t chunk);

/* csvin_pipe.c */
/* Producer: hands the batch being filled over and takes the next one (none if last). */
void csvin_pipe_hand_over(struct reader *r, bool last);
/* In the pipeline, whether the consumer has stopped (sets r->status to CSVIN_ESTOPPED). */
bool csvin_stop_requested(struct reader *r);
/* Whether this process may run on two CPUs at once. */
bool csvin_two_cpus(void);
/* csvin_read_fd on a thread of its own and the callbacks on this one; false, having read
 * nothing, when no thread can be started. */
bool csvin_read_pipelined(struct reader *r, int fd, char opt_delim, size_t chunk,
                          size_t batch_bytes);

#endif
