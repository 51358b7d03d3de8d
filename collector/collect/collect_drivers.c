/* collect_drivers.c - `--drivers DIR` (repeatable) and `--with-binaries`:
 * every PE file under the directories (System32\drivers, the DriverStore)
 * is read at the customer's site and its metadata and tag evidence go
 * into one member of kind "drivers" (schema/drivers-metadata.md); the
 * binaries themselves stay there unless --with-binaries is given.  A file
 * that cannot be read is listed with the reason and collection goes on. */
#include <stdlib.h>
#include <string.h>

#include "pe_collect.h"
#include "pt_collect.h"
#include "pt_platform.h"

pt_status pt_collect_opt_drivers(pt_collect_plan *plan, const char *arg, pt_error *err)
{
    return pt_collect_plan_add_input(plan, &pt_collect_type_drivers, arg, err);
}

pt_status pt_collect_opt_with_binaries(pt_collect_plan *plan, const char *arg, pt_error *err)
{
    (void)arg;
    (void)err;
    plan->drivers_with_binaries = 1;
    return PT_OK;
}

static pt_status drivers_check(const pt_collect_plan *plan, pt_collect_input *in, pt_error *err)
{
    pt_file_info info;
    (void)plan;
    if (pt_platform_stat(in->path, &info, err) != PT_OK)
        return pt_error_set(err, PT_ERR_IO, in->path, PT_NO_OFFSET,
                            "--drivers: no such directory");
    if (!info.is_directory && !info.is_regular)
        return pt_error_set(err, PT_ERR_USAGE, in->path, PT_NO_OFFSET,
                            "--drivers: not a directory or a file");
    return PT_OK;
}

/* The first --drivers input writes the member for all of them, so the
 * literal counts span every directory scanned; the others add nothing. */
static pt_status drivers_add(pt_collect_ctx *ctx, pt_collect_input *in, pt_error *err)
{
    const pt_collect_plan *plan = pt_collect_get_plan(ctx);
    const char **dirs;
    size_t i, n = 0;
    pt_status st;

    for (i = 0; i < plan->input_count; i++)
        if (plan->inputs[i].type == &pt_collect_type_drivers)
            break;
    if (i < plan->input_count && &plan->inputs[i] != in)
        return PT_OK;
    dirs = malloc(plan->input_count * sizeof *dirs);
    if (dirs == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, in->path, PT_NO_OFFSET, "out of memory");
    for (i = 0; i < plan->input_count; i++)
        if (plan->inputs[i].type == &pt_collect_type_drivers)
            dirs[n++] = plan->inputs[i].path;
    st = pt_pe_collect_dir(pt_collect_writer(ctx), dirs, n, plan->drivers_with_binaries, NULL,
                           err);
    free(dirs);
    return st;
}

const pt_collect_input_type pt_collect_type_drivers = {
    "drivers", drivers_check, drivers_add, NULL,
};
