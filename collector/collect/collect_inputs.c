/* collect_inputs.c - the evidence-file and crash-dump input types: each
 * file is recognized by content before the bundle is created, and text
 * evidence is read once so the bundle records which time each sample has
 * and where that time came from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_collect.h"
#include "pt_platform.h"
#include "pt_readers.h"
#include "pt_sha256.h"
#ifdef PT_HAVE_dump
#include "dump_reduce.h"
#endif

/* Text evidence is read whole at collect time; anything bigger than this
 * is not text output of a debugger or poolmon. */
#define TEXT_READ_LIMIT (512ull * 1024 * 1024)

typedef struct evidence_state {
    pt_filetime mtime;
    unsigned long samples;
    pt_filetime first_time;
    char time_origin[16];
    char variant[64];
    char first_host[128];
    char file_sha256[PT_SHA256_HEX_LEN + 1]; /* text evidence: as sha256sum prints */
} evidence_state;

static pt_status capture_sample(void *ctx, const pt_sample_info *info)
{
    evidence_state *es = ctx;
    if (es->samples++ == 0) {
        es->first_time = info->time;
        snprintf(es->time_origin, sizeof es->time_origin, "%s",
                 info->time_origin ? info->time_origin : "");
        snprintf(es->variant, sizeof es->variant, "%s", info->variant ? info->variant : "");
        snprintf(es->first_host, sizeof es->first_host, "%s", info->host ? info->host : "");
    }
    return PT_OK;
}

/* SHA-256 of a whole (text) file, so a report can show the hash an
 * engineer gets from sha256sum; the member hash covers the bundle's chunks. */
static pt_status hash_source(pt_source *src, char hex[PT_SHA256_HEX_LEN + 1], pt_error *err)
{
    uint8_t buf[65536], digest[PT_SHA256_LEN];
    pt_sha256 ctx;
    uint64_t off = 0;
    pt_status st = PT_OK;

    pt_sha256_init(&ctx);
    while (off < src->size && st == PT_OK) {
        size_t n = src->size - off < sizeof buf ? (size_t)(src->size - off) : sizeof buf;
        st = pt_source_read(src, off, buf, n, err);
        pt_sha256_update(&ctx, buf, n);
        off += n;
    }
    pt_sha256_final(&ctx, digest);
    pt_sha256_hex(digest, hex);
    return st;
}

static int is_text_kind(pt_source_kind kind)
{
    return kind == PT_KIND_POOLMON || kind == PT_KIND_POOLUSED || kind == PT_KIND_VM ||
           kind == PT_KIND_POOLTAG;
}

static pt_status stat_regular(const char *path, pt_filetime *mtime, pt_error *err)
{
    pt_file_info info;
    if (pt_platform_stat(path, &info, err) != PT_OK)
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET, "cannot open: no such file");
    if (!info.is_regular)
        return pt_error_set(err, PT_ERR_USAGE, path, PT_NO_OFFSET,
                            "not a regular file (a directory of drivers goes with --drivers)");
    /* whole seconds: the default time of the file's samples */
    *mtime = info.modified - info.modified % 10000000u;
    return PT_OK;
}

/* Opens and recognizes path; for text kinds reads it through the reader to
 * learn its samples' times. */
static pt_status recognize(pt_collect_input *in, evidence_state *es, pt_error *err)
{
    pt_source *src = NULL;
    pt_status st;

    if ((st = stat_regular(in->path, &es->mtime, err)) != PT_OK)
        return st;
    if ((st = pt_source_open_file(in->path, &src, err)) != PT_OK)
        return st;
    st = pt_readers_detect(src, &in->reader, err);
    if (st == PT_OK && is_text_kind(in->reader->kind)) {
        pt_read_options opt;
        pt_sink sink;
        memset(&opt, 0, sizeof opt);
        memset(&sink, 0, sizeof sink);
        opt.display_name = in->path;
        opt.sample_time = in->time;
        opt.file_mtime = es->mtime;
        opt.partial_ok = 1;
        sink.ctx = es;
        sink.begin_sample = capture_sample;
        if (src->size > TEXT_READ_LIMIT)
            st = pt_error_set(err, PT_ERR_LIMIT, in->path, PT_NO_OFFSET,
                              "%s output of %llu bytes is over the %llu-byte limit for text",
                              in->reader->name, (unsigned long long)src->size,
                              TEXT_READ_LIMIT);
        else
            st = in->reader->read(src, &opt, &sink, err);
        if (st == PT_OK)
            st = hash_source(src, es->file_sha256, err);
    }
    pt_source_close(src);
    return st;
}

static pt_status evidence_check(const pt_collect_plan *plan, pt_collect_input *in,
                                pt_error *err)
{
    evidence_state *es = calloc(1, sizeof *es);
    if (es == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, in->path, PT_NO_OFFSET, "out of memory");
    in->state = es;
    return recognize(in, es, err);
}

static void evidence_release(pt_collect_input *in)
{
    free(in->state);
    in->state = NULL;
}

static pt_status evidence_add(pt_collect_ctx *ctx, pt_collect_input *in, pt_error *err)
{
    evidence_state *es = in->state;
    pt_bundle_attr attrs[10];
    char sample_time[32], samples[24];
    size_t n = 0;
    const char *name = pt_collect_member_name(ctx, "evidence", in->path, err);

    if (name == NULL)
        return err != NULL ? err->code : PT_ERR_NOMEM;
    if (es->samples > 0) {
        snprintf(samples, sizeof samples, "%lu", es->samples);
        attrs[n].key = "samples";
        attrs[n++].value = samples;
        if (es->first_time != 0) {
            attrs[n].key = "sample_time";
            attrs[n++].value = pt_filetime_format(es->first_time, sample_time);
        }
        if (es->time_origin[0] != '\0') {
            attrs[n].key = "time_origin";
            attrs[n++].value = es->time_origin;
        }
        if (es->variant[0] != '\0') {
            attrs[n].key = "variant";
            attrs[n++].value = es->variant;
        }
        if (es->first_host[0] != '\0') {
            attrs[n].key = "source_host";
            attrs[n++].value = es->first_host;
        }
    }
    if (es->file_sha256[0] != '\0') {
        attrs[n].key = "file_sha256";
        attrs[n++].value = es->file_sha256;
    }
    if (in->time_text != NULL) {
        attrs[n].key = "time_given";
        attrs[n++].value = in->time_text;
    }
    return pt_collect_add_file(ctx, name, in->reader->name, in->path, attrs, n, err);
}

const pt_collect_input_type pt_collect_type_evidence = {
    "evidence", evidence_check, evidence_add, evidence_release,
};

/* ---- --dump FILE ---- */

static pt_status dump_check(const pt_collect_plan *plan, pt_collect_input *in, pt_error *err)
{
    pt_status st = evidence_check(plan, in, err);
    if (st != PT_OK)
        return st;
    if (in->reader->kind != PT_KIND_DUMP)
        return pt_error_set(err, PT_ERR_FORMAT, in->path, PT_NO_OFFSET,
                            "given with --dump but it is %s output, not a crash dump",
                            in->reader->name);
#ifndef PT_HAVE_dump
    if (plan->dump_reduce)
        return pt_error_set(err, PT_ERR_UNSUPPORTED, in->path, PT_NO_OFFSET,
                            "--dump-reduce is not in this build; collect the whole dump "
                            "(without --dump-reduce)");
#endif
    return PT_OK;
}

#ifdef PT_HAVE_dump
/* --dump-reduce: only the blocks the dump reader reads go in the bundle, the
 * rest of the dump is a hole of the member (dump_reduce.h). */
static pt_status dump_add_reduced(pt_collect_ctx *ctx, pt_collect_input *in, const char *name,
                                  pt_error *err)
{
    const evidence_state *es = in->state;
    pt_bundle_attr attrs[3];
    char mtime[32];
    size_t n = 0;
    pt_source *src = NULL;
    pt_status st;

    attrs[n].key = "original_path";
    attrs[n++].value = in->path;
    if (es != NULL && es->mtime != 0) {
        attrs[n].key = "mtime";
        attrs[n++].value = pt_filetime_format(es->mtime, mtime);
    }
    attrs[n].key = "dump_reduced";
    attrs[n++].value = "yes";
    if ((st = pt_source_open_file(in->path, &src, err)) != PT_OK)
        return st;
    /* On failure the writer may be mid-member: pt_collect_run aborts it. */
    st = dump_reduce_to_bundle(pt_collect_writer(ctx), name, src, attrs, n, NULL, err);
    pt_source_close(src);
    return st;
}
#endif

static pt_status dump_add(pt_collect_ctx *ctx, pt_collect_input *in, pt_error *err)
{
    const char *name = pt_collect_member_name(ctx, "dump", in->path, err);
    if (name == NULL)
        return err != NULL ? err->code : PT_ERR_NOMEM;
#ifdef PT_HAVE_dump
    if (pt_collect_get_plan(ctx)->dump_reduce)
        return dump_add_reduced(ctx, in, name, err);
#endif
    /* Large: written with deflate level 1 and zero runs stored as such, so
     * it reads back at random offsets without inflating the whole. */
    return pt_collect_add_file(ctx, name, in->reader->name, in->path, NULL, 0, err);
}

const pt_collect_input_type pt_collect_type_dump = {
    "dump", dump_check, dump_add, evidence_release,
};
