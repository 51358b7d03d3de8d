/* dump_modules.c - KLDR_DATA_TABLE_ENTRY list walk.
 *
 * Entry offsets (§5): x64 DllBase 0x30, SizeOfImage 0x40, FullDllName 0x48,
 * CheckSum 0x78, TimeDateStamp 0x9C (Win10+); x86 0x18, 0x20, 0x24, 0x40,
 * 0x58.  Before Windows 10 the TimeDateStamp slot is a union, so the PE
 * header at DllBase is read instead when its page is present. */
#include "dump_modules.h"

#include <stdlib.h>
#include <string.h>

#include "dump_virt.h"
#include "pt_byteorder.h"

#define WIN10_BUILD 10240u
#define NAME_MAX_BYTES 2048u

typedef struct ldr_layout {
    uint32_t dll_base, size_of_image, full_name, checksum, timestamp, entry_size;
} ldr_layout;

static const ldr_layout ldr_x64 = {0x30, 0x40, 0x48, 0x78, 0x9C, 0xA0};
static const ldr_layout ldr_x86 = {0x18, 0x20, 0x24, 0x40, 0x58, 0x5C};

/* IMAGE_FILE_HEADER.TimeDateStamp through e_lfanew (0x3C) and "PE\0\0". */
static int pe_timestamp(dump_file *df, uint64_t base, uint32_t *ts)
{
    uint8_t b[4];
    uint32_t lfanew;
    if (dump_read_virt(df, base + 0x3C, b, 4, NULL) != PT_OK)
        return 0;
    lfanew = pt_le32(b);
    if (lfanew > 0x800 || dump_read_virt(df, base + lfanew, b, 4, NULL) != PT_OK ||
        memcmp(b, "PE\0\0", 4) != 0 ||
        dump_read_virt(df, base + lfanew + 8, b, 4, NULL) != PT_OK)
        return 0;
    *ts = pt_le32(b);
    return 1;
}

/* UNICODE_STRING: u16 Length (bytes), u16 MaximumLength, pointer Buffer. */
static void read_name(dump_file *df, const uint8_t *us, char *out, size_t out_size)
{
    uint8_t text[NAME_MAX_BYTES];
    unsigned len = pt_le16(us);
    uint64_t buffer = dump_pointer_size(df) == 8 ? pt_le64(us + 8) : pt_le32(us + 4);
    out[0] = '\0';
    if (len > NAME_MAX_BYTES)
        len = NAME_MAX_BYTES;
    len &= ~1u;
    if (len == 0 || dump_read_virt(df, buffer, text, len, NULL) != PT_OK)
        return;
    dump_utf16_to_utf8(text, len / 2, out, out_size);
}

pt_status dump_modules_walk(dump_file *df, uint64_t head_va, dump_module_fn fn, void *ctx,
                            uint32_t *count, pt_error *err)
{
    const ldr_layout *L = dump_pointer_size(df) == 8 ? &ldr_x64 : &ldr_x86;
    uint64_t *seen = NULL, link;
    uint8_t e[0xA0];
    char name[NAME_MAX_BYTES * 2 + 1];
    uint32_t n = 0, i;
    pt_error e2;
    pt_status st = PT_OK;

    *count = 0;
    seen = malloc(DUMP_MAX_MODULES * sizeof *seen);
    if (seen == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, df->name, PT_NO_OFFSET, "out of memory");
    if (dump_read_pointer(df, head_va, &link, &e2) != PT_OK) {
        dump_warnf(df, PT_NO_OFFSET, "module list head 0x%llx unreadable: %s",
                   (unsigned long long)head_va, e2.message);
        df->partial = 1;
        goto out;
    }
    while (link != head_va) {
        pt_module m;
        for (i = 0; i < n; i++)
            if (seen[i] == link)
                break;
        if (i < n) {
            dump_warnf(df, PT_NO_OFFSET,
                       "module list loops back to entry %u at 0x%llx; walk stopped", i,
                       (unsigned long long)link);
            df->partial = 1;
            goto out;
        }
        if (n == DUMP_MAX_MODULES) {
            dump_warnf(df, PT_NO_OFFSET, "module list longer than %u entries; walk stopped",
                       DUMP_MAX_MODULES);
            df->partial = 1;
            goto out;
        }
        if (!dump_is_kernel_va(df, link) ||
            dump_read_virt(df, link, e, L->entry_size, &e2) != PT_OK) {
            dump_warnf(df, PT_NO_OFFSET, "module list entry %u at 0x%llx unreadable; walk "
                       "stopped", n, (unsigned long long)link);
            df->partial = 1;
            goto out;
        }
        seen[n++] = link;
        memset(&m, 0, sizeof m);
        m.base = dump_pointer_size(df) == 8 ? pt_le64(e + L->dll_base) : pt_le32(e + L->dll_base);
        m.size = pt_le32(e + L->size_of_image);
        m.checksum = pt_le32(e + L->checksum);
        if (!pe_timestamp(df, m.base, &m.timestamp) && df->minor_version >= WIN10_BUILD)
            m.timestamp = pt_le32(e + L->timestamp);
        read_name(df, e + L->full_name, name, sizeof name);
        m.name = name;
        st = fn(ctx, &m);
        if (st != PT_OK)
            goto out;
        (*count)++;
        link = dump_pointer_size(df) == 8 ? pt_le64(e) : pt_le32(e);
    }
out:
    free(seen);
    return st;
}
