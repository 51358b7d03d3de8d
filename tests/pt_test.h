/* pt_test.h - a small assertion kit for the unit tests.
 *
 * A test program is a list of functions run by PT_TEST_MAIN; a failed
 * check prints file:line and the values, and the program exits non-zero.
 * It ends with the plain line "N passed, N failed".
 */
#ifndef PT_TEST_H
#define PT_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pt_test_failures;
static int pt_test_checks;

#define PT_CHECK(cond)                                                              \
    do {                                                                            \
        pt_test_checks++;                                                           \
        if (!(cond)) {                                                              \
            pt_test_failures++;                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                           \
    } while (0)

#define PT_CHECK_U64(a, b)                                                          \
    do {                                                                            \
        uint64_t pt_a_ = (uint64_t)(a), pt_b_ = (uint64_t)(b);                      \
        pt_test_checks++;                                                           \
        if (pt_a_ != pt_b_) {                                                       \
            pt_test_failures++;                                                     \
            fprintf(stderr, "%s:%d: %s == %s failed: %" PRIu64 " != %" PRIu64 "\n", \
                    __FILE__, __LINE__, #a, #b, pt_a_, pt_b_);                      \
        }                                                                           \
    } while (0)

#define PT_CHECK_STR(a, b)                                                          \
    do {                                                                            \
        const char *pt_a_ = (a), *pt_b_ = (b);                                      \
        pt_test_checks++;                                                           \
        if (pt_a_ == NULL || pt_b_ == NULL || strcmp(pt_a_, pt_b_) != 0) {          \
            pt_test_failures++;                                                     \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__,  \
                    __LINE__, #a, #b, pt_a_ ? pt_a_ : "(null)",                     \
                    pt_b_ ? pt_b_ : "(null)");                                      \
        }                                                                           \
    } while (0)

/* Runs each test function, prints the closing line, returns the exit code. */
typedef void (*pt_test_fn)(void);
typedef struct pt_test_case {
    const char *name;
    pt_test_fn fn;
} pt_test_case;

#define PT_TEST(fn) {#fn, fn}

static inline int pt_test_run(const pt_test_case *cases, size_t n)
{
    int passed = 0, failed = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        int before = pt_test_failures;
        cases[i].fn();
        if (pt_test_failures == before) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAIL %s\n", cases[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

#define PT_TEST_MAIN(...)                                                 \
    int main(void)                                                        \
    {                                                                     \
        static const pt_test_case cases[] = {__VA_ARGS__};                \
        return pt_test_run(cases, sizeof cases / sizeof cases[0]);        \
    }

/* Path helpers: $PT_REAL_DATA/rel, $PT_TEST_DATA/rel (static buffer). */
static inline const char *pt_test_path(const char *env, const char *rel)
{
    static char buf[4][4096];
    static int which;
    const char *base = getenv(env);
    char *out = buf[which++ & 3];
    snprintf(out, 4096, "%s/%s", base ? base : ".", rel);
    return out;
}
#define PT_REAL(rel) pt_test_path("PT_REAL_DATA", rel)
#define PT_DATA(rel) pt_test_path("PT_TEST_DATA", rel)

#endif
