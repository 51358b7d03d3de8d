/* dump_virt.c - page-table walks (§2 of the dump brief).
 *
 * Every walk has a fixed depth, so a table that points at itself (the
 * Windows self-map, or a hostile loop) cannot make it run forever. */
#include "dump_virt.h"

#include <string.h>

#include "pt_byteorder.h"

#define PTE_PRESENT 0x1u
#define PTE_LARGE 0x80u
#define PTE_TRANSITION 0x800u
#define PTE_PROTOTYPE 0x400u
#define X64_FRAME UINT64_C(0x000FFFFFFFFFF000)
#define X64_FRAME_2M UINT64_C(0x000FFFFFFFE00000)
#define X64_FRAME_1G UINT64_C(0x000FFFFFC0000000)

static pt_status not_mapped(dump_file *df, uint64_t va, const char *level, pt_error *err)
{
    return pt_error_set(err, PT_ERR_NOT_FOUND, df->name, PT_NO_OFFSET,
                        "virtual address 0x%llx is not mapped (%s not present)",
                        (unsigned long long)va, level);
}

static pt_status read_entry64(dump_file *df, uint64_t pa, uint64_t *e, pt_error *err)
{
    uint8_t b[8];
    pt_status st = dump_read_phys(df, pa, b, 8, err);
    if (st == PT_OK)
        *e = pt_le64(b);
    return st;
}

/* Last-level entries: valid, or in transition (the frame is still right,
 * the page is a standby/modified page the dump often holds). */
static int leaf_usable(uint64_t e)
{
    return (e & PTE_PRESENT) != 0 ||
           (e & (PTE_TRANSITION | PTE_PROTOTYPE | PTE_PRESENT)) == PTE_TRANSITION;
}

static pt_status walk_x64(dump_file *df, uint64_t va, uint64_t *pa, pt_error *err)
{
    static const char *const names[] = {"PML4E", "PDPTE", "PDE", "PTE"};
    uint64_t table = df->directory_table_base & X64_FRAME;
    int level;
    for (level = 0; level < 4; level++) {
        unsigned shift = 39u - 9u * (unsigned)level;
        uint64_t e;
        pt_status st = read_entry64(df, table + ((va >> shift) & 0x1FF) * 8, &e, err);
        if (st != PT_OK)
            return st;
        if (level == 3 ? !leaf_usable(e) : (e & PTE_PRESENT) == 0)
            return not_mapped(df, va, names[level], err);
        if (level == 1 && (e & PTE_LARGE)) {
            *pa = (e & X64_FRAME_1G) | (va & 0x3FFFFFFF);
            return PT_OK;
        }
        if (level == 2 && (e & PTE_LARGE)) {
            *pa = (e & X64_FRAME_2M) | (va & 0x1FFFFF);
            return PT_OK;
        }
        table = e & X64_FRAME;
    }
    *pa = table | (va & 0xFFF);
    return PT_OK;
}

static pt_status walk_pae(dump_file *df, uint64_t va, uint64_t *pa, pt_error *err)
{
    uint64_t e;
    pt_status st;
    va &= 0xFFFFFFFFu;
    st = read_entry64(df, (df->directory_table_base & ~UINT64_C(0x1F)) + (va >> 30) * 8, &e,
                      err);
    if (st != PT_OK)
        return st;
    if ((e & PTE_PRESENT) == 0)
        return not_mapped(df, va, "PDPTE", err);
    st = read_entry64(df, (e & X64_FRAME) + ((va >> 21) & 0x1FF) * 8, &e, err);
    if (st != PT_OK)
        return st;
    if ((e & PTE_PRESENT) == 0)
        return not_mapped(df, va, "PDE", err);
    if (e & PTE_LARGE) {
        *pa = (e & X64_FRAME_2M) | (va & 0x1FFFFF);
        return PT_OK;
    }
    st = read_entry64(df, (e & X64_FRAME) + ((va >> 12) & 0x1FF) * 8, &e, err);
    if (st != PT_OK)
        return st;
    if (!leaf_usable(e))
        return not_mapped(df, va, "PTE", err);
    *pa = (e & X64_FRAME) | (va & 0xFFF);
    return PT_OK;
}

static pt_status walk_x86(dump_file *df, uint64_t va, uint64_t *pa, pt_error *err)
{
    uint8_t b[4];
    uint32_t e;
    pt_status st;
    va &= 0xFFFFFFFFu;
    st = dump_read_phys(df, (df->directory_table_base & 0xFFFFF000u) + (va >> 22) * 4, b, 4,
                        err);
    if (st != PT_OK)
        return st;
    e = pt_le32(b);
    if ((e & PTE_PRESENT) == 0)
        return not_mapped(df, va, "PDE", err);
    if (e & PTE_LARGE) {
        *pa = (e & 0xFFC00000u) | (va & 0x3FFFFF);
        return PT_OK;
    }
    st = dump_read_phys(df, (e & 0xFFFFF000u) + ((va >> 12) & 0x3FF) * 4, b, 4, err);
    if (st != PT_OK)
        return st;
    e = pt_le32(b);
    if (!leaf_usable(e))
        return not_mapped(df, va, "PTE", err);
    *pa = (e & 0xFFFFF000u) | (va & 0xFFF);
    return PT_OK;
}

pt_status dump_virt_to_phys(dump_file *df, uint64_t va, uint64_t *pa, pt_error *err)
{
    if (df->phys_kind == DUMP_PHYS_NONE)
        return pt_error_set(err, PT_ERR_NOT_FOUND, df->name, PT_NO_OFFSET,
                            "a %s dump holds no memory pages (address 0x%llx)",
                            dump_type_name(df->dump_type), (unsigned long long)va);
    switch (df->machine) {
    case DUMP_MACHINE_AMD64:
        return walk_x64(df, va, pa, err);
    case DUMP_MACHINE_I386:
        return df->pae ? walk_pae(df, va, pa, err) : walk_x86(df, va, pa, err);
    default:
        return pt_error_set(err, PT_ERR_UNSUPPORTED, df->name, PT_NO_OFFSET,
                            "%s page tables are not read", dump_arch_name(df));
    }
}

pt_status dump_read_virt(dump_file *df, uint64_t va, void *buf, size_t len, pt_error *err)
{
    uint8_t *out = buf;
    while (len > 0) {
        size_t in_page = DUMP_PAGE_SIZE - (size_t)(va % DUMP_PAGE_SIZE);
        size_t n = len < in_page ? len : in_page;
        uint64_t pa;
        pt_status st = dump_virt_to_phys(df, va, &pa, err);
        if (st != PT_OK)
            return st;
        st = dump_read_phys(df, pa, out, n, err);
        if (st != PT_OK)
            return st;
        out += n;
        va += n;
        len -= n;
    }
    return PT_OK;
}

pt_status dump_read_pointer(dump_file *df, uint64_t va, uint64_t *value, pt_error *err)
{
    uint8_t b[8];
    unsigned n = dump_pointer_size(df);
    pt_status st = dump_read_virt(df, va, b, n, err);
    if (st == PT_OK)
        *value = n == 8 ? pt_le64(b) : pt_le32(b);
    return st;
}

int dump_is_kernel_va(const dump_file *df, uint64_t va)
{
    if (df->machine == DUMP_MACHINE_I386)
        return va >= 0x80000000u && va <= 0xFFFFFFFFu;
    return va >= UINT64_C(0xFFFF800000000000);
}
