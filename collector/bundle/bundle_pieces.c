/* bundle_pieces.c - member bytes become chunk records: 1 MiB (or 256 KiB)
 * pieces are cut into zero runs and data, deflated and hashed by a pool of
 * threads while the writer fills the next batch, then written in order. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _WIN32
#include <windows.h>
#endif

#include "bundle_writer_internal.h"
#include "pt_byteorder.h"

/* The deflated form of len zero bytes: cached per grain multiple (shared
 * by the threads under a lock), else made into *tmp for the caller to free. */
pt_status bundle_zero_form(pt_bundle_writer *w, uint32_t len, const zero_form **out,
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

/* Deflates data[0..len) into out as one raw stream at level.  At level 1 a
 * chunk whose first 16 KiB saves under 2% (encrypted pages, packed files) is
 * stored from there on: deflating it costs as much as compressing text and
 * gains nothing.  The test is made in the stream itself (a block ends after
 * those 16 KiB) so no byte is deflated twice. */
static int worker_deflate(worker *wk, int level, const uint8_t *data, uint32_t len,
                          uint8_t *out, uint32_t *clen)
{
    z_stream *zs = &wk->zs;
    int zr;

    if (!wk->zs_ready) {
        memset(zs, 0, sizeof *zs);
        if (deflateInit2(zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return Z_MEM_ERROR;
        wk->zs_ready = 1;
    } else if ((zr = deflateReset(zs)) != Z_OK ||
               (zr = deflateParams(zs, level, Z_DEFAULT_STRATEGY)) != Z_OK) {
        return zr;
    }
    zs->next_in = (Bytef *)(uintptr_t)data;
    zs->next_out = out;
    zs->avail_out = (uInt)BUNDLE_COMPRESSED_MAX(len);
    if (level == 1 && len >= 4 * PROBE_BYTES) {
        zs->avail_in = PROBE_BYTES;
        if ((zr = deflate(zs, Z_BLOCK)) != Z_OK)
            return zr;
        if (zs->total_out > PROBE_BYTES - PROBE_BYTES / 50 &&
            (zr = deflateParams(zs, 0, Z_DEFAULT_STRATEGY)) != Z_OK)
            return zr;
        zs->avail_in = len - PROBE_BYTES;
    } else {
        zs->avail_in = len;
    }
    zr = deflate(zs, Z_FINISH);
    *clen = (uint32_t)zs->total_out;
    return zr == Z_STREAM_END ? Z_OK : zr;
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
        if (bundle_zero_form(w, len, &zf, &tmp) != PT_OK)
            return pt_error_set(&pc->err, PT_ERR_NOMEM, w->path, PT_NO_OFFSET, "out of memory");
        memcpy(d, zf->data, zf->clen);
        clen = zf->clen;
        crc = zf->crc;
        free(tmp.data);
        bundle_zero_sha(len, c->sha);
    } else {
        int zr = worker_deflate(wk, w->member_level, data, len, d, &clen);
        if (zr == Z_MEM_ERROR)
            return pt_error_set(&pc->err, PT_ERR_NOMEM, w->path, PT_NO_OFFSET,
                                "deflateInit failed");
        if (zr != Z_OK)
            return pt_error_set(&pc->err, PT_ERR_INTERNAL, w->path, PT_NO_OFFSET,
                                "deflate did not finish (%d)", zr);
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

void bundle_pool_stop(pt_bundle_writer *w)
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

/* Starts encoding set[0..n) on the workers (none: encode_wait does it). */
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

/* Waits until set[0..n) is encoded, this thread taking what the workers
 * have not claimed yet. */
static void encode_wait(pt_bundle_writer *w)
{
    worker_run(&w->workers[w->threads]);
    if (w->started > 0) {
        pthread_mutex_lock(&w->pool_lock);
        while (w->busy > 0)
            pthread_cond_wait(&w->pool_done, &w->pool_lock);
        pthread_mutex_unlock(&w->pool_lock);
    }
}

/* Writes the records of the encoded set[0..n) in order. */
static pt_status encode_write(pt_bundle_writer *w, piece *set, size_t n, pt_error *err)
{
    size_t i, k;
    pt_status st = PT_OK;

    for (i = 0; i < n && st == PT_OK; i++) {
        piece *pc = &set[i];
        uint64_t at = w->pos;
        if (pc->st != PT_OK) {
            if (err != NULL)
                *err = pc->err;
            w->broken = 1;
            return pc->st;
        }
        if ((st = bundle_write_all(w, pc->out, pc->out_len, err)) != PT_OK)
            return st;
        for (k = 0; k < pc->chunk_count && st == PT_OK; k++)
            st = bundle_add_chunk(w, at + pc->chunks[k].rec_off, pc->chunks[k].member_offset,
                           pc->chunks[k].length, pc->chunks[k].type, pc->chunks[k].sha, err);
        pc->len = 0;
    }
    return st;
}

/* Hands the filled pieces to the workers and moves to the other set; the
 * set they had is written while they encode the new one.  The next piece
 * starts at next_off. */
static pt_status submit_pieces(pt_bundle_writer *w, uint64_t next_off, pt_error *err)
{
    size_t n = w->pieces[w->piece_cur].len > 0 ? w->piece_cur + 1 : w->piece_cur;
    pt_status st = PT_OK;

    if (n > 0) {
        piece *done = w->busy_set;
        size_t done_n = w->busy_n;
        if (done != NULL)
            encode_wait(w);
        encode_start(w, w->pieces, n);
        w->busy_set = w->pieces;
        w->busy_n = n;
        w->fill ^= 1;
        w->pieces = w->sets[w->fill];
        if (done != NULL && (st = encode_write(w, done, done_n, err)) != PT_OK)
            return st;
    }
    w->piece_cur = 0;
    w->pieces[0].len = 0;
    w->pieces[0].member_off = next_off;
    return st;
}

/* Writes every piece holding bytes (at a member's end). */
pt_status bundle_flush_pieces(pt_bundle_writer *w, uint64_t next_off, pt_error *err)
{
    pt_status st = submit_pieces(w, next_off, err);
    if (w->busy_set != NULL) {
        pt_status fin;
        encode_wait(w);
        fin = encode_write(w, w->busy_set, w->busy_n, err);
        w->busy_set = NULL;
        if (st == PT_OK)
            st = fin;
    }
    return st;
}

/* Moves to a fresh piece starting at off (after a full piece or a hole). */
pt_status bundle_next_piece(pt_bundle_writer *w, uint64_t off, pt_error *err)
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

pt_status bundle_pieces_alloc(pt_bundle_writer *w, pt_error *err)
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
pt_status bundle_piece_ready(pt_bundle_writer *w, piece *pc, pt_error *err)
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
