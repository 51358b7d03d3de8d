/* tool.h - what the pooltriage command's parts share.
 *
 * One file per command (tool_import.c, tool_report.c, ...), as curl's
 * tool_*.c.  Each command is `int tool_<name>(int argc, char **argv)`
 * with argv[0] the command name; it returns the exit status, which is a
 * pt_status code (stable: see collector/core/pt_error.h).
 */
#ifndef TOOL_H
#define TOOL_H

#include "pt_error.h"

typedef struct tool_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *synopsis;
    const char *summary;
} tool_command;

int tool_collect(int argc, char **argv);
int tool_import(int argc, char **argv);
int tool_cases(int argc, char **argv);
int tool_show(int argc, char **argv);
int tool_history(int argc, char **argv);
int tool_export(int argc, char **argv);
int tool_report(int argc, char **argv);
int tool_inspect(int argc, char **argv);
int tool_tags(int argc, char **argv);

/* Prints "pooltriage: MESSAGE" (the error's message, or the code's fixed
 * meaning) to stderr and returns the code as exit status. */
int tool_fail(const pt_error *err);
/* Prints a usage error for a command and returns PT_ERR_USAGE. */
int tool_usage(const char *command);

/* The archive path: --db FILE, else $POOLTRIAGE_DB, else the default
 * ($XDG_DATA_HOME or ~/.local/share)/pooltriage/archive.db. */
const char *tool_archive_path(const char *db_option);

#endif
