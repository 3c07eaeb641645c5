#define _GNU_SOURCE /* strcasestr */
/* Vapi adapter: POST /call with Authorization: Bearer (providers.md §1.2),
 * GET /call/{id}. Error bodies are NestJS-shaped: {"message": str | [str],
 * "error": "...", "statusCode": n} (§2.1, §2.2). */
#include "core/provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void provider_req_clear(struct provider_req *r)
{
    free(r->method);
    free(r->url);
    free(r->body);
    for (size_t i = 0; i < r->n_headers; i++)
        free(r->header_values[i]);
    memset(r, 0, sizeof *r);
}

int provider_req_header(struct provider_req *r, const char *name, const char *value)
{
    if (r->n_headers == PROVIDER_MAX_HEADERS)
        return -1;
    char *v = strdup(value);
    if (!v)
        return -1;
    r->header_values[r->n_headers] = v;
    r->headers[r->n_headers] = (struct ds_header){name, v};
    r->n_headers++;
    return 0;
}

void provider_transport_failure(const struct ds_http_response *resp, const char *display,
                                struct provider_start_result *out)
{
    out->ok = false;
    out->reason = DS_REASON_PROVIDER_UNREACHABLE;
    switch (resp->outcome) {
    case DS_HTTP_TIMEOUT:
        snprintf(out->detail, sizeof out->detail, "%s did not answer within %lld ms", display,
                 (long long)resp->elapsed_ms);
        break;
    default:
        snprintf(out->detail, sizeof out->detail, "%s could not be reached: %s", display,
                 resp->error[0] ? resp->error : "transport error");
        break;
    }
}

static char *join_url(const char *base, const char *path)
{
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    size_t n = bl + strlen(path) + 1;
    char *u = malloc(n);
    if (u)
        snprintf(u, n, "%.*s%s", (int)bl, base, path);
    return u;
}

static int auth_headers(struct provider_req *out, const char *api_key)
{
    size_t n = strlen(api_key ? api_key : "") + 8;
    char *bearer = malloc(n);
    if (!bearer)
        return -1;
    snprintf(bearer, n, "Bearer %s", api_key ? api_key : "");
    int rc = provider_req_header(out, "Authorization", bearer);
    free(bearer);
    return rc;
}

/* AO-1: one call from the agent's number (phoneNumberId) to the evaluator. */
static int vapi_build_start(const struct provider_call_spec *s, struct provider_req *out)
{
    memset(out, 0, sizeof *out);
    json_t *body = json_object();
    json_object_set_new(body, "assistantId", json_string(s->assistant_id ? s->assistant_id : ""));
    if (s->phone_number_id && *s->phone_number_id)
        json_object_set_new(body, "phoneNumberId", json_string(s->phone_number_id));
    json_object_set_new(body, "customer", json_pack("{s:s}", "number", s->to_number));
    json_t *ov = json_object();
    if (s->dynamic_variables && json_object_size(s->dynamic_variables) > 0)
        json_object_set(ov, "variableValues", (json_t *)s->dynamic_variables);
    json_object_set_new(ov, "metadata", json_pack("{s:s}", "dialsim_run_id", s->run_id));
    json_object_set_new(body, "assistantOverrides", ov);
    out->body = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(body);
    out->method = strdup("POST");
    out->url = join_url(s->base_url, "/call");
    if (!out->body || !out->method || !out->url || auth_headers(out, s->api_key) ||
        provider_req_header(out, "Content-Type", "application/json")) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

/* The message of a NestJS error body, arrays joined with "; ". */
static void vapi_message(const char *body, char *buf, size_t n)
{
    buf[0] = '\0';
    json_t *j = json_loads(body ? body : "", 0, NULL);
    json_t *m = j ? json_object_get(j, "message") : NULL;
    if (json_is_string(m)) {
        snprintf(buf, n, "%s", json_string_value(m));
    } else if (json_is_array(m)) {
        size_t i, len = 0;
        json_t *v;
        json_array_foreach(m, i, v)
        {
            if (!json_is_string(v))
                continue;
            int w = snprintf(buf + len, n - len, "%s%s", len ? "; " : "", json_string_value(v));
            if (w < 0 || (size_t)w >= n - len)
                break;
            len += (size_t)w;
        }
    } else {
        snprintf(buf, n, "%.200s", body ? body : "");
    }
    json_decref(j);
}

/* AO-4: the provider's refusal becomes the run's reason, its words the detail. */
static void vapi_parse_start(const struct ds_http_response *resp, struct provider_start_result *out)
{
    memset(out, 0, sizeof *out);
    if (resp->outcome != DS_HTTP_RESPONSE) {
        provider_transport_failure(resp, "Vapi", out);
        return;
    }
    if (resp->status == 201 || resp->status == 200) {
        json_t *j = json_loads(resp->body ? resp->body : "", 0, NULL);
        const char *id = json_string_value(json_object_get(j, "id"));
        const char *st = json_string_value(json_object_get(j, "status"));
        if (id && *id) {
            out->ok = true;
            snprintf(out->call_id, sizeof out->call_id, "%s", id);
            snprintf(out->status, sizeof out->status, "%s", st ? st : "");
        } else {
            out->reason = DS_REASON_PROVIDER_ERROR;
            snprintf(out->detail, sizeof out->detail,
                     "Vapi answered %ld without a call id in the body", resp->status);
        }
        json_decref(j);
        return;
    }
    char msg[400];
    vapi_message(resp->body, msg, sizeof msg);
    snprintf(out->detail, sizeof out->detail, "%ld: %s", resp->status, msg);
    if (resp->status == 401)
        out->reason = DS_REASON_PROVIDER_AUTH_FAILED;
    else if (resp->status == 402 || strcasestr(msg, "billing limits") ||
             strcasestr(msg, "insufficient credits") || strcasestr(msg, "insufficient-credits"))
        out->reason = DS_REASON_PROVIDER_INSUFFICIENT_CREDITS;
    else if (resp->status == 403)
        out->reason = DS_REASON_PROVIDER_PERMISSION_DENIED;
    else if (resp->status >= 500)
        out->reason = DS_REASON_PROVIDER_ERROR;
    else
        out->reason = DS_REASON_PROVIDER_REJECTED_REQUEST;
}

static int vapi_build_get(const char *base_url, const char *api_key, const char *call_id,
                          struct provider_req *out)
{
    memset(out, 0, sizeof *out);
    size_t n = strlen(call_id) + 8;
    char *path = malloc(n);
    if (!path)
        return -1;
    snprintf(path, n, "/call/%s", call_id);
    out->method = strdup("GET");
    out->url = join_url(base_url, path);
    free(path);
    if (!out->method || !out->url || auth_headers(out, api_key)) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

static void vapi_parse_get(const struct ds_http_response *resp, struct provider_call_state *out)
{
    memset(out, 0, sizeof *out);
    if (resp->outcome != DS_HTTP_RESPONSE || resp->status != 200)
        return;
    json_t *j = json_loads(resp->body ? resp->body : "", 0, NULL);
    const char *st = json_string_value(json_object_get(j, "status"));
    const char *er = json_string_value(json_object_get(j, "endedReason"));
    if (st) {
        out->known = true;
        snprintf(out->status, sizeof out->status, "%s", st);
        out->ended = strcmp(st, "ended") == 0;
        if (er)
            snprintf(out->ended_reason, sizeof out->ended_reason, "%s", er);
    }
    json_decref(j);
}

const struct provider_ops provider_vapi = {
    .name = "vapi",
    .display = "Vapi",
    .build_start = vapi_build_start,
    .parse_start = vapi_parse_start,
    .build_get = vapi_build_get,
    .parse_get = vapi_parse_get,
};
