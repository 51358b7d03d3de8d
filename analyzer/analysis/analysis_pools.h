/* analysis_pools.h - pools against their limits, from the case's counters. */
#ifndef PT_ANALYSIS_POOLS_H
#define PT_ANALYSIS_POOLS_H

#include "analysis.h"

/* Fills an->pools usage, limit, growth and time to exhaustion, and the
 * system figures, from the counters of the case's samples in time order.
 * tag_slopes[pool] is the growth of the pool's tag sum (NAN if unknown),
 * used when no counter series gives the pool's growth. */
pt_status pt_analysis_pool_limits(pt_archive *a, pt_case_analysis *an,
                                  const double tag_slopes[4], pt_error *err);

/* Whether a counter value looks wrong in its sample: a wrapped 64-bit
 * value, a usage above its maximum, a commit above the commit limit.
 * The sample's other counters are given by lookup(name, unit). */
typedef int (*pt_counter_lookup)(void *ctx, const char *name, const char *unit,
                                 uint64_t *value);
int pt_counter_looks_wrong(const char *name, const char *unit, uint64_t value,
                           pt_counter_lookup lookup, void *ctx);

#endif
