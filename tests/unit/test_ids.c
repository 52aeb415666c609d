/* test_ids.c — ID normalisation: spreadsheet damage, Salesforce 18-character IDs, case folding. */
#include <criterion/criterion.h>
#include <string.h>

#include "ids.h"

/* The suffix of "001A0000006Vm9r", worked by hand: chunk "001A0" has an upper-case letter at
 * position 3 → 1<<3 = 8 → 'I'; "00000" → 0 → 'A'; "6Vm9r" has 'V' at position 1 → 2 → 'C'.
 * "001A0000006Vm9rIAC" is also the example Salesforce's own documentation gives. */
Test(ids, salesforce_suffix_matches_the_worked_example)
{
    char out[4];
    ids_salesforce_suffix("001A0000006Vm9r", out);
    cr_assert_str_eq(out, "IAC");
    /* All five upper case in every chunk: 31 → '5'. */
    ids_salesforce_suffix("ABCDEFGHIJKLMNO", out);
    cr_assert_str_eq(out, "555");
}

Test(ids, normalisation_follows_the_documented_rules)
{
    static const struct {
        bool salesforce, fold;
        const char *in;
        const char *out; /* NULL: rejected */
        const char *why; /* a word the reason must contain */
    } cases[] = {
        {false, false, "L000123", "L000123", NULL},
        {false, false, "", "", NULL},
        {false, false, "#N/A", NULL, "spreadsheet error"},
        {false, false, "#value!", NULL, "spreadsheet error"},
        {false, false, "5.10203E+10", NULL, "scientific"},
        {false, false, "5.10203e-3", NULL, "scientific"},
        {false, false, "51020304102.0", NULL, ".0"},
        {false, false, "51020304102", "51020304102", NULL},
        {false, false, "5.1", "5.1", NULL},
        {false, false, "E10", "E10", NULL},
        /* Case folding only when asked. */
        {false, true, "Lead-ABC", "lead-abc", NULL},
        {false, false, "Lead-ABC", "Lead-ABC", NULL},
        /* Salesforce: 15 → 18, 18 checked against its own first 15 characters. */
        {true, false, "001A0000006Vm9r", "001A0000006Vm9rIAC", NULL},
        {true, false, "001A0000006Vm9rIAC", "001A0000006Vm9rIAC", NULL},
        {true, false, "001A0000006Vm9riac", "001A0000006Vm9rIAC", NULL},
        {true, false, "001A0000006Vm9rIAD", NULL, "suffix"},
        /* Lower-cased by a tool: the first 15 now say "AAA", the suffix says "IAC". */
        {true, false, "001a0000006vm9riac", NULL, "suffix"},
        /* Not Salesforce-shaped: left alone. */
        {true, false, "ABC-DEF-GHI-JKL", "ABC-DEF-GHI-JKL", NULL},
        {true, false, "L000123", "L000123", NULL},
        /* Salesforce then folded: the 18-character form is safe to compare ignoring case. */
        {true, true, "001A0000006Vm9r", "001a0000006vm9riac", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct idcfg cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.salesforce = cases[i].salesforce;
        cfg.fold[ID_LEAD] = cases[i].fold;
        char buf[IDS_MAX_LEN + 1];
        const char *out = NULL, *why = NULL;
        size_t n = 0;
        int rc =
            ids_normalize(&cfg, ID_LEAD, cases[i].in, strlen(cases[i].in), buf, &out, &n, &why);
        if (!cases[i].out) {
            cr_assert_eq(rc, -1, "case %zu '%s' should be rejected", i, cases[i].in);
            cr_assert(why && strstr(why, cases[i].why), "case %zu: reason '%s'", i,
                      why ? why : "(none)");
            continue;
        }
        cr_assert_eq(rc, 0, "case %zu '%s' rejected: %s", i, cases[i].in, why ? why : "");
        cr_assert_eq(n, strlen(cases[i].out), "case %zu length", i);
        cr_assert(memcmp(out, cases[i].out, n) == 0, "case %zu: got '%.*s', want '%s'", i, (int)n,
                  out, cases[i].out);
    }
}

Test(ids, an_unchanged_id_is_not_copied)
{
    struct idcfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.fold[ID_CAMPAIGN] = true; /* folding campaigns must not touch leads */
    static const char id[] = "Lead-7";
    char buf[IDS_MAX_LEN + 1];
    const char *out, *why;
    size_t n;
    cr_assert_eq(ids_normalize(&cfg, ID_LEAD, id, 6, buf, &out, &n, &why), 0);
    cr_assert_eq(out, id);
    cr_assert_eq(ids_normalize(&cfg, ID_CAMPAIGN, id, 6, buf, &out, &n, &why), 0);
    cr_assert_eq(out, buf);
    cr_assert_str_eq(buf, "lead-7");
}

Test(ids, an_overlong_id_is_rejected)
{
    struct idcfg cfg;
    memset(&cfg, 0, sizeof cfg);
    char big[IDS_MAX_LEN + 2];
    memset(big, 'x', sizeof big);
    char buf[IDS_MAX_LEN + 1];
    const char *out, *why;
    size_t n;
    cr_assert_eq(ids_normalize(&cfg, ID_DEAL, big, IDS_MAX_LEN, buf, &out, &n, &why), 0);
    cr_assert_eq(ids_normalize(&cfg, ID_DEAL, big, IDS_MAX_LEN + 1, buf, &out, &n, &why), -1);
}
