#include "faults.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json_depth.h"

/* Rule i is rules[i], hit hits[i] times, named "f<ids[i]>"; ids are never
 * reused while the rules live, so a removed rule's id names nothing. */
struct mock_faults {
    json_t *rules;
    unsigned long *hits;
    unsigned long *ids;
    size_t n, cap;
    unsigned long next_id;
    uint64_t rng;
};

int mock_faults_create(struct mock_faults **out, const json_t *rules, uint64_t seed)
{
    struct mock_faults *f = calloc(1, sizeof *f);
    *out = NULL;
    if (!f)
        return -1;
    f->rules = json_array();
    f->rng = seed ^ 0x4641554c54ULL;
    size_t i;
    const json_t *r;
    for (i = 0; i < json_array_size(rules); i++) {
        r = json_array_get(rules, i);
        if (!f->rules || mock_faults_add(f, r, NULL, 0) != 0) {
            mock_faults_destroy(f);
            return -1;
        }
    }
    *out = f;
    return 0;
}

void mock_faults_destroy(struct mock_faults *f)
{
    if (!f)
        return;
    json_decref(f->rules);
    free(f->hits);
    free(f->ids);
    free(f);
}

int mock_faults_add(struct mock_faults *f, const json_t *rule, char *id, size_t idn)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        unsigned long *h = realloc(f->hits, cap * sizeof *h);
        if (!h)
            return -1;
        f->hits = h;
        unsigned long *d = realloc(f->ids, cap * sizeof *d);
        if (!d)
            return -1;
        f->ids = d;
        f->cap = cap;
    }
    if (json_array_append_new(f->rules, json_deep_copy(rule)) != 0)
        return -1;
    f->hits[f->n] = 0;
    f->ids[f->n] = ++f->next_id;
    if (id)
        snprintf(id, idn, "f%lu", f->ids[f->n]);
    f->n++;
    return 0;
}

int mock_faults_remove(struct mock_faults *f, const char *id)
{
    char *end;
    if (!id || id[0] != 'f' || !id[1])
        return -1;
    unsigned long want = strtoul(id + 1, &end, 10);
    if (*end)
        return -1;
    for (size_t i = 0; i < f->n; i++)
        if (f->ids[i] == want) {
            json_array_remove(f->rules, i);
            memmove(f->hits + i, f->hits + i + 1, (f->n - i - 1) * sizeof *f->hits);
            memmove(f->ids + i, f->ids + i + 1, (f->n - i - 1) * sizeof *f->ids);
            f->n--;
            return 0;
        }
    return -1;
}

size_t mock_faults_clear(struct mock_faults *f)
{
    size_t n = f->n;
    json_array_clear(f->rules);
    f->n = 0;
    return n;
}

json_t *mock_faults_list(const struct mock_faults *f)
{
    json_t *a = json_array();
    for (size_t i = 0; f && i < f->n; i++) {
        char id[24];
        snprintf(id, sizeof id, "f%lu", f->ids[i]);
        json_array_append_new(a, json_pack("{s:s,s:I,s:O}", "id", id, "hits",
                                           (json_int_t)f->hits[i], "rule",
                                           json_array_get(f->rules, i)));
    }
    return a;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A uniform double in (0, 1). */
static double unit(struct mock_faults *f)
{
    return ((double)(splitmix(&f->rng) >> 11) + 0.5) / 9007199254740992.0;
}

static int64_t draw_latency(struct mock_faults *f, const json_t *l)
{
    if (json_is_number(l))
        return (int64_t)llround(json_number_value(l) * 1000.0);
    const json_t *u = json_object_get(l, "uniform");
    if (json_is_array(u)) {
        double a = json_number_value(json_array_get(u, 0));
        double b = json_number_value(json_array_get(u, 1));
        return (int64_t)llround((a + (b - a) * unit(f)) * 1000.0);
    }
    const json_t *ln = json_object_get(l, "lognormal");
    if (json_is_object(ln)) {
        double median = json_number_value(json_object_get(ln, "median"));
        double sigma = json_number_value(json_object_get(ln, "sigma"));
        /* Box-Muller: one standard normal from two uniforms, drawn in a fixed
         * order (operands of * are unsequenced: the compiler could pick) */
        double u1 = unit(f);
        double u2 = unit(f);
        double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
        return (int64_t)llround(median * exp(sigma * z) * 1000.0);
    }
    return 0;
}

static bool matches(const json_t *rule, const struct mock_request *rq, const json_t *body)
{
    const char *m = json_string_value(json_object_get(rule, "method"));
    const char *p = json_string_value(json_object_get(rule, "path"));
    if (m && strcasecmp(m, rq->method) != 0)
        return false;
    if (p && fnmatch(p, rq->path, 0) != 0) /* exact, or an fnmatch glob */
        return false;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)json_object_get(rule, "header"), k, v)
    {
        const char *got = mock_header(rq, k);
        if (!got || strcmp(got, json_string_value(v)) != 0)
            return false;
    }
    json_object_foreach((json_t *)json_object_get(rule, "json"), k, v)
    {
        const json_t *got = mock_json_path(body, k);
        if (!got || !json_equal((json_t *)got, (json_t *)v))
            return false;
    }
    return true;
}

/* The step that hit number `hit` (0-based) falls on, or NULL past the script. */
static const json_t *step_for(const json_t *then, unsigned long hit)
{
    size_t i;
    const json_t *s;
    unsigned long seen = 0;
    json_array_foreach(then, i, s)
    {
        if (json_is_true(json_object_get(s, "repeat")))
            return s;
        json_t *t = json_object_get(s, "times");
        unsigned long times = t ? (unsigned long)json_integer_value(t) : 1;
        if (hit < seen + times)
            return s;
        seen += times;
    }
    return NULL;
}

void mock_faults_decide(struct mock_faults *f, const struct mock_request *rq,
                        struct fault_action *out)
{
    memset(out, 0, sizeof *out);
    out->truncate_at = -1;
    out->rule = -1;
    if (!f)
        return;
    json_t *body = NULL;
    size_t i;
    const json_t *rule;
    json_array_foreach(f->rules, i, rule)
    {
        if (json_object_get(rule, "json") && !body)
            body = json_depth_loadb(rq->body, rq->body_len, 0, NULL);
        if (!matches(rule, rq, body))
            continue;
        out->rule = (int)i;
        const json_t *s = step_for(json_object_get(rule, "then"), f->hits[i]++);
        if (!s)
            break; /* the script is spent: the request passes untouched */
        const json_t *lat = json_object_get(s, "latency");
        if (lat) {
            out->has_latency = true;
            out->latency_ms = draw_latency(f, lat);
        }
        if (json_is_true(json_object_get(s, "close"))) {
            out->kind = FAULT_CLOSE;
        } else if (json_object_get(s, "status")) {
            out->kind = FAULT_REPLY;
            out->status = (int)json_integer_value(json_object_get(s, "status"));
            json_t *b = json_object_get(s, "body");
            out->body = b ? json_incref(b) : json_object();
        } else {
            out->kind = FAULT_PASS;
        }
        json_t *hs = json_object_get(s, "headers");
        out->headers = hs ? json_incref(hs) : NULL;
        out->malformed = json_is_true(json_object_get(s, "malformed"));
        json_t *t = json_object_get(s, "truncate");
        if (t)
            out->truncate_at = (long)json_integer_value(t);
        const json_t *d = json_object_get(s, "dribble");
        if (d) {
            out->chunks = (int)json_integer_value(json_object_get(d, "chunks"));
            out->chunk_interval_ms =
                (int64_t)llround(json_number_value(json_object_get(d, "interval")) * 1000.0);
        }
        break;
    }
    json_decref(body);
}

void mock_faults_apply(const struct fault_action *a, struct mock_response *rs)
{
    if (a->kind == FAULT_REPLY) {
        mock_response_clear(rs);
        if (json_is_string(a->body)) {
            rs->body = strdup(json_string_value(a->body));
            rs->content_type = "text/plain; charset=utf-8";
        } else {
            rs->body = json_dumps(a->body, JSON_COMPACT | JSON_PRESERVE_ORDER);
            rs->content_type = "application/json; charset=utf-8";
        }
        rs->status = a->status;
    }
    if (a->has_latency)
        rs->latency_ms = a->latency_ms;
    if (json_object_size(a->headers)) {
        /* "Name: value\r\n" lines, checked one-line tokens by the loader */
        size_t n = 1;
        const char *k;
        json_t *v;
        json_object_foreach(a->headers, k, v) n += strlen(k) + strlen(json_string_value(v)) + 4;
        free(rs->headers);
        rs->headers = malloc(n);
        if (rs->headers) {
            size_t at = 0;
            json_object_foreach(a->headers, k, v) at +=
                (size_t)snprintf(rs->headers + at, n - at, "%s: %s\r\n", k, json_string_value(v));
        }
    }
    if (a->malformed)
        mock_response_finish(rs); /* cut in the bytes, not in the tree */
    if (a->malformed && rs->body && !rs->body_len) {
        /* valid HTTP, invalid JSON: the first half of the body and a stray brace */
        size_t n = strlen(rs->body) / 2;
        rs->body[n] = '\0';
        char *nb = malloc(n + 2);
        if (nb) {
            memcpy(nb, rs->body, n);
            nb[n] = '{';
            nb[n + 1] = '\0';
            free(rs->body);
            rs->body = nb;
        }
    }
    if (a->truncate_at >= 0) {
        rs->truncate = true;
        rs->truncate_at = (size_t)a->truncate_at;
    }
    rs->close = a->kind == FAULT_CLOSE;
    if (a->chunks > 1) {
        rs->chunks = a->chunks;
        rs->latency_ms += (int64_t)(a->chunks - 1) * a->chunk_interval_ms;
    }
}
