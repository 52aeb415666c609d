/* test_config.c — INI loading with line numbers, --set, typed getters, unused keys; settings;
 * plans. */
#include "config.h"

#include "date.h"
#include "money.h"
#include "plan.h"
#include "schema.h"
#include "settings.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixtures: INI files in a fresh temporary directory -------------------------------- */

static char tmpdir[64];

static void setup(void)
{
    strcpy(tmpdir, "/tmp/test_config_XXXXXX");
    cr_assert(mkdtemp(tmpdir) != NULL, "mkdtemp failed");
}

static void teardown(void)
{
    DIR *dir = opendir(tmpdir);
    if (dir) {
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char p[512];
            snprintf(p, sizeof p, "%s/%s", tmpdir, de->d_name);
            unlink(p);
        }
        closedir(dir);
    }
    rmdir(tmpdir);
}

TestSuite(config, .init = setup, .fini = teardown);
TestSuite(settings, .init = setup, .fini = teardown);
TestSuite(plan, .init = setup, .fini = teardown);

/* Writes `len` bytes to tmpdir/name; returns the path in a static buffer. */
static const char *write_bytes(const char *name, const char *bytes, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "wb");
    cr_assert(fp != NULL, "cannot create %s", path);
    cr_assert_eq(fwrite(bytes, 1, len, fp), len);
    cr_assert_eq(fclose(fp), 0);
    return path;
}

static const char *write_ini(const char *name, const char *text)
{
    return write_bytes(name, text, strlen(text));
}

struct loaded {
    struct config c;
    struct diag d;
    int rc;
};

/* Loads `text` as tmpdir/s.ini. */
static void load(struct loaded *l, const char *text)
{
    config_init(&l->c);
    diag_init(&l->d);
    l->rc = config_load(&l->c, write_ini("s.ini", text), &l->d);
}

static void unload(struct loaded *l)
{
    config_release(&l->c);
    diag_release(&l->d);
}

/* All diagnostics on one line, for failure messages. */
static const char *dump(const struct diag *d)
{
    static char buf[4096];
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n && o < sizeof buf; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "[%s:%llu: %s] ",
                              d->v[i].file ? d->v[i].file : "(null)",
                              (unsigned long long)d->v[i].line, d->v[i].message);
    return buf;
}

/* The first error whose message contains `needle`, or NULL. */
static const struct diag_entry *find_error(const struct diag *d, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].severity == DIAG_ERROR && strstr(d->v[i].message, needle))
            return &d->v[i];
    return NULL;
}

/* The first error reported on `line`, or NULL. */
static const struct diag_entry *error_at_line(const struct diag *d, uint64_t line)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].severity == DIAG_ERROR && d->v[i].line == line)
            return &d->v[i];
    return NULL;
}

static const struct cfg_entry *find_in_force(const struct config *c, const char *sec,
                                             const char *key)
{
    for (size_t i = 0; i < c->n_in_force; i++)
        if (strcmp(c->in_force[i].section, sec) == 0 && strcmp(c->in_force[i].key, key) == 0)
            return &c->in_force[i];
    return NULL;
}

static bool dec_eq(struct decimal a, int64_t units, int scale)
{
    return decimal_cmp(a, (struct decimal){units, scale}) == 0;
}

/* ---- config_load -------------------------------------------------------------------------- */

Test(config, clean_load_gives_values_lower_cased_names_and_line_numbers)
{
    struct loaded l;
    load(&l, "; sametable test\n"        /* 1 */
             "[run]\n"                   /* 2 */
             "currency = EUR ; note\n"   /* 3 */
             "\n"                        /* 4 */
             "[Attribution]\n"           /* 5 */
             "Lookback_Days = 60\n"      /* 6 */
             "# a hash comment\n"        /* 7 */
             "models   =   linear  \n"); /* 8 */
    cr_assert_eq(l.rc, 0, "load failed: %s", dump(&l.d));
    cr_assert_eq(l.d.n, 0, "unexpected diagnostics: %s", dump(&l.d));
    cr_assert_str_eq(l.c.display, "s.ini");
    cr_assert_str_eq(l.c.dir, tmpdir);

    cr_assert_eq(l.c.n_sections, 2);
    cr_assert_str_eq(l.c.sections[0].name, "run");
    cr_assert_eq(l.c.sections[0].line, 2);
    cr_assert_str_eq(l.c.sections[1].name, "attribution");
    cr_assert_eq(l.c.sections[1].line, 5);

    cr_assert_eq(l.c.n_entries, 3);
    struct cfg_entry *e = config_find(&l.c, "run", "currency");
    cr_assert(e != NULL);
    cr_assert_str_eq(e->value, "EUR", "the inline comment must be stripped");
    cr_assert_eq(e->line, 3);
    cr_assert_eq(e->source, CFG_FILE);
    e = config_find(&l.c, "attribution", "lookback_days");
    cr_assert(e != NULL, "section and key names are lower-cased");
    cr_assert_str_eq(e->value, "60");
    cr_assert_eq(e->line, 6);
    e = config_find(&l.c, "attribution", "models");
    cr_assert(e != NULL);
    cr_assert_str_eq(e->value, "linear");
    cr_assert_eq(e->line, 8);
    cr_assert_null(config_find(&l.c, "attribution", "nope"));
    cr_assert_null(config_find(&l.c, "nope", "models"));
    unload(&l);
}

Test(config, quoted_values_come_back_unquoted)
{
    struct loaded l;
    load(&l, "[format.deals]\n"
             "delimiter = \";\"\n"
             "thousands = \"'\"\n"
             "[output]\n"
             "company = \"Acme; Inc # 1\"\n");
    cr_assert_eq(l.rc, 0, "load failed: %s", dump(&l.d));
    struct cfg_entry *e = config_find(&l.c, "format.deals", "delimiter");
    cr_assert(e != NULL);
    cr_assert_str_eq(e->value, ";");
    e = config_find(&l.c, "format.deals", "thousands");
    cr_assert(e != NULL);
    cr_assert_str_eq(e->value, "'");
    e = config_find(&l.c, "output", "company");
    cr_assert(e != NULL);
    cr_assert_str_eq(e->value, "Acme; Inc # 1");
    unload(&l);
}

Test(config, missing_file_is_an_error_naming_the_path)
{
    struct config c;
    struct diag d;
    config_init(&c);
    diag_init(&d);
    char path[512];
    snprintf(path, sizeof path, "%s/absent.ini", tmpdir);
    cr_assert_eq(config_load(&c, path, &d), -1);
    cr_assert_eq(d.n_errors, 1);
    cr_assert(strstr(d.v[0].message, "absent.ini") != NULL, "message: %s", d.v[0].message);
    config_release(&c);
    diag_release(&d);
}

Test(config, duplicate_section_is_an_error_naming_both_lines)
{
    struct loaded l;
    load(&l, "[run]\n"             /* 1 */
             "currency = EUR\n"    /* 2 */
             "[attribution]\n"     /* 3 */
             "lookback_days = 1\n" /* 4 */
             "[Run]\n"             /* 5 */
             "timezone = UTC\n");  /* 6 */
    cr_assert_eq(l.rc, -1);
    const struct diag_entry *e = find_error(&l.d, "duplicate section");
    cr_assert(e != NULL, "diagnostics: %s", dump(&l.d));
    cr_assert_str_eq(e->file, "s.ini");
    cr_assert_eq(e->line, 5);
    cr_assert(strstr(e->message, "[run]") != NULL, "message: %s", e->message);
    cr_assert(strstr(e->message, "first at line 1") != NULL, "message: %s", e->message);
    unload(&l);
}

/* BUG: after a duplicate section header the pre-scan forgets the current section, so every key
 * under the repeated header is also reported as "key outside any section" — one problem, several
 * misleading lines (here line 6 "timezone = UTC", which is plainly inside [Run]). */
Test(config, duplicate_section_is_reported_once_not_once_per_following_key)
{
    struct loaded l;
    load(&l, "[run]\n"
             "currency = EUR\n"
             "[run]\n"
             "timezone = UTC\n"
             "as_of = 2026-11-30\n");
    /* Copy what is checked and release first, so a failure does not also leak. */
    int rc = l.rc;
    size_t n_errors = l.d.n_errors;
    char got[1024];
    snprintf(got, sizeof got, "%s", dump(&l.d));
    unload(&l);
    cr_assert_eq(rc, -1);
    cr_assert_eq(n_errors, 1, "expected only the duplicate-section error, got: %s", got);
}

Test(config, duplicate_key_is_an_error_naming_both_lines)
{
    struct loaded l;
    load(&l, "[run]\n"            /* 1 */
             "currency = EUR\n"   /* 2 */
             "timezone = UTC\n"   /* 3 */
             "Currency = USD\n"); /* 4: names are case-folded, so this repeats line 2 */
    cr_assert_eq(l.rc, -1);
    const struct diag_entry *e = find_error(&l.d, "duplicate key");
    cr_assert(e != NULL, "diagnostics: %s", dump(&l.d));
    cr_assert_str_eq(e->file, "s.ini");
    cr_assert_eq(e->line, 4);
    cr_assert(strstr(e->message, "currency") != NULL, "message: %s", e->message);
    cr_assert(strstr(e->message, "[run]") != NULL, "message: %s", e->message);
    cr_assert(strstr(e->message, "first at line 2") != NULL, "message: %s", e->message);
    unload(&l);
}

Test(config, section_header_with_a_trailing_comment_is_an_error_on_its_line)
{
    static const char *const headers[] = {"[run] ; the run", "[run]# the run", "[run] x"};
    for (size_t i = 0; i < N_ELEMS(headers); i++) {
        char text[256];
        snprintf(text, sizeof text, "; header\n\n%s\ncurrency = EUR\n", headers[i]);
        struct loaded l;
        load(&l, text);
        cr_assert_eq(l.rc, -1, "case '%s' loaded", headers[i]);
        const struct diag_entry *e = error_at_line(&l.d, 3);
        cr_assert(e != NULL, "case '%s': no error on line 3: %s", headers[i], dump(&l.d));
        cr_assert_str_eq(e->file, "s.ini", "case '%s'", headers[i]);
        unload(&l);
    }
}

Test(config, line_over_1023_characters_is_an_error_naming_its_line)
{
    static const size_t lengths[] = {1024, 1025, 4000};
    for (size_t i = 0; i < N_ELEMS(lengths); i++) {
        size_t n = lengths[i];
        char *text = malloc(n + 64);
        cr_assert(text != NULL);
        size_t o = (size_t)sprintf(text, "[output]\ndir = out\ncompany = ");
        size_t start = strlen("[output]\ndir = out\n");
        while (o - start < n)
            text[o++] = 'x';
        o += (size_t)sprintf(text + o, "\n");
        text[o] = '\0';
        struct loaded l;
        load(&l, text);
        cr_assert_eq(l.rc, -1, "a %zu-character line loaded", n);
        const struct diag_entry *e = error_at_line(&l.d, 3);
        cr_assert(e != NULL, "length %zu: no error on line 3: %s", n, dump(&l.d));
        cr_assert_str_eq(e->file, "s.ini");
        unload(&l);
        free(text);
    }
}

/* BUG: iniparser 4.1 reads lines with fgets(buf, 1024), so a line of 1023 characters plus its
 * newline (or 1022 plus CRLF) already fails the whole file, while the pre-scan only stops lines
 * over 1023 characters and does not count the CR. Such a file ends in "iniparser could not parse
 * the file" with line 0 instead of an error naming the line (config.h: the pre-scan "reports what
 * iniparser would silently accept (... over-long lines ...)"). Expected for every length: either
 * the value loads intact, or every error names line 2. */
Test(config, a_long_line_either_loads_or_is_named_by_its_line)
{
    static const size_t lengths[] = {1020, 1021, 1022, 1023, 1024};
    char failures[2048] = ""; /* collected, so every case is released before asserting */
    size_t nf = 0;
    for (size_t i = 0; i < N_ELEMS(lengths); i++) {
        for (int crlf = 0; crlf < 2; crlf++) {
            size_t n = lengths[i];
            char *text = malloc(n + 64);
            cr_assert(text != NULL);
            const char *nl = crlf ? "\r\n" : "\n";
            size_t o = (size_t)sprintf(text, "[output]%scompany = ", nl);
            size_t start = strlen("[output]") + strlen(nl);
            while (o - start < n)
                text[o++] = 'x';
            o += (size_t)sprintf(text + o, "%sdir = out%s", nl, nl);
            text[o] = '\0';
            struct loaded l;
            load(&l, text);
            bool ok = true;
            if (l.rc == 0) {
                struct cfg_entry *e = config_find(&l.c, "output", "company");
                ok = e != NULL && strlen(e->value) == n - strlen("company = ");
            } else {
                ok = l.d.n_errors > 0;
                for (size_t k = 0; k < l.d.n; k++)
                    ok = ok && l.d.v[k].line == 2;
            }
            if (!ok && nf < sizeof failures)
                nf += (size_t)snprintf(failures + nf, sizeof failures - nf,
                                       "{length %zu%s: rc %d, %s} ", n, crlf ? " CRLF" : "", l.rc,
                                       l.rc ? dump(&l.d) : "value cut");
            unload(&l);
            free(text);
        }
    }
    cr_assert_eq(nf, 0, "a line-length failure must name line 2: %s", failures);
}

Test(config, key_outside_any_section_is_an_error_on_its_line)
{
    struct loaded l;
    load(&l, "; top\n"
             "timezone = UTC\n"
             "[run]\n"
             "currency = EUR\n");
    cr_assert_eq(l.rc, -1);
    const struct diag_entry *e = find_error(&l.d, "key outside any section");
    cr_assert(e != NULL, "diagnostics: %s", dump(&l.d));
    cr_assert_str_eq(e->file, "s.ini");
    cr_assert_eq(e->line, 2);
    unload(&l);
}

Test(config, key_names_with_a_dot_at_sign_or_colon_are_errors_in_the_file)
{
    static const char *const keys[] = {"a.b", "rate@2026", "run:currency"};
    for (size_t i = 0; i < N_ELEMS(keys); i++) {
        char text[256];
        snprintf(text, sizeof text, "[run]\ncurrency = EUR\n%s = 1\n", keys[i]);
        struct loaded l;
        load(&l, text);
        cr_assert_eq(l.rc, -1, "key '%s' accepted", keys[i]);
        cr_assert(error_at_line(&l.d, 3) != NULL, "key '%s': no error on line 3: %s", keys[i],
                  dump(&l.d));
        unload(&l);
    }
}

Test(config, other_syntax_errors_name_their_line)
{
    static const struct {
        const char *line;
        size_t len;
    } cases[] = {
        {"[run", 4},             /* no ']' */
        {"[]", 2},               /* empty section name */
        {"[run:x]", 7},          /* ':' is iniparser's separator */
        {"just some words", 15}, /* neither key = value nor [section] */
        {"= 1", 3},              /* no key */
        {"a\0b = 1", 7},         /* a NUL byte */
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char text[128];
        size_t o = (size_t)sprintf(text, "[output]\n");
        memcpy(text + o, cases[i].line, cases[i].len);
        o += cases[i].len;
        o += (size_t)sprintf(text + o, "\ndir = out\n");
        struct config c;
        struct diag d;
        config_init(&c);
        diag_init(&d);
        int rc = config_load(&c, write_bytes("s.ini", text, o), &d);
        cr_assert_eq(rc, -1, "case %zu accepted", i);
        cr_assert(error_at_line(&d, 2) != NULL, "case %zu: no error on line 2: %s", i, dump(&d));
        config_release(&c);
        diag_release(&d);
    }
}

/* ---- config_set --------------------------------------------------------------------------- */

Test(config, set_overrides_a_file_value)
{
    struct loaded l;
    load(&l, "[attribution]\nlookback_days = 60\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    size_t before = l.c.n_entries;
    cr_assert_eq(config_set(&l.c, "attribution.lookback_days=30", &l.d), 0, "%s", dump(&l.d));
    cr_assert_eq(l.c.n_entries, before, "an override must not add a second entry");
    struct cfg_entry *e = config_find(&l.c, "attribution", "lookback_days");
    cr_assert(e != NULL);
    cr_assert_str_eq(e->value, "30");
    cr_assert_eq(e->source, CFG_SET);
    int64_t v = -1;
    cr_assert_eq(config_get_int(&l.c, "attribution", "lookback_days", 90, 0, 3650, &v, &l.d), 0);
    cr_assert_eq(v, 30);
    unload(&l);
}

Test(config, set_adds_a_key_in_a_missing_section)
{
    struct loaded l;
    load(&l, "[run]\ncurrency = EUR\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    cr_assert_eq(config_set(&l.c, "output.company=Acme", &l.d), 0, "%s", dump(&l.d));
    cr_assert(config_has_section(&l.c, "output"));
    struct cfg_entry *e = config_find(&l.c, "output", "company");
    cr_assert(e != NULL);
    cr_assert_str_eq(e->value, "Acme");
    cr_assert_eq(e->source, CFG_SET);
    cr_assert_eq(e->line, 0);
    unload(&l);
}

Test(config, set_splits_at_the_last_dot_before_the_equals_sign)
{
    static const struct {
        const char *in, *section, *key, *value;
    } cases[] = {
        {"plan.ae.commission.rate=4.5%", "plan.ae.commission", "rate", "4.5%"},
        {"output.dir=a.b/c.d", "output", "dir", "a.b/c.d"},
        {"Run.TimeZone=Europe/Berlin", "run", "timezone", "Europe/Berlin"},
        {"output.company=A=B", "output", "company", "A=B"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct config c;
        struct diag d;
        config_init(&c);
        diag_init(&d);
        cr_assert_eq(config_set(&c, cases[i].in, &d), 0, "case '%s': %s", cases[i].in, dump(&d));
        cr_assert_eq(c.n_entries, 1, "case '%s'", cases[i].in);
        cr_assert_str_eq(c.entries[0].section, cases[i].section, "case '%s'", cases[i].in);
        cr_assert_str_eq(c.entries[0].key, cases[i].key, "case '%s'", cases[i].in);
        cr_assert_str_eq(c.entries[0].value, cases[i].value, "case '%s'", cases[i].in);
        config_release(&c);
        diag_release(&d);
    }
}

Test(config, set_rejects_malformed_assignments)
{
    static const char *const cases[] = {
        "nodot=1", "a.=1", ".k=1", "run.as@of=1", "run.a:b=1", "run.key", "=1", "a.b.=1", "",
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct config c;
        struct diag d;
        config_init(&c);
        diag_init(&d);
        cr_assert_eq(config_set(&c, cases[i], &d), -1, "case '%s' accepted", cases[i]);
        cr_assert_eq(d.n_errors, 1, "case '%s': %s", cases[i], dump(&d));
        cr_assert_eq(c.n_entries, 0, "case '%s' added an entry", cases[i]);
        cr_assert(strstr(d.v[0].message, cases[i]) != NULL, "case '%s': message '%s'", cases[i],
                  d.v[0].message);
        config_release(&c);
        diag_release(&d);
    }
}

/* ---- typed getters ------------------------------------------------------------------------ */

struct int_case {
    const char *raw; /* the text after "key = " in the INI */
    bool ok;
    int64_t value;
};

Test(config, get_int_accepts_whole_numbers_in_range_and_rejects_the_rest)
{
    static const struct int_case cases[] = {
        {"0", true, 0},        {"3650", true, 3650}, {"60", true, 60},
        {"-1", false, 0},      {"3651", false, 0},   {"12abc", false, 0},
        {"\" 12\"", false, 0}, /* the quotes keep the space */
        {"\"12 \"", false, 0}, {"", false, 0},       {"\"\"", false, 0},
        {"12.0", false, 0},    {"1e3", false, 0},    {"0x10", false, 0},
        {"--1", false, 0},     {"-", false, 0},      {"99999999999999999999", false, 0},
    };
    char text[2048] = "[attribution]\n";
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        size_t o = strlen(text);
        snprintf(text + o, sizeof text - o, "k%zu = %s\n", i, cases[i].raw);
    }
    struct loaded l;
    load(&l, text);
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char key[16];
        snprintf(key, sizeof key, "k%zu", i);
        size_t errors_before = l.d.n_errors;
        int64_t v = -7;
        int rc = config_get_int(&l.c, "attribution", key, 90, 0, 3650, &v, &l.d);
        if (cases[i].ok) {
            cr_assert_eq(rc, 0, "case '%s': %s", cases[i].raw, dump(&l.d));
            cr_assert_eq(v, cases[i].value, "case '%s'", cases[i].raw);
            cr_assert_eq(l.d.n_errors, errors_before, "case '%s'", cases[i].raw);
        } else {
            cr_assert_eq(rc, -1, "case '%s' accepted as %lld", cases[i].raw, (long long)v);
            cr_assert_eq(v, 90, "case '%s': *out must stay at the default", cases[i].raw);
            cr_assert_eq(l.d.n_errors, errors_before + 1, "case '%s'", cases[i].raw);
            const struct diag_entry *e = &l.d.v[l.d.n - 1];
            cr_assert_str_eq(e->file, "s.ini", "case '%s'", cases[i].raw);
            cr_assert_eq(e->line, i + 2, "case '%s': line %llu", cases[i].raw,
                         (unsigned long long)e->line);
            cr_assert(strstr(e->message, key) != NULL, "case '%s': %s", cases[i].raw, e->message);
            cr_assert(strstr(e->message, "[attribution]") != NULL, "case '%s': %s", cases[i].raw,
                      e->message);
        }
    }
    unload(&l);
}

Test(config, get_int_gives_the_default_for_a_missing_key)
{
    struct loaded l;
    load(&l, "[attribution]\nmodels = linear\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    int64_t v = -1;
    cr_assert_eq(config_get_int(&l.c, "attribution", "lookback_days", 90, 0, 3650, &v, &l.d), 0);
    cr_assert_eq(v, 90);
    cr_assert_eq(l.d.n, 0);
    unload(&l);
}

Test(config, get_enum_is_case_insensitive_and_names_a_bad_value)
{
    static const char *const names[] = {"marginal", "full_value", "interpolated"};
    struct loaded l;
    load(&l, "[plan.ae.commission]\n" /* 1 */
             "a = Full_Value\n"       /* 2 */
             "b = INTERPOLATED\n"     /* 3 */
             "c = marginal\n"         /* 4 */
             "d = linear\n");         /* 5 */
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    const char *sec = "plan.ae.commission";
    size_t v = 99;
    cr_assert_eq(config_get_enum(&l.c, sec, "a", names, 3, 0, &v, &l.d), 0);
    cr_assert_eq(v, 1);
    cr_assert_eq(config_get_enum(&l.c, sec, "b", names, 3, 0, &v, &l.d), 0);
    cr_assert_eq(v, 2);
    cr_assert_eq(config_get_enum(&l.c, sec, "c", names, 3, 2, &v, &l.d), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(config_get_enum(&l.c, sec, "missing", names, 3, 2, &v, &l.d), 0);
    cr_assert_eq(v, 2);
    cr_assert_eq(l.d.n, 0, "%s", dump(&l.d));
    cr_assert_eq(config_get_enum(&l.c, sec, "d", names, 3, 1, &v, &l.d), -1);
    cr_assert_eq(v, 1, "*out must stay at the default");
    cr_assert_eq(l.d.n_errors, 1);
    cr_assert_str_eq(l.d.v[0].file, "s.ini");
    cr_assert_eq(l.d.v[0].line, 5);
    cr_assert(strstr(l.d.v[0].message, "linear") != NULL, "%s", l.d.v[0].message);
    cr_assert(strstr(l.d.v[0].message, "[plan.ae.commission]") != NULL, "%s", l.d.v[0].message);
    unload(&l);
}

Test(config, get_bool_understands_the_usual_words)
{
    static const struct {
        const char *raw;
        int want; /* 1 true, 0 false, -1 error */
    } cases[] = {
        {"true", 1},  {"TRUE", 1}, {"yes", 1},    {"Yes", 1}, {"on", 1}, {"1", 1},
        {"false", 0}, {"no", 0},   {"NO", 0},     {"off", 0}, {"0", 0},  {"maybe", -1},
        {"2", -1},    {"y", -1},   {"truee", -1}, {"", -1},
    };
    char text[1024] = "[output]\n";
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        size_t o = strlen(text);
        snprintf(text + o, sizeof text - o, "k%zu = %s\n", i, cases[i].raw);
    }
    struct loaded l;
    load(&l, text);
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char key[16];
        snprintf(key, sizeof key, "k%zu", i);
        /* A default opposite to the expected answer, so returning the default cannot pass. */
        bool def = cases[i].want != 1;
        bool v = !def;
        int rc = config_get_bool(&l.c, "output", key, def, &v, &l.d);
        if (cases[i].want < 0) {
            cr_assert_eq(rc, -1, "case '%s' accepted", cases[i].raw);
            cr_assert_eq(v, def, "case '%s': *out must stay at the default", cases[i].raw);
            cr_assert_eq(l.d.v[l.d.n - 1].line, i + 2, "case '%s'", cases[i].raw);
        } else {
            cr_assert_eq(rc, 0, "case '%s': %s", cases[i].raw, dump(&l.d));
            cr_assert_eq(v, cases[i].want == 1, "case '%s'", cases[i].raw);
        }
    }
    unload(&l);
}

Test(config, get_decimal_reads_percentages_exactly_and_checks_the_range)
{
    static const struct {
        const char *raw;
        bool ok;
        int64_t units;
        int scale;
    } cases[] = {
        {"5%", true, 5, 2},    {"0.25", true, 25, 2}, {"1", true, 1, 0},
        {"0", true, 0, 0},     {"100%", true, 1, 0},  {"12.5%", true, 125, 3},
        {"150%", false, 0, 0}, {"1.01", false, 0, 0}, {"-1%", false, 0, 0},
        {"abc", false, 0, 0},  {"5%%", false, 0, 0},  {"", false, 0, 0},
        {"1e-2", false, 0, 0},
    };
    char text[1024] = "[run]\n";
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        size_t o = strlen(text);
        snprintf(text + o, sizeof text - o, "k%zu = %s\n", i, cases[i].raw);
    }
    struct loaded l;
    load(&l, text);
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char key[16];
        snprintf(key, sizeof key, "k%zu", i);
        struct decimal v = {-99, 0};
        int rc = config_get_decimal(&l.c, "run", key, "0.01", (struct decimal){0, 0},
                                    (struct decimal){1, 0}, &v, &l.d);
        if (cases[i].ok) {
            cr_assert_eq(rc, 0, "case '%s': %s", cases[i].raw, dump(&l.d));
            cr_assert(dec_eq(v, cases[i].units, cases[i].scale), "case '%s': got {%lld, %d}",
                      cases[i].raw, (long long)v.units, v.scale);
        } else {
            cr_assert_eq(rc, -1, "case '%s' accepted", cases[i].raw);
            cr_assert(dec_eq(v, 1, 2), "case '%s': *out must stay at the default 0.01",
                      cases[i].raw);
            const struct diag_entry *e = &l.d.v[l.d.n - 1];
            cr_assert_eq(e->line, i + 2, "case '%s'", cases[i].raw);
            cr_assert(strstr(e->message, key) != NULL, "case '%s': %s", cases[i].raw, e->message);
        }
    }
    /* "5%" is 0.05, not 5. */
    struct decimal v;
    config_get_decimal(&l.c, "run", "k0", "0", (struct decimal){0, 0}, (struct decimal){1, 0}, &v,
                       &l.d);
    cr_assert(!dec_eq(v, 5, 0));
    cr_assert(dec_eq(v, 50, 3));
    /* A missing key gives the default. */
    cr_assert_eq(config_get_decimal(&l.c, "run", "absent", "0.01", (struct decimal){0, 0},
                                    (struct decimal){1, 0}, &v, &l.d),
                 0);
    cr_assert(dec_eq(v, 1, 2));
    unload(&l);
}

Test(config, get_day_reads_an_iso_date_and_says_whether_it_was_given)
{
    struct loaded l;
    load(&l, "[run]\n"
             "as_of = 2026-11-30\n" /* 2 */
             "bad = 2026-02-30\n"   /* 3 */
             "german = 30.11.2026\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    int32_t day = -1;
    bool present = false;
    cr_assert_eq(config_get_day(&l.c, "run", "as_of", &day, &present, &l.d), 0);
    cr_assert(present);
    /* 2026-01-01 is day 20454 (56 years, 14 of them leap); + 333 days to 30 November. */
    cr_assert_eq(day, 20787);
    cr_assert_eq(day, date_from_civil(2026, 11, 30));

    present = true;
    cr_assert_eq(config_get_day(&l.c, "run", "absent", &day, &present, &l.d), 0);
    cr_assert_not(present);

    present = true;
    cr_assert_eq(config_get_day(&l.c, "run", "bad", &day, &present, &l.d), -1);
    cr_assert_not(present);
    cr_assert_eq(l.d.v[l.d.n - 1].line, 3);
    cr_assert_eq(config_get_day(&l.c, "run", "german", &day, &present, &l.d), -1);
    cr_assert_eq(l.d.v[l.d.n - 1].line, 4);
    unload(&l);
}

Test(config, get_path_resolves_relative_paths_against_the_ini_folder)
{
    struct loaded l;
    load(&l, "[inputs]\n"
             "campaigns = data/campaigns.csv\n"
             "deals = /srv/exports/deals.csv\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    char want[512];
    const char *p = NULL;
    cr_assert_eq(config_get_path(&l.c, "inputs", "campaigns", NULL, &p, &l.d), 0);
    snprintf(want, sizeof want, "%s/data/campaigns.csv", tmpdir);
    cr_assert_str_eq(p, want);
    cr_assert_eq(config_get_path(&l.c, "inputs", "deals", NULL, &p, &l.d), 0);
    cr_assert_str_eq(p, "/srv/exports/deals.csv");
    p = "x";
    cr_assert_eq(config_get_path(&l.c, "inputs", "people", NULL, &p, &l.d), 0);
    cr_assert_null(p, "a missing path without a default is NULL");
    cr_assert_eq(config_get_path(&l.c, "output", "dir", "out", &p, &l.d), 0);
    snprintf(want, sizeof want, "%s/out", tmpdir);
    cr_assert_str_eq(p, want, "a relative default is also relative to the INI's folder");
    cr_assert_eq(l.d.n, 0, "%s", dump(&l.d));
    unload(&l);
}

/* BUG: config_get_path keeps the resolved path in the in-force record and, when the same key is
 * asked again, frees that string and stores a new one, so the pointer the first call returned
 * dangles (config.h: "*out is owned by the config", i.e. valid until config_release). Expected:
 * p1 still reads "<dir>/data/campaigns.csv" after the second call; it reads freed memory (garbage
 * in a plain build, heap-use-after-free under ASan, an invalid read under valgrind). */
Test(config, a_resolved_path_stays_valid_when_the_key_is_asked_again)
{
    struct loaded l;
    load(&l, "[inputs]\ncampaigns = data/campaigns.csv\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    const char *p1 = NULL, *p2 = NULL;
    cr_assert_eq(config_get_path(&l.c, "inputs", "campaigns", NULL, &p1, &l.d), 0);
    cr_assert_eq(config_get_path(&l.c, "inputs", "campaigns", NULL, &p2, &l.d), 0);
    char want[512];
    snprintf(want, sizeof want, "%s/data/campaigns.csv", tmpdir);
    bool second_ok = strcmp(p2, want) == 0;
    bool first_ok = strcmp(p1, want) == 0; /* reads freed memory while the bug stands */
    unload(&l);
    cr_assert(second_ok);
    cr_assert(first_ok, "the path returned by the first call no longer reads '%s'", want);
}

Test(config, check_unused_flags_an_unknown_key_and_an_unknown_section_with_their_lines)
{
    struct loaded l;
    load(&l, "[attribution]\n"        /* 1 */
             "lookback_days = 60\n"   /* 2 */
             "lookbak_days = 30\n"    /* 3 */
             "\n"                     /* 4 */
             "[atribution]\n"         /* 5 */
             "lookback_days = 10\n"); /* 6 */
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    int64_t v;
    cr_assert_eq(config_get_int(&l.c, "attribution", "lookback_days", 90, 0, 3650, &v, &l.d), 0);
    cr_assert_eq(v, 60);
    cr_assert_eq(config_check_unused(&l.c, &l.d), -1);
    const struct diag_entry *e = find_error(&l.d, "lookbak_days");
    cr_assert(e != NULL, "unknown key not reported: %s", dump(&l.d));
    cr_assert_str_eq(e->file, "s.ini");
    cr_assert_eq(e->line, 3);
    cr_assert(strstr(e->message, "[attribution]") != NULL, "%s", e->message);
    e = find_error(&l.d, "atribution");
    cr_assert(e != NULL, "unknown section not reported: %s", dump(&l.d));
    cr_assert_eq(e->line, 5);
    /* The key that was asked for is not reported. */
    for (size_t i = 0; i < l.d.n; i++)
        cr_assert(!(l.d.v[i].line == 2), "used key reported: %s", dump(&l.d));
    unload(&l);
}

Test(config, check_unused_flags_an_unknown_key_given_with_set)
{
    struct loaded l;
    load(&l, "[attribution]\nlookback_days = 60\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    cr_assert_eq(config_set(&l.c, "attribution.lookbak_days=30", &l.d), 0);
    int64_t v;
    config_get_int(&l.c, "attribution", "lookback_days", 90, 0, 3650, &v, &l.d);
    cr_assert_eq(config_check_unused(&l.c, &l.d), -1);
    cr_assert(find_error(&l.d, "lookbak_days") != NULL, "%s", dump(&l.d));
    unload(&l);
}

Test(config, check_unused_flags_an_unknown_section_given_with_set)
{
    struct loaded l;
    load(&l, "[attribution]\nlookback_days = 60\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    cr_assert_eq(config_set(&l.c, "atribution.lookback_days=30", &l.d), 0);
    int64_t v;
    config_get_int(&l.c, "attribution", "lookback_days", 90, 0, 3650, &v, &l.d);
    cr_assert_eq(v, 60);
    cr_assert_eq(config_check_unused(&l.c, &l.d), -1);
    cr_assert(find_error(&l.d, "atribution") != NULL, "%s", dump(&l.d));
    unload(&l);
}

/* Suggestions: each row is an INI whose one unknown key or section is `name`, the keys the test
 * asks for (all in [attribution] or [run]), and the suggestion expected (NULL: none). Distances
 * by hand: lookbak_days -> lookback_days 1 (insert c); lookback_dasy -> lookback_days 1 (swap);
 * half_live_day -> half_life_days 2 (v->f, insert s); lookback -> lookback_days 5 (too far);
 * attributoin -> attribution 1 (swap); ru -> run 1 (1 * 3 <= 3); rnx -> run 2 but 2 * 3 > 3
 * (too short to guess). */
Test(config, an_unknown_name_suggests_the_nearest_name_asked_for_when_it_is_close)
{
    static const struct {
        const char *ini, *name, *want;
    } cases[] = {
        {"[attribution]\nlookbak_days = 3\n", "'lookbak_days'", "did you mean 'lookback_days'?"},
        {"[attribution]\nlookback_dasy = 3\n", "'lookback_dasy'", "did you mean 'lookback_days'?"},
        {"[attribution]\nhalf_live_day = 3\n", "'half_live_day'", "did you mean 'half_life_days'?"},
        {"[attribution]\nlookback = 3\n", "'lookback'", NULL},
        {"[attributoin]\nlookback_days = 3\n", "[attributoin]", "did you mean [attribution]?"},
        {"[ru]\nas_of = 2026-10-31\n", "[ru]", "did you mean [run]?"},
        {"[rnx]\nas_of = 2026-10-31\n", "[rnx]", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct loaded l;
        load(&l, cases[i].ini);
        cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
        int64_t v;
        config_get_int(&l.c, "attribution", "lookback_days", 90, 0, 3650, &v, &l.d);
        config_get_int(&l.c, "attribution", "half_life_days", 7, 0, 3650, &v, &l.d);
        config_has_section(&l.c, "run");
        cr_assert_eq(config_check_unused(&l.c, &l.d), -1, "case %zu", i);
        cr_assert_eq(l.d.n_errors, 1, "case %zu: %s", i, dump(&l.d));
        const struct diag_entry *e = find_error(&l.d, cases[i].name);
        cr_assert(e != NULL, "case %zu: %s", i, dump(&l.d));
        if (cases[i].want)
            cr_assert(strstr(e->message, cases[i].want) != NULL, "case %zu: %s", i, e->message);
        else
            cr_assert(strstr(e->message, "did you mean") == NULL, "case %zu: %s", i, e->message);
        unload(&l);
    }
}

/* Only names of the same section count: 'timezon' in [attribution] is far from every key asked
 * there, though [run] timezone was asked for. */
Test(config, a_suggestion_comes_from_the_same_section_only)
{
    struct loaded l;
    load(&l, "[attribution]\ntimezon = UTC\n[run]\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    const char *s;
    int64_t v;
    config_get_int(&l.c, "attribution", "lookback_days", 90, 0, 3650, &v, &l.d);
    config_get_str(&l.c, "run", "timezone", "UTC", &s, &l.d);
    cr_assert_eq(config_check_unused(&l.c, &l.d), -1);
    const struct diag_entry *e = find_error(&l.d, "'timezon'");
    cr_assert(e != NULL, "%s", dump(&l.d));
    cr_assert(strstr(e->message, "did you mean") == NULL, "%s", e->message);
    unload(&l);
}

Test(config, a_bad_set_value_is_reported_without_a_file_line)
{
    struct loaded l;
    load(&l, "[attribution]\nlookback_days = 60\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    cr_assert_eq(config_set(&l.c, "attribution.lookback_days=abc", &l.d), 0);
    int64_t v = -1;
    cr_assert_eq(config_get_int(&l.c, "attribution", "lookback_days", 90, 0, 3650, &v, &l.d), -1);
    cr_assert_eq(v, 90);
    cr_assert_eq(l.d.n_errors, 1);
    const struct diag_entry *e = &l.d.v[0];
    cr_assert_eq(e->line, 0, "the value came from --set, not line 2");
    cr_assert(strstr(e->message, "abc") != NULL, "%s", e->message);
    cr_assert(strstr(e->message, "lookback_days") != NULL, "%s", e->message);
    unload(&l);
}

Test(config, check_unused_passes_when_every_key_and_section_was_asked_for)
{
    struct loaded l;
    load(&l, "[run]\ncurrency = EUR\n[output]\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    const char *s;
    config_get_str(&l.c, "run", "currency", "USD", &s, &l.d);
    cr_assert_str_eq(s, "EUR");
    cr_assert(config_has_section(&l.c, "output"));
    cr_assert_eq(config_check_unused(&l.c, &l.d), 0, "%s", dump(&l.d));
    cr_assert_eq(l.d.n, 0);
    unload(&l);
}

Test(config, in_force_records_defaults_file_values_and_set_values_with_their_source)
{
    struct loaded l;
    load(&l, "[run]\n"
             "timezone = UTC\n"
             "currency = EUR\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    cr_assert_eq(config_set(&l.c, "run.currency=GBP", &l.d), 0);
    const char *s;
    int64_t v;
    config_get_str(&l.c, "run", "timezone", "UTC", &s, &l.d);
    config_get_int(&l.c, "attribution", "lookback_days", 90, 0, 3650, &v, &l.d);
    config_get_str(&l.c, "run", "currency", "USD", &s, &l.d);

    const struct cfg_entry *f = find_in_force(&l.c, "attribution", "lookback_days");
    cr_assert(f != NULL, "a default must be recorded");
    cr_assert_str_eq(f->value, "90");
    cr_assert_eq(f->source, CFG_DEFAULT);
    cr_assert_eq(f->line, 0);

    f = find_in_force(&l.c, "run", "timezone");
    cr_assert(f != NULL);
    cr_assert_str_eq(f->value, "UTC");
    cr_assert_eq(f->source, CFG_FILE);
    cr_assert_eq(f->line, 2);

    f = find_in_force(&l.c, "run", "currency");
    cr_assert(f != NULL);
    cr_assert_str_eq(f->value, "GBP");
    cr_assert_eq(f->source, CFG_SET);

    /* In the order asked for. */
    cr_assert_eq(l.c.n_in_force, 3);
    cr_assert_str_eq(l.c.in_force[0].key, "timezone");
    cr_assert_str_eq(l.c.in_force[1].key, "lookback_days");
    cr_assert_str_eq(l.c.in_force[2].key, "currency");
    unload(&l);
}

Test(config, sections_with_prefix_come_in_file_order_and_are_not_marked_used)
{
    struct loaded l;
    load(&l, "[plan.b]\n[run]\n[plan.a]\n[plan.a.x]\n[planner]\n");
    cr_assert_eq(l.rc, 0, "%s", dump(&l.d));
    const struct cfg_section *out[8];
    size_t n = config_sections_with_prefix(&l.c, "plan.", out, 8);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(out[0]->name, "plan.b");
    cr_assert_str_eq(out[1]->name, "plan.a");
    cr_assert_str_eq(out[2]->name, "plan.a.x");
    cr_assert_eq(config_sections_with_prefix(&l.c, "plan.", out, 2), 2, "max is respected");
    for (size_t i = 0; i < l.c.n_sections; i++)
        cr_assert_not(l.c.sections[i].used, "section %s marked used", l.c.sections[i].name);
    unload(&l);
}

/* ---- settings_load ------------------------------------------------------------------------ */

#define MINIMAL_INPUTS                                                                             \
    "[inputs]\n"                                                                                   \
    "campaigns = campaigns.csv\n"                                                                  \
    "touches = touches.csv\n"                                                                      \
    "deals = deals.csv\n"

struct loaded_settings {
    struct loaded l;
    struct settings s;
    int rc;
};

static void load_settings(struct loaded_settings *ls, const char *text)
{
    load(&ls->l, text);
    cr_assert_eq(ls->l.rc, 0, "config_load: %s", dump(&ls->l.d));
    ls->rc = settings_load(&ls->s, &ls->l.c, &ls->l.d);
}

Test(settings, minimal_ini_gets_the_documented_defaults)
{
    struct loaded_settings ls;
    load_settings(&ls, MINIMAL_INPUTS);
    const struct settings *s = &ls.s;
    cr_assert_eq(ls.rc, 0, "%s", dump(&ls.l.d));
    cr_assert_eq(ls.l.d.n_errors, 0, "%s", dump(&ls.l.d));
    cr_assert_eq(s->lookback_days, 90);
    cr_assert_str_eq(s->timezone, "UTC");
    cr_assert_str_eq(s->currency, "USD");
    cr_assert_eq(s->currency_digits, 2);
    /* The files that decide pay reject nothing by default; touches and campaigns 1%. */
    static const int pay_files[] = {INPUT_DEALS, INPUT_PEOPLE, INPUT_SPLITS, INPUT_FX};
    for (size_t i = 0; i < sizeof pay_files / sizeof pay_files[0]; i++)
        cr_assert_eq(s->inputs[pay_files[i]].max_reject_share.units, 0, "file %d", pay_files[i]);
    cr_assert(dec_eq(s->inputs[INPUT_TOUCHES].max_reject_share, 1, 2));
    cr_assert(dec_eq(s->inputs[INPUT_CAMPAIGNS].max_reject_share, 1, 2));
    cr_assert_not(s->as_of_set);
    cr_assert_null(s->period);
    cr_assert_eq(s->models, 1u << MODEL_LINEAR);
    cr_assert_str_eq(s->won_stages, "closed won, closedwon");
    char want[512];
    snprintf(want, sizeof want, "%s/out", tmpdir);
    cr_assert_str_eq(s->out_dir, want, "[output] dir defaults to out beside the INI");

    static const enum input_kind files[] = {INPUT_CAMPAIGNS, INPUT_TOUCHES, INPUT_DEALS};
    static const char *const names[] = {"campaigns", "touches", "deals"};
    for (size_t i = 0; i < N_ELEMS(files); i++) {
        const struct inputcfg *in = &s->inputs[files[i]];
        snprintf(want, sizeof want, "%s/%s.csv", tmpdir, names[i]);
        cr_assert_str_eq(in->path, want);
        cr_assert_eq(in->fmt.delimiter, 0, "%s: delimiter auto is 0", names[i]);
        cr_assert_eq(in->fmt.money.decimal, '.', "%s", names[i]);
        cr_assert_eq(in->fmt.money.thousands, ',', "%s: auto thousands for '.'", names[i]);
        cr_assert_eq(in->fmt.money.minor_digits, 2, "%s", names[i]);
        cr_assert_eq(in->fmt.date_format, DATE_ISO, "%s", names[i]);
        cr_assert_str_eq(in->fmt.timezone, "UTC", "%s", names[i]);
        cr_assert_str_eq(in->fmt.currency, "USD", "%s", names[i]);
    }
    cr_assert_null(s->inputs[INPUT_PEOPLE].path);
    cr_assert_null(s->inputs[INPUT_SPLITS].path);
    cr_assert_null(s->inputs[INPUT_FX].path);
    cr_assert_str_eq(s->inputs[INPUT_DEALS].columns[DF_AMOUNT], "amount",
                     "a logical field's default header is its own name");
    cr_assert_eq(config_check_unused(&ls.l.c, &ls.l.d), 0, "%s", dump(&ls.l.d));
    unload(&ls.l);
}

Test(settings, decimal_comma_makes_auto_thousands_a_dot)
{
    struct loaded_settings ls;
    load_settings(&ls, MINIMAL_INPUTS "[format]\ndecimal = ,\n");
    cr_assert_eq(ls.rc, 0, "%s", dump(&ls.l.d));
    for (int k = INPUT_CAMPAIGNS; k <= INPUT_DEALS; k++) {
        cr_assert_eq(ls.s.inputs[k].fmt.money.decimal, ',', "file %d", k);
        cr_assert_eq(ls.s.inputs[k].fmt.money.thousands, '.', "file %d", k);
    }
    unload(&ls.l);
}

Test(settings, a_file_section_overrides_format_and_inherits_the_rest)
{
    struct loaded_settings ls;
    load_settings(&ls, MINIMAL_INPUTS "[format]\n"
                                      "decimal = ,\n"
                                      "date_format = dd.mm.yyyy\n"
                                      "currency = EUR\n"
                                      "delimiter = tab\n"
                                      "[format.deals]\n"
                                      "decimal = .\n"
                                      "currency = jpy\n"
                                      "delimiter = \";\"\n"
                                      "[columns.deals]\n"
                                      "amount = Amount (EUR)\n");
    cr_assert_eq(ls.rc, 0, "%s", dump(&ls.l.d));
    const struct fmtcfg *camp = &ls.s.inputs[INPUT_CAMPAIGNS].fmt;
    const struct fmtcfg *deals = &ls.s.inputs[INPUT_DEALS].fmt;
    cr_assert_eq(camp->money.decimal, ',');
    cr_assert_eq(camp->money.thousands, '.');
    cr_assert_eq(camp->date_format, DATE_DMY_DOT);
    cr_assert_str_eq(camp->currency, "EUR");
    cr_assert_eq(camp->delimiter, '\t');
    cr_assert_eq(deals->money.decimal, '.');
    cr_assert_eq(deals->money.thousands, ',', "auto follows the file's own decimal");
    cr_assert_eq(deals->date_format, DATE_DMY_DOT, "inherited from [format]");
    cr_assert_str_eq(deals->currency, "JPY");
    cr_assert_eq(deals->money.minor_digits, 0, "JPY has no minor unit");
    cr_assert_eq(deals->delimiter, ';');
    cr_assert_str_eq(ls.s.inputs[INPUT_DEALS].columns[DF_AMOUNT], "Amount (EUR)");
    cr_assert_str_eq(ls.s.currency, "USD", "[format] currency is not the reporting currency");
    cr_assert_eq(config_check_unused(&ls.l.c, &ls.l.d), 0, "%s", dump(&ls.l.d));
    unload(&ls.l);
}

/* BUG: load_format() always defaults `thousands` to "auto" instead of the [format] value, so
 * "[format] thousands = none" (or space, ') never reaches the files; settings.h and DESIGN §3 say
 * [format] holds the defaults for all files. Expected: thousands == 0 (none) for every file;
 * the code gives ','. */
Test(settings, format_thousands_is_inherited_by_every_file)
{
    struct loaded_settings ls;
    load_settings(&ls, MINIMAL_INPUTS "[format]\nthousands = none\n"
                                      "[format.deals]\ndate_format = m/d/yyyy\n");
    int rc = ls.rc;
    char got[3];
    for (int k = INPUT_CAMPAIGNS; k <= INPUT_DEALS; k++)
        got[k - INPUT_CAMPAIGNS] = ls.s.inputs[k].fmt.money.thousands;
    enum date_format deals_dates = ls.s.inputs[INPUT_DEALS].fmt.date_format;
    unload(&ls.l);
    cr_assert_eq(rc, 0);
    cr_assert_eq(deals_dates, DATE_MDY);
    for (int k = 0; k < 3; k++)
        cr_assert_eq(got[k], 0, "file %d: [format] thousands = none not inherited (got '%c')", k,
                     got[k]);
}

Test(settings, run_section_values_are_read)
{
    struct loaded_settings ls;
    load_settings(&ls, MINIMAL_INPUTS "[run]\n"
                                      "as_of = 2026-11-30\n"
                                      "period = 2026-Q4\n"
                                      "currency = jpy\n"
                                      "[format.touches]\n"
                                      "max_reject_share = 5%\n"
                                      "[attribution]\n"
                                      "lookback_days = 0\n");
    cr_assert_eq(ls.rc, 0, "%s", dump(&ls.l.d));
    cr_assert(ls.s.as_of_set);
    cr_assert_eq(ls.s.as_of_day, date_from_civil(2026, 11, 30));
    cr_assert_str_eq(ls.s.period, "2026-Q4");
    cr_assert_str_eq(ls.s.currency, "JPY");
    cr_assert_eq(ls.s.currency_digits, 0);
    cr_assert(dec_eq(ls.s.inputs[INPUT_TOUCHES].max_reject_share, 5, 2));
    cr_assert_eq(ls.s.inputs[INPUT_DEALS].max_reject_share.units, 0, "only the file it names");
    cr_assert_eq(ls.s.lookback_days, 0, "0 means no window and is allowed");
    cr_assert_str_eq(ls.s.inputs[INPUT_DEALS].fmt.currency, "JPY",
                     "files default to the reporting currency");
    cr_assert_eq(ls.s.inputs[INPUT_DEALS].fmt.money.minor_digits, 0);
    unload(&ls.l);
}

/* Bad settings are errors on their own line, naming the value: MINIMAL_INPUTS is lines 1-4, the
 * section header line 5, so the bad key is on line 6 (7 for the second key of a section). */
Test(settings, bad_settings_are_errors_on_their_line)
{
    static const struct {
        const char *ini;   /* appended to MINIMAL_INPUTS */
        const char *named; /* text the error message must contain */
        uint64_t line;
        bool file_named; /* also check that the file is s.ini */
    } cases[] = {
        {"[format.deals]\ndecimal = ,\nthousands = ,\n", "thousands", 7, false},
        {"[run]\ntimezone = Mars/Base\n", "Mars/Base", 6, true},
        {"[format.deals]\ntimezone = Europe/Berlinn\n", "Europe/Berlinn", 6, false},
        {"[attribution]\nmodels = linear, bogus\n", "bogus", 6, false},
        {"[run]\ncurrency = XYZ\n", "XYZ", 6, false},
        {"[attribution]\nlookback_days = 4000\n", "lookback_days", 6, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char ini[512];
        snprintf(ini, sizeof ini, "%s%s", MINIMAL_INPUTS, cases[i].ini);
        struct loaded_settings ls;
        load_settings(&ls, ini);
        cr_assert_eq(ls.rc, -1, "case %zu", i);
        const struct diag_entry *e = find_error(&ls.l.d, cases[i].named);
        cr_assert(e != NULL, "case %zu: %s", i, dump(&ls.l.d));
        if (cases[i].file_named)
            cr_assert_str_eq(e->file, "s.ini");
        cr_assert_eq(e->line, cases[i].line, "case %zu: line %llu", i, (unsigned long long)e->line);
        unload(&ls.l);
    }
}

Test(settings, missing_required_input_is_an_error)
{
    static const char *const names[] = {"campaigns", "touches", "deals"};
    for (size_t i = 0; i < N_ELEMS(names); i++) {
        char text[256] = "[inputs]\n";
        for (size_t k = 0; k < N_ELEMS(names); k++) {
            if (k == i)
                continue;
            size_t o = strlen(text);
            snprintf(text + o, sizeof text - o, "%s = %s.csv\n", names[k], names[k]);
        }
        struct loaded_settings ls;
        load_settings(&ls, text);
        cr_assert_eq(ls.rc, -1, "missing %s accepted", names[i]);
        cr_assert(find_error(&ls.l.d, names[i]) != NULL, "missing %s: %s", names[i], dump(&ls.l.d));
        unload(&ls.l);
    }
}

Test(settings, unknown_key_in_a_format_section_is_caught_by_check_unused)
{
    struct loaded_settings ls;
    load_settings(&ls, MINIMAL_INPUTS "[format.deals]\n"
                                      "delimeter = ;\n"); /* 6 */
    cr_assert_eq(ls.rc, 0, "%s", dump(&ls.l.d));
    cr_assert_eq(config_check_unused(&ls.l.c, &ls.l.d), -1);
    const struct diag_entry *e = find_error(&ls.l.d, "delimeter");
    cr_assert(e != NULL, "%s", dump(&ls.l.d));
    cr_assert_eq(e->line, 6);
    unload(&ls.l);
}

/* ---- plan_load ---------------------------------------------------------------------------- */

struct loaded_plans {
    struct loaded l;
    struct plan_set ps;
    int rc;
};

static void load_plans(struct loaded_plans *lp, const char *text)
{
    load(&lp->l, text);
    cr_assert_eq(lp->l.rc, 0, "config_load: %s", dump(&lp->l.d));
    struct settings st;
    memset(&st, 0, sizeof st);
    st.currency_digits = 2;
    lp->rc = plan_load(&lp->ps, &lp->l.c, &st, &lp->l.d);
}

static void unload_plans(struct loaded_plans *lp)
{
    plan_release(&lp->ps);
    unload(&lp->l);
}

Test(plan, commission_component_loads_the_exact_rate)
{
    struct loaded_plans lp;
    load_plans(&lp, "[plan.ae]\n"
                    "name = Account Executive\n"
                    "components = commission\n"
                    "\n"
                    "[plan.ae.commission]\n"
                    "type = commission\n"
                    "measure = own_revenue\n"
                    "rate = 3%\n"
                    "\n"
                    "[plan.sdr]\n"
                    "components = Flat\n"
                    "[plan.sdr.flat]\n"
                    "type = Commission\n"
                    "rate = 0.125\n");
    cr_assert_eq(lp.rc, 0, "%s", dump(&lp.l.d));
    cr_assert_eq(lp.ps.n, 2);
    const struct plan *p = plan_find(&lp.ps, "ae");
    cr_assert(p != NULL);
    cr_assert_str_eq(p->id, "ae");
    cr_assert_eq(p->n_versions, 1);
    const struct plan_version *v = &p->versions[0];
    cr_assert_str_eq(v->name, "Account Executive");
    cr_assert_eq(v->n_components, 1);
    const struct component *comp = &v->components[0];
    cr_assert_str_eq(comp->id, "commission");
    cr_assert_eq(comp->type, COMP_COMMISSION);
    cr_assert_eq(comp->measure, MEASURE_OWN_REVENUE);
    cr_assert_eq(comp->basis, BASIS_PERIOD_TO_DATE, "DESIGN §7a default basis");
    cr_assert_eq(comp->method, METHOD_MARGINAL, "DESIGN §7a default method");
    cr_assert_eq(comp->n_tiers, 1, "rate is a one-tier table");
    cr_assert(dec_eq(comp->tiers[0].rate, 3, 2), "rate {%lld, %d}",
              (long long)comp->tiers[0].rate.units, comp->tiers[0].rate.scale);
    cr_assert(dec_eq(comp->tiers[0].rate, 30, 3));

    p = plan_find(&lp.ps, "sdr");
    cr_assert(p != NULL);
    cr_assert_str_eq(p->versions[0].name, "sdr", "the name defaults to the id");
    cr_assert_eq(p->versions[0].n_components, 1);
    cr_assert_str_eq(p->versions[0].components[0].id, "flat");
    cr_assert(dec_eq(p->versions[0].components[0].tiers[0].rate, 125, 3));
    cr_assert_null(plan_find(&lp.ps, "mgr"));

    cr_assert_eq(config_check_unused(&lp.l.c, &lp.l.d), 0, "every plan key is known: %s",
                 dump(&lp.l.d));
    unload_plans(&lp);
}

Test(plan, naming_a_missing_component_section_is_an_error)
{
    struct loaded_plans lp;
    load_plans(&lp, "[plan.ae]\n"
                    "components = commission, new_logo\n" /* 2 */
                    "[plan.ae.commission]\n"
                    "type = commission\n"
                    "rate = 3%\n");
    cr_assert_eq(lp.rc, -1);
    const struct diag_entry *e = find_error(&lp.l.d, "new_logo");
    cr_assert(e != NULL, "%s", dump(&lp.l.d));
    cr_assert_str_eq(e->file, "s.ini");
    cr_assert_eq(e->line, 2);
    unload_plans(&lp);
}

Test(plan, unknown_key_in_a_component_is_caught_by_check_unused)
{
    struct loaded_plans lp;
    load_plans(&lp, "[plan.ae]\n"
                    "components = commission\n"
                    "[plan.ae.commission]\n"
                    "type = commission\n"
                    "rate = 3%\n"
                    "tier = 0%: 5%, 50%: 8%\n"); /* 6 */
    cr_assert_eq(config_check_unused(&lp.l.c, &lp.l.d), -1);
    const struct diag_entry *e = find_error(&lp.l.d, "tier");
    cr_assert(e != NULL, "%s", dump(&lp.l.d));
    cr_assert_eq(e->line, 6);
    cr_assert(strstr(e->message, "plan.ae.commission") != NULL, "%s", e->message);
    unload_plans(&lp);
}

Test(plan, component_section_of_no_plan_is_an_unknown_section)
{
    struct loaded_plans lp;
    load_plans(&lp, "[plan.ae]\n"
                    "components = commission\n"
                    "[plan.ae.commission]\n"
                    "type = commission\n"
                    "rate = 3%\n"
                    "[plan.ae.comission]\n" /* 6 */
                    "type = commission\n"
                    "rate = 4%\n");
    cr_assert_eq(lp.rc, 0, "%s", dump(&lp.l.d));
    cr_assert_eq(config_check_unused(&lp.l.c, &lp.l.d), -1);
    const struct diag_entry *e = find_error(&lp.l.d, "plan.ae.comission");
    cr_assert(e != NULL, "%s", dump(&lp.l.d));
    cr_assert_eq(e->line, 6);
    unload_plans(&lp);
}

Test(plan, component_without_rate_is_an_error)
{
    struct loaded_plans lp;
    load_plans(&lp, "[plan.ae]\n"
                    "components = commission\n"
                    "[plan.ae.commission]\n"
                    "type = commission\n"
                    "measure = own_revenue\n");
    cr_assert_eq(lp.rc, -1);
    cr_assert(find_error(&lp.l.d, "rate") != NULL, "%s", dump(&lp.l.d));
    unload_plans(&lp);
}

/* BUG: "a component needs rate" and "a component needs type" are added with line 0 (the message
 * is just "s.ini: [plan.ae.commission] needs ..."), while plan.h promises a config error "with
 * file:line" and DESIGN §5 "reject what it cannot parse with file:line". Expected: the line of
 * the [plan.ae.commission] header, 3. */
Test(plan, a_missing_component_key_is_reported_at_the_component_header)
{
    static const char *const bodies[] = {"type = commission", "rate = 3%"};
    for (size_t i = 0; i < N_ELEMS(bodies); i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "[plan.ae]\ncomponents = commission\n[plan.ae.commission]\n%s\n", bodies[i]);
        struct loaded_plans lp;
        load_plans(&lp, text);
        int rc = lp.rc;
        size_t n_errors = lp.l.d.n_errors;
        uint64_t line = lp.l.d.n ? lp.l.d.v[0].line : 0;
        char got[1024];
        snprintf(got, sizeof got, "%s", dump(&lp.l.d));
        unload_plans(&lp);
        cr_assert_eq(rc, -1, "case '%s'", bodies[i]);
        cr_assert_eq(n_errors, 1, "case '%s': %s", bodies[i], got);
        cr_assert_eq(line, 3, "case '%s': %s", bodies[i], got);
    }
}

/* Plan errors name the value and its line (the line is marked in each INI). */
Test(plan, pay_on_splits_a_deal_line_between_booking_and_payment)
{
    static const struct {
        const char *value;
        int64_t booking_units, payment_units; /* at scale 2 */
        bool collect;
    } ok[] = {
        {NULL, 100, 0, false},
        {"booking 50%, payment 50%", 50, 50, true},
        {"payment 25%, booking 75%", 75, 25, true},
        {"payment 100%", 0, 100, true},
        {"booking 100%", 100, 0, false},
        {"booking 33.5%,payment 66.5%", 3350, 6650, true},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "[plan.ae]\ncomponents = c\n[plan.ae.c]\ntype = commission\nbasis = "
                 "per_deal\nrate = 10%%\n%s%s\n",
                 ok[i].value ? "pay_on = " : "", ok[i].value ? ok[i].value : "");
        struct loaded_plans lp;
        load_plans(&lp, text);
        cr_assert_eq(lp.rc, 0, "case %zu: %s", i, dump(&lp.l.d));
        const struct component *c = &lp.ps.plans[0].versions[0].components[0];
        int scale = i == 5 ? 4 : 2;
        cr_assert(dec_eq(c->pay_booking, ok[i].booking_units, scale) ||
                      (ok[i].booking_units == 100 && dec_eq(c->pay_booking, 1, 0)) ||
                      (ok[i].booking_units == 0 && c->pay_booking.units == 0),
                  "case %zu: booking {%lld, %d}", i, (long long)c->pay_booking.units,
                  c->pay_booking.scale);
        cr_assert(dec_eq(c->pay_payment, ok[i].payment_units, scale) ||
                      (ok[i].payment_units == 0 && c->pay_payment.units == 0),
                  "case %zu: payment {%lld, %d}", i, (long long)c->pay_payment.units,
                  c->pay_payment.scale);
        cr_assert_eq(c->collect, ok[i].collect, "case %zu", i);
        cr_assert_eq(lp.ps.max_lookback, ok[i].collect ? PLAN_COLLECT_LOOKBACK : 0,
                     "case %zu: a plan paying on collection keeps a year of deals", i);
        cr_assert_eq(config_check_unused(&lp.l.c, &lp.l.d), 0, "case %zu: %s", i, dump(&lp.l.d));
        unload_plans(&lp);
    }
    static const struct {
        const char *comp; /* the component section's keys before pay_on (line 4 on) */
        const char *value;
        const char *named;
    } bad[] = {
        {"type = commission\nrate = 3%\n", "booking 50%, payment 40%", "does not total 100%"},
        {"type = commission\nrate = 3%\n", "booking 60%, payment 50%", "does not total 100%"},
        {"type = commission\nrate = 3%\n", "booking 50%, booking 50%", "at most once"},
        {"type = commission\nrate = 3%\n", "booking 50%, shipment 50%", "shipment"},
        {"type = commission\nrate = 3%\n", "booking half, payment 50%", "booking half"},
        {"type = commission\nrate = 3%\n", "", "does not total 100%"},
        {"type = commission\nbasis = period_total\nrate = 3%\n", "booking 50%, payment 50%",
         "line per deal"},
        {"type = bonus\ngoal = quota\ncurve = 0%: 0%, 100%: 100%\n", "booking 50%, payment 50%",
         "line per deal"},
        {"type = spif\namount = 100.00\n", "payment 100%", "line per deal"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "[plan.ae]\ncomponents = c\n[plan.ae.c]\n%spay_on = %s\n",
                 bad[i].comp, bad[i].value);
        uint64_t line = 4;
        for (const char *q = bad[i].comp; *q; q++)
            line += *q == '\n';
        struct loaded_plans lp;
        load_plans(&lp, text);
        cr_assert_eq(lp.rc, -1, "case %zu", i);
        const struct diag_entry *e = find_error(&lp.l.d, bad[i].named);
        cr_assert(e != NULL, "case %zu: %s", i, dump(&lp.l.d));
        cr_assert_eq(e->line, line, "case %zu: line %llu, want %llu", i,
                     (unsigned long long)e->line, (unsigned long long)line);
        unload_plans(&lp);
    }
}

Test(plan, bad_plans_are_errors_on_their_line)
{
    static const struct {
        const char *ini;
        const char *named;
        uint64_t line;
    } cases[] = {
        {"[plan.ae]\ncomponents = commission\n[plan.ae.commission]\ntype = commission\n"
         "rate = 150%\n" /* 5 */,
         "150%", 5},
        {"[plan.ae]\ncomponents = commission\n[plan.ae.commission]\n"
         "type = comission\n" /* 4 */ "rate = 3%\n",
         "comission", 4},
        {"[run]\n[plan.ae]\n" /* 2 */ "name = AE\n", "components", 2},
        {"[plan.ae]\ncomponents = commission\n[plan.ae.commission]\ntype = commission\n"
         "rate = 3%\n[plan.ae@2026-13-01]\n" /* 6 */ "components = commission\n",
         "plan.ae@2026-13-01", 6},
        /* tiers out of order: ambiguous, never sorted silently */
        {"[plan.ae]\ncomponents = c\n[plan.ae.c]\ntype = commission\n"
         "tiers = 0%: 5%, 50%: 8%, 40%: 9%\n" /* 5 */,
         "strictly increasing", 5},
        /* percentages of quota and amounts in one table */
        {"[plan.ae]\ncomponents = c\n[plan.ae.c]\ntype = commission\n"
         "tiers = 0%: 5%, 100000.00: 8%\n" /* 5 */,
         "mix", 5},
        {"[plan.m]\ncomponents = b\n[plan.m.b]\ntype = bonus\nmeasure = company_revenue\n"
         "curve = 0%: 0%, 100%: 100%\n" /* 6 */,
         "goal", 3},
        {"[plan.m]\ncomponents = b\n[plan.m.b]\ntype = bonus\nmeasure = sourced_revenue\n"
         "goal = 1000.00\ncurve = 0%: 0%\nmodel = shapley\n" /* 8 */,
         "shapley", 8},
        {"[plan.s]\ncomponents = x\n[plan.s.x]\ntype = spif\namount = 100.00\n"
         "filter = Deal Type ~ New\n" /* 6 */,
         "Deal Type ~ New", 6},
        {"[plan.ae]\ncomponents = c\n[plan.ae.c]\ntype = commission\nrate = 3%\n"
         "cap_excess = carry\n" /* 6 */,
         "cap_period", 6},
        {"[plan.ae]\ncomponents = c\n[plan.ae.c]\ntype = commission\nrate = 3%\n"
         "measure = won_deals\n" /* 6 */,
         "only a bonus", 6},
        {"[plan.m]\ncomponents = o\n[plan.m.o]\ntype = override\nrate = 3%\n"
         "measure = own_revenue\n" /* 6 */,
         "team_revenue", 6},
        {"[plan.m]\ncomponents = b\n[plan.m.b]\ntype = bonus\ngoal = quota\n"
         "curve = 0%: 0%, 100%: 100%, 90%: 120%\n" /* 6 */,
         "strictly increasing attainment", 6},
        {"[plan.p]\ncomponents = x\n[plan.p.x]\ntype = pool\nshare = 5%\n"
         "amount = 1000.00\n" /* 6 */,
         "exactly one of", 6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct loaded_plans lp;
        load_plans(&lp, cases[i].ini);
        cr_assert_eq(lp.rc, -1, "case %zu", i);
        const struct diag_entry *e = find_error(&lp.l.d, cases[i].named);
        cr_assert(e != NULL, "case %zu: %s", i, dump(&lp.l.d));
        cr_assert_eq(e->line, cases[i].line, "case %zu: line %llu", i, (unsigned long long)e->line);
        unload_plans(&lp);
    }
}

Test(settings, max_reject_share_outside_a_file_section_is_an_error_naming_the_new_key)
{
    static const char *const where[] = {"[run]\n", "[format]\n"};
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s%smax_reject_share = 0.05\n", MINIMAL_INPUTS, where[i]);
        struct loaded_settings ls;
        load_settings(&ls, text);
        cr_assert_neq(ls.rc, 0, "%s", where[i]);
        cr_assert_eq(ls.l.d.n_errors, 1, "%s", dump(&ls.l.d));
        cr_assert(strstr(ls.l.d.v[0].message, "[format.deals] max_reject_share") != NULL, "%s",
                  dump(&ls.l.d));
        cr_assert_gt(ls.l.d.v[0].line, 0, "the message names the line");
        unload(&ls.l);
    }
}
