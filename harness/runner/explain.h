/* `dialsim explain`: a reason code, a rule id or a run (as `dialsim serve`
 * returns it) in plain words, with what to check and the catalogue's
 * scenarios that reproduce it (docs/explain.md). */
#ifndef DIALSIM_EXPLAIN_H
#define DIALSIM_EXPLAIN_H

/* What to check or change for a reason (by name), one or two sentences;
 * NULL for a name that is no reason. Every reason has one (unit-tested). */
const char *explain_advice(const char *reason);

/* dialsim explain [--scenarios DIR] REASON|RULE|RUN.json ...:
 * 0 explained, 2 an unknown reason or rule, or an unusable file. */
int cmd_explain(int argc, char **argv);

#endif
