/* pt_sha256.h - SHA-256 (FIPS 180-4), streaming.
 *
 * Used for bundle member and chunk hashes and the bundle's identity.
 */
#ifndef PT_SHA256_H
#define PT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define PT_SHA256_LEN 32
#define PT_SHA256_HEX_LEN 64

typedef struct pt_sha256 {
    uint32_t state[8];
    uint64_t total;        /* bytes hashed so far */
    uint8_t block[64];
    size_t block_len;
} pt_sha256;

void pt_sha256_init(pt_sha256 *ctx);
void pt_sha256_update(pt_sha256 *ctx, const void *data, size_t len);
void pt_sha256_final(pt_sha256 *ctx, uint8_t digest[PT_SHA256_LEN]);

/* One-shot helper. */
void pt_sha256_buffer(const void *data, size_t len, uint8_t digest[PT_SHA256_LEN]);
/* Lower-case hex, NUL-terminated (65 bytes). */
void pt_sha256_hex(const uint8_t digest[PT_SHA256_LEN], char hex[PT_SHA256_HEX_LEN + 1]);
/* Parses 64 hex digits (either case); 0 on anything else. */
int pt_sha256_parse_hex(const char *hex, uint8_t digest[PT_SHA256_LEN]);

#endif
