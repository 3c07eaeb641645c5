#include "runner/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "runner/scenario_objects.h"
#include "core/reason.h"
#include "core/timefmt.h"
#include "runner/jsonpos.h"
#include "runner/validate.h"
#include "runner/vocab.h"

static const char *const providers[] = {"vapi", "retell", "elevenlabs", NULL};
static const char *const actions[] = {"start_runs", "update_agent", "redial", "advance", NULL};
static const char *const statuses[] = {"pending", "in_progress", "completed",
                                       "failed",  "timeout",     NULL};
static const char *const drop_as[] = {"no-answer", "busy", "voicemail", NULL};
static const char *const number_types[] = {"twilio", "sip_trunk", NULL};
static const char *const dispatches[] = {"single", "batch", NULL}; /* issue 12 */
static const char *const wh_auths[] = {"bearer", "x-vapi-secret", NULL};
static const char *const transcript_providers[] = {"provider", "custom", NULL};
static const char *const identify_by[] = {"to_phone_number", "run_id", NULL};
static const char *const backend_defects[] = {"wrong_key", "missing_field",   "late", "duplicate",
                                              "no_post",   "header_spelling", NULL};
static const char *const surfaces[] = {"http", "ended", NULL};
static const struct field a_string = STR("");
/* an object whose every value is a string (header maps) */
#define STRING_MAP(k)                                                                              \
    {                                                                                              \
        .key = k, .type = T_OBJECT, .items = &a_string, .values_are_items = true                   \
    }
static const struct field any_value = {.key = "", .type = T_ANY};

#define AGENT_FIELDS                                                                               \
    STR("name"), BOOL("inbound"), {.key = "contact_number", .type = T_STRING_NULL},                \
        CHOICE("provider", providers), STR("provider_api_key"), STR("assistant_id"),               \
        STR("phone_number_id"), CHOICE("phone_number_type", number_types), STR("webhook_secret"),  \
        CHOICE("transcript_provider", transcript_providers), STR("trigger_url"),                   \
        STR("trigger_call_endpoint"), STR("trigger_call_headers"), STR("phone_number_key"),        \
        STR("trigger_call_payload"), BOOL("auto_outbound"), INT("dial_window_seconds", 1, 86400),  \
        CHOICE("dispatch", dispatches)

/* `project` only here: an agent does not move between projects (update_agent) */
static const struct field agent_fields[] = {REQ_STR("id"), STR("project"), AGENT_FIELDS, END};

const char *scenario_agent_key(size_t i)
{
    return i < sizeof agent_fields / sizeof *agent_fields ? agent_fields[i].key : NULL;
}
static const struct field agent_set_fields[] = {AGENT_FIELDS, END};
static const struct field agent = OBJ("", agent_fields);

static const struct field evaluator_fields[] = {REQ_STR("id"),
                                                 STR("project"),
                                                 REQ_STR("phone_number"),
                                                 {.key = "dynamic_variables", .type = T_OBJECT},
                                                 END};
static const struct field evaluator = OBJ("", evaluator_fields);

static const struct field project_fields[] = {STR("id"), STR("api_key"), BOOL("fetch_recordings"),
                                              END};
/* in `projects` (several, issue 14) an id is required: agents name it */
static const struct field projects_item_fields[] = {REQ_STR("id"), STR("api_key"),
                                                    BOOL("fetch_recordings"), END};
static const struct field projects_item = OBJ("", projects_item_fields);

static const char *const pn_providers[] = {"twilio", "sip_trunk", NULL};
/* agent_id, label, provider: what ElevenLabs' phone-number routes show */
static const struct field pn_fields[] = {REQ_STR("id"),   REQ_STR("number"),
                                         STR("agent_id"), STR("label"),
                                         CHOICE("provider", pn_providers), END};
static const struct field pn = OBJ("", pn_fields);
/* Vapi: a number's outbound assistant and webhook server (mock_vapi_numbers.c) */
static const struct field vapi_pn_server_fields[] = {STR("url"), STR("secret"), END};
static const struct field vapi_pn_fields[] = {REQ_STR("id"), REQ_STR("number"), STR("assistantId"),
                                              OBJ("server", vapi_pn_server_fields), END};
static const struct field vapi_pn = OBJ("", vapi_pn_fields);
static const struct field key_fields[] = {REQ_STR("key"), ARR("permissions", false, &a_string, 0),
                                          END};
static const char *const rec_formats[] = {"wav", "flac", "ogg", "opus", "mp3", NULL};
static const char *const rec_defects[] = {"dead_air", "silent_channel", "truncated", "wrong_rate",
                                          "clipping", "zero_length",    "not_audio", NULL};
static const struct field recording_fields[] = {
    CHOICE("format", rec_formats), INT("sample_rate", 8000, 48000), INT("channels", 1, 2),
    CHOICE("defect", rec_defects), END};
#define WEBHOOK_FIELDS                                                                             \
    STR("secret"), SEC("delay", false, 0), BOOL("drop"), BOOL("forge"),                            \
        SEC("replay_after", false, 0.001), SEC("stale_by", false, 0), INT("retries", 0, 10),       \
        SEC("retry_after", false, 0.001), STR("url")
static const struct field signed_webhook_fields[] = {WEBHOOK_FIELDS, END};
static const struct field webhook_fields[] = {WEBHOOK_FIELDS, CHOICE("auth", wh_auths), END};
#define ACCOUNT_FIELDS                                                                             \
    {.key = "keys", .type = T_ARRAY, .items = &any_value}, SEC("latency", false, 0),               \
        SEC("dial_delay", false, 0), SEC("ring_timeout", false, 0.001), SEC("credits", false, 0),  \
        SEC("call_cost", false, 0), INT("concurrency_limit", 1, 1e6),                              \
        OBJ("recording", recording_fields), {.key = "objects", .type = T_OBJECT}
#define PROVIDER_FIELDS                                                                            \
    ACCOUNT_FIELDS, ARR("agents", false, &a_string, 0), ARR("phone_numbers", false, &pn, 0)
/* Retell: an agent may name its webhook server, a number its agents, and the
 * account a webhook server for all its calls (mock_retell_internal.h) */
static const struct field retell_agent = {.key = "", .type = T_ANY}; /* id or {id, webhook_url} */
static const struct field retell_pn_fields[] = {REQ_STR("id"),
                                                REQ_STR("number"),
                                                STR("outbound_agent_id"),
                                                STR("inbound_agent_id"),
                                                STR("nickname"),
                                                {.key = "outbound_agents", .type = T_ARRAY},
                                                {.key = "inbound_agents", .type = T_ARRAY},
                                                END};
static const struct field retell_pn = OBJ("", retell_pn_fields);
static const struct field vapi_fields[] = {ACCOUNT_FIELDS, ARR("agents", false, &a_string, 0),
                                           ARR("phone_numbers", false, &vapi_pn, 0),
                                           ARR("assistants", false, &a_string, 0),
                                           CHOICE("credits_surface", surfaces),
                                           OBJ("webhooks", webhook_fields), END};
/* Retell and ElevenLabs sign their webhooks one way each: no "auth" choice */
static const struct field retell_fields[] = {ACCOUNT_FIELDS, ARR("agents", false, &retell_agent, 0),
                                             ARR("phone_numbers", false, &retell_pn, 0),
                                             OBJ("webhooks", signed_webhook_fields), END};
static const struct field elevenlabs_fields[] = {PROVIDER_FIELDS,
                                                 OBJ("webhooks", signed_webhook_fields), END};
static const struct field fault_fields[] = {REQ_STR("to"),   STR("ani"),        STR("misdial"),
                                            BOOL("busy"),    BOOL("fail"),      BOOL("declined"),
                                            BOOL("invalid"), BOOL("voicemail"), END};
static const struct field fault = OBJ("", fault_fields);
/* what the far side does with calls to a number (mocks/pstn.h; the admin
 * API's /_dialsim/outcomes takes the same objects) */
static const char *const outcome_names[] = {"answer",    "busy",    "no-answer", "fail",
                                            "voicemail", "decline", NULL};
static const struct field outcome_fields[] = {REQ_STR("to"),
                                              {.key = "outcome",
                                               .type = T_STRING,
                                               .required = true,
                                               .choices = outcome_names},
                                              SEC("ring", false, 0), INT("times", 1, 1e9), END};
static const struct field outcome = OBJ("", outcome_fields);
static const struct field pstn_fields[] = {
    SEC("call_duration", false, 0.001), CHOICE("silent_drop_as", drop_as),
    SEC("voicemail_after", false, 0),   ARR("faults", false, &fault, 0),
    ARR("outcomes", false, &outcome, 0), END};
static const struct field uniform = {
    .key = "", .type = T_NUMBER, .bounded = true, .min = 0, .max = 1e9};
static const struct field lognormal_fields[] = {SEC("median", true, 0), SEC("sigma", true, 0), END};
static const struct field latency_fields[] = {
    {.key = "uniform", .type = T_ARRAY, .items = &uniform, .min_items = 2},
    OBJ("lognormal", lognormal_fields),
    END};
static const struct field dribble_fields[] = {
    {.key = "chunks", .type = T_INTEGER, .required = true, .bounded = true, .min = 2, .max = 1000},
    SEC("interval", true, 0),
    END};
/* A fault step's "headers": each a header the answer carries, so a test can
 * get Retry-After with its 429. A name must be an HTTP token and a value one
 * line; the headers that frame the answer are the server's. Fails v. */
static const char *const framing_headers[] = {"content-length", "transfer-encoding", "connection",
                                              "keep-alive", "content-type", NULL};
static int fault_headers_check(struct jsonpos_error *v, const json_t *hs, const char *at)
{
    const char *name;
    json_t *val;
    json_object_foreach((json_t *)hs, name, val)
    {
        char p[400];
        snprintf(p, sizeof p, "%s.headers.%s", at, name);
        bool token = *name != '\0';
        for (const char *c = name; *c; c++)
            if (!(isalnum((unsigned char)*c) || strchr("!#$%&'*+-.^_`|~", *c)))
                token = false;
        if (!token) {
            jsonpos_fail(v, p, "expected a header name (letters, digits, -), got \"%s\"", name);
            return -1;
        }
        for (int i = 0; framing_headers[i]; i++)
            if (!strcasecmp(name, framing_headers[i])) {
                jsonpos_fail(v, p,
                             "%s frames the answer and is the server's to set; a fault can set "
                             "any other header (status and body set the rest)",
                             name);
                return -1;
            }
        const char *sv = json_string_value(val);
        if (sv && strpbrk(sv, "\r\n")) {
            jsonpos_fail(v, p, "expected a one-line value, got a line break");
            return -1;
        }
    }
    return 0;
}

static const struct field fault_step_fields[] = {
    INT("times", 1, 1e9),
    BOOL("repeat"),
    BOOL("pass"),
    INT("status", 100, 599),
    {.key = "body", .type = T_ANY},
    BOOL("close"),
    BOOL("malformed"),
    INT("truncate", 0, 1e9),
    {.key = "dribble", .type = T_OBJECT, .fields = dribble_fields},
    {.key = "latency", .type = T_ANY},
    STRING_MAP("headers"),
    END};
static const struct field fault_step = OBJ("", fault_step_fields);
static const struct field fault_rule_fields[] = {STR("method"),
                                                 STR("path"),
                                                 STRING_MAP("header"),
                                                 {.key = "json", .type = T_OBJECT},
                                                 ARR("then", true, &fault_step, 1),
                                                 END};
static const struct field fault_rule = OBJ("", fault_rule_fields);
static const struct field latency_obj = OBJ("", latency_fields);
static const struct field backend_defect = {
    .key = "", .type = T_STRING, .choices = backend_defects};
static const struct field backend_fields[] = {SEC("delay", false, 0),
                                              STR("api_key"),
                                              CHOICE("identify_by", identify_by),
                                              INT("agent_id", 1, 9007199254740991.0),
                                              ARR("defects", false, &backend_defect, 0),
                                              END};
static const struct field dial_fields[] = {STR("from"), SEC("delay", false, 0), END};
static const struct field trigger_ep_fields[] = {
    INT("status", 100, 599), SEC("latency", false, 0),       STRING_MAP("require_headers"),
    STR("number_key"),       {.key = "dial", .type = T_ANY}, END};
static const struct field trigger_ep = OBJ("", trigger_ep_fields);
static const struct field mocks_fields[] = {
    OBJ("customer_backend", backend_fields),
    {.key = "trigger_endpoints", .type = T_OBJECT, .items = &trigger_ep, .values_are_items = true},
    OBJ("vapi", vapi_fields),
    OBJ("retell", retell_fields),
    OBJ("elevenlabs", elevenlabs_fields),
    OBJ("pstn", pstn_fields),
    ARR("faults", false, &fault_rule, 0),
    END};

static const struct field step_fields[] = {
    SEC("at", true, 0),
    {.key = "do", .type = T_STRING, .required = true, .choices = actions},
    STR("agent"),
    ARR("evaluators", false, &a_string, 1),
    STR("as"),
    OBJ("set", agent_set_fields),
    STR("run"),
    STR("expect_error"),
    END};
static const struct field step = OBJ("", step_fields);

static const struct field provider_call_fields[] = {STR("status"), STR("ended_reason"), END};
static const char *const defect_names[] = {
    "container", "encoding",       "sample_rate",  "channels", "truncated", "duration", "dead_air",
    "silence",   "silent_channel", "low_activity", "clipping", "too_quiet", "too_loud", NULL};
static const struct field defect_name = {.key = "", .type = T_STRING, .choices = defect_names};
static const struct field rec_expect_fields[] = {
    BOOL("present"),
    STR("format"),
    STR("encoding"),
    INT("sample_rate", 1, 1e6),
    INT("channels", 1, 8),
    SEC("duration", false, 0),
    SEC("tolerance", false, 0),
    {.key = "min_active", .type = T_NUMBER, .bounded = true, .min = 0, .max = 1},
    SEC("max_silence", false, 0),
    SEC("max_dead_air", false, 0),
    {.key = "max_clipping", .type = T_NUMBER, .bounded = true, .min = 0, .max = 1},
    {.key = "min_level", .type = T_NUMBER, .bounded = true, .min = -200, .max = 0},
    {.key = "max_level", .type = T_NUMBER, .bounded = true, .min = -200, .max = 0},
    ARR("defects", false, &defect_name, 0),
    STR("error_contains"),
    END};

static const struct field run_expect_fields[] = {
    CHOICE("status", statuses),
    {.key = "reason", .type = T_STRING_NULL},
    {.key = "diagnosis_contains", .type = T_ANY},
    STR("detail_contains"),
    {.key = "outbound_dial_window_seconds", .type = T_INTEGER},
    STR("outbound_dial_window_opens_at"),
    STR("outbound_dial_window_closes_at"),
    INT("dials", 0, 1e9),
    INT("dropped", 0, 1e9),
    INT("attempts", 0, 1e9),
    INT("webhooks", 0, 1e9),
    STR("transcript_contains"),
    OBJ("recording", rec_expect_fields),
    OBJ("provider_call", provider_call_fields),
    END};
static const struct field run_expect = OBJ("", run_expect_fields);
static const struct field journal_fields[] = {STR("mock"),
                                              STR("method"),
                                              STR("path"),
                                              STRING_MAP("headers"),
                                              {.key = "body", .type = T_OBJECT},
                                              INT("status", 0, 599),
                                              STR("answer_contains"),
                                              ARR("body_absent", false, &a_string, 1),
                                              {.key = "body_exact", .type = T_ANY},
                                              INT("count", 0, 1e9),
                                              END};
static const struct field journal_expect = OBJ("", journal_fields);
static const struct field expect_fields[] = {
    {.key = "runs", .type = T_OBJECT, .items = &run_expect, .values_are_items = true},
    ARR("journal", false, &journal_expect, 0),
    END};

static const struct field top_fields[] = {
    STR("$schema"), /* the schema's URL or path: editors read it for completion; we ignore it */
    REQ_STR("name"),
    REQ_STR("description"),
    ARR("rules", true, &a_string, 1),
    INT("seed", 0, 9007199254740991.0),
    STR("start_time"),
    SEC("until", false, 0),
    OBJ("project", project_fields),
    ARR("projects", false, &projects_item, 1),
    ARR("agents", true, &agent, 1),
    ARR("evaluators", true, &evaluator, 1),
    OBJ("mocks", mocks_fields),
    ARR("steps", true, &step, 1),
    {.key = "expect", .type = T_OBJECT, .required = true, .fields = expect_fields},
    END};
static const struct field top = OBJ("", top_fields);

/* ---- checks no table can express ---------------------------------------- */

static bool has_id(const json_t *arr, const char *id)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) if (strcmp(json_string_value(json_object_get(x, "id")), id) ==
                                      0) return true;
    return false;
}

static void unique_ids(struct jsonpos_error *v, const json_t *arr, const char *name);

/* Several projects (issue 14): `project` or `projects`, not both; ids unique;
 * an agent's or evaluator's `project` names one of them (absent: the first). */
static void check_projects(struct jsonpos_error *v, const json_t *root)
{
    const json_t *one = json_object_get(root, "project");
    const json_t *many = json_object_get(root, "projects");
    if (one && many) {
        jsonpos_fail(v, "projects", "give \"project\" or \"projects\", not both");
        return;
    }
    unique_ids(v, many, "projects");
    const char *single = one ? json_string_value(json_object_get(one, "id")) : NULL;
    static const char *const lists[] = {"agents", "evaluators"};
    for (size_t l = 0; l < 2 && !v->failed; l++) {
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(root, lists[l]), i, x)
        {
            const char *pj = json_string_value(json_object_get(x, "project"));
            if (!pj)
                continue;
            bool known = many ? has_id(many, pj) : !strcmp(pj, single ? single : "default");
            if (!known) {
                char p[64];
                snprintf(p, sizeof p, "%s[%zu].project", lists[l], i);
                jsonpos_fail(v, p, "no project has id \"%s\"", pj);
                return;
            }
        }
    }
}

static void unique_ids(struct jsonpos_error *v, const json_t *arr, const char *name)
{
    size_t i, k;
    json_t *x, *y;
    char p[64];
    json_array_foreach(arr, i, x)
    {
        json_array_foreach(arr, k, y)
        {
            if (k >= i)
                break;
            if (strcmp(json_string_value(json_object_get(x, "id")),
                       json_string_value(json_object_get(y, "id"))) == 0) {
                snprintf(p, sizeof p, "%s[%zu].id", name, i);
                jsonpos_fail(v, p, "duplicate id \"%s\" (also %s[%zu])",
                             json_string_value(json_object_get(x, "id")), name, k);
                return;
            }
        }
    }
}

static bool is_rule_id(const char *s)
{
    size_t i = 0;
    while (isupper((unsigned char)s[i]))
        i++;
    if (i < 1 || i > 3 || s[i] != '-' || !isdigit((unsigned char)s[i + 1]))
        return false;
    for (i++; s[i]; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool label_known(const json_t *labels, const char *l)
{
    return json_object_get(labels, l) != NULL;
}

static void check_steps(struct jsonpos_error *v, const json_t *root, json_t *labels)
{
    const json_t *agents = json_object_get(root, "agents");
    const json_t *evals = json_object_get(root, "evaluators");
    size_t i;
    json_t *st;
    char p[96];
    json_array_foreach(json_object_get(root, "steps"), i, st)
    {
        const char *act = json_string_value(json_object_get(st, "do"));
        const char *ag = json_string_value(json_object_get(st, "agent"));
        static const char *const allowed[][5] = {
            {"start_runs", "agent", "evaluators", "as", NULL},
            {"update_agent", "agent", "set", NULL},
            {"redial", "run", NULL},
            {"advance", NULL},
        };
        const char *const *ok = NULL;
        for (size_t a = 0; a < 4; a++)
            if (strcmp(allowed[a][0], act) == 0)
                ok = &allowed[a][1];
        const char *k;
        json_t *val;
        json_object_foreach(st, k, val)
        {
            if (!strcmp(k, "at") || !strcmp(k, "do") || !strcmp(k, "expect_error"))
                continue;
            bool fine = false;
            for (const char *const *o = ok; *o; o++)
                fine = fine || strcmp(*o, k) == 0;
            if (!fine) {
                snprintf(p, sizeof p, "steps[%zu].%s", i, k);
                jsonpos_fail(v, p, "\"%s\" does not go with \"do\": \"%s\"", k, act);
                return;
            }
        }
        for (const char *const *o = ok; *o; o++) {
            if (!strcmp(*o, "as"))
                continue;
            if (!json_object_get(st, *o)) {
                snprintf(p, sizeof p, "steps[%zu]", i);
                jsonpos_fail(v, p, "\"do\": \"%s\" needs \"%s\"", act, *o);
                return;
            }
        }
        if (ag && !has_id(agents, ag)) {
            snprintf(p, sizeof p, "steps[%zu].agent", i);
            jsonpos_fail(v, p, "no agent has id \"%s\"", ag);
            return;
        }
        if (!strcmp(act, "start_runs")) {
            const char *as = json_string_value(json_object_get(st, "as"));
            size_t e;
            json_t *ev;
            json_array_foreach(json_object_get(st, "evaluators"), e, ev)
            {
                const char *eid = json_string_value(ev);
                snprintf(p, sizeof p, "steps[%zu].evaluators[%zu]", i, e);
                if (!has_id(evals, eid)) {
                    jsonpos_fail(v, p, "no evaluator has id \"%s\"", eid);
                    return;
                }
                char label[256];
                if (as)
                    snprintf(label, sizeof label, "%s/%s", as, eid);
                else
                    snprintf(label, sizeof label, "%s", eid);
                if (label_known(labels, label)) {
                    jsonpos_fail(v, p,
                                 "run label \"%s\" is already used by an earlier step; give this "
                                 "step an \"as\"",
                                 label);
                    return;
                }
                json_object_set_new(labels, label, json_integer((json_int_t)i));
            }
        }
        if (!strcmp(act, "redial")) {
            const char *run = json_string_value(json_object_get(st, "run"));
            if (!label_known(labels, run)) {
                snprintf(p, sizeof p, "steps[%zu].run", i);
                jsonpos_fail(v, p, "no earlier start_runs step creates a run labelled \"%s\"", run);
                return;
            }
        }
    }
}

/* What the field tables cannot say about a mocks object. */
static void check_mocks(struct jsonpos_error *v, const json_t *mocks)
{
    size_t i;
    json_t *x;
    char p[96];
    static const char *const provs[] = {"vapi", "retell", "elevenlabs"};
    for (size_t pi = 0; pi < 3 && !v->failed; pi++) {
        json_t *keys = json_object_get(json_object_get(mocks, provs[pi]), "keys");
        json_array_foreach(keys, i, x)
        {
            snprintf(p, sizeof p, "mocks.%s.keys[%zu]", provs[pi], i);
            if (json_is_string(x))
                continue;
            if (!json_is_object(x)) {
                jsonpos_fail(v, p, "expected a key string or {\"key\", \"permissions\"}, got %s",
                             jsonpos_kind(x));
                break;
            }
            scenario_validate_object(v, key_fields, x, p);
        }
    }
    json_array_foreach(json_object_get(json_object_get(mocks, "pstn"), "outcomes"), i, x)
    {
        const char *o = json_string_value(json_object_get(x, "outcome"));
        if (json_object_get(x, "ring") && strcmp(o, "answer") && strcmp(o, "voicemail")) {
            snprintf(p, sizeof p, "mocks.pstn.outcomes[%zu].ring", i);
            jsonpos_fail(v, p, "\"ring\" goes with \"answer\" or \"voicemail\" (ring N s, then "
                               "pick up), not with \"%s\"", o);
            break;
        }
    }
    scenario_check_objects(v, mocks); /* issue 12: the generic routes' state */
    size_t ri;
    json_t *rule;
    json_array_foreach(json_object_get(mocks, "faults"), ri, rule)
    {
        size_t si;
        json_t *fs;
        json_array_foreach(json_object_get(rule, "then"), si, fs)
        {
            snprintf(p, sizeof p, "mocks.faults[%zu].then[%zu]", ri, si);
            int kinds = json_is_true(json_object_get(fs, "pass")) +
                        !!json_object_get(fs, "status") +
                        json_is_true(json_object_get(fs, "close"));
            if (kinds != 1) {
                jsonpos_fail(
                    v, p,
                    "a step needs exactly one of \"pass\": true, \"status\" or \"close\": true");
                break;
            }
            if (fault_headers_check(v, json_object_get(fs, "headers"), p))
                break;
            json_t *lat = json_object_get(fs, "latency");
            char lp[112];
            snprintf(lp, sizeof lp, "%s.latency", p);
            if (lat && !(json_is_number(lat) && json_number_value(lat) >= 0)) {
                if (!json_is_object(lat) || json_object_size(lat) != 1) {
                    jsonpos_fail(v, lp,
                                 "expected seconds >= 0, {\"uniform\": [a, b]} or {\"lognormal\": "
                                 "{\"median\": m, \"sigma\": s}}");
                    break;
                }
                scenario_validate(v, &latency_obj, lat, lp);
                json_t *u = json_object_get(lat, "uniform");
                if (!v->failed && u &&
                    (json_array_size(u) != 2 || json_number_value(json_array_get(u, 0)) >
                                                    json_number_value(json_array_get(u, 1)))) {
                    char up[128];
                    snprintf(up, sizeof up, "%s.uniform", lp);
                    jsonpos_fail(v, up, "expected [a, b] with a <= b");
                }
            }
        }
        if (v->failed)
            break;
    }
    const char *epn;
    json_t *ep;
    json_object_foreach(json_object_get(mocks, "trigger_endpoints"), epn, ep)
    {
        json_t *dial = json_object_get(ep, "dial");
        char dp[160];
        snprintf(dp, sizeof dp, "mocks.trigger_endpoints.%s.dial", epn);
        if (dial && !json_is_false(dial)) {
            if (!json_is_object(dial)) {
                jsonpos_fail(v, dp, "expected {\"from\", \"delay\"} or false, got %s",
                             jsonpos_kind(dial));
                break;
            }
            scenario_validate_object(v, dial_fields, dial, dp);
        }
    }
    if (v->failed)
        return;
    json_array_foreach(json_object_get(json_object_get(mocks, "pstn"), "faults"), i, x)
    {
        static const char *const kinds[] = {"ani",      "misdial", "busy",     "fail",
                                            "declined", "invalid", "voicemail"};
        bool any = false;
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
            any = any || json_object_get(x, kinds[k]);
        if (!any) {
            snprintf(p, sizeof p, "mocks.pstn.faults[%zu]", i);
            jsonpos_fail(v, p,
                         "a fault needs \"ani\", \"misdial\", \"busy\", \"fail\", "
                         "\"declined\", \"invalid\" or \"voicemail\" besides \"to\"");
            break;
        }
    }
}

static void check_semantics(struct jsonpos_error *v, const json_t *root)
{
    size_t i;
    json_t *x;
    char p[96];
    json_array_foreach(json_object_get(root, "rules"), i, x)
    {
        if (!is_rule_id(json_string_value(x))) {
            snprintf(p, sizeof p, "rules[%zu]", i);
            jsonpos_fail(v, p, "\"%s\" is not a rule id like \"AO-3\" (see spec/rules.md)",
                         json_string_value(x));
            return;
        }
    }
    const char *st = json_string_value(json_object_get(root, "start_time"));
    int64_t ms;
    if (st && ts_parse_iso(st, &ms) != 0) {
        jsonpos_fail(v, "start_time",
                     "\"%s\" is not an ISO 8601 instant like \"2026-01-01T12:00:00Z\"", st);
        return;
    }
    unique_ids(v, json_object_get(root, "agents"), "agents");
    unique_ids(v, json_object_get(root, "evaluators"), "evaluators");
    check_projects(v, root);
    json_t *labels = json_object();
    check_steps(v, root, labels);
    const char *label;
    json_t *rx;
    json_object_foreach(json_object_get(json_object_get(root, "expect"), "runs"), label, rx)
    {
        snprintf(p, sizeof p, "expect.runs.%s", label);
        if (!label_known(labels, label)) {
            const char *cands[64];
            size_t n = 0;
            const char *l2;
            json_t *u;
            json_object_foreach(labels, l2, u) if (n < 64) cands[n++] = l2;
            char dym[96];
            scenario_suggest(label, cands, n, dym, sizeof dym);
            jsonpos_fail(v, p, "no step creates a run labelled \"%s\"%s", label, dym);
            break;
        }
        json_t *reason = json_object_get(rx, "reason");
        if (json_is_string(reason) && reason_from_name(json_string_value(reason)) < 0) {
            const char *cands[DS_REASON__COUNT];
            for (int r = 1; r < DS_REASON__COUNT; r++)
                cands[r - 1] = reason_name((enum ds_reason)r);
            char dym[320];
            if (!vocab_reason_hint(json_string_value(reason), dym, sizeof dym))
                scenario_suggest(json_string_value(reason), cands, DS_REASON__COUNT - 1, dym,
                                 sizeof dym);
            snprintf(p, sizeof p, "expect.runs.%s.reason", label);
            jsonpos_fail(v, p, "\"%s\" is not a reason code%s", json_string_value(reason), dym);
            break;
        }
        json_t *dc = json_object_get(rx, "diagnosis_contains");
        bool dc_ok = !dc || json_is_string(dc);
        if (json_is_array(dc)) {
            dc_ok = true;
            size_t k;
            json_t *y;
            json_array_foreach(dc, k, y) dc_ok = dc_ok && json_is_string(y);
        }
        if (!dc_ok) {
            snprintf(p, sizeof p, "expect.runs.%s.diagnosis_contains", label);
            jsonpos_fail(v, p, "expected a string or an array of strings, got %s",
                         jsonpos_kind(dc));
            break;
        }
    }
    check_mocks(v, json_object_get(root, "mocks"));
    json_decref(labels);
}

/* ---- loading -------------------------------------------------------------- */

int scenario_check_mocks(const json_t *mocks, char *path, size_t path_n, char *msg, size_t msg_n)
{
    struct jsonpos_error v = {.failed = false};
    static const struct field mocks_field = OBJ("mocks", mocks_fields);
    scenario_validate(&v, &mocks_field, mocks, "mocks");
    if (!v.failed)
        check_mocks(&v, mocks);
    if (!v.failed)
        return 0;
    snprintf(path, path_n, "%s", v.path);
    snprintf(msg, msg_n, "%s", v.msg);
    return -1;
}

int scenario_check_journal_pattern(const json_t *sel, const char *at, char *path, size_t path_n,
                                   char *msg, size_t msg_n)
{
    struct jsonpos_error v = {.failed = false};
    scenario_validate(&v, &journal_expect, sel, at);
    if (!v.failed)
        return 0;
    snprintf(path, path_n, "%s", v.path);
    snprintf(msg, msg_n, "%s", v.msg);
    return -1;
}

int64_t scenario_ms(const json_t *seconds)
{
    return (int64_t)llround(json_number_value(seconds) * 1000.0);
}

void scenario_free(struct scenario *s)
{
    if (!s)
        return;
    free(s->path);
    free(s->name);
    free(s->text);
    json_decref(s->root);
    free(s);
}

int scenario_parse(const char *label, const char *text, size_t len, struct scenario **out,
                   char *err, size_t n)
{
    *out = NULL;
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, n, "%s:%d:%d: invalid JSON: %s", label, je.line, je.column, je.text);
        return -1;
    }
    struct jsonpos_error v = {.failed = false};
    scenario_validate(&v, &top, root, "");
    if (!v.failed)
        check_semantics(&v, root);
    if (v.failed) {
        jsonpos_format(&v, label, text, len, err, n);
        json_decref(root);
        return -1;
    }
    struct scenario *s = calloc(1, sizeof *s);
    if (!s) {
        json_decref(root);
        snprintf(err, n, "%s: out of memory", label);
        return -1;
    }
    s->path = strdup(label);
    s->name = strdup(json_string_value(json_object_get(root, "name")));
    s->text = malloc(len + 1);
    if (s->text) {
        memcpy(s->text, text, len);
        s->text[len] = '\0';
        s->text_len = len;
    }
    s->root = root;
    const char *st = json_string_value(json_object_get(root, "start_time"));
    ts_parse_iso(st ? st : SCENARIO_DEFAULT_START, &s->start_ms);
    json_t *seed = json_object_get(root, "seed");
    s->seed = seed ? (uint64_t)json_integer_value(seed) : 1;
    json_t *until = json_object_get(root, "until");
    if (until) {
        s->has_until = true;
        s->until_ms = scenario_ms(until);
    }
    *out = s;
    return 0;
}
