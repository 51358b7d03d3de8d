/* archive_export.c - CSV export of a case. */
#include <inttypes.h>
#include <string.h>

#include "archive_export.h"
#include "pt_evidence.h"

/* Samples numbered in time order, as the CTE every export starts from. */
#define CASE_SAMPLES                                                                      \
    "WITH s AS (SELECT id, time, source_name, row_first, row_count, "                       \
    "ROW_NUMBER() OVER (ORDER BY time, id) AS n FROM samples WHERE case_id = ?1) "

void pt_csv_field(FILE *out, const char *text)
{
    const char *p;
    if (text == NULL)
        return;
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (p = text; *p != '\0'; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

void pt_tag_text_escape(const char *text, char *out, size_t out_size)
{
    size_t o = 0;
    const unsigned char *p;

    for (p = (const unsigned char *)text; *p != '\0' && o + 5 < out_size; p++) {
        if (*p < 0x20 || *p >= 0x7F)
            o += (size_t)snprintf(out + o, out_size - o, "\\x%02X", *p);
        else
            out[o++] = (char)*p;
    }
    out[o] = '\0';
}

static void csv_u64(FILE *out, sqlite3_stmt *st, int col, int present)
{
    if (present)
        fprintf(out, "%" PRIu64, (uint64_t)sqlite3_column_int64(st, col));
}

static void csv_time(FILE *out, sqlite3_stmt *st, int col)
{
    char buf[32];
    pt_filetime t = (pt_filetime)sqlite3_column_int64(st, col);
    if (t != 0)
        fputs(pt_filetime_format(t, buf), out);
}

static pt_status run_export(pt_archive *a, int64_t case_id, const char *sql, FILE *out,
                            void (*row)(FILE *, sqlite3_stmt *), pt_error *err)
{
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(a, sql, &st, err);
    int step;

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, case_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        row(out, st);
    if (step != SQLITE_DONE)
        rc = pt_archive_db_error(a, err, "cannot read the case for export");
    sqlite3_finalize(st);
    if (rc == PT_OK && ferror(out))
        rc = pt_error_set(err, PT_ERR_IO, NULL, PT_NO_OFFSET, "cannot write the CSV file");
    return rc;
}

static void tag_row(FILE *out, sqlite3_stmt *st)
{
    char tag[64];
    unsigned has = (unsigned)sqlite3_column_int(st, 5);
    const char *pool = pt_pool_name((pt_pool)sqlite3_column_int(st, 4));

    pt_tag_text_escape((const char *)sqlite3_column_text(st, 3), tag, sizeof tag);
    fprintf(out, "%lld,", (long long)sqlite3_column_int64(st, 0));
    csv_time(out, st, 1);
    fputc(',', out);
    pt_csv_field(out, (const char *)sqlite3_column_text(st, 2));
    fputc(',', out);
    pt_csv_field(out, tag);
    fputc(',', out);
    pt_csv_field(out, pool);
    fputc(',', out);
    csv_u64(out, st, 6, (has & PT_HAS_ALLOCS) != 0);
    fputc(',', out);
    csv_u64(out, st, 7, (has & PT_HAS_FREES) != 0);
    fputc(',', out);
    csv_u64(out, st, 8, (has & PT_HAS_OUTSTANDING) != 0);
    fputc(',', out);
    csv_u64(out, st, 9, (has & PT_HAS_BYTES) != 0);
    fputc(',', out);
    pt_csv_field(out, (const char *)sqlite3_column_text(st, 10));
    fputc(',', out);
    pt_csv_field(out, (const char *)sqlite3_column_text(st, 11));
    fputs("\r\n", out);
}

pt_status pt_export_tags_csv(pt_archive *a, int64_t case_id, FILE *out, pt_error *err)
{
    fputs("sample,time,source,tag,pool,allocs,frees,outstanding,bytes,description,binary\r\n",
          out);
    return run_export(a, case_id,
                      CASE_SAMPLES
                      "SELECT s.n, s.time, s.source_name, t.text, r.pool, r.has, r.allocs, "
                      "r.frees, r.outstanding, r.bytes, r.description, r.binary "
                      "FROM s JOIN tag_rows r ON " PT_SAMPLE_TAG_ROWS " "
                      "JOIN tags t ON t.id = r.tag_id ORDER BY s.n, r.rowid",
                      out, tag_row, err);
}

static void counter_row(FILE *out, sqlite3_stmt *st)
{
    fprintf(out, "%lld,", (long long)sqlite3_column_int64(st, 0));
    csv_time(out, st, 1);
    fputc(',', out);
    pt_csv_field(out, (const char *)sqlite3_column_text(st, 2));
    fputc(',', out);
    pt_csv_field(out, (const char *)sqlite3_column_text(st, 3));
    fprintf(out, ",%" PRIu64 ",", (uint64_t)sqlite3_column_int64(st, 4));
    pt_csv_field(out, (const char *)sqlite3_column_text(st, 5));
    fputs("\r\n", out);
}

pt_status pt_export_counters_csv(pt_archive *a, int64_t case_id, FILE *out, pt_error *err)
{
    fputs("sample,time,source,name,value,unit\r\n", out);
    return run_export(a, case_id,
                      CASE_SAMPLES
                      "SELECT s.n, s.time, s.source_name, c.name, c.value, c.unit "
                      "FROM s JOIN counters c ON c.sample_id = s.id ORDER BY s.n, c.seq",
                      out, counter_row, err);
}

static void suspect_row(FILE *out, sqlite3_stmt *st)
{
    char tag[64];
    pt_tag_text_escape((const char *)sqlite3_column_text(st, 1), tag, sizeof tag);
    fprintf(out, "%lld,", (long long)sqlite3_column_int64(st, 0));
    pt_csv_field(out, tag);
    fputc(',', out);
    pt_csv_field(out, pt_pool_name((pt_pool)sqlite3_column_int(st, 2)));
    fprintf(out, ",%" PRIu64 ",%.0f,%.4f,%.4f,", (uint64_t)sqlite3_column_int64(st, 3),
            sqlite3_column_double(st, 4), sqlite3_column_double(st, 5),
            sqlite3_column_double(st, 6));
    pt_csv_field(out, (const char *)sqlite3_column_text(st, 7));
    fputs("\r\n", out);
}

pt_status pt_export_suspects_csv(pt_archive *a, int64_t case_id, FILE *out, pt_error *err)
{
    fputs("rank,tag,pool,bytes,growth_bytes_per_hour,persistence,share,verdict\r\n", out);
    return run_export(a, case_id,
                      "SELECT rank, tag_text, pool, bytes, growth_bytes_per_hour, persistence, "
                      "share, verdict FROM suspects WHERE case_id = ?1 ORDER BY rank",
                      out, suspect_row, err);
}

static void module_row(FILE *out, sqlite3_stmt *st)
{
    fprintf(out, "%lld,", (long long)sqlite3_column_int64(st, 0));
    pt_csv_field(out, (const char *)sqlite3_column_text(st, 1));
    fprintf(out, ",0x%016" PRIx64 ",%" PRIu64 ",0x%08" PRIx64 ",0x%08" PRIx64 "\r\n",
            (uint64_t)sqlite3_column_int64(st, 2), (uint64_t)sqlite3_column_int64(st, 3),
            (uint64_t)sqlite3_column_int64(st, 4), (uint64_t)sqlite3_column_int64(st, 5));
}

pt_status pt_export_modules_csv(pt_archive *a, int64_t case_id, FILE *out, pt_error *err)
{
    fputs("sample,name,base,size,timestamp,checksum\r\n", out);
    return run_export(a, case_id,
                      CASE_SAMPLES
                      "SELECT s.n, m.name, m.base, m.size, m.timestamp, m.checksum "
                      "FROM s JOIN modules m ON m.sample_id = s.id ORDER BY s.n, m.rowid",
                      out, module_row, err);
}
