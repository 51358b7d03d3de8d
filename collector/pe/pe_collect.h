/* pe_collect.h - scanning driver directories: the walk shared by
 * `pooltriage-collect --drivers DIR` and `pooltriage tags --drivers DIR`,
 * and writing the driver-metadata member (and optionally the binaries)
 * into a bundle. */
#ifndef PT_PE_COLLECT_H
#define PT_PE_COLLECT_H

#include <stddef.h>

#include "bundle.h"
#include "pe_driver.h"
#include "pt_error.h"

/* Deepest directory nesting followed (DriverStore is about 4 deep). */
#define PT_PE_MAX_DEPTH 32

/* Called for each candidate file (extension .sys/.dll/.exe/.drv/.efi, or
 * content starting "MZ"), in sorted order per directory.  Symbolic links
 * to directories are not followed.  Returning non-OK stops the walk. */
typedef pt_status (*pt_pe_file_fn)(void *ctx, const char *path);

/* Walks path (a directory, recursively, or a single file). */
pt_status pt_pe_walk(const char *path, pt_pe_file_fn fn, void *ctx, pt_error *err);

typedef struct pt_pe_collect_stats {
    size_t files;          /* driver files recorded */
    size_t unreadable;     /* of them, listed with an error */
    size_t callsite_tags;  /* call-site evidence rows */
    size_t binaries;       /* binaries added (--with-binaries) */
} pt_pe_collect_stats;

#define PT_DRIVERS_MEMBER "drivers/metadata.txt"
#define PT_DRIVERS_KIND "drivers"
#define PT_DRIVER_BINARY_KIND "driver-binary"

/* Scans every directory (or file) in dirs and adds the member
 * PT_DRIVERS_MEMBER (kind "drivers") to w; with with_binaries, also each
 * readable file as "drivers/bin/N/NAME" (kind "driver-binary", attribute
 * original_path).  Files that cannot be read are listed with the reason;
 * the scan goes on.  Literal evidence is recorded, for each file, for
 * every tag found at a call site in any scanned file, so a metadata-only
 * bundle can still say how many files findstr would have named. */
pt_status pt_pe_collect_dir(pt_bundle_writer *w, const char *const *dirs, size_t dir_count,
                            int with_binaries, pt_pe_collect_stats *stats, pt_error *err);

/* Builds the driver-metadata text for dirs without a bundle (the same
 * content pt_pe_collect_dir writes); *out is malloc'd, NUL-terminated. */
pt_status pt_pe_metadata_for_dirs(const char *const *dirs, size_t dir_count, char **out,
                                  size_t *out_len, pt_pe_collect_stats *stats, pt_error *err);

#endif
