/* plan.h — incentive plans from the INI's [plan.<id>] and [plan.<id>.<component>] sections.
 *
 * This first version knows one component type: a flat-rate commission on the person's own
 * closed-won revenue (`type = commission`, `measure = own_revenue`, `rate = 3%`), paid one line
 * per deal. Every key of every plan section is validated; anything else is a config error with
 * file:line. A struct plan_set owns its plans; strings point into the struct config.
 */
#ifndef SAMETABLE_PLAN_H
#define SAMETABLE_PLAN_H

#include <stddef.h>

#include "config.h"
#include "money.h"

enum component_type { COMPONENT_COMMISSION };
enum measure { MEASURE_OWN_REVENUE };

struct component {
    const char *id; /* the <component> part of the section name */
    enum component_type type;
    enum measure measure;
    struct decimal rate; /* exact rate, 0.03 for 3% */
};

struct plan {
    const char *id;   /* lower-cased plan id, as people files name it */
    const char *name; /* display name (defaults to the id) */
    struct component *components;
    size_t n_components;
};

struct plan_set {
    struct plan *plans;
    size_t n;
};

/* Read every [plan.*] section. Returns 0 or -1 with file:line errors in d. */
int plan_load(struct plan_set *ps, struct config *c, struct diag *d);
void plan_release(struct plan_set *ps);
const struct plan *plan_find(const struct plan_set *ps, const char *id);

#endif
