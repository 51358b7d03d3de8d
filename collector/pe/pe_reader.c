/* pe_reader.c - the two driver evidence readers: a single PE file
 * (probe "MZ" + "PE\0\0"; one driver record; describe for inspect) and
 * the driver-metadata member a bundle carries (schema/drivers-metadata.md). */
#include "pe_reader.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pe_driver.h"
#include "pe_image.h"
#include "pe_metadata.h"

static int pe_probe(const uint8_t *head, size_t len)
{
    return pe_probe_bytes(head, len);
}

static pt_status pe_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                         pt_error *err)
{
    const char *name = opt != NULL && opt->display_name != NULL ? opt->display_name : src->name;
    struct pt_driver_record *rec = NULL;
    pt_arena arena;
    pt_status st;

    pt_arena_init(&arena);
    st = pt_pe_analyze(src, name, NULL, &arena, &rec, err);
    if (rec != NULL && st != PT_ERR_NOMEM) {
        /* A malformed PE is still a record (with its reason); the read
         * itself fails only when nothing could be said. */
        pt_status sst = pt_sink_driver(sink, rec);
        if (st == PT_OK)
            st = sst;
    }
    pt_arena_free(&arena);
    return st;
}

typedef struct fact_out {
    pt_fact_fn fact;
    void *ctx;
    pt_status st;
} fact_out;

static void fact(fact_out *o, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PT_PRINTF_FORMAT, 3, 4)))
#endif
    ;

static void fact(fact_out *o, const char *name, const char *fmt, ...)
{
    char value[1024];
    va_list ap;
    if (o->st != PT_OK)
        return;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    o->st = o->fact(o->ctx, name, value);
}

static void describe_strings(fact_out *o, const pt_driver_strings *t, size_t index)
{
    const char *keys[] = {"CompanyName",      "FileDescription", "FileVersion",
                          "ProductName",      "ProductVersion",  "OriginalFilename",
                          "LegalCopyright",   "InternalName"};
    const char *values[] = {t->company_name,      t->file_description, t->file_version,
                            t->product_name,      t->product_version,  t->original_filename,
                            t->legal_copyright,   t->internal_name};
    char name[64];
    size_t i;
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (values[i] == NULL)
            continue;
        if (index == 0)
            snprintf(name, sizeof name, "%s", keys[i]);
        else
            snprintf(name, sizeof name, "%s[%04X-%04X]", keys[i], t->lang, t->codepage);
        fact(o, name, "%s", values[i]);
    }
}

/* Every field of a record as inspect facts. */
static void describe_record(fact_out *o, const struct pt_driver_record *rec)
{
    char buf[24], mb[8];
    size_t i, callsites = 0, literals = 0;

    fact(o, "name", "%s", rec->name);
    fact(o, "size", "%" PRIu64, rec->size);
    if (rec->sha256[0] != '\0')
        fact(o, "sha256", "%s", rec->sha256);
    if (rec->error != NULL)
        fact(o, "error", "%s", rec->error);
    if (rec->machine == 0)
        return;
    fact(o, "machine", "%s", pt_pe_machine_name(rec->machine, mb));
    fact(o, "format", "%s", rec->pe32plus ? "PE32+" : "PE32");
    if (rec->timestamp_is_hash) {
        fact(o, "timestamp", "0x%08" PRIX32 " (reproducible-build hash, not a date)",
             rec->timestamp);
    } else {
        char when[32];
        pt_filetime_format(pt_filetime_from_unix(rec->timestamp, 0), when);
        fact(o, "timestamp", "0x%08" PRIX32 " (%s)", rec->timestamp, when);
    }
    fact(o, "checksum", "0x%08" PRIX32 " (%s; computed 0x%08" PRIX32 ")", rec->checksum,
         rec->checksum_ok ? "matches" : "BAD", rec->checksum_computed);
    fact(o, "size_of_image", "0x%" PRIX32, rec->size_of_image);
    fact(o, "symbol_key", "%08" PRIX32 "%" PRIX32, rec->timestamp, rec->size_of_image);
    fact(o, "subsystem", "%u%s", rec->subsystem, rec->subsystem == 1 ? " (native)" : "");
    fact(o, "dll_characteristics", "0x%04X", rec->dll_characteristics);
    if (rec->has_codeview) {
        fact(o, "pdb", "%s", rec->pdb_name != NULL ? rec->pdb_name : "");
        fact(o, "pdb_guid", "%s", rec->codeview_guid);
        fact(o, "pdb_age", "%" PRIu32, rec->codeview_age);
    }
    if (rec->has_version) {
        fact(o, "file_version", "%s", pt_pe_version_format(rec->file_version, buf));
        fact(o, "product_version", "%s", pt_pe_version_format(rec->product_version, buf));
        fact(o, "file_type", "0x%" PRIX32 "/0x%" PRIX32 "%s", rec->file_type, rec->file_subtype,
             rec->file_type == 3 ? " (driver)" : "");
    }
    for (i = 0; i < rec->strings_count; i++)
        describe_strings(o, &rec->strings[i], i);
    fact(o, "signature", "%s", strcmp(rec->signature, "none") == 0
                                   ? "none (no embedded signature: catalog-signed or unsigned)"
                                   : rec->signature);
    if (rec->signer_subject != NULL) {
        fact(o, "signer", "%s", rec->signer_subject);
        fact(o, "signer_issuer", "%s", rec->signer_issuer);
    }
    fact(o, "vendor", "%s", pt_driver_is_microsoft(rec) ? "Microsoft" : "third-party");
    fact(o, "imports", "%zu", rec->import_count);
    for (i = 0; i < rec->tag_count; i++) {
        const pt_driver_tag *t = &rec->tags[i];
        char text[PT_TAG_TEXT_MAX];
        pt_tag_format(t->tag, text);
        if (t->evidence == PT_DRIVER_EV_CALLSITE) {
            callsites++;
            fact(o, "tag", "%s callsite %s (%s) function 0x%" PRIX32 " call 0x%" PRIX32, text,
                 t->api, t->how, t->function_rva, t->call_rva);
        } else if (t->evidence == PT_DRIVER_EV_LITERAL) {
            literals++;
            fact(o, "tag", "%s literal x%" PRIu64 " first at offset 0x%" PRIX64, text, t->count,
                 t->file_offset);
        }
    }
    fact(o, "callsite_tags", "%zu call sites", callsites);
    if (rec->analysis_note != NULL)
        fact(o, "note", "%s", rec->analysis_note);
}

static pt_status pe_describe(pt_source *src, const pt_read_options *opt, pt_fact_fn fn,
                             void *ctx, pt_error *err)
{
    const char *name = opt != NULL && opt->display_name != NULL ? opt->display_name : src->name;
    struct pt_driver_record *rec = NULL;
    fact_out o = {fn, ctx, PT_OK};
    pt_arena arena;
    pt_status st;

    pt_arena_init(&arena);
    st = pt_pe_analyze(src, name, NULL, &arena, &rec, err);
    if (rec != NULL && st != PT_ERR_NOMEM)
        describe_record(&o, rec);
    pt_arena_free(&arena);
    return st != PT_OK ? st : o.st;
}

/* ---- the driver-metadata member ---------------------------------------- */

static int drivers_probe(const uint8_t *head, size_t len)
{
    return pt_driver_metadata_probe(head, len);
}

static pt_status emit_driver(void *ctx, const struct pt_driver_record *rec)
{
    return pt_sink_driver((const pt_sink *)ctx, rec);
}

static pt_status drivers_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                              pt_error *err)
{
    (void)opt;
    return pt_driver_metadata_read(src, emit_driver, (void *)sink, err);
}

typedef struct describe_ctx {
    fact_out out;
    size_t count, errors, callsites;
} describe_ctx;

static pt_status describe_driver(void *ctx, const struct pt_driver_record *rec)
{
    describe_ctx *d = ctx;
    size_t i;
    d->count++;
    if (rec->error != NULL)
        d->errors++;
    for (i = 0; i < rec->tag_count; i++)
        if (rec->tags[i].evidence == PT_DRIVER_EV_CALLSITE)
            d->callsites++;
    fact(&d->out, "driver", "%s", rec->path);
    return d->out.st;
}

static pt_status drivers_describe(pt_source *src, const pt_read_options *opt, pt_fact_fn fn,
                                  void *ctx, pt_error *err)
{
    describe_ctx d;
    pt_status st;
    (void)opt;
    memset(&d, 0, sizeof d);
    d.out.fact = fn;
    d.out.ctx = ctx;
    st = pt_driver_metadata_read(src, describe_driver, &d, err);
    if (st != PT_OK)
        return st;
    fact(&d.out, "drivers", "%zu", d.count);
    fact(&d.out, "unreadable", "%zu", d.errors);
    fact(&d.out, "callsite_tags", "%zu", d.callsites);
    return d.out.st;
}

const pt_reader pt_reader_pe = {
    .kind = PT_KIND_DRIVERS,
    .name = "pe",
    .probe = pe_probe,
    .read = pe_read,
    .describe = pe_describe,
};

const pt_reader pt_reader_drivers = {
    .kind = PT_KIND_DRIVERS,
    .name = "drivers",
    .probe = drivers_probe,
    .read = drivers_read,
    .describe = drivers_describe,
};
