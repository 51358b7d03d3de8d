/* report_model.c - the report model's lifetime: everything lives in its arena. */
#include <string.h>

#include "report_model.h"

void pt_report_init(pt_report *r)
{
    memset(r, 0, sizeof *r);
    pt_arena_init(&r->arena);
}

void pt_report_free(pt_report *r)
{
    if (r == NULL)
        return;
    pt_arena_free(&r->arena);
    memset(r, 0, sizeof *r);
}
