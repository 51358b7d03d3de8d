/* tool_tags.c - `pooltriage tags --drivers DIR [--tag TAG] [--csv]
 * [--pooltag FILE]`: which drivers use which pool tags, with the evidence
 * for each, strongest first (the findstr answer done right).
 *
 * Every PE file under each DIR is read (pe_driver.h): constant tags at
 * calls to pool APIs are call-site evidence; entries of the given tag
 * files whose binary names the driver are tag-file evidence; the four
 * bytes anywhere in the file (what `findstr /m /l` finds) are literal
 * evidence, reported apart.  Files that cannot be read are named on
 * stderr and the scan goes on. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pe_collect.h"
#include "pe_driver.h"
#include "pt_arena.h"
#include "pt_readers.h"
#include "tool.h"

typedef struct tag_row {
    const char *driver;       /* path as scanned */
    const char *name;         /* base name */
    pt_tag tag;
    const char *tag_text;     /* as the tag file wrote it (patterns), else NULL */
    pt_driver_evidence evidence;
    const char *api;
    const char *how;
    uint32_t function_rva, call_rva;
    uint64_t count;
} tag_row;

typedef struct tags_run {
    pt_arena arena;           /* rows' strings */
    tag_row *rows;
    size_t row_count, row_cap;
    char **files;             /* every file walked */
    const char **names;
    size_t file_count, file_cap;
    int have_tag;
    pt_tag tag;
    pt_tag *union_tags;       /* call-site tags seen (all-tags mode) */
    size_t union_count, union_cap;
    size_t unreadable;
    pt_error err;
} tags_run;

static int add_row(tags_run *r, const tag_row *row)
{
    if (r->row_count == r->row_cap) {
        size_t cap = r->row_cap ? r->row_cap * 2 : 256;
        tag_row *n = realloc(r->rows, cap * sizeof *n);
        if (n == NULL)
            return -1;
        r->rows = n;
        r->row_cap = cap;
    }
    r->rows[r->row_count++] = *row;
    return 0;
}

static pt_status remember_file(void *ctx, const char *path)
{
    tags_run *r = ctx;
    const char *base;
    if (r->file_count == r->file_cap) {
        size_t cap = r->file_cap ? r->file_cap * 2 : 256;
        char **n = realloc(r->files, cap * sizeof *n);
        const char **m;
        if (n == NULL)
            return pt_error_set(&r->err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
        r->files = n;
        m = realloc(r->names, cap * sizeof *m);
        if (m == NULL)
            return pt_error_set(&r->err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
        r->names = m;
        r->file_cap = cap;
    }
    r->files[r->file_count] = pt_arena_strdup(&r->arena, path);
    if (r->files[r->file_count] == NULL)
        return pt_error_set(&r->err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
    base = strrchr(r->files[r->file_count], '/');
    r->names[r->file_count] = base != NULL ? base + 1 : r->files[r->file_count];
    r->file_count++;
    return PT_OK;
}

static int union_add(tags_run *r, pt_tag t)
{
    size_t i;
    for (i = 0; i < r->union_count; i++)
        if (r->union_tags[i] == t)
            return 0;
    if (r->union_count == r->union_cap) {
        size_t cap = r->union_cap ? r->union_cap * 2 : 64;
        pt_tag *n = realloc(r->union_tags, cap * sizeof *n);
        if (n == NULL)
            return -1;
        r->union_tags = n;
        r->union_cap = cap;
    }
    r->union_tags[r->union_count++] = t;
    return 0;
}

/* Adds the rows of one record (only the wanted tag's, when one is asked). */
static pt_status take_record(tags_run *r, size_t file, const struct pt_driver_record *rec,
                             int literals_only)
{
    size_t i;
    for (i = 0; i < rec->tag_count; i++) {
        const pt_driver_tag *t = &rec->tags[i];
        tag_row row;
        if (r->have_tag && t->tag != r->tag)
            continue;
        if (literals_only && t->evidence != PT_DRIVER_EV_LITERAL)
            continue;
        if (!literals_only && !r->have_tag && t->evidence == PT_DRIVER_EV_LITERAL)
            continue; /* the second pass counts literals of every tag seen */
        memset(&row, 0, sizeof row);
        row.driver = r->files[file];
        row.name = r->names[file];
        row.tag = t->tag;
        row.evidence = t->evidence;
        row.api = t->api != NULL ? pt_arena_strdup(&r->arena, t->api) : NULL;
        row.how = t->how != NULL ? pt_arena_strdup(&r->arena, t->how) : NULL;
        row.function_rva = t->function_rva;
        row.call_rva = t->call_rva;
        row.count = t->count;
        if (add_row(r, &row) != 0 ||
            (t->evidence == PT_DRIVER_EV_CALLSITE && union_add(r, t->tag) != 0))
            return pt_error_set(&r->err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    }
    return PT_OK;
}

static pt_status scan_files(tags_run *r, int literals_pass)
{
    size_t i;
    for (i = 0; i < r->file_count; i++) {
        pt_pe_options opt;
        struct pt_driver_record *rec = NULL;
        pt_arena arena;
        pt_error ferr;
        pt_status st;

        memset(&opt, 0, sizeof opt);
        opt.no_hash = 1;
        if (literals_pass) {
            opt.no_callsites = 1;
            opt.literal_tags = r->union_tags;
            opt.literal_tag_count = r->union_count;
        } else if (r->have_tag) {
            opt.literal_tags = &r->tag;
            opt.literal_tag_count = 1;
        }
        pt_arena_init(&arena);
        pt_error_clear(&ferr);
        st = pt_pe_analyze_file(r->files[i], &opt, &arena, &rec, &ferr);
        if (st == PT_ERR_NOMEM || rec == NULL) {
            pt_arena_free(&arena);
            return pt_error_set(&r->err, PT_ERR_NOMEM, r->files[i], PT_NO_OFFSET,
                                "out of memory");
        }
        if (rec->error != NULL && !literals_pass) {
            fprintf(stderr, "pooltriage: %s\n", rec->error);
            r->unreadable++;
        }
        st = take_record(r, i, rec, literals_pass);
        pt_arena_free(&arena);
        if (st != PT_OK)
            return st;
    }
    return PT_OK;
}

/* ---- tag files ---------------------------------------------------------- */

typedef struct tagfile_ctx {
    tags_run *run;
    const char *origin;
} tagfile_ctx;

/* Tag-file patterns: '?' matches one character, '*' the rest. */
static int pattern_matches(const char *pattern, pt_tag tag)
{
    char text[PT_TAG_TEXT_MAX];
    size_t i;
    pt_tag_format(tag, text);
    for (i = 0; pattern[i] != '\0'; i++) {
        if (pattern[i] == '*')
            return 1;
        if (text[i] == '\0')
            return pattern[i] == ' ';
        if (pattern[i] != '?' && pattern[i] != text[i])
            return 0;
    }
    /* A short pattern is padded with blanks. */
    for (; text[i] != '\0'; i++)
        if (text[i] != ' ')
            return 0;
    return 1;
}

static pt_status on_tag_desc(void *ctx, const pt_tag_desc *d)
{
    tagfile_ctx *c = ctx;
    tags_run *r = c->run;
    size_t i;

    if (d->binary == NULL)
        return PT_OK;
    if (r->have_tag && !pattern_matches(d->pattern != NULL ? d->pattern : "", r->tag))
        return PT_OK;
    for (i = 0; i < r->file_count; i++) {
        tag_row row;
        if (strcasecmp(r->names[i], d->binary) != 0)
            continue;
        memset(&row, 0, sizeof row);
        row.driver = r->files[i];
        row.name = r->names[i];
        row.tag = r->have_tag ? r->tag : d->tag;
        row.tag_text = d->pattern != NULL ? pt_arena_strdup(&r->arena, d->pattern) : NULL;
        row.evidence = PT_DRIVER_EV_TAGFILE;
        row.api = pt_arena_strdup(&r->arena, c->origin);
        row.how = d->description != NULL ? pt_arena_strdup(&r->arena, d->description) : NULL;
        if (add_row(r, &row) != 0)
            return pt_error_set(&r->err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    }
    return PT_OK;
}

static pt_status read_tag_file(tags_run *r, const char *path)
{
    const pt_reader *reader = pt_readers_by_name("pooltag");
    tagfile_ctx c = {r, path};
    pt_read_options opt;
    pt_sink sink;
    pt_source *src = NULL;
    pt_status st;

    if (reader == NULL)
        return pt_error_set(&r->err, PT_ERR_INTERNAL, path, PT_NO_OFFSET,
                            "no pooltag reader is built in");
    memset(&sink, 0, sizeof sink);
    sink.ctx = &c;
    sink.tag_desc = on_tag_desc;
    memset(&opt, 0, sizeof opt);
    opt.display_name = path;
    st = pt_source_open_file(path, &src, &r->err);
    if (st != PT_OK)
        return st;
    st = reader->read(src, &opt, &sink, &r->err);
    pt_source_close(src);
    return st;
}

/* ---- output ------------------------------------------------------------- */

static int row_order(const void *a, const void *b)
{
    const tag_row *x = a, *y = b;
    int c;
    if (x->tag != y->tag) {
        char tx[PT_TAG_TEXT_MAX], ty[PT_TAG_TEXT_MAX];
        return strcmp(pt_tag_format(x->tag, tx), pt_tag_format(y->tag, ty));
    }
    if (x->evidence != y->evidence)
        return x->evidence < y->evidence ? -1 : 1;
    c = strcmp(x->driver, y->driver);
    if (c != 0)
        return c;
    return x->call_rva < y->call_rva ? -1 : x->call_rva > y->call_rva;
}

static void csv_field(const char *s)
{
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s != '\0'; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void print_csv(const tags_run *r)
{
    size_t i;
    printf("driver,tag,evidence,api,function_rva,call_rva\n");
    for (i = 0; i < r->row_count; i++) {
        const tag_row *row = &r->rows[i];
        char text[PT_TAG_TEXT_MAX];
        csv_field(row->driver);
        putchar(',');
        csv_field(pt_tag_format(row->tag, text));
        printf(",%s,", pt_driver_evidence_name(row->evidence));
        if (row->evidence == PT_DRIVER_EV_CALLSITE) {
            csv_field(row->api);
            printf(",0x%" PRIX32 ",0x%" PRIX32 "\n", row->function_rva, row->call_rva);
        } else {
            printf(",,\n");
        }
    }
}

static size_t literal_files(const tags_run *r, pt_tag tag)
{
    size_t i, n = 0;
    for (i = 0; i < r->row_count; i++)
        if (r->rows[i].tag == tag && r->rows[i].evidence == PT_DRIVER_EV_LITERAL)
            n++;
    return n;
}

static void print_text(const tags_run *r)
{
    size_t i;
    pt_tag current = 0;
    int first = 1;

    for (i = 0; i < r->row_count; i++) {
        const tag_row *row = &r->rows[i];
        char text[PT_TAG_TEXT_MAX];
        if (first || row->tag != current) {
            current = row->tag;
            first = 0;
            printf("%sTag %s  (findstr /m /l would name %zu file(s))\n", i > 0 ? "\n" : "",
                   pt_tag_format(row->tag, text), literal_files(r, row->tag));
        }
        switch (row->evidence) {
        case PT_DRIVER_EV_CALLSITE:
            printf("  %-24s callsite  %s (%s) in function 0x%" PRIX32 " at 0x%" PRIX32 "\n",
                   row->name, row->api, row->how != NULL ? row->how : "", row->function_rva,
                   row->call_rva);
            break;
        case PT_DRIVER_EV_TAGFILE:
            printf("  %-24s tagfile   %s: %s - %s\n", row->name, row->api,
                   row->tag_text != NULL ? row->tag_text : "",
                   row->how != NULL ? row->how : "");
            break;
        case PT_DRIVER_EV_LITERAL:
            printf("  %-24s literal   %" PRIu64 " occurrence(s) in the file (weak)\n", row->name,
                   row->count);
            break;
        }
    }
    if (r->row_count == 0)
        printf("no evidence found\n");
}

static int usage(void)
{
    return tool_usage("tags");
}

int tool_tags(int argc, char **argv)
{
    const char **dirs = calloc((size_t)argc, sizeof *dirs);
    const char **tagfiles = calloc((size_t)argc, sizeof *tagfiles);
    size_t dir_count = 0, tagfile_count = 0, i;
    int csv = 0, a, rc = PT_OK;
    tags_run r;

    memset(&r, 0, sizeof r);
    pt_arena_init(&r.arena);
    if (dirs == NULL || tagfiles == NULL) {
        pt_error_set(&r.err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
        rc = tool_fail(&r.err);
        goto out;
    }
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--drivers") == 0 && a + 1 < argc) {
            dirs[dir_count++] = argv[++a];
        } else if (strcmp(argv[a], "--pooltag") == 0 && a + 1 < argc) {
            tagfiles[tagfile_count++] = argv[++a];
        } else if (strcmp(argv[a], "--tag") == 0 && a + 1 < argc) {
            a++;
            if (pt_tag_parse(argv[a], strlen(argv[a]), &r.tag) != 0) {
                fprintf(stderr, "pooltriage: \"%s\" is not a pool tag (1-4 characters)\n",
                        argv[a]);
                rc = PT_ERR_USAGE;
                goto out;
            }
            r.have_tag = 1;
        } else if (strcmp(argv[a], "--csv") == 0) {
            csv = 1;
        } else {
            rc = usage();
            goto out;
        }
    }
    if (dir_count == 0) {
        rc = usage();
        goto out;
    }
    for (i = 0; i < dir_count; i++)
        if (pt_pe_walk(dirs[i], remember_file, &r, &r.err) != PT_OK) {
            rc = tool_fail(&r.err);
            goto out;
        }
    if (scan_files(&r, 0) != PT_OK ||
        (!r.have_tag && r.union_count > 0 && scan_files(&r, 1) != PT_OK)) {
        rc = tool_fail(&r.err);
        goto out;
    }
    for (i = 0; i < tagfile_count; i++)
        if (read_tag_file(&r, tagfiles[i]) != PT_OK) {
            rc = tool_fail(&r.err);
            goto out;
        }
    if (r.row_count > 1)
        qsort(r.rows, r.row_count, sizeof *r.rows, row_order);
    if (csv)
        print_csv(&r);
    else
        print_text(&r);
    if (r.unreadable > 0)
        fprintf(stderr, "pooltriage: %zu of %zu file(s) could not be read as PE (named above)\n",
                r.unreadable, r.file_count);
out:
    free(dirs);
    free(tagfiles);
    free(r.rows);
    free(r.files);
    free(r.names);
    free(r.union_tags);
    pt_arena_free(&r.arena);
    return rc;
}
