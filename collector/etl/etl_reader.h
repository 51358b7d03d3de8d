/* etl_reader.h - the ETW trace (.etl) reader: pool allocations and frees
 * with their stacks, image rundown, outstanding bytes per tag over time. */
#ifndef ETL_READER_H
#define ETL_READER_H

#include "pt_reader.h"

extern const pt_reader pt_reader_etl;

#endif
