/* join.c — counting sort of touches by lead, time order within each lead, duplicate removal. */
#include "join.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static int before(const int64_t *ts, uint64_t a, uint64_t b)
{
    return ts[a] < ts[b] || (ts[a] == ts[b] && a < b);
}

/* Journeys are short, so insertion sort; a long one (a bot, a shared inbox) gets a merge sort. */
static void sort_segment(uint64_t *v, uint64_t n, const int64_t *ts, uint64_t *tmp)
{
    if (n <= 32) {
        for (uint64_t i = 1; i < n; i++) {
            uint64_t x = v[i], j = i;
            while (j > 0 && before(ts, x, v[j - 1])) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    uint64_t h = n / 2;
    sort_segment(v, h, ts, tmp);
    sort_segment(v + h, n - h, ts, tmp);
    uint64_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = before(ts, v[j], v[i]) ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

void join_build(struct lead_index *ix, struct dataset *ds)
{
    const struct touch_table *t = &ds->touches;
    uint32_t n_leads = ds->leads.n;
    ix->n_leads = n_leads;
    ix->offsets = xcalloc((size_t)n_leads + 1, sizeof *ix->offsets);
    ix->touches = xmalloc((t->n ? t->n : 1) * sizeof *ix->touches);

    for (uint64_t i = 0; i < t->n; i++)
        ix->offsets[t->lead[i] + 1]++;
    for (uint32_t l = 0; l < n_leads; l++)
        ix->offsets[l + 1] += ix->offsets[l];
    uint64_t *fill = xmalloc(((size_t)n_leads + 1) * sizeof *fill);
    memcpy(fill, ix->offsets, ((size_t)n_leads + 1) * sizeof *fill);
    for (uint64_t i = 0; i < t->n; i++)
        ix->touches[fill[t->lead[i]]++] = i;

    /* Sort each lead's touches by time, drop exact duplicates, and compact. */
    uint64_t *tmp = NULL;
    size_t tmp_cap = 0;
    uint64_t out = 0;
    struct file_stats *fs = &ds->files[INPUT_TOUCHES];
    for (uint32_t l = 0; l < n_leads; l++) {
        uint64_t b = ix->offsets[l], e = ix->offsets[l + 1];
        VEC_GROW(tmp, tmp_cap, e - b);
        sort_segment(ix->touches + b, e - b, t->ts, tmp);
        ix->offsets[l] = out;
        for (uint64_t i = b; i < e; i++) {
            uint64_t x = ix->touches[i];
            bool dup = false;
            /* Candidates are the kept touches of this lead at the same instant. */
            for (uint64_t j = out; j > ix->offsets[l] && t->ts[ix->touches[j - 1]] == t->ts[x];
                 j--) {
                if (t->row_hash[ix->touches[j - 1]] == t->row_hash[x]) {
                    dup = true;
                    break;
                }
            }
            if (dup) {
                fs->bucket[t->bucket[x]]--;
                fs->bucket[BUCKET_DUPLICATE]++;
                t->bucket[x] = BUCKET_DUPLICATE;
                continue;
            }
            ix->touches[out++] = x;
        }
    }
    ix->offsets[n_leads] = out;
    free(tmp);
    free(fill);

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
