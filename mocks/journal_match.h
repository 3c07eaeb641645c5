/* Which journal entries a request pattern selects, and how the closest ones
 * differ when none does (a near-miss report, as WireMock gives).
 *
 * A pattern is a scenario's journal expectation (docs/scenario-format.md#
 * expectjournal): {"mock", "method", "path" (exact or fnmatch glob),
 * "headers": {name: value}, "body": {dotted.path: JSON value}, "body_absent":
 * [paths], "body_exact": value, "status", "answer_contains"}; "count" is not a
 * selector and is ignored here. The same code serves `expect.journal` of
 * `dialsim run` and the admin API of `dialsim serve` (GET /_dialsim/journal's
 * filters, POST /_dialsim/verify, POST /_dialsim/wait): one meaning of
 * "matches", one near-miss text.
 *
 * Not thread-safe: the journal is read with the world's mutex held. */
#ifndef DIALSIM_JOURNAL_MATCH_H
#define DIALSIM_JOURNAL_MATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "journal.h"

/* Does entry e satisfy every selector of pattern sel? */
bool journal_match(const json_t *sel, const struct journal_entry *e);

/* The selectors of sel that e does not satisfy: a new array of
 * {"field", "expected", "actual"} (actual null when e lacks it). */
json_t *journal_match_diff(const json_t *sel, const struct journal_entry *e);

/* The entries of j nearest to matching sel (fewest differing selectors, the
 * latest first among equals), at most max of them, each {"index", "mock",
 * "method", "path", "status", "differences": [...]}: a new array. */
json_t *journal_near_misses(const struct journal *j, const json_t *sel, size_t max);

/* The near-miss report as text, one line per near miss (a new string, free
 * it): "  #12 POST /call (vapi, 201): body.customer.number: expected
 * \"+1555\", got \"+1556\"\n"; "  (the journal is empty)\n" without any. */
char *journal_near_miss_text(const json_t *near_misses);

/* The filters of GET /_dialsim/journal as a pattern: the query string
 * (NULL: none) read parameter by parameter, each URL-decoded: provider or
 * mock, method, path, status, header.<name>, body.<dotted.path> (its value
 * read as JSON when it parses, else as a string), and since (*since, 0 when
 * absent). Any other parameter, or a bad value, is refused: -1 with err
 * naming the parameter and what was expected. *sel is a new object. */
int journal_query_pattern(const char *query, json_t **sel, long *since, char *err, size_t n);

/* One journal entry as GET /_dialsim/journal lists it (secrets masked): a
 * new object. */
json_t *journal_entry_json(const struct journal_entry *e, size_t index);

#endif
