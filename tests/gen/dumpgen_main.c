/* dumpgen_main.c - `dumpgen`: writes one synthetic crash dump (for the
 * benchmark and the fuzz seed corpus).
 *
 *   dumpgen [-a x64|x86pae|x86] [-b BUILD] [-k full|bitmap|rdmp|rdmp-kernel] [-m GiB]
 *           [-e] [-p PROCESSORS] [-A] OUT.dmp
 *
 * -e encodes the KDBG; -A puts the bitmap's first page on a page boundary;
 * -t writes a triage (small memory) dump; -S scatters the pages over all of memory; -s makes a small fixture (few tags, small tables) for seed corpora. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dumpgen.h"

static int usage(void)
{
    fprintf(stderr, "usage: dumpgen [-a x64|x86pae|x86] [-b BUILD] "
                    "[-k full|bitmap|rdmp|rdmp-kernel] [-m GiB]\n"
                    "               [-e] [-p N] [-A] [-s] [-S] [-t] OUT.dmp\n");
    return 1;
}

int main(int argc, char **argv)
{
    dg_arch arch = DG_X64;
    dg_kind kind = DG_FULL;
    unsigned build = 19041, processors = 4;
    double gib = 0;
    int encoded = 0, aligned = 0, small = 0, scatter = 0, triage = 0, opt;
    dumpgen_spec s;
    dumpgen *g;

    while ((opt = getopt(argc, argv, "a:b:k:m:ep:AsSt")) != -1) {
        switch (opt) {
        case 'a':
            arch = strcmp(optarg, "x86pae") == 0 ? DG_X86_PAE
                   : strcmp(optarg, "x86") == 0  ? DG_X86
                                                 : DG_X64;
            break;
        case 'b': build = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'k':
            kind = strcmp(optarg, "bitmap") == 0      ? DG_BITMAP
                   : strcmp(optarg, "rdmp") == 0      ? DG_RDMP_FULL
                   : strcmp(optarg, "rdmp-kernel") == 0 ? DG_RDMP_KERNEL
                                                        : DG_FULL;
            break;
        case 'm': gib = strtod(optarg, NULL); break;
        case 'e': encoded = 1; break;
        case 'p': processors = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'A': aligned = 1; break;
        case 's': small = 1; break;
        case 'S': scatter = 1; break;
        case 't': triage = 1; break;
        default: return usage();
        }
    }
    if (optind + 1 != argc)
        return usage();
    dumpgen_default_spec(&s, arch, build, kind);
    s.kdbg_encoded = encoded;
    s.bitmap_page_aligned = aligned;
    s.processors = processors;
    s.scatter = scatter;
    if (gib > 0)
        dumpgen_set_memory(&s, (unsigned long long)(gib * (1u << 30)));
    if (small) {
        s.tracker_entries = 65;
        s.bigpage_entries = 16;
        s.ntags = 6;
        s.nbig = 4;
        s.nmodules = 3;
        s.large_pages = 0;
        s.processors = 2;
        s.runs[0].count = 0x30;
        s.runs[1].count = 0x10;
    }
    g = dumpgen_create(&s);
    if (g == NULL ||
        (triage ? dumpgen_write_triage(g, argv[optind]) : dumpgen_write(g, argv[optind])) != 0) {
        dumpgen_free(g);
        return 1;
    }
    dumpgen_free(g);
    return 0;
}
