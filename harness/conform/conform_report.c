/* The two reports of `dialsim conform`: one line per check for humans, and
 * JUnit XML with one testcase per check for CI. */
#include "conform/conform.h"
#include "util/junit.h"
#include "util/term.h"
#include "util/xml_escape.h"
#include "util/json_print.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *conform_verdict_name(enum conform_verdict v)
{
    switch (v) {
    case CONFORM_PASS:
        return "PASS";
    case CONFORM_WARN:
        return "WARN";
    case CONFORM_FAIL:
        return "FAIL";
    case CONFORM_SKIP:
        return "SKIP";
    }
    return "?";
}

struct conform_check *conform_add(struct conform_report *r, const char *name, const char *rule)
{
    if (r->n >= CONFORM_MAX_CHECKS)
        return &r->checks[CONFORM_MAX_CHECKS - 1]; /* a programming error; stay in bounds */
    struct conform_check *c = &r->checks[r->n++];
    memset(c, 0, sizeof *c);
    c->name = name;
    c->rule = rule;
    c->verdict = CONFORM_PASS;
    return c;
}

void conform_set(struct conform_check *c, enum conform_verdict v, const char *fmt, ...)
{
    c->verdict = v;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof c->detail, fmt, ap);
    va_end(ap);
}

/* --format json (docs/output-formats.md): the same checks as fields. */
static void print_json(FILE *f, const struct conform_report *r)
{
    size_t count[4] = {0};
    json_t *checks = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct conform_check *c = &r->checks[i];
        count[c->verdict]++;
        json_array_append_new(
            checks, json_pack("{s:s, s:s, s:s, s:s}", "name", c->name, "rule", c->rule, "verdict",
                              conform_verdict_name(c->verdict), "detail", c->detail));
    }
    json_t *j =
        json_pack("{s:s, s:s, s:s?, s:{s:I, s:I, s:I, s:I, s:I}, s:o}", "format",
                  "dialsim-conform/1", "suite", r->suite, "url", r->url, "summary", "checks",
                  (json_int_t)r->n, "passed", (json_int_t)count[CONFORM_PASS], "warned",
                  (json_int_t)count[CONFORM_WARN], "failed", (json_int_t)count[CONFORM_FAIL],
                  "skipped", (json_int_t)count[CONFORM_SKIP], "checks", checks);
    json_print_doc(f, j, 0, "dialsim conform");
}

void conform_progress(const struct conform_report *r, const char *step)
{
    if (!term_progress())
        return;
    if (step)
        fprintf(stderr, TERM_CLEAR_LINE "dialsim %s: sending %s…", r->suite, step);
    else
        fputs(TERM_CLEAR_LINE, stderr);
    fflush(stderr);
}

/* The verdict word, in its colour on a terminal. */
static void print_verdict(FILE *f, enum conform_verdict v, bool colour)
{
    static const char *const sgr[] = {[CONFORM_PASS] = TERM_GREEN,
                                      [CONFORM_WARN] = TERM_YELLOW,
                                      [CONFORM_FAIL] = TERM_RED,
                                      [CONFORM_SKIP] = TERM_DIM};
    if (colour)
        fprintf(f, "%s%s%s", sgr[v], conform_verdict_name(v), TERM_RESET);
    else
        fputs(conform_verdict_name(v), f);
}

void conform_print(FILE *f, const struct conform_report *r)
{
    if (r->json) {
        print_json(f, r);
        return;
    }
    size_t count[4] = {0};
    bool colour = term_colour(f);
    fprintf(f, "dialsim %s %s\n", r->suite, r->url);
    for (size_t i = 0; i < r->n; i++) {
        const struct conform_check *c = &r->checks[i];
        count[c->verdict]++;
        print_verdict(f, c->verdict, colour);
        fprintf(f, " %-11s %-9s — %s\n", c->name, c->rule, c->detail);
    }
    fprintf(f, "%zu checks: %zu passed, %zu warned, %zu failed, %zu skipped\n", r->n,
            count[CONFORM_PASS], count[CONFORM_WARN], count[CONFORM_FAIL], count[CONFORM_SKIP]);
}

int conform_junit(const char *path, const struct conform_report *r, double seconds)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t failures = 0, skipped = 0;
    for (size_t i = 0; i < r->n; i++) {
        failures += r->checks[i].verdict == CONFORM_FAIL;
        skipped += r->checks[i].verdict == CONFORM_SKIP;
    }
    char name[96];
    snprintf(name, sizeof name, "dialsim %s", r->suite);
    junit_suite_open(f, name, r->n, failures, skipped, seconds);
    fputs("    <properties><property name=\"url\" value=\"", f);
    xml_escape(f, r->url);
    fputs("\"/></properties>\n", f);
    /* Ant's schema allows no <system-out> in a testcase: every check's line
     * goes to the suite's, a failure's or skip's detail into its element too.
     * A check's own time is not measured (they overlap): 0, the suite has it. */
    char *out = NULL;
    size_t out_n = 0;
    FILE *mem = open_memstream(&out, &out_n);
    for (size_t i = 0; i < r->n; i++) {
        const struct conform_check *c = &r->checks[i];
        fputs("    <testcase classname=\"", f);
        xml_escape(f, r->suite);
        fputs("\" name=\"", f);
        xml_escape(f, c->name);
        fputs("\" time=\"0\"", f);
        if (mem)
            fprintf(mem, "%s %s %s: %s\n", conform_verdict_name(c->verdict), c->name, c->rule,
                    c->detail);
        switch (c->verdict) {
        case CONFORM_FAIL:
            fputs(">\n      <failure type=\"", f);
            xml_escape(f, c->rule);
            fputs("\" message=\"", f);
            xml_escape(f, c->detail);
            fputs("\">", f);
            xml_escape(f, c->detail);
            fputs("</failure>\n    </testcase>\n", f);
            break;
        case CONFORM_SKIP:
            fputs(">\n      <skipped message=\"", f);
            xml_escape(f, c->detail);
            fputs("\"/>\n    </testcase>\n", f);
            break;
        case CONFORM_WARN:
        case CONFORM_PASS:
            fputs("/>\n", f);
            break;
        }
    }
    if (mem)
        fclose(mem);
    junit_suite_close(f, out);
    free(out);
    return fclose(f) == 0 ? 0 : -1;
}

int conform_exit_code(const struct conform_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->checks[i].verdict == CONFORM_FAIL)
            return 1;
    return 0;
}

int conform_html(const char *path, const struct conform_report *r, double seconds)
{
    static const char *const colour[] = {[CONFORM_PASS] = "#137333", [CONFORM_WARN] = "#b06000",
                                         [CONFORM_FAIL] = "#c5221f", [CONFORM_SKIP] = "#777"};
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t count[4] = {0};
    for (size_t i = 0; i < r->n; i++)
        count[r->checks[i].verdict]++;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\"><title>dialsim ",
          f);
    xml_escape(f, r->suite);
    fputs("</title><style>body{font:14px/1.4 system-ui,sans-serif;margin:16px}table{border-"
          "collapse:collapse}td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left;"
          "vertical-align:top}tr.FAIL{background:#fff6f5}.v{font-weight:bold}</style></head>"
          "<body><h1>dialsim ",
          f);
    xml_escape(f, r->suite);
    fputs("</h1><p><code>", f);
    xml_escape(f, r->url);
    fprintf(f,
            "</code></p><p id=\"summary\">%zu checks: %zu passed, %zu warned, %zu failed, %zu "
            "skipped, in %.3f s</p><table><tr><th>verdict</th><th>check</th><th>rule</th>"
            "<th>detail</th></tr>\n",
            r->n, count[CONFORM_PASS], count[CONFORM_WARN], count[CONFORM_FAIL],
            count[CONFORM_SKIP], seconds);
    /* failed checks first, where a reader looks; then the others in order */
    for (size_t k = 0; k < 2 * r->n; k++) {
        const struct conform_check *c = &r->checks[k % r->n];
        if ((k < r->n) != (c->verdict == CONFORM_FAIL))
            continue;
        const char *v = conform_verdict_name(c->verdict);
        fprintf(f, "<tr class=\"check %s\"><td class=\"v\" style=\"color:%s\">%s</td><td>", v,
                colour[c->verdict], v);
        xml_escape(f, c->name);
        fputs("</td><td>", f);
        xml_escape(f, c->rule);
        fputs("</td><td>", f);
        xml_escape(f, c->detail);
        fputs("</td></tr>\n", f);
    }
    fputs("</table></body></html>\n", f);
    return fclose(f) == 0 ? 0 : -1;
}
