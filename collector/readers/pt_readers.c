/* pt_readers.c - reader table and content detection. */
#include "pt_readers.h"

#include <stdlib.h>
#include <string.h>

#include "text_readers.h"
#ifdef PT_HAVE_dump
#include "dump_reader.h"
#endif
#ifdef PT_HAVE_etl
#include "etl_reader.h"
#endif
#ifdef PT_HAVE_pe
#include "pe_reader.h"
#endif

/* Every reader; the binary formats come first so their magic numbers win
 * over text heuristics.  Each module is built when its folder has a
 * CMakeLists.txt (collector/CMakeLists.txt sets PT_HAVE_<module>). */
static const pt_reader *const all_readers[] = {
#ifdef PT_HAVE_dump
    &pt_reader_dump,
#endif
#ifdef PT_HAVE_etl
    &pt_reader_etl,
#endif
#ifdef PT_HAVE_pe
    &pt_reader_pe,
    &pt_reader_drivers,
#endif
    &pt_reader_poolused,
    &pt_reader_vm,
    &pt_reader_poolmon,
    &pt_reader_pooltag,
};

const pt_reader *const *pt_readers_all(size_t *count)
{
    *count = sizeof all_readers / sizeof all_readers[0];
    return all_readers;
}

const pt_reader *pt_readers_by_name(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof all_readers / sizeof all_readers[0]; i++)
        if (strcmp(all_readers[i]->name, name) == 0)
            return all_readers[i];
    return NULL;
}

pt_status pt_readers_detect(pt_source *src, const pt_reader **out, pt_error *err)
{
    size_t n = src->size < PT_PROBE_BYTES ? (size_t)src->size : PT_PROBE_BYTES;
    uint8_t *head = malloc(n > 0 ? n : 1);
    const pt_reader *best = NULL;
    int best_score = 0;
    pt_status st;
    size_t i;

    *out = NULL;
    if (head == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET, "out of memory");
    st = pt_source_read(src, 0, head, n, err);
    if (st != PT_OK) {
        free(head);
        return st;
    }
    for (i = 0; i < sizeof all_readers / sizeof all_readers[0]; i++) {
        int score = all_readers[i]->probe(head, n);
        if (score > best_score) {
            best_score = score;
            best = all_readers[i];
        }
    }
    free(head);
    if (best == NULL)
        return pt_error_set(err, PT_ERR_FORMAT, src->name, PT_NO_OFFSET,
                            "not a kind of evidence pooltriage reads (poolmon, !poolused, "
                            "!vm, pooltag.txt, crash dump, ETL trace, PE driver)");
    *out = best;
    return PT_OK;
}
