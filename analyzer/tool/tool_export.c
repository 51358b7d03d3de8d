/* tool_export.c - `pooltriage export`. */
#include "tool.h"

int tool_export(int argc, char **argv)
{
    (void)argc;
    return tool_usage(argv[0]);
}
