/* pt_error.h - stable result codes and error messages.
 *
 * Every function that can fail returns a pt_status and, where the caller
 * passes one, fills a pt_error with a message that names the file and the
 * offset.  Codes are never renumbered; each has a fixed message
 * (pt_status_message) and the command-line tools turn them into exit codes.
 */
#ifndef PT_ERROR_H
#define PT_ERROR_H

#include <stdint.h>

typedef enum pt_status {
    PT_OK = 0,
    PT_ERR_USAGE = 1,        /* bad command line or API misuse */
    PT_ERR_IO = 2,           /* open/read/write failed */
    PT_ERR_NOMEM = 3,        /* allocation failed */
    PT_ERR_FORMAT = 4,       /* input is not in any format we read */
    PT_ERR_CORRUPT = 5,      /* input is of a known format but malformed */
    PT_ERR_TRUNCATED = 6,    /* input ends before a structure does */
    PT_ERR_INTEGRITY = 7,    /* a hash or checksum does not match */
    PT_ERR_LIMIT = 8,        /* a size or count is over a sane bound */
    PT_ERR_UNSUPPORTED = 9,  /* known format, variant we do not read */
    PT_ERR_DB = 10,          /* SQLite reported an error */
    PT_ERR_SCHEMA = 11,      /* archive schema version is not ours */
    PT_ERR_NOT_FOUND = 12,   /* a named case, tag, member... does not exist */
    PT_ERR_UNSAFE = 13,      /* a member name escapes, or similar */
    PT_ERR_PARTIAL = 14,     /* only part of the input could be read */
    PT_ERR_INTERNAL = 15,    /* a bug: an invariant did not hold */
    PT_STATUS_COUNT
} pt_status;

#define PT_NO_OFFSET UINT64_MAX

/* The format archetype for printf-like functions.  On mingw-w64 "printf"
 * means msvcrt's dialect (no %zu, %lld); the Windows build uses mingw's C99
 * stdio (__USE_MINGW_ANSI_STDIO), so check against that. */
#if defined(__MINGW32__)
#define PT_PRINTF_FORMAT gnu_printf
#else
#define PT_PRINTF_FORMAT printf
#endif

typedef struct pt_error {
    pt_status code;
    char message[1024];
} pt_error;

/* The fixed one-line meaning of a code. */
const char *pt_status_message(pt_status code);

/* Clears an error to PT_OK with an empty message; err may be NULL. */
void pt_error_clear(pt_error *err);

/* Sets err (if not NULL) and returns code.  The message reads
 * "FILE: offset 0xOFF: TEXT" (FILE and offset left out when NULL /
 * PT_NO_OFFSET). */
pt_status pt_error_set(pt_error *err, pt_status code, const char *file,
                       uint64_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PT_PRINTF_FORMAT, 5, 6)))
#endif
    ;

/* Puts "PREFIX: " in front of an existing message (for context). */
void pt_error_prefix(pt_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PT_PRINTF_FORMAT, 2, 3)))
#endif
    ;

#endif
