/* tool_history.c - `pooltriage history`. */
#include "tool.h"

int tool_history(int argc, char **argv)
{
    (void)argc;
    return tool_usage(argv[0]);
}
