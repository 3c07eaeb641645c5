/* The nesting scan before jansson (json_depth.h). One pass over the bytes
 * with a counter: a too-deep body costs as much to refuse as to read. */
#include "core/json_depth.h"
#include "core/json_fast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Failed allocations of jansson's on this thread (json_depth_use_alloc). */
static _Thread_local unsigned long alloc_failures;

static void *counting_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        alloc_failures++;
    return p;
}

void json_depth_use_alloc(void)
{
    json_set_alloc_funcs(counting_malloc, free);
}

int json_depth_check(const char *text, size_t len, int max, struct json_depth_where *where)
{
    int depth = 0, line = 1, column = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            line++;
            column = 0;
            escaped = false; /* a raw newline ends nothing in JSON, but a bad body may have one */
            continue;
        }
        if ((c & 0xC0) != 0x80) /* UTF-8 continuation bytes are part of their character */
            column++;
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max) {
                if (where)
                    *where = (struct json_depth_where){line, column, i};
                return -1;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--; /* a stray closer is jansson's syntax error to report */
        }
    }
    return 0;
}

json_t *json_depth_loadb(const char *buf, size_t len, size_t flags, json_error_t *err)
{
    /* the common bodies without jansson's parser (core/json_fast.h), before
     * the depth check: it leaves anything nested deeper than it takes, far
     * below JSON_DEPTH_MAX, to the check and jansson; the rest, and every
     * error, from jansson */
    json_t *fast = json_fast_parse(buf, len, flags);
    if (fast) {
        if (err) { /* as jansson leaves it after a parse that went well */
            memset(err, 0, sizeof *err);
            err->line = err->column = -1;
            memcpy(err->source, "<buffer>", sizeof "<buffer>");
        }
        return fast;
    }
    struct json_depth_where w;
    if (len && json_depth_check(buf, len, JSON_DEPTH_MAX, &w) != 0) {
        if (err) {
            memset(err, 0, sizeof *err);
            err->line = w.line;
            err->column = w.column;
            err->position = (int)(w.offset + 1);
            snprintf(err->source, sizeof err->source, "<buffer>");
            snprintf(err->text, sizeof err->text - 1,
                     "JSON nested deeper than %d levels at line %d, column %d", JSON_DEPTH_MAX,
                     w.line, w.column);
            /* jansson keeps the code in the text's last byte (json_error_code) */
            err->text[sizeof err->text - 1] = (char)json_error_stack_overflow;
        }
        return NULL;
    }
    unsigned long failures = alloc_failures;
    json_t *root = json_loadb(buf ? buf : "", len, flags, err);
    if (alloc_failures != failures) {
        /* whatever jansson answered, it answered without all its memory */
        json_decref(root);
        if (err) {
            memset(err, 0, sizeof *err);
            err->line = err->column = err->position = -1;
            snprintf(err->source, sizeof err->source, "<buffer>");
            snprintf(err->text, sizeof err->text - 1, "out of memory");
            err->text[sizeof err->text - 1] = (char)json_error_out_of_memory;
        }
        return NULL;
    }
    return root;
}

json_t *json_depth_loads(const char *text, size_t flags, json_error_t *err)
{
    return json_depth_loadb(text, text ? strlen(text) : 0, flags, err);
}

bool json_depth_exceeded(const json_error_t *err)
{
    return err && json_error_code(err) == json_error_stack_overflow;
}
