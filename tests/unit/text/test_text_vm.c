/* test_text_vm.c - the !vm reader against the real outputs (values from
 * ../shared/data/real/{seed,text}/README.md) and generated variants. */
#include "text_fixture.h"
#include "text_readers.h"

static void check_pair(const recording *r, const char *name, uint64_t pages, uint64_t kb)
{
    PT_CHECK_U64(rec_counter_value(r, name, "pages"), pages);
    PT_CHECK_U64(rec_counter_value(r, name, "Kb"), kb);
}

static void test_ws2012r2_vm4(void)
{
    recording r;
    pt_error err;

    PT_CHECK_U64(rec_read_file(&pt_reader_vm, PT_REAL("seed/ws2012r2-livekd-vm4.txt"), &r, &err),
                 PT_OK);
    PT_CHECK_U64(r.nsamples, 1);
    PT_CHECK_STR(r.samples[0].variant, "vm");
    check_pair(&r, "NonPagedPool Usage", 3250905, 13003620);
    check_pair(&r, "NonPagedPool 0 Used", 1455190, 5820760);
    check_pair(&r, "NonPagedPool 1 Used", 1651617, 6606468);
    PT_CHECK_U64(rec_counter_value(&r, "NonPagedPool Max", "pages"), 4294967296ull);
    PT_CHECK_U64(rec_counter_value(&r, "PagedPool Usage", "pages"), 224831);
    PT_CHECK_U64(rec_counter_value(&r, "Committed pages", "pages"), 4696802);
    PT_CHECK_U64(rec_counter_value(&r, "Commit limit", "pages"), 12841749);
    check_pair(&r, "Physical Memory", 6288149, 25152596);
    PT_CHECK_U64(rec_counter_value(&r, "Page File \\??\\C:\\pagefile.sys Maximum", "Kb"),
                 75497472);
    /* "unable to get nt!MmSystemLockPagesCount", "Error reading free ..." */
    PT_CHECK_U64(r.nwarnings, 2);
    PT_CHECK_U64(r.nrows, 0);
    rec_free(&r);
}

static void test_ws2003_vm1(void)
{
    recording r;
    pt_error err;

    PT_CHECK_U64(rec_read_file(&pt_reader_vm, PT_REAL("seed/ws2003-x86-lkd-vm1.txt"), &r, &err),
                 PT_OK);
    check_pair(&r, "NonPagedPool Usage", 30894, 123576);
    check_pair(&r, "NonPagedPool Max", 51960, 207840);
    PT_CHECK_U64(rec_counter_value(&r, "PagedPool Usage", "pages"), 4483);
    PT_CHECK_U64(rec_counter_value(&r, "Committed pages", "pages"), 52346);
    PT_CHECK_U64(rec_counter_value(&r, "Commit limit", "pages"), 632268);
    PT_CHECK_U64(r.nwarnings, 0);
    rec_free(&r);
}

static void test_win11_triage(void)
{
    recording r;
    pt_error err;

    PT_CHECK_U64(rec_read_file(&pt_reader_vm,
                               PT_REAL("text/vm-01-insightengineering-triage-win11.txt"), &r,
                               &err),
                 PT_OK);
    check_pair(&r, "NonPagedPool Usage", 268, 1072);
    check_pair(&r, "NonPagedPoolNx Usage", 36623, 146492);
    check_pair(&r, "NonPagedPool Max", 4294967296ull, 17179869184ull);
    check_pair(&r, "PagedPool Usage", 68600, 274400);
    PT_CHECK_U64(rec_counter_value(&r, "PagedPool Maximum", "pages"), 4294967296ull);
    PT_CHECK_U64(rec_counter_value(&r, "PagedPool Commit", "pages"), 18446735300397918280ull);
    check_pair(&r, "Physical Memory", 2037490, 8149960);
    PT_CHECK_U64(rec_counter_value(&r, "Available Pages", "pages"), 693849);
    check_pair(&r, "Committed pages", 1686167, 6744668);
    check_pair(&r, "Commit limit", 5969650, 23878600);
    PT_CHECK_U64(rec_counter_value(&r, "kernel stack PTE allocations have failed", "count"),
                 351175);
    PT_CHECK_U64(rec_counter_value(&r, "Page File (no name) Current", "Kb"), 27724744);
    PT_CHECK_U64(rec_counter_value(&r, "Page File \\??\\C:\\swapfile.sys Free Space", "Kb"),
                 258904);
    /* the PTE banner and the "exceeds overall commit" banner */
    PT_CHECK_U64(r.nwarnings, 2);
    rec_free(&r);
}

static void test_msdocs_xp(void)
{
    recording r;
    pt_error err;

    PT_CHECK_U64(rec_read_file(&pt_reader_vm, PT_REAL("text/vm-06-msdocs-vm1-xp-x86.txt"), &r,
                               &err),
                 PT_OK);
    check_pair(&r, "Physical Memory", 16270, 65080);
    check_pair(&r, "NonPagedPool Usage", 877, 3508);
    check_pair(&r, "NonPagedPool Max", 6252, 25008);
    PT_CHECK_U64(rec_counter_value(&r, "PagedPool 0 Usage", "pages"), 729);
    PT_CHECK_U64(rec_counter_value(&r, "PagedPool 1 Usage", "pages"), 432);
    PT_CHECK_U64(rec_counter_value(&r, "PagedPool 2 Usage", "pages"), 436);
    check_pair(&r, "PagedPool Usage", 1597, 6388);
    check_pair(&r, "PagedPool Maximum", 13312, 53248);
    check_pair(&r, "Committed pages", 21949, 87796);
    check_pair(&r, "Commit limit", 36256, 145024);
    /* "Current:     98304Kb" glued unit */
    PT_CHECK_U64(rec_counter_value(&r, "Page File \\??\\E:\\pagefile.sys Current", "Kb"), 98304);
    PT_CHECK_U64(r.nwarnings, 0);
    rec_free(&r);
}

static void test_win10_numa(void)
{
    recording r;
    pt_error err;

    PT_CHECK_U64(rec_read_file(&pt_reader_vm, PT_REAL("text/vm-10-hyp3ri0n-lkd-win10-numa.txt"),
                               &r, &err),
                 PT_OK);
    check_pair(&r, "NonPagedPool Usage", 239, 956);
    check_pair(&r, "NonPagedPoolNx Usage", 30120, 120480);
    PT_CHECK_U64(rec_counter_value(&r, "NonPagedPool 0", "pages"), 231);
    PT_CHECK_U64(rec_counter_value(&r, "NonPagedPoolNx 0", "pages"), 17887);
    PT_CHECK_U64(rec_counter_value(&r, "NonPagedPool 1", "pages"), 8);
    PT_CHECK_U64(rec_counter_value(&r, "NonPagedPoolNx 1", "pages"), 12233);
    PT_CHECK_U64(rec_counter_value(&r, "NonPagedPool Max", "pages"), 4294967296ull);
    check_pair(&r, "PagedPool Usage", 37783, 151132);
    PT_CHECK_U64(rec_counter_value(&r, "PagedPool 0", "pages"), 21987);
    PT_CHECK_U64(rec_counter_value(&r, "PagedPool 1", "pages"), 15796);
    check_pair(&r, "Committed pages", 805179, 3220716);
    check_pair(&r, "Commit limit", 4947708, 19790832);
    PT_CHECK_U64(r.nwarnings, 2); /* two "have failed" banners */
    rec_free(&r);
}

static void test_collapsed_reads_the_same(void)
{
    fx_check_collapsed_same(&pt_reader_vm, PT_REAL("text/vm-06-msdocs-vm1-xp-x86.txt"));
    fx_check_collapsed_same(&pt_reader_vm, PT_REAL("text/vm-10-hyp3ri0n-lkd-win10-numa.txt"));
    fx_check_collapsed_same(&pt_reader_vm, PT_REAL("seed/ws2003-x86-lkd-vm1.txt"));
}

/* Process list (no flag 1), the session section of flag 4, the old
 * "Excessive" banner, two outputs in one file. */
static void test_generated_variants(void)
{
    static const char text[] =
        "kd> !vm 4\n"
        "*** Virtual Memory Usage ***\n"
        "        Physical Memory:      65406   (    261624 Kb)\n"
        "        NonPagedPool Usage:   60000   (    240000 Kb)\n"
        "        NonPagedPool Max:     60208   (    240832 Kb)\n"
        "        ********** Excessive NonPaged Pool Usage *****\n"
        "        PagedPool Usage:       4000   (     16000 Kb)\n"
        "        Commit limit:        100000   (    400000 Kb)\n"
        "         0614 explorer.exe      11379 (     45516 Kb)\n"
        "         0190 System              12 (        48 Kb)\n"
        "\n"
        "Terminal Server Memory Usage By Session:\n"
        "\n"
        "Session ID 0 @ 9a8c7000:\n"
        "Paged Pool Usage: 2372K\n"
        "Commit Usage: 4832K\n"
        "\n"
        "Session ID 1 @ 9a881000:\n"
        "Paged Pool Usage: 14120K\n"
        "Commit Usage: 16704K\n"
        "kd> !vm 1\n"
        "        NonPagedPool Usage:   60100   (    240400 Kb)\n";
    recording r;
    pt_error err;
    size_t i;
    int second = 0;

    PT_CHECK_U64(rec_read_buffer(&pt_reader_vm, text, sizeof text - 1, &r, &err), PT_OK);
    PT_CHECK_U64(r.nsamples, 2);
    PT_CHECK_U64(r.nested + r.orphan, 0);
    check_pair(&r, "NonPagedPool Usage", 60000, 240000);
    PT_CHECK_U64(rec_counter_value(&r, "Session 0 Paged Pool Usage", "K"), 2372);
    PT_CHECK_U64(rec_counter_value(&r, "Session 1 Commit Usage", "K"), 16704);
    PT_CHECK_U64(r.nwarnings, 1); /* Excessive NonPaged Pool Usage */
    PT_CHECK(strstr(r.last_warning, "Excessive NonPaged Pool Usage") != NULL);
    /* the process list is not kept */
    for (i = 0; i < r.ncounters; i++)
        PT_CHECK(strstr(r.counters[i].name, "explorer") == NULL);
    for (i = 0; i < r.ncounters; i++)
        if (r.counters[i].sample == 2 && strcmp(r.counters[i].unit, "pages") == 0 &&
            r.counters[i].value == 60100)
            second = 1;
    PT_CHECK(second);
    rec_free(&r);
}

static void test_bad_inputs(void)
{
    static const char none[] = "kd> !vm\nSymbols could not be loaded\n";
    static const char huge[] = "NonPagedPool Usage: 99999999999999999999999 ( 1 Kb)\n"
                               "NonPagedPool Max: 5 ( 20 Kb)\n";
    recording r;
    pt_error err;
    size_t len = 0, cut;
    char *raw = fx_slurp(PT_REAL("seed/ws2012r2-livekd-vm4.txt"), &len);

    PT_CHECK_U64(rec_read_buffer(&pt_reader_vm, none, sizeof none - 1, &r, &err),
                 PT_ERR_FORMAT);
    PT_CHECK(strstr(err.message, "buffer") != NULL);
    rec_free(&r);
    PT_CHECK_U64(rec_read_buffer(&pt_reader_vm, huge, sizeof huge - 1, &r, &err), PT_OK);
    PT_CHECK_U64(r.nwarnings, 1);
    PT_CHECK_U64(rec_counter_value(&r, "NonPagedPool Usage", "pages"), UINT64_MAX - 1);
    PT_CHECK_U64(rec_counter_value(&r, "NonPagedPool Max", "pages"), 5);
    rec_free(&r);
    PT_CHECK(raw != NULL);
    for (cut = 0; raw != NULL && cut <= len; cut++) {
        pt_status st = rec_read_buffer(&pt_reader_vm, raw, cut, &r, &err);
        PT_CHECK(st == PT_OK || st == PT_ERR_FORMAT);
        PT_CHECK_U64(r.nested + r.orphan, 0);
        rec_free(&r);
    }
    free(raw);
}

/* Saved by PowerShell as UTF-16LE: read the same. */
static void test_utf16_reads_the_same(void)
{
    fx_check_utf16_same(&pt_reader_vm,
                        PT_REAL("seed/ws2003-x86-lkd-vm1.txt"));
    fx_check_utf16_same(&pt_reader_vm,
                        PT_REAL("text/vm-01-insightengineering-triage-win11.txt"));
}

/* A debugger log with several commands: each output read by its part,
 * other commands skipped, whichever reader the registry picked. */
static void test_kd_log_with_both(void)
{
    static char buf[16384];
    size_t n = 0, i, k;
    char *vm, *pu;
    size_t vm_len = 0, pu_len = 0;
    const pt_reader *readers[2] = {&pt_reader_vm, &pt_reader_poolused};

    vm = fx_slurp(PT_REAL("seed/ws2012r2-livekd-vm4.txt"), &vm_len);
    pu = fx_slurp(PT_REAL("seed/ws2012r2-livekd-poolused-t5-2.txt"), &pu_len);
    PT_CHECK(vm != NULL && pu != NULL);
    if (vm == NULL || pu == NULL)
        goto out;
    n += (size_t)snprintf(buf + n, sizeof buf - n,
                          "Microsoft (R) Windows Debugger Version 10.0\n"
                          "0: kd> lm\nstart             end                 module name\n"
                          "fffff800`01000000 fffff800`01800000   nt         (pdb symbols)\n");
    memcpy(buf + n, vm, vm_len);
    n += vm_len;
    n += (size_t)snprintf(buf + n, sizeof buf - n,
                          "0: kd> !process 0 0\n**** NT ACTIVE PROCESS DUMP ****\n"
                          "PROCESS ffffe000`1234 Tag: 1 Allocs: 2 Used: 3\n");
    memcpy(buf + n, pu, pu_len);
    n += pu_len;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "0: kd> q\nquit:\n");
    for (k = 0; k < 2; k++) {
        recording r;
        pt_error err;
        unsigned vm_samples = 0, pu_samples = 0;
        PT_CHECK(readers[k]->probe((const uint8_t *)buf, n) > 0);
        PT_CHECK_U64(rec_read_buffer(readers[k], buf, n, &r, &err), PT_OK);
        PT_CHECK_U64(r.nsamples, 2);
        PT_CHECK_U64(r.nested + r.orphan, 0);
        for (i = 0; i < r.nsamples; i++) {
            vm_samples += r.samples[i].kind == PT_KIND_VM;
            pu_samples += r.samples[i].kind == PT_KIND_POOLUSED;
        }
        PT_CHECK_U64(vm_samples, 1);
        PT_CHECK_U64(pu_samples, 1);
        check_pair(&r, "NonPagedPool Usage", 3250905, 13003620);
        PT_CHECK_U64(r.nrows, 10);
        PT_CHECK_U64(rec_counter_value(&r, "TOTAL NonPaged Used", "bytes"), 11496509728ull);
        PT_CHECK_U64(r.nwarnings, 2); /* the two !vm read errors, nothing from lm */
        rec_free(&r);
    }
out:
    free(vm);
    free(pu);
}

/* The time a debugger log says: "Debug session time" in the header the
 * debugger prints when it opens a dump, with its UTC offset. */
static void test_debug_session_time(void)
{
    static const char text[] =
        "Loading Dump File [C:\\Windows\\MEMORY.DMP]\n"
        "Debug session time: Thu Nov 14 10:00:00.123 2024 (UTC - 8:00)\n"
        "System Uptime: 12 days 3:04:05.678\n"
        "0: kd> !vm 1\n"
        "NonPagedPool Usage: 60000 ( 240000 Kb)\n"
        "NonPagedPool Max: 60208 ( 240832 Kb)\n";
    static const char old[] = "Debug session time: Mon Dec 18 09:31:12.062 2006 (GMT+1)\n"
                              "kd> !vm\nNonPagedPool Usage: 1 ( 4 Kb)\nCommit limit: 2 ( 8 Kb)\n";
    recording r;
    pt_error err;
    char when[32];

    PT_CHECK_U64(rec_read_buffer(&pt_reader_vm, text, sizeof text - 1, &r, &err), PT_OK);
    PT_CHECK_U64(r.nsamples, 1);
    PT_CHECK_STR(r.samples[0].time_origin, "file");
    PT_CHECK_STR(pt_filetime_format(r.samples[0].time, when), "2024-11-14T18:00:00.1230000Z");
    rec_free(&r);
    PT_CHECK_U64(rec_read_buffer(&pt_reader_vm, old, sizeof old - 1, &r, &err), PT_OK);
    PT_CHECK_STR(pt_filetime_format(r.samples[0].time, when), "2006-12-18T08:31:12.0620000Z");
    rec_free(&r);
}

PT_TEST_MAIN(PT_TEST(test_ws2012r2_vm4), PT_TEST(test_ws2003_vm1), PT_TEST(test_win11_triage),
             PT_TEST(test_msdocs_xp), PT_TEST(test_win10_numa),
             PT_TEST(test_collapsed_reads_the_same),
             PT_TEST(test_utf16_reads_the_same), PT_TEST(test_generated_variants),
             PT_TEST(test_bad_inputs), PT_TEST(test_kd_log_with_both),
             PT_TEST(test_debug_session_time))
