/* dump_kdbg.c - locating and decoding the KDBG.
 *
 * The encoding (§3.3) is q ^= W; q = rol(q, W & 0xFF); q ^= E|0xFFFF0..;
 * q = bswap(q); q ^= A.  Every step is linear over XOR, so
 *     plain = bswap(rol(enc, r)) ^ K
 * for one rotation r = W & 63 and one 64-bit constant K.  Two fields whose
 * plain values the header gives (PsLoadedModuleList, PsActiveProcessHead)
 * fix r and K without any symbol, and the owner tag checks the result. */
#include "dump_kdbg.h"

#include <stdio.h>
#include <string.h>

#include "dump_virt.h"
#include "pt_byteorder.h"

static uint64_t rol64(uint64_t v, unsigned r)
{
    r &= 63;
    return r == 0 ? v : (v << r) | (v >> (64 - r));
}

static uint64_t ror64(uint64_t v, unsigned r)
{
    r &= 63;
    return r == 0 ? v : (v >> r) | (v << (64 - r));
}

static uint64_t bswap64(uint64_t v)
{
    uint64_t r = 0;
    int i;
    for (i = 0; i < 8; i++) {
        r = (r << 8) | (v & 0xFF);
        v >>= 8;
    }
    return r;
}

uint64_t dump_kdbg_encode_qword(uint64_t plain, uint64_t wait_never, uint64_t wait_always,
                                uint64_t encoded_flag_va)
{
    uint64_t q = plain ^ wait_always;
    q = bswap64(q);
    q ^= encoded_flag_va | UINT64_C(0xFFFF000000000000);
    q = ror64(q, (unsigned)(wait_never & 0xFF));
    return q ^ wait_never;
}

static uint64_t transform(uint64_t enc, unsigned r)
{
    return bswap64(rol64(enc, r));
}

static int size_plausible(uint32_t size)
{
    return size >= KDBG_MIN_SIZE && size <= KDBG_MAX_SIZE && size % 8 == 0;
}

/* Known-plaintext recovery of (r, K); returns 1 when one pair of values
 * decodes the owner tag and a plausible size. */
static int recover_key(const dump_file *df, const uint8_t *enc, unsigned *r_out, uint64_t *k_out)
{
    uint64_t c48 = pt_le64(enc + KDBG_PSLOADEDMODULELIST);
    uint64_t c50 = pt_le64(enc + KDBG_PSACTIVEPROCESSHEAD);
    uint64_t c10 = pt_le64(enc + KDBG_TAG);
    uint64_t p48 = df->ps_loaded_module_list, p50 = df->ps_active_process_head;
    unsigned r;
    if (p48 == 0 || p50 == 0)
        return 0;
    for (r = 0; r < 64; r++) {
        uint64_t key, tag;
        if ((transform(c48, r) ^ transform(c50, r)) != (p48 ^ p50))
            continue;
        key = p48 ^ transform(c48, r);
        tag = transform(c10, r) ^ key;
        if ((uint32_t)tag == KDBG_OWNER_TAG && size_plausible((uint32_t)(tag >> 32))) {
            *r_out = r;
            *k_out = key;
            return 1;
        }
    }
    return 0;
}

static void decode_block(uint8_t *data, size_t len, unsigned r, uint64_t key)
{
    size_t i;
    for (i = 0; i + 8 <= len; i += 8)
        pt_put_le64(data + i, transform(pt_le64(data + i), r) ^ key);
}

/* r and K from the kernel's own values: K = bswap(rol(W, r)) ^ bswap(E') ^ A. */
static void key_from_symbols(const dump_kdbg_keys *keys, unsigned *r, uint64_t *key)
{
    *r = (unsigned)(keys->wait_never & 63);
    *key = bswap64(rol64(keys->wait_never, *r)) ^
           bswap64(keys->encoded_flag_va | UINT64_C(0xFFFF000000000000)) ^ keys->wait_always;
}

static pt_status load_from_memory(dump_file *df, const dump_kdbg_keys *keys, dump_kdbg *k,
                                  pt_error *err)
{
    uint64_t kdbg_va = keys != NULL && keys->kdbg_va != 0 ? keys->kdbg_va : df->kdbg_va;
    uint8_t raw[KDBG_READ_SIZE];
    pt_error e2;
    uint32_t tag, size;
    pt_status st;

    if (kdbg_va == 0 || (uint32_t)kdbg_va == DUMP_FILL) {
        snprintf(k->why_not, sizeof k->why_not, "the header's KdDebuggerDataBlock is not set");
        return PT_OK;
    }
    /* The block may end at a page the dump lacks: read what is there. */
    memset(raw, 0, sizeof raw);
    st = dump_read_virt(df, kdbg_va, raw, 0x20, &e2);
    if (st != PT_OK) {
        snprintf(k->why_not, sizeof k->why_not, "KdDebuggerDataBlock 0x%llx: %.140s",
                 (unsigned long long)kdbg_va, e2.message);
        return st == PT_ERR_NOMEM ? pt_error_set(err, st, df->name, PT_NO_OFFSET, "%s",
                                                 e2.message)
                                  : PT_OK;
    }
    (void)dump_read_virt(df, kdbg_va, raw, sizeof raw, &e2);
    tag = pt_le32(raw + KDBG_TAG);
    if (tag != KDBG_OWNER_TAG) {
        unsigned r = 0;
        uint64_t key = 0;
        int ok = recover_key(df, raw, &r, &key);
        if (!ok && keys != NULL && keys->have_keys) {
            key_from_symbols(keys, &r, &key);
            ok = (uint32_t)(transform(pt_le64(raw + KDBG_TAG), r) ^ key) == KDBG_OWNER_TAG;
        }
        if (!ok) {
            snprintf(k->why_not, sizeof k->why_not,
                     "no KDBG tag at 0x%llx and the block does not decode with the "
                     "header's list heads%s",
                     (unsigned long long)kdbg_va,
                     keys != NULL && keys->have_keys ? " or the PDB's keys" : "");
            return PT_OK;
        }
        decode_block(raw, sizeof raw, r, key);
        k->encoded = 1;
    }
    size = pt_le32(raw + KDBG_SIZE);
    if (!size_plausible(size)) {
        snprintf(k->why_not, sizeof k->why_not,
                 "KDBG Size 0x%x is out of range (0x%x..0x%x)", size, KDBG_MIN_SIZE,
                 KDBG_MAX_SIZE);
        dump_warnf(df, PT_NO_OFFSET, "KDBG at 0x%llx: Size 0x%x is out of range; not used",
                   (unsigned long long)kdbg_va, size);
        df->partial = 1; /* a KDBG is there, but nothing it points at can be read */
        return PT_OK;
    }
    /* Fields past Size do not exist in this version: keep them 0. */
    if (size < sizeof raw)
        memset(raw + size, 0, sizeof raw - size);
    memcpy(k->data, raw, sizeof raw);
    k->size = size;
    k->va = kdbg_va;
    k->found = 1;
    k->origin = "memory";
    return PT_OK;
}

static pt_status load_from_triage(dump_file *df, const dump_triage *t, dump_kdbg *k,
                                  pt_error *err)
{
    uint32_t n = t->debugger_data_size < KDBG_READ_SIZE ? t->debugger_data_size
                                                         : KDBG_READ_SIZE;
    uint32_t size;
    pt_status st;
    if (t->debugger_data_offset == 0 || n < 0x20 ||
        !pt_range_ok(t->debugger_data_offset, n, df->src->size)) {
        snprintf(k->why_not, sizeof k->why_not,
                 "the triage block has no readable KDBG copy (offset 0x%x, size 0x%x)",
                 t->debugger_data_offset, t->debugger_data_size);
        return PT_OK;
    }
    st = pt_source_read(df->src, t->debugger_data_offset, k->data, n, err);
    if (st != PT_OK)
        return st;
    size = pt_le32(k->data + KDBG_SIZE);
    if (pt_le32(k->data + KDBG_TAG) != KDBG_OWNER_TAG || !size_plausible(size)) {
        memset(k->data, 0, sizeof k->data);
        snprintf(k->why_not, sizeof k->why_not,
                 "the triage KDBG copy at 0x%x has no KDBG tag or a Size out of range",
                 t->debugger_data_offset);
        return PT_OK;
    }
    if (size < sizeof k->data)
        memset(k->data + size, 0, sizeof k->data - size);
    k->size = size;
    k->va = df->kdbg_va;
    k->found = 1;
    k->origin = "triage copy";
    return PT_OK;
}

pt_status dump_kdbg_load_keyed(dump_file *df, const dump_triage *triage,
                               const dump_kdbg_keys *keys, dump_kdbg *k, pt_error *err)
{
    memset(k, 0, sizeof *k);
    if (triage != NULL)
        return load_from_triage(df, triage, k, err);
    return load_from_memory(df, keys, k, err);
}

pt_status dump_kdbg_load(dump_file *df, const dump_triage *triage, dump_kdbg *k,
                         pt_error *err)
{
    return dump_kdbg_load_keyed(df, triage, NULL, k, err);
}

uint64_t dump_kdbg_field(const dump_file *df, const dump_kdbg *k, uint32_t off)
{
    uint64_t v;
    if (!k->found || (uint64_t)off + 8 > k->size || off + 8 > sizeof k->data)
        return 0;
    v = pt_le64(k->data + off);
    return df->machine == DUMP_MACHINE_I386 ? (v & 0xFFFFFFFFu) : v;
}
