/* Retell adapter: POST /v2/create-phone-call with Authorization: Bearer
 * (providers.md §1.3), GET /v2/get-call/{call_id}, webhooks call_started /
 * call_ended / call_analyzed signed x-retell-signature: v=<ms>,d=<hex> with
 * HMAC-SHA256(api key, body + ms), rejected beyond 5 minutes (§4.2).
 * Errors: {"status": "error", "message": "..."} (§2.3). */
#include "core/hmac.h"
#include "core/json_depth.h"
#include "core/provider.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETELL_TOLERANCE_MS (5 * 60 * 1000)

static int bearer(struct provider_req *out, const char *key)
{
    char b[512];
    snprintf(b, sizeof b, "Bearer %s", key ? key : "");
    return provider_req_header(out, "Authorization", b);
}

static int retell_build_start(const struct provider_call_spec *s, struct provider_req *out)
{
    memset(out, 0, sizeof *out);
    json_t *body = json_pack("{s:s,s:s,s:s}", "from_number", s->from_number ? s->from_number : "",
                             "to_number", s->to_number ? s->to_number : "", "override_agent_id",
                             s->assistant_id ? s->assistant_id : "");
    /* retell_llm_dynamic_variables is a {string: string} map */
    json_t *dv = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)s->dynamic_variables, k, v)
    {
        if (json_is_string(v)) {
            json_object_set(dv, k, v);
        } else {
            char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            json_object_set_new(dv, k, json_string(t ? t : ""));
            free(t);
        }
    }
    json_object_set_new(body, "retell_llm_dynamic_variables", dv);
    json_object_set_new(body, "metadata", json_pack("{s:s}", "dialsim_run_id", s->run_id));
    out->body = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(body);
    out->method = strdup("POST");
    out->url = provider_join_url(s->base_url, "/v2/create-phone-call");
    if (!out->body || !out->method || !out->url || bearer(out, s->api_key) ||
        provider_req_header(out, "Content-Type", "application/json")) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

static void retell_parse_start(const struct ds_http_response *resp,
                               struct provider_start_result *out)
{
    memset(out, 0, sizeof *out);
    if (resp->outcome != DS_HTTP_RESPONSE) {
        provider_transport_failure(resp, "Retell", out);
        return;
    }
    json_t *j = json_depth_loads(resp->body, 0, NULL);
    if (resp->status == 201 || resp->status == 200) {
        const char *id = json_string_value(json_object_get(j, "call_id"));
        const char *st = json_string_value(json_object_get(j, "call_status"));
        if (id && *id) {
            out->ok = true;
            snprintf(out->call_id, sizeof out->call_id, "%s", id);
            snprintf(out->status, sizeof out->status, "%s", st ? st : "");
        } else {
            out->reason = DS_REASON_PROVIDER_ERROR;
            snprintf(out->detail, sizeof out->detail,
                     "Retell answered %ld without a call_id in the body (%s)", resp->status,
                     j ? "no \"call_id\"" : "not JSON");
        }
    } else {
        const char *m = json_string_value(json_object_get(j, "message"));
        char raw[200];
        snprintf(raw, sizeof raw, "%.180s", resp->body ? resp->body : "");
        provider_classify_status(resp->status, m ? m : raw, out);
    }
    json_decref(j);
}

static int retell_build_get(const char *base_url, const char *api_key, const char *call_id,
                            struct provider_req *out)
{
    memset(out, 0, sizeof *out);
    char path[200];
    snprintf(path, sizeof path, "/v2/get-call/%s", call_id);
    out->method = strdup("GET");
    out->url = provider_join_url(base_url, path);
    if (!out->method || !out->url || bearer(out, api_key)) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

/* §3.3: call_status and disconnection_reason. */
static void retell_call_state(const json_t *call, struct provider_call_state *out)
{
    const char *st = json_string_value(json_object_get(call, "call_status"));
    if (!st)
        return;
    out->known = true;
    snprintf(out->status, sizeof out->status, "%s", st);
    out->ended = !strcmp(st, "ended") || !strcmp(st, "not_connected") || !strcmp(st, "error");
    out->answered = json_object_get(call, "start_timestamp") != NULL || !strcmp(st, "ongoing");
    const char *dr = json_string_value(json_object_get(call, "disconnection_reason"));
    if (dr) {
        /* §3.3: the network's verdicts, in Retell's words */
        static const char *const network[] = {"dial_busy",           "user_declined",
                                              "invalid_destination", "dial_failed",
                                              "voicemail_reached",   NULL};
        snprintf(out->ended_reason, sizeof out->ended_reason, "%s", dr);
        snprintf(out->symptom, sizeof out->symptom, "Retell reports %s (call_status %s)", dr, st);
        out->network_ended = provider_word_in(dr, network);
        if (!strcmp(dr, "no_valid_payment"))
            out->start_error = DS_REASON_PROVIDER_INSUFFICIENT_CREDITS;
        else if (!strcmp(dr, "concurrency_limit_reached"))
            out->start_error = DS_REASON_PROVIDER_CONCURRENCY_LIMIT;
    }
    const char *tr = json_string_value(json_object_get(call, "transcript"));
    if (tr)
        snprintf(out->transcript, sizeof out->transcript, "%s", tr);
    const char *rec = json_string_value(json_object_get(call, "recording_url"));
    if (rec)
        snprintf(out->recording_url, sizeof out->recording_url, "%s", rec);
}

static void retell_parse_get(const struct ds_http_response *resp, struct provider_call_state *out)
{
    memset(out, 0, sizeof *out);
    if (resp->outcome != DS_HTTP_RESPONSE || resp->status != 200)
        return;
    json_t *j = json_depth_loads(resp->body, 0, NULL);
    retell_call_state(j, out);
    json_decref(j);
}

static int retell_parse_webhook(const char *body, size_t len, struct provider_webhook *out,
                                char *err, size_t n)
{
    memset(out, 0, sizeof *out);
    json_t *j;
    if (provider_webhook_json(body, len, &j, err, n) != 0)
        return -1;
    const char *ev = json_string_value(json_object_get(j, "event"));
    const char *id = json_string_value(json_object_get(json_object_get(j, "call"), "call_id"));
    if (!ev || !id) {
        snprintf(err, n, "not a Retell webhook: expected {\"event\", \"call\": {\"call_id\"}}");
        json_decref(j);
        return -1;
    }
    snprintf(out->event, sizeof out->event, "%s", ev);
    snprintf(out->call_id, sizeof out->call_id, "%s", id);
    retell_call_state(json_object_get(j, "call"), &out->state);
    json_decref(j);
    return 0;
}

/* x-retell-signature: v=<unix ms>,d=<hex HMAC-SHA256(key, body + ms)> */
static int retell_verify_webhook(const struct ds_header *h, size_t nh, const char *body, size_t len,
                                 const char *secret, int64_t now_ms, char *err, size_t n)
{
    const char *sig = provider_header(h, nh, "x-retell-signature");
    int64_t ts;
    const char *rest = "";
    char got[80];
    int end = 0;
    if (!sig) {
        snprintf(err, n, "no x-retell-signature header");
        return -1;
    }
    /* the digest ends the header, as the Retell SDK's /v=(\d+),d=(.*)/ requires */
    if (strncmp(sig, "v=", 2) != 0 || provider_parse_i64(sig + 2, &rest, &ts) != 0 ||
        sscanf(rest, ",d=%64[0-9a-f]%n", got, &end) != 1 || rest[end] != '\0') {
        snprintf(err, n, "x-retell-signature is not \"v=<unix ms>,d=<hex>\"");
        return -1;
    }
    char tsbuf[32], want[65];
    snprintf(tsbuf, sizeof tsbuf, "%" PRId64, ts);
    /* no key, no webhook: an empty key would verify anyone's empty-key HMAC */
    if (!secret || !*secret || hmac_sha256_hex(secret, body, len, tsbuf, strlen(tsbuf), want) ||
        !secret_equal(got, want)) {
        snprintf(err, n,
                 "x-retell-signature does not match the body signed with the agent's "
                 "Retell API key (forged, or signed with another key)");
        return -1;
    }
    int64_t age = provider_age(now_ms, ts); /* ts is the sender's: may be INT64_MIN */
    if (age > RETELL_TOLERANCE_MS || age < -RETELL_TOLERANCE_MS) {
        snprintf(err, n, "x-retell-signature is %" PRId64 " s old; at most 300 s is accepted",
                 age / 1000);
        return -1;
    }
    return 0;
}

static int retell_build_recording(const char *base_url, const char *api_key, const char *call_id,
                                  const char *url, struct provider_req *out)
{
    (void)base_url, (void)api_key, (void)call_id;
    return provider_get_url(url, out); /* recording_url */
}

/* Issue 12: POST /create-batch-call, one task per run: the task is what
 * create-phone-call would send, less from_number (the batch's). */
static int retell_build_batch(const struct provider_call_spec *s, size_t n,
                              struct provider_req *out)
{
    json_t *tasks = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *t = provider_start_body(&provider_retell, &s[i]);
        if (!t) {
            json_decref(tasks);
            return -1;
        }
        json_object_del(t, "from_number");
        json_array_append_new(tasks, t);
    }
    char name[120];
    snprintf(name, sizeof name, "dialsim %s", n ? s[0].run_id : "");
    json_t *body = json_pack("{s:s,s:s,s:o}", "name", name, "from_number",
                             n && s[0].from_number ? s[0].from_number : "", "tasks", tasks);
    if (provider_req_json(out, "POST", n ? s[0].base_url : "", "/create-batch-call", body) ||
        bearer(out, n ? s[0].api_key : "")) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

/* Retell has no route that reads a batch: list-calls filtered by it (v2: the
 * plain array). */
static int retell_build_batch_calls(const char *base_url, const char *api_key, const char *batch_id,
                                    struct provider_req *out)
{
    json_t *body = json_pack("{s:{s:[s]},s:i,s:s}", "filter_criteria", "batch_call_id", batch_id,
                             "limit", 1000, "sort_order", "ascending");
    if (provider_req_json(out, "POST", base_url, "/v2/list-calls", body) || bearer(out, api_key)) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

static int retell_parse_batch_calls(const char *body, provider_batch_call_fn each, void *ctx)
{
    json_t *j = json_depth_loads(body, 0, NULL);
    if (!json_is_array(j)) {
        json_decref(j);
        return -1;
    }
    size_t i;
    json_t *call;
    int n = 0;
    json_array_foreach(j, i, call)
    {
        const char *run =
            json_string_value(json_object_get(json_object_get(call, "metadata"), "dialsim_run_id"));
        const char *id = json_string_value(json_object_get(call, "call_id"));
        if (!run || !id)
            continue;
        struct provider_call_state st;
        memset(&st, 0, sizeof st);
        retell_call_state(call, &st);
        each(ctx, run, id, &st);
        n++;
    }
    json_decref(j);
    return n;
}

const struct provider_ops provider_retell = {
    .name = "retell",
    .display = "Retell",
    .build_start = retell_build_start,
    .parse_start = retell_parse_start,
    .build_get = retell_build_get,
    .parse_get = retell_parse_get,
    .parse_webhook = retell_parse_webhook,
    .verify_webhook = retell_verify_webhook,
    .build_recording = retell_build_recording,
    .webhook_secret_field = "provider_api_key",
    .build_batch = retell_build_batch,
    .batch_id_field = "batch_call_id",
    .build_batch_calls = retell_build_batch_calls,
    .parse_batch_calls = retell_parse_batch_calls,
};
