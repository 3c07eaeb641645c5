/* A growing string, for reports built before they are printed. */
#ifndef DIALSIM_STRBUF_H
#define DIALSIM_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
    char *p; /* NUL-terminated once anything was added; owned */
    size_t len, cap;
};

void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_puts(struct strbuf *b, const char *s);
/* Give the text away (never NULL); b is empty afterwards. */
char *sb_take(struct strbuf *b);
void sb_free(struct strbuf *b);

#endif
