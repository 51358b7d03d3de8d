/* dump_kdbg.h - the KDDEBUGGER_DATA64 block ("KDBG"), found through the
 * header (full and bitmap dumps) or the triage copy, decoded when the
 * kernel left it encoded (../shared/docs/dump-format.md §3). */
#ifndef DUMP_KDBG_H
#define DUMP_KDBG_H

#include "dump_file.h"
#include "dump_triage.h"

/* Field offsets (§3.1). */
#define KDBG_TAG 0x10u
#define KDBG_SIZE 0x14u
#define KDBG_KERNBASE 0x18u
#define KDBG_PSLOADEDMODULELIST 0x48u
#define KDBG_PSACTIVEPROCESSHEAD 0x50u
#define KDBG_MMPFNDATABASE 0xC0u
#define KDBG_MMHIGHESTPHYSICALPAGE 0xF0u
#define KDBG_MMNUMBEROFPHYSICALPAGES 0xF8u
#define KDBG_MMMAXIMUMNONPAGEDPOOLINBYTES 0x100u
#define KDBG_MMSIZEOFPAGEDPOOLINBYTES 0x140u
#define KDBG_MMTOTALCOMMITLIMIT 0x148u
#define KDBG_MMTOTALCOMMITTEDPAGES 0x150u
#define KDBG_MMSHAREDCOMMIT 0x158u
#define KDBG_MMDRIVERCOMMIT 0x160u
#define KDBG_MMPROCESSCOMMIT 0x168u
#define KDBG_MMPAGEDPOOLCOMMIT 0x170u
#define KDBG_MMAVAILABLEPAGES 0x1A8u
#define KDBG_MMRESIDENTAVAILABLEPAGES 0x1B0u
#define KDBG_POOLTRACKTABLE 0x1B8u
#define KDBG_MMALLOCATEDNONPAGEDPOOL 0x250u
#define KDBG_MMPEAKCOMMITMENT 0x258u
#define KDBG_MMTOTALCOMMITLIMITMAXIMUM 0x260u
#define KDBG_PTEBASE 0x360u

#define KDBG_OWNER_TAG 0x4742444Bu /* "KDBG" */
/* Sizes outside this range are not a KDBG (XP's is 0x290, 19041's 0x380). */
#define KDBG_MIN_SIZE 0x200u
#define KDBG_MAX_SIZE 0x1000u
#define KDBG_READ_SIZE 0x380u

typedef struct dump_kdbg {
    int found;
    int encoded;          /* was encoded in the dump, decoded here */
    const char *origin;   /* "memory" or "triage copy" */
    uint64_t va;
    uint32_t size;        /* Size field */
    uint8_t data[KDBG_READ_SIZE]; /* decoded, zero past size */
    char why_not[200];    /* when not found */
} dump_kdbg;

/* Decoding keys from symbols (§3.3): W = nt!KiWaitNever's value, A =
 * nt!KiWaitAlways's value, E = the address of nt!KdpDataBlockEncoded; and
 * nt!KdDebuggerDataBlock's address when the header lacks it. */
typedef struct dump_kdbg_keys {
    int have_keys;
    uint64_t wait_never, wait_always, encoded_flag_va;
    uint64_t kdbg_va; /* 0: the header's */
} dump_kdbg_keys;

/* Finds and decodes the KDBG.  Not finding it is not an error (why_not
 * says why); only out-of-memory or I/O failures are. */
pt_status dump_kdbg_load(dump_file *df, const dump_triage *triage, dump_kdbg *k,
                         pt_error *err);
/* The same with symbol-derived keys, for dumps the header alone cannot
 * decode (keys may be NULL). */
pt_status dump_kdbg_load_keyed(dump_file *df, const dump_triage *triage,
                               const dump_kdbg_keys *keys, dump_kdbg *k, pt_error *err);

/* A field: a u64, cut to 32 bits on x86; 0 when past Size. */
uint64_t dump_kdbg_field(const dump_file *df, const dump_kdbg *k, uint32_t off);

/* The encoding of §3.3 (for the fixture generator and tests): plain to
 * encoded with the three kernel values. */
uint64_t dump_kdbg_encode_qword(uint64_t plain, uint64_t wait_never, uint64_t wait_always,
                                uint64_t encoded_flag_va);

#endif
