/* dump_triage.c - TRIAGE_DUMP64 / TRIAGE_DUMP32 (§1.7 of the dump brief).
 * Every ...Offset field is an absolute file offset; reads are bounded by
 * the file size, not by SizeOfDump (the x64 sample's file is larger). */
#include "dump_triage.h"

#include <stdlib.h>
#include <string.h>

#include "dump_virt.h"
#include "pt_byteorder.h"

/* TRIAGE_DUMP64, at 0x2000 */
#define T64_SP_BUILD 0x00u
#define T64_SIZE 0x04u
#define T64_VALID 0x08u
#define T64_CONTEXT 0x0Cu
#define T64_EXCEPTION 0x10u
#define T64_MM 0x14u
#define T64_UNLOADED 0x18u
#define T64_DRIVER_LIST 0x30u
#define T64_DRIVER_COUNT 0x34u
#define T64_STRING_POOL 0x38u
#define T64_STRING_POOL_SIZE 0x3Cu
#define T64_TOP_OF_STACK 0x48u
#define T64_DEBUGGER_DATA 0x70u
#define T64_DEBUGGER_SIZE 0x74u
#define T64_DATA_BLOCKS 0x78u
#define T64_DATA_BLOCKS_COUNT 0x7Cu
#define T64_LEN 0x80u
/* TRIAGE_DUMP32 at 0x1000: the same fields as u32 up to TopOfStack, then
 * DataPage{Address,Offset,Size} and the debugger data (SING Dump.h). */
#define T32_TOP_OF_STACK 0x48u
#define T32_DEBUGGER_DATA 0x58u
#define T32_DEBUGGER_SIZE 0x5Cu
#define T32_DATA_BLOCKS 0x60u
#define T32_DATA_BLOCKS_COUNT 0x64u
#define T32_LEN 0x68u

/* Loader entry fields inside a driver entry (after DriverNameOffset + pad
 * on x64, after DriverNameOffset alone on x86). */
#define DRV64_LDR 0x08u
#define DRV64_BASE 0x30u
#define DRV64_SIZE 0x40u
#define DRV64_CHECKSUM 0x78u
#define DRV64_TIMESTAMP 0x80u
#define DRV64_MIN_STRIDE (DRV64_LDR + 0x88u)
#define DRV32_LDR 0x04u
#define DRV32_BASE 0x18u
#define DRV32_SIZE 0x20u
#define DRV32_CHECKSUM 0x40u
#define DRV32_TIMESTAMP 0x44u
#define DRV32_MIN_STRIDE (DRV32_LDR + 0x48u)

#define DUMP_NAME_MAX_CHARS 1024u

pt_status dump_triage_read(dump_file *df, dump_triage *t, pt_error *err)
{
    uint8_t b[T64_LEN];
    uint64_t base = df->header_size;
    uint32_t len = df->is64 ? T64_LEN : T32_LEN;
    uint8_t tag[4];
    pt_status st;

    memset(t, 0, sizeof *t);
    if (!pt_range_ok(base, len, df->src->size))
        return pt_error_set(err, PT_ERR_TRUNCATED, df->name, base,
                            "the file ends inside the triage dump block");
    st = pt_source_read(df->src, base, b, len, err);
    if (st != PT_OK)
        return st;
    t->service_pack_build = pt_le32(b + T64_SP_BUILD);
    t->size_of_dump = pt_le32(b + T64_SIZE);
    t->valid_offset = pt_le32(b + T64_VALID);
    t->context_offset = pt_le32(b + T64_CONTEXT);
    t->exception_offset = pt_le32(b + T64_EXCEPTION);
    t->mm_offset = pt_le32(b + T64_MM);
    t->unloaded_drivers_offset = pt_le32(b + T64_UNLOADED);
    t->driver_list_offset = pt_le32(b + T64_DRIVER_LIST);
    t->driver_count = pt_le32(b + T64_DRIVER_COUNT);
    t->string_pool_offset = pt_le32(b + T64_STRING_POOL);
    t->string_pool_size = pt_le32(b + T64_STRING_POOL_SIZE);
    if (df->is64) {
        t->top_of_stack = pt_le64(b + T64_TOP_OF_STACK);
        t->debugger_data_offset = pt_le32(b + T64_DEBUGGER_DATA);
        t->debugger_data_size = pt_le32(b + T64_DEBUGGER_SIZE);
        t->data_blocks_offset = pt_le32(b + T64_DATA_BLOCKS);
        t->data_blocks_count = pt_le32(b + T64_DATA_BLOCKS_COUNT);
    } else {
        t->top_of_stack = pt_le32(b + T32_TOP_OF_STACK);
        t->debugger_data_offset = pt_le32(b + T32_DEBUGGER_DATA);
        t->debugger_data_size = pt_le32(b + T32_DEBUGGER_SIZE);
        t->data_blocks_offset = pt_le32(b + T32_DATA_BLOCKS);
        t->data_blocks_count = pt_le32(b + T32_DATA_BLOCKS_COUNT);
    }
    t->valid_tag = pt_range_ok(t->valid_offset, 4, df->src->size) &&
                   pt_source_read(df->src, t->valid_offset, tag, 4, NULL) == PT_OK &&
                   memcmp(tag, "TRGD", 4) == 0;
    if (!t->valid_tag)
        dump_warnf(df, base + T64_VALID,
                   "ValidOffset 0x%x does not point at the TRGD tag: the triage dump may "
                   "be incomplete", t->valid_offset);
    t->unloaded_driver_count = UINT32_MAX;
    if (pt_range_ok(t->unloaded_drivers_offset, 4, df->src->size) &&
        t->unloaded_drivers_offset >= base &&
        pt_source_read(df->src, t->unloaded_drivers_offset, tag, 4, NULL) == PT_OK)
        t->unloaded_driver_count = pt_le32(tag);
    /* The stride follows from the layout (driver entries, then the string
     * pool); fall back to the documented size. */
    t->driver_stride = df->is64 ? 0x90u : 0x4Cu;
    if (t->driver_count > 0 && t->string_pool_offset > t->driver_list_offset) {
        uint32_t s = (t->string_pool_offset - t->driver_list_offset) / t->driver_count;
        uint32_t min = df->is64 ? DRV64_MIN_STRIDE : DRV32_MIN_STRIDE;
        if (s >= min && s <= 0x200 && s % 4 == 0)
            t->driver_stride = s;
    }
    if (t->driver_count > DUMP_TRIAGE_MAX_DRIVERS)
        return pt_error_set(err, PT_ERR_LIMIT, df->name, base + T64_DRIVER_COUNT,
                            "DriverCount %u is over the limit of %u", t->driver_count,
                            DUMP_TRIAGE_MAX_DRIVERS);
    if (!pt_range_ok(t->driver_list_offset, (uint64_t)t->driver_count * t->driver_stride,
                     df->src->size))
        return pt_error_set(err, PT_ERR_CORRUPT, df->name, base + T64_DRIVER_LIST,
                            "the driver list (%u entries at 0x%x) reaches past the end of "
                            "the file", t->driver_count, t->driver_list_offset);
    return PT_OK;
}

void dump_utf16_to_utf8(const uint8_t *in, size_t chars, char *out, size_t out_size)
{
    size_t i, o = 0;
    for (i = 0; i < chars; i++) {
        uint32_t c = pt_le16(in + 2 * i);
        char enc[4];
        size_t n, k;
        if (c == 0)
            break;
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < chars) {
            uint32_t lo = pt_le16(in + 2 * i + 2);
            if (lo >= 0xDC00 && lo < 0xE000) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            } else {
                c = 0xFFFD;
            }
        } else if (c >= 0xD800 && c < 0xE000) {
            c = 0xFFFD;
        }
        if (c < 0x80) {
            enc[0] = (char)c;
            n = 1;
        } else if (c < 0x800) {
            enc[0] = (char)(0xC0 | (c >> 6));
            enc[1] = (char)(0x80 | (c & 0x3F));
            n = 2;
        } else if (c < 0x10000) {
            enc[0] = (char)(0xE0 | (c >> 12));
            enc[1] = (char)(0x80 | ((c >> 6) & 0x3F));
            enc[2] = (char)(0x80 | (c & 0x3F));
            n = 3;
        } else {
            enc[0] = (char)(0xF0 | (c >> 18));
            enc[1] = (char)(0x80 | ((c >> 12) & 0x3F));
            enc[2] = (char)(0x80 | ((c >> 6) & 0x3F));
            enc[3] = (char)(0x80 | (c & 0x3F));
            n = 4;
        }
        if (o + n >= out_size)
            break;
        for (k = 0; k < n; k++)
            out[o++] = enc[k];
    }
    if (out_size > 0)
        out[o < out_size ? o : out_size - 1] = '\0';
}

/* DUMP_STRING: u32 Length in UTF-16 characters, then the text. */
static void read_driver_name(dump_file *df, uint32_t off, char *out, size_t out_size)
{
    uint8_t lenb[4];
    uint8_t *text = NULL;
    uint32_t chars;

    out[0] = '\0';
    if (!pt_range_ok(off, 4, df->src->size) ||
        pt_source_read(df->src, off, lenb, 4, NULL) != PT_OK)
        goto bad;
    chars = pt_le32(lenb);
    if (chars > DUMP_NAME_MAX_CHARS || !pt_range_ok((uint64_t)off + 4, 2u * chars,
                                                    df->src->size))
        goto bad;
    text = malloc(2u * chars + 2);
    if (text == NULL || pt_source_read(df->src, (uint64_t)off + 4, text, 2u * chars, NULL) !=
                            PT_OK)
        goto bad;
    dump_utf16_to_utf8(text, chars, out, out_size);
    free(text);
    return;
bad:
    free(text);
    dump_warnf(df, off, "driver name at 0x%x is unreadable", off);
}

pt_status dump_triage_each_driver(dump_file *df, const dump_triage *t, dump_module_fn fn,
                                  void *ctx, pt_error *err)
{
    uint8_t e[0x200];
    char name[DUMP_NAME_MAX_CHARS * 3 + 1];
    uint32_t i;

    for (i = 0; i < t->driver_count; i++) {
        uint64_t off = (uint64_t)t->driver_list_offset + (uint64_t)i * t->driver_stride;
        pt_module m;
        pt_status st = pt_source_read(df->src, off, e, t->driver_stride, err);
        if (st != PT_OK)
            return st;
        read_driver_name(df, pt_le32(e), name, sizeof name);
        memset(&m, 0, sizeof m);
        m.name = name;
        if (df->is64) {
            const uint8_t *l = e + DRV64_LDR;
            m.base = pt_le64(l + DRV64_BASE);
            m.size = pt_le32(l + DRV64_SIZE);
            m.checksum = pt_le32(l + DRV64_CHECKSUM);
            m.timestamp = pt_le32(l + DRV64_TIMESTAMP);
        } else {
            const uint8_t *l = e + DRV32_LDR;
            m.base = pt_le32(l + DRV32_BASE);
            m.size = pt_le32(l + DRV32_SIZE);
            m.checksum = pt_le32(l + DRV32_CHECKSUM);
            m.timestamp = pt_le32(l + DRV32_TIMESTAMP);
        }
        if (!dump_is_kernel_va(df, m.base))
            dump_warnf(df, off, "driver %u (%s): base 0x%llx is not a kernel address", i,
                       name, (unsigned long long)m.base);
        st = fn(ctx, &m);
        if (st != PT_OK)
            return st;
    }
    return PT_OK;
}
