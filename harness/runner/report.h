/* Reports: JUnit XML for CI systems (GitLab, Jenkins, GitHub test reporters). */
#ifndef DIALSIM_REPORT_H
#define DIALSIM_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "runner/scenario.h"
#include "runner/world.h"

/* Write one <testcase> per scenario: classname is the scenario's folder
 * relative to the current directory, name its file name, time its wall time;
 * a failed scenario carries a <failure> whose message is the first failed
 * expectation (file:line:column: ...) and whose text is the scenario's report.
 * The file is valid against both the Ant JUnit schema and Jenkins' (tests/junit/).
 * decision: the time, timestamp and hostname attributes are the only parts that
 * differ from run to run; everything else is byte-identical (H-2).
 * seconds is the whole run's wall time. Returns 0, or -1 (errno set). */
int report_junit(const char *path, struct scenario *const *scns, const struct scenario_result *res,
                 size_t n, double seconds);

/* --format json: the whole run as one JSON document on f (docs/output-formats.md,
 * docs/output.schema.json): a summary, and per scenario its path, name,
 * status, time, failed expectations split into file, line, column and message,
 * and its runs as the serve API shows them (res[i].runs, from a verbose run).
 * Returns 0, or -1 when out of memory. */
int report_json(FILE *f, struct scenario *const *scns, const struct scenario_result *res, size_t n,
                double seconds);

/* --report FILE.html (report_html.c): one self-contained HTML page, the
 * summary and every scenario, each run as an SVG timeline on its simulated
 * clock (res[i].runs from a verbose run, with their "timeline"). Returns 0, or
 * -1 (errno set). */
int report_html(const char *path, struct scenario *const *scns, const struct scenario_result *res,
                size_t n, double seconds);

#endif
