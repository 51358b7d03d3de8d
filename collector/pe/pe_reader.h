/* pe_reader.h - the readers of driver evidence: a single PE file
 * (pt_reader_pe) and the driver-metadata member a bundle carries
 * (pt_reader_drivers, format in schema/drivers-metadata.md). */
#ifndef PT_PE_READER_H
#define PT_PE_READER_H

#include "pt_reader.h"

extern const pt_reader pt_reader_pe;
extern const pt_reader pt_reader_drivers;

#endif
