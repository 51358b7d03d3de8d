/* bundle_writer_internal.h - the writer's state, shared by bundle_writer.c
 * (records, members, manifest, footer), bundle_pieces.c (chunks deflated and
 * hashed on all cores) and bundle_sparse.c (zeros and sparse files).
 * Internal to collector/bundle/. */
#ifndef BUNDLE_WRITER_INTERNAL_H
#define BUNDLE_WRITER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "bundle.h"
#include "bundle_format.h"
#include "pt_sha256.h"

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
/* A batch is about 4 MiB per thread: fewer, larger batches keep the
 * threads busy between the hand-overs (each ends waiting for its slowest
 * piece). */
#define BATCH_BYTES_PER_THREAD (4u * 1024 * 1024)
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

/* the head of a chunk whose deflated size decides whether it is stored */
#define PROBE_BYTES (16u * 1024)

typedef struct worker {
    pt_bundle_writer_t *w;
    z_stream zs;
    int zs_ready;
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

/* bundle_writer.c */
pt_status bundle_write_all(pt_bundle_writer *w, const uint8_t *data, size_t len, pt_error *err);
/* Room in w->rec for a record of ulen uncompressed bytes. */
pt_status bundle_ensure_rec(pt_bundle_writer *w, uint64_t ulen, pt_error *err);
/* Writes one record whose deflate data is already at w->rec + 48. */
pt_status bundle_emit_record(pt_bundle_writer *w, uint8_t type, uint32_t member,
                             uint64_t offset, uint32_t ulen, uint32_t clen, uint32_t crc,
                             pt_error *err);
/* Appends an entry to the open member's chunk index. */
pt_status bundle_add_chunk(pt_bundle_writer *w, uint64_t file_offset, uint64_t member_offset,
                           uint32_t len, uint8_t type, const uint8_t sha[PT_SHA256_LEN],
                           pt_error *err);

/* bundle_pieces.c */
pt_status bundle_zero_form(pt_bundle_writer *w, uint32_t len, const zero_form **out,
                           zero_form *tmp);
pt_status bundle_pieces_alloc(pt_bundle_writer *w, pt_error *err);
pt_status bundle_piece_ready(pt_bundle_writer *w, piece *pc, pt_error *err);
/* Moves to a fresh piece starting at off (after a full piece or a hole). */
pt_status bundle_next_piece(pt_bundle_writer *w, uint64_t off, pt_error *err);
/* Writes every piece holding bytes; the next piece starts at next_off. */
pt_status bundle_flush_pieces(pt_bundle_writer *w, uint64_t next_off, pt_error *err);
void bundle_pool_stop(pt_bundle_writer *w);

#endif
