/* etlgen.h - writes synthetic pool ETW traces whose ground truth is known.
 *
 * The trace has a header buffer (logfile header), then per-CPU buffers
 * flushed as they fill, so CPUs interleave in the file as in real traces.
 * Workload: balanced tags ('Bal1' nonpaged, 'Bal2' paged, 'Big ' big
 * pool, 'Sess' session pool in sessions 1 and 2 at shared addresses) are
 * allocated into a window and all freed by the end; 'Leak' is allocated
 * every leak_every steps from myfault.sys and never freed; a few frees of
 * allocations made before the trace ('Old ') open it.  Kernel images are
 * logged as DCStart at the start and DCEnd at the end.
 */
#ifndef ETLGEN_H
#define ETLGEN_H

#include <stdint.h>
#include <stdio.h>

typedef struct etlgen_config {
    int ptr64;               /* 1 x64 layout, 0 x86 */
    unsigned cpus;           /* 1..64 */
    int compress;            /* XPRESS-compress the data buffers */
    uint32_t buffer_size;    /* session buffer size, e.g. 0x10000 */
    uint64_t steps;          /* workload steps (one alloc each, plus frees) */
    int stack_mode;          /* 0 none, 1 StackWalk 0x1820, 2 stack keys 0x1825 */
    int perfinfo;            /* pool event headers: 1 PERFINFO, 0 SYSTEM, 2 compact SYSTEM */
    int server2003;          /* Server 2003 opcodes (0x21 = free); no session events */
    unsigned leak_every;     /* one 'Leak' allocation every N steps (>= 1) */
    uint32_t leak_size;
    unsigned window;         /* live allocations kept per balanced tag */
    unsigned old_frees;      /* frees of allocations from before the trace */
    uint64_t ticks_per_event;/* clock ticks between events (10 MHz clock) */
} etlgen_config;

/* Fills a config with small defaults (x64, 4 CPUs, stack walks). */
void etlgen_defaults(etlgen_config *c);

typedef struct etlgen_truth {
    uint64_t events;         /* every event, the logfile header included */
    uint64_t buffers, compressed_buffers;
    uint64_t pool_allocs, pool_frees;          /* non-session events */
    uint64_t session_allocs, session_frees;
    uint64_t bigpool_allocs;
    uint64_t stack_walks, key_refs, key_defs;
    uint64_t images;                           /* image events written */
    uint64_t kernel_images;                    /* distinct pid-0 images */
    uint64_t leak_allocs, leak_bytes;          /* outstanding at the end */
    uint64_t aifi, aifi_bytes;                 /* balanced allocs, all freed */
    uint64_t aofi;                             /* the 'Old ' frees */
    uint64_t first_ts, last_ts;
    uint64_t start_filetime;                   /* StartTime in the header */
    uint64_t leak_offset;                      /* myfault.sys + this allocates 'Leak' */
    uint64_t ticks_per_leak;                   /* leak rate: leak_size per this */
    uint64_t max_window;                       /* most balanced allocs live */
} etlgen_truth;

/* Writes the trace to out.  Returns 0, or -1 on a write error or a bad
 * config. */
int etlgen_write(const etlgen_config *c, FILE *out, etlgen_truth *truth);

/* Greedy MS-XCA plain LZ77 compressor: returns the compressed length
 * (at most in_len + in_len / 32 + 8 bytes), or 0 when out_cap is short. */
size_t etlgen_xpress_compress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap);

#endif
