/* archive_drivers.c - driver records in the archive: insert at import,
 * CSV export, candidate drivers per tag. */
#include "archive_drivers.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s != NULL)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static pt_status step(pt_archive *a, sqlite3_stmt *st, const char *what, pt_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? PT_OK : pt_archive_db_error(a, err, what);
}

static const char insert_driver_sql[] =
    "INSERT INTO drivers(case_id, source_id, name, path, size, sha256, mtime, error, machine, "
    "timestamp, timestamp_is_hash, checksum, checksum_computed, checksum_ok, size_of_image, "
    "subsystem, pdb_name, pdb_guid, pdb_age, file_version, product_version, file_type, "
    "file_subtype, company_name, file_description, file_version_text, product_name, "
    "product_version_text, original_filename, legal_copyright, signature, signer_subject, "
    "signer_issuer, signature_count, microsoft, analysis_note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, "
    "?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36)";

static pt_status insert_driver(pt_archive *a, int64_t case_id, int64_t source_id,
                               const struct pt_driver_record *rec, int64_t *id, pt_error *err)
{
    const pt_driver_strings *s = pt_driver_main_strings(rec);
    char fv[24], pv[24];
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(a, insert_driver_sql, &st, err);

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, source_id);
    bind_text(st, 3, rec->name != NULL ? rec->name : "");
    bind_text(st, 4, rec->path != NULL ? rec->path : "");
    sqlite3_bind_int64(st, 5, (int64_t)rec->size);
    bind_text(st, 6, rec->sha256[0] != '\0' ? rec->sha256 : NULL);
    sqlite3_bind_int64(st, 7, (int64_t)rec->mtime);
    bind_text(st, 8, rec->error);
    sqlite3_bind_int(st, 9, rec->machine);
    sqlite3_bind_int64(st, 10, rec->timestamp);
    sqlite3_bind_int(st, 11, rec->timestamp_is_hash);
    sqlite3_bind_int64(st, 12, rec->checksum);
    sqlite3_bind_int64(st, 13, rec->checksum_computed);
    sqlite3_bind_int(st, 14, rec->checksum_ok);
    sqlite3_bind_int64(st, 15, rec->size_of_image);
    sqlite3_bind_int(st, 16, rec->subsystem);
    bind_text(st, 17, rec->has_codeview ? rec->pdb_name : NULL);
    bind_text(st, 18, rec->has_codeview ? rec->codeview_guid : NULL);
    sqlite3_bind_int64(st, 19, rec->codeview_age);
    bind_text(st, 20, rec->has_version ? pt_pe_version_format(rec->file_version, fv) : NULL);
    bind_text(st, 21, rec->has_version ? pt_pe_version_format(rec->product_version, pv) : NULL);
    sqlite3_bind_int64(st, 22, rec->file_type);
    sqlite3_bind_int64(st, 23, rec->file_subtype);
    bind_text(st, 24, s != NULL ? s->company_name : NULL);
    bind_text(st, 25, s != NULL ? s->file_description : NULL);
    bind_text(st, 26, s != NULL ? s->file_version : NULL);
    bind_text(st, 27, s != NULL ? s->product_name : NULL);
    bind_text(st, 28, s != NULL ? s->product_version : NULL);
    bind_text(st, 29, s != NULL ? s->original_filename : NULL);
    bind_text(st, 30, s != NULL ? s->legal_copyright : NULL);
    bind_text(st, 31, rec->signature != NULL ? rec->signature : "none");
    bind_text(st, 32, rec->signer_subject);
    bind_text(st, 33, rec->signer_issuer);
    sqlite3_bind_int64(st, 34, rec->signature_count);
    sqlite3_bind_int(st, 35, pt_driver_is_microsoft(rec));
    bind_text(st, 36, rec->analysis_note);
    rc = step(a, st, "cannot store a driver", err);
    sqlite3_finalize(st);
    *id = sqlite3_last_insert_rowid(pt_archive_db(a));
    return rc;
}

static pt_status insert_strings(pt_archive *a, int64_t id, const struct pt_driver_record *rec,
                                pt_error *err)
{
    static const char *const keys[] = {"CompanyName",      "FileDescription", "FileVersion",
                                       "ProductName",      "ProductVersion",  "OriginalFilename",
                                       "LegalCopyright",   "InternalName"};
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(
        a, "INSERT INTO driver_strings(driver_id, lang, codepage, key, value) "
           "VALUES (?1, ?2, ?3, ?4, ?5)", &st, err);
    size_t i, k;

    for (i = 0; rc == PT_OK && i < rec->strings_count; i++) {
        const pt_driver_strings *t = &rec->strings[i];
        const char *values[] = {t->company_name,      t->file_description, t->file_version,
                                t->product_name,      t->product_version,  t->original_filename,
                                t->legal_copyright,   t->internal_name};
        for (k = 0; rc == PT_OK && k < sizeof keys / sizeof keys[0]; k++) {
            if (values[k] == NULL)
                continue;
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int(st, 2, t->lang);
            sqlite3_bind_int(st, 3, t->codepage);
            bind_text(st, 4, keys[k]);
            bind_text(st, 5, values[k]);
            rc = step(a, st, "cannot store a driver's version string", err);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static pt_status insert_imports(pt_archive *a, int64_t id, const struct pt_driver_record *rec,
                                pt_error *err)
{
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(
        a, "INSERT INTO driver_imports(driver_id, dll, name, ordinal, delayed) "
           "VALUES (?1, ?2, ?3, ?4, ?5)", &st, err);
    size_t i;

    for (i = 0; rc == PT_OK && i < rec->import_count; i++) {
        const pt_driver_import *imp = &rec->imports[i];
        sqlite3_bind_int64(st, 1, id);
        bind_text(st, 2, imp->dll != NULL ? imp->dll : "");
        bind_text(st, 3, imp->name);
        sqlite3_bind_int(st, 4, imp->ordinal);
        sqlite3_bind_int(st, 5, imp->delayed);
        rc = step(a, st, "cannot store a driver's import", err);
    }
    sqlite3_finalize(st);
    return rc;
}

static pt_status insert_tags(pt_archive *a, int64_t id, int64_t case_id,
                             const struct pt_driver_record *rec, pt_error *err)
{
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(
        a, "INSERT INTO driver_tags(driver_id, case_id, tag, evidence, api, how, function_rva, "
           "call_rva, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &st, err);
    size_t i;

    for (i = 0; rc == PT_OK && i < rec->tag_count; i++) {
        const pt_driver_tag *t = &rec->tags[i];
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, case_id);
        sqlite3_bind_int64(st, 3, t->tag);
        sqlite3_bind_int(st, 4, (int)t->evidence);
        bind_text(st, 5, t->api);
        bind_text(st, 6, t->how);
        sqlite3_bind_int64(st, 7, t->function_rva);
        sqlite3_bind_int64(st, 8, t->call_rva);
        sqlite3_bind_int64(st, 9, (int64_t)t->count);
        rc = step(a, st, "cannot store a driver's tag evidence", err);
    }
    sqlite3_finalize(st);
    return rc;
}

pt_status pt_archive_store_driver(pt_archive *a, int64_t case_id, int64_t source_id,
                                  const struct pt_driver_record *rec, pt_error *err)
{
    int64_t id = 0;
    pt_status rc = insert_driver(a, case_id, source_id, rec, &id, err);
    if (rc == PT_OK)
        rc = insert_strings(a, id, rec, err);
    if (rc == PT_OK)
        rc = insert_imports(a, id, rec, err);
    if (rc == PT_OK)
        rc = insert_tags(a, id, case_id, rec, err);
    return rc;
}

/* ---- export ------------------------------------------------------------- */

static void csv_text(FILE *out, const unsigned char *s)
{
    const char *t = (const char *)s;
    if (t == NULL)
        return;
    if (strpbrk(t, ",\"\r\n") == NULL) {
        fputs(t, out);
        return;
    }
    fputc('"', out);
    for (; *t != '\0'; t++) {
        if (*t == '"')
            fputc('"', out);
        fputc(*t, out);
    }
    fputc('"', out);
}

static int text_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

pt_status pt_export_drivers_csv(pt_archive *a, int64_t case_id, FILE *out, pt_error *err)
{
    /* The distinct call-site tags of each driver, in tag order, as text. */
    static const char sql[] =
        "SELECT d.name, d.path, d.size, d.sha256, d.machine, d.timestamp, d.timestamp_is_hash, "
        "d.checksum_ok, d.file_version, d.product_version, d.company_name, "
        "d.file_description, d.product_name, d.signature, d.signer_subject, d.microsoft, "
        "(SELECT group_concat(t.tag, ' ') FROM (SELECT DISTINCT tag FROM driver_tags "
        " WHERE driver_id = d.id AND evidence = 1 ORDER BY tag) t), d.error "
        "FROM drivers d WHERE d.case_id = ?1 ORDER BY d.name COLLATE NOCASE, d.path";
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(a, sql, &st, err);
    int step_rc;

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, case_id);
    fprintf(out, "name,path,size,sha256,machine,timestamp,timestamp_is_hash,checksum_ok,"
                 "file_version,product_version,company,description,product,signature,signer,"
                 "vendor,callsite_tags,error\n");
    while ((step_rc = sqlite3_step(st)) == SQLITE_ROW) {
        char mb[8], tags[1024] = "";
        const char *list = (const char *)sqlite3_column_text(st, 16);
        int col;
        /* The tag values become their text ("Leak"), space-separated, in
         * text order. */
        if (list != NULL) {
            char texts[64][PT_TAG_TEXT_MAX];
            size_t n = 0, pos = 0, k;
            const char *p = list;
            while (*p != '\0' && n < 64) {
                char *end;
                unsigned long long v = strtoull(p, &end, 10);
                if (end == p)
                    break;
                pt_tag_format((pt_tag)v, texts[n++]);
                p = *end == ' ' ? end + 1 : end;
            }
            qsort(texts, n, sizeof texts[0], text_cmp);
            for (k = 0; k < n && pos + PT_TAG_TEXT_MAX + 1 < sizeof tags; k++)
                pos += (size_t)snprintf(tags + pos, sizeof tags - pos, "%s%s", k ? " " : "",
                                        texts[k]);
        }
        for (col = 0; col < 4; col++) {
            csv_text(out, sqlite3_column_text(st, col));
            fputc(',', out);
        }
        fprintf(out, "%s,0x%08" PRIX32 ",%d,%d,",
                pt_pe_machine_name((uint16_t)sqlite3_column_int(st, 4), mb),
                (uint32_t)sqlite3_column_int64(st, 5), sqlite3_column_int(st, 6),
                sqlite3_column_int(st, 7));
        for (col = 8; col < 15; col++) {
            csv_text(out, sqlite3_column_text(st, col));
            fputc(',', out);
        }
        fprintf(out, "%s,", sqlite3_column_int(st, 15) ? "Microsoft" : "third-party");
        csv_text(out, (const unsigned char *)tags);
        fputc(',', out);
        csv_text(out, sqlite3_column_text(st, 17));
        fputc('\n', out);
    }
    if (step_rc != SQLITE_DONE)
        rc = pt_archive_db_error(a, err, "cannot read the case's drivers");
    sqlite3_finalize(st);
    return rc;
}

/* ---- candidates ----------------------------------------------------------- */

pt_status pt_archive_tag_candidates(pt_archive *a, int64_t case_id, pt_tag tag,
                                    pt_driver_candidate_fn fn, void *ctx,
                                    unsigned *findstr_count, pt_error *err)
{
    /* Each driver once, with its strongest (lowest evidence, then first
     * call) row; ordered strongest first, third-party before Microsoft. */
    static const char sql[] =
        "SELECT d.name, d.path, t.evidence, t.api, t.function_rva, t.call_rva, d.company_name, "
        "d.file_version, d.product_version, d.signer_subject, d.sha256, d.timestamp, "
        "d.timestamp_is_hash, d.microsoft FROM drivers d JOIN driver_tags t ON t.driver_id = d.id "
        "WHERE t.case_id = ?1 AND t.tag = ?2 AND t.rowid = (SELECT t2.rowid FROM driver_tags t2 "
        " WHERE t2.driver_id = d.id AND t2.tag = ?2 ORDER BY t2.evidence, t2.call_rva LIMIT 1) "
        "ORDER BY t.evidence, d.microsoft, d.name COLLATE NOCASE";
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(a, sql, &st, err);
    int step_rc;

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, tag);
    while ((step_rc = sqlite3_step(st)) == SQLITE_ROW) {
        pt_driver_candidate c;
        memset(&c, 0, sizeof c);
        c.name = (const char *)sqlite3_column_text(st, 0);
        c.path = (const char *)sqlite3_column_text(st, 1);
        c.evidence = sqlite3_column_int(st, 2);
        c.api = (const char *)sqlite3_column_text(st, 3);
        c.function_rva = (uint32_t)sqlite3_column_int64(st, 4);
        c.call_rva = (uint32_t)sqlite3_column_int64(st, 5);
        c.company = (const char *)sqlite3_column_text(st, 6);
        c.file_version = (const char *)sqlite3_column_text(st, 7);
        c.product_version = (const char *)sqlite3_column_text(st, 8);
        c.signer = (const char *)sqlite3_column_text(st, 9);
        c.sha256 = (const char *)sqlite3_column_text(st, 10);
        c.timestamp = (uint32_t)sqlite3_column_int64(st, 11);
        c.timestamp_is_hash = sqlite3_column_int(st, 12);
        c.microsoft = sqlite3_column_int(st, 13);
        rc = fn(ctx, &c);
        if (rc != PT_OK)
            break;
    }
    if (rc == PT_OK && step_rc != SQLITE_DONE)
        rc = pt_archive_db_error(a, err, "cannot read the tag's candidate drivers");
    sqlite3_finalize(st);
    if (rc != PT_OK || findstr_count == NULL)
        return rc;
    rc = pt_archive_prepare(a,
                            "SELECT count(DISTINCT driver_id) FROM driver_tags "
                            "WHERE case_id = ?1 AND tag = ?2 AND evidence = 3",
                            &st, err);
    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, tag);
    *findstr_count = sqlite3_step(st) == SQLITE_ROW ? (unsigned)sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return PT_OK;
}
