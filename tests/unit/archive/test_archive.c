/* test_archive.c - opening, schema versions, idempotence and atomicity of
 * the archive, through the import sink. */
#include "archive.h"
#include "archive_fixture.h"
#include "archive_schema.h"
#include "archive_tags.h"
#include "pt_test.h"

static void test_new_archive_has_the_latest_schema(void)
{
    char path[4096];
    pt_archive *a = NULL;
    pt_error err;
    sqlite3_stmt *st = NULL;

    fixture_path("archive-new.db", path, sizeof path);
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_ERR_NOT_FOUND);
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(pt_archive_schema_latest() >= 1);
    PT_CHECK(pt_archive_schema_version(a) == pt_archive_schema_latest());
    PT_CHECK(pt_archive_prepare(a, "SELECT version, name FROM schema_version ORDER BY version",
                                &st, &err) == PT_OK);
    PT_CHECK(sqlite3_step(st) == SQLITE_ROW);
    PT_CHECK(sqlite3_column_int(st, 0) == 1);
    PT_CHECK_STR((const char *)sqlite3_column_text(st, 1), "001_initial.sql");
    sqlite3_finalize(st);
    pt_archive_close(a);
    /* Reopening an archive of the current version changes nothing. */
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_OK);
    PT_CHECK(a != NULL && pt_archive_schema_version(a) == pt_archive_schema_latest());
    pt_archive_close(a);
    unlink(path);
}

static void test_newer_schema_is_refused_and_untouched(void)
{
    char path[4096];
    pt_archive *a = NULL;
    pt_error err;
    unsigned char *before;
    size_t len;

    fixture_path("archive-newer.db", path, sizeof path);
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(pt_archive_exec(a, "INSERT INTO schema_version VALUES (99, '099_future.sql', 'x')",
                             &err) == PT_OK);
    pt_archive_close(a);
    before = fixture_slurp(path, &len);
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_CREATE, &a, &err) == PT_ERR_SCHEMA);
    PT_CHECK(a == NULL);
    PT_CHECK(strstr(err.message, "schema version 99") != NULL);
    PT_CHECK(strstr(err.message, path) != NULL);
    PT_CHECK(fixture_same(path, before, len));
    free(before);
    unlink(path);
}

static void test_not_an_archive(void)
{
    char path[4096];
    pt_archive *a = NULL;
    pt_error err;
    FILE *f;
    static const unsigned char junk[600] = "this is a poolmon text, not an archive";

    fixture_path("archive-junk.db", path, sizeof path);
    f = fopen(path, "wb");
    PT_CHECK(f != NULL);
    if (f == NULL)
        return;
    fwrite(junk, 1, sizeof junk, f);
    fclose(f);
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_CREATE, &a, &err) == PT_ERR_FORMAT);
    PT_CHECK(strstr(err.message, "not a pooltriage archive") != NULL);
    PT_CHECK(fixture_same(path, junk, sizeof junk));
    unlink(path);

    /* An SQLite file of someone else's. */
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(pt_archive_exec(a, "DROP TABLE schema_version", &err) == PT_OK);
    pt_archive_close(a);
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_ERR_SCHEMA);
    unlink(path);
}

static void test_same_bundle_twice_changes_nothing(void)
{
    char path[4096];
    pt_archive *a = NULL;
    pt_import *im = NULL;
    pt_import_bundle_info bi;
    pt_error err;
    unsigned char *before;
    size_t len;
    int already = -1;

    fixture_path("archive-twice.db", path, sizeof path);
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(fixture_load_series(a, "twice", 3, 20, NULL, &err) == PT_OK);
    pt_archive_close(a);
    before = fixture_slurp(path, &len);
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_OK);
    PT_CHECK(pt_import_begin(a, "another-case", &im, &err) == PT_OK);
    memset(&bi, 0, sizeof bi);
    bi.sha256 = "5e51e5"; /* the identity fixture_load_series used */
    PT_CHECK(pt_import_add_bundle(im, &bi, &already, &err) == PT_OK);
    PT_CHECK(already == 1);
    pt_import_abort(im);
    pt_archive_close(a);
    PT_CHECK(fixture_same(path, before, len));
    free(before);
    unlink(path);
}

/* A load that fails after writing enough to spill pages into the file:
 * the rollback must restore it byte for byte. */
static void test_failed_load_leaves_the_file_as_it_was(void)
{
    char path[4096];
    pt_archive *a = NULL;
    pt_import *im = NULL;
    const pt_sink *sink;
    pt_sample_info info;
    pt_tag_row row;
    pt_error err;
    unsigned char *before;
    size_t len;
    unsigned s, i;
    pt_status rc = PT_OK;

    fixture_path("archive-atomic.db", path, sizeof path);
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(fixture_load_series(a, "first", 4, 100, NULL, &err) == PT_OK);
    pt_archive_close(a);
    before = fixture_slurp(path, &len);

    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_OK);
    PT_CHECK(pt_archive_exec(a, "PRAGMA cache_size = 16", &err) == PT_OK); /* force spills */
    PT_CHECK(pt_import_begin(a, "second", &im, &err) == PT_OK);
    PT_CHECK(fixture_bundle_source(im, "b0b0", "poolmon/big", "poolmon", &err) == PT_OK);
    sink = pt_import_sink(im);
    memset(&info, 0, sizeof info);
    info.kind = PT_KIND_POOLMON;
    info.source = "big";
    for (s = 0; s < 20 && rc == PT_OK; s++) {
        rc = sink->begin_sample(sink->ctx, &info);
        for (i = 0; i < 2000 && rc == PT_OK; i++) {
            series_row r;
            series_row_at(i, s, &r);
            memset(&row, 0, sizeof row);
            row.tag = fixture_tag(r.tag);
            row.tag_text = r.tag;
            row.bytes = r.bytes;
            row.description = "a description long enough to fill pages quickly";
            rc = sink->tag_row(sink->ctx, &row);
        }
        if (rc == PT_OK)
            rc = sink->end_sample(sink->ctx);
    }
    PT_CHECK(rc == PT_OK);
    /* A reader's record outside a sample: the load fails. */
    memset(&row, 0, sizeof row);
    PT_CHECK(sink->tag_row(sink->ctx, &row) == PT_ERR_INTERNAL);
    PT_CHECK(strstr(pt_import_error(im)->message, "outside a sample") != NULL);
    /* The small cache spilled into the file: the rollback has work to do. */
    PT_CHECK(!fixture_same(path, before, len));
    pt_import_abort(im);
    pt_archive_close(a);
    PT_CHECK(fixture_same(path, before, len));
    free(before);
    unlink(path);
}

/* An archive written by a pooltriage that knew version 1 only, opened by
 * one that knows a version 2: migrated in one transaction; a migration
 * that fails leaves the file as it was. */
static void test_older_archive_is_migrated(void)
{
    char path[4096];
    pt_archive *a = NULL;
    pt_error err;
    unsigned char *before;
    size_t len;
    pt_archive_migration v2[2], bad[2];
    sqlite3_stmt *st = NULL;

    v2[0] = bad[0] = pt_archive_migrations[0];
    v2[1].name = "002_test_drivers.sql";
    v2[1].sql = "CREATE TABLE test_drivers (name TEXT); INSERT INTO test_drivers VALUES ('x.sys');";
    bad[1].name = "002_test_broken.sql";
    bad[1].sql = "CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);";

    fixture_path("archive-migrate.db", path, sizeof path);
    PT_CHECK(pt_archive_open_with(path, PT_ARCHIVE_CREATE, pt_archive_migrations, 1, &a, &err) ==
             PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(fixture_load_series(a, "kept", 3, 10, NULL, &err) == PT_OK);
    pt_archive_close(a);
    before = fixture_slurp(path, &len);

    PT_CHECK(pt_archive_open_with(path, PT_ARCHIVE_OPEN_EXISTING, bad, 2, &a, &err) == PT_ERR_DB);
    PT_CHECK(strstr(err.message, "002_test_broken.sql") != NULL);
    PT_CHECK(fixture_same(path, before, len));

    PT_CHECK(pt_archive_open_with(path, PT_ARCHIVE_OPEN_EXISTING, v2, 2, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(pt_archive_schema_version(a) == 2);
    PT_CHECK(pt_archive_prepare(a,
                                "SELECT (SELECT count(*) FROM schema_version), "
                                "(SELECT name FROM test_drivers), (SELECT count(*) FROM cases)",
                                &st, &err) == PT_OK);
    PT_CHECK(sqlite3_step(st) == SQLITE_ROW);
    PT_CHECK(sqlite3_column_int(st, 0) == 2);
    PT_CHECK_STR((const char *)sqlite3_column_text(st, 1), "x.sys");
    PT_CHECK(sqlite3_column_int(st, 2) == 1);
    sqlite3_finalize(st);
    pt_archive_close(a);
    /* Now it is newer than a version-1 pooltriage: refused there. */
    PT_CHECK(pt_archive_open_with(path, PT_ARCHIVE_OPEN_EXISTING, pt_archive_migrations, 1, &a,
                                  &err) == PT_ERR_SCHEMA);
    free(before);
    unlink(path);
}

/* Tags of a version-2 archive get their match key from the 003 migration's
 * SQL, new ones from pt_tag_match_key when interned: the same keys. */
static void test_tag_match_key(void)
{
    static const struct { pt_tag value, key; } cases[] = {
        {0x0050504Du, 0x2050504Du}, /* 'MPP.' as the text reader stores it */
        {0x2050504Du, 0x2050504Du}, /* 'MPP ' from poolmon */
        {0x00000041u, 0x20202041u}, /* 'A' and three NULs */
        {0x20002041u, 0x20202041u}, /* trailing NULs and spaces mixed */
        {0x0041004Du, 0x2041004Du}, /* an inner NUL stays */
        {0x00000000u, 0x20202020u},
        {0x4D505000u, 0x4D505000u}, /* a leading NUL is not trailing */
        {0x6B61654Cu, 0x6B61654Cu}, /* 'Leak' */
        {0xA050504Du, 0xA050504Du}, /* protected bit set */
    };
    char path[4096];
    pt_archive *a = NULL;
    pt_tag_intern *ti = NULL;
    pt_error err;
    sqlite3_stmt *st = NULL;
    size_t i, n = sizeof cases / sizeof cases[0];
    int64_t id;

    for (i = 0; i < n; i++)
        PT_CHECK_U64(pt_tag_match_key(cases[i].value), cases[i].key);
    fixture_path("archive-tagmatch.db", path, sizeof path);
    unlink(path);
    PT_CHECK(pt_archive_open_with(path, PT_ARCHIVE_CREATE, pt_archive_migrations, 2, &a, &err) ==
             PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(pt_tag_intern_open(a, &ti, &err) == PT_OK);
    for (i = 0; ti != NULL && i < n; i++)
        PT_CHECK(pt_tag_intern_id(ti, cases[i].value, "old", &id, &err) == PT_OK);
    pt_tag_intern_close(ti);
    pt_archive_close(a);
    PT_CHECK(pt_archive_open(path, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(pt_archive_schema_version(a) >= PT_ARCHIVE_TAG_MATCH_VERSION);
    PT_CHECK(pt_tag_intern_open(a, &ti, &err) == PT_OK);
    for (i = 0; ti != NULL && i < n; i++)
        PT_CHECK(pt_tag_intern_id(ti, cases[i].value, "new", &id, &err) == PT_OK);
    pt_tag_intern_close(ti);
    PT_CHECK(pt_archive_prepare(a, "SELECT value, text, match_value FROM tags ORDER BY id", &st,
                                &err) == PT_OK);
    for (i = 0; i < 2 * n; i++) {
        PT_CHECK(sqlite3_step(st) == SQLITE_ROW);
        PT_CHECK_U64(sqlite3_column_int64(st, 0), cases[i % n].value);
        PT_CHECK_STR((const char *)sqlite3_column_text(st, 1), i < n ? "old" : "new");
        PT_CHECK_U64(sqlite3_column_int64(st, 2), cases[i % n].key);
    }
    PT_CHECK(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_finalize(st);
    pt_archive_close(a);
    unlink(path);
}

PT_TEST_MAIN(PT_TEST(test_new_archive_has_the_latest_schema), PT_TEST(test_tag_match_key),
             PT_TEST(test_older_archive_is_migrated),
             PT_TEST(test_newer_schema_is_refused_and_untouched), PT_TEST(test_not_an_archive),
             PT_TEST(test_same_bundle_twice_changes_nothing),
             PT_TEST(test_failed_load_leaves_the_file_as_it_was))
