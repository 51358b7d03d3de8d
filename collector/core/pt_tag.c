/* pt_tag.c - pool tag text conversion. */
#include "pt_tag.h"

#include <stdio.h>

pt_tag pt_tag_from_bytes(const uint8_t bytes[4])
{
    return (pt_tag)bytes[0] | ((pt_tag)bytes[1] << 8) | ((pt_tag)bytes[2] << 16) |
           ((pt_tag)bytes[3] << 24);
}

char *pt_tag_format(pt_tag tag, char out[PT_TAG_TEXT_MAX])
{
    size_t n = 0;
    int i;

    for (i = 0; i < 4; i++) {
        unsigned c = (tag >> (8 * i)) & 0xFFu;
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            out[n++] = (char)c;
        } else {
            snprintf(out + n, 5, "\\x%02X", c);
            n += 4;
        }
    }
    out[n] = '\0';
    return out;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int pt_tag_parse(const char *text, size_t len, pt_tag *tag)
{
    uint8_t bytes[4] = {' ', ' ', ' ', ' '};
    size_t i = 0;
    int n = 0;

    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        if (n == 4)
            return -1;
        if (c == '\\' && i + 3 < len + 0 && text[i + 1] == 'x') {
            int hi = hex_value(text[i + 2]), lo = hex_value(text[i + 3]);
            if (hi < 0 || lo < 0)
                return -1;
            bytes[n++] = (uint8_t)(hi * 16 + lo);
            i += 4;
            continue;
        }
        if (c < 0x20 || c >= 0x7F)
            return -1;
        bytes[n++] = c;
        i++;
    }
    if (n == 0)
        return -1;
    *tag = pt_tag_from_bytes(bytes);
    return 0;
}
