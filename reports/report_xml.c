/* report_xml.c - the case report as XML. */
#include "report_xml.h"

pt_status pt_report_write_xml(const pt_report *r, const char *path, pt_error *err)
{
    (void)r;
    return pt_error_set(err, PT_ERR_UNSUPPORTED, path, PT_NO_OFFSET, "XML report writer not built yet");
}
