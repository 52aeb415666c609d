/* payout.h — payout lines: what each person is owed, one explained line at a time (DESIGN §5).
 *
 * For every person with a plan and every component of it, the engine walks the attainment
 * periods from the first kept day to the end of the payout window, deals in close order (ties by
 * deal id), and produces lines:
 *   - per deal (commission, override with basis per_deal or period_to_date; spif): the deal's
 *     credit to the measure, the cumulative measure before and after it, the tier slices
 *     (amount × rate, unrounded), the exact sum, the line rounded half away from zero once, and
 *     what gates and caps did to it;
 *   - per period (bonus, pool share, commission with basis period_total), posted on the last day
 *     of the attainment period;
 *   - clawbacks: exactly minus a cancelled deal's original line(s), posted on the cancel day;
 *   - collections (component key pay_on): a deal line paying part on booking pays that part on
 *     its close day and the rest as the customer pays, one line per payment (of the deals file's
 *     kept deal), posted on its paid day (the close day when paid earlier): the cumulative pay
 *     after the payment, C × min(1, collected ÷ deal amount) rounded once, minus the same before
 *     it (L: the deal's line as computed at booking, never re-tiered; C = L − its booking part,
 *     so the parts total L); a cancelled deal's payments after its cancel day pay nothing, and
 *     its clawback gives back the booking part and the collections posted up to the cancel day;
 *   - carried cap excess, posted on the first day of the next attainment period of the year;
 *   - a payee cap adjustment per payout window.
 * Only lines posted inside the payout window are kept; the rest were paid (or will be paid) by
 * other runs. A person's total is the sum of their rounded lines. The struct payouts owns its
 * arrays.
 *
 * Payroll pays per person and payout period (DESIGN §7b): the payout period of a line is the
 * period of the plan's payout_period (in force on the window's last day) holding its post day,
 * so a run over 2026-Q3 on monthly plans has three payout periods per person, each exactly what
 * that month's own run pays. A person has a row for a payout period when they were active at
 * least one day of it or have lines in it (a clawback reaches a leaver); a row's payable amount
 * is never below 0.00 — the shortfall is kept as `to_recover`. A plan's draw then tops a row up
 * to a guaranteed amount and recovers a recoverable draw from later rows (payout_draw_step); the
 * draw balance is carried between runs only by the ledger (payout_input.draw_in).
 */
#ifndef SAMETABLE_PAYOUT_H
#define SAMETABLE_PAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "attrib.h"
#include "dataset.h"
#include "incent.h"
#include "period.h"
#include "plan.h"
#include "settings.h"

enum line_kind {
    LINE_DEAL,       /* one deal's pay under a per-deal component */
    LINE_PERIOD,     /* a period-level component (bonus, period_total commission) */
    LINE_POOL,       /* a member's share of a pool */
    LINE_CLAWBACK,   /* minus a cancelled deal's original line */
    LINE_CARRY,      /* cap excess carried from an earlier attainment period */
    LINE_PAYEE_CAP,  /* the plan's cap_payee, applied to the payout window */
    LINE_COLLECTION, /* pay_on: a deal line's payment share, as one customer payment collects */
    /* Lines the ledger adds (settle.h), posted on the window's last day: */
    LINE_TRUEUP,        /* recomputed − paid for a line of a closed payout period */
    LINE_UNCLOSED,      /* a line of an earlier payout period that no close has paid */
    LINE_LATE_CLAWBACK, /* a cancellation dated in an earlier payout period, found now */
    LINE_MANUAL,        /* a manual adjustment (adjustments input) */
};

#define PAYOUT_NOTE_MAX 120

struct payout_line {
    uint32_t person; /* person id */
    const struct plan *plan;
    const struct plan_version *version;
    const struct component *component; /* NULL for LINE_PAYEE_CAP */
    enum line_kind kind;
    uint32_t deal;        /* deal table row, or ID_NONE */
    int32_t post_day;     /* business day the line posts on */
    struct period attain; /* attainment period */
    int32_t about_day;    /* ledger lines (LINE_TRUEUP …): the last day of the payout period the
                           * line is about; 0 otherwise */
    enum line_kind about_kind; /* ledger lines: the kind of the line it is about */
    int64_t credit;        /* the deal's credit to the measure (deal lines), or the period's total;
                            * LINE_MANUAL: the adjustments table row */
    int64_t before, after; /* cumulative measure in the attainment period around the deal */
    struct rat quota;      /* effective quota or goal (0 when the component uses none) */
    struct rat target;     /* effective target incentive (bonus, pool by target) */
    struct rat attainment; /* after / quota, unrounded (0 when there is no quota) */
    int32_t active_days, period_days; /* proration of quota and target */
    size_t slice0, n_slices;          /* into payouts.slices */
    struct rat raw;                   /* exact pay before rounding (weight applied) */
    int64_t rounded;                  /* raw rounded half away from zero */
    int64_t capped;                   /* cents removed by caps (<= 0 for a positive line) */
    int64_t amount;                   /* rounded + capped: what the line pays */
    /* L, the deal's line as computed at booking (LINE_DEAL, LINE_COLLECTION of a component with
     * pay_on): a LINE_DEAL's amount is L × booking share rounded (capped holds the caps and the
     * share not paid on booking); a LINE_COLLECTION's rounded is the cumulative collection pay
     * after its payment (raw, exact) and capped minus what the deal's earlier payments paid; its
     * credit is the payment, before and after the collected amount around it. 0 otherwise. */
    int64_t booked;
    uint32_t row; /* into payouts.rows: the person's row of the line's payout
                   * period */
    /* "gate 25% not reached", "cap_deal 5,000.00", "clawback of 2026-08 line"; "" when none,
     * never NULL; at most PAYOUT_NOTE_MAX - 1 bytes, in the payouts' arena */
    const char *note;
};

enum payout_issue_kind {
    PAYOUT_OWNER_UNKNOWN,  /* the deal's owner is not in the people file */
    PAYOUT_OWNER_NO_PLAN,  /* the owner has no plan */
    PAYOUT_OWNER_INACTIVE, /* the owner was not active on the close date */
    PAYOUT_SPIF_PAYEE_UNKNOWN,
};

struct payout_issue {
    enum payout_issue_kind kind;
    uint32_t deal;                /* deal table row, or ID_NONE */
    uint32_t person;              /* person id, ID_NONE for PAYOUT_SPIF_PAYEE_UNKNOWN */
    const struct component *spif; /* PAYOUT_SPIF_PAYEE_UNKNOWN: the SPIF whose payee column
                                   * names no one in the people file */
};

/* One person in one payout period: one payroll row. */
struct payout_row {
    uint32_t person;       /* person id */
    uint32_t pp;           /* payout period number, 1-based into payouts.periods */
    size_t line0, n_lines; /* into payouts.line_index: the row's lines */
    int64_t earned;        /* sum of the lines posted in the payout period (reporting currency) */
    int64_t payable;       /* max(0, earned): what payroll pays; never below 0.00 */
    int64_t to_recover;    /* max(0, -earned): the shortfall, recovering it is finance's decision */
    int64_t pay;           /* payable in the person's currency (rounded once) */
    int32_t rate_day;      /* the day whose FX rate converted payable into pay; DAY_NONE when the
                            * person is paid in the reporting currency */
    int64_t revenue;       /* own revenue (after splits) of deals closed in the payout period */
    uint32_t deals;        /* deals with own revenue credit closed in the payout period */
    struct rat quota;      /* own-revenue quota for the payout period: the stated quota × payout
                            * period / quota period × active days / days, when a component measures
                            * own revenue against quota (0 otherwise) */
    struct rat target;     /* target incentive for the payout period, the same way (0 if none) */
    size_t measure0, n_measures; /* into payouts.measures */
    /* With a ledger (payout_input.balance_in), on the person's last row of the window: */
    int64_t balance_in;  /* negative balance carried in from closed periods (>= 0) */
    int64_t recovered;   /* of it, taken from this row: min(balance, share × earned) (>= 0) */
    int64_t balance_out; /* carried out: balance_in − recovered + to_recover − forgiven */
    int64_t forgiven;    /* a leaver's balance forgiven (plan key forgive_on_leave) */
    /* A draw (plan key draw, people column draw), on every row, after the recovery above:
     * payable before the draw = max(0, earned − recovered); payable after it = that + draw_paid −
     * draw_recovered. */
    int64_t draw;           /* the guarantee applying to the row (0: none applies) */
    int64_t draw_in;        /* recoverable draw balance carried in (>= 0) */
    int64_t draw_paid;      /* paid up to the guarantee (>= 0) */
    int64_t draw_recovered; /* taken back from this payout toward the draw balance (>= 0) */
    int64_t draw_forgiven;  /* what was still owed when the recovery window ended (or a leaver's,
                             * forgive_on_leave) */
    int64_t draw_out;       /* carried out: draw_in + draw_paid (recoverable) − draw_recovered −
                             * draw_forgiven */
};

/* A component measured in a payout period (commission, override, bonus): its measure credited in
 * the attainment period holding the payout period's last day, through that day, against its
 * effective quota or goal. This is the person's attainment on that component — never a line's. */
struct payout_measure {
    uint32_t row;                      /* into payouts.rows */
    const struct component *component; /* the component in force at the attainment period's end */
    struct period attain;              /* attainment period */
    int64_t measure;                   /* minor units (deals for won_deals) */
    struct rat quota;      /* effective quota or goal; 0 when the component pays on no quota */
    struct rat attainment; /* measure / quota, unrounded; 0 without a quota */
};

struct payouts {
    struct payout_line *lines; /* by person (people-file order), component, post day */
    struct arena notes;        /* the lines' notes */
    size_t n_lines, cap_lines;
    size_t *person_line0;  /* per person id: index of their first line */
    size_t *person_nlines; /* per person id: how many lines (contiguous from person_line0) */
    struct slice *slices;
    size_t n_slices, cap_slices;
    int64_t *person_total;   /* per person id: sum of the window's lines */
    int64_t *person_revenue; /* own revenue (after splits) of deals closed in the window */
    uint32_t *person_deals;  /* deals with own revenue credit closed in the window */
    uint32_t n_people;
    int64_t total;
    /* Payroll rows: by person (people-file order), then payout period. What payroll pays is in
     * each person's currency (people file `currency`, default the reporting currency): payable
     * divided by the FX rate in force on the payout period's last day (or as-of, the earlier;
     * `[run] payment_fx_date = as_of`: on as-of), rounded once (DESIGN §5, §7a FX, §7b). */
    struct payout_row *rows;
    size_t n_rows;
    size_t *person_row0;    /* per person id: index of their first row */
    uint32_t *person_nrows; /* per person id: how many rows (0: not in the run) */
    size_t *line_index;     /* line indexes grouped by row (rows' line0/n_lines point here) */
    struct payout_measure *measures; /* by row, then component in plan order */
    size_t n_measures;
    struct period *periods; /* the run's payout periods, by last day (shorter first) */
    uint32_t n_periods;
    int64_t to_recover; /* sum of the rows' to_recover */
    bool any_foreign_payee;
    struct payout_issue *issues;
    size_t n_issues, cap_issues;
};

/* A line the ledger adds to a run (settle.h). */
struct payout_extra {
    uint32_t person;
    const struct plan *plan;
    const struct component *component; /* the component it is about, or NULL */
    enum line_kind kind;               /* LINE_TRUEUP … LINE_MANUAL */
    uint32_t deal;                     /* deal table row, or ID_NONE */
    int32_t post_day;
    struct period attain;      /* the attainment period of the line it is about */
    int32_t about_day;         /* the last day of the payout period it is about */
    enum line_kind about_kind; /* the kind of the line it is about */
    int64_t amount;
    const char *note; /* copied into the payouts' notes (cut at PAYOUT_NOTE_MAX - 1 bytes) */
    uint32_t ref;     /* LINE_MANUAL: the adjustments table row (kept in the line's credit) */
};

/* A clawback the ledger sets: the clawback line of (deal, person, component) pays `amount`. */
struct payout_clawback_fix {
    uint32_t deal, person;
    const struct component *component;
    int64_t amount;
};
int payout_fix_cmp(const void *a, const void *b);

struct payout_input {
    const struct dataset *ds;
    const struct plan_set *plans;
    const struct settings *s;
    /* Attribution over every kept deal (not only the window's), with every model the plans
     * name; NULL when no plan measures attributed or sourced revenue. */
    const struct attribution *attr;
    struct period window; /* the payout period of the run */
    int32_t as_of;        /* deals closed after it are not credited */
    /* Earned amounts only (the year-to-date figures of statements): the lines, without their
     * slices (n_slices 0), those of one person, component, kind and day kept as one line with
     * their summed amount (its other fields the first's), and the per-person totals; no rows,
     * measures or payees' currencies (no payment rates needed for months already paid). */
    bool earned_only;
    /* With earned_only: keep every line as it is (the ledger compares them one by one). */
    bool keep_lines;
    /* The ledger's lines for this run (settle.h), kept when their post day is in the window. */
    const struct payout_extra *extras;
    size_t n_extras;
    /* Clawbacks the ledger fixes: what was paid for the deal, not the line recomputed now;
     * sorted by deal, person, component (payout_fix_cmp). */
    const struct payout_clawback_fix *fixes;
    size_t n_fixes;
    /* Per person id: the negative balance carried in from closed periods (the ledger), or NULL
     * without a ledger. */
    const int64_t *balance_in;
    /* Per person id: the recoverable draw balance carried in from closed periods (the ledger),
     * or NULL: every run then starts from a zero draw balance. */
    const int64_t *draw_in;
};

enum payout_status {
    PAYOUT_OK = 0,
    PAYOUT_ECONFIG = -1,
    PAYOUT_EOVERFLOW = -2,
    PAYOUT_EFX = -3, /* no FX rate to pay a person in their currency (exit 65) */
};

/* Compute every line. Returns an enum payout_status; errors (file:line) in d: a person naming an
 * unknown plan, a missing quota or target where the plan needs one, revenue splits of a deal not
 * totalling 100% (all PAYOUT_ECONFIG), or arithmetic that does not fit (PAYOUT_EOVERFLOW). */
int payout_run(struct payouts *p, const struct payout_input *in, struct diag *d);
void payout_release(struct payouts *p);

/* An earned_only run kept line by line (keep_lines), once its lines have been compared: lines of
 * one person, component, kind and day merged into one (their amounts summed), as earned_only
 * keeps them, and the array shrunk. Totals are unchanged. */
void payout_compact(struct payouts *p);

/* The first day whose deals a run over `window` needs: the start of the longest attainment period
 * containing the window's first day, reaching back far enough for clawbacks, and to the start of
 * that year when a cap carries its excess. */
int32_t payout_keep_first(const struct plan_set *plans, const struct period *window);

/* What a run over `window` must keep at ingest: deals closed from payout_keep_first to the
 * window's end, deals cancelled in the window (their clawbacks post there), and the deal columns
 * the plans read. Sets those fields of *w, leaves the others. */
struct ingest_window;
void payout_ingest_window(const struct plan_set *plans, const struct period *window,
                          struct ingest_window *w);

/* The attribution the plans measure (attributed and sourced revenue): attrib_run over every
 * kept deal, from payout_keep_first to the window's end, with the models the plans name, into
 * *a. Returns a, or NULL without touching *a when no plan needs it. */
const struct attribution *payout_attribution(struct attribution *a, const struct dataset *ds,
                                             const struct lead_index *ix, const struct settings *s,
                                             const struct plan_set *plans,
                                             const struct period *window);

/* One payroll row's draw (plan.h "draw"), pure arithmetic. `payable` is the row's payout before
 * the draw (>= 0); `balance` the draw balance carried in. When the guarantee applies and the
 * payout is below `amount`, the row pays `amount` (draw_paid = amount − payable, added to the
 * balance when recoverable); otherwise, while `recover` holds, it recovers min(balance, cap,
 * round_half_away(share × (payable − the guarantee applied, or 0)))). `forgive` drops what is
 * still owed at the end. Returns 0, or -1 on arithmetic that does not fit. */
struct payout_draw_terms {
    int64_t amount;       /* the guarantee, minor units; 0 = none */
    bool applies;         /* the guarantee applies to this row */
    bool recoverable;     /* what it pays is added to the balance */
    bool recover;         /* recovery is still allowed (draw_recovery_until not passed) */
    bool forgive;         /* forgive the balance left at the end of the row */
    struct decimal share; /* of the payout above the guarantee */
    int64_t cap;          /* per payout period, -1 = none */
};
struct payout_draw_step {
    int64_t paid, recovered, forgiven;
    int64_t payable; /* after the draw */
    int64_t balance; /* carried out */
};
int payout_draw_step(int64_t payable, int64_t balance, const struct payout_draw_terms *t,
                     struct payout_draw_step *out);

const char *line_kind_name(enum line_kind k);
/* Is `who` among the transitive reports of `mgr` (manager_id, at most 64 levels)? */
bool payout_reports_to(const struct person_table *pt, uint32_t who, uint32_t mgr);
const char *payout_issue_text(enum payout_issue_kind k);

#endif
