/* poolmon_series.h - a deterministic model of a poolmon series, with its
 * ground truth known: one tag grows steadily ("Leak", nonpaged), one is large
 * and flat ("Big ", nonpaged), and every other tag wanders around its own
 * level (independent noise each sample, no trend).  Used by the generator
 * (gen_poolmon_series.c), the analysis tests and the import benchmark.
 */
#ifndef POOLMON_SERIES_H
#define POOLMON_SERIES_H

#include <stdint.h>
#include <stdio.h>

#define SERIES_LEAK_TAG "Leak"
#define SERIES_BIG_TAG "Big "
#define SERIES_LEAK_START (1u << 20)          /* bytes at sample 0 */
#define SERIES_LEAK_STEP (64u * 1024u)        /* bytes added per sample */
#define SERIES_LEAK_ALLOC 4096u               /* bytes per allocation */
#define SERIES_BIG_BYTES (1ull << 30)         /* flat, the largest tag */
#define SERIES_INTERVAL_SECONDS 600u          /* one snapshot every 10 minutes */
#define SERIES_START_UNIX 1700000000          /* 2023-11-14T22:13:20Z */

typedef struct series_row {
    char tag[5];        /* four printable characters */
    int paged;          /* 0 nonpaged, 1 paged */
    uint64_t allocs, frees, bytes;
} series_row;

/* A small deterministic PRNG (splitmix64) so every run sees the same data. */
static inline uint64_t series_mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Tag i's name: 0 "Leak", 1 "Big ", others 4 letters/digits, all distinct. */
static inline void series_tag_name(unsigned i, char out[5])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned k;
    if (i == 0) {
        snprintf(out, 5, "%s", SERIES_LEAK_TAG);
        return;
    }
    if (i == 1) {
        snprintf(out, 5, "%s", SERIES_BIG_TAG);
        return;
    }
    /* "W" then three base-62 digits: distinct for i < 238328. */
    out[0] = 'W';
    for (k = 3; k >= 1; k--) {
        out[k] = alphabet[i % 62];
        i /= 62;
    }
    out[4] = '\0';
}

/* Row of tag i at sample s. */
static inline void series_row_at(unsigned i, unsigned s, series_row *r)
{
    uint64_t level, noise;

    series_tag_name(i, r->tag);
    if (i == 0) {
        r->paged = 0;
        r->bytes = SERIES_LEAK_START + (uint64_t)s * SERIES_LEAK_STEP;
        r->frees = 1000u + 3u * s;
        r->allocs = r->frees + r->bytes / SERIES_LEAK_ALLOC;
        return;
    }
    if (i == 1) {
        r->paged = 0;
        r->bytes = SERIES_BIG_BYTES;
        r->allocs = 70000u + 10u * s;
        r->frees = r->allocs - 1024u;
        return;
    }
    r->paged = (int)(series_mix(i) & 1);
    level = 4096u + series_mix(i * 7u + 1u) % (4u << 20);       /* 4 KiB .. 4 MiB */
    noise = series_mix(((uint64_t)i << 32) ^ s) % (level / 2 + 1); /* +-25% */
    r->bytes = level - level / 4 + noise;
    r->frees = 100u * s + (series_mix(i) % 5000u);
    r->allocs = r->frees + r->bytes / 64u + 1u;
}

static inline int64_t series_time_unix(unsigned s)
{
    return (int64_t)SERIES_START_UNIX + (int64_t)s * SERIES_INTERVAL_SECONDS;
}

#endif
