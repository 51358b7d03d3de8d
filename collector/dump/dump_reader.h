/* dump_reader.h - the kernel crash dump reader (MEMORY.DMP, minidumps).
 *
 * One dump gives one sample (kind PT_KIND_DUMP, time = crash time): the
 * loaded modules, per-tag pool usage summed over every tracker table,
 * !vm-style counters the KDBG reaches, and the big pool allocations.
 * Lower layers, for tools and tests: dump_file.h (header, physical pages),
 * dump_virt.h, dump_kdbg.h, dump_triage.h, dump_modules.h, dump_pool.h. */
#ifndef DUMP_READER_H
#define DUMP_READER_H

#include "pt_reader.h"

extern const pt_reader pt_reader_dump;

#endif
