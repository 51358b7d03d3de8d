/* collect_main_tmp.c - temporary entry point until collect lands. */
#include <stdio.h>
#include "pt_collect.h"

int pt_collect_main(int argc, char **argv, const char *progname)
{
    (void)argc; (void)argv;
    fprintf(stderr, "%s: not built yet\n", progname);
    return PT_ERR_UNSUPPORTED;
}
