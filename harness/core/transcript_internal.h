/* Internals of the transcript validation shared by transcript.c (request
 * stages, the answer) and transcript_body.c (the body's fields). Not for use
 * outside these two files. */
#ifndef DIALSIM_TRANSCRIPT_INTERNAL_H
#define DIALSIM_TRANSCRIPT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/transcript.h"

/* The collector of one validation's errors and warnings. */
struct vctx {
    json_t *errors;              /* the "errors" array of the answer (owned) */
    size_t n_errors;             /* including those past TX_MAX_ERRORS, not listed */
    struct tx_warning *warnings; /* owned until handed to the result */
    size_t n_warnings, cap_warnings;
    bool oom; /* an allocation failed: the validation returns -1 */
};

/* jansson's allocator (so the failing-allocator test reaches everything). */
void *tx__alloc(size_t n);
void tx__free(void *p); /* NULL is fine */
char *tx__strdup(const char *s);

/* Append {key: where, "message": msg}, or {"message": msg} when where is NULL.
 * CI-8: every error is counted; the first TX_MAX_ERRORS are listed. */
void tx__add_error(struct vctx *v, const char *key, const char *where, const char *msg);
/* A field error: {"path": path, "message": printf(fmt, ...)}. */
void tx__fail(struct vctx *v, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A warning; path NULL for a header. Up to TX_MAX_ERRORS are kept. */
void tx__warn(struct vctx *v, enum tx_warning_code code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* s cut to at most max code points ("..." appended when cut), into buf; the
 * result stays valid UTF-8. Returns buf. */
const char *tx__clip(const char *s, size_t max, char *buf, size_t n);

/* Replace in place every byte of s that is not part of valid UTF-8 with '?'
 * (header names and jansson's messages can quote any bytes; jansson refuses
 * invalid UTF-8 in a json_string). */
void tx__utf8_fix(char *s);

/* CI-3, CI-4, CI-5: check a parsed body; every problem goes to v. */
void tx__check_body(struct vctx *v, const json_t *root);

#endif
