/* etl_file.c - ETL buffers, logfile header, event headers and the merge. */
#include "etl_file.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl_decompress.h"
#include "pt_byteorder.h"

/* TRACE_LOGFILE_HEADER offsets that differ by pointer size (section 1.4,
 * x86 / x64). */
#define LF_BUFFER_SIZE 0x00u
#define LF_VERSION 0x04u
#define LF_PROVIDER_VERSION 0x08u
#define LF_CPUS 0x0Cu
#define LF_END_TIME 0x10u
#define LF_LOG_FILE_MODE 0x20u
#define LF_BUFFERS_WRITTEN 0x24u
#define LF_POINTER_SIZE 0x2Cu
#define LF_EVENTS_LOST 0x30u
#define LF_CPU_MHZ 0x34u
static const uint32_t lf_boot_time[2] = {0xF0u, 0xF8u};
static const uint32_t lf_perf_freq[2] = {0xF8u, 0x100u};
static const uint32_t lf_start_time[2] = {0x100u, 0x108u};
static const uint32_t lf_clock_type[2] = {0x108u, 0x110u};
static const uint32_t lf_buffers_lost[2] = {0x10Cu, 0x114u};
static const uint32_t lf_names[2] = {0x110u, 0x118u};

struct etl_merge;

typedef struct etl_stream {
    uint16_t cpu;
    struct etl_merge *merge; /* refills bufs from the index; NULL: bufs is all */
    size_t *bufs;          /* indexes into f->buffers not read yet, file order */
    size_t nbufs, cap_bufs, next_buf;
    uint8_t *data;         /* the current buffer, decompressed */
    size_t data_cap;
    size_t pos, filled;
    uint64_t buf_offset;
    etl_event ev;          /* the next event, when has_ev */
    int has_ev;
} etl_stream;

typedef struct etl_notes {
    etl_note note[ETL_MAX_NOTES];
    size_t kept, total;
} etl_notes;

struct etl_file {
    pt_source *src;
    etl_logfile lf;
    etl_buffer_info *buffers;
    size_t nbuffers, cap_buffers;
    size_t ncompressed;
    uint8_t *raw;          /* scratch for a compressed buffer as stored */
    size_t raw_cap;
    /* Notes in the order they would come from indexing the whole chain
     * first and walking after: the index's, then the rest. */
    etl_notes index_notes, walk_notes;
    int scanning;          /* notes go to index_notes */
    uint64_t scan_off;     /* the next buffer header to index */
    int scan_done;         /* the chain is indexed to its end */
    pt_status scan_st;     /* a read error while indexing, for the walk */
    pt_error scan_err;
    int damaged;
    uint64_t payload_bytes;
    uint64_t last_ts;      /* for events without a timestamp (WPP) */
    etl_lookahead_fn lookahead;
    void *lookahead_ctx;
};

static const char *const kind_names[ETL_HK_COUNT] = {
    "SYS32", "SYS64", "COMPACT32", "COMPACT64", "PERF32", "PERF64", "FULL32",
    "FULL64", "INSTANCE32", "INSTANCE64", "EVH32", "EVH64", "WPP", "UNKNOWN",
};

const char *etl_header_kind_name(etl_header_kind kind)
{
    return (unsigned)kind < ETL_HK_COUNT ? kind_names[kind] : "UNKNOWN";
}

static void note(etl_file *f, uint64_t offset, int damage, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PT_PRINTF_FORMAT, 4, 5)))
#endif
    ;

static void note(etl_file *f, uint64_t offset, int damage, const char *fmt, ...)
{
    va_list ap;
    etl_notes *list = f->scanning ? &f->index_notes : &f->walk_notes;
    etl_note *n;
    if (damage)
        f->damaged = 1;
    list->total++;
    if (list->kept >= ETL_MAX_NOTES)
        return;
    n = &list->note[list->kept++];
    n->offset = offset;
    n->damage = damage;
    va_start(ap, fmt);
    vsnprintf(n->text, sizeof n->text, fmt, ap);
    va_end(ap);
}

/* Event header decoding (section 2).  Kernel headers carry the size at +4
 * and the hook at +6; the others carry the size at +0. */
int etl_event_parse(const uint8_t *p, size_t avail, etl_event *ev)
{
    uint8_t type, flags;
    uint32_t hdr;

    if (avail < 8)
        return -1;
    type = p[2];
    flags = p[3];
    /* every field set here (no memset: this runs for every event) */
    ev->kind = ETL_HK_UNKNOWN;
    ev->ptr64 = 0;
    ev->kernel = 0;
    ev->hook = 0;
    ev->version = 0;
    ev->size = 0;
    ev->has_thread = 0;
    ev->tid = ev->pid = 0;
    ev->ts = 0;
    ev->cpu = 0;
    ev->offset = 0;
    ev->raw = p;
    ev->payload = NULL;
    ev->payload_len = 0;
    if ((flags & 0xC0u) == 0x80u) {
        /* WPP MESSAGE_TRACE_HEADER: u16 size at +0, no timestamp here. */
        ev->kind = ETL_HK_WPP;
        ev->size = pt_le16(p);
        if (ev->size < 8 || ev->size > avail)
            return -1;
        ev->payload = p + 8;
        ev->payload_len = ev->size - 8;
        return 0;
    }
    if ((flags & 0xC0u) != 0xC0u)
        return -1;
    switch (type) {
    case 0x01: case 0x02: case 0x03: case 0x04: {
        int compact = type >= 0x03;
        ev->kind = compact ? (type == 0x03 ? ETL_HK_COMPACT32 : ETL_HK_COMPACT64)
                           : (type == 0x01 ? ETL_HK_SYS32 : ETL_HK_SYS64);
        ev->ptr64 = (type & 1u) == 0;
        hdr = compact ? 0x18u : 0x20u;
        ev->kernel = 1;
        ev->version = pt_le16(p);
        ev->size = pt_le16(p + 4);
        ev->hook = pt_le16(p + 6);
        if (ev->size < hdr || ev->size > avail)
            return -1;
        ev->has_thread = 1;
        ev->tid = pt_le32(p + 8);
        ev->pid = pt_le32(p + 0x0C);
        ev->ts = pt_le64(p + 0x10);
        break;
    }
    case 0x10: case 0x11: {
        /* PERFINFO: 0x10 bytes, then an 8-byte PEBS value when version bit
         * 0x8000 is set and n 8-byte PMC counters (version bits 8-10). */
        uint16_t v = pt_le16(p);
        ev->kind = type == 0x10 ? ETL_HK_PERF32 : ETL_HK_PERF64;
        ev->ptr64 = type == 0x11;
        ev->kernel = 1;
        ev->version = v & 0xFFu;
        hdr = 0x10u + ((v & 0x8000u) ? 8u : 0u) + 8u * ((v >> 8) & 7u);
        ev->size = pt_le16(p + 4);
        ev->hook = pt_le16(p + 6);
        if (ev->size < hdr || ev->size > avail)
            return -1;
        ev->ts = pt_le64(p + 8);
        break;
    }
    case 0x0A: case 0x14: case 0x0B: case 0x15: case 0x12: case 0x13:
        if (avail < 0x30)
            return -1;
        ev->size = pt_le16(p);
        ev->has_thread = 1;
        ev->tid = pt_le32(p + 8);
        ev->pid = pt_le32(p + 0x0C);
        ev->ts = pt_le64(p + 0x10);
        if (type == 0x0A || type == 0x14) {
            ev->kind = type == 0x0A ? ETL_HK_FULL32 : ETL_HK_FULL64;
            hdr = 0x30u;
        } else if (type == 0x0B || type == 0x15) {
            ev->kind = type == 0x0B ? ETL_HK_INSTANCE32 : ETL_HK_INSTANCE64;
            hdr = 0x48u;
        } else {
            ev->kind = type == 0x12 ? ETL_HK_EVH32 : ETL_HK_EVH64;
            hdr = 0x50u;
        }
        ev->ptr64 = (type == 0x14 || type == 0x15 || type == 0x13);
        if (ev->size < hdr || ev->size > avail)
            return -1;
        if (ev->kind == ETL_HK_EVH32 || ev->kind == ETL_HK_EVH64) {
            /* Extended data items (flag 0x0001) sit between the header
             * and the user payload: u16 size, u16 type, u16 linkage. */
            if (pt_le16(p + 4) & 0x0001u) {
                uint32_t at = hdr;
                for (;;) {
                    uint32_t item;
                    uint16_t link;
                    if (ev->size - at < 8)
                        return -1;
                    item = pt_le16(p + at);
                    link = pt_le16(p + at + 4);
                    if (item < 8 || item > ev->size - at)
                        return -1;
                    at += (item + 7u) & ~7u;
                    if (at > ev->size)
                        return -1;
                    if ((link & 1u) == 0)
                        break;
                }
                hdr = at;
            }
        }
        break;
    default: {
        /* Not a kind we know: skip it when +0 reads as a size. */
        uint16_t sz = pt_le16(p);
        ev->kind = ETL_HK_UNKNOWN;
        if (sz < 8 || sz > avail)
            return -1;
        ev->size = sz;
        ev->payload = p + 8;
        ev->payload_len = sz - 8u;
        return 1;
    }
    }
    ev->payload = p + hdr;
    ev->payload_len = ev->size - hdr;
    return 0;
}

static void utf16_to_ascii(const uint8_t *p, size_t avail, char *out, size_t cap, size_t *used)
{
    size_t i = 0, n = 0;
    while (i + 2 <= avail) {
        uint16_t c = pt_le16(p + i);
        i += 2;
        if (c == 0)
            break;
        if (n + 1 < cap)
            out[n++] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
    }
    out[n] = '\0';
    if (used != NULL)
        *used = i;
}

static pt_status read_logfile_header(etl_file *f, const uint8_t *buf, size_t filled,
                                     pt_error *err)
{
    etl_event ev;
    const uint8_t *h;
    int p64;
    size_t used;

    if (etl_event_parse(buf + ETL_BUF_HEADER_SIZE, filled - ETL_BUF_HEADER_SIZE, &ev) != 0 ||
        (ev.kind != ETL_HK_SYS32 && ev.kind != ETL_HK_SYS64) || ev.hook != 0x0000)
        return pt_error_set(err, PT_ERR_FORMAT, f->src->name, ETL_BUF_HEADER_SIZE,
                            "not an ETL trace: no logfile header event");
    p64 = ev.ptr64;
    if (ev.payload_len < lf_names[p64])
        return pt_error_set(err, PT_ERR_CORRUPT, f->src->name, ETL_BUF_HEADER_SIZE,
                            "logfile header event is %u bytes, too short", ev.size);
    h = ev.payload;
    f->lf.ptr64 = p64;
    f->lf.header_ts = ev.ts;
    f->lf.buffer_size = pt_le32(h + LF_BUFFER_SIZE);
    memcpy(f->lf.version, h + LF_VERSION, 4);
    f->lf.build = pt_le32(h + LF_PROVIDER_VERSION);
    f->lf.cpus = pt_le32(h + LF_CPUS);
    f->lf.end_time = pt_le64(h + LF_END_TIME);
    f->lf.log_file_mode = pt_le32(h + LF_LOG_FILE_MODE);
    f->lf.buffers_written = pt_le32(h + LF_BUFFERS_WRITTEN);
    f->lf.pointer_size = pt_le32(h + LF_POINTER_SIZE);
    f->lf.events_lost = pt_le32(h + LF_EVENTS_LOST);
    f->lf.cpu_mhz = pt_le32(h + LF_CPU_MHZ);
    f->lf.boot_time = pt_le64(h + lf_boot_time[p64]);
    f->lf.perf_freq = pt_le64(h + lf_perf_freq[p64]);
    f->lf.start_time = pt_le64(h + lf_start_time[p64]);
    f->lf.clock_type = pt_le32(h + lf_clock_type[p64]);
    f->lf.buffers_lost = pt_le32(h + lf_buffers_lost[p64]);
    utf16_to_ascii(h + lf_names[p64], ev.payload_len - lf_names[p64], f->lf.logger_name,
                   sizeof f->lf.logger_name, &used);
    utf16_to_ascii(h + lf_names[p64] + used, ev.payload_len - lf_names[p64] - used,
                   f->lf.logfile_name, sizeof f->lf.logfile_name, NULL);
    return PT_OK;
}

static pt_status add_buffer(etl_file *f, const etl_buffer_info *bi, pt_error *err)
{
    if (f->nbuffers == f->cap_buffers) {
        size_t cap = f->cap_buffers ? f->cap_buffers * 2 : 256;
        etl_buffer_info *n = realloc(f->buffers, cap * sizeof *n);
        if (n == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, f->src->name, bi->offset, "out of memory");
        f->buffers = n;
        f->cap_buffers = cap;
    }
    f->buffers[f->nbuffers++] = *bi;
    return PT_OK;
}

/* The filled length of an uncompressed buffer: Offset (+0x30), falling
 * back to SavedOffset when Offset is out of range (section 1.3). */
static int buffer_filled(const etl_buffer_info *bi, uint32_t *filled)
{
    if (bi->flags & ETL_BUFFLAG_COMPRESSED) {
        if (bi->saved_offset < ETL_BUF_HEADER_SIZE || bi->saved_offset > ETL_MAX_BUFFER_SIZE)
            return -1;
        *filled = bi->saved_offset;
        return 0;
    }
    if (bi->filled >= ETL_BUF_HEADER_SIZE && bi->filled <= bi->size) {
        *filled = bi->filled;
        return 0;
    }
    if (bi->saved_offset >= ETL_BUF_HEADER_SIZE && bi->saved_offset <= bi->size) {
        *filled = bi->saved_offset;
        return 0;
    }
    return -1;
}

static void decode_buffer_header(const uint8_t *h, uint64_t offset, etl_buffer_info *bi)
{
    bi->offset = offset;
    bi->size = pt_le32(h + ETL_BUF_SIZE);
    bi->saved_offset = pt_le32(h + ETL_BUF_SAVED_OFFSET);
    bi->sequence = pt_le64(h + ETL_BUF_SEQUENCE);
    bi->filled = pt_le32(h + ETL_BUF_OFFSET);
    bi->flags = pt_le16(h + ETL_BUF_FLAGS);
    bi->type = pt_le16(h + ETL_BUF_TYPE);
    if (bi->flags & ETL_BUFFLAG_PROC_INDEX)
        bi->cpu = (uint16_t)(pt_le16(h + ETL_BUF_PROCESSOR) & (ETL_MAX_CPUS - 1));
    else
        bi->cpu = h[ETL_BUF_PROCESSOR];
}

/* Loads buffer bi into *data (grown as needed), decompressing it; sets
 * *filled.  Returns 0, or -1 with a damage note. */
static int load_buffer(etl_file *f, const etl_buffer_info *bi, uint8_t **data, size_t *cap,
                       size_t *filled)
{
    uint32_t want;
    pt_error e;
    if (buffer_filled(bi, &want) != 0) {
        note(f, bi->offset, 1, "buffer filled length 0x%x / 0x%x out of range", bi->filled,
             bi->saved_offset);
        return -1;
    }
    if (*cap < (size_t)(bi->flags & ETL_BUFFLAG_COMPRESSED ? want : bi->size)) {
        size_t need = (bi->flags & ETL_BUFFLAG_COMPRESSED) ? want : bi->size;
        uint8_t *n = realloc(*data, need);
        if (n == NULL) {
            note(f, bi->offset, 1, "out of memory for a 0x%llx-byte buffer",
                 (unsigned long long)need);
            return -1;
        }
        *data = n;
        *cap = need;
    }
    if ((bi->flags & ETL_BUFFLAG_COMPRESSED) == 0) {
        if (pt_source_read(f->src, bi->offset, *data, want, &e) != PT_OK) {
            note(f, bi->offset, 1, "buffer cannot be read");
            return -1;
        }
        *filled = want;
        f->payload_bytes += want - ETL_BUF_HEADER_SIZE;
        return 0;
    }
    if (f->raw_cap < bi->size) {
        uint8_t *n = realloc(f->raw, bi->size);
        if (n == NULL) {
            note(f, bi->offset, 1, "out of memory for a compressed buffer");
            return -1;
        }
        f->raw = n;
        f->raw_cap = bi->size;
    }
    if (pt_source_read(f->src, bi->offset, f->raw, bi->size, &e) != PT_OK) {
        note(f, bi->offset, 1, "compressed buffer cannot be read");
        return -1;
    }
    memcpy(*data, f->raw, ETL_BUF_HEADER_SIZE);
    {
        size_t in_len = bi->size - ETL_BUF_HEADER_SIZE, out_len = want - ETL_BUF_HEADER_SIZE;
        const uint8_t *in = f->raw + ETL_BUF_HEADER_SIZE;
        uint8_t *out = *data + ETL_BUF_HEADER_SIZE;
        long n = etl_xpress_decompress(in, in_len, out, out_len);
        if (n != (long)out_len || (out_len >= 8 && (out[3] & 0x80u) == 0)) {
            /* XPRESS did not give the exact length: try LZNT1 (1.7). */
            n = etl_lznt1_decompress(in, in_len, out, out_len);
            if (n != (long)out_len || (out_len >= 8 && (out[3] & 0x80u) == 0)) {
                note(f, bi->offset, 1,
                     "compressed buffer does not inflate to 0x%llx bytes (XPRESS or LZNT1)",
                     (unsigned long long)out_len);
                return -1;
            }
        }
        f->payload_bytes += out_len;
    }
    *filled = want;
    return 0;
}

/* Reads the header of the next buffer of the chain (file order, stepping
 * by BufferSize) into the index.  Returns 1 when a buffer was added, 0 at
 * the end of the chain (scan_done set), or -1 when the source cannot be
 * read (scan_st and scan_err set). */
static int scan_next_buffer(etl_file *f)
{
    uint64_t off = f->scan_off, size = f->src->size;
    uint8_t h[ETL_BUF_HEADER_SIZE];
    etl_buffer_info bi;

    if (f->scan_done)
        return 0;
    f->scan_done = 1; /* until a buffer is added below */
    if (off >= size)
        return 0;
    if (size - off < ETL_BUF_HEADER_SIZE) {
        note(f, off, 1, "file ends 0x%llx bytes into a buffer header",
             (unsigned long long)(size - off));
        return 0;
    }
    f->scan_st = pt_source_read(f->src, off, h, sizeof h, &f->scan_err);
    if (f->scan_st != PT_OK)
        return -1;
    decode_buffer_header(h, off, &bi);
    if (bi.size < ETL_BUF_HEADER_SIZE || bi.size > ETL_MAX_BUFFER_SIZE) {
        note(f, off, 1, "buffer size 0x%x out of range (0x48..0x%x); the rest is not read",
             bi.size, ETL_MAX_BUFFER_SIZE);
        return 0;
    }
    if (f->nbuffers >= ETL_MAX_BUFFERS) {
        note(f, off, 1, "more than %u buffers; the rest is not read", ETL_MAX_BUFFERS);
        return 0;
    }
    if (bi.size > size - off) {
        note(f, off, 1, "file cut inside a 0x%x-byte buffer (0x%llx bytes present)", bi.size,
             (unsigned long long)(size - off));
        /* keep the events before the cut of a plain buffer */
        if ((bi.flags & ETL_BUFFLAG_COMPRESSED) || f->nbuffers == 0)
            return 0;
        bi.size = (uint32_t)(size - off);
        if (bi.filled > bi.size)
            bi.filled = bi.size;
        if (bi.saved_offset > bi.size)
            bi.saved_offset = bi.size;
    } else {
        if (bi.flags & ETL_BUFFLAG_COMPRESSED)
            f->ncompressed++;
        if (bi.flags & (ETL_BUFFLAG_EVENTS_LOST | ETL_BUFFLAG_BUFFER_LOST))
            note(f, off, 0, "buffer flags 0x%x: the logger lost %s", bi.flags,
                 (bi.flags & ETL_BUFFLAG_BUFFER_LOST) ? "buffers" : "events");
        f->scan_done = 0;
        f->scan_off = off + bi.size;
    }
    f->scan_st = add_buffer(f, &bi, &f->scan_err);
    if (f->scan_st != PT_OK) {
        f->scan_done = 1;
        return -1;
    }
    return 1;
}

static int scan_next(etl_file *f)
{
    int r;
    f->scanning = 1;
    r = scan_next_buffer(f);
    f->scanning = 0;
    return r;
}

/* Indexes the rest of the chain (the walks index as they go; the buffer
 * list and the notes need all of it). */
static void scan_all(etl_file *f)
{
    while (scan_next(f) > 0)
        ;
}

pt_status etl_file_open(pt_source *src, etl_file **out, pt_error *err)
{
    etl_file *f;
    uint8_t *data = NULL;
    size_t cap = 0, filled = 0;
    pt_status st;

    *out = NULL;
    f = calloc(1, sizeof *f);
    if (f == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, src->name, PT_NO_OFFSET, "out of memory");
    f->src = src;
    if (src->size < ETL_BUF_HEADER_SIZE + 0x20) {
        st = pt_error_set(err, PT_ERR_FORMAT, src->name, 0,
                          "not an ETL trace: %llu bytes is too short",
                          (unsigned long long)src->size);
        goto fail;
    }
    /* Only the header buffer now: the walk indexes the rest as it reads
     * it, so a bundle member is inflated once, not once more for an index. */
    if (scan_next(f) < 0) {
        *err = f->scan_err;
        st = f->scan_st;
        goto fail;
    }
    if (f->nbuffers == 0 || (f->buffers[0].flags & ETL_BUFFLAG_COMPRESSED)) {
        const etl_notes *n = &f->index_notes;
        st = pt_error_set(err, PT_ERR_FORMAT, src->name, 0,
                          "not an ETL trace: no readable header buffer%s%s",
                          n->kept ? ": " : "", n->kept ? n->note[0].text : "");
        goto fail;
    }
    if (load_buffer(f, &f->buffers[0], &data, &cap, &filled) != 0 ||
        filled < ETL_BUF_HEADER_SIZE + 0x20) {
        st = pt_error_set(err, PT_ERR_FORMAT, src->name, 0,
                          "not an ETL trace: header buffer filled length out of range");
        goto fail;
    }
    f->payload_bytes = 0;
    st = read_logfile_header(f, data, filled, err);
    if (st != PT_OK)
        goto fail;
    if (f->lf.buffers_lost != 0 || f->lf.events_lost != 0)
        note(f, 0, 0, "the logger lost %u buffers and %u events", f->lf.buffers_lost,
             f->lf.events_lost);
    free(data);
    *out = f;
    return PT_OK;
fail:
    free(data);
    etl_file_close(f);
    return st;
}

void etl_file_close(etl_file *f)
{
    if (f == NULL)
        return;
    free(f->buffers);
    free(f->raw);
    free(f);
}

const etl_logfile *etl_file_logfile(const etl_file *f) { return &f->lf; }

size_t etl_file_buffer_count(etl_file *f)
{
    scan_all(f);
    return f->nbuffers;
}

const etl_buffer_info *etl_file_buffer(etl_file *f, size_t i)
{
    scan_all(f);
    return &f->buffers[i];
}

size_t etl_file_compressed_count(etl_file *f)
{
    scan_all(f);
    return f->ncompressed;
}

/* The walk's notes fill what the index's leave of ETL_MAX_NOTES. */
static size_t walk_notes_shown(const etl_file *f)
{
    size_t room = ETL_MAX_NOTES - f->index_notes.kept;
    return f->walk_notes.kept < room ? f->walk_notes.kept : room;
}

size_t etl_file_note_count(etl_file *f)
{
    scan_all(f);
    return f->index_notes.kept + walk_notes_shown(f);
}

const etl_note *etl_file_note(etl_file *f, size_t i)
{
    scan_all(f);
    if (i < f->index_notes.kept)
        return &f->index_notes.note[i];
    return &f->walk_notes.note[i - f->index_notes.kept];
}

size_t etl_file_notes_dropped(etl_file *f)
{
    scan_all(f);
    return f->index_notes.total + f->walk_notes.total - f->index_notes.kept -
           walk_notes_shown(f);
}

int etl_file_damaged(etl_file *f)
{
    scan_all(f);
    return f->damaged;
}
uint64_t etl_file_payload_bytes(const etl_file *f) { return f->payload_bytes; }

uint64_t etl_file_filetime(const etl_file *f, uint64_t ts)
{
    uint64_t freq = f->lf.perf_freq, d;
    if (f->lf.clock_type == 2 || freq == 0)
        freq = 10000000u;
    if (f->lf.clock_type == 3 && f->lf.cpu_mhz != 0)
        freq = (uint64_t)f->lf.cpu_mhz * 1000000u; /* approximation (1.5) */
    if (ts < f->lf.header_ts)
        return f->lf.start_time;
    d = ts - f->lf.header_ts;
    /* d * 10^7 / freq without overflow for any realistic d */
    return f->lf.start_time + (d / freq) * 10000000u + (d % freq) * 10000000u / freq;
}

/* ---- event streams ---- */

/* The per-CPU streams of a merged walk, fed from the index as the walk
 * indexes the chain: a stream that has read all its buffers known so far
 * indexes on until the chain gives it one more or ends.  The streams hold
 * the indexes of the buffers found but not read yet. */
typedef struct etl_merge {
    etl_file *f;
    etl_stream *streams;   /* ETL_MAX_CPUS slots */
    size_t nstreams;
    uint32_t *slot_of_cpu; /* ETL_MAX_CPUS; UINT32_MAX = no stream yet */
    uint32_t *max_size;    /* per stream: its largest buffer */
    uint64_t memory;       /* the sum of max_size */
    size_t fed;            /* index entries handed to the streams */
    int over_limit;        /* memory is over ETL_MAX_MERGE_MEMORY */
} etl_merge;

static int merge_over_limit(etl_merge *m);

/* Fails the walk with a status kept like a read error of the index. */
static int merge_fail(etl_merge *m, pt_status st, const char *fmt, unsigned long long a,
                      unsigned long long b)
{
    m->f->scan_st = pt_error_set(&m->f->scan_err, st, m->f->src->name, PT_NO_OFFSET, fmt, a, b);
    return -1;
}

/* Hands the next index entry to its CPU's stream, making the stream when
 * the CPU is new.  Returns 0, or -1 with scan_st set. */
static int merge_feed(etl_merge *m)
{
    size_t i = m->fed;
    const etl_buffer_info *bi = &m->f->buffers[i];
    uint32_t need = (bi->flags & ETL_BUFFLAG_COMPRESSED) ? bi->saved_offset : bi->size;
    uint32_t slot = m->slot_of_cpu[bi->cpu];
    etl_stream *s;

    if (slot == UINT32_MAX) {
        slot = (uint32_t)m->nstreams++;
        m->slot_of_cpu[bi->cpu] = slot;
        m->streams[slot].cpu = bi->cpu;
        m->streams[slot].merge = m;
    }
    s = &m->streams[slot];
    if (need > m->max_size[slot] && need <= ETL_MAX_BUFFER_SIZE) {
        m->memory += need - m->max_size[slot];
        m->max_size[slot] = need;
        if (m->memory > ETL_MAX_MERGE_MEMORY && !m->over_limit)
            return merge_over_limit(m);
    }
    if (s->next_buf == s->nbufs)
        s->next_buf = s->nbufs = 0; /* all read: start the list again */
    if (s->nbufs == s->cap_bufs) {
        size_t cap = s->cap_bufs ? s->cap_bufs * 2 : 64;
        size_t *nb = realloc(s->bufs, cap * sizeof *nb);
        if (nb == NULL)
            return merge_fail(m, PT_ERR_NOMEM, "out of memory for %llu of %llu buffers",
                              (unsigned long long)cap, (unsigned long long)m->f->nbuffers);
        s->bufs = nb;
        s->cap_bufs = cap;
    }
    s->bufs[s->nbufs++] = i;
    m->fed++;
    return 0;
}

/* The merge is over its memory limit: the error counts what the whole
 * chain would need. */
static int merge_over_limit(etl_merge *m)
{
    m->over_limit = 1;
    m->fed++; /* the buffer that crossed the limit is counted */
    scan_all(m->f);
    while (m->fed < m->f->nbuffers)
        if (merge_feed(m) != 0)
            return -1;
    m->f->scan_st = pt_error_set(&m->f->scan_err, PT_ERR_LIMIT, m->f->src->name, PT_NO_OFFSET,
                                 "merging %llu CPUs needs %llu bytes of buffers, over the %u "
                                 "limit",
                                 (unsigned long long)m->nstreams,
                                 (unsigned long long)m->memory, ETL_MAX_MERGE_MEMORY);
    return -1;
}

/* Feeds the streams from the index, indexing on, until stream s has a
 * buffer to read or the chain ends.  Returns 1 when it has one, 0 at the
 * end, -1 on error (scan_st set). */
static int merge_refill(etl_merge *m, const etl_stream *s)
{
    while (s->next_buf == s->nbufs) {
        if (m->fed < m->f->nbuffers) {
            if (merge_feed(m) != 0)
                return -1;
            continue;
        }
        {
            int r = scan_next(m->f);
            if (r <= 0)
                return r;
        }
    }
    return 1;
}

/* Advances s to its next event, loading buffers as needed; has_ev = 0 at
 * the end of the stream (or on an error of the index: scan_st). */
static void stream_next(etl_file *f, etl_stream *s)
{
    for (;;) {
        while (s->pos + 8 <= s->filled) {
            const uint8_t *p = s->data + s->pos;
            int r;
            if (pt_le32(p) == 0xFFFFFFFFu)
                break;
            r = etl_event_parse(p, s->filled - s->pos, &s->ev);
            if (r < 0) {
                note(f, s->buf_offset + s->pos, 1,
                     "event header malformed or crossing the buffer end (marker 0x%08x); "
                     "rest of buffer skipped", pt_le32(p));
                break;
            }
            if (r == 1)
                note(f, s->buf_offset + s->pos, 0, "unknown event header kind 0x%02x skipped",
                     p[2]);
            s->ev.cpu = s->cpu;
            s->ev.offset = s->buf_offset + s->pos;
            if (s->ev.kind == ETL_HK_WPP || s->ev.kind == ETL_HK_UNKNOWN)
                s->ev.ts = f->last_ts;
            s->pos += (s->ev.size + 7u) & ~(size_t)7u;
            s->has_ev = 1;
            if (f->lookahead != NULL)
                f->lookahead(f->lookahead_ctx, &s->ev);
            return;
        }
        s->has_ev = 0;
        s->filled = 0;
        s->pos = 0;
        while (s->merge == NULL ? s->next_buf < s->nbufs : merge_refill(s->merge, s) > 0) {
            const etl_buffer_info *bi = &f->buffers[s->bufs[s->next_buf++]];
            size_t filled;
            if (load_buffer(f, bi, &s->data, &s->data_cap, &filled) == 0) {
                s->filled = filled;
                s->pos = ETL_BUF_HEADER_SIZE;
                s->buf_offset = bi->offset;
                break;
            }
        }
        if (s->filled == 0)
            return;
    }
}

static pt_status walk_file_order(etl_file *f, etl_event_fn fn, void *ctx, pt_error *err)
{
    etl_stream s;
    size_t i;
    pt_status st = PT_OK;

    memset(&s, 0, sizeof s);
    for (i = 0; st == PT_OK && (i < f->nbuffers || scan_next(f) > 0); i++) {
        size_t one = i;
        s.bufs = &one;
        s.nbufs = 1;
        s.next_buf = 0;
        s.filled = 0;
        s.pos = 0;
        s.cpu = f->buffers[i].cpu;
        for (stream_next(f, &s); s.has_ev; stream_next(f, &s)) {
            f->last_ts = s.ev.ts;
            st = fn(ctx, &s.ev);
            if (st != PT_OK)
                break;
        }
    }
    free(s.data);
    if (st == PT_OK && f->scan_st != PT_OK) {
        *err = f->scan_err;
        st = f->scan_st;
    }
    return st;
}

/* Min-heap of stream indexes ordered by (next timestamp, cpu). */
static int stream_before(const etl_stream *a, const etl_stream *b)
{
    return a->ev.ts < b->ev.ts || (a->ev.ts == b->ev.ts && a->cpu < b->cpu);
}

static void heap_down(etl_stream **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        etl_stream *t;
        if (l < n && stream_before(h[l], h[m]))
            m = l;
        if (l + 1 < n && stream_before(h[l + 1], h[m]))
            m = l + 1;
        if (m == i)
            return;
        t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void heap_up(etl_stream **h, size_t i)
{
    while (i > 0 && stream_before(h[i], h[(i - 1) / 2])) {
        etl_stream *t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

/* Streams made since *started: their first events go into the heap.  A CPU
 * first seen after events later than its first were walked cannot be put
 * back in order; that is noted. */
static void heap_add_new(etl_merge *m, etl_stream **heap, size_t *nh, size_t *started,
                         int walking)
{
    while (*started < m->nstreams) {
        etl_stream *s = &m->streams[(*started)++];
        stream_next(m->f, s);
        if (!s->has_ev)
            continue;
        if (walking && s->ev.ts < m->f->last_ts)
            note(m->f, s->ev.offset, 0,
                 "CPU %u is first seen here, after later events of other CPUs were read; "
                 "its events are merged from here on", (unsigned)s->cpu);
        heap[*nh] = s;
        heap_up(heap, (*nh)++);
    }
}

static pt_status walk_merged(etl_file *f, etl_event_fn fn, void *ctx, pt_error *err)
{
    etl_merge m;
    etl_stream **heap = NULL;
    size_t nh = 0, started = 0, i;
    pt_status st = PT_OK;

    memset(&m, 0, sizeof m);
    m.f = f;
    m.slot_of_cpu = malloc(ETL_MAX_CPUS * sizeof *m.slot_of_cpu);
    m.streams = calloc(ETL_MAX_CPUS, sizeof *m.streams);
    m.max_size = calloc(ETL_MAX_CPUS, sizeof *m.max_size);
    heap = malloc(ETL_MAX_CPUS * sizeof *heap);
    if (m.slot_of_cpu == NULL || m.streams == NULL || m.max_size == NULL || heap == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, f->src->name, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    for (i = 0; i < ETL_MAX_CPUS; i++)
        m.slot_of_cpu[i] = UINT32_MAX;
    /* Every CPU's first buffer before the first event: index until as many
     * CPUs as the logfile header counts have a stream (or the chain ends). */
    while (m.nstreams < (f->lf.cpus ? f->lf.cpus : 1u)) {
        if (m.fed < f->nbuffers) {
            if (merge_feed(&m) != 0)
                break;
        } else if (scan_next(f) <= 0) {
            break;
        }
    }
    heap_add_new(&m, heap, &nh, &started, 0);
    while (nh > 0 && f->scan_st == PT_OK) {
        etl_stream *s = heap[0];
        /* Take events from the earliest stream while it stays earliest. */
        do {
            f->last_ts = s->ev.ts;
            st = fn(ctx, &s->ev);
            if (st != PT_OK)
                goto out;
            stream_next(f, s);
        } while (s->has_ev && started == m.nstreams &&
                 (nh == 1 || (!stream_before(heap[1], s) &&
                              (nh == 2 || !stream_before(heap[2], s)))));
        if (!s->has_ev)
            heap[0] = heap[--nh];
        heap_down(heap, nh, 0);
        heap_add_new(&m, heap, &nh, &started, 1);
    }
    if (f->scan_st != PT_OK) {
        *err = f->scan_err;
        st = f->scan_st;
    }
out:
    if (m.streams != NULL) {
        for (i = 0; i < m.nstreams; i++) {
            free(m.streams[i].bufs);
            free(m.streams[i].data);
        }
    }
    free(m.streams);
    free(m.slot_of_cpu);
    free(m.max_size);
    free(heap);
    return st;
}

void etl_file_set_lookahead(etl_file *f, etl_lookahead_fn fn, void *ctx)
{
    f->lookahead = fn;
    f->lookahead_ctx = ctx;
}

pt_status etl_file_walk(etl_file *f, int merged, etl_event_fn fn, void *ctx, pt_error *err)
{
    f->payload_bytes = 0;
    f->last_ts = f->lf.header_ts;
    if (f->scan_st != PT_OK) {
        *err = f->scan_err;
        return f->scan_st;
    }
    if (!merged)
        return walk_file_order(f, fn, ctx, err);
    return walk_merged(f, fn, ctx, err);
}
