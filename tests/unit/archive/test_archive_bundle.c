/* test_archive_bundle.c - importing real bundles: the seed cases' !poolused
 * and !vm outputs (values from shared/data/real/seed/README.md), the same
 * bundle twice, a tampered bundle, a cut-short bundle with and without
 * --partial, a bundle whose second member a reader refuses, and the
 * command's exit status. */
#include <math.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "analysis.h"
#include "archive_fixture.h"
#include "bundle.h"
#include "pt_test.h"

static char real_dir[2048];

static const char *real_file(const char *rel, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", real_dir, rel);
    return out;
}

/* Writes a bundle of the given files (member i of kind kinds[i]). */
static pt_status write_bundle(const char *path, const char *const *files,
                              const char *const *kinds, size_t n, pt_error *err)
{
    pt_bundle_info info;
    pt_bundle_writer *w = NULL;
    pt_status rc;
    size_t i;

    memset(&info, 0, sizeof info);
    info.collector_version = "test";
    info.host = "SEEDHOST";
    rc = pt_bundle_writer_open(path, &info, &w, err);
    for (i = 0; i < n && rc == PT_OK; i++) {
        pt_source *src = NULL;
        const char *base = strrchr(files[i], '/');
        rc = pt_source_open_file(files[i], &src, err);
        if (rc == PT_OK)
            rc = pt_bundle_add_source(w, base != NULL ? base + 1 : files[i], kinds[i], src, NULL,
                                      0, err);
        pt_source_close(src);
    }
    if (rc != PT_OK) {
        if (w != NULL)
            pt_bundle_writer_abort(w);
        return rc;
    }
    return pt_bundle_writer_close(w, err);
}

static pt_status import(pt_archive *a, const char *bundle, int partial, pt_import_result *res,
                        pt_error *err)
{
    pt_import_options opt;
    memset(&opt, 0, sizeof opt);
    opt.partial_ok = partial;
    opt.after_load = pt_analysis_store_suspects;
    return pt_archive_import_bundle(a, bundle, &opt, res, err);
}

static int64_t query_int(pt_archive *a, const char *sql)
{
    sqlite3_stmt *st = NULL;
    pt_error err;
    int64_t v = -1;
    if (pt_archive_prepare(a, sql, &st, &err) == PT_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static const char *query_text(pt_archive *a, const char *sql, char *out, size_t size)
{
    sqlite3_stmt *st = NULL;
    pt_error err;
    out[0] = '\0';
    if (pt_archive_prepare(a, sql, &st, &err) == PT_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0) != NULL)
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static void test_seed_2012r2_imports_with_the_readme_values(void)
{
    char db[4096], bundle[4096], f1[4096], f2[4096], text[256];
    const char *files[2] = {real_file("seed/ws2012r2-livekd-poolused-t5-2.txt", f1, sizeof f1),
                            real_file("seed/ws2012r2-livekd-vm4.txt", f2, sizeof f2)};
    const char *kinds[2] = {"poolused", "vm"};
    pt_archive *a = NULL;
    pt_import_result res;
    pt_case_analysis an;
    pt_error err;
    unsigned char *before;
    size_t len;

    fixture_path("seed-2012r2.ptb", bundle, sizeof bundle);
    fixture_path("seed-2012r2.db", db, sizeof db);
    PT_CHECK(write_bundle(bundle, files, kinds, 2, &err) == PT_OK);
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(import(a, bundle, 0, &res, &err) == PT_OK);
    if (err.code != PT_OK)
        fprintf(stderr, "%s\n", err.message);
    PT_CHECK(!res.already);
    PT_CHECK(strncmp(res.case_name, "seed-2012r2", 11) == 0); /* from the file name */
    PT_CHECK_U64(res.counts.sources, 2);
    PT_CHECK_U64(res.counts.samples, 2);
    PT_CHECK_U64(query_int(a, "SELECT r.bytes FROM tag_rows r JOIN tags t ON t.id = r.tag_id "
                              "WHERE t.text = 'MPP.' AND r.pool = 0"),
                 10354777664ull);
    PT_CHECK_U64(query_int(a, "SELECT r.outstanding FROM tag_rows r JOIN tags t ON t.id = "
                              "r.tag_id WHERE t.text = 'MPP.' AND r.pool = 0"),
                 49781288);
    PT_CHECK_U64(query_int(a, "SELECT value FROM counters WHERE name = 'NonPagedPool Usage' "
                              "AND unit = 'pages'"),
                 3250905);
    PT_CHECK_U64(query_int(a, "SELECT value FROM counters WHERE name = 'NonPagedPool Max' "
                              "AND unit = 'pages'"),
                 4294967296ull);
    PT_CHECK_U64(query_int(a, "SELECT count(*) FROM warnings"), 2);
    /* A single !poolused snapshot: MPP is large, not leaking, and its share
     * is of the TOTAL line (11496509728 nonpaged bytes), not of the 5 rows. */
    PT_CHECK_STR(query_text(a, "SELECT tag_text || ' ' || verdict FROM suspects WHERE rank = 1",
                            text, sizeof text),
                 "MPP. large");
    PT_CHECK_U64(query_int(a, "SELECT count(*) FROM suspects WHERE verdict IN "
                              "('leaking', 'growing')"),
                 0);
    PT_CHECK(pt_case_analyze(a, res.case_id, &an, &err) == PT_OK);
    PT_CHECK(an.trend_count > 0 &&
             fabs(an.trends[0].share - 10354777664.0 / 11496509728.0) < 1e-9);
    PT_CHECK_U64(an.pools[PT_POOL_NONPAGED].usage_bytes, 13003620ull * 1024);
    PT_CHECK_U64(an.physical_bytes, 25152596ull * 1024);
    pt_case_analysis_free(&an);
    pt_archive_close(a);

    /* The same bundle again: nothing changes, byte for byte. */
    before = fixture_slurp(db, &len);
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_OK);
    PT_CHECK(a != NULL && import(a, bundle, 0, &res, &err) == PT_OK && res.already);
    pt_archive_close(a);
    PT_CHECK(fixture_same(db, before, len));
    free(before);
    unlink(db);
    unlink(bundle);
}

static void test_seed_2003_imports_with_the_readme_values(void)
{
    char db[4096], bundle[4096], f1[4096], f2[4096];
    const char *files[2] = {real_file("seed/ws2003-x86-lkd-poolused-t5-2.txt", f1, sizeof f1),
                            real_file("seed/ws2003-x86-lkd-vm1.txt", f2, sizeof f2)};
    const char *kinds[2] = {"poolused", "vm"};
    pt_archive *a = NULL;
    pt_import_result res;
    pt_case_analysis an;
    pt_error err;
    char text[256];

    fixture_path("seed-2003.ptb", bundle, sizeof bundle);
    fixture_path("seed-2003.db", db, sizeof db);
    PT_CHECK(write_bundle(bundle, files, kinds, 2, &err) == PT_OK);
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(import(a, bundle, 0, &res, &err) == PT_OK);
    PT_CHECK_U64(query_int(a, "SELECT r.bytes FROM tag_rows r JOIN tags t ON t.id = r.tag_id "
                              "WHERE t.text = 'Leak' AND r.pool = 0"),
                 113664000);
    PT_CHECK_U64(query_int(a, "SELECT r.outstanding FROM tag_rows r JOIN tags t ON t.id = "
                              "r.tag_id WHERE t.text = 'Leak' AND r.pool = 0"),
                 111);
    PT_CHECK_STR(query_text(a, "SELECT tag_text || ' ' || verdict FROM suspects WHERE rank = 1",
                            text, sizeof text),
                 "Leak large");
    PT_CHECK(pt_case_analyze(a, res.case_id, &an, &err) == PT_OK);
    PT_CHECK_U64(an.pools[PT_POOL_NONPAGED].usage_bytes, 123576ull * 1024);
    PT_CHECK_U64(an.pools[PT_POOL_NONPAGED].max_bytes, 207840ull * 1024);
    PT_CHECK_U64(an.pools[PT_POOL_PAGED].usage_bytes, 4483ull * 4096);
    pt_case_analysis_free(&an);
    pt_archive_close(a);
    unlink(db);
    unlink(bundle);
}

/* Copies src to dst, flipping one byte at off (or cutting at off when cut). */
static int copy_damaged(const char *src, const char *dst, size_t off, int cut)
{
    size_t len;
    unsigned char *data = fixture_slurp(src, &len);
    FILE *f;
    int ok;
    if (data == NULL || off >= len) {
        free(data);
        return 0;
    }
    if (!cut)
        data[off] ^= 0x5A;
    f = fopen(dst, "wb");
    ok = f != NULL && fwrite(data, 1, cut ? off : len, f) == (cut ? off : len);
    if (f != NULL)
        fclose(f);
    free(data);
    return ok;
}

static void test_bad_bundles_leave_the_archive_as_it_was(void)
{
    char db[4096], good[4096], bad[4096], f1[4096], f2[4096], garbled[4096];
    const char *files[2] = {real_file("seed/ws2012r2-livekd-poolused-t5-2.txt", f1, sizeof f1),
                            real_file("seed/ws2012r2-livekd-vm4.txt", f2, sizeof f2)};
    const char *kinds[2] = {"poolused", "vm"};
    pt_archive *a = NULL;
    pt_import_result res;
    pt_error err;
    unsigned char *before;
    size_t len, blen, off;
    FILE *f;

    fixture_path("bad-good.ptb", good, sizeof good);
    fixture_path("bad-bad.ptb", bad, sizeof bad);
    fixture_path("bad.db", db, sizeof db);
    PT_CHECK(write_bundle(good, files, kinds, 2, &err) == PT_OK);
    /* An archive with one case in it already. */
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(fixture_load_series(a, "existing", 5, 30, pt_analysis_store_suspects, &err) ==
             PT_OK);
    pt_archive_close(a);
    before = fixture_slurp(db, &len);

    /* Tampered evidence: flip a byte inside each DATA record's deflate
     * payload (records: schema/bundle-format.md, a 56-byte gzip header with
     * the record type at offset 16, type 3 = DATA). */
    {
        unsigned char *data = fixture_slurp(good, &blen);
        size_t records = 0;
        for (off = 0; data != NULL && off + 64 < blen; off++) {
            if (memcmp(data + off, "\x1f\x8b\x08\x04", 4) != 0 || data[off + 16] != 3)
                continue;
            records++;
            PT_CHECK(copy_damaged(good, bad, off + 60, 0));
            PT_CHECK(pt_archive_open(db, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_OK);
            PT_CHECK(a != NULL && import(a, bad, 0, &res, &err) != PT_OK);
            PT_CHECK(strstr(err.message, "archive unchanged") != NULL);
            pt_archive_close(a);
            PT_CHECK(fixture_same(db, before, len));
        }
        PT_CHECK(records >= 2);
        free(data);
    }
    /* Cut short (a killed collector): refused, archive unchanged. */
    PT_CHECK(copy_damaged(good, bad, blen - 16, 1));
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_OK);
    PT_CHECK(a != NULL && import(a, bad, 0, &res, &err) == PT_ERR_TRUNCATED);
    pt_archive_close(a);
    PT_CHECK(fixture_same(db, before, len));

    /* A member its reader refuses, after one that loaded: all rolled back. */
    fixture_path("garbled.txt", garbled, sizeof garbled);
    f = fopen(garbled, "wb");
    PT_CHECK(f != NULL);
    if (f != NULL) {
        fputs("Tag  Allocs Used\n\x01\x02\x03 garbage that no !vm reader takes\n", f);
        fclose(f);
    }
    {
        const char *files2[2] = {files[0], garbled};
        const char *kinds2[2] = {"poolused", "vm"};
        PT_CHECK(write_bundle(bad, files2, kinds2, 2, &err) == PT_OK);
    }
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_OK);
    PT_CHECK(a != NULL && import(a, bad, 0, &res, &err) != PT_OK);
    pt_archive_close(a);
    PT_CHECK(fixture_same(db, before, len));

    /* The command says so with a non-zero status, and changes nothing. */
    {
        const char *build = getenv("PT_BUILD_DIR");
        char cmd[12000];
        int status;
        snprintf(cmd, sizeof cmd, "'%s/analyzer/pooltriage' import '%s' --db '%s' 2>/dev/null",
                 build != NULL ? build : ".", bad, db);
        status = system(cmd);
        PT_CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) != 0);
        PT_CHECK(fixture_same(db, before, len));
    }
    free(before);
    unlink(garbled);
    unlink(bad);
    unlink(good);
    unlink(db);
}

/* Members are verified by being read: the import no longer hashes each one
 * whole first.  A member no reader reads (a kind without a reader) is
 * verified whole after the fact: a flipped byte in it fails the import,
 * with the archive unchanged, though the member before it loaded. */
static void test_unread_member_is_still_verified(void)
{
    char db[4096], good[4096], bad[4096], f1[4096], notes[4096];
    const char *kinds[2] = {"poolused", "field-notes"};
    const char *files[2];
    pt_archive *a = NULL;
    pt_import_result res;
    pt_error err;
    unsigned char *before, *data;
    size_t len, blen, off, last = 0;
    FILE *f;
    int i;

    files[0] = real_file("seed/ws2012r2-livekd-poolused-t5-2.txt", f1, sizeof f1);
    fixture_path("field-notes.txt", notes, sizeof notes);
    files[1] = notes;
    f = fopen(notes, "wb");
    PT_CHECK(f != NULL);
    if (f == NULL)
        return;
    for (i = 0; i < 2000; i++)
        fprintf(f, "note %d: the customer rebooted the server at 23:%02d\n", i, i % 60);
    fclose(f);
    fixture_path("unread-good.ptb", good, sizeof good);
    fixture_path("unread-bad.ptb", bad, sizeof bad);
    fixture_path("unread.db", db, sizeof db);
    unlink(db);
    PT_CHECK(write_bundle(good, files, kinds, 2, &err) == PT_OK);
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    pt_archive_close(a);
    before = fixture_slurp(db, &len);

    /* The last DATA record is the notes member's (members are written in order). */
    data = fixture_slurp(good, &blen);
    for (off = 0; data != NULL && off + 64 < blen; off++)
        if (memcmp(data + off, "\x1f\x8b\x08\x04", 4) == 0 && data[off + 16] == 3)
            last = off;
    free(data);
    PT_CHECK(last != 0);
    PT_CHECK(copy_damaged(good, bad, last + 60, 0));
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_OK);
    PT_CHECK(a != NULL && import(a, bad, 0, &res, &err) != PT_OK);
    PT_CHECK(strstr(err.message, "field-notes.txt") != NULL);
    PT_CHECK(strstr(err.message, "archive unchanged") != NULL);
    pt_archive_close(a);
    PT_CHECK(fixture_same(db, before, len));

    /* Undamaged, it is kept as a source and the poolused member loads. */
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_OK);
    PT_CHECK(a != NULL && import(a, good, 0, &res, &err) == PT_OK);
    PT_CHECK_U64(res.counts.sources, 2);
    PT_CHECK_U64(res.counts.tag_rows, 10);
    pt_archive_close(a);
    free(before);
    unlink(notes);
    unlink(bad);
    unlink(good);
    unlink(db);
}

/* A bundle of one !vm member with the given file_sha256 attribute. */
static pt_status bundle_with_file_sha(const char *path, const char *value, pt_error *err)
{
    static const char vm[] = "kd> !vm 4\n*** Virtual Memory Usage ***\n"
                             "\tPhysical Memory:     6288149 (  25152596 Kb)\n";
    pt_bundle_attr attr = {"file_sha256", value};
    pt_bundle_info info;
    pt_bundle_writer *w = NULL;
    pt_status rc;

    memset(&info, 0, sizeof info);
    info.collector_version = "test";
    rc = pt_bundle_writer_open(path, &info, &w, err);
    if (rc == PT_OK)
        rc = pt_bundle_add_buffer(w, "vm.txt", "vm", vm, sizeof vm - 1, &attr, 1, err);
    if (rc != PT_OK) {
        if (w != NULL)
            pt_bundle_writer_abort(w);
        return rc;
    }
    return pt_bundle_writer_close(w, err);
}

/* The file's own SHA-256 is kept (lowercase) beside the member hash; one
 * that is not 64 hex digits is refused, the archive unchanged. */
static void test_file_sha256_attribute(void)
{
    static const char upper[] =
        "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789";
    char db[4096], bundle[4096], text[128];
    pt_archive *a = NULL;
    pt_import_result res;
    pt_error err;
    unsigned char *before;
    size_t len;

    fixture_path("filesha.db", db, sizeof db);
    fixture_path("filesha.ptb", bundle, sizeof bundle);
    unlink(db);
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(bundle_with_file_sha(bundle, upper, &err) == PT_OK);
    PT_CHECK(import(a, bundle, 0, &res, &err) == PT_OK);
    PT_CHECK_STR(query_text(a, "SELECT file_sha256 FROM sources", text, sizeof text),
                 "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    PT_CHECK(query_int(a, "SELECT length(sha256) = 64 AND sha256 != file_sha256 FROM sources") ==
             1);
    pt_archive_close(a);
    before = fixture_slurp(db, &len);
    PT_CHECK(bundle_with_file_sha(bundle, "not-a-hash", &err) == PT_OK);
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_OK);
    PT_CHECK(a != NULL && import(a, bundle, 0, &res, &err) == PT_ERR_CORRUPT);
    PT_CHECK(strstr(err.message, "vm.txt: file_sha256 is not a SHA-256") != NULL);
    pt_archive_close(a);
    PT_CHECK(fixture_same(db, before, len));
    free(before);
    unlink(bundle);
    unlink(db);
}

static void test_partial_bundle(void)
{
    char db[4096], good[4096], cut[4096], f1[4096], f2[4096];
    const char *files[2] = {real_file("seed/ws2003-x86-lkd-poolused-t5-2.txt", f1, sizeof f1),
                            real_file("seed/ws2003-x86-lkd-vm1.txt", f2, sizeof f2)};
    const char *kinds[2] = {"poolused", "vm"};
    pt_archive *a = NULL;
    pt_import_result res;
    pt_error err;
    size_t blen;

    fixture_path("partial-good.ptb", good, sizeof good);
    fixture_path("partial-cut.ptb", cut, sizeof cut);
    fixture_path("partial.db", db, sizeof db);
    PT_CHECK(write_bundle(good, files, kinds, 2, &err) == PT_OK);
    free(fixture_slurp(good, &blen));
    /* Cut inside the second member: the first is complete. */
    PT_CHECK(copy_damaged(good, cut, blen * 3 / 4, 1));
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &err) == PT_OK);
    if (a == NULL)
        return;
    PT_CHECK(import(a, cut, 0, &res, &err) == PT_ERR_TRUNCATED);
    PT_CHECK(import(a, cut, 1, &res, &err) == PT_OK);
    if (err.code != PT_OK)
        fprintf(stderr, "%s\n", err.message);
    PT_CHECK(res.partial == 1);
    PT_CHECK_U64(query_int(a, "SELECT partial FROM bundles"), 1);
    PT_CHECK(query_int(a, "SELECT count(*) FROM sources WHERE partial = 1") >= 1);
    PT_CHECK_U64(query_int(a, "SELECT r.bytes FROM tag_rows r JOIN tags t ON t.id = r.tag_id "
                              "WHERE t.text = 'Leak' AND r.pool = 0"),
                 113664000);
    pt_archive_close(a);
    unlink(db);
    unlink(cut);
    unlink(good);
}

int main(void)
{
    static const pt_test_case cases[] = {
        PT_TEST(test_seed_2012r2_imports_with_the_readme_values),
        PT_TEST(test_seed_2003_imports_with_the_readme_values),
        PT_TEST(test_bad_bundles_leave_the_archive_as_it_was),
        PT_TEST(test_unread_member_is_still_verified), PT_TEST(test_file_sha256_attribute),
        PT_TEST(test_partial_bundle),
    };
    const char *real = getenv("PT_REAL_DATA");
    snprintf(real_dir, sizeof real_dir, "%s", real != NULL ? real : "../shared/data/real");
    return pt_test_run(cases, sizeof cases / sizeof cases[0]);
}
