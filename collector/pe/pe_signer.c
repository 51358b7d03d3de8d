/* pe_signer.c - the embedded Authenticode signature (pe-drivers.md §1.8):
 * the signer certificate's subject and issuer, found by matching the
 * SignerInfo's issuer and serial (not cert[0]: intermediates and
 * timestamping certificates share the SET), and a count of signatures
 * including nested ones.  Nothing is validated: this names, it does not
 * trust. */
#include <stdio.h>
#include <string.h>

#include "pe_der.h"
#include "pe_internal.h"
#include "pt_byteorder.h"

#define WIN_CERT_HEADER 8
#define WIN_CERT_PKCS_SIGNED_DATA 0x0002
#define SIGNATURE_MAX_SIZE (64u * 1024u * 1024u)
#define NAME_TEXT_MAX 1024
#define NEST_MAX_DEPTH 4

/* 1.2.840.113549.1.7.2 signedData */
static const uint8_t oid_signed_data[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02};
/* 1.3.6.1.4.1.311.2.4.1 nested signature */
static const uint8_t oid_nested[] = {0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x04, 0x01};

typedef struct signer_found {
    der_item issuer, serial;      /* from the first SignerInfo */
    int have_signer;
    der_item certs;               /* the [0] certificates of the outer SignedData */
    int have_certs;
    uint32_t count;
} signer_found;

static pt_status parse_content_info(const uint8_t *p, size_t len, signer_found *f, int depth);

/* Counts the nested signatures in a SignerInfo's unauthenticated attributes. */
static void scan_unauth_attrs(const der_item *attrs, signer_found *f, int depth)
{
    der_iter it;
    der_item attr;

    der_iter_init(&it, attrs);
    while (der_next(&it, &attr) == 1) {
        der_iter ai, vi;
        der_item oid, values, v;
        if (attr.tag != DER_SEQUENCE)
            continue;
        der_iter_init(&ai, &attr);
        if (der_next(&ai, &oid) != 1 || der_next(&ai, &values) != 1)
            continue;
        if (!der_oid_is(&oid, oid_nested, sizeof oid_nested) || values.tag != DER_SET)
            continue;
        der_iter_init(&vi, &values);
        while (der_next(&vi, &v) == 1)
            (void)parse_content_info(v.start, v.total, f, depth + 1);
    }
}

static int parse_signer_info(const der_item *si, signer_found *f, int depth)
{
    der_iter it, ias;
    der_item version, iands, item;

    der_iter_init(&it, si);
    if (der_next(&it, &version) != 1 || version.tag != DER_INTEGER)
        return -1;
    if (der_next(&it, &iands) != 1 || iands.tag != DER_SEQUENCE)
        return -1;
    if (!f->have_signer) {
        der_iter_init(&ias, &iands);
        if (der_next(&ias, &f->issuer) != 1 || f->issuer.tag != DER_SEQUENCE ||
            der_next(&ias, &f->serial) != 1 || f->serial.tag != DER_INTEGER)
            return -1;
        f->have_signer = 1;
    }
    f->count++;
    while (der_next(&it, &item) == 1)
        if (item.tag == DER_CTX1)
            scan_unauth_attrs(&item, f, depth);
    return 0;
}

/* ContentInfo {OID signedData, [0] SignedData {version, digestAlgs,
 * encapContentInfo, [0] certs, [1] crls, signerInfos}}. */
static pt_status parse_content_info(const uint8_t *p, size_t len, signer_found *f, int depth)
{
    der_item ci, oid, wrap, sd, item;
    der_iter it;

    if (depth > NEST_MAX_DEPTH)
        return PT_ERR_LIMIT;
    if (der_read(p, len, &ci) != 0 || ci.tag != DER_SEQUENCE)
        return PT_ERR_CORRUPT;
    der_iter_init(&it, &ci);
    if (der_next(&it, &oid) != 1 || !der_oid_is(&oid, oid_signed_data, sizeof oid_signed_data))
        return PT_ERR_CORRUPT;
    if (der_next(&it, &wrap) != 1 || wrap.tag != DER_CTX0)
        return PT_ERR_CORRUPT;
    der_iter_init(&it, &wrap);
    if (der_next(&it, &sd) != 1 || sd.tag != DER_SEQUENCE)
        return PT_ERR_CORRUPT;
    der_iter_init(&it, &sd);
    for (;;) {
        int r = der_next(&it, &item);
        if (r == 0)
            break;
        if (r < 0)
            return PT_ERR_CORRUPT;
        if (item.tag == DER_CTX0 && depth == 0 && !f->have_certs) {
            f->certs = item;
            f->have_certs = 1;
        } else if (item.tag == DER_SET) {
            /* digestAlgorithms is a SET too: its members fail the
             * SignerInfo shape (no INTEGER version) and are skipped. */
            der_iter si_it;
            der_item si;
            der_iter_init(&si_it, &item);
            while (der_next(&si_it, &si) == 1)
                if (si.tag == DER_SEQUENCE)
                    (void)parse_signer_info(&si, f, depth);
        }
    }
    return PT_OK;
}

static const char *attr_short_name(const der_item *oid)
{
    static const struct {
        uint8_t last;
        const char *name;
    } x520[] = {{3, "CN"}, {6, "C"}, {7, "L"}, {8, "ST"}, {10, "O"}, {11, "OU"}};
    static const uint8_t email[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01};
    size_t i;

    if (oid->len == 3 && oid->value[0] == 0x55 && oid->value[1] == 0x04)
        for (i = 0; i < sizeof x520 / sizeof x520[0]; i++)
            if (oid->value[2] == x520[i].last)
                return x520[i].name;
    if (der_oid_is(oid, email, sizeof email))
        return "emailAddress";
    return NULL;
}

static void append(char *out, size_t cap, size_t *pos, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n && *pos + 1 < cap; i++)
        out[(*pos)++] = s[i];
    out[*pos] = '\0';
}

/* Appends a directory string as UTF-8 (BMPString is UTF-16BE). */
static void append_string(char *out, size_t cap, size_t *pos, const der_item *v)
{
    size_t i;
    if (v->tag == DER_BMP) {
        for (i = 0; i + 1 < v->len; i += 2) {
            unsigned c = ((unsigned)v->value[i] << 8) | v->value[i + 1];
            char u[3];
            if (c < 0x80) {
                u[0] = (char)c;
                append(out, cap, pos, u, 1);
            } else if (c < 0x800) {
                u[0] = (char)(0xC0 | (c >> 6));
                u[1] = (char)(0x80 | (c & 0x3F));
                append(out, cap, pos, u, 2);
            } else {
                u[0] = (char)(0xE0 | (c >> 12));
                u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
                u[2] = (char)(0x80 | (c & 0x3F));
                append(out, cap, pos, u, 3);
            }
        }
        return;
    }
    for (i = 0; i < v->len; i++) {
        char c = (char)v->value[i];
        if (v->value[i] < 0x20 || v->value[i] == 0x7F)
            c = '?';
        append(out, cap, pos, &c, 1);
    }
}

/* Name ::= SEQUENCE OF SET OF {OID, value}, written "C=US, O=..., CN=..."
 * in the order of the certificate. */
static void format_name(const der_item *name, char *out, size_t cap)
{
    der_iter rdns, set_it, atv_it;
    der_item rdn, atv, oid, value;
    size_t pos = 0;

    out[0] = '\0';
    der_iter_init(&rdns, name);
    while (der_next(&rdns, &rdn) == 1) {
        if (rdn.tag != DER_SET)
            continue;
        der_iter_init(&set_it, &rdn);
        while (der_next(&set_it, &atv) == 1) {
            const char *key;
            if (atv.tag != DER_SEQUENCE)
                continue;
            der_iter_init(&atv_it, &atv);
            if (der_next(&atv_it, &oid) != 1 || der_next(&atv_it, &value) != 1)
                continue;
            key = attr_short_name(&oid);
            if (key == NULL)
                continue;
            if (pos > 0)
                append(out, cap, &pos, ", ", 2);
            append(out, cap, &pos, key, strlen(key));
            append(out, cap, &pos, "=", 1);
            append_string(out, cap, &pos, &value);
        }
    }
}

static int same_item(const der_item *a, const der_item *b)
{
    return a->total == b->total && memcmp(a->start, b->start, a->total) == 0;
}

/* Finds the certificate whose TBS issuer and serial equal the signer's. */
static int find_signer_cert(const signer_found *f, der_item *subject, der_item *issuer)
{
    der_iter certs, cert_it, tbs_it;
    der_item cert, tbs, item, serial, sigalg, iss, validity, subj;

    der_iter_init(&certs, &f->certs);
    while (der_next(&certs, &cert) == 1) {
        if (cert.tag != DER_SEQUENCE)
            continue;
        der_iter_init(&cert_it, &cert);
        if (der_next(&cert_it, &tbs) != 1 || tbs.tag != DER_SEQUENCE)
            continue;
        der_iter_init(&tbs_it, &tbs);
        if (der_next(&tbs_it, &item) != 1)
            continue;
        if (item.tag == DER_CTX0) {
            if (der_next(&tbs_it, &serial) != 1)
                continue;
        } else {
            serial = item;
        }
        if (der_next(&tbs_it, &sigalg) != 1 || der_next(&tbs_it, &iss) != 1 ||
            der_next(&tbs_it, &validity) != 1 || der_next(&tbs_it, &subj) != 1)
            continue;
        if (serial.tag == DER_INTEGER && same_item(&serial, &f->serial) &&
            same_item(&iss, &f->issuer)) {
            *subject = subj;
            *issuer = iss;
            return 0;
        }
    }
    return -1;
}

pt_status pe_read_signer(pe_ctx *ctx, pt_error *err)
{
    const pe_image *img = &ctx->img;
    struct pt_driver_record *rec = ctx->rec;
    uint32_t off, size, length;
    signer_found found;
    der_item subject, issuer;
    char text[NAME_TEXT_MAX];

    rec->signature = "none";
    if (img->dir_count <= PE_DIR_SECURITY || img->dirs[PE_DIR_SECURITY].rva == 0 ||
        img->dirs[PE_DIR_SECURITY].size == 0)
        return PT_OK;
    rec->signature = "unreadable";
    /* The security directory's address is a file offset (§1.3). */
    off = img->dirs[PE_DIR_SECURITY].rva;
    size = img->dirs[PE_DIR_SECURITY].size;
    if (size > SIGNATURE_MAX_SIZE || !pt_range_ok(off, size, img->size) ||
        size < WIN_CERT_HEADER)
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, off,
                            "security directory (%u bytes) is outside the file", size);
    length = pt_le32(img->data + off);
    if (length < WIN_CERT_HEADER || length > size)
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, off,
                            "WIN_CERTIFICATE length %u does not fit its directory (%u bytes)",
                            length, size);
    if (pt_le16(img->data + off + 6) != WIN_CERT_PKCS_SIGNED_DATA)
        return pt_error_set(err, PT_ERR_UNSUPPORTED, img->file, off + 6,
                            "WIN_CERTIFICATE type 0x%04X is not PKCS#7 SignedData",
                            pt_le16(img->data + off + 6));
    memset(&found, 0, sizeof found);
    if (parse_content_info(img->data + off + WIN_CERT_HEADER, length - WIN_CERT_HEADER, &found,
                           0) != PT_OK ||
        !found.have_signer || !found.have_certs)
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, off + WIN_CERT_HEADER,
                            "Authenticode signature is not a readable PKCS#7 SignedData");
    rec->signature = "embedded";
    rec->signature_count = found.count;
    if (find_signer_cert(&found, &subject, &issuer) != 0)
        return pt_error_set(err, PT_ERR_CORRUPT, img->file, off + WIN_CERT_HEADER,
                            "no certificate in the signature matches the signer");
    format_name(&subject, text, sizeof text);
    rec->signer_subject = pt_arena_strdup(ctx->arena, text);
    format_name(&issuer, text, sizeof text);
    rec->signer_issuer = pt_arena_strdup(ctx->arena, text);
    if (rec->signer_subject == NULL || rec->signer_issuer == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, img->file, PT_NO_OFFSET, "out of memory");
    return PT_OK;
}
