/* dump_reader.h - the kernel crash dump reader (MEMORY.DMP, minidumps). */
#ifndef DUMP_READER_H
#define DUMP_READER_H

#include "pt_reader.h"

extern const pt_reader pt_reader_dump;

#endif
