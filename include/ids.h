/* ids.h — normalising identifiers before they are interned.
 *
 * An ID from an input file is trimmed (by the caller), checked for spreadsheet damage (scientific
 * notation like 5.10203E+10, a trailing ".0" on a number, an error value like #N/A), optionally
 * expanded from a 15-character Salesforce ID to its case-safe 18-character form (an 18-character
 * ID whose suffix contradicts its case is refused), and optionally case-folded (ASCII) for its
 * domain. Pure functions; the caller owns every buffer.
 */
#ifndef SAMETABLE_IDS_H
#define SAMETABLE_IDS_H

#include <stdbool.h>
#include <stddef.h>

enum id_domain { ID_LEAD, ID_CAMPAIGN, ID_PERSON, ID_DEAL, ID_DOMAIN_N };

struct idcfg {
    bool salesforce;        /* 15 → 18 characters, 18-character suffix checked */
    bool fold[ID_DOMAIN_N]; /* compare IDs of this domain ignoring ASCII case */
};

#define IDS_MAX_LEN 512

const char *id_domain_name(enum id_domain d);

/* Normalise id[0..len). *out points either at id itself (nothing to change: the common case)
 * or at buf (at least IDS_MAX_LEN + 1 bytes, NUL-terminated); *out_len is its length. Returns 0,
 * or -1 with *why set to a fixed reason ("ID longer than 512 bytes", "ID looks like a number a
 * spreadsheet rewrote in scientific notation", …). An empty id stays empty. */
int ids_normalize_full(const struct idcfg *cfg, enum id_domain dom, const char *id, size_t len,
                       char *buf, const char **out, size_t *out_len, const char **why);

/* Could a spreadsheet have damaged this ID? '#' error values, and numbers whose leading digits
 * are followed by '.', 'E' or 'e' (5.10203E+10, 51020304102.0). */
static inline bool ids_suspect(const char *id, size_t len)
{
    if (id[0] == '#')
        return true;
    size_t i = id[0] == '-' || id[0] == '+';
    if (i >= len || id[i] < '0' || id[i] > '9')
        return false;
    while (i < len && id[i] >= '0' && id[i] <= '9')
        i++;
    return i < len && (id[i] == '.' || id[i] == 'E' || id[i] == 'e');
}

static inline int ids_normalize(const struct idcfg *cfg, enum id_domain dom, const char *id,
                                size_t len, char *buf, const char **out, size_t *out_len,
                                const char **why)
{
    /* The common case: nothing to rewrite and nothing suspicious, so no copy at all. */
    if (!cfg->salesforce && !cfg->fold[dom] && len > 0 && len <= IDS_MAX_LEN &&
        !ids_suspect(id, len)) {
        *out = id;
        *out_len = len;
        return 0;
    }
    return ids_normalize_full(cfg, dom, id, len, buf, out, out_len, why);
}

/* The 3-character case-safe suffix of a 15-character Salesforce ID (out: 4 bytes). */
void ids_salesforce_suffix(const char *id15, char out[4]);

#endif
