/* case_report.h - build the report model of one case from the archive. */
#ifndef PT_CASE_REPORT_H
#define PT_CASE_REPORT_H

#include "archive.h"
#include "report_model.h"

/* Fills r (initialized by the caller with pt_report_init) with the
 * analysed case: suspects ranked by evidence, pools against limits, the
 * tag table, series of the top tags, sources, past cases.
 * PT_ERR_NOT_FOUND when the case does not exist. */
pt_status pt_case_build_report(pt_archive *a, const char *case_name, pt_report *r,
                               pt_error *err);

#endif
