/* `dialsim conform outbound-connection --config FILE`: a Coval-style outbound
 * voice connection (seed 002). The config is checked first, as the core
 * checks it when an agent is configured (OV-1..OV-4); then its endpoint gets
 * the body and headers the core would send (OV-3, OV-4, OV-2) and the request
 * checks of `conform trigger`. Seed 002 states no status or time contract:
 * the core holds these endpoints to TU-3 (200/201 within 30 s), and so does
 * this command (decision, docs/conformance.md). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "conform/conform_trigger.h"

/* A connection config, checked. */
struct ov_config {
    const char *endpoint; /* borrowed from the JSON */
    bool https;
    const char *phone_key; /* borrowed; "phone_number" by default */
    json_t *headers;       /* object of strings, owned, or NULL */
    json_t *payload;       /* object, owned, or NULL */
};

static const char *const known_fields[] = {"trigger_call_endpoint", "trigger_call_headers",
                                           "phone_number_key", "trigger_call_payload", NULL};

static bool header_name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!strchr("!#$%&'*+-.^_`|~", *s) && !(*s >= '0' && *s <= '9') &&
            !(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z'))
            return false;
    return true;
}

/* OV-2, OV-4: a JSON object held in a string, with the parse position of the
 * first error (as the core reports it). NULL with err set when it is not. */
static json_t *json_in_string(const json_t *cfg, const char *field, char *err, size_t n)
{
    const json_t *v = json_object_get(cfg, field);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        snprintf(err, n, "%s must be a string holding JSON (seed 002), not a JSON %s", field,
                 json_is_object(v) ? "object" : "value of another type");
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loads(json_string_value(v), 0, &je);
    if (!j) {
        snprintf(err, n, "%s: invalid JSON at line %d, column %d (position %d): %s", field, je.line,
                 je.column, je.position, je.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        snprintf(err, n, "%s: expected a JSON object, got %s", field,
                 json_is_array(j) ? "an array" : "a scalar");
        json_decref(j);
        return NULL;
    }
    return j;
}

static int check_headers(const json_t *h, char *err, size_t n)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)h, k, v)
    {
        if (!json_is_string(v)) {
            snprintf(err, n, "trigger_call_headers: the value of \"%s\" must be a string", k);
            return -1;
        }
        if (!header_name_ok(k) || strpbrk(json_string_value(v), "\r\n")) {
            snprintf(err, n, "trigger_call_headers: \"%s\" is not a valid HTTP header", k);
            return -1;
        }
    }
    return 0;
}

/* Fills c from cfg. Returns 0 when requests can be sent (a FAIL for http://
 * still leaves them possible), -1 when not; problems go to fail (the first)
 * and warn. */
static int validate(const json_t *cfg, struct ov_config *c, char *fail, size_t fn, char *warn,
                    size_t wn)
{
    if (!json_is_object(cfg)) {
        snprintf(fail, fn, "the config must be a JSON object");
        return -1;
    }
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)cfg, k, v)
    {
        bool known = false;
        for (size_t i = 0; known_fields[i]; i++)
            known = known || !strcmp(k, known_fields[i]);
        size_t used = strlen(warn);
        if (!known && used + 2 < wn)
            snprintf(warn + used, wn - used, "%sunknown field \"%s\" ignored", used ? "; " : "", k);
    }
    c->endpoint = json_string_value(json_object_get(cfg, "trigger_call_endpoint"));
    if (!c->endpoint || !*c->endpoint) {
        snprintf(fail, fn, "trigger_call_endpoint is required (OV-1)");
        return -1;
    }
    if (conform_url_usable(c->endpoint, &c->https) != 0) {
        snprintf(fail, fn, "trigger_call_endpoint \"%.200s\" is not a valid URL (OV-1)",
                 c->endpoint);
        return -1;
    }
    const json_t *key = json_object_get(cfg, "phone_number_key");
    c->phone_key = "phone_number";
    if (key && !json_is_null(key)) {
        if (!json_is_string(key) || !*json_string_value(key)) {
            snprintf(fail, fn, "phone_number_key must be a non-empty string (OV-3)");
            return -1;
        }
        c->phone_key = json_string_value(key);
    }
    if (!(c->headers = json_in_string(cfg, "trigger_call_headers", fail, fn)) && *fail)
        return -1;
    if (c->headers && check_headers(c->headers, fail, fn))
        return -1;
    if (!(c->payload = json_in_string(cfg, "trigger_call_payload", fail, fn)) && *fail)
        return -1;
    if (c->payload && json_object_get(c->payload, c->phone_key)) {
        size_t used = strlen(warn);
        snprintf(warn + used, wn - used,
                 "%strigger_call_payload has \"%s\" too: the number to call wins (OV-4)",
                 used ? "; " : "", c->phone_key);
    }
    if (!c->https)
        snprintf(fail, fn, "trigger_call_endpoint must be an https:// URL (OV-1)");
    return 0;
}

/* The config's headers as "Name: value" lines, then the command line's. */
static char **header_lines(const json_t *h, const char *const *extra)
{
    size_t n = json_object_size(h);
    for (size_t i = 0; extra && extra[i]; i++)
        n++;
    char **lines = calloc(n + 1, sizeof *lines);
    if (!lines)
        return NULL;
    size_t k = 0;
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)h, name, v)
    {
        size_t len = strlen(name) + strlen(json_string_value(v)) + 3;
        if (!(lines[k] = malloc(len)))
            break;
        snprintf(lines[k++], len, "%s: %s", name, json_string_value(v));
    }
    for (size_t i = 0; extra && extra[i]; i++)
        if (!(lines[k++] = strdup(extra[i])))
            break;
    return lines;
}

static void free_lines(char **lines)
{
    for (size_t i = 0; lines && lines[i]; i++)
        free(lines[i]);
    free(lines);
}

/* OV-4 then OV-3: the payload, and the number under its key, which wins. */
static char *ov_body(const struct ov_config *c, const char *to)
{
    json_t *b = c->payload ? json_deep_copy(c->payload) : json_object();
    json_object_set_new(b, c->phone_key, json_string(to));
    char *s = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(b);
    return s;
}

static int report_config_only(struct conform_report *r, const char *junit, FILE *out)
{
    static const char *const rest[][2] = {{"https", "OV-1"},        {"status", "TU-3"},
                                          {"latency", "TU-3,TU-4"}, {"repeat", "TU-3"},
                                          {"concurrency", "TU-3"},  {"malformed", "OV-4"}};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        conform_set(conform_add(r, rest[i][0], rest[i][1]), CONFORM_SKIP,
                    "not run: the config is not usable");
    conform_print(out, r);
    if (junit && conform_junit(junit, r, 0) != 0) {
        fprintf(stderr, "dialsim conform: cannot write %s\n", junit);
        return 2;
    }
    if (r->html && conform_html(r->html, r, 0) != 0) {
        fprintf(stderr, "dialsim conform: cannot write %s\n", r->html);
        return 2;
    }
    return 1;
}

int conform_outbound_run(const struct conform_options *o, FILE *out)
{
    FILE *f = fopen(o->config, "r");
    if (!f) {
        fprintf(stderr, "dialsim conform: cannot read --config %s\n", o->config);
        return 2;
    }
    fclose(f);
    struct conform_report r = {
        .suite = "conform outbound-connection", .url = o->config, .json = o->json, .html = o->html};
    struct conform_check *c = conform_add(&r, "config", "OV-1..OV-4");
    json_error_t je;
    json_t *cfg = json_load_file(o->config, 0, &je);
    if (!cfg) {
        conform_set(c, CONFORM_FAIL, "%s:%d:%d: not JSON: %s", o->config, je.line, je.column,
                    je.text);
        return report_config_only(&r, o->junit, out);
    }
    struct ov_config oc = {0};
    char fail[400] = "", warn[400] = "";
    int usable = validate(cfg, &oc, fail, sizeof fail, warn, sizeof warn);
    if (*fail)
        conform_set(c, CONFORM_FAIL, "%s", fail);
    else if (*warn)
        conform_set(c, CONFORM_WARN, "%s", warn);
    else
        conform_set(c, CONFORM_PASS,
                    "endpoint, headers (%zu), phone_number_key \"%s\", payload (%zu keys)",
                    json_object_size(oc.headers), oc.phone_key, json_object_size(oc.payload));
    int rc;
    char **lines = NULL;
    if (usable != 0) {
        rc = report_config_only(&r, o->junit, out);
        goto out;
    }
    lines = header_lines(oc.headers, o->headers);
    struct conform_plan p = {
        .suite = r.suite,
        .url = oc.endpoint,
        .https_rule = "OV-1",
        .target = {.url = oc.endpoint,
                   .headers = (const char *const *)lines,
                   .cacert = o->cacert,
                   .timeout_ms = o->timeout_ms},
        .body = ov_body(&oc, o->to),
        .from = o->from,
        .to = o->to,
        .phone_key = oc.phone_key,
        .concurrency = o->concurrency,
        .warn_after_ms = o->warn_after_ms,
    };
    rc = lines && p.body ? conform_run_plan(&p, &r, o->junit, out) : 2;
    free(p.body);
out:
    free_lines(lines);
    json_decref(oc.headers);
    json_decref(oc.payload);
    json_decref(cfg);
    return rc;
}
