/* advisories.c - known-issue advisories: load (libxml2, no network, no
 * entity expansion) and match against a case's drivers. */
#include "advisories.h"
#include "archive_tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#define ADVISORY_NS "urn:pooltriage:advisories:1"

int pt_version_parse(const char *text, uint16_t out[4])
{
    int part = 0;
    const char *p = text;
    memset(out, 0, 4 * sizeof out[0]);
    if (text == NULL || *p == '\0')
        return -1;
    for (;;) {
        unsigned long v = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 6) {
            v = v * 10 + (unsigned long)(*p - '0');
            p++;
            digits++;
        }
        if (digits == 0 || v > 65535)
            return -1;
        out[part++] = (uint16_t)v;
        if (*p == '\0')
            return 0;
        if (*p != '.' || part == 4)
            return -1;
        p++;
    }
}

int pt_version_compare(const uint16_t a[4], const uint16_t b[4])
{
    int i;
    for (i = 0; i < 4; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

void pt_advisories_free(pt_advisory_set *set)
{
    pt_arena_free(&set->arena);
    memset(set, 0, sizeof *set);
}

/* The text of the child element `name` of n, trimmed, in the arena. */
static const char *child_text(pt_advisory_set *set, xmlNodePtr n, const char *name,
                              xmlNodePtr *found)
{
    xmlNodePtr c;
    for (c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, (const xmlChar *)name) == 0) {
            xmlChar *t = xmlNodeGetContent(c);
            const char *s, *e;
            char *out;
            if (found != NULL)
                *found = c;
            if (t == NULL)
                return NULL;
            s = (const char *)t;
            while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
                s++;
            e = s + strlen(s);
            while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
                e--;
            out = pt_arena_strndup(&set->arena, s, (size_t)(e - s));
            xmlFree(t);
            return out;
        }
    }
    return NULL;
}

static const char *attr_text(pt_advisory_set *set, xmlNodePtr n, const char *name)
{
    xmlChar *v;
    char *out;
    if (n == NULL)
        return NULL;
    v = xmlGetProp(n, (const xmlChar *)name);
    if (v == NULL)
        return NULL;
    out = pt_arena_strdup(&set->arena, (const char *)v);
    xmlFree(v);
    return out;
}

static pt_status bad_entry(pt_error *err, const char *path, xmlNodePtr n, const char *what)
{
    return pt_error_set(err, PT_ERR_CORRUPT, path, PT_NO_OFFSET, "advisory at line %ld: %s",
                        (long)xmlGetLineNo(n), what);
}

static pt_status read_advisory(pt_advisory_set *set, xmlNodePtr n, const char *path,
                               pt_advisory *adv, pt_error *err)
{
    xmlNodePtr versions = NULL, tag_node = NULL;
    const char *tag_text, *hex;

    memset(adv, 0, sizeof *adv);
    adv->id = attr_text(set, n, "id");
    adv->vendor = child_text(set, n, "vendor", NULL);
    adv->driver = child_text(set, n, "driver", NULL);
    adv->pool = child_text(set, n, "pool", NULL);
    adv->fixed_version = child_text(set, n, "fixedVersion", NULL);
    adv->reference = child_text(set, n, "reference", NULL);
    adv->text = child_text(set, n, "text", NULL);
    (void)child_text(set, n, "versions", &versions);
    tag_text = child_text(set, n, "tag", &tag_node);
    if (adv->driver == NULL || adv->driver[0] == '\0')
        return bad_entry(err, path, n, "no <driver>");
    if (adv->reference == NULL || adv->reference[0] == '\0')
        return bad_entry(err, path, n, "no <reference>");
    if (versions == NULL)
        return bad_entry(err, path, n, "no <versions> (write <versions/> for all versions)");
    adv->min_text = attr_text(set, versions, "min");
    adv->max_text = attr_text(set, versions, "max");
    if (adv->min_text != NULL) {
        if (pt_version_parse(adv->min_text, adv->min) != 0)
            return bad_entry(err, path, n, "versions min is not a version a.b.c.d");
        adv->has_min = 1;
    }
    if (adv->max_text != NULL) {
        if (pt_version_parse(adv->max_text, adv->max) != 0)
            return bad_entry(err, path, n, "versions max is not a version a.b.c.d");
        adv->has_max = 1;
    }
    if (adv->fixed_version != NULL) {
        uint16_t fixed[4];
        if (pt_version_parse(adv->fixed_version, fixed) != 0)
            return bad_entry(err, path, n, "fixedVersion is not a version a.b.c.d");
    }
    hex = attr_text(set, tag_node, "hex");
    if (hex != NULL) {
        char *end;
        unsigned long v = strtoul(hex, &end, 16);
        if (strncmp(hex, "0x", 2) != 0 || *end != '\0' || strlen(hex) != 10)
            return bad_entry(err, path, n, "tag hex is not 0xNNNNNNNN");
        adv->tag = (pt_tag)v;
    } else if (tag_text == NULL || pt_tag_parse(tag_text, strlen(tag_text), &adv->tag) != 0) {
        return bad_entry(err, path, n, "no <tag>, or not 1-4 characters");
    }
    if (adv->pool == NULL)
        adv->pool = "";
    return PT_OK;
}

pt_status pt_advisories_load(const char *path, pt_advisory_set *set, pt_error *err)
{
    struct stat sb;
    xmlDocPtr doc = NULL;
    xmlNodePtr root, n;
    size_t count = 0, i = 0;
    pt_status rc = PT_OK;

    memset(set, 0, sizeof *set);
    pt_arena_init(&set->arena);
    if (stat(path, &sb) != 0)
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET, "cannot open the advisory file");
    if ((uint64_t)sb.st_size > PT_ADVISORY_MAX_FILE)
        return pt_error_set(err, PT_ERR_LIMIT, path, PT_NO_OFFSET,
                            "advisory file is over %u bytes", PT_ADVISORY_MAX_FILE);
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL)
        return pt_error_set(err, PT_ERR_CORRUPT, path, PT_NO_OFFSET,
                            "not well-formed XML (an advisory file, schema/advisory.xsd)");
    root = xmlDocGetRootElement(doc);
    if (root == NULL || xmlStrcmp(root->name, (const xmlChar *)"advisories") != 0 ||
        root->ns == NULL || xmlStrcmp(root->ns->href, (const xmlChar *)ADVISORY_NS) != 0) {
        rc = pt_error_set(err, PT_ERR_FORMAT, path, PT_NO_OFFSET,
                          "not an advisory file (root <advisories xmlns=\"%s\">)", ADVISORY_NS);
        goto out;
    }
    for (n = root->children; n != NULL; n = n->next)
        if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)"advisory") == 0)
            count++;
    if (count > PT_ADVISORY_MAX_COUNT) {
        rc = pt_error_set(err, PT_ERR_LIMIT, path, PT_NO_OFFSET, "more than %u advisories",
                          PT_ADVISORY_MAX_COUNT);
        goto out;
    }
    set->items = pt_arena_alloc(&set->arena, (count ? count : 1) * sizeof *set->items);
    if (set->items == NULL) {
        rc = pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
        goto out;
    }
    for (n = root->children; n != NULL && rc == PT_OK; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, (const xmlChar *)"advisory") != 0)
            continue;
        rc = read_advisory(set, n, path, &set->items[i], err);
        if (rc == PT_OK)
            i++;
    }
    set->count = i;
out:
    xmlFreeDoc(doc);
    if (rc != PT_OK)
        pt_advisories_free(set);
    return rc;
}

static int in_range(const pt_advisory *adv, const char *version)
{
    uint16_t v[4];
    if (version == NULL || pt_version_parse(version, v) != 0)
        return 0;
    if (adv->has_min && pt_version_compare(v, adv->min) < 0)
        return 0;
    if (adv->has_max && pt_version_compare(v, adv->max) > 0)
        return 0;
    return 1;
}

static pt_status match_one(pt_archive *a, int64_t case_id, const pt_advisory *adv,
                           pt_advisory_fn fn, void *ctx, pt_error *err)
{
    static const char sql[] =
        "SELECT d.name, d.file_version FROM drivers d WHERE d.case_id = ?1 "
        "AND d.name = ?2 COLLATE NOCASE AND (EXISTS (SELECT 1 FROM suspects s "
        "WHERE s.case_id = ?1 AND s.tag = ?4) OR EXISTS (SELECT 1 FROM driver_tags t "
        "WHERE t.driver_id = d.id AND t.tag = ?3)) ORDER BY d.path";
    sqlite3_stmt *st = NULL;
    pt_status rc = pt_archive_prepare(a, sql, &st, err);
    int step;

    if (rc != PT_OK)
        return rc;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_text(st, 2, adv->driver, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, adv->tag);
    /* Suspects carry the match key ('MPP ' for the debugger's 'MPP\0'). */
    sqlite3_bind_int64(st, 4, pt_tag_match_key(adv->tag));
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *version = (const char *)sqlite3_column_text(st, 1);
        char sentence[1024], tag_text[PT_TAG_TEXT_MAX];
        pt_advisory_match m;
        if (!in_range(adv, version))
            continue;
        pt_tag_format(adv->tag, tag_text);
        /* Trailing blanks of a short tag ("MPP ") read badly in a sentence. */
        {
            size_t n = strlen(tag_text);
            while (n > 1 && tag_text[n - 1] == ' ')
                tag_text[--n] = '\0';
        }
        if (adv->fixed_version != NULL)
            snprintf(sentence, sizeof sentence,
                     "%s %s has a known %s%sleak in tag %s, fixed in %s, see %s", name, version,
                     adv->pool, adv->pool[0] ? " " : "", tag_text, adv->fixed_version,
                     adv->reference);
        else
            snprintf(sentence, sizeof sentence,
                     "%s %s has a known %s%sleak in tag %s, with no fixed version known, see %s",
                     name, version, adv->pool, adv->pool[0] ? " " : "", tag_text,
                     adv->reference);
        m.advisory = adv;
        m.driver = name;
        m.file_version = version;
        m.sentence = sentence;
        rc = fn(ctx, &m);
        if (rc != PT_OK)
            break;
    }
    if (rc == PT_OK && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = pt_archive_db_error(a, err, "cannot match the advisories");
    sqlite3_finalize(st);
    return rc;
}

pt_status pt_advisories_match(pt_archive *a, int64_t case_id, const pt_advisory_set *set,
                              pt_advisory_fn fn, void *ctx, pt_error *err)
{
    size_t i;
    pt_status rc = PT_OK;
    for (i = 0; i < set->count && rc == PT_OK; i++)
        rc = match_one(a, case_id, &set->items[i], fn, ctx, err);
    return rc;
}
