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

/* How far the strongest candidate's evidence goes (see report_model.h). */
const char *pt_report_evidence_strength(const pt_report_suspect *s)
{
    int best = 0; /* 0 none, 1 weak, 2 moderate, 3 strong */
    size_t i;

    for (i = 0; i < s->candidate_count; i++) {
        const char *e = s->candidates[i].evidence;
        int level = 1;
        if (e == NULL)
            level = 1;
        else if (strcmp(e, "stack") == 0 || strcmp(e, "callsite") == 0)
            level = 3;
        else if (strcmp(e, "tagfile") == 0 || strcmp(e, "binary-column") == 0)
            level = 2;
        if (level > best)
            best = level;
    }
    return best == 3 ? "strong" : best == 2 ? "moderate" : best == 1 ? "weak" : "none";
}

