/* Reports: JUnit XML for CI systems (GitLab, Jenkins, GitHub test reporters). */
#ifndef DIALSIM_REPORT_H
#define DIALSIM_REPORT_H

#include <stddef.h>

#include "runner/scenario.h"
#include "runner/world.h"

/* Write one <testcase> per scenario: classname is the scenario's folder, name
 * its file name; a failed scenario carries a <failure> with every failed
 * expectation. decision: no time attributes, so that the file is byte-identical
 * from run to run like the console output. Returns 0, or -1 (errno set). */
int report_junit(const char *path, struct scenario *const *scns, const struct scenario_result *res,
                 size_t n);

#endif
