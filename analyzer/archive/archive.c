/* archive.c - opening the case archive: pragmas, schema version, migrations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "archive_schema.h"

struct pt_archive {
    sqlite3 *db;
    char *path;
    int schema_version;
    const pt_archive_migration *migrations;
    size_t migration_count;
};

sqlite3 *pt_archive_db(pt_archive *a)
{
    return a->db;
}

const char *pt_archive_path(const pt_archive *a)
{
    return a->path;
}

int pt_archive_schema_version(pt_archive *a)
{
    return a->schema_version;
}

void pt_archive_now(char out[32])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The version a migration file stands for: its leading decimal digits. */
static int migration_version(const pt_archive_migration *m)
{
    int v = 0;
    const char *p;
    for (p = m->name; *p >= '0' && *p <= '9'; p++) {
        if (v > 100000)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return p == m->name ? -1 : v;
}

static int latest_of(const pt_archive_migration *m, size_t count)
{
    return count == 0 ? 0 : migration_version(&m[count - 1]);
}

int pt_archive_schema_latest(void)
{
    return latest_of(pt_archive_migrations, pt_archive_migration_count);
}

pt_status pt_archive_db_error(pt_archive *a, pt_error *err, const char *what)
{
    return pt_error_set(err, PT_ERR_DB, a->path, PT_NO_OFFSET, "%s: %s", what,
                        sqlite3_errmsg(a->db));
}

pt_status pt_archive_exec(pt_archive *a, const char *sql, pt_error *err)
{
    char *msg = NULL;
    pt_status st = PT_OK;

    if (sqlite3_exec(a->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        st = pt_error_set(err, PT_ERR_DB, a->path, PT_NO_OFFSET, "%s",
                          msg != NULL ? msg : sqlite3_errmsg(a->db));
    }
    sqlite3_free(msg);
    return st;
}

pt_status pt_archive_prepare(pt_archive *a, const char *sql, sqlite3_stmt **out,
                             pt_error *err)
{
    if (sqlite3_prepare_v2(a->db, sql, -1, out, NULL) != SQLITE_OK) {
        *out = NULL;
        return pt_error_set(err, PT_ERR_DB, a->path, PT_NO_OFFSET,
                            "cannot prepare a query (%s): %.80s", sqlite3_errmsg(a->db), sql);
    }
    return PT_OK;
}

pt_status pt_archive_begin(pt_archive *a, pt_error *err)
{
    if (sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return pt_archive_db_error(a, err, "cannot start a transaction");
    return PT_OK;
}

pt_status pt_archive_commit(pt_archive *a, pt_error *err)
{
    if (sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        pt_status st = pt_archive_db_error(a, err, "cannot commit");
        pt_archive_rollback(a);
        return st;
    }
    return PT_OK;
}

void pt_archive_rollback(pt_archive *a)
{
    if (!sqlite3_get_autocommit(a->db))
        sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
}

pt_status pt_archive_case_id(pt_archive *a, const char *case_name, int64_t *id,
                             pt_error *err)
{
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(a, "SELECT id FROM cases WHERE name = ?1", &st, err);
    int step;

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_text(st, 1, case_name, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
    } else if (step == SQLITE_DONE) {
        rc = pt_error_set(err, PT_ERR_NOT_FOUND, a->path, PT_NO_OFFSET,
                          "no case named '%s' in the archive", case_name);
    } else {
        rc = pt_archive_db_error(a, err, "cannot look up the case");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Creates the directories above path (mkdir -p of its dirname). */
static pt_status make_parent_dirs(const char *path, pt_error *err)
{
    char buf[4096];
    size_t len = strlen(path);
    char *p;

    if (len >= sizeof buf)
        return pt_error_set(err, PT_ERR_USAGE, path, PT_NO_OFFSET, "archive path too long");
    memcpy(buf, path, len + 1);
    for (p = buf + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            pt_status st = pt_error_set(err, PT_ERR_IO, buf, PT_NO_OFFSET,
                                        "cannot create directory: %s", strerror(errno));
            return st;
        }
        *p = '/';
    }
    return PT_OK;
}

/* Returns 1 if the database has no schema objects at all (a new file). */
static pt_status archive_is_empty(pt_archive *a, int *empty, pt_error *err)
{
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(a, "SELECT count(*) FROM sqlite_master", &st, err);

    if (rc != PT_OK) {
        /* A file that is not SQLite fails here ("file is not a database"). */
        err->code = PT_ERR_FORMAT;
        pt_error_prefix(err, "not a pooltriage archive");
        return PT_ERR_FORMAT;
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = pt_archive_db_error(a, err, "not a pooltriage archive");
        err->code = rc = PT_ERR_FORMAT;
    } else {
        *empty = sqlite3_column_int64(st, 0) == 0;
    }
    sqlite3_finalize(st);
    return rc;
}

static pt_status read_schema_version(pt_archive *a, int *version, pt_error *err)
{
    sqlite3_stmt *st = NULL;
    pt_status rc;

    if (sqlite3_prepare_v2(a->db, "SELECT max(version) FROM schema_version", -1, &st, NULL) !=
        SQLITE_OK) {
        return pt_error_set(err, PT_ERR_SCHEMA, a->path, PT_NO_OFFSET,
                            "an SQLite file without a schema_version table: "
                            "not a pooltriage archive");
    }
    rc = PT_OK;
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) != SQLITE_INTEGER)
        rc = pt_error_set(err, PT_ERR_SCHEMA, a->path, PT_NO_OFFSET,
                          "the schema_version table is empty: not a pooltriage archive");
    else
        *version = (int)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

/* Checks that the migrations are numbered 1, 2, 3... */
static pt_status check_migration_table(const pt_archive_migration *m, size_t count,
                                       pt_error *err)
{
    size_t i;
    if (count == 0)
        return pt_error_set(err, PT_ERR_INTERNAL, NULL, PT_NO_OFFSET, "no archive schema");
    for (i = 0; i < count; i++) {
        if (migration_version(&m[i]) != (int)i + 1)
            return pt_error_set(err, PT_ERR_INTERNAL, m[i].name, PT_NO_OFFSET,
                                "archive migrations must be numbered 1, 2, 3...");
    }
    return PT_OK;
}

/* Applies migrations from version from+1 to the latest in one transaction. */
static pt_status migrate(pt_archive *a, int from, pt_error *err)
{
    sqlite3_stmt *ins = NULL;
    char now[32];
    pt_status rc;
    size_t i;

    rc = pt_archive_begin(a, err);
    if (rc != PT_OK)
        return rc;
    pt_archive_now(now);
    for (i = (size_t)from; i < a->migration_count; i++) {
        const pt_archive_migration *m = &a->migrations[i];
        rc = pt_archive_exec(a, m->sql, err);
        if (rc != PT_OK) {
            pt_error_prefix(err, "migration %s", m->name);
            goto fail;
        }
        if (ins == NULL) {
            rc = pt_archive_prepare(a,
                                    "INSERT INTO schema_version(version, name, applied_at) "
                                    "VALUES (?1, ?2, ?3)",
                                    &ins, err);
            if (rc != PT_OK)
                goto fail;
        }
        sqlite3_bind_int(ins, 1, migration_version(m));
        sqlite3_bind_text(ins, 2, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, now, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = pt_archive_db_error(a, err, "cannot record the schema version");
            goto fail;
        }
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    ins = NULL;
    rc = pt_archive_commit(a, err);
    if (rc == PT_OK)
        a->schema_version = latest_of(a->migrations, a->migration_count);
    return rc;
fail:
    sqlite3_finalize(ins);
    pt_archive_rollback(a);
    return rc;
}

/* Pragmas for a fast bulk load that keeps atomicity: the rollback journal
 * (a single file to share, and a failed import restores it byte for byte),
 * full sync at commit, a large page cache so one big transaction rarely
 * spills, temporary structures in memory. */
static pt_status set_pragmas(pt_archive *a, pt_error *err)
{
    return pt_archive_exec(a,
                           "PRAGMA journal_mode=DELETE;"
                           "PRAGMA synchronous=FULL;"
                           "PRAGMA cache_size=-131072;"
                           "PRAGMA temp_store=MEMORY;"
                           "PRAGMA foreign_keys=OFF;",
                           err);
}

pt_status pt_archive_open(const char *path, int flags, pt_archive **out, pt_error *err)
{
    return pt_archive_open_with(path, flags, pt_archive_migrations, pt_archive_migration_count,
                                out, err);
}

pt_status pt_archive_open_with(const char *path, int flags,
                               const pt_archive_migration *migrations, size_t count,
                               pt_archive **out, pt_error *err)
{
    pt_archive *a = NULL;
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    int empty = 0, version = 0;
    /* One connection is used by one thread: no SQLite mutexes. */
    int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    int latest = latest_of(migrations, count);
    pt_status rc;

    *out = NULL;
    rc = check_migration_table(migrations, count, err);
    if (rc != PT_OK)
        return rc;
    if (!exists && !(flags & PT_ARCHIVE_CREATE))
        return pt_error_set(err, PT_ERR_NOT_FOUND, path, PT_NO_OFFSET,
                            "no archive here (import a bundle first)");
    if (!exists) {
        rc = make_parent_dirs(path, err);
        if (rc != PT_OK)
            return rc;
        oflags |= SQLITE_OPEN_CREATE;
    }
    a = calloc(1, sizeof *a);
    if (a == NULL || (a->path = strdup(path)) == NULL) {
        free(a);
        return pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
    }
    a->migrations = migrations;
    a->migration_count = count;
    if (sqlite3_open_v2(path, &a->db, oflags, NULL) != SQLITE_OK) {
        rc = pt_archive_db_error(a, err, "cannot open the archive");
        goto fail;
    }
    sqlite3_extended_result_codes(a->db, 1);
    sqlite3_busy_timeout(a->db, 10000);
    rc = archive_is_empty(a, &empty, err);
    if (rc != PT_OK)
        goto fail;
    rc = set_pragmas(a, err);
    if (rc != PT_OK)
        goto fail;
    if (!empty) {
        rc = read_schema_version(a, &version, err);
        if (rc != PT_OK)
            goto fail;
        if (version > latest || version < 1) {
            rc = pt_error_set(err, PT_ERR_SCHEMA, path, PT_NO_OFFSET,
                              "archive schema version %d is not one this pooltriage "
                              "knows (it reads versions 1 to %d); use the pooltriage "
                              "that wrote it, or a newer one",
                              version, latest);
            goto fail;
        }
    }
    a->schema_version = version;
    if (version < latest) {
        rc = migrate(a, version, err);
        if (rc != PT_OK)
            goto fail;
    }
    *out = a;
    return PT_OK;
fail:
    pt_archive_close(a);
    return rc;
}

void pt_archive_close(pt_archive *a)
{
    if (a == NULL)
        return;
    sqlite3_close_v2(a->db);
    free(a->path);
    free(a);
}
