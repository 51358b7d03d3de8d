/* etlgen.c - the synthetic pool-trace writer (see etlgen.h). */
#include "etlgen.h"

#include <stdlib.h>
#include <string.h>

#define BUF_HDR 0x48u
#define MAX_CPUS 64u

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

void etlgen_defaults(etlgen_config *c)
{
    memset(c, 0, sizeof *c);
    c->ptr64 = 1;
    c->cpus = 4;
    c->buffer_size = 0x10000;
    c->steps = 20000;
    c->stack_mode = 1;
    c->perfinfo = 1;
    c->leak_every = 10;
    c->leak_size = 0x1000;
    c->window = 50;
    c->old_frees = 5;
    c->ticks_per_event = 100;
}

/* ---- XPRESS (plain LZ77) compressor, greedy, 13-bit offsets ---- */

size_t etlgen_xpress_compress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap)
{
    enum { HBITS = 14 };
    int32_t *head = malloc(sizeof(int32_t) << HBITS);
    size_t ip = 0, op = 0, flag_at = 0, nibble_at = SIZE_MAX;
    uint32_t flags = 0;
    int nflags = 0;

    if (head == NULL)
        return 0;
    memset(head, 0xFF, sizeof(int32_t) << HBITS);
#define NEED(n)                     \
    do {                            \
        if (op + (n) > out_cap) {   \
            free(head);             \
            return 0;               \
        }                           \
    } while (0)
    NEED(4);
    flag_at = 0;
    op = 4;
    while (ip < in_len) {
        size_t best_len = 0, best_off = 0;
        if (in_len - ip >= 3) {
            uint32_t h = ((uint32_t)in[ip] | (uint32_t)in[ip + 1] << 8 | (uint32_t)in[ip + 2] << 16) *
                         2654435761u >> (32 - HBITS);
            int32_t cand = head[h];
            head[h] = (int32_t)ip;
            if (cand >= 0 && ip - (size_t)cand <= 8192) {
                size_t len = 0, max = in_len - ip;
                while (len < max && in[(size_t)cand + len] == in[ip + len])
                    len++;
                if (len >= 3) {
                    best_len = len;
                    best_off = ip - (size_t)cand;
                }
            }
        }
        if (nflags == 32) {
            put32(out + flag_at, flags);
            NEED(4);
            flag_at = op;
            op += 4;
            flags = 0;
            nflags = 0;
        }
        if (best_len == 0) {
            NEED(1);
            out[op++] = in[ip++];
            nflags++;
            continue;
        }
        {
            size_t l = best_len - 3;
            uint16_t token = (uint16_t)((best_off - 1) << 3);
            flags |= 1u << (31 - nflags);
            nflags++;
            NEED(2 + 1 + 1 + 6);
            put16(out + op, (uint16_t)(token | (l < 7 ? l : 7)));
            op += 2;
            if (l >= 7) {
                unsigned nib = l - 7 < 15 ? (unsigned)(l - 7) : 15u;
                if (nibble_at == SIZE_MAX) {
                    nibble_at = op;
                    out[op++] = (uint8_t)nib;
                } else {
                    out[nibble_at] |= (uint8_t)(nib << 4);
                    nibble_at = SIZE_MAX;
                }
                if (nib == 15) {
                    if (l - 22 < 255) {
                        out[op++] = (uint8_t)(l - 22);
                    } else {
                        out[op++] = 255;
                        if (l <= 0xFFFF) {
                            put16(out + op, (uint16_t)l);
                            op += 2;
                        } else {
                            put16(out + op, 0);
                            put32(out + op + 2, (uint32_t)l);
                            op += 6;
                        }
                    }
                }
            }
            ip += best_len;
        }
    }
    /* unused flag bits read as matches with no input left: set them */
    flags |= nflags < 32 ? (0xFFFFFFFFu >> nflags) : 0;
    put32(out + flag_at, flags);
#undef NEED
    free(head);
    return op;
}

/* ---- trace writer ---- */

typedef struct cpu_buf {
    uint8_t *data;   /* buffer_size bytes; events from BUF_HDR */
    uint32_t used;
} cpu_buf;

typedef struct gen {
    const etlgen_config *c;
    etlgen_truth *t;
    FILE *out;
    cpu_buf cpu[MAX_CPUS];
    uint8_t *zbuf;
    uint64_t seq, ts, nevents_on_cpu;
    int failed;
} gen;

static void flush_cpu(gen *g, unsigned k)
{
    cpu_buf *b = &g->cpu[k];
    const etlgen_config *c = g->c;
    uint8_t *d = b->data;
    uint32_t filled = BUF_HDR + b->used;
    uint32_t on_disk = c->buffer_size;
    uint16_t flags = 0x20; /* PROC_INDEX */
    if (b->used == 0)
        return;
    memset(d, 0, BUF_HDR);
    memset(d + filled, 0xFF, c->buffer_size - filled);
    put32(d + 0x04, filled);
    put32(d + 0x08, c->buffer_size + filled);
    put64(d + 0x10, g->ts);
    put64(d + 0x18, ++g->seq);
    put16(d + 0x28, (uint16_t)k);
    put32(d + 0x2C, 3);
    put32(d + 0x30, filled);
    if (c->compress) {
        size_t z = etlgen_xpress_compress(d + BUF_HDR, filled - BUF_HDR, g->zbuf + BUF_HDR,
                                          c->buffer_size * 2);
        if (z == 0) {
            g->failed = 1;
            return;
        }
        flags |= 0x40;
        on_disk = BUF_HDR + (uint32_t)z;
        put32(d + 0x00, on_disk);
        put16(d + 0x34, flags);
        memcpy(g->zbuf, d, BUF_HDR);
        if (fwrite(g->zbuf, 1, on_disk, g->out) != on_disk)
            g->failed = 1;
        g->t->compressed_buffers++;
    } else {
        put32(d + 0x00, on_disk);
        put16(d + 0x34, flags);
        if (fwrite(d, 1, on_disk, g->out) != on_disk)
            g->failed = 1;
    }
    g->t->buffers++;
    b->used = 0;
}

/* Room for an event of len bytes on CPU k; returns where to write it. */
static uint8_t *event_space(gen *g, unsigned k, uint32_t len)
{
    cpu_buf *b = &g->cpu[k];
    uint32_t aligned = (len + 7u) & ~7u;
    uint8_t *p;
    if (BUF_HDR + b->used + aligned > g->c->buffer_size)
        flush_cpu(g, k);
    p = b->data + BUF_HDR + b->used;
    memset(p, 0, aligned);
    b->used += aligned;
    g->t->events++;
    if (g->t->first_ts == 0 || g->ts < g->t->first_ts)
        g->t->first_ts = g->ts;
    if (g->ts > g->t->last_ts)
        g->t->last_ts = g->ts;
    return p;
}

/* SYSTEM_TRACE_HEADER (0x20), PERFINFO_TRACE_HEADER (0x10) or the compact
 * SYSTEM header (0x18) + payload; header: 0 system, 1 perfinfo, 2 compact. */
static uint8_t *kernel_event(gen *g, unsigned k, int header, uint16_t hook, uint16_t version,
                             uint32_t payload_len, uint32_t tid)
{
    int perfinfo = header == 1;
    uint32_t hdr = perfinfo ? 0x10u : (header == 2 ? 0x18u : 0x20u);
    uint8_t *p = event_space(g, k, hdr + payload_len);
    put16(p, version);
    if (header == 2)
        p[2] = (uint8_t)(g->c->ptr64 ? 0x04 : 0x03);
    else
        p[2] = (uint8_t)(perfinfo ? (g->c->ptr64 ? 0x11 : 0x10) : (g->c->ptr64 ? 0x02 : 0x01));
    p[3] = 0xC0;
    put16(p + 4, (uint16_t)(hdr + payload_len));
    put16(p + 6, hook);
    if (perfinfo) {
        put64(p + 8, g->ts);
    } else {
        put32(p + 8, tid);
        put32(p + 12, 4);
        put64(p + 16, g->ts);
    }
    return p + hdr;
}

static void put_ptr(const gen *g, uint8_t *p, uint64_t v)
{
    if (g->c->ptr64)
        put64(p, v);
    else
        put32(p, (uint32_t)v);
}

/* Images: name, base, size for both layouts. */
typedef struct gen_image {
    const char *name;
    uint64_t base64, base32, size;
    uint32_t pid;
} gen_image;

static const gen_image images[] = {
    {"\\SystemRoot\\system32\\ntoskrnl.exe", 0xFFFFF80242400000ull, 0x82000000ull, 0xAB6000, 0},
    {"\\SystemRoot\\system32\\hal.dll", 0xFFFFF80242300000ull, 0x81F00000ull, 0xA3000, 0},
    {"\\SystemRoot\\System32\\drivers\\myfault.sys", 0xFFFFF80250000000ull, 0x8B000000ull,
     0x8000, 0},
    {"\\SystemRoot\\System32\\drivers\\bal.sys", 0xFFFFF80251000000ull, 0x8B100000ull, 0x10000,
     0},
    {"\\SystemRoot\\System32\\win32kbase.sys", 0xFFFFF80252000000ull, 0x8C000000ull, 0x300000,
     0},
    {"\\Device\\HarddiskVolume3\\Windows\\notepad.exe", 0x00007FF600000000ull, 0x00400000ull,
     0x40000, 1234},
};
enum { IMG_NT, IMG_HAL, IMG_MYFAULT, IMG_BAL, IMG_WIN32K, IMG_COUNT = 6 };

static uint64_t image_base(const gen *g, int i)
{
    return g->c->ptr64 ? images[i].base64 : images[i].base32;
}

static void image_event(gen *g, int i, uint16_t hook)
{
    uint32_t p = g->c->ptr64 ? 8 : 4, name_at = g->c->ptr64 ? 0x38 : 0x2C;
    const char *n = images[i].name;
    uint32_t len = name_at + 2 * ((uint32_t)strlen(n) + 1), j;
    uint8_t *d = kernel_event(g, 0, 0, hook, 3, len, 0);
    put_ptr(g, d, image_base(g, i));
    put_ptr(g, d + p, images[i].size);
    put32(d + 2 * p, images[i].pid);
    put32(d + 2 * p + 4, 0x1000u + (uint32_t)i);      /* checksum */
    put32(d + 2 * p + 8, 0x5F000000u + (uint32_t)i);  /* TimeDateStamp */
    put_ptr(g, d + 2 * p + 16, image_base(g, i));
    for (j = 0; n[j] != '\0'; j++)
        put16(d + name_at + 2 * j, (uint16_t)(unsigned char)n[j]);
    g->t->images++;
}

/* Tags and their allocating frame. */
typedef struct gen_tag {
    const char *tag;
    uint32_t type;
    int image;
    uint32_t offset;
} gen_tag;

enum { T_BAL1, T_BAL2, T_BIG, T_SESS, T_LEAK, T_OLD, T_COUNT };
static const gen_tag tags[T_COUNT] = {
    {"Bal1", 0x200, IMG_BAL, 0x1100},        /* NonPagedPoolNx */
    {"Bal2", 0x1, IMG_BAL, 0x2200},          /* PagedPool */
    {"Big ", 0x10000000, IMG_BAL, 0x3300},   /* big-pool nonpaged */
    {"Sess", 0x21, IMG_WIN32K, 0x4400},      /* PagedPoolSession */
    {"Leak", 0x200, IMG_MYFAULT, 0x13F6},
    {"Old ", 0x0, IMG_BAL, 0x5500},
};

/* Stack keys: one per tag; at the midpoint the Leak key is deleted and
 * handed to Bal1, and Leak moves to a new key (tests key reuse). */
static uint64_t key_value(int which) { return 0xFFFFC00000001000ull + 0x40ull * (uint64_t)which; }

typedef struct gen_keys {
    uint64_t of_tag[T_COUNT];
} gen_keys;

static void stack_frames(const gen *g, int tag, uint64_t f[4])
{
    f[0] = image_base(g, IMG_NT) + 0x3000;   /* ExAllocatePoolWithTag */
    f[1] = image_base(g, IMG_NT) + 0x3180;   /* pool internals */
    f[2] = image_base(g, tags[tag].image) + tags[tag].offset;
    f[3] = image_base(g, IMG_NT) + 0x9000;   /* I/O dispatch */
}

static void key_def(gen *g, unsigned k, uint16_t hook, uint64_t key, int tag)
{
    uint32_t p = g->c->ptr64 ? 8 : 4;
    uint64_t f[4];
    uint8_t *d = kernel_event(g, k, 1, hook, 2, 5 * p, 0);
    int i;
    stack_frames(g, tag, f);
    put_ptr(g, d, key);
    for (i = 0; i < 4; i++)
        put_ptr(g, d + p * (uint32_t)(i + 1), f[i]);
    g->t->key_defs++;
}

static void stack_for(gen *g, unsigned k, int tag, uint64_t event_ts, uint32_t tid,
                      const gen_keys *keys)
{
    uint32_t p = g->c->ptr64 ? 8 : 4;
    uint8_t *d;
    if (g->c->stack_mode == 1) {
        uint64_t f[4];
        int i;
        stack_frames(g, tag, f);
        g->ts += 1;
        d = kernel_event(g, k, 1, 0x1820, 2, 16 + 4 * p, 0);
        put64(d, event_ts);
        put32(d + 8, 4);
        put32(d + 12, tid);
        for (i = 0; i < 4; i++)
            put_ptr(g, d + 16 + p * (uint32_t)i, f[i]);
        g->t->stack_walks++;
    } else if (g->c->stack_mode == 2) {
        g->ts += 1;
        d = kernel_event(g, k, 1, 0x1825, 2, 16 + p, 0);
        put64(d, event_ts);
        put32(d + 8, 4);
        put32(d + 12, tid);
        put_ptr(g, d + 16, keys->of_tag[tag]);
        g->t->key_refs++;
    }
}

static void pool_event(gen *g, int tag, int alloc, uint64_t addr, uint64_t size,
                       uint32_t session, const gen_keys *keys)
{
    const etlgen_config *c = g->c;
    uint32_t p = c->ptr64 ? 8 : 4;
    int sess = tags[tag].type & 0x20;
    uint16_t op = c->server2003 ? (alloc ? 0x20 : 0x21)
                                : (uint16_t)(alloc ? (sess ? 0x21 : 0x20) : (sess ? 0x23 : 0x22));
    unsigned k = (unsigned)(g->nevents_on_cpu++ % c->cpus);
    uint32_t tid = 1000 + k;
    uint32_t len = 8 + 2 * p + (sess && !c->server2003 ? 4 : 0);
    uint8_t *d;
    uint64_t ts;
    g->ts += c->ticks_per_event;
    ts = g->ts;
    d = kernel_event(g, k, c->perfinfo, (uint16_t)(0x0E00 | op), 2, len, tid);
    put32(d, tags[tag].type);
    memcpy(d + 4, tags[tag].tag, 4);
    put_ptr(g, d + 8, alloc ? size : 0);
    put_ptr(g, d + 8 + p, addr);
    if (sess && !c->server2003)
        put32(d + 8 + 2 * p, session);
    if (alloc) {
        if (sess && !c->server2003)
            g->t->session_allocs++;
        else
            g->t->pool_allocs++;
        if (tags[tag].type & 0x10000000u)
            g->t->bigpool_allocs++;
        stack_for(g, k, tag, ts, tid, keys);
    } else {
        if (sess && !c->server2003)
            g->t->session_frees++;
        else
            g->t->pool_frees++;
    }
}

/* Balanced allocations live in a ring per tag. */
typedef struct live_ring {
    uint64_t *addr, *size;
    uint32_t *session;
    unsigned head, count;
} live_ring;

static void logfile_header(gen *g, uint8_t *buf)
{
    const etlgen_config *c = g->c;
    int p64 = c->ptr64;
    static const char logger[] = "pooltriage etlgen";
    uint32_t names = p64 ? 0x118 : 0x110, len = names + 2 * (sizeof logger) + 2, j;
    uint8_t *e = buf + BUF_HDR, *h = e + 0x20;
    memset(e, 0, 0x20 + len);
    put16(e, 2);
    e[2] = (uint8_t)(p64 ? 0x02 : 0x01);
    e[3] = 0xC0;
    put16(e + 4, (uint16_t)(0x20 + len));
    put16(e + 6, 0x0000);
    put64(e + 0x10, g->ts);
    put32(h + 0x00, c->buffer_size);
    if (c->server2003) { /* Windows Server 2003: 5.2, build 3790 */
        h[4] = 5; h[5] = 2; h[6] = 0; h[7] = 0;
        put32(h + 0x08, 3790);
    } else {
        h[4] = 10; h[5] = 0; h[6] = 1; h[7] = 5;
        put32(h + 0x08, 19041);
    }
    put32(h + 0x0C, c->cpus);
    put32(h + 0x18, 156250);
    put32(h + 0x20, c->compress ? 0x04000001u : 0x00000001u);
    put32(h + 0x2C, p64 ? 8 : 4);
    put32(h + 0x34, 3000);
    put64(h + (p64 ? 0xF8 : 0xF0), g->t->start_filetime - 36000000000ull);
    put64(h + (p64 ? 0x100 : 0xF8), 10000000);
    put64(h + (p64 ? 0x108 : 0x100), g->t->start_filetime);
    put32(h + (p64 ? 0x110 : 0x108), 1);
    for (j = 0; logger[j] != '\0'; j++)
        put16(h + names + 2 * j, (uint16_t)logger[j]);
    g->t->events++;
    g->t->first_ts = g->ts;
    g->t->last_ts = g->ts;
    /* buffer header */
    put32(buf + 0x00, c->buffer_size);
    put32(buf + 0x04, BUF_HDR + 0x20 + ((len + 7) & ~7u));
    put64(buf + 0x18, 0);
    put16(buf + 0x28, 0);
    put32(buf + 0x2C, 3);
    put32(buf + 0x30, BUF_HDR + 0x20 + ((len + 7) & ~7u));
    put16(buf + 0x34, 0x21);
    put16(buf + 0x36, 4);
}

int etlgen_write(const etlgen_config *c, FILE *out, etlgen_truth *t)
{
    gen g;
    live_ring ring[T_COUNT];
    gen_keys keys;
    uint8_t *hdrbuf = NULL;
    uint64_t step, next_addr = 0, sess_pair_addr = 0;
    unsigned k, i;
    int rc = -1;
    uint64_t addr_base = c->ptr64 ? 0xFFFFA00000000000ull : 0x90000000ull;
    uint64_t addr_step = c->ptr64 ? 0x100 : 0x20;

    memset(t, 0, sizeof *t);
    memset(&g, 0, sizeof g);
    memset(ring, 0, sizeof ring);
    if (c->cpus < 1 || c->cpus > MAX_CPUS || c->buffer_size < 0x1000 || c->leak_every < 1 ||
        c->window < 1)
        return -1;
    g.c = c;
    g.t = t;
    g.out = out;
    g.ts = 1000000;
    t->start_filetime = 133485408000000000ull; /* 2024-01-01T00:00:00Z */
    t->leak_offset = tags[T_LEAK].offset;
    t->ticks_per_leak = (uint64_t)c->leak_every * c->ticks_per_event;
    for (i = 0; i < T_COUNT; i++)
        keys.of_tag[i] = key_value((int)i);
    hdrbuf = calloc(1, c->buffer_size);
    g.zbuf = malloc((size_t)c->buffer_size * 2 + BUF_HDR);
    if (hdrbuf == NULL || g.zbuf == NULL)
        goto out;
    for (k = 0; k < c->cpus; k++)
        if ((g.cpu[k].data = malloc(c->buffer_size)) == NULL)
            goto out;
    for (i = 0; i < T_COUNT; i++) {
        ring[i].addr = calloc(c->window, sizeof *ring[i].addr);
        ring[i].size = calloc(c->window, sizeof *ring[i].size);
        ring[i].session = calloc(c->window, sizeof *ring[i].session);
        if (!ring[i].addr || !ring[i].size || !ring[i].session)
            goto out;
    }
    /* header buffer */
    logfile_header(&g, hdrbuf);
    {
        uint32_t filled = get32(hdrbuf + 0x30);
        memset(hdrbuf + filled, 0xFF, c->buffer_size - filled);
    }
    if (fwrite(hdrbuf, 1, c->buffer_size, out) != c->buffer_size)
        goto out;
    t->buffers++;
    /* image rundown at the start */
    for (i = 0; i < IMG_COUNT; i++) {
        g.ts += 1;
        image_event(&g, (int)i, 0x1403);
    }
    t->kernel_images = IMG_COUNT - 1;
    /* frees of allocations made before the trace */
    for (i = 0; i < c->old_frees; i++) {
        pool_event(&g, T_OLD, 0, addr_base - 0x10000 + i * addr_step, 0, 0, &keys);
        t->aofi++;
    }
    for (step = 0; step < c->steps; step++) {
        int tag = (int)(step % 4); /* Bal1, Bal2, Big, Sess */
        live_ring *r;
        uint64_t addr, size;
        uint32_t session = 0;
        if (tag == T_SESS && c->server2003)
            tag = T_BAL1;
        r = &ring[tag];
        if (tag == T_SESS) {
            /* pairs: session 1 and session 2 at the same address */
            if ((step / 4) % 2 == 0)
                sess_pair_addr = addr_base + (next_addr++) * addr_step;
            addr = sess_pair_addr;
            session = (uint32_t)((step / 4) % 2) + 1;
        } else {
            addr = addr_base + (next_addr++) * addr_step;
        }
        size = tag == T_BIG ? 0x20000 : (tag == T_BAL2 ? 256 : 64 + (step % 7) * 16);
        if (r->count == c->window) {
            unsigned old = r->head;
            pool_event(&g, tag, 0, r->addr[old], r->size[old], r->session[old], &keys);
            t->aifi++;
            t->aifi_bytes += r->size[old];
            r->head = (r->head + 1) % c->window;
            r->count--;
        }
        pool_event(&g, tag, 1, addr, size, session, &keys);
        {
            unsigned slot = (r->head + r->count) % c->window;
            r->addr[slot] = addr;
            r->size[slot] = size;
            r->session[slot] = session;
            r->count++;
        }
        if (step % c->leak_every == 0) {
            pool_event(&g, T_LEAK, 1, addr_base + (next_addr++) * addr_step, c->leak_size, 0,
                       &keys);
            t->leak_allocs++;
            t->leak_bytes += c->leak_size;
        }
        if (c->stack_mode == 2 && step == c->steps / 2) {
            /* evict the Leak key (defining it), reuse it for Bal1 */
            g.ts += 1;
            key_def(&g, 0, 0x1823, keys.of_tag[T_LEAK], T_LEAK);
            keys.of_tag[T_BAL1] = keys.of_tag[T_LEAK];
            keys.of_tag[T_LEAK] = key_value(T_COUNT + 1);
        }
    }
    /* balanced tags free everything */
    for (i = 0; i < T_COUNT; i++) {
        live_ring *r = &ring[i];
        if (r->count > t->max_window)
            t->max_window = r->count;
        while (r->count > 0) {
            pool_event(&g, (int)i, 0, r->addr[r->head], r->size[r->head], r->session[r->head],
                       &keys);
            t->aifi++;
            t->aifi_bytes += r->size[r->head];
            r->head = (r->head + 1) % c->window;
            r->count--;
        }
    }
    /* rundown: key definitions and images at the end */
    if (c->stack_mode == 2) {
        if (keys.of_tag[T_BAL1] != key_value(T_BAL1)) {
            g.ts += 1;
            key_def(&g, 0, 0x1824, key_value(T_BAL1), T_BAL1);
        }
        for (i = 0; i < T_COUNT; i++) {
            if (i == T_OLD)
                continue;
            g.ts += 1;
            key_def(&g, 0, 0x1824, keys.of_tag[i], (int)i);
        }
    }
    for (i = 0; i < IMG_COUNT; i++) {
        g.ts += 1;
        image_event(&g, (int)i, 0x1404);
    }
    for (k = 0; k < c->cpus; k++)
        flush_cpu(&g, k);
    rc = g.failed ? -1 : 0;
    /* BuffersWritten in the logfile header, now that it is known */
    if (rc == 0) {
        uint8_t n[4];
        long end = ftell(out);
        put32(n, (uint32_t)t->buffers);
        if (end >= 0 && fseek(out, (long)(BUF_HDR + 0x20 + 0x24), SEEK_SET) == 0) {
            if (fwrite(n, 1, 4, out) != 4 || fseek(out, end, SEEK_SET) != 0)
                rc = -1;
        }
    }
out:
    for (k = 0; k < MAX_CPUS; k++)
        free(g.cpu[k].data);
    for (i = 0; i < T_COUNT; i++) {
        free(ring[i].addr);
        free(ring[i].size);
        free(ring[i].session);
    }
    free(hdrbuf);
    free(g.zbuf);
    return rc;
}
