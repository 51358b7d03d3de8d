/* bundle_member.c - a member as a random-access pt_source: reads inflate
 * only the chunks they touch, and every chunk inflated is checked against
 * its SHA-256 in the index, whose hash the manifest holds.  Chunks are
 * independent: when reads go through a member in order, a second thread
 * inflates and checks the next chunk while the reader parses this one. */
#include "bundle_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pt_byteorder.h"

pt_status bundle_parse_index(pt_bundle *b, uint64_t at, const char *member_name,
                             const uint8_t *p, uint32_t len, uint64_t *size,
                             uint8_t hash[PT_SHA256_LEN], bundle_chunk **chunks,
                             size_t *count, pt_error *err)
{
    uint64_t n, present, next = 0, sum = 0;
    uint8_t computed[PT_SHA256_LEN];
    bundle_chunk *list = NULL;
    size_t i;

    *chunks = NULL;
    *count = 0;
    if (len < BUNDLE_END_FIXED || memcmp(p, "PTME", 4) != 0 || pt_le32(p + 4) != 1)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, at,
                            "member %s: end record has a bad magic or version", member_name);
    *size = pt_le64(p + 8);
    present = pt_le64(p + 16);
    n = pt_le64(p + 24);
    if (n > BUNDLE_INDEX_ENTRIES_MAX || len != BUNDLE_END_FIXED + n * BUNDLE_INDEX_ENTRY ||
        (pt_le32(p + 32) & ~BUNDLE_END_HAS_HOLES) != 0 || pt_le32(p + 36) != 0)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, at,
                            "member %s: end record's chunk count or flags are wrong",
                            member_name);
    memcpy(hash, p + 40, PT_SHA256_LEN);
    list = malloc((size_t)(n ? n : 1) * sizeof *list);
    if (list == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, b->path, at, "out of memory");
    for (i = 0; i < n; i++) {
        const uint8_t *e = p + BUNDLE_END_FIXED + i * BUNDLE_INDEX_ENTRY;
        bundle_chunk *c = &list[i];
        c->file_offset = pt_le64(e);
        c->member_offset = pt_le64(e + 8);
        c->length = pt_le32(e + 16);
        c->type = e[20];
        memcpy(c->sha, e + 24, PT_SHA256_LEN);
        if ((c->type != BUNDLE_REC_DATA && c->type != BUNDLE_REC_ZERO) || e[21] || e[22] ||
            e[23] || c->length == 0 || c->length > BUNDLE_CHUNK_MAX ||
            c->member_offset < next || !pt_range_ok(c->member_offset, c->length, *size) ||
            c->file_offset >= at || (i > 0 && c->file_offset <= list[i - 1].file_offset)) {
            free(list);
            return pt_error_set(err, PT_ERR_CORRUPT, b->path, at,
                                "member %s: index entry %lu is out of range or order",
                                member_name, (unsigned long)i);
        }
        if (c->type == BUNDLE_REC_ZERO) {
            uint8_t zsha[PT_SHA256_LEN];
            bundle_zero_sha(c->length, zsha);
            if (memcmp(zsha, c->sha, PT_SHA256_LEN) != 0) {
                free(list);
                return pt_error_set(err, PT_ERR_INTEGRITY, b->path, at,
                                    "member %s: zero chunk %lu has a wrong hash", member_name,
                                    (unsigned long)i);
            }
        }
        next = c->member_offset + c->length;
        sum += c->length;
    }
    bundle_member_hash(*size, list, (size_t)n, computed);
    if (sum != present || memcmp(computed, hash, PT_SHA256_LEN) != 0 ||
        ((pt_le32(p + 32) & BUNDLE_END_HAS_HOLES) != 0) != (present < *size)) {
        free(list);
        return pt_error_set(err, PT_ERR_INTEGRITY, b->path, at,
                            "member %s: chunk index does not match its member hash (tampered)",
                            member_name);
    }
    *chunks = list;
    *count = (size_t)n;
    return PT_OK;
}

pt_status bundle_load_index(pt_bundle *b, size_t i, bundle_chunk **chunks, size_t *count,
                            pt_error *err)
{
    const bundle_member_rt *m = &b->members[i];
    bundle_rec rec;
    uint8_t *payload = NULL, hash[PT_SHA256_LEN];
    uint64_t size = 0;
    pt_status st;

    *chunks = NULL;
    *count = 0;
    if ((st = bundle_read_rec(b, m->end_offset, &rec, err)) != PT_OK)
        return st;
    if (rec.type != BUNDLE_REC_MEMBER_END || rec.member != m->number)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, m->end_offset,
                            "member %s: manifest does not point at its end record",
                            m->pub.name);
    if ((st = bundle_read_payload(b, m->end_offset, &rec, "member end", &payload, err)) != PT_OK)
        return st;
    st = bundle_parse_index(b, m->end_offset, m->pub.name, payload, rec.ulen, &size, hash,
                            chunks, count, err);
    free(payload);
    if (st != PT_OK)
        return st;
    if (size != m->pub.size || memcmp(hash, m->hash, PT_SHA256_LEN) != 0 ||
        *count != m->pub.chunk_count) {
        free(*chunks);
        *chunks = NULL;
        return pt_error_set(err, PT_ERR_INTEGRITY, b->path, m->end_offset,
                            "member %s: end record disagrees with the manifest (tampered)",
                            m->pub.name);
    }
    return PT_OK;
}

/* ---- the member source ---- */

/* Reads of a dump cluster (page tables, pool tracker tables): a few chunks
 * cached spare inflating them again. */
#define CACHE_SLOTS 8

typedef struct chunk_cache {
    size_t chunk;       /* index into chunks; SIZE_MAX = empty */
    uint8_t *data;
    uint64_t used;      /* for least-recently-used replacement */
} chunk_cache;

/* Chunks ahead of an in-order read, inflated and checked by a worker
 * thread.  The reader queues the next AHEAD_SLOTS chunks after each miss;
 * the worker loads the farthest queued one, and the reader loads a queued
 * chunk it reaches first itself, so both cores inflate.  Slot states
 * change under lock; a LOADING slot's data is the worker's, any other's
 * the reader's.  Only bundles reading their own file use it: pread is
 * safe from two threads, a caller's source may not be. */
#define AHEAD_SLOTS 4

enum { AHEAD_FREE, AHEAD_QUEUED, AHEAD_LOADING, AHEAD_DONE };

typedef struct ahead_slot {
    size_t chunk;
    int state;
    uint8_t *data;      /* max_len bytes, swapped into the cache when taken */
    pt_status status;
    pt_error err;
} ahead_slot;

typedef struct read_ahead {
    pthread_t thread;
    int started, failed;  /* failed: no thread could be made; read in line */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int quit;
    ahead_slot slot[AHEAD_SLOTS];
    uint8_t *comp;      /* the worker's compressed record buffer */
} read_ahead;

typedef struct member_impl {
    pt_bundle *b;
    size_t member;
    bundle_chunk *chunks;
    size_t count;
    uint8_t *comp;      /* compressed record buffer */
    uint32_t max_len;   /* the longest chunk: the size of each cache buffer */
    chunk_cache cache[CACHE_SLOTS];
    uint64_t tick;
    size_t last_miss;   /* the chunk the last cache miss loaded */
    read_ahead ahead;
} member_impl;

/* Reads, inflates and checks one DATA or ZERO chunk into out, through
 * comp (room for the longest chunk's record). */
static pt_status load_chunk_with(pt_source *src, const bundle_chunk *c, uint8_t *comp,
                                 uint8_t *out, pt_error *err)
{
    member_impl *mi = src->impl;
    pt_bundle *b = mi->b;
    const char *name = b->members[mi->member].pub.name;
    bundle_rec rec;
    uint8_t sha[PT_SHA256_LEN];
    const uint8_t *tail;
    char what[64];
    pt_status st;

    if ((st = bundle_read_rec(b, c->file_offset, &rec, err)) != PT_OK)
        return st;
    if (rec.type != c->type || rec.member != b->members[mi->member].number ||
        rec.offset != c->member_offset || rec.ulen != c->length)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, c->file_offset,
                            "member %s: chunk record does not match its index entry", name);
    st = pt_source_read(b->src, c->file_offset + BUNDLE_REC_HEAD, comp,
                        (size_t)rec.clen + BUNDLE_REC_TAIL, err);
    if (st != PT_OK)
        return st;
    snprintf(what, sizeof what, "chunk at member offset %llu",
             (unsigned long long)c->member_offset);
    st = bundle_inflate(b->path, c->file_offset, what, comp, rec.clen, out, c->length, err);
    if (st != PT_OK) {
        pt_error_prefix(err, "member %s", name);
        return st;
    }
    tail = comp + rec.clen;
    pt_sha256_buffer(out, c->length, sha);
    if (memcmp(sha, c->sha, PT_SHA256_LEN) != 0 ||
        pt_le32(tail) != (uint32_t)crc32(0L, out, c->length) || pt_le32(tail + 4) != c->length)
        return pt_error_set(err, PT_ERR_INTEGRITY, b->path, c->file_offset,
                            "member %s: chunk at member offset %llu does not match its "
                            "SHA-256 (tampered or damaged)",
                            name, (unsigned long long)c->member_offset);
    return PT_OK;
}

static pt_status load_chunk(pt_source *src, const bundle_chunk *c, uint8_t *out,
                            pt_error *err)
{
    member_impl *mi = src->impl;
    return load_chunk_with(src, c, mi->comp, out, err);
}

/* The queued slot with the farthest chunk, or NULL. */
static ahead_slot *farthest_queued(read_ahead *ra)
{
    ahead_slot *best = NULL;
    size_t k;
    for (k = 0; k < AHEAD_SLOTS; k++)
        if (ra->slot[k].state == AHEAD_QUEUED && (best == NULL || ra->slot[k].chunk > best->chunk))
            best = &ra->slot[k];
    return best;
}

static void *read_ahead_main(void *arg)
{
    pt_source *src = arg;
    member_impl *mi = src->impl;
    read_ahead *ra = &mi->ahead;

    pthread_mutex_lock(&ra->lock);
    for (;;) {
        ahead_slot *sl;
        pt_error err;
        pt_status st;
        while (!ra->quit && (sl = farthest_queued(ra)) == NULL)
            pthread_cond_wait(&ra->cond, &ra->lock);
        if (ra->quit)
            break;
        sl->state = AHEAD_LOADING;
        pthread_mutex_unlock(&ra->lock);
        pt_error_clear(&err);
        st = load_chunk_with(src, &mi->chunks[sl->chunk], ra->comp, sl->data, &err);
        pthread_mutex_lock(&ra->lock);
        sl->status = st;
        sl->err = err;
        sl->state = AHEAD_DONE;
        pthread_cond_broadcast(&ra->cond);
    }
    pthread_mutex_unlock(&ra->lock);
    return NULL;
}

static int read_ahead_start(pt_source *src)
{
    member_impl *mi = src->impl;
    read_ahead *ra = &mi->ahead;

    ra->comp = malloc((size_t)BUNDLE_COMPRESSED_MAX(mi->max_len) + BUNDLE_REC_TAIL);
    if (ra->comp == NULL)
        return -1;
    if (pthread_mutex_init(&ra->lock, NULL) != 0)
        return -1;
    if (pthread_cond_init(&ra->cond, NULL) != 0) {
        pthread_mutex_destroy(&ra->lock);
        return -1;
    }
    if (pthread_create(&ra->thread, NULL, read_ahead_main, src) != 0) {
        pthread_cond_destroy(&ra->cond);
        pthread_mutex_destroy(&ra->lock);
        return -1;
    }
    ra->started = 1;
    return 0;
}

static int in_cache(const member_impl *mi, size_t ci)
{
    size_t k;
    for (k = 0; k < CACHE_SLOTS; k++)
        if (mi->cache[k].chunk == ci)
            return 1;
    return 0;
}

/* Queues the data chunks after ci that are not cached or queued yet, and
 * drops what an in-order read has passed. */
static void read_ahead_request(pt_source *src, size_t ci)
{
    member_impl *mi = src->impl;
    read_ahead *ra = &mi->ahead;
    size_t j, k;

    if (ra->failed || !mi->b->owns_src)
        return;
    if (!ra->started && read_ahead_start(src) != 0) {
        ra->failed = 1;
        return;
    }
    pthread_mutex_lock(&ra->lock);
    for (k = 0; k < AHEAD_SLOTS; k++)
        if (ra->slot[k].state != AHEAD_LOADING && ra->slot[k].chunk <= ci)
            ra->slot[k].state = AHEAD_FREE;
    for (j = ci + 1; j <= ci + AHEAD_SLOTS && j < mi->count; j++) {
        ahead_slot *free_slot = NULL;
        int queued = 0;
        if (mi->chunks[j].type != BUNDLE_REC_DATA || in_cache(mi, j))
            continue;
        for (k = 0; k < AHEAD_SLOTS; k++) {
            queued |= ra->slot[k].state != AHEAD_FREE && ra->slot[k].chunk == j;
            if (ra->slot[k].state == AHEAD_FREE && free_slot == NULL)
                free_slot = &ra->slot[k];
        }
        if (queued)
            continue;
        if (free_slot == NULL)
            break;
        if (free_slot->data == NULL && (free_slot->data = malloc(mi->max_len)) == NULL)
            break;
        free_slot->chunk = j;
        free_slot->state = AHEAD_QUEUED;
    }
    pthread_cond_broadcast(&ra->cond);
    pthread_mutex_unlock(&ra->lock);
}

/* Chunk ci from the worker, if it has it or is loading it (the buffer is
 * swapped with *data): returns 1 with *st (and err on failure), or 0 when
 * the reader is to load it (a queued chunk is taken back from the worker). */
static int read_ahead_take(member_impl *mi, size_t ci, uint8_t **data, pt_status *st,
                           pt_error *err)
{
    read_ahead *ra = &mi->ahead;
    ahead_slot *sl = NULL;
    uint8_t *spare;
    size_t k;

    if (!ra->started)
        return 0;
    pthread_mutex_lock(&ra->lock);
    for (k = 0; k < AHEAD_SLOTS; k++)
        if (ra->slot[k].state != AHEAD_FREE && ra->slot[k].chunk == ci)
            sl = &ra->slot[k];
    if (sl == NULL || sl->state == AHEAD_QUEUED) {
        if (sl != NULL)
            sl->state = AHEAD_FREE;
        pthread_mutex_unlock(&ra->lock);
        return 0;
    }
    while (sl->state == AHEAD_LOADING)
        pthread_cond_wait(&ra->cond, &ra->lock);
    sl->state = AHEAD_FREE;
    pthread_mutex_unlock(&ra->lock);
    *st = sl->status;
    if (*st != PT_OK) {
        *err = sl->err;
        return 1;
    }
    spare = *data;
    *data = sl->data;
    sl->data = spare;
    return 1;
}

static void read_ahead_stop(read_ahead *ra)
{
    size_t k;
    if (ra->started) {
        pthread_mutex_lock(&ra->lock);
        ra->quit = 1;
        pthread_cond_broadcast(&ra->cond);
        pthread_mutex_unlock(&ra->lock);
        pthread_join(ra->thread, NULL);
        pthread_cond_destroy(&ra->cond);
        pthread_mutex_destroy(&ra->lock);
    }
    for (k = 0; k < AHEAD_SLOTS; k++)
        free(ra->slot[k].data);
    free(ra->comp);
}

/* The chunk covering off, or SIZE_MAX when off falls in a hole. */
static size_t find_chunk(const member_impl *mi, uint64_t off)
{
    size_t lo = 0, hi = mi->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (mi->chunks[mid].member_offset <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return SIZE_MAX;
    lo--;
    if (off - mi->chunks[lo].member_offset >= mi->chunks[lo].length)
        return SIZE_MAX;
    return lo;
}

static pt_status cached_chunk(pt_source *src, size_t ci, const uint8_t **data, pt_error *err)
{
    member_impl *mi = src->impl;
    chunk_cache *victim = &mi->cache[0];
    size_t k;
    pt_status st;

    for (k = 0; k < CACHE_SLOTS; k++) {
        if (mi->cache[k].chunk == ci) {
            mi->cache[k].used = ++mi->tick;
            *data = mi->cache[k].data;
            return PT_OK;
        }
        if (mi->cache[k].used < victim->used)
            victim = &mi->cache[k];
    }
    victim->chunk = SIZE_MAX;
    if (!read_ahead_take(mi, ci, &victim->data, &st, err)) {
        if (victim->data == NULL && (victim->data = malloc(mi->max_len)) == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, mi->b->path, PT_NO_OFFSET,
                                "out of memory");
        st = load_chunk(src, &mi->chunks[ci], victim->data, err);
    }
    if (st != PT_OK)
        return st;
    victim->chunk = ci;
    victim->used = ++mi->tick;
    *data = victim->data;
    /* Two misses in a row on consecutive chunks: an in-order read. */
    if (mi->last_miss != SIZE_MAX && ci == mi->last_miss + 1)
        read_ahead_request(src, ci);
    mi->last_miss = ci;
    return PT_OK;
}

static pt_status member_read_at(pt_source *src, uint64_t off, void *buf, size_t len,
                                pt_error *err)
{
    member_impl *mi = src->impl;
    uint8_t *out = buf;

    if (!pt_range_ok(off, len, src->size))
        return pt_error_set(err, PT_ERR_TRUNCATED, src->name, off,
                            "read of %lu bytes passes the member's end (%llu bytes)",
                            (unsigned long)len, (unsigned long long)src->size);
    while (len > 0) {
        size_t ci = find_chunk(mi, off), n;
        const bundle_chunk *c;
        uint64_t in;
        pt_status st;

        if (ci == SIZE_MAX)
            return pt_error_set(err, PT_ERR_PARTIAL, src->name, off,
                                "these bytes are not in the bundle (the member was reduced "
                                "to part of its %llu bytes)",
                                (unsigned long long)src->size);
        c = &mi->chunks[ci];
        in = off - c->member_offset;
        n = c->length - in < len ? (size_t)(c->length - in) : len;
        if (c->type == BUNDLE_REC_ZERO) {
            /* its hash was checked against the zero hash with the index */
            memset(out, 0, n);
        } else {
            const uint8_t *data = NULL;
            if ((st = cached_chunk(src, ci, &data, err)) != PT_OK)
                return st;
            memcpy(out, data + in, n);
        }
        out += n;
        off += n;
        len -= n;
    }
    return PT_OK;
}

static void member_close(pt_source *src)
{
    member_impl *mi = src->impl;
    size_t k;
    if (mi == NULL)
        return;
    read_ahead_stop(&mi->ahead);
    for (k = 0; k < CACHE_SLOTS; k++)
        free(mi->cache[k].data);
    free(mi->comp);
    free(mi->chunks);
    free(mi);
}

pt_status pt_bundle_open_member(pt_bundle *b, size_t i, pt_source **out, pt_error *err)
{
    pt_source *src = NULL;
    member_impl *mi = NULL;
    size_t name_len, k;
    pt_status st;

    *out = NULL;
    if (i >= b->member_count)
        return pt_error_set(err, PT_ERR_NOT_FOUND, b->path, PT_NO_OFFSET,
                            "no member %lu (the bundle has %lu)", (unsigned long)i,
                            (unsigned long)b->member_count);
    src = calloc(1, sizeof *src);
    mi = calloc(1, sizeof *mi);
    name_len = strlen(b->path) + strlen(b->members[i].pub.name) + 2;
    if (src == NULL || mi == NULL || (src->name = malloc(name_len)) == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, b->path, PT_NO_OFFSET, "out of memory");
        goto fail;
    }
    snprintf(src->name, name_len, "%s:%s", b->path, b->members[i].pub.name);
    src->impl = mi;
    src->size = b->members[i].pub.size;
    src->read_at = member_read_at;
    src->close = member_close;
    mi->b = b;
    mi->member = i;
    if ((st = bundle_load_index(b, i, &mi->chunks, &mi->count, err)) != PT_OK)
        goto fail;
    for (k = 0; k < mi->count; k++)
        if (mi->chunks[k].length > mi->max_len)
            mi->max_len = mi->chunks[k].length;
    mi->comp = malloc((size_t)BUNDLE_COMPRESSED_MAX(mi->max_len) + BUNDLE_REC_TAIL);
    if (mi->comp == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, b->path, PT_NO_OFFSET, "out of memory");
        goto fail;
    }
    for (k = 0; k < CACHE_SLOTS; k++)
        mi->cache[k].chunk = SIZE_MAX;
    mi->last_miss = SIZE_MAX;
    *out = src;
    return PT_OK;
fail:
    if (src != NULL) {
        src->impl = mi;
        src->close = member_close;
        pt_source_close(src);
    } else {
        free(mi);
    }
    return st;
}

pt_status pt_bundle_verify_member(pt_bundle *b, size_t i, pt_error *err)
{
    pt_source *src = NULL;
    member_impl *mi;
    uint8_t *buf = NULL;
    size_t k;
    pt_status st;

    if ((st = pt_bundle_open_member(b, i, &src, err)) != PT_OK)
        return st;
    mi = src->impl;
    buf = malloc(mi->max_len ? mi->max_len : 1);
    if (buf == NULL)
        st = pt_error_set(err, PT_ERR_NOMEM, b->path, PT_NO_OFFSET, "out of memory");
    /* Every chunk, zero runs included, is inflated and checked. */
    for (k = 0; st == PT_OK && k < mi->count; k++)
        st = load_chunk(src, &mi->chunks[k], buf, err);
    free(buf);
    pt_source_close(src);
    return st;
}

pt_status pt_bundle_verify(pt_bundle *b, pt_error *err)
{
    size_t i;
    pt_status st;
    for (i = 0; i < b->member_count; i++)
        if ((st = pt_bundle_verify_member(b, i, err)) != PT_OK)
            return st;
    return PT_OK;
}
