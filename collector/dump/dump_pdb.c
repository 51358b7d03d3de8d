/* dump_pdb.c - MSF 7.0 container, PDB info, DBI and public symbols.
 *
 * Layout (brief §7, LLVM's MSF/PDB documentation):
 *   superblock: magic[32], BlockSize @0x20, FreeBlockMapBlock @0x24,
 *   NumBlocks @0x28, NumDirectoryBytes @0x2C, BlockMapAddr @0x34;
 *   the block at BlockMapAddr lists the directory's blocks; the directory
 *   is NumStreams, StreamSizes[], then each stream's block numbers. */
#include "dump_pdb.h"

#include <stdlib.h>
#include <string.h>

#include "pt_byteorder.h"

static const char msf_magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0";

#define SB_BLOCK_SIZE 0x20u
#define SB_NUM_BLOCKS 0x28u
#define SB_DIR_BYTES 0x2Cu
#define SB_BLOCK_MAP 0x34u
#define STREAM_PDB_INFO 1u
#define STREAM_DBI 3u
#define NIL_STREAM 0xFFFFFFFFu

/* DBI header fields (§7.4) */
#define DBI_AGE 0x08u
#define DBI_SYMREC 0x14u
#define DBI_MODINFO 0x18u
#define DBI_SECCONTR 0x1Cu
#define DBI_SECMAP 0x20u
#define DBI_SRCINFO 0x24u
#define DBI_TSMAP 0x28u
#define DBI_OPTDBG 0x30u
#define DBI_EC 0x34u
#define DBI_HEADER 0x40u
#define OPTDBG_SECTION_HDR 5u
#define S_PUB32 0x110Eu
#define S_PUB32_ST 0x1009u

struct dump_pdb {
    pt_source *src;
    uint32_t block_size, num_blocks;
    uint32_t num_streams;
    uint32_t *sizes;      /* per stream */
    uint32_t *block_pos;  /* per stream: where its block numbers start in dir */
    uint8_t *dir;
    uint8_t guid[16];
    uint32_t info_age, dbi_age;
    uint32_t symrec_stream, section_stream;
    uint32_t section_va[DUMP_PDB_MAX_SECTIONS];
    uint32_t section_count;
};

static uint32_t stream_size(const dump_pdb *p, uint32_t s)
{
    return s < p->num_streams ? p->sizes[s] : 0;
}

/* Reads len bytes at off of stream s. */
static pt_status stream_read(dump_pdb *p, uint32_t s, uint32_t off, void *buf, uint32_t len,
                             pt_error *err)
{
    uint8_t *out = buf;
    if (s >= p->num_streams || off > p->sizes[s] || len > p->sizes[s] - off)
        return pt_error_set(err, PT_ERR_CORRUPT, p->src->name, PT_NO_OFFSET,
                            "PDB stream %u: %u bytes at %u are past its end", s, len, off);
    while (len > 0) {
        uint32_t bi = off / p->block_size, within = off % p->block_size;
        uint32_t n = p->block_size - within < len ? p->block_size - within : len;
        uint32_t block = pt_le32(p->dir + p->block_pos[s] + 4 * bi);
        pt_status st;
        if (block >= p->num_blocks)
            return pt_error_set(err, PT_ERR_CORRUPT, p->src->name, PT_NO_OFFSET,
                                "PDB stream %u names block %u of %u", s, block, p->num_blocks);
        st = pt_source_read(p->src, (uint64_t)block * p->block_size + within, out, n, err);
        if (st != PT_OK)
            return st;
        out += n;
        off += n;
        len -= n;
    }
    return PT_OK;
}

static pt_status load_directory(dump_pdb *p, const uint8_t *sb, pt_error *err)
{
    uint32_t dir_bytes = pt_le32(sb + SB_DIR_BYTES), map = pt_le32(sb + SB_BLOCK_MAP);
    uint32_t nblocks, i, pos, s;
    uint8_t *map_page = NULL;
    pt_status st = PT_OK;

    if (dir_bytes < 4 || dir_bytes > DUMP_PDB_MAX_DIRECTORY || map >= p->num_blocks)
        return pt_error_set(err, PT_ERR_CORRUPT, p->src->name, SB_DIR_BYTES,
                            "PDB directory of %u bytes (block map at %u) is out of range",
                            dir_bytes, map);
    nblocks = (dir_bytes + p->block_size - 1) / p->block_size;
    if ((uint64_t)nblocks * 4 > p->block_size)
        return pt_error_set(err, PT_ERR_UNSUPPORTED, p->src->name, SB_DIR_BYTES,
                            "PDB directory needs more than one block map block");
    map_page = malloc(p->block_size);
    p->dir = malloc((size_t)nblocks * p->block_size);
    if (map_page == NULL || p->dir == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, p->src->name, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    st = pt_source_read(p->src, (uint64_t)map * p->block_size, map_page, p->block_size, err);
    for (i = 0; st == PT_OK && i < nblocks; i++) {
        uint32_t b = pt_le32(map_page + 4 * i);
        if (b >= p->num_blocks) {
            st = pt_error_set(err, PT_ERR_CORRUPT, p->src->name, (uint64_t)map * p->block_size,
                              "PDB directory block %u out of range", b);
            break;
        }
        st = pt_source_read(p->src, (uint64_t)b * p->block_size, p->dir + (size_t)i * p->block_size,
                            p->block_size, err);
    }
    if (st != PT_OK)
        goto out;
    p->num_streams = pt_le32(p->dir);
    if (p->num_streams > DUMP_PDB_MAX_STREAMS ||
        (uint64_t)4 + 4ull * p->num_streams > dir_bytes) {
        st = pt_error_set(err, PT_ERR_CORRUPT, p->src->name, PT_NO_OFFSET,
                          "PDB directory claims %u streams", p->num_streams);
        goto out;
    }
    p->sizes = calloc(p->num_streams + 1, sizeof *p->sizes);
    p->block_pos = calloc(p->num_streams + 1, sizeof *p->block_pos);
    if (p->sizes == NULL || p->block_pos == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, p->src->name, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    pos = 4 + 4 * p->num_streams;
    for (s = 0; s < p->num_streams; s++) {
        uint32_t size = pt_le32(p->dir + 4 + 4 * s), n;
        if (size == NIL_STREAM)
            size = 0;
        n = (uint32_t)(((uint64_t)size + p->block_size - 1) / p->block_size);
        if ((uint64_t)pos + 4ull * n > dir_bytes) {
            st = pt_error_set(err, PT_ERR_CORRUPT, p->src->name, PT_NO_OFFSET,
                              "PDB stream %u's block list runs past the directory", s);
            goto out;
        }
        p->sizes[s] = size;
        p->block_pos[s] = pos;
        pos += 4 * n;
    }
out:
    free(map_page);
    return st;
}

static pt_status load_info_and_dbi(dump_pdb *p, pt_error *err)
{
    uint8_t info[28], dbi[DBI_HEADER];
    uint32_t optoff, optsize, i, sec_bytes;
    uint64_t sum;
    pt_status st;

    st = stream_read(p, STREAM_PDB_INFO, 0, info, sizeof info, err);
    if (st != PT_OK)
        return st;
    p->info_age = pt_le32(info + 8);
    memcpy(p->guid, info + 12, 16);
    st = stream_read(p, STREAM_DBI, 0, dbi, sizeof dbi, err);
    if (st != PT_OK)
        return st;
    p->dbi_age = pt_le32(dbi + DBI_AGE);
    p->symrec_stream = pt_le16(dbi + DBI_SYMREC);
    sum = (uint64_t)DBI_HEADER + pt_le32(dbi + DBI_MODINFO) + pt_le32(dbi + DBI_SECCONTR) +
          pt_le32(dbi + DBI_SECMAP) + pt_le32(dbi + DBI_SRCINFO) + pt_le32(dbi + DBI_TSMAP) +
          pt_le32(dbi + DBI_EC);
    optsize = pt_le32(dbi + DBI_OPTDBG);
    if (sum > stream_size(p, STREAM_DBI) || optsize < 2 * (OPTDBG_SECTION_HDR + 1))
        return pt_error_set(err, PT_ERR_CORRUPT, p->src->name, PT_NO_OFFSET,
                            "PDB DBI stream: substream sizes do not fit");
    optoff = (uint32_t)sum;
    {
        uint8_t b[2];
        st = stream_read(p, STREAM_DBI, optoff + 2 * OPTDBG_SECTION_HDR, b, 2, err);
        if (st != PT_OK)
            return st;
        p->section_stream = pt_le16(b);
    }
    if (p->section_stream == 0xFFFF || p->symrec_stream == 0xFFFF)
        return pt_error_set(err, PT_ERR_UNSUPPORTED, p->src->name, PT_NO_OFFSET,
                            "PDB has no section headers or no symbol records");
    sec_bytes = stream_size(p, p->section_stream);
    p->section_count = sec_bytes / 40;
    if (p->section_count > DUMP_PDB_MAX_SECTIONS)
        p->section_count = DUMP_PDB_MAX_SECTIONS;
    for (i = 0; i < p->section_count; i++) {
        uint8_t va[4];
        st = stream_read(p, p->section_stream, 40 * i + 12, va, 4, err);
        if (st != PT_OK)
            return st;
        p->section_va[i] = pt_le32(va);
    }
    return PT_OK;
}

pt_status dump_pdb_open(pt_source *src, dump_pdb **out, pt_error *err)
{
    uint8_t sb[0x38];
    dump_pdb *p;
    pt_status st;

    *out = NULL;
    if (src->size < sizeof sb)
        return pt_error_set(err, PT_ERR_FORMAT, src->name, 0, "too short for a PDB");
    st = pt_source_read(src, 0, sb, sizeof sb, err);
    if (st != PT_OK)
        return st;
    if (memcmp(sb, msf_magic, sizeof msf_magic) != 0)
        return pt_error_set(err, PT_ERR_FORMAT, src->name, 0, "not a PDB (no MSF 7.00 magic)");
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET, "out of memory");
    p->src = src;
    p->block_size = pt_le32(sb + SB_BLOCK_SIZE);
    p->num_blocks = pt_le32(sb + SB_NUM_BLOCKS);
    if (p->block_size < 512 || p->block_size > 65536 || (p->block_size & (p->block_size - 1)) ||
        (uint64_t)p->num_blocks * p->block_size > src->size) {
        st = pt_error_set(err, PT_ERR_CORRUPT, src->name, SB_BLOCK_SIZE,
                          "PDB block size %u / %u blocks do not fit the %llu-byte file",
                          p->block_size, p->num_blocks, (unsigned long long)src->size);
        goto fail;
    }
    st = load_directory(p, sb, err);
    if (st == PT_OK)
        st = load_info_and_dbi(p, err);
    if (st != PT_OK)
        goto fail;
    *out = p;
    return PT_OK;
fail:
    dump_pdb_close(p);
    return st;
}

void dump_pdb_close(dump_pdb *p)
{
    if (p == NULL)
        return;
    free(p->sizes);
    free(p->block_pos);
    free(p->dir);
    free(p);
}

void dump_pdb_identity(const dump_pdb *p, uint8_t guid[16], uint32_t *info_age, uint32_t *dbi_age)
{
    memcpy(guid, p->guid, 16);
    *info_age = p->info_age;
    *dbi_age = p->dbi_age;
}

/* "_Name" -> "Name", "@Name@8" / "_Name@8" -> "Name". */
static void undecorate(char *name)
{
    char *at;
    if (name[0] == '_' || name[0] == '@' || name[0] == '\x7f')
        memmove(name, name + 1, strlen(name));
    at = strchr(name, '@');
    if (at != NULL && at != name)
        *at = '\0';
}

pt_status dump_pdb_each_public(dump_pdb *p, dump_pdb_public_fn fn, void *ctx, pt_error *err)
{
    uint32_t size = stream_size(p, p->symrec_stream), off = 0;
    /* a record is at most 0xFFFF bytes; its name is copied out NUL-ended */
    uint8_t *rec = malloc(0x10000);
    char *name = malloc(0x10000);
    pt_status st = PT_OK;

    if (rec == NULL || name == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, p->src->name, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    while (off + 4 <= size) {
        uint8_t hdr[4];
        uint32_t len, kind;
        st = stream_read(p, p->symrec_stream, off, hdr, 4, err);
        if (st != PT_OK)
            goto out;
        len = pt_le16(hdr);
        kind = pt_le16(hdr + 2);
        if (len < 2 || off + 2 + len > size) {
            st = pt_error_set(err, PT_ERR_CORRUPT, p->src->name, PT_NO_OFFSET,
                              "PDB symbol record at %u (length %u) runs past the stream", off,
                              len);
            goto out;
        }
        /* S_PUB32: u32 flags, u32 offset, u16 segment, name */
        if ((kind == S_PUB32 || kind == S_PUB32_ST) && len >= 2 + 10 + 1) {
            uint32_t seg, sym_off, body = len - 2;
            size_t nlen;
            st = stream_read(p, p->symrec_stream, off + 4, rec, body, err);
            if (st != PT_OK)
                goto out;
            sym_off = pt_le32(rec + 4);
            seg = pt_le16(rec + 8);
            if (kind == S_PUB32) {
                nlen = strnlen((const char *)rec + 10, body - 10);
                memcpy(name, rec + 10, nlen);
            } else {
                nlen = rec[10];
                if (nlen > body - 11)
                    nlen = body - 11;
                memcpy(name, rec + 11, nlen);
            }
            name[nlen] = '\0';
            undecorate(name);
            if (seg >= 1 && seg <= p->section_count) {
                st = fn(ctx, name, p->section_va[seg - 1] + sym_off);
                if (st != PT_OK)
                    goto out;
            }
        }
        off += 2 + len;
    }
out:
    free(rec);
    free(name);
    return st;
}
