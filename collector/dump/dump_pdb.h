/* dump_pdb.h - public symbols from a PDB (MSF 7.0), enough to find the
 * kernel variables the KDBG does not give (../shared/docs/dump-format.md
 * §7): the info stream's GUID and age, the DBI stream's section headers
 * and the S_PUB32 records of the symbol record stream. */
#ifndef DUMP_PDB_H
#define DUMP_PDB_H

#include <stddef.h>
#include <stdint.h>

#include "pt_error.h"
#include "pt_source.h"

/* Limits: the stream directory is read whole, up to this size. */
#define DUMP_PDB_MAX_DIRECTORY (64u << 20)
#define DUMP_PDB_MAX_STREAMS 0x100000u
#define DUMP_PDB_MAX_SECTIONS 1024u

typedef struct dump_pdb dump_pdb;

pt_status dump_pdb_open(pt_source *src, dump_pdb **out, pt_error *err);
void dump_pdb_close(dump_pdb *pdb);

/* The PDB's identity: GUID as stored (16 bytes), info-stream and DBI ages. */
void dump_pdb_identity(const dump_pdb *pdb, uint8_t guid[16], uint32_t *info_age,
                       uint32_t *dbi_age);

/* Called for each public symbol with its RVA (section VA + offset); x86
 * decorations ('_' prefix, '@n' suffix) are stripped from the name. */
typedef pt_status (*dump_pdb_public_fn)(void *ctx, const char *name, uint32_t rva);
pt_status dump_pdb_each_public(dump_pdb *pdb, dump_pdb_public_fn fn, void *ctx, pt_error *err);

#endif
