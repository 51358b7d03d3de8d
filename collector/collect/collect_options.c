/* collect_options.c - the command line of pooltriage-collect.
 *
 * One table line per option: a module adds an option (and with it an
 * input type) by adding a line here and its handler in its own file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_collect.h"

typedef struct collect_option {
    const char *long_name;  /* "--case" */
    const char *short_name; /* "-o", or NULL */
    const char *arg_name;   /* "NAME", or NULL for a flag */
    pt_status (*apply)(pt_collect_plan *plan, const char *arg, pt_error *err);
    const char *help;
} collect_option;

static pt_status opt_output(pt_collect_plan *plan, const char *arg, pt_error *err)
{
    if (plan->output != NULL)
        return pt_error_set(err, PT_ERR_USAGE, NULL, PT_NO_OFFSET, "-o given twice");
    plan->output = arg;
    return PT_OK;
}

static pt_status opt_case(pt_collect_plan *plan, const char *arg, pt_error *err)
{
    plan->case_hint = arg;
    return PT_OK;
}

static pt_status opt_host(pt_collect_plan *plan, const char *arg, pt_error *err)
{
    plan->host = arg;
    return PT_OK;
}

static pt_status opt_time(pt_collect_plan *plan, const char *arg, pt_error *err)
{
    pt_filetime t = 0;
    if (pt_filetime_parse(arg, &t) != 0 || t == 0)
        return pt_error_set(err, PT_ERR_USAGE, NULL, PT_NO_OFFSET,
                            "--time %s: not a time (use YYYY-MM-DDTHH:MM:SS[Z] or "
                            "\"YYYY-MM-DD HH:MM[:SS]\")",
                            arg);
    plan->current_time = t;
    plan->current_time_text = arg;
    return PT_OK;
}

static pt_status opt_dump(pt_collect_plan *plan, const char *arg, pt_error *err)
{
    return pt_collect_plan_add_input(plan, &pt_collect_type_dump, arg, err);
}

static pt_status opt_dump_reduce(pt_collect_plan *plan, const char *arg, pt_error *err)
{
    plan->dump_reduce = 1;
    return PT_OK;
}

static pt_status opt_help(pt_collect_plan *plan, const char *arg, pt_error *err)
{
    plan->show_help = 1;
    return PT_OK;
}

static pt_status opt_version(pt_collect_plan *plan, const char *arg, pt_error *err)
{
    plan->show_version = 1;
    return PT_OK;
}

static const collect_option options[] = {
    {"--output", "-o", "FILE", opt_output, "the bundle to write (required)"},
    {"--case", NULL, "NAME", opt_case, "case name suggested to the archive"},
    {"--host", NULL, "NAME", opt_host, "machine the evidence is from (default: this one)"},
    {"--time", NULL, "TIME", opt_time,
     "when the FILEs after it were taken, where a file does not say\n"
     "                         (YYYY-MM-DDTHH:MM:SS[Z]; default: the file's mtime)"},
    {"--dump", NULL, "FILE", opt_dump, "a kernel crash dump (read at random offsets later)"},
    {"--dump-reduce", NULL, NULL, opt_dump_reduce,
     "keep only the dump pages the analyzer reads"},
    {"--drivers", NULL, "DIR", pt_collect_opt_drivers,
     "driver files (recursive: System32\\drivers, DriverStore): metadata and pool-tag "
     "evidence; repeatable"},
    {"--with-binaries", NULL, NULL, pt_collect_opt_with_binaries,
     "also put the driver files themselves in the bundle"},
    {"--help", "-h", NULL, opt_help, "this text"},
    {"--version", NULL, NULL, opt_version, "the collector's version"},
};

#define OPTION_COUNT (sizeof options / sizeof options[0])

void pt_collect_plan_init(pt_collect_plan *plan)
{
    memset(plan, 0, sizeof *plan);
}

void pt_collect_plan_free(pt_collect_plan *plan)
{
    size_t i;
    for (i = 0; i < plan->input_count; i++)
        if (plan->inputs[i].type->release != NULL)
            plan->inputs[i].type->release(&plan->inputs[i]);
    free(plan->inputs);
    memset(plan, 0, sizeof *plan);
}

pt_status pt_collect_plan_add_input(pt_collect_plan *plan, const pt_collect_input_type *type,
                                    const char *path, pt_error *err)
{
    pt_collect_input *in;
    if (plan->input_count == plan->input_cap) {
        size_t ncap = plan->input_cap ? plan->input_cap * 2 : 16;
        pt_collect_input *ni = realloc(plan->inputs, ncap * sizeof *ni);
        if (ni == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
        plan->inputs = ni;
        plan->input_cap = ncap;
    }
    in = &plan->inputs[plan->input_count++];
    memset(in, 0, sizeof *in);
    in->type = type;
    in->path = path;
    in->time = plan->current_time;
    in->time_text = plan->current_time_text;
    return PT_OK;
}

/* The option named by arg: "--case", "-o", or "--case=NAME" (value out). */
static const collect_option *find_option(const char *arg, const char **inline_value)
{
    size_t i;
    const char *eq = strchr(arg, '=');
    size_t n = eq != NULL && arg[1] == '-' ? (size_t)(eq - arg) : strlen(arg);

    *inline_value = NULL;
    for (i = 0; i < OPTION_COUNT; i++) {
        const collect_option *o = &options[i];
        if ((strlen(o->long_name) == n && strncmp(o->long_name, arg, n) == 0) ||
            (o->short_name != NULL && strcmp(o->short_name, arg) == 0)) {
            if (n < strlen(arg))
                *inline_value = arg + n + 1;
            return o;
        }
    }
    return NULL;
}

pt_status pt_collect_parse_args(pt_collect_plan *plan, int argc, char **argv,
                                pt_error *err)
{
    int i, only_files = 0;
    pt_status st;

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i], *value;
        const collect_option *o;

        if (only_files || arg[0] != '-' || arg[1] == '\0') {
            st = pt_collect_plan_add_input(plan, &pt_collect_type_evidence, arg, err);
            if (st != PT_OK)
                return st;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_files = 1;
            continue;
        }
        o = find_option(arg, &value);
        if (o == NULL)
            return pt_error_set(err, PT_ERR_USAGE, NULL, PT_NO_OFFSET,
                                "unknown option %s (see --help)", arg);
        if (o->arg_name != NULL && value == NULL) {
            if (i + 1 >= argc)
                return pt_error_set(err, PT_ERR_USAGE, NULL, PT_NO_OFFSET,
                                    "%s needs %s", arg, o->arg_name);
            value = argv[++i];
        } else if (o->arg_name == NULL && value != NULL) {
            return pt_error_set(err, PT_ERR_USAGE, NULL, PT_NO_OFFSET,
                                "%s takes no value", o->long_name);
        }
        if ((st = o->apply(plan, value, err)) != PT_OK)
            return st;
    }
    return PT_OK;
}

void pt_collect_print_help(void *out, const char *progname)
{
    FILE *f = out;
    size_t i;
    fprintf(f,
            "usage: %s [options] FILE... -o BUNDLE\n\n"
            "Gathers evidence of a kernel pool leak into one compressed bundle for\n"
            "`pooltriage import`.  Each FILE is recognized by its content: poolmon\n"
            "output (one file per sample of a series), !poolused, !vm, pooltag.txt or\n"
            "localtag.txt, a crash dump, an ETW trace, a driver file.  A file that is\n"
            "none of these is an error, and then no bundle is written.\n\noptions:\n",
            progname);
    for (i = 0; i < OPTION_COUNT; i++) {
        char left[64];
        const collect_option *o = &options[i];
        snprintf(left, sizeof left, "%s%s%s%s%s", o->short_name ? o->short_name : "",
                 o->short_name ? ", " : "", o->long_name, o->arg_name ? " " : "",
                 o->arg_name ? o->arg_name : "");
        fprintf(f, "  %-22s %s\n", left, o->help);
    }
}
