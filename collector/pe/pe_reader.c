/* pe_reader.c - the PE and driver-metadata readers (being filled in). */
#include "pe_reader.h"

static int pe_probe(const uint8_t *head, size_t len)
{
    (void)head;
    (void)len;
    return 0;
}

static pt_status pe_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                         pt_error *err)
{
    (void)opt;
    (void)sink;
    return pt_error_set(err, PT_ERR_UNSUPPORTED, src->name, PT_NO_OFFSET,
                        "the PE reader is not complete yet");
}

const pt_reader pt_reader_pe = {
    .kind = PT_KIND_DRIVERS,
    .name = "pe",
    .probe = pe_probe,
    .read = pe_read,
    .describe = NULL,
};

const pt_reader pt_reader_drivers = {
    .kind = PT_KIND_DRIVERS,
    .name = "drivers",
    .probe = pe_probe,
    .read = pe_read,
    .describe = NULL,
};
