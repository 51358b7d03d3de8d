/* tool_collect.c - `pooltriage collect`: the same as pooltriage-collect. */
#include "pt_collect.h"
#include "tool.h"

int tool_collect(int argc, char **argv)
{
    return pt_collect_main(argc, argv, "pooltriage collect");
}
