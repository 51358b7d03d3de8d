/* etl_decompress.h - the two buffer compressions of ETL files.
 *
 * Compressed buffers (BufferFlag 0x40) hold MS-XCA "plain LZ77" (XPRESS,
 * COMPRESSION_FORMAT_XPRESS = 3) in every real file seen; a 2017 note says
 * xperf used LZNT1 (format 2).  Both are decoded here from the public
 * MS-XCA specification, bounds-checked on both sides.
 */
#ifndef ETL_DECOMPRESS_H
#define ETL_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

/* Decodes plain LZ77 from in[0..in_len) into out[0..out_cap).  Returns the
 * number of bytes written, or -1 when the stream is malformed (a match
 * reaching before the output start, or past out_cap, or a cut token). */
long etl_xpress_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap);

/* Decodes LZNT1 chunks; same contract. */
long etl_lznt1_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap);

#endif
