/* pe_image.h - the PE headers, section table and RVA mapping of a file
 * held in memory (pe-drivers.md §1.1-1.3).  Every offset read from the
 * file is checked against the buffer before use. */
#ifndef PT_PE_IMAGE_H
#define PT_PE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "pt_error.h"

/* Offsets from pe-drivers.md §1.1. */
#define PE_DOS_LFANEW 0x3C
#define PE_COFF_SIZE 20
#define PE_COFF_MACHINE 0
#define PE_COFF_NSECTIONS 2
#define PE_COFF_TIMESTAMP 4
#define PE_COFF_OPTSIZE 16
#define PE_COFF_CHARACTERISTICS 18
#define PE_OPT_MAGIC 0
#define PE_OPT_ENTRY 16
#define PE_OPT_SECTION_ALIGN 32
#define PE_OPT_FILE_ALIGN 36
#define PE_OPT_SIZE_OF_IMAGE 56
#define PE_OPT_SIZE_OF_HEADERS 60
#define PE_OPT_CHECKSUM 64
#define PE_OPT_SUBSYSTEM 68
#define PE_OPT_DLLCHAR 70
#define PE_MAGIC_PE32 0x10B
#define PE_MAGIC_PE32PLUS 0x20B
#define PE_SECTION_SIZE 40
#define PE_SCN_CNT_CODE 0x00000020u
#define PE_SCN_MEM_EXECUTE 0x20000000u
#define PE_SCN_MEM_WRITE 0x80000000u

#define PE_MACHINE_I386 0x014C
#define PE_MACHINE_AMD64 0x8664
#define PE_MACHINE_ARM64 0xAA64
#define PE_MACHINE_ARMNT 0x01C4

enum {
    PE_DIR_EXPORT = 0,
    PE_DIR_IMPORT = 1,
    PE_DIR_RESOURCE = 2,
    PE_DIR_EXCEPTION = 3,
    PE_DIR_SECURITY = 4,
    PE_DIR_RELOC = 5,
    PE_DIR_DEBUG = 6,
    PE_DIR_LOADCONFIG = 10,
    PE_DIR_IAT = 12,
    PE_DIR_DELAY_IMPORT = 13,
    PE_DIR_COUNT = 16
};

/* Sane bounds: Windows' loader refuses more than 96 sections. */
#define PE_MAX_SECTIONS 96

typedef struct pe_section {
    char name[9];
    uint32_t virtual_size, virtual_address, raw_size, raw_offset, characteristics;
} pe_section;

typedef struct pe_dir {
    uint32_t rva, size;
} pe_dir;

typedef struct pe_image {
    const char *file;        /* for messages */
    const uint8_t *data;
    size_t size;
    uint32_t pe_offset;      /* "PE\0\0" */
    uint32_t opt_offset;
    uint16_t machine;
    uint16_t section_count;
    uint32_t timestamp;
    uint16_t characteristics;
    int pe32plus;
    uint32_t entry_point;
    uint64_t image_base;
    uint32_t size_of_image, size_of_headers;
    uint32_t checksum;
    uint32_t checksum_offset; /* file offset of the CheckSum field */
    uint16_t subsystem, dll_characteristics;
    uint32_t dir_count;
    pe_dir dirs[PE_DIR_COUNT];
    pe_section sections[PE_MAX_SECTIONS];
} pe_image;

/* 100 when head starts "MZ" with a "PE\0\0" at e_lfanew, 0 otherwise. */
int pe_probe_bytes(const uint8_t *head, size_t len);

/* Parses the headers and section table of data[0..size). */
pt_status pe_image_parse(pe_image *img, const uint8_t *data, size_t size, const char *file,
                         pt_error *err);

/* The section holding rva, or NULL. */
const pe_section *pe_section_of_rva(const pe_image *img, uint32_t rva);

/* Maps rva..rva+len to a pointer into the file, or NULL when any byte
 * lies outside the file's raw data (past-raw virtual bytes are not
 * returned: callers treat them as missing). */
const uint8_t *pe_rva_ptr(const pe_image *img, uint32_t rva, size_t len);

/* The bytes available from rva to the end of its section's raw data
 * (or the headers); 0 when unmapped.  *p set to the first byte. */
size_t pe_rva_span(const pe_image *img, uint32_t rva, const uint8_t **p);

/* File offset of rva, or UINT64_MAX. */
uint64_t pe_rva_to_offset(const pe_image *img, uint32_t rva);

/* Copies a NUL-terminated ASCII string at rva (at most max-1 chars) into
 * out; returns 0, or -1 when unmapped or unterminated. */
int pe_rva_string(const pe_image *img, uint32_t rva, char *out, size_t max);

int pe_section_is_code(const pe_section *s);
int pe_section_is_writable(const pe_section *s);

/* The PE checksum (pe-drivers.md §1.1): 16-bit word sum without the
 * CheckSum field, carries folded, plus the file length. */
uint32_t pe_checksum_compute(const uint8_t *data, size_t size, uint32_t checksum_offset);

#endif
