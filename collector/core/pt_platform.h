/* pt_platform.h - the few operating-system services that differ between
 * POSIX and Windows, so that pooltriage-collect builds for both.
 *
 * Every path is UTF-8.  On Windows the functions convert to UTF-16 and call
 * the wide-character API, so a file named in any script opens on any
 * system locale (the narrow CRT functions would use the ANSI code page and
 * fail, or hand back names that are not UTF-8 for the manifest).  Files
 * are always opened in binary mode and not inherited by child processes.
 */
#ifndef PT_PLATFORM_H
#define PT_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "pt_error.h"
#include "pt_evidence.h"

/* The separator to use when building a path on this system. */
#ifdef _WIN32
#define PT_PATH_SEP '\\'
#else
#define PT_PATH_SEP '/'
#endif

/* Opens a file for reading; returns a file descriptor or -1 with errno. */
int pt_platform_open_read(const char *path);

/* Creates (or truncates) a file for writing; returns a descriptor or -1. */
int pt_platform_open_write(const char *path);

/* Removes a file; 0, or -1 with errno. */
int pt_platform_remove(const char *path);

/* Creates a directory (0755 on POSIX); 0, or -1 with errno (EEXIST when
 * something is already there). */
int pt_platform_mkdir(const char *path);

/* Reads up to len bytes at offset off without moving the file position
 * (pread; ReadFile with an OVERLAPPED offset on Windows).  Returns the
 * number of bytes read (0 at the end of the file) or -1 with errno. */
int64_t pt_platform_pread(int fd, void *buf, size_t len, uint64_t off);

typedef struct pt_file_info {
    uint64_t size;
    int is_regular;
    int is_directory;
    pt_filetime modified;  /* last write time, 0 when unknown */
} pt_file_info;

/* What is at path (following symbolic links). */
pt_status pt_platform_stat(const char *path, pt_file_info *info, pt_error *err);

/* Whether two paths name the same file (same device and inode; on Windows
 * the same volume serial number and file index, since msvcrt's stat gives
 * no inode).  *same is 0 when either does not exist. */
pt_status pt_platform_same_file(const char *a, const char *b, int *same, pt_error *err);

/* This machine's host name (DNS host name on Windows), NUL-terminated and
 * cut to cap - 1 bytes. */
pt_status pt_platform_hostname(char *buf, size_t cap, pt_error *err);

/* The command line as UTF-8.  On Windows, replaces *argv with the wide
 * command line converted to UTF-8 (the narrow argv is in the ANSI code
 * page); the strings live until the program exits.  On POSIX it leaves
 * argc and argv as they are. */
pt_status pt_platform_utf8_args(int *argc, char ***argv, pt_error *err);

/* Directory listing: the entries of one directory, without "." and "..",
 * in the order the system gives them. */
typedef struct pt_dir pt_dir;

pt_status pt_dir_open(const char *path, pt_dir **out, pt_error *err);

/* The next entry: *name (UTF-8, valid until the next call) and whether it
 * is a directory; *name is NULL at the end of the listing. */
pt_status pt_dir_next(pt_dir *dir, const char **name, int *is_directory, pt_error *err);

void pt_dir_close(pt_dir *dir);

#endif
