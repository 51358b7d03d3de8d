/* test_bundle_json.c - SHA-256 against FIPS 180-2 vectors; the JSON parser
 * against well-formed, malformed and hostile input; the writer's output
 * parsed back. */
#include "pt_test.h"

#include "pt_json.h"
#include "pt_sha256.h"

static void sha_hex_of(const void *data, size_t len, char hex[65])
{
    uint8_t d[PT_SHA256_LEN];
    pt_sha256_buffer(data, len, d);
    pt_sha256_hex(d, hex);
}

static void test_sha256_vectors(void)
{
    char hex[65];
    pt_sha256 ctx;
    uint8_t d[PT_SHA256_LEN];
    static char block[1000];
    int i;

    sha_hex_of("abc", 3, hex);
    PT_CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha_hex_of("", 0, hex);
    PT_CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha_hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
    PT_CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* a million 'a', fed in pieces of odd sizes to cross block edges */
    memset(block, 'a', sizeof block);
    pt_sha256_init(&ctx);
    for (i = 0; i < 1000; i++) {
        pt_sha256_update(&ctx, block, 333);
        pt_sha256_update(&ctx, block, 667);
    }
    pt_sha256_final(&ctx, d);
    pt_sha256_hex(d, hex);
    PT_CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    PT_CHECK(pt_sha256_parse_hex(hex, d));
    PT_CHECK(!pt_sha256_parse_hex("abc", d));
    PT_CHECK(!pt_sha256_parse_hex("zdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", d));
}

static pt_status parse(const char *text, pt_arena *a, pt_json_value **v, pt_error *err)
{
    return pt_json_parse(a, text, strlen(text), 16, "t.json", 100, v, err);
}

static void test_json_good(void)
{
    pt_arena a;
    pt_json_value *v;
    pt_error err;
    uint64_t u = 0;

    pt_arena_init(&a);
    PT_CHECK_U64(parse(" {\"a\":[1,2,{\"b\":null}],\"s\":\"x\\u00e9\\ud83d\\ude00\\n\","
                       "\"n\":18446744073709551615,\"f\":-1.5e3,\"t\":true} ",
                       &a, &v, &err),
                 PT_OK);
    PT_CHECK(v->type == PT_JSON_OBJECT && v->count == 5);
    PT_CHECK(pt_json_get_uint(v, "n", &u) && u == UINT64_MAX);
    PT_CHECK(!pt_json_get_uint(v, "f", &u));
    PT_CHECK_STR(pt_json_get_string(v, "s"), "x\xc3\xa9\xf0\x9f\x98\x80\n");
    PT_CHECK(pt_json_get(v, "a")->count == 3);
    PT_CHECK(pt_json_get(v, "t")->type == PT_JSON_TRUE);
    /* \u0000 decodes, but get_string refuses a string holding NUL */
    PT_CHECK_U64(parse("{\"k\":\"a\\u0000b\"}", &a, &v, &err), PT_OK);
    PT_CHECK(pt_json_get(v, "k")->len == 3);
    PT_CHECK(pt_json_get_string(v, "k") == NULL);
    pt_arena_free(&a);
}

static void test_json_bad(void)
{
    static const char *bad[] = {
        "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", "-", "1e",
        "\"abc", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"a\tb\"", "[1 2]", "nul",
        "{\"a\":1,\"a\":2}", "\"\xc3\x28\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "[] []",
        "// c\n1", "'a'", "[1]x", "+1", "\"\\u12\"",
    };
    pt_arena a;
    pt_json_value *v;
    pt_error err;
    size_t i;
    char deep[200];

    pt_arena_init(&a);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pt_status st = parse(bad[i], &a, &v, &err);
        PT_CHECK(st == PT_ERR_CORRUPT || st == PT_ERR_TRUNCATED);
        if (st == PT_OK)
            fprintf(stderr, "accepted bad JSON #%lu: %s\n", (unsigned long)i, bad[i]);
        else
            PT_CHECK(strstr(err.message, "t.json: offset 0x") != NULL);
    }
    /* too deep: 17 levels against a limit of 16 */
    memset(deep, 0, sizeof deep);
    memset(deep, '[', 17);
    memset(deep + 17, ']', 17);
    PT_CHECK_U64(parse(deep, &a, &v, &err), PT_ERR_LIMIT);
    PT_CHECK(strstr(err.message, "too deep") != NULL);
    deep[0] = ' ';
    deep[33] = ' ';
    PT_CHECK_U64(parse(deep, &a, &v, &err), PT_OK);
    pt_arena_free(&a);
}

static void test_json_writer_round_trip(void)
{
    pt_json_writer w;
    pt_arena a;
    pt_json_value *v;
    pt_error err;

    pt_json_writer_init(&w);
    pt_json_begin_object(&w);
    pt_json_key(&w, "q\"uote");
    pt_json_string(&w, "tab\there \x01 \xff bad utf8, \xc3\xa9 good");
    pt_json_key(&w, "list");
    pt_json_begin_array(&w);
    pt_json_uint(&w, 0);
    pt_json_uint(&w, UINT64_MAX);
    pt_json_bool(&w, 0);
    pt_json_null(&w);
    pt_json_begin_object(&w);
    pt_json_end_object(&w);
    pt_json_end_array(&w);
    pt_json_end_object(&w);
    PT_CHECK(!w.failed);
    PT_CHECK_STR(w.buf, "{\"q\\\"uote\":\"tab\\there \\u0001 \\ufffd bad utf8, \xc3\xa9 good\","
                        "\"list\":[0,18446744073709551615,false,null,{}]}");
    pt_arena_init(&a);
    PT_CHECK_U64(pt_json_parse(&a, w.buf, w.len, 8, "w", 0, &v, &err), PT_OK);
    PT_CHECK_STR(pt_json_get_string(v, "q\"uote"), "tab\there \x01 \xef\xbf\xbd bad utf8, \xc3\xa9 good");
    pt_arena_free(&a);
    pt_json_writer_free(&w);
}

PT_TEST_MAIN(PT_TEST(test_sha256_vectors), PT_TEST(test_json_good), PT_TEST(test_json_bad),
             PT_TEST(test_json_writer_round_trip))
