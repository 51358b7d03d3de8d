/* pt_arena.h - a grow-only allocator for data freed all at once
 * (a report model, a parsed manifest).  Blocks are chained; nothing is
 * freed singly. */
#ifndef PT_ARENA_H
#define PT_ARENA_H

#include <stddef.h>

typedef struct pt_arena_block pt_arena_block;

typedef struct pt_arena {
    pt_arena_block *head;
    size_t used_in_head;
    size_t total;        /* bytes handed out, for limits */
} pt_arena;

void pt_arena_init(pt_arena *a);
void pt_arena_free(pt_arena *a);
/* Zeroed memory aligned for any type; NULL when out of memory. */
void *pt_arena_alloc(pt_arena *a, size_t size);
/* Copies s (NULL gives NULL). */
char *pt_arena_strdup(pt_arena *a, const char *s);
char *pt_arena_strndup(pt_arena *a, const char *s, size_t n);
/* Grows an array held in the arena: returns a copy with room for
 * new_count elements (the old one is simply left behind). */
void *pt_arena_grow(pt_arena *a, void *old, size_t old_count, size_t new_count,
                    size_t elem_size);

#endif
