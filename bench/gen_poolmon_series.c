/* gen_poolmon_series.c - a deterministic series of poolmon snapshots.
 *
 * Writes what `poolmon -b -n FILE` leaves behind, once per sample: the
 * Memory:/Commit: header, "System pool information" and one row per tag
 * (Tag, Type, Allocs ( ), Frees ( ), Diff, Bytes ( ), Per Alloc), sorted by
 * bytes.  The ground truth is known by construction:
 *
 *   - one tag leaks: its outstanding count grows steadily in nonpaged pool
 *     (a little noise, nearly every interval grows);
 *   - one tag is large but flat (the same outstanding count throughout);
 *   - every other tag wanders around its level (mean-reverting noise).
 *
 * Profiles:
 *   sample  ~45 real tag names, hourly, modelled on the Windows Server
 *           2012 R2 file-server incident in shared/seed (MPP leaking to
 *           ~10 GB nonpaged, VoSm large and flat); the files in samples/.
 *   bench   the sample's tags plus generated names up to --tags, one
 *           snapshot a minute; issue 2's benchmark (1,000 x 3,000).
 *
 * Besides the snapshots, DIR gets series.txt ("TIME FILE" per snapshot,
 * ISO 8601 UTC, for `pooltriage-collect --time TIME FILE`) and truth.txt
 * (which tag leaks, which is large and flat, how many rows were written).
 *
 * Usage: gen_poolmon_series --out DIR [--profile sample|bench]
 *          [--snapshots N] [--tags N] [--seed N] [--start UNIXTIME]
 *          [--interval SECONDS]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_MAX_TAGS 100000u
#define GEN_MAX_SNAPSHOTS 100000u
#define GEN_ROW_MAX 160 /* one formatted row, with room to spare */

typedef enum tag_behaviour { TAG_WANDER = 0, TAG_LEAK, TAG_FLAT } tag_behaviour;

/* A tag's starting point: its level of outstanding allocations, the
 * typical size of one allocation and how many it allocates an hour. */
typedef struct tag_seed {
    const char *shown;   /* as poolmon prints it, 4 columns */
    int paged;           /* 0 = Nonp, 1 = Paged */
    uint64_t diff;       /* outstanding allocations at the start */
    uint64_t per_alloc;  /* bytes per allocation */
    uint64_t per_hour;   /* allocations an hour (churn) */
    tag_behaviour behaviour;
} tag_seed;

/* Tags seen on Windows Server file servers; sizes and levels modelled on
 * the 2012 R2 incident's !poolused (VoSm, Mdl, ConT, Cont) and on the
 * published poolmon captures in shared/data/real/text.  The leaking tag
 * is the incident's MPP; its fourth byte is NUL, which poolmon prints as a
 * blank.  Its level is set from the profile (see leak_plan). */
static const tag_seed known_tags[] = {
    {"MPP ", 0, 0, 208, 2000000, TAG_LEAK},
    {"VoSm", 0, 3689, 65108, 40, TAG_FLAT},
    {"Mdl ", 0, 81341, 2099, 9000000, TAG_WANDER},
    {"ConT", 0, 387, 363485, 200, TAG_WANDER},
    {"Cont", 0, 1112, 95669, 1500, TAG_WANDER},
    {"File", 0, 60211, 400, 12000000, TAG_WANDER},
    {"Irp ", 0, 4012, 580, 30000000, TAG_WANDER},
    {"Thre", 0, 2150, 1232, 20000, TAG_WANDER},
    {"Proc", 0, 182, 1424, 500, TAG_WANDER},
    {"Even", 0, 25033, 96, 800000, TAG_WANDER},
    {"Ntfx", 0, 30120, 176, 4000000, TAG_WANDER},
    {"MmCa", 0, 40177, 144, 1500000, TAG_WANDER},
    {"NDnd", 0, 1530, 3200, 6000, TAG_WANDER},
    {"Ndsh", 0, 4501, 2048, 9000000, TAG_WANDER},
    {"TcpE", 0, 611, 1024, 20000, TAG_WANDER},
    {"TcpC", 0, 302, 832, 15000, TAG_WANDER},
    {"FMsl", 0, 10040, 208, 600000, TAG_WANDER},
    {"Io  ", 0, 5020, 160, 2000000, TAG_WANDER},
    {"Pool", 0, 16, 863758, 3, TAG_WANDER},
    {"Wait", 0, 2400, 64, 300000, TAG_WANDER},
    {"Sema", 0, 1800, 72, 50000, TAG_WANDER},
    {"Muta", 0, 900, 128, 40000, TAG_WANDER},
    {"ALPC", 0, 3100, 512, 900000, TAG_WANDER},
    {"SmMs", 0, 5200, 1200, 3000000, TAG_WANDER},
    {"LSwi", 0, 1, 2576384, 1, TAG_WANDER},
    {"RaRS", 0, 1000, 720, 5, TAG_WANDER},
    {"StCx", 0, 420, 4096, 400000, TAG_WANDER},
    {"Vad ", 0, 18000, 128, 2000000, TAG_WANDER},
    {"CM31", 1, 15648, 4782, 8000, TAG_WANDER},
    {"CM25", 1, 2404, 4441, 300, TAG_WANDER},
    {"MmSt", 1, 17567, 1610, 120000, TAG_WANDER},
    {"MmRe", 1, 1204, 10476, 8000, TAG_WANDER},
    {"NtfF", 1, 10401, 1008, 90000, TAG_WANDER},
    {"Ntff", 1, 7789, 896, 400000, TAG_WANDER},
    {"FMfn", 1, 18185, 309, 3000000, TAG_WANDER},
    {"NtFs", 1, 22392, 87, 9000000, TAG_WANDER},
    {"CIcr", 1, 1360, 2225, 50000, TAG_WANDER},
    {"Toke", 1, 2040, 1536, 70000, TAG_WANDER},
    {"ObNm", 1, 3050, 160, 300000, TAG_WANDER},
    {"SeSd", 1, 2600, 208, 200000, TAG_WANDER},
    {"Ntfo", 1, 4100, 96, 800000, TAG_WANDER},
    {"FSim", 1, 14853, 128, 250000, TAG_WANDER},
    {"Sect", 1, 1500, 96, 40000, TAG_WANDER},
    {"IoNm", 1, 900, 256, 3000000, TAG_WANDER},
    {"SmSc", 1, 700, 1536, 500000, TAG_WANDER},
};
#define KNOWN_TAG_COUNT (sizeof known_tags / sizeof known_tags[0])

typedef struct tag_state {
    char shown[5];
    int paged;
    tag_behaviour behaviour;
    uint64_t level;      /* the level a wandering tag reverts to */
    uint64_t per_alloc;
    uint64_t per_step;   /* churn per snapshot interval */
    uint64_t allocs, frees, diff, bytes;
    double leak_step;    /* allocations gained per interval (TAG_LEAK) */
    double leak_exact;   /* the leak's trend line, before noise */
} tag_state;

typedef struct gen_options {
    const char *out_dir;
    int bench;
    uint32_t snapshots, tags;
    uint64_t seed;
    int64_t start;       /* unix time of the first snapshot */
    uint32_t interval;   /* seconds between snapshots */
} gen_options;

/* splitmix64: small, fast, and the same numbers on every platform. */
static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(uint64_t *state)
{
    return (double)(rng_next(state) >> 11) * (1.0 / 9007199254740992.0);
}

/* Roughly normal, mean 0, deviation 1 (Irwin-Hall with 4 terms).  One
 * call per statement: the order of calls within an expression is
 * unspecified in C, and the series must be the same from every compiler. */
static double rng_normal(uint64_t *state)
{
    double s = rng_unit(state);
    s += rng_unit(state);
    s += rng_unit(state);
    s += rng_unit(state);
    return (s - 2.0) * 1.7320508075688772;
}

static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("gen_poolmon_series: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static uint64_t parse_u64(const char *opt, const char *text, uint64_t max)
{
    char *end = NULL;
    unsigned long long v;
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v > max)
        die("%s: '%s' is not a number from 0 to %" PRIu64, opt, text, max);
    return (uint64_t)v;
}

/* UTC civil date from days since 1970-01-01 (H. Hinnant's algorithm), so
 * that the output does not depend on gmtime_r being available. */
static void format_iso_utc(int64_t t, char out[32])
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m, (int)d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* A generated tag name: a capital letter and three of [a-z0-9], unique by
 * construction (index in mixed radix 26 x 36^3). */
static void synthetic_name(uint32_t index, char out[5])
{
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    out[0] = (char)('A' + index % 26);
    index /= 26;
    out[1] = digits[index % 36];
    out[2] = digits[(index / 36) % 36];
    out[3] = digits[(index / 1296) % 36];
    out[4] = '\0';
}

static int name_taken(const tag_state *tags, uint32_t count, const char *name)
{
    uint32_t i;
    for (i = 0; i < count && i < KNOWN_TAG_COUNT; i++)
        if (memcmp(tags[i].shown, name, 4) == 0)
            return 1;
    return 0;
}

/* How the leak is laid out: in the sample it ends near the incident's
 * 49,781,288 outstanding MPP allocations (10,354,777,664 bytes), growing
 * about 160 MB an hour; in the bench it grows by a fixed amount each
 * interval from a modest start so it is not the largest tag at first. */
static void leak_plan(const gen_options *o, tag_state *t)
{
    if (!o->bench) {
        double step = 160.0e6 / 208.0 * ((double)o->interval / 3600.0);
        double end = 49781288.0 - 0.5 * step;
        double start = end - step * (double)(o->snapshots - 1);
        if (start < 1000.0)
            start = 1000.0;
        t->leak_exact = start;
        t->leak_step = step;
    } else {
        t->leak_exact = 200000.0;
        t->leak_step = 2400.0 * ((double)o->interval / 60.0);
    }
    t->level = (uint64_t)t->leak_exact;
}

static void init_tag(const gen_options *o, tag_state *t, const tag_seed *s, uint64_t *rng)
{
    memcpy(t->shown, s->shown, 5);
    t->paged = s->paged;
    t->behaviour = s->behaviour;
    t->level = s->diff;
    t->per_alloc = s->per_alloc;
    t->per_step = s->per_hour * o->interval / 3600 + 1;
    if (s->behaviour == TAG_LEAK)
        leak_plan(o, t);
    t->diff = t->level;
    /* A server that has been up a while: allocations counted so far. */
    t->allocs = t->diff + t->per_step * (200 + rng_next(rng) % 800);
    t->frees = t->allocs - t->diff;
}

/* Generated tags: sizes and levels spread over orders of magnitude, as in
 * a real pool (many small, few large), a third of them paged.  *probe only
 * goes up, so every generated name is new; names of known tags are skipped. */
static void init_synthetic(const gen_options *o, tag_state *t, uint32_t *probe,
                           const tag_state *all, uint64_t *rng)
{
    tag_seed s;
    char name[5];

    do {
        synthetic_name((*probe)++, name);
    } while (name_taken(all, KNOWN_TAG_COUNT, name));
    s.shown = name;
    s.paged = (rng_next(rng) % 3) == 0;
    s.per_alloc = 16u << (rng_next(rng) % 9);
    s.per_alloc += rng_next(rng) % s.per_alloc;
    s.diff = 1u << (1 + rng_next(rng) % 12);
    s.diff = rng_next(rng) % s.diff;
    s.per_hour = 1 + rng_next(rng) % 200000;
    s.behaviour = TAG_WANDER;
    init_tag(o, t, &s, rng);
}

/* One interval later: the leak gains its step (with noise well below it),
 * the flat tag stays, the others drift back towards their level. */
static void step_tag(tag_state *t, uint64_t *rng)
{
    uint64_t churn = t->per_step / 2 + rng_next(rng) % (t->per_step + 1);
    uint64_t next;

    switch (t->behaviour) {
    case TAG_LEAK: {
        double noisy;
        t->leak_exact += t->leak_step;
        noisy = t->leak_exact + rng_normal(rng) * t->leak_step * 0.3;
        next = noisy < 0.0 ? 0 : (uint64_t)noisy;
        break;
    }
    case TAG_FLAT:
        next = t->diff;
        break;
    default: {
        double sigma = 0.05 * (double)t->level + 1.0;
        double pull = 0.3 * ((double)t->level - (double)t->diff);
        double v = (double)t->diff + pull + rng_normal(rng) * sigma;
        next = v < 0.0 ? 0 : (uint64_t)(v + 0.5);
        break;
    }
    }
    if (next > t->diff && churn < next - t->diff)
        churn = next - t->diff + t->per_step / 4;
    /* allocs grow by churn; frees make up the rest, never going down. */
    t->allocs += churn;
    t->frees = t->allocs - next;
    t->diff = next;
}

static void tag_bytes(tag_state *t, uint64_t *rng)
{
    /* Allocation sizes vary a little around the tag's typical size. */
    uint64_t jitter = t->per_alloc / 64;
    uint64_t per = t->per_alloc;
    if (t->behaviour == TAG_WANDER && jitter > 0)
        per = per - jitter + rng_next(rng) % (2 * jitter + 1);
    t->bytes = t->diff * per;
}

static int by_bytes_desc(const void *a, const void *b)
{
    const tag_state *x = *(const tag_state *const *)a;
    const tag_state *y = *(const tag_state *const *)b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    if (x->paged != y->paged)
        return x->paged - y->paged;
    return memcmp(x->shown, y->shown, 4);
}

/* The header poolmon prints above the table (values in K), for a machine
 * like the incident's: 24 GB of RAM, commit growing with the leak. */
static size_t format_header(char *buf, size_t cap, uint64_t np_bytes, uint64_t p_bytes,
                            uint64_t *rng)
{
    const uint64_t memory_k = 25152596, limit_k = 51366996;
    uint64_t pool_k = (np_bytes + p_bytes) / 1024;
    uint64_t commit_k = 5600000 + pool_k + rng_next(rng) % 200000;
    uint64_t avail_k = memory_k > commit_k / 2 + pool_k ? memory_k - commit_k / 2 - pool_k / 2
                                                         : 1024;
    int n = snprintf(buf, cap,
                     " Memory:%" PRIu64 "K Avail:%" PRIu64 "K  PageFlts:%6" PRIu64
                     "   InRam Krnl:10036K P:%" PRIu64 "K\n"
                     " Commit:%" PRIu64 "K Limit:%" PRIu64 "K Peak:%" PRIu64
                     "K            Pool N:%" PRIu64 "K P:%" PRIu64 "K\n"
                     " System pool information\n"
                     " Tag  Type     Allocs            Frees            Diff   Bytes      "
                     "Per Alloc\n\n",
                     memory_k, avail_k, rng_next(rng) % 4000, p_bytes / 1024, commit_k,
                     limit_k, commit_k + 250000, np_bytes / 1024, p_bytes / 1024);
    return n < 0 ? 0 : (size_t)n;
}

static size_t format_row(char *buf, const tag_state *t)
{
    int n = snprintf(buf, GEN_ROW_MAX,
                     " %-4.4s %-5s %10" PRIu64 " (   0) %10" PRIu64 " (   0) %9" PRIu64
                     " %11" PRIu64 " (     0) %8" PRIu64 "\n",
                     t->shown, t->paged ? "Paged" : "Nonp", t->allocs, t->frees, t->diff,
                     t->bytes, t->diff ? t->bytes / t->diff : 0);
    return n < 0 ? 0 : (size_t)n;
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    FILE *f;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        die("%s/%s: path too long", dir, name);
    f = fopen(path, "wb");
    if (f == NULL)
        die("%s: cannot create: %s", path, strerror(errno));
    return f;
}

static void close_out(FILE *f, const char *name)
{
    if (ferror(f) || fclose(f) != 0)
        die("%s: write failed", name);
}

static void parse_options(int argc, char **argv, gen_options *o)
{
    int i, have_snapshots = 0, have_tags = 0, have_interval = 0;

    memset(o, 0, sizeof *o);
    o->seed = 20150310;
    o->start = 1425945600; /* 2015-03-10T00:00:00Z */
    for (i = 1; i < argc; i += 2) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) {
            printf("usage: %s --out DIR [--profile sample|bench] [--snapshots N] "
                   "[--tags N] [--seed N] [--start UNIXTIME] [--interval SECONDS]\n",
                   argv[0]);
            exit(0);
        }
        if (v == NULL)
            die("%s: needs a value (see --help)", a);
        if (strcmp(a, "--out") == 0)
            o->out_dir = v;
        else if (strcmp(a, "--profile") == 0) {
            if (strcmp(v, "sample") != 0 && strcmp(v, "bench") != 0)
                die("--profile: '%s' is neither sample nor bench", v);
            o->bench = strcmp(v, "bench") == 0;
        } else if (strcmp(a, "--snapshots") == 0) {
            o->snapshots = (uint32_t)parse_u64(a, v, GEN_MAX_SNAPSHOTS);
            have_snapshots = 1;
        } else if (strcmp(a, "--tags") == 0) {
            o->tags = (uint32_t)parse_u64(a, v, GEN_MAX_TAGS);
            have_tags = 1;
        } else if (strcmp(a, "--seed") == 0)
            o->seed = parse_u64(a, v, UINT64_MAX);
        else if (strcmp(a, "--start") == 0)
            o->start = (int64_t)parse_u64(a, v, 253402300799ull);
        else if (strcmp(a, "--interval") == 0) {
            o->interval = (uint32_t)parse_u64(a, v, 86400);
            have_interval = 1;
        } else
            die("unknown option %s (see --help)", a);
    }
    if (o->out_dir == NULL)
        die("--out DIR is required (see --help)");
    if (!have_snapshots)
        o->snapshots = o->bench ? 1000 : 24;
    if (!have_tags)
        o->tags = o->bench ? 3000 : (uint32_t)KNOWN_TAG_COUNT;
    if (!have_interval)
        o->interval = o->bench ? 60 : 3600;
    if (o->snapshots < 2)
        die("--snapshots: a series needs at least 2");
    if (o->tags < 2)
        die("--tags: at least 2 (the leak and the flat tag)");
    if (o->interval == 0)
        die("--interval: must be at least 1 second");
}

int main(int argc, char **argv)
{
    gen_options o;
    tag_state *tags = NULL, **order = NULL;
    char *buf = NULL;
    size_t cap;
    uint64_t rng, rows = 0;
    uint32_t i, s, probe = 0;
    FILE *series, *truth;

    parse_options(argc, argv, &o);
    rng = o.seed;
    tags = calloc(o.tags, sizeof *tags);
    order = calloc(o.tags, sizeof *order);
    cap = 1024 + (size_t)o.tags * GEN_ROW_MAX;
    buf = malloc(cap);
    if (tags == NULL || order == NULL || buf == NULL)
        die("out of memory for %u tags", o.tags);

    for (i = 0; i < o.tags; i++) {
        if (i < KNOWN_TAG_COUNT)
            init_tag(&o, &tags[i], &known_tags[i], &rng);
        else
            init_synthetic(&o, &tags[i], &probe, tags, &rng);
        order[i] = &tags[i];
    }

    series = open_out(o.out_dir, "series.txt");
    for (s = 0; s < o.snapshots; s++) {
        char name[64], when[32];
        uint64_t np = 0, pp = 0;
        size_t len;
        FILE *f;

        if (s > 0)
            for (i = 0; i < o.tags; i++)
                step_tag(&tags[i], &rng);
        for (i = 0; i < o.tags; i++) {
            tag_bytes(&tags[i], &rng);
            if (tags[i].paged)
                pp += tags[i].bytes;
            else
                np += tags[i].bytes;
        }
        qsort(order, o.tags, sizeof *order, by_bytes_desc);
        len = format_header(buf, cap, np, pp, &rng);
        for (i = 0; i < o.tags; i++)
            len += format_row(buf + len, order[i]);
        snprintf(name, sizeof name, "poolmon-%04u.txt", s + 1);
        f = open_out(o.out_dir, name);
        if (fwrite(buf, 1, len, f) != len)
            die("%s: write failed", name);
        close_out(f, name);
        rows += o.tags;
        format_iso_utc(o.start + (int64_t)s * o.interval, when);
        fprintf(series, "%s %s\n", when, name);
    }
    close_out(series, "series.txt");

    truth = open_out(o.out_dir, "truth.txt");
    fprintf(truth,
            "# ground truth of this generated series (gen_poolmon_series --profile %s "
            "--seed %" PRIu64 ")\n"
            "leaking \"MPP \" nonpaged\n"
            "large-flat \"VoSm\" nonpaged\n"
            "snapshots %u\ntags %u\nrows %" PRIu64 "\ninterval_seconds %u\n",
            o.bench ? "bench" : "sample", o.seed, o.snapshots, o.tags, rows, o.interval);
    close_out(truth, "truth.txt");

    free(buf);
    free(order);
    free(tags);
    return 0;
}
