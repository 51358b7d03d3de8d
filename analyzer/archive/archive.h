/* archive.h - the SQLite case archive (schema: schema/archive/).
 *
 * One file, the team's memory: cases group the bundles of one incident.
 * Opening checks the schema version and migrates an older archive
 * forward; an archive from a newer pooltriage is refused (PT_ERR_SCHEMA).
 */
#ifndef PT_ARCHIVE_H
#define PT_ARCHIVE_H

#include <stdint.h>

#include <sqlite3.h>

#include "pt_error.h"

typedef struct pt_archive pt_archive;

#define PT_ARCHIVE_OPEN_EXISTING 0
#define PT_ARCHIVE_CREATE 1

pt_status pt_archive_open(const char *path, int flags, pt_archive **out, pt_error *err);
void pt_archive_close(pt_archive *a);
sqlite3 *pt_archive_db(pt_archive *a);
const char *pt_archive_path(const pt_archive *a);

/* ---- additions (archive engineer) ---- */

/* The schema version this build writes (the highest embedded migration). */
int pt_archive_schema_latest(void);
/* The version of the open archive (after migration: the latest). */
int pt_archive_schema_version(pt_archive *a);

/* Sets err to PT_ERR_DB: "ARCHIVE: WHAT: sqlite's message". Returns PT_ERR_DB. */
pt_status pt_archive_db_error(pt_archive *a, pt_error *err, const char *what);
/* Runs SQL without results (one or more statements). */
pt_status pt_archive_exec(pt_archive *a, const char *sql, pt_error *err);
/* Prepares one statement; on failure err names the archive and the SQL's purpose. */
pt_status pt_archive_prepare(pt_archive *a, const char *sql, sqlite3_stmt **out,
                             pt_error *err);

/* Transactions: begin takes the write lock at once (BEGIN IMMEDIATE). */
pt_status pt_archive_begin(pt_archive *a, pt_error *err);
pt_status pt_archive_commit(pt_archive *a, pt_error *err);
void pt_archive_rollback(pt_archive *a);

/* The id of a case by name: PT_OK, or PT_ERR_NOT_FOUND naming it. */
pt_status pt_archive_case_id(pt_archive *a, const char *case_name, int64_t *id,
                             pt_error *err);

/* The join condition from samples s to their tag rows r: a sample's rows
 * have consecutive rowids (schema/archive/001_initial.sql), found by range. */
#define PT_SAMPLE_TAG_ROWS "r.rowid BETWEEN s.row_first AND s.row_first + s.row_count - 1"

/* "YYYY-MM-DDTHH:MM:SSZ" of the current time, for *_at columns. */
void pt_archive_now(char out[32]);

#endif
