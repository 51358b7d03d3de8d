/* test_text_poolused.c - the !poolused reader against the real outputs in
 * ../shared/data/real (values from their README.md) and against outputs
 * built here in every layout, whose values the test knows. */
#include "text_fixture.h"
#include "text_readers.h"

#define NP PT_POOL_NONPAGED
#define PG PT_POOL_PAGED
#define OUT_BYTES (PT_HAS_OUTSTANDING | PT_HAS_BYTES)

static void check_row(const recording *r, const char *tag, pt_pool pool, uint64_t outstanding,
                      uint64_t bytes)
{
    const rec_row *row = rec_find_row(r, tag, pool);
    PT_CHECK(row != NULL);
    if (row == NULL) {
        fprintf(stderr, "  missing row %s %s\n", tag, pt_pool_name(pool));
        return;
    }
    PT_CHECK_U64(row->outstanding, outstanding);
    PT_CHECK_U64(row->bytes, bytes);
}

static pt_tag tag4(char a, char b, char c, char d)
{
    const uint8_t bytes[4] = {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d};
    return pt_tag_from_bytes(bytes);
}

/* seed: Windows Server 2012 R2, blanks collapsed, "MPP." */
static void test_ws2012r2_t5(void)
{
    recording r;
    pt_error err;
    const rec_row *mpp;

    PT_CHECK_U64(rec_read_file(&pt_reader_poolused,
                               PT_REAL("seed/ws2012r2-livekd-poolused-t5-2.txt"), &r, &err),
                 PT_OK);
    PT_CHECK_U64(r.nsamples, 1);
    PT_CHECK_U64(r.nrows, 10); /* 5 tags, nonpaged and paged each */
    PT_CHECK_U64(rec_rows_in_pool(&r, NP), 5);
    PT_CHECK_STR(r.samples[0].variant, "poolused-collapsed");
    mpp = rec_find_row(&r, "MPP.", NP);
    PT_CHECK(mpp != NULL);
    if (mpp != NULL) {
        PT_CHECK_U64(mpp->outstanding, 49781288);
        PT_CHECK_U64(mpp->bytes, 10354777664ull);
        PT_CHECK_U64(mpp->has, OUT_BYTES);
        /* 'M','P','P',NUL: the message printed it right-aligned ' MPP' */
        PT_CHECK_U64(mpp->tag, tag4('M', 'P', 'P', 0));
        PT_CHECK(mpp->tag != tag4('M', 'P', 'P', ' '));
        PT_CHECK(mpp->description == NULL && mpp->binary == NULL);
    }
    check_row(&r, "MPP.", PG, 0, 0);
    check_row(&r, "VoSm", NP, 3689, 240181440);
    check_row(&r, "Mdl", NP, 81341, 170719024);
    check_row(&r, "ConT", NP, 387, 140668928);
    check_row(&r, "Cont", NP, 1112, 106383968);
    {
        const rec_row *v = rec_find_row(&r, "VoSm", NP);
        const rec_row *m = rec_find_row(&r, "Mdl", NP);
        PT_CHECK(v != NULL && m != NULL);
        if (v != NULL && m != NULL) {
            PT_CHECK_STR(v->description, "Bitmap allocations");
            PT_CHECK_STR(v->binary, "volsnap.sys");
            PT_CHECK_STR(m->description, "Io, Mdls");
            PT_CHECK(m->binary == NULL);
            PT_CHECK_U64(m->tag, tag4('M', 'd', 'l', ' '));
        }
    }
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL NonPaged Allocs", "count"), 51007260);
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL NonPaged Used", "bytes"), 11496509728ull);
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL Paged Allocs", "count"), 604302);
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL Paged Used", "bytes"), 758159552);
    /* /t5 shows the top five only: the TOTAL is not compared */
    PT_CHECK_U64(r.nwarnings, 0);
    PT_CHECK_U64(r.nested + r.orphan, 0);
    rec_free(&r);
}

/* seed: Windows Server 2003, no-break spaces, "//" remarks */
static void test_ws2003_t5(void)
{
    recording r;
    pt_error err;
    const rec_row *leak;

    PT_CHECK_U64(rec_read_file(&pt_reader_poolused,
                               PT_REAL("seed/ws2003-x86-lkd-poolused-t5-2.txt"), &r, &err),
                 PT_OK);
    PT_CHECK_U64(r.nrows, 10);
    leak = rec_find_row(&r, "Leak", NP);
    PT_CHECK(leak != NULL);
    if (leak != NULL) {
        PT_CHECK_U64(leak->outstanding, 111);
        PT_CHECK_U64(leak->bytes, 113664000);
        PT_CHECK_U64(leak->tag, 0x6B61654Cu);
    }
    check_row(&r, "LSwi", NP, 1, 2576384);
    check_row(&r, "nVsC", NP, 7, 1445440);
    check_row(&r, "TCPt", NP, 27, 1422016);
    check_row(&r, "RaRS", NP, 1000, 720000);
    {
        const rec_row *t = rec_find_row(&r, "TCPt", NP);
        if (t != NULL) {
            PT_CHECK_STR(t->description, "TCP/IP network protocol");
            PT_CHECK_STR(t->binary, "TCP");
        }
    }
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL NonPaged Allocs", "count"), 29794);
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL NonPaged Used", "bytes"), 126262872);
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL Paged Allocs", "count"), 36446);
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL Paged Used", "bytes"), 17757664);
    PT_CHECK_U64(r.nwarnings, 0);
    rec_free(&r);
}

/* Microsoft's documentation: XP layout, descriptions glued to numbers */
static void test_msdocs_xp(void)
{
    recording r;
    pt_error err;
    const rec_row *row;

    PT_CHECK_U64(rec_read_file(&pt_reader_poolused,
                               PT_REAL("text/poolused-04-msdocs-poolused0-xp-total.txt"), &r,
                               &err),
                 PT_OK);
    PT_CHECK_STR(r.samples[0].variant, "poolused-old");
    PT_CHECK_U64(rec_rows_in_pool(&r, NP), 35);
    PT_CHECK_U64(rec_rows_in_pool(&r, PG), 35);
    check_row(&r, "1394", NP, 1, 520);
    check_row(&r, "1394", PG, 0, 0);
    row = rec_find_row(&r, "1394", NP);
    if (row != NULL)
        PT_CHECK(row->description == NULL && row->binary == NULL);
    check_row(&r, "ohci", NP, 1, 136);
    check_row(&r, "ohci", PG, 0, 0);
    row = rec_find_row(&r, "ohci", NP);
    if (row != NULL)
        PT_CHECK_STR(row->description, "1394 OHCI host controller driver");
    check_row(&r, "usbp", NP, 18, 77056);
    check_row(&r, "usbp", PG, 2, 96);
    check_row(&r, "hibr", NP, 0, 0);
    check_row(&r, "hibr", PG, 1, 24576);
    row = rec_find_row(&r, "8042", NP);
    if (row != NULL) {
        PT_CHECK_STR(row->description, "PS/2 kb and mouse");
        PT_CHECK_STR(row->binary, "i8042prt.sys");
    }
    /* 'AGP ' keeps its blank; "rx.." is 'r','x',NUL,NUL ('  rx') */
    row = rec_find_row(&r, "AGP", NP);
    PT_CHECK(row != NULL && row->tag == tag4('A', 'G', 'P', ' '));
    row = rec_find_row(&r, "rx..", NP);
    PT_CHECK(row != NULL && row->tag == tag4('r', 'x', 0, 0));
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL NonPaged Allocs", "count"), 3570214);
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL NonPaged Used", "bytes"), 209120008);
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL Paged Allocs", "count"), 38769);
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL Paged Used", "bytes"), 13066104);
    /* cut by the author ("..."): no cross-check warning */
    PT_CHECK_U64(r.nwarnings, 0);
    rec_free(&r);
}

static void test_nickkuo_win11(void)
{
    recording r;
    pt_error err;
    const rec_row *row;

    PT_CHECK_U64(rec_read_file(&pt_reader_poolused,
                               PT_REAL("text/poolused-06-nickkuo-amda-leak-win11.txt"), &r,
                               &err),
                 PT_OK);
    PT_CHECK_STR(r.samples[0].variant, "poolused-new");
    PT_CHECK_U64(rec_rows_in_pool(&r, NP), 8);
    PT_CHECK_U64(r.ncounters, 0);
    check_row(&r, "amda", NP, 5768754, 1938325232);
    check_row(&r, "amda", PG, 32, 9360);
    check_row(&r, "IoWI", NP, 5769999, 646239888);
    check_row(&r, "IoWI", PG, 0, 0);
    check_row(&r, "DAL2", NP, 877, 25073840);
    check_row(&r, "DAL2", PG, 1560, 6288352);
    row = rec_find_row(&r, "IoWI", NP);
    if (row != NULL) {
        PT_CHECK_STR(row->description, "Io work items");
        PT_CHECK_STR(row->binary, "nt!io");
    }
    row = rec_find_row(&r, "amda", NP);
    PT_CHECK(row != NULL && row->description == NULL);
    rec_free(&r);
}

static void test_lordnoteworthy_wi6(void)
{
    recording r;
    pt_error err;
    const rec_row *row;

    PT_CHECK_U64(rec_read_file(&pt_reader_poolused,
                               PT_REAL("text/poolused-02-lordnoteworthy-wi6-np.txt"), &r, &err),
                 PT_OK);
    PT_CHECK_U64(rec_rows_in_pool(&r, NP), 5);
    PT_CHECK_U64(r.ncounters, 0);
    check_row(&r, "Cont", NP, 1094, 6525216);
    check_row(&r, "Cont", PG, 0, 0);
    check_row(&r, "EtwB", NP, 128, 5041136);
    check_row(&r, "EtwB", PG, 4, 163840);
    row = rec_find_row(&r, "Cont", NP);
    if (row != NULL)
        PT_CHECK_STR(row->description,
                     "Contiguous physical memory allocations for device drivers");
    row = rec_find_row(&r, "EtwB", NP);
    if (row != NULL) {
        PT_CHECK_STR(row->description, "Etw Buffer");
        PT_CHECK_STR(row->binary, "nt!etw");
    }
    rec_free(&r);
}

static pt_status keep_fact(void *ctx, const char *name, const char *value)
{
    char *out = ctx;
    size_t n = strlen(out);
    snprintf(out + n, 512 - n, "%s=%s;", name, value);
    return PT_OK;
}

/* describe: the command and the sort order each output names */
static void test_describe_sort(void)
{
    static const char *const files[][2] = {
        {"text/poolused-04-msdocs-poolused0-xp-total.txt", "command=!poolused;sort=Tag;"},
        {"text/poolused-06-nickkuo-amda-leak-win11.txt",
         "command=!poolused 2;sort=NonPaged Pool Consumed;"},
        {"text/poolused-02-lordnoteworthy-wi6-np.txt",
         "command=!poolused 2;sort=NonPaged Pool Consumed;"},
    };
    size_t i;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        char facts[512] = "";
        pt_source *src = NULL;
        pt_read_options opt;
        pt_error err;
        memset(&opt, 0, sizeof opt);
        PT_CHECK_U64(pt_source_open_file(PT_REAL(files[i][0]), &src, &err), PT_OK);
        PT_CHECK_U64(pt_reader_poolused.describe(src, &opt, keep_fact, facts, &err), PT_OK);
        PT_CHECK_STR(facts, files[i][1]);
        pt_source_close(src);
    }
}

static void test_collapsed_reads_the_same(void)
{
    fx_check_collapsed_same(&pt_reader_poolused,
                            PT_REAL("text/poolused-04-msdocs-poolused0-xp-total.txt"));
    fx_check_collapsed_same(&pt_reader_poolused,
                            PT_REAL("text/poolused-06-nickkuo-amda-leak-win11.txt"));
    fx_check_collapsed_same(&pt_reader_poolused,
                            PT_REAL("text/poolused-02-lordnoteworthy-wi6-np.txt"));
}

/* ---- generated outputs ---- */

typedef struct gen_tag {
    const char *tag;
    uint64_t np_allocs, np_frees, np_used, p_allocs, p_frees, p_used;
    const char *desc;
} gen_tag;

static const gen_tag gen_tags[] = {
    {"Leak", 500, 100, 409600000, 0, 0, 0, "UNKNOWN pooltag 'Leak', please update pooltag.txt"},
    {"File", 90000, 89000, 320000, 12, 2, 640, "File objects"},
    {"Ntf0", 7, 0, 123456789, 1, 1, 0, "1394 starts with digits , Binary: ntfs.sys"},
    {"AGP", 1, 0, 344, 3, 1, 384, "UNKNOWN pooltag 'AGP ', please update pooltag.txt"},
};
#define GEN_N (sizeof gen_tags / sizeof gen_tags[0])

/* The new layout, 8 columns (flag 1), TAB before the description. */
static size_t gen_verbose_new(char *buf, size_t cap, int session, int break_total)
{
    size_t n = 0, i;
    uint64_t t[8] = {0};
    n += (size_t)snprintf(buf + n, cap - n, "0: kd> !poolused %d\n..\n Sorting by Tag\n\n",
                          session ? 9 : 1);
    n += (size_t)snprintf(buf + n, cap - n,
                          "                            NonPaged                                  "
                          "       Paged\n"
                          " Tag       Allocs       Frees      Diff         Used       Allocs   "
                          "    Frees      Diff         Used\n\n");
    for (i = 0; i < GEN_N; i++) {
        const gen_tag *g = &gen_tags[i];
        uint64_t v[8] = {g->np_allocs, g->np_frees, g->np_allocs - g->np_frees, g->np_used,
                         g->p_allocs,  g->p_frees,  g->p_allocs - g->p_frees,   g->p_used};
        int k;
        n += (size_t)snprintf(buf + n, cap - n,
                              " %-4s %11llu %11llu %9llu %12llu %12llu %11llu %9llu %12llu\t%s\n",
                              g->tag, (unsigned long long)v[0], (unsigned long long)v[1],
                              (unsigned long long)v[2], (unsigned long long)v[3],
                              (unsigned long long)v[4], (unsigned long long)v[5],
                              (unsigned long long)v[6], (unsigned long long)v[7], g->desc);
        for (k = 0; k < 8; k++)
            t[k] += v[k];
    }
    if (break_total)
        t[3] += 1;
    n += (size_t)snprintf(buf + n, cap - n,
                          "\nTOTAL %11llu %11llu %9llu %12llu %12llu %11llu %9llu %12llu\n",
                          (unsigned long long)t[0], (unsigned long long)t[1],
                          (unsigned long long)t[2], (unsigned long long)t[3],
                          (unsigned long long)t[4], (unsigned long long)t[5],
                          (unsigned long long)t[6], (unsigned long long)t[7]);
    return n;
}

/* The old layout (XP/2003): " %c%c%c%c %8ld %8I64ld  %8ld %8I64ld" and the
 * description glued on. */
static size_t gen_old(char *buf, size_t cap, const char *command, int break_total)
{
    size_t n = 0, i;
    uint64_t t[4] = {0};
    n += (size_t)snprintf(buf + n, cap - n,
                          "kd> %s\n   Sorting by  Tag\n\n  Pool Used:\n"
                          "            NonPaged            Paged\n"
                          " Tag    Allocs     Used    Allocs     Used\n",
                          command);
    for (i = 0; i < GEN_N; i++) {
        const gen_tag *g = &gen_tags[i];
        uint64_t v[4] = {g->np_allocs - g->np_frees, g->np_used, g->p_allocs - g->p_frees,
                         g->p_used};
        int k;
        n += (size_t)snprintf(buf + n, cap - n, " %-4s %8llu %8llu  %8llu %8llu%s\n", g->tag,
                              (unsigned long long)v[0], (unsigned long long)v[1],
                              (unsigned long long)v[2], (unsigned long long)v[3], g->desc);
        for (k = 0; k < 4; k++)
            t[k] += v[k];
    }
    if (break_total)
        t[0] += 5;
    n += (size_t)snprintf(buf + n, cap - n, " TOTAL    %8llu %8llu  %8llu %8llu\n",
                          (unsigned long long)t[0], (unsigned long long)t[1],
                          (unsigned long long)t[2], (unsigned long long)t[3]);
    return n;
}

static void check_generated(const recording *r, int verbose, pt_pool np, pt_pool pg)
{
    size_t i;
    for (i = 0; i < GEN_N; i++) {
        const gen_tag *g = &gen_tags[i];
        const rec_row *a = rec_find_row(r, g->tag, np), *b = rec_find_row(r, g->tag, pg);
        PT_CHECK(a != NULL && b != NULL);
        if (a == NULL || b == NULL)
            continue;
        PT_CHECK_U64(a->outstanding, g->np_allocs - g->np_frees);
        PT_CHECK_U64(a->bytes, g->np_used);
        PT_CHECK_U64(b->outstanding, g->p_allocs - g->p_frees);
        PT_CHECK_U64(b->bytes, g->p_used);
        if (verbose) {
            PT_CHECK_U64(a->has, PT_HAS_ALLOCS | PT_HAS_FREES | PT_HAS_OUTSTANDING |
                                     PT_HAS_BYTES);
            PT_CHECK_U64(a->allocs, g->np_allocs);
            PT_CHECK_U64(a->frees, g->np_frees);
            PT_CHECK_U64(b->allocs, g->p_allocs);
            PT_CHECK_U64(b->frees, g->p_frees);
        } else {
            PT_CHECK_U64(a->has, OUT_BYTES);
        }
    }
    {
        const rec_row *n0 = rec_find_row(r, "Ntf0", np);
        if (n0 != NULL) {
            PT_CHECK_STR(n0->description, "1394 starts with digits");
            PT_CHECK_STR(n0->binary, "ntfs.sys");
        }
    }
}

static void test_generated_verbose(void)
{
    static char buf[8192];
    size_t n = gen_verbose_new(buf, sizeof buf, 0, 0);
    recording r;
    pt_error err;

    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, buf, n, &r, &err), PT_OK);
    PT_CHECK_STR(r.samples[0].variant, "poolused-new-verbose");
    PT_CHECK_U64(r.nrows, 2 * GEN_N);
    check_generated(&r, 1, NP, PG);
    PT_CHECK_U64(rec_counter_value(&r, "TOTAL NonPaged Frees", "count"), 100 + 89000 + 0 + 0);
    PT_CHECK_U64(r.nwarnings, 0); /* complete, and the TOTAL agrees */
    rec_free(&r);

    n = gen_verbose_new(buf, sizeof buf, 0, 1);
    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, buf, n, &r, &err), PT_OK);
    PT_CHECK_U64(r.nwarnings, 1); /* NonPaged Used is one off */
    PT_CHECK(strstr(r.last_warning, "NonPaged Used") != NULL);
    rec_free(&r);
}

static void test_generated_session(void)
{
    static char buf[8192];
    size_t n = gen_verbose_new(buf, sizeof buf, 1, 0);
    recording r;
    pt_error err;

    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, buf, n, &r, &err), PT_OK);
    PT_CHECK_STR(r.samples[0].variant, "poolused-new-verbose-session");
    PT_CHECK_U64(rec_rows_in_pool(&r, PT_POOL_SESSION_NONPAGED), GEN_N);
    PT_CHECK_U64(rec_rows_in_pool(&r, PT_POOL_SESSION_PAGED), GEN_N);
    PT_CHECK_U64(rec_rows_in_pool(&r, NP), 0);
    check_generated(&r, 1, PT_POOL_SESSION_NONPAGED, PT_POOL_SESSION_PAGED);
    PT_CHECK(rec_counter_value(&r, "Session TOTAL NonPaged Used", "bytes") ==
             409600000ull + 320000 + 123456789 + 344);
    rec_free(&r);
}

static void test_generated_old(void)
{
    static char buf[8192];
    size_t n = gen_old(buf, sizeof buf, "!poolused", 0);
    recording r;
    pt_error err;

    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, buf, n, &r, &err), PT_OK);
    PT_CHECK_STR(r.samples[0].variant, "poolused-old");
    check_generated(&r, 0, NP, PG);
    PT_CHECK_U64(r.nwarnings, 0);
    rec_free(&r);

    /* complete output whose TOTAL disagrees: a warning */
    n = gen_old(buf, sizeof buf, "!poolused", 1);
    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, buf, n, &r, &err), PT_OK);
    PT_CHECK_U64(r.nwarnings, 1);
    rec_free(&r);

    /* the same with a tag filter: the TOTAL covers the shown rows, still
     * checked; with /t3 (top three) it is not */
    n = gen_old(buf, sizeof buf, "!poolused 2 L*", 1);
    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, buf, n, &r, &err), PT_OK);
    PT_CHECK_U64(r.nwarnings, 1);
    rec_free(&r);
    n = gen_old(buf, sizeof buf, "!poolused /t3 2", 1);
    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, buf, n, &r, &err), PT_OK);
    PT_CHECK_U64(r.nwarnings, 0);
    rec_free(&r);

    /* session flag 8 from the command */
    n = gen_old(buf, sizeof buf, "!poolused 8", 0);
    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, buf, n, &r, &err), PT_OK);
    PT_CHECK_U64(rec_rows_in_pool(&r, PT_POOL_SESSION_PAGED), GEN_N);
    rec_free(&r);
}

/* The old verbose layout (XP/2003 `!poolused 1`): eight %8 columns and
 * the description glued on. */
static void test_generated_old_verbose(void)
{
    static char buf[8192];
    size_t n = 0, i;
    recording r;
    pt_error err;

    n += (size_t)snprintf(buf + n, sizeof buf - n,
                          "kd> !poolused 1\n   Sorting by  Tag\n\n  Pool Used:\n"
                          "            NonPaged                    Paged\n"
                          " Tag    Allocs    Frees     Diff     Used   Allocs    Frees     Diff"
                          "     Used\n");
    for (i = 0; i < GEN_N; i++) {
        const gen_tag *g = &gen_tags[i];
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              " %-4s %8llu %8llu %8llu %8llu %8llu %8llu %8llu %8llu%s\n", g->tag,
                              (unsigned long long)g->np_allocs, (unsigned long long)g->np_frees,
                              (unsigned long long)(g->np_allocs - g->np_frees),
                              (unsigned long long)g->np_used, (unsigned long long)g->p_allocs,
                              (unsigned long long)g->p_frees,
                              (unsigned long long)(g->p_allocs - g->p_frees),
                              (unsigned long long)g->p_used, g->desc);
    }
    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, buf, n, &r, &err), PT_OK);
    PT_CHECK_STR(r.samples[0].variant, "poolused-old-verbose");
    PT_CHECK_U64(r.nrows, 2 * GEN_N);
    check_generated(&r, 1, NP, PG);
    rec_free(&r);
}

/* A column wider than its field pushes the rest right; a description
 * starting with digits is glued to the last number. */
static void test_overflowing_columns(void)
{
    static const char text[] =
        "   Sorting by  Tag\n"
        " Tag    Allocs     Used    Allocs     Used\n"
        " Big  123456789 987654321         0        71394 x\n"
        " Sml         1       16         0        0\n";
    recording r;
    pt_error err;
    const rec_row *row;

    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, text, sizeof text - 1, &r, &err), PT_OK);
    check_row(&r, "Big", NP, 123456789, 987654321);
    check_row(&r, "Big", PG, 0, 7);
    row = rec_find_row(&r, "Big", PG);
    if (row != NULL)
        PT_CHECK_STR(row->description, "1394 x");
    check_row(&r, "Sml", NP, 1, 16);
    rec_free(&r);
}

/* Rows pasted without the header line: read with the columns the
 * command prints, and a warning says so. */
static void test_headerless(void)
{
    static const char summary[] = "0: kd> !poolused 2\n"
                                  " Sorting by NonPaged Pool Consumed\n"
                                  " Leak 111 113664000 0 0 UNKNOWN pooltag 'Leak', please "
                                  "update pooltag.txt\n"
                                  " Mdl 81341 170719024 2 64 Io, Mdls\n";
    static const char verbose[] = "kd> !poolused 1\n"
                                  " Hack 5 2 3 336 0 0 0 0 UNKNOWN pooltag 'Hack'\n";
    static const char noise[] = "Number of regions cached: 292\n"
                                "2257 full reads broken into 2626 partial reads\n";
    recording r;
    pt_error err;
    const rec_row *row;

    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, summary, sizeof summary - 1, &r, &err),
                 PT_OK);
    check_row(&r, "Leak", NP, 111, 113664000);
    check_row(&r, "Mdl", PG, 2, 64);
    PT_CHECK_U64(r.nwarnings, 1);
    rec_free(&r);
    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, verbose, sizeof verbose - 1, &r, &err),
                 PT_OK);
    row = rec_find_row(&r, "Hack", NP);
    PT_CHECK(row != NULL);
    if (row != NULL) {
        PT_CHECK_U64(row->allocs, 5);
        PT_CHECK_U64(row->frees, 2);
        PT_CHECK_U64(row->outstanding, 3);
        PT_CHECK_U64(row->bytes, 336);
    }
    rec_free(&r);
    /* without the command or "Sorting by", lines like these are noise */
    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, noise, sizeof noise - 1, &r, &err),
                 PT_ERR_FORMAT);
    rec_free(&r);
}

/* Two outputs in one file: two samples. */
static void test_two_outputs(void)
{
    static char buf[16384];
    size_t n = gen_old(buf, sizeof buf, "!poolused", 0);
    recording r;
    pt_error err;

    n += gen_verbose_new(buf + n, sizeof buf - n, 0, 0);
    PT_CHECK_U64(rec_read_buffer(&pt_reader_poolused, buf, n, &r, &err), PT_OK);
    PT_CHECK_U64(r.nsamples, 2);
    PT_CHECK_U64(r.nrows, 4 * GEN_N);
    PT_CHECK_U64(r.nested + r.orphan, 0);
    rec_free(&r);
}

static void test_truncated_and_garbled(void)
{
    size_t len = 0, cut;
    char *raw = fx_slurp(PT_REAL("text/poolused-04-msdocs-poolused0-xp-total.txt"), &len);
    recording r;
    pt_error err;
    pt_status st;

    PT_CHECK(raw != NULL && len > 200);
    if (raw == NULL)
        return;
    /* cut at every byte: never a crash; either rows or a clear error */
    for (cut = 0; cut <= len; cut++) {
        pt_error_clear(&err);
        st = rec_read_buffer(&pt_reader_poolused, raw, cut, &r, &err);
        if (st != PT_OK) {
            PT_CHECK(st == PT_ERR_FORMAT);
            PT_CHECK(strstr(err.message, "buffer") != NULL);
        } else {
            PT_CHECK(r.nrows > 0 && r.nrows % 2 == 0);
            PT_CHECK_U64(r.nested + r.orphan, 0);
        }
        rec_free(&r);
    }
    /* cut inside the last row: a warning for the broken row */
    {
        const char *last = strstr(raw, " vPrt");
        size_t at = (size_t)(last - raw) + 14;
        st = rec_read_buffer(&pt_reader_poolused, raw, at, &r, &err);
        PT_CHECK_U64(st, PT_OK);
        PT_CHECK(r.nwarnings >= 1);
        PT_CHECK(rec_find_row(&r, "vPrt", NP) == NULL);
        rec_free(&r);
    }
    /* garbled rows in the middle: warnings, the good rows kept */
    {
        static const char text[] = " Sorting by Tag\n"
                                   " Tag    Allocs     Used    Allocs     Used\n"
                                   " Good        1      520         0        0x\n"
                                   " B@d   zz   12 ## 99999999999999999999999 0\n"
                                   " Huge 99999999999999999999999 1 0 0\n"
                                   " Also        2      100         1       10\n";
        st = rec_read_buffer(&pt_reader_poolused, text, sizeof text - 1, &r, &err);
        PT_CHECK_U64(st, PT_OK);
        check_row(&r, "Good", NP, 1, 520);
        check_row(&r, "Also", PG, 1, 10);
        PT_CHECK_U64(r.nrows, 4);
        PT_CHECK_U64(r.nwarnings, 2);
        rec_free(&r);
    }
    free(raw);
}

/* Saved by PowerShell as UTF-16LE: read the same. */
static void test_utf16_reads_the_same(void)
{
    fx_check_utf16_same(&pt_reader_poolused,
                        PT_REAL("seed/ws2003-x86-lkd-poolused-t5-2.txt"));
    fx_check_utf16_same(&pt_reader_poolused,
                        PT_REAL("text/poolused-04-msdocs-poolused0-xp-total.txt"));
}

PT_TEST_MAIN(PT_TEST(test_ws2012r2_t5), PT_TEST(test_ws2003_t5), PT_TEST(test_msdocs_xp),
             PT_TEST(test_nickkuo_win11), PT_TEST(test_lordnoteworthy_wi6),
             PT_TEST(test_describe_sort), PT_TEST(test_collapsed_reads_the_same),
             PT_TEST(test_utf16_reads_the_same), PT_TEST(test_generated_verbose),
             PT_TEST(test_generated_session), PT_TEST(test_generated_old),
             PT_TEST(test_generated_old_verbose),
             PT_TEST(test_overflowing_columns), PT_TEST(test_two_outputs),
             PT_TEST(test_headerless),
             PT_TEST(test_truncated_and_garbled))
