/* tool_export.c - `pooltriage export CASE [--tags F] [--counters F]
 * [--suspects F] [--modules F] [--drivers F] [--db FILE]`: CSV for spreadsheets and
 * scripts (columns in analyzer/archive/archive_export.h).  "-" is stdout. */
#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "archive_drivers.h"
#include "archive_export.h"
#include "tool.h"

typedef pt_status (*export_fn)(pt_archive *, int64_t, FILE *, pt_error *);

static const struct {
    const char *option;
    export_fn fn;
} EXPORTS[] = {
    {"--tags", pt_export_tags_csv},
    {"--counters", pt_export_counters_csv},
    {"--suspects", pt_export_suspects_csv},
    {"--modules", pt_export_modules_csv},
    {"--drivers", pt_export_drivers_csv},
};
#define EXPORT_COUNT (sizeof EXPORTS / sizeof EXPORTS[0])

static pt_status export_one(pt_archive *a, int64_t case_id, export_fn fn, const char *path,
                            pt_error *err)
{
    int to_stdout = strcmp(path, "-") == 0;
    FILE *out = to_stdout ? stdout : fopen(path, "wb");
    pt_status rc;

    if (out == NULL)
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET, "cannot create the file");
    rc = fn(a, case_id, out, err);
    /* (decided before fclose: gcc -O2 flags any look at a closed FILE *) */
    if (!to_stdout && fclose(out) != 0 && rc == PT_OK)
        rc = pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET, "cannot write the file");
    else if (to_stdout)
        fflush(stdout);
    if (rc != PT_OK)
        pt_error_prefix(err, "export to %s", path);
    return rc;
}

int tool_export(int argc, char **argv)
{
    const char *paths[EXPORT_COUNT] = {NULL};
    const char *case_name = NULL, *db = NULL;
    pt_archive *a = NULL;
    pt_error err;
    int64_t case_id;
    int i, any = 0;
    size_t k;

    for (i = 1; i < argc; i++) {
        int matched = 0;
        for (k = 0; k < EXPORT_COUNT; k++) {
            if (strcmp(argv[i], EXPORTS[k].option) == 0 && i + 1 < argc) {
                paths[k] = argv[++i];
                matched = any = 1;
            }
        }
        if (matched)
            continue;
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (argv[i][0] != '-' && case_name == NULL)
            case_name = argv[i];
        else
            return tool_usage(argv[0]);
    }
    if (case_name == NULL || !any)
        return tool_usage(argv[0]);
    pt_error_clear(&err);
    if (pt_archive_open(tool_archive_path(db), PT_ARCHIVE_OPEN_EXISTING, &a, &err) != PT_OK)
        return tool_fail(&err);
    if (pt_archive_case_id(a, case_name, &case_id, &err) != PT_OK)
        goto fail;
    for (k = 0; k < EXPORT_COUNT; k++)
        if (paths[k] != NULL && export_one(a, case_id, EXPORTS[k].fn, paths[k], &err) != PT_OK)
            goto fail;
    pt_archive_close(a);
    return 0;
fail:
    pt_archive_close(a);
    return tool_fail(&err);
}
