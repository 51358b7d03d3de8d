/* pt_json.c - strict JSON parser (recursive descent, bounded depth) and a
 * compact writer. */
#include "pt_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct json_parser {
    pt_arena *arena;
    const unsigned char *p;
    size_t len, pos;
    int max_depth;
    size_t nodes;
    const char *file;
    uint64_t base;
    pt_error *err;
} json_parser;

static pt_status json_fail(json_parser *jp, pt_status code, const char *what)
{
    return pt_error_set(jp->err, code, jp->file, jp->base + jp->pos, "JSON: %s", what);
}

static void skip_space(json_parser *jp)
{
    while (jp->pos < jp->len) {
        unsigned char c = jp->p[jp->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        jp->pos++;
    }
}

static pt_json_value *new_value(json_parser *jp, pt_json_type type)
{
    pt_json_value *v;
    if (jp->nodes >= PT_JSON_MAX_NODES)
        return NULL;
    v = pt_arena_alloc(jp->arena, sizeof *v);
    if (v == NULL)
        return NULL;
    jp->nodes++;
    v->type = type;
    v->offset = jp->base + jp->pos;
    return v;
}

static int hex4(const unsigned char *s, unsigned *out)
{
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        unsigned char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid
 * (overlong forms, surrogates and values past U+10FFFF are invalid). */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned cp;
    size_t need, i;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        need = 2;
        cp = s[0] & 0x1Fu;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        need = 3;
        cp = s[0] & 0x0Fu;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        need = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return need;
}

/* Parses a string at jp->pos (the opening quote); the decoded text is never
 * longer than the source, so one allocation of the source length suffices. */
static pt_status parse_string(json_parser *jp, const char **out, size_t *out_len)
{
    size_t start = ++jp->pos, end = start, n = 0;
    char *buf;

    while (end < jp->len && jp->p[end] != '"') {
        if (jp->p[end] == '\\')
            end++;
        end++;
    }
    if (end >= jp->len)
        return json_fail(jp, PT_ERR_CORRUPT, "unterminated string");
    buf = pt_arena_alloc(jp->arena, end - start + 1);
    if (buf == NULL)
        return json_fail(jp, PT_ERR_NOMEM, "out of memory");
    while (jp->pos < end) {
        unsigned char c = jp->p[jp->pos];
        if (c < 0x20)
            return json_fail(jp, PT_ERR_CORRUPT, "control character in string");
        if (c == '\\') {
            unsigned char e = jp->p[jp->pos + 1];
            unsigned cp;
            jp->pos += 2;
            switch (e) {
            case '"': buf[n++] = '"'; break;
            case '\\': buf[n++] = '\\'; break;
            case '/': buf[n++] = '/'; break;
            case 'b': buf[n++] = '\b'; break;
            case 'f': buf[n++] = '\f'; break;
            case 'n': buf[n++] = '\n'; break;
            case 'r': buf[n++] = '\r'; break;
            case 't': buf[n++] = '\t'; break;
            case 'u':
                if (end - jp->pos < 4 || !hex4(jp->p + jp->pos, &cp))
                    return json_fail(jp, PT_ERR_CORRUPT, "bad \\u escape");
                jp->pos += 4;
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return json_fail(jp, PT_ERR_CORRUPT, "lone low surrogate");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned lo;
                    if (end - jp->pos < 6 || jp->p[jp->pos] != '\\' ||
                        jp->p[jp->pos + 1] != 'u' || !hex4(jp->p + jp->pos + 2, &lo) ||
                        lo < 0xDC00 || lo > 0xDFFF)
                        return json_fail(jp, PT_ERR_CORRUPT, "lone high surrogate");
                    jp->pos += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                n += put_utf8(buf + n, cp);
                break;
            default:
                jp->pos--;
                return json_fail(jp, PT_ERR_CORRUPT, "bad escape in string");
            }
        } else {
            size_t seq = utf8_sequence(jp->p + jp->pos, end - jp->pos);
            if (seq == 0)
                return json_fail(jp, PT_ERR_CORRUPT, "invalid UTF-8 in string");
            memcpy(buf + n, jp->p + jp->pos, seq);
            n += seq;
            jp->pos += seq;
        }
    }
    jp->pos = end + 1;
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return PT_OK;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static pt_status parse_number(json_parser *jp, pt_json_value *v)
{
    size_t start = jp->pos;
    int plain = 1;
    uint64_t u = 0;
    char *text;

    if (jp->p[jp->pos] == '-') {
        plain = 0;
        jp->pos++;
    }
    if (jp->pos >= jp->len || !is_digit(jp->p[jp->pos]))
        return json_fail(jp, PT_ERR_CORRUPT, "bad number");
    if (jp->p[jp->pos] == '0') {
        jp->pos++;
    } else {
        while (jp->pos < jp->len && is_digit(jp->p[jp->pos])) {
            unsigned d = (unsigned)(jp->p[jp->pos] - '0');
            if (u > (UINT64_MAX - d) / 10)
                plain = 0;
            else
                u = u * 10 + d;
            jp->pos++;
        }
    }
    if (jp->pos < jp->len && jp->p[jp->pos] == '.') {
        plain = 0;
        jp->pos++;
        if (jp->pos >= jp->len || !is_digit(jp->p[jp->pos]))
            return json_fail(jp, PT_ERR_CORRUPT, "bad number fraction");
        while (jp->pos < jp->len && is_digit(jp->p[jp->pos]))
            jp->pos++;
    }
    if (jp->pos < jp->len && (jp->p[jp->pos] == 'e' || jp->p[jp->pos] == 'E')) {
        plain = 0;
        jp->pos++;
        if (jp->pos < jp->len && (jp->p[jp->pos] == '+' || jp->p[jp->pos] == '-'))
            jp->pos++;
        if (jp->pos >= jp->len || !is_digit(jp->p[jp->pos]))
            return json_fail(jp, PT_ERR_CORRUPT, "bad number exponent");
        while (jp->pos < jp->len && is_digit(jp->p[jp->pos]))
            jp->pos++;
    }
    text = pt_arena_strndup(jp->arena, (const char *)jp->p + start, jp->pos - start);
    if (text == NULL)
        return json_fail(jp, PT_ERR_NOMEM, "out of memory");
    v->text = text;
    v->len = jp->pos - start;
    v->is_uint = plain;
    v->uint_value = plain ? u : 0;
    return PT_OK;
}

static int match_word(json_parser *jp, const char *word)
{
    size_t n = strlen(word);
    if (jp->len - jp->pos < n || memcmp(jp->p + jp->pos, word, n) != 0)
        return 0;
    jp->pos += n;
    return 1;
}

static pt_status parse_value(json_parser *jp, int depth, pt_json_value **out);

/* Appends item (and key) to a container, growing its arrays by doubling. */
static pt_status container_push(json_parser *jp, pt_json_value *c, size_t *cap,
                                pt_json_value *item, const char *key, size_t key_len)
{
    if (c->count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        c->items = pt_arena_grow(jp->arena, c->items, c->count, ncap, sizeof *c->items);
        if (c->items == NULL)
            return json_fail(jp, PT_ERR_NOMEM, "out of memory");
        if (c->type == PT_JSON_OBJECT) {
            c->keys = pt_arena_grow(jp->arena, (void *)c->keys, c->count, ncap,
                                    sizeof *c->keys);
            c->key_lens = pt_arena_grow(jp->arena, c->key_lens, c->count, ncap,
                                        sizeof *c->key_lens);
            if (c->keys == NULL || c->key_lens == NULL)
                return json_fail(jp, PT_ERR_NOMEM, "out of memory");
        }
        *cap = ncap;
    }
    c->items[c->count] = item;
    if (c->type == PT_JSON_OBJECT) {
        c->keys[c->count] = key;
        c->key_lens[c->count] = key_len;
    }
    c->count++;
    return PT_OK;
}

static int object_has_key(const pt_json_value *obj, const char *key, size_t len)
{
    size_t i;
    /* Objects here are small (a member's attributes); linear is fine and
     * the count is bounded by the input size. */
    for (i = 0; i < obj->count; i++)
        if (obj->key_lens[i] == len && memcmp(obj->keys[i], key, len) == 0)
            return 1;
    return 0;
}

static pt_status parse_container(json_parser *jp, int depth, pt_json_value *c)
{
    int is_object = c->type == PT_JSON_OBJECT;
    char close = is_object ? '}' : ']';
    size_t cap = 0;
    pt_status st;

    jp->pos++;
    skip_space(jp);
    if (jp->pos < jp->len && jp->p[jp->pos] == close) {
        jp->pos++;
        return PT_OK;
    }
    for (;;) {
        const char *key = NULL;
        size_t key_len = 0;
        pt_json_value *item;

        skip_space(jp);
        if (is_object) {
            if (jp->pos >= jp->len || jp->p[jp->pos] != '"')
                return json_fail(jp, PT_ERR_CORRUPT, "expected a key string");
            if ((st = parse_string(jp, &key, &key_len)) != PT_OK)
                return st;
            if (object_has_key(c, key, key_len))
                return json_fail(jp, PT_ERR_CORRUPT, "duplicate key in object");
            skip_space(jp);
            if (jp->pos >= jp->len || jp->p[jp->pos] != ':')
                return json_fail(jp, PT_ERR_CORRUPT, "expected ':'");
            jp->pos++;
        }
        if ((st = parse_value(jp, depth + 1, &item)) != PT_OK)
            return st;
        if ((st = container_push(jp, c, &cap, item, key, key_len)) != PT_OK)
            return st;
        skip_space(jp);
        if (jp->pos >= jp->len)
            return json_fail(jp, PT_ERR_TRUNCATED, "text ends inside a container");
        if (jp->p[jp->pos] == close) {
            jp->pos++;
            return PT_OK;
        }
        if (jp->p[jp->pos] != ',')
            return json_fail(jp, PT_ERR_CORRUPT, "expected ',' or a closing bracket");
        jp->pos++;
    }
}

static pt_status parse_value(json_parser *jp, int depth, pt_json_value **out)
{
    pt_json_value *v;
    unsigned char c;
    pt_status st = PT_OK;

    if (depth > jp->max_depth)
        return json_fail(jp, PT_ERR_LIMIT, "nested too deep");
    skip_space(jp);
    if (jp->pos >= jp->len)
        return json_fail(jp, PT_ERR_TRUNCATED, "text ends where a value was expected");
    v = new_value(jp, PT_JSON_NULL);
    if (v == NULL)
        return json_fail(jp, jp->nodes >= PT_JSON_MAX_NODES ? PT_ERR_LIMIT : PT_ERR_NOMEM,
                         "too many values or out of memory");
    c = jp->p[jp->pos];
    if (c == '{' || c == '[') {
        v->type = c == '{' ? PT_JSON_OBJECT : PT_JSON_ARRAY;
        st = parse_container(jp, depth, v);
    } else if (c == '"') {
        v->type = PT_JSON_STRING;
        st = parse_string(jp, &v->text, &v->len);
    } else if (c == '-' || is_digit(c)) {
        v->type = PT_JSON_NUMBER;
        st = parse_number(jp, v);
    } else if (match_word(jp, "true")) {
        v->type = PT_JSON_TRUE;
    } else if (match_word(jp, "false")) {
        v->type = PT_JSON_FALSE;
    } else if (match_word(jp, "null")) {
        v->type = PT_JSON_NULL;
    } else {
        st = json_fail(jp, PT_ERR_CORRUPT, "unexpected character");
    }
    *out = v;
    return st;
}

pt_status pt_json_parse(pt_arena *arena, const char *text, size_t len, int max_depth,
                        const char *file, uint64_t base_offset, pt_json_value **out,
                        pt_error *err)
{
    json_parser jp;
    pt_status st;

    memset(&jp, 0, sizeof jp);
    jp.arena = arena;
    jp.p = (const unsigned char *)text;
    jp.len = len;
    jp.max_depth = max_depth > PT_JSON_MAX_DEPTH ? PT_JSON_MAX_DEPTH : max_depth;
    jp.file = file;
    jp.base = base_offset;
    jp.err = err;
    *out = NULL;
    st = parse_value(&jp, 1, out);
    if (st != PT_OK)
        return st;
    skip_space(&jp);
    if (jp.pos != jp.len)
        return json_fail(&jp, PT_ERR_CORRUPT, "extra text after the value");
    return PT_OK;
}

const pt_json_value *pt_json_get(const pt_json_value *object, const char *key)
{
    size_t i, n = strlen(key);
    if (object == NULL || object->type != PT_JSON_OBJECT)
        return NULL;
    for (i = 0; i < object->count; i++)
        if (object->key_lens[i] == n && memcmp(object->keys[i], key, n) == 0)
            return object->items[i];
    return NULL;
}

const char *pt_json_get_string(const pt_json_value *object, const char *key)
{
    const pt_json_value *v = pt_json_get(object, key);
    if (v == NULL || v->type != PT_JSON_STRING || strlen(v->text) != v->len)
        return NULL;
    return v->text;
}

int pt_json_get_uint(const pt_json_value *object, const char *key, uint64_t *value)
{
    const pt_json_value *v = pt_json_get(object, key);
    if (v == NULL || v->type != PT_JSON_NUMBER || !v->is_uint)
        return 0;
    *value = v->uint_value;
    return 1;
}

/* ---- writer ---- */

void pt_json_writer_init(pt_json_writer *w)
{
    memset(w, 0, sizeof *w);
    w->first[0] = 1;
}

void pt_json_writer_free(pt_json_writer *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

static void put(pt_json_writer *w, const char *s, size_t n)
{
    if (w->failed)
        return;
    if (w->cap - w->len <= n) {
        size_t ncap = w->cap ? w->cap : 256;
        char *nb;
        while (ncap - w->len <= n) {
            if (ncap > SIZE_MAX / 2) {
                w->failed = 1;
                return;
            }
            ncap *= 2;
        }
        nb = realloc(w->buf, ncap);
        if (nb == NULL) {
            w->failed = 1;
            return;
        }
        w->buf = nb;
        w->cap = ncap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

/* The comma before a value, unless it follows a key or opens a container. */
static void before_value(pt_json_writer *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (!w->first[w->depth])
        put(w, ",", 1);
    w->first[w->depth] = 0;
}

static void begin(pt_json_writer *w, const char *open)
{
    before_value(w);
    put(w, open, 1);
    if (w->depth + 1 >= PT_JSON_MAX_DEPTH) {
        w->failed = 1;
        return;
    }
    w->depth++;
    w->first[w->depth] = 1;
}

static void end(pt_json_writer *w, const char *close)
{
    if (w->depth == 0) {
        w->failed = 1;
        return;
    }
    w->depth--;
    put(w, close, 1);
}

void pt_json_begin_object(pt_json_writer *w) { begin(w, "{"); }
void pt_json_end_object(pt_json_writer *w) { end(w, "}"); }
void pt_json_begin_array(pt_json_writer *w) { begin(w, "["); }
void pt_json_end_array(pt_json_writer *w) { end(w, "]"); }

static void put_quoted(pt_json_writer *w, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    put(w, "\"", 1);
    while (*p != '\0') {
        size_t run = 0;
        while (p[run] >= 0x20 && p[run] != '"' && p[run] != '\\' && p[run] < 0x80)
            run++;
        if (run > 0) {
            put(w, (const char *)p, run);
            p += run;
            continue;
        }
        if (*p >= 0x80) {
            /* Valid UTF-8 passes through; a stray byte becomes U+FFFD so
             * the output always parses. */
            size_t seq = utf8_sequence(p, strlen((const char *)p));
            if (seq == 0) {
                put(w, "\\ufffd", 6);
                p++;
            } else {
                put(w, (const char *)p, seq);
                p += seq;
            }
            continue;
        }
        if (*p == '"') {
            put(w, "\\\"", 2);
        } else if (*p == '\\') {
            put(w, "\\\\", 2);
        } else if (*p == '\n') {
            put(w, "\\n", 2);
        } else if (*p == '\t') {
            put(w, "\\t", 2);
        } else if (*p == '\r') {
            put(w, "\\r", 2);
        } else {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)*p);
            put(w, esc, 6);
        }
        p++;
    }
    put(w, "\"", 1);
}

void pt_json_key(pt_json_writer *w, const char *key)
{
    before_value(w);
    put_quoted(w, key);
    put(w, ":", 1);
    w->after_key = 1;
}

void pt_json_string(pt_json_writer *w, const char *s)
{
    before_value(w);
    put_quoted(w, s);
}

void pt_json_uint(pt_json_writer *w, uint64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%llu", (unsigned long long)v);
    before_value(w);
    put(w, num, (size_t)n);
}

void pt_json_bool(pt_json_writer *w, int v)
{
    before_value(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void pt_json_null(pt_json_writer *w)
{
    before_value(w);
    put(w, "null", 4);
}

void pt_json_raw(pt_json_writer *w, const char *s)
{
    put(w, s, strlen(s));
}
