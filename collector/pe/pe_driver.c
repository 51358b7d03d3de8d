/* pe_driver.c - one driver file's record: reads the file, runs the parts
 * (headers, imports, version, debug, signer, call sites, literals). */
#include "pe_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pe_internal.h"
#include "pt_byteorder.h"
#include "pt_platform.h"
#include "pt_sha256.h"

const char *pt_driver_evidence_name(pt_driver_evidence ev)
{
    switch (ev) {
    case PT_DRIVER_EV_CALLSITE:
        return "callsite";
    case PT_DRIVER_EV_TAGFILE:
        return "tagfile";
    case PT_DRIVER_EV_LITERAL:
        return "literal";
    }
    return "unknown";
}

int pt_driver_evidence_parse(const char *name, pt_driver_evidence *ev)
{
    if (strcmp(name, "callsite") == 0)
        *ev = PT_DRIVER_EV_CALLSITE;
    else if (strcmp(name, "tagfile") == 0)
        *ev = PT_DRIVER_EV_TAGFILE;
    else if (strcmp(name, "literal") == 0)
        *ev = PT_DRIVER_EV_LITERAL;
    else
        return -1;
    return 0;
}

const char *pt_pe_machine_name(uint16_t machine, char buf[8])
{
    switch (machine) {
    case PE_MACHINE_I386:
        return "x86";
    case PE_MACHINE_AMD64:
        return "x64";
    case PE_MACHINE_ARM64:
        return "ARM64";
    case PE_MACHINE_ARMNT:
        return "ARM";
    }
    snprintf(buf, 8, "0x%04X", machine);
    return buf;
}

char *pt_pe_version_format(const uint16_t v[4], char buf[24])
{
    snprintf(buf, 24, "%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
    return buf;
}

const pt_driver_strings *pt_driver_main_strings(const struct pt_driver_record *rec)
{
    return rec->strings_count > 0 ? &rec->strings[0] : NULL;
}

int pt_driver_is_microsoft(const struct pt_driver_record *rec)
{
    const pt_driver_strings *s = pt_driver_main_strings(rec);
    if (s != NULL && s->company_name != NULL)
        return strncasecmp(s->company_name, "Microsoft", 9) == 0;
    /* WHQL-signed third-party drivers carry Microsoft's signer, so only an
     * issuer-and-subject both Microsoft's without a CompanyName counts. */
    return rec->signer_subject != NULL && strstr(rec->signer_subject, "O=Microsoft") != NULL &&
           strstr(rec->signer_subject, "Hardware Compatibility") == NULL;
}

/* A tag's text order: its bytes in memory order, first byte most significant. */
static uint32_t tag_key(pt_tag t)
{
    return ((t & 0xFFu) << 24) | (((t >> 8) & 0xFFu) << 16) | (((t >> 16) & 0xFFu) << 8) |
           (t >> 24);
}

static int tag_order(const void *a, const void *b)
{
    const pt_driver_tag *x = a, *y = b;
    if (x->evidence != y->evidence)
        return x->evidence < y->evidence ? -1 : 1;
    if (x->tag != y->tag)
        return tag_key(x->tag) < tag_key(y->tag) ? -1 : 1;
    if (x->call_rva != y->call_rva)
        return x->call_rva < y->call_rva ? -1 : 1;
    return 0;
}

void pt_driver_sort_tags(struct pt_driver_record *rec)
{
    if (rec->tag_count > 1)
        qsort(rec->tags, rec->tag_count, sizeof *rec->tags, tag_order);
}

/* Tags per file: a real driver has tens; bound hostile input. */
#define PE_MAX_TAGS 65536

pt_status pe_add_tag(pe_ctx *ctx, const pt_driver_tag *tag, pt_error *err)
{
    struct pt_driver_record *rec = ctx->rec;
    if (rec->tag_count >= PE_MAX_TAGS)
        return PT_OK;
    if (rec->tag_count == ctx->tag_cap) {
        size_t cap = ctx->tag_cap ? ctx->tag_cap * 2 : 16;
        rec->tags = pt_arena_grow(ctx->arena, rec->tags, rec->tag_count, cap, sizeof *rec->tags);
        if (rec->tags == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, ctx->img.file, PT_NO_OFFSET, "out of memory");
        ctx->tag_cap = cap;
    }
    rec->tags[rec->tag_count++] = *tag;
    return PT_OK;
}

char *pe_utf16_to_utf8(pt_arena *arena, const uint8_t *p, size_t units)
{
    char *out = pt_arena_alloc(arena, units * 3 + 1);
    size_t i, o = 0;

    if (out == NULL)
        return NULL;
    for (i = 0; i < units; i++) {
        uint32_t c = pt_le16(p + 2 * i);
        if (c == 0)
            break;
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < units) {
            uint32_t lo = pt_le16(p + 2 * i + 2);
            if (lo >= 0xDC00 && lo < 0xE000) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            } else {
                c = 0xFFFD;
            }
        } else if (c >= 0xD800 && c < 0xE000) {
            c = 0xFFFD;
        }
        if (c < 0x80) {
            out[o++] = (char)c;
        } else if (c < 0x800) {
            out[o++] = (char)(0xC0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out[o++] = (char)(0xE0 | (c >> 12));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else {
            /* 4 bytes for 2 units: fits the 3-per-unit room. */
            out[o++] = (char)(0xF0 | (c >> 18));
            out[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = '\0';
    return out;
}

/* ---- literal evidence ---------------------------------------------------- */

static int tag_listed(const pt_tag *tags, size_t n, pt_tag t)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (tags[i] == t)
            return 1;
    return 0;
}

/* The tags to look for as bytes: the options' and the file's call-site tags. */
static pt_status literal_wanted(pe_ctx *ctx, pt_tag **out, size_t *count, pt_error *err)
{
    const struct pt_driver_record *rec = ctx->rec;
    size_t cap = ctx->opt->literal_tag_count + rec->tag_count, i, n = 0;
    pt_tag *tags = malloc((cap ? cap : 1) * sizeof *tags);

    if (tags == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, ctx->img.file, PT_NO_OFFSET, "out of memory");
    for (i = 0; i < ctx->opt->literal_tag_count; i++)
        if (!tag_listed(tags, n, ctx->opt->literal_tags[i]))
            tags[n++] = ctx->opt->literal_tags[i];
    for (i = 0; i < rec->tag_count; i++)
        if (rec->tags[i].evidence == PT_DRIVER_EV_CALLSITE && !tag_listed(tags, n, rec->tags[i].tag))
            tags[n++] = rec->tags[i].tag;
    *out = tags;
    *count = n;
    return PT_OK;
}

/* The first occurrence of the 4 bytes of needle in [p, end), or NULL
 * (memmem is not in C11 nor in mingw's C library). */
static const uint8_t *find4(const uint8_t *p, const uint8_t *end, const uint8_t needle[4])
{
    while (end - p >= 4) {
        const uint8_t *hit = memchr(p, needle[0], (size_t)(end - p - 3));
        if (hit == NULL)
            return NULL;
        if (memcmp(hit, needle, 4) == 0)
            return hit;
        p = hit + 1;
    }
    return NULL;
}

static pt_status find_literals(pe_ctx *ctx, const uint8_t *data, size_t size, pt_error *err)
{
    pt_tag *tags = NULL;
    size_t n = 0, i;
    pt_status st = literal_wanted(ctx, &tags, &n, err);

    if (st != PT_OK)
        return st;
    for (i = 0; i < n && st == PT_OK; i++) {
        uint8_t needle[4];
        const uint8_t *p = data, *end = data + size, *hit;
        pt_driver_tag t;

        pt_put_le32(needle, tags[i]);
        memset(&t, 0, sizeof t);
        t.tag = tags[i];
        t.evidence = PT_DRIVER_EV_LITERAL;
        while (p < end && (hit = find4(p, end, needle)) != NULL) {
            if (t.count == 0)
                t.file_offset = (uint64_t)(hit - data);
            t.count++;
            p = hit + 1;
        }
        if (t.count > 0)
            st = pe_add_tag(ctx, &t, err);
    }
    free(tags);
    return st;
}

/* ---- the record ---------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/'), *b = strrchr(path, '\\');
    if (b != NULL && (s == NULL || b > s))
        s = b;
    return s != NULL ? s + 1 : path;
}

/* A part that fails (a bad version resource, a signature we cannot read)
 * leaves the record usable: the first such message is kept as the
 * record's error, but the status stays OK unless memory ran out. */
static pt_status soft(pe_ctx *ctx, pt_status st, const pt_error *part_err, pt_error *err)
{
    if (st == PT_OK)
        return PT_OK;
    if (st == PT_ERR_NOMEM) {
        if (err != NULL)
            *err = *part_err;
        return st;
    }
    if (ctx->rec->error == NULL) {
        ctx->rec->error = pt_arena_strdup(ctx->arena, part_err->message);
        ctx->rec->error_code = st;
    }
    return PT_OK;
}

static pt_status analyze_image(pe_ctx *ctx, const uint8_t *data, size_t size, pt_error *err)
{
    struct pt_driver_record *rec = ctx->rec;
    pe_image *img = &ctx->img;
    pt_error part;
    pt_status st;

    st = pe_image_parse(img, data, size, rec->path, err);
    if (st != PT_OK)
        return st;
    rec->machine = img->machine;
    rec->pe32plus = img->pe32plus;
    rec->timestamp = img->timestamp;
    rec->checksum = img->checksum;
    rec->checksum_computed = pe_checksum_compute(data, size, img->checksum_offset);
    rec->checksum_ok = rec->checksum == rec->checksum_computed;
    rec->size_of_image = img->size_of_image;
    rec->subsystem = img->subsystem;
    rec->characteristics = img->characteristics;
    rec->dll_characteristics = img->dll_characteristics;
    rec->image_base = img->image_base;
    rec->entry_point = img->entry_point;
    rec->section_count = img->section_count;

    pt_error_clear(&part);
    st = soft(ctx, pe_read_imports(ctx, &part), &part, err);
    if (st == PT_OK)
        st = soft(ctx, pe_read_version(ctx, &part), &part, err);
    if (st == PT_OK)
        st = soft(ctx, pe_read_debug(ctx, &part), &part, err);
    if (st == PT_OK)
        st = soft(ctx, pe_read_signer(ctx, &part), &part, err);
    if (st == PT_OK && !ctx->opt->no_callsites)
        st = soft(ctx, pe_find_callsites(ctx, &part), &part, err);
    if (st == PT_OK)
        st = find_literals(ctx, data, size, err);
    pt_driver_sort_tags(rec);
    return st;
}

pt_status pt_pe_analyze(pt_source *src, const char *path, const pt_pe_options *opt,
                        pt_arena *arena, struct pt_driver_record **out, pt_error *err)
{
    static const pt_pe_options defaults;
    struct pt_driver_record *rec;
    uint8_t *data = NULL;
    pe_ctx ctx;
    pt_status st;

    *out = NULL;
    rec = pt_arena_alloc(arena, sizeof *rec);
    if (rec == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
    rec->path = pt_arena_strdup(arena, path != NULL ? path : src->name);
    if (rec->path == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
    rec->name = base_name(rec->path);
    rec->size = src->size;
    rec->signature = "none";
    *out = rec;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = arena;
    ctx.rec = rec;
    ctx.opt = opt != NULL ? opt : &defaults;

    if (src->size > PT_PE_MAX_FILE) {
        st = pt_error_set(err, PT_ERR_LIMIT, rec->path, PT_NO_OFFSET,
                          "file of %llu bytes is over the %u-byte limit for driver files",
                          (unsigned long long)src->size, PT_PE_MAX_FILE);
        goto out;
    }
    data = malloc(src->size > 0 ? (size_t)src->size : 1);
    if (data == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, rec->path, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    st = pt_source_read(src, 0, data, (size_t)src->size, err);
    if (st != PT_OK)
        goto out;
    if (!ctx.opt->no_hash) {
        uint8_t digest[PT_SHA256_LEN];
        pt_sha256_buffer(data, (size_t)src->size, digest);
        pt_sha256_hex(digest, rec->sha256);
    }
    st = analyze_image(&ctx, data, (size_t)src->size, err);
out:
    if (st != PT_OK && st != PT_ERR_NOMEM && rec->error == NULL) {
        /* The file is listed with its reason; the caller goes on. */
        rec->error_code = st;
        rec->error = pt_arena_strdup(arena, err != NULL ? err->message : pt_status_message(st));
    }
    free(ctx.slots);
    free(data);
    return st;
}

pt_status pt_pe_analyze_file(const char *path, const pt_pe_options *opt, pt_arena *arena,
                             struct pt_driver_record **out, pt_error *err)
{
    pt_source *src = NULL;
    pt_file_info info;
    pt_error stat_err;
    pt_status st = pt_source_open_file(path, &src, err);

    if (st != PT_OK) {
        struct pt_driver_record *rec = pt_arena_alloc(arena, sizeof *rec);
        *out = rec;
        if (rec != NULL) {
            rec->path = pt_arena_strdup(arena, path);
            rec->name = rec->path != NULL ? base_name(rec->path) : NULL;
            rec->signature = "none";
            rec->error_code = st;
            rec->error = pt_arena_strdup(arena, err != NULL ? err->message : "cannot open");
        }
        return st;
    }
    st = pt_pe_analyze(src, path, opt, arena, out, err);
    /* whole seconds, the same on every system */
    if (*out != NULL && pt_platform_stat(path, &info, &stat_err) == PT_OK && info.modified != 0)
        (*out)->mtime = info.modified - info.modified % 10000000u;
    pt_source_close(src);
    return st;
}
