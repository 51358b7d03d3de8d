/* tool_import.c - `pooltriage import BUNDLE... [--case NAME] [--db FILE] [--partial]`.
 *
 * Each bundle is one transaction: it is in the archive whole, or not at
 * all.  The case's suspects are recomputed inside the same transaction. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "archive.h"
#include "archive_import.h"
#include "tool.h"

typedef struct import_args {
    const char *case_name;
    const char *db;
    int partial;
    char **bundles;
    int bundle_count;
} import_args;

static int parse_args(int argc, char **argv, import_args *ia)
{
    int i;
    memset(ia, 0, sizeof *ia);
    ia->bundles = argv + 1;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--case") == 0 && i + 1 < argc) {
            ia->case_name = argv[++i];
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            ia->db = argv[++i];
        } else if (strcmp(argv[i], "--partial") == 0) {
            ia->partial = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "pooltriage import: unknown option '%s'\n", argv[i]);
            return -1;
        } else {
            ia->bundles[ia->bundle_count++] = argv[i];
        }
    }
    return ia->bundle_count > 0 ? 0 : -1;
}

static void print_result(const char *path, const pt_import_result *r)
{
    if (r->already) {
        printf("%s: already imported (case '%s', bundle %.16s...); nothing changed\n", path,
               r->case_name, r->bundle_id);
        return;
    }
    printf("%s: imported into case '%s'%s: %llu sources, %llu samples, %llu tag rows, "
           "%llu counters, %llu tag descriptions, %llu warnings\n",
           path, r->case_name, r->partial ? " (partial bundle: complete members only)" : "",
           (unsigned long long)r->counts.sources, (unsigned long long)r->counts.samples,
           (unsigned long long)r->counts.tag_rows, (unsigned long long)r->counts.counters,
           (unsigned long long)r->counts.tag_descs, (unsigned long long)r->counts.warnings);
}

int tool_import(int argc, char **argv)
{
    import_args ia;
    pt_import_options opt;
    pt_archive *a = NULL;
    pt_error err;
    struct stat sb;
    const char *path;
    int existed, status = 0, imported = 0, i;

    if (parse_args(argc, argv, &ia) != 0)
        return tool_usage(argv[0]);
    path = tool_archive_path(ia.db);
    existed = stat(path, &sb) == 0;
    pt_error_clear(&err);
    if (pt_archive_open(path, PT_ARCHIVE_CREATE, &a, &err) != PT_OK)
        return tool_fail(&err);
    memset(&opt, 0, sizeof opt);
    opt.case_name = ia.case_name;
    opt.partial_ok = ia.partial;
    opt.after_load = pt_analysis_store_suspects;
    for (i = 0; i < ia.bundle_count; i++) {
        pt_import_result res;
        pt_error_clear(&err);
        if (pt_archive_import_bundle(a, ia.bundles[i], &opt, &res, &err) != PT_OK) {
            int rc = tool_fail(&err);
            if (status == 0)
                status = rc;
            continue;
        }
        imported += !res.already;
        print_result(ia.bundles[i], &res);
    }
    pt_archive_close(a);
    /* An archive this command created for nothing is not left behind. */
    if (!existed && imported == 0 && status != 0)
        unlink(path);
    return status;
}
