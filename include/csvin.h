/* csvin.h — streaming CSV reader over libcsv that knows where every record starts.
 *
 * The only module that includes <csv.h>. It reads a file in fixed-size chunks (never the whole
 * file), checks the bytes (UTF-8 with or without BOM), counts physical lines itself (LF, CRLF and
 * bare CR all end a line, also inside quoted fields), parses RFC 4180 strictly (CSV_STRICT |
 * CSV_STRICT_FINI: a bare quote inside an unquoted field, text after a closing quote or an
 * unterminated quoted field fail the file), keeps spaces in unquoted fields, and hands each record
 * to a callback with the physical line where the record starts.
 *
 * Encoding. A file whose encoding is wrong as a whole fails (CSVIN_EENCODING, no line): UTF-16 or
 * UTF-32 (by their byte order marks, or UTF-16 without one: every other byte 0), an .xls (D0 CF 11
 * E0) or a ZIP/.xlsx ("PK\3\4"). A fault inside one record does not fail the file: a NUL byte, a
 * U+FEFF after the start of the file (two exports joined into one), or invalid UTF-8 in a file
 * already shown to be UTF-8 (it began with a UTF-8 BOM, or a valid multi-byte character came
 * earlier). That record is delivered with rec->fault set and each faulty sequence replaced by
 * U+FFFD in its fields; the caller rejects it. The same faults fail the file (CSVIN_EENCODING,
 * with the line) where no record can take them: in or before the header, in a report footer, and
 * invalid UTF-8 before the file has shown it is UTF-8: the first non-ASCII byte of a Windows-1252
 * file is invalid UTF-8, and such a file fails at it instead of losing every row with an accent.
 * A UTF-8 file with a damaged record and no non-ASCII text before it fails the same way.
 *
 * Records: the first non-blank record is the header (rec->is_header). An optional first line
 * "sep=X" (Excel; after the BOM, "sep" in any case, X any ASCII byte but '"', CR and LF) sets the
 * delimiter, overriding opts->delimiter, is not a record and counts as line 1. Blank lines and
 * all-empty records (",,,,", also fields of only spaces and tabs, quoted or not) are counted in
 * stats->blank_lines, never delivered. Footer: after a blank line or all-empty record, a record
 * with fewer fields than the header starts the footer (when opts->footer is on); it and every line
 * after it are counted in stats->footer_lines and not delivered. Footer lines are free text: they
 * are not parsed as CSV, but the bytes are still checked (UTF-8, NUL). Ragged records are
 * delivered as they are: the caller decides (it knows the schema).
 *
 * Errors stop the read at the first one; records before it have been delivered, the record it is
 * in never is. Byte offsets in messages count from 0 at the first byte of the file, BOM included.
 * Invalid UTF-8 is named by the first byte of the bad sequence; "the file looks like
 * Windows-1252" is added when it fails the file and that byte cannot start a character (80-BF,
 * F8-FF) or is not followed by enough continuation bytes (e.g. an accented letter followed by
 * ASCII), not for overlong forms, surrogates or code points above U+10FFFF. Quoting errors carry
 * the field number as the diag column. A directory is CSVIN_EMISSING.
 *
 * Parsing: a complete physical line that starts a record and is a well-formed one-line record is
 * split here directly (the fields libcsv would give, but several times faster); every other line
 * (a record spanning lines, a line cut by a chunk boundary, anything malformed, the last line
 * without a terminator) goes through libcsv, which has the last word on what is an error.
 *
 * Threads: with opts->pipeline (the default), a file of 4 MiB or more and two CPUs, a thread reads,
 * checks and parses into batches of records (a ring of a few, so memory does not grow with the
 * file) while the calling thread runs the callback on them, in file order. The callback always
 * runs on the calling thread, one record at a time, and d is only written from the calling
 * thread: the reader's own messages are collected apart and appended once the callbacks are
 * done. Records, stats, messages and the return code are exactly those of the one-thread read:
 * a callback returning -1 stops the reading thread (and what it read ahead is dropped, messages
 * included); an error it finds is reported after every record before it has been delivered.
 * One difference: the callback must not look at *stats, which the pipeline fills in on return.
 *
 * Field pointers are valid only during the callback. Fields are NUL-terminated for convenience
 * and contain no NUL bytes. Fields of a record without a fault are valid UTF-8 without U+FEFF
 * (the first field of the header is given without the file's BOM).
 */
#ifndef SAMETABLE_CSVIN_H
#define SAMETABLE_CSVIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct csvin_opts {
    char delimiter; /* ',', ';', '\t', or 0: detect from the header line (the most frequent
                     * of , ; TAB outside quotes; ',' when none; ties prefer , then ;).
                     * Blank lines before the header are skipped; the header must end
                     * within max(chunk_size, 64 KiB) bytes, else ',' */
    bool footer;    /* stop at a report footer as described above (default true) */
    const char *footer_pattern; /* also a record whose first field starts with this text
                                 * (ASCII case-insensitive, leading spaces ignored) starts the
                                 * footer, blank line or not; NULL or "" = none */
    size_t chunk_size;          /* bytes per read; 0 = 1 MiB */
    size_t max_field_bytes; /* longest field accepted; 0 = 1 MiB. A longer quoted field is reported
                             * as a probable unterminated quote at the line where it starts; a
                             * longer unquoted one as "field longer than N bytes" (CSVIN_EQUOTE) */
    bool pipeline;          /* parse on a second thread while the callback runs on the calling one
                             * (default true); a regular file under 4 MiB, or a process allowed
                             * on one CPU only, is read on one thread */
    size_t batch_bytes;     /* for tests: field bytes per batch passed between the threads; 0 =
                             * 1 MiB (and at most 4096 records). Nonzero also runs the pipeline
                             * whatever the file size and CPUs, so that small batches turn over */
    /* Pipeline only (NULL = none): called on the reading thread each time it has handed a batch
     * over, with the data records read so far, while the callback runs on the other thread. It
     * may only use what the callback does not write: it is there to fault in memory the callback
     * is about to fill, off the callback's thread. Nothing orders it against the callback: memory
     * the callback may free or move, it may use only under a lock that the callback takes before
     * it does (ingest.c's touch_prefault). */
    void (*ahead)(void *ahead_ctx, uint64_t records);
    void *ahead_ctx;
    /* Pipeline only (NULL = none): called on the calling thread with each data record a few
     * records before the callback gets it: its nf fields lie end to end from data, each followed
     * by a NUL, with their lengths in lens. It may not change anything the callback sees: it is
     * there to prefetch what the callback will look up for that record. */
    void (*peek)(void *peek_ctx, const char *data, const size_t *lens, size_t nf);
    void *peek_ctx;
};

// clang-format off
#define CSVIN_OPTS_INIT {.delimiter = 0, .footer = true, .footer_pattern = NULL, .chunk_size = 0, .max_field_bytes = 0, .pipeline = true, .batch_bytes = 0, .ahead = NULL, .ahead_ctx = NULL, .peek = NULL, .peek_ctx = NULL}
// clang-format on

/* An encoding fault inside a data record (see above). */
enum csvin_fault_kind {
    CSVIN_FAULT_NUL = 1, /* a NUL byte */
    CSVIN_FAULT_BOM,     /* U+FEFF after the start of the file */
    CSVIN_FAULT_UTF8,    /* invalid UTF-8 */
    CSVIN_FAULT_CUT,     /* the file ends in the middle of a character */
};

struct csvin_fault {
    uint64_t offset; /* file offset (0 = first byte, BOM included) of the faulty byte or sequence */
    uint64_t line;   /* physical line it is on (> the record's line in a multi-line field) */
    uint32_t field;  /* 0-based field it is in */
    uint8_t kind;    /* enum csvin_fault_kind */
    uint8_t byte;    /* its first byte */
};

struct csvin_record {
    const char *const *fields; /* n_fields NUL-terminated strings */
    const size_t *lens;        /* their lengths in bytes */
    size_t n_fields;
    uint64_t line;     /* physical line (1-based) where the record starts */
    uint64_t end_line; /* physical line where it ends (> line when a quoted field spans lines) */
    uint64_t index;    /* 0 for the header, then 1, 2, … for data records */
    uint64_t hash;     /* hash of all the record's fields: equal records have equal hashes */
    const struct csvin_fault *fault; /* NULL, or the record's first encoding fault (data records
                                      * only): reject the record */
    bool is_header;
};

/* The fault as a message for the record's reject, e.g. "NUL byte at byte offset 87" (with
 * " on line N" when it is not on the record's first line); returns buf. */
const char *csvin_fault_text(const struct csvin_record *rec, char *buf, size_t size);

/* Return 0 to go on, -1 to stop reading (csvin_read then returns CSVIN_ESTOPPED). */
typedef int (*csvin_record_fn)(void *ctx, const struct csvin_record *rec);

struct csvin_stats {
    uint64_t bytes;        /* bytes read from the file */
    uint64_t lines;        /* physical lines */
    uint64_t records;      /* data records delivered (header not counted; one whose callback
                            * returned -1 counts) */
    uint64_t blank_lines;  /* blank lines and all-empty records skipped */
    uint64_t footer_lines; /* lines in a report footer */
    char delimiter;        /* the delimiter used */
    bool had_bom;
};

enum csvin_status {
    CSVIN_OK = 0,
    CSVIN_EMISSING,  /* cannot open: no such file or not readable (exit 66) */
    CSVIN_EEMPTY,    /* 0 bytes (exit 66) */
    CSVIN_ENOHEADER, /* no header record / header only is for the caller to judge */
    CSVIN_EENCODING, /* the file's encoding is wrong as a whole, or a fault no record can take
                      * (exit 65) */
    CSVIN_EQUOTE,    /* malformed or unterminated quoting (exit 65) */
    CSVIN_EIO,       /* read error (exit 74) */
    CSVIN_ESTOPPED,  /* the callback returned -1 */
};

/* Read `path`, calling fn for the header and every data record. `display` is the name used in
 * messages (e.g. the base name "deals.csv"); errors are added to d as
 *   deals.csv:17: unterminated quoted field starting at line 17
 *   deals.csv:3: invalid UTF-8 at byte offset 1234 (byte 0x80; the file looks like Windows-1252)
 *   deals.csv: file is UTF-16LE (byte order mark FF FE); save it as UTF-8
 * and records with an encoding fault are delivered with rec->fault set (not an error here).
 * Returns an enum csvin_status; stats is filled as far as reading got. */
int csvin_read(const char *path, const char *display, const struct csvin_opts *opts,
               csvin_record_fn fn, void *ctx, struct csvin_stats *stats, struct diag *d);

#endif
