/* etl_stats.c - counting events for inspect and the tests. */
#include "etl_stats.h"

#include <string.h>

#include "etl_kernel.h"

void etl_stats_init(etl_stats *s)
{
    memset(s, 0, sizeof *s);
    s->first_ts = UINT64_MAX;
}

static void count_image(etl_stats *s, const etl_event *ev, int which)
{
    etl_image img;
    if (etl_decode_image(ev, &img) != 0) {
        s->malformed++;
        return;
    }
    if (img.pid == 0)
        s->image_pid0[which]++;
}

static void count_kernel(etl_stats *s, const etl_event *ev, int server2003)
{
    switch (ev->hook) {
    case ETL_HOOK_STACK_WALK: s->stack_walk++; return;
    case ETL_HOOK_STACK_CREATE: s->stack_create++; return;
    case ETL_HOOK_STACK_KEY_DELETE: s->stack_key_delete++; return;
    case ETL_HOOK_STACK_KEY_RUNDOWN: s->stack_key_rundown++; return;
    case ETL_HOOK_STACK_KEY_KERNEL: s->stack_key_kernel++; return;
    case ETL_HOOK_STACK_KEY_USER: s->stack_key_user++; return;
    case ETL_HOOK_IMAGE_LOAD: s->image_load++; count_image(s, ev, 0); return;
    case ETL_HOOK_IMAGE_UNLOAD: s->image_unload++; count_image(s, ev, 1); return;
    case ETL_HOOK_IMAGE_DCSTART: s->image_dcstart++; count_image(s, ev, 2); return;
    case ETL_HOOK_IMAGE_DCEND: s->image_dcend++; count_image(s, ev, 3); return;
    default: break;
    }
    if ((ev->hook >> 8) == ETL_GROUP_POOL) {
        /* counted by opcode; the payload is checked where it is used */
        switch (ev->hook & 0xFFu) {
        case 0x20: s->pool_alloc++; break;
        case 0x21:
            if (server2003)
                s->pool_free++;
            else
                s->pool_alloc_session++;
            break;
        case 0x22:
            if (server2003)
                s->pool_other++;
            else
                s->pool_free++;
            break;
        case 0x23:
            if (server2003)
                s->pool_other++;
            else
                s->pool_free_session++;
            break;
        default: s->pool_other++; break;
        }
    }
}

void etl_stats_add(etl_stats *s, const etl_event *ev, int server2003)
{
    if (s->events > 0 && ev->ts < s->last_file_ts)
        s->inversions++;
    s->events++;
    s->by_kind[ev->kind]++;
    if (ev->ts < s->first_ts)
        s->first_ts = ev->ts;
    if (ev->ts > s->last_ts)
        s->last_ts = ev->ts;
    s->last_file_ts = ev->ts;
    if (ev->kernel)
        count_kernel(s, ev, server2003);
}
