/* test_bundle_ahead.c - the member source's read-ahead (a second thread
 * inflating the chunks after an in-order read): the same bytes as reading
 * in line, whatever the read pattern; a damaged chunk the worker loads is
 * reported when the reader reaches it, with the bundle's name, and no
 * bytes of it are returned. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "pt_source.h"
#include "pt_test.h"

#define CHUNK (64u * 1024u)
#define MEMBER_LEN (40u * CHUNK + 1234u) /* 41 chunks, the last one short */

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[512];
    if (tmpdir[0] == '\0') {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/pt_test_bundle_ahead_XXXXXX");
        if (mkdtemp(tmpdir) == NULL)
            abort();
    }
    snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
    return buf;
}

/* Bytes that deflate a little (a counter with noise), so every chunk is a
 * compressed record of its own. */
static uint8_t *make_member(void)
{
    uint8_t *p = malloc(MEMBER_LEN);
    uint32_t x = 2024;
    size_t i;
    if (p == NULL)
        abort();
    for (i = 0; i < MEMBER_LEN; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (i & 3) == 0 ? (uint8_t)(x >> 24) : (uint8_t)(i / 4096);
    }
    return p;
}

static void write_bundle(const char *path, const uint8_t *data)
{
    pt_bundle_writer *w = NULL;
    pt_error err;
    PT_CHECK_U64(pt_bundle_writer_open(path, NULL, &w, &err), PT_OK);
    if (w == NULL)
        return;
    pt_bundle_writer_set_chunk_size(w, CHUNK);
    PT_CHECK_U64(pt_bundle_add_buffer(w, "trace.etl", "etl", data, MEMBER_LEN, NULL, 0, &err),
                 PT_OK);
    PT_CHECK_U64(pt_bundle_writer_close(w, &err), PT_OK);
}

/* Reads [from, to) in pieces of step bytes and compares. */
static void read_in_order(pt_source *src, const uint8_t *want, uint64_t from, uint64_t to,
                          size_t step)
{
    static uint8_t buf[200000];
    pt_error err;
    uint64_t off;
    int same = 1;
    for (off = from; off < to; off += step) {
        size_t n = to - off < step ? (size_t)(to - off) : step;
        PT_CHECK_U64(pt_source_read(src, off, buf, n, &err), PT_OK);
        same &= memcmp(buf, want + off, n) == 0;
    }
    PT_CHECK(same);
}

static void test_same_bytes(void)
{
    const char *path = tmp_path("ahead.ptb");
    uint8_t *data = make_member();
    static uint8_t buf[100000];
    pt_bundle *b = NULL;
    pt_source *src = NULL;
    pt_error err;
    uint32_t x = 7;
    int i, same = 1;

    write_bundle(path, data);
    PT_CHECK_U64(pt_bundle_open(path, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b == NULL)
        goto out;
    PT_CHECK_U64(pt_bundle_member_at(b, 0)->chunk_count, 41);
    PT_CHECK_U64(pt_bundle_open_member(b, 0, &src, &err), PT_OK);
    if (src == NULL)
        goto out;
    /* whole member in small, odd and large pieces (the worker runs ahead) */
    read_in_order(src, data, 0, MEMBER_LEN, 4096);
    read_in_order(src, data, 0, MEMBER_LEN, 65537);
    read_in_order(src, data, 0, MEMBER_LEN, 200000);
    /* an in-order read broken off, a jump back, then in order again */
    read_in_order(src, data, 5 * CHUNK, 9 * CHUNK, 10000);
    read_in_order(src, data, 1 * CHUNK, 30 * CHUNK, 30000);
    /* random reads between in-order runs: queued chunks are dropped or
     * taken back, never returned for the wrong offset */
    for (i = 0; i < 400; i++) {
        uint64_t off;
        size_t n;
        x = x * 1664525u + 1013904223u;
        off = x % MEMBER_LEN;
        n = (size_t)(x >> 9) % sizeof buf;
        if (off + n > MEMBER_LEN)
            n = (size_t)(MEMBER_LEN - off);
        PT_CHECK_U64(pt_source_read(src, off, buf, n, &err), PT_OK);
        same &= memcmp(buf, data + off, n) == 0;
        if (i % 50 == 0)
            read_in_order(src, data, off, off + 6 * CHUNK < MEMBER_LEN ? off + 6 * CHUNK
                                                                       : MEMBER_LEN, 8192);
    }
    PT_CHECK(same);
out:
    pt_source_close(src);
    pt_bundle_close(b);
    free(data);
}

/* Flips one byte inside the compressed record of chunk 20 (of 41). */
static void damage_chunk(const char *path)
{
    FILE *f = fopen(path, "r+b");
    long size;
    int c;
    PT_CHECK(f != NULL);
    if (f == NULL)
        return;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    /* the chunks fill the file but for the small index, manifest and
     * footer at its end: the middle of the file is chunk data */
    fseek(f, size / 2, SEEK_SET);
    c = fgetc(f);
    fseek(f, size / 2, SEEK_SET);
    fputc(c ^ 0x5A, f);
    fclose(f);
}

static void test_damaged_chunk_ahead(void)
{
    const char *path = tmp_path("damaged.ptb");
    uint8_t *data = make_member();
    static uint8_t buf[4096];
    pt_bundle *b = NULL;
    pt_source *src = NULL;
    pt_error err;
    uint64_t off;
    pt_status st = PT_OK;

    write_bundle(path, data);
    damage_chunk(path);
    PT_CHECK_U64(pt_bundle_open(path, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b == NULL)
        goto out;
    PT_CHECK_U64(pt_bundle_open_member(b, 0, &src, &err), PT_OK);
    if (src == NULL)
        goto out;
    /* in order until the damage: the bytes before it are right */
    for (off = 0; off < MEMBER_LEN; off += sizeof buf) {
        size_t n = MEMBER_LEN - off < sizeof buf ? (size_t)(MEMBER_LEN - off) : sizeof buf;
        st = pt_source_read(src, off, buf, n, &err);
        if (st != PT_OK)
            break;
        PT_CHECK(memcmp(buf, data + off, n) == 0);
    }
    PT_CHECK(st == PT_ERR_INTEGRITY || st == PT_ERR_CORRUPT);
    PT_CHECK(strstr(err.message, "damaged.ptb") != NULL);
    /* it stopped in the damaged chunk, well after the first ones */
    PT_CHECK(off >= 10 * CHUNK && off < 35 * CHUNK);
    /* and the same again: the error does not depend on who loaded it */
    PT_CHECK_U64(pt_source_read(src, off, buf, 16, &err), st);
out:
    pt_source_close(src);
    pt_bundle_close(b);
    free(data);
}

static void test_cleanup(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    PT_CHECK(tmpdir[0] == '\0' || system(cmd) == 0);
}

PT_TEST_MAIN(PT_TEST(test_same_bytes), PT_TEST(test_damaged_chunk_ahead),
             PT_TEST(test_cleanup))
