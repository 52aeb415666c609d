/* period.c — months, quarters and years as day ranges. */
#include "period.h"

#include <stdio.h>
#include <string.h>

#include "date.h"

static void fill(struct period *p, enum period_kind kind, int year, int index)
{
    int m0 = kind == PERIOD_MONTH ? index : kind == PERIOD_QUARTER ? 3 * index - 2 : 1;
    int m1 = kind == PERIOD_MONTH ? index : kind == PERIOD_QUARTER ? 3 * index : 12;
    p->kind = kind;
    p->year = year;
    p->index = index;
    p->first_day = date_from_civil(year, m0, 1);
    p->last_day = date_from_civil(year, m1, date_days_in_month(year, m1));
    if (kind == PERIOD_MONTH)
        snprintf(p->name, sizeof p->name, "%04d-%02d", year, index);
    else if (kind == PERIOD_QUARTER)
        snprintf(p->name, sizeof p->name, "%04d-Q%d", year, index);
    else
        snprintf(p->name, sizeof p->name, "%04d", year);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int period_parse(const char *s, struct period *out)
{
    size_t n = strlen(s);
    if (n < 4)
        return -1;
    int year = digits(s, 4);
    if (year < 1900 || year > 9998)
        return -1;
    if (n == 4) {
        fill(out, PERIOD_YEAR, year, 0);
        return 0;
    }
    if (s[4] != '-')
        return -1;
    if (n == 7 && (s[5] == 'Q' || s[5] == 'q')) {
        int q = digits(s + 6, 1);
        if (q < 1 || q > 4)
            return -1;
        fill(out, PERIOD_QUARTER, year, q);
        return 0;
    }
    if (n == 7) {
        int m = digits(s + 5, 2);
        if (m < 1 || m > 12)
            return -1;
        fill(out, PERIOD_MONTH, year, m);
        return 0;
    }
    return -1;
}

void period_containing(enum period_kind kind, int32_t day, struct period *out)
{
    int y, m, d;
    date_to_civil(day, &y, &m, &d);
    fill(out, kind, y, kind == PERIOD_MONTH ? m : kind == PERIOD_QUARTER ? (m + 2) / 3 : 0);
}

int32_t period_days(const struct period *p)
{
    return p->last_day - p->first_day + 1;
}
