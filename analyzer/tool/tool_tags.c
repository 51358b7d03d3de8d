/* tool_tags.c - `pooltriage tags` (being filled in). */
#include <stdio.h>

#include "tool.h"

int tool_tags(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "pooltriage: tags is not complete yet\n");
    return PT_ERR_UNSUPPORTED;
}
