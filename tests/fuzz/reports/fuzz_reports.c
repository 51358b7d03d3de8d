/* fuzz_reports.c - renders report models whose strings and numbers come
 * from the input.  The input is cut at NUL bytes into strings; the first
 * 64 bytes (if present) also give the numbers.  Whatever the strings hold
 * (markup, invalid UTF-8, control characters), the XML must be well-formed
 * and the HTML must render. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "report_html.h"
#include "report_xml.h"

#define FUZZ_MAX_STRINGS 64
#define FUZZ_MAX_POINTS 48

typedef struct fuzz_input {
    char *copy;
    const char *strings[FUZZ_MAX_STRINGS];
    size_t count;
    const uint8_t *data;
    size_t size;
    size_t next_string, next_byte;
} fuzz_input;

static const char *fuzz_str(fuzz_input *in)
{
    if (in->count == 0)
        return NULL;
    return in->strings[in->next_string++ % in->count];
}

static uint64_t fuzz_u64(fuzz_input *in)
{
    uint64_t v = 0;
    size_t i;
    for (i = 0; i < 8; i++)
        v = (v << 8) | (in->size ? in->data[(in->next_byte++) % in->size] : 0);
    return v;
}

static double fuzz_double(fuzz_input *in)
{
    uint64_t bits = fuzz_u64(in);
    double d;
    memcpy(&d, &bits, sizeof d); /* any pattern: NaN, infinities, denormals */
    return d;
}

static void fuzz_split(fuzz_input *in, const uint8_t *data, size_t size)
{
    size_t i, start = 0;

    memset(in, 0, sizeof *in);
    in->data = data;
    in->size = size;
    in->copy = malloc(size + 1);
    if (in->copy == NULL)
        return;
    memcpy(in->copy, data, size);
    in->copy[size] = '\0';
    for (i = 0; i <= size && in->count < FUZZ_MAX_STRINGS; i++) {
        if (i == size || in->copy[i] == '\0') {
            in->strings[in->count++] = in->copy + start;
            start = i + 1;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const verdicts[] = {"leaking", "growing", "large", "stable",
                                           "leaked-allocations", NULL};
    static const char *const kinds[] = {"stack", "callsite", "tagfile", "literal",
                                        "binary-column", NULL};
    fuzz_input in;
    pt_report r;
    pt_report_suspect suspect;
    pt_report_candidate cand[2];
    pt_report_tag tags[2];
    pt_report_pool pool;
    pt_report_counter counter;
    pt_report_fact fact;
    pt_report_series series;
    pt_report_source source;
    pt_report_past_case past;
    pt_report_advisory advisory;
    pt_report_leaked_stack stack;
    pt_report_module module;
    pt_filetime times[FUZZ_MAX_POINTS];
    uint64_t bytes[FUZZ_MAX_POINTS];
    const char *warning;
    char *out = NULL;
    size_t len = 0, i, points;
    xmlDocPtr doc;

    if (size > 1 << 16)
        return 0;
    fuzz_split(&in, data, size);
    if (in.copy == NULL)
        return 0;
    pt_report_init(&r);
    memset(&suspect, 0, sizeof suspect);
    memset(cand, 0, sizeof cand);
    memset(tags, 0, sizeof tags);
    memset(&pool, 0, sizeof pool);
    memset(&counter, 0, sizeof counter);
    memset(&series, 0, sizeof series);
    memset(&source, 0, sizeof source);
    memset(&stack, 0, sizeof stack);
    memset(&module, 0, sizeof module);

    r.case_name = fuzz_str(&in);
    r.generated = fuzz_str(&in);
    r.summary = fuzz_str(&in);
    r.sample_count = (unsigned)(fuzz_u64(&in) % 1000);
    r.first_time = fuzz_u64(&in);
    r.last_time = fuzz_u64(&in);

    for (i = 0; i < 2; i++) {
        cand[i].driver = fuzz_str(&in);
        cand[i].evidence = kinds[fuzz_u64(&in) % 6];
        cand[i].detail = fuzz_str(&in);
        cand[i].vendor = fuzz_str(&in);
        cand[i].file_version = fuzz_str(&in);
        cand[i].signer = fuzz_str(&in);
        cand[i].sha256 = fuzz_str(&in);
        cand[i].third_party = (int)(fuzz_u64(&in) % 3) - 1;
    }
    suspect.rank = (int)(fuzz_u64(&in) % 100);
    suspect.tag = (pt_tag)fuzz_u64(&in);
    suspect.tag_text = fuzz_str(&in);
    suspect.pool = (pt_pool)(fuzz_u64(&in) % 4);
    suspect.verdict = verdicts[fuzz_u64(&in) % 6];
    suspect.bytes = fuzz_u64(&in);
    suspect.outstanding = fuzz_u64(&in);
    suspect.growth_bytes_per_hour = fuzz_double(&in);
    suspect.persistence = fuzz_double(&in);
    suspect.share = fuzz_double(&in);
    suspect.samples = (unsigned)fuzz_u64(&in);
    suspect.reason = fuzz_str(&in);
    suspect.description = fuzz_str(&in);
    suspect.description_origin = fuzz_str(&in);
    suspect.candidates = cand;
    suspect.candidate_count = 2;
    suspect.findstr_count = (unsigned)fuzz_u64(&in);
    r.suspects = &suspect;
    r.suspect_count = 1;

    for (i = 0; i < 2; i++) {
        tags[i].tag = (pt_tag)fuzz_u64(&in);
        tags[i].tag_text = fuzz_str(&in);
        tags[i].pool = (pt_pool)(fuzz_u64(&in) % 4);
        tags[i].has = (uint32_t)fuzz_u64(&in);
        tags[i].bytes = fuzz_u64(&in);
        tags[i].description = fuzz_str(&in);
        tags[i].binary = fuzz_str(&in);
    }
    r.tags = tags;
    r.tag_count = 2;
    r.top_tag_count = (size_t)(fuzz_u64(&in) % 4);

    pool.name = fuzz_str(&in);
    pool.usage_bytes = fuzz_u64(&in);
    pool.max_bytes = fuzz_u64(&in);
    pool.growth_bytes_per_hour = fuzz_double(&in);
    pool.hours_to_exhaustion = fuzz_double(&in);
    pool.note = fuzz_str(&in);
    r.pools = &pool;
    r.pool_count = 1;
    counter.name = fuzz_str(&in);
    counter.unit = fuzz_str(&in);
    counter.value = fuzz_u64(&in);
    r.counters = &counter;
    r.counter_count = 1;
    fact.name = fuzz_str(&in);
    fact.value = fuzz_str(&in);
    r.facts = &fact;
    r.fact_count = 1;

    points = (size_t)(fuzz_u64(&in) % FUZZ_MAX_POINTS);
    for (i = 0; i < points; i++) {
        times[i] = fuzz_u64(&in) >> (fuzz_u64(&in) % 64);
        bytes[i] = fuzz_u64(&in) >> (fuzz_u64(&in) % 64);
    }
    series.tag = (pt_tag)fuzz_u64(&in);
    series.point_count = points;
    series.times = times;
    series.bytes = bytes;
    r.series = &series;
    r.series_count = 1;

    source.name = fuzz_str(&in);
    source.kind = fuzz_str(&in);
    source.sha256 = fuzz_str(&in);
    source.bundle = fuzz_str(&in);
    r.sources = &source;
    r.source_count = 1;
    past.case_name = fuzz_str(&in);
    past.tag_text = fuzz_str(&in);
    past.driver = fuzz_str(&in);
    past.verdict = fuzz_str(&in);
    past.when = fuzz_str(&in);
    r.past_cases = &past;
    r.past_case_count = 1;
    advisory.vendor = fuzz_str(&in);
    advisory.driver = fuzz_str(&in);
    advisory.versions = fuzz_str(&in);
    advisory.fixed_version = fuzz_str(&in);
    advisory.reference = fuzz_str(&in);
    advisory.text = fuzz_str(&in);
    advisory.tag = (pt_tag)fuzz_u64(&in);
    r.advisories = &advisory;
    r.advisory_count = 1;
    stack.module = fuzz_str(&in);
    stack.frames = fuzz_str(&in);
    stack.offset = fuzz_u64(&in);
    r.leaked_stacks = &stack;
    r.leaked_stack_count = 1;
    module.name = fuzz_str(&in);
    module.disk_note = fuzz_str(&in);
    module.base = fuzz_u64(&in);
    r.modules = &module;
    r.module_count = 1;
    warning = fuzz_str(&in);
    r.warnings = &warning;
    r.warning_count = 1;

    if (pt_report_xml_string(&r, &out, &len, NULL) == PT_OK) {
        /* Well-formed whatever the strings held. */
        doc = xmlReadMemory(out, (int)len, "fuzz.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (doc == NULL)
            abort();
        xmlFreeDoc(doc);
    }
    free(out);
    out = NULL;
    if (pt_report_html_string(&r, &out, &len, NULL) == PT_OK && strstr(out, "<script") != NULL)
        abort();
    free(out);
    pt_report_free(&r);
    free(in.copy);
    return 0;
}
