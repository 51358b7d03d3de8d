/* dump_modules.h - the loaded module list (PsLoadedModuleList walk,
 * ../shared/docs/dump-format.md §5). */
#ifndef DUMP_MODULES_H
#define DUMP_MODULES_H

#include "dump_file.h"
#include "dump_triage.h"

/* The walk stops after this many entries (real systems load a few hundred). */
#define DUMP_MAX_MODULES 4096u

/* Walks the list whose head is at head_va and calls fn per entry.  A cut
 * or looping list ends the walk with a warning (the dump is marked
 * partial); *count gets the entries passed to fn. */
pt_status dump_modules_walk(dump_file *df, uint64_t head_va, dump_module_fn fn, void *ctx,
                            uint32_t *count, pt_error *err);

#endif
