/* config.c — INI loading through iniparser, with a pre-scan for line numbers and duplicates. */
#include "config.h"

#include <errno.h>
#include <iniparser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* iniparser 4.1 reads each line, line end included, into a 1,024-byte buffer and rejects the
 * whole file when one does not fit; we say which line. */
#define INI_LINE_MAX 1023

void config_init(struct config *c)
{
    memset(c, 0, sizeof *c);
}

static void entry_free(struct cfg_entry *e)
{
    free(e->section);
    free(e->key);
    free(e->value);
}

void config_release(struct config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_entries; i++)
        entry_free(&c->entries[i]);
    for (size_t i = 0; i < c->n_in_force; i++)
        entry_free(&c->in_force[i]);
    for (size_t i = 0; i < c->n_sections; i++)
        free(c->sections[i].name);
    for (size_t i = 0; i < c->n_asked; i++) {
        free(c->asked[i].section);
        free(c->asked[i].key);
    }
    free(c->asked);
    free(c->entries);
    free(c->in_force);
    free(c->sections);
    free(c->path);
    free(c->display);
    free(c->dir);
    memset(c, 0, sizeof *c);
}

static char *lower_dup(const char *s, size_t n)
{
    char *d = xstrndup(s, n);
    for (char *p = d; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return d;
}

static void span_trim_ascii(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t' || **s == '\r' || **s == '\n')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r' ||
                  (*s)[*n - 1] == '\n'))
        (*n)--;
}

static struct cfg_section *find_section(const struct config *c, const char *name)
{
    for (size_t i = 0; i < c->n_sections; i++)
        if (strcmp(c->sections[i].name, name) == 0)
            return &c->sections[i];
    return NULL;
}

static struct cfg_section *add_section(struct config *c, char *name, uint64_t line)
{
    VEC_GROW(c->sections, c->cap_sections, c->n_sections + 1);
    struct cfg_section *s = &c->sections[c->n_sections++];
    s->name = name;
    s->line = line;
    s->used = false;
    return s;
}

static struct cfg_entry *find_entry(const struct config *c, const char *sec, const char *key)
{
    for (size_t i = 0; i < c->n_entries; i++)
        if (strcmp(c->entries[i].section, sec) == 0 && strcmp(c->entries[i].key, key) == 0)
            return &c->entries[i];
    return NULL;
}

static struct cfg_entry *add_entry(struct config *c, const char *sec, char *key, uint64_t line,
                                   enum cfg_source src)
{
    VEC_GROW(c->entries, c->cap_entries, c->n_entries + 1);
    struct cfg_entry *e = &c->entries[c->n_entries++];
    memset(e, 0, sizeof *e);
    e->section = xstrdup(sec);
    e->key = key;
    e->line = line;
    e->source = src;
    return e;
}

/* The pre-scan: sections and keys with their lines, and the errors iniparser would hide. */
static int prescan(struct config *c, FILE *fp, struct diag *d)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    uint64_t lineno = 0;
    int rc = 0;
    const char *cur = NULL;
    bool skipping = false; /* inside a section already reported as a duplicate or bad */
    bool continued = false;

    while ((len = getline(&line, &cap, fp)) != -1) {
        lineno++;
        size_t n = (size_t)len;
        if (n > INI_LINE_MAX) {
            diag_error(d, c->display, lineno,
                       "line is %zu bytes long with its line end; iniparser reads at most %d", n,
                       INI_LINE_MAX);
            rc = -1;
            continue;
        }
        if (n && line[n - 1] == '\n')
            n--;
        if (n && line[n - 1] == '\r')
            n--;
        if (memchr(line, '\0', n)) {
            diag_error(d, c->display, lineno, "NUL byte in the configuration file");
            rc = -1;
            continue;
        }
        const char *s = line;
        span_trim_ascii(&s, &n);
        bool was_continued = continued;
        continued = n > 0 && s[n - 1] == '\\';
        if (was_continued || n == 0 || s[0] == ';' || s[0] == '#')
            continue;
        if (s[0] == '[') {
            const char *close = memchr(s, ']', n);
            if (!close) {
                diag_error(d, c->display, lineno, "section header without ']'");
                rc = -1;
                continue;
            }
            size_t after = n - (size_t)(close - s) - 1;
            if (after) {
                diag_error(d, c->display, lineno,
                           "text after a section header (a comment there is a syntax error for "
                           "iniparser; put it on its own line)");
                rc = -1;
                continue;
            }
            const char *nm = s + 1;
            size_t nl = (size_t)(close - s) - 1;
            span_trim_ascii(&nm, &nl);
            char *name = lower_dup(nm, nl);
            struct cfg_section *prev = find_section(c, name);
            if (prev) {
                diag_error(d, c->display, lineno, "duplicate section [%s] (first at line %llu)",
                           name, (unsigned long long)prev->line);
                free(name);
                rc = -1;
                cur = NULL;
                skipping = true;
                continue;
            }
            if (nl == 0 || strchr(name, ':')) {
                diag_error(d, c->display, lineno, "bad section name '[%s]'", name);
                free(name);
                rc = -1;
                cur = NULL;
                skipping = true;
                continue;
            }
            skipping = false;
            cur = add_section(c, name, lineno)->name;
            continue;
        }
        const char *eq = memchr(s, '=', n);
        if (!eq) {
            diag_error(d, c->display, lineno, "expected 'key = value' or '[section]'");
            rc = -1;
            continue;
        }
        if (!cur && skipping)
            continue;
        if (!cur) {
            diag_error(d, c->display, lineno, "key outside any section");
            rc = -1;
            continue;
        }
        const char *k = s;
        size_t kl = (size_t)(eq - s);
        span_trim_ascii(&k, &kl);
        char *key = lower_dup(k, kl);
        if (kl == 0 || strpbrk(key, ".@:")) {
            diag_error(d, c->display, lineno, "bad key name '%s' in [%s]", key, cur);
            free(key);
            rc = -1;
            continue;
        }
        struct cfg_entry *prev = find_entry(c, cur, key);
        if (prev) {
            diag_error(d, c->display, lineno, "duplicate key '%s' in [%s] (first at line %llu)",
                       key, cur, (unsigned long long)prev->line);
            free(key);
            rc = -1;
            continue;
        }
        add_entry(c, cur, key, lineno, CFG_FILE);
    }
    free(line);
    if (ferror(fp)) {
        diag_error(d, c->display, 0, "read error: %s", strerror(errno));
        rc = -1;
    }
    return rc;
}

static int silent_errback(const char *fmt, ...)
{
    (void)fmt;
    return 0;
}

int config_load(struct config *c, const char *path, struct diag *d)
{
    c->path = xstrdup(path);
    const char *slash = strrchr(path, '/');
    c->display = xstrdup(slash ? slash + 1 : path);
    c->dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");

    FILE *fp = fopen(path, "r");
    if (!fp) {
        diag_error(d, NULL, 0, "cannot open configuration '%s': %s", path, strerror(errno));
        return -1;
    }
    int rc = prescan(c, fp, d);
    fclose(fp);
    if (rc)
        return -1;

    iniparser_set_error_callback(silent_errback);
    dictionary *ini = iniparser_load(path);
    if (!ini) {
        diag_error(d, c->display, 0, "iniparser could not parse the file");
        return -1;
    }
    char full[2 * INI_LINE_MAX + 2];
    for (size_t i = 0; i < c->n_entries; i++) {
        struct cfg_entry *e = &c->entries[i];
        snprintf(full, sizeof full, "%s:%s", e->section, e->key);
        const char *v = iniparser_getstring(ini, full, NULL);
        if (!v) {
            diag_error(d, c->display, e->line, "iniparser lost key '%s' in [%s]", e->key,
                       e->section);
            rc = -1;
            v = "";
        }
        e->value = xstrdup(v);
    }
    iniparser_freedict(ini);
    return rc;
}

int config_set(struct config *c, const char *assignment, struct diag *d)
{
    const char *eq = strchr(assignment, '=');
    const char *dot = NULL;
    if (eq)
        for (const char *p = assignment; p < eq; p++)
            if (*p == '.')
                dot = p;
    if (!eq || !dot || dot == assignment || dot + 1 == eq) {
        diag_error(d, NULL, 0, "bad --set '%s': expected section.key=value", assignment);
        return -1;
    }
    const char *ss = assignment, *ks = dot + 1, *vs = eq + 1;
    size_t sl = (size_t)(dot - assignment), kl = (size_t)(eq - ks), vl = strlen(vs);
    span_trim_ascii(&ss, &sl);
    span_trim_ascii(&ks, &kl);
    span_trim_ascii(&vs, &vl);
    char *sec = lower_dup(ss, sl), *key = lower_dup(ks, kl);
    if (!sl || !kl || strpbrk(key, ".@:")) {
        diag_error(d, NULL, 0, "bad --set '%s': expected section.key=value", assignment);
        free(sec);
        free(key);
        return -1;
    }
    if (!find_section(c, sec))
        add_section(c, xstrdup(sec), 0);
    struct cfg_entry *e = find_entry(c, sec, key);
    if (e) {
        free(key);
        free(e->value);
    } else {
        e = add_entry(c, sec, key, 0, CFG_SET);
    }
    e->value = xstrndup(vs, vl);
    e->source = CFG_SET;
    e->line = 0;
    free(sec);
    return 0;
}

uint64_t config_section_line(const struct config *c, const char *section)
{
    const struct cfg_section *s = find_section(c, section);
    return s ? s->line : 0;
}

/* Remember a lookup that found nothing, for suggestions. Lookups come in runs of the same name
 * (a plan's key is asked in its version's section, then its base's), so only a repeat of the
 * last one is skipped; duplicates further apart cost a little memory, never a wrong answer. */
static void note_asked(struct config *c, const char *section, const char *key)
{
    if (c->n_asked) {
        const struct cfg_name *last = &c->asked[c->n_asked - 1];
        if (strcmp(last->section, section) == 0 &&
            (key ? last->key && strcmp(last->key, key) == 0 : !last->key))
            return;
    }
    VEC_GROW(c->asked, c->cap_asked, c->n_asked + 1);
    c->asked[c->n_asked++] = (struct cfg_name){xstrdup(section), key ? xstrdup(key) : NULL};
}

struct cfg_entry *config_find(struct config *c, const char *section, const char *key)
{
    struct cfg_section *s = find_section(c, section);
    if (s)
        s->used = true;
    struct cfg_entry *e = find_entry(c, section, key);
    if (e)
        e->used = true;
    else
        note_asked(c, section, key);
    return e;
}

bool config_has_section(struct config *c, const char *section)
{
    struct cfg_section *s = find_section(c, section);
    if (s)
        s->used = true;
    else
        note_asked(c, section, NULL);
    return s != NULL;
}

size_t config_sections_with_prefix(const struct config *c, const char *prefix,
                                   const struct cfg_section **out, size_t max)
{
    size_t n = 0, pl = strlen(prefix);
    for (size_t i = 0; i < c->n_sections && n < max; i++)
        if (strncmp(c->sections[i].name, prefix, pl) == 0)
            out[n++] = &c->sections[i];
    return n;
}

static void record_in_force(struct config *c, const char *sec, const char *key, const char *value,
                            const struct cfg_entry *e)
{
    for (size_t i = 0; i < c->n_in_force; i++)
        if (strcmp(c->in_force[i].section, sec) == 0 && strcmp(c->in_force[i].key, key) == 0)
            return;
    VEC_GROW(c->in_force, c->cap_in_force, c->n_in_force + 1);
    struct cfg_entry *f = &c->in_force[c->n_in_force++];
    memset(f, 0, sizeof *f);
    f->section = xstrdup(sec);
    f->key = xstrdup(key);
    f->value = xstrdup(value ? value : "");
    f->source = e ? e->source : CFG_DEFAULT;
    f->line = e ? e->line : 0;
}

void config_error_at(const struct config *c, const struct cfg_entry *e, struct diag *d,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (e && e->source == CFG_SET)
        diag_vadd(d, DIAG_ERROR, "--set", 0, 0, fmt, ap);
    else
        diag_vadd(d, DIAG_ERROR, c->display, e ? e->line : 0, 0, fmt, ap);
    va_end(ap);
}

static int bad_value(struct config *c, struct cfg_entry *e, struct diag *d, const char *expected)
{
    char q[160];
    config_error_at(c, e, d, "bad value '%s' for key '%s' in [%s]: expected %s",
                    diag_quote(q, sizeof q, e->value, strlen(e->value), 120), e->key, e->section,
                    expected);
    return -1;
}

int config_get_str(struct config *c, const char *sec, const char *key, const char *def,
                   const char **out, struct diag *d)
{
    (void)d;
    struct cfg_entry *e = config_find(c, sec, key);
    *out = e ? e->value : def;
    record_in_force(c, sec, key, *out, e);
    return 0;
}

/* Strict whole-string signed integer; no strtol so that "12abc" and " 12" are refused. */
static int parse_int64(const char *s, int64_t *out)
{
    bool neg = false;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    if (!*s)
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned dgt = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - dgt) / 10)
            return -1;
        v = v * 10 + dgt;
    }
    if (v > (uint64_t)INT64_MAX + neg)
        return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int config_get_int(struct config *c, const char *sec, const char *key, int64_t def, int64_t min,
                   int64_t max, int64_t *out, struct diag *d)
{
    struct cfg_entry *e = config_find(c, sec, key);
    *out = def;
    if (!e) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)def);
        record_in_force(c, sec, key, buf, NULL);
        return 0;
    }
    record_in_force(c, sec, key, e->value, e);
    int64_t v;
    if (parse_int64(e->value, &v) || v < min || v > max) {
        char exp[96];
        snprintf(exp, sizeof exp, "a whole number from %lld to %lld", (long long)min,
                 (long long)max);
        return bad_value(c, e, d, exp);
    }
    *out = v;
    return 0;
}

int config_get_bool(struct config *c, const char *sec, const char *key, bool def, bool *out,
                    struct diag *d)
{
    static const char *const names[] = {"false", "true", "no", "yes", "off", "on", "0", "1"};
    size_t idx;
    int rc = config_get_enum(c, sec, key, names, ARRAY_LEN(names), def ? 1 : 0, &idx, d);
    *out = (idx & 1) != 0;
    return rc;
}

int config_get_enum(struct config *c, const char *sec, const char *key, const char *const *names,
                    size_t n_names, size_t def, size_t *out, struct diag *d)
{
    struct cfg_entry *e = config_find(c, sec, key);
    *out = def;
    if (!e) {
        record_in_force(c, sec, key, names[def], NULL);
        return 0;
    }
    record_in_force(c, sec, key, e->value, e);
    for (size_t i = 0; i < n_names; i++) {
        if (ascii_casecmp_n(e->value, strlen(e->value), names[i], strlen(names[i])) == 0) {
            *out = i;
            return 0;
        }
    }
    char exp[256];
    size_t o = (size_t)snprintf(exp, sizeof exp, "one of");
    for (size_t i = 0; i < n_names && o < sizeof exp; i++)
        o += (size_t)snprintf(exp + o, sizeof exp - o, "%s %s", i ? "," : "", names[i]);
    return bad_value(c, e, d, exp);
}

int config_get_decimal(struct config *c, const char *sec, const char *key, const char *def,
                       struct decimal min, struct decimal max, struct decimal *out, struct diag *d)
{
    struct cfg_entry *e = config_find(c, sec, key);
    if (decimal_parse(def, strlen(def), out))
        BUG("bad default decimal");
    record_in_force(c, sec, key, e ? e->value : def, e);
    if (!e)
        return 0;
    struct decimal v;
    if (decimal_parse(e->value, strlen(e->value), &v) || decimal_cmp(v, min) < 0 ||
        decimal_cmp(v, max) > 0) {
        char a[48], b[48], exp[160];
        decimal_format(a, sizeof a, min);
        decimal_format(b, sizeof b, max);
        snprintf(exp, sizeof exp, "a number from %s to %s (a %% sign divides by 100)", a, b);
        return bad_value(c, e, d, exp);
    }
    *out = v;
    return 0;
}

int config_get_day(struct config *c, const char *sec, const char *key, int32_t *out, bool *present,
                   struct diag *d)
{
    struct cfg_entry *e = config_find(c, sec, key);
    *present = false;
    record_in_force(c, sec, key, e ? e->value : "", e);
    if (!e || !e->value[0])
        return 0;
    if (date_parse_day(e->value, out))
        return bad_value(c, e, d, "a date yyyy-mm-dd");
    *present = true;
    return 0;
}

int config_get_path(struct config *c, const char *sec, const char *key, const char *def,
                    const char **out, struct diag *d)
{
    struct cfg_entry *e = config_find(c, sec, key);
    const char *v = e ? e->value : def;
    record_in_force(c, sec, key, v, e);
    *out = NULL;
    if (!v || !*v) {
        if (e)
            return bad_value(c, e, d, "a file or folder path");
        return 0;
    }
    /* The resolved path lives in the in-force record's value, resolved once, so every caller
     * gets the same pointer for the life of the config. */
    struct cfg_entry *f = NULL;
    for (size_t i = 0; i < c->n_in_force && !f; i++)
        if (strcmp(c->in_force[i].section, sec) == 0 && strcmp(c->in_force[i].key, key) == 0)
            f = &c->in_force[i];
    if (!f)
        BUG("config_get_path: value in force not recorded");
    if (!f->used && v[0] != '/' && strcmp(c->dir, ".") != 0) {
        size_t n = strlen(c->dir) + 1 + strlen(v) + 1;
        char *p = xmalloc(n);
        snprintf(p, n, "%s/%s", c->dir, v);
        free(f->value);
        f->value = p;
    }
    f->used = true; /* in in_force entries: the path has been resolved */
    *out = f->value;
    return 0;
}

/* Optimal string alignment distance (Levenshtein plus the swap of two neighbours, as a typist
 * makes them) between a and b, or SIZE_MAX when either is longer than NAME_MAX_SUGGEST. */
#define NAME_MAX_SUGGEST 64
static size_t name_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > NAME_MAX_SUGGEST || m > NAME_MAX_SUGGEST)
        return SIZE_MAX;
    size_t row[3][NAME_MAX_SUGGEST + 1]; /* rows i-2, i-1, i (mod 3) */
    for (size_t j = 0; j <= m; j++)
        row[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t *cur = row[i % 3], *prev = row[(i - 1) % 3], *prev2 = row[(i + 1) % 3];
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = prev[j - 1] + cost;
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
        }
    }
    return row[n % 3][m];
}

/* Is `cand` a close enough misspelling target for `name`, and closer than *best so far? */
static bool closer(const char *name, const char *cand, size_t *best)
{
    size_t dist = name_distance(name, cand);
    size_t n = strlen(name), m = strlen(cand), longer = n > m ? n : m;
    if (dist == 0 || dist > 2 || dist * 3 > longer || dist >= *best)
        return false;
    *best = dist;
    return true;
}

/* The nearest key asked for in `section` (used, or looked up and absent), or NULL. */
static const char *suggest_key(const struct config *c, const char *section, const char *key)
{
    const char *found = NULL;
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < c->n_entries; i++) {
        const struct cfg_entry *e = &c->entries[i];
        if (e->used && strcmp(e->section, section) == 0 && closer(key, e->key, &best))
            found = e->key;
    }
    for (size_t i = 0; i < c->n_asked; i++) {
        const struct cfg_name *a = &c->asked[i];
        if (a->key && strcmp(a->section, section) == 0 && closer(key, a->key, &best))
            found = a->key;
    }
    return found;
}

/* The nearest section asked for (present and used, or looked up and absent), or NULL. */
static const char *suggest_section(const struct config *c, const char *name)
{
    const char *found = NULL;
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < c->n_sections; i++)
        if (c->sections[i].used && closer(name, c->sections[i].name, &best))
            found = c->sections[i].name;
    for (size_t i = 0; i < c->n_asked; i++)
        if (closer(name, c->asked[i].section, &best))
            found = c->asked[i].section;
    return found;
}

int config_check_unused(struct config *c, struct diag *d)
{
    int rc = 0;
    for (size_t i = 0; i < c->n_sections; i++) {
        const struct cfg_section *s = &c->sections[i];
        if (s->used)
            continue;
        const char *near = suggest_section(c, s->name);
        diag_error(d, s->line ? c->display : "--set", s->line, "unknown section [%s]%s%s%s",
                   s->name, near ? "; did you mean [" : "", near ? near : "", near ? "]?" : "");
        rc = -1;
    }
    for (size_t i = 0; i < c->n_entries; i++) {
        struct cfg_entry *e = &c->entries[i];
        struct cfg_section *s = find_section(c, e->section);
        if (!e->used && s && s->used) {
            const char *near = suggest_key(c, e->section, e->key);
            config_error_at(c, e, d, "unknown key '%s' in [%s]%s%s%s", e->key, e->section,
                            near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
            rc = -1;
        }
    }
    return rc;
}

char *config_in_force_text(const struct config *c)
{
    size_t n = 1;
    for (size_t i = 0; i < c->n_in_force; i++) {
        const struct cfg_entry *e = &c->in_force[i];
        n += strlen(e->section) + strlen(e->key) + strlen(e->value ? e->value : "") + 5;
    }
    char *out = xmalloc(n), *p = out;
    for (size_t i = 0; i < c->n_in_force; i++) {
        const struct cfg_entry *e = &c->in_force[i];
        p += sprintf(p, "%s.%s = %s\n", e->section, e->key, e->value ? e->value : "");
    }
    *p = 0;
    return out;
}
