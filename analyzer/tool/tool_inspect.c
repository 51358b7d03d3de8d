/* tool_inspect.c - `pooltriage inspect [--xml] FILE...`: what each file is
 * and what is in it.
 *
 * A file is recognized by content (pt_readers_detect) and read through a
 * counting sink: kind, format variants, samples with their times, tag
 * rows by pool type, counters, tag descriptions, modules, allocations,
 * stacks, drivers and the reader's warnings, plus whatever facts the
 * reader's optional describe() gives.  A bundle is shown as its manifest
 * (collector, host, time, members with kind, size and hash) and then each
 * member is inspected the same way, read from inside the bundle.
 *
 * --xml writes the same as XML (schema/inspect.xsd) with libxml2's
 * xmlTextWriter, so every string from a file is escaped by the library.
 * A file that cannot be opened or is of no known kind is reported (to
 * stderr in text mode, as an <error> element in XML) and makes the exit
 * status non-zero; the other files are still inspected.
 */
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle.h"
#include "pt_readers.h"
#include "tool.h"

/* How many sample times and warnings are listed one by one; the counts
 * are always complete. */
#define INSPECT_LIST_MAX 50
#define INSPECT_VARIANTS_MAX 8
#define INSPECT_FACTS_MAX 64

/* Bundle recognition (schema/bundle-format.md): every record is a gzip
 * member with an FEXTRA subfield 'P','T'. */
#define BUNDLE_MAGIC_BYTES 16u
#define BUNDLE_OFF_FLG 3u
#define BUNDLE_OFF_SI1 12u
#define BUNDLE_OFF_SI2 13u

typedef struct inspect_sample {
    pt_filetime time;
    char origin[16];
    char variant[48];
} inspect_sample;

typedef struct inspect_warning {
    uint64_t offset;
    char message[256];
} inspect_warning;

typedef struct inspect_fact {
    char name[64];
    char value[256];
} inspect_fact;

/* What the counting sink saw in one input. */
typedef struct inspect_counts {
    const pt_reader *reader;
    uint64_t samples;
    inspect_sample sample[INSPECT_LIST_MAX];
    char variant[INSPECT_VARIANTS_MAX][48];
    size_t variants;
    uint64_t rows[4];
    uint64_t rows_other;
    uint64_t counters, tag_descs, modules, allocations, stacks, drivers;
    uint64_t warnings;
    inspect_warning warning[INSPECT_LIST_MAX];
    inspect_fact fact[INSPECT_FACTS_MAX];
    size_t facts;
    pt_status status;
    char error[1024];
} inspect_counts;

/* ---- the counting sink ---- */

/* Copies src into dst[cap], cut to fit (messages are for people). */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strlen(src) : 0;
    if (cap == 0)
        return;
    if (n >= cap)
        n = cap - 1;
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static void note_variant(inspect_counts *c, const char *v)
{
    size_t i;
    if (v == NULL)
        return;
    for (i = 0; i < c->variants; i++)
        if (strcmp(c->variant[i], v) == 0)
            return;
    if (c->variants < INSPECT_VARIANTS_MAX)
        copy_text(c->variant[c->variants++], sizeof c->variant[0], v);
}

static pt_status count_begin(void *ctx, const pt_sample_info *info)
{
    inspect_counts *c = ctx;
    if (c->samples < INSPECT_LIST_MAX) {
        inspect_sample *s = &c->sample[c->samples];
        s->time = info->time;
        copy_text(s->origin, sizeof s->origin, info->time_origin ? info->time_origin : "");
        copy_text(s->variant, sizeof s->variant, info->variant ? info->variant : "");
    }
    note_variant(c, info->variant);
    c->samples++;
    return PT_OK;
}

static pt_status count_row(void *ctx, const pt_tag_row *row)
{
    inspect_counts *c = ctx;
    if ((unsigned)row->pool < 4)
        c->rows[row->pool]++;
    else
        c->rows_other++;
    return PT_OK;
}

/* A sink callback that only counts its records, in the field named: one
 * per record type, as the sink's callbacks are typed. */
#define INSPECT_COUNT_FN(fn, record_type, field)                                        \
    static pt_status fn(void *ctx, const record_type *x)                                \
    {                                                                                   \
        (void)x;                                                                        \
        ((inspect_counts *)ctx)->field++;                                               \
        return PT_OK;                                                                   \
    }

INSPECT_COUNT_FN(count_counter, pt_counter, counters)
INSPECT_COUNT_FN(count_module, pt_module, modules)
INSPECT_COUNT_FN(count_allocation, pt_allocation, allocations)
INSPECT_COUNT_FN(count_stack, pt_stack, stacks)
INSPECT_COUNT_FN(count_desc, pt_tag_desc, tag_descs)
INSPECT_COUNT_FN(count_driver, struct pt_driver_record, drivers)

static pt_status count_warning(void *ctx, const char *source, uint64_t offset,
                               const char *message)
{
    inspect_counts *c = ctx;
    (void)source;
    if (c->warnings < INSPECT_LIST_MAX) {
        c->warning[c->warnings].offset = offset;
        copy_text(c->warning[c->warnings].message, sizeof c->warning[0].message, message);
    }
    c->warnings++;
    return PT_OK;
}

static pt_status count_fact(void *ctx, const char *name, const char *value)
{
    inspect_counts *c = ctx;
    if (c->facts < INSPECT_FACTS_MAX) {
        copy_text(c->fact[c->facts].name, sizeof c->fact[0].name, name ? name : "");
        copy_text(c->fact[c->facts].value, sizeof c->fact[0].value, value ? value : "");
        c->facts++;
    }
    return PT_OK;
}

/* Detects the reader of src and runs it (and describe) into c.  The
 * source is read twice when the reader describes; both reads stream. */
static void inspect_source(pt_source *src, const pt_read_options *opt, inspect_counts *c)
{
    pt_sink sink;
    pt_error err;

    memset(c, 0, sizeof *c);
    pt_error_clear(&err);
    c->status = pt_readers_detect(src, &c->reader, &err);
    if (c->status != PT_OK) {
        copy_text(c->error, sizeof c->error, err.message);
        return;
    }
    memset(&sink, 0, sizeof sink);
    sink.ctx = c;
    sink.begin_sample = count_begin;
    sink.tag_row = count_row;
    sink.counter = count_counter;
    sink.module = count_module;
    sink.allocation = count_allocation;
    sink.stack = count_stack;
    sink.tag_desc = count_desc;
    sink.warning = count_warning;
    sink.driver = count_driver;
    c->status = c->reader->read(src, opt, &sink, &err);
    if (c->status != PT_OK) {
        copy_text(c->error, sizeof c->error, err.message);
        return;
    }
    if (c->reader->describe != NULL) {
        pt_error_clear(&err);
        if (c->reader->describe(src, opt, count_fact, c, &err) != PT_OK)
            count_warning(c, src->name, PT_NO_OFFSET, err.message);
    }
}

/* ---- text output ---- */

static void text_counts(FILE *out, const inspect_counts *c, const char *indent)
{
    static const char *const pool_labels[] = {"nonpaged", "paged", "session-nonpaged",
                                              "session-paged"};
    char when[32];
    uint64_t i;
    size_t k;

    if (c->reader == NULL)
        return;
    fprintf(out, "%skind: %s (reader %s)\n", indent, pt_source_kind_name(c->reader->kind),
            c->reader->name);
    if (c->variants > 0) {
        fprintf(out, "%svariant:", indent);
        for (k = 0; k < c->variants; k++)
            fprintf(out, "%s %s", k ? "," : "", c->variant[k]);
        fprintf(out, "\n");
    }
    if (c->status != PT_OK) {
        fprintf(out, "%serror: %s\n", indent, c->error);
    }
    fprintf(out, "%ssamples: %llu\n", indent, (unsigned long long)c->samples);
    for (i = 0; i < c->samples && i < INSPECT_LIST_MAX; i++) {
        const inspect_sample *s = &c->sample[i];
        fprintf(out, "%s  %llu: %s", indent, (unsigned long long)(i + 1),
                pt_filetime_format(s->time, when));
        if (s->origin[0] != '\0')
            fprintf(out, " (from %s)", s->origin);
        fprintf(out, "\n");
    }
    if (c->samples > INSPECT_LIST_MAX)
        fprintf(out, "%s  ... %llu more\n", indent,
                (unsigned long long)(c->samples - INSPECT_LIST_MAX));
    fprintf(out, "%stag rows:", indent);
    for (k = 0; k < 4; k++)
        fprintf(out, "%s %s %llu", k ? "," : "", pool_labels[k], (unsigned long long)c->rows[k]);
    fprintf(out, "\n");
    fprintf(out, "%scounters: %llu\n", indent, (unsigned long long)c->counters);
    fprintf(out, "%stag descriptions: %llu\n", indent, (unsigned long long)c->tag_descs);
    if (c->modules + c->allocations + c->stacks + c->drivers > 0)
        fprintf(out, "%smodules: %llu, allocations: %llu, stacks: %llu, drivers: %llu\n",
                indent, (unsigned long long)c->modules, (unsigned long long)c->allocations,
                (unsigned long long)c->stacks, (unsigned long long)c->drivers);
    fprintf(out, "%swarnings: %llu\n", indent, (unsigned long long)c->warnings);
    for (i = 0; i < c->warnings && i < INSPECT_LIST_MAX; i++)
        fprintf(out, "%s  %s\n", indent, c->warning[i].message);
    for (k = 0; k < c->facts; k++)
        fprintf(out, "%s%s: %s\n", indent, c->fact[k].name, c->fact[k].value);
}

/* ---- XML output ---- */

typedef struct xml_out {
    xmlTextWriterPtr w;
    int failed;
} xml_out;

static void x_start(xml_out *x, const char *name)
{
    if (xmlTextWriterStartElement(x->w, BAD_CAST name) < 0)
        x->failed = 1;
}

static void x_end(xml_out *x)
{
    if (xmlTextWriterEndElement(x->w) < 0)
        x->failed = 1;
}

/* Text from evidence files may hold bytes that are not UTF-8 or control
 * characters XML cannot carry: those become '?'. */
static const char *x_clean(const char *in, char *buf, size_t cap)
{
    const unsigned char *p = (const unsigned char *)(in ? in : "");
    size_t n = 0;

    while (*p != '\0' && n + 5 < cap) {
        unsigned char c = *p;
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        size_t k;
        int ok = len > 0;
        for (k = 1; ok && k < len; k++)
            ok = (p[k] & 0xC0) == 0x80;
        if (ok && ((len == 2 && c < 0xC2) || (len == 3 && c == 0xE0 && p[1] < 0xA0) ||
                   (len == 4 && c == 0xF0 && p[1] < 0x90)))
            ok = 0; /* overlong */
        if (ok && ((len == 3 && c == 0xED && p[1] >= 0xA0) || (len == 4 && c > 0xF4) ||
                   (len == 4 && c == 0xF4 && p[1] > 0x8F) ||
                   (len == 3 && c == 0xEF && p[1] == 0xBF && p[2] >= 0xBE)))
            ok = 0; /* surrogates, past U+10FFFF, U+FFFE/U+FFFF */
        if (ok && len == 1 && c < 0x20 && c != '\t' && c != '\n')
            ok = 0;
        if (!ok) {
            buf[n++] = '?';
            p++;
            continue;
        }
        memcpy(buf + n, p, len);
        n += len;
        p += len;
    }
    buf[n] = '\0';
    return buf;
}

static void x_attr(xml_out *x, const char *name, const char *value)
{
    char buf[2048];
    if (xmlTextWriterWriteAttribute(x->w, BAD_CAST name,
                                    BAD_CAST x_clean(value, buf, sizeof buf)) < 0)
        x->failed = 1;
}

static void x_attr_u64(xml_out *x, const char *name, uint64_t value)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)value);
    x_attr(x, name, buf);
}

static void x_text(xml_out *x, const char *text)
{
    char buf[2048];
    if (xmlTextWriterWriteString(x->w, BAD_CAST x_clean(text, buf, sizeof buf)) < 0)
        x->failed = 1;
}

static void x_error(xml_out *x, pt_status code, const char *message)
{
    x_start(x, "error");
    x_attr_u64(x, "code", (uint64_t)code);
    x_attr(x, "meaning", pt_status_message(code));
    x_text(x, message);
    x_end(x);
}

static void xml_counts(xml_out *x, const inspect_counts *c)
{
    static const char *const pool_attrs[] = {"nonpaged", "paged", "session-nonpaged",
                                             "session-paged"};
    char when[32];
    uint64_t i;
    size_t k;

    if (c->reader == NULL) {
        x_error(x, c->status, c->error);
        return;
    }
    x_start(x, "evidence");
    x_attr(x, "kind", pt_source_kind_name(c->reader->kind));
    x_attr(x, "reader", c->reader->name);
    x_attr(x, "status", c->status == PT_OK ? "ok" : "error");
    for (k = 0; k < c->variants; k++) {
        x_start(x, "variant");
        x_text(x, c->variant[k]);
        x_end(x);
    }
    x_start(x, "samples");
    x_attr_u64(x, "count", c->samples);
    for (i = 0; i < c->samples && i < INSPECT_LIST_MAX; i++) {
        const inspect_sample *s = &c->sample[i];
        x_start(x, "sample");
        x_attr_u64(x, "index", i + 1);
        if (s->time != 0)
            x_attr(x, "time", pt_filetime_format(s->time, when));
        if (s->origin[0] != '\0')
            x_attr(x, "time-origin", s->origin);
        x_attr(x, "variant", s->variant);
        x_end(x);
    }
    x_end(x);
    x_start(x, "rows");
    for (k = 0; k < 4; k++)
        x_attr_u64(x, pool_attrs[k], c->rows[k]);
    x_end(x);
    x_start(x, "counts");
    x_attr_u64(x, "counters", c->counters);
    x_attr_u64(x, "tag-descriptions", c->tag_descs);
    x_attr_u64(x, "modules", c->modules);
    x_attr_u64(x, "allocations", c->allocations);
    x_attr_u64(x, "stacks", c->stacks);
    x_attr_u64(x, "drivers", c->drivers);
    x_end(x);
    x_start(x, "warnings");
    x_attr_u64(x, "count", c->warnings);
    for (i = 0; i < c->warnings && i < INSPECT_LIST_MAX; i++) {
        x_start(x, "warning");
        if (c->warning[i].offset != PT_NO_OFFSET)
            x_attr_u64(x, "offset", c->warning[i].offset);
        x_text(x, c->warning[i].message);
        x_end(x);
    }
    x_end(x);
    for (k = 0; k < c->facts; k++) {
        x_start(x, "fact");
        x_attr(x, "name", c->fact[k].name);
        x_text(x, c->fact[k].value);
        x_end(x);
    }
    if (c->status != PT_OK)
        x_error(x, c->status, c->error);
    x_end(x);
}

/* ---- one file ---- */

static int looks_like_bundle(pt_source *src)
{
    uint8_t head[BUNDLE_MAGIC_BYTES];
    if (src->size < sizeof head || pt_source_read(src, 0, head, sizeof head, NULL) != PT_OK)
        return 0;
    return head[0] == 0x1f && head[1] == 0x8b && (head[BUNDLE_OFF_FLG] & 0x04) != 0 &&
           head[BUNDLE_OFF_SI1] == 'P' && head[BUNDLE_OFF_SI2] == 'T';
}

static pt_filetime file_mtime(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    return pt_filetime_from_unix((int64_t)st.st_mtime, 0);
}

/* Reports one member of a bundle; returns its status. */
static pt_status inspect_member(pt_bundle *b, size_t i, FILE *out, xml_out *x)
{
    const pt_bundle_member *m = pt_bundle_member_at(b, i);
    inspect_counts *c = calloc(1, sizeof *c);
    pt_source *src = NULL;
    pt_read_options opt;
    pt_error err;
    pt_status st;
    size_t k;

    if (c == NULL)
        return PT_ERR_NOMEM;
    memset(&opt, 0, sizeof opt);
    pt_error_clear(&err);
    if (x != NULL) {
        x_start(x, "member");
        x_attr(x, "name", m->name);
        x_attr(x, "kind", m->kind);
        x_attr_u64(x, "size", m->size);
        x_attr(x, "sha256", m->sha256);
        if (m->has_holes)
            x_attr_u64(x, "present-bytes", m->present_bytes);
        for (k = 0; k < m->attr_count; k++) {
            x_start(x, "attr");
            x_attr(x, "key", m->attrs[k].key);
            x_attr(x, "value", m->attrs[k].value);
            x_end(x);
        }
    } else {
        fprintf(out, "  member %zu: %s\n    manifest kind: %s, %llu bytes%s, sha256 %s\n", i + 1,
                m->name, m->kind, (unsigned long long)m->size,
                m->has_holes ? " (with holes)" : "", m->sha256);
        for (k = 0; k < m->attr_count; k++)
            fprintf(out, "    %s: %s\n", m->attrs[k].key, m->attrs[k].value);
    }
    /* The times the collector recorded stand in for the command line and
     * the file's modification time, which a member no longer has. */
    {
        const char *given = pt_bundle_member_attr(m, "time_given");
        const char *first = pt_bundle_member_attr(m, "sample_time");
        const char *origin = pt_bundle_member_attr(m, "time_origin");
        const char *mtime = pt_bundle_member_attr(m, "mtime");
        if (given != NULL && pt_filetime_parse(given, &opt.sample_time) != 0)
            opt.sample_time = 0;
        if (mtime != NULL) {
            if (pt_filetime_parse(mtime, &opt.file_mtime) != 0)
                opt.file_mtime = 0;
        } else if (first != NULL && origin != NULL && strcmp(origin, "mtime") == 0 &&
                   pt_filetime_parse(first, &opt.file_mtime) != 0) {
            opt.file_mtime = 0;
        }
    }
    st = pt_bundle_open_member(b, i, &src, &err);
    if (st == PT_OK) {
        opt.display_name = src->name;
        inspect_source(src, &opt, c);
        st = c->status;
    } else {
        c->status = st;
        copy_text(c->error, sizeof c->error, err.message);
    }
    if (x != NULL) {
        xml_counts(x, c);
        x_end(x);
    } else {
        text_counts(out, c, "    ");
        if (c->reader == NULL)
            fprintf(out, "    error: %s\n", c->error);
        if (c->status != PT_OK)
            fprintf(stderr, "pooltriage: %s\n", c->error);
    }
    pt_source_close(src);
    free(c);
    return st;
}

static pt_status inspect_bundle(const char *path, FILE *out, xml_out *x)
{
    pt_bundle *b = NULL;
    pt_error err;
    pt_status st, worst = PT_OK;
    const pt_bundle_info *info;
    char when[32];
    size_t i, n;

    pt_error_clear(&err);
    st = pt_bundle_open(path, PT_BUNDLE_ALLOW_PARTIAL, &b, &err);
    if (st != PT_OK) {
        if (x != NULL)
            x_error(x, st, err.message);
        else
            fprintf(stderr, "pooltriage: %s\n", err.message);
        return st;
    }
    info = pt_bundle_get_info(b);
    n = pt_bundle_member_count(b);
    if (x != NULL) {
        x_start(x, "bundle");
        x_attr_u64(x, "format-version", PT_BUNDLE_FORMAT_VERSION);
        x_attr(x, "id", pt_bundle_id(b));
        x_attr(x, "partial", pt_bundle_is_partial(b) ? "true" : "false");
        if (info != NULL) {
            if (info->collector_version != NULL)
                x_attr(x, "collector-version", info->collector_version);
            if (info->host != NULL)
                x_attr(x, "host", info->host);
            if (info->created != 0)
                x_attr(x, "created", pt_filetime_format(info->created, when));
            if (info->case_hint != NULL)
                x_attr(x, "case-hint", info->case_hint);
        }
        x_attr_u64(x, "members", n);
    } else {
        fprintf(out, "  kind: bundle (format %u)%s\n  id: %s\n", PT_BUNDLE_FORMAT_VERSION,
                pt_bundle_is_partial(b) ? ", PARTIAL: cut short, complete members only" : "",
                pt_bundle_id(b));
        if (info != NULL)
            fprintf(out, "  collector: %s, host %s, created %s%s%s\n",
                    info->collector_version ? info->collector_version : "?",
                    info->host ? info->host : "?", pt_filetime_format(info->created, when),
                    info->case_hint ? ", case " : "", info->case_hint ? info->case_hint : "");
        fprintf(out, "  members: %zu\n", n);
    }
    for (i = 0; i < n; i++) {
        st = inspect_member(b, i, out, x);
        if (st != PT_OK && worst == PT_OK)
            worst = st;
    }
    if (x != NULL)
        x_end(x);
    pt_bundle_close(b);
    return worst;
}

/* Reports one file; returns PT_OK or the first problem's code. */
static pt_status inspect_file(const char *path, FILE *out, xml_out *x)
{
    pt_source *src = NULL;
    pt_read_options opt;
    inspect_counts *c = NULL;
    pt_error err;
    pt_status st;

    pt_error_clear(&err);
    if (x != NULL) {
        x_start(x, "file");
        x_attr(x, "path", path);
    } else {
        fprintf(out, "%s\n", path);
    }
    st = pt_source_open_file(path, &src, &err);
    if (st != PT_OK) {
        if (x != NULL) {
            x_error(x, st, err.message);
        } else {
            fprintf(out, "  error: %s\n", err.message);
            fprintf(stderr, "pooltriage: %s\n", err.message);
        }
        goto out;
    }
    if (x != NULL)
        x_attr_u64(x, "size", src->size);
    if (looks_like_bundle(src)) {
        pt_source_close(src);
        src = NULL;
        st = inspect_bundle(path, out, x);
        goto out;
    }
    c = calloc(1, sizeof *c);
    if (c == NULL) {
        st = PT_ERR_NOMEM;
        goto out;
    }
    memset(&opt, 0, sizeof opt);
    opt.display_name = path;
    opt.file_mtime = file_mtime(path);
    inspect_source(src, &opt, c);
    st = c->status;
    if (x != NULL) {
        xml_counts(x, c);
    } else {
        text_counts(out, c, "  ");
        if (c->reader == NULL)
            fprintf(out, "  error: %s\n", c->error);
        if (c->status != PT_OK)
            fprintf(stderr, "pooltriage: %s\n", c->error);
    }
out:
    if (x != NULL)
        x_end(x);
    free(c);
    pt_source_close(src);
    return st;
}

int tool_inspect(int argc, char **argv)
{
    xml_out xo = {NULL, 0};
    xml_out *x = NULL;
    pt_status worst = PT_OK;
    int i, files = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--xml") == 0)
            x = &xo;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return tool_usage("inspect");
        else if (argv[i][0] == '-' && argv[i][1] != '\0' && strcmp(argv[i], "--") != 0)
            return tool_usage("inspect");
        else
            files++;
    }
    if (files == 0)
        return tool_usage("inspect");
    if (x != NULL) {
        xo.w = xmlNewTextWriterFilename("-", 0);
        if (xo.w == NULL) {
            fprintf(stderr, "pooltriage: cannot write XML to standard output\n");
            return PT_ERR_IO;
        }
        xmlTextWriterSetIndent(xo.w, 1);
        if (xmlTextWriterStartDocument(xo.w, NULL, "UTF-8", NULL) < 0)
            xo.failed = 1;
        x_start(x, "inspect");
        x_attr(x, "xmlns", "urn:pooltriage:inspect:1");
        x_attr(x, "version", PT_VERSION);
    }
    for (i = 1; i < argc; i++) {
        pt_status st;
        if (strcmp(argv[i], "--xml") == 0 || strcmp(argv[i], "--") == 0)
            continue;
        st = inspect_file(argv[i], stdout, x);
        if (st != PT_OK && worst == PT_OK)
            worst = st;
        if (x == NULL && i + 1 < argc)
            fputc('\n', stdout);
    }
    if (x != NULL) {
        x_end(x);
        if (xmlTextWriterEndDocument(xo.w) < 0)
            xo.failed = 1;
        xmlFreeTextWriter(xo.w);
        if (xo.failed) {
            fprintf(stderr, "pooltriage: writing the XML failed\n");
            return PT_ERR_IO;
        }
    }
    return (int)worst;
}
