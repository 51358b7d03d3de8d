/* dump_reader.c - the crash dump reader entry points. */
#include "dump_reader.h"

#include <string.h>

static int dump_probe(const uint8_t *head, size_t len)
{
    if (len >= 8 && memcmp(head, "PAGE", 4) == 0 &&
        (memcmp(head + 4, "DU64", 4) == 0 || memcmp(head + 4, "DUMP", 4) == 0))
        return 100;
    return 0;
}

static pt_status dump_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                           pt_error *err)
{
    (void)opt;
    (void)sink;
    return pt_error_set(err, PT_ERR_UNSUPPORTED, src->name, PT_NO_OFFSET,
                        "the dump reader is not complete yet");
}

const pt_reader pt_reader_dump = {
    .kind = PT_KIND_DUMP,
    .name = "dump",
    .probe = dump_probe,
    .read = dump_read,
    .describe = NULL,
};
