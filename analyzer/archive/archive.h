/* archive.h - the SQLite case archive (schema: schema/archive/).
 *
 * One file, the team's memory: cases group the bundles of one incident.
 * Opening checks the schema version and migrates an older archive
 * forward; an archive from a newer pooltriage is refused (PT_ERR_SCHEMA).
 */
#ifndef PT_ARCHIVE_H
#define PT_ARCHIVE_H

#include <sqlite3.h>

#include "pt_error.h"

typedef struct pt_archive pt_archive;

#define PT_ARCHIVE_OPEN_EXISTING 0
#define PT_ARCHIVE_CREATE 1

pt_status pt_archive_open(const char *path, int flags, pt_archive **out, pt_error *err);
void pt_archive_close(pt_archive *a);
sqlite3 *pt_archive_db(pt_archive *a);
const char *pt_archive_path(const pt_archive *a);

#endif
