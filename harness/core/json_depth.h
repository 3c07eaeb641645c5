/* JSON nesting depth, checked before jansson parses (issue 10). jansson
 * parses, copies, dumps and frees recursively, a few hundred bytes of stack a
 * level; CivetWeb 1.15 gives its workers 100 KB, so ~900 levels of "[" crash
 * `dialsim serve`. Every parse of text from outside (HTTP bodies, provider
 * answers) goes through json_depth_loadb, which scans the text once, without
 * recursion, and refuses it above JSON_DEPTH_MAX before jansson sees it.
 * docs/decisions.md says why 64. */
#ifndef DIALSIM_JSON_DEPTH_H
#define DIALSIM_JSON_DEPTH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* At most this many arrays and objects open at once. Provider bodies and
 * transcripts nest < 10; jansson is still far from any stack's end. */
#define JSON_DEPTH_MAX 64

/* Where the text first goes too deep: the "[" or "{" that opens level max+1. */
struct json_depth_where {
    int line;      /* 1-based */
    int column;    /* 1-based, in characters (UTF-8 lead bytes), as jansson counts */
    size_t offset; /* 0-based byte offset of that bracket */
};

/* 0 when no more than `max` arrays/objects of text[0..len) are open at once,
 * counting "[" and "{" outside strings ("\"" escapes honoured); else -1 with
 * *where (may be NULL) set. Does not validate JSON: jansson does that after.
 * O(len), no allocation, no recursion. */
int json_depth_check(const char *text, size_t len, int max, struct json_depth_where *where);

/* json_loadb(buf, len, flags, err), refused first when deeper than
 * JSON_DEPTH_MAX: then NULL, json_error_code(err) == json_error_stack_overflow,
 * err->line/column at the bracket, err->position the bytes up to and
 * including it (as jansson counts), err->text
 * "JSON nested deeper than 64 levels at line L, column C". buf may be NULL
 * when len is 0. New reference, as json_loadb's. */
json_t *json_depth_loadb(const char *buf, size_t len, size_t flags, json_error_t *err);
/* The same for a NUL-terminated string (NULL reads as ""). */
json_t *json_depth_loads(const char *text, size_t flags, json_error_t *err);

/* jansson (2.14) ignores some failed allocations while it parses: it then
 * reports a syntax error that is not there, or returns a string cut short
 * (found by tests/test_chaos.c; docs/reliability.md). json_depth_use_alloc
 * makes jansson allocate through a malloc that counts failures per thread;
 * json_depth_loadb then drops a document parsed while one failed and answers
 * NULL with json_error_out_of_memory ("out of memory"), so that a body is
 * never judged, or stored, on a broken parse. Call once at start, before any
 * JSON value exists (dialsim's main does); without it nothing changes. */
void json_depth_use_alloc(void);

/* Did json_depth_loadb refuse for depth? (jansson's own depth limit gives the
 * same code.) */
bool json_depth_exceeded(const json_error_t *err);

#endif
