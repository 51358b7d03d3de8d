/* text_poolused.c - the poolused text reader (being filled in). */
#include "text_readers.h"

static int poolused_probe(const uint8_t *head, size_t len)
{
    (void)head;
    (void)len;
    return 0;
}

static pt_status poolused_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                           pt_error *err)
{
    (void)opt;
    (void)sink;
    return pt_error_set(err, PT_ERR_UNSUPPORTED, src->name, PT_NO_OFFSET,
                        "the poolused reader is not complete yet");
}

const pt_reader pt_reader_poolused = {
    .kind = PT_KIND_POOLUSED,
    .name = "poolused",
    .probe = poolused_probe,
    .read = poolused_read,
    .describe = NULL,
};
