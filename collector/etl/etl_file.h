/* etl_file.h - the ETL container: buffers, the logfile header, event
 * headers, and the per-CPU merge into one time order.
 *
 * Layout (shared/docs/etl-format.md, sections 1 and 2): the file is a run
 * of buffers, each a 0x48-byte WMI_BUFFER_HEADER followed by 8-byte aligned
 * events; buffer 0 is the header buffer whose first event (hook 0x0000)
 * carries the TRACE_LOGFILE_HEADER.  Buffers of one CPU appear in file
 * order with rising timestamps; the CPUs are merged by timestamp with a
 * k-way merge that holds one decoded buffer per CPU.
 */
#ifndef ETL_FILE_H
#define ETL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "pt_error.h"
#include "pt_source.h"

/* WMI_BUFFER_HEADER (0x48 bytes, x86 and x64 alike). */
#define ETL_BUF_HEADER_SIZE 0x48u
#define ETL_BUF_SIZE 0x00u          /* u32 bytes in the file */
#define ETL_BUF_SAVED_OFFSET 0x04u  /* u32 filled (uncompressed) length */
#define ETL_BUF_TIMESTAMP 0x10u     /* u64 flush time (unreliable) */
#define ETL_BUF_SEQUENCE 0x18u      /* u64 */
#define ETL_BUF_PROCESSOR 0x28u     /* u16 with PROC_INDEX, else u8 */
#define ETL_BUF_OFFSET 0x30u        /* u32 FilledBytes: the filled length */
#define ETL_BUF_FLAGS 0x34u         /* u16 */
#define ETL_BUF_TYPE 0x36u          /* u16 */

#define ETL_BUFFLAG_FLUSH_MARKER 0x01u
#define ETL_BUFFLAG_EVENTS_LOST 0x02u
#define ETL_BUFFLAG_BUFFER_LOST 0x04u
#define ETL_BUFFLAG_PROC_INDEX 0x20u
#define ETL_BUFFLAG_COMPRESSED 0x40u
#define ETL_BUFTYPE_HEADER 4u

/* Buffers larger than this are refused (ETW's own maximum is 16 MiB). */
#define ETL_MAX_BUFFER_SIZE (16u * 1024u * 1024u)
/* Buffers indexed at most (40 bytes each in memory: 160 MiB); a 64 GiB
 * trace of 64 KiB buffers has a million. */
#define ETL_MAX_BUFFERS (4u * 1024u * 1024u)
/* CPU index mask with PROC_INDEX (phnt ETW_PROCESSOR_INDEX_MASK). */
#define ETL_MAX_CPUS 2048u
/* The merge holds one buffer per CPU; their sum is bounded by this. */
#define ETL_MAX_MERGE_MEMORY (512u * 1024u * 1024u)

/* Header kinds (byte 2 of the event marker, section 2). */
typedef enum etl_header_kind {
    ETL_HK_SYS32, ETL_HK_SYS64, ETL_HK_COMPACT32, ETL_HK_COMPACT64,
    ETL_HK_PERF32, ETL_HK_PERF64, ETL_HK_FULL32, ETL_HK_FULL64,
    ETL_HK_INSTANCE32, ETL_HK_INSTANCE64, ETL_HK_EVH32, ETL_HK_EVH64,
    ETL_HK_WPP, ETL_HK_UNKNOWN,
    ETL_HK_COUNT
} etl_header_kind;

/* "SYS32", "SYS64", "COMPACT32", ..., "EVH64", "WPP", "UNKNOWN". */
const char *etl_header_kind_name(etl_header_kind kind);

typedef struct etl_event {
    etl_header_kind kind;
    int ptr64;              /* the payload's pointer size is 8 */
    int kernel;             /* SYS/COMPACT/PERF: hook is valid */
    uint16_t hook;          /* group << 8 | opcode (kernel headers) */
    uint16_t version;       /* event version (kernel headers) */
    uint32_t size;          /* whole event, header included */
    int has_thread;         /* tid/pid valid (not PERFINFO, not WPP) */
    uint32_t tid, pid;
    uint64_t ts;            /* raw clock ticks */
    uint16_t cpu;
    const uint8_t *raw;     /* the event, header included (size bytes) */
    const uint8_t *payload;
    uint32_t payload_len;
    uint64_t offset;        /* file offset of the buffer, plus the event's
                               offset in the (decompressed) buffer */
} etl_event;

/* Decodes the event header at p (avail bytes left in the buffer).
 * Returns 0 with ev filled, 1 when the header kind is unknown but a size
 * could be read (ev->size set, kind UNKNOWN), or -1 when the header is
 * malformed or runs past avail. */
int etl_event_parse(const uint8_t *p, size_t avail, etl_event *ev);

/* TRACE_LOGFILE_HEADER fields we use (section 1.4). */
typedef struct etl_logfile {
    int ptr64;                  /* from the header event's kind */
    uint64_t header_ts;         /* SystemTime of the header event (hdrTs) */
    uint32_t buffer_size;
    uint8_t version[4];
    uint32_t build;             /* ProviderVersion */
    uint32_t cpus;              /* NumberOfProcessors */
    uint64_t end_time;          /* FILETIME */
    uint32_t log_file_mode;
    uint32_t buffers_written;
    uint32_t pointer_size;
    uint32_t events_lost;
    uint32_t cpu_mhz;
    uint64_t boot_time;
    uint64_t perf_freq;
    uint64_t start_time;        /* FILETIME */
    uint32_t clock_type;        /* 1 QPC, 2 system time, 3 cycle counter */
    uint32_t buffers_lost;
    char logger_name[128];      /* UTF-16 names, non-ASCII as '?' */
    char logfile_name[260];
} etl_logfile;

#define ETL_LOGFILE_COMPRESSED 0x04000000u

typedef struct etl_buffer_info {
    uint64_t offset;
    uint32_t size;          /* in the file */
    uint32_t saved_offset;
    uint32_t filled;        /* Offset (+0x30) */
    uint16_t flags, type;
    uint16_t cpu;
    uint64_t sequence;
} etl_buffer_info;

/* A note about damage or lost data, kept in order. */
typedef struct etl_note {
    uint64_t offset;
    int damage;             /* 1: data could not be read (partial result) */
    char text[160];
} etl_note;

#define ETL_MAX_NOTES 64u

typedef struct etl_file etl_file;

/* Reads the header buffer.  The other buffers' headers are indexed as a
 * walk reaches them (one pass over a bundle member, not two), or all at
 * once by the calls below that need the whole index (buffers, notes,
 * damage).  A file that is not an ETL trace gives PT_ERR_FORMAT; a damaged
 * buffer chain after the header buffer is noted as damage and the walk
 * stops there; a source that cannot be read past the header buffer fails
 * the walk. */
pt_status etl_file_open(pt_source *src, etl_file **out, pt_error *err);
void etl_file_close(etl_file *f);

const etl_logfile *etl_file_logfile(const etl_file *f);
size_t etl_file_buffer_count(etl_file *f);
const etl_buffer_info *etl_file_buffer(etl_file *f, size_t i);
size_t etl_file_compressed_count(etl_file *f);

/* Wall clock (FILETIME) of a raw timestamp: StartTime + (ts - hdrTs) *
 * 10^7 / frequency, with the frequency chosen by the clock type. */
uint64_t etl_file_filetime(const etl_file *f, uint64_t ts);

/* Notes gathered so far (damage, lost buffers, unknown header kinds). */
size_t etl_file_note_count(etl_file *f);
const etl_note *etl_file_note(etl_file *f, size_t i);
size_t etl_file_notes_dropped(etl_file *f);
int etl_file_damaged(etl_file *f);
/* Bytes of decompressed event data read so far (payload after headers). */
uint64_t etl_file_payload_bytes(const etl_file *f);

/* Calls fn for every event, in file order (merged = 0) or merged across
 * CPUs by timestamp (merged = 1).  fn returning non-PT_OK stops the walk
 * with that status.  Damage inside buffers is noted, not returned. */
typedef pt_status (*etl_event_fn)(void *ctx, const etl_event *ev);
pt_status etl_file_walk(etl_file *f, int merged, etl_event_fn fn, void *ctx, pt_error *err);

/* Optional: called with each CPU's next event as soon as it is decoded,
 * before the merge hands it to the walk callback, so a consumer can
 * prefetch what it will need (no order guarantee; NULL to clear). */
typedef void (*etl_lookahead_fn)(void *ctx, const etl_event *ev);
void etl_file_set_lookahead(etl_file *f, etl_lookahead_fn fn, void *ctx);

#endif
