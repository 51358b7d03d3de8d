/* etl_analysis.c - pairing pool allocs and frees, joining stacks,
 * collecting images, sampling outstanding count and bytes per tag. */
#include "etl_analysis.h"

#include <stdlib.h>
#include <string.h>

#include "etl_kernel.h"
#include "etl_map.h"
#include "pt_byteorder.h"

/* A (tag, pool type) row: totals inside the trace. */
typedef struct etl_row {
    pt_tag tag;
    pt_pool pool;
    uint32_t dirty;
    uint64_t allocs, frees, outstanding, bytes;
} etl_row;

typedef struct etl_row_delta {
    uint32_t row;
    uint64_t allocs, frees, outstanding, bytes;
} etl_row_delta;

typedef struct etl_snapshot {
    uint64_t ts;            /* boundary (raw ticks) */
    size_t delta_off, delta_n;
} etl_snapshot;

/* A live allocation (ETL_LIVE_SLOT_BYTES = 32, two per cache line).
 * size_row packs the size (high 48 bits) and row + 1 (low 16 bits; 0 =
 * empty slot).  stack: 0 none, else a stack id, or with bit 31 a stack-key
 * slot + 1 to resolve at the end. */
typedef struct etl_live {
    uint64_t addr, ts, size_row;
    uint32_t session, stack;
} etl_live;

#define LIVE_USED(l) (((l)->size_row & 0xFFFFu) != 0)
#define LIVE_ROW(l) ((uint32_t)((l)->size_row & 0xFFFFu) - 1u)
#define LIVE_SIZE(l) ((l)->size_row >> 16)
#define LIVE_SIZE_MAX ((uint64_t)1 << 48)

#define STACK_IS_KEY 0x80000000u

typedef struct etl_stack_rec {
    uint64_t off;
    uint32_t depth, hash;
    uint32_t emitted;
} etl_stack_rec;

#define PENDING_PER_CPU 8u
typedef struct etl_pending {
    uint64_t ts, addr;
    uint32_t session, tid;
    uint32_t slot;          /* where the alloc was put (a hint: slots move) */
    uint8_t has_tid, is_alloc, valid, pad;
} etl_pending;

typedef struct etl_kimage {
    uint64_t base, size;
    uint32_t checksum, timestamp;
    char *name;
} etl_kimage;

struct etl_analysis {
    const etl_file *file;
    int server2003;
    etl_stats stats;
    etl_pool_totals totals;
    /* rows */
    etl_row *rows;
    size_t nrows, cap_rows;
    etl_map row_map;
    uint32_t *dirty;            /* rows changed since the last snapshot */
    size_t ndirty, cap_dirty;
    /* live allocations */
    etl_live *live;
    size_t live_cap, live_count;
    /* stacks */
    uint64_t *frames;
    size_t nframes, cap_frames;
    etl_stack_rec *stacks;      /* index = stack id - 1 */
    size_t nstacks, cap_stacks;
    uint32_t *stack_hash;       /* open addressing of stack ids */
    size_t stack_hash_cap;
    /* stack keys */
    etl_map key_map;            /* key -> slot index */
    uint32_t *key_slots;        /* slot -> stack id (0 = not yet defined) */
    size_t nkey_slots, cap_key_slots;
    /* join window per CPU */
    etl_pending *pending[ETL_MAX_CPUS];
    uint8_t pending_next[ETL_MAX_CPUS];
    /* images */
    etl_kimage *images;
    size_t nimages, cap_images;
    etl_map image_map;          /* base -> image index */
    /* samples */
    etl_snapshot snaps[ETL_SAMPLES_MAX];
    size_t nsnaps;
    etl_row_delta *deltas;
    size_t ndeltas, cap_deltas;
    uint64_t origin, interval, next_boundary;
    uint64_t last_ts;
    uint64_t first_pool_ts;
    int saw_event, saw_pool;
    uint64_t win_t0, win_t1;    /* window of the WPA classes */
    int live_classified;        /* AIFO/AOFO of the live ones added */
};

static int grow_array(void **arr, size_t *cap, size_t need, size_t elem)
{
    size_t n;
    void *p;
    if (need <= *cap)
        return 0;
    n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    p = realloc(*arr, n * elem);
    if (p == NULL)
        return -1;
    *arr = p;
    *cap = n;
    return 0;
}

static pt_status nomem(const etl_analysis *a, pt_error *err)
{
    (void)a;
    return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET,
                        "out of memory in the pool analysis");
}

pt_status etl_analysis_create(const etl_file *f, int server2003, etl_analysis **out,
                              pt_error *err)
{
    etl_analysis *a = calloc(1, sizeof *a);
    const etl_logfile *lf = etl_file_logfile(f);
    *out = NULL;
    if (a == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    a->file = f;
    if (server2003 < 0)
        server2003 = lf->version[0] < 6 || (lf->version[0] == 6 && lf->version[1] < 1);
    a->server2003 = server2003;
    etl_stats_init(&a->stats);
    a->origin = lf->header_ts;
    /* Start at 1 us and double as the trace grows (see take_snapshots), so
     * a trace of any length ends with 64 to 128 samples. */
    a->interval = lf->perf_freq >= 1000000 ? lf->perf_freq / 1000000 : 1;
    a->next_boundary = a->origin + a->interval;
    a->win_t0 = 0;
    a->win_t1 = UINT64_MAX;
    *out = a;
    return PT_OK;
}

void etl_analysis_free(etl_analysis *a)
{
    size_t i;
    if (a == NULL)
        return;
    free(a->rows);
    etl_map_free(&a->row_map);
    free(a->dirty);
    free(a->live);
    free(a->frames);
    free(a->stacks);
    free(a->stack_hash);
    etl_map_free(&a->key_map);
    free(a->key_slots);
    for (i = 0; i < ETL_MAX_CPUS; i++)
        free(a->pending[i]);
    for (i = 0; i < a->nimages; i++)
        free(a->images[i].name);
    free(a->images);
    etl_map_free(&a->image_map);
    free(a->deltas);
    free(a);
}

void etl_analysis_set_window(etl_analysis *a, uint64_t t0, uint64_t t1)
{
    a->win_t0 = t0;
    a->win_t1 = t1;
}

/* The WPA class of an allocation made at alloc_ts (alloc_seen = 0: before
 * the trace) and freed at free_ts (free_seen = 0: not by the end). */
static void classify(etl_analysis *a, int alloc_seen, uint64_t alloc_ts, int free_seen,
                     uint64_t free_ts, uint64_t bytes)
{
    int a_before = !alloc_seen || alloc_ts < a->win_t0;
    int a_inside = alloc_seen && alloc_ts >= a->win_t0 && alloc_ts <= a->win_t1;
    int f_inside = free_seen && free_ts >= a->win_t0 && free_ts <= a->win_t1;
    int f_after = !free_seen || free_ts > a->win_t1;
    etl_pool_totals *t = &a->totals;
    if (a_inside && f_inside) {
        t->aifi++;
        t->aifi_bytes += bytes;
    } else if (a_inside && f_after) {
        t->aifo++;
        t->aifo_bytes += bytes;
    } else if (a_before && f_inside) {
        t->aofi++;
        t->aofi_bytes += bytes;
    } else if (a_before && f_after) {
        t->aofo++;
        t->aofo_bytes += bytes;
    }
}

const etl_pool_totals *etl_analysis_totals(const etl_analysis *a) { return &a->totals; }
const etl_stats *etl_analysis_stats(const etl_analysis *a) { return &a->stats; }
int etl_analysis_server2003(const etl_analysis *a) { return a->server2003; }

/* ---- rows ---- */

static pt_status row_of(etl_analysis *a, pt_tag tag, pt_pool pool, uint32_t *row,
                        pt_error *err)
{
    uint64_t key = ((uint64_t)pool << 32) | tag;
    uint32_t *v = etl_map_find(&a->row_map, key);
    if (v != NULL) {
        *row = *v;
        return PT_OK;
    }
    if (a->nrows >= ETL_MAX_ROWS)
        return pt_error_set(err, PT_ERR_LIMIT, NULL, PT_NO_OFFSET,
                            "more than %u distinct pool tags and types", ETL_MAX_ROWS);
    if (grow_array((void **)&a->rows, &a->cap_rows, a->nrows + 1, sizeof *a->rows) != 0 ||
        grow_array((void **)&a->dirty, &a->cap_dirty, a->nrows + 1, sizeof *a->dirty) != 0)
        return nomem(a, err);
    memset(&a->rows[a->nrows], 0, sizeof a->rows[0]);
    a->rows[a->nrows].tag = tag;
    a->rows[a->nrows].pool = pool;
    if (etl_map_put(&a->row_map, key, (uint32_t)a->nrows) != 0)
        return nomem(a, err);
    *row = (uint32_t)a->nrows++;
    return PT_OK;
}

static void row_touch(etl_analysis *a, uint32_t row)
{
    if (!a->rows[row].dirty) {
        a->rows[row].dirty = 1;
        a->dirty[a->ndirty++] = row;
    }
}

/* ---- sampling ---- */

static pt_status snapshot(etl_analysis *a, pt_error *err)
{
    size_t i;
    etl_snapshot *s = &a->snaps[a->nsnaps++];
    s->ts = a->next_boundary;
    s->delta_off = a->ndeltas;
    s->delta_n = a->ndirty;
    if (grow_array((void **)&a->deltas, &a->cap_deltas, a->ndeltas + a->ndirty,
                   sizeof *a->deltas) != 0)
        return nomem(a, err);
    for (i = 0; i < a->ndirty; i++) {
        etl_row *r = &a->rows[a->dirty[i]];
        etl_row_delta *d = &a->deltas[a->ndeltas++];
        d->row = a->dirty[i];
        d->allocs = r->allocs;
        d->frees = r->frees;
        d->outstanding = r->outstanding;
        d->bytes = r->bytes;
        r->dirty = 0;
    }
    a->ndirty = 0;
    return PT_OK;
}

/* Halves the snapshots: each kept one absorbs the deltas of the one
 * before it, and the interval doubles. */
static pt_status compact(etl_analysis *a, pt_error *err)
{
    etl_row_delta *nd = NULL;
    size_t cap = 0, n = 0, k, i;
    uint32_t *seen = calloc(a->nrows ? a->nrows : 1, sizeof *seen);
    if (seen == NULL)
        return nomem(a, err);
    for (k = 0; k + 1 < a->nsnaps; k += 2) {
        const etl_snapshot *first = &a->snaps[k], *second = &a->snaps[k + 1];
        size_t off = n;
        uint32_t stamp = (uint32_t)(k / 2 + 1);
        if (grow_array((void **)&nd, &cap, n + first->delta_n + second->delta_n,
                       sizeof *nd) != 0) {
            free(seen);
            free(nd);
            return nomem(a, err);
        }
        for (i = 0; i < second->delta_n; i++) {
            nd[n] = a->deltas[second->delta_off + i];
            seen[nd[n].row] = stamp;
            n++;
        }
        for (i = 0; i < first->delta_n; i++)
            if (seen[a->deltas[first->delta_off + i].row] != stamp)
                nd[n++] = a->deltas[first->delta_off + i];
        a->snaps[k / 2].ts = second->ts;
        a->snaps[k / 2].delta_off = off;
        a->snaps[k / 2].delta_n = n - off;
    }
    a->nsnaps /= 2;
    free(seen);
    free(a->deltas);
    a->deltas = nd;
    a->ndeltas = n;
    a->cap_deltas = cap;
    a->interval *= 2;
    return PT_OK;
}

static int boundary_after(const etl_analysis *a, size_t k, uint64_t *out)
{
    /* origin + (k+1)*interval, refusing to wrap */
    if (a->interval > (UINT64_MAX - a->origin) / (k + 1))
        return -1;
    *out = a->origin + (uint64_t)(k + 1) * a->interval;
    return 0;
}

/* Takes the snapshots for every boundary at or before ts. */
static pt_status take_snapshots(etl_analysis *a, uint64_t ts, pt_error *err)
{
    pt_status st;
    while (ts >= a->next_boundary) {
        st = snapshot(a, err);
        if (st != PT_OK)
            return st;
        if (a->nsnaps == ETL_SAMPLES_MAX) {
            st = compact(a, err);
            if (st != PT_OK)
                return st;
        }
        if (boundary_after(a, a->nsnaps, &a->next_boundary) != 0) {
            a->next_boundary = UINT64_MAX;
            break;
        }
    }
    return PT_OK;
}

/* ---- live allocations ---- */

static size_t live_home(const etl_analysis *a, uint64_t addr, uint32_t session)
{
    return etl_hash64(addr ^ ((uint64_t)session << 47) ^ session, a->live_cap);
}

static etl_live *live_find(etl_analysis *a, uint64_t addr, uint32_t session)
{
    size_t i;
    if (a->live_cap == 0)
        return NULL;
    for (i = live_home(a, addr, session); LIVE_USED(&a->live[i]); i = (i + 1) & (a->live_cap - 1))
        if (a->live[i].addr == addr && a->live[i].session == session)
            return &a->live[i];
    return NULL;
}

static int live_grow(etl_analysis *a)
{
    size_t cap = a->live_cap ? a->live_cap * 2 : 1024, i, old = a->live_cap;
    etl_live *n = calloc(cap, sizeof *n), *o = a->live;
    if (n == NULL)
        return -1;
    a->live = n;
    a->live_cap = cap;
    for (i = 0; i < old; i++) {
        size_t j;
        if (!LIVE_USED(&o[i]))
            continue;
        for (j = live_home(a, o[i].addr, o[i].session); LIVE_USED(&n[j]); j = (j + 1) & (cap - 1))
            ;
        n[j] = o[i];
    }
    free(o);
    return 0;
}

static void live_remove(etl_analysis *a, etl_live *slot)
{
    size_t i = (size_t)(slot - a->live), j = i, mask = a->live_cap - 1;
    for (;;) {
        size_t home;
        j = (j + 1) & mask;
        if (!LIVE_USED(&a->live[j]))
            break;
        home = live_home(a, a->live[j].addr, a->live[j].session);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            a->live[i] = a->live[j];
            i = j;
        }
    }
    a->live[i].size_row = 0;
    a->live_count--;
}

static void close_alloc(etl_analysis *a, etl_live *l)
{
    etl_row *r = &a->rows[LIVE_ROW(l)];
    r->outstanding--;
    r->bytes -= LIVE_SIZE(l);
    row_touch(a, LIVE_ROW(l));
    live_remove(a, l);
}

/* ---- pool events ---- */

static void remember_pending(etl_analysis *a, const etl_event *ev, const etl_pool_event *pe,
                             size_t slot)
{
    etl_pending *ring = a->pending[ev->cpu], *p;
    if (ring == NULL) {
        ring = calloc(PENDING_PER_CPU, sizeof *ring);
        if (ring == NULL)
            return; /* only costs a stack join */
        a->pending[ev->cpu] = ring;
    }
    p = &ring[a->pending_next[ev->cpu]];
    a->pending_next[ev->cpu] = (uint8_t)((a->pending_next[ev->cpu] + 1) % PENDING_PER_CPU);
    p->ts = ev->ts;
    p->addr = pe->entry;
    p->session = pe->session_id;
    p->tid = ev->tid;
    p->has_tid = (uint8_t)ev->has_thread;
    p->is_alloc = pe->op == ETL_POOL_ALLOC;
    p->slot = (uint32_t)slot;
    p->valid = 1;
}

static pt_status on_pool(etl_analysis *a, const etl_event *ev, pt_error *err)
{
    etl_pool_event pe;
    etl_live *l;
    uint32_t row;
    size_t slot = 0;
    pt_status st;
    int r = etl_decode_pool(ev, a->server2003, &pe);

    if (r < 0) {
        a->totals.malformed++;
        return PT_OK;
    }
    if (r == 1)
        return PT_OK;
    if (pe.size >= LIVE_SIZE_MAX)
        pe.size = LIVE_SIZE_MAX - 1; /* hostile sizes: keep the sums exact */
    if (!a->saw_pool) {
        a->saw_pool = 1;
        a->first_pool_ts = ev->ts;
    }
    l = live_find(a, pe.entry, pe.session_id);
    if (pe.op == ETL_POOL_ALLOC) {
        a->totals.allocs++;
        if (pe.bigpool)
            a->totals.bigpool_allocs++;
        if (l != NULL) {
            /* a second alloc at a live address: its free was lost (it
             * happened before this alloc) */
            a->totals.lost_frees++;
            classify(a, 1, l->ts, 1, ev->ts, LIVE_SIZE(l));
            close_alloc(a, l);
        }
        st = row_of(a, pe.tag, pe.pool, &row, err);
        if (st != PT_OK)
            return st;
        if ((a->live_count + 1) * 2 > a->live_cap && live_grow(a) != 0)
            return nomem(a, err);
        {
            size_t i;
            for (i = live_home(a, pe.entry, pe.session_id); LIVE_USED(&a->live[i]);
                 i = (i + 1) & (a->live_cap - 1))
                ;
            l = &a->live[i];
            slot = i;
        }
        l->addr = pe.entry;
        l->session = pe.session_id;
        l->size_row = (pe.size << 16) | (row + 1u);
        l->ts = ev->ts;
        l->stack = 0;
        a->live_count++;
        if (a->live_count > a->totals.peak_outstanding)
            a->totals.peak_outstanding = a->live_count;
        a->rows[row].allocs++;
        a->rows[row].outstanding++;
        a->rows[row].bytes += pe.size;
        row_touch(a, row);
    } else {
        a->totals.frees++;
        if (l != NULL) {
            classify(a, 1, l->ts, 1, ev->ts, LIVE_SIZE(l));
            a->rows[LIVE_ROW(l)].frees++;
            close_alloc(a, l);
        } else {
            classify(a, 0, 0, 1, ev->ts, pe.size);
            st = row_of(a, pe.tag, pe.pool, &row, err);
            if (st != PT_OK)
                return st;
            a->rows[row].frees++;
            row_touch(a, row);
        }
    }
    remember_pending(a, ev, &pe, slot);
    return PT_OK;
}

/* ---- stacks ---- */

static uint32_t hash_frames(const uint64_t *f, uint32_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    uint32_t i;
    for (i = 0; i < n; i++) {
        h ^= f[i];
        h *= 0xFF51AFD7ED558CCDull;
        h ^= h >> 29;
    }
    return (uint32_t)(h ^ (h >> 32));
}

static int stack_hash_grow(etl_analysis *a)
{
    size_t cap = a->stack_hash_cap ? a->stack_hash_cap * 2 : 1024, i;
    uint32_t *n = calloc(cap, sizeof *n);
    if (n == NULL)
        return -1;
    for (i = 0; i < a->nstacks; i++) {
        size_t j = a->stacks[i].hash & (cap - 1);
        while (n[j] != 0)
            j = (j + 1) & (cap - 1);
        n[j] = (uint32_t)(i + 1);
    }
    free(a->stack_hash);
    a->stack_hash = n;
    a->stack_hash_cap = cap;
    return 0;
}

/* Interns a stack (frames decoded from the payload); returns its id, or 0
 * when the stack table is full. */
static pt_status intern_stack(etl_analysis *a, const uint8_t *raw, uint32_t depth, int ptr64,
                              uint32_t *id, pt_error *err)
{
    uint64_t buf[ETL_MAX_FRAMES];
    uint32_t i, h;
    size_t j;

    *id = 0;
    if (depth > ETL_MAX_FRAMES)
        depth = ETL_MAX_FRAMES;
    for (i = 0; i < depth; i++)
        buf[i] = etl_frame(raw, ptr64, i);
    h = hash_frames(buf, depth);
    if (a->stack_hash_cap != 0) {
        for (j = h & (a->stack_hash_cap - 1); a->stack_hash[j] != 0;
             j = (j + 1) & (a->stack_hash_cap - 1)) {
            const etl_stack_rec *s = &a->stacks[a->stack_hash[j] - 1];
            if (s->hash == h && s->depth == depth &&
                memcmp(a->frames + s->off, buf, depth * sizeof buf[0]) == 0) {
                *id = a->stack_hash[j];
                return PT_OK;
            }
        }
    }
    if (a->nstacks >= ETL_MAX_STACKS || a->nframes + depth > ETL_MAX_STACK_FRAMES) {
        a->totals.stacks_dropped++;
        return PT_OK;
    }
    if ((a->nstacks + 1) * 2 > a->stack_hash_cap && stack_hash_grow(a) != 0)
        return nomem(a, err);
    if (grow_array((void **)&a->stacks, &a->cap_stacks, a->nstacks + 1, sizeof *a->stacks) !=
            0 ||
        grow_array((void **)&a->frames, &a->cap_frames, a->nframes + depth,
                   sizeof *a->frames) != 0)
        return nomem(a, err);
    memcpy(a->frames + a->nframes, buf, depth * sizeof buf[0]);
    a->stacks[a->nstacks].off = a->nframes;
    a->stacks[a->nstacks].depth = depth;
    a->stacks[a->nstacks].hash = h;
    a->stacks[a->nstacks].emitted = 0;
    a->nframes += depth;
    a->nstacks++;
    a->totals.distinct_stacks = a->nstacks;
    for (j = h & (a->stack_hash_cap - 1); a->stack_hash[j] != 0;
         j = (j + 1) & (a->stack_hash_cap - 1))
        ;
    a->stack_hash[j] = (uint32_t)a->nstacks;
    *id = (uint32_t)a->nstacks;
    return PT_OK;
}

/* The pool event on this CPU that a stack with EventTimeStamp ts (and
 * thread tid) belongs to: equal timestamp, same thread when known. */
static etl_pending *find_pending(etl_analysis *a, uint16_t cpu, uint64_t ts, uint32_t tid)
{
    etl_pending *ring = a->pending[cpu];
    uint32_t k;
    if (ring == NULL)
        return NULL;
    for (k = 0; k < PENDING_PER_CPU; k++) {
        etl_pending *p = &ring[(a->pending_next[cpu] + PENDING_PER_CPU - 1 - k) %
                               PENDING_PER_CPU];
        if (p->valid && p->ts == ts && (!p->has_tid || p->tid == tid))
            return p;
    }
    return NULL;
}

/* The live allocation a joined pool event made, if still the same one. */
static etl_live *joined_alloc(etl_analysis *a, const etl_pending *p)
{
    etl_live *l;
    if (!p->is_alloc)
        return NULL;
    if (p->slot < a->live_cap) {
        l = &a->live[p->slot];
        if (LIVE_USED(l) && l->addr == p->addr && l->session == p->session && l->ts == p->ts)
            return l;
    }
    l = live_find(a, p->addr, p->session);
    return (l != NULL && l->ts == p->ts) ? l : NULL;
}

static pt_status on_stack_walk(etl_analysis *a, const etl_event *ev, pt_error *err)
{
    etl_stack_walk sw;
    etl_pending *p;
    etl_live *l;
    if (etl_decode_stack_walk(ev, &sw) != 0) {
        a->totals.malformed++;
        return PT_OK;
    }
    p = find_pending(a, ev->cpu, sw.event_ts, sw.tid);
    if (p == NULL) {
        a->totals.stacks_unjoined++;
        return PT_OK;
    }
    p->valid = 0;
    a->totals.stacks_joined++;
    l = joined_alloc(a, p);
    if (l != NULL) {
        uint32_t id;
        pt_status st = intern_stack(a, sw.frames, sw.depth, sw.ptr64, &id, err);
        if (st != PT_OK)
            return st;
        l->stack = id;
    }
    return PT_OK;
}

static pt_status key_slot(etl_analysis *a, uint64_t key, uint32_t *slot, pt_error *err)
{
    uint32_t *v = etl_map_find(&a->key_map, key);
    if (v != NULL) {
        *slot = *v;
        return PT_OK;
    }
    if (a->nkey_slots >= ETL_MAX_STACKS)
        return pt_error_set(err, PT_ERR_LIMIT, NULL, PT_NO_OFFSET,
                            "more than %u stack keys in use", ETL_MAX_STACKS);
    if (grow_array((void **)&a->key_slots, &a->cap_key_slots, a->nkey_slots + 1,
                   sizeof *a->key_slots) != 0 ||
        etl_map_put(&a->key_map, key, (uint32_t)a->nkey_slots) != 0)
        return nomem(a, err);
    a->key_slots[a->nkey_slots] = 0;
    *slot = (uint32_t)a->nkey_slots++;
    return PT_OK;
}

static pt_status on_stack_key_ref(etl_analysis *a, const etl_event *ev, pt_error *err)
{
    etl_stack_key_ref kr;
    etl_pending *p;
    etl_live *l;
    if (etl_decode_stack_key_ref(ev, &kr) != 0) {
        a->totals.malformed++;
        return PT_OK;
    }
    p = find_pending(a, ev->cpu, kr.event_ts, kr.tid);
    if (p == NULL) {
        a->totals.stacks_unjoined++;
        return PT_OK;
    }
    p->valid = 0;
    a->totals.stacks_joined++;
    l = joined_alloc(a, p);
    if (l != NULL) {
        uint32_t slot;
        pt_status st = key_slot(a, kr.key, &slot, err);
        if (st != PT_OK)
            return st;
        l->stack = a->key_slots[slot] != 0 ? a->key_slots[slot] : (STACK_IS_KEY | (slot + 1));
    }
    return PT_OK;
}

/* 0x1822 create / 0x1823 delete / 0x1824 rundown: the frames of a key.
 * After a delete the key may be reused for another stack. */
static pt_status on_stack_key_def(etl_analysis *a, const etl_event *ev, pt_error *err)
{
    etl_stack_key_def kd;
    uint32_t slot, id;
    pt_status st;
    if (etl_decode_stack_key_def(ev, &kd) != 0) {
        a->totals.malformed++;
        return PT_OK;
    }
    st = key_slot(a, kd.key, &slot, err);
    if (st != PT_OK)
        return st;
    st = intern_stack(a, kd.frames, kd.depth, kd.ptr64, &id, err);
    if (st != PT_OK)
        return st;
    a->key_slots[slot] = id;
    if (ev->hook == ETL_HOOK_STACK_KEY_DELETE)
        etl_map_remove(&a->key_map, kd.key);
    return PT_OK;
}

/* ---- images ---- */

static pt_status on_image(etl_analysis *a, const etl_event *ev, pt_error *err)
{
    etl_image img;
    uint32_t *v;
    etl_kimage *k;
    if (etl_decode_image(ev, &img) != 0) {
        a->totals.malformed++;
        return PT_OK;
    }
    if (img.pid != 0 || ev->hook == ETL_HOOK_IMAGE_UNLOAD)
        return PT_OK;
    v = etl_map_find(&a->image_map, img.base);
    if (v != NULL && a->images[*v].size == img.size && strcmp(a->images[*v].name, img.name) == 0)
        return PT_OK;
    if (a->nimages >= ETL_MAX_IMAGES)
        return PT_OK;
    if (grow_array((void **)&a->images, &a->cap_images, a->nimages + 1, sizeof *a->images) !=
        0)
        return nomem(a, err);
    k = &a->images[a->nimages];
    k->base = img.base;
    k->size = img.size;
    k->checksum = img.checksum;
    k->timestamp = img.timestamp;
    k->name = malloc(strlen(img.name) + 1);
    if (k->name == NULL || etl_map_put(&a->image_map, img.base, (uint32_t)a->nimages) != 0) {
        free(k->name);
        return nomem(a, err);
    }
    memcpy(k->name, img.name, strlen(img.name) + 1);
    a->nimages++;
    a->totals.kernel_images = a->nimages;
    return PT_OK;
}

void etl_analysis_lookahead(void *analysis, const etl_event *ev)
{
#if defined(__GNUC__)
    const etl_analysis *a = analysis;
    uint32_t p, session = 0;
    uint8_t op;
    uint64_t entry;
    if (!ev->kernel || (ev->hook >> 8) != ETL_GROUP_POOL || a->live_cap == 0)
        return;
    p = ev->ptr64 ? 8u : 4u;
    op = (uint8_t)ev->hook;
    if (ev->payload_len < 8 + 2 * p)
        return;
    entry = ev->ptr64 ? pt_le64(ev->payload + 8 + p) : pt_le32(ev->payload + 8 + p);
    if (!a->server2003 && (op == 0x21 || op == 0x23) && ev->payload_len >= 12 + 2 * p)
        session = pt_le32(ev->payload + 8 + 2 * p);
    __builtin_prefetch(&a->live[live_home(a, entry, session)]);
#else
    (void)analysis;
    (void)ev;
#endif
}

pt_status etl_analysis_event(etl_analysis *a, const etl_event *ev, pt_error *err)
{
    pt_status st;
    etl_stats_add(&a->stats, ev, a->server2003);
    if (!ev->kernel)
        return PT_OK;
    if (ev->ts >= a->next_boundary) {
        st = take_snapshots(a, ev->ts, err);
        if (st != PT_OK)
            return st;
    }
    if (!a->saw_event || ev->ts > a->last_ts)
        a->last_ts = ev->ts;
    a->saw_event = 1;
    switch (ev->hook >> 8) {
    case ETL_GROUP_POOL:
        return on_pool(a, ev, err);
    case ETL_GROUP_STACKWALK:
        switch (ev->hook) {
        case ETL_HOOK_STACK_WALK:
            return on_stack_walk(a, ev, err);
        case ETL_HOOK_STACK_KEY_KERNEL:
            return on_stack_key_ref(a, ev, err);
        case ETL_HOOK_STACK_CREATE:
        case ETL_HOOK_STACK_KEY_DELETE:
        case ETL_HOOK_STACK_KEY_RUNDOWN:
            return on_stack_key_def(a, ev, err);
        default:
            return PT_OK; /* user stack keys do not attribute pool */
        }
    case ETL_GROUP_IMAGE:
        if (ev->hook == ETL_HOOK_IMAGE_LOAD || ev->hook == ETL_HOOK_IMAGE_DCSTART ||
            ev->hook == ETL_HOOK_IMAGE_DCEND || ev->hook == ETL_HOOK_IMAGE_UNLOAD)
            return on_image(a, ev, err);
        return PT_OK;
    default:
        return PT_OK;
    }
}

/* ---- emission ---- */

static pt_status emit_rows(const etl_analysis *a, const pt_sink *sink, const etl_row *state)
{
    size_t i;
    for (i = 0; i < a->nrows; i++) {
        const etl_row *r = &state[i];
        char text[PT_TAG_TEXT_MAX];
        pt_tag_row row;
        pt_status st;
        if (r->allocs == 0 && r->frees == 0)
            continue;
        memset(&row, 0, sizeof row);
        row.tag = a->rows[i].tag;
        row.tag_text = pt_tag_format(a->rows[i].tag, text);
        row.pool = a->rows[i].pool;
        row.has = PT_HAS_ALLOCS | PT_HAS_FREES | PT_HAS_OUTSTANDING | PT_HAS_BYTES;
        row.allocs = r->allocs;
        row.frees = r->frees;
        row.outstanding = r->outstanding;
        row.bytes = r->bytes;
        st = pt_sink_tag_row(sink, &row);
        if (st != PT_OK)
            return st;
    }
    return PT_OK;
}

static pt_status emit_counter(const pt_sink *sink, const char *name, const char *unit,
                              uint64_t v)
{
    pt_counter c;
    c.name = name;
    c.unit = unit;
    c.value = v;
    return pt_sink_counter(sink, &c);
}

static pt_status emit_counters(const etl_analysis *a, const pt_sink *sink)
{
    const etl_pool_totals *t = &a->totals;
    const etl_logfile *lf = etl_file_logfile(a->file);
    struct { const char *name, *unit; uint64_t v; } c[] = {
        {"pool allocations", "count", t->allocs},
        {"pool frees", "count", t->frees},
        {"AIFI allocations", "count", t->aifi},
        {"AIFI bytes", "bytes", t->aifi_bytes},
        {"AIFO allocations", "count", t->aifo},
        {"AIFO bytes", "bytes", t->aifo_bytes},
        {"AOFI allocations", "count", t->aofi},
        {"AOFI bytes", "bytes", t->aofi_bytes},
        {"AOFO allocations", "count", t->aofo},
        {"AOFO bytes", "bytes", t->aofo_bytes},
        {"lost frees", "count", t->lost_frees},
        {"big-pool allocations", "count", t->bigpool_allocs},
        {"stacks joined", "count", t->stacks_joined},
        {"distinct stacks", "count", t->distinct_stacks},
        {"stacks not kept", "count", t->stacks_dropped},
        {"peak outstanding allocations", "count", t->peak_outstanding},
        {"buffers lost", "count", lf->buffers_lost},
        {"events lost", "count", lf->events_lost},
    };
    size_t i;
    for (i = 0; i < sizeof c / sizeof c[0]; i++) {
        pt_status st = emit_counter(sink, c[i].name, c[i].unit, c[i].v);
        if (st != PT_OK)
            return st;
    }
    return PT_OK;
}

static pt_status emit_modules(const etl_analysis *a, const pt_sink *sink)
{
    size_t i;
    for (i = 0; i < a->nimages; i++) {
        pt_module m;
        pt_status st;
        m.name = a->images[i].name;
        m.base = a->images[i].base;
        m.size = a->images[i].size;
        m.timestamp = a->images[i].timestamp;
        m.checksum = a->images[i].checksum;
        st = pt_sink_module(sink, &m);
        if (st != PT_OK)
            return st;
    }
    return PT_OK;
}

static uint32_t resolved_stack(etl_analysis *a, uint32_t stack)
{
    if ((stack & STACK_IS_KEY) == 0)
        return stack;
    stack = a->key_slots[(stack & ~STACK_IS_KEY) - 1];
    if (stack == 0)
        a->totals.keys_unresolved++;
    return stack;
}

static int by_time(const void *x, const void *y)
{
    const etl_live *a = *(const etl_live *const *)x, *b = *(const etl_live *const *)y;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static pt_status emit_allocations(etl_analysis *a, const pt_sink *sink, pt_error *err)
{
    const etl_live **order = NULL;
    size_t i, n = 0;
    pt_status st = PT_OK;

    order = malloc((a->live_count ? a->live_count : 1) * sizeof *order);
    if (order == NULL)
        return nomem(a, err);
    for (i = 0; i < a->live_cap; i++)
        if (LIVE_USED(&a->live[i]))
            order[n++] = &a->live[i];
    qsort(order, n, sizeof *order, by_time);
    for (i = 0; i < n && st == PT_OK; i++) {
        pt_allocation al;
        memset(&al, 0, sizeof al);
        al.address = order[i]->addr;
        al.tag = a->rows[LIVE_ROW(order[i])].tag;
        al.pool = a->rows[LIVE_ROW(order[i])].pool;
        al.size = LIVE_SIZE(order[i]);
        al.stack_id = resolved_stack(a, order[i]->stack);
        al.time = etl_file_filetime(a->file, order[i]->ts);
        if (al.stack_id != 0)
            a->stacks[al.stack_id - 1].emitted = 1;
        st = pt_sink_allocation(sink, &al);
    }
    free(order);
    for (i = 0; i < a->nstacks && st == PT_OK; i++) {
        pt_stack s;
        if (!a->stacks[i].emitted)
            continue;
        s.stack_id = i + 1;
        s.depth = a->stacks[i].depth;
        s.frames = a->frames + a->stacks[i].off;
        st = pt_sink_stack(sink, &s);
    }
    return st;
}

pt_status etl_analysis_emit(etl_analysis *a, const pt_sink *sink, const char *source,
                            const char *variant, pt_error *err)
{
    etl_row *state = NULL;
    pt_sample_info info;
    size_t k, i;
    pt_status st = PT_OK;

    if (!a->live_classified) {
        for (i = 0; i < a->live_cap; i++)
            if (LIVE_USED(&a->live[i]))
                classify(a, 1, a->live[i].ts, 0, 0, LIVE_SIZE(&a->live[i]));
        a->live_classified = 1;
    }
    memset(&info, 0, sizeof info);
    info.kind = PT_KIND_ETL;
    info.source = source;
    info.variant = variant;
    info.time_origin = "trace";
    state = calloc(a->nrows ? a->nrows : 1, sizeof *state);
    if (state == NULL)
        return nomem(a, err);
    /* The series: each snapshot's state is the previous one plus its
     * deltas.  Snapshots before the first pool event say nothing, and a
     * trace without pool events has only the closing sample. */
    for (k = 0; k < a->nsnaps && st == PT_OK; k++) {
        const etl_snapshot *s = &a->snaps[k];
        if (!a->saw_pool || s->ts <= a->first_pool_ts)
            continue;
        for (i = 0; i < s->delta_n; i++) {
            const etl_row_delta *d = &a->deltas[s->delta_off + i];
            state[d->row].allocs = d->allocs;
            state[d->row].frees = d->frees;
            state[d->row].outstanding = d->outstanding;
            state[d->row].bytes = d->bytes;
        }
        info.time = etl_file_filetime(a->file, s->ts);
        st = pt_sink_begin_sample(sink, &info);
        if (st == PT_OK)
            st = emit_rows(a, sink, state);
        if (st == PT_OK)
            st = pt_sink_end_sample(sink);
    }
    if (st != PT_OK)
        goto out;
    /* The closing sample: the end state, the window counters, images,
     * outstanding allocations and their stacks. */
    info.time = etl_file_filetime(a->file, a->saw_event ? a->last_ts : a->origin);
    st = pt_sink_begin_sample(sink, &info);
    if (st == PT_OK)
        st = emit_rows(a, sink, a->rows);
    if (st == PT_OK)
        st = emit_counters(a, sink);
    if (st == PT_OK)
        st = emit_modules(a, sink);
    if (st == PT_OK)
        st = emit_allocations(a, sink, err);
    if (st == PT_OK)
        st = pt_sink_end_sample(sink);
out:
    free(state);
    return st;
}
