/* analysis_util.c - units of counters and tag-file patterns. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analysis.h"

/* Pages are 4 KiB on every system pooltriage reads (x86, x64, ARM64). */
#define PAGE_BYTES 4096u

uint64_t pt_counter_bytes(uint64_t value, const char *unit, int *ok)
{
    uint64_t mult = 0;

    *ok = 0;
    if (unit == NULL)
        return 0;
    if (strcasecmp(unit, "pages") == 0)
        mult = PAGE_BYTES;
    else if (strcasecmp(unit, "K") == 0 || strcasecmp(unit, "Kb") == 0)
        mult = 1024;
    else if (strcasecmp(unit, "bytes") == 0 || strcasecmp(unit, "B") == 0)
        mult = 1;
    else if (strcasecmp(unit, "MB") == 0 || strcasecmp(unit, "M") == 0)
        mult = 1024 * 1024;
    if (mult == 0 || value > UINT64_MAX / mult || value >= (1ull << 63))
        return 0;
    *ok = 1;
    return value * mult;
}

int pt_tag_pattern_match(const char *pattern, const char *tag_text)
{
    char tag[PT_TAG_TEXT_MAX + 4];
    size_t len = strlen(tag_text), i;

    if (len >= sizeof tag - 4)
        len = sizeof tag - 5;
    memcpy(tag, tag_text, len);
    while (len < 4)
        tag[len++] = ' ';
    tag[len] = '\0';
    for (i = 0;; i++) {
        char p = pattern[i];
        if (p == '*')
            return 1;
        if (p == '\0') {
            /* Patterns may leave out the tag's trailing spaces. */
            while (tag[i] == ' ')
                i++;
            return tag[i] == '\0';
        }
        if (tag[i] == '\0')
            return strspn(pattern + i, " ") == strlen(pattern + i) ||
                   strcmp(pattern + i + strspn(pattern + i, " "), "*") == 0;
        if (p != '?' && p != tag[i])
            return 0;
    }
}

/* A driver file name in the text: a token ending in .sys, .dll or .exe
 * ("[ntfs.sys  -  AttrSup.c]" -> "ntfs.sys"), else the module before '!'
 * ("nt!io" -> "nt"), else the trimmed text. */
void pt_binary_driver_name(const char *binary, char *out, size_t size)
{
    static const char *const exts[] = {".sys", ".dll", ".exe"};
    const char *p = binary, *start, *bang;
    size_t len, e;

    out[0] = '\0';
    if (binary == NULL || size == 0)
        return;
    while (*p != '\0') {
        while (*p != '\0' && strchr(" \t[](),;", *p) != NULL)
            p++;
        start = p;
        while (*p != '\0' && strchr(" \t[](),;", *p) == NULL)
            p++;
        len = (size_t)(p - start);
        for (e = 0; e < 3; e++) {
            if (len > 4 && strncasecmp(p - 4, exts[e], 4) == 0) {
                snprintf(out, size, "%.*s", (int)len, start);
                return;
            }
        }
    }
    p = binary;
    while (*p == ' ' || *p == '[')
        p++;
    bang = strchr(p, '!');
    len = bang != NULL ? (size_t)(bang - p) : strcspn(p, " ]");
    snprintf(out, size, "%.*s", (int)len, p);
}
