/* pt_arena.c - grow-only allocator. */
#include "pt_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE 65536u
#define ALIGN 16u

struct pt_arena_block {
    pt_arena_block *next;
    size_t size;
    _Alignas(16) unsigned char data[];
};

void pt_arena_init(pt_arena *a)
{
    memset(a, 0, sizeof *a);
}

void pt_arena_free(pt_arena *a)
{
    pt_arena_block *b = a->head;
    while (b != NULL) {
        pt_arena_block *next = b->next;
        free(b);
        b = next;
    }
    memset(a, 0, sizeof *a);
}

void *pt_arena_alloc(pt_arena *a, size_t size)
{
    size_t need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    void *p;

    if (size > SIZE_MAX / 2)
        return NULL;
    if (a->head == NULL || a->head->size - a->used_in_head < need) {
        size_t bsize = need > BLOCK_SIZE ? need : BLOCK_SIZE;
        pt_arena_block *b = malloc(sizeof *b + bsize);
        if (b == NULL)
            return NULL;
        b->size = bsize;
        b->next = a->head;
        a->head = b;
        a->used_in_head = 0;
    }
    p = a->head->data + a->used_in_head;
    a->used_in_head += need;
    a->total += need;
    memset(p, 0, size);
    return p;
}

char *pt_arena_strndup(pt_arena *a, const char *s, size_t n)
{
    char *p;
    if (s == NULL)
        return NULL;
    p = pt_arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *pt_arena_strdup(pt_arena *a, const char *s)
{
    return s == NULL ? NULL : pt_arena_strndup(a, s, strlen(s));
}

void *pt_arena_grow(pt_arena *a, void *old, size_t old_count, size_t new_count,
                    size_t elem_size)
{
    void *p;
    if (elem_size != 0 && new_count > SIZE_MAX / 2 / elem_size)
        return NULL;
    p = pt_arena_alloc(a, new_count * elem_size);
    if (p != NULL && old != NULL && old_count > 0)
        memcpy(p, old, (old_count < new_count ? old_count : new_count) * elem_size);
    return p;
}
