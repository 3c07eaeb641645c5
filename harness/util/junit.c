#include "util/junit.h"

#include <time.h>
#include <unistd.h>

#include "util/xml_escape.h"

void junit_suite_open(FILE *f, const char *name, size_t tests, size_t failures, size_t skipped,
                      double seconds)
{
    char host[256] = "", stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    /* Ant's schema wants a timestamp without a zone: UTC, said so in the docs */
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", gmtime_r(&now, &tm));
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
        snprintf(host, sizeof host, "localhost");
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"", f);
    xml_escape(f, name);
    fputs("\" package=\"dialsim\" id=\"0\" timestamp=\"", f);
    fputs(stamp, f);
    fputs("\" hostname=\"", f);
    xml_escape(f, host);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
            tests, failures, skipped, seconds);
}

void junit_suite_close(FILE *f, const char *system_out)
{
    fputs("    <system-out>", f);
    xml_escape(f, system_out ? system_out : "");
    fputs("</system-out>\n    <system-err></system-err>\n  </testsuite>\n</testsuites>\n", f);
}
