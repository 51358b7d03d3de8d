/* report_html_chart.c - the top tags' bytes over time as an inline SVG
 * line chart, built as elements of the report's libxml2 tree (never as
 * markup strings): linear axes with byte labels ("1.2 GB") and UTC times,
 * one polyline per tag, the legend as an HTML list below. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_html_tree.h"

#define CHART_W 960.0
#define CHART_H 380.0
#define CHART_LEFT 84.0
#define CHART_RIGHT 24.0
#define CHART_TOP 18.0
#define CHART_BOTTOM 56.0
#define CHART_MAX_SERIES 10
/* Over 200 days, time labels show the date only (FILETIME units). */
#define CHART_LONG_SPAN (200ull * 86400ull * 10000000ull)

static const char *const chart_colors[CHART_MAX_SERIES] = {
    "#c0392b", "#1f5fa6", "#2e8b57", "#d68910", "#7d3c98",
    "#16a085", "#a04000", "#5d6d7e", "#b7950b", "#c2185b"};

typedef struct chart_frame {
    pt_filetime t0, t1;
    uint64_t y_max;      /* top of the axis */
    uint64_t y_step;
    double unit;         /* bytes per label unit */
    const char *unit_name;
} chart_frame;

static double chart_x(const chart_frame *f, pt_filetime t)
{
    double span = (double)(f->t1 - f->t0);
    return CHART_LEFT + (span > 0 ? (double)(t - f->t0) / span : 0.5) *
                            (CHART_W - CHART_LEFT - CHART_RIGHT);
}

static double chart_y(const chart_frame *f, uint64_t bytes)
{
    double plot = CHART_H - CHART_TOP - CHART_BOTTOM;
    return CHART_TOP + plot - (f->y_max > 0 ? (double)bytes / (double)f->y_max : 0.0) * plot;
}

/* A "nice" axis: 1, 2, 2.5 or 5 times a power of ten of a binary unit. */
static void chart_scale(chart_frame *f, uint64_t max_bytes)
{
    static const char *const names[] = {"bytes", "KB", "MB", "GB", "TB", "PB"};
    static const double nice[] = {1.0, 2.0, 2.5, 5.0, 10.0};
    double unit = 1.0, raw, mag = 1.0;
    int u = 0;
    size_t i;

    if (max_bytes == 0)
        max_bytes = 1;
    while ((double)max_bytes / unit >= 1024.0 && u < 5) {
        unit *= 1024.0;
        u++;
    }
    raw = (double)max_bytes / unit / 5.0;
    while (mag * 10.0 <= raw)
        mag *= 10.0;
    while (mag > raw && mag > 1e-3)
        mag /= 10.0;
    for (i = 0; i < sizeof nice / sizeof nice[0]; i++)
        if (nice[i] * mag >= raw)
            break;
    if (i == sizeof nice / sizeof nice[0])
        i--;
    f->unit = unit;
    f->unit_name = names[u];
    f->y_step = (uint64_t)ceil(nice[i] * mag * unit);
    if (f->y_step == 0)
        f->y_step = 1;
    {
        uint64_t steps = max_bytes / f->y_step + (max_bytes % f->y_step != 0);
        /* Near 2^64 the rounded-up top would wrap: keep the maximum. */
        f->y_max = steps > UINT64_MAX / f->y_step ? max_bytes : steps * f->y_step;
    }
}

static xmlNodePtr svg_el(html_ctx *h, xmlNodePtr parent, const char *name, const char *cls)
{
    xmlNodePtr node = html_el(h, parent, name, NULL);
    html_attr(h, node, "class", cls);
    return node;
}

static void svg_num_attr(html_ctx *h, xmlNodePtr node, const char *name, double v)
{
    char text[32];
    snprintf(text, sizeof text, "%.1f", v);
    html_attr(h, node, name, text);
}

static void svg_line(html_ctx *h, xmlNodePtr parent, const char *cls, double x1, double y1,
                     double x2, double y2)
{
    xmlNodePtr line = svg_el(h, parent, "line", cls);
    svg_num_attr(h, line, "x1", x1);
    svg_num_attr(h, line, "y1", y1);
    svg_num_attr(h, line, "x2", x2);
    svg_num_attr(h, line, "y2", y2);
}

static void svg_text(html_ctx *h, xmlNodePtr parent, const char *cls, double x, double y,
                     const char *anchor, const char *text)
{
    xmlNodePtr node = html_el(h, parent, "text", text);
    html_attr(h, node, "class", cls);
    svg_num_attr(h, node, "x", x);
    svg_num_attr(h, node, "y", y);
    html_attr(h, node, "text-anchor", anchor);
}

static void chart_axes(html_ctx *h, xmlNodePtr svg, const chart_frame *f)
{
    xmlNodePtr grid = svg_el(h, svg, "g", "axes");
    double x0 = CHART_LEFT, x1 = CHART_W - CHART_RIGHT, y_base = CHART_H - CHART_BOTTOM;
    uint64_t v;
    int i;
    char label[48];

    for (v = 0; v <= f->y_max; v += f->y_step) {
        double y = chart_y(f, v), shown = (double)v / f->unit;
        svg_line(h, grid, v == 0 ? "axis" : "grid", x0, y, x1, y);
        if (v == 0)
            snprintf(label, sizeof label, "0");
        else if (fabs(shown - floor(shown + 0.5)) < 1e-9)
            snprintf(label, sizeof label, "%.0f %s", shown, f->unit_name);
        else
            snprintf(label, sizeof label, "%.1f %s", shown, f->unit_name);
        svg_text(h, grid, "tick", x0 - 8, y + 4, "end", label);
        if (f->y_max - v < f->y_step)
            break;
    }
    svg_line(h, grid, "axis", x0, CHART_TOP, x0, y_base);
    for (i = 0; i <= 5; i++) {
        /* Integer steps: the span may be anything up to 2^64. */
        pt_filetime span = f->t1 - f->t0;
        pt_filetime t = f->t0 + span / 5 * (pt_filetime)i + span % 5 * (pt_filetime)i / 5;
        double x = chart_x(f, t);
        char when[32];
        const char *tick = report_time_short(t, when);
        if (strlen(when) >= 16) {
            /* "YYYY-MM-DD HH:MM UTC": the date alone over long spans, else
             * "MM-DD HH:MM". */
            when[span > CHART_LONG_SPAN ? 10 : 16] = '\0';
            tick = span > CHART_LONG_SPAN ? when : when + 5;
        }
        svg_line(h, grid, "tickmark", x, y_base, x, y_base + 5);
        svg_text(h, grid, "tick", x, y_base + 20, i == 0 ? "start" : i == 5 ? "end" : "middle",
                 tick);
        if (f->t1 == f->t0)
            break;
    }
    svg_text(h, grid, "axis-title", (x0 + x1) / 2, CHART_H - 8, "middle", "time (UTC)");
}

static void chart_series(html_ctx *h, xmlNodePtr svg, const chart_frame *f,
                         const pt_report_series *s, const char *color)
{
    xmlNodePtr g = svg_el(h, svg, "g", "series");
    xmlNodePtr line = svg_el(h, g, "polyline", "line");
    report_buf points = {NULL, 0, 0};
    char style[64], pt[48];
    size_t i;

    snprintf(style, sizeof style, "stroke:%s", color);
    html_attr(h, line, "style", style);
    for (i = 0; i < s->point_count; i++) {
        int n = snprintf(pt, sizeof pt, "%s%.1f,%.1f", i ? " " : "", chart_x(f, s->times[i]),
                         chart_y(f, s->bytes[i]));
        if (n < 0 || (size_t)n >= sizeof pt ||
            report_buf_append(&points, pt, (size_t)n) != 0) {
            h->oom = h->failed = 1;
            report_buf_free(&points);
            return;
        }
    }
    html_attr(h, line, "points", points.data != NULL ? points.data : "");
    report_buf_free(&points);
    if (s->point_count <= 60) {
        snprintf(style, sizeof style, "fill:%s", color);
        for (i = 0; i < s->point_count; i++) {
            xmlNodePtr dot = svg_el(h, g, "circle", "dot");
            svg_num_attr(h, dot, "cx", chart_x(f, s->times[i]));
            svg_num_attr(h, dot, "cy", chart_y(f, s->bytes[i]));
            html_attr(h, dot, "r", "2.5");
            html_attr(h, dot, "style", style);
        }
    }
}

static int series_usable(const pt_report_series *s)
{
    return s->point_count > 0 && s->times != NULL && s->bytes != NULL;
}

static void chart_legend(html_ctx *h, xmlNodePtr parent, const pt_report *r, size_t shown)
{
    xmlNodePtr ul = html_el_class(h, parent, "ul", "legend", NULL);
    size_t i, k = 0;

    for (i = 0; i < r->series_count && k < shown; i++) {
        const pt_report_series *s = &r->series[i];
        xmlNodePtr li, swatch;
        char style[48], text[96], first[32], last[32];
        if (!series_usable(s))
            continue;
        li = html_el(h, ul, "li", NULL);
        swatch = html_el_class(h, li, "span", "swatch", "");
        snprintf(style, sizeof style, "background:%s", chart_colors[k % CHART_MAX_SERIES]);
        html_attr(h, swatch, "style", style);
        html_tag(h, li, s->tag, s->tag_text);
        snprintf(text, sizeof text, " %s: %s \xE2\x86\x92 %s", pt_pool_name(s->pool),
                 report_bytes_human(s->bytes[0], first),
                 report_bytes_human(s->bytes[s->point_count - 1], last));
        html_text(h, li, text);
        k++;
    }
}

void html_chart(html_ctx *h, xmlNodePtr body, const pt_report *r)
{
    xmlNodePtr section, figure, svg;
    chart_frame f;
    uint64_t max_bytes = 0;
    size_t i, j, k, shown = 0, points = 0;
    char box[64], caption[160];

    memset(&f, 0, sizeof f);
    for (i = 0; i < r->series_count && shown < CHART_MAX_SERIES; i++) {
        const pt_report_series *s = &r->series[i];
        if (!series_usable(s))
            continue;
        for (j = 0; j < s->point_count; j++) {
            if (points == 0 || s->times[j] < f.t0)
                f.t0 = s->times[j];
            if (points == 0 || s->times[j] > f.t1)
                f.t1 = s->times[j];
            if (s->bytes[j] > max_bytes)
                max_bytes = s->bytes[j];
            points++;
        }
        shown++;
    }
    section = html_section(h, body, "chart", NULL, "Top tags over time");
    if (shown == 0 || r->sample_count < 2 || f.t1 == f.t0) {
        html_el_class(h, section, "p", "none",
                   r->sample_count == 0
                       ? "No samples in this case: nothing to chart."
                   : r->sample_count == 1
                       ? "A single sample: there is no series to chart. A series of poolmon "
                         "snapshots (or a pool trace) shows whether a tag grows."
                   : shown > 0
                       ? "All samples carry the same time: there is no series to chart."
                       : "The top tags have no samples over time: nothing to chart.");
        return;
    }
    chart_scale(&f, max_bytes);
    figure = html_el_class(h, section, "figure", "chart", NULL);
    svg = svg_el(h, figure, "svg", NULL);
    snprintf(box, sizeof box, "0 0 %.0f %.0f", CHART_W, CHART_H);
    html_attr(h, svg, "viewBox", box);
    html_attr(h, svg, "role", "img");
    html_attr(h, svg, "aria-label", "bytes of the top tags over time");
    html_attr(h, svg, "preserveAspectRatio", "xMidYMid meet");
    chart_axes(h, svg, &f);
    /* Drawn last to first so the top tag (the likely suspect) lies on top. */
    for (k = shown; k > 0; k--) {
        for (i = 0, j = 0; i < r->series_count; i++) {
            if (!series_usable(&r->series[i]))
                continue;
            if (++j == k)
                break;
        }
        chart_series(h, svg, &f, &r->series[i], chart_colors[(k - 1) % CHART_MAX_SERIES]);
    }
    snprintf(caption, sizeof caption, "Outstanding bytes per tag, %zu tag%s over %u samples "
             "(linear scale).", shown, shown == 1 ? "" : "s", r->sample_count);
    html_el(h, figure, "figcaption", caption);
    chart_legend(h, figure, r, shown);
}
