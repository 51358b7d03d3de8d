/* tool_main.c - `pooltriage COMMAND ...`: dispatch and shared helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"

static const tool_command commands[] = {
    {"collect", tool_collect, "collect [options] FILE... -o BUNDLE",
     "gather evidence files into a bundle (as pooltriage-collect)"},
    {"import", tool_import, "import BUNDLE... [--case NAME] [--db FILE] [--partial]",
     "load bundles into the case archive"},
    {"cases", tool_cases, "cases [--db FILE]", "list the cases in the archive"},
    {"show", tool_show, "show CASE [--db FILE]", "what the archive holds for a case"},
    {"history", tool_history, "history --tag TAG | --driver NAME [--db FILE]",
     "past cases where a tag or driver was a suspect"},
    {"export", tool_export,
     "export CASE [--tags F] [--counters F] [--suspects F] [--modules F] [--drivers F]",
     "write a case's data as CSV"},
    {"report", tool_report,
     "report CASE [--xml FILE] [--html FILE] [--db FILE] [--advisories FILE]",
     "render the case report"},
    {"inspect", tool_inspect, "inspect [--xml] FILE...", "say what each file is and holds"},
    {"tags", tool_tags, "tags --drivers DIR [--tag TAG] [--csv]",
     "which drivers use which pool tags, with evidence"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_help(FILE *out)
{
    size_t i;
    fprintf(out, "pooltriage %s - kernel pool leak triage\n\nusage:\n", PT_VERSION);
    for (i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  pooltriage %s\n      %s\n", commands[i].synopsis, commands[i].summary);
    fprintf(out, "\nThe archive is --db FILE, else $POOLTRIAGE_DB, else %s.\n",
            tool_archive_path(NULL));
}

int tool_fail(const pt_error *err)
{
    const char *msg = err->message[0] ? err->message : pt_status_message(err->code);
    fprintf(stderr, "pooltriage: %s\n", msg);
    return err->code == PT_OK ? PT_ERR_INTERNAL : (int)err->code;
}

int tool_usage(const char *command)
{
    size_t i;
    for (i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(commands[i].name, command) == 0) {
            fprintf(stderr, "usage: pooltriage %s\n", commands[i].synopsis);
            return PT_ERR_USAGE;
        }
    }
    print_help(stderr);
    return PT_ERR_USAGE;
}

const char *tool_archive_path(const char *db_option)
{
    static char path[4096];
    const char *env = getenv("POOLTRIAGE_DB");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");

    if (db_option != NULL)
        return db_option;
    if (env != NULL && env[0] != '\0')
        return env;
    if (xdg != NULL && xdg[0] != '\0')
        snprintf(path, sizeof path, "%s/pooltriage/archive.db", xdg);
    else
        snprintf(path, sizeof path, "%s/.local/share/pooltriage/archive.db",
                 home != NULL ? home : ".");
    return path;
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? PT_ERR_USAGE : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("pooltriage %s\n", PT_VERSION);
        return 0;
    }
    for (i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "pooltriage: unknown command '%s'\n", argv[1]);
    print_help(stderr);
    return PT_ERR_USAGE;
}
