/* text_vm.c - the vm text reader (being filled in). */
#include "text_readers.h"

static int vm_probe(const uint8_t *head, size_t len)
{
    (void)head;
    (void)len;
    return 0;
}

static pt_status vm_read(pt_source *src, const pt_read_options *opt, const pt_sink *sink,
                           pt_error *err)
{
    (void)opt;
    (void)sink;
    return pt_error_set(err, PT_ERR_UNSUPPORTED, src->name, PT_NO_OFFSET,
                        "the vm reader is not complete yet");
}

const pt_reader pt_reader_vm = {
    .kind = PT_KIND_VM,
    .name = "vm",
    .probe = vm_probe,
    .read = vm_read,
    .describe = NULL,
};
