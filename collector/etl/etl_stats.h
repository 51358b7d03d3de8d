/* etl_stats.h - what `inspect` and the tests count in a trace: events per
 * header kind and per kernel event of interest, timestamps, images. */
#ifndef ETL_STATS_H
#define ETL_STATS_H

#include <stdint.h>

#include "etl_file.h"

typedef struct etl_stats {
    uint64_t events;
    uint64_t by_kind[ETL_HK_COUNT];
    uint64_t pool_alloc, pool_alloc_session, pool_free, pool_free_session, pool_other;
    uint64_t stack_walk;
    uint64_t stack_create, stack_key_delete, stack_key_rundown, stack_key_kernel,
        stack_key_user;
    uint64_t image_load, image_unload, image_dcstart, image_dcend;
    uint64_t image_pid0[4];     /* load, unload, dcstart, dcend with ProcessId 0 */
    uint64_t first_ts, last_ts; /* smallest and largest raw timestamp */
    uint64_t last_file_ts;      /* timestamp of the last event seen */
    uint64_t inversions;        /* times a timestamp went down between events */
    uint64_t malformed;         /* kernel events of interest too short */
} etl_stats;

void etl_stats_init(etl_stats *s);
/* server2003: the old pool opcode numbering. */
void etl_stats_add(etl_stats *s, const etl_event *ev, int server2003);

#endif
