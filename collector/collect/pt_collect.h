/* pt_collect.h - what `pooltriage-collect` does, callable from both programs
 * (`pooltriage-collect ...` and `pooltriage collect ...`).
 *
 * The command line becomes a pt_collect_plan (collect_options.c: a table
 * other modules extend by one line per option).  pt_collect_run then checks
 * every input (recognized by content) before anything is written, and
 * streams the members into the bundle at its final path, so a collector
 * killed mid-way leaves a bundle readable up to its last complete member.
 *
 * An input has a type (evidence file, crash dump, drivers directory, ...):
 * a check run before the bundle is created and an add that writes its
 * members.  A module adds an input type by defining a pt_collect_input_type
 * and an option line that calls pt_collect_plan_add_input with it.
 */
#ifndef PT_COLLECT_H
#define PT_COLLECT_H

#include <stddef.h>

#include "bundle.h"
#include "pt_error.h"
#include "pt_evidence.h"
#include "pt_reader.h"

typedef struct pt_collect_plan pt_collect_plan;
typedef struct pt_collect_input pt_collect_input;
typedef struct pt_collect_ctx pt_collect_ctx;

typedef struct pt_collect_input_type {
    const char *name;  /* "evidence", "dump", "drivers" */
    /* Recognizes the input before the bundle exists (nothing is written if
     * any check fails); may fill in->reader and in->state. */
    pt_status (*check)(const pt_collect_plan *plan, pt_collect_input *in, pt_error *err);
    /* Writes the input's members through ctx. */
    pt_status (*add)(pt_collect_ctx *ctx, pt_collect_input *in, pt_error *err);
    /* Frees in->state; may be NULL. */
    void (*release)(pt_collect_input *in);
} pt_collect_input_type;

struct pt_collect_input {
    const pt_collect_input_type *type;
    const char *path;          /* as given on the command line */
    const char *time_text;     /* the --time given before it, or NULL */
    pt_filetime time;          /* that time parsed, 0 = none */
    const pt_reader *reader;   /* set by check for evidence files */
    void *state;               /* the type's own */
};

struct pt_collect_plan {
    const char *output;        /* -o FILE */
    const char *case_hint;     /* --case NAME */
    const char *host;          /* --host NAME (default: this machine's name) */
    int dump_reduce;           /* --dump-reduce */
    int drivers_with_binaries; /* --with-binaries (collect_drivers.c) */
    int show_help, show_version;
    pt_collect_input *inputs;
    size_t input_count, input_cap;
    const char *current_time_text; /* --time in effect for inputs that follow */
    pt_filetime current_time;
};

/* The input types this module defines. */
extern const pt_collect_input_type pt_collect_type_evidence; /* FILE */
extern const pt_collect_input_type pt_collect_type_dump;     /* --dump FILE */
/* collect_drivers.c: --drivers DIR and --with-binaries. */
extern const pt_collect_input_type pt_collect_type_drivers;  /* --drivers DIR */
pt_status pt_collect_opt_drivers(pt_collect_plan *plan, const char *arg, pt_error *err);
pt_status pt_collect_opt_with_binaries(pt_collect_plan *plan, const char *arg, pt_error *err);

void pt_collect_plan_init(pt_collect_plan *plan);
void pt_collect_plan_free(pt_collect_plan *plan);

/* Parses argv[1..argc-1] (argv[0] is the program or command name). */
pt_status pt_collect_parse_args(pt_collect_plan *plan, int argc, char **argv,
                                pt_error *err);
/* Appends an input with the --time now in effect (used by the options). */
pt_status pt_collect_plan_add_input(pt_collect_plan *plan, const pt_collect_input_type *type,
                                    const char *path, pt_error *err);

/* Prints the usage text (from the option table) to out, a FILE *. */
void pt_collect_print_help(void *out, const char *progname);

/* ---- for input types: writing members ---- */

/* The writer of the bundle being made. */
pt_bundle_writer *pt_collect_writer(pt_collect_ctx *ctx);
const pt_collect_plan *pt_collect_get_plan(pt_collect_ctx *ctx);
/* A member name unique in this bundle: "DIR/BASENAME" of path (made safe),
 * or "DIR/2/BASENAME", ... when taken.  Valid until the run ends. */
const char *pt_collect_member_name(pt_collect_ctx *ctx, const char *dir, const char *path,
                                   pt_error *err);
/* Adds a file as a member with original_path and mtime attributes, plus
 * extra ones. */
pt_status pt_collect_add_file(pt_collect_ctx *ctx, const char *name, const char *kind,
                              const char *path, const pt_bundle_attr *extra,
                              size_t extra_count, pt_error *err);

/* Collects: checks every input, then writes the bundle.  On failure no
 * bundle is left at plan->output. */
pt_status pt_collect_run(const pt_collect_plan *plan, pt_error *err);

/* The whole command: parse, help/version, run; prints errors prefixed with
 * progname.  Returns the exit status (a pt_status). */
int pt_collect_main(int argc, char **argv, const char *progname);

#endif
