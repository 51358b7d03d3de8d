/* etl_kernel.h - payloads of the kernel events a pool trace needs:
 * PoolTrace (group 0x0E), StackWalk (0x18) and Image (0x14).
 * Offsets are from shared/docs/etl-format.md sections 3 and 4; the pointer
 * size is the event header's, not the logfile's. */
#ifndef ETL_KERNEL_H
#define ETL_KERNEL_H

#include <stdint.h>

#include "etl_file.h"
#include "pt_byteorder.h"
#include "pt_evidence.h"

#define ETL_GROUP_EVENTTRACE 0x00u
#define ETL_GROUP_PROCESS 0x03u
#define ETL_GROUP_THREAD 0x05u
#define ETL_GROUP_POOL 0x0Eu
#define ETL_GROUP_PERFINFO 0x0Fu
#define ETL_GROUP_IMAGE 0x14u
#define ETL_GROUP_STACKWALK 0x18u

#define ETL_HOOK_POOL_ALLOC 0x0E20u
#define ETL_HOOK_POOL_ALLOC_SESSION 0x0E21u
#define ETL_HOOK_POOL_FREE 0x0E22u
#define ETL_HOOK_POOL_FREE_SESSION 0x0E23u
#define ETL_HOOK_STACK_WALK 0x1820u
#define ETL_HOOK_STACK_CREATE 0x1822u
#define ETL_HOOK_STACK_KEY_DELETE 0x1823u
#define ETL_HOOK_STACK_KEY_RUNDOWN 0x1824u
#define ETL_HOOK_STACK_KEY_KERNEL 0x1825u
#define ETL_HOOK_STACK_KEY_USER 0x1826u
#define ETL_HOOK_IMAGE_UNLOAD 0x1402u
#define ETL_HOOK_IMAGE_DCSTART 0x1403u
#define ETL_HOOK_IMAGE_DCEND 0x1404u
#define ETL_HOOK_IMAGE_LOAD 0x140Au

/* POOL_TYPE bits (section 3). */
#define ETL_POOLTYPE_BIGPOOL 0x10000000u
#define ETL_POOLTYPE_SESSION 0x20u
#define ETL_POOLTYPE_PAGED 0x01u

typedef enum etl_pool_op { ETL_POOL_OTHER = 0, ETL_POOL_ALLOC, ETL_POOL_FREE } etl_pool_op;

typedef struct etl_pool_event {
    etl_pool_op op;
    int session;            /* session variant (opcode 33/35) or type bit 0x20 */
    int bigpool;
    uint32_t type;          /* raw POOL_TYPE */
    pt_tag tag;             /* protected bit cleared */
    pt_pool pool;
    uint64_t size;
    uint64_t entry;
    uint32_t session_id;    /* 0 unless a session variant */
} etl_pool_event;

/* Decodes a group-0x0E event.  server2003 selects the Windows Server 2003
 * opcode numbering (0x21 = free).  Returns 0 for an alloc or free, 1 for a
 * pool event we only count (pool pages, snapshots), -1 when the payload
 * is shorter than its layout. */
int etl_decode_pool(const etl_event *ev, int server2003, etl_pool_event *out);

/* StackWalk 0x1820: u64 EventTimeStamp, u32 pid, u32 tid, frames. */
typedef struct etl_stack_walk {
    uint64_t event_ts;
    uint32_t pid, tid;
    uint32_t depth;
    const uint8_t *frames;  /* depth pointers of 4 or 8 bytes */
    int ptr64;
} etl_stack_walk;
int etl_decode_stack_walk(const etl_event *ev, etl_stack_walk *out);

/* StackKey 0x1825/0x1826: u64 EventTimeStamp, u32 pid, u32 tid, ptr key. */
typedef struct etl_stack_key_ref {
    uint64_t event_ts;
    uint32_t pid, tid;
    uint64_t key;
} etl_stack_key_ref;
int etl_decode_stack_key_ref(const etl_event *ev, etl_stack_key_ref *out);

/* Key definitions 0x1822/0x1823/0x1824: ptr key, then frames. */
typedef struct etl_stack_key_def {
    uint64_t key;
    uint32_t depth;
    const uint8_t *frames;
    int ptr64;
} etl_stack_key_def;
int etl_decode_stack_key_def(const etl_event *ev, etl_stack_key_def *out);

/* The i-th frame of a stack payload (4- or 8-byte pointers). */
static inline uint64_t etl_frame(const uint8_t *frames, int ptr64, uint32_t i)
{
    return ptr64 ? pt_le64(frames + 8u * i) : pt_le32(frames + 4u * i);
}

/* Image Load/Unload/DCStart/DCEnd (versions 0-3). */
typedef struct etl_image {
    uint64_t base, size;
    uint32_t pid;
    uint32_t checksum, timestamp;
    char name[260];         /* UTF-16 name, non-ASCII as '?' */
} etl_image;
int etl_decode_image(const etl_event *ev, etl_image *out);

#endif
