/* fuzz_etl_decompress.c - XPRESS and LZNT1 over arbitrary bytes.  The
 * first two bytes choose the output room, so short and long outputs are
 * both exercised; a result must never exceed the room. */
#include <stdint.h>
#include <stdlib.h>

#include "etl_decompress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[0x20000];
    size_t room;
    long n;
    if (size < 2)
        return 0;
    room = ((size_t)data[0] | ((size_t)data[1] << 8)) * 2u;
    if (room > sizeof out)
        room = sizeof out;
    n = etl_xpress_decompress(data + 2, size - 2, out, room);
    if (n > (long)room)
        abort();
    n = etl_lznt1_decompress(data + 2, size - 2, out, room);
    if (n > (long)room)
        abort();
    return 0;
}
