/* Helpers shared by the fuzz targets (fuzz/README in docs/reliability.md).
 *
 * Several targets take "a head and a body": header lines "Name: value\n" up
 * to the first empty line, then the body's raw bytes. libFuzzer mutates the
 * two halves together, and the dictionaries hold the header names each
 * surface reads, so the header parsers and the body parsers are both reached
 * from one input. Everything here is static: each target includes it once. */
#ifndef DIALSIM_FUZZ_UTIL_H
#define DIALSIM_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_HEADERS 16

struct fuzz_msg {
    char *buf; /* owned copy of the input, NUL-terminated; the strings below point into it */
    struct {
        const char *name;
        const char *value;
    } h[FUZZ_MAX_HEADERS];
    size_t nh;
    const char *body; /* NUL-terminated (the copy has one more byte) */
    size_t body_len;
};

/* Split data into headers and a body. 0, or -1 when memory ran out. Lines
 * without ':' are skipped; headers past FUZZ_MAX_HEADERS are dropped. */
static inline int fuzz_msg_split(const uint8_t *data, size_t size, struct fuzz_msg *m)
{
    memset(m, 0, sizeof *m);
    m->buf = malloc(size + 1);
    if (!m->buf)
        return -1;
    memcpy(m->buf, data, size);
    m->buf[size] = '\0';
    char *p = m->buf, *end = m->buf + size;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            /* no empty line: everything left is the body */
            break;
        }
        *nl = '\0';
        if (nl > p && nl[-1] == '\r')
            nl[-1] = '\0';
        if (*p == '\0') {
            p = nl + 1;
            m->body = p;
            m->body_len = (size_t)(end - p);
            return 0;
        }
        char *colon = strchr(p, ':');
        if (colon && m->nh < FUZZ_MAX_HEADERS) {
            *colon = '\0';
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            m->h[m->nh].name = p;
            m->h[m->nh].value = v;
            m->nh++;
        }
        p = nl + 1;
    }
    m->body = p;
    m->body_len = (size_t)(end - p);
    return 0;
}

static inline void fuzz_msg_free(struct fuzz_msg *m)
{
    free(m->buf);
    m->buf = NULL;
}

/* A NUL-terminated copy of the input (the parsers under test take C strings
 * as well as lengths); NULL when memory ran out. */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = '\0';
    }
    return s;
}

#endif
