/* bundle_stub_tmp.c - temporary: lets pooltriage link until the writer and
 * reader land (replaced within the hour). */
#include "bundle.h"

pt_status pt_bundle_writer_open(const char *path, const pt_bundle_info *info,
                                pt_bundle_writer **out, pt_error *err)
{ *out = NULL; return pt_error_set(err, PT_ERR_UNSUPPORTED, path, PT_NO_OFFSET, "bundle writer not built yet"); }
pt_status pt_bundle_add_source(pt_bundle_writer *w, const char *name, const char *kind,
                               pt_source *src, const pt_bundle_attr *attrs,
                               size_t attr_count, pt_error *err)
{ return pt_error_set(err, PT_ERR_UNSUPPORTED, name, PT_NO_OFFSET, "not built yet"); }
pt_status pt_bundle_add_buffer(pt_bundle_writer *w, const char *name, const char *kind,
                               const void *data, size_t len, const pt_bundle_attr *attrs,
                               size_t attr_count, pt_error *err)
{ return pt_error_set(err, PT_ERR_UNSUPPORTED, name, PT_NO_OFFSET, "not built yet"); }
pt_status pt_bundle_writer_close(pt_bundle_writer *w, pt_error *err)
{ return pt_error_set(err, PT_ERR_UNSUPPORTED, NULL, PT_NO_OFFSET, "not built yet"); }
void pt_bundle_writer_abort(pt_bundle_writer *w) { (void)w; }
pt_status pt_bundle_open(const char *path, int flags, pt_bundle **out, pt_error *err)
{ *out = NULL; return pt_error_set(err, PT_ERR_UNSUPPORTED, path, PT_NO_OFFSET, "bundle reader not built yet"); }
void pt_bundle_close(pt_bundle *b) { (void)b; }
int pt_bundle_is_partial(const pt_bundle *b) { (void)b; return 0; }
const char *pt_bundle_id(const pt_bundle *b) { (void)b; return ""; }
const char *pt_bundle_path(const pt_bundle *b) { (void)b; return ""; }
const pt_bundle_info *pt_bundle_get_info(const pt_bundle *b) { (void)b; return NULL; }
size_t pt_bundle_member_count(const pt_bundle *b) { (void)b; return 0; }
const pt_bundle_member *pt_bundle_member_at(const pt_bundle *b, size_t i) { (void)b; (void)i; return NULL; }
const char *pt_bundle_member_attr(const pt_bundle_member *m, const char *key) { (void)m; (void)key; return NULL; }
pt_status pt_bundle_open_member(pt_bundle *b, size_t i, pt_source **out, pt_error *err)
{ *out = NULL; return pt_error_set(err, PT_ERR_UNSUPPORTED, NULL, PT_NO_OFFSET, "not built yet"); }
pt_status pt_bundle_verify_member(pt_bundle *b, size_t i, pt_error *err)
{ return pt_error_set(err, PT_ERR_UNSUPPORTED, NULL, PT_NO_OFFSET, "not built yet"); }
pt_status pt_bundle_verify(pt_bundle *b, pt_error *err)
{ return pt_error_set(err, PT_ERR_UNSUPPORTED, NULL, PT_NO_OFFSET, "not built yet"); }
