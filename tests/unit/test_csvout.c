/* test_csvout.c — RFC 4180 quoting, CSV-injection neutralising, money and CRLF, read back. */
#include "csvout.h"

#include "diag.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixtures ----------------------------------------------------------------------------- */

static char tmpdir[64];
static char path[128];

static void setup(void)
{
    strcpy(tmpdir, "/tmp/test_csvout_XXXXXX");
    cr_assert(mkdtemp(tmpdir) != NULL, "mkdtemp failed");
    snprintf(path, sizeof path, "%s/out.csv", tmpdir);
}

static void teardown(void)
{
    unlink(path);
    rmdir(tmpdir);
}

TestSuite(csvout, .init = setup, .fini = teardown);

/* The whole file as a malloc'ed buffer; *len gets its size. */
static char *slurp(const char *p, size_t *len)
{
    FILE *fp = fopen(p, "rb");
    cr_assert(fp != NULL, "cannot open %s", p);
    char *buf = malloc(65536);
    cr_assert(buf != NULL);
    *len = fread(buf, 1, 65535, fp);
    buf[*len] = '\0';
    cr_assert_eq(fclose(fp), 0);
    return buf;
}

/* Shows bytes with CR, LF and TAB visible, for failure messages. */
static const char *visible(const char *s, size_t len)
{
    static char out[2][1024];
    static int which;
    char *o = out[which ^= 1];
    size_t k = 0;
    for (size_t i = 0; i < len && k + 5 < sizeof out[0]; i++) {
        if (s[i] == '\r')
            k += (size_t)sprintf(o + k, "\\r");
        else if (s[i] == '\n')
            k += (size_t)sprintf(o + k, "\\n");
        else if (s[i] == '\t')
            k += (size_t)sprintf(o + k, "\\t");
        else
            o[k++] = s[i];
    }
    o[k] = '\0';
    return o;
}

static void assert_file_is(const char *want, const char *what)
{
    size_t len;
    char *got = slurp(path, &len);
    cr_assert_eq(len, strlen(want), "%s: got '%s' want '%s'", what, visible(got, len),
                 visible(want, strlen(want)));
    cr_assert_eq(memcmp(got, want, len), 0, "%s: got '%s' want '%s'", what, visible(got, len),
                 visible(want, strlen(want)));
    free(got);
}

/* ---- text fields -------------------------------------------------------------------------- */

Test(csvout, text_fields_are_quoted_only_when_needed)
{
    static const struct {
        const char *in;
        const char *want; /* the file: this one field and CRLF */
    } cases[] = {
        {"plain", "plain\r\n"},
        {"two words", "two words\r\n"},
        {"", "\r\n"},
        {"a,b", "\"a,b\"\r\n"},
        {"say \"hi\"", "\"say \"\"hi\"\"\"\r\n"},
        {"\"", "\"\"\"\"\r\n"},
        {"line1\nline2", "\"line1\nline2\"\r\n"},
        {"cr\rhere", "\"cr\rhere\"\r\n"},
        {"semi;colon", "semi;colon\r\n"},
        {"caf\xC3\xA9", "caf\xC3\xA9\r\n"},
        {"trailing space ", "trailing space \r\n"},
        {"x=1", "x=1\r\n"}, /* only a leading = is dangerous */
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct csvout o;
        struct diag d = DIAG_INIT;
        cr_assert_eq(csvout_open(&o, path, &d), 0, "case %zu", i);
        csvout_text(&o, cases[i].in);
        csvout_end_row(&o);
        cr_assert_eq(csvout_close(&o, &d), 0, "case %zu", i);
        cr_assert_eq(d.n, 0);
        char what[64];
        snprintf(what, sizeof what, "case %zu '%s'", i, visible(cases[i].in, strlen(cases[i].in)));
        assert_file_is(cases[i].want, what);
        diag_release(&d);
    }
}

Test(csvout, control_characters_and_invalid_utf8_are_written_as_u_fffd)
{
    /* As in the workbooks (util.h out_text_char): TAB, LF and CR stay; the other C0 controls,
     * DEL, the C1 controls, U+FFFE/U+FFFF and bytes that are not UTF-8 become U+FFFD, and the
     * injection guard looks at what is written. */
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"a\x01"
         "b\x0B"
         "c\x1B[31m",
         "a\xEF\xBF\xBD"
         "b\xEF\xBF\xBD"
         "c\xEF\xBF\xBD[31m\r\n"},
        {"del\x7F", "del\xEF\xBF\xBD\r\n"},
        {"nel\xC2\x85"
         "x\xC2\x9F"
         "y\xC2\xA0",
         "nel\xEF\xBF\xBDx\xEF\xBF\xBDy\xC2\xA0\r\n"},
        {"\xEF\xBF\xBE\xEF\xBF\xBF\xEF\xBF\xBD", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\r\n"},
        {"bad\xFF"
         "byte\xC3",
         "bad\xEF\xBF\xBD"
         "byte\xEF\xBF\xBD\r\n"},
        {"tab\there", "tab\there\r\n"},
        {"\x01=1", "\xEF\xBF\xBD=1\r\n"},     /* the guard sees U+FFFD first: no formula */
        {"=\x01", "'=\xEF\xBF\xBD\r\n"},      /* still guarded */
        {"a,\x02", "\"a,\xEF\xBF\xBD\"\r\n"}, /* still quoted */
        {"_x0041_", "_x0041_\r\n"},           /* a CSV has no _xHHHH_ escapes */
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct csvout o;
        struct diag d = DIAG_INIT;
        cr_assert_eq(csvout_open(&o, path, &d), 0, "case %zu", i);
        csvout_text(&o, cases[i].in);
        csvout_end_row(&o);
        cr_assert_eq(csvout_close(&o, &d), 0, "case %zu", i);
        char what[96];
        snprintf(what, sizeof what, "case %zu '%s'", i, visible(cases[i].in, strlen(cases[i].in)));
        assert_file_is(cases[i].want, what);
        diag_release(&d);
    }
}

Test(csvout, text_starting_with_a_formula_character_gets_an_apostrophe)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"=1+2", "'=1+2\r\n"},
        {"+1", "'+1\r\n"},
        {"-1", "'-1\r\n"},
        {"@SUM(A1)", "'@SUM(A1)\r\n"},
        {"\tx", "'\tx\r\n"},
        /* A CR needs quoting too: the apostrophe goes inside the quotes. */
        {"\rx", "\"'\rx\"\r\n"},
        {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n"},
        {"=1,2", "\"'=1,2\"\r\n"},
        {"-\n", "\"'-\n\"\r\n"},
        {"a=1", "a=1\r\n"},
        {" =1", " =1\r\n"},
        {"'=1", "'=1\r\n"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct csvout o;
        struct diag d = DIAG_INIT;
        cr_assert_eq(csvout_open(&o, path, &d), 0, "case %zu", i);
        csvout_text(&o, cases[i].in);
        csvout_end_row(&o);
        cr_assert_eq(csvout_close(&o, &d), 0, "case %zu", i);
        char what[96];
        snprintf(what, sizeof what, "case %zu '%s'", i, visible(cases[i].in, strlen(cases[i].in)));
        assert_file_is(cases[i].want, what);
        diag_release(&d);
    }
}

/* ---- numbers ------------------------------------------------------------------------------ */

Test(csvout, money_is_written_bare_with_the_currency_decimals)
{
    static const struct {
        int64_t minor;
        int digits;
        const char *want;
    } cases[] = {
        {-123450, 2, "-1234.50\r\n"}, /* a negative number is not a formula */
        {123450, 2, "1234.50\r\n"},
        {5, 2, "0.05\r\n"},
        {-5, 2, "-0.05\r\n"},
        {0, 2, "0.00\r\n"},
        {1234, 0, "1234\r\n"}, /* JPY */
        {-1234, 0, "-1234\r\n"},
        {1234567, 3, "1234.567\r\n"}, /* KWD */
        {100000000, 2, "1000000.00\r\n"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct csvout o;
        struct diag d = DIAG_INIT;
        cr_assert_eq(csvout_open(&o, path, &d), 0);
        csvout_money(&o, cases[i].minor, cases[i].digits);
        csvout_end_row(&o);
        cr_assert_eq(csvout_close(&o, &d), 0);
        char what[64];
        snprintf(what, sizeof what, "case %zu (%lld, %d)", i, (long long)cases[i].minor,
                 cases[i].digits);
        assert_file_is(cases[i].want, what);
        diag_release(&d);
    }
}

Test(csvout, uint_is_written_bare)
{
    struct csvout o;
    struct diag d = DIAG_INIT;
    cr_assert_eq(csvout_open(&o, path, &d), 0);
    csvout_uint(&o, 0);
    csvout_uint(&o, 42);
    csvout_uint(&o, UINT64_MAX);
    csvout_end_row(&o);
    cr_assert_eq(csvout_close(&o, &d), 0);
    assert_file_is("0,42,18446744073709551615\r\n", "uints");
    diag_release(&d);
}

/* ---- whole files -------------------------------------------------------------------------- */

Test(csvout, rows_are_comma_separated_and_end_in_crlf)
{
    struct csvout o;
    struct diag d = DIAG_INIT;
    cr_assert_eq(csvout_open(&o, path, &d), 0);
    csvout_text(&o, "person");
    csvout_text(&o, "amount");
    csvout_text(&o, "currency");
    csvout_text(&o, "period");
    csvout_end_row(&o);
    csvout_text(&o, "Doe, Jane");
    csvout_money(&o, -123450, 2);
    csvout_text(&o, "USD");
    csvout_text(&o, "2026-11");
    csvout_end_row(&o);
    csvout_text(&o, "=cmd|' /C calc'!A0");
    csvout_money(&o, 1500, 0);
    csvout_text(&o, NULL);
    csvout_text(&o, "");
    csvout_end_row(&o);
    csvout_uint(&o, 7);
    csvout_end_row(&o);
    cr_assert_eq(csvout_close(&o, &d), 0);
    cr_assert_eq(d.n, 0);
    assert_file_is("person,amount,currency,period\r\n"
                   "\"Doe, Jane\",-1234.50,USD,2026-11\r\n"
                   "'=cmd|' /C calc'!A0,1500,,\r\n"
                   "7\r\n",
                   "payroll-like file");
    diag_release(&d);
}

Test(csvout, open_in_a_missing_folder_is_an_error_naming_the_path)
{
    struct csvout o;
    struct diag d = DIAG_INIT;
    char bad[192];
    snprintf(bad, sizeof bad, "%s/no/such/dir/out.csv", tmpdir);
    cr_assert_eq(csvout_open(&o, bad, &d), -1);
    cr_assert_eq(d.n_errors, 1);
    cr_assert(strstr(d.v[0].message, bad) != NULL, "%s", d.v[0].message);
    diag_release(&d);
}

Test(csvout, a_write_failure_is_reported_by_close)
{
    struct csvout o;
    struct diag d = DIAG_INIT;
    cr_assert_eq(csvout_open(&o, "/dev/full", &d), 0);
    for (int i = 0; i < 100; i++) {
        csvout_text(&o, "some text that fills the stdio buffer");
        csvout_end_row(&o);
    }
    int err = csvout_close(&o, &d);
    cr_assert_eq(err, ENOSPC, "close returned %d", err);
    cr_assert_eq(d.n_errors, 1);
    cr_assert(strstr(d.v[0].message, "/dev/full") != NULL, "%s", d.v[0].message);
    cr_assert_eq(csvout_close(&o, &d), 0, "a second close is a no-op");
    diag_release(&d);
}

Test(csvout, over_the_file_size_limit_close_says_so)
{
    signal(SIGXFSZ, SIG_IGN); /* as publish_install_signals does */
    struct rlimit lim = {4096, 4096};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    struct csvout o;
    struct diag d = DIAG_INIT;
    cr_assert_eq(csvout_open(&o, path, &d), 0);
    for (int i = 0; i < 400; i++) {
        csvout_text(&o, "some text that fills more than the file size limit");
        csvout_end_row(&o);
    }
    cr_assert_eq(csvout_close(&o, &d), EFBIG);
    cr_assert_eq(d.n_errors, 1);
    char want[256];
    snprintf(want, sizeof want,
             "cannot write '%s': File too large (over the file size limit, ulimit -f)", path);
    cr_assert_str_eq(d.v[0].message, want);
    diag_release(&d);
}
