/* json_fast.h: the common JSON bodies parsed without jansson's parser, into
 * the same jansson tree. */
#include "core/json_fast.h"
#include "util/swar.h"

#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct fp {
    const char *p, *end;
    int depth; /* containers open */
};

/* Deeper documents are left to the caller's depth check and jansson: the
 * recursion stays bounded whoever calls, and a body within it needs no
 * check of its own (json_depth.h's bound is 64). */
#define FAST_DEPTH 32

/* Anything this parser does not take (an error, or input it leaves to
 * jansson) ends the parse: the caller then asks jansson, which gives the
 * same tree or the error message. */
#define BAIL NULL

static void ws(struct fp *f)
{
    while (f->p < f->end && (*f->p == ' ' || *f->p == '\t' || *f->p == '\n' || *f->p == '\r'))
        f->p++;
}

/* After a number or a literal: what may follow one (jansson reads a run of
 * letters or digits as one token and refuses it otherwise). */
static bool delimited(const struct fp *f)
{
    if (f->p >= f->end)
        return true;
    char c = *f->p;
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ']' || c == '}';
}

/* The string at f->p (after its opening quote): *s and *n its bytes, as
 * they are when it has no escape (*owned NULL), else decoded into *owned
 * (the caller frees). ASCII without control characters and the two-byte
 * escapes only; false for anything else (\u, bytes of 0x80 and above: UTF-8
 * checks and surrogates are jansson's). */
static bool string(struct fp *f, const char **s, size_t *n, char **owned)
{
    const char *start = f->p;
    bool escapes = false;
    *owned = NULL;
    /* eight plain ASCII bytes at a time (util/swar.h), then byte by byte */
    while (f->end - f->p >= 8) {
        uint64_t x = swar_load(f->p);
        if ((x & SWAR_HIGHS) || swar_json_escapes(x))
            break;
        f->p += 8;
    }
    for (;;) {
        if (f->p >= f->end)
            return false;
        unsigned char c = (unsigned char)*f->p;
        if (c == '"')
            break;
        if (c < 0x20 || c >= 0x80)
            return false;
        if (c == '\\') {
            if (f->p + 1 >= f->end || !strchr("\"\\/bfnrt", f->p[1]) || !f->p[1])
                return false;
            escapes = true;
            f->p++;
        }
        f->p++;
    }
    size_t len = (size_t)(f->p - start);
    f->p++; /* the closing quote */
    if (!escapes) {
        *s = start;
        *n = len;
        return true;
    }
    char *out = malloc(len + 1);
    if (!out)
        return false;
    size_t k = 0;
    for (const char *q = start; q < start + len; q++) {
        if (*q != '\\') {
            out[k++] = *q;
            continue;
        }
        /* the letter's control character; '"', '\\' and '/' stand for themselves */
        static const char letters[] = "bfnrt", controls[] = "\b\f\n\r\t";
        const char *l = strchr(letters, *++q);
        out[k++] = l ? controls[l - letters] : *q;
    }
    out[k] = '\0';
    *owned = out;
    *s = out;
    *n = k;
    return true;
}

/* Past a run of decimal digits; how many. */
static size_t skip_digits(struct fp *f)
{
    const char *start = f->p;
    while (f->p < f->end && *f->p >= '0' && *f->p <= '9')
        f->p++;
    return (size_t)(f->p - start);
}

/* RFC 8259's number at f->p: an integer of up to 18 digits (it cannot
 * overflow jansson's json_int_t) as jansson's integer, one with a fraction or
 * an exponent as its real, through strtod as jansson does (in the C
 * locale's notation: another decimal point is left to jansson). */
static json_t *number(struct fp *f)
{
    const char *start = f->p;
    bool neg = false, real = false;
    if (*f->p == '-') {
        neg = true;
        f->p++;
    }
    const char *digits = f->p;
    if (f->p < f->end && *f->p == '0') {
        f->p++;
    } else if (f->p < f->end && *f->p >= '1' && *f->p <= '9') {
        skip_digits(f);
    } else {
        return BAIL;
    }
    size_t ndigits = (size_t)(f->p - digits);
    if (f->p < f->end && *f->p == '.') {
        real = true;
        f->p++;
        if (!skip_digits(f))
            return BAIL;
    }
    if (f->p < f->end && (*f->p == 'e' || *f->p == 'E')) {
        real = true;
        f->p++;
        if (f->p < f->end && (*f->p == '+' || *f->p == '-'))
            f->p++;
        if (!skip_digits(f))
            return BAIL;
    }
    if (!delimited(f))
        return BAIL;
    if (!real) {
        if (ndigits > 18)
            return BAIL;
        long long v = 0;
        for (const char *d = digits; d < f->p; d++)
            v = v * 10 + (*d - '0');
        return json_integer(neg ? -v : v);
    }
    char text[64];
    size_t len = (size_t)(f->p - start);
    if (len >= sizeof text || localeconv()->decimal_point[0] != '.')
        return BAIL;
    memcpy(text, start, len);
    text[len] = '\0';
    double v = strtod(text, NULL);
    if (isinf(v))
        return BAIL; /* jansson's "real number overflow" */
    return json_real(v);
}

static json_t *value(struct fp *f);

/* Past an opening bracket and the whitespace after it: true when the
 * closing one follows at once (then consumed). */
static bool empty_container(struct fp *f, char close)
{
    f->p++;
    ws(f);
    if (f->p < f->end && *f->p == close) {
        f->p++;
        return true;
    }
    return false;
}

/* After a member or an element: 1 at a ',' (another follows), 0 at the
 * closing bracket (consumed), -1 at anything else. */
static int after_item(struct fp *f, char close)
{
    ws(f);
    if (f->p < f->end && *f->p == ',') {
        f->p++;
        ws(f);
        return 1;
    }
    if (f->p < f->end && *f->p == close) {
        f->p++;
        return 0;
    }
    return -1;
}

/* The container c once its closing bracket was reached (next 0); freed
 * otherwise. */
static json_t *closed(json_t *c, int next)
{
    if (next == 0)
        return c;
    json_decref(c);
    return BAIL;
}

/* One "key": value into o; false for anything this parser does not take. */
static bool member(struct fp *f, json_t *o)
{
    const char *k;
    size_t kn;
    char *owned;
    if (f->p >= f->end || *f->p != '"')
        return false;
    f->p++;
    if (!string(f, &k, &kn, &owned))
        return false;
    ws(f);
    json_t *v = NULL;
    if (f->p < f->end && *f->p == ':') {
        f->p++;
        ws(f);
        v = value(f);
    }
    /* a repeated key: the last value, in the first's place, as jansson */
    bool ok = v && json_object_setn_new_nocheck(o, k, kn, v) == 0;
    if (owned) /* rare (an escape); free(NULL) is a call a member */
        free(owned);
    return ok;
}

static json_t *object(struct fp *f)
{
    json_t *o = json_object();
    if (!o || empty_container(f, '}'))
        return o;
    int next;
    do
        next = member(f, o) ? after_item(f, '}') : -1;
    while (next > 0);
    return closed(o, next);
}

static json_t *array(struct fp *f)
{
    json_t *a = json_array();
    if (!a || empty_container(f, ']'))
        return a;
    int next;
    do {
        json_t *v = value(f);
        next = v && json_array_append_new(a, v) == 0 ? after_item(f, ']') : -1;
    } while (next > 0);
    return closed(a, next);
}

static json_t *literal(struct fp *f, const char *word, json_t *v)
{
    size_t n = strlen(word);
    if ((size_t)(f->end - f->p) < n || memcmp(f->p, word, n) != 0)
        return BAIL;
    f->p += n;
    return delimited(f) ? v : BAIL;
}

/* The value at f->p (no whitespace before it); containers nest at most
 * FAST_DEPTH deep, so the recursion is bounded. */
static json_t *value(struct fp *f)
{
    if (f->p >= f->end)
        return BAIL;
    switch (*f->p) {
    case '{':
    case '[': {
        if (f->depth >= FAST_DEPTH)
            return BAIL;
        f->depth++;
        json_t *c = *f->p == '{' ? object(f) : array(f);
        f->depth--;
        return c;
    }
    case '"': {
        const char *s;
        size_t n;
        char *owned;
        f->p++;
        if (!string(f, &s, &n, &owned))
            return BAIL;
        json_t *v = json_stringn_nocheck(s, n);
        if (owned)
            free(owned);
        return v;
    }
    case 't':
        return literal(f, "true", json_true());
    case 'f':
        return literal(f, "false", json_false());
    case 'n':
        return literal(f, "null", json_null());
    default:
        return *f->p == '-' || (*f->p >= '0' && *f->p <= '9') ? number(f) : BAIL;
    }
}

json_t *json_fast_parse(const char *buf, size_t len, size_t flags)
{
    if (!buf || (flags & ~(size_t)JSON_DECODE_ANY))
        return BAIL;
    struct fp f = {buf, buf + len, 0};
    ws(&f);
    if (f.p >= f.end)
        return BAIL;
    if (!(flags & JSON_DECODE_ANY) && *f.p != '{' && *f.p != '[')
        return BAIL;
    json_t *v = value(&f);
    if (!v)
        return BAIL;
    ws(&f);
    if (f.p != f.end) {
        json_decref(v);
        return BAIL;
    }
    return v;
}
