/* csvin_pipe.c — the CSV reader on a second thread, handing batches of records to the caller's. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "csvin_internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "util.h"

/* ---- the pipeline ----------------------------------------------------------------------- */

/* In the pipeline, whether the consumer has stopped: what is read from here on is dropped. The
 * load is relaxed: it only ends the read early; which batch may be written again is decided under
 * the mutex (csvin_pipe_hand_over). */
bool csvin_stop_requested(struct reader *r)
{
    if (!r->pipe || !atomic_load_explicit(&r->pipe->stop, memory_order_relaxed))
        return false;
    r->status = CSVIN_ESTOPPED;
    return true;
}

/* Producer: hands the batch being filled to the consumer and takes the next one of the ring,
 * once the consumer has given it back. The last hand-over takes none. */
void csvin_pipe_hand_over(struct reader *r, bool last)
{
    struct pipe *p = r->pipe;
    pthread_mutex_lock(&p->mu);
    p->n_sealed++;
    p->done = last;
    pthread_cond_signal(&p->sealed);
    if (r->ahead && !last) {
        /* Unlocked, while the callback runs: what the hook shares with it, it guards itself. */
        pthread_mutex_unlock(&p->mu);
        r->ahead(r->ahead_ctx, r->st->records);
        pthread_mutex_lock(&p->mu);
    }
    while (!last && p->n_sealed - p->n_released >= CSVIN_RING && !atomic_load(&p->stop))
        pthread_cond_wait(&p->released, &p->mu);
    uint64_t next = p->n_sealed;
    pthread_mutex_unlock(&p->mu);
    if (last)
        return;
    /* Once stopped, the consumer reads no batch any more: any may be taken. */
    struct batch *b = r->b = &p->ring[next % CSVIN_RING].b;
    b->data_len = b->nf = b->n_recs = b->n_stats = b->n_faults = 0;
    r->f0 = r->d0 = 0;
    if (r->batch_recs < CSVIN_BATCH_RECS)
        r->batch_recs *= 2;
}

/* The producer's own state, on cache lines of its own (see CSVIN_CACHE_LINE). */
struct producer {
    char pad0[CSVIN_CACHE_LINE];
    struct reader r;
    struct csvin_stats st; /* the caller's once the producer has ended */
    struct diag d;         /* likewise */
    int fd;
    char delim;   /* opts->delimiter */
    size_t chunk; /* bytes */
    char pad1[CSVIN_CACHE_LINE];
};

static void *produce(void *arg)
{
    struct producer *pr = arg;
    csvin_read_fd(&pr->r, pr->fd, pr->delim, pr->chunk);
    csvin_pipe_hand_over(&pr->r, true);
    return NULL;
}

/* The consumer's own state. */
struct consumer {
    csvin_record_fn fn;
    void *ctx;
    void (*peek)(void *, const char *, const size_t *, size_t); /* csvin_opts.peek */
    void *peek_ctx;
    const char **ptrs; /* the fields of the record being delivered */
    size_t ptrs_cap;
    uint64_t n_data;       /* data records fn has been called on */
    struct csvin_stats at; /* once fn has stopped: bytes, lines, blank and footer lines as a
                            * one-thread read leaves them */
};

/* The stats a one-thread read leaves when the callback stops at record i of b. */
static void stats_at(const struct batch *b, size_t i, struct csvin_stats *st)
{
    size_t k = b->n_stats;
    while (k > 0 && b->stats[k - 1].rec > i)
        k--;
    if (k == 0)
        BUG("csvin: a batch without stats for a record");
    const struct batch_stats *e = &b->stats[k - 1];
    st->bytes = e->bytes;
    st->lines = b->recs[i].end_line - (e->line_ended ? 1 : 0); /* as csvin_read_fd computes it */
    st->blank_lines = e->blank_lines;
    st->footer_lines = 0; /* no record is delivered once the footer has begun */
}

/* Consumer: calls fn on every record of every batch in order until the producer is done or fn
 * returns -1. Returns whether it stopped. */
static bool pipe_consume(struct pipe *p, struct consumer *c)
{
    for (uint64_t k = 0;; k++) {
        pthread_mutex_lock(&p->mu);
        while (p->n_sealed == k && !p->done)
            pthread_cond_wait(&p->sealed, &p->mu);
        bool have = p->n_sealed > k;
        pthread_mutex_unlock(&p->mu);
        if (!have)
            return false;
        const struct batch *b = &p->ring[k % CSVIN_RING].b;
        const char *s = b->data, *ps = b->data;
        const size_t *lens = b->lens, *plens = b->lens;
        size_t pi = 0; /* the next record to peek at */
        size_t fi = 0; /* the next entry of b->faults */
        for (size_t i = 0; i < b->n_recs; i++) {
            const struct batch_rec *br = &b->recs[i];
            for (size_t to = i + CSVIN_PEEK_AHEAD; c->peek && pi <= to && pi < b->n_recs; pi++) {
                const struct batch_rec *pr = &b->recs[pi];
                if (!pr->is_header)
                    c->peek(c->peek_ctx, ps, plens, pr->nf);
                for (size_t f = 0; f < pr->nf; f++)
                    ps += plens[f] + 1;
                plens += pr->nf;
            }
            s = csvin_field_ptrs(&c->ptrs, &c->ptrs_cap, s, lens, br->nf);
            const struct csvin_fault *fault = NULL;
            if (__builtin_expect(br->has_fault, 0))
                fault = &b->faults[fi++].f;
            struct csvin_record rec = {
                .fields = c->ptrs,
                .lens = lens,
                .n_fields = br->nf,
                .line = br->line,
                .end_line = br->end_line,
                .hash = br->hash,
                .fault = fault,
                .index = br->is_header ? 0 : ++c->n_data,
                .is_header = br->is_header,
            };
            lens += br->nf;
            if (c->fn(c->ctx, &rec) != 0) {
                stats_at(b, i, &c->at);
                pthread_mutex_lock(&p->mu);
                atomic_store(&p->stop, true);
                pthread_cond_signal(&p->released);
                pthread_mutex_unlock(&p->mu);
                return true;
            }
        }
        pthread_mutex_lock(&p->mu);
        p->n_released = k + 1;
        pthread_cond_signal(&p->released);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Whether this process may run on two CPUs at once (its affinity mask; true when unknown). On
 * one CPU the second thread only adds hand-overs and cache misses. */
bool csvin_two_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return true;
    return CPU_COUNT(&set) >= 2;
}

/* csvin_read_fd on a thread of its own, filling batches, and the callbacks on this one. The
 * producer works on a copy of r with its own stats and messages; they become the caller's once it
 * has ended. Returns false, having read nothing, when no thread can be started. */
bool csvin_read_pipelined(struct reader *r, int fd, char opt_delim, size_t chunk,
                          size_t batch_bytes)
{
    struct pipe *p = xcalloc(1, sizeof *p);
    if (pthread_mutex_init(&p->mu, NULL) != 0 || pthread_cond_init(&p->sealed, NULL) != 0 ||
        pthread_cond_init(&p->released, NULL) != 0)
        BUG("csvin: cannot initialise a mutex or a condition variable");
    atomic_init(&p->stop, false);
    for (size_t i = 0; i < CSVIN_RING; i++) {
        struct batch *b = &p->ring[i].b;
        VEC_GROW(b->data, b->data_cap, batch_bytes + CSVIN_BATCH_SLACK);
        VEC_GROW(b->recs, b->r_cap, CSVIN_BATCH_RECS);
        b->f_cap = CSVIN_BATCH_FIELDS;
        b->lens = xreallocarray(NULL, b->f_cap, sizeof *b->lens);
    }

    struct producer *pr = xcalloc(1, sizeof *pr);
    pr->r = *r;
    pr->r.st = &pr->st;
    pr->r.d = &pr->d;
    pr->r.pipe = p;
    pr->r.b = &p->ring[0].b;
    pr->r.batch_bytes = batch_bytes;
    pr->r.batch_recs = CSVIN_BATCH_FIRST;
    diag_init(&pr->d);
    pr->fd = fd;
    pr->delim = opt_delim;
    pr->chunk = chunk;

    pthread_t thread;
    bool started = pthread_create(&thread, NULL, produce, pr) == 0;
    if (started) {
        struct consumer c = {.fn = r->fn, .ctx = r->ctx, .peek = r->peek, .peek_ctx = r->peek_ctx};
        bool stopped = pipe_consume(p, &c);
        if (pthread_join(thread, NULL) != 0)
            BUG("csvin: cannot join the reading thread");
        struct csvin_stats *stats = r->st;
        struct diag *d = r->d;
        *r = pr->r; /* the parser's buffers included, for reader_release */
        r->st = stats;
        r->d = d;
        r->pipe = NULL;
        r->b = &r->one;
        *stats = pr->st;
        if (stopped) {
            /* As a one-thread read leaves them when the callback stops; what the producer read
             * ahead, and any message about it, is dropped. */
            stats->bytes = c.at.bytes;
            stats->lines = c.at.lines;
            stats->blank_lines = c.at.blank_lines;
            stats->footer_lines = c.at.footer_lines;
            stats->records = c.n_data;
            r->status = CSVIN_ESTOPPED;
        } else {
            if (c.n_data != pr->st.records)
                BUG("csvin: records lost between the threads");
            for (size_t i = 0; d && i < pr->d.n; i++) {
                const struct diag_entry *e = &pr->d.v[i];
                diag_add(d, e->severity, e->file, e->line, e->column, "%s", e->message);
            }
        }
        free(c.ptrs);
    }

    diag_release(&pr->d);
    free(pr);
    for (size_t i = 0; i < CSVIN_RING; i++)
        csvin_batch_free(&p->ring[i].b);
    pthread_cond_destroy(&p->released);
    pthread_cond_destroy(&p->sealed);
    pthread_mutex_destroy(&p->mu);
    free(p);
    return started;
}
