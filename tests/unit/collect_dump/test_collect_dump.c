/* test_collect_dump.c - crash dumps through the real programs (issue 4):
 * `pooltriage-collect --dump` whole and `--dump-reduce` on 16 GiB sparse
 * generated dumps, `pooltriage import` into fresh archives, and the
 * exported tags, counters and modules byte-identical between the two and
 * equal to what the generator put in; the dump is one sample at the crash
 * time with its modules and big allocations.  And the report of a case
 * whose only dump is a triage dump, with driver files collected from disk
 * that differ from the loaded modules. */
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "archive.h"
#include "case_report.h"
#include "dump_gen_check.h"

static char collect_tool[1024], pooltriage_tool[1024];

static int setup_tools(void)
{
    const char *build = getenv("PT_BUILD_DIR");
    if (build == NULL) {
        fprintf(stderr, "PT_BUILD_DIR is not set (run through ctest)\n");
        return -1;
    }
    snprintf(collect_tool, sizeof collect_tool, "%s/collector/pooltriage-collect", build);
    snprintf(pooltriage_tool, sizeof pooltriage_tool, "%s/analyzer/pooltriage", build);
    return 0;
}

/* Runs a shell command line; returns its exit status (-1 if it did not exit). */
static int run(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static int run(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    int status;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    status = system(cmd);
    if (status != 0)
        fprintf(stderr, "  `%s` gave status %d\n", cmd, status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A whole file into memory (test outputs are small); NULL if unreadable. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)n, f);
        buf[*len] = '\0';
    }
    fclose(f);
    return buf;
}

static void check_same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    PT_CHECK(x != NULL && y != NULL);
    if (x != NULL && y != NULL) {
        PT_CHECK_U64(la, lb);
        PT_CHECK(la == lb && memcmp(x, y, la) == 0);
        if (la != lb || memcmp(x, y, la) != 0)
            fprintf(stderr, "  %s and %s differ\n", a, b);
    }
    free(x);
    free(y);
}

/* ---- CSV ---- */

#define CSV_MAX_FIELDS 16

typedef struct csv_line {
    char text[1024];
    const char *f[CSV_MAX_FIELDS];
    size_t n;
} csv_line;

/* Splits one CRLF-ended line (fields quoted with "" when they must be). */
static const char *csv_next(const char *p, csv_line *line)
{
    char *o = line->text, *end = line->text + sizeof line->text - 1;
    line->n = 0;
    if (*p == '\0')
        return NULL;
    line->f[line->n++] = o;
    while (*p != '\0' && *p != '\n' && o < end) {
        if (*p == '"') {
            for (p++; *p != '\0' && o < end; p++) {
                if (*p == '"' && p[1] == '"')
                    *o++ = *p++;
                else if (*p == '"')
                    break;
                else
                    *o++ = *p;
            }
            if (*p == '"')
                p++;
        } else if (*p == ',') {
            *o++ = '\0';
            p++;
            if (line->n < CSV_MAX_FIELDS)
                line->f[line->n++] = o;
        } else if (*p == '\r') {
            p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return *p == '\n' ? p + 1 : p;
}

static void tag_text(uint32_t key, char out[5])
{
    unsigned i;
    for (i = 0; i < 4; i++)
        out[i] = (char)(key >> (8 * i));
    out[4] = '\0';
}

/* Every tag row as generated, each (tag, pool) once, all in sample 1 at the
 * crash time. */
static void check_tags_csv(const char *path, const dumpgen *g, const dumpgen_spec *s)
{
    size_t len = 0, rows = 0, expect = 0;
    char *text = slurp(path, &len), when[32];
    const char *p;
    csv_line line;
    unsigned i;
    int pool;

    PT_CHECK(text != NULL);
    if (text == NULL)
        return;
    pt_filetime_format(s->system_time, when);
    p = csv_next(text, &line);
    PT_CHECK_STR(line.f[0], "sample");
    while (p != NULL && (p = csv_next(p, &line)) != NULL) {
        const dg_tag *t = NULL;
        char name[5];
        PT_CHECK_U64(line.n, 11);
        if (line.n != 11)
            continue;
        rows++;
        PT_CHECK_STR(line.f[0], "1");
        PT_CHECK_STR(line.f[1], when);
        for (i = 0; i < s->ntags; i++) {
            tag_text(s->tags[i].key, name);
            if (strcmp(name, line.f[3]) == 0)
                t = &s->tags[i];
        }
        PT_CHECK(t != NULL);
        if (t == NULL)
            continue;
        pool = strcmp(line.f[4], "paged") == 0;
        PT_CHECK(pool || strcmp(line.f[4], "nonpaged") == 0);
        PT_CHECK_U64(strtoull(line.f[5], NULL, 10), pool ? t->p_allocs : t->np_allocs);
        PT_CHECK_U64(strtoull(line.f[6], NULL, 10), pool ? t->p_frees : t->np_frees);
        PT_CHECK_U64(strtoull(line.f[7], NULL, 10),
                     pool ? (t->p_allocs - t->p_frees) & wmask(dumpgen_field_width(g, 3))
                          : (t->np_allocs - t->np_frees) & wmask(dumpgen_field_width(g, 0)));
        PT_CHECK_U64(strtoull(line.f[8], NULL, 10), pool ? t->p_bytes : t->np_bytes);
    }
    for (i = 0; i < s->ntags; i++)
        for (pool = 0; pool < 2; pool++)
            if (pool ? (s->tags[i].p_allocs | s->tags[i].p_frees | s->tags[i].p_bytes)
                     : (s->tags[i].np_allocs | s->tags[i].np_frees | s->tags[i].np_bytes))
                expect++;
    PT_CHECK_U64(rows, expect);
    free(text);
}

/* The !vm counters the KDBG exposes (max bytes shown in pages, as !vm
 * does) and the tracked totals; nothing else. */
static void check_counters_csv(const char *path, const dumpgen *g, const dumpgen_spec *s)
{
    size_t len = 0, rows = 0, expect = 2;
    char *text = slurp(path, &len);
    const char *p;
    csv_line line;
    uint64_t np = 0, pg = 0;
    unsigned i;

    PT_CHECK(text != NULL);
    if (text == NULL)
        return;
    for (i = 0; i < s->ntags; i++) {
        np += s->tags[i].np_bytes;
        pg += s->tags[i].p_bytes;
    }
    for (i = 0; i < DG_CTR_COUNT; i++)
        expect += dumpgen_counter_exposed(g, (int)i) != 0;
    p = csv_next(text, &line);
    PT_CHECK_STR(line.f[0], "sample");
    while (p != NULL && (p = csv_next(p, &line)) != NULL) {
        uint64_t want = 0;
        int known = 0;
        PT_CHECK_U64(line.n, 6);
        if (line.n != 6)
            continue;
        rows++;
        if (strcmp(line.f[3], "NonPagedPool Tracked Bytes") == 0) {
            want = np & wmask(dumpgen_field_width(g, 2));
            known = 1;
        } else if (strcmp(line.f[3], "PagedPool Tracked Bytes") == 0) {
            want = pg & wmask(dumpgen_field_width(g, 5));
            known = 1;
        }
        for (i = 0; i < DG_CTR_COUNT && !known; i++)
            if (strcmp(line.f[3], dg_counter_names[i]) == 0 && dumpgen_counter_exposed(g, (int)i)) {
                want = s->counters[i];
                if (i == DG_CTR_NP_MAX_BYTES || i == DG_CTR_PAGED_MAX_BYTES)
                    want /= 0x1000;
                known = 1;
            }
        PT_CHECK(known);
        if (!known)
            fprintf(stderr, "  unexpected counter %s\n", line.f[3]);
        PT_CHECK_U64(strtoull(line.f[4], NULL, 10), want);
    }
    PT_CHECK_U64(rows, expect);
    free(text);
}

static uint64_t module_base(const dumpgen *g, const dumpgen_spec *s, unsigned i)
{
    if (s->modules[i].base != 0)
        return s->modules[i].base;
    if (i == 0)
        return dumpgen_addr(g, DG_ADDR_KERNEL_BASE);
    return (dumpgen_pointer_size(g) == 8 ? 0xFFFFF80013000000ull : 0x8A000000ull) +
           0x100000ull * i;
}

/* `export --modules`: sample,name,base,size,timestamp,checksum in the
 * dump's list order, exactly as generated. */
static void check_modules_csv(const char *path, const dumpgen *g, const dumpgen_spec *s)
{
    size_t len = 0;
    unsigned i = 0;
    char *text = slurp(path, &len), want[256];
    const char *p;
    csv_line line;

    PT_CHECK(text != NULL);
    if (text == NULL)
        return;
    PT_CHECK(strncmp(text, "sample,name,base,size,timestamp,checksum\r\n", 42) == 0);
    p = csv_next(text, &line);
    while (p != NULL && (p = csv_next(p, &line)) != NULL) {
        const dg_module *m = &s->modules[i];
        PT_CHECK(i < s->nmodules);
        if (i >= s->nmodules)
            break;
        PT_CHECK_U64(line.n, 6);
        snprintf(want, sizeof want, "1|%s|0x%016llx|%u|0x%08x|0x%08x", m->name,
                 (unsigned long long)module_base(g, s, i), m->size, m->timestamp, m->checksum);
        {
            char got[1100];
            snprintf(got, sizeof got, "%s|%s|%s|%s|%s|%s", line.f[0], line.f[1], line.f[2],
                     line.f[3], line.f[4], line.f[5]);
            PT_CHECK_STR(got, want);
        }
        i++;
    }
    PT_CHECK_U64(i, s->nmodules);
    free(text);
}

/* ---- the archive: one sample at the crash time, modules, big allocations ---- */

static int64_t query_int(pt_archive *a, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(pt_archive_db(a), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void check_archive(const char *db, const dumpgen_spec *s)
{
    pt_archive *a = NULL;
    pt_error err;
    sqlite3_stmt *st = NULL;
    unsigned i, seen = 0;

    PT_CHECK_U64(pt_archive_open(db, PT_ARCHIVE_OPEN_EXISTING, &a, &err), PT_OK);
    if (a == NULL)
        return;
    PT_CHECK_U64(query_int(a, "SELECT COUNT(*) FROM samples"), 1);
    PT_CHECK_U64(query_int(a, "SELECT kind FROM samples"), PT_KIND_DUMP);
    PT_CHECK_U64(query_int(a, "SELECT time FROM samples"), s->system_time);
    PT_CHECK_U64(query_int(a, "SELECT time_origin = 'crash' FROM samples"), 1);
    PT_CHECK_U64(query_int(a, "SELECT COUNT(*) FROM modules"), s->nmodules);
    PT_CHECK_U64(query_int(a, "SELECT COUNT(*) FROM allocations"), s->nbig);
    PT_CHECK(sqlite3_prepare_v2(pt_archive_db(a),
                                "SELECT address, tag, pool, size, freed FROM allocations",
                                -1, &st, NULL) == SQLITE_OK);
    while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        uint64_t va = (uint64_t)sqlite3_column_int64(st, 0);
        for (i = 0; i < s->nbig; i++) {
            const dg_big *b = &s->big[i];
            pt_pool pool = (b->pool_type & 1) ? PT_POOL_PAGED : PT_POOL_NONPAGED;
            if (b->va != va)
                continue;
            if (b->pool_type & 0x20)
                pool = pool == PT_POOL_PAGED ? PT_POOL_SESSION_PAGED : PT_POOL_SESSION_NONPAGED;
            seen++;
            PT_CHECK_U64(sqlite3_column_int64(st, 1), b->key);
            PT_CHECK_U64(sqlite3_column_int(st, 2), pool);
            PT_CHECK_U64(sqlite3_column_int64(st, 3), b->size);
            PT_CHECK_U64(sqlite3_column_int(st, 4), b->freed != 0);
        }
    }
    sqlite3_finalize(st);
    PT_CHECK_U64(seen, s->nbig);
    pt_archive_close(a);
}

/* Collects the dump (whole or reduced), imports it into a fresh archive and
 * exports the three CSVs; returns the bundle's size. */
static uint64_t collect_import_export(const char *dump, const char *label, int reduce,
                                      char *db, size_t dbn)
{
    char bundle[600], dir[512];
    struct stat st;

    snprintf(dir, sizeof dir, "%s", gen_tmpdir());
    snprintf(bundle, sizeof bundle, "%s/%s.ptb", dir, label);
    snprintf(db, dbn, "%s/%s.db", dir, label);
    unlink(bundle);
    unlink(db);
    PT_CHECK_U64(run("'%s' --dump '%s' %s -o '%s' 2>/dev/null", collect_tool, dump,
                     reduce ? "--dump-reduce" : "", bundle),
                 0);
    PT_CHECK_U64(run("'%s' import '%s' --case C --db '%s' >/dev/null", pooltriage_tool, bundle,
                     db),
                 0);
    PT_CHECK_U64(run("'%s' export C --db '%s' --tags '%s/%s-tags.csv' --counters "
                     "'%s/%s-counters.csv' --modules '%s/%s-modules.csv' >/dev/null",
                     pooltriage_tool, db, dir, label, dir, label, dir, label),
                 0);
    if (stat(bundle, &st) != 0)
        return 0;
    unlink(bundle);
    return (uint64_t)st.st_size;
}

static void csv_path(char *out, size_t n, const char *label, const char *what)
{
    snprintf(out, n, "%s/%s-%s.csv", gen_tmpdir(), label, what);
}

static void whole_and_reduced(dumpgen_spec *s, const char *name)
{
    static const char *const what[] = {"tags", "counters", "modules"};
    char path[512], db_whole[600], db_reduced[600], a[600], b[600];
    dumpgen *g = NULL;
    uint64_t size_whole, size_reduced;
    unsigned i;

    PT_CHECK(gen_write(s, name, path, sizeof path, &g) == 0);
    if (g == NULL)
        return;
    size_whole = collect_import_export(path, "whole", 0, db_whole, sizeof db_whole);
    size_reduced = collect_import_export(path, "reduced", 1, db_reduced, sizeof db_reduced);
    printf("%s: whole bundle %.2f MiB, reduced %.3f MiB\n", name,
           (double)size_whole / (1 << 20), (double)size_reduced / (1 << 20));
    PT_CHECK(size_reduced > 0 && size_reduced < (4u << 20));
    PT_CHECK(size_whole > size_reduced);
    for (i = 0; i < 3; i++) {
        csv_path(a, sizeof a, "whole", what[i]);
        csv_path(b, sizeof b, "reduced", what[i]);
        check_same_file(a, b);
    }
    csv_path(a, sizeof a, "reduced", "tags");
    check_tags_csv(a, g, s);
    csv_path(a, sizeof a, "reduced", "counters");
    check_counters_csv(a, g, s);
    csv_path(a, sizeof a, "reduced", "modules");
    check_modules_csv(a, g, s);
    check_archive(db_whole, s);
    check_archive(db_reduced, s);
    dumpgen_free(g);
    unlink(path);
}

static void test_full_16g_whole_and_reduced(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    dumpgen_set_memory(&s, 16ull << 30);
    s.scatter = 1;
    whole_and_reduced(&s, "MEMORY.DMP");
}

static void test_bitmap_16g_whole_and_reduced(void)
{
    dumpgen_spec s;
    dumpgen_default_spec(&s, DG_X64, 22000, DG_BITMAP);
    dumpgen_set_memory(&s, 16ull << 30);
    s.scatter = 1;
    s.kdbg_encoded = 1;
    whole_and_reduced(&s, "MEMORY.DMP");
}

/* ---- the report of a case holding a triage dump ---- */

/* A drivers member as `pooltriage-collect --drivers` writes it
 * (schema/drivers-metadata.md), for the given module with the given
 * TimeDateStamp and SizeOfImage on disk. */
static void put_driver(FILE *f, const char *name, uint32_t timestamp, uint32_t size_of_image)
{
    fprintf(f, "driver\tC:\\\\Windows\\\\System32\\\\drivers\\\\%s\n", name);
    fprintf(f, "name\t%s\nsize\t%u\nmachine\t0x8664\t1\n", name, size_of_image - 0x400);
    fprintf(f, "timestamp\t0x%08X\ttime\nchecksum\t0x0\t0x0\tok\n", timestamp);
    fprintf(f, "image\t0x%X\t1\t0x22\t0x160\t0x140000000\t0x1000\t5\nend\n", size_of_image);
}

static int write_drivers_member(const char *path, const dumpgen_spec *s)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs("#pooltriage-drivers\t1\n", f);
    /* hal.dll: another build on disk (TimeDateStamp differs) */
    put_driver(f, "hal.dll", s->modules[1].timestamp + 0x100, s->modules[1].size);
    /* CLFS.SYS: the very image that was loaded (name in other case) */
    put_driver(f, "clfs.sys", s->modules[2].timestamp, s->modules[2].size);
    /* leakdrv.sys: two files of that name, neither the loaded one */
    put_driver(f, "leakdrv.sys", s->modules[3].timestamp, s->modules[3].size + 0x2000);
    put_driver(f, "leakdrv.sys", s->modules[3].timestamp - 1, s->modules[3].size);
    /* ntoskrnl.exe and rdpbus.sys: not collected, nothing to say */
    return fclose(f) == 0 ? 0 : -1;
}

static const pt_report_module *report_module(const pt_report *r, const char *base_name)
{
    size_t i, n = strlen(base_name);
    for (i = 0; i < r->module_count; i++) {
        size_t m = strlen(r->modules[i].name);
        if (m >= n && strcmp(r->modules[i].name + m - n, base_name) == 0)
            return &r->modules[i];
    }
    return NULL;
}

static void build_report(const char *db, pt_report *r)
{
    pt_archive *a = NULL;
    pt_error err;
    pt_report_init(r);
    PT_CHECK_U64(pt_archive_open(db, PT_ARCHIVE_OPEN_EXISTING, &a, &err), PT_OK);
    if (a == NULL)
        return;
    PT_CHECK_U64(pt_case_build_report(a, "T", r, &err), PT_OK);
    pt_archive_close(a);
}

static void test_triage_report(void)
{
    dumpgen_spec s;
    dumpgen *g;
    char dump[600], meta[600], bundle[600], db[600], mods[600];
    pt_report r;
    const pt_report_module *m;
    char want[160];

    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    g = dumpgen_create(&s);
    PT_CHECK(g != NULL);
    if (g == NULL)
        return;
    gen_path(dump, sizeof dump, "Mini112626-01.dmp");
    gen_path(meta, sizeof meta, "metadata.txt");
    gen_path(bundle, sizeof bundle, "triage.ptb");
    gen_path(db, sizeof db, "triage.db");
    gen_path(mods, sizeof mods, "triage-modules.csv");
    PT_CHECK(dumpgen_write_triage(g, dump) == 0);
    PT_CHECK(write_drivers_member(meta, &s) == 0);
    PT_CHECK_U64(run("'%s' --dump '%s' '%s' -o '%s' 2>/dev/null", collect_tool, dump, meta,
                     bundle),
                 0);
    PT_CHECK_U64(run("'%s' import '%s' --case T --db '%s' >/dev/null", pooltriage_tool, bundle,
                     db),
                 0);
    PT_CHECK_U64(run("'%s' export T --db '%s' --modules '%s' >/dev/null", pooltriage_tool, db,
                     mods),
                 0);
    check_modules_csv(mods, g, &s);

    build_report(db, &r);
    PT_CHECK(r.summary != NULL && strncmp(r.summary, "No verdict: this case holds only 1 "
                                                     "triage (small memory) dump",
                                          60) == 0);
    PT_CHECK_U64(r.suspect_count, 0);
    PT_CHECK(r.warning_count >= 1);
    if (r.warning_count >= 1)
        PT_CHECK(strstr(r.warnings[0], "only evidence is 1 triage (small memory) dump") != NULL);
    PT_CHECK_U64(r.module_count, s.nmodules);
    m = report_module(&r, "\\hal.dll");
    PT_CHECK(m != NULL);
    if (m != NULL) {
        snprintf(want, sizeof want, "loaded timestamp 0x%08X size 0x%X, on disk 0x%08X 0x%X",
                 s.modules[1].timestamp, s.modules[1].size, s.modules[1].timestamp + 0x100,
                 s.modules[1].size);
        PT_CHECK_STR(m->disk_note, want);
    }
    m = report_module(&r, "\\CLFS.SYS");
    PT_CHECK(m != NULL && m->disk_note == NULL);
    m = report_module(&r, "\\leakdrv.sys");
    PT_CHECK(m != NULL);
    if (m != NULL) {
        snprintf(want, sizeof want, "loaded timestamp 0x%08X size 0x%X, on disk 0x%08X 0x%X",
                 s.modules[3].timestamp, s.modules[3].size, s.modules[3].timestamp,
                 s.modules[3].size + 0x2000);
        PT_CHECK_STR(m->disk_note, want);
    }
    m = report_module(&r, "\\ntoskrnl.exe");
    PT_CHECK(m != NULL && m->disk_note == NULL);
    m = report_module(&r, "\\rdpbus.sys");
    PT_CHECK(m != NULL && m->disk_note == NULL);
    pt_report_free(&r);
    dumpgen_free(g);
}

/* A triage dump beside a full dump: the verdict comes from the full dump,
 * and a warning says the triage dump added no pool data. */
static void test_triage_beside_full_dump(void)
{
    dumpgen_spec s;
    dumpgen *g;
    char triage[600], full[600], bundle[600], db[600];
    pt_report r;

    dumpgen_default_spec(&s, DG_X64, 19041, DG_FULL);
    g = dumpgen_create(&s);
    PT_CHECK(g != NULL);
    if (g == NULL)
        return;
    gen_path(triage, sizeof triage, "Mini-beside.dmp");
    gen_path(full, sizeof full, "MEMORY-beside.DMP");
    gen_path(bundle, sizeof bundle, "beside.ptb");
    gen_path(db, sizeof db, "beside.db");
    PT_CHECK(dumpgen_write_triage(g, triage) == 0);
    PT_CHECK(dumpgen_write(g, full) == 0);
    PT_CHECK_U64(run("'%s' --dump '%s' --dump '%s' -o '%s' 2>/dev/null", collect_tool, triage,
                     full, bundle),
                 0);
    PT_CHECK_U64(run("'%s' import '%s' --case T --db '%s' >/dev/null", pooltriage_tool, bundle,
                     db),
                 0);
    build_report(db, &r);
    PT_CHECK(r.summary != NULL && strstr(r.summary, "Tag 'Leak' (nonpaged)") != NULL);
    PT_CHECK(r.warning_count >= 1);
    if (r.warning_count >= 1)
        PT_CHECK_STR(r.warnings[0], "1 triage (small memory) dump of this case holds no pool "
                                    "data: it adds the loaded drivers and the bugcheck, not "
                                    "tag usage.");
    pt_report_free(&r);
    dumpgen_free(g);
}

static size_t count_lines(const char *path)
{
    size_t len = 0, n = 0, i;
    char *text = slurp(path, &len);
    for (i = 0; text != NULL && i < len; i++)
        n += text[i] == '\n';
    free(text);
    return n;
}

/* The real triage dumps (shared/data/real/dumps/README.md): collected whole
 * and reduced they export the same driver list, DriverCount modules long,
 * and their case report gives no verdict. */
static void real_triage(const char *file, size_t driver_count, const char *module_line)
{
    char path[4096], a[600], b[600], db_whole[600], db_reduced[600];
    size_t len = 0;
    char *text;
    pt_report r;

    snprintf(path, sizeof path, "%s", pt_test_path("PT_REAL_DATA", file));
    collect_import_export(path, "real-whole", 0, db_whole, sizeof db_whole);
    collect_import_export(path, "real-reduced", 1, db_reduced, sizeof db_reduced);
    csv_path(a, sizeof a, "real-whole", "modules");
    csv_path(b, sizeof b, "real-reduced", "modules");
    check_same_file(a, b);
    PT_CHECK_U64(count_lines(b), driver_count + 1);
    text = slurp(b, &len);
    PT_CHECK(text != NULL);
    if (text != NULL && module_line != NULL)
        PT_CHECK(strstr(text, module_line) != NULL);
    free(text);
    csv_path(a, sizeof a, "real-whole", "tags");
    csv_path(b, sizeof b, "real-reduced", "tags");
    check_same_file(a, b);
    PT_CHECK_U64(count_lines(b), 1);
    /* the report of the case (collect_import_export names it "C") */
    {
        pt_archive *ar = NULL;
        pt_error err;
        pt_report_init(&r);
        PT_CHECK_U64(pt_archive_open(db_reduced, PT_ARCHIVE_OPEN_EXISTING, &ar, &err), PT_OK);
        if (ar != NULL) {
            PT_CHECK_U64(pt_case_build_report(ar, "C", &r, &err), PT_OK);
            pt_archive_close(ar);
        }
        PT_CHECK(r.summary != NULL && strncmp(r.summary, "No verdict: this case holds only 1 "
                                                         "triage (small memory) dump", 60) == 0);
        PT_CHECK_U64(r.module_count, driver_count);
        pt_report_free(&r);
    }
}

static void test_real_triage_dumps(void)
{
    /* amdppm.sys: driver-list entry 143, base 0xFFFFF8048B580000, size 0x3B000 */
    real_triage("dumps/triage_x64.dmp", 151, ",0xfffff8048b580000,241664,");
    real_triage("dumps/triage_arm64.dmp", 245, NULL);
}

int main(void)
{
    static const pt_test_case cases[] = {
        PT_TEST(test_full_16g_whole_and_reduced),
        PT_TEST(test_bitmap_16g_whole_and_reduced),
        PT_TEST(test_triage_report),
        PT_TEST(test_triage_beside_full_dump),
        PT_TEST(test_real_triage_dumps),
    };
    if (setup_tools() != 0)
        return 2;
    return pt_test_run(cases, sizeof cases / sizeof cases[0]);
}
