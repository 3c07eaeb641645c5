/* json_fast: the JSON a mock is sent on every request, parsed into the same
 * jansson tree json_loadb(buf, len, flags) gives, at a fraction of its cost;
 * NULL for anything else, and then the caller asks jansson (json_depth.c
 * does): for the errors and their messages, and for what this parser leaves
 * to jansson (\u escapes, bytes above ASCII in strings, integers of 19 digits
 * and more, flags other than JSON_DECODE_ANY, a decimal point other than
 * '.'). Why by hand (docs/decisions.md#json-fast): jansson 2.14 reads a
 * document a character at a time through a stream with a UTF-8 check and a
 * growing buffer per token; its parse of a 90-byte POST /call body was
 * ~16,000 instructions, the biggest single cost of a mock's request
 * (docs/benchmarks.md run 8). What it may take is narrow on purpose:
 * unit.json_fast holds it to jansson on every JSON file of the project, on
 * generated documents and on their mutations byte by byte (it must refuse
 * whatever jansson refuses, and build what jansson builds, value for value,
 * type for type, key order and repeated keys included).
 *
 * Nesting deeper than 32 containers is left to the caller too, so a caller
 * may try this parser before its depth check (json_depth.c does). */
#ifndef DIALSIM_JSON_FAST_H
#define DIALSIM_JSON_FAST_H

#include <jansson.h>
#include <stddef.h>

json_t *json_fast_parse(const char *buf, size_t len, size_t flags);

#endif
