/* archive_schema.h - the archive's migrations, compiled in from
 * schema/archive/NNN_name.sql by schema/archive/embed.cmake.
 *
 * The table is sorted by file name; the version of a migration is the
 * number its file name starts with (001_initial.sql is version 1).
 * Versions must run 1, 2, 3... without gaps (pt_archive_open checks).
 */
#ifndef PT_ARCHIVE_SCHEMA_H
#define PT_ARCHIVE_SCHEMA_H

#include <stddef.h>

typedef struct pt_archive_migration {
    const char *name; /* "001_initial.sql" */
    const char *sql;  /* the whole file, NUL-terminated */
} pt_archive_migration;

extern const pt_archive_migration pt_archive_migrations[];
extern const size_t pt_archive_migration_count;

#include "archive.h"

/* pt_archive_open with another list of migrations (tests use it to check
 * how an older archive is migrated, and that a failed migration changes
 * nothing). */
pt_status pt_archive_open_with(const char *path, int flags,
                               const pt_archive_migration *migrations, size_t count,
                               pt_archive **out, pt_error *err);

#endif
