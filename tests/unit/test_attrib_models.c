/* test_attrib_models.c — the rule-based weight rules, hand-worked, through the cent allocation. */
#include <criterion/criterion.h>
#include <string.h>

#include "attrib.h"
#include "money.h"

#define DAY 86400

static struct settings defaults(void)
{
    struct settings s;
    memset(&s, 0, sizeof s);
    s.half_life_days = (struct decimal){7, 0};
    s.position_ppm[0] = 400000;
    s.position_ppm[1] = 200000;
    s.position_ppm[2] = 400000;
    s.custom_ppm[0] = 500000;
    s.custom_ppm[1] = 0;
    s.custom_ppm[2] = 500000;
    return s;
}

/* Allocate `total` cents over the n touches of journey j (each touch its own campaign). */
static void split(enum attr_model m, const struct journey_view *j, const struct settings *s,
                  int64_t total, int64_t *out)
{
    uint64_t w[16];
    attrib_weights(m, j, s, w);
    cr_assert_eq(money_allocate(total, w, j->n, out), 0, "model %s", attr_model_name(m));
}

static void expect(const char *what, const int64_t *got, const int64_t *want, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        cr_assert_eq(got[i], want[i], "%s: touch %u got %lld, want %lld", what, i,
                     (long long)got[i], (long long)want[i]);
}

Test(attrib_models, positional_models_split_a_four_touch_journey_as_documented)
{
    struct settings s = defaults();
    int64_t ts[4] = {0, DAY, 2 * DAY, 3 * DAY};
    bool direct[4] = {false, false, true, true};
    struct journey_view j = {4, ts, direct, 3 * DAY, -1, -1};
    int64_t out[4];
    static const struct {
        enum attr_model m;
        int64_t want[4];
    } cases[] = {
        {MODEL_FIRST_TOUCH, {10000, 0, 0, 0}},
        {MODEL_LAST_TOUCH, {0, 0, 0, 10000}},
        /* touches 2 and 3 are direct: the last non-direct one is touch 1 */
        {MODEL_LAST_NON_DIRECT, {0, 10000, 0, 0}},
        {MODEL_LINEAR, {2500, 2500, 2500, 2500}},
        /* 40% first, 20% over the two middle touches (10% each), 40% last */
        {MODEL_POSITION_BASED, {4000, 1000, 1000, 4000}},
        /* J: 20% first, 20% middle (10% each), 60% last; inverse J: 60 / 10 / 10 / 20 */
        {MODEL_J_SHAPED, {2000, 1000, 1000, 6000}},
        {MODEL_INVERSE_J, {6000, 1000, 1000, 2000}},
        /* custom 50 / 0 / 50 */
        {MODEL_CUSTOM, {5000, 0, 0, 5000}},
        /* W without milestones: first 30% and the other three share 10% → first 30/40 = 75%,
         * the rest 25% / 3 = 8.333…% each: 7500, 833.33 ×3 → floors 833 ×3, 1 cent left, equal
         * remainders, so the earliest of them (touch 1) gets it. */
        {MODEL_W_SHAPED, {7500, 834, 833, 833}},
        /* Full path without milestones: first 22.5, last 22.5, rest 10 over 2 → 5 each; total
         * 55: 22.5/55 = 40.909…% → 4090.9, 5/55 → 909.09: floors 4090, 909, 909, 4090 = 9998,
         * remainders .909, .0909, .0909, .909: the two cents go to touches 0 and 3. */
        {MODEL_FULL_PATH, {4091, 909, 909, 4091}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        split(cases[i].m, &j, &s, 10000, out);
        expect(attr_model_name(cases[i].m), out, cases[i].want, 4);
    }
}

Test(attrib_models, one_and_two_touch_journeys_renormalise)
{
    struct settings s = defaults();
    int64_t ts[2] = {0, DAY};
    bool direct[2] = {true, true};
    int64_t out[2];
    /* One touch gets everything in every model. */
    struct journey_view one = {1, ts, direct, DAY, -1, -1};
    for (int m = 0; m < MODEL_N; m++) {
        split((enum attr_model)m, &one, &s, 777, out);
        cr_assert_eq(out[0], 777, "model %s", attr_model_name((enum attr_model)m));
    }
    /* Two touches: U-shape is 50/50 (the empty middle drops out); J 20/60 → 25/75; all-direct
     * last_non_direct falls back to the last touch. */
    struct journey_view two = {2, ts, direct, DAY, -1, -1};
    split(MODEL_POSITION_BASED, &two, &s, 1001, out);
    expect("U two", out, (int64_t[]){501, 500}, 2);
    split(MODEL_J_SHAPED, &two, &s, 1000, out);
    expect("J two", out, (int64_t[]){250, 750}, 2);
    split(MODEL_LAST_NON_DIRECT, &two, &s, 1000, out);
    expect("LND all direct", out, (int64_t[]){0, 1000}, 2);
}

Test(attrib_models, w_shaped_ends_at_the_opportunity_touch_and_milestones_add_up)
{
    struct settings s = defaults();
    int64_t ts[5] = {0, DAY, 2 * DAY, 3 * DAY, 4 * DAY};
    bool direct[5] = {false, false, false, false, false};
    int64_t out[5];
    /* Lead created at touch 1, opportunity at touch 3: journey 0..3, anchors 0, 1, 3 get 30%,
     * touch 2 is the whole rest (10%), touch 4 is after the opportunity: nothing. */
    struct journey_view w = {5, ts, direct, 4 * DAY, 1, 3};
    split(MODEL_W_SHAPED, &w, &s, 10000, out);
    expect("W", out, (int64_t[]){3000, 3000, 1000, 3000, 0}, 5);
    /* Full path, same milestones: first, lead, opp and last 22.5% each, touch 2 10%. */
    split(MODEL_FULL_PATH, &w, &s, 10000, out);
    expect("Z", out, (int64_t[]){2250, 2250, 1000, 2250, 2250}, 5);
    /* Coinciding anchors add up: lead at touch 0, opportunity at the last touch of 2. */
    struct journey_view two = {2, ts, direct, DAY, 0, 1};
    split(MODEL_FULL_PATH, &two, &s, 1000, out);
    expect("Z coinciding", out, (int64_t[]){500, 500}, 2);
    /* W with all three anchors on distinct touches and nothing else: a third each; 100.00 →
     * 3333.33 ×3, the leftover cent to the earliest. */
    struct journey_view three = {3, ts, direct, 2 * DAY, 1, 2};
    split(MODEL_W_SHAPED, &three, &s, 10000, out);
    expect("W three", out, (int64_t[]){3334, 3333, 3333}, 3);
}

Test(attrib_models, time_decay_halves_per_half_life)
{
    struct settings s = defaults();
    /* Ages 14, 7 and 0 days with a 7-day half-life: weights 1 : 2 : 4 of 7.
     * 100.00 × 1/7 = 1428.57, × 2/7 = 2857.14, × 4/7 = 5714.29 → floors 1428, 2857, 5714 (9999),
     * largest remainder .57 → the oldest touch: 1429, 2857, 5714. */
    int64_t ref = 100 * DAY;
    int64_t ts[3] = {ref - 14 * DAY, ref - 7 * DAY, ref};
    bool direct[3] = {false, false, false};
    struct journey_view j = {3, ts, direct, ref, -1, -1};
    int64_t out[3];
    split(MODEL_TIME_DECAY, &j, &s, 10000, out);
    expect("decay", out, (int64_t[]){1429, 2857, 5714}, 3);
    /* Half-life 3.5 days: 14 days = 4 halvings, 7 = 2: weights 1 : 4 : 16 of 21.
     * 10000/21 = 476.19, ×4 = 1904.76, ×16 = 7619.05 → 476 + 1904 + 7619 = 9999, the cent to
     * the largest remainder (.76): 476, 1905, 7619. */
    s.half_life_days = (struct decimal){35, 1};
    split(MODEL_TIME_DECAY, &j, &s, 10000, out);
    expect("decay 3.5", out, (int64_t[]){476, 1905, 7619}, 3);
}

/* Property: for thousands of random journeys (1–12 touches, random ages, milestones anywhere or
 * missing, direct flags) and random amounts including refunds and zero, every model's weights
 * give an allocation whose cents sum exactly to the amount, each share has the amount's sign,
 * and at least one weight is positive. */
Test(attrib_models, every_model_conserves_cents_on_random_journeys)
{
    struct settings s = defaults();
    uint64_t x = 0x9E3779B97F4A7C15u;
#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    for (int iter = 0; iter < 5000; iter++) {
        uint32_t n = (uint32_t)(NEXT() % 12) + 1;
        int64_t ts[12];
        bool direct[12];
        int64_t t0 = 20000 * (int64_t)DAY;
        for (uint32_t i = 0; i < n; i++) {
            t0 += (int64_t)(NEXT() % (5 * DAY));
            ts[i] = t0;
            direct[i] = NEXT() % 3 == 0;
        }
        int32_t lead = NEXT() % 3 ? (int32_t)(NEXT() % n) : -1;
        int32_t opp = NEXT() % 3 ? (int32_t)(NEXT() % n) : -1;
        if (lead > opp && opp >= 0) {
            int32_t tmp = lead;
            lead = opp;
            opp = tmp;
        }
        struct journey_view j = {n, ts, direct, t0 + (int64_t)(NEXT() % DAY), lead, opp};
        int64_t amount = (int64_t)(NEXT() % 20000001) - 5000000;
        if (NEXT() % 50 == 0)
            amount = 0;
        s.half_life_days = (struct decimal){(int64_t)(NEXT() % 300) + 1, 1};
        for (int m = 0; m < MODEL_N; m++) {
            uint64_t w[12];
            int64_t out[12];
            attrib_weights((enum attr_model)m, &j, &s, w);
            uint64_t sum = 0;
            for (uint32_t i = 0; i < n; i++)
                sum += w[i];
            cr_assert(sum > 0, "iteration %d model %s: all weights zero", iter,
                      attr_model_name((enum attr_model)m));
            cr_assert_eq(money_allocate(amount, w, n, out), 0);
            int64_t total = 0;
            for (uint32_t i = 0; i < n; i++) {
                total += out[i];
                cr_assert(amount >= 0 ? out[i] >= 0 : out[i] <= 0, "sign");
            }
            cr_assert_eq(total, amount, "iteration %d model %s: %lld != %lld", iter,
                         attr_model_name((enum attr_model)m), (long long)total, (long long)amount);
        }
    }
#undef NEXT
}
