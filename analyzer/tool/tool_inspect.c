/* tool_inspect.c - `pooltriage inspect [--xml] FILE...` (being filled in). */
#include <stdio.h>

#include "tool.h"

int tool_inspect(int argc, char **argv)
{
    (void)argv;
    if (argc < 2)
        return tool_usage("inspect");
    fprintf(stderr, "pooltriage: inspect is not complete yet\n");
    return PT_ERR_UNSUPPORTED;
}
