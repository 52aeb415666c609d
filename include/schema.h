/* schema.h — the logical fields of every input file, and which are required.
 *
 * A logical field (deal_id, amount, …) is read from the physical column named in the INI's
 * [columns.<file>] section, or from a column whose header is the logical name itself. These
 * tables are static and owned by schema.c.
 */
#ifndef SAMETABLE_SCHEMA_H
#define SAMETABLE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

enum input_kind {
    INPUT_CAMPAIGNS,
    INPUT_TOUCHES,
    INPUT_DEALS,
    INPUT_PEOPLE,
    INPUT_SPLITS,
    INPUT_FX,
    INPUT_SPEND, /* spend by date: replaces the spread of the campaigns it names (DESIGN §7b) */
    INPUT_IDENTITIES,  /* contact or merged lead id → lead id, applied before the join (§7b) */
    INPUT_ADJUSTMENTS, /* manual adjustments finance enters by hand (issue 13, the ledger) */
    INPUT_PAYMENTS,    /* customer payments, for pay on collection (issue 13, the ledger) */
    INPUT_N
};

/* Field indexes per file; each enum ends with its count. */
enum campaign_field {
    CF_ID,
    CF_NAME,
    CF_CHANNEL,
    CF_OWNER,
    CF_TEAM,
    CF_SPEND,
    CF_START,
    CF_END,
    CF_N
};
enum touch_field { TF_LEAD, TF_AT, TF_CAMPAIGN, TF_CHANNEL, TF_TYPE, TF_CONTACT, TF_N };
enum deal_field {
    DF_ID,
    DF_LEAD,
    DF_OWNER,
    DF_AMOUNT,
    DF_CLOSED,
    DF_STAGE,
    DF_CURRENCY,
    DF_LEAD_CREATED,
    DF_CREATED,
    DF_CANCELLED,
    DF_PRODUCT,
    DF_NAME,
    DF_N
};
enum person_field {
    PF_ID,
    PF_NAME,
    PF_TEAM,
    PF_ROLE,
    PF_PLAN,
    PF_MANAGER,
    PF_QUOTA,
    PF_TARGET,
    PF_START,
    PF_END,
    PF_CURRENCY,
    PF_DRAW,
    PF_N
};
enum split_field { SF_DEAL, SF_PERSON, SF_PERCENT, SF_TYPE, SF_N };
enum fx_field { XF_CURRENCY, XF_RATE, XF_EFFECTIVE, XF_N };
enum spend_field { SPF_CAMPAIGN, SPF_DATE, SPF_AMOUNT, SPF_N };
enum identity_field { IF_CONTACT, IF_LEAD, IF_N };
enum adjustment_field {
    ADJF_ID,
    ADJF_PERSON,
    ADJF_PERIOD,
    ADJF_AMOUNT,
    ADJF_CURRENCY,
    ADJF_REASON,
    ADJF_APPROVED,
    ADJF_N
};
enum payment_field { PAYF_ID, PAYF_DEAL, PAYF_PAID, PAYF_AMOUNT, PAYF_CURRENCY, PAYF_N };

#define SCHEMA_MAX_FIELDS 12
_Static_assert(CF_N <= SCHEMA_MAX_FIELDS && TF_N <= SCHEMA_MAX_FIELDS &&
                   DF_N <= SCHEMA_MAX_FIELDS && PF_N <= SCHEMA_MAX_FIELDS &&
                   SF_N <= SCHEMA_MAX_FIELDS && XF_N <= SCHEMA_MAX_FIELDS &&
                   SPF_N <= SCHEMA_MAX_FIELDS && IF_N <= SCHEMA_MAX_FIELDS &&
                   ADJF_N <= SCHEMA_MAX_FIELDS && PAYF_N <= SCHEMA_MAX_FIELDS,
               "SCHEMA_MAX_FIELDS must hold every file's fields");

struct schema_field {
    const char *name; /* logical name, also the [columns.<file>] key and the default header */
    bool required;
};

struct schema {
    const char *name; /* "deals": the [inputs] key and the <file> in [format.<file>] */
    bool required;    /* must [inputs] name it? */
    size_t n_fields;
    const struct schema_field *fields;
};

const struct schema *schema_get(enum input_kind kind);

#endif
