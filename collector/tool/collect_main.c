/* collect_main.c - the pooltriage-collect program (zlib only). */
#include <stdio.h>

#include "pt_collect.h"
#include "pt_platform.h"

int main(int argc, char **argv)
{
    pt_error err;
    pt_status st;

    /* File names in any script: on Windows the C runtime's argv is in the
     * ANSI code page, so take the wide command line as UTF-8 instead. */
    pt_error_clear(&err);
    if ((st = pt_platform_utf8_args(&argc, &argv, &err)) != PT_OK) {
        fprintf(stderr, "pooltriage-collect: %s\n",
                err.message[0] ? err.message : pt_status_message(st));
        return (int)st;
    }
    return pt_collect_main(argc, argv, "pooltriage-collect");
}
