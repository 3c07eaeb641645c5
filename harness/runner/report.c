#include "runner/report.h"
#include "util/xml_escape.h"

#include <stdio.h>
#include <string.h>

int report_junit(const char *path, struct scenario *const *scns, const struct scenario_result *res,
                 size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t failures = 0;
    for (size_t i = 0; i < n; i++)
        failures += !res[i].passed;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"dialsim\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", n,
            failures);
    fprintf(f,
            "  <testsuite name=\"dialsim run\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
            "skipped=\"0\">\n",
            n, failures);
    for (size_t i = 0; i < n; i++) {
        const char *p = scns[i]->path;
        const char *slash = strrchr(p, '/');
        fputs("    <testcase classname=\"", f);
        if (slash) {
            char dir[1024];
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - p), p);
            xml_escape(f, dir);
        } else {
            fputs(".", f);
        }
        fputs("\" name=\"", f);
        xml_escape(f, slash ? slash + 1 : p);
        fputs("\"", f);
        if (res[i].passed) {
            fputs("/>\n", f);
            continue;
        }
        fputs(">\n      <failure type=\"expectation\" message=\"", f);
        char first[300];
        const char *fl = res[i].failures ? res[i].failures : "";
        const char *nl = strchr(fl, '\n');
        snprintf(first, sizeof first, "%.*s", nl ? (int)(nl - fl) : (int)strlen(fl), fl);
        xml_escape(f, first);
        fputs("\">", f);
        xml_escape(f, res[i].report);
        fputs("</failure>\n    </testcase>\n", f);
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
    return fclose(f) == 0 ? 0 : -1;
}
