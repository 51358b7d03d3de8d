/* etl_reader.c - the pt_reader entry points for ETW traces. */
#include "etl_reader.h"

#include "pt_byteorder.h"

/* The first buffer's first event is a SYSTEM_TRACE_HEADER at 0x48 with
 * hook 0x0000 (the logfile header): marker bytes xx 00 01|02 C0. */
static int etl_probe(const uint8_t *head, size_t len)
{
    if (len < 0x48 + 0x20)
        return 0;
    if (head[0x48 + 3] != 0xC0 || (head[0x48 + 2] != 0x01 && head[0x48 + 2] != 0x02))
        return 0;
    if (pt_le16(head + 0x48 + 6) != 0x0000)
        return 0;
    return 90;
}

static pt_status etl_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                          pt_error *err)
{
    (void)opt;
    (void)sink;
    return pt_error_set(err, PT_ERR_UNSUPPORTED, src->name, PT_NO_OFFSET,
                        "ETL reading is being written");
}

const pt_reader pt_reader_etl = {
    PT_KIND_ETL, "etl", etl_probe, etl_read, NULL,
};
