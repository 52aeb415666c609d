/* join.c — counting sort of touches by lead, time order within each lead, duplicate removal. */
#include "join.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The order of a lead's touches: time, then the lead's own touches before those that came
 * through the identity map (so a joined touch is the one found to repeat an own touch), then
 * input order. via is a bit set over touch numbers, NULL when no touch came through the map. */
struct touch_order {
    const struct touch_table *t;
    const uint64_t *via;
};

static bool via_bit(const uint64_t *via, uint64_t i)
{
    return via && (via[i >> 6] >> (i & 63) & 1);
}

static bool before(const struct touch_order *o, uint64_t a, uint64_t b)
{
    int64_t ta = touch_ts(o->t, a), tb = touch_ts(o->t, b);
    if (ta != tb)
        return ta < tb;
    bool va = via_bit(o->via, a), vb = via_bit(o->via, b);
    return va != vb ? vb : a < b;
}

/* Journeys are short, so insertion sort; a long one (a bot, a shared inbox) gets a merge sort. */
static void sort_segment(uint32_t *v, uint64_t n, const struct touch_order *o, uint32_t *tmp)
{
    if (n <= 32) {
        for (uint64_t i = 1; i < n; i++) {
            uint32_t x = v[i];
            uint64_t j = i;
            while (j > 0 && before(o, x, v[j - 1])) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    uint64_t h = n / 2;
    sort_segment(v, h, o, tmp);
    sort_segment(v + h, n - h, o, tmp);
    uint64_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = before(o, v[j], v[i]) ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

void join_build(struct lead_index *ix, struct dataset *ds)
{
    struct touch_table *t = &ds->touches;
    uint32_t n_leads = ds->leads.n;
    ix->n_leads = n_leads;
    if (t->n > TOUCHES_MAX)
        BUG("join: more touches than TOUCHES_MAX");
    /* Counting sort without a second array of fill positions: counts go one slot further right
     * (offsets[l + 2]), so after the prefix sum offsets[l + 1] is where lead l's touches start,
     * and placing them advances it to where they end, which is where lead l + 1's start. */
    ix->offsets = xcalloc((size_t)n_leads + 2, sizeof *ix->offsets);
    ix->touches = xmalloc((t->n ? t->n : 1) * sizeof *ix->touches);
    for (uint64_t i = 0; i < t->n; i++)
        ix->offsets[t->lead[i] + 2]++;
    for (uint32_t l = 0; l < n_leads; l++)
        ix->offsets[l + 2] += ix->offsets[l + 1];
    for (uint64_t i = 0; i < t->n; i++)
        ix->touches[ix->offsets[t->lead[i] + 1]++] = (uint32_t)i;

    struct touch_order order = {t, NULL};
    uint64_t *via = NULL;
    if (t->n_via) {
        via = xcalloc((size_t)(t->n / 64 + 1), sizeof *via);
        for (size_t k = 0; k < t->n_via; k++)
            via[t->via[k] >> 6] |= (uint64_t)1 << (t->via[k] & 63);
        order.via = via;
    }

    /* Sort each lead's touches by time, drop duplicates, and compact. */
    uint32_t *tmp = NULL;
    size_t tmp_cap = 0;
    uint32_t out = 0;
    struct file_stats *fs = &ds->files[INPUT_TOUCHES];
    for (uint32_t l = 0; l < n_leads; l++) {
        uint32_t b = ix->offsets[l], e = ix->offsets[l + 1];
        VEC_GROW(tmp, tmp_cap, e - b);
        sort_segment(ix->touches + b, e - b, &order, tmp);
        ix->offsets[l] = out;
        for (uint32_t i = b; i < e; i++) {
            uint32_t x = ix->touches[i];
            bool dup = false, xv = via_bit(via, x);
            /* Candidates are the kept touches of this lead at the same instant: an exact copy is
             * a duplicate; so is a touch that came through the identity map with a campaign the
             * lead already has at that instant (the same campaign member, listed under the
             * contact or the old lead id as well). */
            int64_t tx = touch_ts(t, x);
            for (uint32_t j = out; j > ix->offsets[l] && touch_ts(t, ix->touches[j - 1]) == tx;
                 j--) {
                uint32_t y = ix->touches[j - 1];
                if (t->row_hash[y] == t->row_hash[x] || (xv && t->campaign[y] == t->campaign[x])) {
                    dup = true;
                    break;
                }
            }
            if (dup) {
                fs->bucket[t->bucket[x]]--;
                fs->bucket[BUCKET_DUPLICATE]++;
                t->bucket[x] = BUCKET_DUPLICATE;
                fs->via_identities_dup += xv;
                continue;
            }
            ix->touches[out++] = x;
        }
    }
    ix->offsets[n_leads] = out;
    free(tmp);
    free(via);
    /* Duplicates are settled: the row hashes (8 bytes a touch) serve nothing further. */
    free(ds->touches.row_hash);
    ds->touches.row_hash = NULL;

    struct deal_table *dl = &ds->deals;
    ix->n_deals = dl->n;
    ix->deal_xoff = xcalloc((size_t)dl->n + 1, sizeof *ix->deal_xoff);
    ix->deal_xlead = xmalloc((dl->n_xlead ? dl->n_xlead : 1) * sizeof *ix->deal_xlead);
    for (size_t k = 0; k < dl->n_xlead; k++)
        ix->deal_xoff[dl->xlead_deal[k] + 1]++;
    for (uint32_t i = 0; i < dl->n; i++)
        ix->deal_xoff[i + 1] += ix->deal_xoff[i];
    uint32_t *xfill = xmalloc(((size_t)dl->n + 1) * sizeof *xfill);
    memcpy(xfill, ix->deal_xoff, ((size_t)dl->n + 1) * sizeof *xfill);
    for (size_t k = 0; k < dl->n_xlead; k++)
        ix->deal_xlead[xfill[dl->xlead_deal[k]]++] = dl->xlead_lead[k];
    free(xfill);

    struct file_stats *dfs = &ds->files[INPUT_DEALS];
    for (uint32_t i = 0; i < dl->n; i++) {
        if (dl->bucket[i] != BUCKET_USED)
            continue;
        if (join_deal_touches(ix, ds, i) == 0) {
            dl->bucket[i] = BUCKET_UNMATCHED;
            dfs->bucket[BUCKET_USED] -= dl->nrows[i];
            dfs->bucket[BUCKET_UNMATCHED] += dl->nrows[i];
        }
    }
}

uint64_t join_deal_touches(const struct lead_index *ix, const struct dataset *ds, uint32_t deal)
{
    uint32_t lead = ds->deals.lead[deal];
    if (lead == ID_NONE)
        return 0;
    uint64_t n = ix->offsets[lead + 1] - ix->offsets[lead];
    for (uint32_t k = ix->deal_xoff[deal]; k < ix->deal_xoff[deal + 1]; k++)
        n += ix->offsets[ix->deal_xlead[k] + 1] - ix->offsets[ix->deal_xlead[k]];
    return n;
}

void join_release(struct lead_index *ix)
{
    if (!ix)
        return;
    free(ix->deal_xoff);
    free(ix->deal_xlead);
    free(ix->offsets);
    free(ix->touches);
    memset(ix, 0, sizeof *ix);
}
