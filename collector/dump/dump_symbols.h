/* dump_symbols.h - kernel variables from a user-supplied ntkrnlmp.pdb (a
 * file, or a symbol store folder matched by the kernel's CodeView GUID and
 * age), for what the KDBG alone does not give (../shared/docs/
 * dump-format.md §7.9). */
#ifndef DUMP_SYMBOLS_H
#define DUMP_SYMBOLS_H

#include "dump_file.h"

typedef enum dump_sym {
    DUMP_SYM_POOLTRACKTABLE,
    DUMP_SYM_POOLTRACKTABLESIZE,
    DUMP_SYM_EXPOOLTAGTABLES,
    DUMP_SYM_EXPANSION,
    DUMP_SYM_EXPANSIONSIZE,
    DUMP_SYM_BIGPAGETABLE,
    DUMP_SYM_BIGPAGETABLESIZE,
    DUMP_SYM_KIWAITNEVER,
    DUMP_SYM_KIWAITALWAYS,
    DUMP_SYM_KDPDATABLOCKENCODED,
    DUMP_SYM_KDDEBUGGERDATABLOCK,
    DUMP_SYM_COUNT
} dump_sym;

typedef struct dump_symbols {
    int loaded;
    int verified;          /* the PDB's GUID and age match the kernel's RSDS */
    char pdb_path[1024];
    uint64_t va[DUMP_SYM_COUNT]; /* 0 when the PDB lacks the symbol */
} dump_symbols;

/* The public name of a symbol ("PoolTrackTable"). */
const char *dump_symbol_name(dump_sym s);

/* Finds the PDB for the kernel at kernel_base through symbol_path and takes
 * the symbols.  Not finding or not matching it is not an error: a warning
 * says why and sym->loaded stays 0. */
pt_status dump_symbols_load(dump_file *df, uint64_t kernel_base, const char *symbol_path,
                            dump_symbols *sym, pt_error *err);

#endif
