/* tool_show.c - `pooltriage show`. */
#include "tool.h"

int tool_show(int argc, char **argv)
{
    (void)argc;
    return tool_usage(argv[0]);
}
