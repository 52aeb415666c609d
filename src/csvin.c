/* csvin.c — streaming CSV reader: chunked reads, encoding checks, physical lines, libcsv. */
#include "csvin.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvin_internal.h"
#include "progress.h"
#include "util.h"

static void fail(struct reader *r, int status, uint64_t line, uint32_t column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void fail(struct reader *r, int status, uint64_t line, uint32_t column, const char *fmt, ...)
{
    r->status = status;
    if (!r->d)
        return;
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(r->d, DIAG_ERROR, r->display, line, column, fmt, ap);
    va_end(ap);
}

static void fault_fail(struct reader *r, const struct csvin_fault *f, bool cp1252_hint);

static uint32_t column_of(size_t field_index)
{
    return field_index < UINT32_MAX ? (uint32_t)(field_index + 1) : 0;
}

static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

/* ---- records ---------------------------------------------------------------------------- */

static size_t rec_fields(const struct reader *r)
{
    return r->b->nf - r->f0;
}

/* Forgets the fields of the record being assembled. */
static void drop_record(struct reader *r)
{
    r->b->nf = r->f0;
    r->b->data_len = r->d0;
}

/* Adds the field of len bytes already written at data + data_len (room for its NUL included). */
static void push_field(struct reader *r, size_t len)
{
    struct batch *b = r->b;
    if (b->nf == b->f_cap) {
        b->f_cap = grow_capacity(b->f_cap, b->nf + 1);
        b->lens = xreallocarray(b->lens, b->f_cap, sizeof *b->lens);
    }
    b->data[b->data_len + len] = '\0';
    b->lens[b->nf] = len;
    b->nf++;
    b->data_len += len + 1;
}

static void on_field(void *s, size_t len, void *data)
{
    struct reader *r = data;
    if (r->status != CSVIN_OK)
        return;
    if (len > r->max_field) {
        fail(r, CSVIN_EQUOTE, r->field_line, column_of(rec_fields(r)),
             "field longer than %zu bytes", r->max_field);
        return;
    }
    struct batch *b = r->b;
    if (len + 1 > b->data_cap - b->data_len)
        VEC_GROW(b->data, b->data_cap, b->data_len + len + 1);
    memcpy(b->data + b->data_len, s, len);
    push_field(r, len);
    /* The next field starts after the delimiter just seen, on this line. */
    r->field_line = r->line;
}

/* Whether each field of the record being assembled is empty or only spaces and tabs. */
static bool record_is_blank(const struct reader *r)
{
    const struct batch *b = r->b;
    const char *s = b->data + r->d0;
    for (size_t i = r->f0; i < b->nf; i++) {
        for (size_t j = 0; j < b->lens[i]; j++)
            if (s[j] != ' ' && s[j] != '\t')
                return false;
        s += b->lens[i] + 1;
    }
    return true;
}

/* Points (*ptrs)[0, nf) at nf fields lying end to end from s; returns the end of the last. */
const char *csvin_field_ptrs(const char ***ptrs, size_t *cap, const char *s, const size_t *lens,
                             size_t nf)
{
    VEC_GROW(*ptrs, *cap, nf);
    for (size_t i = 0; i < nf; i++) {
        (*ptrs)[i] = s;
        s += lens[i] + 1;
    }
    return s;
}

/* A hash of the record's fields as stored (NUL-separated from data + d0), so duplicate checks
 * need not read the bytes again on the consumer's thread. */
static uint64_t record_hash(const struct batch *b, size_t d0, size_t f0)
{
    return hash_bytes(b->data + d0, b->data_len - d0, 0x9e3779b97f4a7c15u ^ (b->nf - f0));
}

/* Pipeline: the record just completed stays in the batch for the consumer. */
static void batch_add(struct reader *r, bool is_header)
{
    struct batch *b = r->b;
    const struct batch_stats *last = b->n_stats ? &b->stats[b->n_stats - 1] : NULL;
    if (!last || last->bytes != r->st->bytes || last->blank_lines != r->st->blank_lines ||
        last->line_ended != r->at_line_start) {
        VEC_GROW(b->stats, b->s_cap, b->n_stats + 1);
        b->stats[b->n_stats++] = (struct batch_stats){
            .rec = b->n_recs,
            .bytes = r->st->bytes,
            .blank_lines = r->st->blank_lines,
            .line_ended = r->at_line_start,
        };
    }
    bool faulty = r->rec_fault.kind != 0;
    if (__builtin_expect(faulty, 0)) {
        VEC_GROW(b->faults, b->fl_cap, b->n_faults + 1);
        b->faults[b->n_faults++] = (struct batch_fault){.rec = b->n_recs, .f = r->rec_fault};
        r->rec_fault.kind = 0;
    }
    VEC_GROW(b->recs, b->r_cap, b->n_recs + 1);
    b->recs[b->n_recs++] = (struct batch_rec){
        .line = r->rec_line,
        .end_line = r->line,
        .hash = record_hash(b, r->d0, r->f0),
        .nf = b->nf - r->f0,
        .is_header = is_header,
        .has_fault = faulty,
    };
    r->f0 = b->nf;
    r->d0 = b->data_len;
    if (!csvin_stop_requested(r) && (b->data_len >= r->batch_bytes || b->n_recs >= r->batch_recs))
        csvin_pipe_hand_over(r, false);
}

/* Does the record's first field start with the configured footer text (ignoring ASCII case and
 * leading spaces)? */
static bool footer_pattern_hit(const struct reader *r, size_t nf)
{
    if (!r->footer_pattern || !*r->footer_pattern || nf == 0)
        return false;
    const char *f = r->b->data + r->d0;
    size_t len = r->b->lens[r->f0];
    while (len && (*f == ' ' || *f == '\t')) {
        f++;
        len--;
    }
    size_t pl = strlen(r->footer_pattern);
    return len >= pl && ascii_casecmp_n(f, pl, r->footer_pattern, pl) == 0;
}

/* The record being assembled is complete: skip it, start the footer with it, or deliver it. */
static void end_record(struct reader *r)
{
    size_t nf = rec_fields(r);
    if (r->status != CSVIN_OK) {
        drop_record(r);
        r->rec_fault.kind = 0;
        return;
    }
    r->line_rows++;
    if (record_is_blank(r)) { /* never one with a fault: U+FFFD took the faulty bytes' place */
        drop_record(r);
        r->st->blank_lines += r->line - r->rec_line + 1;
        r->saw_blank = true;
        return;
    }
    if (r->have_header && r->footer_on &&
        ((r->saw_blank && nf < r->header_nf) || footer_pattern_hit(r, nf))) {
        drop_record(r);
        if (r->rec_fault.kind) {
            /* Footer lines are not records: nothing can be rejected in their place. */
            fault_fail(r, &r->rec_fault, false);
            r->rec_fault.kind = 0;
            return;
        }
        r->in_footer = true;
        r->st->footer_lines += r->line - r->rec_line; /* the current line is counted at its end */
        return;
    }
    bool is_header = !r->have_header;
    uint64_t index = 0;
    if (is_header) {
        r->have_header = true;
        r->header_nf = nf;
    } else {
        index = ++r->st->records;
    }
    r->saw_blank = false;
    if (r->pipe) {
        batch_add(r, is_header);
        return;
    }
    const struct csvin_fault *fault = NULL;
    if (__builtin_expect(r->rec_fault.kind != 0, 0)) {
        r->fault_copy = r->rec_fault; /* rec_fault is for the next record from here on */
        r->rec_fault.kind = 0;
        fault = &r->fault_copy;
    }
    struct batch *b = r->b;
    csvin_field_ptrs(&r->ptrs, &r->ptrs_cap, b->data + r->d0, b->lens + r->f0, nf);
    struct csvin_record rec = {
        .fields = r->ptrs,
        .lens = b->lens + r->f0,
        .n_fields = nf,
        .line = r->rec_line,
        .end_line = r->line,
        .hash = record_hash(b, r->d0, r->f0),
        .index = index,
        .fault = fault,
        .is_header = is_header,
    };
    drop_record(r); /* the bytes stay where they are until the next record */
    if (r->fn(r->ctx, &rec) != 0)
        r->status = CSVIN_ESTOPPED;
}

static void on_row(int c, void *data)
{
    (void)c;
    end_record(data);
}

/* Parses a complete physical line s[0, len) (terminator excluded) that starts a record, without
 * libcsv, when the line is a whole record of well-formed fields: unquoted fields without a quote,
 * and quoted fields closed on this line and followed by the delimiter or the end of the line. The
 * fields are exactly those libcsv would give (spaces kept, "" inside quotes made one quote). For
 * anything else it changes nothing and returns false: libcsv then parses the line and decides.
 * This is the hot path; libcsv handles multi-line records, errors and lines cut by a chunk end. */
/* The first index in s[i, len) holding the delimiter or a double quote, or len. Eight bytes a
 * step: a byte equal to c makes (x - 0x01…) & ~x & 0x80… nonzero for x = word ^ c·0x01…; the
 * lowest such byte is exact (borrows only run upwards). */
static size_t scan_delim_or_quote(const unsigned char *s, size_t i, size_t len, unsigned char delim)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    const uint64_t d = ones * delim, q = ones * (unsigned char)'"';
    while (i + 8 <= len) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t xd = w ^ d, xq = w ^ q;
        uint64_t m = ((xd - ones) & ~xd & highs) | ((xq - ones) & ~xq & highs);
        if (m)
            return i + (size_t)(__builtin_ctzll(m) / 8);
        i += 8;
    }
    while (i < len && s[i] != delim && s[i] != '"')
        i++;
    return i;
}

static bool parse_simple_line(struct reader *r, const unsigned char *s, size_t len)
{
    if (len == 0)
        return true; /* a blank line: libcsv would report nothing either */
    struct batch *b = r->b;
    if (b->nf != r->f0 || b->data_len != r->d0)
        BUG("csvin: a record is pending at the start of a line");
    /* Fields take at most len bytes plus one NUL each, minus one delimiter between two. */
    if (len + 1 > b->data_cap - b->data_len)
        VEC_GROW(b->data, b->data_cap, b->data_len + len + 1);
    unsigned char delim = r->delim;
    size_t i = 0;
    for (;;) {
        char *w = b->data + b->data_len;
        size_t flen = 0;
        if (i < len && s[i] == '"') {
            size_t j = i + 1;
            for (;;) {
                const unsigned char *q = memchr(s + j, '"', len - j);
                if (!q)
                    goto bail; /* spans lines, or unterminated */
                size_t k = (size_t)(q - s);
                memcpy(w + flen, s + j, k - j);
                flen += k - j;
                if (k + 1 < len && s[k + 1] == '"') {
                    w[flen++] = '"';
                    j = k + 2;
                    continue;
                }
                i = k + 1;
                break;
            }
            if (i < len && s[i] != delim)
                goto bail; /* text after the closing quote */
        } else {
            size_t j = scan_delim_or_quote(s, i, len, delim);
            if (j < len && s[j] == '"')
                goto bail; /* a bare quote */
            flen = j - i;
            memcpy(w, s + i, flen);
            i = j;
        }
        if (flen > r->max_field)
            goto bail;
        push_field(r, flen);
        if (i >= len)
            break;
        i++; /* the delimiter; a field follows it, perhaps empty */
    }
    end_record(r);
    return true;
bail:
    drop_record(r);
    return false;
}

/* ---- lines ------------------------------------------------------------------------------ */

static void begin_line(struct reader *r)
{
    r->at_line_start = false;
    r->line_pstate = r->parser.pstate;
    r->line_rows = 0;
    if (r->line_pstate == LIBCSV_ROW_NOT_BEGUN)
        r->rec_line = r->field_line = r->line;
}

/* Called once the whole terminator of the current line has been fed. */
static void end_line(struct reader *r)
{
    if (r->in_footer)
        r->st->footer_lines++;
    else if (r->line_pstate == LIBCSV_ROW_NOT_BEGUN && r->line_rows == 0 &&
             r->parser.pstate == LIBCSV_ROW_NOT_BEGUN) {
        /* libcsv skips blank lines without a callback. */
        r->st->blank_lines++;
        r->saw_blank = true;
    }
    r->line++;
    r->at_line_start = true;
}

/* Parse part of one physical line with libcsv. */
static void feed(struct reader *r, const unsigned char *s, size_t len)
{
    if (r->in_footer)
        return;
    /* A field is too long once libcsv holds max_field + 2 bytes of it (+ 2: a quoted field keeps
     * its closing quote in the buffer until the next byte shows it is not a doubled one). Feeding
     * no more than can reach that at once makes the check below see it at the very byte where it
     * happens, so the outcome does not depend on where chunks or lines cut the input. */
    size_t limit = r->max_field < SIZE_MAX - 2 ? r->max_field + 2 : SIZE_MAX;
    while (len > 0) {
        size_t room = limit - r->parser.entry_pos;
        size_t part = len < room ? len : room;
        size_t done = csv_parse(&r->parser, s, part, on_field, on_row, r);
        if (r->status != CSVIN_OK)
            return;
        if (done < part) {
            if (csv_error(&r->parser) != CSV_EPARSE)
                BUG("libcsv failed with something other than a parse error");
            if (r->line == r->rec_line)
                fail(r, CSVIN_EQUOTE, r->rec_line, column_of(rec_fields(r)),
                     "malformed quoting: text after a closing quote or a bare quote in an "
                     "unquoted field");
            else
                fail(r, CSVIN_EQUOTE, r->rec_line, column_of(rec_fields(r)),
                     "malformed quoting: text after a closing quote or a bare quote in an "
                     "unquoted field (at line %llu)",
                     (unsigned long long)r->line);
            return;
        }
        if (r->parser.entry_pos >= limit) {
            if (r->parser.quoted)
                fail(r, CSVIN_EQUOTE, r->rec_line, column_of(rec_fields(r)),
                     "unterminated quoted field starting at line %llu (no closing quote within "
                     "%zu bytes)",
                     (unsigned long long)r->field_line, r->max_field);
            else
                fail(r, CSVIN_EQUOTE, r->field_line, column_of(rec_fields(r)),
                     "field longer than %zu bytes", r->max_field);
            return;
        }
        s += part;
        len -= part;
    }
    /* libcsv grows its buffer by blk_size at a time; keep that geometric. */
    if (r->parser.entry_size > r->parser.blk_size)
        csv_set_blk_size(&r->parser, r->parser.entry_size);
}

/* Split b[p, end) into physical lines and feed them. A CR that is the last byte of the range
 * leaves pending_cr set. */
static void feed_lines(struct reader *r, const unsigned char *b, size_t p, size_t end)
{
    size_t nl = 0, cr = 0;
    bool nl_known = false, cr_known = false;
    while (p < end && r->status == CSVIN_OK) {
        bool fresh = r->at_line_start;
        if (fresh)
            begin_line(r);
        if (!nl_known || nl < p) {
            const unsigned char *q = memchr(b + p, '\n', end - p);
            nl = q ? (size_t)(q - b) : end;
            nl_known = true;
        }
        if (!cr_known || cr < p) {
            const unsigned char *q = memchr(b + p, '\r', end - p);
            cr = q ? (size_t)(q - b) : end;
            cr_known = true;
        }
        size_t stop, term = 1;
        bool ends = true;
        if (cr < nl) {
            if (cr + 1 < end) {
                term = b[cr + 1] == '\n' ? 2 : 1;
                stop = cr + term;
            } else {
                stop = end;
                ends = false;
                r->pending_cr = true;
            }
        } else if (nl < end) {
            stop = nl + 1;
        } else {
            stop = end;
            ends = false;
        }
        if (!(fresh && ends && !r->in_footer && r->parser.pstate == LIBCSV_ROW_NOT_BEGUN &&
              parse_simple_line(r, b + p, stop - p - term)))
            feed(r, b + p, stop - p);
        p = stop;
        if (ends && r->status == CSVIN_OK)
            end_line(r);
    }
}

/* ---- bytes ------------------------------------------------------------------------------ */

static size_t fault_at(struct reader *r, enum utf8_fault f, const unsigned char *b, size_t i,
                       size_t len)
{
    r->fault = f;
    r->fault_off = r->chunk_off + i;
    r->fault_byte = b[i];
    r->fault_len = len;
    return i;
}

#define BYTES_01 0x0101010101010101u
#define BYTES_80 0x8080808080808080u

/* Check b[p, n) for NUL bytes, invalid UTF-8 and U+FEFF. Returns n, or the index where feeding
 * must stop: at a fault (recorded in r; a bad sequence is named by its first byte), or at a
 * character cut by the end of the chunk (r->held bytes, checked again with the next chunk). */
static size_t check_bytes(struct reader *r, const unsigned char *b, size_t p, size_t n)
{
    size_t i = p;
    r->held = 0;
    for (;;) {
        /* Sixteen bytes at a time while they are all in 01–7F. */
        while (n - i >= 16) {
            uint64_t w0, w1;
            memcpy(&w0, b + i, 8);
            memcpy(&w1, b + i + 8, 8);
            if (((w0 - BYTES_01) | w0 | (w1 - BYTES_01) | w1) & BYTES_80)
                break;
            i += 16;
        }
        if (i >= n)
            return n;
        unsigned char c = b[i];
        if (c >= 0x01 && c <= 0x7F) {
            i++;
            continue;
        }
        if (c == 0)
            return fault_at(r, U8_NUL, b, i, 1);
        if (c < 0xC0 || c >= 0xF8)
            return fault_at(r, U8_LEAD, b, i, 1);
        /* C0, C1 and F5–F7 are taken as leads so that they fail as overlong or out of range
         * when their continuation bytes follow, and as U8_SHORT otherwise. */
        size_t need;
        uint32_t cp, min;
        if (c < 0xE0) {
            need = 1;
            cp = c & 0x1Fu;
            min = 0x80;
        } else if (c < 0xF0) {
            need = 2;
            cp = c & 0x0Fu;
            min = 0x800;
        } else {
            need = 3;
            cp = c & 0x07u;
            min = 0x10000;
        }
        size_t have = n - i - 1 < need ? n - i - 1 : need;
        for (size_t k = 1; k <= have; k++) {
            if ((b[i + k] & 0xC0) != 0x80) /* the lead and its k - 1 continuation bytes */
                return fault_at(r, U8_SHORT, b, i, k);
            cp = (cp << 6) | (b[i + k] & 0x3Fu);
        }
        if (have < need) {
            r->held = n - i;
            return i;
        }
        if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return fault_at(r, U8_RANGE, b, i, need + 1);
        if (cp == 0xFEFF)
            return fault_at(r, U8_BOM, b, i, need + 1);
        r->utf8_shown = true;
        i += need + 1;
    }
}

/* Formats the fault's message. A file failing at invalid UTF-8 that looks like a single-byte
 * encoding (a byte that cannot start a character, or a lead byte without its continuation
 * bytes) gets the Windows-1252 hint. */
static void fault_message(char *buf, size_t size, const struct csvin_fault *f, bool cp1252_hint)
{
    unsigned long long off = (unsigned long long)f->offset;
    switch ((enum csvin_fault_kind)f->kind) {
    case CSVIN_FAULT_NUL:
        snprintf(buf, size, "NUL byte at byte offset %llu", off);
        return;
    case CSVIN_FAULT_BOM:
        snprintf(buf, size,
                 "byte order mark U+FEFF at byte offset %llu (allowed only at the very start of "
                 "the file)",
                 off);
        return;
    case CSVIN_FAULT_UTF8:
        snprintf(buf, size, "invalid UTF-8 at byte offset %llu (byte 0x%02X%s)", off, f->byte,
                 cp1252_hint ? "; the file looks like Windows-1252" : "");
        return;
    case CSVIN_FAULT_CUT:
        snprintf(buf, size,
                 "invalid UTF-8 at byte offset %llu (byte 0x%02X; the file ends in the middle of "
                 "a character)",
                 off, f->byte);
        return;
    }
    BUG("csvin: a fault of no known kind");
}

const char *csvin_fault_text(const struct csvin_record *rec, char *buf, size_t size)
{
    if (!rec->fault)
        BUG("csvin_fault_text on a record without a fault");
    fault_message(buf, size, rec->fault, false);
    if (rec->fault->line != rec->line) {
        size_t o = strlen(buf);
        if (o < size)
            snprintf(buf + o, size - o, " on line %llu", (unsigned long long)rec->fault->line);
    }
    return buf;
}

/* The fault fails the file, at the line it is on. */
static void fault_fail(struct reader *r, const struct csvin_fault *f, bool cp1252_hint)
{
    char msg[160];
    fault_message(msg, sizeof msg, f, cp1252_hint);
    fail(r, CSVIN_EENCODING, f->line, 0, "%s", msg);
}

static enum csvin_fault_kind fault_kind(enum utf8_fault f)
{
    switch (f) {
    case U8_NUL:
        return CSVIN_FAULT_NUL;
    case U8_BOM:
        return CSVIN_FAULT_BOM;
    case U8_LEAD:
    case U8_SHORT:
    case U8_RANGE:
        return CSVIN_FAULT_UTF8;
    case U8_EOF:
        return CSVIN_FAULT_CUT;
    case U8_OK:
        break;
    }
    BUG("csvin: no fault to name");
}

/* The fault just found fails the file (see csvin.h for when). */
static __attribute__((cold, noinline)) void report_fault(struct reader *r)
{
    /* A CR ending the fed bytes ends the line unless an LF follows, and no LF is at fault. The
     * faulty line counts as read (stats->lines), however much of it the chunks had fed. */
    if (r->pending_cr) {
        r->pending_cr = false;
        end_line(r);
    }
    r->at_line_start = false;
    struct csvin_fault f = {
        .offset = r->fault_off,
        .line = r->line,
        .kind = (uint8_t)fault_kind(r->fault),
        .byte = r->fault_byte,
    };
    fault_fail(r, &f, r->fault == U8_LEAD || r->fault == U8_SHORT);
}

/* The fault just found, at the next byte to feed, belongs to the record being parsed (or about
 * to start: faulty bytes are never a delimiter, quote or line end). Where that is a data record
 * and the fault is one a record can take, the record takes it: the first one is kept for its
 * delivery, the faulty bytes are fed as U+FFFD, and reading goes on after them. Returns false
 * when the fault must fail the file instead: in or before the header (no record can be
 * rejected there), in a report footer, or invalid UTF-8 before the file has shown it is UTF-8
 * (most likely a whole file in Windows-1252: failing at its first accent beats rejecting every
 * row that has one). */
static __attribute__((cold, noinline)) bool take_fault(struct reader *r)
{
    bool utf8 = r->fault != U8_NUL && r->fault != U8_BOM;
    if (!r->have_header || r->in_footer || (utf8 && !r->utf8_shown))
        return false;
    if (r->pending_cr) { /* the faulty byte is no LF: the CR before it ended its line */
        r->pending_cr = false;
        end_line(r);
    }
    if (!r->rec_fault.kind) {
        size_t field = rec_fields(r);
        r->rec_fault = (struct csvin_fault){
            .offset = r->fault_off,
            .line = r->line,
            .field = field < UINT32_MAX ? (uint32_t)field : UINT32_MAX,
            .kind = (uint8_t)fault_kind(r->fault),
            .byte = r->fault_byte,
        };
    }
    r->fault = U8_OK;
    /* What feed_lines would do with these bytes, which end no line (and keeping feed_lines to
     * one caller keeps it inlined in the hot loop). */
    static const unsigned char replacement[] = {0xEF, 0xBF, 0xBD}; /* U+FFFD */
    if (r->at_line_start)
        begin_line(r);
    feed(r, replacement, sizeof replacement);
    return true;
}

/* Process b[p, n), the rest of the chunk that starts at file offset r->chunk_off. */
static void process_chunk(struct reader *r, const unsigned char *b, size_t p, size_t n)
{
    if (r->pending_cr && p < n) {
        r->pending_cr = false;
        if (b[p] == '\n') {
            feed(r, b + p, 1);
            p++;
        }
        if (r->status != CSVIN_OK)
            return;
        end_line(r);
    }
    /* One call site each for check_bytes and feed_lines, so that they stay inlined here. */
    for (;;) {
        size_t stop = check_bytes(r, b, p, n);
        feed_lines(r, b, p, stop);
        if (r->status != CSVIN_OK || r->fault == U8_OK)
            return;
        if (!take_fault(r)) {
            report_fault(r);
            return;
        }
        p = stop + r->fault_len;
    }
}

/* ---- the start of the file --------------------------------------------------------------- */

/* How far the read-ahead has scanned for the end of the first non-blank line. */
struct head_scan {
    size_t i;     /* next byte to look at */
    size_t end;   /* index of the terminator ending that line, when found */
    bool found;   /* end is set */
    bool inq;     /* inside double quotes */
    bool content; /* a non-blank line has begun */
};

/* Whether b[0, n) holds the BOM, the first non-blank line and the byte after its terminator
 * (to tell CR from CRLF). Scans incrementally: each byte is looked at once. */
static bool head_ready(struct head_scan *h, const unsigned char *b, size_t n)
{
    /* The first four bytes tell UTF-16 from UTF-32 (sniff_encoding), also when a short line
     * ends before them; a file shorter than that is read to its end first anyway. */
    if (n < 4)
        return false;
    if ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF) ||
        (b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF))
        return true;
    if (h->i == 0) {
        if (b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
            h->i = 3;
    }
    for (; !h->found && h->i < n; h->i++) {
        unsigned char c = b[h->i];
        if (c == '"') {
            h->inq = !h->inq;
            h->content = true;
        } else if (c == '\n' || c == '\r') {
            if (h->content && !h->inq) {
                h->found = true;
                h->end = h->i;
                break;
            }
        } else {
            h->content = true;
        }
    }
    return h->found && (b[h->end] == '\n' || h->end + 1 < n);
}

/* The most frequent of , ; TAB outside double quotes in the first non-blank line of b[p, n); ','
 * when there is none or when the line does not end within b (and b is not the whole file). */
static char detect_delimiter(const unsigned char *b, size_t p, size_t n, bool eof)
{
    size_t i = p;
    while (i < n && (b[i] == '\n' || b[i] == '\r'))
        i++;
    size_t comma = 0, semi = 0, tab = 0;
    bool inq = false, ended = false;
    for (; i < n; i++) {
        unsigned char c = b[i];
        if (c == '"')
            inq = !inq;
        else if (inq)
            continue;
        else if (c == ',')
            comma++;
        else if (c == ';')
            semi++;
        else if (c == '\t')
            tab++;
        else if (c == '\n' || c == '\r') {
            ended = true;
            break;
        }
    }
    if (!ended && !eof)
        return ',';
    if (semi > comma && semi >= tab)
        return ';';
    if (tab > comma && tab > semi)
        return '\t';
    return ',';
}

/* Length of an Excel "sep=X" line with its terminator at b[p, n), or 0 if there is none. */
static size_t sep_line(const unsigned char *b, size_t p, size_t n, char *delim)
{
    if (n - p < 5 || ascii_casecmp_n((const char *)b + p, 4, "sep=", 4) != 0)
        return 0;
    unsigned char x = b[p + 4];
    if (x == 0 || x == '"' || x == '\r' || x == '\n' || x >= 0x80)
        return 0;
    size_t q = p + 5;
    if (q < n && b[q] == '\r') {
        q++;
        if (q < n && b[q] == '\n')
            q++;
    } else if (q < n && b[q] == '\n') {
        q++;
    } else if (q < n) {
        return 0;
    }
    *delim = (char)x;
    return q - p;
}

/* Rejects what is recognisably not UTF-8 text before any byte is parsed: the whole file is in
 * another encoding or is no text at all. */
static bool sniff_encoding(struct reader *r, const unsigned char *b, size_t n)
{
    static const unsigned char ole[] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    /* FF FE 00 00 is also a UTF-16LE BOM before a NUL character: no text file has that. */
    if (n >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0) {
        fail(r, CSVIN_EENCODING, 0, 0,
             "file is UTF-32LE (byte order mark FF FE 00 00); save it as UTF-8");
        return false;
    }
    if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF) {
        fail(r, CSVIN_EENCODING, 0, 0,
             "file is UTF-32BE (byte order mark 00 00 FE FF); save it as UTF-8");
        return false;
    }
    if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
        fail(r, CSVIN_EENCODING, 0, 0,
             "file is UTF-16LE (byte order mark FF FE); save it as UTF-8");
        return false;
    }
    if (n >= 2 && b[0] == 0xFE && b[1] == 0xFF) {
        fail(r, CSVIN_EENCODING, 0, 0,
             "file is UTF-16BE (byte order mark FE FF); save it as UTF-8");
        return false;
    }
    if (n >= sizeof ole && memcmp(b, ole, sizeof ole) == 0) {
        fail(r, CSVIN_EENCODING, 0, 0,
             "file is an Excel 97-2003 workbook (.xls), not CSV; save it as CSV UTF-8");
        return false;
    }
    if (n >= 4 && memcmp(b, "PK\x03\x04", 4) == 0) {
        fail(r, CSVIN_EENCODING, 0, 0,
             "file is a ZIP archive (an .xlsx workbook?), not CSV; save it as CSV UTF-8");
        return false;
    }
    /* Text in UTF-16 without a byte order mark: ASCII characters with a 0 byte beside each. */
    if (n >= 4 && b[0] && b[0] < 0x80 && !b[1] && b[2] && b[2] < 0x80 && !b[3]) {
        fail(r, CSVIN_EENCODING, 0, 0,
             "file looks like UTF-16LE without a byte order mark (every other byte is 0); save "
             "it as UTF-8");
        return false;
    }
    if (n >= 4 && !b[0] && b[1] && b[1] < 0x80 && !b[2] && b[3] && b[3] < 0x80) {
        fail(r, CSVIN_EENCODING, 0, 0,
             "file looks like UTF-16BE without a byte order mark (every other byte is 0); save "
             "it as UTF-8");
        return false;
    }
    return true;
}

/* ---- reading ---------------------------------------------------------------------------- */

static ssize_t read_some(int fd, unsigned char *buf, size_t size)
{
    for (;;) {
        ssize_t k = read(fd, buf, size);
        if (k >= 0 || errno != EINTR)
            return k;
    }
}

static void read_failed(struct reader *r, int err)
{
    fail(r, CSVIN_EIO, 0, 0, "cannot read '%s': %s", r->path, strerror(err));
}

void csvin_batch_free(struct batch *b)
{
    free(b->data);
    free(b->lens);
    free(b->stats);
    free(b->recs);
    free(b->faults);
}

static void reader_release(struct reader *r)
{
    csv_free(&r->parser);
    csvin_batch_free(&r->one);
    free(r->ptrs);
}

/* Everything after the file is open. */
void csvin_read_fd(struct reader *r, int fd, char opt_delim, size_t chunk)
{
    size_t cap = chunk > CSVIN_HEAD_MAX ? chunk : CSVIN_HEAD_MAX;
    unsigned char *buf = xmalloc(cap + 3); /* + a held-back character */
    size_t n = 0;
    bool eof = false;
    struct head_scan hs = {0};

    while (n < cap && !head_ready(&hs, buf, n)) {
        size_t want = cap - n < chunk ? cap - n : chunk;
        ssize_t k = read_some(fd, buf + n, want);
        if (k < 0) {
            read_failed(r, errno);
            goto out;
        }
        if (k == 0) {
            eof = true;
            break;
        }
        n += (size_t)k;
        r->st->bytes += (uint64_t)k;
    }
    if (n == 0) {
        fail(r, CSVIN_EEMPTY, 0, 0, "file is empty");
        goto out;
    }
    if (!sniff_encoding(r, buf, n))
        goto out;

    size_t p = 0;
    if (n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) {
        p = 3;
        r->st->had_bom = true;
        r->utf8_shown = true;
    }
    char delim = opt_delim;
    size_t sep = sep_line(buf, p, n, &delim);
    if (sep) {
        p += sep;
        r->line = 2; /* the "sep=" line is line 1, also when it is the whole file */
    } else if (delim == 0) {
        delim = detect_delimiter(buf, p, n, eof);
    }
    if (delim == '"' || delim == '\r' || delim == '\n' || delim == 0)
        BUG("csvin: impossible delimiter");
    r->st->delimiter = delim;
    r->delim = (unsigned char)delim;
    csv_set_delim(&r->parser, r->delim);

    for (;;) {
        if (p < n)
            process_chunk(r, buf, p, n);
        if (r->status != CSVIN_OK || csvin_stop_requested(r))
            goto out;
        if (eof)
            break;
        size_t keep = r->held;
        memmove(buf, buf + n - keep, keep);
        r->chunk_off += n - keep;
        n = keep;
        p = 0;
        ssize_t k = read_some(fd, buf + keep, chunk);
        if (k < 0) {
            read_failed(r, errno);
            goto out;
        }
        if (k == 0)
            break;
        n += (size_t)k;
        r->st->bytes += (uint64_t)k;
        progress_count(r->st->records); /* once a chunk: on the reading thread when pipelined */
        progress_bytes(r->st->bytes);
    }

    if (r->held) {
        fault_at(r, U8_EOF, buf, n - r->held, r->held);
        if (!take_fault(r)) {
            report_fault(r);
            goto out;
        }
        if (r->status != CSVIN_OK)
            goto out;
    }
    if (r->pending_cr) {
        r->pending_cr = false;
        end_line(r);
    }
    if (!r->in_footer && csv_fini(&r->parser, on_field, on_row, r) != 0) {
        /* Located at the record's first line like every message; the text names the line
         * where the open quote is, which differs when an earlier field spans lines. */
        fail(r, CSVIN_EQUOTE, r->rec_line, column_of(rec_fields(r)),
             "unterminated quoted field starting at line %llu", (unsigned long long)r->field_line);
        goto out;
    }
    if (r->status != CSVIN_OK)
        goto out;
    if (!r->at_line_start)
        end_line(r);
    if (!r->have_header)
        fail(r, CSVIN_ENOHEADER, 0, 0, "no header line");
out:
    r->st->lines = r->line - (r->at_line_start ? 1 : 0);
    free(buf);
}

int csvin_read(const char *path, const char *display, const struct csvin_opts *opts,
               csvin_record_fn fn, void *ctx, struct csvin_stats *stats, struct diag *d)
{
    static const struct csvin_opts defaults = CSVIN_OPTS_INIT;
    struct csvin_stats local_stats;
    if (!opts)
        opts = &defaults;
    if (!stats)
        stats = &local_stats;
    memset(stats, 0, sizeof *stats);

    struct reader r;
    memset(&r, 0, sizeof r);
    r.path = path;
    r.display = display ? display : path;
    r.fn = fn;
    r.ctx = ctx;
    r.st = stats;
    r.d = d;
    r.footer_on = opts->footer;
    r.footer_pattern = opts->footer_pattern;
    r.ahead = opts->ahead;
    r.ahead_ctx = opts->ahead_ctx;
    r.peek = opts->peek;
    r.peek_ctx = opts->peek_ctx;
    r.max_field = opts->max_field_bytes ? opts->max_field_bytes : CSVIN_DEFAULT_MAX_FIELD;
    r.status = CSVIN_OK;
    r.line = 1;
    r.at_line_start = true;
    r.rec_line = r.field_line = 1;
    r.b = &r.one;
    size_t chunk = opts->chunk_size ? opts->chunk_size : CSVIN_DEFAULT_CHUNK;

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail(&r, CSVIN_EMISSING, 0, 0, "cannot open '%s': %s", path, strerror(errno));
        return r.status;
    }
    struct stat sb;
    bool stat_ok = fstat(fd, &sb) == 0;
    if (stat_ok && S_ISDIR(sb.st_mode)) {
        fail(&r, CSVIN_EMISSING, 0, 0, "cannot open '%s': %s", path, strerror(EISDIR));
        close(fd);
        return r.status;
    }
    progress_label("reading %s", r.display);
    progress_file_size(stat_ok && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0);
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif

    if (csv_init(&r.parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        BUG("csv_init failed");
    csv_set_space_func(&r.parser, no_space);
    csv_set_realloc_func(&r.parser, xrealloc);
    csv_set_blk_size(&r.parser, CSVIN_FIRST_BLOCK);

    /* A pipe or a FIFO may be long: only a regular file's size says the thread is not worth it.
     * batch_bytes, set by tests, forces the pipeline. */
    bool pipelined =
        opts->pipeline && stat_ok &&
        (opts->batch_bytes != 0 ||
         ((!S_ISREG(sb.st_mode) || sb.st_size >= CSVIN_PIPELINE_MIN) && csvin_two_cpus()));
    size_t batch_bytes = opts->batch_bytes ? opts->batch_bytes : CSVIN_BATCH_BYTES;
    if (batch_bytes > CSVIN_BATCH_MAX)
        batch_bytes = CSVIN_BATCH_MAX;
    if (!pipelined || !csvin_read_pipelined(&r, fd, opts->delimiter, chunk, batch_bytes))
        csvin_read_fd(&r, fd, opts->delimiter, chunk);

    close(fd);
    reader_release(&r);
    return r.status;
}
