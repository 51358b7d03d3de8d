/* dump_bundle.c - a reduced dump as a bundle member with holes. */
#include "bundle.h"
#include "dump_reduce.h"

#include <stdlib.h>
#include <string.h>

#define COPY_CHUNK (1u << 20)

pt_status dump_reduce_to_bundle(pt_bundle_writer *w, const char *name, pt_source *src,
                                const pt_bundle_attr *attrs, size_t attr_count,
                                dump_range_set *stats, pt_error *err)
{
    dump_range_set set;
    uint8_t *buf = NULL;
    size_t i;
    pt_status st;

    st = dump_reduce_ranges(src, NULL, &set, err);
    if (st != PT_OK)
        return st;
    buf = malloc(COPY_CHUNK);
    if (buf == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    st = pt_bundle_member_begin(w, name, "dump", src->size, attrs, attr_count, err);
    if (st != PT_OK)
        goto out;
    for (i = 0; i < set.count && st == PT_OK; i++) {
        uint64_t off = set.ranges[i].offset, left = set.ranges[i].length;
        while (left > 0 && st == PT_OK) {
            size_t n = left < COPY_CHUNK ? (size_t)left : COPY_CHUNK;
            st = pt_source_read(src, off, buf, n, err);
            if (st == PT_OK)
                st = pt_bundle_member_write_at(w, off, buf, n, err);
            off += n;
            left -= n;
        }
    }
    if (st == PT_OK)
        st = pt_bundle_member_end(w, err);
out:
    free(buf);
    if (st == PT_OK && stats != NULL)
        *stats = set;
    else
        dump_range_set_free(&set);
    return st;
}
