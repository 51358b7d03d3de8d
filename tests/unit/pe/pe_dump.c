/* pe_dump.c - prints the driver-metadata text (schema/drivers-metadata.md)
 * of each file named: what pefile_oracle.py compares with python3-pefile. */
#include <stdio.h>

#include "pe_driver.h"
#include "pe_metadata.h"

int main(int argc, char **argv)
{
    pt_pe_buf buf = {0};
    int i, rc = 0;

    pt_driver_metadata_header(&buf);
    for (i = 1; i < argc; i++) {
        struct pt_driver_record *rec = NULL;
        pt_arena arena;
        pt_error err;
        pt_arena_init(&arena);
        pt_error_clear(&err);
        if (pt_pe_analyze_file(argv[i], NULL, &arena, &rec, &err) == PT_ERR_NOMEM || rec == NULL)
            rc = 1;
        else
            pt_driver_metadata_append(&buf, rec);
        pt_arena_free(&arena);
    }
    if (buf.failed)
        rc = 1;
    else
        fwrite(buf.data, 1, buf.len, stdout);
    pt_pe_buf_free(&buf);
    return rc;
}
