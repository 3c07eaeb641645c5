/* JUnit XML that both the Ant JUnit schema and Jenkins' accept
 * (tests/junit/ant-junit.xsd, jenkins-junit.xsd): what every report of dialsim
 * (run, conform) writes around its testcases. */
#ifndef DIALSIM_JUNIT_H
#define DIALSIM_JUNIT_H

#include <stddef.h>
#include <stdio.h>

/* The parts both schemas agree on, for every JUnit file dialsim writes: the
 * XML declaration, <testsuites> (no attributes: Ant's schema allows none) and
 * one <testsuite> with every attribute Ant's requires (package, id, a UTC
 * timestamp without a zone, hostname, time). The caller writes <properties>
 * and the testcases between open and close; close writes <system-out> (the
 * text given, or empty) and <system-err>, which Ant's schema requires. */
void junit_suite_open(FILE *f, const char *name, size_t tests, size_t failures, size_t skipped,
                      double seconds);
void junit_suite_close(FILE *f, const char *system_out);

#endif
