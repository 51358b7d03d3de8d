/* pt_readers.h - the table of evidence readers, and detection by content.
 * Files are recognized by content, never by name. */
#ifndef PT_READERS_H
#define PT_READERS_H

#include <stddef.h>
#include <stdint.h>

#include "pt_error.h"
#include "pt_evidence.h"
#include "pt_reader.h"
#include "pt_source.h"

/* Every reader, in a fixed order. */
const pt_reader *const *pt_readers_all(size_t *count);

/* The reader whose probe is surest about src (reads its first bytes).
 * PT_ERR_FORMAT, naming the file, when no probe says more than 0. */
pt_status pt_readers_detect(pt_source *src, const pt_reader **out, pt_error *err);

const pt_reader *pt_readers_by_name(const char *name);

#endif
