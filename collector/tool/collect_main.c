/* collect_main.c - the pooltriage-collect program (zlib only). */
#include "pt_collect.h"

int main(int argc, char **argv)
{
    return pt_collect_main(argc, argv, "pooltriage-collect");
}
