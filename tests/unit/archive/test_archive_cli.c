/* test_archive_cli.c - the commands import, cases, show, history and export,
 * run as an engineer runs them, on the two seed cases (one with a tag file
 * naming the leaking driver): output, exit status, and an archive that a
 * failed command leaves as it was. */
#include <sys/stat.h>
#include <sys/wait.h>

#include "archive_fixture.h"
#include "bundle.h"
#include "pt_test.h"

static char tool[4096], real_dir[2048], db[4096], b2003[4096], b2012[4096], pooltag[4096];
static char output[65536];

/* Runs `pooltriage ARGS` with stderr joined to stdout; returns the exit status. */
static int run(const char *args)
{
    char cmd[16384];
    FILE *p;
    size_t n;
    int status;

    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", tool, args);
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    n = fread(output, 1, sizeof output - 1, p);
    output[n] = '\0';
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static pt_status write_bundle(const char *path, const char *const *files,
                              const char *const *kinds, size_t n)
{
    pt_bundle_info info;
    pt_bundle_writer *w = NULL;
    pt_error err;
    pt_status rc;
    size_t i;

    memset(&info, 0, sizeof info);
    info.collector_version = "test";
    info.host = "SEED";
    rc = pt_bundle_writer_open(path, &info, &w, &err);
    for (i = 0; i < n && rc == PT_OK; i++) {
        pt_source *src = NULL;
        const char *base = strrchr(files[i], '/');
        rc = pt_source_open_file(files[i], &src, &err);
        if (rc == PT_OK)
            rc = pt_bundle_add_source(w, base + 1, kinds[i], src, NULL, 0, &err);
        pt_source_close(src);
    }
    if (rc != PT_OK) {
        fprintf(stderr, "%s\n", err.message);
        if (w != NULL)
            pt_bundle_writer_abort(w);
        return rc;
    }
    return pt_bundle_writer_close(w, &err);
}

static int setup(void)
{
    char f1[4096], f2[4096], f3[4096], f4[4096];
    const char *files03[3] = {f1, f2, pooltag}, *kinds03[3] = {"poolused", "vm", "pooltag"};
    const char *files12[2] = {f3, f4}, *kinds12[2] = {"poolused", "vm"};
    FILE *f;

    snprintf(f1, sizeof f1, "%s/seed/ws2003-x86-lkd-poolused-t5-2.txt", real_dir);
    snprintf(f2, sizeof f2, "%s/seed/ws2003-x86-lkd-vm1.txt", real_dir);
    snprintf(f3, sizeof f3, "%s/seed/ws2012r2-livekd-poolused-t5-2.txt", real_dir);
    snprintf(f4, sizeof f4, "%s/seed/ws2012r2-livekd-vm4.txt", real_dir);
    fixture_path("cli-pooltag.txt", pooltag, sizeof pooltag);
    f = fopen(pooltag, "wb");
    if (f == NULL)
        return -1;
    fputs("rem pooltag.txt for the test\r\n"
          "Leak - myfault.sys - NotMyFault test driver, leaks on purpose\r\n",
          f);
    fclose(f);
    fixture_path("cli-2003.ptb", b2003, sizeof b2003);
    fixture_path("cli-ws2012r2.ptb", b2012, sizeof b2012);
    fixture_path("cli.db", db, sizeof db);
    if (write_bundle(b2003, files03, kinds03, 3) != PT_OK ||
        write_bundle(b2012, files12, kinds12, 2) != PT_OK)
        return -1;
    return 0;
}

static void test_import_and_queries(void)
{
    char args[12000], path[4096];
    unsigned char *data;
    size_t len;

    snprintf(args, sizeof args, "import '%s' --case ws2003 --db '%s'", b2003, db);
    PT_CHECK(run(args) == 0);
    PT_CHECK(strstr(output, "imported into case 'ws2003'") != NULL);
    PT_CHECK(run(args) == 0);
    PT_CHECK(strstr(output, "already imported") != NULL);
    snprintf(args, sizeof args, "import '%s' --db '%s'", b2012, db);
    PT_CHECK(run(args) == 0);
    PT_CHECK(strstr(output, "imported into case 'cli-ws2012r2") != NULL);

    snprintf(args, sizeof args, "cases --db '%s'", db);
    PT_CHECK(run(args) == 0);
    PT_CHECK(strstr(output, "ws2003") != NULL && strstr(output, "Leak large") != NULL);
    PT_CHECK(strstr(output, "MPP. large") != NULL && strstr(output, "2 cases") != NULL);

    snprintf(args, sizeof args, "show ws2003 --db '%s'", db);
    PT_CHECK(run(args) == 0);
    PT_CHECK(strstr(output, "'Leak'") != NULL && strstr(output, "driver myfault.sys") != NULL);
    PT_CHECK(strstr(output, "ws2003-x86-lkd-poolused-t5-2.txt") != NULL);

    snprintf(args, sizeof args, "history --tag Leak --db '%s'", db);
    PT_CHECK(run(args) == 0);
    PT_CHECK(strstr(output, "ws2003") != NULL && strstr(output, "113664000") != NULL);
    snprintf(args, sizeof args, "history --driver myfault --db '%s'", db);
    PT_CHECK(run(args) == 0);
    PT_CHECK(strstr(output, "ws2003") != NULL && strstr(output, "myfault.sys") != NULL);
    snprintf(args, sizeof args, "history --tag Zzzz --db '%s'", db);
    PT_CHECK(run(args) == 0);
    PT_CHECK(strstr(output, "no case") != NULL);

    fixture_path("cli-suspects.csv", path, sizeof path);
    snprintf(args, sizeof args, "export ws2003 --suspects '%s' --db '%s'", path, db);
    PT_CHECK(run(args) == 0);
    data = fixture_slurp(path, &len);
    PT_CHECK(data != NULL &&
             strncmp((const char *)data,
                     "rank,tag,pool,bytes,growth_bytes_per_hour,persistence,share,verdict\r\n"
                     "1,Leak,nonpaged,113664000,0,0.0000,",
                     103) == 0);
    free(data);
    unlink(path);

    snprintf(args, sizeof args, "show no-such-case --db '%s'", db);
    PT_CHECK(run(args) == PT_ERR_NOT_FOUND);
    PT_CHECK(strstr(output, "no case named 'no-such-case'") != NULL);
    PT_CHECK(run("import") == PT_ERR_USAGE);
    PT_CHECK(run("history --tag Leak --driver x.sys") == PT_ERR_USAGE);
}

static void test_failures_change_nothing(void)
{
    char args[12000], fresh[4096];
    unsigned char *before;
    size_t len;
    struct stat sb;
    pt_archive *a = NULL;
    pt_error err;

    before = fixture_slurp(db, &len);
    PT_CHECK(before != NULL);
    /* A bundle that does not exist, and one that is not a bundle. */
    snprintf(args, sizeof args, "import '%s.missing' --db '%s'", b2003, db);
    PT_CHECK(run(args) != 0);
    snprintf(args, sizeof args, "import '%s' --db '%s'", pooltag, db);
    PT_CHECK(run(args) != 0);
    PT_CHECK(strstr(output, "archive unchanged") != NULL);
    PT_CHECK(fixture_same(db, before, len));
    free(before);

    /* A failed first import does not leave a new archive behind. */
    fixture_path("cli-fresh.db", fresh, sizeof fresh);
    snprintf(args, sizeof args, "import '%s' --db '%s'", pooltag, fresh);
    PT_CHECK(run(args) != 0);
    PT_CHECK(stat(fresh, &sb) != 0);
    snprintf(args, sizeof args, "cases --db '%s'", fresh);
    PT_CHECK(run(args) == PT_ERR_NOT_FOUND);

    /* An archive from a newer pooltriage: refused by every command. */
    PT_CHECK(pt_archive_open(db, PT_ARCHIVE_OPEN_EXISTING, &a, &err) == PT_OK);
    PT_CHECK(a != NULL && pt_archive_exec(a, "INSERT INTO schema_version VALUES (99, "
                                             "'099_future.sql', 'x')",
                                          &err) == PT_OK);
    pt_archive_close(a);
    before = fixture_slurp(db, &len);
    snprintf(args, sizeof args, "cases --db '%s'", db);
    PT_CHECK(run(args) == PT_ERR_SCHEMA);
    PT_CHECK(strstr(output, "schema version 99") != NULL);
    snprintf(args, sizeof args, "import '%s' --case another --db '%s'", b2012, db);
    PT_CHECK(run(args) == PT_ERR_SCHEMA);
    PT_CHECK(fixture_same(db, before, len));
    free(before);
}

int main(void)
{
    static const pt_test_case cases[] = {
        PT_TEST(test_import_and_queries),
        PT_TEST(test_failures_change_nothing),
    };
    const char *real = getenv("PT_REAL_DATA");
    const char *build = getenv("PT_BUILD_DIR");
    int rc;

    snprintf(real_dir, sizeof real_dir, "%s", real != NULL ? real : "../shared/data/real");
    snprintf(tool, sizeof tool, "%s/analyzer/pooltriage", build != NULL ? build : ".");
    if (setup() != 0) {
        fprintf(stderr, "test_archive_cli: cannot write the test bundles\n");
        return 1;
    }
    rc = pt_test_run(cases, sizeof cases / sizeof cases[0]);
    unlink(db);
    unlink(b2003);
    unlink(b2012);
    unlink(pooltag);
    return rc;
}
