/* pt_collect.h - what `pooltriage-collect` does, callable from both programs
 * (`pooltriage-collect ...` and `pooltriage collect ...`).
 *
 * The command line is parsed into a pt_collect_plan (collect_options.c,
 * a table other modules extend by one line per option); pt_collect_run
 * then recognizes every input by content before anything is written, and
 * streams the members into the bundle at its final path, so a collector
 * killed mid-way leaves a bundle readable up to its last complete member.
 */
#ifndef PT_COLLECT_H
#define PT_COLLECT_H

#include <stddef.h>

#include "pt_error.h"
#include "pt_evidence.h"

/* What an input is: an evidence file recognized by content, or one of the
 * special inputs later modules add (a dump given with --dump, a drivers
 * directory). */
typedef enum pt_collect_input_kind {
    PT_COLLECT_EVIDENCE = 0,  /* FILE: recognized by pt_readers_detect */
    PT_COLLECT_DUMP = 1,      /* --dump FILE */
    PT_COLLECT_DRIVERS = 2,   /* --drivers DIR */
} pt_collect_input_kind;

typedef struct pt_collect_input {
    pt_collect_input_kind kind;
    const char *path;          /* as given on the command line */
    const char *time_text;     /* --time given before it, or NULL */
    pt_filetime time;          /* parsed --time, 0 = none */
} pt_collect_input;

typedef struct pt_collect_plan {
    const char *output;        /* -o FILE */
    const char *case_hint;     /* --case NAME */
    const char *host;          /* --host NAME (default: this machine's name) */
    int dump_reduce;           /* --dump-reduce */
    int show_help, show_version;
    pt_collect_input *inputs;
    size_t input_count, input_cap;
    /* --time in effect for the inputs that follow */
    const char *current_time_text;
    pt_filetime current_time;
} pt_collect_plan;

void pt_collect_plan_init(pt_collect_plan *plan);
void pt_collect_plan_free(pt_collect_plan *plan);

/* Parses argv[1..argc-1] (argv[0] is the program or command name). */
pt_status pt_collect_parse_args(pt_collect_plan *plan, int argc, char **argv,
                                pt_error *err);
/* Appends an input (used by the option table). */
pt_status pt_collect_plan_add_input(pt_collect_plan *plan, pt_collect_input_kind kind,
                                    const char *path, pt_error *err);

/* Prints the usage text (the option table) to out (a FILE *). */
void pt_collect_print_help(void *out, const char *progname);

/* Collects: checks every input, writes the bundle.  On failure no bundle
 * is left at plan->output unless members were already written when the
 * failure happened mid-stream (then the bundle is left partial, as a
 * killed collector would leave it, and the message says so). */
pt_status pt_collect_run(const pt_collect_plan *plan, pt_error *err);

/* The whole command: parse, help/version, run; prints errors prefixed with
 * progname.  Returns the exit status (a pt_status). */
int pt_collect_main(int argc, char **argv, const char *progname);

#endif
