/* tool_import.c - `pooltriage import`. */
#include "tool.h"

int tool_import(int argc, char **argv)
{
    (void)argc;
    return tool_usage(argv[0]);
}
