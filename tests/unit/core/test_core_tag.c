/* Tags and times: raw values, escaping, FILETIME text. */
#include "pt_evidence.h"
#include "pt_tag.h"
#include "pt_test.h"

static void test_tag_roundtrip(void)
{
    char text[PT_TAG_TEXT_MAX];
    pt_tag t = 0;
    PT_CHECK(pt_tag_parse("Leak", 4, &t) == 0);
    PT_CHECK_U64(t, 0x6B61654Cu);
    PT_CHECK_STR(pt_tag_format(t, text), "Leak");
    PT_CHECK(pt_tag_parse("Cc", 2, &t) == 0);
    PT_CHECK_STR(pt_tag_format(t, text), "Cc  ");
    PT_CHECK_STR(pt_tag_format(0xE36F7250u, text), "Pro\\xE3");
    PT_CHECK(pt_tag_parse("Pro\\xE3", 7, &t) == 0);
    PT_CHECK_U64(t, 0xE36F7250u);
    PT_CHECK(pt_tag_parse("toolong", 7, &t) != 0);
    PT_CHECK(pt_tag_parse("", 0, &t) != 0);
}

static void test_filetime(void)
{
    char text[32];
    pt_filetime ft = 0;
    PT_CHECK_STR(pt_filetime_format(132583451029877657ull, text),
                 "2021-02-21T01:38:22.9877657Z");
    PT_CHECK(pt_filetime_parse("2021-02-21T01:38:22.9877657Z", &ft) == 0);
    PT_CHECK_U64(ft, 132583451029877657ull);
    PT_CHECK(pt_filetime_parse("2021-02-21 01:38", &ft) == 0);
    PT_CHECK_U64(pt_filetime_to_unix(ft), 1613871480);
    PT_CHECK(pt_filetime_parse("garbage", &ft) != 0);
}

PT_TEST_MAIN(PT_TEST(test_tag_roundtrip), PT_TEST(test_filetime))
