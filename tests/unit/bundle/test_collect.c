/* test_collect.c - pooltriage-collect on the real outputs: the bundle holds
 * each file byte for byte, with its kind and time attributes; a file that is
 * not evidence (or is missing) is an error and leaves no bundle. */
#include "pt_test.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"
#include "pt_collect.h"
#include "pt_sha256.h"

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int which;
    char *out = buf[which++ & 3];
    if (tmpdir[0] == '\0') {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/pt_test_collect_XXXXXX");
        if (mkdtemp(tmpdir) == NULL)
            abort();
    }
    snprintf(out, 512, "%s/%s", tmpdir, name);
    return out;
}

static const char *collect_binary(void)
{
    static char path[4096];
    const char *build = getenv("PT_BUILD_DIR");
    snprintf(path, sizeof path, "%s/collector/pooltriage-collect", build ? build : ".");
    return path;
}

/* Runs the collector with args; returns its exit status. */
static int run_collect(const char *args)
{
    char cmd[8192];
    int rc;
    snprintf(cmd, sizeof cmd, "%s %s 2>%s", collect_binary(), args, tmp_path("stderr.txt"));
    rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void check_member_is_file(pt_bundle *b, size_t i, const char *path)
{
    size_t len;
    uint8_t *orig = read_file(path, &len), *got, digest[PT_SHA256_LEN];
    char hex[PT_SHA256_HEX_LEN + 1];
    pt_source *src;
    pt_error err;

    PT_CHECK(orig != NULL);
    if (orig == NULL)
        return;
    PT_CHECK_U64(pt_bundle_open_member(b, i, &src, &err), PT_OK);
    if (src == NULL) {
        free(orig);
        return;
    }
    PT_CHECK_U64(src->size, len);
    got = malloc(len + 1);
    PT_CHECK_U64(pt_source_read(src, 0, got, len, &err), PT_OK);
    PT_CHECK(memcmp(got, orig, len) == 0);
    PT_CHECK_STR(pt_bundle_member_attr(pt_bundle_member_at(b, i), "original_path"), path);
    /* text evidence carries the file's own SHA-256, as sha256sum gives it */
    pt_sha256_buffer(orig, len, digest);
    pt_sha256_hex(digest, hex);
    PT_CHECK_STR(pt_bundle_member_attr(pt_bundle_member_at(b, i), "file_sha256"), hex);
    free(got);
    free(orig);
    pt_source_close(src);
}

static void test_collect_real_outputs(void)
{
    const char *out = tmp_path("case.ptb");
    char args[6000], files[4][1024];
    pt_bundle *b;
    pt_error err;
    int rc;

    snprintf(files[0], sizeof files[0], "%s", PT_REAL("seed/ws2003-x86-lkd-poolused-t5-2.txt"));
    snprintf(files[1], sizeof files[1], "%s", PT_REAL("seed/ws2003-x86-lkd-vm1.txt"));
    snprintf(files[2], sizeof files[2], "%s", PT_REAL("seed/ws2012r2-livekd-poolused-t5-2.txt"));
    snprintf(files[3], sizeof files[3], "%s", PT_REAL("seed/ws2012r2-livekd-vm4.txt"));
    snprintf(args, sizeof args,
             "--case \"leak 7\" --host FIELD-PC %s %s --time 2021-02-21T01:38:22Z %s %s -o %s",
             files[0], files[1], files[2], files[3], out);
    rc = run_collect(args);
    PT_CHECK_U64(rc, 0);
    PT_CHECK_U64(pt_bundle_open(out, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b == NULL)
        return;
    PT_CHECK_U64(pt_bundle_member_count(b), 4);
    PT_CHECK_STR(pt_bundle_get_info(b)->case_hint, "leak 7");
    PT_CHECK_STR(pt_bundle_get_info(b)->host, "FIELD-PC");
    PT_CHECK_STR(pt_bundle_get_info(b)->collector_version, PT_VERSION);
    if (pt_bundle_member_count(b) == 4) {
        const pt_bundle_member *m0 = pt_bundle_member_at(b, 0), *m2 = pt_bundle_member_at(b, 2);
        PT_CHECK_STR(m0->name, "evidence/ws2003-x86-lkd-poolused-t5-2.txt");
        PT_CHECK_STR(m0->kind, "poolused");
        PT_CHECK_STR(pt_bundle_member_at(b, 1)->kind, "vm");
        PT_CHECK_STR(m2->kind, "poolused");
        PT_CHECK_STR(pt_bundle_member_at(b, 3)->kind, "vm");
        /* no --time before the first two: their time is the file's mtime
         * (the outputs do not say when they were taken) */
        PT_CHECK_STR(pt_bundle_member_attr(m0, "time_origin"), "mtime");
        PT_CHECK_STR(pt_bundle_member_attr(m0, "sample_time"),
                     pt_bundle_member_attr(m0, "mtime"));
        PT_CHECK(pt_bundle_member_attr(m0, "time_given") == NULL);
        /* --time applies to the files after it */
        PT_CHECK_STR(pt_bundle_member_attr(m2, "time_origin"), "command-line");
        PT_CHECK_STR(pt_bundle_member_attr(m2, "sample_time"), "2021-02-21T01:38:22.0000000Z");
        PT_CHECK_STR(pt_bundle_member_attr(m2, "time_given"), "2021-02-21T01:38:22Z");
        PT_CHECK_STR(pt_bundle_member_attr(pt_bundle_member_at(b, 3), "time_origin"),
                     "command-line");
        check_member_is_file(b, 0, files[0]);
        check_member_is_file(b, 1, files[1]);
        check_member_is_file(b, 2, files[2]);
        check_member_is_file(b, 3, files[3]);
    }
    PT_CHECK_U64(pt_bundle_verify(b, &err), PT_OK);
    pt_bundle_close(b);
}

static void test_collect_same_name_twice(void)
{
    const char *out = tmp_path("twice.ptb");
    char args[4096];
    pt_bundle *b;
    pt_error err;
    const char *f = PT_REAL("seed/ws2003-x86-lkd-vm1.txt");

    snprintf(args, sizeof args, "%s %s -o %s", f, f, out);
    PT_CHECK_U64(run_collect(args), 0);
    PT_CHECK_U64(pt_bundle_open(out, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b == NULL)
        return;
    PT_CHECK_U64(pt_bundle_member_count(b), 2);
    PT_CHECK_STR(pt_bundle_member_at(b, 0)->name, "evidence/ws2003-x86-lkd-vm1.txt");
    PT_CHECK_STR(pt_bundle_member_at(b, 1)->name, "evidence/2/ws2003-x86-lkd-vm1.txt");
    PT_CHECK_STR(pt_bundle_member_at(b, 0)->sha256, pt_bundle_member_at(b, 1)->sha256);
    pt_bundle_close(b);
}

static void test_collect_refuses_non_evidence(void)
{
    char out[512];
    char args[4096];
    size_t len;
    uint8_t *msg;

    snprintf(out, sizeof out, "%s", tmp_path("refused.ptb"));
    /* README.md is not evidence: error naming it, and no bundle */
    snprintf(args, sizeof args, "%s %s -o %s", PT_REAL("seed/ws2003-x86-lkd-vm1.txt"),
             PT_REAL("seed/README.md"), out);
    PT_CHECK_U64(run_collect(args), PT_ERR_FORMAT);
    PT_CHECK(!file_exists(out));
    msg = read_file(tmp_path("stderr.txt"), &len);
    PT_CHECK(msg != NULL);
    if (msg != NULL) {
        msg[len] = 0;
        PT_CHECK(strstr((char *)msg, "README.md") != NULL);
        PT_CHECK(strstr((char *)msg, "nothing collected") != NULL);
        free(msg);
    }
    /* a missing file, a directory, no -o, a bad --time, an unknown option */
    snprintf(args, sizeof args, "%s/no-such-file -o %s", tmpdir, out);
    PT_CHECK_U64(run_collect(args), PT_ERR_IO);
    PT_CHECK(!file_exists(out));
    snprintf(args, sizeof args, "%s -o %s", tmpdir, out);
    PT_CHECK(run_collect(args) != 0);
    PT_CHECK(!file_exists(out));
    snprintf(args, sizeof args, "%s", PT_REAL("seed/ws2003-x86-lkd-vm1.txt"));
    PT_CHECK_U64(run_collect(args), PT_ERR_USAGE);
    snprintf(args, sizeof args, "--time yesterday %s -o %s", PT_REAL("seed/ws2003-x86-lkd-vm1.txt"), out);
    PT_CHECK_U64(run_collect(args), PT_ERR_USAGE);
    PT_CHECK_U64(run_collect("--frobnicate"), PT_ERR_USAGE);
    PT_CHECK_U64(run_collect("--help > /dev/null"), 0);
    PT_CHECK_U64(run_collect("--version > /dev/null"), 0);
    PT_CHECK(!file_exists(out));
}

/* A real triage dump with --dump: kept byte for byte, readable at any
 * offset; a text output given with --dump is refused. */
static void test_collect_dump(void)
{
    char out[512], args[4096];
    const char *dump = PT_REAL("dumps/triage_x64.dmp");
    size_t len;
    uint8_t *orig = read_file(dump, &len), buf[4096];
    pt_bundle *b;
    pt_source *src;
    pt_error err;

    snprintf(out, sizeof out, "%s", tmp_path("dump.ptb"));
    snprintf(args, sizeof args, "--dump %s -o %s", dump, out);
    PT_CHECK_U64(run_collect(args), 0);
    PT_CHECK_U64(pt_bundle_open(out, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b != NULL && orig != NULL) {
        PT_CHECK_U64(pt_bundle_member_count(b), 1);
        PT_CHECK_STR(pt_bundle_member_at(b, 0)->name, "dump/triage_x64.dmp");
        PT_CHECK_STR(pt_bundle_member_at(b, 0)->kind, "dump");
        PT_CHECK_U64(pt_bundle_member_at(b, 0)->size, len);
        PT_CHECK_U64(pt_bundle_open_member(b, 0, &src, &err), PT_OK);
        if (src != NULL) {
            PT_CHECK_U64(pt_source_read(src, len - 4096, buf, 4096, &err), PT_OK);
            PT_CHECK(memcmp(buf, orig + len - 4096, 4096) == 0);
            PT_CHECK_U64(pt_source_read(src, 0, buf, 8, &err), PT_OK);
            PT_CHECK(memcmp(buf, orig, 8) == 0);
            pt_source_close(src);
        }
        PT_CHECK_U64(pt_bundle_verify(b, &err), PT_OK);
    }
    pt_bundle_close(b);
    free(orig);
    snprintf(out, sizeof out, "%s", tmp_path("not-a-dump.ptb"));
    snprintf(args, sizeof args, "--dump %s -o %s", PT_REAL("seed/ws2003-x86-lkd-vm1.txt"), out);
    PT_CHECK_U64(run_collect(args), PT_ERR_FORMAT);
    PT_CHECK(!file_exists(out));
}

/* The library entry point, as `pooltriage collect` uses it. */
static void test_collect_library(void)
{
    pt_collect_plan plan;
    pt_error err;
    pt_bundle *b;
    char *argv[] = {"collect", "--host", "H", "-o", NULL, NULL, NULL};
    const char *out = tmp_path("lib.ptb");

    argv[4] = (char *)out;
    argv[5] = (char *)PT_REAL("text/poolmon-11-amf-book-vi-poolmon-b-win7x86.txt");
    pt_collect_plan_init(&plan);
    PT_CHECK_U64(pt_collect_parse_args(&plan, 6, argv, &err), PT_OK);
    PT_CHECK_U64(plan.input_count, 1);
    PT_CHECK_U64(pt_collect_run(&plan, &err), PT_OK);
    pt_collect_plan_free(&plan);
    PT_CHECK_U64(pt_bundle_open(out, PT_BUNDLE_STRICT, &b, &err), PT_OK);
    if (b != NULL) {
        PT_CHECK_STR(pt_bundle_member_at(b, 0)->kind, "poolmon");
        check_member_is_file(b, 0, argv[5]);
        pt_bundle_close(b);
    }
}

static void test_cleanup(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    PT_CHECK(system(cmd) == 0);
}

PT_TEST_MAIN(PT_TEST(test_collect_real_outputs), PT_TEST(test_collect_same_name_twice),
             PT_TEST(test_collect_refuses_non_evidence), PT_TEST(test_collect_dump),
             PT_TEST(test_collect_library),
             PT_TEST(test_cleanup))
