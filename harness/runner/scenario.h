/* Loading a scenario: one JSON file, validated strictly before anything runs.
 *
 * Errors say where and what was expected: "file:line:column: <jansson's
 * message>" for JSON syntax, "file:line:column: at <json path>: <message>"
 * for a value of the wrong kind, an unknown key (with a did-you-mean) or a
 * reference to something that does not exist. Only the first error is kept.
 * The format is documented in docs/scenario-format.md and
 * docs/scenario.schema.json; the two must agree (tests/schema). */
#ifndef DIALSIM_SCENARIO_H
#define DIALSIM_SCENARIO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCENARIO_DEFAULT_START "2026-01-01T12:00:00Z"

struct scenario {
    char *path;
    char *name;
    json_t *root; /* the validated document; owned */
    char *text;   /* the file's text, for positions of errors found later; owned */
    size_t text_len;
    int64_t start_ms;
    uint64_t seed;
    bool has_until;
    int64_t until_ms; /* relative to start */
};

/* Read and validate the file at path. *out is NULL on failure, with the
 * message in err. */
int scenario_load(const char *path, struct scenario **out, char *err, size_t n);
/* The whole file, NUL-terminated (its length in *len); NULL with err
 * ("path: cannot open: No such file or directory"). */
char *scenario_read_file(const char *path, size_t *len, char *err, size_t n);
/* The same on text already in memory; `label` names it in messages. */
int scenario_parse(const char *label, const char *text, size_t len, struct scenario **out,
                   char *err, size_t n);
void scenario_free(struct scenario *s);

/* " (did you mean \"x\"?)" into buf when one of the n candidates is close to
 * got (a few edits, or one is the start of the other), else "". */
void scenario_suggest(const char *got, const char *const *cands, size_t n, char *buf, size_t bn);

/* Check a `mocks` object alone (as `dialsim serve --config` has one) with the
 * rules of a scenario's: 0, or -1 with the JSON path ("mocks.vapi.keys[0]")
 * and what was expected. */
int scenario_check_mocks(const json_t *mocks, char *path, size_t path_n, char *msg,
                         size_t msg_n);

/* Check a request pattern (an expect.journal item: docs/scenario-format.md
 * #expectjournal), as serve's POST /_dialsim/verify and /_dialsim/wait take
 * one; at is the pattern's own path ("" for a whole body). 0, or -1 with the
 * path and what was expected. */
int scenario_check_journal_pattern(const json_t *sel, const char *at, char *path, size_t path_n,
                                   char *msg, size_t msg_n);

/* Seconds (a JSON number) to milliseconds, rounded. */
int64_t scenario_ms(const json_t *seconds);

/* The i-th key an agent object takes ("id" first), NULL past the last: what
 * docs/scenario-format.md's agents table and update_agent list must name
 * (tests/test_docs_tables.c). A static string. */
const char *scenario_agent_key(size_t i);

#endif
