/* ElevenLabs adapter: POST /v1/convai/twilio/outbound-call (or
 * /sip-trunk/outbound-call) with xi-api-key (providers.md §1.4), GET
 * /v1/convai/conversations/{id}, webhooks post_call_transcription /
 * call_initiation_failure signed ElevenLabs-Signature: t=<s>,v0=<hex> with
 * HMAC-SHA256(secret, "t.body"), rejected beyond 30 minutes (§4.3). Errors:
 * {"detail": {"status", "message"}} or a FastAPI 422 list (§2.4). */
#include "core/hmac.h"
#include "core/json_depth.h"
#include "core/provider.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ELEVENLABS_TOLERANCE_S (30 * 60)

static const char *nz(const char *s, const char *dflt)
{
    return s ? s : dflt;
}

static int el_build_start(const struct provider_call_spec *s, struct provider_req *out)
{
    memset(out, 0, sizeof *out);
    json_t *body = json_pack("{s:s,s:s,s:s}", "agent_id", s->assistant_id ? s->assistant_id : "",
                             "agent_phone_number_id", s->phone_number_id ? s->phone_number_id : "",
                             "to_number", s->to_number ? s->to_number : "");
    /* §1.4: values are str/num/bool/null; objects and arrays go as JSON text */
    json_t *dv = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)s->dynamic_variables, k, v)
    {
        if (json_is_object(v) || json_is_array(v)) {
            char *t = json_dumps(v, JSON_COMPACT);
            json_object_set_new(dv, k, json_string(t ? t : ""));
            free(t);
        } else {
            json_object_set(dv, k, v);
        }
    }
    json_object_set_new(dv, "dialsim_run_id", json_string(s->run_id));
    json_object_set_new(body, "conversation_initiation_client_data",
                        json_pack("{s:o}", "dynamic_variables", dv));
    out->body = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(body);
    bool sip = s->phone_number_type && !strcmp(s->phone_number_type, "sip_trunk");
    out->method = strdup("POST");
    out->url = provider_join_url(s->base_url, sip ? "/v1/convai/sip-trunk/outbound-call"
                                                  : "/v1/convai/twilio/outbound-call");
    if (!out->body || !out->method || !out->url ||
        provider_req_header(out, "xi-api-key", s->api_key ? s->api_key : "") ||
        provider_req_header(out, "Content-Type", "application/json")) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

/* "detail.status: message", or the 422 list as "body.to_number: Field required; ..." */
static void el_message(const json_t *j, const char *raw, char *code, size_t cn, char *buf, size_t n)
{
    json_t *d = json_object_get(j, "detail");
    code[0] = buf[0] = '\0';
    if (json_is_object(d)) {
        snprintf(code, cn, "%s", nz(json_string_value(json_object_get(d, "status")), ""));
        snprintf(buf, n, "%s: %s", code, nz(json_string_value(json_object_get(d, "message")), ""));
    } else if (json_is_array(d)) {
        size_t i, len = 0;
        json_t *e;
        json_array_foreach(d, i, e)
        {
            json_t *loc = json_object_get(e, "loc");
            const char *field = json_string_value(json_array_get(loc, json_array_size(loc) - 1));
            int w = snprintf(buf + len, n - len, "%sbody.%s: %s", len ? "; " : "", nz(field, "?"),
                             nz(json_string_value(json_object_get(e, "msg")), ""));
            if (w < 0 || (size_t)w >= n - len)
                break;
            len += (size_t)w;
        }
    } else {
        snprintf(buf, n, "%.180s", raw ? raw : "");
    }
}

static void el_parse_start(const struct ds_http_response *resp, struct provider_start_result *out)
{
    memset(out, 0, sizeof *out);
    if (resp->outcome != DS_HTTP_RESPONSE) {
        provider_transport_failure(resp, "ElevenLabs", out);
        return;
    }
    json_t *j = json_depth_loads(resp->body, 0, NULL);
    if (resp->status == 200) {
        const char *id = json_string_value(json_object_get(j, "conversation_id"));
        json_t *ok = json_object_get(j, "success");
        if (json_is_true(ok) && id && *id) {
            out->ok = true;
            snprintf(out->call_id, sizeof out->call_id, "%s", id);
            snprintf(out->status, sizeof out->status, "initiated");
        } else {
            /* providers.md §1.4: success:false with 200 is possible; clients check it */
            out->reason =
                json_is_false(ok) ? DS_REASON_PROVIDER_REJECTED_REQUEST : DS_REASON_PROVIDER_ERROR;
            snprintf(out->detail, sizeof out->detail, "200 with success %s: %s",
                     json_is_false(ok) ? "false" : "missing",
                     nz(json_string_value(json_object_get(j, "message")), "no message"));
        }
        json_decref(j);
        return;
    }
    char code[64], msg[400];
    el_message(j, resp->body, code, sizeof code, msg, sizeof msg);
    provider_classify_status(resp->status, msg, out);
    if (!strcmp(code, "missing_permissions"))
        out->reason = DS_REASON_PROVIDER_PERMISSION_DENIED;
    else if (!strcmp(code, "quota_exceeded"))
        out->reason = DS_REASON_PROVIDER_INSUFFICIENT_CREDITS;
    else if (!strcmp(code, "too_many_concurrent_requests"))
        out->reason = DS_REASON_PROVIDER_CONCURRENCY_LIMIT;
    json_decref(j);
}

/* GET {base}/v1/convai/conversations/{id}{suffix} with xi-api-key */
static int el_get(const char *base_url, const char *api_key, const char *call_id,
                  const char *suffix, struct provider_req *out)
{
    memset(out, 0, sizeof *out);
    char path[200];
    snprintf(path, sizeof path, "/v1/convai/conversations/%s%s", call_id, suffix);
    out->method = strdup("GET");
    out->url = provider_join_url(base_url, path);
    if (!out->method || !out->url ||
        provider_req_header(out, "xi-api-key", api_key ? api_key : "")) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

static int el_build_get(const char *base_url, const char *api_key, const char *call_id,
                        struct provider_req *out)
{
    return el_get(base_url, api_key, call_id, "", out);
}

static void el_conversation_state(const json_t *conv, struct provider_call_state *out)
{
    const char *st = json_string_value(json_object_get(conv, "status"));
    if (!st)
        return;
    out->known = true;
    snprintf(out->status, sizeof out->status, "%s", st);
    out->ended = !strcmp(st, "done") || !strcmp(st, "failed");
    out->answered = json_is_true(json_object_get(conv, "has_audio")) || !strcmp(st, "in-progress");
    const char *tr =
        json_string_value(json_object_get(json_object_get(conv, "metadata"), "termination_reason"));
    if (tr && *tr)
        snprintf(out->ended_reason, sizeof out->ended_reason, "%s", tr);
    /* voicemail is named only in termination_reason (inferred wording) */
    out->network_ended = tr && strstr(tr, "Voicemail") != NULL;
    /* a batch recipient the account could not take (mock_elevenlabs.c's
     * inferred wording): refused at start, AO-4 */
    if (tr && !strcmp(tr, "Insufficient credits"))
        out->start_error = DS_REASON_PROVIDER_INSUFFICIENT_CREDITS;
    else if (tr && !strcmp(tr, "Concurrency limit reached"))
        out->start_error = DS_REASON_PROVIDER_CONCURRENCY_LIMIT;
    if (out->ended)
        snprintf(out->symptom, sizeof out->symptom, "ElevenLabs shows the conversation as %s%s%s",
                 st, tr && *tr ? ": " : "", tr && *tr ? tr : "");
    json_t *t = json_object_get(conv, "transcript");
    size_t i, len = 0;
    json_t *e;
    json_array_foreach(t, i, e)
    {
        int w = snprintf(out->transcript + len, sizeof out->transcript - len, "%s: %s\n",
                         nz(json_string_value(json_object_get(e, "role")), "?"),
                         nz(json_string_value(json_object_get(e, "message")), ""));
        if (w < 0 || (size_t)w >= sizeof out->transcript - len)
            break;
        len += (size_t)w;
    }
}

static void el_parse_get(const struct ds_http_response *resp, struct provider_call_state *out)
{
    memset(out, 0, sizeof *out);
    if (resp->outcome != DS_HTTP_RESPONSE || resp->status != 200)
        return;
    json_t *j = json_depth_loads(resp->body, 0, NULL);
    el_conversation_state(j, out);
    json_decref(j);
}

static int el_parse_webhook(const char *body, size_t len, struct provider_webhook *out, char *err,
                            size_t n)
{
    memset(out, 0, sizeof *out);
    json_t *j;
    if (provider_webhook_json(body, len, &j, err, n) != 0)
        return -1;
    const char *type = json_string_value(json_object_get(j, "type"));
    json_t *data = json_object_get(j, "data");
    const char *id = json_string_value(json_object_get(data, "conversation_id"));
    if (!type || !id) {
        snprintf(err, n,
                 "not an ElevenLabs webhook: expected {\"type\", \"data\": "
                 "{\"conversation_id\"}}");
        json_decref(j);
        return -1;
    }
    snprintf(out->event, sizeof out->event, "%s", type);
    snprintf(out->call_id, sizeof out->call_id, "%s", id);
    if (!strcmp(type, "call_initiation_failure")) {
        /* §3.4: busy and no-answer are told only here */
        const char *fr = json_string_value(json_object_get(data, "failure_reason"));
        struct provider_call_state *s = &out->state;
        s->known = s->ended = true;
        snprintf(s->status, sizeof s->status, "failed");
        snprintf(s->ended_reason, sizeof s->ended_reason, "%s", fr ? fr : "unknown");
        snprintf(s->symptom, sizeof s->symptom,
                 "ElevenLabs reports call_initiation_failure (failure_reason %s)",
                 fr ? fr : "unknown");
        /* busy (a decline too) and unknown (failed, not in service); not no-answer */
        s->network_ended = !fr || strcmp(fr, "no-answer") != 0;
    } else {
        el_conversation_state(data, &out->state);
    }
    json_decref(j);
    return 0;
}

/* ElevenLabs-Signature: t=<unix s>,v0=<hex HMAC-SHA256(secret, "t.body")> */
static int el_verify_webhook(const struct ds_header *h, size_t nh, const char *body, size_t len,
                             const char *secret, int64_t now_ms, char *err, size_t n)
{
    const char *sig = provider_header(h, nh, "elevenlabs-signature");
    int64_t t;
    const char *rest = "";
    char got[80];
    if (!sig) {
        snprintf(err, n, "no ElevenLabs-Signature header");
        return -1;
    }
    if (strncmp(sig, "t=", 2) != 0 || provider_parse_i64(sig + 2, &rest, &t) != 0 ||
        sscanf(rest, ",v0=%64[0-9a-f]", got) != 1) {
        snprintf(err, n, "ElevenLabs-Signature is not \"t=<unix s>,v0=<hex>\"");
        return -1;
    }
    char prefix[32], want[65];
    snprintf(prefix, sizeof prefix, "%" PRId64 ".", t);
    if (!secret || !*secret || hmac_sha256_hex(secret, prefix, strlen(prefix), body, len, want) ||
        !secret_equal(got, want)) {
        snprintf(err, n,
                 "ElevenLabs-Signature does not match the body signed with the agent's "
                 "webhook_secret (forged, or signed with another secret)");
        return -1;
    }
    int64_t age = provider_age(now_ms / 1000, t); /* t is the sender's: may be INT64_MIN */
    if (age > ELEVENLABS_TOLERANCE_S) {
        snprintf(err, n, "ElevenLabs-Signature is %" PRId64 " s old; at most 1800 s is accepted",
                 age);
        return -1;
    }
    return 0;
}

/* providers.md §5: GET /v1/convai/conversations/{id}/audio, with the API key */
static int el_build_recording(const char *base_url, const char *api_key, const char *call_id,
                              const char *url, struct provider_req *out)
{
    (void)url;
    return el_get(base_url, api_key, call_id, "/audio", out);
}

/* Issue 12: POST /v1/convai/batch-calling/submit, one recipient per run,
 * its id the run's (and the dynamic variables a single call would carry). */
static int el_build_batch(const struct provider_call_spec *s, size_t n, struct provider_req *out)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *one = provider_start_body(&provider_elevenlabs, &s[i]);
        if (!one) {
            json_decref(list);
            return -1;
        }
        json_array_append_new(
            list, json_pack("{s:s,s:s,s:O}", "id", s[i].run_id, "phone_number", s[i].to_number,
                            "conversation_initiation_client_data",
                            json_object_get(one, "conversation_initiation_client_data")));
        json_decref(one);
    }
    char name[120];
    snprintf(name, sizeof name, "dialsim %s", n ? s[0].run_id : "");
    json_t *body = json_pack("{s:s,s:s,s:s,s:o}", "call_name", name, "agent_id",
                             n ? nz(s[0].assistant_id, "") : "", "agent_phone_number_id",
                             n ? nz(s[0].phone_number_id, "") : "", "recipients", list);
    if (provider_req_json(out, "POST", n ? s[0].base_url : "", "/v1/convai/batch-calling/submit",
                          body) ||
        provider_req_header(out, "xi-api-key", n ? nz(s[0].api_key, "") : "")) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

static int el_build_batch_calls(const char *base_url, const char *api_key, const char *batch_id,
                                struct provider_req *out)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/convai/batch-calling/%s", batch_id);
    if (provider_req_json(out, "GET", base_url, path, NULL) ||
        provider_req_header(out, "xi-api-key", nz(api_key, ""))) {
        provider_req_clear(out);
        return -1;
    }
    return 0;
}

/* BatchCallDetailedResponse.recipients: the recipient's status says no why
 * (a refused call is "failed" like a busy one): the state is left unknown,
 * and the conversation, read in the dial window, says it. */
static int el_parse_batch_calls(const char *body, provider_batch_call_fn each, void *ctx)
{
    json_t *j = json_depth_loads(body, 0, NULL);
    json_t *list = json_object_get(j, "recipients");
    if (!json_is_array(list)) {
        json_decref(j);
        return -1;
    }
    size_t i;
    json_t *r;
    int n = 0;
    json_array_foreach(list, i, r)
    {
        const char *run = json_string_value(json_object_get(r, "id"));
        const char *id = json_string_value(json_object_get(r, "conversation_id"));
        if (!run || !id)
            continue;
        struct provider_call_state st;
        memset(&st, 0, sizeof st);
        each(ctx, run, id, &st);
        n++;
    }
    json_decref(j);
    return n;
}

const struct provider_ops provider_elevenlabs = {
    .name = "elevenlabs",
    .display = "ElevenLabs",
    .build_start = el_build_start,
    .parse_start = el_parse_start,
    .build_get = el_build_get,
    .parse_get = el_parse_get,
    .parse_webhook = el_parse_webhook,
    .verify_webhook = el_verify_webhook,
    .build_recording = el_build_recording,
    .webhook_secret_field = "webhook_secret",
    .build_batch = el_build_batch,
    .batch_id_field = "id",
    .build_batch_calls = el_build_batch_calls,
    .parse_batch_calls = el_parse_batch_calls,
};
