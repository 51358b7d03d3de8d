/* bundle_writer.c - writes a bundle streaming, record by record, at its
 * final path: whatever is on disk is always a prefix of a valid bundle, so
 * a killed collector leaves every member up to the last complete one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundle_writer_internal.h"
#include "pt_byteorder.h"
#include "pt_json.h"
#include "pt_platform.h"

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

pt_status bundle_write_all(pt_bundle_writer *w, const uint8_t *data, size_t len,
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

pt_status bundle_ensure_rec(pt_bundle_writer *w, uint64_t ulen, pt_error *err)
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
pt_status bundle_emit_record(pt_bundle_writer *w, uint8_t type, uint32_t member,
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
    return bundle_write_all(w, w->rec, BUNDLE_REC_HEAD + (size_t)clen + BUNDLE_REC_TAIL, err);
}

static pt_status write_payload_record(pt_bundle_writer *w, uint8_t type, uint32_t member,
                                      uint64_t offset, const void *data, size_t len,
                                      int level, pt_error *err)
{
    uint32_t clen = 0;
    pt_status st;
    if ((st = bundle_ensure_rec(w, len, err)) != PT_OK)
        return st;
    if ((st = deflate_into(w, level, data, len, w->rec + BUNDLE_REC_HEAD, &clen, err)) != PT_OK)
        return st;
    return bundle_emit_record(w, type, member, offset, (uint32_t)len, clen,
                       (uint32_t)crc32(0L, data, (uInt)len), err);
}

pt_status bundle_add_chunk(pt_bundle_writer *w, uint64_t file_offset, uint64_t member_offset,
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
    if ((st = bundle_pieces_alloc(w, err)) != PT_OK)
        goto fail;
    if (info != NULL) {
        w->info = *info;
        w->info.collector_version = w->info_strings[0] = dup_string(info->collector_version);
        w->info.host = w->info_strings[1] = dup_string(info->host);
        w->info.case_hint = w->info_strings[2] = dup_string(info->case_hint);
    }
    if (w->info.created == 0)
        w->info.created = pt_filetime_from_unix((int64_t)time(NULL), 0);
    w->fd = pt_platform_open_write(path);
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
    if (offset > w->next_off && (st = bundle_next_piece(w, offset, err)) != PT_OK)
        return st;
    while (len > 0) {
        piece *pc = &w->pieces[w->piece_cur];
        size_t take = w->piece_size - pc->len;
        if ((st = bundle_piece_ready(w, pc, err)) != PT_OK)
            return st;
        if (take > len)
            take = len;
        memcpy(pc->data + pc->len, p, take);
        pc->len += take;
        p += take;
        len -= take;
        w->next_off = pc->member_off + pc->len;
        if (pc->len == w->piece_size && (st = bundle_next_piece(w, w->next_off, err)) != PT_OK)
            return st;
    }
    return PT_OK;
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
    if ((st = bundle_flush_pieces(w, 0, err)) != PT_OK)
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
    if ((st = bundle_ensure_rec(w, BUNDLE_FOOTER_PAYLOAD, err)) != PT_OK)
        return st;
    d = w->rec + BUNDLE_REC_HEAD;
    d[0] = 0x01; /* BFINAL=1, BTYPE=00 (stored) */
    pt_put_le16(d + 1, BUNDLE_FOOTER_PAYLOAD);
    pt_put_le16(d + 3, (uint16_t)~BUNDLE_FOOTER_PAYLOAD);
    memcpy(d + 5, payload, BUNDLE_FOOTER_PAYLOAD);
    return bundle_emit_record(w, BUNDLE_REC_FOOTER, BUNDLE_NO_MEMBER, manifest_offset,
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
    bundle_pool_stop(w);
    if (w->fd >= 0)
        close(w->fd);
    if (w->zs_ready)
        deflateEnd(&w->zs);
    for (i = 0; w->workers != NULL && i <= (size_t)w->threads; i++)
        if (w->workers[i].zs_ready)
            deflateEnd(&w->workers[i].zs);
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
