/* etl_map.h - an open-addressing map from u64 keys to u32 values with
 * linear probing and backward-shift deletion (no tombstones), used for
 * (tag, pool) rows, stack keys and image bases. */
#ifndef ETL_MAP_H
#define ETL_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct etl_map_slot {
    uint64_t key;
    uint32_t value;
    uint32_t used;
} etl_map_slot;

typedef struct etl_map {
    etl_map_slot *slots;
    size_t cap;   /* power of two */
    size_t count;
} etl_map;

static inline size_t etl_hash64(uint64_t k, size_t cap)
{
    /* the murmur3 finalizer: pool addresses differ in few, middle bits */
    k ^= k >> 33;
    k *= 0xFF51AFD7ED558CCDull;
    k ^= k >> 33;
    k *= 0xC4CEB9FE1A85EC53ull;
    k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

void etl_map_free(etl_map *m);
/* Returns the value pointer, or NULL when absent. */
uint32_t *etl_map_find(const etl_map *m, uint64_t key);
/* Inserts or replaces; returns 0, or -1 when out of memory. */
int etl_map_put(etl_map *m, uint64_t key, uint32_t value);
void etl_map_remove(etl_map *m, uint64_t key);

#endif
