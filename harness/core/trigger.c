/* Trigger webhooks (seed 000 "Trigger URL", seed 002 "Outbound Voice"):
 * instead of calling the provider, the core POSTs the customer's endpoint and
 * the customer's system places the call. The window has opened already, when
 * the run reached pending, so a slow endpoint eats into it (TU-4). */
#include "core/core_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json_depth.h"
#include "core/timefmt.h"

bool core_agent_has_trigger(const struct core_agent *a)
{
    return (a->trigger_url && *a->trigger_url) ||
           (a->trigger_call_endpoint && *a->trigger_call_endpoint);
}

/* TU-2 / OV-1: https, or http to a loopback host in test mode (decision). */
static int check_url(const struct core *c, const char *field, const char *url, char *err, size_t n)
{
    if (strncasecmp(url, "https://", 8) == 0 && url[8])
        return 0;
    if (strncasecmp(url, "http://", 7) == 0) {
        const char *h = url + 7;
        bool loop =
            !strncmp(h, "127.", 4) || !strncasecmp(h, "localhost", 9) || !strncmp(h, "[::1]", 5);
        if (loop && c->env.test_mode)
            return 0;
        snprintf(
            err, n,
            "trigger_not_https: %s must be an https:// URL, got \"%s\" (http:// is accepted only "
            "for loopback addresses in test mode)",
            field, url);
        return -1;
    }
    snprintf(err, n, "trigger_not_https: %s must be a valid https:// URL, got \"%s\"", field, url);
    return -1;
}

/* OV-2, OV-4: a JSON object held in a string; headers also need string values. */
static int check_json(const char *field, const char *text, bool strings_only, char *err, size_t n)
{
    json_error_t je;
    json_t *j = json_depth_loads(text, 0, &je);
    if (!j) {
        if (json_depth_exceeded(&je)) /* the text already says where */
            snprintf(err, n, "%s: %s", field, je.text);
        else
            snprintf(err, n, "%s: invalid JSON at line %d, column %d (position %d): %s", field,
                     je.line, je.column, je.position, je.text);
        return -1;
    }
    int rc = 0;
    if (!json_is_object(j)) {
        snprintf(err, n, "%s: expected a JSON object, got %s", field,
                 json_is_array(j) ? "an array" : "a scalar");
        rc = -1;
    } else if (strings_only) {
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            if (!json_is_string(v)) {
                snprintf(err, n,
                         "%s: the value of \"%s\" must be a string (header values are text)", field,
                         k);
                rc = -1;
                break;
            }
        }
    }
    json_decref(j);
    return rc;
}

int trigger_config_check(const struct core *c, const struct core_agent *a, char *err, size_t n)
{
    bool tu = a->trigger_url && *a->trigger_url;
    bool ov = a->trigger_call_endpoint && *a->trigger_call_endpoint;
    if (tu && ov) {
        snprintf(err, n,
                 "agent '%s': a trigger_url or an outbound voice connection "
                 "(trigger_call_endpoint), not both",
                 a->id);
        return -1;
    }
    if (tu && check_url(c, "trigger_url", a->trigger_url, err, n))
        return -1;
    if (ov && check_url(c, "trigger_call_endpoint", a->trigger_call_endpoint, err, n))
        return -1;
    if (!ov && (a->trigger_call_headers || a->trigger_call_payload || a->phone_number_key)) {
        snprintf(err, n,
                 "agent '%s': trigger_call_headers, trigger_call_payload and "
                 "phone_number_key need a trigger_call_endpoint (OV-1)",
                 a->id);
        return -1;
    }
    if (a->trigger_call_headers && *a->trigger_call_headers &&
        check_json("trigger_call_headers", a->trigger_call_headers, true, err, n))
        return -1;
    if (a->trigger_call_payload && *a->trigger_call_payload &&
        check_json("trigger_call_payload", a->trigger_call_payload, false, err, n))
        return -1;
    if (a->phone_number_key && !*a->phone_number_key) {
        snprintf(err, n, "phone_number_key: must not be empty (default \"phone_number\")");
        return -1;
    }
    return 0;
}

struct trigger_ctx {
    struct core_run *run;
    char *url, *body;
    struct ds_header *headers;
    char **names, **values;
    size_t n;
};

static void ctx_free(struct trigger_ctx *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->names[i]);
        free(t->values[i]);
    }
    free(t->names);
    free(t->values);
    free(t->headers);
    free(t->url);
    free(t->body);
    if (t->run)
        core_run_release(t->run);
    free(t);
}

static int add_header(struct trigger_ctx *t, const char *name, const char *value)
{
    char **nn = realloc(t->names, (t->n + 1) * sizeof *nn);
    if (nn)
        t->names = nn;
    char **nv = realloc(t->values, (t->n + 1) * sizeof *nv);
    if (nv)
        t->values = nv;
    if (!nn || !nv)
        return -1;
    t->names[t->n] = strdup(name);
    t->values[t->n] = strdup(value);
    t->n++;
    return 0;
}

static const char *url_path(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    return p ? p : "/";
}

/* TU-3: only 200 or 201 within 30 s counts; every other outcome has its reason. */
static void on_trigger_answer(void *arg, const struct ds_http_response *resp)
{
    struct trigger_ctx *t = arg;
    struct core_run *r = t->run;
    char detail[400], tb[24];
    enum ds_reason why = DS_REASON_NONE;
    switch (resp->outcome) {
    case DS_HTTP_RESPONSE:
        if (resp->status == 200 || resp->status == 201) {
            core_log(r, "trigger answered %ld after %s: the customer's system places the call",
                     resp->status, ts_secs(resp->elapsed_ms, tb, sizeof tb));
        } else {
            why = DS_REASON_TRIGGER_BAD_STATUS;
            snprintf(detail, sizeof detail, "the trigger endpoint answered %ld after %s (%.120s)",
                     resp->status, ts_secs(resp->elapsed_ms, tb, sizeof tb),
                     resp->body ? resp->body : "");
        }
        break;
    case DS_HTTP_TIMEOUT:
        why = DS_REASON_TRIGGER_TIMEOUT;
        snprintf(detail, sizeof detail, "the trigger endpoint did not answer within %s",
                 ts_secs(resp->elapsed_ms, tb, sizeof tb));
        break;
    case DS_HTTP_TLS_FAILED:
        why = DS_REASON_TRIGGER_TLS_FAILED;
        snprintf(detail, sizeof detail, "TLS with the trigger endpoint failed: %s", resp->error);
        break;
    case DS_HTTP_CONNECT_FAILED:
        why = DS_REASON_TRIGGER_CONNECT_FAILED;
        snprintf(detail, sizeof detail, "the trigger endpoint could not be reached: %s",
                 resp->error);
        break;
    default:
        why = DS_REASON_TRIGGER_CONNECT_FAILED;
        snprintf(detail, sizeof detail, "the trigger endpoint's answer was cut off: %s",
                 resp->error);
        break;
    }
    if (why != DS_REASON_NONE) {
        core_log(r, "trigger failed: %s", detail);
        if (r->status == DS_RUN_PENDING)
            core_finish(r, DS_RUN_FAILED, why, detail);
    }
    ctx_free(t);
}

void trigger_dispatch(struct core_run *r)
{
    struct core *c = r->core;
    const struct core_agent *a = core_agent_get(c, r->agent_id);
    const struct core_evaluator *e = core_evaluator_get(c, r->evaluator_id);
    struct trigger_ctx *t = calloc(1, sizeof *t);
    if (!t || !a || !e) {
        free(t);
        core_finish(r, DS_RUN_FAILED, DS_REASON_TRIGGER_CONNECT_FAILED, "out of memory");
        return;
    }
    t->run = r;
    core_run_hold(r);
    json_t *body;
    if (a->trigger_url && *a->trigger_url) {
        /* TU-1 */
        t->url = strdup(a->trigger_url);
        body = json_pack("{s:s,s:s,s:O}", "from_number", a->contact_number, "to_number",
                         e->phone_number, "dynamic_variables", e->dynamic_variables);
    } else {
        /* OV-4, OV-3: the payload, then the number under its key, which wins */
        t->url = strdup(a->trigger_call_endpoint);
        body = a->trigger_call_payload ? json_loads(a->trigger_call_payload, 0, NULL) : NULL;
        if (!json_is_object(body)) {
            json_decref(body);
            body = json_object();
        }
        json_object_set_new(body, a->phone_number_key ? a->phone_number_key : "phone_number",
                            json_string(e->phone_number));
        /* OV-2 */
        json_t *hj = a->trigger_call_headers ? json_loads(a->trigger_call_headers, 0, NULL) : NULL;
        const char *k;
        json_t *v;
        json_object_foreach(hj, k, v) add_header(t, k, json_string_value(v));
        json_decref(hj);
    }
    t->body = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(body);
    bool has_ct = false;
    for (size_t i = 0; i < t->n; i++)
        has_ct = has_ct || !strcasecmp(t->names[i], "content-type");
    if (!has_ct)
        add_header(t, "Content-Type", "application/json");
    t->headers = calloc(t->n ? t->n : 1, sizeof *t->headers);
    if (!t->body || !t->url || !t->headers) {
        ctx_free(t);
        core_finish(r, DS_RUN_FAILED, DS_REASON_TRIGGER_CONNECT_FAILED, "out of memory");
        return;
    }
    for (size_t i = 0; i < t->n; i++)
        t->headers[i] = (struct ds_header){t->names[i], t->values[i]};
    core_log(r, "POST trigger %s (%s to %s)", url_path(t->url), a->contact_number, e->phone_number);
    struct ds_http_request hr = {
        .method = "POST",
        .url = t->url,
        .headers = t->headers,
        .n_headers = t->n,
        .body = t->body,
        .body_len = strlen(t->body),
        .timeout_ms = CORE_TRIGGER_TIMEOUT_MS,
    };
    r->attempts = 1;
    struct ds_http *h = &c->env.http;
    if (h->ops->send(h->ctx, &hr, on_trigger_answer, t) != 0) {
        ctx_free(t);
        core_finish(r, DS_RUN_FAILED, DS_REASON_TRIGGER_CONNECT_FAILED,
                    "could not send the trigger");
    }
}
