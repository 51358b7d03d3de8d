/* pt_error.c - stable result codes and error messages. */
#include "pt_error.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_messages[PT_STATUS_COUNT] = {
    [PT_OK] = "success",
    [PT_ERR_USAGE] = "bad usage",
    [PT_ERR_IO] = "input/output error",
    [PT_ERR_NOMEM] = "out of memory",
    [PT_ERR_FORMAT] = "unrecognized input format",
    [PT_ERR_CORRUPT] = "malformed input",
    [PT_ERR_TRUNCATED] = "input is truncated",
    [PT_ERR_INTEGRITY] = "integrity check failed",
    [PT_ERR_LIMIT] = "size or count over limit",
    [PT_ERR_UNSUPPORTED] = "unsupported format variant",
    [PT_ERR_DB] = "archive database error",
    [PT_ERR_SCHEMA] = "archive schema version mismatch",
    [PT_ERR_NOT_FOUND] = "not found",
    [PT_ERR_UNSAFE] = "unsafe input rejected",
    [PT_ERR_PARTIAL] = "input only partly readable",
    [PT_ERR_INTERNAL] = "internal error",
};

const char *pt_status_message(pt_status code)
{
    if ((int)code < 0 || code >= PT_STATUS_COUNT)
        return "unknown error";
    return status_messages[code];
}

void pt_error_clear(pt_error *err)
{
    if (err == NULL)
        return;
    err->code = PT_OK;
    err->message[0] = '\0';
}

pt_status pt_error_set(pt_error *err, pt_status code, const char *file,
                       uint64_t offset, const char *fmt, ...)
{
    size_t used = 0;
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    err->message[0] = '\0';
    if (file != NULL)
        used += (size_t)snprintf(err->message, sizeof err->message, "%s: ", file);
    if (offset != PT_NO_OFFSET && used < sizeof err->message)
        used += (size_t)snprintf(err->message + used, sizeof err->message - used,
                                 "offset 0x%" PRIx64 ": ", offset);
    if (used < sizeof err->message) {
        va_start(ap, fmt);
        vsnprintf(err->message + used, sizeof err->message - used, fmt, ap);
        va_end(ap);
    }
    return code;
}

void pt_error_prefix(pt_error *err, const char *fmt, ...)
{
    char prefix[256];
    char old[sizeof err->message];
    va_list ap;

    if (err == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    /* "PREFIX: OLD", cut at the buffer's end; the precision makes the bound
     * visible to gcc's -Wformat-truncation. */
    snprintf(err->message, sizeof err->message, "%.255s: %.765s", prefix, old);
}
