/* plan.c — reading and validating plan sections. */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define PLAN_SECTIONS_MAX 4096

static int load_component(struct component *comp, struct config *c, const char *sec, struct diag *d)
{
    static const char *const types[] = {"commission"};
    static const char *const measures[] = {"own_revenue"};
    int rc = 0;
    size_t v;
    if (!config_find(c, sec, "type")) {
        diag_error(d, c->display, config_section_line(c, sec), "[%s] needs 'type = commission'",
                   sec);
        return -1;
    }
    rc |= config_get_enum(c, sec, "type", types, ARRAY_LEN(types), 0, &v, d);
    comp->type = (enum component_type)v;
    rc |= config_get_enum(c, sec, "measure", measures, ARRAY_LEN(measures), 0, &v, d);
    comp->measure = (enum measure)v;
    if (!config_find(c, sec, "rate")) {
        diag_error(d, c->display, config_section_line(c, sec), "[%s] needs 'rate = <percent>'",
                   sec);
        return -1;
    }
    rc |= config_get_decimal(c, sec, "rate", "0", (struct decimal){0, 0}, (struct decimal){1, 0},
                             &comp->rate, d);
    return rc ? -1 : 0;
}

int plan_load(struct plan_set *ps, struct config *c, struct diag *d)
{
    memset(ps, 0, sizeof *ps);
    const struct cfg_section **secs = xcalloc(PLAN_SECTIONS_MAX, sizeof *secs);
    size_t n = config_sections_with_prefix(c, "plan.", secs, PLAN_SECTIONS_MAX);
    int rc = 0;
    size_t cap = 0;
    /* First the plans ([plan.<id>], one dot), then their components. */
    for (size_t i = 0; i < n; i++) {
        const char *id = secs[i]->name + 5;
        if (strchr(id, '.'))
            continue;
        if (!*id || strchr(id, '@')) {
            diag_error(d, c->display, secs[i]->line,
                       "bad plan section [%s] (plan versions come in a later release)",
                       secs[i]->name);
            rc = -1;
            continue;
        }
        config_has_section(c, secs[i]->name);
        VEC_GROW(ps->plans, cap, ps->n + 1);
        struct plan *p = &ps->plans[ps->n++];
        memset(p, 0, sizeof *p);
        p->id = id;
        config_get_str(c, secs[i]->name, "name", id, &p->name, d);
        const char *list;
        config_get_str(c, secs[i]->name, "components", "", &list, d);
        if (!*list) {
            diag_error(d, c->display, secs[i]->line, "[%s] needs 'components = a, b, …'",
                       secs[i]->name);
            rc = -1;
            continue;
        }
        size_t ccap = 0;
        for (const char *q = list; *q;) {
            const char *end = strchr(q, ',');
            size_t len = end ? (size_t)(end - q) : strlen(q);
            const char *w = q;
            trim_span(&w, &len);
            char sec[256];
            snprintf(sec, sizeof sec, "%s.%.*s", secs[i]->name, (int)len, w);
            for (char *s = sec; *s; s++)
                if (*s >= 'A' && *s <= 'Z')
                    *s = (char)(*s + 32);
            if (!config_has_section(c, sec)) {
                config_error_at(c, config_find(c, secs[i]->name, "components"), d,
                                "plan '%s' names component '%.*s' but there is no [%s]", id,
                                (int)len, w, sec);
                rc = -1;
            } else {
                VEC_GROW(p->components, ccap, p->n_components + 1);
                struct component *comp = &p->components[p->n_components++];
                memset(comp, 0, sizeof *comp);
                const struct cfg_section *cs = NULL;
                for (size_t k = 0; k < n; k++)
                    if (strcmp(secs[k]->name, sec) == 0)
                        cs = secs[k];
                comp->id = cs ? cs->name + strlen(secs[i]->name) + 1 : "";
                rc |= load_component(comp, c, sec, d);
            }
            q = end ? end + 1 : q + strlen(q);
        }
    }
    free(secs);
    return rc ? -1 : 0;
}

void plan_release(struct plan_set *ps)
{
    if (!ps)
        return;
    for (size_t i = 0; i < ps->n; i++)
        free(ps->plans[i].components);
    free(ps->plans);
    memset(ps, 0, sizeof *ps);
}

const struct plan *plan_find(const struct plan_set *ps, const char *id)
{
    for (size_t i = 0; i < ps->n; i++)
        if (strcmp(ps->plans[i].id, id) == 0)
            return &ps->plans[i];
    return NULL;
}
