/* test_tool_report.c - `pooltriage report`: its errors are clear and its
 * exit status is the pt_status code (runs the built pooltriage). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "archive.h"
#include "pt_test.h"

static char tool[2048];
static char dir[2048];

/* Runs `pooltriage ARGS`, stderr and stdout into files; returns the exit
 * status and fills out/errtext with what it printed. */
static int run_tool(const char *args, char *out, size_t out_size, char *errtext,
                    size_t err_size)
{
    char cmd[16384], path[2300];
    FILE *f;
    size_t n;
    int rc;

    snprintf(cmd, sizeof cmd, "'%s' %s >'%s/stdout' 2>'%s/stderr'", tool, args, dir, dir);
    rc = system(cmd);
    snprintf(path, sizeof path, "%s/stdout", dir);
    out[0] = '\0';
    if ((f = fopen(path, "rb")) != NULL) {
        n = fread(out, 1, out_size - 1, f);
        out[n] = '\0';
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/stderr", dir);
    errtext[0] = '\0';
    if ((f = fopen(path, "rb")) != NULL) {
        n = fread(errtext, 1, err_size - 1, f);
        errtext[n] = '\0';
        fclose(f);
    }
    return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_report_errors(void)
{
    char args[8192], db[2300], out[4096], err[4096];
    pt_archive *a = NULL;
    pt_error e;

    /* No archive there. */
    snprintf(args, sizeof args, "report c1 --xml '%s/r.xml' --db '%s/missing.db'", dir, dir);
    PT_CHECK_U64(run_tool(args, out, sizeof out, err, sizeof err), PT_ERR_NOT_FOUND);
    PT_CHECK(strstr(err, "missing.db") != NULL);
    PT_CHECK(strstr(err, "cannot open the case archive") != NULL);
    PT_CHECK(out[0] == '\0');

    /* Usage errors. */
    PT_CHECK_U64(run_tool("report", out, sizeof out, err, sizeof err), PT_ERR_USAGE);
    PT_CHECK(strstr(err, "which case?") != NULL);
    PT_CHECK_U64(run_tool("report c1", out, sizeof out, err, sizeof err), PT_ERR_USAGE);
    PT_CHECK(strstr(err, "--xml FILE and/or --html FILE") != NULL);
    PT_CHECK_U64(run_tool("report c1 --xml", out, sizeof out, err, sizeof err), PT_ERR_USAGE);
    PT_CHECK_U64(run_tool("report c1 --frob x", out, sizeof out, err, sizeof err),
                 PT_ERR_USAGE);
    PT_CHECK(strstr(err, "unknown option '--frob'") != NULL);

    /* An archive without that case. */
    snprintf(db, sizeof db, "%s/empty.db", dir);
    remove(db);
    pt_error_clear(&e);
    PT_CHECK_U64(pt_archive_open(db, PT_ARCHIVE_CREATE, &a, &e), PT_OK);
    if (a != NULL)
        pt_archive_close(a);
    snprintf(args, sizeof args, "report no-such-case --html '%s/r.html' --db '%s'", dir, db);
    PT_CHECK_U64(run_tool(args, out, sizeof out, err, sizeof err), PT_ERR_NOT_FOUND);
    PT_CHECK(strstr(err, "no-such-case") != NULL);
    PT_CHECK(out[0] == '\0');

    /* Outputs that cannot be written: refused before any work. */
    snprintf(args, sizeof args, "report c1 --xml '%s/no/such/dir/r.xml' --db '%s'", dir, db);
    PT_CHECK_U64(run_tool(args, out, sizeof out, err, sizeof err), PT_ERR_IO);
    PT_CHECK(strstr(err, "no/such/dir/r.xml") != NULL);
    PT_CHECK(strstr(err, "No such file or directory") != NULL);
    snprintf(args, sizeof args, "report c1 --html '%s' --db '%s'", dir, db);
    PT_CHECK_U64(run_tool(args, out, sizeof out, err, sizeof err), PT_ERR_IO);
    PT_CHECK(strstr(err, "is a directory") != NULL);
}

int main(void)
{
    static const pt_test_case cases[] = {PT_TEST(test_report_errors)};
    const char *build = getenv("PT_BUILD_DIR");

    snprintf(tool, sizeof tool, "%s/analyzer/pooltriage", build != NULL ? build : ".");
    snprintf(dir, sizeof dir, "%s/test-output/tool-report", build != NULL ? build : ".");
    mkdir(build != NULL ? build : ".", 0777);
    {
        char parent[2100];
        snprintf(parent, sizeof parent, "%s/test-output", build != NULL ? build : ".");
        mkdir(parent, 0777);
    }
    mkdir(dir, 0777);
    return pt_test_run(cases, sizeof cases / sizeof cases[0]);
}
