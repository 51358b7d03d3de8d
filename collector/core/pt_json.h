/* pt_json.h - a small strict JSON (RFC 8259) writer and parser.
 *
 * The parser builds a tree in a pt_arena and refuses anything outside the
 * grammar: trailing commas, comments, raw control characters in strings,
 * invalid UTF-8, lone surrogates, duplicate object keys, nesting deeper than
 * max_depth, more than PT_JSON_MAX_NODES values.  The caller bounds the
 * input size before reading it.
 */
#ifndef PT_JSON_H
#define PT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "pt_arena.h"
#include "pt_error.h"

#define PT_JSON_MAX_DEPTH 64
#define PT_JSON_MAX_NODES 4000000u

typedef enum pt_json_type {
    PT_JSON_NULL,
    PT_JSON_FALSE,
    PT_JSON_TRUE,
    PT_JSON_NUMBER,
    PT_JSON_STRING,
    PT_JSON_ARRAY,
    PT_JSON_OBJECT,
} pt_json_type;

typedef struct pt_json_value pt_json_value;

struct pt_json_value {
    pt_json_type type;
    /* NUMBER: is_uint when it is a non-negative integer that fits uint64
     * (no sign, fraction or exponent); text is the number as written. */
    int is_uint;
    uint64_t uint_value;
    /* STRING (decoded, NUL-terminated; len counts bytes and may differ
     * from strlen when the text held \u0000) and NUMBER text. */
    const char *text;
    size_t len;
    /* ARRAY and OBJECT: count items; OBJECT keys[i] names items[i]. */
    size_t count;
    pt_json_value **items;
    const char **keys;
    size_t *key_lens;
    uint64_t offset;       /* where the value starts in the text */
};

/* Parses text[0..len) as one JSON value (whitespace around it allowed).
 * Errors name file and the absolute offset base_offset + position. */
pt_status pt_json_parse(pt_arena *arena, const char *text, size_t len, int max_depth,
                        const char *file, uint64_t base_offset, pt_json_value **out,
                        pt_error *err);

/* The member named key of an object, or NULL. */
const pt_json_value *pt_json_get(const pt_json_value *object, const char *key);
/* The string member key when it is a string without NUL bytes, else NULL. */
const char *pt_json_get_string(const pt_json_value *object, const char *key);
/* 1 and *value when member key is an unsigned integer, else 0. */
int pt_json_get_uint(const pt_json_value *object, const char *key, uint64_t *value);

/* ---- writing: a growing buffer of compact JSON ---- */

typedef struct pt_json_writer {
    char *buf;
    size_t len, cap;
    int failed;                         /* out of memory or misuse */
    int depth;
    unsigned char first[PT_JSON_MAX_DEPTH]; /* no comma needed yet at depth */
    int after_key;
} pt_json_writer;

void pt_json_writer_init(pt_json_writer *w);
void pt_json_writer_free(pt_json_writer *w);
void pt_json_begin_object(pt_json_writer *w);
void pt_json_end_object(pt_json_writer *w);
void pt_json_begin_array(pt_json_writer *w);
void pt_json_end_array(pt_json_writer *w);
void pt_json_key(pt_json_writer *w, const char *key);
void pt_json_string(pt_json_writer *w, const char *s);
void pt_json_uint(pt_json_writer *w, uint64_t v);
void pt_json_bool(pt_json_writer *w, int v);
void pt_json_null(pt_json_writer *w);
/* Appends raw text (a newline at the end). */
void pt_json_raw(pt_json_writer *w, const char *s);

#endif
