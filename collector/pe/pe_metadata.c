/* pe_metadata.c - writes and reads the driver-metadata member
 * (schema/drivers-metadata.md): tab-separated lines, one fact per line,
 * fields escaped so a tab, newline or backslash in a path or version
 * string cannot split a field. */
#include "pe_metadata.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_arena.h"

/* ---- writing ------------------------------------------------------------ */

void pt_pe_buf_free(pt_pe_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static int buf_reserve(pt_pe_buf *b, size_t more)
{
    size_t cap;
    char *n;
    if (b->failed)
        return -1;
    if (b->len + more + 1 <= b->cap)
        return 0;
    if (b->len + more + 1 > PT_DRIVERS_MAX_MEMBER) {
        b->failed = 1;
        return -1;
    }
    cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    n = realloc(b->data, cap);
    if (n == NULL) {
        b->failed = 1;
        return -1;
    }
    b->data = n;
    b->cap = cap;
    return 0;
}

static void buf_putc(pt_pe_buf *b, char c)
{
    if (buf_reserve(b, 1) == 0) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
    }
}

static void buf_printf(pt_pe_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PT_PRINTF_FORMAT, 2, 3)))
#endif
    ;

static void buf_printf(pt_pe_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof tmp)
        n = (int)sizeof tmp - 1;
    if (buf_reserve(b, (size_t)n) == 0) {
        memcpy(b->data + b->len, tmp, (size_t)n);
        b->len += (size_t)n;
        b->data[b->len] = '\0';
    }
}

/* A tab, then the field escaped: \\ \t \n \r and \xNN for other controls. */
static void put_field(pt_pe_buf *b, const char *s)
{
    size_t i;
    buf_putc(b, '\t');
    if (s == NULL) {
        buf_putc(b, '\\');
        buf_putc(b, '-');
        return;
    }
    for (i = 0; s[i] != '\0' && i < PT_DRIVERS_MAX_FIELD; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\')
            buf_printf(b, "\\\\");
        else if (c == '\t')
            buf_printf(b, "\\t");
        else if (c == '\n')
            buf_printf(b, "\\n");
        else if (c == '\r')
            buf_printf(b, "\\r");
        else if (c < 0x20 || c == 0x7F)
            buf_printf(b, "\\x%02X", c);
        else
            buf_putc(b, (char)c);
    }
}

static void put_line(pt_pe_buf *b, const char *key, const char *value)
{
    buf_printf(b, "%s", key);
    put_field(b, value);
    buf_putc(b, '\n');
}

void pt_driver_metadata_header(pt_pe_buf *b)
{
    buf_printf(b, "%s\t%d\n", PT_DRIVERS_MAGIC, PT_DRIVERS_FORMAT_VERSION);
}

static void append_strings(pt_pe_buf *b, const pt_driver_strings *t)
{
    static const char *const keys[] = {"CompanyName",      "FileDescription", "FileVersion",
                                       "ProductName",      "ProductVersion",  "OriginalFilename",
                                       "LegalCopyright",   "InternalName"};
    const char *values[] = {t->company_name,      t->file_description, t->file_version,
                            t->product_name,      t->product_version,  t->original_filename,
                            t->legal_copyright,   t->internal_name};
    size_t i;
    buf_printf(b, "strings\t%04X\t%04X\n", t->lang, t->codepage);
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (values[i] == NULL)
            continue;
        buf_printf(b, "string\t%s", keys[i]);
        put_field(b, values[i]);
        buf_putc(b, '\n');
    }
}

static void append_tag(pt_pe_buf *b, const pt_driver_tag *t)
{
    char text[PT_TAG_TEXT_MAX];
    buf_printf(b, "tag\t%s\t0x%08" PRIX32, pt_driver_evidence_name(t->evidence), t->tag);
    put_field(b, pt_tag_format(t->tag, text));
    put_field(b, t->api);
    put_field(b, t->how);
    buf_printf(b, "\t0x%" PRIX32 "\t0x%" PRIX32 "\t%" PRIu64 "\t0x%" PRIX64 "\n", t->function_rva,
               t->call_rva, t->count, t->file_offset);
}

void pt_driver_metadata_append(pt_pe_buf *b, const struct pt_driver_record *rec)
{
    size_t i;

    put_line(b, "driver", rec->path);
    put_line(b, "name", rec->name);
    buf_printf(b, "size\t%" PRIu64 "\n", rec->size);
    if (rec->sha256[0] != '\0')
        buf_printf(b, "sha256\t%s\n", rec->sha256);
    if (rec->mtime != 0)
        buf_printf(b, "mtime\t%" PRIu64 "\n", rec->mtime);
    if (rec->error != NULL) {
        buf_printf(b, "error\t%d", (int)rec->error_code);
        put_field(b, rec->error);
        buf_putc(b, '\n');
    }
    if (rec->machine != 0) {
        buf_printf(b, "machine\t0x%04X\t%d\n", rec->machine, rec->pe32plus);
        buf_printf(b, "timestamp\t0x%08" PRIX32 "\t%s\n", rec->timestamp,
                   rec->timestamp_is_hash ? "hash" : "time");
        buf_printf(b, "checksum\t0x%08" PRIX32 "\t0x%08" PRIX32 "\t%s\n", rec->checksum,
                   rec->checksum_computed, rec->checksum_ok ? "ok" : "bad");
        buf_printf(b, "image\t0x%" PRIX32 "\t%u\t0x%04X\t0x%04X\t0x%" PRIX64 "\t0x%" PRIX32
                      "\t%u\n",
                   rec->size_of_image, rec->subsystem, rec->characteristics,
                   rec->dll_characteristics, rec->image_base, rec->entry_point,
                   rec->section_count);
    }
    if (rec->has_codeview) {
        buf_printf(b, "codeview\t%s\t%s\t%" PRIu32, rec->codeview_format, rec->codeview_guid,
                   rec->codeview_age);
        put_field(b, rec->pdb_name);
        buf_putc(b, '\n');
    }
    if (rec->has_version)
        buf_printf(b, "version\t%u.%u.%u.%u\t%u.%u.%u.%u\t0x%" PRIX32 "\t0x%" PRIX32 "\t0x%" PRIX32
                      "\t0x%" PRIX32 "\n",
                   rec->file_version[0], rec->file_version[1], rec->file_version[2],
                   rec->file_version[3], rec->product_version[0], rec->product_version[1],
                   rec->product_version[2], rec->product_version[3], rec->file_flags,
                   rec->file_os, rec->file_type, rec->file_subtype);
    for (i = 0; i < rec->strings_count; i++)
        append_strings(b, &rec->strings[i]);
    if (rec->signature != NULL) {
        buf_printf(b, "signature\t%s\t%" PRIu32 "\n", rec->signature, rec->signature_count);
        if (rec->signer_subject != NULL) {
            buf_printf(b, "signer");
            put_field(b, rec->signer_subject);
            put_field(b, rec->signer_issuer);
            buf_putc(b, '\n');
        }
    }
    for (i = 0; i < rec->import_count; i++) {
        const pt_driver_import *imp = &rec->imports[i];
        buf_printf(b, "import");
        put_field(b, imp->dll);
        if (imp->name != NULL)
            put_field(b, imp->name);
        else
            buf_printf(b, "\t#%u", imp->ordinal);
        buf_printf(b, "\t%d\n", imp->delayed);
    }
    for (i = 0; i < rec->tag_count; i++)
        append_tag(b, &rec->tags[i]);
    if (rec->analysis_note != NULL)
        put_line(b, "note", rec->analysis_note);
    buf_printf(b, "end\n");
}

/* ---- reading ------------------------------------------------------------ */

int pt_driver_metadata_probe(const uint8_t *head, size_t len)
{
    size_t n = strlen(PT_DRIVERS_MAGIC);
    if (len > n && memcmp(head, PT_DRIVERS_MAGIC, n) == 0 && head[n] == '\t')
        return 100;
    return 0;
}

#define MAX_FIELDS 12
/* Bounds per record (a driver has hundreds of imports, tens of tags). */
#define MAX_IMPORTS 65536
#define MAX_TAGS 65536
#define MAX_TABLES 16

typedef struct md_reader {
    pt_source *src;
    pt_arena arena;
    struct pt_driver_record *rec;
    size_t import_cap, tag_cap;
    pt_error *err;
    uint64_t line_off;
    unsigned long line_no;
} md_reader;

/* A field written for a NULL string ("\-" raw). */
static char null_field[] = "";

/* Splits line (in place) at tabs and unescapes each field. */
static int split_fields(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *start = p, *w = p;
        if (p[0] == '\\' && p[1] == '-' && (p[2] == '\t' || p[2] == '\0')) {
            fields[n++] = null_field;
            p += 2;
            if (*p == '\0')
                break;
            p++;
            continue;
        }
        fields[n++] = start;
        while (*p != '\0' && *p != '\t') {
            if (*p == '\\' && p[1] != '\0') {
                p++;
                if (*p == 't')
                    *w++ = '\t';
                else if (*p == 'n')
                    *w++ = '\n';
                else if (*p == 'r')
                    *w++ = '\r';
                else if (*p == 'x' && p[1] != '\0' && p[2] != '\0') {
                    char hex[3] = {p[1], p[2], 0};
                    *w++ = (char)strtoul(hex, NULL, 16);
                    p += 2;
                } else
                    *w++ = *p;
                p++;
            } else {
                *w++ = *p++;
            }
        }
        if (*p == '\t') {
            *w = '\0';
            p++;
        } else {
            *w = '\0';
            break;
        }
    }
    return n;
}

static const char *dup_field(md_reader *r, const char *s)
{
    if (s == null_field)
        return NULL;
    return pt_arena_strdup(&r->arena, s);
}

static uint64_t num(const char *s)
{
    return strtoull(s, NULL, 0);
}

static pt_status bad_line(md_reader *r, const char *what)
{
    return pt_error_set(r->err, PT_ERR_CORRUPT, r->src->name, r->line_off,
                        "line %lu: %s", r->line_no, what);
}

static pt_status nomem(md_reader *r)
{
    return pt_error_set(r->err, PT_ERR_NOMEM, r->src->name, r->line_off, "out of memory");
}

static pt_status parse_version(md_reader *r, char **f, int n)
{
    struct pt_driver_record *rec = r->rec;
    unsigned v[8];
    if (n < 7 || sscanf(f[1], "%u.%u.%u.%u", &v[0], &v[1], &v[2], &v[3]) != 4 ||
        sscanf(f[2], "%u.%u.%u.%u", &v[4], &v[5], &v[6], &v[7]) != 4)
        return bad_line(r, "version needs file and product versions and 4 numbers");
    for (n = 0; n < 4; n++) {
        rec->file_version[n] = (uint16_t)v[n];
        rec->product_version[n] = (uint16_t)v[4 + n];
    }
    rec->file_flags = (uint32_t)num(f[3]);
    rec->file_os = (uint32_t)num(f[4]);
    rec->file_type = (uint32_t)num(f[5]);
    rec->file_subtype = (uint32_t)num(f[6]);
    rec->has_version = 1;
    return PT_OK;
}

static pt_status parse_string(md_reader *r, char **f, int n)
{
    static const char *const keys[] = {"CompanyName",      "FileDescription", "FileVersion",
                                       "ProductName",      "ProductVersion",  "OriginalFilename",
                                       "LegalCopyright",   "InternalName"};
    pt_driver_strings *t;
    const char **slots[8];
    size_t i;

    if (n < 3 || r->rec->strings_count == 0)
        return bad_line(r, "string outside a strings table");
    t = &r->rec->strings[r->rec->strings_count - 1];
    slots[0] = &t->company_name;
    slots[1] = &t->file_description;
    slots[2] = &t->file_version;
    slots[3] = &t->product_name;
    slots[4] = &t->product_version;
    slots[5] = &t->original_filename;
    slots[6] = &t->legal_copyright;
    slots[7] = &t->internal_name;
    for (i = 0; i < 8; i++)
        if (strcmp(f[1], keys[i]) == 0) {
            *slots[i] = dup_field(r, f[2]);
            if (*slots[i] == NULL)
                return nomem(r);
        }
    return PT_OK;
}

static pt_status parse_import(md_reader *r, char **f, int n)
{
    struct pt_driver_record *rec = r->rec;
    pt_driver_import *imp;
    if (n < 4)
        return bad_line(r, "import needs dll, name and delayed");
    if (rec->import_count >= MAX_IMPORTS)
        return pt_error_set(r->err, PT_ERR_LIMIT, r->src->name, r->line_off,
                            "line %lu: more than %d imports in one record", r->line_no,
                            MAX_IMPORTS);
    if (rec->import_count == r->import_cap) {
        r->import_cap = r->import_cap ? r->import_cap * 2 : 64;
        rec->imports = pt_arena_grow(&r->arena, rec->imports, rec->import_count, r->import_cap,
                                     sizeof *rec->imports);
        if (rec->imports == NULL)
            return nomem(r);
    }
    imp = &rec->imports[rec->import_count++];
    imp->dll = dup_field(r, f[1]);
    if (f[2][0] == '#') {
        imp->ordinal = (uint16_t)num(f[2] + 1);
    } else {
        imp->name = dup_field(r, f[2]);
        if (imp->name == NULL)
            return nomem(r);
    }
    imp->delayed = f[3][0] == '1';
    return imp->dll != NULL ? PT_OK : nomem(r);
}

static pt_status parse_tag(md_reader *r, char **f, int n)
{
    struct pt_driver_record *rec = r->rec;
    pt_driver_tag *t;
    pt_driver_evidence ev;

    if (n < 10 || pt_driver_evidence_parse(f[1], &ev) != 0)
        return bad_line(r, "tag needs evidence, value, text, api, how, function, call, count "
                           "and offset");
    if (rec->tag_count >= MAX_TAGS)
        return pt_error_set(r->err, PT_ERR_LIMIT, r->src->name, r->line_off,
                            "line %lu: more than %d tags in one record", r->line_no, MAX_TAGS);
    if (rec->tag_count == r->tag_cap) {
        r->tag_cap = r->tag_cap ? r->tag_cap * 2 : 16;
        rec->tags = pt_arena_grow(&r->arena, rec->tags, rec->tag_count, r->tag_cap,
                                  sizeof *rec->tags);
        if (rec->tags == NULL)
            return nomem(r);
    }
    t = &rec->tags[rec->tag_count++];
    t->evidence = ev;
    t->tag = (pt_tag)num(f[2]);
    t->api = dup_field(r, f[4]);
    t->how = dup_field(r, f[5]);
    t->function_rva = (uint32_t)num(f[6]);
    t->call_rva = (uint32_t)num(f[7]);
    t->count = num(f[8]);
    t->file_offset = num(f[9]);
    return PT_OK;
}

static pt_status start_record(md_reader *r, const char *path)
{
    pt_arena_free(&r->arena);
    pt_arena_init(&r->arena);
    r->import_cap = r->tag_cap = 0;
    r->rec = pt_arena_alloc(&r->arena, sizeof *r->rec);
    if (r->rec == NULL)
        return nomem(r);
    r->rec->path = dup_field(r, path);
    r->rec->name = r->rec->path;
    r->rec->strings = pt_arena_alloc(&r->arena, MAX_TABLES * sizeof *r->rec->strings);
    if (r->rec->path == NULL || r->rec->strings == NULL)
        return nomem(r);
    return PT_OK;
}

/* One line of a record. */
static pt_status parse_line(md_reader *r, char **f, int n)
{
    struct pt_driver_record *rec = r->rec;
    const char *k = f[0];

    if (strcmp(k, "name") == 0 && n >= 2) {
        rec->name = dup_field(r, f[1]);
    } else if (strcmp(k, "size") == 0 && n >= 2) {
        rec->size = num(f[1]);
    } else if (strcmp(k, "sha256") == 0 && n >= 2) {
        if (strlen(f[1]) != 64)
            return bad_line(r, "sha256 is not 64 hex digits");
        memcpy(rec->sha256, f[1], 65);
    } else if (strcmp(k, "mtime") == 0 && n >= 2) {
        rec->mtime = num(f[1]);
    } else if (strcmp(k, "error") == 0 && n >= 3) {
        rec->error_code = (pt_status)num(f[1]);
        rec->error = dup_field(r, f[2]);
    } else if (strcmp(k, "machine") == 0 && n >= 3) {
        rec->machine = (uint16_t)num(f[1]);
        rec->pe32plus = f[2][0] == '1';
    } else if (strcmp(k, "timestamp") == 0 && n >= 3) {
        rec->timestamp = (uint32_t)num(f[1]);
        rec->timestamp_is_hash = strcmp(f[2], "hash") == 0;
    } else if (strcmp(k, "checksum") == 0 && n >= 4) {
        rec->checksum = (uint32_t)num(f[1]);
        rec->checksum_computed = (uint32_t)num(f[2]);
        rec->checksum_ok = strcmp(f[3], "ok") == 0;
    } else if (strcmp(k, "image") == 0 && n >= 8) {
        rec->size_of_image = (uint32_t)num(f[1]);
        rec->subsystem = (uint16_t)num(f[2]);
        rec->characteristics = (uint16_t)num(f[3]);
        rec->dll_characteristics = (uint16_t)num(f[4]);
        rec->image_base = num(f[5]);
        rec->entry_point = (uint32_t)num(f[6]);
        rec->section_count = (uint16_t)num(f[7]);
    } else if (strcmp(k, "codeview") == 0 && n >= 5) {
        rec->has_codeview = 1;
        rec->codeview_format = strcmp(f[1], "NB10") == 0 ? "NB10" : "RSDS";
        snprintf(rec->codeview_guid, sizeof rec->codeview_guid, "%s", f[2]);
        rec->codeview_age = (uint32_t)num(f[3]);
        rec->pdb_name = dup_field(r, f[4]);
    } else if (strcmp(k, "version") == 0) {
        return parse_version(r, f, n);
    } else if (strcmp(k, "strings") == 0 && n >= 3) {
        if (rec->strings_count >= MAX_TABLES)
            return bad_line(r, "more than 16 string tables");
        rec->strings[rec->strings_count].lang = (uint16_t)strtoul(f[1], NULL, 16);
        rec->strings[rec->strings_count].codepage = (uint16_t)strtoul(f[2], NULL, 16);
        rec->strings_count++;
    } else if (strcmp(k, "string") == 0) {
        return parse_string(r, f, n);
    } else if (strcmp(k, "signature") == 0 && n >= 3) {
        rec->signature = dup_field(r, f[1]);
        rec->signature_count = (uint32_t)num(f[2]);
    } else if (strcmp(k, "signer") == 0 && n >= 3) {
        rec->signer_subject = dup_field(r, f[1]);
        rec->signer_issuer = dup_field(r, f[2]);
    } else if (strcmp(k, "import") == 0) {
        return parse_import(r, f, n);
    } else if (strcmp(k, "tag") == 0) {
        return parse_tag(r, f, n);
    } else if (strcmp(k, "note") == 0 && n >= 2) {
        rec->analysis_note = dup_field(r, f[1]);
    }
    /* Unknown keys are skipped: later versions may add facts. */
    return PT_OK;
}

pt_status pt_driver_metadata_read(pt_source *src, pt_driver_fn fn, void *ctx, pt_error *err)
{
    pt_line_reader lr;
    md_reader r;
    const char *line;
    size_t len;
    char *copy = NULL;
    int got, header = 0;
    pt_status st;

    memset(&r, 0, sizeof r);
    r.src = src;
    r.err = err;
    pt_arena_init(&r.arena);
    st = pt_line_reader_init(&lr, src, err);
    if (st != PT_OK)
        return st;
    copy = malloc(PT_MAX_LINE + 1);
    if (copy == NULL) {
        st = nomem(&r);
        goto out;
    }
    while ((got = pt_line_reader_next(&lr, &line, &len, err)) == 1) {
        char *f[MAX_FIELDS];
        int n;
        r.line_off = lr.line_off;
        r.line_no = lr.line_no;
        if (!header) {
            if (pt_driver_metadata_probe((const uint8_t *)line, len) == 0) {
                st = pt_error_set(err, PT_ERR_FORMAT, src->name, 0,
                                  "not a driver-metadata member (no %s line)", PT_DRIVERS_MAGIC);
                goto out;
            }
            if (atoi(line + strlen(PT_DRIVERS_MAGIC) + 1) > PT_DRIVERS_FORMAT_VERSION) {
                st = pt_error_set(err, PT_ERR_UNSUPPORTED, src->name, 0,
                                  "driver-metadata format version %s is newer than %d",
                                  line + strlen(PT_DRIVERS_MAGIC) + 1,
                                  PT_DRIVERS_FORMAT_VERSION);
                goto out;
            }
            header = 1;
            continue;
        }
        if (len == 0)
            continue;
        memcpy(copy, line, len + 1);
        n = split_fields(copy, f, MAX_FIELDS);
        if (strcmp(f[0], "driver") == 0) {
            if (r.rec != NULL) {
                st = bad_line(&r, "record without \"end\"");
                goto out;
            }
            st = n >= 2 ? start_record(&r, f[1]) : bad_line(&r, "driver without a path");
        } else if (r.rec == NULL) {
            st = bad_line(&r, "fact outside a driver record");
        } else if (strcmp(f[0], "end") == 0) {
            pt_driver_sort_tags(r.rec);
            st = fn(ctx, r.rec);
            r.rec = NULL;
        } else {
            st = parse_line(&r, f, n);
        }
        if (st != PT_OK)
            goto out;
    }
    if (got < 0) {
        st = err != NULL ? err->code : PT_ERR_IO;
        goto out;
    }
    if (!header)
        st = pt_error_set(err, PT_ERR_FORMAT, src->name, 0, "empty driver-metadata member");
    else if (r.rec != NULL)
        st = pt_error_set(err, PT_ERR_TRUNCATED, src->name, src->size,
                          "last driver record (%s) has no \"end\": the member was cut short",
                          r.rec->path);
out:
    free(copy);
    pt_line_reader_free(&lr);
    pt_arena_free(&r.arena);
    return st;
}
