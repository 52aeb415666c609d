/* schema.c — the logical fields of each input file (DESIGN §3). */
#include "schema.h"

#include "util.h"

static const struct schema_field campaign_fields[CF_N] = {
    [CF_ID] = {"campaign_id", true},    [CF_NAME] = {"name", true},
    [CF_CHANNEL] = {"channel", true},   [CF_OWNER] = {"owner_id", false},
    [CF_TEAM] = {"team", false},        [CF_SPEND] = {"spend", false},
    [CF_START] = {"start_date", false}, [CF_END] = {"end_date", false},
};

static const struct schema_field touch_fields[TF_N] = {
    [TF_LEAD] = {"lead_id", true},         [TF_AT] = {"touched_at", true},
    [TF_CAMPAIGN] = {"campaign_id", true}, [TF_CHANNEL] = {"channel", false},
    [TF_TYPE] = {"touch_type", false},     [TF_CONTACT] = {"contact_id", false},
};

static const struct schema_field deal_fields[DF_N] = {
    [DF_ID] = {"deal_id", true},          [DF_LEAD] = {"lead_id", true},
    [DF_OWNER] = {"owner_id", true},      [DF_AMOUNT] = {"amount", true},
    [DF_CLOSED] = {"closed_at", true},    [DF_STAGE] = {"stage", false},
    [DF_CURRENCY] = {"currency", false},  [DF_LEAD_CREATED] = {"lead_created_at", false},
    [DF_CREATED] = {"created_at", false}, [DF_CANCELLED] = {"cancelled_at", false},
    [DF_PRODUCT] = {"product", false},    [DF_NAME] = {"name", false},
};

static const struct schema_field person_fields[PF_N] = {
    [PF_ID] = {"person_id", true},       [PF_NAME] = {"name", true},
    [PF_TEAM] = {"team", true},          [PF_ROLE] = {"role", true},
    [PF_PLAN] = {"plan", true},          [PF_MANAGER] = {"manager_id", false},
    [PF_QUOTA] = {"quota", false},       [PF_TARGET] = {"target_incentive", false},
    [PF_START] = {"start_date", false},  [PF_END] = {"end_date", false},
    [PF_CURRENCY] = {"currency", false}, [PF_DRAW] = {"draw", false},
};

static const struct schema_field split_fields[SF_N] = {
    [SF_DEAL] = {"deal_id", true},
    [SF_PERSON] = {"person_id", true},
    [SF_PERCENT] = {"percent", true},
    [SF_TYPE] = {"type", false},
};

static const struct schema_field fx_fields[XF_N] = {
    [XF_CURRENCY] = {"currency", true},
    [XF_RATE] = {"rate_to_base", true},
    [XF_EFFECTIVE] = {"effective_date", true},
};

static const struct schema_field spend_fields[SPF_N] = {
    [SPF_CAMPAIGN] = {"campaign_id", true},
    [SPF_DATE] = {"date", true},
    [SPF_AMOUNT] = {"amount", true},
};

/* contact_id is the id being mapped: a contact, or a lead merged into another. */
static const struct schema_field identity_fields[IF_N] = {
    [IF_CONTACT] = {"contact_id", true},
    [IF_LEAD] = {"lead_id", true},
};

/* currency is optional: the file's ([format.<file>] currency, else [format], else [run]). */
static const struct schema_field adjustment_fields[ADJF_N] = {
    [ADJF_ID] = {"adjustment_id", true},     [ADJF_PERSON] = {"person_id", true},
    [ADJF_PERIOD] = {"period", true},        [ADJF_AMOUNT] = {"amount", true},
    [ADJF_CURRENCY] = {"currency", false},   [ADJF_REASON] = {"reason", true},
    [ADJF_APPROVED] = {"approved_by", true},
};

static const struct schema_field payment_fields[PAYF_N] = {
    [PAYF_ID] = {"payment_id", true},      [PAYF_DEAL] = {"deal_id", true},
    [PAYF_PAID] = {"paid_at", true},       [PAYF_AMOUNT] = {"amount", true},
    [PAYF_CURRENCY] = {"currency", false},
};

static const struct schema schemas[INPUT_N] = {
    [INPUT_CAMPAIGNS] = {"campaigns", true, CF_N, campaign_fields},
    [INPUT_TOUCHES] = {"touches", true, TF_N, touch_fields},
    [INPUT_DEALS] = {"deals", true, DF_N, deal_fields},
    [INPUT_PEOPLE] = {"people", false, PF_N, person_fields},
    [INPUT_SPLITS] = {"splits", false, SF_N, split_fields},
    [INPUT_FX] = {"fx", false, XF_N, fx_fields},
    [INPUT_SPEND] = {"spend", false, SPF_N, spend_fields},
    [INPUT_IDENTITIES] = {"identities", false, IF_N, identity_fields},
    [INPUT_ADJUSTMENTS] = {"adjustments", false, ADJF_N, adjustment_fields},
    [INPUT_PAYMENTS] = {"payments", false, PAYF_N, payment_fields},
};

const struct schema *schema_get(enum input_kind kind)
{
    if ((unsigned)kind >= INPUT_N)
        BUG("schema_get: bad kind");
    return &schemas[kind];
}
