/* bench_etl_import.c - the two halves of importing a pool trace from a
 * bundle, measured apart (bench/run-etl.sh runs `pooltriage import` of the
 * whole for comparison):
 *
 *   bench_etl_import --etl TRACE.etl --db NEW.db
 *       the ETL file to the archive on one core: the ETL reader over the
 *       plain file into the import sink (samples, rows, counters, modules,
 *       outstanding allocations, stacks), the suspects, the commit
 *   bench_etl_import --bundle B.ptb
 *       decompression alone: every member read start to end through its
 *       bundle source in 1 MiB reads (inflate, CRC-32 and SHA-256 of each
 *       chunk, as an import reads it), nothing parsed
 *
 * Prints "key value" lines: seconds (wall), cpu_seconds (this process,
 * all threads), bytes, and for --etl the counts and the peak RSS.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "analysis.h"
#include "archive_import.h"
#include "bundle.h"
#include "etl_reader.h"
#include "pt_source.h"

static double clock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int fail(const pt_error *err)
{
    fprintf(stderr, "bench_etl_import: %s\n", err->message);
    return 1;
}

/* The trace into a new archive, as import_member does for a bundle member. */
static pt_status etl_to_archive(const char *etl, const char *db, pt_import_counts *counts,
                                uint64_t *bytes, pt_error *err)
{
    static const char id[] = "0000000000000000000000000000000000000000000000000000000000000b5e";
    pt_archive *a = NULL;
    pt_import *im = NULL;
    pt_source *src = NULL;
    pt_import_bundle_info bi;
    pt_import_source_info si;
    pt_read_options ro;
    int already = 0;
    pt_status rc;

    remove(db);
    rc = pt_archive_open(db, PT_ARCHIVE_CREATE, &a, err);
    if (rc == PT_OK)
        rc = pt_source_open_file(etl, &src, err);
    if (rc == PT_OK)
        rc = pt_import_begin(a, "bench", &im, err);
    memset(&bi, 0, sizeof bi);
    bi.sha256 = id;
    bi.file_name = "bench";
    if (rc == PT_OK)
        rc = pt_import_add_bundle(im, &bi, &already, err);
    memset(&si, 0, sizeof si);
    si.member = etl;
    si.kind = "etl";
    si.sha256 = id;
    if (rc == PT_OK) {
        si.size = *bytes = src->size;
        rc = pt_import_add_source(im, &si, err);
    }
    memset(&ro, 0, sizeof ro);
    ro.display_name = etl;
    if (rc == PT_OK) {
        rc = pt_reader_etl.read(src, &ro, pt_import_sink(im), err);
        if (rc != PT_OK && pt_import_error(im)->code != PT_OK)
            *err = *pt_import_error(im);
    }
    if (rc == PT_OK)
        rc = pt_import_end_source(im, err);
    if (rc == PT_OK)
        *counts = *pt_import_get_counts(im);
    if (rc == PT_OK) {
        rc = pt_import_commit(im, pt_analysis_store_suspects, NULL, err);
        im = NULL;
    }
    if (im != NULL)
        pt_import_abort(im);
    pt_source_close(src);
    pt_archive_close(a);
    return rc;
}

/* Every member read in order through its source: what an import spends
 * on the bundle before any reader sees a byte. */
static pt_status inflate_bundle(const char *path, uint64_t *bytes, pt_error *err)
{
    enum { READ_SIZE = 1 << 20 };
    pt_bundle *b = NULL;
    uint8_t *buf = malloc(READ_SIZE);
    size_t i;
    pt_status rc = buf != NULL ? pt_bundle_open(path, 0, &b, err)
                               : pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "no memory");

    *bytes = 0;
    for (i = 0; rc == PT_OK && i < pt_bundle_member_count(b); i++) {
        pt_source *src = NULL;
        uint64_t off = 0;
        rc = pt_bundle_open_member(b, i, &src, err);
        while (rc == PT_OK && off < src->size) {
            size_t n = src->size - off < READ_SIZE ? (size_t)(src->size - off) : READ_SIZE;
            rc = pt_source_read(src, off, buf, n, err);
            off += n;
        }
        *bytes += off;
        pt_source_close(src);
    }
    pt_bundle_close(b);
    free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    const char *etl = NULL, *db = NULL, *bundle = NULL;
    pt_import_counts counts;
    uint64_t bytes = 0;
    double w0, c0;
    pt_error err;
    pt_status rc;
    int i;

    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--etl") == 0) etl = argv[i + 1];
        else if (strcmp(argv[i], "--db") == 0) db = argv[i + 1];
        else if (strcmp(argv[i], "--bundle") == 0) bundle = argv[i + 1];
        else break;
    }
    if (i != argc || (bundle == NULL) == (etl == NULL || db == NULL)) {
        fprintf(stderr, "usage: bench_etl_import --etl TRACE.etl --db NEW.db | --bundle B\n");
        return 2;
    }
    pt_error_clear(&err);
    memset(&counts, 0, sizeof counts);
    w0 = clock_seconds(CLOCK_MONOTONIC);
    c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    rc = bundle != NULL ? inflate_bundle(bundle, &bytes, &err)
                        : etl_to_archive(etl, db, &counts, &bytes, &err);
    if (rc != PT_OK)
        return fail(&err);
    printf("seconds %.3f\ncpu_seconds %.3f\nbytes %" PRIu64 "\n",
           clock_seconds(CLOCK_MONOTONIC) - w0, clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0,
           bytes);
    if (etl != NULL)
        printf("samples %" PRIu64 "\nallocations %" PRIu64 "\nstacks %" PRIu64
               "\nmax_rss_kb %ld\n",
               counts.samples, counts.allocations, counts.stacks, max_rss_kb());
    return 0;
}
