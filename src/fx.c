/* fx.c — the FX rate in force on a day, and conversions to and from the reporting currency. */
#include "fx.h"

#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util.h"

struct fx_rate {
    char code[4];        /* ISO 4217, upper case */
    int32_t day;         /* effective from this business day */
    struct decimal rate; /* units of the reporting currency per unit of `code` */
};

static int fx_rate_cmp(const void *a, const void *b)
{
    const struct fx_rate *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    if (c)
        return c;
    return (x->day > y->day) - (x->day < y->day);
}

void fx_rates_init(struct fx_rates *rates, const struct fx_table *t)
{
    rates->rate = NULL;
    rates->n = t->n;
    if (!t->n)
        return;
    rates->rate = xcalloc(t->n, sizeof *rates->rate);
    for (size_t i = 0; i < t->n; i++) {
        memcpy(rates->rate[i].code, t->currency[i].code, sizeof rates->rate[i].code);
        rates->rate[i].day = t->day[i];
        rates->rate[i].rate = t->rate[i];
    }
    qsort(rates->rate, t->n, sizeof *rates->rate, fx_rate_cmp);
}

void fx_rates_release(struct fx_rates *rates)
{
    if (!rates)
        return;
    free(rates->rate);
    rates->rate = NULL;
    rates->n = 0;
}

int fx_rate_on(const struct fx_rates *rates, const char *code, int32_t day, struct decimal *out)
{
    /* The first entry after (code, day); the one before it, if of the same code, is in force. */
    size_t lo = 0, hi = rates->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(rates->rate[mid].code, code);
        if (c < 0 || (c == 0 && rates->rate[mid].day <= day))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || strcmp(rates->rate[lo - 1].code, code) != 0)
        return -1;
    *out = rates->rate[lo - 1].rate;
    return 0;
}

int fx_to_base(int64_t minor, const char *code, struct decimal rate, int base_digits, int64_t *out)
{
    /* minor / 10^from major units × rate = minor × rate × 10^(to − from) minor units: fold the
     * difference of minor digits into the rate's scale (JPY 0 → USD 2 shifts it by −2). */
    rate.scale += money_minor_digits(code) - base_digits;
    for (; rate.scale < 0; rate.scale++) {
        if (rate.units > INT64_MAX / 10)
            return -1;
        rate.units *= 10;
    }
    return money_mul_decimal(minor, rate, out) ? -1 : 0;
}

int fx_from_base(int64_t minor, const char *code, struct decimal rate, int base_digits,
                 int64_t *out)
{
    /* minor / 10^r major units / rate = minor × 10^(c − r) / rate minor units of code */
    struct rat v = rat_div(rat_int64(minor), rat_dec(rate));
    int shift = money_minor_digits(code) - base_digits;
    for (; shift > 0; shift--)
        v = rat_mul(v, rat_int64(10));
    for (; shift < 0; shift++)
        v = rat_div(v, rat_int64(10));
    *out = rat_round(v);
    return rat_overflowed() ? -1 : 0;
}
