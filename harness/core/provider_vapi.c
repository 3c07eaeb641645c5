/* Vapi adapter: POST /call with Authorization: Bearer (providers.md §1.2),
 * GET /call/{id}, server messages status-update / end-of-call-report with
 * Authorization: Bearer or X-Vapi-Secret (§4.1). Error bodies are
 * NestJS-shaped: {"message": str | [str], "error": "...", "statusCode": n}. */
#define _GNU_SOURCE /* strcasestr */
#include "core/hmac.h"
#include "core/json_depth.h"
#include "core/provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
    out->url = provider_join_url(s->base_url, "/call");
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
    json_t *j = json_depth_loads(body, 0, NULL);
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

static void vapi_parse_start(const struct ds_http_response *resp, struct provider_start_result *out)
{
    memset(out, 0, sizeof *out);
    if (resp->outcome != DS_HTTP_RESPONSE) {
        provider_transport_failure(resp, "Vapi", out);
        return;
    }
    if (resp->status == 201 || resp->status == 200) {
        json_t *j = json_depth_loads(resp->body, 0, NULL);
        const char *id = json_string_value(json_object_get(j, "id"));
        const char *st = json_string_value(json_object_get(j, "status"));
        if (id && *id) {
            out->ok = true;
            snprintf(out->call_id, sizeof out->call_id, "%s", id);
            snprintf(out->status, sizeof out->status, "%s", st ? st : "");
            /* providers.md §2.2: full slots → subscriptionLimits.concurrencyBlocked */
            if (json_is_true(json_object_get(json_object_get(j, "subscriptionLimits"),
                                             "concurrencyBlocked"))) {
                out->start_error = DS_REASON_PROVIDER_CONCURRENCY_LIMIT;
                snprintf(out->detail, sizeof out->detail,
                         "201 with subscriptionLimits.concurrencyBlocked: true");
            }
        } else {
            out->reason = DS_REASON_PROVIDER_ERROR;
            snprintf(out->detail, sizeof out->detail,
                     "Vapi answered %ld without a call id in the body (%s)", resp->status,
                     j ? "no \"id\"" : "not JSON");
        }
        json_decref(j);
        return;
    }
    char msg[400];
    vapi_message(resp->body, msg, sizeof msg);
    provider_classify_status(resp->status, msg, out);
    /* providers.md §2.2: "Billing Limits Exceeded" comes as a 400 */
    if (strcasestr(msg, "billing limits") || strcasestr(msg, "insufficient credits") ||
        strcasestr(msg, "insufficient-credits"))
        out->reason = DS_REASON_PROVIDER_INSUFFICIENT_CREDITS;
}

static int vapi_build_get(const char *base_url, const char *api_key, const char *call_id,
                          struct provider_req *out)
{
    memset(out, 0, sizeof *out);
    char path[200];
    snprintf(path, sizeof path, "/call/%s", call_id);
    out->method = strdup("GET");
    out->url = provider_join_url(base_url, path);
    if (!out->method || !out->url || auth_headers(out, api_key)) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

/* The Call object (GET /call/{id}, or message.call in a webhook). */
static void vapi_call_state(const json_t *call, const char *ended_reason,
                            struct provider_call_state *out)
{
    const char *st = json_string_value(json_object_get(call, "status"));
    const char *er =
        ended_reason ? ended_reason : json_string_value(json_object_get(call, "endedReason"));
    if (!st)
        return;
    out->known = true;
    snprintf(out->status, sizeof out->status, "%s", st);
    out->ended = strcmp(st, "ended") == 0;
    out->answered = json_object_get(call, "startedAt") != NULL;
    const char *rec = json_string_value(json_object_get(
        json_object_get(json_object_get(call, "artifact"), "recording"), "stereoUrl"));
    if (rec)
        snprintf(out->recording_url, sizeof out->recording_url, "%s", rec);
    if (er) {
        /* §3.1: the network's verdicts, in Vapi's words */
        static const char *const network[] = {"customer-busy", "twilio-reported-customer-misdialed",
                                              "twilio-failed-to-connect-call", "voicemail", NULL};
        snprintf(out->ended_reason, sizeof out->ended_reason, "%s", er);
        snprintf(out->symptom, sizeof out->symptom, "Vapi reports %s", er);
        out->network_ended = provider_word_in(er, network);
        /* §3.2: call.start.error-* — the call never started */
        if (strstr(er, "insufficient-credits") || strstr(er, "subscription-frozen") ||
            strstr(er, "wallet-does-not-exist"))
            out->start_error = DS_REASON_PROVIDER_INSUFFICIENT_CREDITS;
        else if (strstr(er, "concurrency-limit-reached"))
            out->start_error = DS_REASON_PROVIDER_CONCURRENCY_LIMIT;
    }
}

static void vapi_parse_get(const struct ds_http_response *resp, struct provider_call_state *out)
{
    memset(out, 0, sizeof *out);
    if (resp->outcome != DS_HTTP_RESPONSE || resp->status != 200)
        return;
    json_t *j = json_depth_loads(resp->body, 0, NULL);
    vapi_call_state(j, NULL, out);
    json_decref(j);
}

static int vapi_parse_webhook(const char *body, size_t len, struct provider_webhook *out, char *err,
                              size_t n)
{
    memset(out, 0, sizeof *out);
    json_t *j;
    if (provider_webhook_json(body, len, &j, err, n) != 0)
        return -1;
    json_t *m = json_object_get(j, "message");
    const char *type = json_string_value(json_object_get(m, "type"));
    const char *id = json_string_value(json_object_get(json_object_get(m, "call"), "id"));
    if (!type || !id) {
        snprintf(err, n,
                 "not a Vapi server message: expected {\"message\": {\"type\", \"call\": "
                 "{\"id\"}}}");
        json_decref(j);
        return -1;
    }
    snprintf(out->event, sizeof out->event, "%s", type);
    snprintf(out->call_id, sizeof out->call_id, "%s", id);
    vapi_call_state(json_object_get(m, "call"),
                    json_string_value(json_object_get(m, "endedReason")), &out->state);
    const char *su = json_string_value(json_object_get(m, "status"));
    if (su) { /* status-update carries the new status beside the call */
        snprintf(out->state.status, sizeof out->state.status, "%s", su);
        out->state.ended = strcmp(su, "ended") == 0;
    }
    json_t *art = json_object_get(m, "artifact");
    const char *tr = json_string_value(json_object_get(art, "transcript"));
    if (tr)
        snprintf(out->state.transcript, sizeof out->state.transcript, "%s", tr);
    const char *rec =
        json_string_value(json_object_get(json_object_get(art, "recording"), "stereoUrl"));
    if (rec)
        snprintf(out->state.recording_url, sizeof out->state.recording_url, "%s", rec);
    json_decref(j);
    return 0;
}

/* §4.1: nothing is signed; the secret comes back as a Bearer token or in
 * X-Vapi-Secret. Compared in constant time. */
static int vapi_verify_webhook(const struct ds_header *h, size_t nh, const char *body, size_t len,
                               const char *secret, int64_t now_ms, char *err, size_t n)
{
    (void)body, (void)len, (void)now_ms;
    const char *auth = provider_header(h, nh, "authorization");
    const char *xs = provider_header(h, nh, "x-vapi-secret");
    const char *got = xs ? xs : auth && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : NULL;
    if (!got) {
        snprintf(err, n, "no Authorization: Bearer or X-Vapi-Secret header");
        return -1;
    }
    if (!secret || !*secret || !secret_equal(got, secret)) {
        snprintf(err, n, "the %s does not match the agent's webhook_secret",
                 xs ? "X-Vapi-Secret" : "Bearer token");
        return -1;
    }
    return 0;
}

static int vapi_build_recording(const char *base_url, const char *api_key, const char *call_id,
                                const char *url, struct provider_req *out)
{
    (void)base_url, (void)api_key, (void)call_id;
    return provider_get_url(url, out); /* artifact.recording.stereoUrl */
}

/* Issue 12: POST /campaign, one customer per run, the run id as the
 * customer's externalId (40 characters at most: dialsim's run ids are
 * shorter). The campaign's assistant and number are the agent's. */
static int vapi_build_batch(const struct provider_call_spec *s, size_t n, struct provider_req *out)
{
    json_t *customers = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            customers, json_pack("{s:s,s:s}", "number", s[i].to_number, "externalId", s[i].run_id));
    char name[120];
    snprintf(name, sizeof name, "dialsim %s", n ? s[0].run_id : "");
    json_t *body =
        json_pack("{s:s,s:s,s:s,s:o}", "name", name, "assistantId",
                  n && s[0].assistant_id ? s[0].assistant_id : "", "phoneNumberId",
                  n && s[0].phone_number_id ? s[0].phone_number_id : "", "customers", customers);
    if (provider_req_json(out, "POST", n ? s[0].base_url : "", "/campaign", body) ||
        auth_headers(out, n ? s[0].api_key : "")) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

/* The Campaign's calls: {call id: {status, endedReason?, customer}}. */
static int vapi_parse_batch_calls(const char *body, provider_batch_call_fn each, void *ctx)
{
    json_t *j = json_depth_loads(body, 0, NULL);
    json_t *calls = json_object_get(j, "calls");
    if (!json_is_object(calls)) {
        json_decref(j);
        return -1;
    }
    const char *id;
    json_t *d;
    int n = 0;
    json_object_foreach(calls, id, d)
    {
        const char *run =
            json_string_value(json_object_get(json_object_get(d, "customer"), "externalId"));
        if (!run)
            continue;
        struct provider_call_state st;
        memset(&st, 0, sizeof st);
        vapi_call_state(d, NULL, &st);
        each(ctx, run, id, &st);
        n++;
    }
    json_decref(j);
    return n;
}

const struct provider_ops provider_vapi = {
    .name = "vapi",
    .display = "Vapi",
    .build_start = vapi_build_start,
    .parse_start = vapi_parse_start,
    .build_get = vapi_build_get,
    .parse_get = vapi_parse_get,
    .parse_webhook = vapi_parse_webhook,
    .verify_webhook = vapi_verify_webhook,
    .build_recording = vapi_build_recording,
    .webhook_secret_field = "webhook_secret",
    .build_batch = vapi_build_batch,
    .batch_id_field = "id",
    .parse_batch_calls = vapi_parse_batch_calls,
};
