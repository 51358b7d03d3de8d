/* report_html.c - the case report as HTML. */
#include "report_html.h"

pt_status pt_report_write_html(const pt_report *r, const char *path, pt_error *err)
{
    (void)r;
    return pt_error_set(err, PT_ERR_UNSUPPORTED, path, PT_NO_OFFSET, "HTML report writer not built yet");
}
