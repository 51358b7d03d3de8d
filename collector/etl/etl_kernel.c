/* etl_kernel.c - decoding PoolTrace, StackWalk and Image payloads. */
#include "etl_kernel.h"

#include <string.h>

#include "pt_byteorder.h"

static uint64_t read_ptr(const uint8_t *p, int ptr64)
{
    return ptr64 ? pt_le64(p) : pt_le32(p);
}

static pt_pool pool_of_type(uint32_t type, int session)
{
    int paged = (type & ETL_POOLTYPE_PAGED) != 0;
    if (session)
        return paged ? PT_POOL_SESSION_PAGED : PT_POOL_SESSION_NONPAGED;
    return paged ? PT_POOL_PAGED : PT_POOL_NONPAGED;
}

/* ETW_POOL_EVENT: u32 Type, u32 Tag, SIZE_T NumberOfBytes, PVOID Entry,
 * [u32 SessionId] (x64: 0, 4, 8, 0x10, 0x18; x86: 0, 4, 8, 0x0C, 0x10). */
int etl_decode_pool(const etl_event *ev, int server2003, etl_pool_event *out)
{
    uint8_t opcode = (uint8_t)(ev->hook & 0xFFu);
    uint32_t p = ev->ptr64 ? 8u : 4u, need = 8u + 2u * p;
    int session_variant = 0;

    out->op = ETL_POOL_OTHER;
    out->session_id = 0;
    if (server2003) {
        if (opcode == 0x20)
            out->op = ETL_POOL_ALLOC;
        else if (opcode == 0x21)
            out->op = ETL_POOL_FREE;
        else
            return 1;
    } else {
        switch (opcode) {
        case 0x20: out->op = ETL_POOL_ALLOC; break;
        case 0x21: out->op = ETL_POOL_ALLOC; session_variant = 1; break;
        case 0x22: out->op = ETL_POOL_FREE; break;
        case 0x23: out->op = ETL_POOL_FREE; session_variant = 1; break;
        default: return 1;
        }
    }
    if (session_variant)
        need += 4;
    if (ev->payload_len < need)
        return -1;
    out->type = pt_le32(ev->payload);
    out->tag = pt_tag_unprotected(pt_tag_from_bytes(ev->payload + 4));
    out->size = read_ptr(ev->payload + 8, ev->ptr64);
    out->entry = read_ptr(ev->payload + 8 + p, ev->ptr64);
    if (session_variant)
        out->session_id = pt_le32(ev->payload + 8 + 2 * p);
    out->session = session_variant || (out->type & ETL_POOLTYPE_SESSION) != 0;
    out->bigpool = (out->type & ETL_POOLTYPE_BIGPOOL) != 0;
    out->pool = pool_of_type(out->type, out->session);
    return 0;
}

int etl_decode_stack_walk(const etl_event *ev, etl_stack_walk *out)
{
    uint32_t p = ev->ptr64 ? 8u : 4u;
    if (ev->payload_len < 16)
        return -1;
    out->event_ts = pt_le64(ev->payload);
    out->pid = pt_le32(ev->payload + 8);
    out->tid = pt_le32(ev->payload + 12);
    out->depth = (ev->payload_len - 16) / p;
    out->frames = ev->payload + 16;
    out->ptr64 = ev->ptr64;
    return 0;
}

int etl_decode_stack_key_ref(const etl_event *ev, etl_stack_key_ref *out)
{
    uint32_t p = ev->ptr64 ? 8u : 4u;
    if (ev->payload_len < 16 + p)
        return -1;
    out->event_ts = pt_le64(ev->payload);
    out->pid = pt_le32(ev->payload + 8);
    out->tid = pt_le32(ev->payload + 12);
    out->key = read_ptr(ev->payload + 16, ev->ptr64);
    return 0;
}

int etl_decode_stack_key_def(const etl_event *ev, etl_stack_key_def *out)
{
    uint32_t p = ev->ptr64 ? 8u : 4u;
    if (ev->payload_len < p)
        return -1;
    out->key = read_ptr(ev->payload, ev->ptr64);
    out->depth = (ev->payload_len - p) / p;
    out->frames = ev->payload + p;
    out->ptr64 = ev->ptr64;
    return 0;
}

/* Image payload (section 4.2): v2/v3 base, size, pid, checksum,
 * timestamp, ..., name at x64 0x38 / x86 0x2C; v1 base, size, pid, name;
 * v0 base, size, name. */
int etl_decode_image(const etl_event *ev, etl_image *out)
{
    uint32_t p = ev->ptr64 ? 8u : 4u, name_at;
    const uint8_t *d = ev->payload;
    size_t i, n = 0;

    memset(out, 0, sizeof *out);
    if (ev->payload_len < 2 * p)
        return -1;
    out->base = read_ptr(d, ev->ptr64);
    out->size = read_ptr(d + p, ev->ptr64);
    if (ev->version >= 2) {
        name_at = ev->ptr64 ? 0x38u : 0x2Cu;
        if (ev->payload_len < name_at)
            return -1;
        out->pid = pt_le32(d + 2 * p);
        out->checksum = pt_le32(d + 2 * p + 4);
        out->timestamp = pt_le32(d + 2 * p + 8);
    } else if (ev->version == 1) {
        name_at = 2 * p + 4;
        if (ev->payload_len < name_at)
            return -1;
        out->pid = pt_le32(d + 2 * p);
    } else {
        name_at = 2 * p;
    }
    for (i = name_at; i + 2 <= ev->payload_len && n + 1 < sizeof out->name; i += 2) {
        uint16_t c = pt_le16(d + i);
        if (c == 0)
            break;
        out->name[n++] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
    }
    out->name[n] = '\0';
    return 0;
}
