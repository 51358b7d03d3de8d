/* tool_report.c - `pooltriage report CASE [--xml FILE] [--html FILE] [--db FILE]
 * [--advisories FILE]`: build the case's report model from the archive and
 * render it.  --advisories names the team's known-issue advisory file
 * (schema/advisory.xsd) instead of $POOLTRIAGE_ADVISORIES. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "case_report.h"
#include "report_html.h"
#include "report_xml.h"
#include "tool.h"

typedef struct report_options {
    const char *case_name;
    const char *xml_path;
    const char *html_path;
    const char *db_path;
    const char *advisories_path;
} report_options;

/* Returns 0 when argv is a valid report command line. */
static int report_parse_options(int argc, char **argv, report_options *opt)
{
    int i;

    memset(opt, 0, sizeof *opt);
    for (i = 1; i < argc; i++) {
        const char **slot = NULL;
        if (strcmp(argv[i], "--xml") == 0)
            slot = &opt->xml_path;
        else if (strcmp(argv[i], "--html") == 0)
            slot = &opt->html_path;
        else if (strcmp(argv[i], "--db") == 0)
            slot = &opt->db_path;
        else if (strcmp(argv[i], "--advisories") == 0)
            slot = &opt->advisories_path;
        if (slot != NULL) {
            if (i + 1 >= argc || *slot != NULL || argv[i + 1][0] == '\0') {
                fprintf(stderr, "pooltriage report: %s needs one file name\n", argv[i]);
                return -1;
            }
            *slot = argv[++i];
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "pooltriage report: unknown option '%s'\n", argv[i]);
            return -1;
        }
        if (opt->case_name != NULL) {
            fprintf(stderr, "pooltriage report: one case at a time ('%s' and '%s')\n",
                    opt->case_name, argv[i]);
            return -1;
        }
        opt->case_name = argv[i];
    }
    if (opt->case_name == NULL) {
        fprintf(stderr, "pooltriage report: which case? (see `pooltriage cases`)\n");
        return -1;
    }
    if (opt->xml_path == NULL && opt->html_path == NULL) {
        fprintf(stderr, "pooltriage report: give --xml FILE and/or --html FILE\n");
        return -1;
    }
    return 0;
}

/* The archive must exist: report never creates one. */
static pt_status report_check_archive(const char *db_path, pt_error *err)
{
    struct stat st;

    if (stat(db_path, &st) != 0)
        return pt_error_set(err, errno == ENOENT ? PT_ERR_NOT_FOUND : PT_ERR_IO, db_path,
                            PT_NO_OFFSET, "cannot open the case archive: %s%s",
                            strerror(errno),
                            errno == ENOENT ? " (import a bundle first, or give --db FILE)" : "");
    if (!S_ISREG(st.st_mode))
        return pt_error_set(err, PT_ERR_IO, db_path, PT_NO_OFFSET,
                            "the case archive is not a regular file");
    return PT_OK;
}

/* Fails fast, before the report is built, when an output cannot be
 * written: its directory must exist and be writable, and the path must not
 * be a directory. */
static pt_status report_check_output(const char *path, pt_error *err)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    struct stat st;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET,
                            "cannot write the report: it is a directory");
    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
    } else if (slash == path) {
        snprintf(dir, sizeof dir, "/");
    } else {
        if ((size_t)(slash - path) >= sizeof dir)
            return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET,
                                "cannot write the report: path too long");
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    }
    if (stat(dir, &st) != 0)
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET,
                            "cannot write the report: directory %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET,
                            "cannot write the report: %s is not a directory", dir);
    if (access(dir, W_OK) != 0)
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET,
                            "cannot write the report: directory %s: %s", dir, strerror(errno));
    return PT_OK;
}

int tool_report(int argc, char **argv)
{
    report_options opt;
    pt_archive *archive = NULL;
    pt_report report;
    pt_error err;
    pt_status st;
    const char *db_path;

    pt_error_clear(&err);
    pt_report_init(&report);
    if (report_parse_options(argc, argv, &opt) != 0) {
        pt_report_free(&report);
        return tool_usage("report");
    }
    db_path = tool_archive_path(opt.db_path);
    st = report_check_archive(db_path, &err);
    if (st != PT_OK)
        goto out;
    if (opt.xml_path != NULL && (st = report_check_output(opt.xml_path, &err)) != PT_OK)
        goto out;
    if (opt.html_path != NULL && (st = report_check_output(opt.html_path, &err)) != PT_OK)
        goto out;
    /* The report model reads the advisory file named by the environment
     * (case_report_drivers.c); the option takes its place for this run. */
    if (opt.advisories_path != NULL &&
        setenv("POOLTRIAGE_ADVISORIES", opt.advisories_path, 1) != 0) {
        st = pt_error_set(&err, PT_ERR_NOMEM, opt.advisories_path, PT_NO_OFFSET,
                          "cannot pass on the advisory file name: %s", strerror(errno));
        goto out;
    }
    st = pt_archive_open(db_path, PT_ARCHIVE_OPEN_EXISTING, &archive, &err);
    if (st != PT_OK)
        goto out;
    st = pt_case_build_report(archive, opt.case_name, &report, &err);
    if (st != PT_OK) {
        if (st == PT_ERR_NOT_FOUND && err.message[0] == '\0')
            pt_error_set(&err, st, db_path, PT_NO_OFFSET,
                         "no case named '%s' (see `pooltriage cases`)", opt.case_name);
        goto out;
    }
    if (opt.xml_path != NULL) {
        st = pt_report_write_xml(&report, opt.xml_path, &err);
        if (st != PT_OK)
            goto out;
        printf("%s\n", opt.xml_path);
    }
    if (opt.html_path != NULL) {
        st = pt_report_write_html(&report, opt.html_path, &err);
        if (st != PT_OK)
            goto out;
        printf("%s\n", opt.html_path);
    }
out:
    if (archive != NULL)
        pt_archive_close(archive);
    pt_report_free(&report);
    if (st != PT_OK)
        return tool_fail(&err);
    return 0;
}
