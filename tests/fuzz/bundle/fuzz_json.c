/* fuzz_json.c - the strict JSON parser over arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "pt_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pt_arena arena;
    pt_json_value *v = NULL;
    pt_error err;

    if (size > (1u << 20))
        return 0;
    pt_arena_init(&arena);
    if (pt_json_parse(&arena, (const char *)data, size, 16, "fuzz.json", 0, &v, &err) == PT_OK)
        (void)pt_json_get_string(v, "name");
    pt_arena_free(&arena);
    return 0;
}
