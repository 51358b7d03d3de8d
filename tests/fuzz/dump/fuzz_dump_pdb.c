/* fuzz_dump_pdb.c - libFuzzer target for the PDB reader (a user-supplied
 * ntkrnlmp.pdb is untrusted input too): open, identity, public symbols. */
#include <stddef.h>
#include <stdint.h>

#include "dump_pdb.h"

static pt_status ignore_public(void *ctx, const char *name, uint32_t rva)
{
    (void)ctx;
    (void)name;
    (void)rva;
    return PT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pt_source *src = NULL;
    dump_pdb *pdb = NULL;
    pt_error err;
    uint8_t guid[16];
    uint32_t a, b;

    if (pt_source_open_memory(data, size, "fuzz.pdb", &src, &err) != PT_OK)
        return 0;
    if (dump_pdb_open(src, &pdb, &err) == PT_OK) {
        dump_pdb_identity(pdb, guid, &a, &b);
        (void)dump_pdb_each_public(pdb, ignore_public, NULL, &err);
        dump_pdb_close(pdb);
    }
    pt_source_close(src);
    return 0;
}
