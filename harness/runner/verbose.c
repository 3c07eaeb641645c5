/* `dialsim run -v`: the journal with bodies. A tester reading a failed run
 * needs what was sent and answered, not only the run's log; a report is
 * pasted into issues, so keys and signatures are masked on the way out. */
#include "runner/verbose.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mock.h"

#define BODY_MAX 2000

static int has_word(const char *s, const char *w)
{
    size_t n = strlen(w);
    for (; *s; s++)
        if (strncasecmp(s, w, n) == 0)
            return 1;
    return 0;
}

int verbose_is_secret_name(const char *name)
{
    static const char *const words[] = {"key",      "secret",        "signature", "token",
                                        "password", "authorization", NULL};
    if (!name)
        return 0;
    for (size_t i = 0; words[i]; i++)
        if (has_word(name, words[i]))
            return 1;
    return 0;
}

char *verbose_mask(const char *name, const char *value)
{
    const char *v = value ? value : "";
    size_t keep_scheme = 0;
    const char *sp = strchr(v, ' ');
    if (name && strcasecmp(name, "authorization") == 0 && sp)
        keep_scheme = (size_t)(sp - v) + 1; /* "Bearer " */
    const char *secret = v + keep_scheme;
    size_t shown = strlen(secret) > 12 ? 4 : 0;
    size_t n = keep_scheme + shown + 5;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%.*s%.*s****", (int)keep_scheme, v, (int)shown, secret);
    return out;
}

/* Mask every secret member of j; returns how many were masked. */
static int mask_json(json_t *j)
{
    const char *k;
    json_t *v;
    size_t i;
    int n = 0;
    if (json_is_object(j)) {
        json_object_foreach(j, k, v)
        {
            if (json_is_string(v) && verbose_is_secret_name(k)) {
                char *m = verbose_mask(k, json_string_value(v));
                if (m)
                    json_object_set_new(j, k, json_string(m));
                free(m);
                n++;
            } else {
                n += mask_json(v);
            }
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v) n += mask_json(v);
    }
    return n;
}

/* The mocks' ports are ephemeral and differ per worker: "127.0.0.1:<port>"
 * is shown as "127.0.0.1:PORT", so -v prints the same bytes for any -j. */
static char *scrub_ports(char *s)
{
    static const char host[] = "127.0.0.1:";
    size_t hl = sizeof host - 1;
    char *out = malloc(strlen(s) * 2 + 1);
    if (!out)
        return s;
    char *o = out;
    for (const char *p = s; *p;) {
        if (strncmp(p, host, hl) == 0 && p[hl] >= '0' && p[hl] <= '9') {
            memcpy(o, "127.0.0.1:PORT", 14);
            o += 14;
            for (p += hl; *p >= '0' && *p <= '9'; p++)
                ;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    free(s);
    return out;
}

char *verbose_body(const char *body)
{
    if (!body)
        return strdup("");
    json_t *j = json_loads(body, JSON_DECODE_ANY, NULL);
    char *out = NULL;
    /* re-encoded only when something was masked: jansson would print the
     * sender's numbers in its own way (0.05 as 0.050000000000000003) */
    if (j && mask_json(j) > 0)
        out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    json_decref(j);
    if (!out)
        out = strdup(body);
    if (out)
        out = scrub_ports(out);
    if (out && strlen(out) > BODY_MAX)
        strcpy(out + BODY_MAX - 4, " …"); /* "…" is 3 bytes: fits in the 4 */
    return out;
}

static void line_body(struct strbuf *out, const char *mark, const char *body)
{
    if (!body || !*body)
        return;
    char *b = verbose_body(body);
    if (b)
        sb_printf(out, "        %s %s\n", mark, b);
    free(b);
}

void verbose_journal(const struct journal *j, int64_t start_ms, struct strbuf *out)
{
    size_t n = journal_count(j);
    if (n)
        sb_printf(out, "    journal:\n");
    for (size_t i = 0; i < n; i++) {
        const struct journal_entry *e = journal_at(j, i);
        int64_t rel = e->at - start_ms;
        char tb[32];
        snprintf(tb, sizeof tb, "%" PRId64 ".%03" PRId64, rel / 1000, rel % 1000);
        sb_printf(out, "      t=%9s  %s %s %s -> %d\n", tb, e->mock, e->method, e->path, e->status);
        json_t *hs = mock_headers_json(e->headers, e->headers_len);
        const char *k;
        json_t *v;
        json_object_foreach(hs, k, v)
        {
            if (!verbose_is_secret_name(k) || !json_is_string(v))
                continue;
            char *m = verbose_mask(k, json_string_value(v));
            if (m)
                sb_printf(out, "        > %s: %s\n", k, m);
            free(m);
        }
        json_decref(hs);
        line_body(out, ">", e->body);
        line_body(out, "<", e->answer);
    }
}
