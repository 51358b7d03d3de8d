/* etl_map.c - u64 -> u32 open-addressing map. */
#include "etl_map.h"

#include <stdlib.h>

void etl_map_free(etl_map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}

uint32_t *etl_map_find(const etl_map *m, uint64_t key)
{
    size_t i;
    if (m->cap == 0)
        return NULL;
    for (i = etl_hash64(key, m->cap); m->slots[i].used; i = (i + 1) & (m->cap - 1))
        if (m->slots[i].key == key)
            return &m->slots[i].value;
    return NULL;
}

static int grow(etl_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64, i;
    etl_map_slot *n = calloc(cap, sizeof *n);
    if (n == NULL)
        return -1;
    for (i = 0; i < m->cap; i++) {
        size_t j;
        if (!m->slots[i].used)
            continue;
        for (j = etl_hash64(m->slots[i].key, cap); n[j].used; j = (j + 1) & (cap - 1))
            ;
        n[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = n;
    m->cap = cap;
    return 0;
}

int etl_map_put(etl_map *m, uint64_t key, uint32_t value)
{
    size_t i;
    uint32_t *v = etl_map_find(m, key);
    if (v != NULL) {
        *v = value;
        return 0;
    }
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m) != 0)
        return -1;
    for (i = etl_hash64(key, m->cap); m->slots[i].used; i = (i + 1) & (m->cap - 1))
        ;
    m->slots[i].key = key;
    m->slots[i].value = value;
    m->slots[i].used = 1;
    m->count++;
    return 0;
}

void etl_map_remove(etl_map *m, uint64_t key)
{
    size_t i, j, mask = m->cap - 1;
    if (m->cap == 0)
        return;
    for (i = etl_hash64(key, m->cap); m->slots[i].used; i = (i + 1) & mask)
        if (m->slots[i].key == key)
            break;
    if (!m->slots[i].used)
        return;
    /* Backward shift: pull later entries of the probe run into the hole
     * when their home slot does not lie cyclically in (hole, j]. */
    j = i;
    for (;;) {
        size_t home;
        j = (j + 1) & mask;
        if (!m->slots[j].used)
            break;
        home = etl_hash64(m->slots[j].key, m->cap);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].used = 0;
    m->count--;
}
