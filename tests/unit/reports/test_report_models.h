/* test_report_models.h - report models built by hand for the renderer
 * tests: the real 2012 R2 MPP. case (single snapshot, numbers from
 * ../shared/data/real/seed/README.md), a generated series with a leaking
 * tag whose ground truth is known, an empty case, and a hostile one. */
#ifndef TEST_REPORT_MODELS_H
#define TEST_REPORT_MODELS_H

#include <string.h>

#include "report_model.h"

static pt_tag model_tag(const char *text)
{
    pt_tag tag = 0;
    if (pt_tag_parse(text, strlen(text), &tag) != 0)
        return 0;
    return tag;
}

/* ---- the 2012 R2 file server: !poolused /t5 2, !vm 4, findstr MPP ------ */

#define MPP_PAGE 4096ull

static pt_report_candidate mpp_candidates[16];
static pt_report_tag mpp_tags[5];
static pt_report_suspect mpp_suspects[1];
static pt_report_pool mpp_pools[2];
static pt_report_counter mpp_counters[8];
static pt_report_fact mpp_facts[3];
static pt_report_source mpp_sources[3];
static const char *mpp_warnings[2];

static void model_mpp_case(pt_report *r)
{
    /* findstr /l /m MPP *.sys, in its order; ds4dsm/ds4utm are IBM's. */
    static const char *const files[16] = {
        "afd.sys", "ClusDisk.sys", "CsvFlt.sys", "CsvFs.sys", "ds4dsm.sys", "ds4utm.sys",
        "dxgkrnl.sys", "FWPKCLNT.SYS", "http.sys", "mup.sys", "ndis.sys", "ndiswan.sys",
        "pacer.sys", "rassstp.sys", "sdstor.sys", "SerCx.sys"};
    size_t i, k = 0;

    pt_report_init(r);
    r->case_name = "fs-cluster-2012r2-nonpaged";
    r->generated = "2026-11-26T12:00:00Z";
    r->tool_version = "0.1.0";
    r->summary = "One tag, MPP. (nonpaged), holds 9.6 GB: 90% of tagged nonpaged pool in the "
                 "only snapshot. Without a series this is \"large\", not yet a proven leak; "
                 "the only third-party drivers containing the tag are IBM's ds4dsm.sys and "
                 "ds4utm.sys.";
    r->sample_count = 1;

    /* Third-party first, then Microsoft's, as the analyzer ranks them. */
    for (i = 0; i < 16; i++) {
        if (strncmp(files[i], "ds4", 3) != 0)
            continue;
        mpp_candidates[k].driver = files[i];
        mpp_candidates[k].evidence = "literal";
        mpp_candidates[k].vendor = "IBM (DS4000 multipath DSM)";
        mpp_candidates[k].third_party = 1;
        k++;
    }
    for (i = 0; i < 16; i++) {
        if (strncmp(files[i], "ds4", 3) == 0)
            continue;
        mpp_candidates[k].driver = files[i];
        mpp_candidates[k].evidence = "literal";
        mpp_candidates[k].vendor = "Microsoft Corporation";
        mpp_candidates[k].third_party = 0;
        k++;
    }

    mpp_suspects[0].rank = 1;
    mpp_suspects[0].tag = model_tag("MPP.");
    mpp_suspects[0].tag_text = "MPP.";
    mpp_suspects[0].pool = PT_POOL_NONPAGED;
    mpp_suspects[0].verdict = "large";
    mpp_suspects[0].bytes = 10354777664ull;
    mpp_suspects[0].outstanding = 49781288ull;
    mpp_suspects[0].growth_bytes_per_hour = 0.0;
    mpp_suspects[0].persistence = 0.0;
    mpp_suspects[0].share = 10354777664.0 / 11496509728.0;
    mpp_suspects[0].samples = 1;
    mpp_suspects[0].reason = "Largest tag by far in the only sample; a single snapshot cannot "
                             "show growth.";
    mpp_suspects[0].description = "UNKNOWN pooltag ' MPP', please update pooltag.txt";
    mpp_suspects[0].description_origin = "!poolused (ws2012r2-livekd-poolused-t5-2.txt)";
    mpp_suspects[0].candidates = mpp_candidates;
    mpp_suspects[0].candidate_count = 16;
    mpp_suspects[0].findstr_count = 16;
    r->suspects = mpp_suspects;
    r->suspect_count = 1;

    {
        static const struct {
            const char *tag, *desc, *binary;
            uint64_t allocs, bytes;
        } rows[5] = {
            {"MPP.", "UNKNOWN pooltag ' MPP', please update pooltag.txt", NULL, 49781288ull,
             10354777664ull},
            {"VoSm", "Bitmap allocations", "volsnap.sys", 3689ull, 240181440ull},
            {"Mdl ", "Io, Mdls", NULL, 81341ull, 170719024ull},
            {"ConT", "UNKNOWN pooltag 'ConT', please update pooltag.txt", NULL, 387ull,
             140668928ull},
            {"Cont", "Contiguous physical memory allocations for device dr", NULL, 1112ull,
             106383968ull},
        };
        for (i = 0; i < 5; i++) {
            mpp_tags[i].tag = model_tag(rows[i].tag);
            mpp_tags[i].tag_text = rows[i].tag;
            mpp_tags[i].pool = PT_POOL_NONPAGED;
            mpp_tags[i].has = PT_HAS_OUTSTANDING | PT_HAS_BYTES;
            mpp_tags[i].outstanding = rows[i].allocs;
            mpp_tags[i].bytes = rows[i].bytes;
            mpp_tags[i].description = rows[i].desc;
            mpp_tags[i].description_origin = "!poolused";
            mpp_tags[i].binary = rows[i].binary;
        }
    }
    r->tags = mpp_tags;
    r->tag_count = 5;
    r->top_tag_count = 5;

    mpp_pools[0].name = "NonPagedPool";
    mpp_pools[0].usage_bytes = 13003620ull * 1024;
    mpp_pools[0].max_bytes = 0;
    mpp_pools[0].hours_to_exhaustion = -1;
    mpp_pools[0].note = "NonPagedPool Max reads 4294967296 pages (16 TB), more than the "
                        "24 GB of physical memory: not a usable limit.";
    mpp_pools[1].name = "PagedPool";
    mpp_pools[1].usage_bytes = 224831ull * MPP_PAGE;
    mpp_pools[1].max_bytes = 0;
    mpp_pools[1].hours_to_exhaustion = -1;
    mpp_pools[1].note = "PagedPool Maximum reads 4160749568 pages (15.5 TB): not a usable limit.";
    r->pools = mpp_pools;
    r->pool_count = 2;

    {
        static const struct {
            const char *name;
            uint64_t pages;
            int wrong;
        } rows[8] = {
            {"Physical Memory", 6288149ull, 0},      {"NonPagedPool Usage", 3250905ull, 0},
            {"NonPagedPool Max", 4294967296ull, 1},  {"PagedPool Usage", 224831ull, 0},
            {"PagedPool Maximum", 4160749568ull, 1}, {"Driver Commit", 55834583195ull, 1},
            {"Committed pages", 4696802ull, 0},      {"Commit limit", 12841749ull, 0},
        };
        for (i = 0; i < 8; i++) {
            mpp_counters[i].sample = "ws2012r2-livekd-vm4.txt";
            mpp_counters[i].name = rows[i].name;
            mpp_counters[i].unit = "pages";
            mpp_counters[i].value = rows[i].pages;
            mpp_counters[i].looks_wrong = rows[i].wrong;
        }
    }
    r->counters = mpp_counters;
    r->counter_count = 8;

    mpp_facts[0].name = "System";
    mpp_facts[0].value = "Windows Server 2012 R2 x64, 2-node failover-cluster file server";
    mpp_facts[1].name = "Page size";
    mpp_facts[1].value = "4 KiB";
    mpp_facts[2].name = "Physical memory";
    mpp_facts[2].value = "6288149 pages (24 GB)";
    r->facts = mpp_facts;
    r->fact_count = 3;

    mpp_sources[0].name = "ws2012r2-livekd-poolused-t5-2.txt";
    mpp_sources[0].kind = "poolused";
    mpp_sources[0].variant = "poolused-collapsed";
    mpp_sources[0].size = 486;
    mpp_sources[0].sha256 = "08ed9a2e8295bd76d756556f61341bbd1df282525357c95a6faa4c5331acf203";
    mpp_sources[0].bundle = "fs-cluster.bundle";
    mpp_sources[1].name = "ws2012r2-livekd-vm4.txt";
    mpp_sources[1].kind = "vm";
    mpp_sources[1].variant = "vm-2012";
    mpp_sources[1].size = 1156;
    mpp_sources[1].sha256 = "54213fc717208f5751302ed88cc45de33c0a68af6af57fb331dee678fc31be20";
    mpp_sources[1].bundle = "fs-cluster.bundle";
    mpp_sources[2].name = "ws2012r2-findstr-MPP.txt";
    mpp_sources[2].kind = "findstr";
    mpp_sources[2].size = 232;
    mpp_sources[2].sha256 = "d10e68f5a44374ee96f5b159c36208e8666849dcc01b87b57337fcaf552c17c8";
    mpp_sources[2].bundle = "fs-cluster.bundle";
    r->sources = mpp_sources;
    r->source_count = 3;

    mpp_warnings[0] = "ws2012r2-livekd-vm4.txt: unable to get nt!MmSystemLockPagesCount";
    mpp_warnings[1] = "ws2012r2-livekd-vm4.txt: Error reading free nonpaged PTEs "
                      "0000000000000004";
    r->warnings = mpp_warnings;
    r->warning_count = 2;
}

/* ---- a generated series: 'Leak' grows 12.4 MB/h in 23 of 24 intervals -- */

#define SERIES_POINTS 25
#define SERIES_T0 13416912000ull /* 2026-03-02 08:00:00 UTC in seconds since 1601 */
#define SERIES_MB (1024.0 * 1024.0)

static pt_filetime series_times[SERIES_POINTS];
static uint64_t series_bytes[4][SERIES_POINTS];
static pt_report_series series_series[4];
static pt_report_tag series_tags[6];
static pt_report_suspect series_suspects[2];
static pt_report_candidate series_candidates[3];
static pt_report_pool series_pools[2];
static pt_report_counter series_counters[3];
static pt_report_fact series_facts[3];
static pt_report_source series_sources[3];
static pt_report_past_case series_past[1];
static pt_report_advisory series_advisories[1];
static pt_report_leaked_stack series_stacks[1];
static pt_report_module series_modules[2];

/* 'Leak' grows by 12.4 MB every hour except the 18th interval (it dips
 * 1 MB there); 'Ntfx', 'Thre', 'Irp ' wander around flat levels. */
static uint64_t series_value(size_t which, size_t i)
{
    static const int wander[8] = {0, 3, -2, 5, 1, -4, 2, -1};
    switch (which) {
    case 0: {
        double mb = 180.0 + 12.4 * (double)i - (i >= 18 ? 12.4 + 1.0 : 0.0);
        return (uint64_t)(mb * SERIES_MB);
    }
    case 1:
        return (uint64_t)((420.0 + wander[i % 8]) * SERIES_MB);
    case 2:
        return (uint64_t)((260.0 + wander[(i + 3) % 8] * 2) * SERIES_MB);
    default:
        return (uint64_t)((96.0 + wander[(i + 5) % 8]) * SERIES_MB);
    }
}

static void model_series_case(pt_report *r)
{
    static const char *const names[4] = {"Leak", "Ntfx", "Thre", "Irp "};
    static const pt_pool pools[4] = {PT_POOL_NONPAGED, PT_POOL_PAGED, PT_POOL_NONPAGED,
                                     PT_POOL_NONPAGED};
    size_t i, s;

    pt_report_init(r);
    r->case_name = "sql-node-7 nonpaged growth";
    r->generated = "2026-11-26T12:00:00Z";
    r->tool_version = "0.1.0";
    r->summary = "Tag Leak (nonpaged) grows 12.4 MB/h in 23 of 24 intervals: leaking. Its "
                 "allocations come from acmefilt.sys 3.1.4.1 (Acme Storage), which has a known "
                 "nonpaged leak fixed in 3.1.6.0.";
    r->sample_count = SERIES_POINTS;
    for (i = 0; i < SERIES_POINTS; i++)
        series_times[i] = (SERIES_T0 + 3600ull * i) * 10000000ull;
    r->first_time = series_times[0];
    r->last_time = series_times[SERIES_POINTS - 1];

    for (s = 0; s < 4; s++) {
        for (i = 0; i < SERIES_POINTS; i++)
            series_bytes[s][i] = series_value(s, i);
        series_series[s].tag = model_tag(names[s]);
        series_series[s].tag_text = names[s];
        series_series[s].pool = pools[s];
        series_series[s].point_count = SERIES_POINTS;
        series_series[s].times = series_times;
        series_series[s].bytes = series_bytes[s];
    }
    r->series = series_series;
    r->series_count = 4;

    series_candidates[0].driver = "acmefilt.sys";
    series_candidates[0].evidence = "stack";
    series_candidates[0].detail = "all 2,412 leaked allocations from acmefilt.sys+0x1a2f0";
    series_candidates[0].vendor = "Acme Storage Inc.";
    series_candidates[0].file_version = "3.1.4.1";
    series_candidates[0].product_version = "3.1.4";
    series_candidates[0].signer = "CN=Acme Storage Inc., O=Acme Storage Inc., C=US";
    series_candidates[0].timestamp = "2025-06-14T09:12:44Z";
    series_candidates[0].sha256 =
        "3f1c0e8a9b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
    series_candidates[0].third_party = 1;
    series_candidates[1].driver = "acmefilt.sys";
    series_candidates[1].evidence = "callsite";
    series_candidates[1].detail = "ExAllocatePoolWithTag at .text+0x1a2eb";
    series_candidates[1].vendor = "Acme Storage Inc.";
    series_candidates[1].file_version = "3.1.4.1";
    series_candidates[1].third_party = 1;
    series_candidates[2].driver = "ndis.sys";
    series_candidates[2].evidence = "literal";
    series_candidates[2].vendor = "Microsoft Corporation";
    series_candidates[2].file_version = "10.0.20348.2227";
    series_candidates[2].signer = "CN=Microsoft Windows, O=Microsoft Corporation";
    series_candidates[2].third_party = 0;

    series_suspects[0].rank = 1;
    series_suspects[0].tag = model_tag("Leak");
    series_suspects[0].tag_text = "Leak";
    series_suspects[0].pool = PT_POOL_NONPAGED;
    series_suspects[0].verdict = "leaking";
    series_suspects[0].bytes = series_bytes[0][SERIES_POINTS - 1];
    series_suspects[0].outstanding = 2412;
    series_suspects[0].growth_bytes_per_hour = 12.4 * SERIES_MB;
    series_suspects[0].persistence = 23.0 / 24.0;
    series_suspects[0].share = 0.3921;
    series_suspects[0].samples = SERIES_POINTS;
    series_suspects[0].reason = "Steady growth (least squares) in 23 of 24 intervals; "
                                "stack evidence names one driver.";
    series_suspects[0].description = "Acme filter driver buffers";
    series_suspects[0].description_origin = "localtag.txt";
    series_suspects[0].candidates = series_candidates;
    series_suspects[0].candidate_count = 3;
    series_suspects[0].findstr_count = 7;
    series_suspects[1].rank = 2;
    series_suspects[1].tag = model_tag("Ntfx");
    series_suspects[1].tag_text = "Ntfx";
    series_suspects[1].pool = PT_POOL_PAGED;
    series_suspects[1].verdict = "large";
    series_suspects[1].bytes = series_bytes[1][SERIES_POINTS - 1];
    series_suspects[1].outstanding = 118230;
    series_suspects[1].growth_bytes_per_hour = 0.02 * SERIES_MB;
    series_suspects[1].persistence = 0.5;
    series_suspects[1].share = 0.4100;
    series_suspects[1].samples = SERIES_POINTS;
    series_suspects[1].reason = "Large share of paged pool but flat over the series.";
    series_suspects[1].description = "General Allocation";
    series_suspects[1].description_origin = "pooltag.txt";
    r->suspects = series_suspects;
    r->suspect_count = 2;

    for (s = 0; s < 4; s++) {
        series_tags[s].tag = series_series[s].tag;
        series_tags[s].tag_text = names[s];
        series_tags[s].pool = pools[s];
        series_tags[s].has = PT_HAS_ALLOCS | PT_HAS_FREES | PT_HAS_OUTSTANDING | PT_HAS_BYTES;
        series_tags[s].bytes = series_bytes[s][SERIES_POINTS - 1];
    }
    series_tags[0].allocs = 98412, series_tags[0].frees = 96000, series_tags[0].outstanding = 2412;
    series_tags[0].description = "Acme filter driver buffers";
    series_tags[0].description_origin = "localtag.txt";
    series_tags[0].binary = "acmefilt.sys";
    series_tags[1].allocs = 9120331, series_tags[1].frees = 9002101,
    series_tags[1].outstanding = 118230;
    series_tags[1].description = "General Allocation";
    series_tags[1].description_origin = "pooltag.txt";
    series_tags[1].binary = "ntfs.sys";
    series_tags[2].allocs = 802113, series_tags[2].frees = 801002, series_tags[2].outstanding = 1111;
    series_tags[2].description = "Thread objects";
    series_tags[2].description_origin = "pooltag.txt";
    series_tags[3].allocs = 5512003, series_tags[3].frees = 5511200,
    series_tags[3].outstanding = 803;
    series_tags[3].description = "Io, IRP packets";
    series_tags[3].description_origin = "pooltag.txt";
    series_tags[4].tag = model_tag("Wfp\\x01");
    series_tags[4].pool = PT_POOL_NONPAGED;
    series_tags[4].has = PT_HAS_OUTSTANDING | PT_HAS_BYTES;
    series_tags[4].outstanding = 12;
    series_tags[4].bytes = 49152;
    series_tags[5].tag = model_tag("Gla5");
    series_tags[5].tag_text = "Gla5";
    series_tags[5].pool = PT_POOL_SESSION_PAGED;
    series_tags[5].has = PT_HAS_ALLOCS | PT_HAS_FREES | PT_HAS_OUTSTANDING | PT_HAS_BYTES;
    series_tags[5].allocs = 30, series_tags[5].frees = 28, series_tags[5].outstanding = 2;
    series_tags[5].bytes = 1536;
    series_tags[5].description = "GDI Glyph cache";
    series_tags[5].description_origin = "pooltag.txt";
    r->tags = series_tags;
    r->tag_count = 6;
    r->top_tag_count = 4;

    series_pools[0].name = "NonPagedPool";
    series_pools[0].usage_bytes = 1503238553ull;
    series_pools[0].max_bytes = 2147483648ull;
    series_pools[0].growth_bytes_per_hour = 12.4 * SERIES_MB;
    series_pools[0].hours_to_exhaustion = (2147483648.0 - 1503238553.0) / (12.4 * SERIES_MB);
    series_pools[1].name = "PagedPool";
    series_pools[1].usage_bytes = 1073741824ull;
    series_pools[1].max_bytes = 4294967296ull;
    series_pools[1].growth_bytes_per_hour = 0;
    series_pools[1].hours_to_exhaustion = -1;
    r->pools = series_pools;
    r->pool_count = 2;

    series_counters[0].sample = "poolmon-0024.txt";
    series_counters[0].name = "Memory";
    series_counters[0].unit = "K";
    series_counters[0].value = 16776692;
    series_counters[1].sample = "poolmon-0024.txt";
    series_counters[1].name = "Commit";
    series_counters[1].unit = "K";
    series_counters[1].value = 9123456;
    series_counters[2].sample = "poolmon-0024.txt";
    series_counters[2].name = "Limit";
    series_counters[2].unit = "K";
    series_counters[2].value = 19922544;
    r->counters = series_counters;
    r->counter_count = 3;

    series_facts[0].name = "Host";
    series_facts[0].value = "SQL-NODE-7";
    series_facts[1].name = "System";
    series_facts[1].value = "Windows Server 2022 x64 (build 20348)";
    series_facts[2].name = "Uptime at last sample";
    series_facts[2].value = "6 days 3 hours";
    r->facts = series_facts;
    r->fact_count = 3;

    series_sources[0].name = "poolmon-0000.txt .. poolmon-0024.txt (25 files)";
    series_sources[0].kind = "poolmon";
    series_sources[0].variant = "poolmon-snapshot";
    series_sources[0].size = 25 * 182311;
    series_sources[0].sha256 = "a2c4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3";
    series_sources[0].bundle = "sql-node-7.bundle";
    series_sources[0].sample_time = "2026-03-02 08:00 .. 2026-03-03 08:00";
    series_sources[1].name = "pool.etl";
    series_sources[1].kind = "etl";
    series_sources[1].size = 734003200;
    series_sources[1].sha256 = "0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d";
    series_sources[1].bundle = "sql-node-7-trace.bundle";
    series_sources[1].partial = 1;
    series_sources[2].name = "acmefilt.sys";
    series_sources[2].kind = "drivers";
    series_sources[2].size = 412672;
    series_sources[2].sha256 = series_candidates[0].sha256;
    series_sources[2].bundle = "sql-node-7.bundle";
    r->sources = series_sources;
    r->source_count = 3;

    series_past[0].case_name = "sql-node-3 2025-11";
    series_past[0].tag_text = "Leak";
    series_past[0].driver = "acmefilt.sys";
    series_past[0].verdict = "leaking";
    series_past[0].when = "2025-11-18";
    r->past_cases = series_past;
    r->past_case_count = 1;

    series_advisories[0].vendor = "Acme Storage Inc.";
    series_advisories[0].driver = "acmefilt.sys";
    series_advisories[0].versions = "3.1.0.0 - 3.1.5.9";
    series_advisories[0].fixed_version = "3.1.6.0";
    series_advisories[0].reference = "ACME-KB-20731";
    series_advisories[0].text = "Buffers for cancelled I/O are not freed.";
    series_advisories[0].tag = model_tag("Leak");
    r->advisories = series_advisories;
    r->advisory_count = 1;

    series_stacks[0].tag = model_tag("Leak");
    series_stacks[0].tag_text = "Leak";
    series_stacks[0].pool = PT_POOL_NONPAGED;
    series_stacks[0].count = 2412;
    series_stacks[0].bytes = series_bytes[0][SERIES_POINTS - 1];
    series_stacks[0].module = "acmefilt.sys";
    series_stacks[0].offset = 0x1a2f0;
    series_stacks[0].frames = "nt!ExAllocatePoolWithTag+0x5c\nacmefilt.sys+0x1a2f0\n"
                              "fltmgr.sys+0x4b1c";
    r->leaked_stacks = series_stacks;
    r->leaked_stack_count = 1;

    series_modules[0].name = "acmefilt.sys";
    series_modules[0].base = 0xfffff80612340000ull;
    series_modules[0].size = 0x6b000;
    series_modules[0].timestamp = 0x684d3c2cu;
    series_modules[0].checksum = 0x0006f1a3u;
    series_modules[0].disk_note = "differs from disk: the file on disk is 3.1.6.0 "
                                  "(TimeDateStamp 0x68a1f00e); reboot to load it";
    series_modules[1].name = "ndis.sys";
    series_modules[1].base = 0xfffff80610a00000ull;
    series_modules[1].size = 0x1a3000;
    series_modules[1].timestamp = 0x9c1e22a5u;
    series_modules[1].checksum = 0x001a5b11u;
    r->modules = series_modules;
    r->module_count = 2;
}

/* ---- an empty case -------------------------------------------------- */

static void model_empty_case(pt_report *r)
{
    pt_report_init(r);
    r->case_name = "empty";
    r->generated = "2026-11-26T12:00:00Z";
    r->tool_version = "0.1.0";
}

/* ---- hostile strings ------------------------------------------------ */

#define HOSTILE_SCRIPT "<script>alert(\"x\")</script>"
#define HOSTILE_AMP "Tom & Jerry's \"driver\" <b>bold</b>"
#define HOSTILE_BYTES "bad\xff\xfe bytes \x01\x1b[31m \xc3\x28 end"
/* What report_clean makes of HOSTILE_BYTES. */
#define HOSTILE_BYTES_CLEAN "bad\\xFF\\xFE bytes \\x01\\x1B[31m \\xC3( end"

static pt_report_suspect hostile_suspects[1];
static pt_report_candidate hostile_candidates[1];
static pt_report_tag hostile_tags[1];
static pt_report_fact hostile_facts[1];
static pt_report_source hostile_sources[1];
static pt_report_pool hostile_pools[1];
static const char *hostile_warnings[1];
static pt_report_series hostile_series[1];
static pt_filetime hostile_times[3];
static uint64_t hostile_bytes[3];

static void model_hostile_case(pt_report *r)
{
    pt_report_init(r);
    r->case_name = HOSTILE_SCRIPT;
    r->generated = "2026-11-26T12:00:00Z";
    r->summary = HOSTILE_AMP;
    hostile_candidates[0].driver = HOSTILE_SCRIPT;
    hostile_candidates[0].evidence = "literal";
    hostile_candidates[0].vendor = HOSTILE_BYTES;
    hostile_candidates[0].signer = "CN=\"Evil\" <evil@example>";
    hostile_candidates[0].third_party = -1;
    hostile_suspects[0].rank = 1;
    hostile_suspects[0].tag = 0x3E3C2622u; /* bytes '"', '&', '<', '>' */
    hostile_suspects[0].pool = PT_POOL_NONPAGED;
    hostile_suspects[0].verdict = "large";
    hostile_suspects[0].bytes = 1;
    hostile_suspects[0].share = 1.0;
    hostile_suspects[0].samples = 1;
    hostile_suspects[0].reason = HOSTILE_BYTES;
    hostile_suspects[0].description = HOSTILE_SCRIPT;
    hostile_suspects[0].description_origin = HOSTILE_AMP;
    hostile_suspects[0].candidates = hostile_candidates;
    hostile_suspects[0].candidate_count = 1;
    r->suspects = hostile_suspects;
    r->suspect_count = 1;
    hostile_tags[0].tag = 0x3E3C2622u;
    hostile_tags[0].pool = PT_POOL_NONPAGED;
    hostile_tags[0].has = PT_HAS_BYTES;
    hostile_tags[0].bytes = 1;
    hostile_tags[0].description = HOSTILE_BYTES;
    hostile_tags[0].description_origin = HOSTILE_SCRIPT;
    hostile_tags[0].binary = HOSTILE_AMP;
    r->tags = hostile_tags;
    r->tag_count = 1;
    r->top_tag_count = 1;
    hostile_facts[0].name = HOSTILE_AMP;
    hostile_facts[0].value = HOSTILE_SCRIPT;
    r->facts = hostile_facts;
    r->fact_count = 1;
    hostile_pools[0].name = "NonPagedPool";
    hostile_pools[0].usage_bytes = 5;
    hostile_pools[0].max_bytes = 10;
    hostile_pools[0].hours_to_exhaustion = -1;
    hostile_pools[0].note = HOSTILE_SCRIPT;
    r->pools = hostile_pools;
    r->pool_count = 1;
    hostile_sources[0].name = HOSTILE_SCRIPT;
    hostile_sources[0].kind = "poolused";
    hostile_sources[0].bundle = HOSTILE_BYTES;
    r->sources = hostile_sources;
    r->source_count = 1;
    hostile_times[0] = 13416912000ull * 10000000ull;
    hostile_times[1] = hostile_times[0] + 36000000000ull;
    hostile_times[2] = hostile_times[1] + 36000000000ull;
    hostile_bytes[0] = 1;
    hostile_bytes[1] = 1000;
    hostile_bytes[2] = 3000000;
    hostile_series[0].tag = 0x3E3C2622u;
    hostile_series[0].tag_text = HOSTILE_SCRIPT; /* not a tag's text: the raw tag shows */
    hostile_series[0].pool = PT_POOL_NONPAGED;
    hostile_series[0].point_count = 3;
    hostile_series[0].times = hostile_times;
    hostile_series[0].bytes = hostile_bytes;
    r->series = hostile_series;
    r->series_count = 1;
    r->sample_count = 3;
    r->first_time = hostile_times[0];
    r->last_time = hostile_times[2];
    hostile_warnings[0] = HOSTILE_BYTES;
    r->warnings = hostile_warnings;
    r->warning_count = 1;
}

#endif
