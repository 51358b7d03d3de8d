/* text_readers.h - readers of the text outputs engineers already have:
 * `!poolused`, `!vm`, poolmon screens and snapshots, pooltag.txt and
 * localtag.txt.  Each recognizes its input by content. */
#ifndef PT_TEXT_READERS_H
#define PT_TEXT_READERS_H

#include "pt_reader.h"

extern const pt_reader pt_reader_poolused;
extern const pt_reader pt_reader_vm;
extern const pt_reader pt_reader_poolmon;
extern const pt_reader pt_reader_pooltag;

#endif
