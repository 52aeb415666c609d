/* config.h — the INI file (plus --set overrides) as typed settings with source locations.
 *
 * The only module that includes <iniparser.h>. Loading is two steps: a pre-scan of the file gives
 * every section and key its line (iniparser keeps none) and reports what iniparser would silently
 * accept (duplicate sections and keys, over-long lines, a comment after a section header); then
 * iniparser supplies the values. --set overrides replace or add entries. Every typed getter marks
 * its entry used; config_check_unused() turns every entry nobody asked for into an error, so a
 * mistyped key never goes unnoticed (DESIGN §7a "Config").
 *
 * Section and key names are lower-cased, as iniparser does. Values are kept as strings; getters
 * parse them and report "sametable.ini:12: bad value 'x' for key 'lookback_days' in [attribution]:
 * expected a whole number from 0 to 3650". A struct config owns all its strings.
 */
#ifndef SAMETABLE_CONFIG_H
#define SAMETABLE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "diag.h"
#include "money.h"

enum cfg_source { CFG_DEFAULT, CFG_FILE, CFG_SET };

struct cfg_entry {
    char *section; /* lower-cased section name ("attribution", "plan.ae.commission") */
    char *key;     /* lower-cased key */
    char *value;   /* as iniparser returns it (comments stripped, quotes removed) */
    uint64_t line; /* line in the INI file, 0 for --set */
    enum cfg_source source;
    bool used; /* some getter asked for it */
};

struct cfg_name {
    char *section; /* lower-cased section name */
    char *key;     /* lower-cased key, NULL when only the section was asked for */
};

struct cfg_section {
    char *name;
    uint64_t line;
    bool used;
};

struct config {
    char *path;    /* the INI file as given */
    char *display; /* its base name, for messages */
    char *dir;     /* its folder: relative paths in the INI are relative to it */
    struct cfg_entry *entries;
    size_t n_entries, cap_entries;
    struct cfg_section *sections;
    size_t n_sections, cap_sections;
    /* Every value in force, including defaults, in the order asked for: for the Run sheet. */
    struct cfg_entry *in_force;
    size_t n_in_force, cap_in_force;
    /* Lookups that found nothing ({section, key}, key NULL for a section), in the order asked:
     * with the used entries, the names an unknown key or section may be a misspelling of. */
    struct cfg_name *asked;
    size_t n_asked, cap_asked;
};

void config_init(struct config *c);
void config_release(struct config *c);

/* Load `path`. Returns 0, or -1 with errors in d (a missing file, a syntax error, duplicates). */
int config_load(struct config *c, const char *path, struct diag *d);

/* Every value in force (the INI's, --set's and the defaults asked for), one "section.key = value"
 * line each, in the order asked: what a ledger records with a run. The caller frees it. */
char *config_in_force_text(const struct config *c);

/* Apply "section.key=value" (split at the last dot before '='). Returns 0 or -1 with an error. */
int config_set(struct config *c, const char *assignment, struct diag *d);

/* Look up an entry (marks it and its section used), or NULL. */
struct cfg_entry *config_find(struct config *c, const char *section, const char *key);
/* The line of a section's header, 0 if unknown or only from --set. */
uint64_t config_section_line(const struct config *c, const char *section);
/* Does the INI (or --set) have this section? Marks it used. */
bool config_has_section(struct config *c, const char *section);
/* Sections whose name starts with prefix (e.g. "plan."), in file order; returns how many were
 * written to out (at most max). Does not mark them used. */
size_t config_sections_with_prefix(const struct config *c, const char *prefix,
                                   const struct cfg_section **out, size_t max);

/* Typed getters: the value if present and valid, else the default. On a bad value they add an
 * error naming file:line, key, section and what was expected, return -1, and leave *out at the
 * default. Each records the value in force. */
int config_get_str(struct config *c, const char *sec, const char *key, const char *def,
                   const char **out, struct diag *d);
int config_get_int(struct config *c, const char *sec, const char *key, int64_t def, int64_t min,
                   int64_t max, int64_t *out, struct diag *d);
int config_get_bool(struct config *c, const char *sec, const char *key, bool def, bool *out,
                    struct diag *d);
/* One of a fixed set of words (case-insensitive); *out is the index into names. */
int config_get_enum(struct config *c, const char *sec, const char *key, const char *const *names,
                    size_t n_names, size_t def, size_t *out, struct diag *d);
/* An exact decimal; percent signs allowed ("5%" = 0.05). Range checked inclusively. */
int config_get_decimal(struct config *c, const char *sec, const char *key, const char *def,
                       struct decimal min, struct decimal max, struct decimal *out, struct diag *d);
/* A calendar date yyyy-mm-dd; `present` says whether a value was given (no default). */
int config_get_day(struct config *c, const char *sec, const char *key, int32_t *out, bool *present,
                   struct diag *d);
/* A path, resolved against the INI file's folder unless absolute; NULL default = not set.
 * *out is owned by the config. */
int config_get_path(struct config *c, const char *sec, const char *key, const char *def,
                    const char **out, struct diag *d);

/* Report an error on an entry's line: "file:line: <message>" (for checks done by other modules). */
void config_error_at(const struct config *c, const struct cfg_entry *e, struct diag *d,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Every entry and section that no getter asked for becomes an error ("unknown key 'x' in [y]"),
 * with the nearest name that was asked for in the same section when it is close (an edit
 * distance of at most 2, and at most a third of the longer name): "unknown key 'lookbak_days' in
 * [attribution]; did you mean 'lookback_days'?", "unknown section [atribution]; did you mean
 * [attribution]?". Returns 0 or -1. */
int config_check_unused(struct config *c, struct diag *d);

#endif
