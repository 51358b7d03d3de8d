/* pt_source.c - file and memory byte sources, and a line reader. */
#define _FILE_OFFSET_BITS 64
#include "pt_source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt_platform.h"

typedef struct file_impl {
    int fd;
} file_impl;

typedef struct memory_impl {
    const uint8_t *data;
} memory_impl;

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

static pt_status file_read_at(pt_source *src, uint64_t off, void *buf, size_t len,
                              pt_error *err)
{
    file_impl *f = src->impl;
    uint8_t *out = buf;
    size_t done = 0;

    while (done < len) {
        int64_t n = pt_platform_pread(f->fd, out + done, len - done, off + done);
        if (n < 0)
            return pt_error_set(err, PT_ERR_IO, src->name, off + done, "read failed: %s",
                                strerror(errno));
        if (n == 0)
            return pt_error_set(err, PT_ERR_TRUNCATED, src->name, off + done,
                                "file ends early");
        done += (size_t)n;
    }
    return PT_OK;
}

static void file_close(pt_source *src)
{
    file_impl *f = src->impl;
    if (f != NULL && f->fd >= 0)
        close(f->fd);
    free(f);
}

pt_status pt_source_open_file(const char *path, pt_source **out, pt_error *err)
{
    pt_source *src = NULL;
    file_impl *f = NULL;
    struct stat st;
    int fd;

    *out = NULL;
    fd = pt_platform_open_read(path);
    if (fd < 0)
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET, "cannot open: %s",
                            strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET, "not a regular file");
    }
    src = calloc(1, sizeof *src);
    f = calloc(1, sizeof *f);
    if (src == NULL || f == NULL || (src->name = copy_string(path)) == NULL) {
        close(fd);
        free(f);
        if (src != NULL)
            free(src->name);
        free(src);
        return pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
    }
    f->fd = fd;
    src->size = (uint64_t)st.st_size;
    src->read_at = file_read_at;
    src->close = file_close;
    src->impl = f;
    *out = src;
    return PT_OK;
}

static pt_status memory_read_at(pt_source *src, uint64_t off, void *buf, size_t len,
                                pt_error *err)
{
    memory_impl *m = src->impl;
    if (!(off <= src->size && len <= src->size - off))
        return pt_error_set(err, PT_ERR_TRUNCATED, src->name, off, "data ends early");
    if (len > 0)
        memcpy(buf, m->data + off, len);
    return PT_OK;
}

static void memory_close(pt_source *src)
{
    free(src->impl);
}

pt_status pt_source_open_memory(const void *data, size_t size, const char *name,
                                pt_source **out, pt_error *err)
{
    pt_source *src = calloc(1, sizeof *src);
    memory_impl *m = calloc(1, sizeof *m);

    *out = NULL;
    if (src == NULL || m == NULL || (src->name = copy_string(name)) == NULL) {
        free(src);
        free(m);
        return pt_error_set(err, PT_ERR_NOMEM, name, PT_NO_OFFSET, "out of memory");
    }
    m->data = data;
    src->size = size;
    src->read_at = memory_read_at;
    src->close = memory_close;
    src->impl = m;
    *out = src;
    return PT_OK;
}

pt_status pt_source_read(pt_source *src, uint64_t off, void *buf, size_t len,
                         pt_error *err)
{
    if (!(off <= src->size && len <= src->size - off))
        return pt_error_set(err, PT_ERR_TRUNCATED, src->name, off,
                            "need %zu bytes, the input has %llu", len,
                            (unsigned long long)src->size);
    return src->read_at(src, off, buf, len, err);
}

void pt_source_close(pt_source *src)
{
    if (src == NULL)
        return;
    if (src->close != NULL)
        src->close(src);
    free(src->name);
    free(src);
}

/* ---- line reader ---- */

#define LINE_BUF_SIZE 65536

pt_status pt_line_reader_init(pt_line_reader *lr, pt_source *src, pt_error *err)
{
    memset(lr, 0, sizeof *lr);
    lr->src = src;
    lr->buf_cap = LINE_BUF_SIZE;
    lr->buf = malloc(lr->buf_cap);
    lr->line_cap = PT_MAX_LINE + 1;
    lr->line = malloc(lr->line_cap);
    if (lr->buf == NULL || lr->line == NULL) {
        pt_line_reader_free(lr);
        return pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET, "out of memory");
    }
    return PT_OK;
}

static int fill(pt_line_reader *lr, pt_error *err)
{
    uint64_t left = lr->src->size - lr->pos;
    size_t want = left < lr->buf_cap ? (size_t)left : lr->buf_cap;

    if (want == 0)
        return 0;
    if (pt_source_read(lr->src, lr->pos, lr->buf, want, err) != PT_OK)
        return -1;
    lr->pos += want;
    lr->buf_len = want;
    lr->buf_pos = 0;
    return 1;
}

/* Appends the buffered bytes up to the next newline to the line (kept up
 * to PT_MAX_LINE, the rest dropped) and consumes them with the newline.
 * Returns 1 when the newline was found, 0 when the buffer ran out first. */
static int take_line_part(pt_line_reader *lr, size_t *n)
{
    const char *start = lr->buf + lr->buf_pos;
    size_t avail = lr->buf_len - lr->buf_pos;
    const char *nl = memchr(start, '\n', avail);
    size_t take = nl != NULL ? (size_t)(nl - start) : avail;
    size_t room = PT_MAX_LINE - *n;
    size_t keep = take < room ? take : room;

    memcpy(lr->line + *n, start, keep);
    *n += keep;
    lr->buf_pos += nl != NULL ? take + 1 : take;
    return nl != NULL;
}

int pt_line_reader_next(pt_line_reader *lr, const char **line, size_t *len,
                        pt_error *err)
{
    size_t n = 0;
    int any = 0;

    lr->line_off = lr->pos - (lr->buf_len - lr->buf_pos);
    for (;;) {
        if (lr->buf_pos == lr->buf_len) {
            int r = fill(lr, err);
            if (r < 0)
                return -1;
            if (r == 0)
                break;
        }
        any = 1;
        if (take_line_part(lr, &n))
            break;
    }
    if (!any)
        return 0;
    while (n > 0 && lr->line[n - 1] == '\r')
        n--;
    lr->line[n] = '\0';
    lr->line_no++;
    *line = lr->line;
    *len = n;
    return 1;
}

void pt_line_reader_free(pt_line_reader *lr)
{
    free(lr->buf);
    free(lr->line);
    lr->buf = NULL;
    lr->line = NULL;
}
