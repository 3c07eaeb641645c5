#include "runner/report.h"
#include "util/junit.h"
#include "util/xml_escape.h"
#include "util/json_print.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The scenario's folder relative to the current directory ("scenarios",
 * "tests/failing"), so that the class name is the same on every machine and
 * CI runner whether the path was given absolute or not; the folder as given
 * when it lies outside the current directory; "." for a bare file name. */
static void class_name(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX], real[PATH_MAX], cwd[PATH_MAX];
    if (!slash) {
        snprintf(out, n, ".");
        return;
    }
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    snprintf(out, n, "%s", dir);
    if (!realpath(dir, real) || !getcwd(cwd, sizeof cwd))
        return;
    size_t cl = strlen(cwd);
    if (!strcmp(real, cwd))
        snprintf(out, n, ".");
    else if (!strncmp(real, cwd, cl) && real[cl] == '/')
        snprintf(out, n, "%s", real + cl + 1);
}

/* The first line of the failures: what the <failure> message says. */
static void first_line(const char *s, char *out, size_t n)
{
    s = s ? s : "";
    const char *nl = strchr(s, '\n');
    snprintf(out, n, "%.*s", nl ? (int)(nl - s) : (int)strlen(s), s);
}

int report_junit(const char *path, struct scenario *const *scns, const struct scenario_result *res,
                 size_t n, double seconds)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t failures = 0;
    for (size_t i = 0; i < n; i++)
        failures += !res[i].passed;
    junit_suite_open(f, "dialsim run", n, failures, 0, seconds);
    fputs("    <properties></properties>\n", f);
    for (size_t i = 0; i < n; i++) {
        const char *p = scns[i]->path;
        const char *slash = strrchr(p, '/');
        char cls[PATH_MAX], first[600];
        class_name(p, cls, sizeof cls);
        fputs("    <testcase classname=\"", f);
        xml_escape(f, cls);
        fputs("\" name=\"", f);
        xml_escape(f, slash ? slash + 1 : p);
        fprintf(f, "\" time=\"%.3f\"", res[i].wall_us / 1e6);
        if (res[i].passed) {
            fputs("/>\n", f);
            continue;
        }
        /* the message is the first failed expectation with its file:line:column */
        fputs(">\n      <failure type=\"expectation\" message=\"", f);
        first_line(res[i].failures, first, sizeof first);
        xml_escape(f, first);
        fputs("\">", f);
        xml_escape(f, res[i].report);
        fputs("</failure>\n    </testcase>\n", f);
    }
    junit_suite_close(f, NULL);
    return fclose(f) == 0 ? 0 : -1;
}

/* "file:line:column: message" into its parts; a line without a position
 * (the file could not be read again) is all message. */
static json_t *failure_json(const char *line, size_t len)
{
    char *l = strndup(line, len);
    if (!l)
        return NULL;
    json_t *j = NULL;
    /* the position is the last "N:M: " before the message; paths may hold ':' */
    for (char *p = l; (p = strchr(p, ':')) != NULL; p++) {
        int ln, col, used = 0;
        if (sscanf(p, ":%d:%d: %n", &ln, &col, &used) == 2 && used > 0) {
            *p = '\0';
            j = json_pack("{s:s, s:i, s:i, s:s}", "file", l, "line", ln, "column", col, "message",
                          p + used);
            break;
        }
    }
    if (!j)
        j = json_pack("{s:n, s:n, s:n, s:s}", "file", "line", "column", "message", l);
    free(l);
    return j;
}

int report_json(FILE *f, struct scenario *const *scns, const struct scenario_result *res, size_t n,
                double seconds)
{
    json_t *list = json_array();
    size_t failed = 0;
    for (size_t i = 0; list && i < n; i++) {
        json_t *fails = json_array();
        for (const char *p = res[i].failures ? res[i].failures : ""; *p;) {
            size_t l = strcspn(p, "\n");
            json_array_append_new(fails, failure_json(p, l));
            p += l + (p[l] == '\n');
        }
        failed += !res[i].passed;
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:f, s:o, s:O}", "path", scns[i]->path, "name",
                            scns[i]->name ? scns[i]->name : "", "status",
                            res[i].passed ? "passed" : "failed", "time", res[i].wall_us / 1e6,
                            "failures", fails, "runs", res[i].runs ? res[i].runs : json_object()));
    }
    json_t *doc =
        json_pack("{s:s, s:{s:I, s:I, s:I, s:f}, s:o}", "format", "dialsim-run/1", "summary",
                  "scenarios", (json_int_t)n, "passed", (json_int_t)(n - failed), "failed",
                  (json_int_t)failed, "time", seconds, "scenarios", list);
    return json_print_doc(f, doc, JSON_REAL_PRECISION(6), NULL);
}
