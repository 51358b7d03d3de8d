/* dump_virt.h - kernel virtual addresses to physical ones, through the
 * page tables the dump holds (x64 4-level, x86 PAE and non-PAE;
 * ../shared/docs/dump-format.md §2). */
#ifndef DUMP_VIRT_H
#define DUMP_VIRT_H

#include "dump_file.h"

/* Translates va; PT_ERR_NOT_FOUND when it is not mapped or a table page
 * is missing, PT_ERR_UNSUPPORTED for ARM64 (no page tables read). */
pt_status dump_virt_to_phys(dump_file *df, uint64_t va, uint64_t *pa, pt_error *err);
/* Reads len bytes at va, page by page. */
pt_status dump_read_virt(dump_file *df, uint64_t va, void *buf, size_t len, pt_error *err);
/* A pointer-sized value (4 bytes on x86) at va. */
pt_status dump_read_pointer(dump_file *df, uint64_t va, uint64_t *value, pt_error *err);
/* True when va is a kernel address in the dumped system's layout. */
int dump_is_kernel_va(const dump_file *df, uint64_t va);

#endif
