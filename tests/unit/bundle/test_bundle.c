/* test_bundle.c - the bundle format: round trips (zero runs, holes, random
 * access), bundles cut at every record, tampering, hostile hand-made
 * bundles, and gzip's view of a bundle. */
#include "pt_test.h"

#include <unistd.h>
#include <stdlib.h>
#include <zlib.h>

#include "bundle.h"
#include "bundle_format.h"
#include "pt_byteorder.h"
#include "pt_json.h"
#include "pt_sha256.h"

#define MIB (1024u * 1024u)

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int which;
    char *out = buf[which++ & 3];
    if (tmpdir[0] == '\0') {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/pt_test_bundle_XXXXXX");
        if (mkdtemp(tmpdir) == NULL)
            abort();
    }
    snprintf(out, 512, "%s/%s", tmpdir, name);
    return out;
}

/* Deterministic bytes: text-like runs, noise and zero stretches. */
static uint8_t *make_big_member(size_t len)
{
    uint8_t *p = calloc(1, len);
    uint32_t x = 12345;
    size_t i;
    for (i = 0; i < len; i++) {
        size_t block = i / (256 * 1024);
        x = x * 1103515245u + 12345u;
        if (block % 3 == 1)
            p[i] = 0;                         /* 256 KiB zero stretches */
        else if (block % 3 == 0)
            p[i] = (uint8_t)("pool tag leak "[i % 14]);
        else
            p[i] = (uint8_t)(x >> 24);
    }
    return p;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        abort();
    if (len > 0 && fwrite(data, 1, len, f) != len)
        abort();
    fclose(f);
}

/* The members of the round-trip bundle. */
#define BIG_LEN (5u * MIB + 1234u)
#define HOLE_SIZE (8u * MIB)
static const char text_member[] = "Memory: 1048576K Avail: 524288K\n Tag  Type  Allocs\n Leak Nonp 12\n";
static uint8_t *big;
static uint8_t hole_a[3000], hole_b[70000];
#define HOLE_A_OFF 4096u
#define HOLE_B_OFF (3u * MIB - 100u)

static void write_round_trip(const char *path)
{
    pt_bundle_info info = {"9.9.9", "HOST-01", 0, "case 42"};
    pt_bundle_attr attrs[] = {{"sample_time", "2021-02-21T01:38:22Z"}, {"time_origin", "file"}};
    pt_bundle_writer *w;
    pt_error err;
    size_t i;

    info.created = pt_filetime_from_unix(1600000000, 0);
    for (i = 0; i < sizeof hole_a; i++)
        hole_a[i] = (uint8_t)(i * 7 + 1);
    for (i = 0; i < sizeof hole_b; i++)
        hole_b[i] = (uint8_t)(i % 251 + 1);
    if (big == NULL)
        big = make_big_member(BIG_LEN);
    PT_CHECK_U64(pt_bundle_writer_open(path, &info, &w, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_add_buffer(w, "text/poolmon-1.txt", "poolmon", text_member,
                                      sizeof text_member - 1, attrs, 2, &err),
                 PT_OK);
    PT_CHECK_U64(pt_bundle_add_buffer(w, "big.bin", "dump", big, BIG_LEN, NULL, 0, &err),
                 PT_OK);
    PT_CHECK_U64(pt_bundle_member_begin(w, "reduced.dmp", "dump", HOLE_SIZE, NULL, 0, &err),
                 PT_OK);
    PT_CHECK_U64(pt_bundle_member_write_at(w, HOLE_A_OFF, hole_a, sizeof hole_a, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_member_write_at(w, HOLE_B_OFF, hole_b, sizeof hole_b, &err), PT_OK);
    /* writing backwards is refused */
    PT_CHECK_U64(pt_bundle_member_write_at(w, 0, hole_a, 10, &err), PT_ERR_USAGE);
    PT_CHECK_U64(pt_bundle_member_end(w, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_add_buffer(w, "empty", "pooltag", "", 0, NULL, 0, &err), PT_OK);
    /* duplicate and unsafe names are refused by the writer too */
    PT_CHECK_U64(pt_bundle_add_buffer(w, "empty", "pooltag", "", 0, NULL, 0, &err),
                 PT_ERR_USAGE);
    PT_CHECK_U64(pt_bundle_add_buffer(w, "../x", "pooltag", "", 0, NULL, 0, &err),
                 PT_ERR_UNSAFE);
    PT_CHECK_U64(pt_bundle_writer_close(w, &err), PT_OK);
}

static void read_all(pt_source *src, uint8_t *out)
{
    pt_error err;
    PT_CHECK_U64(pt_source_read(src, 0, out, (size_t)src->size, &err), PT_OK);
}

static void check_members(pt_bundle *b, size_t expect_count)
{
    pt_source *src;
    pt_error err;
    uint8_t *buf;
    size_t i;

    PT_CHECK_U64(pt_bundle_member_count(b), expect_count);
    for (i = 0; i < expect_count; i++) {
        const pt_bundle_member *m = pt_bundle_member_at(b, i);
        PT_CHECK_U64(pt_bundle_open_member(b, i, &src, &err), PT_OK);
        if (src == NULL)
            continue;
        buf = malloc((size_t)m->size + 1);
        if (i == 0) {
            PT_CHECK_STR(m->name, "text/poolmon-1.txt");
            PT_CHECK_STR(m->kind, "poolmon");
            PT_CHECK_U64(m->size, sizeof text_member - 1);
            PT_CHECK_STR(pt_bundle_member_attr(m, "sample_time"), "2021-02-21T01:38:22Z");
            PT_CHECK_STR(pt_bundle_member_attr(m, "time_origin"), "file");
            PT_CHECK(pt_bundle_member_attr(m, "nope") == NULL);
            read_all(src, buf);
            PT_CHECK(memcmp(buf, text_member, sizeof text_member - 1) == 0);
        } else if (i == 1) {
            PT_CHECK_STR(m->name, "big.bin");
            PT_CHECK_U64(m->size, BIG_LEN);
            PT_CHECK(!m->has_holes);
            read_all(src, buf);
            PT_CHECK(memcmp(buf, big, BIG_LEN) == 0);
        } else if (i == 2) {
            PT_CHECK_STR(m->name, "reduced.dmp");
            PT_CHECK_U64(m->size, HOLE_SIZE);
            PT_CHECK(m->has_holes);
            PT_CHECK_U64(m->present_bytes, sizeof hole_a + sizeof hole_b);
            PT_CHECK_U64(pt_source_read(src, HOLE_A_OFF, buf, sizeof hole_a, &err), PT_OK);
            PT_CHECK(memcmp(buf, hole_a, sizeof hole_a) == 0);
            PT_CHECK_U64(pt_source_read(src, HOLE_B_OFF, buf, sizeof hole_b, &err), PT_OK);
            PT_CHECK(memcmp(buf, hole_b, sizeof hole_b) == 0);
            PT_CHECK_U64(pt_source_read(src, 0, buf, 16, &err), PT_ERR_PARTIAL);
            PT_CHECK(strstr(err.message, "reduced.dmp") != NULL &&
                     strstr(err.message, "not in the bundle") != NULL);
            PT_CHECK_U64(pt_source_read(src, HOLE_A_OFF + 2990, buf, 20, &err), PT_ERR_PARTIAL);
            PT_CHECK_U64(pt_source_read(src, HOLE_SIZE - 1, buf, 2, &err), PT_ERR_TRUNCATED);
        } else {
            PT_CHECK_STR(m->name, "empty");
            PT_CHECK_U64(m->size, 0);
        }
        PT_CHECK_U64(pt_bundle_verify_member(b, i, &err), PT_OK);
        free(buf);
        pt_source_close(src);
    }
}

static void test_round_trip(void)
{
    const char *path = tmp_path("round.ptb");
    const pt_bundle_info *info;
    pt_bundle *b;
    pt_error err;
    uint8_t *file, digest[PT_SHA256_LEN];
    char hex[65];
    size_t len;

    write_round_trip(path);
    PT_CHECK_U64(pt_bundle_open(path, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b == NULL) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    PT_CHECK(!pt_bundle_is_partial(b));
    info = pt_bundle_get_info(b);
    PT_CHECK_STR(info->host, "HOST-01");
    PT_CHECK_STR(info->case_hint, "case 42");
    PT_CHECK_STR(info->collector_version, "9.9.9");
    PT_CHECK_U64(info->created, pt_filetime_from_unix(1600000000, 0));
    check_members(b, 4);
    PT_CHECK_U64(pt_bundle_verify(b, &err), PT_OK);
    /* the id is the SHA-256 of the file */
    file = read_file(path, &len);
    pt_sha256_buffer(file, len, digest);
    pt_sha256_hex(digest, hex);
    PT_CHECK_STR(pt_bundle_id(b), hex);
    /* the 5 MiB member's zero stretches are stored without payload to
     * speak of: the bundle is far smaller than the data */
    PT_CHECK(len < BIG_LEN / 2);
    free(file);
    pt_bundle_close(b);
}

static void test_random_access(void)
{
    const char *path = tmp_path("round.ptb");
    pt_bundle *b;
    pt_source *src;
    pt_error err;
    uint8_t buf[9000];
    uint32_t x = 99;
    int i;

    write_round_trip(path);
    PT_CHECK_U64(pt_bundle_open(path, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b == NULL)
        return;
    PT_CHECK_U64(pt_bundle_open_member(b, 1, &src, &err), PT_OK);
    /* reads across every chunk edge, and 500 random ones */
    for (i = 1; i <= 5; i++) {
        uint64_t off = (uint64_t)i * MIB - 4000;
        size_t n = off + 8000 > BIG_LEN ? (size_t)(BIG_LEN - off) : 8000;
        PT_CHECK_U64(pt_source_read(src, off, buf, n, &err), PT_OK);
        PT_CHECK(memcmp(buf, big + off, n) == 0);
    }
    for (i = 0; i < 500; i++) {
        uint64_t off;
        size_t n;
        x = x * 1664525u + 1013904223u;
        off = x % BIG_LEN;
        n = (size_t)(x >> 8) % sizeof buf;
        if (off + n > BIG_LEN)
            n = (size_t)(BIG_LEN - off);
        PT_CHECK_U64(pt_source_read(src, off, buf, n, &err), PT_OK);
        PT_CHECK(memcmp(buf, big + off, n) == 0);
    }
    PT_CHECK_U64(pt_source_read(src, BIG_LEN - 10, buf, 11, &err), PT_ERR_TRUNCATED);
    pt_source_close(src);
    PT_CHECK_U64(pt_bundle_open_member(b, 9, &src, &err), PT_ERR_NOT_FOUND);
    pt_bundle_close(b);

    /* 64 KiB chunks (as large members get 256 KiB ones): same bytes back,
     * through more cache misses than the cache has slots */
    {
        const char *small = tmp_path("small-chunks.ptb");
        pt_bundle_writer *w;
        PT_CHECK_U64(pt_bundle_writer_open(small, NULL, &w, &err), PT_OK);
        pt_bundle_writer_set_chunk_size(w, 64 * 1024);
        /* level 1, as large members get: the random stretches are stored */
        pt_bundle_writer_set_level(w, 1);
        PT_CHECK_U64(pt_bundle_add_buffer(w, "big.bin", "dump", big, 3 * MIB, NULL, 0, &err),
                     PT_OK);
        PT_CHECK_U64(pt_bundle_writer_close(w, &err), PT_OK);
        PT_CHECK_U64(pt_bundle_open(small, PT_BUNDLE_STRICT, &b, &err), PT_OK);
        if (b == NULL)
            return;
        /* 3 MiB in 64 KiB pieces; adjacent zero grains are not merged
         * across pieces, so exactly 48 chunks */
        PT_CHECK_U64(pt_bundle_member_at(b, 0)->chunk_count, 48);
        PT_CHECK_U64(pt_bundle_open_member(b, 0, &src, &err), PT_OK);
        for (i = 0; i < 300; i++) {
            uint64_t off;
            size_t n;
            x = x * 1664525u + 1013904223u;
            off = x % (3 * MIB);
            n = (size_t)(x >> 8) % sizeof buf;
            if (off + n > 3 * MIB)
                n = (size_t)(3 * MIB - off);
            PT_CHECK_U64(pt_source_read(src, off, buf, n, &err), PT_OK);
            PT_CHECK(memcmp(buf, big + off, n) == 0);
        }
        pt_source_close(src);
        PT_CHECK_U64(pt_bundle_verify(b, &err), PT_OK);
        pt_bundle_close(b);
    }
}

/* Record boundaries of a bundle, read from the record heads. */
static size_t record_offsets(const uint8_t *file, size_t len, uint64_t *offs, uint8_t *types,
                             size_t max)
{
    size_t n = 0, pos = 0;
    while (pos + BUNDLE_REC_HEAD <= len && n < max) {
        offs[n] = pos;
        types[n] = file[pos + 16];
        n++;
        pos += BUNDLE_REC_HEAD + pt_le32(file + pos + 36) + BUNDLE_REC_TAIL;
    }
    offs[n] = pos;
    return n;
}

static void check_cut(const uint8_t *file, uint64_t cut, size_t complete)
{
    const char *path = tmp_path("cut.ptb");
    pt_bundle *b;
    pt_error err;
    pt_status st;

    write_file(path, file, (size_t)cut);
    st = pt_bundle_open(path, PT_BUNDLE_STRICT, &b, &err);
    /* an empty file is simply not a bundle */
    PT_CHECK_U64(st, cut == 0 ? PT_ERR_FORMAT : PT_ERR_TRUNCATED);
    if (cut >= BUNDLE_REC_HEAD * 2) {
        PT_CHECK(strstr(err.message, "cut short") != NULL);
        PT_CHECK(strstr(err.message, "import --partial") != NULL);
    }
    st = pt_bundle_open(path, PT_BUNDLE_ALLOW_PARTIAL, &b, &err);
    if (cut < 100) {
        /* inside the header record: nothing to offer */
        PT_CHECK(st != PT_OK);
        return;
    }
    PT_CHECK_U64(st, PT_OK);
    if (st != PT_OK) {
        fprintf(stderr, "cut at %llu: %s\n", (unsigned long long)cut, err.message);
        return;
    }
    PT_CHECK(pt_bundle_is_partial(b));
    check_members(b, complete);
    pt_bundle_close(b);
}

static void test_cut_everywhere(void)
{
    const char *path = tmp_path("round.ptb");
    uint64_t offs[200];
    uint8_t types[200];
    uint8_t *file;
    size_t len, n, i, complete = 0;

    write_round_trip(path);
    file = read_file(path, &len);
    n = record_offsets(file, len, offs, types, 199);
    PT_CHECK_U64(offs[n], len);
    PT_CHECK(types[0] == BUNDLE_REC_HEADER && types[n - 1] == BUNDLE_REC_FOOTER &&
             types[n - 2] == BUNDLE_REC_MANIFEST);
    for (i = 0; i < n; i++) {
        uint64_t rec_len = offs[i + 1] - offs[i];
        /* at the start of record i, and in the middle of it */
        check_cut(file, offs[i], complete);
        check_cut(file, offs[i] + rec_len / 2, complete);
        check_cut(file, offs[i] + 20, complete);
        if (types[i] == BUNDLE_REC_MEMBER_END)
            complete++;
    }
    check_cut(file, len - 1, 4);
    free(file);
}

/* A writer stopped without closing (as a killed collector) leaves a bundle
 * whose complete members read back with --partial. */
static void test_abandoned_writer(void)
{
    const char *path = tmp_path("abandoned.ptb");
    pt_bundle_writer *w;
    pt_bundle *b;
    pt_error err;
    static uint8_t half[3 * MIB];

    memset(half, 0x5A, sizeof half);
    PT_CHECK_U64(pt_bundle_writer_open(path, NULL, &w, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_add_buffer(w, "one.txt", "poolmon", text_member,
                                      sizeof text_member - 1, NULL, 0, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_member_begin(w, "two.bin", "dump", sizeof half * 2, NULL, 0, &err),
                 PT_OK);
    PT_CHECK_U64(pt_bundle_member_write_at(w, 0, half, sizeof half, &err), PT_OK);
    pt_bundle_writer_abort(w);
    PT_CHECK_U64(pt_bundle_open(path, PT_BUNDLE_STRICT, &b, &err), PT_ERR_TRUNCATED);
    PT_CHECK(strstr(err.message, "cut short") != NULL);
    PT_CHECK_U64(pt_bundle_open(path, PT_BUNDLE_ALLOW_PARTIAL, &b, &err), PT_OK);
    if (b != NULL) {
        PT_CHECK(pt_bundle_is_partial(b));
        PT_CHECK_U64(pt_bundle_member_count(b), 1);
        PT_CHECK_STR(pt_bundle_member_at(b, 0)->name, "one.txt");
        PT_CHECK(pt_bundle_get_info(b)->host == NULL);
        PT_CHECK_U64(pt_bundle_verify(b, &err), PT_OK);
        pt_bundle_close(b);
    }
}

static void check_member_equals(pt_bundle *b, size_t i, const uint8_t *want, size_t len)
{
    pt_source *src;
    pt_error err;
    uint8_t *got = malloc(len + 1);
    PT_CHECK_U64(pt_bundle_open_member(b, i, &src, &err), PT_OK);
    if (src != NULL) {
        PT_CHECK_U64(src->size, len);
        PT_CHECK_U64(pt_source_read(src, 0, got, len, &err), PT_OK);
        PT_CHECK(memcmp(got, want, len) == 0);
        pt_source_close(src);
    }
    free(got);
}

/* Zeros written as such, and a sparse file whose holes are never read:
 * both read back as the same bytes. */
static void test_zeros_and_sparse_files(void)
{
    const char *path = tmp_path("zeros.ptb"), *sparse = tmp_path("sparse.bin");
    size_t size = 40 * MIB, i;
    uint8_t *want = calloc(1, size);
    pt_bundle_writer *w;
    pt_bundle *b;
    pt_error err;
    FILE *f;
    static const struct { size_t off, len; } extents[] = {
        {0, 5000}, {10 * MIB + 123, 70000}, {20 * MIB, 3 * MIB + 5}, {39 * MIB + 7, MIB - 7},
    };

    for (i = 0; i < sizeof extents / sizeof extents[0]; i++) {
        size_t k;
        for (k = 0; k < extents[i].len; k++)
            want[extents[i].off + k] = (uint8_t)(k * 13 + i + 1);
    }
    /* a sparse file with those extents */
    f = fopen(sparse, "wb");
    PT_CHECK(f != NULL);
    if (f == NULL)
        return;
    for (i = 0; i < sizeof extents / sizeof extents[0]; i++) {
        fseek(f, (long)extents[i].off, SEEK_SET);
        fwrite(want + extents[i].off, 1, extents[i].len, f);
    }
    fclose(f);
    PT_CHECK(truncate(sparse, (off_t)size) == 0);

    PT_CHECK_U64(pt_bundle_writer_open(path, NULL, &w, &err), PT_OK);
    /* the same bytes with explicit zero ranges, unaligned */
    PT_CHECK_U64(pt_bundle_member_begin(w, "explicit.bin", "dump", size, NULL, 0, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_member_write_at(w, 0, want, 5000, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_member_write_zeros(w, 5000, 10 * MIB + 123 - 5000, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_member_write_at(w, 10 * MIB + 123, want + 10 * MIB + 123,
                                           20 * MIB - (10 * MIB + 123), &err), PT_OK);
    PT_CHECK_U64(pt_bundle_member_write_at(w, 20 * MIB, want + 20 * MIB, 3 * MIB + 5, &err),
                 PT_OK);
    PT_CHECK_U64(pt_bundle_member_write_zeros(w, 23 * MIB + 5, 16 * MIB + 2, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_member_write_at(w, 39 * MIB + 7, want + 39 * MIB + 7, MIB - 7, &err),
                 PT_OK);
    PT_CHECK_U64(pt_bundle_member_end(w, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_add_file(w, "sparse.bin", "dump", sparse, NULL, 0, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_writer_close(w, &err), PT_OK);

    PT_CHECK_U64(pt_bundle_open(path, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b != NULL) {
        PT_CHECK(!pt_bundle_member_at(b, 0)->has_holes);
        PT_CHECK(!pt_bundle_member_at(b, 1)->has_holes);
        check_member_equals(b, 0, want, size);
        check_member_equals(b, 1, want, size);
        PT_CHECK_U64(pt_bundle_verify(b, &err), PT_OK);
        pt_bundle_close(b);
    }
    free(want);
}

/* Offset of the first record of a type (and member). */
static uint64_t find_record(const uint8_t *file, size_t len, uint8_t type, uint32_t member)
{
    uint64_t offs[200];
    uint8_t types[200];
    size_t n = record_offsets(file, len, offs, types, 199), i;
    for (i = 0; i < n; i++)
        if (types[i] == type && pt_le32(file + offs[i] + 20) == member)
            return offs[i];
    return 0;
}

static void test_tampered(void)
{
    const char *path = tmp_path("round.ptb"), *bad = tmp_path("bad.ptb");
    pt_bundle *b;
    pt_source *src;
    pt_error err;
    uint8_t *file, buf[64];
    size_t len;
    uint64_t at;
    pt_status st;

    write_round_trip(path);
    file = read_file(path, &len);

    /* a byte of the text member's deflate data */
    at = find_record(file, len, BUNDLE_REC_DATA, 0);
    PT_CHECK(at != 0);
    file[at + BUNDLE_REC_HEAD + 3] ^= 0x40;
    write_file(bad, file, len);
    file[at + BUNDLE_REC_HEAD + 3] ^= 0x40;
    PT_CHECK_U64(pt_bundle_open(bad, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b != NULL) {
        st = pt_bundle_verify(b, &err);
        PT_CHECK(st == PT_ERR_INTEGRITY || st == PT_ERR_CORRUPT || st == PT_ERR_LIMIT);
        PT_CHECK(strstr(err.message, "text/poolmon-1.txt") != NULL);
        PT_CHECK_U64(pt_bundle_open_member(b, 0, &src, &err), PT_OK);
        st = pt_source_read(src, 0, buf, 10, &err);
        PT_CHECK(st != PT_OK && strstr(err.message, "text/poolmon-1.txt") != NULL);
        pt_source_close(src);
        /* the other members are untouched */
        PT_CHECK_U64(pt_bundle_verify_member(b, 1, &err), PT_OK);
        pt_bundle_close(b);
    }

    /* the gzip CRC of a chunk of the big member: an integrity error */
    at = find_record(file, len, BUNDLE_REC_DATA, 1);
    at += BUNDLE_REC_HEAD + pt_le32(file + at + 36);
    file[at] ^= 1;
    write_file(bad, file, len);
    file[at] ^= 1;
    PT_CHECK_U64(pt_bundle_open(bad, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b != NULL) {
        PT_CHECK_U64(pt_bundle_verify_member(b, 1, &err), PT_ERR_INTEGRITY);
        PT_CHECK(strstr(err.message, "big.bin") != NULL && strstr(err.message, "bad.ptb") != NULL);
        pt_bundle_close(b);
    }

    /* an index entry's SHA-256 (inside the deflated member end): rewrite
     * the member end with a changed hash and a correct gzip envelope */
    {
        uint64_t end = find_record(file, len, BUNDLE_REC_MEMBER_END, 1);
        uint32_t ulen = pt_le32(file + end + 32), clen = pt_le32(file + end + 36);
        uint8_t *plain = malloc(ulen);
        uLongf got = ulen;
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        inflateInit2(&zs, -15);
        zs.next_in = file + end + BUNDLE_REC_HEAD;
        zs.avail_in = clen;
        zs.next_out = plain;
        zs.avail_out = ulen;
        PT_CHECK(inflate(&zs, Z_FINISH) == Z_STREAM_END);
        inflateEnd(&zs);
        (void)got;
        plain[BUNDLE_END_FIXED + 24] ^= 0xFF; /* first chunk's SHA-256 */
        /* stored deflate block of the same length is longer: build a new
         * file with the record replaced (offsets after it move, so only
         * the scanning path sees it: drop manifest and footer) */
        {
            size_t nlen = (size_t)end;
            uint8_t *nf = malloc(len + ulen + 100);
            uint8_t *d;
            memcpy(nf, file, (size_t)end);
            d = nf + end + BUNDLE_REC_HEAD;
            memset(&zs, 0, sizeof zs);
            deflateInit2(&zs, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
            zs.next_in = plain;
            zs.avail_in = ulen;
            zs.next_out = d;
            zs.avail_out = ulen + 64;
            deflate(&zs, Z_FINISH);
            {
                bundle_rec rec = {BUNDLE_REC_MEMBER_END, 1, 0, ulen, (uint32_t)zs.total_out};
                bundle_rec_encode(&rec, nf + end);
                pt_put_le32(d + zs.total_out, (uint32_t)crc32(0L, plain, ulen));
                pt_put_le32(d + zs.total_out + 4, ulen);
                nlen += BUNDLE_REC_HEAD + zs.total_out + 8;
            }
            deflateEnd(&zs);
            write_file(bad, nf, nlen);
            PT_CHECK_U64(pt_bundle_open(bad, PT_BUNDLE_ALLOW_PARTIAL, &b, &err),
                         PT_ERR_INTEGRITY);
            PT_CHECK(strstr(err.message, "big.bin") != NULL);
            free(nf);
        }
        free(plain);
    }

    /* a byte inside a zero run's deflate data: never read to serve a read,
     * so the open checks it */
    at = find_record(file, len, BUNDLE_REC_ZERO, 1);
    PT_CHECK(at != 0);
    file[at + BUNDLE_REC_HEAD + 5] ^= 0x21;
    write_file(bad, file, len);
    file[at + BUNDLE_REC_HEAD + 5] ^= 0x21;
    st = pt_bundle_open(bad, PT_BUNDLE_STRICT, &b, &err);
    PT_CHECK(st == PT_ERR_INTEGRITY || st == PT_ERR_CORRUPT);
    PT_CHECK(strstr(err.message, "bad.ptb") != NULL);

    /* a byte of the manifest: refused at open */
    at = find_record(file, len, BUNDLE_REC_MANIFEST, BUNDLE_NO_MEMBER);
    file[at + BUNDLE_REC_HEAD + pt_le32(file + at + 36) + 2] ^= 0x10; /* its CRC */
    write_file(bad, file, len);
    st = pt_bundle_open(bad, PT_BUNDLE_STRICT, &b, &err);
    PT_CHECK_U64(st, PT_ERR_INTEGRITY);
    file[at + BUNDLE_REC_HEAD + pt_le32(file + at + 36) + 2] ^= 0x10;

    /* not a bundle at all, and a bundle with a future version */
    write_file(bad, "hello world, not a bundle at all, no, not at all......!", 55);
    PT_CHECK_U64(pt_bundle_open(bad, PT_BUNDLE_ALLOW_PARTIAL, &b, &err), PT_ERR_FORMAT);
    PT_CHECK(strstr(err.message, "bad.ptb: offset 0x0") != NULL);
    free(file);
}

/* ---- hand-made bundles ---- */

typedef struct craft {
    uint8_t *buf;
    size_t len;
} craft;

/* Appends a record whose deflate data inflates to payload, with the
 * declared uncompressed length ulen (may lie). */
static uint64_t craft_rec(craft *c, uint8_t type, uint32_t member, uint64_t offset,
                          const void *payload, size_t plen, uint32_t ulen)
{
    uint64_t at = c->len;
    z_stream zs;
    bundle_rec rec;
    uint8_t *d;

    c->buf = realloc(c->buf, c->len + BUNDLE_REC_HEAD + plen + plen / 100 + 200);
    d = c->buf + c->len + BUNDLE_REC_HEAD;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = (Bytef *)(uintptr_t)payload;
    zs.avail_in = (uInt)plen;
    zs.next_out = d;
    zs.avail_out = (uInt)(plen + plen / 100 + 100);
    deflate(&zs, Z_FINISH);
    rec.type = type;
    rec.member = member;
    rec.offset = offset;
    rec.ulen = ulen;
    rec.clen = (uint32_t)zs.total_out;
    deflateEnd(&zs);
    bundle_rec_encode(&rec, c->buf + c->len);
    pt_put_le32(d + rec.clen, (uint32_t)crc32(0L, payload, (uInt)plen));
    pt_put_le32(d + rec.clen + 4, ulen);
    c->len += BUNDLE_REC_HEAD + rec.clen + BUNDLE_REC_TAIL;
    return at;
}

/* A bundle of one member whose name is given as JSON text (escapes kept),
 * with one DATA chunk that declares chunk_len bytes and inflates to data. */
static void craft_bundle(craft *c, const char *name_json, const void *data, size_t dlen,
                         uint32_t chunk_len, int footer)
{
    static const char header[] = "{\"format\":\"pooltriage-bundle\",\"version\":1}\n";
    char json[4096];
    uint8_t end[BUNDLE_END_FIXED + BUNDLE_INDEX_ENTRY], hash[PT_SHA256_LEN], sha[32];
    bundle_chunk chunk;
    uint64_t data_at, end_at, man_at;
    char hex[65];

    c->buf = NULL;
    c->len = 0;
    craft_rec(c, BUNDLE_REC_HEADER, BUNDLE_NO_MEMBER, 0, header, sizeof header - 1,
              sizeof header - 1);
    snprintf(json, sizeof json, "{\"name\":%s,\"kind\":\"poolmon\",\"size\":%lu}\n", name_json,
             (unsigned long)chunk_len);
    craft_rec(c, BUNDLE_REC_MEMBER_START, 0, 0, json, strlen(json), (uint32_t)strlen(json));
    data_at = craft_rec(c, BUNDLE_REC_DATA, 0, 0, data, dlen, chunk_len);
    pt_sha256_buffer(data, dlen, sha);
    chunk.file_offset = data_at;
    chunk.member_offset = 0;
    chunk.length = chunk_len;
    chunk.type = BUNDLE_REC_DATA;
    memcpy(chunk.sha, sha, 32);
    bundle_member_hash(chunk_len, &chunk, 1, hash);
    memset(end, 0, sizeof end);
    memcpy(end, "PTME", 4);
    pt_put_le32(end + 4, 1);
    pt_put_le64(end + 8, chunk_len);
    pt_put_le64(end + 16, chunk_len);
    pt_put_le64(end + 24, 1);
    memcpy(end + 40, hash, 32);
    pt_put_le64(end + 72, data_at);
    pt_put_le32(end + 72 + 16, chunk_len);
    end[72 + 20] = BUNDLE_REC_DATA;
    memcpy(end + 72 + 24, sha, 32);
    end_at = craft_rec(c, BUNDLE_REC_MEMBER_END, 0, 0, end, sizeof end, sizeof end);
    if (!footer)
        return;
    pt_sha256_hex(hash, hex);
    snprintf(json, sizeof json,
             "{\"format\":\"pooltriage-bundle\",\"format_version\":1,\"members\":[{\"number\":0,"
             "\"name\":%s,\"kind\":\"poolmon\",\"size\":%lu,\"present_bytes\":%lu,\"holes\":false,"
             "\"chunks\":1,\"sha256\":\"%s\",\"end_offset\":%llu}]}\n",
             name_json, (unsigned long)chunk_len, (unsigned long)chunk_len, hex,
             (unsigned long long)end_at);
    man_at = c->len;
    craft_rec(c, BUNDLE_REC_MANIFEST, BUNDLE_NO_MEMBER, 0, json, strlen(json),
              (uint32_t)strlen(json));
    {
        uint8_t payload[64], *d;
        bundle_rec rec = {BUNDLE_REC_FOOTER, BUNDLE_NO_MEMBER, man_at, 64, BUNDLE_FOOTER_DEFLATE};
        memset(payload, 0, sizeof payload);
        memcpy(payload, "PTFOOTER", 8);
        pt_put_le32(payload + 8, 1);
        pt_put_le64(payload + 16, man_at);
        pt_put_le64(payload + 24, c->len - man_at);
        pt_sha256_buffer(json, strlen(json), payload + 32);
        c->buf = realloc(c->buf, c->len + BUNDLE_FOOTER_SIZE);
        bundle_rec_encode(&rec, c->buf + c->len);
        d = c->buf + c->len + BUNDLE_REC_HEAD;
        d[0] = 1;
        pt_put_le16(d + 1, 64);
        pt_put_le16(d + 3, (uint16_t)~64u);
        memcpy(d + 5, payload, 64);
        pt_put_le32(d + 69, (uint32_t)crc32(0L, payload, 64));
        pt_put_le32(d + 73, 64);
        c->len += BUNDLE_FOOTER_SIZE;
    }
}

/* Opens a crafted bundle from memory and reads its first member. */
static pt_status open_crafted(const craft *c, int flags, pt_error *err)
{
    pt_source *mem, *src;
    pt_bundle *b;
    uint8_t buf[64];
    pt_status st;

    pt_source_open_memory(c->buf, c->len, "crafted.ptb", &mem, err);
    st = pt_bundle_open_source(mem, flags, &b, err);
    if (st == PT_OK) {
        st = pt_bundle_open_member(b, 0, &src, err);
        if (st == PT_OK) {
            st = pt_source_read(src, 0, buf, src->size < sizeof buf ? (size_t)src->size : sizeof buf, err);
            pt_source_close(src);
        }
        pt_bundle_close(b);
    }
    pt_source_close(mem);
    return st;
}

static void test_crafted(void)
{
    static const char *unsafe[] = {
        "\"../x\"", "\"/etc/passwd\"", "\"a/../../x\"", "\"a\\\\b\"", "\"C:x\"", "\"\"",
        "\"a\\u0000b\"", "\"a//b\"", "\"./a\"", "\"a\\nb\"",
    };
    char longname[1200];
    craft c;
    pt_error err;
    size_t i;
    int footer;
    uint8_t data[200];

    memset(data, 'A', sizeof data);
    /* the crafting itself is right: a well-formed bundle reads */
    for (footer = 0; footer <= 1; footer++) {
        craft_bundle(&c, "\"ok.txt\"", data, 100, 100, footer);
        PT_CHECK_U64(open_crafted(&c, PT_BUNDLE_ALLOW_PARTIAL, &err), PT_OK);
        free(c.buf);
    }
    for (footer = 0; footer <= 1; footer++) {
        for (i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
            craft_bundle(&c, unsafe[i], data, 100, 100, footer);
            PT_CHECK_U64(open_crafted(&c, PT_BUNDLE_ALLOW_PARTIAL, &err), PT_ERR_UNSAFE);
            PT_CHECK(strstr(err.message, "crafted.ptb") != NULL);
            free(c.buf);
        }
        longname[0] = '"';
        memset(longname + 1, 'n', 1100);
        memcpy(longname + 1101, "\"", 2);
        craft_bundle(&c, longname, data, 100, 100, footer);
        PT_CHECK_U64(open_crafted(&c, PT_BUNDLE_ALLOW_PARTIAL, &err), PT_ERR_UNSAFE);
        free(c.buf);
        /* a chunk that inflates to 200 bytes but declares 100 */
        craft_bundle(&c, "\"bomb.txt\"", data, 200, 100, footer);
        PT_CHECK_U64(open_crafted(&c, PT_BUNDLE_ALLOW_PARTIAL, &err), PT_ERR_LIMIT);
        PT_CHECK(strstr(err.message, "inflates past") != NULL &&
                 strstr(err.message, "bomb.txt") != NULL);
        free(c.buf);
        /* a chunk that declares 2 GiB */
        craft_bundle(&c, "\"huge.bin\"", data, 200, 0x80000000u, footer);
        {
            pt_status st = open_crafted(&c, PT_BUNDLE_ALLOW_PARTIAL, &err);
            PT_CHECK(st == PT_ERR_LIMIT || st == PT_ERR_CORRUPT);
            PT_CHECK(strstr(err.message, "crafted.ptb: offset 0x") != NULL);
        }
        free(c.buf);
    }
    /* duplicate names */
    {
        pt_bundle_writer *w;
        const char *path = tmp_path("dup.ptb");
        craft d;
        uint64_t second;
        PT_CHECK_U64(pt_bundle_writer_open(path, NULL, &w, &err), PT_OK);
        PT_CHECK_U64(pt_bundle_add_buffer(w, "a.txt", "poolmon", "x", 1, NULL, 0, &err), PT_OK);
        PT_CHECK_U64(pt_bundle_add_buffer(w, "b.txt", "poolmon", "y", 1, NULL, 0, &err), PT_OK);
        PT_CHECK_U64(pt_bundle_writer_close(w, &err), PT_OK);
        d.buf = read_file(path, &d.len);
        /* rename b.txt to a.txt in the member start by rewriting the record */
        second = find_record(d.buf, d.len, BUNDLE_REC_MEMBER_START, 1);
        {
            craft tail = {NULL, 0};
            const char *js = "{\"name\":\"a.txt\",\"kind\":\"poolmon\",\"size\":1,\"attrs\":{}}\n";
            uint64_t rest = second + BUNDLE_REC_HEAD + pt_le32(d.buf + second + 36) + 8;
            craft_rec(&tail, BUNDLE_REC_MEMBER_START, 1, 0, js, strlen(js), (uint32_t)strlen(js));
            /* same length as the original ("b.txt" vs "a.txt"), so offsets hold */
            PT_CHECK_U64(tail.len, rest - second);
            memcpy(d.buf + second, tail.buf, tail.len);
            free(tail.buf);
            /* cut off manifest and footer so the records are scanned */
            d.len = (size_t)find_record(d.buf, d.len, BUNDLE_REC_MANIFEST, BUNDLE_NO_MEMBER);
        }
        PT_CHECK_U64(open_crafted(&d, PT_BUNDLE_ALLOW_PARTIAL, &err), PT_ERR_UNSAFE);
        PT_CHECK(strstr(err.message, "twice") != NULL);
        free(d.buf);
    }
}

static int contains(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;
    for (i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

static void test_gzip_reads_it(void)
{
    const char *path = tmp_path("gz.ptb");
    char cmd[1200];
    pt_bundle_writer *w;
    pt_error err;
    uint8_t *out;
    size_t len;

    if (system("gzip --version > /dev/null 2>&1") != 0) {
        printf("gzip not found: skipping the gzip check\n");
        return;
    }
    write_round_trip(tmp_path("round.ptb"));
    snprintf(cmd, sizeof cmd, "gzip -t < %s", tmp_path("round.ptb"));
    PT_CHECK(system(cmd) == 0);
    PT_CHECK_U64(pt_bundle_writer_open(path, NULL, &w, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_add_buffer(w, "p.txt", "poolmon", text_member,
                                      sizeof text_member - 1, NULL, 0, &err),
                 PT_OK);
    PT_CHECK_U64(pt_bundle_writer_close(w, &err), PT_OK);
    snprintf(cmd, sizeof cmd, "gzip -dc < %s > %s.out", path, path);
    PT_CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "%s.out", path);
    out = read_file(cmd, &len);
    PT_CHECK(out != NULL);
    if (out != NULL) {
        out[len] = 0;
        PT_CHECK(contains(out, len, text_member));
        PT_CHECK(contains(out, len, "\"name\":\"p.txt\""));
        free(out);
    }
}

/* Opens a bundle in memory and reads every member whole, as import does;
 * PT_OK only when all of that succeeds. */
static pt_status open_and_read_all(const uint8_t *data, size_t len, pt_error *err)
{
    pt_source *mem, *src;
    pt_bundle *b;
    pt_status st;
    size_t i;

    pt_source_open_memory(data, len, "sweep.ptb", &mem, err);
    st = pt_bundle_open_source(mem, PT_BUNDLE_STRICT, &b, err);
    for (i = 0; st == PT_OK && i < pt_bundle_member_count(b); i++) {
        st = pt_bundle_open_member(b, i, &src, err);
        if (st == PT_OK) {
            uint8_t *buf = malloc((size_t)src->size + 1);
            st = pt_source_read(src, 0, buf, (size_t)src->size, err);
            free(buf);
            pt_source_close(src);
        }
    }
    pt_bundle_close(b);
    pt_source_close(mem);
    return st;
}

/* Every single byte of a text bundle inverted in turn: each variant is
 * refused at open or when its member is read. */
static void test_tamper_sweep(void)
{
    const char *path = tmp_path("sweep.ptb");
    pt_bundle_attr attrs[] = {{"sample_time", "2021-02-21T01:38:22Z"}};
    pt_bundle_writer *w;
    pt_error err;
    uint8_t *file;
    size_t len, i, accepted = 0;

    PT_CHECK_U64(pt_bundle_writer_open(path, NULL, &w, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_add_buffer(w, "a.txt", "poolmon", text_member,
                                      sizeof text_member - 1, attrs, 1, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_add_buffer(w, "b.txt", "vm", "NonPagedPool Usage: 100\n", 24, NULL,
                                      0, &err), PT_OK);
    PT_CHECK_U64(pt_bundle_writer_close(w, &err), PT_OK);
    file = read_file(path, &len);
    PT_CHECK_U64(open_and_read_all(file, len, &err), PT_OK);
    for (i = 0; i < len; i++) {
        file[i] ^= 0xFF;
        if (open_and_read_all(file, len, &err) == PT_OK) {
            accepted++;
            fprintf(stderr, "tampered byte %lu accepted\n", (unsigned long)i);
        }
        file[i] ^= 0xFF;
    }
    PT_CHECK_U64(accepted, 0);
    free(file);
}

static void cleanup(void)
{
    char cmd[600];
    if (tmpdir[0] != '\0') {
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
    free(big);
}

static void test_cleanup(void)
{
    cleanup();
    PT_CHECK(1);
}

PT_TEST_MAIN(PT_TEST(test_round_trip), PT_TEST(test_random_access),
             PT_TEST(test_cut_everywhere), PT_TEST(test_abandoned_writer),
             PT_TEST(test_zeros_and_sparse_files), PT_TEST(test_tampered), PT_TEST(test_crafted),
             PT_TEST(test_gzip_reads_it), PT_TEST(test_tamper_sweep), PT_TEST(test_cleanup))
