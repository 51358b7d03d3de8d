/* bundle_reader.c - opens a bundle: through its footer and manifest when it
 * is complete, else by scanning its records (a collector killed mid-way,
 * an upload cut short), offering the complete members only on request. */
#include "bundle_internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pt_byteorder.h"
#include "pt_json.h"

#define JSON_DEPTH_MAX 8
#define ID_BUFFER (1024u * 1024u)

pt_status bundle_read_rec(pt_bundle *b, uint64_t file_offset, bundle_rec *rec,
                          pt_error *err)
{
    uint8_t head[BUNDLE_REC_HEAD];
    pt_status st;
    if (!pt_range_ok(file_offset, BUNDLE_REC_HEAD, b->size))
        return pt_error_set(err, PT_ERR_TRUNCATED, b->path, file_offset,
                            "record header runs past the end of the bundle");
    if ((st = pt_source_read(b->src, file_offset, head, sizeof head, err)) != PT_OK)
        return st;
    if ((st = bundle_rec_decode(head, b->path, file_offset, rec, err)) != PT_OK)
        return st;
    if (!pt_range_ok(file_offset, BUNDLE_REC_HEAD + (uint64_t)rec->clen + BUNDLE_REC_TAIL,
                     b->size))
        return pt_error_set(err, PT_ERR_TRUNCATED, b->path, file_offset,
                            "record of %lu compressed bytes runs past the end of the bundle",
                            (unsigned long)rec->clen);
    return PT_OK;
}

pt_status bundle_inflate(const char *file, uint64_t file_offset, const char *what,
                         const uint8_t *data, uint32_t clen, uint8_t *out, uint32_t ulen,
                         pt_error *err)
{
    z_stream zs;
    uint8_t spare;
    int zr;

    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK)
        return pt_error_set(err, PT_ERR_NOMEM, file, file_offset, "inflateInit failed");
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = clen;
    zs.next_out = out;
    zs.avail_out = ulen;
    zr = inflate(&zs, Z_FINISH);
    if ((zr == Z_BUF_ERROR || zr == Z_OK) && zs.avail_out == 0) {
        /* The output is full: the stream must end right here.  One more
         * byte of room tells an over-inflating record from one that ends. */
        zs.next_out = &spare;
        zs.avail_out = 1;
        zr = inflate(&zs, Z_FINISH);
        if (zs.avail_out == 0) {
            inflateEnd(&zs);
            return pt_error_set(err, PT_ERR_LIMIT, file, file_offset,
                                "%s inflates past its declared length of %lu bytes", what,
                                (unsigned long)ulen);
        }
    }
    inflateEnd(&zs);
    if (zr != Z_STREAM_END)
        return pt_error_set(err, PT_ERR_CORRUPT, file, file_offset,
                            "%s: deflate data is damaged or cut (zlib %d)", what, zr);
    if (zs.total_out != ulen)
        return pt_error_set(err, PT_ERR_CORRUPT, file, file_offset,
                            "%s inflates to %lu bytes, not the declared %lu", what,
                            (unsigned long)zs.total_out, (unsigned long)ulen);
    if (zs.avail_in != 0)
        return pt_error_set(err, PT_ERR_CORRUPT, file, file_offset,
                            "%s: %lu bytes after the end of its deflate data", what,
                            (unsigned long)zs.avail_in);
    return PT_OK;
}

pt_status bundle_read_payload(pt_bundle *b, uint64_t file_offset, const bundle_rec *rec,
                              const char *what, uint8_t **out, pt_error *err)
{
    size_t total = (size_t)rec->clen + BUNDLE_REC_TAIL;
    uint8_t *comp = malloc(total);
    uint8_t *plain = malloc((size_t)rec->ulen + 1);
    const uint8_t *tail;
    pt_status st;

    *out = NULL;
    if (comp == NULL || plain == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, b->path, file_offset, "out of memory");
        goto fail;
    }
    st = pt_source_read(b->src, file_offset + BUNDLE_REC_HEAD, comp, total, err);
    if (st != PT_OK)
        goto fail;
    st = bundle_inflate(b->path, file_offset, what, comp, rec->clen, plain, rec->ulen, err);
    if (st != PT_OK)
        goto fail;
    tail = comp + rec->clen;
    if (pt_le32(tail) != (uint32_t)crc32(0L, plain, rec->ulen) || pt_le32(tail + 4) != rec->ulen) {
        st = pt_error_set(err, PT_ERR_INTEGRITY, b->path, file_offset,
                          "%s: gzip CRC-32 or length does not match its data", what);
        goto fail;
    }
    plain[rec->ulen] = 0;
    free(comp);
    *out = plain;
    return PT_OK;
fail:
    free(comp);
    free(plain);
    return st;
}

/* ---- members from JSON (start records and the manifest) ---- */

static pt_status parse_attrs(pt_bundle *b, const pt_json_value *obj, bundle_member_rt *m,
                             uint64_t at, pt_error *err)
{
    const pt_json_value *attrs = pt_json_get(obj, "attrs");
    pt_bundle_attr *list;
    size_t i;

    if (attrs == NULL)
        return PT_OK;
    if (attrs->type != PT_JSON_OBJECT)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, at, "member attrs is not an object");
    if (attrs->count > BUNDLE_ATTR_MAX)
        return pt_error_set(err, PT_ERR_LIMIT, b->path, at,
                            "member has %lu attributes, over the limit of %u",
                            (unsigned long)attrs->count, BUNDLE_ATTR_MAX);
    if (attrs->count == 0)
        return PT_OK;
    list = pt_arena_alloc(&b->arena, attrs->count * sizeof *list);
    if (list == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, b->path, at, "out of memory");
    for (i = 0; i < attrs->count; i++) {
        const pt_json_value *v = attrs->items[i];
        if (v->type != PT_JSON_STRING || strlen(v->text) != v->len ||
            strlen(attrs->keys[i]) != attrs->key_lens[i] || attrs->key_lens[i] == 0)
            return pt_error_set(err, PT_ERR_CORRUPT, b->path, at,
                                "member attribute %lu is not a plain string pair",
                                (unsigned long)i);
        list[i].key = pt_arena_strdup(&b->arena, attrs->keys[i]);
        list[i].value = pt_arena_strdup(&b->arena, v->text);
        if (list[i].key == NULL || list[i].value == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, b->path, at, "out of memory");
    }
    m->pub.attrs = list;
    m->pub.attr_count = attrs->count;
    return PT_OK;
}

/* Name, kind, size and attributes, common to both places a member is
 * described. */
static pt_status parse_member_common(pt_bundle *b, const pt_json_value *obj,
                                     bundle_member_rt *m, uint64_t at, pt_error *err)
{
    const pt_json_value *name = pt_json_get(obj, "name");
    const char *kind = pt_json_get_string(obj, "kind");
    pt_status st;

    if (obj->type != PT_JSON_OBJECT || name == NULL || name->type != PT_JSON_STRING ||
        kind == NULL || !pt_json_get_uint(obj, "size", &m->pub.size))
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, at,
                            "member description lacks name, kind or size");
    if ((st = bundle_check_name(name->text, name->len, b->path, at, err)) != PT_OK)
        return st;
    if (strlen(kind) == 0 || strlen(kind) > 64)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, at, "member kind empty or too long");
    m->pub.name = pt_arena_strdup(&b->arena, name->text);
    m->pub.kind = pt_arena_strdup(&b->arena, kind);
    if (m->pub.name == NULL || m->pub.kind == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, b->path, at, "out of memory");
    return parse_attrs(b, obj, m, at, err);
}

static pt_status push_member(pt_bundle *b, const bundle_member_rt *m, uint64_t at,
                             pt_error *err)
{
    size_t i;
    for (i = 0; i < b->member_count; i++)
        if (strcmp(b->members[i].pub.name, m->pub.name) == 0)
            return pt_error_set(err, PT_ERR_UNSAFE, b->path, at,
                                "member name %s appears twice", m->pub.name);
    if (b->member_count >= BUNDLE_MEMBER_MAX)
        return pt_error_set(err, PT_ERR_LIMIT, b->path, at, "more than %u members",
                            BUNDLE_MEMBER_MAX);
    if (b->member_count == b->member_cap) {
        size_t ncap = b->member_cap ? b->member_cap * 2 : 16;
        bundle_member_rt *nm = realloc(b->members, ncap * sizeof *nm);
        if (nm == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, b->path, at, "out of memory");
        b->members = nm;
        b->member_cap = ncap;
    }
    b->members[b->member_count++] = *m;
    return PT_OK;
}

/* ---- the first record ---- */

static pt_status check_header(pt_bundle *b, uint64_t *next, pt_error *err)
{
    bundle_rec rec;
    pt_arena arena;
    pt_json_value *root;
    uint8_t *payload = NULL;
    const char *format;
    uint64_t version = 0;
    pt_status st;

    if (b->size < BUNDLE_REC_HEAD)
        return pt_error_set(err, b->size == 0 ? PT_ERR_FORMAT : PT_ERR_TRUNCATED, b->path, 0,
                            "too short for a pooltriage bundle (%llu bytes)",
                            (unsigned long long)b->size);
    if ((st = bundle_read_rec(b, 0, &rec, err)) != PT_OK)
        return st;
    if (rec.type != BUNDLE_REC_HEADER || rec.member != BUNDLE_NO_MEMBER || rec.ulen > 4096)
        return pt_error_set(err, PT_ERR_FORMAT, b->path, 0,
                            "not a pooltriage bundle (first record is not a bundle header)");
    if ((st = bundle_read_payload(b, 0, &rec, "bundle header", &payload, err)) != PT_OK)
        return st;
    pt_arena_init(&arena);
    st = pt_json_parse(&arena, (const char *)payload, rec.ulen, JSON_DEPTH_MAX, b->path, 0,
                       &root, err);
    if (st == PT_OK) {
        format = pt_json_get_string(root, "format");
        if (format == NULL || strcmp(format, "pooltriage-bundle") != 0 ||
            !pt_json_get_uint(root, "version", &version))
            st = pt_error_set(err, PT_ERR_FORMAT, b->path, 0,
                              "not a pooltriage bundle (bad magic in the header record)");
        else if (version != BUNDLE_FORMAT_VERSION)
            st = pt_error_set(err, PT_ERR_UNSUPPORTED, b->path, 0,
                              "bundle format version %llu (this build reads %u)",
                              (unsigned long long)version, BUNDLE_FORMAT_VERSION);
    }
    pt_arena_free(&arena);
    free(payload);
    *next = BUNDLE_REC_HEAD + (uint64_t)rec.clen + BUNDLE_REC_TAIL;
    return st;
}

/* ---- complete bundles: footer and manifest ---- */

/* 1 when the last BUNDLE_FOOTER_SIZE bytes are a footer record exactly as
 * the writer makes it; the manifest's place and hash come out. */
static int read_footer(pt_bundle *b, uint64_t *man_off, uint64_t *man_len,
                       uint8_t sha[PT_SHA256_LEN])
{
    uint8_t f[BUNDLE_FOOTER_SIZE];
    const uint8_t *d = f + BUNDLE_REC_HEAD, *p = d + 5, *tail = d + BUNDLE_FOOTER_DEFLATE;
    uint64_t at;
    bundle_rec rec;
    pt_error scratch;

    if (b->size < BUNDLE_FOOTER_SIZE)
        return 0;
    at = b->size - BUNDLE_FOOTER_SIZE;
    if (pt_source_read(b->src, at, f, sizeof f, &scratch) != PT_OK ||
        bundle_rec_decode(f, b->path, at, &rec, &scratch) != PT_OK)
        return 0;
    if (rec.type != BUNDLE_REC_FOOTER || rec.member != BUNDLE_NO_MEMBER ||
        rec.ulen != BUNDLE_FOOTER_PAYLOAD || rec.clen != BUNDLE_FOOTER_DEFLATE ||
        d[0] != 0x01 || pt_le16(d + 1) != BUNDLE_FOOTER_PAYLOAD ||
        pt_le16(d + 3) != (uint16_t)~BUNDLE_FOOTER_PAYLOAD || memcmp(p, "PTFOOTER", 8) != 0 ||
        pt_le32(tail) != (uint32_t)crc32(0L, p, BUNDLE_FOOTER_PAYLOAD) ||
        pt_le32(tail + 4) != BUNDLE_FOOTER_PAYLOAD)
        return 0;
    *man_off = pt_le64(p + 16);
    *man_len = pt_le64(p + 24);
    memcpy(sha, p + 32, PT_SHA256_LEN);
    return rec.offset == *man_off;
}

static pt_status parse_manifest_member(pt_bundle *b, const pt_json_value *obj, size_t index,
                                       uint64_t man_off, pt_error *err)
{
    bundle_member_rt m;
    const char *hex = pt_json_get_string(obj, "sha256");
    const pt_json_value *holes = pt_json_get(obj, "holes");
    uint64_t number, end_offset, present, chunks;
    pt_status st;

    memset(&m, 0, sizeof m);
    if ((st = parse_member_common(b, obj, &m, man_off, err)) != PT_OK)
        return st;
    if (!pt_json_get_uint(obj, "number", &number) || number != index ||
        !pt_json_get_uint(obj, "end_offset", &end_offset) ||
        !pt_json_get_uint(obj, "present_bytes", &present) ||
        !pt_json_get_uint(obj, "chunks", &chunks) || hex == NULL ||
        !pt_sha256_parse_hex(hex, m.hash) || holes == NULL ||
        (holes->type != PT_JSON_TRUE && holes->type != PT_JSON_FALSE))
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, man_off,
                            "manifest entry %lu (%s): number, sha256, holes, present_bytes, "
                            "chunks or end_offset missing or wrong",
                            (unsigned long)index, m.pub.name);
    if (end_offset >= man_off || present > m.pub.size ||
        (holes->type == PT_JSON_TRUE) != (present < m.pub.size) ||
        chunks > BUNDLE_INDEX_ENTRIES_MAX)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, man_off,
                            "manifest entry %lu (%s): offsets or sizes out of range",
                            (unsigned long)index, m.pub.name);
    m.number = (uint32_t)index;
    m.end_offset = end_offset;
    m.pub.present_bytes = present;
    m.pub.has_holes = present < m.pub.size;
    m.pub.chunk_count = chunks;
    pt_sha256_hex(m.hash, m.pub.sha256);
    return push_member(b, &m, man_off, err);
}

static pt_status open_from_manifest(pt_bundle *b, uint64_t man_off, uint64_t man_len,
                                    const uint8_t want[PT_SHA256_LEN], pt_error *err)
{
    bundle_rec rec;
    uint8_t *payload = NULL, got[PT_SHA256_LEN];
    pt_json_value *root;
    const pt_json_value *members;
    const char *s;
    uint64_t version = 0, created = 0;
    size_t i;
    pt_status st;

    if (man_off + man_len != b->size - BUNDLE_FOOTER_SIZE || man_off < BUNDLE_REC_HEAD)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, b->size - BUNDLE_FOOTER_SIZE,
                            "footer points at a manifest outside the bundle");
    if ((st = bundle_read_rec(b, man_off, &rec, err)) != PT_OK)
        return st;
    if (rec.type != BUNDLE_REC_MANIFEST ||
        BUNDLE_REC_HEAD + (uint64_t)rec.clen + BUNDLE_REC_TAIL != man_len)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, man_off,
                            "footer does not point at the manifest record");
    if ((st = bundle_read_payload(b, man_off, &rec, "manifest", &payload, err)) != PT_OK)
        return st;
    pt_sha256_buffer(payload, rec.ulen, got);
    if (memcmp(got, want, PT_SHA256_LEN) != 0) {
        st = pt_error_set(err, PT_ERR_INTEGRITY, b->path, man_off,
                          "manifest SHA-256 does not match the footer (tampered)");
        goto out;
    }
    st = pt_json_parse(&b->arena, (const char *)payload, rec.ulen, JSON_DEPTH_MAX, b->path,
                       man_off, &root, err);
    if (st != PT_OK)
        goto out;
    members = pt_json_get(root, "members");
    s = pt_json_get_string(root, "format");
    if (s == NULL || strcmp(s, "pooltriage-bundle") != 0 ||
        !pt_json_get_uint(root, "format_version", &version) || members == NULL ||
        members->type != PT_JSON_ARRAY) {
        st = pt_error_set(err, PT_ERR_CORRUPT, b->path, man_off,
                          "manifest lacks format, format_version or members");
        goto out;
    }
    if (version != BUNDLE_FORMAT_VERSION) {
        st = pt_error_set(err, PT_ERR_UNSUPPORTED, b->path, man_off,
                          "manifest format version %llu (this build reads %u)",
                          (unsigned long long)version, BUNDLE_FORMAT_VERSION);
        goto out;
    }
    b->info.collector_version = pt_json_get_string(root, "collector_version");
    b->info.host = pt_json_get_string(root, "host");
    b->info.case_hint = pt_json_get_string(root, "case_hint");
    if (pt_json_get_uint(root, "created_filetime", &created))
        b->info.created = created;
    for (i = 0; i < members->count && st == PT_OK; i++)
        st = parse_manifest_member(b, members->items[i], i, man_off, err);
out:
    free(payload);
    return st;
}

/* ---- incomplete bundles: scanning the records ---- */

typedef struct scan_state {
    int in_member;
    bundle_member_rt cur;
    uint64_t next_off;        /* end of the last chunk seen */
    bundle_chunk *chunks;     /* chunks seen, to check against the index */
    size_t chunk_count, chunk_cap;
    int saw_manifest;
    uint64_t manifest_offset;
    /* ZERO records already inflated and found to be zeros, by the hash of
     * their deflate data and trailer: a writer repeats the same few. */
    struct zero_seen {
        uint32_t ulen;
        uint8_t sha[PT_SHA256_LEN];
    } zero_seen[32];
    size_t zero_seen_count;
} scan_state;

/* A ZERO record is served as zeros without reading it, so the scan checks
 * once per distinct form that its deflate data really is that many zeros
 * (and gzip -dc would give them). */
static pt_status scan_zero_record(pt_bundle *b, scan_state *s, uint64_t at,
                                  const bundle_rec *rec, pt_error *err)
{
    size_t n = (size_t)rec->clen + BUNDLE_REC_TAIL, i;
    uint8_t *comp = malloc(n), *plain = NULL, sha[PT_SHA256_LEN];
    pt_status st;

    if (comp == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, b->path, at, "out of memory");
    st = pt_source_read(b->src, at + BUNDLE_REC_HEAD, comp, n, err);
    if (st != PT_OK)
        goto out;
    pt_sha256_buffer(comp, n, sha);
    for (i = 0; i < s->zero_seen_count; i++)
        if (s->zero_seen[i].ulen == rec->ulen &&
            memcmp(s->zero_seen[i].sha, sha, PT_SHA256_LEN) == 0)
            goto out;
    plain = malloc(rec->ulen ? rec->ulen : 1);
    if (plain == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, b->path, at, "out of memory");
        goto out;
    }
    st = bundle_inflate(b->path, at, "zero chunk", comp, rec->clen, plain, rec->ulen, err);
    if (st != PT_OK)
        goto out;
    for (i = 0; i < rec->ulen; i++)
        if (plain[i] != 0)
            break;
    if (i < rec->ulen || pt_le32(comp + rec->clen) != (uint32_t)crc32(0L, plain, rec->ulen)) {
        st = pt_error_set(err, PT_ERR_INTEGRITY, b->path, at,
                          "member %s: a zero chunk does not hold zeros or fails its CRC-32",
                          s->cur.pub.name);
        goto out;
    }
    if (s->zero_seen_count < sizeof s->zero_seen / sizeof s->zero_seen[0]) {
        s->zero_seen[s->zero_seen_count].ulen = rec->ulen;
        memcpy(s->zero_seen[s->zero_seen_count++].sha, sha, PT_SHA256_LEN);
    }
out:
    free(plain);
    free(comp);
    return st;
}

static pt_status scan_member_start(pt_bundle *b, scan_state *s, uint64_t at,
                                   const bundle_rec *rec, pt_error *err)
{
    uint8_t *payload = NULL;
    pt_json_value *root;
    pt_status st;

    if (s->in_member || s->saw_manifest || rec->member != b->member_count)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, at,
                            "member start record out of order (member number %lu)",
                            (unsigned long)rec->member);
    if ((st = bundle_read_payload(b, at, rec, "member start", &payload, err)) != PT_OK)
        return st;
    memset(&s->cur, 0, sizeof s->cur);
    st = pt_json_parse(&b->arena, (const char *)payload, rec->ulen, JSON_DEPTH_MAX, b->path,
                       at, &root, err);
    if (st == PT_OK)
        st = parse_member_common(b, root, &s->cur, at, err);
    free(payload);
    s->cur.number = rec->member;
    s->in_member = 1;
    s->next_off = 0;
    s->chunk_count = 0;
    return st;
}

static pt_status scan_chunk(pt_bundle *b, scan_state *s, uint64_t at, const bundle_rec *rec,
                            pt_error *err)
{
    bundle_chunk *c;
    if (!s->in_member || rec->member != s->cur.number)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, at,
                            "chunk record outside its member");
    if (rec->ulen == 0 || rec->offset < s->next_off ||
        !pt_range_ok(rec->offset, rec->ulen, s->cur.pub.size))
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, at,
                            "member %s: chunk at %llu+%lu overlaps or passes the size %llu",
                            s->cur.pub.name, (unsigned long long)rec->offset,
                            (unsigned long)rec->ulen, (unsigned long long)s->cur.pub.size);
    {
        /* the gzip trailer's ISIZE is the one part of a chunk checkable
         * without inflating it; the rest is checked when it is read */
        uint8_t tail[BUNDLE_REC_TAIL];
        pt_status st = pt_source_read(b->src, at + BUNDLE_REC_HEAD + rec->clen, tail,
                                      sizeof tail, err);
        if (st != PT_OK)
            return st;
        if (pt_le32(tail + 4) != rec->ulen)
            return pt_error_set(err, PT_ERR_CORRUPT, b->path, at,
                                "member %s: chunk's gzip ISIZE does not match its length",
                                s->cur.pub.name);
    }
    if (rec->type == BUNDLE_REC_ZERO) {
        pt_status st = scan_zero_record(b, s, at, rec, err);
        if (st != PT_OK)
            return st;
    }
    if (s->chunk_count >= BUNDLE_INDEX_ENTRIES_MAX)
        return pt_error_set(err, PT_ERR_LIMIT, b->path, at, "member %s has too many chunks",
                            s->cur.pub.name);
    if (s->chunk_count == s->chunk_cap) {
        size_t ncap = s->chunk_cap ? s->chunk_cap * 2 : 64;
        bundle_chunk *nc = realloc(s->chunks, ncap * sizeof *nc);
        if (nc == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, b->path, at, "out of memory");
        s->chunks = nc;
        s->chunk_cap = ncap;
    }
    c = &s->chunks[s->chunk_count++];
    memset(c, 0, sizeof *c);
    c->file_offset = at;
    c->member_offset = rec->offset;
    c->length = rec->ulen;
    c->type = rec->type;
    s->next_off = rec->offset + rec->ulen;
    return PT_OK;
}

static pt_status scan_member_end(pt_bundle *b, scan_state *s, uint64_t at,
                                 const bundle_rec *rec, pt_error *err)
{
    uint8_t *payload = NULL;
    bundle_chunk *index = NULL;
    size_t count = 0, i;
    uint64_t size = 0;
    pt_status st;

    if (!s->in_member || rec->member != s->cur.number)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, at,
                            "member end record outside its member");
    if ((st = bundle_read_payload(b, at, rec, "member end", &payload, err)) != PT_OK)
        return st;
    st = bundle_parse_index(b, at, s->cur.pub.name, payload, rec->ulen, &size, s->cur.hash,
                            &index, &count, err);
    if (st == PT_OK && (size != s->cur.pub.size || count != s->chunk_count))
        st = pt_error_set(err, PT_ERR_CORRUPT, b->path, at,
                          "member %s: end record disagrees with the records before it",
                          s->cur.pub.name);
    for (i = 0; st == PT_OK && i < count; i++)
        if (index[i].file_offset != s->chunks[i].file_offset ||
            index[i].member_offset != s->chunks[i].member_offset ||
            index[i].length != s->chunks[i].length || index[i].type != s->chunks[i].type)
            st = pt_error_set(err, PT_ERR_CORRUPT, b->path, at,
                              "member %s: index entry %lu does not match its chunk record",
                              s->cur.pub.name, (unsigned long)i);
    if (st == PT_OK) {
        s->cur.end_offset = at;
        s->cur.pub.chunk_count = count;
        s->cur.pub.present_bytes = 0;
        for (i = 0; i < count; i++)
            s->cur.pub.present_bytes += index[i].length;
        s->cur.pub.has_holes = s->cur.pub.present_bytes < s->cur.pub.size;
        pt_sha256_hex(s->cur.hash, s->cur.pub.sha256);
        st = push_member(b, &s->cur, at, err);
        s->in_member = 0;
    }
    free(index);
    free(payload);
    return st;
}

/* Walks every record from the one after the header.  Returns PT_OK at a
 * clean end of the records (complete or not), an error on a record that is
 * cut (PT_ERR_TRUNCATED) or malformed. */
static pt_status scan_records(pt_bundle *b, uint64_t pos, uint64_t limit, scan_state *s,
                              uint64_t *stop, pt_error *err)
{
    pt_status st = PT_OK;
    while (pos < limit) {
        bundle_rec rec;
        *stop = pos;
        if ((st = bundle_read_rec(b, pos, &rec, err)) != PT_OK)
            return st;
        if (pos + BUNDLE_REC_HEAD + (uint64_t)rec.clen + BUNDLE_REC_TAIL > limit)
            return pt_error_set(err, PT_ERR_CORRUPT, b->path, pos,
                                "record runs into the footer");
        if (s->saw_manifest)
            return pt_error_set(err, PT_ERR_CORRUPT, b->path, pos,
                                "record of type %u after the manifest", (unsigned)rec.type);
        switch (rec.type) {
        case BUNDLE_REC_MEMBER_START:
            st = scan_member_start(b, s, pos, &rec, err);
            break;
        case BUNDLE_REC_DATA:
        case BUNDLE_REC_ZERO:
            st = scan_chunk(b, s, pos, &rec, err);
            break;
        case BUNDLE_REC_MEMBER_END:
            st = scan_member_end(b, s, pos, &rec, err);
            break;
        case BUNDLE_REC_MANIFEST:
            if (s->in_member)
                st = pt_error_set(err, PT_ERR_CORRUPT, b->path, pos,
                                  "manifest inside member %s", s->cur.pub.name);
            s->saw_manifest = 1;
            s->manifest_offset = pos;
            break;
        default:
            st = pt_error_set(err, PT_ERR_CORRUPT, b->path, pos,
                              "unexpected record of type %u (a footer not at the end, or a "
                              "second header)",
                              (unsigned)rec.type);
            break;
        }
        if (st != PT_OK)
            return st;
        pos += BUNDLE_REC_HEAD + (uint64_t)rec.clen + BUNDLE_REC_TAIL;
    }
    *stop = pos;
    return PT_OK;
}

/* A bundle without a footer: refused as cut short, or with
 * PT_BUNDLE_ALLOW_PARTIAL its complete members offered. */
static pt_status open_cut_short(pt_bundle *b, pt_status scan_st, const pt_error *scan_err,
                                uint64_t stop, int flags, pt_error *err)
{
    if (scan_st != PT_OK && scan_st != PT_ERR_TRUNCATED) {
        /* Damage, not a cut: refused even for --partial, since what
         * follows cannot be trusted to be what the collector wrote. */
        if (err != NULL)
            *err = *scan_err;
        return scan_st;
    }
    if (!(flags & PT_BUNDLE_ALLOW_PARTIAL))
        return pt_error_set(err, PT_ERR_TRUNCATED, b->path, stop,
                            "the bundle is cut short (no footer; it ends %s with %lu complete "
                            "member%s): a collector killed mid-way or an upload cut short; "
                            "`pooltriage import --partial` takes the complete members",
                            scan_st == PT_ERR_TRUNCATED ? "inside a record" : "between records",
                            (unsigned long)b->member_count, b->member_count == 1 ? "" : "s");
    b->partial = 1;
    return PT_OK;
}

static int attrs_equal(const pt_bundle_member *a, const pt_bundle_member *m)
{
    size_t i;
    if (a->attr_count != m->attr_count)
        return 0;
    for (i = 0; i < a->attr_count; i++)
        if (strcmp(a->attrs[i].key, m->attrs[i].key) != 0 ||
            strcmp(a->attrs[i].value, m->attrs[i].value) != 0)
            return 0;
    return 1;
}

/* A complete bundle: the manifest must describe exactly the members the
 * records hold, so every record of the file is checked against it. */
static pt_status open_complete(pt_bundle *b, const scan_state *s, uint64_t man_off,
                               uint64_t man_len, const uint8_t man_sha[PT_SHA256_LEN],
                               pt_error *err)
{
    bundle_member_rt *scanned = b->members;
    size_t count = b->member_count, i;
    pt_status st;

    if (!s->saw_manifest || s->manifest_offset != man_off || s->in_member)
        return pt_error_set(err, PT_ERR_CORRUPT, b->path, man_off,
                            "footer points at %llu but the records have no manifest there",
                            (unsigned long long)man_off);
    b->members = NULL;
    b->member_count = b->member_cap = 0;
    st = open_from_manifest(b, man_off, man_len, man_sha, err);
    if (st == PT_OK && b->member_count != count)
        st = pt_error_set(err, PT_ERR_INTEGRITY, b->path, man_off,
                          "manifest lists %lu members, the records hold %lu (tampered)",
                          (unsigned long)b->member_count, (unsigned long)count);
    for (i = 0; st == PT_OK && i < count; i++) {
        const bundle_member_rt *a = &scanned[i], *m = &b->members[i];
        if (strcmp(a->pub.name, m->pub.name) != 0 || strcmp(a->pub.kind, m->pub.kind) != 0 ||
            a->pub.size != m->pub.size || a->pub.present_bytes != m->pub.present_bytes ||
            a->pub.chunk_count != m->pub.chunk_count || a->end_offset != m->end_offset ||
            memcmp(a->hash, m->hash, PT_SHA256_LEN) != 0 || !attrs_equal(&a->pub, &m->pub))
            st = pt_error_set(err, PT_ERR_INTEGRITY, b->path, a->end_offset,
                              "member %s: its records and the manifest disagree (tampered)",
                              a->pub.name);
    }
    free(b->members);
    b->members = scanned;
    b->member_count = b->member_cap = count;
    return st;
}

/* ---- open / close / accessors ---- */

static pt_status compute_id(pt_bundle *b, pt_error *err)
{
    size_t cap = b->size < ID_BUFFER ? (size_t)b->size + 1 : ID_BUFFER;
    uint8_t *buf = malloc(cap), digest[PT_SHA256_LEN];
    pt_sha256 ctx;
    uint64_t off = 0;
    pt_status st = PT_OK;

    if (buf == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, b->path, PT_NO_OFFSET, "out of memory");
    pt_sha256_init(&ctx);
    while (off < b->size && st == PT_OK) {
        size_t n = b->size - off < ID_BUFFER ? (size_t)(b->size - off) : ID_BUFFER;
        st = pt_source_read(b->src, off, buf, n, err);
        pt_sha256_update(&ctx, buf, n);
        off += n;
    }
    free(buf);
    pt_sha256_final(&ctx, digest);
    pt_sha256_hex(digest, b->id);
    return st;
}

pt_status pt_bundle_open_source(pt_source *src, int flags, pt_bundle **out, pt_error *err)
{
    pt_bundle *b;
    uint64_t first = 0, man_off = 0, man_len = 0, stop = 0;
    uint8_t man_sha[PT_SHA256_LEN];
    scan_state scan;
    pt_error scan_err;
    pt_status st, scan_st;
    int footer;

    *out = NULL;
    b = calloc(1, sizeof *b);
    if (b == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET, "out of memory");
    pt_arena_init(&b->arena);
    b->src = src;
    b->size = src->size;
    b->path = pt_arena_strdup(&b->arena, src->name);
    if (b->path == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET, "out of memory");
        goto fail;
    }
    if ((st = check_header(b, &first, err)) != PT_OK)
        goto fail;
    if ((st = compute_id(b, err)) != PT_OK)
        goto fail;
    /* The records are always walked (headers, member starts and ends: a few
     * reads per MiB of member); with a footer they must match the manifest. */
    footer = read_footer(b, &man_off, &man_len, man_sha);
    memset(&scan, 0, sizeof scan);
    pt_error_clear(&scan_err);
    scan_st = scan_records(b, first, footer ? b->size - BUNDLE_FOOTER_SIZE : b->size, &scan,
                           &stop, &scan_err);
    free(scan.chunks);
    if (footer && scan_st != PT_OK) {
        if (err != NULL)
            *err = scan_err;
        st = scan_st == PT_ERR_TRUNCATED ? PT_ERR_CORRUPT : scan_st;
        if (err != NULL)
            err->code = st;
    } else if (footer) {
        st = open_complete(b, &scan, man_off, man_len, man_sha, err);
    } else {
        st = open_cut_short(b, scan_st, &scan_err, stop, flags, err);
    }
    if (st != PT_OK)
        goto fail;
    *out = b;
    return PT_OK;
fail:
    pt_bundle_close(b);
    return st;
}

pt_status pt_bundle_open(const char *path, int flags, pt_bundle **out, pt_error *err)
{
    pt_source *src = NULL;
    pt_status st;

    *out = NULL;
    if ((st = pt_source_open_file(path, &src, err)) != PT_OK)
        return st;
    st = pt_bundle_open_source(src, flags, out, err);
    if (st != PT_OK) {
        pt_source_close(src);
        return st;
    }
    (*out)->owns_src = 1;
    return PT_OK;
}

void pt_bundle_close(pt_bundle *b)
{
    if (b == NULL)
        return;
    if (b->owns_src)
        pt_source_close(b->src);
    free(b->members);
    pt_arena_free(&b->arena);
    free(b);
}

int pt_bundle_is_partial(const pt_bundle *b)
{
    return b->partial;
}

const char *pt_bundle_id(const pt_bundle *b)
{
    return b->id;
}

const char *pt_bundle_path(const pt_bundle *b)
{
    return b->path;
}

const pt_bundle_info *pt_bundle_get_info(const pt_bundle *b)
{
    return &b->info;
}

size_t pt_bundle_member_count(const pt_bundle *b)
{
    return b->member_count;
}

const pt_bundle_member *pt_bundle_member_at(const pt_bundle *b, size_t i)
{
    return i < b->member_count ? &b->members[i].pub : NULL;
}

const char *pt_bundle_member_attr(const pt_bundle_member *m, const char *key)
{
    size_t i;
    for (i = 0; i < m->attr_count; i++)
        if (strcmp(m->attrs[i].key, key) == 0)
            return m->attrs[i].value;
    return NULL;
}
