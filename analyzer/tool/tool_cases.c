/* tool_cases.c - `pooltriage cases`. */
#include "tool.h"

int tool_cases(int argc, char **argv)
{
    (void)argc;
    return tool_usage(argv[0]);
}
