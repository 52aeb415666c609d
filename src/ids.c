/* ids.c — spreadsheet-damage checks, Salesforce 18-character IDs and case folding. */
#include "ids.h"

#include <string.h>

#include "util.h"

const char *id_domain_name(enum id_domain d)
{
    static const char *const names[ID_DOMAIN_N] = {"leads", "campaigns", "people", "deals"};
    return (unsigned)d < ID_DOMAIN_N ? names[d] : "?";
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* d+.d+E[+-]d+ : what Excel shows for a long number in a General cell. */
static bool scientific(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    size_t a = i;
    while (i < n && is_digit(s[i]))
        i++;
    if (i == a)
        return false;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i >= n || (s[i] != 'E' && s[i] != 'e'))
        return false;
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t b = i;
    while (i < n && is_digit(s[i]))
        i++;
    return i == n && i > b;
}

/* An all-digit number followed by ".0": an ID that went through a float column. */
static bool decimal_zero(const char *s, size_t n)
{
    if (n < 3 || s[n - 1] != '0' || s[n - 2] != '.')
        return false;
    for (size_t i = 0; i < n - 2; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

void ids_salesforce_suffix(const char *id15, char out[4])
{
    static const char map[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    for (int chunk = 0; chunk < 3; chunk++) {
        unsigned bits = 0;
        for (int i = 0; i < 5; i++) {
            char c = id15[chunk * 5 + i];
            if (c >= 'A' && c <= 'Z')
                bits |= 1u << i;
        }
        out[chunk] = map[bits];
    }
    out[3] = '\0';
}

int ids_normalize_full(const struct idcfg *cfg, enum id_domain dom, const char *id, size_t len,
                       char *buf, const char **out, size_t *out_len, const char **why)
{
    *out = id;
    *out_len = len;
    if (len > IDS_MAX_LEN) {
        *why = "ID longer than 512 bytes";
        return -1;
    }
    if (len == 0)
        return 0;
    if (id[0] == '#' && spreadsheet_error_literal(id, len)) {
        *why = "ID is a spreadsheet error value";
        return -1;
    }
    if ((is_digit(id[0]) || id[0] == '-' || id[0] == '+') && scientific(id, len)) {
        *why = "ID looks like a number a spreadsheet rewrote in scientific notation";
        return -1;
    }
    if (is_digit(id[0]) && decimal_zero(id, len)) {
        *why = "ID looks like a number a spreadsheet rewrote with a trailing '.0'";
        return -1;
    }
    bool sf = false;
    if (cfg->salesforce && (len == 15 || len == 18)) {
        sf = true;
        for (size_t i = 0; i < len && sf; i++)
            sf = is_alnum(id[i]);
    }
    if (!sf && !cfg->fold[dom])
        return 0;
    memcpy(buf, id, len);
    buf[len] = '\0';
    size_t n = len;
    if (sf) {
        char suffix[4];
        ids_salesforce_suffix(id, suffix);
        if (len == 18) {
            for (int i = 0; i < 3; i++) {
                char c = id[15 + i];
                if (c >= 'a' && c <= 'z')
                    c = (char)(c - 32);
                if (c != suffix[i]) {
                    *why = "18-character Salesforce ID whose suffix contradicts the case of its "
                           "first 15 characters";
                    return -1;
                }
            }
        }
        memcpy(buf + 15, suffix, 4);
        n = 18;
    }
    if (cfg->fold[dom])
        for (size_t i = 0; i < n; i++)
            if (buf[i] >= 'A' && buf[i] <= 'Z')
                buf[i] = (char)(buf[i] + 32);
    *out = buf;
    *out_len = n;
    return 0;
}
