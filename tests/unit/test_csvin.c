/* test_csvin.c — unit tests for the streaming CSV reader (fixture files in a temp directory). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "csvin.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A string literal with its length, embedded NULs included. */
#define LIT(s) (s), (sizeof(s) - 1)

/* ---- fixtures --------------------------------------------------------------------------- */

static char tmpdir[64];
static char *made[64];
static size_t n_made;

static void setup(void)
{
    strcpy(tmpdir, "/tmp/test_csvin_XXXXXX");
    cr_assert(mkdtemp(tmpdir) != NULL, "mkdtemp failed");
    n_made = 0;
}

static void teardown(void)
{
    for (size_t i = 0; i < n_made; i++) {
        unlink(made[i]);
        free(made[i]);
    }
    n_made = 0;
    rmdir(tmpdir);
}

TestSuite(csvin, .init = setup, .fini = teardown);

static char *tmp_path(const char *name)
{
    size_t len = strlen(tmpdir) + 1 + strlen(name) + 1;
    char *path = malloc(len);
    cr_assert(path != NULL);
    snprintf(path, len, "%s/%s", tmpdir, name);
    return path;
}

/* Writes bytes to a new file in the temp directory; returns its path (owned by the fixture). */
static const char *fixture(const void *bytes, size_t len)
{
    char name[32];
    snprintf(name, sizeof name, "f%zu.csv", n_made);
    cr_assert(n_made < sizeof made / sizeof made[0]);
    char *path = tmp_path(name);
    FILE *fp = fopen(path, "wb");
    cr_assert(fp != NULL, "cannot create %s", path);
    cr_assert_eq(fwrite(bytes, 1, len, fp), len);
    cr_assert_eq(fclose(fp), 0);
    made[n_made++] = path;
    return path;
}

/* ---- collecting records ----------------------------------------------------------------- */

struct got_rec {
    char *text; /* fields joined with '|' */
    size_t n_fields;
    uint64_t line, end_line, index;
    bool is_header;
    uint64_t hash;
    struct csvin_fault fault; /* kind 0: none */
    char fault_text[160];     /* csvin_fault_text, or "" */
};

struct got {
    struct got_rec *v;
    size_t n, cap;
    size_t stop_at;    /* return -1 from the stop_at-th callback (1-based); 0: never */
    size_t warn_every; /* add a warning to d at every warn_every-th data record; 0: never */
    struct diag *d;
    pthread_t caller; /* the thread that called csvin_read */
    long threads;     /* threads in the process during the first callback */
};

/* The number of threads in this process, from /proc/self/status; -1 if unknown. */
static long count_threads(void)
{
    FILE *fp = fopen("/proc/self/status", "r");
    if (!fp)
        return -1;
    char line[256];
    long n = -1;
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, "Threads:", 8) == 0)
            n = strtol(line + 8, NULL, 10);
    fclose(fp);
    return n;
}

static int collect(void *ctx, const struct csvin_record *rec)
{
    struct got *g = ctx;
    cr_assert(pthread_equal(pthread_self(), g->caller), "callback off the calling thread");
    if (g->n == 0)
        g->threads = count_threads();
    if (g->warn_every && !rec->is_header && rec->index % g->warn_every == 0)
        diag_add(g->d, DIAG_WARNING, "cb.csv", rec->line, 2, "record %llu seen",
                 (unsigned long long)rec->index);
    size_t len = 0;
    for (size_t i = 0; i < rec->n_fields; i++) {
        cr_assert_eq(strlen(rec->fields[i]), rec->lens[i], "field %zu is not NUL-terminated", i);
        len += rec->lens[i] + 1;
    }
    char *text = malloc(len + 1);
    cr_assert(text != NULL);
    size_t o = 0;
    for (size_t i = 0; i < rec->n_fields; i++) {
        if (i > 0)
            text[o++] = '|';
        memcpy(text + o, rec->fields[i], rec->lens[i]);
        o += rec->lens[i];
    }
    text[o] = '\0';
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->v = realloc(g->v, g->cap * sizeof *g->v);
        cr_assert(g->v != NULL);
    }
    struct got_rec *gr = &g->v[g->n++];
    memset(gr, 0, sizeof *gr);
    gr->text = text;
    gr->n_fields = rec->n_fields;
    gr->line = rec->line;
    gr->end_line = rec->end_line;
    gr->index = rec->index;
    gr->is_header = rec->is_header;
    gr->hash = rec->hash;
    if (rec->fault) {
        cr_assert(!rec->is_header, "a header with a fault");
        gr->fault = *rec->fault;
        csvin_fault_text(rec, gr->fault_text, sizeof gr->fault_text);
    }
    return g->stop_at && g->n == g->stop_at ? -1 : 0;
}

struct run {
    int rc;
    struct got got;
    struct csvin_stats st;
    struct diag d;
};

static void run_with(struct run *r, const char *path, const struct csvin_opts *opts, size_t stop_at,
                     size_t warn_every)
{
    memset(r, 0, sizeof *r);
    diag_init(&r->d);
    r->got.stop_at = stop_at;
    r->got.warn_every = warn_every;
    r->got.d = &r->d;
    r->got.caller = pthread_self();
    r->rc = csvin_read(path, "t.csv", opts, collect, &r->got, &r->st, &r->d);
}

static void run_path(struct run *r, const char *path, const struct csvin_opts *opts)
{
    run_with(r, path, opts, 0, 0);
}

static void run_bytes(struct run *r, const char *bytes, size_t len, const struct csvin_opts *opts)
{
    run_path(r, fixture(bytes, len), opts);
}

static void run_stop(struct run *r, const char *bytes, size_t len, size_t stop_at)
{
    run_with(r, fixture(bytes, len), NULL, stop_at, 0);
}

static void run_release(struct run *r)
{
    for (size_t i = 0; i < r->got.n; i++)
        free(r->got.v[i].text);
    free(r->got.v);
    diag_release(&r->d);
}

static void expect_rec(const struct run *r, size_t i, const char *text, size_t n_fields,
                       uint64_t line, uint64_t end_line)
{
    cr_assert(i < r->got.n, "record %zu missing (got %zu)", i, r->got.n);
    const struct got_rec *g = &r->got.v[i];
    cr_assert_str_eq(g->text, text, "record %zu", i);
    cr_assert_eq(g->n_fields, n_fields, "record %zu: %zu fields", i, g->n_fields);
    cr_assert_eq(g->line, line, "record %zu: line %llu", i, (unsigned long long)g->line);
    cr_assert_eq(g->end_line, end_line, "record %zu: end line %llu", i,
                 (unsigned long long)g->end_line);
    cr_assert_eq(g->index, (uint64_t)i, "record %zu: index", i);
    cr_assert_eq(g->is_header, i == 0, "record %zu: is_header", i);
    cr_assert_eq(g->fault.kind, 0, "record %zu: fault '%s'", i, g->fault_text);
}

/* Record i was delivered with a fault of this kind, field and message. */
static void expect_fault(const struct run *r, size_t i, const char *text, uint64_t line, int kind,
                         uint32_t field, const char *message)
{
    cr_assert(i < r->got.n, "record %zu missing (got %zu)", i, r->got.n);
    const struct got_rec *g = &r->got.v[i];
    cr_assert_str_eq(g->text, text, "record %zu", i);
    cr_assert_eq(g->line, line, "record %zu: line %llu", i, (unsigned long long)g->line);
    cr_assert_eq(g->fault.kind, kind, "record %zu: fault kind %d", i, g->fault.kind);
    cr_assert_eq(g->fault.field, field, "record %zu: fault in field %u", i, g->fault.field);
    cr_assert_str_eq(g->fault_text, message, "record %zu", i);
}

static void expect_ok(const struct run *r, size_t n_recs)
{
    cr_assert_eq(r->rc, CSVIN_OK, "rc %d: %s", r->rc, r->d.n ? r->d.v[0].message : "");
    cr_assert_eq(r->d.n, 0);
    cr_assert_eq(r->got.n, n_recs, "got %zu records", r->got.n);
    cr_assert_eq(r->st.records, n_recs - 1);
}

static void expect_error(const struct run *r, int rc, uint64_t line, const char *message)
{
    cr_assert_eq(r->rc, rc, "rc %d, expected %d", r->rc, rc);
    cr_assert_eq(r->d.n, 1, "%zu messages", r->d.n);
    cr_assert_eq(r->d.n_errors, 1);
    cr_assert_str_eq(r->d.v[0].message, message);
    cr_assert_str_eq(r->d.v[0].file, "t.csv");
    cr_assert_eq(r->d.v[0].line, line, "line %llu, expected %llu",
                 (unsigned long long)r->d.v[0].line, (unsigned long long)line);
}

/* ---- line endings and quoting ----------------------------------------------------------- */

Test(csvin, bom_crlf_and_a_crlf_inside_quotes_keep_later_line_numbers_right)
{
    static const char in[] = "\xEF\xBB\xBFid,note\r\n1,\"two\r\nlines\"\r\n2,x\r\n";
    struct run r;
    run_bytes(&r, LIT(in), NULL);
    expect_ok(&r, 3);
    expect_rec(&r, 0, "id|note", 2, 1, 1);
    expect_rec(&r, 1, "1|two\r\nlines", 2, 2, 3);
    expect_rec(&r, 2, "2|x", 2, 4, 4);
    cr_assert(r.st.had_bom);
    cr_assert_eq(r.st.lines, 4);
    cr_assert_eq(r.st.blank_lines, 0);
    cr_assert_eq(r.st.delimiter, ',');
    cr_assert_eq(r.st.bytes, sizeof in - 1);
    run_release(&r);
}

Test(csvin, bare_cr_ends_lines_and_records)
{
    struct run r;
    run_bytes(&r, LIT("a,b\r1,2\r\r3,\"x\ry\"\r4,5\r"), NULL);
    expect_ok(&r, 4);
    expect_rec(&r, 0, "a|b", 2, 1, 1);
    expect_rec(&r, 1, "1|2", 2, 2, 2);
    expect_rec(&r, 2, "3|x\ry", 2, 4, 5);
    expect_rec(&r, 3, "4|5", 2, 6, 6);
    cr_assert_eq(r.st.blank_lines, 1);
    cr_assert_eq(r.st.lines, 6);
    cr_assert(!r.st.had_bom);
    run_release(&r);
}

Test(csvin, last_line_without_newline_is_a_record)
{
    static const struct {
        const char *in;
        size_t n_recs;
        const char *last;
        uint64_t line, end_line, lines;
    } cases[] = {
        {"a,b\n1,2\n3,4", 3, "3|4", 3, 3, 3},
        {"a,b\n1,\"x\ny\"", 2, "1|x\ny", 2, 3, 3},
        {"a,b\n1,", 2, "1|", 2, 2, 2},
        {"a,b\r\n\"q\",\"\"", 2, "q|", 2, 2, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        run_bytes(&r, cases[i].in, strlen(cases[i].in), NULL);
        expect_ok(&r, cases[i].n_recs);
        expect_rec(&r, cases[i].n_recs - 1, cases[i].last, 2, cases[i].line, cases[i].end_line);
        cr_assert_eq(r.st.lines, cases[i].lines, "case %zu", i);
        run_release(&r);
    }
}

Test(csvin, doubled_quotes_and_embedded_delimiters_are_unquoted)
{
    struct run r;
    run_bytes(&r, LIT("q,r\n\"say \"\"hi\"\"\",\"a,b\"\n\"\",\"\"\"\"\n\"x\"\"\",\",\"\n"), NULL);
    expect_ok(&r, 4);
    expect_rec(&r, 1, "say \"hi\"|a,b", 2, 2, 2);
    expect_rec(&r, 2, "|\"", 2, 3, 3);
    expect_rec(&r, 3, "x\"|,", 2, 4, 4);
    run_release(&r);
}

Test(csvin, spaces_in_unquoted_fields_are_kept)
{
    struct run r;
    run_bytes(&r, LIT("a, b \n  x , y  ,\t\n"), NULL);
    expect_ok(&r, 2);
    expect_rec(&r, 0, "a| b ", 2, 1, 1);
    expect_rec(&r, 1, "  x | y  |\t", 3, 2, 2);
    run_release(&r);

    struct csvin_opts o = CSVIN_OPTS_INIT;
    o.delimiter = '\t';
    run_bytes(&r, LIT("a\tb\n x \t y\n"), &o);
    expect_ok(&r, 2);
    expect_rec(&r, 1, " x | y", 2, 2, 2);
    run_release(&r);
}

/* ---- delimiters ------------------------------------------------------------------------- */

Test(csvin, semicolon_and_tab_delimiters_split_only_on_the_delimiter)
{
    static const struct {
        char delim;
        const char *in;
        const char *header, *rec;
        size_t n_fields;
    } cases[] = {
        {';', "a;b,c\n1;\"2;5,x\"\n", "a|b,c", "1|2;5,x", 2},
        {'\t', "a\tb;c\n1\t\"x\ty\"\n", "a|b;c", "1|x\ty", 2},
        {',', "a;b\n1;2\n", "a;b", "1;2", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct csvin_opts o = CSVIN_OPTS_INIT;
        o.delimiter = cases[i].delim;
        struct run r;
        run_bytes(&r, cases[i].in, strlen(cases[i].in), &o);
        expect_ok(&r, 2);
        expect_rec(&r, 0, cases[i].header, cases[i].n_fields, 1, 1);
        expect_rec(&r, 1, cases[i].rec, cases[i].n_fields, 2, 2);
        cr_assert_eq(r.st.delimiter, cases[i].delim, "case %zu", i);
        run_release(&r);
    }
}

Test(csvin, delimiter_is_detected_from_the_header_outside_quotes)
{
    static const struct {
        const char *in;
        char delim;
        size_t header_fields;
    } cases[] = {
        {"a,b,c\n1,2,3\n", ',', 3},
        {"a;b;c\n1;2;3\n", ';', 3},
        {"a\tb\tc\n", '\t', 3},
        {"single\n", ',', 1},
        {"\"x;y\",b\n", ',', 2},            /* the ; is quoted */
        {"\"p,q,r\";b;c\n", ';', 3},        /* the commas are quoted */
        {"a;b,c;d\n", ';', 3},              /* 2 ; against 1 , */
        {"\r\n\r\na;b\r\n1;2\r\n", ';', 2}, /* blank lines before the header */
        {"a,b;c\n", ',', 2},                /* a tie goes to , */
        {"a;b\tc\n", ';', 2},               /* then to ; */
        {"a;b", ';', 2},                    /* the header is the whole file */
        {"a;b\n1,2,3,4,5\n", ';', 2},       /* only the header counts */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        run_bytes(&r, cases[i].in, strlen(cases[i].in), NULL);
        cr_assert_eq(r.rc, CSVIN_OK, "case %zu", i);
        cr_assert_eq(r.st.delimiter, cases[i].delim, "case %zu: got '%c'", i, r.st.delimiter);
        cr_assert(r.got.n >= 1);
        cr_assert_eq(r.got.v[0].n_fields, cases[i].header_fields, "case %zu", i);
        run_release(&r);
    }
}

Test(csvin, detection_falls_back_to_comma_for_a_header_longer_than_the_read_ahead)
{
    /* 70,000 bytes of "a;" : longer than 64 KiB and than a 1 KiB chunk. */
    size_t n = 70000;
    char *text = malloc(n + 3);
    cr_assert(text != NULL);
    for (size_t i = 0; i < n; i += 2) {
        text[i] = 'a';
        text[i + 1] = ';';
    }
    memcpy(text + n, "\nx", 3);
    const char *path = fixture(text, n + 2);
    free(text);

    struct csvin_opts o = CSVIN_OPTS_INIT;
    o.chunk_size = 1024;
    struct run r;
    run_path(&r, path, &o);
    cr_assert_eq(r.rc, CSVIN_OK);
    cr_assert_eq(r.st.delimiter, ',');
    cr_assert_eq(r.got.v[0].n_fields, 1);
    run_release(&r);

    /* With the default 1 MiB chunk the header fits and ; wins. */
    run_path(&r, path, NULL);
    cr_assert_eq(r.rc, CSVIN_OK);
    cr_assert_eq(r.st.delimiter, ';');
    cr_assert_eq(r.got.v[0].n_fields, 35001);
    run_release(&r);
}

Test(csvin, sep_line_sets_the_delimiter_and_is_not_a_record)
{
    static const struct {
        const char *in;
        char opt, delim;
        bool bom;
        uint64_t lines;
    } cases[] = {
        {"sep=;\r\na;b\r\n1;2\r\n", 0, ';', false, 3},
        {"\xEF\xBB\xBFsep=\t\na\tb\n1\t2", 0, '\t', true, 3},
        {"SEP=;\ra;b\r1;2\r", 0, ';', false, 3},
        {"sep=;\na;b\n1;2\n", ',', ';', false, 3}, /* the file's own sep= line wins */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct csvin_opts o = CSVIN_OPTS_INIT;
        o.delimiter = cases[i].opt;
        struct run r;
        run_bytes(&r, cases[i].in, strlen(cases[i].in), &o);
        expect_ok(&r, 2);
        expect_rec(&r, 0, "a|b", 2, 2, 2);
        expect_rec(&r, 1, "1|2", 2, 3, 3);
        cr_assert_eq(r.st.delimiter, cases[i].delim, "case %zu", i);
        cr_assert_eq(r.st.had_bom, cases[i].bom, "case %zu", i);
        cr_assert_eq(r.st.lines, cases[i].lines, "case %zu", i);
        cr_assert_eq(r.st.blank_lines, 0, "case %zu", i);
        run_release(&r);
    }
}

Test(csvin, a_sep_line_later_in_the_file_is_data)
{
    struct run r;
    run_bytes(&r, LIT("a\nsep=;\n"), NULL);
    expect_ok(&r, 2);
    expect_rec(&r, 1, "sep=;", 1, 2, 2);
    run_release(&r);
}

/* ---- blank lines, footers, ragged rows -------------------------------------------------- */

Test(csvin, blank_lines_and_all_empty_rows_are_counted_not_delivered)
{
    struct run r;
    /* lines: 1 header, 2 blank, 3 data, 4 ",,", 5 spaces and tab, 6 quoted empties, 7 data,
     * 8 blank */
    run_bytes(&r, LIT("a,b,c\n\n1,2,3\n,,\n \t, ,\n\"\",,\"\"\n4,5,6\n\n"), NULL);
    expect_ok(&r, 3);
    expect_rec(&r, 1, "1|2|3", 3, 3, 3);
    expect_rec(&r, 2, "4|5|6", 3, 7, 7);
    cr_assert_eq(r.st.blank_lines, 5);
    cr_assert_eq(r.st.lines, 8);
    cr_assert_eq(r.st.footer_lines, 0);
    run_release(&r);
}

static const char salesforce[] = "\"Opportunity Name\",\"Amount\",\"Stage\"\n"
                                 "\"Acme\",\"100\",\"Closed Won\"\n"
                                 "\"Beta, Inc.\",\"200\",\"Closed Won\"\n"
                                 "\"Gamma\",\"300\",\"Closed Won\"\n"
                                 "\n"
                                 "\"Grand Totals (3 records)\"\n"
                                 "\"\",\"600\",\"\"\n"
                                 "\n"
                                 "\"Confidential Information - Do Not Distribute\"\n"
                                 "\"Copyright \xC2\xA9 2000-2025 salesforce.com, inc. All rights "
                                 "reserved.\"\n";

Test(csvin, salesforce_footer_after_a_blank_line_ends_the_data)
{
    struct run r;
    run_bytes(&r, LIT(salesforce), NULL);
    expect_ok(&r, 4);
    expect_rec(&r, 0, "Opportunity Name|Amount|Stage", 3, 1, 1);
    expect_rec(&r, 2, "Beta, Inc.|200|Closed Won", 3, 3, 3);
    expect_rec(&r, 3, "Gamma|300|Closed Won", 3, 4, 4);
    cr_assert_eq(r.st.blank_lines, 1);  /* line 5 */
    cr_assert_eq(r.st.footer_lines, 5); /* lines 6–10 */
    cr_assert_eq(r.st.lines, 10);
    run_release(&r);
}

/* A footer that follows the data without a blank line is found by its text when configured:
 * lines 1 header, 2–3 data, 4 "  grand totals (2 records),300," (leading spaces, other case),
 * 5 a full-width row that is still footer, 6 a copyright line. Both threads agree. */
Test(csvin, a_footer_pattern_ends_the_data_without_a_blank_line)
{
    static const char in[] = "Name,Amount,Stage\nA,100,Won\nB,200,Won\n"
                             "  grand totals (2 records),300,\nX,1,Won\nCopyright\n";
    for (int pipe = 0; pipe < 2; pipe++) {
        struct csvin_opts o = CSVIN_OPTS_INIT;
        o.footer_pattern = "Grand Totals";
        if (pipe)
            o.batch_bytes = 7;
        struct run r;
        run_bytes(&r, in, sizeof in - 1, &o);
        expect_ok(&r, 3); /* the header and two data rows */
        cr_assert_eq(r.st.footer_lines, 3, "pipeline %d: footer lines 4-6", pipe);
        cr_assert_eq(r.st.blank_lines, 0);
        run_release(&r);
    }
    /* Without the pattern the same rows are data: the header and five rows (the ragged ones are
     * the caller's to reject). */
    struct run r;
    run_bytes(&r, in, sizeof in - 1, NULL);
    expect_ok(&r, 6);
    cr_assert_eq(r.st.footer_lines, 0);
    run_release(&r);
}

/* The record hash: equal records (also written differently: quoted or not) hash alike, records
 * that differ — even only by where a field ends — do not, and both threads give the same hash. */
Test(csvin, record_hashes_tell_equal_records_from_different_ones)
{
    static const char in[] = "a,b\nx,yz\n\"x\",yz\nxy,z\nx,yz\n";
    uint64_t h[2][5];
    for (int pipe = 0; pipe < 2; pipe++) {
        struct csvin_opts o = CSVIN_OPTS_INIT;
        if (pipe)
            o.batch_bytes = 3;
        struct run r;
        run_bytes(&r, in, sizeof in - 1, &o);
        expect_ok(&r, 5);
        for (int i = 0; i < 5; i++)
            h[pipe][i] = r.got.v[i].hash;
        run_release(&r);
    }
    cr_assert_eq(h[0][1], h[0][2], "x,yz and \"x\",yz are the same record");
    cr_assert_eq(h[0][1], h[0][4]);
    cr_assert_neq(h[0][1], h[0][3], "x,yz and xy,z differ");
    cr_assert_neq(h[0][0], h[0][1]);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(h[0][i], h[1][i], "record %d: one thread and two disagree", i);
}

Test(csvin, footer_off_delivers_the_footer_rows)
{
    struct csvin_opts o = CSVIN_OPTS_INIT;
    o.footer = false;
    struct run r;
    run_bytes(&r, LIT(salesforce), &o);
    expect_ok(&r, 8);
    expect_rec(&r, 4, "Grand Totals (3 records)", 1, 6, 6);
    expect_rec(&r, 5, "|600|", 3, 7, 7);
    expect_rec(&r, 6, "Confidential Information - Do Not Distribute", 1, 9, 9);
    cr_assert_eq(r.st.blank_lines, 2);
    cr_assert_eq(r.st.footer_lines, 0);
    run_release(&r);
}

Test(csvin, a_multi_line_footer_record_counts_all_its_lines)
{
    struct run r;
    run_bytes(&r, LIT("a,b\n1,2\n\n\"Total\nover two lines\"\nend\n"), NULL);
    expect_ok(&r, 2);
    cr_assert_eq(r.st.footer_lines, 3);
    cr_assert_eq(r.st.blank_lines, 1);
    cr_assert_eq(r.st.lines, 6);
    run_release(&r);
}

Test(csvin, a_blank_line_followed_by_a_full_width_row_is_not_a_footer)
{
    struct run r;
    /* 1 header, 2 data, 3 blank, 4 full width, 5 narrow (no blank before it), 6 blank,
     * 7 wider, 8 ",," is blank too, 9 full width */
    run_bytes(&r, LIT("a,b\n1,2\n\n3,4\n5\n\n6,7,8\n,\n9,10\n"), NULL);
    expect_ok(&r, 6);
    expect_rec(&r, 2, "3|4", 2, 4, 4);
    expect_rec(&r, 3, "5", 1, 5, 5);
    expect_rec(&r, 4, "6|7|8", 3, 7, 7);
    expect_rec(&r, 5, "9|10", 2, 9, 9);
    cr_assert_eq(r.st.blank_lines, 3);
    cr_assert_eq(r.st.footer_lines, 0);
    run_release(&r);
}

Test(csvin, an_all_empty_row_also_opens_a_footer)
{
    struct run r;
    run_bytes(&r, LIT("a,b\n1,2\n,\nTotal\n"), NULL);
    expect_ok(&r, 2);
    cr_assert_eq(r.st.blank_lines, 1);
    cr_assert_eq(r.st.footer_lines, 1);
    run_release(&r);
}

Test(csvin, ragged_rows_are_delivered_with_their_field_counts)
{
    struct run r;
    run_bytes(&r, LIT("a,b,c\n1,2\n1,2,3,4\n,x\n"), NULL);
    expect_ok(&r, 4);
    expect_rec(&r, 1, "1|2", 2, 2, 2);
    expect_rec(&r, 2, "1|2|3|4", 4, 3, 3);
    expect_rec(&r, 3, "|x", 2, 4, 4);
    run_release(&r);
}

Test(csvin, callback_returning_minus_one_stops_the_read)
{
    struct run r;
    run_stop(&r, LIT("a\n1\n2\n3\n"), 2);
    cr_assert_eq(r.rc, CSVIN_ESTOPPED);
    cr_assert_eq(r.got.n, 2);
    cr_assert_eq(r.st.records, 1);
    cr_assert_eq(r.d.n, 0);
    run_release(&r);

    run_stop(&r, LIT("a\n1\n2\n3\n"), 1); /* already at the header */
    cr_assert_eq(r.rc, CSVIN_ESTOPPED);
    cr_assert_eq(r.got.n, 1);
    cr_assert_eq(r.st.records, 0);
    run_release(&r);
}

Test(csvin, only_blank_lines_means_no_header)
{
    static const struct {
        const char *in;
        size_t len;
        uint64_t blanks;
    } cases[] = {
        {"\n\r\n,,\n", 6, 3}, {"\xEF\xBB\xBF", 3, 0}, {"sep=;\n", 6, 0}, {"sep=;", 5, 0},
        {" ", 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        run_bytes(&r, cases[i].in, cases[i].len, NULL);
        expect_error(&r, CSVIN_ENOHEADER, 0, "no header line");
        cr_assert_eq(r.got.n, 0);
        cr_assert_eq(r.st.blank_lines, cases[i].blanks, "case %zu", i);
        run_release(&r);
    }
}

/* ---- quoting errors --------------------------------------------------------------------- */

Test(csvin, unterminated_quote_is_reported_at_its_start_line_and_swallows_nothing)
{
    static const struct {
        const char *in;
        uint64_t line;
        uint32_t column;
        const char *message;
    } cases[] = {
        {"a,b\n1,\"open\n2,3\n4,5\n", 2, 2, "unterminated quoted field starting at line 2"},
        /* The record starts on line 2 (the location); its open quote is on line 3. */
        {"a,b\n\"x\ny\",\"open\nz\n", 2, 2, "unterminated quoted field starting at line 3"},
        {"a,b\n1,2\n\"open", 3, 1, "unterminated quoted field starting at line 3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        run_bytes(&r, cases[i].in, strlen(cases[i].in), NULL);
        expect_error(&r, CSVIN_EQUOTE, cases[i].line, cases[i].message);
        cr_assert_eq(r.d.v[0].column, cases[i].column, "case %zu", i);
        /* Nothing from the broken record on reaches the caller. */
        for (size_t k = 0; k < r.got.n; k++)
            cr_assert(r.got.v[k].line < cases[i].line, "case %zu: record at line %llu", i,
                      (unsigned long long)r.got.v[k].line);
        run_release(&r);
    }
}

Test(csvin, an_overlong_quoted_field_is_a_probable_unterminated_quote)
{
    struct csvin_opts o = CSVIN_OPTS_INIT;
    o.max_field_bytes = 16;
    struct run r;
    /* after line 2 the field holds 11 bytes, after line 3 22 > 16 */
    run_bytes(&r, LIT("a,b\n1,\"0123456789\n0123456789\n0123456789\"\n"), &o);
    expect_error(&r, CSVIN_EQUOTE, 2,
                 "unterminated quoted field starting at line 2 (no closing quote within 16 "
                 "bytes)");
    cr_assert_eq(r.got.n, 1);
    run_release(&r);

    run_bytes(&r, LIT("a\n12345678\n123456789\n"), &o);
    expect_ok(&r, 3);
    run_release(&r);
    o.max_field_bytes = 8;
    run_bytes(&r, LIT("a\n12345678\n123456789\n"), &o);
    expect_error(&r, CSVIN_EQUOTE, 3, "field longer than 8 bytes");
    cr_assert_eq(r.got.n, 2);
    run_release(&r);
}

Test(csvin, malformed_quoting_names_the_line_where_the_record_starts)
{
    static const char msg[] =
        "malformed quoting: text after a closing quote or a bare quote in an unquoted field";
    static const struct {
        const char *in;
        uint64_t line;
        uint32_t column;
        const char *suffix;
        size_t delivered;
    } cases[] = {
        {"a,b\n1,2\n\"x\"y,3\n4,5\n", 3, 1, "", 2}, /* text after a closing quote */
        {"a,b\n1,ab\"c\n", 2, 2, "", 1},            /* bare quote in an unquoted field */
        {"a,b\n\"x\" ,2\n", 2, 1, "", 1},           /* a space after the closing quote */
        {"a,b\n\"multi\nline\"x,2\n", 2, 1, " (at line 3)", 1}, /* error on a later line */
        {"\"a\"b\n", 1, 1, "", 0},                              /* in the header */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[200];
        snprintf(want, sizeof want, "%s%s", msg, cases[i].suffix);
        struct run r;
        run_bytes(&r, cases[i].in, strlen(cases[i].in), NULL);
        expect_error(&r, CSVIN_EQUOTE, cases[i].line, want);
        cr_assert_eq(r.d.v[0].column, cases[i].column, "case %zu", i);
        cr_assert_eq(r.got.n, cases[i].delivered, "case %zu", i);
        run_release(&r);
    }
}

/* ---- encoding --------------------------------------------------------------------------- */

Test(csvin, invalid_utf8_before_any_other_non_ascii_text_fails_the_file)
{
    /* No BOM and no valid multi-byte character before the bad byte: the file is taken to be in
     * another encoding as a whole (a Windows-1252 file would otherwise lose every accented row). */
    static const struct {
        const char *in;
        uint64_t line;
        const char *message;
    } cases[] = {
        /* Windows-1252 euro sign: "a,b\n" is offsets 0–3, "1," 4–5 */
        {"a,b\n1,\x80\n", 2,
         "invalid UTF-8 at byte offset 6 (byte 0x80; the file looks like Windows-1252)"},
        /* Latin-1 e acute followed by ASCII */
        {"a,b\ncaf\xE9,1\n", 2,
         "invalid UTF-8 at byte offset 7 (byte 0xE9; the file looks like Windows-1252)"},
        {"a\n\xF8\n", 2,
         "invalid UTF-8 at byte offset 2 (byte 0xF8; the file looks like Windows-1252)"},
        /* overlong, surrogate, above U+10FFFF: well-formed but not allowed */
        {"a\n\xC0\xAF\n", 2, "invalid UTF-8 at byte offset 2 (byte 0xC0)"},
        {"a\n\xE0\x80\x80\n", 2, "invalid UTF-8 at byte offset 2 (byte 0xE0)"},
        {"a\nb\n\xED\xA0\x80\n", 3, "invalid UTF-8 at byte offset 4 (byte 0xED)"},
        {"a\n\xF4\x90\x80\x80\n", 2, "invalid UTF-8 at byte offset 2 (byte 0xF4)"},
        /* cut off by the end of the file */
        {"a\n\xE2\x82", 2,
         "invalid UTF-8 at byte offset 2 (byte 0xE2; the file ends in the middle of a "
         "character)"},
        /* CRLF then bare CR: the bad byte is on line 3 */
        {"a\r\nb\rc\xFF\n", 3,
         "invalid UTF-8 at byte offset 6 (byte 0xFF; the file looks like Windows-1252)"},
        /* a bare CR right before the bad byte */
        {"a\r\x80", 2,
         "invalid UTF-8 at byte offset 2 (byte 0x80; the file looks like Windows-1252)"},
        /* inside a quoted field on the third line of a record */
        {"a\n\"x\ny\nz\x92\"\n", 4,
         "invalid UTF-8 at byte offset 8 (byte 0x92; the file looks like Windows-1252)"},
        /* a U+FEFF is valid UTF-8 but shows nothing: the next bad byte still fails the file */
        {"a\n\xEF\xBB\xBF\n\xE9\n", 3,
         "invalid UTF-8 at byte offset 6 (byte 0xE9; the file looks like Windows-1252)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        run_bytes(&r, cases[i].in, strlen(cases[i].in), NULL);
        expect_error(&r, CSVIN_EENCODING, cases[i].line, cases[i].message);
        for (size_t k = 0; k < r.got.n; k++)
            cr_assert(r.got.v[k].end_line < cases[i].line, "case %zu", i);
        run_release(&r);
    }
}

Test(csvin, invalid_utf8_in_a_file_shown_to_be_utf8_rejects_only_its_record)
{
    /* Shown by a UTF-8 BOM or a valid multi-byte character before the bad byte. Each faulty
     * sequence (a lead with the continuation bytes it has) becomes one U+FFFD. */
    static const struct {
        const char *in;
        size_t n_recs;    /* header included */
        size_t bad;       /* the record with the fault */
        const char *text; /* its fields joined with '|' */
        uint64_t line;
        int kind;
        uint32_t field;
        const char *message;
    } cases[] = {
        /* BOM 0–2, "a\n" 3–4 */
        {"\xEF\xBB\xBF"
         "a\n\x80\n",
         2, 1, "\xEF\xBF\xBD", 2, CSVIN_FAULT_UTF8, 0,
         "invalid UTF-8 at byte offset 5 (byte 0x80)"},
        /* "a,b\n" 0–3, "Jos\xC3\xA9,1\n" 4–11, "caf" 12–14 */
        {"a,b\nJos\xC3\xA9,1\ncaf\xE9,2\nx,3\n", 4, 2, "caf\xEF\xBF\xBD|2", 3, CSVIN_FAULT_UTF8, 0,
         "invalid UTF-8 at byte offset 15 (byte 0xE9)"},
        /* E2 82 cut short by a comma: one U+FFFD for both bytes */
        {"a,b\n\xC3\xA9,\xE2\x82,x\n", 2, 1, "\xC3\xA9|\xEF\xBF\xBD|x", 2, CSVIN_FAULT_UTF8, 1,
         "invalid UTF-8 at byte offset 7 (byte 0xE2)"},
        /* overlong: one U+FFFD for the sequence */
        {"a\n\xC3\xA9\n\xC0\xAF\n", 3, 2, "\xEF\xBF\xBD", 3, CSVIN_FAULT_UTF8, 0,
         "invalid UTF-8 at byte offset 5 (byte 0xC0)"},
        /* cut by the end of the file */
        {"a\n\xC3\xA9\n\xE2\x82", 3, 2, "\xEF\xBF\xBD", 3, CSVIN_FAULT_CUT, 0,
         "invalid UTF-8 at byte offset 5 (byte 0xE2; the file ends in the middle of a "
         "character)"},
        /* on the second line of a quoted field: BOM 0–2, "a,b\n" 3–6, "1," 7–8, '"' 9, "x\n" 10–11,
         * "y" 12 */
        {"\xEF\xBB\xBF"
         "a,b\n1,\"x\ny\x80\"\n2,3\n",
         3, 1, "1|x\ny\xEF\xBF\xBD", 2, CSVIN_FAULT_UTF8, 1,
         "invalid UTF-8 at byte offset 13 (byte 0x80) on line 3"},
        /* two faults in one record: the first is named */
        {"\xEF\xBB\xBF"
         "a,b\n\x80,\0\n",
         2, 1, "\xEF\xBF\xBD|\xEF\xBF\xBD", 2, CSVIN_FAULT_UTF8, 0,
         "invalid UTF-8 at byte offset 7 (byte 0x80)"},
    };
    static const size_t chunks[] = {0, 1, 2, 3};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].in);
        if (i == 6)
            len += 2; /* the NUL and the LF after it */
        const char *path = fixture(cases[i].in, len);
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            struct csvin_opts o = CSVIN_OPTS_INIT;
            o.chunk_size = chunks[c];
            struct run r;
            run_path(&r, path, &o);
            cr_assert_eq(r.rc, CSVIN_OK, "case %zu chunk %zu: rc %d", i, chunks[c], r.rc);
            cr_assert_eq(r.d.n, 0, "case %zu", i);
            cr_assert_eq(r.got.n, cases[i].n_recs, "case %zu: %zu records", i, r.got.n);
            expect_fault(&r, cases[i].bad, cases[i].text, cases[i].line, cases[i].kind,
                         cases[i].field, cases[i].message);
            for (size_t k = 0; k < r.got.n; k++)
                cr_assert(k == cases[i].bad || r.got.v[k].fault.kind == 0, "case %zu rec %zu", i,
                          k);
            run_release(&r);
        }
    }
}

Test(csvin, valid_multibyte_utf8_passes)
{
    struct run r;
    run_bytes(&r, LIT("name,city\nJos\xC3\xA9,\xE2\x82\xAC\xF0\x9F\x98\x80 M\xC3\xBCnchen\n"),
              NULL);
    expect_ok(&r, 2);
    expect_rec(&r, 1, "Jos\xC3\xA9|\xE2\x82\xAC\xF0\x9F\x98\x80 M\xC3\xBCnchen", 2, 2, 2);
    run_release(&r);
}

Test(csvin, files_in_another_encoding_or_format_are_named_at_every_chunk_size)
{
    static const struct {
        const char *in;
        size_t len;
        const char *message;
    } cases[] = {
        {LIT("\xFF\xFE"
             "a\0,\0b\0\n\0"),
         "file is UTF-16LE (byte order mark FF FE); save it as UTF-8"},
        {LIT("\xFE\xFF\0a\0,\0b"), "file is UTF-16BE (byte order mark FE FF); save it as UTF-8"},
        {LIT("\xFF\xFE\0\0a\0\0\0\n\0\0\0"),
         "file is UTF-32LE (byte order mark FF FE 00 00); save it as UTF-8"},
        {LIT("\0\0\xFE\xFF\0\0\0a\0\0\0\n"),
         "file is UTF-32BE (byte order mark 00 00 FE FF); save it as UTF-8"},
        {LIT("a\0,\0b\0\n\0"), "file looks like UTF-16LE without a byte order mark (every other "
                               "byte is 0); save it as UTF-8"},
        {LIT("\0a\0,\0b\0\n"), "file looks like UTF-16BE without a byte order mark (every other "
                               "byte is 0); save it as UTF-8"},
        {LIT("PK\x03\x04\x14\0\x06\0"),
         "file is a ZIP archive (an .xlsx workbook?), not CSV; save it as CSV UTF-8"},
        {LIT("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0"),
         "file is an Excel 97-2003 workbook (.xls), not CSV; save it as CSV UTF-8"},
    };
    static const size_t chunks[] = {0, 1, 2, 3};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = fixture(cases[i].in, cases[i].len);
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            struct csvin_opts o = CSVIN_OPTS_INIT;
            o.chunk_size = chunks[c];
            struct run r;
            run_path(&r, path, &o);
            expect_error(&r, CSVIN_EENCODING, 0, cases[i].message);
            cr_assert_eq(r.got.n, 0, "case %zu", i);
            run_release(&r);
        }
    }
}

Test(csvin, a_nul_byte_rejects_its_record_and_the_rest_is_read)
{
    struct run r;
    /* "a,b\n" 0–3, "1," 4–5 */
    run_bytes(&r, LIT("a,b\n1,\0\n\0x,2\n3,4\n"), NULL);
    cr_assert_eq(r.rc, CSVIN_OK, "rc %d", r.rc);
    cr_assert_eq(r.d.n, 0);
    cr_assert_eq(r.got.n, 4);
    expect_fault(&r, 1, "1|\xEF\xBF\xBD", 2, CSVIN_FAULT_NUL, 1, "NUL byte at byte offset 6");
    expect_fault(&r, 2, "\xEF\xBF\xBDx|2", 3, CSVIN_FAULT_NUL, 0, "NUL byte at byte offset 8");
    expect_rec(&r, 3, "3|4", 2, 4, 4);
    cr_assert_eq(r.st.records, 3);
    cr_assert_eq(r.st.lines, 4);
    run_release(&r);
}

Test(csvin, a_byte_order_mark_inside_the_file_rejects_its_record)
{
    /* Two exports joined into one: the second's BOM is on its header line, which is a record of
     * the first. BOM 0–2, "a,b\n" 3–6, "1,2\n" 7–10, the second BOM at 11. */
    struct run r;
    run_bytes(&r,
              LIT("\xEF\xBB\xBF"
                  "a,b\n1,2\n\xEF\xBB\xBF"
                  "a,b\n3,4\n"),
              NULL);
    cr_assert_eq(r.rc, CSVIN_OK, "rc %d", r.rc);
    cr_assert_eq(r.got.n, 4);
    expect_rec(&r, 1, "1|2", 2, 2, 2);
    expect_fault(&r, 2,
                 "\xEF\xBF\xBD"
                 "a|b",
                 3, CSVIN_FAULT_BOM, 0,
                 "byte order mark U+FEFF at byte offset 11 (allowed only at the very start of "
                 "the file)");
    expect_rec(&r, 3, "3|4", 2, 4, 4);
    run_release(&r);
}

Test(csvin, faults_where_no_record_can_be_rejected_fail_the_file)
{
    static const struct {
        const char *in;
        size_t len;
        uint64_t line;
        const char *message;
        size_t delivered;
    } cases[] = {
        /* in the header */
        {LIT("a,\0b\n1,2\n"), 1, "NUL byte at byte offset 2", 0},
        {LIT("\n\na\0\n1\n"), 3, "NUL byte at byte offset 3", 0},
        {LIT("\xEF\xBB\xBF\xEF\xBB\xBF"
             "a\n1\n"),
         1, "byte order mark U+FEFF at byte offset 3 (allowed only at the very start of the file)",
         0},
        /* the record that starts a report footer: "a,b\n" 0–3, "1,2\n" 4–7, "\n" 8, "Total" 9–13 */
        {LIT("a,b\n1,2\n\nTotal\0\n"), 4, "NUL byte at byte offset 14", 2},
        /* a later footer line: "Total\n" 9–14, "x" 15 */
        {LIT("a,b\n1,2\n\nTotal\nx\0\n"), 5, "NUL byte at byte offset 16", 2},
    };
    static const size_t chunks[] = {0, 1, 2};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = fixture(cases[i].in, cases[i].len);
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            struct csvin_opts o = CSVIN_OPTS_INIT;
            o.chunk_size = chunks[c];
            struct run r;
            run_path(&r, path, &o);
            expect_error(&r, CSVIN_EENCODING, cases[i].line, cases[i].message);
            cr_assert_eq(r.got.n, cases[i].delivered, "case %zu chunk %zu: %zu records", i,
                         chunks[c], r.got.n);
            run_release(&r);
        }
    }
}

/* ---- files ------------------------------------------------------------------------------ */

Test(csvin, empty_file_is_reported)
{
    struct run r;
    run_bytes(&r, "", 0, NULL);
    expect_error(&r, CSVIN_EEMPTY, 0, "file is empty");
    cr_assert_eq(r.st.bytes, 0);
    cr_assert_eq(r.got.n, 0);
    run_release(&r);
}

Test(csvin, missing_file_or_directory_cannot_be_opened)
{
    char *missing = tmp_path("nope.csv");
    char want[512];
    struct run r;
    run_path(&r, missing, NULL);
    snprintf(want, sizeof want, "cannot open '%s': No such file or directory", missing);
    expect_error(&r, CSVIN_EMISSING, 0, want);
    run_release(&r);
    free(missing);

    run_path(&r, tmpdir, NULL);
    snprintf(want, sizeof want, "cannot open '%s': Is a directory", tmpdir);
    expect_error(&r, CSVIN_EMISSING, 0, want);
    run_release(&r);
}

/* ---- chunk boundaries ------------------------------------------------------------------- */

struct buf {
    char *p;
    size_t n, cap;
};

static void buf_add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void buf_add(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    cr_assert(k >= 0);
    while (b->n + (size_t)k + 1 > b->cap) {
        b->cap = b->cap ? 2 * b->cap : 4096;
        b->p = realloc(b->p, b->cap);
        cr_assert(b->p != NULL);
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

struct want {
    char text[96];
    uint64_t line, end_line;
};

/* A file mixing CRLF, LF and bare CR, quoted CRLF and CR, doubled quotes, 2- 3- and 4-byte
 * characters, kept spaces, blank lines and ",,," rows. Fills w (header first) and returns the
 * number of records; *lines and *blanks get the expected totals. */
static size_t generate(struct buf *b, struct want *w, size_t n, uint64_t *lines, uint64_t *blanks)
{
    uint64_t ln = 1;
    size_t k = 0;
    buf_add(b, "id,name,amount,note\r\n");
    w[k++] = (struct want){"id|name|amount|note", ln, ln};
    ln++;
    *blanks = 0;
    for (unsigned i = 0; i < n; i++) {
        switch (i % 7) {
        case 0:
            buf_add(b,
                    "L%05u,\xC3\x9Cn\xC3\xAF"
                    "c\xC3\xB6"
                    "d\xC3\xA9 \xE2\x82\xAC%u,12.50,plain\r\n",
                    i, i);
            snprintf(w[k].text, sizeof w[k].text,
                     "L%05u|\xC3\x9Cn\xC3\xAF"
                     "c\xC3\xB6"
                     "d\xC3\xA9 \xE2\x82\xAC%u|12.50|plain",
                     i, i);
            w[k].line = w[k].end_line = ln;
            k++;
            ln += 1;
            break;
        case 1:
            buf_add(b, "L%05u,\"multi\r\nline \xF0\x9F\x98\x80\",3,\"say \"\"hi\"\"\"\r\n", i);
            snprintf(w[k].text, sizeof w[k].text,
                     "L%05u|multi\r\nline \xF0\x9F\x98\x80|3|say \"hi\"", i);
            w[k].line = ln;
            w[k].end_line = ln + 1;
            k++;
            ln += 2;
            break;
        case 2:
            buf_add(b, "\r\nL%05u,\xC3\x9F,0,after blank\r\n", i);
            snprintf(w[k].text, sizeof w[k].text, "L%05u|\xC3\x9F|0|after blank", i);
            w[k].line = w[k].end_line = ln + 1;
            k++;
            ln += 2;
            (*blanks)++;
            break;
        case 3:
            buf_add(b, ",,,\r\nL%05u,x,1,y\r\n", i);
            snprintf(w[k].text, sizeof w[k].text, "L%05u|x|1|y", i);
            w[k].line = w[k].end_line = ln + 1;
            k++;
            ln += 2;
            (*blanks)++;
            break;
        case 4:
            buf_add(b, "L%05u, x ,\"\",\"a\"\"b, \"\n", i);
            snprintf(w[k].text, sizeof w[k].text, "L%05u| x ||a\"b, ", i);
            w[k].line = w[k].end_line = ln;
            k++;
            ln += 1;
            break;
        case 5:
            buf_add(b, "L%05u,,\"\"\"x\"\"\",\r", i);
            snprintf(w[k].text, sizeof w[k].text, "L%05u||\"x\"|", i);
            w[k].line = w[k].end_line = ln;
            k++;
            ln += 1;
            break;
        default:
            buf_add(b, "L%05u,\"a,b\rc\",2,z\r\n", i);
            snprintf(w[k].text, sizeof w[k].text, "L%05u|a,b\rc|2|z", i);
            w[k].line = ln;
            w[k].end_line = ln + 1;
            k++;
            ln += 2;
            break;
        }
    }
    *lines = ln - 1;
    return k;
}

static const size_t chunk_sizes[] = {0, 1, 2, 3, 7, 64, 4093};

Test(csvin, tiny_chunks_give_the_same_records_and_lines_as_the_default)
{
    enum { N = 1400 };
    struct buf b = {0};
    struct want *w = malloc((N + 1) * sizeof *w);
    cr_assert(w != NULL);
    uint64_t lines, blanks;
    size_t n_want = generate(&b, w, N, &lines, &blanks);
    const char *path = fixture(b.p, b.n);
    cr_assert_eq(n_want, N + 1);
    cr_assert_eq(blanks, 400); /* i % 7 == 2 or 3: 200 of each in 1400 */

    for (size_t c = 0; c < sizeof chunk_sizes / sizeof chunk_sizes[0]; c++) {
        struct csvin_opts o = CSVIN_OPTS_INIT;
        o.chunk_size = chunk_sizes[c];
        struct run r;
        run_path(&r, path, &o);
        expect_ok(&r, n_want);
        for (size_t i = 0; i < n_want; i++) {
            const struct got_rec *g = &r.got.v[i];
            cr_assert_str_eq(g->text, w[i].text, "chunk %zu, record %zu", chunk_sizes[c], i);
            cr_assert_eq(g->line, w[i].line, "chunk %zu, record %zu", chunk_sizes[c], i);
            cr_assert_eq(g->end_line, w[i].end_line, "chunk %zu, record %zu", chunk_sizes[c], i);
            cr_assert_eq(g->index, i);
            cr_assert_eq(g->n_fields, 4);
        }
        cr_assert_eq(r.st.lines, lines, "chunk %zu", chunk_sizes[c]);
        cr_assert_eq(r.st.blank_lines, blanks, "chunk %zu", chunk_sizes[c]);
        cr_assert_eq(r.st.bytes, b.n, "chunk %zu", chunk_sizes[c]);
        cr_assert_eq(r.st.delimiter, ',');
        run_release(&r);
    }
    free(w);
    free(b.p);
}

Test(csvin, faults_after_many_chunks_are_found_at_the_same_offset_and_line)
{
    /* generate()'s records hold valid multi-byte characters, so every fault here is a record's */
    enum { N = 300 };
    static const struct {
        const char *tail; /* appended after the generated records */
        size_t len;       /* its length when it holds a NUL, else 0 */
        size_t bad;       /* offset of the bad byte within the tail */
        int kind;
        uint32_t field;
        const char *what; /* message after "... byte offset N" */
    } cases[] = {
        /* a valid euro sign, then E2 82 cut short by a comma */
        {"L99999,\xE2\x82\xAC\xE2\x82,1,x\r\n", 0, 10, CSVIN_FAULT_UTF8, 1, " (byte 0xE2)"},
        {"L99999,x\xEF\xBB\xBF,1,x\r\n", 0, 8, CSVIN_FAULT_BOM, 1,
         " (allowed only at the very start of the file)"},
        {"L99999,\"x\r\n\xF0\x9F\x98\x80\xF0\x9F\x98\",1,x\r\n", 0, 15, CSVIN_FAULT_UTF8, 1,
         " (byte 0xF0)"},
        {"L99999,x,1,\0\r\n", 14, 11, CSVIN_FAULT_NUL, 3, ""},
    };
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        struct buf b = {0};
        struct want *w = malloc((N + 1) * sizeof *w);
        cr_assert(w != NULL);
        uint64_t lines, blanks;
        size_t n_want = generate(&b, w, N, &lines, &blanks);
        size_t base = b.n;
        size_t tail_len = cases[t].len ? cases[t].len : strlen(cases[t].tail);
        while (b.n + tail_len + 1 > b.cap) {
            b.cap *= 2;
            b.p = realloc(b.p, b.cap);
            cr_assert(b.p != NULL);
        }
        memcpy(b.p + b.n, cases[t].tail, tail_len);
        b.n += tail_len;
        const char *path = fixture(b.p, b.n);

        /* the bad byte is on the line after the generated ones, or the one after that when it
         * follows the quoted CRLF */
        uint64_t rec_line = lines + 1, bad_line = lines + 1 + (t == 2 ? 1 : 0);
        const char *kind = cases[t].kind == CSVIN_FAULT_BOM   ? "byte order mark U+FEFF"
                           : cases[t].kind == CSVIN_FAULT_NUL ? "NUL byte"
                                                              : "invalid UTF-8";
        char want[200];
        snprintf(want, sizeof want, "%s at byte offset %zu%s", kind, base + cases[t].bad,
                 cases[t].what);
        if (bad_line != rec_line)
            snprintf(want + strlen(want), sizeof want - strlen(want), " on line %llu",
                     (unsigned long long)bad_line);

        char *text0 = NULL;
        for (size_t c = 0; c < sizeof chunk_sizes / sizeof chunk_sizes[0]; c++) {
            struct csvin_opts o = CSVIN_OPTS_INIT;
            o.chunk_size = chunk_sizes[c];
            struct run r;
            run_path(&r, path, &o);
            cr_assert_eq(r.rc, CSVIN_OK, "tail %zu chunk %zu: rc %d", t, chunk_sizes[c], r.rc);
            cr_assert_eq(r.d.n, 0);
            cr_assert_eq(r.got.n, n_want + 1, "tail %zu chunk %zu", t, chunk_sizes[c]);
            const struct got_rec *g = &r.got.v[n_want];
            cr_assert_eq(g->fault.kind, cases[t].kind, "tail %zu chunk %zu", t, chunk_sizes[c]);
            cr_assert_eq(g->fault.offset, base + cases[t].bad, "tail %zu chunk %zu", t,
                         chunk_sizes[c]);
            cr_assert_eq(g->fault.line, bad_line, "tail %zu chunk %zu", t, chunk_sizes[c]);
            cr_assert_eq(g->fault.field, cases[t].field, "tail %zu chunk %zu", t, chunk_sizes[c]);
            cr_assert_eq(g->line, rec_line, "tail %zu chunk %zu", t, chunk_sizes[c]);
            cr_assert_str_eq(g->fault_text, want, "tail %zu chunk %zu", t, chunk_sizes[c]);
            cr_assert(strstr(g->text, "\xEF\xBF\xBD") != NULL, "tail %zu: %s", t, g->text);
            if (!text0)
                text0 = strdup(g->text);
            cr_assert_str_eq(g->text, text0, "tail %zu chunk %zu", t, chunk_sizes[c]);
            for (size_t k = 0; k < n_want; k++)
                cr_assert_eq(r.got.v[k].fault.kind, 0, "tail %zu record %zu", t, k);
            run_release(&r);
        }
        free(text0);
        free(w);
        free(b.p);
    }
}

Test(csvin, a_line_gives_the_same_result_whether_or_not_it_is_cut_into_pieces)
{
    /* Whole lines may be split without libcsv; lines cut by 1-byte chunks always go through it. */
    static const char *const cases[] = {
        "h,i\n\"a\"\"b\",c\n",  "h,i\n\" a \",b\n", "h,i\n\"\",\"\"\n",
        "h,i\n\"a\"b\n",        "h,i\n a\"b\n",     "h,i\n\"a\" \n",
        "h,i\n,,x,\n",          "h,i\n\"a,b\n",     "h,i\n\"x\"\r\nz\r\n",
        "h,i\n\"\"\"\",\n",     "h,i\n\"\"\"\n",    "h,i\n\"a\"\"\",\"\"\"b\"\n",
        "h,i\n\"a\",\n\n1,2\n", "h,i\n\"\" ,x\n",   "h,i\n\"x\",\"y\"\"\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = fixture(cases[i], strlen(cases[i]));
        struct csvin_opts whole = CSVIN_OPTS_INIT, cut = CSVIN_OPTS_INIT;
        cut.chunk_size = 1;
        struct run a, b;
        run_path(&a, path, &whole);
        run_path(&b, path, &cut);
        cr_assert_eq(a.rc, b.rc, "case %zu: rc %d vs %d", i, a.rc, b.rc);
        cr_assert_eq(a.got.n, b.got.n, "case %zu", i);
        for (size_t k = 0; k < a.got.n; k++) {
            cr_assert_str_eq(a.got.v[k].text, b.got.v[k].text, "case %zu record %zu", i, k);
            cr_assert_eq(a.got.v[k].n_fields, b.got.v[k].n_fields, "case %zu record %zu", i, k);
            cr_assert_eq(a.got.v[k].line, b.got.v[k].line, "case %zu record %zu", i, k);
        }
        cr_assert_eq(a.d.n, b.d.n, "case %zu", i);
        for (size_t k = 0; k < a.d.n; k++) {
            cr_assert_str_eq(a.d.v[k].message, b.d.v[k].message, "case %zu", i);
            cr_assert_eq(a.d.v[k].line, b.d.v[k].line, "case %zu", i);
        }
        cr_assert_eq(a.st.blank_lines, b.st.blank_lines, "case %zu", i);
        cr_assert_eq(a.st.lines, b.st.lines, "case %zu", i);
        run_release(&a);
        run_release(&b);
    }
}

Test(csvin, the_field_limit_gives_the_same_verdict_at_every_chunk_size)
{
    static const struct {
        const char *in;
        int rc;
        const char *message; /* NULL when rc is CSVIN_OK */
    } cases[] = {
        {"h\n\"abcd\"\n", CSVIN_OK, NULL},
        {"h\nabcd\n", CSVIN_OK, NULL},
        {"h\n\"ab\"\"\"\n", CSVIN_OK, NULL}, /* ab" */
        {"h\n\"abcde\"\n", CSVIN_EQUOTE,
         "unterminated quoted field starting at line 2 (no closing quote within 4 bytes)"},
        {"h\n\"a\nbcde\"\n", CSVIN_EQUOTE,
         "unterminated quoted field starting at line 2 (no closing quote within 4 bytes)"},
        {"h\nabcde\n", CSVIN_EQUOTE, "field longer than 4 bytes"},
        {"h\nabcdefgh,x\n", CSVIN_EQUOTE, "field longer than 4 bytes"},
    };
    static const size_t chunks[] = {0, 1, 2, 3};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = fixture(cases[i].in, strlen(cases[i].in));
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            struct csvin_opts o = CSVIN_OPTS_INIT;
            o.max_field_bytes = 4;
            o.chunk_size = chunks[c];
            struct run r;
            run_path(&r, path, &o);
            if (cases[i].message) {
                expect_error(&r, cases[i].rc, 2, cases[i].message);
                cr_assert_eq(r.got.n, 1, "case %zu chunk %zu", i, chunks[c]);
            } else {
                expect_ok(&r, 2);
            }
            run_release(&r);
        }
    }
}

Test(csvin, a_fault_right_after_a_closing_quote_is_text_after_it_at_every_chunk_size)
{
    /* The stray BOM after the closing quote is fed as U+FFFD, which is text after a closing
     * quote: the quoting error fails the file, whatever the chunk size. "h\n" is offsets 0-1. */
    static const char in[] = "h\n\"x\"\xEF\xBB\xBF\n";
    const char *path = fixture(LIT(in));
    static const size_t chunks[] = {0, 1, 2, 3, 5, 6};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        struct csvin_opts o = CSVIN_OPTS_INIT;
        o.chunk_size = chunks[c];
        struct run r;
        run_path(&r, path, &o);
        expect_error(&r, CSVIN_EQUOTE, 2,
                     "malformed quoting: text after a closing quote or a bare quote in an "
                     "unquoted field");
        cr_assert_eq(r.got.n, 1, "chunk %zu", chunks[c]);
        run_release(&r);
    }
}

/* ---- the pipeline ----------------------------------------------------------------------- */

/* Whether two runs saw exactly the same return code, records, stats and messages. */
static void expect_same(const struct run *a, const struct run *b, const char *what, size_t chunk,
                        size_t batch)
{
    cr_assert_eq(a->rc, b->rc, "%s, chunk %zu batch %zu: rc %d vs %d", what, chunk, batch, a->rc,
                 b->rc);
    cr_assert_eq(a->got.n, b->got.n, "%s, chunk %zu batch %zu: %zu vs %zu records", what, chunk,
                 batch, a->got.n, b->got.n);
    for (size_t k = 0; k < a->got.n; k++) {
        const struct got_rec *x = &a->got.v[k], *y = &b->got.v[k];
        cr_assert_str_eq(x->text, y->text, "%s, chunk %zu batch %zu, record %zu", what, chunk,
                         batch, k);
        cr_assert_eq(x->n_fields, y->n_fields, "%s, chunk %zu batch %zu, record %zu", what, chunk,
                     batch, k);
        cr_assert_eq(x->line, y->line, "%s, chunk %zu batch %zu, record %zu", what, chunk, batch,
                     k);
        cr_assert_eq(x->end_line, y->end_line, "%s, chunk %zu batch %zu, record %zu", what, chunk,
                     batch, k);
        cr_assert_eq(x->index, y->index, "%s, chunk %zu batch %zu, record %zu", what, chunk, batch,
                     k);
        cr_assert_eq(x->is_header, y->is_header, "%s, chunk %zu batch %zu, record %zu", what, chunk,
                     batch, k);
        cr_assert_eq(x->fault.kind, y->fault.kind, "%s, chunk %zu batch %zu, record %zu", what,
                     chunk, batch, k);
        cr_assert_str_eq(x->fault_text, y->fault_text, "%s, chunk %zu batch %zu, record %zu", what,
                         chunk, batch, k);
        cr_assert_eq(x->fault.field, y->fault.field, "%s, chunk %zu batch %zu, record %zu", what,
                     chunk, batch, k);
    }
    const struct csvin_stats *s = &a->st, *t = &b->st;
    cr_assert_eq(s->bytes, t->bytes, "%s, chunk %zu batch %zu: bytes %llu vs %llu", what, chunk,
                 batch, (unsigned long long)s->bytes, (unsigned long long)t->bytes);
    cr_assert_eq(s->lines, t->lines, "%s, chunk %zu batch %zu: lines %llu vs %llu", what, chunk,
                 batch, (unsigned long long)s->lines, (unsigned long long)t->lines);
    cr_assert_eq(s->records, t->records, "%s, chunk %zu batch %zu: records", what, chunk, batch);
    cr_assert_eq(s->blank_lines, t->blank_lines,
                 "%s, chunk %zu batch %zu: blank lines %llu vs %llu", what, chunk, batch,
                 (unsigned long long)s->blank_lines, (unsigned long long)t->blank_lines);
    cr_assert_eq(s->footer_lines, t->footer_lines, "%s, chunk %zu batch %zu: footer lines", what,
                 chunk, batch);
    cr_assert_eq(s->delimiter, t->delimiter, "%s, chunk %zu batch %zu: delimiter", what, chunk,
                 batch);
    cr_assert_eq(s->had_bom, t->had_bom, "%s, chunk %zu batch %zu: BOM", what, chunk, batch);
    cr_assert_eq(a->d.n, b->d.n, "%s, chunk %zu batch %zu: %zu vs %zu messages", what, chunk, batch,
                 a->d.n, b->d.n);
    cr_assert_eq(a->d.n_errors, b->d.n_errors, "%s, chunk %zu batch %zu", what, chunk, batch);
    cr_assert_eq(a->d.n_warnings, b->d.n_warnings, "%s, chunk %zu batch %zu", what, chunk, batch);
    for (size_t k = 0; k < a->d.n; k++) {
        const struct diag_entry *x = &a->d.v[k], *y = &b->d.v[k];
        cr_assert_eq(x->severity, y->severity, "%s, chunk %zu batch %zu, message %zu", what, chunk,
                     batch, k);
        cr_assert_str_eq(x->file, y->file, "%s, chunk %zu batch %zu, message %zu", what, chunk,
                         batch, k);
        cr_assert_eq(x->line, y->line, "%s, chunk %zu batch %zu, message %zu", what, chunk, batch,
                     k);
        cr_assert_eq(x->column, y->column, "%s, chunk %zu batch %zu, message %zu", what, chunk,
                     batch, k);
        cr_assert_str_eq(x->message, y->message, "%s, chunk %zu batch %zu, message %zu", what,
                         chunk, batch, k);
    }
}

static const size_t pipe_chunks[] = {0, 1, 3, 64};
static const size_t pipe_batches[] = {1, 7, 300};

/* Reads path on one thread and pipelined with small batches, at several chunk sizes, and
 * expects the same; the callback stops at its stop_at-th call and warns every warn_every
 * records. Returns the one-thread return code of the last run. */
static int compare_threads(const char *path, const char *what, size_t stop_at, size_t warn_every)
{
    int rc = CSVIN_OK;
    for (size_t c = 0; c < sizeof pipe_chunks / sizeof pipe_chunks[0]; c++) {
        struct csvin_opts one = CSVIN_OPTS_INIT;
        one.pipeline = false;
        one.chunk_size = pipe_chunks[c];
        struct run a;
        run_with(&a, path, &one, stop_at, warn_every);
        rc = a.rc;
        for (size_t k = 0; k < sizeof pipe_batches / sizeof pipe_batches[0]; k++) {
            struct csvin_opts two = one;
            two.pipeline = true;
            two.batch_bytes = pipe_batches[k];
            struct run b;
            run_with(&b, path, &two, stop_at, warn_every);
            expect_same(&a, &b, what, pipe_chunks[c], pipe_batches[k]);
            run_release(&b);
        }
        run_release(&a);
    }
    return rc;
}

/* generate()'s records, with `head` before and `tail` after them (tail_len bytes; NULs allowed). */
static const char *generated_fixture(size_t n, const char *head, const char *tail, size_t tail_len)
{
    struct buf b = {0};
    struct want *w = malloc((n + 1) * sizeof *w);
    cr_assert(w != NULL);
    uint64_t lines, blanks;
    buf_add(&b, "%s", head);
    generate(&b, w, n, &lines, &blanks);
    while (b.n + tail_len + 1 > b.cap) {
        b.cap *= 2;
        b.p = realloc(b.p, b.cap);
        cr_assert(b.p != NULL);
    }
    memcpy(b.p + b.n, tail, tail_len);
    b.n += tail_len;
    const char *path = fixture(b.p, b.n);
    free(w);
    free(b.p);
    return path;
}

Test(csvin, pipelined_reading_gives_what_one_thread_gives)
{
    static const struct {
        const char *what, *head, *tail;
        size_t tail_len; /* when the tail holds a NUL, else 0 */
        int rc;
    } cases[] = {
        {"plain", "", "", 0, CSVIN_OK},
        {"BOM", "\xEF\xBB\xBF", "", 0, CSVIN_OK},
        {"BOM and sep line", "\xEF\xBB\xBFsep=,\r\n", "L1,x,1,\"last\rline\"", 0, CSVIN_OK},
        {"footer", "", "\r\n\"Grand Totals\"\r\nfree \"text\r\n\r\nCopyright \xC2\xA9\n", 0,
         CSVIN_OK},
        {"last line ends in CR", "", "L1,x,1,y\r", 0, CSVIN_OK},
        {"blank lines at the end", "", "\r\n,,,\r\n\n", 0, CSVIN_OK},
        {"malformed quoting", "", "L1,\"x\"y,1,z\r\nL2,a,b,c\r\n", 0, CSVIN_EQUOTE},
        {"malformed on a later line", "", "L1,\"multi\r\nline\"x,1,z\r\n", 0, CSVIN_EQUOTE},
        {"unterminated quote", "", "L1,\"open\r\nL2,a,b,c\r\n", 0, CSVIN_EQUOTE},
        /* generate()'s records hold multi-byte characters: each fault is a record's */
        {"invalid UTF-8", "", "L1,caf\xE9,1,x\r\nL2,a,b,c\r\n", 0, CSVIN_OK},
        {"NUL byte", "", "L1,x,1,\0\r\nL2,a,b,c\r\n", 20, CSVIN_OK},
        {"stray BOM in quotes", "", "L1,\"a\r\n\xEF\xBB\xBF\",1,x\r\n", 0, CSVIN_OK},
        {"character cut by the end", "", "L1,\xE2\x82", 0, CSVIN_OK},
        {"faults in a row", "", "\0\r\n\0\r\n\xEF\xBB\xBF\r\n\x80,\0\r\n", 16, CSVIN_OK},
        {"NUL in the footer", "", "\r\nTotal\r\nx\0\r\n", 13, CSVIN_EENCODING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t tail_len = cases[i].tail_len ? cases[i].tail_len : strlen(cases[i].tail);
        const char *path = generated_fixture(120, cases[i].head, cases[i].tail, tail_len);
        int rc = compare_threads(path, cases[i].what, 0, 5);
        cr_assert_eq(rc, cases[i].rc, "%s: rc %d", cases[i].what, rc);
    }
}

Test(csvin, pipelined_reading_of_small_and_odd_files_gives_what_one_thread_gives)
{
    static const struct {
        const char *in;
        size_t len;
        int rc;
    } cases[] = {
        {"", 0, CSVIN_EEMPTY},
        {"\xEF\xBB\xBF", 3, CSVIN_ENOHEADER},
        {"\r\n,,\r\n", 6, CSVIN_ENOHEADER},
        {"sep=;", 5, CSVIN_ENOHEADER},
        {"a;b", 3, CSVIN_OK},
        {"a,b\r\n", 5, CSVIN_OK},
        {"a,b\r1,2\r\r3,\"x\ry\"\r4,5\r", 21, CSVIN_OK},
        {"\xFF\xFE"
         "a\0",
         4, CSVIN_EENCODING},
        {"PK\x03\x04zip", 7, CSVIN_EENCODING},
        {"\"a\"b\n1\n", 7, CSVIN_EQUOTE},
        {"a\n\"x\ny\nz\x92\"\n", 11, CSVIN_EENCODING},
        {"a,b\n1,2\n\n\"Total\nover two lines\"\nend\n", 36, CSVIN_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "case %zu", i);
        const char *path = fixture(cases[i].in, cases[i].len);
        int rc = compare_threads(path, what, 0, 1);
        cr_assert_eq(rc, cases[i].rc, "case %zu: rc %d", i, rc);
    }
}

Test(csvin, a_callback_stopping_the_pipeline_leaves_what_one_thread_leaves)
{
    /* 121 records (the header and 120), and an error after them the producer may read ahead to;
     * it must not be reported once the callback has stopped. */
    static const size_t stops[] = {1, 2, 3, 9, 10, 64, 120, 121, 122};
    const char *path = generated_fixture(120, "", "L1,\"x\"y,1,z\r\n", 13);
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "stop at %zu", stops[i]);
        int rc = compare_threads(path, what, stops[i], 4);
        cr_assert_eq(rc, stops[i] <= 121 ? CSVIN_ESTOPPED : CSVIN_EQUOTE, "%s: rc %d", what, rc);
    }
}

/* csvin_opts.peek: sees every data record once, in order and with its fields, before the
 * callback gets it, and never the header. */
struct peek_log {
    uint64_t peeked, delivered;
    uint64_t sums[128]; /* per data record: a sum over its field lengths and bytes */
};

static uint64_t peek_sum(const char *const *fields, const size_t *lens, size_t nf)
{
    uint64_t h = nf;
    for (size_t f = 0; f < nf; f++) {
        h = h * 31 + lens[f];
        for (size_t i = 0; i < lens[f]; i++)
            h = h * 131 + (unsigned char)fields[f][i];
    }
    return h;
}

static void peek_record(void *ctx, const char *data, const size_t *lens, size_t nf)
{
    struct peek_log *l = ctx;
    const char *fields[16];
    cr_assert(nf <= 16);
    for (size_t f = 0; f < nf; f++) {
        fields[f] = data;
        cr_assert_eq(data[lens[f]], '\0');
        data += lens[f] + 1;
    }
    cr_assert(l->peeked < sizeof l->sums / sizeof l->sums[0]);
    l->sums[l->peeked++] = peek_sum(fields, lens, nf);
}

static int peek_checked(void *ctx, const struct csvin_record *rec)
{
    struct peek_log *l = ctx;
    if (rec->is_header)
        return 0;
    cr_assert_eq(rec->index, ++l->delivered);
    cr_assert(l->peeked >= rec->index, "record %llu delivered before it was peeked at",
              (unsigned long long)rec->index);
    cr_assert_eq(l->sums[rec->index - 1], peek_sum(rec->fields, rec->lens, rec->n_fields));
    return 0;
}

Test(csvin, the_pipeline_peeks_at_each_data_record_before_the_callback_gets_it)
{
    const char *path = generated_fixture(120, "", "", 0);
    for (size_t k = 0; k < sizeof pipe_batches / sizeof pipe_batches[0]; k++) {
        struct csvin_opts o = CSVIN_OPTS_INIT;
        o.batch_bytes = pipe_batches[k];
        o.peek = peek_record;
        struct peek_log l = {0};
        o.peek_ctx = &l;
        struct csvin_stats st;
        int rc = csvin_read(path, NULL, &o, peek_checked, &l, &st, NULL);
        cr_assert_eq(rc, CSVIN_OK);
        cr_assert_eq(l.delivered, 120);
        cr_assert_eq(l.peeked, 120, "batch %zu: %llu peeked", pipe_batches[k],
                     (unsigned long long)l.peeked);
    }
}

/* Rewrites the file at path with bytes[0, len). */
static void rewrite(const char *path, const void *bytes, size_t len)
{
    FILE *fp = fopen(path, "wb");
    cr_assert(fp != NULL);
    cr_assert_eq(fwrite(bytes, 1, len, fp), len);
    cr_assert_eq(fclose(fp), 0);
}

Test(csvin, pipelined_reading_of_random_bytes_gives_what_one_thread_gives)
{
    /* Quotes, delimiters, every line ending, blanks, multi-byte and invalid UTF-8. */
    static const char *const atoms[] = {"a",  "bc", ",",    ",",    "\"",       "\"\"",
                                        "\n", "\r", "\r\n", " ",    "\xC3\xA9", "\xE2\x82\xAC",
                                        "x",  "1",  ",,",   "\n\n", "\"q,\r\"", "\x80"};
    static const size_t n_atoms = sizeof atoms / sizeof atoms[0];
    char *path = tmp_path("random.csv");
    cr_assert(n_made < sizeof made / sizeof made[0]);
    made[n_made++] = path;
    uint64_t seed = 0x9E3779B97F4A7C15u;
    char text[600];
    for (unsigned t = 0; t < 60; t++) {
        size_t len = 0;
        unsigned n = 20 + t * 3;
        for (unsigned k = 0; k < n; k++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            /* the invalid byte rarely, so that most inputs get far */
            size_t a = (size_t)(seed % (n_atoms * 8));
            const char *atom = a < n_atoms * 8 - 1 ? atoms[a % (n_atoms - 1)] : atoms[n_atoms - 1];
            size_t alen = strlen(atom);
            cr_assert(len + alen < sizeof text);
            memcpy(text + len, atom, alen);
            len += alen;
        }
        rewrite(path, text, len);
        char what[32];
        snprintf(what, sizeof what, "input %u", t);
        compare_threads(path, what, t % 5 == 4 ? t / 5 : 0, 2);
    }
}

/* A cheap callback for big files: a digest of everything delivered. */
struct digest {
    uint64_t hash, n;
    long threads; /* threads in the process during the first callback */
    pthread_t caller;
    size_t stop_at;
};

static int digest_record(void *ctx, const struct csvin_record *rec)
{
    struct digest *g = ctx;
    cr_assert(pthread_equal(pthread_self(), g->caller), "callback off the calling thread");
    if (g->n++ == 0)
        g->threads = count_threads();
    uint64_t h = g->hash ^ rec->line ^ (rec->end_line << 20) ^ (rec->index << 40) ^ rec->n_fields;
    for (size_t i = 0; i < rec->n_fields; i++) {
        for (size_t j = 0; j < rec->lens[i]; j++)
            h = (h ^ (unsigned char)rec->fields[i][j]) * 0x100000001B3u;
        h = (h ^ 0xFF) * 0x100000001B3u;
    }
    g->hash = h;
    return g->stop_at && g->n == g->stop_at ? -1 : 0;
}

static bool same_stats(const struct csvin_stats *s, const struct csvin_stats *t)
{
    return s->bytes == t->bytes && s->lines == t->lines && s->records == t->records &&
           s->blank_lines == t->blank_lines && s->footer_lines == t->footer_lines &&
           s->delimiter == t->delimiter && s->had_bom == t->had_bom;
}

static int digest_file(const char *path, const struct csvin_opts *o, size_t stop_at,
                       struct digest *g, struct csvin_stats *st)
{
    memset(g, 0, sizeof *g);
    g->caller = pthread_self();
    g->stop_at = stop_at;
    struct diag d;
    diag_init(&d);
    int rc = csvin_read(path, "t.csv", o, digest_record, g, st, &d);
    cr_assert_eq(d.n, 0, "%s", d.n ? d.v[0].message : "");
    diag_release(&d);
    return rc;
}

/* Whether this process may run on two CPUs at once; the reader decides the same way. */
static bool two_cpus(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) >= 2;
}

Test(csvin, files_of_4_mib_and_more_are_read_on_two_threads_by_default)
{
    /* 4.5 MB of simple records (a quoted multi-line one every 1000): over the threshold. */
    struct buf b = {0};
    buf_add(&b, "id,name,amount,note\n");
    for (unsigned i = 0; b.n < 4500000; i++) {
        if (i % 1000 == 999)
            buf_add(&b, "%u,\"name\r\n%u\",%u.%02u,\"a \"\"b\"\"\"\r\n", i, i, i % 977, i % 100);
        else
            buf_add(&b, "%u,name %u,%u.%02u,\n", i, i, i % 977, i % 100);
    }
    const char *big = fixture(b.p, b.n);
    size_t big_bytes = b.n;
    free(b.p);
    /* Ten records: the reading thread is still there, waiting for the ring, at the first. */
    const char *small = fixture(LIT("a,b\n1,2\n3,4\n5,6\n7,8\n9,0\n1,2\n3,4\n5,6\n7,8\n"));

    struct csvin_opts one = CSVIN_OPTS_INIT, dflt = CSVIN_OPTS_INIT;
    one.pipeline = false;
    struct digest x, y;
    struct csvin_stats s, t;
    cr_assert_eq(digest_file(big, &one, 0, &x, &s), CSVIN_OK);
    cr_assert_eq(digest_file(big, &dflt, 0, &y, &t), CSVIN_OK);
    cr_assert_eq(x.n, y.n);
    cr_assert_eq(x.hash, y.hash);
    cr_assert(same_stats(&s, &t), "stats differ");
    cr_assert_eq(s.bytes, big_bytes);
    if (x.threads > 0)
        cr_assert_eq(y.threads, x.threads + (two_cpus() ? 1 : 0), "%ld threads, one thread: %ld",
                     y.threads, x.threads);

    /* Stopping early on the big file, also right at the start. */
    static const size_t stops[] = {1, 2, 4097, 100000};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        cr_assert_eq(digest_file(big, &one, stops[i], &x, &s), CSVIN_ESTOPPED);
        cr_assert_eq(digest_file(big, &dflt, stops[i], &y, &t), CSVIN_ESTOPPED);
        cr_assert_eq(x.n, stops[i]);
        cr_assert_eq(y.n, stops[i]);
        cr_assert_eq(x.hash, y.hash);
        cr_assert(same_stats(&s, &t), "stop at %zu: stats differ", stops[i]);
    }

    /* A small file is read on one thread unless a batch size is forced. */
    cr_assert_eq(digest_file(small, &one, 0, &x, &s), CSVIN_OK);
    cr_assert_eq(digest_file(small, &dflt, 0, &y, &t), CSVIN_OK);
    struct csvin_opts forced = CSVIN_OPTS_INIT;
    forced.batch_bytes = 1;
    struct digest z;
    cr_assert_eq(digest_file(small, &forced, 0, &z, &t), CSVIN_OK);
    if (x.threads > 0) {
        cr_assert_eq(y.threads, x.threads);
        cr_assert_eq(z.threads, x.threads + 1);
    }
}
