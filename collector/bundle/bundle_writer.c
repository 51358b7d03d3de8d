/* bundle_writer.c - writes a bundle streaming, record by record, at its
 * final path: whatever is on disk is always a prefix of a valid bundle, so
 * a killed collector leaves every member up to the last complete one. */
/* SEEK_DATA and SEEK_HOLE, for sparse files, are GNU extensions in glibc. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "bundle.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#ifdef _WIN32
#include <windows.h>
#endif

#include "bundle_format.h"
#include "pt_byteorder.h"
#include "pt_json.h"
#include "pt_sha256.h"

#ifndef O_BINARY
#define O_BINARY 0
#endif

/* What the manifest needs of a finished member. */
typedef struct written_member {
    char *name, *kind;
    char **attr_keys, **attr_values;
    size_t attr_count;
    uint64_t size, present, chunk_count;
    uint64_t start_offset, end_offset;
    int holes;
    uint8_t hash[PT_SHA256_LEN];
} written_member;

/* Deflated zero runs, one per multiple of the 64 KiB grain, made once. */
typedef struct zero_form {
    uint8_t *data;
    uint32_t clen;
    uint32_t crc;
} zero_form;

#define ZERO_FORMS (BUNDLE_CHUNK_MAX / BUNDLE_ZERO_GRAIN + 1)

/* A 1 MiB piece cuts into at most this many zero/data runs. */
#define PIECE_CHUNKS_MAX (BUNDLE_CHUNK_MAX / BUNDLE_ZERO_GRAIN + 1)
#define PIECE_OUT_CAP(size)                                                        \
    ((size_t)BUNDLE_COMPRESSED_MAX(size) +                                         \
     PIECE_CHUNKS_MAX * (BUNDLE_REC_HEAD + BUNDLE_REC_TAIL + 1024u + 64u))
/* A batch is about 2 MiB per thread: fewer, larger batches keep the
 * threads busy between the hand-overs. */
#define BATCH_BYTES_PER_THREAD (2u * 1024 * 1024)
#define PIECES_MAX 64
#define LARGE_MEMBER (64ull * 1024 * 1024)
#define THREADS_MAX 16

typedef struct piece_chunk {
    uint64_t member_offset;
    uint32_t length;
    uint8_t type;
    uint8_t sha[PT_SHA256_LEN];
    size_t rec_off;      /* where its record starts in the piece's output */
} piece_chunk;

typedef struct piece {
    uint8_t *data;       /* BUNDLE_CHUNK_MAX bytes */
    size_t len;
    uint64_t member_off;
    size_t data_cap;     /* bytes data holds: the piece size it was made for */
    uint8_t *out;        /* the records, PIECE_OUT_CAP(data_cap) bytes */
    size_t out_len;
    piece_chunk chunks[PIECE_CHUNKS_MAX];
    size_t chunk_count;
    pt_status st;
    pt_error err;
} piece;

typedef struct pt_bundle_writer pt_bundle_writer_t;

#define PROBE_BYTES (16u * 1024)

typedef struct worker {
    pt_bundle_writer_t *w;
    z_stream zs;
    int zs_ready;
    z_stream probe;             /* level 1 over a chunk's first 16 KiB */
    int probe_ready;
    uint8_t probe_out[PROBE_BYTES + 1024];
    unsigned long seen;         /* the last batch generation it took */
} worker;

struct pt_bundle_writer {
    char *path;
    int fd;
    uint64_t pos;
    pt_bundle_info info;
    char *info_strings[3];
    z_stream zs;
    int zs_ready;
    int level;          /* 0 = by member size */
    int member_level;
    uint8_t *rec;       /* head + deflate output + trailer of one record */
    size_t rec_cap;
    /* Member bytes waiting to become chunks: a batch of 1 MiB pieces that
     * the threads deflate and hash in parallel, then written in order. */
    int threads;
    size_t piece_size;  /* this member's chunk size: 1 MiB, 256 KiB when large */
    size_t chunk_size;  /* set by pt_bundle_writer_set_chunk_size; 0 = by size */
    piece *pieces;
    size_t piece_cap, piece_cur;
    /* Two sets of pieces: one filled by this thread (pieces) while the
     * workers deflate the other (busy_set); written in order. */
    piece *sets[2];
    int fill;
    piece *busy_set;
    size_t busy_n;
    worker *workers;
    zero_form zero[ZERO_FORMS];
    pthread_mutex_t zero_lock;
    /* The worker threads, started with the first batch and kept: a batch
     * bumps generation, each thread encodes its share, the last one done
     * signals pool_done. */
    pthread_t tids[THREADS_MAX];
    int started;
    pthread_mutex_t pool_lock;
    pthread_cond_t pool_go, pool_done;
    unsigned long generation;
    int busy, quit;
    /* The batch being encoded: threads claim its pieces one at a time, so
     * a thread the system holds back delays no more than one piece. */
    piece *claim_set;
    size_t claim_n;
    atomic_size_t claim_next;
    /* the member being written */
    int in_member;
    written_member cur;
    uint64_t next_off;
    bundle_chunk *chunks;
    size_t chunk_count, chunk_cap;
    /* finished members */
    written_member *members;
    size_t member_count, member_cap;
    int broken;         /* a write failed: only abort is left */
};

static char *dup_string(const char *s)
{
    size_t n;
    char *p;
    if (s == NULL)
        return NULL;
    n = strlen(s) + 1;
    p = malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

static pt_status write_all(pt_bundle_writer *w, const uint8_t *data, size_t len,
                           pt_error *err)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(w->fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            w->broken = 1;
            return pt_error_set(err, PT_ERR_IO, w->path, w->pos + done, "write failed: %s",
                                n < 0 ? strerror(errno) : "no progress");
        }
        done += (size_t)n;
    }
    w->pos += len;
    return PT_OK;
}

static pt_status ensure_rec(pt_bundle_writer *w, uint64_t ulen, pt_error *err)
{
    uint64_t need = BUNDLE_REC_HEAD + BUNDLE_COMPRESSED_MAX(ulen) + BUNDLE_REC_TAIL;
    uint8_t *nb;
    if (need <= w->rec_cap)
        return PT_OK;
    nb = realloc(w->rec, (size_t)need);
    if (nb == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, w->path, w->pos, "out of memory");
    w->rec = nb;
    w->rec_cap = (size_t)need;
    return PT_OK;
}

/* Raw-deflates data into out (room for BUNDLE_COMPRESSED_MAX(len)). */
static pt_status deflate_into(pt_bundle_writer *w, int level, const void *data, size_t len,
                              uint8_t *out, uint32_t *clen, pt_error *err)
{
    int zr;
    if (!w->zs_ready) {
        memset(&w->zs, 0, sizeof w->zs);
        if (deflateInit2(&w->zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return pt_error_set(err, PT_ERR_NOMEM, w->path, w->pos, "deflateInit failed");
        w->zs_ready = 1;
    } else if (deflateReset(&w->zs) != Z_OK ||
               deflateParams(&w->zs, level, Z_DEFAULT_STRATEGY) != Z_OK) {
        return pt_error_set(err, PT_ERR_INTERNAL, w->path, w->pos, "deflateReset failed");
    }
    w->zs.next_in = (Bytef *)(uintptr_t)data;
    w->zs.avail_in = (uInt)len;
    w->zs.next_out = out;
    w->zs.avail_out = (uInt)BUNDLE_COMPRESSED_MAX(len);
    zr = deflate(&w->zs, Z_FINISH);
    if (zr != Z_STREAM_END)
        return pt_error_set(err, PT_ERR_INTERNAL, w->path, w->pos,
                            "deflate did not finish (%d)", zr);
    *clen = (uint32_t)w->zs.total_out;
    return PT_OK;
}

/* Writes one record whose deflate data is already at w->rec + 48. */
static pt_status emit_record(pt_bundle_writer *w, uint8_t type, uint32_t member,
                             uint64_t offset, uint32_t ulen, uint32_t clen, uint32_t crc,
                             pt_error *err)
{
    bundle_rec rec;
    rec.type = type;
    rec.member = member;
    rec.offset = offset;
    rec.ulen = ulen;
    rec.clen = clen;
    bundle_rec_encode(&rec, w->rec);
    pt_put_le32(w->rec + BUNDLE_REC_HEAD + clen, crc);
    pt_put_le32(w->rec + BUNDLE_REC_HEAD + clen + 4, ulen);
    return write_all(w, w->rec, BUNDLE_REC_HEAD + (size_t)clen + BUNDLE_REC_TAIL, err);
}

static pt_status write_payload_record(pt_bundle_writer *w, uint8_t type, uint32_t member,
                                      uint64_t offset, const void *data, size_t len,
                                      int level, pt_error *err)
{
    uint32_t clen = 0;
    pt_status st;
    if ((st = ensure_rec(w, len, err)) != PT_OK)
        return st;
    if ((st = deflate_into(w, level, data, len, w->rec + BUNDLE_REC_HEAD, &clen, err)) != PT_OK)
        return st;
    return emit_record(w, type, member, offset, (uint32_t)len, clen,
                       (uint32_t)crc32(0L, data, (uInt)len), err);
}

static pt_status add_chunk(pt_bundle_writer *w, uint64_t file_offset, uint64_t member_offset,
                           uint32_t len, uint8_t type, const uint8_t sha[PT_SHA256_LEN],
                           pt_error *err)
{
    bundle_chunk *c;
    if (w->chunk_count >= BUNDLE_INDEX_ENTRIES_MAX)
        return pt_error_set(err, PT_ERR_LIMIT, w->path, w->pos,
                            "member %s needs more than %lu chunks", w->cur.name,
                            (unsigned long)BUNDLE_INDEX_ENTRIES_MAX);
    if (w->chunk_count == w->chunk_cap) {
        size_t ncap = w->chunk_cap ? w->chunk_cap * 2 : 64;
        bundle_chunk *nc = realloc(w->chunks, ncap * sizeof *nc);
        if (nc == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, w->path, w->pos, "out of memory");
        w->chunks = nc;
        w->chunk_cap = ncap;
    }
    c = &w->chunks[w->chunk_count++];
    c->file_offset = file_offset;
    c->member_offset = member_offset;
    c->length = len;
    c->type = type;
    memcpy(c->sha, sha, PT_SHA256_LEN);
    return PT_OK;
}

/* The deflated form of len zero bytes: cached per grain multiple (shared
 * by the threads under a lock), else made into *tmp for the caller to free. */
static pt_status zero_form_get(pt_bundle_writer *w, uint32_t len, const zero_form **out,
                               zero_form *tmp)
{
    static const uint8_t zeros[BUNDLE_ZERO_GRAIN];
    zero_form *zf = len % BUNDLE_ZERO_GRAIN == 0 ? &w->zero[len / BUNDLE_ZERO_GRAIN] : tmp;
    pt_status st = PT_OK;

    memset(tmp, 0, sizeof *tmp);
    if (zf != tmp)
        pthread_mutex_lock(&w->zero_lock);
    if (zf->data == NULL) {
        z_stream zs;
        uint32_t left;
        uint8_t *buf = malloc((size_t)BUNDLE_COMPRESSED_MAX(len));
        memset(&zs, 0, sizeof zs);
        if (buf == NULL || deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            free(buf);
            st = PT_ERR_NOMEM;
        } else {
            zs.next_out = buf;
            zs.avail_out = (uInt)BUNDLE_COMPRESSED_MAX(len);
            zf->crc = (uint32_t)crc32(0L, Z_NULL, 0);
            for (left = len; left > 0;) {
                uint32_t n = left > sizeof zeros ? (uint32_t)sizeof zeros : left;
                zs.next_in = (Bytef *)(uintptr_t)zeros;
                zs.avail_in = n;
                left -= n;
                deflate(&zs, left > 0 ? Z_NO_FLUSH : Z_FINISH);
                zf->crc = (uint32_t)crc32(zf->crc, zeros, n);
            }
            zf->clen = (uint32_t)zs.total_out;
            deflateEnd(&zs);
            zf->data = buf;
        }
    }
    if (zf != tmp)
        pthread_mutex_unlock(&w->zero_lock);
    *out = zf;
    return st;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        acc |= v;
        if (acc != 0)
            return 0;
    }
    for (; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* 1 when level-1 deflate of the first 16 KiB saves under 2%. */
static int looks_incompressible(worker *wk, const uint8_t *data)
{
    if (!wk->probe_ready) {
        memset(&wk->probe, 0, sizeof wk->probe);
        if (deflateInit2(&wk->probe, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return 0;
        wk->probe_ready = 1;
    } else if (deflateReset(&wk->probe) != Z_OK) {
        return 0;
    }
    wk->probe.next_in = (Bytef *)(uintptr_t)data;
    wk->probe.avail_in = PROBE_BYTES;
    wk->probe.next_out = wk->probe_out;
    wk->probe.avail_out = sizeof wk->probe_out;
    if (deflate(&wk->probe, Z_FINISH) != Z_STREAM_END)
        return 0;
    return wk->probe.total_out > PROBE_BYTES - PROBE_BYTES / 50;
}

/* Appends one chunk record for data[0..len) (or zeros) to the piece. */
static pt_status piece_add_record(worker *wk, piece *pc, uint64_t member_off,
                                  const uint8_t *data, uint32_t len, int zero)
{
    pt_bundle_writer *w = wk->w;
    uint8_t *rec_start = pc->out + pc->out_len, *d = rec_start + BUNDLE_REC_HEAD;
    piece_chunk *c = &pc->chunks[pc->chunk_count++];
    bundle_rec rec;
    uint32_t crc, clen;

    c->member_offset = member_off;
    c->length = len;
    c->type = zero ? BUNDLE_REC_ZERO : BUNDLE_REC_DATA;
    c->rec_off = pc->out_len;
    if (zero) {
        const zero_form *zf;
        zero_form tmp;
        if (zero_form_get(w, len, &zf, &tmp) != PT_OK)
            return pt_error_set(&pc->err, PT_ERR_NOMEM, w->path, PT_NO_OFFSET, "out of memory");
        memcpy(d, zf->data, zf->clen);
        clen = zf->clen;
        crc = zf->crc;
        free(tmp.data);
        bundle_zero_sha(len, c->sha);
    } else {
        int zr, level = w->member_level;
        /* Already-compressed data (encrypted pages, packed files) is stored:
         * deflating it costs as much as compressing text and gains nothing. */
        if (level == 1 && len >= 4 * PROBE_BYTES && looks_incompressible(wk, data))
            level = 0;
        if (!wk->zs_ready) {
            memset(&wk->zs, 0, sizeof wk->zs);
            if (deflateInit2(&wk->zs, level, Z_DEFLATED, -15, 8,
                             Z_DEFAULT_STRATEGY) != Z_OK)
                return pt_error_set(&pc->err, PT_ERR_NOMEM, w->path, PT_NO_OFFSET,
                                    "deflateInit failed");
            wk->zs_ready = 1;
        } else if (deflateReset(&wk->zs) != Z_OK ||
                   deflateParams(&wk->zs, level, Z_DEFAULT_STRATEGY) != Z_OK) {
            return pt_error_set(&pc->err, PT_ERR_INTERNAL, w->path, PT_NO_OFFSET,
                                "deflateReset failed");
        }
        wk->zs.next_in = (Bytef *)(uintptr_t)data;
        wk->zs.avail_in = len;
        wk->zs.next_out = d;
        wk->zs.avail_out = (uInt)BUNDLE_COMPRESSED_MAX(len);
        zr = deflate(&wk->zs, Z_FINISH);
        if (zr != Z_STREAM_END)
            return pt_error_set(&pc->err, PT_ERR_INTERNAL, w->path, PT_NO_OFFSET,
                                "deflate did not finish (%d)", zr);
        clen = (uint32_t)wk->zs.total_out;
        crc = (uint32_t)crc32(0L, data, len);
        pt_sha256_buffer(data, len, c->sha);
    }
    rec.type = c->type;
    rec.member = (uint32_t)w->member_count;
    rec.offset = member_off;
    rec.ulen = len;
    rec.clen = clen;
    bundle_rec_encode(&rec, rec_start);
    pt_put_le32(d + clen, crc);
    pt_put_le32(d + clen + 4, len);
    pc->out_len += BUNDLE_REC_HEAD + (size_t)clen + BUNDLE_REC_TAIL;
    return PT_OK;
}

/* Cuts a piece into runs of all-zero 64 KiB grains (ZERO records) and the
 * rest (DATA records), deflating and hashing the data. */
static void piece_encode(worker *wk, piece *pc)
{
    size_t pos = 0;
    pc->out_len = 0;
    pc->chunk_count = 0;
    pc->st = PT_OK;
    while (pos < pc->len && pc->st == PT_OK) {
        size_t end = pos;
        int zero = 0;
        while (end < pc->len) {
            size_t n = pc->len - end < BUNDLE_ZERO_GRAIN ? pc->len - end : BUNDLE_ZERO_GRAIN;
            int z = all_zero(pc->data + end, n);
            if (end == pos)
                zero = z;
            else if (z != zero)
                break;
            end += n;
        }
        pc->st = piece_add_record(wk, pc, pc->member_off + pos, pc->data + pos,
                                  (uint32_t)(end - pos), zero);
        pos = end;
    }
}

static void *worker_run(void *arg)
{
    worker *wk = arg;
    pt_bundle_writer *w = wk->w;
    for (;;) {
        size_t i = atomic_fetch_add(&w->claim_next, 1);
        if (i >= w->claim_n)
            break;
        piece_encode(wk, &w->claim_set[i]);
    }
    return NULL;
}

static void *pool_thread(void *arg)
{
    worker *wk = arg;
    pt_bundle_writer *w = wk->w;

    pthread_mutex_lock(&w->pool_lock);
    for (;;) {
        while (!w->quit && w->generation == wk->seen)
            pthread_cond_wait(&w->pool_go, &w->pool_lock);
        if (w->quit)
            break;
        wk->seen = w->generation;
        pthread_mutex_unlock(&w->pool_lock);
        worker_run(wk);
        pthread_mutex_lock(&w->pool_lock);
        if (--w->busy == 0)
            pthread_cond_signal(&w->pool_done);
    }
    pthread_mutex_unlock(&w->pool_lock);
    return NULL;
}

/* Starts one worker per thread wanted; this thread reads and writes while
 * they deflate.  If none starts, batches are encoded here. */
static void pool_start(pt_bundle_writer *w)
{
    int t;
    for (t = 0; t < w->threads; t++) {
        worker *wk = &w->workers[w->started];
        wk->seen = w->generation;
        if (pthread_create(&w->tids[w->started], NULL, pool_thread, wk) != 0)
            break;
        w->started++;
    }
}

static void pool_stop(pt_bundle_writer *w)
{
    int t;
    if (w->started == 0)
        return;
    pthread_mutex_lock(&w->pool_lock);
    w->quit = 1;
    pthread_cond_broadcast(&w->pool_go);
    pthread_mutex_unlock(&w->pool_lock);
    for (t = 0; t < w->started; t++)
        pthread_join(w->tids[t], NULL);
    w->started = 0;
}

/* Starts encoding set[0..n) on the workers (none: encode_finish does it). */
static void encode_start(pt_bundle_writer *w, piece *set, size_t n)
{
    if (w->threads > 1 && w->started == 0 && !w->quit)
        pool_start(w);
    w->claim_set = set;
    w->claim_n = n;
    atomic_store(&w->claim_next, 0);
    if (w->started == 0)
        return;
    pthread_mutex_lock(&w->pool_lock);
    w->busy = w->started;
    w->generation++;
    pthread_cond_broadcast(&w->pool_go);
    pthread_mutex_unlock(&w->pool_lock);
}

/* Waits for set[0..n) and writes its records in order. */
static pt_status encode_finish(pt_bundle_writer *w, piece *set, size_t n, pt_error *err)
{
    size_t i, k;
    pt_status st = PT_OK;

    /* this thread takes what the workers have not claimed yet */
    worker_run(&w->workers[w->threads]);
    if (w->started > 0) {
        pthread_mutex_lock(&w->pool_lock);
        while (w->busy > 0)
            pthread_cond_wait(&w->pool_done, &w->pool_lock);
        pthread_mutex_unlock(&w->pool_lock);
    }
    for (i = 0; i < n && st == PT_OK; i++) {
        piece *pc = &set[i];
        uint64_t at = w->pos;
        if (pc->st != PT_OK) {
            if (err != NULL)
                *err = pc->err;
            w->broken = 1;
            return pc->st;
        }
        if ((st = write_all(w, pc->out, pc->out_len, err)) != PT_OK)
            return st;
        for (k = 0; k < pc->chunk_count && st == PT_OK; k++)
            st = add_chunk(w, at + pc->chunks[k].rec_off, pc->chunks[k].member_offset,
                           pc->chunks[k].length, pc->chunks[k].type, pc->chunks[k].sha, err);
        pc->len = 0;
    }
    return st;
}

/* Hands the filled pieces to the workers (after writing the set they had)
 * and moves to the other set; the next piece starts at next_off. */
static pt_status submit_pieces(pt_bundle_writer *w, uint64_t next_off, pt_error *err)
{
    size_t n = w->pieces[w->piece_cur].len > 0 ? w->piece_cur + 1 : w->piece_cur;
    pt_status st = PT_OK;

    if (n > 0) {
        if (w->busy_set != NULL) {
            st = encode_finish(w, w->busy_set, w->busy_n, err);
            w->busy_set = NULL;
            if (st != PT_OK)
                return st;
        }
        encode_start(w, w->pieces, n);
        w->busy_set = w->pieces;
        w->busy_n = n;
        w->fill ^= 1;
        w->pieces = w->sets[w->fill];
    }
    w->piece_cur = 0;
    w->pieces[0].len = 0;
    w->pieces[0].member_off = next_off;
    return st;
}

/* Writes every piece holding bytes (at a member's end). */
static pt_status flush_pieces(pt_bundle_writer *w, uint64_t next_off, pt_error *err)
{
    pt_status st = submit_pieces(w, next_off, err);
    if (w->busy_set != NULL) {
        pt_status fin = encode_finish(w, w->busy_set, w->busy_n, err);
        w->busy_set = NULL;
        if (st == PT_OK)
            st = fin;
    }
    return st;
}

/* Moves to a fresh piece starting at off (after a full piece or a hole). */
static pt_status next_piece(pt_bundle_writer *w, uint64_t off, pt_error *err)
{
    if (w->pieces[w->piece_cur].len == 0) {
        w->pieces[w->piece_cur].member_off = off;
        return PT_OK;
    }
    if (w->piece_cur + 1 == w->piece_cap ||
        (w->piece_cur + 1) * w->piece_size >= (size_t)w->threads * BATCH_BYTES_PER_THREAD)
        return submit_pieces(w, off, err);
    w->piece_cur++;
    w->pieces[w->piece_cur].len = 0;
    w->pieces[w->piece_cur].member_off = off;
    return PT_OK;
}

static int default_threads(void)
{
    const char *env = getenv("PT_BUNDLE_THREADS");
    long n = env != NULL ? strtol(env, NULL, 10) : 0;
#if defined(_WIN32)
    if (n <= 0) {
        SYSTEM_INFO si;
        GetSystemInfo(&si);
        n = (long)si.dwNumberOfProcessors;
    }
#elif defined(_SC_NPROCESSORS_ONLN)
    if (n <= 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
#endif
    if (n <= 0)
        n = 1;
    return n > THREADS_MAX ? THREADS_MAX : (int)n;
}

static pt_status alloc_pieces(pt_bundle_writer *w, pt_error *err)
{
    int t;
    w->threads = default_threads();
    /* enough pieces for a batch at the smallest default piece */
    w->piece_cap = (size_t)w->threads * (BATCH_BYTES_PER_THREAD / (256u * 1024));
    if (w->piece_cap > PIECES_MAX)
        w->piece_cap = PIECES_MAX;
    w->sets[0] = calloc(w->piece_cap, sizeof *w->pieces);
    w->sets[1] = calloc(w->piece_cap, sizeof *w->pieces);
    w->pieces = w->sets[0];
    /* one per thread, and one for this thread */
    w->workers = calloc((size_t)w->threads + 1, sizeof *w->workers);
    if (w->sets[0] == NULL || w->sets[1] == NULL || w->workers == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, w->path, PT_NO_OFFSET, "out of memory");
    for (t = 0; t <= w->threads; t++)
        w->workers[t].w = w;
    return PT_OK;
}

/* Piece buffers are made when first used: a bundle of small text members
 * needs one. */
static pt_status piece_ready(pt_bundle_writer *w, piece *pc, pt_error *err)
{
    if (pc->data_cap < w->piece_size) {
        free(pc->data);
        free(pc->out);
        pc->data = malloc(w->piece_size);
        pc->out = malloc(PIECE_OUT_CAP(w->piece_size));
        pc->data_cap = w->piece_size;
    }
    if (pc->data == NULL || pc->out == NULL) {
        pc->data_cap = 0;
        return pt_error_set(err, PT_ERR_NOMEM, w->path, PT_NO_OFFSET, "out of memory");
    }
    return PT_OK;
}

pt_status pt_bundle_writer_open(const char *path, const pt_bundle_info *info,
                                pt_bundle_writer **out, pt_error *err)
{
    static const char header[] = "{\"format\":\"pooltriage-bundle\",\"version\":1}\n";
    pt_bundle_writer *w;
    pt_status st;

    *out = NULL;
    w = calloc(1, sizeof *w);
    if (w == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
    w->fd = -1;
    w->path = dup_string(path);
    pthread_mutex_init(&w->zero_lock, NULL);
    pthread_mutex_init(&w->pool_lock, NULL);
    pthread_cond_init(&w->pool_go, NULL);
    pthread_cond_init(&w->pool_done, NULL);
    if (w->path == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
        goto fail;
    }
    if ((st = alloc_pieces(w, err)) != PT_OK)
        goto fail;
    if (info != NULL) {
        w->info = *info;
        w->info.collector_version = w->info_strings[0] = dup_string(info->collector_version);
        w->info.host = w->info_strings[1] = dup_string(info->host);
        w->info.case_hint = w->info_strings[2] = dup_string(info->case_hint);
    }
    if (w->info.created == 0)
        w->info.created = pt_filetime_from_unix((int64_t)time(NULL), 0);
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_BINARY, 0644);
    if (w->fd < 0) {
        st = pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET, "cannot create: %s",
                          strerror(errno));
        goto fail;
    }
    st = write_payload_record(w, BUNDLE_REC_HEADER, BUNDLE_NO_MEMBER, 0, header,
                              sizeof header - 1, 6, err);
    if (st != PT_OK)
        goto fail;
    *out = w;
    return PT_OK;
fail:
    pt_bundle_writer_abort(w);
    return st;
}

void pt_bundle_writer_set_level(pt_bundle_writer *w, int level)
{
    w->level = level >= 1 && level <= 9 ? level : 0;
}

void pt_bundle_writer_set_chunk_size(pt_bundle_writer *w, size_t bytes)
{
    w->chunk_size = bytes >= BUNDLE_ZERO_GRAIN && bytes <= BUNDLE_CHUNK_MAX &&
                            bytes % BUNDLE_ZERO_GRAIN == 0
                        ? bytes
                        : 0;
}

uint64_t pt_bundle_writer_offset(const pt_bundle_writer *w)
{
    return w->pos;
}

static int kind_ok(const char *kind)
{
    size_t i, n = strlen(kind);
    if (n == 0 || n > 64)
        return 0;
    for (i = 0; i < n; i++) {
        char c = kind[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static void free_written(written_member *m)
{
    size_t i;
    free(m->name);
    free(m->kind);
    for (i = 0; i < m->attr_count; i++) {
        if (m->attr_keys != NULL)
            free(m->attr_keys[i]);
        if (m->attr_values != NULL)
            free(m->attr_values[i]);
    }
    free(m->attr_keys);
    free(m->attr_values);
    memset(m, 0, sizeof *m);
}

static pt_status copy_attrs(pt_bundle_writer *w, const pt_bundle_attr *attrs, size_t count,
                            pt_error *err)
{
    size_t i, j;
    if (count > BUNDLE_ATTR_MAX)
        return pt_error_set(err, PT_ERR_LIMIT, w->path, PT_NO_OFFSET,
                            "member %s has more than %u attributes", w->cur.name,
                            BUNDLE_ATTR_MAX);
    if (count == 0)
        return PT_OK;
    w->cur.attr_keys = calloc(count, sizeof(char *));
    w->cur.attr_values = calloc(count, sizeof(char *));
    if (w->cur.attr_keys == NULL || w->cur.attr_values == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, w->path, PT_NO_OFFSET, "out of memory");
    w->cur.attr_count = count;
    for (i = 0; i < count; i++) {
        if (attrs[i].key == NULL || attrs[i].key[0] == '\0' || attrs[i].value == NULL)
            return pt_error_set(err, PT_ERR_USAGE, w->path, PT_NO_OFFSET,
                                "member %s: attribute %lu has no key or value", w->cur.name,
                                (unsigned long)i);
        for (j = 0; j < i; j++)
            if (strcmp(attrs[j].key, attrs[i].key) == 0)
                return pt_error_set(err, PT_ERR_USAGE, w->path, PT_NO_OFFSET,
                                    "member %s: attribute %s given twice", w->cur.name,
                                    attrs[i].key);
        w->cur.attr_keys[i] = dup_string(attrs[i].key);
        w->cur.attr_values[i] = dup_string(attrs[i].value);
        if (w->cur.attr_keys[i] == NULL || w->cur.attr_values[i] == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, w->path, PT_NO_OFFSET, "out of memory");
    }
    return PT_OK;
}

static void json_attrs(pt_json_writer *jw, const written_member *m)
{
    size_t i;
    pt_json_key(jw, "attrs");
    pt_json_begin_object(jw);
    for (i = 0; i < m->attr_count; i++) {
        pt_json_key(jw, m->attr_keys[i]);
        pt_json_string(jw, m->attr_values[i]);
    }
    pt_json_end_object(jw);
}

pt_status pt_bundle_member_begin(pt_bundle_writer *w, const char *name, const char *kind,
                                 uint64_t total_size, const pt_bundle_attr *attrs,
                                 size_t attr_count, pt_error *err)
{
    pt_json_writer jw;
    size_t i;
    pt_status st;

    if (w->broken || w->in_member)
        return pt_error_set(err, PT_ERR_USAGE, w->path, PT_NO_OFFSET,
                            "member_begin while a member is open or after a failure");
    if ((st = bundle_check_name(name, strlen(name), w->path, PT_NO_OFFSET, err)) != PT_OK)
        return st;
    if (!kind_ok(kind))
        return pt_error_set(err, PT_ERR_USAGE, w->path, PT_NO_OFFSET,
                            "member %s: kind \"%.64s\" is not 1-64 of [a-z0-9_-]", name, kind);
    if (w->member_count >= BUNDLE_MEMBER_MAX)
        return pt_error_set(err, PT_ERR_LIMIT, w->path, PT_NO_OFFSET,
                            "more than %u members", BUNDLE_MEMBER_MAX);
    for (i = 0; i < w->member_count; i++)
        if (strcmp(w->members[i].name, name) == 0)
            return pt_error_set(err, PT_ERR_USAGE, w->path, PT_NO_OFFSET,
                                "member name %s used twice", name);
    memset(&w->cur, 0, sizeof w->cur);
    w->cur.name = dup_string(name);
    w->cur.kind = dup_string(kind);
    if (w->cur.name == NULL || w->cur.kind == NULL) {
        free_written(&w->cur);
        return pt_error_set(err, PT_ERR_NOMEM, w->path, PT_NO_OFFSET, "out of memory");
    }
    if ((st = copy_attrs(w, attrs, attr_count, err)) != PT_OK) {
        free_written(&w->cur);
        return st;
    }
    w->cur.size = total_size;
    w->cur.start_offset = w->pos;
    w->in_member = 1;
    w->next_off = 0;
    w->piece_cur = 0;
    w->pieces[0].len = 0;
    w->pieces[0].member_off = 0;
    w->chunk_count = 0;
    w->member_level = w->level ? w->level : (total_size > LARGE_MEMBER ? 1 : 6);
    /* Large members (dumps) are read at random offsets: smaller chunks make
     * a page read inflate and hash 256 KiB instead of 1 MiB. */
    w->piece_size = w->chunk_size ? w->chunk_size
                                  : (total_size > LARGE_MEMBER ? 256u * 1024 : BUNDLE_CHUNK_MAX);

    pt_json_writer_init(&jw);
    pt_json_begin_object(&jw);
    pt_json_key(&jw, "name");
    pt_json_string(&jw, name);
    pt_json_key(&jw, "kind");
    pt_json_string(&jw, kind);
    pt_json_key(&jw, "size");
    pt_json_uint(&jw, total_size);
    json_attrs(&jw, &w->cur);
    pt_json_end_object(&jw);
    pt_json_raw(&jw, "\n");
    if (jw.failed || jw.len > BUNDLE_JSON_RECORD_MAX)
        st = pt_error_set(err, PT_ERR_LIMIT, w->path, w->pos,
                          "member %s: start record too large or out of memory", name);
    else
        st = write_payload_record(w, BUNDLE_REC_MEMBER_START, (uint32_t)w->member_count, 0,
                                  jw.buf, jw.len, 6, err);
    pt_json_writer_free(&jw);
    if (st != PT_OK) {
        free_written(&w->cur);
        w->in_member = 0;
    }
    return st;
}

pt_status pt_bundle_member_write_at(pt_bundle_writer *w, uint64_t offset, const void *data,
                                    size_t len, pt_error *err)
{
    const uint8_t *p = data;
    pt_status st;

    if (!w->in_member || w->broken)
        return pt_error_set(err, PT_ERR_USAGE, w->path, PT_NO_OFFSET,
                            "write_at outside a member or after a failure");
    if (offset < w->next_off || !pt_range_ok(offset, len, w->cur.size))
        return pt_error_set(err, PT_ERR_USAGE, w->path, PT_NO_OFFSET,
                            "member %s: write at %llu+%lu overlaps or passes its size %llu",
                            w->cur.name, (unsigned long long)offset, (unsigned long)len,
                            (unsigned long long)w->cur.size);
    /* a hole: the current piece ends where the hole starts */
    if (offset > w->next_off && (st = next_piece(w, offset, err)) != PT_OK)
        return st;
    while (len > 0) {
        piece *pc = &w->pieces[w->piece_cur];
        size_t take = w->piece_size - pc->len;
        if ((st = piece_ready(w, pc, err)) != PT_OK)
            return st;
        if (take > len)
            take = len;
        memcpy(pc->data + pc->len, p, take);
        pc->len += take;
        p += take;
        len -= take;
        w->next_off = pc->member_off + pc->len;
        if (pc->len == w->piece_size && (st = next_piece(w, w->next_off, err)) != PT_OK)
            return st;
    }
    return PT_OK;
}

/* Writes one ZERO record of len bytes at the member's next offset, from
 * this thread (all pieces before it are written). */
static pt_status write_zero_record(pt_bundle_writer *w, uint64_t member_off, uint32_t len,
                                   pt_error *err)
{
    const zero_form *zf;
    zero_form tmp;
    uint8_t sha[PT_SHA256_LEN];
    uint64_t at = w->pos;
    pt_status st;

    if (zero_form_get(w, len, &zf, &tmp) != PT_OK)
        return pt_error_set(err, PT_ERR_NOMEM, w->path, w->pos, "out of memory");
    st = ensure_rec(w, len, err);
    if (st == PT_OK) {
        memcpy(w->rec + BUNDLE_REC_HEAD, zf->data, zf->clen);
        st = emit_record(w, BUNDLE_REC_ZERO, (uint32_t)w->member_count, member_off, len,
                         zf->clen, zf->crc, err);
    }
    free(tmp.data);
    if (st != PT_OK)
        return st;
    bundle_zero_sha(len, sha);
    return add_chunk(w, at, member_off, len, BUNDLE_REC_ZERO, sha, err);
}

pt_status pt_bundle_member_write_zeros(pt_bundle_writer *w, uint64_t offset, uint64_t len,
                                       pt_error *err)
{
    static const uint8_t zeros[BUNDLE_ZERO_GRAIN];
    uint64_t end;
    pt_status st;

    if (!w->in_member || w->broken)
        return pt_error_set(err, PT_ERR_USAGE, w->path, PT_NO_OFFSET,
                            "write_zeros outside a member or after a failure");
    if (offset < w->next_off || !pt_range_ok(offset, len, w->cur.size))
        return pt_error_set(err, PT_ERR_USAGE, w->path, PT_NO_OFFSET,
                            "member %s: zeros at %llu+%llu overlap or pass its size %llu",
                            w->cur.name, (unsigned long long)offset, (unsigned long long)len,
                            (unsigned long long)w->cur.size);
    end = offset + len;
    /* Fill the piece being made (or one starting after a hole) through the
     * pieces; at most one piece of zeros goes through memory. */
    while (offset < end && !(offset == w->next_off && w->pieces[w->piece_cur].len == 0)) {
        size_t room = offset == w->next_off ? w->piece_size - w->pieces[w->piece_cur].len
                                            : w->piece_size;
        size_t n = end - offset < room ? (size_t)(end - offset) : room;
        if (n > sizeof zeros)
            n = sizeof zeros;
        if ((st = pt_bundle_member_write_at(w, offset, zeros, n, err)) != PT_OK)
            return st;
        offset += n;
    }
    if (end - offset < BUNDLE_CHUNK_MAX)
        goto tail;
    /* Whole 1 MiB zero records, written here without touching memory. */
    if ((st = flush_pieces(w, offset, err)) != PT_OK)
        return st;
    while (end - offset >= BUNDLE_CHUNK_MAX) {
        if ((st = write_zero_record(w, offset, BUNDLE_CHUNK_MAX, err)) != PT_OK)
            return st;
        offset += BUNDLE_CHUNK_MAX;
    }
    w->next_off = offset;
    w->pieces[0].member_off = offset;
tail:
    while (offset < end) {
        size_t n = end - offset < sizeof zeros ? (size_t)(end - offset) : sizeof zeros;
        if ((st = pt_bundle_member_write_at(w, offset, zeros, n, err)) != PT_OK)
            return st;
        offset += n;
    }
    return PT_OK;
}

/* Copies data extents of a file and writes its holes as zero records,
 * reading neither the holes nor, when the system reports them, anything
 * of a sparse dump's empty gigabytes. */
static pt_status copy_extents(pt_bundle_writer *w, pt_source *src, int fd, uint8_t *buf,
                              pt_error *err)
{
    uint64_t off = 0, size = src->size;
    int sparse = fd >= 0;
    pt_status st = PT_OK;

    while (off < size && st == PT_OK) {
        uint64_t data = off, hole = size;
#if defined(SEEK_DATA) && defined(SEEK_HOLE)
        if (sparse) {
            off_t d = lseek(fd, (off_t)off, SEEK_DATA);
            if (d < 0 && errno == ENXIO) {
                data = size;
            } else if (d < 0) {
                sparse = 0; /* not supported here: read everything */
            } else {
                off_t h = lseek(fd, d, SEEK_HOLE);
                data = (uint64_t)d;
                hole = h < 0 ? size : (uint64_t)h;
            }
            if (data > size || hole > size || hole < data)
                data = off, hole = size, sparse = 0;
        }
#else
        (void)sparse;
#endif
        if (data > off)
            st = pt_bundle_member_write_zeros(w, off, data - off, err);
        off = data;
        while (st == PT_OK && off < hole) {
            size_t n = hole - off < BUNDLE_CHUNK_MAX ? (size_t)(hole - off) : BUNDLE_CHUNK_MAX;
            st = pt_source_read(src, off, buf, n, err);
            if (st == PT_OK)
                st = pt_bundle_member_write_at(w, off, buf, n, err);
            off += n;
        }
    }
    return st;
}

pt_status pt_bundle_add_file(pt_bundle_writer *w, const char *name, const char *kind,
                             const char *path, const pt_bundle_attr *attrs, size_t attr_count,
                             pt_error *err)
{
    pt_source *src = NULL;
    uint8_t *buf = NULL;
    int fd;
    pt_status st;

    if ((st = pt_source_open_file(path, &src, err)) != PT_OK)
        return st;
    fd = open(path, O_RDONLY | O_BINARY);
    buf = malloc(BUNDLE_CHUNK_MAX);
    if (buf == NULL)
        st = pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
    if (st == PT_OK)
        st = pt_bundle_member_begin(w, name, kind, src->size, attrs, attr_count, err);
    if (st == PT_OK)
        st = copy_extents(w, src, fd, buf, err);
    if (st == PT_OK)
        st = pt_bundle_member_end(w, err);
    if (fd >= 0)
        close(fd);
    free(buf);
    pt_source_close(src);
    return st;
}

static pt_status write_member_end(pt_bundle_writer *w, pt_error *err)
{
    size_t len = BUNDLE_END_FIXED + w->chunk_count * (size_t)BUNDLE_INDEX_ENTRY;
    uint8_t *p = malloc(len);
    size_t i;
    pt_status st;

    if (p == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, w->path, w->pos, "out of memory");
    memset(p, 0, len);
    memcpy(p, "PTME", 4);
    pt_put_le32(p + 4, 1);
    pt_put_le64(p + 8, w->cur.size);
    pt_put_le64(p + 16, w->cur.present);
    pt_put_le64(p + 24, w->chunk_count);
    pt_put_le32(p + 32, w->cur.holes ? BUNDLE_END_HAS_HOLES : 0);
    memcpy(p + 40, w->cur.hash, PT_SHA256_LEN);
    for (i = 0; i < w->chunk_count; i++) {
        uint8_t *e = p + BUNDLE_END_FIXED + i * BUNDLE_INDEX_ENTRY;
        pt_put_le64(e, w->chunks[i].file_offset);
        pt_put_le64(e + 8, w->chunks[i].member_offset);
        pt_put_le32(e + 16, w->chunks[i].length);
        e[20] = w->chunks[i].type;
        memcpy(e + 24, w->chunks[i].sha, PT_SHA256_LEN);
    }
    w->cur.end_offset = w->pos;
    st = write_payload_record(w, BUNDLE_REC_MEMBER_END, (uint32_t)w->member_count, 0, p, len,
                              1, err);
    free(p);
    return st;
}

pt_status pt_bundle_member_end(pt_bundle_writer *w, pt_error *err)
{
    size_t i;
    pt_status st;

    if (!w->in_member || w->broken)
        return pt_error_set(err, PT_ERR_USAGE, w->path, PT_NO_OFFSET,
                            "member_end outside a member or after a failure");
    if ((st = flush_pieces(w, 0, err)) != PT_OK)
        return st;
    w->cur.present = 0;
    for (i = 0; i < w->chunk_count; i++)
        w->cur.present += w->chunks[i].length;
    w->cur.holes = w->cur.present < w->cur.size;
    w->cur.chunk_count = w->chunk_count;
    bundle_member_hash(w->cur.size, w->chunks, w->chunk_count, w->cur.hash);
    if ((st = write_member_end(w, err)) != PT_OK)
        return st;
    if (w->member_count == w->member_cap) {
        size_t ncap = w->member_cap ? w->member_cap * 2 : 16;
        written_member *nm = realloc(w->members, ncap * sizeof *nm);
        if (nm == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, w->path, w->pos, "out of memory");
        w->members = nm;
        w->member_cap = ncap;
    }
    w->members[w->member_count++] = w->cur;
    memset(&w->cur, 0, sizeof w->cur);
    w->in_member = 0;
    return PT_OK;
}

pt_status pt_bundle_add_buffer(pt_bundle_writer *w, const char *name, const char *kind,
                               const void *data, size_t len, const pt_bundle_attr *attrs,
                               size_t attr_count, pt_error *err)
{
    pt_status st = pt_bundle_member_begin(w, name, kind, len, attrs, attr_count, err);
    if (st == PT_OK && len > 0)
        st = pt_bundle_member_write_at(w, 0, data, len, err);
    if (st == PT_OK)
        st = pt_bundle_member_end(w, err);
    return st;
}

pt_status pt_bundle_add_source(pt_bundle_writer *w, const char *name, const char *kind,
                               pt_source *src, const pt_bundle_attr *attrs,
                               size_t attr_count, pt_error *err)
{
    uint8_t *buf = malloc(BUNDLE_CHUNK_MAX);
    uint64_t off = 0;
    pt_status st;

    if (buf == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, w->path, PT_NO_OFFSET, "out of memory");
    st = pt_bundle_member_begin(w, name, kind, src->size, attrs, attr_count, err);
    while (st == PT_OK && off < src->size) {
        size_t n = src->size - off < BUNDLE_CHUNK_MAX ? (size_t)(src->size - off)
                                                      : BUNDLE_CHUNK_MAX;
        st = pt_source_read(src, off, buf, n, err);
        if (st == PT_OK)
            st = pt_bundle_member_write_at(w, off, buf, n, err);
        off += n;
    }
    if (st == PT_OK)
        st = pt_bundle_member_end(w, err);
    free(buf);
    return st;
}

static pt_status write_manifest(pt_bundle_writer *w, uint8_t sha[PT_SHA256_LEN],
                                pt_error *err)
{
    pt_json_writer jw;
    char created[32], hex[PT_SHA256_HEX_LEN + 1];
    size_t i;
    pt_status st;

    pt_json_writer_init(&jw);
    pt_json_begin_object(&jw);
    pt_json_key(&jw, "format");
    pt_json_string(&jw, "pooltriage-bundle");
    pt_json_key(&jw, "format_version");
    pt_json_uint(&jw, BUNDLE_FORMAT_VERSION);
    pt_json_key(&jw, "collector_version");
    pt_json_string(&jw, w->info.collector_version ? w->info.collector_version : PT_VERSION);
    pt_json_key(&jw, "host");
    if (w->info.host != NULL)
        pt_json_string(&jw, w->info.host);
    else
        pt_json_null(&jw);
    pt_json_key(&jw, "created");
    pt_json_string(&jw, pt_filetime_format(w->info.created, created));
    pt_json_key(&jw, "created_filetime");
    pt_json_uint(&jw, w->info.created);
    pt_json_key(&jw, "case_hint");
    if (w->info.case_hint != NULL)
        pt_json_string(&jw, w->info.case_hint);
    else
        pt_json_null(&jw);
    pt_json_key(&jw, "members");
    pt_json_begin_array(&jw);
    for (i = 0; i < w->member_count; i++) {
        const written_member *m = &w->members[i];
        pt_json_raw(&jw, "\n");
        pt_json_begin_object(&jw);
        pt_json_key(&jw, "number");
        pt_json_uint(&jw, i);
        pt_json_key(&jw, "name");
        pt_json_string(&jw, m->name);
        pt_json_key(&jw, "kind");
        pt_json_string(&jw, m->kind);
        pt_json_key(&jw, "size");
        pt_json_uint(&jw, m->size);
        pt_json_key(&jw, "present_bytes");
        pt_json_uint(&jw, m->present);
        pt_json_key(&jw, "holes");
        pt_json_bool(&jw, m->holes);
        pt_json_key(&jw, "chunks");
        pt_json_uint(&jw, m->chunk_count);
        pt_json_key(&jw, "sha256");
        pt_sha256_hex(m->hash, hex);
        pt_json_string(&jw, hex);
        pt_json_key(&jw, "start_offset");
        pt_json_uint(&jw, m->start_offset);
        pt_json_key(&jw, "end_offset");
        pt_json_uint(&jw, m->end_offset);
        json_attrs(&jw, m);
        pt_json_end_object(&jw);
    }
    pt_json_end_array(&jw);
    pt_json_end_object(&jw);
    pt_json_raw(&jw, "\n");
    if (jw.failed || jw.len > BUNDLE_MANIFEST_MAX) {
        pt_json_writer_free(&jw);
        return pt_error_set(err, PT_ERR_LIMIT, w->path, w->pos,
                            "manifest over %u bytes or out of memory", BUNDLE_MANIFEST_MAX);
    }
    pt_sha256_buffer(jw.buf, jw.len, sha);
    st = write_payload_record(w, BUNDLE_REC_MANIFEST, BUNDLE_NO_MEMBER, 0, jw.buf, jw.len, 6,
                              err);
    pt_json_writer_free(&jw);
    return st;
}

/* The footer is one stored deflate block so its size never varies. */
static pt_status write_footer(pt_bundle_writer *w, uint64_t manifest_offset,
                              uint64_t manifest_len, const uint8_t sha[PT_SHA256_LEN],
                              pt_error *err)
{
    uint8_t payload[BUNDLE_FOOTER_PAYLOAD];
    uint8_t *d;
    pt_status st;

    memset(payload, 0, sizeof payload);
    memcpy(payload, "PTFOOTER", 8);
    pt_put_le32(payload + 8, BUNDLE_FORMAT_VERSION);
    pt_put_le64(payload + 16, manifest_offset);
    pt_put_le64(payload + 24, manifest_len);
    memcpy(payload + 32, sha, PT_SHA256_LEN);
    if ((st = ensure_rec(w, BUNDLE_FOOTER_PAYLOAD, err)) != PT_OK)
        return st;
    d = w->rec + BUNDLE_REC_HEAD;
    d[0] = 0x01; /* BFINAL=1, BTYPE=00 (stored) */
    pt_put_le16(d + 1, BUNDLE_FOOTER_PAYLOAD);
    pt_put_le16(d + 3, (uint16_t)~BUNDLE_FOOTER_PAYLOAD);
    memcpy(d + 5, payload, BUNDLE_FOOTER_PAYLOAD);
    return emit_record(w, BUNDLE_REC_FOOTER, BUNDLE_NO_MEMBER, manifest_offset,
                       BUNDLE_FOOTER_PAYLOAD, BUNDLE_FOOTER_DEFLATE,
                       (uint32_t)crc32(0L, payload, BUNDLE_FOOTER_PAYLOAD), err);
}

pt_status pt_bundle_writer_close(pt_bundle_writer *w, pt_error *err)
{
    uint8_t sha[PT_SHA256_LEN];
    uint64_t manifest_offset;
    pt_status st;

    if (w->broken || w->in_member) {
        st = pt_error_set(err, PT_ERR_USAGE, w->path, PT_NO_OFFSET,
                          "close with a member still open or after a failure");
        pt_bundle_writer_abort(w);
        return st;
    }
    manifest_offset = w->pos;
    st = write_manifest(w, sha, err);
    if (st == PT_OK)
        st = write_footer(w, manifest_offset, w->pos - manifest_offset, sha, err);
    if (st == PT_OK && close(w->fd) != 0)
        st = pt_error_set(err, PT_ERR_IO, w->path, PT_NO_OFFSET, "close failed: %s",
                          strerror(errno));
    else if (st != PT_OK)
        close(w->fd);
    w->fd = -1;
    pt_bundle_writer_abort(w);
    return st;
}

void pt_bundle_writer_abort(pt_bundle_writer *w)
{
    size_t i, k;
    if (w == NULL)
        return;
    pool_stop(w);
    if (w->fd >= 0)
        close(w->fd);
    if (w->zs_ready)
        deflateEnd(&w->zs);
    for (i = 0; w->workers != NULL && i <= (size_t)w->threads; i++)
    {
        if (w->workers[i].zs_ready)
            deflateEnd(&w->workers[i].zs);
        if (w->workers[i].probe_ready)
            deflateEnd(&w->workers[i].probe);
    }
    for (k = 0; k < 2; k++) {
        for (i = 0; w->sets[k] != NULL && i < w->piece_cap; i++) {
            free(w->sets[k][i].data);
            free(w->sets[k][i].out);
        }
        free(w->sets[k]);
    }
    free(w->workers);
    pthread_mutex_destroy(&w->zero_lock);
    pthread_mutex_destroy(&w->pool_lock);
    pthread_cond_destroy(&w->pool_go);
    pthread_cond_destroy(&w->pool_done);
    for (i = 0; i < ZERO_FORMS; i++)
        free(w->zero[i].data);
    for (i = 0; i < w->member_count; i++)
        free_written(&w->members[i]);
    free_written(&w->cur);
    for (i = 0; i < 3; i++)
        free(w->info_strings[i]);
    free(w->members);
    free(w->chunks);
    free(w->rec);
    free(w->path);
    free(w);
}
