/* pt_tag.h - pool tags as raw 32-bit values.
 *
 * A tag is the ULONG the driver passed, stored little-endian: the tag the
 * source shows as "Leak" is the value 0x6B61654C.  Tags are case-sensitive
 * and kept raw; printing escapes the bytes that are not printable ASCII as
 * \xNN, so 'MPP ' and 'MPP.' stay different tags.
 */
#ifndef PT_TAG_H
#define PT_TAG_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t pt_tag;

/* Longest text pt_tag_format writes: 4 escapes of 4 chars, plus NUL. */
#define PT_TAG_TEXT_MAX 17

/* Builds a tag from its four bytes in memory order ("Leak" -> 'L','e','a','k'). */
pt_tag pt_tag_from_bytes(const uint8_t bytes[4]);

/* Writes the tag as text: printable bytes as they are (trailing spaces
 * kept), others as \xNN; a backslash is written as \x5C. Returns out. */
char *pt_tag_format(pt_tag tag, char out[PT_TAG_TEXT_MAX]);

/* Parses text as written by pt_tag_format, or 1..4 plain characters (a
 * shorter tag is padded with spaces, as Windows does).  Returns 0 on
 * success, -1 when the text is not a tag. */
int pt_tag_parse(const char *text, size_t len, pt_tag *tag);

/* The tag with the "protected" high bit of its last byte cleared (old
 * Windows versions set it on ExFreePoolWithTag-protected tags). */
static inline pt_tag pt_tag_unprotected(pt_tag tag)
{
    return tag & 0x7FFFFFFFu;
}

#endif
