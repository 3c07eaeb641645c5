/* `dialsim run --report FILE.html`: one self-contained page (no network, no
 * external file: the style, the script and the SVG are all inline) that a
 * person reads after a CI run. Every scenario is a <details> (failed ones
 * open), every run a timeline drawn as SVG on the scenario's simulated clock,
 * from the "timeline" that worker_run puts in each run (world.c). The page
 * stays usable at 1,000 scenarios: passing scenarios start collapsed (a closed
 * <details> is not laid out), and a filter box and a "failed only" switch
 * hide the rest with a few lines of script. */
#include "runner/report.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/xml_escape.h"

/* The plot's geometry, in px: lane labels left of X0, PLOT_W px of time. */
enum { X0 = 120, PLOT_W = 820, LANE_H = 26, TOP = 8, AXIS_H = 26 };

/* Lanes, top to bottom: the core's run and window, what the core sent and got
 * back (trigger or provider API), the calls the PSTN delivered, webhooks and
 * transcripts. */
enum lane { L_CORE, L_REQUEST, L_DIAL, L_WEBHOOK, N_LANES };
static const char *const lane_names[N_LANES] = {"core", "trigger / API", "calls", "webhooks"};

/* What an event-log line is, from its words (core.c writes them). */
static const char *event_kind(const char *text, enum lane *lane)
{
    *lane = L_REQUEST;
    if (!strncmp(text, "POST ", 5) || !strncmp(text, "GET ", 4))
        return "request";
    if (strstr(text, "(poll)"))
        return "outcome";
    if (strstr(text, "webhook") || strstr(text, "transcript")) {
        *lane = L_WEBHOOK;
        return strstr(text, "transcript") ? "transcript" : "webhook";
    }
    if (strstr(text, " answered ") || !strncmp(text, "trigger ", 8))
        return "answer";
    if (!strncmp(text, "inbound call", 12) || !strncmp(text, "call ended", 10)) {
        *lane = L_DIAL;
        return "call";
    }
    *lane = L_CORE;
    return "core";
}

static double num(const json_t *o, const char *k, double dflt)
{
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

/* The time axis: 0 to a little past the last thing that happened. */
static double span_of(const json_t *tl)
{
    double end = fmax(num(tl, "window_closes", 0), num(tl, "ended", 0));
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(tl, "events"), i, e) end = fmax(end, num(e, "t", 0));
    return end > 0 ? end * 1.04 : 1;
}

static void svg_axis(FILE *f, double span, double scale, int y)
{
    static const double steps[] = {0.1, 0.2, 0.5, 1,   2,   5,    10,  20,
                                   30,  60,  120, 300, 600, 1800, 3600};
    double step = steps[0];
    for (size_t i = 0; i < sizeof steps / sizeof *steps && span / step > 8; i++)
        step = steps[i];
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", X0, y, X0 + PLOT_W,
            y);
    for (double t = 0; t <= span; t += step)
        fprintf(f,
                "<line class=\"tick\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                "<text class=\"tick\" x=\"%.1f\" y=\"%d\">%g s</text>",
                X0 + t * scale, y, X0 + t * scale, y + 4, X0 + t * scale, y + 16, t);
}

static void svg_run(FILE *f, const json_t *tl)
{
    double span = span_of(tl), scale = PLOT_W / span;
    int h = TOP + N_LANES * LANE_H + AXIS_H;
    fprintf(f,
            "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" data-x0=\"%d\" data-scale=\"%.6f\">",
            X0 + PLOT_W + 10, h, X0 + PLOT_W + 10, h, X0, scale);
    for (int l = 0; l < N_LANES; l++)
        fprintf(f, "<text class=\"lane\" x=\"4\" y=\"%d\">%s</text>",
                TOP + l * LANE_H + LANE_H / 2 + 4, lane_names[l]);
    const json_t *opens = json_object_get(tl, "window_opens");
    if (json_is_number(opens)) {
        double o = json_number_value(opens), c = num(tl, "window_closes", o);
        fprintf(f,
                "<rect class=\"window\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                "data-opens=\"%g\" data-closes=\"%g\"><title>dial window: %g s to %g s</title>"
                "</rect>",
                X0 + o * scale, TOP, (c - o) * scale, N_LANES * LANE_H, o, c, o, c);
    }
    size_t i;
    const json_t *e;
    double asked = -1; /* the last request: its answer draws the latency */
    json_array_foreach(json_object_get(tl, "events"), i, e)
    {
        enum lane lane;
        const char *text = json_string_value(json_object_get(e, "text"));
        const char *kind = event_kind(text ? text : "", &lane);
        double t = num(e, "t", 0);
        int y = TOP + lane * LANE_H + LANE_H / 2;
        if (!strcmp(kind, "request"))
            asked = t;
        if (!strcmp(kind, "answer") && asked >= 0) {
            fprintf(f,
                    "<line class=\"latency\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\">"
                    "<title>answered after %.3f s</title></line>",
                    X0 + asked * scale, y, X0 + t * scale, y, t - asked);
            asked = -1;
        }
        fprintf(f,
                "<circle class=\"ev ev-%s\" cx=\"%.1f\" cy=\"%d\" r=\"5\" data-t=\"%g\">"
                "<title>t=%.3f s: ",
                kind, X0 + t * scale, y, t, t);
        xml_escape(f, text);
        fputs("</title></circle>", f);
    }
    const json_t *d;
    json_array_foreach(json_object_get(tl, "dials"), i, d)
    {
        bool ok = json_is_true(json_object_get(d, "answered"));
        const char *from = json_string_value(json_object_get(d, "from"));
        const char *why = json_string_value(json_object_get(d, "dropped_because"));
        double t = num(d, "t", 0), x = X0 + t * scale;
        int y = TOP + L_DIAL * LANE_H + LANE_H / 2;
        fprintf(f,
                "<g class=\"dial %s\" data-t=\"%g\"><path d=\"M%.1f %d l-6 -10 h12 z\"/>"
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">",
                ok ? "answered" : "dropped", t, x, y + 4, x + (t > span / 2 ? -8 : 8), y + 4,
                t > span / 2 ? "end" : "start");
        xml_escape(f, from && *from ? from : "(caller ID withheld)");
        fputs(ok ? ": gate answered" : ": gate dropped, ", f);
        xml_escape(f, ok ? "" : why);
        fputs("</text></g>", f);
    }
    svg_axis(f, span, scale, TOP + N_LANES * LANE_H + 2);
    fputs("</svg>\n", f);
}

/* The runs of one scenario: a heading, the diagnosis, the timeline and the
 * event log. A run a failed expectation names is marked. */
static void html_runs(FILE *f, const struct scenario_result *res)
{
    const char *label;
    const json_t *r;
    json_object_foreach(res->runs, label, r)
    {
        char needle[160];
        snprintf(needle, sizeof needle, "run '%s':", label);
        bool bad = res->failures && strstr(res->failures, needle);
        const char *reason = json_string_value(json_object_get(r, "reason"));
        const char *status = json_string_value(json_object_get(r, "status"));
        const char *diag = json_string_value(json_object_get(r, "diagnosis"));
        const json_t *pc = json_object_get(r, "provider_call");
        fprintf(f, "<section class=\"run%s\" data-label=\"", bad ? " failed-run" : "");
        xml_escape(f, label);
        fputs("\"><h3>run '", f);
        xml_escape(f, label);
        fputs("' ", f);
        xml_escape(f, json_string_value(json_object_get(r, "id")));
        fputs(": <b>", f);
        xml_escape(f, status);
        fputs(reason ? " " : "", f);
        xml_escape(f, reason);
        fputs("</b>", f);
        if (json_is_object(pc)) {
            fputs(" <span class=\"provider\">provider: ", f);
            xml_escape(f, json_string_value(json_object_get(pc, "status")));
            fputs(" ", f);
            xml_escape(f, json_string_value(json_object_get(pc, "ended_reason")));
            fputs("</span>", f);
        }
        fputs("</h3>\n", f);
        if (diag) {
            fputs("<p class=\"diagnosis\">", f);
            xml_escape(f, diag);
            fputs("</p>\n", f);
        }
        const json_t *tl = json_object_get(r, "timeline");
        svg_run(f, tl);
        fputs("<details class=\"log\"><summary>event log</summary><table>", f);
        size_t i;
        const json_t *e;
        json_array_foreach(json_object_get(tl, "events"), i, e)
        {
            fprintf(f, "<tr><td>%.3f</td><td>", num(e, "t", 0));
            xml_escape(f, json_string_value(json_object_get(e, "text")));
            fputs("</td></tr>", f);
        }
        fputs("</table></details></section>\n", f);
    }
}

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d1d1f}"
    "header{position:sticky;top:0;background:#f6f6f8;border-bottom:1px solid #ccc;padding:8px 16px;"
    "z-index:1}h1{font-size:18px;margin:0 0 4px}.passed-n{color:#137333}.failed-n{color:#c5221f}"
    "main{padding:8px 16px}details.scenario{border:1px solid #ddd;border-radius:4px;margin:6px 0;"
    "padding:4px 8px}details.scenario.failed{border:2px solid #c5221f;background:#fff6f5}"
    "summary{cursor:pointer}.verdict{font-weight:bold;display:inline-block;width:3em}"
    ".passed .verdict{color:#137333}.failed .verdict{color:#c5221f}.path{font-family:monospace}"
    ".name{color:#555}.time{color:#888;margin-left:1em}ul.failures{color:#c5221f;font-family:"
    "monospace;"
    "margin:6px 0}section.run{margin:8px 0 8px 12px}section.failed-run h3{color:#c5221f}"
    "h3{font-size:14px;margin:4px 0}.diagnosis{margin:2px 0;color:#333}.provider{color:#555;"
    "font-weight:normal}svg text{font:11px sans-serif;fill:#333}svg .lane{fill:#666}"
    "rect.window{fill:#dbe9ff;stroke:#7aa7f0}.axis,.tick{stroke:#999}.latency{stroke:#12b5cb;"
    "stroke-width:3}circle.ev{stroke:#fff}"
    ".ev-core{fill:#555}.ev-request{fill:#1a73e8}.ev-answer{fill:#12b5cb}.ev-outcome{fill:#9334e6}"
    ".ev-call{fill:#e37400}.ev-webhook{fill:#188038}.ev-transcript{fill:#b06000}"
    ".dial.answered path{fill:#137333}.dial.dropped path{fill:#c5221f}.dial.dropped text{"
    "fill:#c5221f}table{font:12px monospace;border-collapse:collapse}td{padding:0 8px 0 0;"
    "vertical-align:top}.hidden{display:none}\n";

/* Filter by words (path, name, verdict, reasons) and by "failed only"; open or
 * close everything shown. A link can carry the filter: FILE.html#failed,
 * #q=caller_id_mismatch, #failed&q=vapi. Runs on the page alone: no network,
 * no library. */
static const char script[] =
    "(function(){var q=document.getElementById('filter'),fo=document.getElementById('failed-only'),"
    "all=[].slice.call(document.querySelectorAll('details.scenario')),"
    "shown=document.getElementById('shown');"
    "function apply(){var w=q.value.toLowerCase().split(/\\s+/).filter(Boolean),n=0;"
    "all.forEach(function(d){var t=d.getAttribute('data-search'),ok=(!fo.checked||"
    "d.classList.contains('failed'))&&w.every(function(x){return t.indexOf(x)>=0});"
    "d.classList.toggle('hidden',!ok);if(ok)n++});shown.textContent=n+' of '+all.length+' shown'}"
    "q.addEventListener('input',apply);fo.addEventListener('change',apply);"
    "document.getElementById('expand').onclick=function(){all.forEach(function(d){"
    "if(!d.classList.contains('hidden'))d.open=true})};"
    "document.getElementById('collapse').onclick=function(){all.forEach(function(d){"
    "d.open=false})};var h=decodeURIComponent(location.hash.slice(1));"
    "if(h.indexOf('failed')===0)fo.checked=true;if(h.indexOf('q=')>=0)q.value=h.slice(h.indexOf("
    "'q=')+2);apply()})();\n";

/* What the filter box searches, lower-cased: path, name, verdict, reasons. */
static void search_text(FILE *f, const struct scenario *s, const struct scenario_result *res)
{
    char buf[2048];
    int n = snprintf(buf, sizeof buf, "%s %s %s", s->path, s->name ? s->name : "",
                     res->passed ? "pass passed" : "fail failed");
    const char *label;
    const json_t *r;
    json_object_foreach(res->runs, label, r)
    {
        const char *reason = json_string_value(json_object_get(r, "reason"));
        if (n > 0 && (size_t)n < sizeof buf)
            n += snprintf(buf + n, sizeof buf - (size_t)n, " %s %s", label, reason ? reason : "");
    }
    for (char *p = buf; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    xml_escape(f, buf);
}

int report_html(const char *path, struct scenario *const *scns, const struct scenario_result *res,
                size_t n, double seconds)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += !res[i].passed;
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
            "<title>dialsim run: %zu scenarios, %zu failed</title><style>%s</style></head>\n"
            "<body><header><h1>dialsim run</h1><p id=\"summary\">%zu scenarios: "
            "<span class=\"passed-n\">%zu passed</span>, <span class=\"failed-n\">%zu "
            "failed</span>, in %.3f s (wall time; the clocks below are each scenario's "
            "simulated one)</p>\n<p><input id=\"filter\" type=\"search\" size=\"40\" "
            "placeholder=\"filter: path, name, reason, pass/fail\"> <label><input "
            "id=\"failed-only\" type=\"checkbox\"> failed only</label> <button "
            "id=\"expand\">expand shown</button> <button id=\"collapse\">collapse all</button> "
            "<span id=\"shown\"></span></p></header>\n<main id=\"scenarios\">\n",
            n, failed, style, n, n - failed, failed, seconds);
    /* failed scenarios first, where a reader looks; each group in path order */
    for (size_t k = 0; k < 2 * n; k++) {
        size_t i = k % n;
        if ((k < n) == res[i].passed)
            continue;
        const struct scenario *s = scns[i];
        fprintf(f, "<details class=\"scenario %s\" data-path=\"",
                res[i].passed ? "passed" : "failed");
        xml_escape(f, s->path);
        fputs("\" data-search=\"", f);
        search_text(f, s, &res[i]);
        fprintf(f, "\"%s><summary><span class=\"verdict\">%s</span> <span class=\"path\">",
                res[i].passed ? "" : " open", res[i].passed ? "PASS" : "FAIL");
        xml_escape(f, s->path);
        fputs("</span> <span class=\"name\">", f);
        xml_escape(f, s->name);
        fprintf(f, "</span><span class=\"time\">%.3f s</span></summary>\n", res[i].wall_us / 1e6);
        if (!res[i].passed) {
            fputs("<ul class=\"failures\">", f);
            for (const char *p = res[i].failures ? res[i].failures : ""; *p;) {
                size_t l = strcspn(p, "\n");
                char line[1024];
                snprintf(line, sizeof line, "%.*s", (int)l, p);
                fputs("<li class=\"failure\">", f);
                xml_escape(f, line);
                fputs("</li>", f);
                p += l + (p[l] == '\n');
            }
            fputs("</ul>\n", f);
        }
        html_runs(f, &res[i]);
        fputs("</details>\n", f);
    }
    fprintf(f, "</main><script>%s</script></body></html>\n", script);
    return fclose(f) == 0 ? 0 : -1;
}
