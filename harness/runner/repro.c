/* dialsim repro: report → scenario → replay → verdict (repro.h, docs/repro.md).
 * Rules: AO-3 (the caller-ID gate: the provider's number against the agent's
 * contact_number), DW-2 (a dial after the window), AO-2/AO-5 (a contact_number
 * the core cannot use). */
#include "runner/repro.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "runner/jsonpos.h"
#include "runner/scenario.h"
#include "runner/strbuf.h"
#include "runner/world.h"
#include "util/json_print.h"

#define REPRO_DEFAULT_DELAY_S 2.0
#define REPRO_DEFAULT_WINDOW_S 300

struct facts {
    const char *provider;
    const char *contact;
    const char *from, *to; /* the caller ID the call came from, the number it went to */
    const char *symptom;   /* "busy", "no-answer", ... or NULL */
    const char *fate;      /* the provider's own word from provider_call, or NULL */
    double dial_delay;
    json_int_t window;
    const char *name;
    bool trigger;           /* dispatched through the customer's trigger URL (TU-*) */
    json_int_t trig_status; /* what the trigger endpoint answered */
    double trig_latency;    /* and after how long (s) */
};

/* The string at a dotted path inside provider_call, or NULL when absent;
 * anything else there than a string is an error. */
static const char *pc_string(struct jsonpos_error *v, const json_t *pc, const char *dotted)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", dotted);
    const json_t *x = pc;
    char walked[160] = "provider_call";
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && x;
         k = strtok_r(NULL, ".", &save)) {
        if (!json_is_object(x)) { /* "customer": "+1555…" where an object belongs */
            jsonpos_fail(v, walked, "expected an object (with \"%s\"), got %s", k, jsonpos_kind(x));
            return NULL;
        }
        x = json_object_get(x, k);
        size_t wl = strlen(walked);
        snprintf(walked + wl, sizeof walked - wl, ".%s", k);
    }
    if (!x || json_is_null(x))
        return NULL;
    if (!json_is_string(x)) {
        char p[160];
        snprintf(p, sizeof p, "provider_call.%s", dotted);
        jsonpos_fail(v, p, "expected a string, got %s", jsonpos_kind(x));
        return NULL;
    }
    return json_string_value(x);
}

/* Each symptom repro models and the provider's word for it, as the mocks say
 * it (docs/scenario-format.md, "How each provider names the call's fate").
 * Some words stand for two symptoms (Twilio reports a decline as busy): read
 * from a call record, a word means the first symptom listed with it. NULL:
 * the provider has no word (ElevenLabs voicemail: a conversation "done"). */
struct outcome {
    const char *provider, *symptom, *word;
};
static const struct outcome outcomes[] = {
    {"vapi", "busy", "customer-busy"},
    {"vapi", "no-answer", "customer-did-not-answer"},
    {"vapi", "failed", "twilio-failed-to-connect-call"},
    {"vapi", "declined", "customer-busy"},
    {"vapi", "invalid", "twilio-reported-customer-misdialed"},
    {"vapi", "voicemail", "voicemail"},
    {"retell", "busy", "dial_busy"},
    {"retell", "no-answer", "dial_no_answer"},
    {"retell", "failed", "dial_failed"},
    {"retell", "declined", "user_declined"},
    {"retell", "invalid", "invalid_destination"},
    {"retell", "voicemail", "voicemail_reached"},
    {"elevenlabs", "busy", "busy"},
    {"elevenlabs", "no-answer", "no-answer"},
    {"elevenlabs", "failed", "unknown"},
    {"elevenlabs", "declined", "busy"},
    {"elevenlabs", "invalid", "unknown"},
    {"elevenlabs", "voicemail", NULL},
};

/* The symptom a provider's word stands for (its first), or NULL. */
static const char *symptom_of(const char *provider, const char *word)
{
    for (size_t i = 0; provider && word && i < sizeof outcomes / sizeof *outcomes; i++)
        if (!strcmp(outcomes[i].provider, provider) && outcomes[i].word &&
            !strcmp(outcomes[i].word, word))
            return outcomes[i].symptom;
    return NULL;
}

/* The provider's word for a symptom, or NULL when it has none. */
static const char *word_for(const char *provider, const char *symptom)
{
    for (size_t i = 0; provider && symptom && i < sizeof outcomes / sizeof *outcomes; i++)
        if (!strcmp(outcomes[i].provider, provider) && !strcmp(outcomes[i].symptom, symptom))
            return outcomes[i].word;
    return NULL;
}

/* Does the provider's word (NULL: none) say this symptom? */
static bool word_says(const char *provider, const char *symptom, const char *word)
{
    for (size_t i = 0; provider && symptom && i < sizeof outcomes / sizeof *outcomes; i++)
        if (!strcmp(outcomes[i].provider, provider) && !strcmp(outcomes[i].symptom, symptom))
            return outcomes[i].word ? word && !strcmp(outcomes[i].word, word) : !word;
    return false;
}

/* Where each provider's call record keeps the caller ID, the callee and the
 * fate: Vapi GET /call/{id} (an inline phoneNumber only when the call was
 * placed with one: with phoneNumberId the record does not name the number),
 * Retell GET /v2/get-call/{id}, ElevenLabs GET /v1/convai/conversations/{id}
 * or the data of its call_initiation_failure webhook. */
struct pc_paths {
    const char *provider, *from, *to, *fate;
};
static const struct pc_paths pc_paths[] = {
    {"vapi", "phoneNumber.number", "customer.number", "endedReason"},
    {"retell", "from_number", "to_number", "disconnection_reason"},
    {"elevenlabs", "metadata.phone_call.agent_number", "metadata.phone_call.external_number",
     "failure_reason"},
};

/* The value given at the top level, else the call record's; the two must
 * agree when both are there. */
static const char *take(struct jsonpos_error *v, const char *given, const char *given_path,
                        const char *from_pc, const char *pc_path)
{
    if (given && from_pc && strcmp(given, from_pc) != 0)
        jsonpos_fail(v, given_path, "\"%s\", but provider_call.%s says \"%s\": give one of them",
                     given, pc_path, from_pc);
    return given ? given : from_pc;
}

static const char *const keys[] = {
    "name",           "provider",   "contact_number",      "from_number",   "evaluator_number",
    "symptom",        "dial_delay", "dial_window_seconds", "provider_call", "trigger_status",
    "trigger_latency"};

static const json_t *opt_string(struct jsonpos_error *v, const json_t *root, const char *key)
{
    const json_t *x = json_object_get(root, key);
    if (x && !json_is_string(x))
        jsonpos_fail(v, key, "expected a string, got %s", jsonpos_kind(x));
    return x;
}

static void read_report(struct jsonpos_error *v, const json_t *root, struct facts *f)
{
    if (!json_is_object(root)) {
        jsonpos_fail(v, "", "expected an object (the report), got %s", jsonpos_kind(root));
        return;
    }
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)root, k, x)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            known = known || strcmp(k, keys[i]) == 0;
        if (!known) {
            char p[160], dym[96];
            snprintf(p, sizeof p, "%s", k);
            scenario_suggest(k, keys, sizeof keys / sizeof *keys, dym, sizeof dym);
            jsonpos_fail(
                v, p,
                "unknown key%s; a report has name, provider, contact_number, from_number, "
                "evaluator_number, symptom, dial_delay, dial_window_seconds, provider_call, "
                "trigger_status, trigger_latency",
                dym);
            return;
        }
    }
    const json_t *prov = json_object_get(root, "provider");
    if (!prov) {
        jsonpos_fail(v, "",
                     "provider is required: \"vapi\", \"retell\", \"elevenlabs\" or "
                     "\"trigger_url\" (the customer's endpoint places the call)");
        return;
    }
    f->provider = json_string_value(prov);
    f->trigger = f->provider && !strcmp(f->provider, "trigger_url");
    if (!f->provider || (!f->trigger && provider_from_name(f->provider) <= 0)) {
        jsonpos_fail(v, "provider",
                     "expected \"vapi\", \"retell\", \"elevenlabs\" or \"trigger_url\"");
        return;
    }
    const json_t *ts = json_object_get(root, "trigger_status");
    const json_t *tl = json_object_get(root, "trigger_latency");
    if (!f->trigger && (ts || tl)) {
        jsonpos_fail(v, ts ? "trigger_status" : "trigger_latency",
                     "only with \"provider\": \"trigger_url\"");
        return;
    }
    f->trig_status = 200;
    if (ts &&
        (!json_is_integer(ts) || json_integer_value(ts) < 100 || json_integer_value(ts) > 599)) {
        jsonpos_fail(v, "trigger_status", "expected an HTTP status from 100 to 599");
        return;
    }
    if (ts)
        f->trig_status = json_integer_value(ts);
    if (tl && (!json_is_number(tl) || json_number_value(tl) < 0 || json_number_value(tl) > 3600)) {
        jsonpos_fail(v, "trigger_latency", "expected seconds from 0 to 3600");
        return;
    }
    f->trig_latency = tl ? json_number_value(tl) : 0;
    if (f->trigger && json_object_get(root, "provider_call")) {
        jsonpos_fail(v, "provider_call",
                     "not with a trigger URL: no provider API places the call, the customer's "
                     "system does");
        return;
    }
    const json_t *contact = json_object_get(root, "contact_number");
    if (!contact) {
        jsonpos_fail(
            v, "", "contact_number is required: the agent's contact_number as the platform has it");
        return;
    }
    if (!json_is_string(contact) && !json_is_null(contact)) {
        jsonpos_fail(v, "contact_number", "expected a string or null, got %s",
                     jsonpos_kind(contact));
        return;
    }
    f->contact = json_string_value(contact); /* NULL: the agent has none */
    const json_t *name = opt_string(v, root, "name");
    const json_t *from = opt_string(v, root, "from_number");
    const json_t *to = opt_string(v, root, "evaluator_number");
    const json_t *sym = opt_string(v, root, "symptom");
    if (v->failed)
        return;
    f->name = json_string_value(name);
    if (f->name && strlen(f->name) > 400) {
        jsonpos_fail(v, "name", "expected at most 400 characters, got %zu", strlen(f->name));
        return;
    }
    static const char *const symptom_names[] = {"busy",     "no-answer", "failed",
                                                "declined", "invalid",   "voicemail"};
    bool sym_ok = !sym;
    for (size_t i = 0; sym && i < sizeof symptom_names / sizeof *symptom_names; i++)
        sym_ok = sym_ok || !strcmp(json_string_value(sym), symptom_names[i]);
    if (!sym_ok) {
        jsonpos_fail(v, "symptom",
                     "expected \"busy\", \"no-answer\", \"failed\", \"declined\", \"invalid\" "
                     "or \"voicemail\", got \"%s\"",
                     json_string_value(sym));
        return;
    }
    const json_t *delay = json_object_get(root, "dial_delay");
    f->dial_delay = REPRO_DEFAULT_DELAY_S;
    if (delay) {
        if (!json_is_number(delay) || json_number_value(delay) < 0 ||
            json_number_value(delay) > 86400) {
            if (json_is_number(delay))
                jsonpos_fail(v, "dial_delay", "expected seconds from 0 to 86400, got %g",
                             json_number_value(delay));
            else
                jsonpos_fail(v, "dial_delay", "expected seconds from 0 to 86400, got %s",
                             jsonpos_kind(delay));
            return;
        }
        f->dial_delay = json_number_value(delay);
    }
    const json_t *win = json_object_get(root, "dial_window_seconds");
    f->window = REPRO_DEFAULT_WINDOW_S;
    if (win) {
        if (!json_is_integer(win) || json_integer_value(win) < 1 ||
            json_integer_value(win) > 86400) {
            jsonpos_fail(v, "dial_window_seconds", "expected an integer from 1 to 86400");
            return;
        }
        f->window = json_integer_value(win);
    }
    const json_t *pc = json_object_get(root, "provider_call");
    if (pc && !json_is_object(pc)) {
        jsonpos_fail(v, "provider_call", "expected the provider's call record (an object), got %s",
                     jsonpos_kind(pc));
        return;
    }
    const struct pc_paths *pp = NULL;
    for (size_t i = 0; i < sizeof pc_paths / sizeof *pc_paths; i++)
        if (strcmp(pc_paths[i].provider, f->provider) == 0)
            pp = &pc_paths[i];
    f->symptom = json_string_value(sym);
    if (f->trigger) {
        /* the customer's system dials from the payload's from_number, the
         * contact_number, unless the report says otherwise */
        f->from = json_string_value(from) ? json_string_value(from) : f->contact;
        f->to = json_string_value(to);
        if (!f->to)
            jsonpos_fail(v, "", "evaluator_number is required: the number the call went to");
        else if (!f->from)
            jsonpos_fail(v, "",
                         "from_number is required when the agent has no contact_number: the "
                         "caller ID the customer's system dialled from");
        return;
    }
    const char *pc_from = pc ? pc_string(v, pc, pp->from) : NULL;
    const char *pc_to = pc ? pc_string(v, pc, pp->to) : NULL;
    const char *pc_fate = pc ? pc_string(v, pc, pp->fate) : NULL;
    if (v->failed)
        return;
    f->from = take(v, json_string_value(from), "from_number", pc_from, pp->from);
    f->to = take(v, json_string_value(to), "evaluator_number", pc_to, pp->to);
    if (v->failed)
        return;
    f->fate = pc_fate;
    const char *read = symptom_of(f->provider, pc_fate);
    /* a symptom given too must be one the provider's word can stand for */
    if (f->symptom && read && !word_says(f->provider, f->symptom, pc_fate)) {
        jsonpos_fail(v, "symptom", "\"%s\", but provider_call.%s is \"%s\" (%s): give one of them",
                     f->symptom, pp->fate, pc_fate, read);
        return;
    }
    if (!f->symptom)
        f->symptom = read;
    if (!f->to) {
        jsonpos_fail(
            v, "",
            "evaluator_number is required (or provider_call.%s): the number the call went to",
            pp->to);
        return;
    }
    if (!f->from)
        jsonpos_fail(
            v, "",
            "from_number is required%s%s%s: the caller ID the provider dialled from, as its "
            "phone-number settings show it (\"\" when it was withheld)",
            strcmp(f->provider, "vapi") ? " (or provider_call." : "",
            strcmp(f->provider, "vapi") ? pp->from : "",
            strcmp(f->provider, "vapi") ? ")"
                                        : " (a Vapi call placed with phoneNumberId names "
                                          "only the id)");
}

/* ---- the scenario ------------------------------------------------------------ */

#define R_KEY "repro-key"
#define R_SECRET "repro-webhook-secret"
#define R_AGENT "repro-agent"
#define R_NUMBER "repro-number"

/* The telephone network a report describes: one carrier fault on the
 * evaluator's number (the caller ID it shows, when ani_fault, and the
 * carrier's own verdict: failed, declined, not in service), and how the
 * carrier presents a line that stays silent (busy, voicemail). */
static json_t *pstn_for(const struct facts *f, bool ani_fault)
{
    json_t *pstn = json_object();
    const char *sy = f->symptom ? f->symptom : "";
    const char *carrier = !strcmp(sy, "failed")     ? "fail"
                          : !strcmp(sy, "declined") ? "declined"
                          : !strcmp(sy, "invalid")  ? "invalid"
                                                    : NULL;
    if (ani_fault || carrier) {
        json_t *fault = json_pack("{s:s}", "to", f->to);
        if (ani_fault)
            json_object_set_new(fault, "ani", json_string(f->from));
        if (carrier)
            json_object_set_new(fault, carrier, json_true());
        json_object_set_new(pstn, "faults", json_pack("[o]", fault));
    }
    if (!strcmp(sy, "busy") || !strcmp(sy, "voicemail"))
        json_object_set_new(pstn, "silent_drop_as", json_string(sy));
    return pstn;
}

/* TU-1..TU-4: the core POSTs to the customer's trigger endpoint (a mock),
 * which answers trigger_status after trigger_latency and then, as the
 * customer's system would, dials from from_number dial_delay later. */
static json_t *build_trigger(const struct facts *f, const char *label, json_t *pstn)
{
    bool withheld = f->from[0] == '\0';
    json_t *agent =
        json_pack("{s:s,s:s,s:s,s:I}", "id", "agent", "name", "the reported agent", "trigger_url",
                  "{mock}/trigger/customer", "dial_window_seconds", f->window);
    json_object_set_new(agent, "contact_number",
                        f->contact ? json_string(f->contact) : json_null());
    json_t *endpoint = json_pack("{s:I,s:f,s:{s:s,s:f}}", "status", f->trig_status, "latency",
                                 f->trig_latency, "dial", "from", f->from, "delay", f->dial_delay);
    json_t *mocks =
        json_pack("{s:{s:o},s:o}", "trigger_endpoints", "customer", endpoint, "pstn", pstn);
    struct strbuf d = {0};
    sb_printf(&d,
              "Generated by dialsim repro from %s. Dispatched through the customer's trigger "
              "URL, which answered %lld after %g s; the customer's system dialled from %s%s%s to "
              "%s %g s after its answer; the agent's contact_number is %s%s%s; the reported "
              "symptom: %s; a %lld-s window.",
              label, (long long)f->trig_status, f->trig_latency, withheld ? "" : "\"",
              withheld ? "a withheld caller ID" : f->from, withheld ? "" : "\"", f->to,
              f->dial_delay, f->contact ? "\"" : "", f->contact ? f->contact : "not set",
              f->contact ? "\"" : "", f->symptom ? f->symptom : "none", (long long)f->window);
    char name[512];
    if (f->name)
        snprintf(name, sizeof name, "%s", f->name);
    else
        snprintf(name, sizeof name, "repro: trigger URL %s, from %s to %s",
                 f->symptom ? f->symptom : "call", withheld ? "a withheld caller ID" : f->from,
                 f->to);
    json_t *sc = json_pack(
        "{s:s,s:s,s:[s,s,s,s],s:[o],s:[{s:s,s:s}],s:o,s:[{s:i,s:s,s:s,s:[s]}],s:{s:{}}}", "name",
        name, "description", d.p ? d.p : "", "rules", "TU-3", "TU-4", "AO-3", "DW-2", "agents",
        agent, "evaluators", "id", "evaluator", "phone_number", f->to, "mocks", mocks, "steps",
        "at", 0, "do", "start_runs", "agent", "agent", "evaluators", "evaluator", "expect", "runs");
    sb_free(&d);
    return sc;
}

static json_t *build(const struct facts *f, const char *label)
{
    if (f->trigger) /* the customer dials from from_number itself: no caller-ID fault */
        return build_trigger(f, label, pstn_for(f, false));
    bool withheld = f->from[0] == '\0';
    bool retell = strcmp(f->provider, "retell") == 0;
    /* The provider's phone number dials from the reported number (Vapi and
     * ElevenLabs place the call from the number of phoneNumberId). Retell
     * dials from the from_number it is sent, the contact_number: another
     * caller ID on arrival is the carrier's doing (a PSTN fault). A withheld
     * caller ID is the carrier's doing for every provider. */
    bool ani_fault = withheld || (retell && (!f->contact || strcmp(f->from, f->contact)));
    const char *own =
        ani_fault ? (f->contact && f->contact[0] ? f->contact : "+15550000000") : f->from;
    json_t *agent =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "id", "agent", "name", "the reported agent",
                  "provider", f->provider, "provider_api_key", R_KEY, "assistant_id", R_AGENT,
                  "phone_number_id", R_NUMBER, "dial_window_seconds", f->window);
    json_object_set_new(agent, "contact_number",
                        f->contact ? json_string(f->contact) : json_null());
    if (!strcmp(f->provider, "retell"))
        json_object_del(agent, "phone_number_id");
    /* the provider's webhooks too, as in production: they carry its word for
     * the call's fate (ElevenLabs names it nowhere else) */
    if (!retell)
        json_object_set_new(agent, "webhook_secret", json_string(R_SECRET));
    json_t *account =
        json_pack("{s:[s],s:[s],s:[{s:s,s:s}],s:f,s:o}", "keys", R_KEY, "agents", R_AGENT,
                  "phone_numbers", "id", R_NUMBER, "number", own, "dial_delay", f->dial_delay,
                  "webhooks", retell ? json_object() : json_pack("{s:s}", "secret", R_SECRET));
    json_t *pstn = pstn_for(f, ani_fault);
    json_t *mocks = json_pack("{s:o,s:o}", f->provider, account, "pstn", pstn);

    struct strbuf d = {0};
    sb_printf(&d, "Generated by dialsim repro from %s. %s reported ", label,
              provider_display(provider_from_name(f->provider)));
    if (f->fate)
        sb_printf(&d, "%s", f->fate);
    else
        sb_printf(&d, "%s", f->symptom ? f->symptom : "no symptom");
    sb_printf(&d,
              " for a call from %s%s%s to %s; the agent's contact_number is %s%s%s; the dial "
              "came %g s after the request, in a %lld-s window.",
              withheld ? "" : "\"", withheld ? "a withheld caller ID" : f->from,
              withheld ? "" : "\"", f->to, f->contact ? "\"" : "",
              f->contact ? f->contact : "not set", f->contact ? "\"" : "", f->dial_delay,
              (long long)f->window);
    char name[512];
    if (f->name)
        snprintf(name, sizeof name, "%s", f->name);
    else
        snprintf(name, sizeof name, "repro: %s %s, from %s to %s", f->provider,
                 f->symptom ? f->symptom : "call", withheld ? "a withheld caller ID" : f->from,
                 f->to);
    json_t *sc = json_pack(
        "{s:s,s:s,s:[s,s],s:[o],s:[{s:s,s:s}],s:o,s:[{s:i,s:s,s:s,s:[s]}],s:{s:{}}}", "name", name,
        "description", d.p ? d.p : "", "rules", "AO-3", "DW-2", "agents", agent, "evaluators", "id",
        "evaluator", "phone_number", f->to, "mocks", mocks, "steps", "at", 0, "do", "start_runs",
        "agent", "agent", "evaluators", "evaluator", "expect", "runs");
    sb_free(&d);
    return sc;
}

json_t *repro_scenario(const char *label, const char *text, size_t len, char *symptom,
                       size_t symptom_n, char *err, size_t n)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, n, "%s:%d:%d: invalid JSON: %s", label, je.line, je.column, je.text);
        return NULL;
    }
    struct jsonpos_error v = {0};
    struct facts f = {0};
    read_report(&v, root, &f);
    if (v.failed) {
        jsonpos_format(&v, label, text, len, err, n);
        json_decref(root);
        return NULL;
    }
    json_t *sc = build(&f, label);
    snprintf(symptom, symptom_n, "%s", f.symptom ? f.symptom : "");
    json_decref(root); /* build copied every string it kept */
    if (!sc)
        snprintf(err, n, "%s: out of memory", label);
    return sc;
}

int repro_pin(json_t *scenario, const json_t *runs)
{
    json_t *want = json_object_get(json_object_get(scenario, "expect"), "runs");
    const char *label;
    json_t *ev;
    size_t i;
    json_array_foreach(json_object_get(scenario, "evaluators"), i, ev)
    {
        label = json_string_value(json_object_get(ev, "id"));
        const json_t *r = json_object_get(runs, label);
        if (!r)
            return -1;
        json_t *x = json_object();
        json_object_set(x, "status", json_object_get(r, "status"));
        if (json_is_string(json_object_get(r, "reason")))
            json_object_set(x, "reason", json_object_get(r, "reason"));
        if (json_is_string(json_object_get(r, "diagnosis")))
            json_object_set(x, "diagnosis_contains", json_object_get(r, "diagnosis"));
        /* only what the provider said: an ended reason it has not is left out,
         * not pinned as null */
        const json_t *pc = json_object_get(r, "provider_call");
        json_t *pin = json_object();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)pc, k, v) if (json_is_string(v)) json_object_set(pin, k, v);
        if (json_object_size(pin))
            json_object_set(x, "provider_call", pin);
        json_decref(pin);
        json_object_set_new(want, label, x);
    }
    return 0;
}

/* Trigger URL dispatch: no provider words; what reached the core instead. */
static void customer_side(struct strbuf *b, const json_t *run)
{
    const json_t *dials = json_object_get(run, "dials");
    size_t n = json_array_size(dials);
    sb_printf(b, "customer side: no provider API: the customer's system placed the call (trigger "
                 "URL); ");
    if (!n) {
        sb_printf(b, "no dial reached the evaluator's line.\n");
        return;
    }
    const json_t *d = json_array_get(dials, 0);
    const char *from = json_string_value(json_object_get(d, "from"));
    const char *drop = json_string_value(json_object_get(d, "dropped_because"));
    sb_printf(b, "%zu dial%s reached the line, the first from %s: %s%s.\n", n, n == 1 ? "" : "s",
              from && from[0] ? from : "a withheld caller ID",
              json_is_true(json_object_get(d, "answered")) ? "answered" : "dropped, ",
              json_is_true(json_object_get(d, "answered")) ? "" : (drop ? drop : "?"));
}

/* The provider's words for the call, and whether they are the reported ones. */
static void provider_side(struct strbuf *b, const char *reported, const json_t *run)
{
    const json_t *pc = json_object_get(run, "provider_call");
    const char *pst = json_string_value(json_object_get(pc, "status"));
    const char *per = json_string_value(json_object_get(pc, "ended_reason"));
    const char *prov = json_string_value(json_object_get(run, "provider"));
    const char *disp = prov ? provider_display(provider_from_name(prov)) : "the provider";
    sb_printf(b, "provider side: ");
    if (pst)
        sb_printf(b, "%s shows the call %s%s%s", disp, pst, per ? ", " : "", per ? per : "");
    else
        sb_printf(b, "%s has no call (the core never asked it for one)", disp);
    if (reported && reported[0] && !word_for(prov, reported))
        sb_printf(b, ": %s has no ended reason for %s to compare with the report.\n", disp,
                  reported);
    else if (reported && reported[0])
        sb_printf(b,
                  word_says(prov, reported, per) ? ": the reported %s, reproduced.\n"
                                                 : ": not the reported %s.\n",
                  reported);
    else
        sb_printf(b, ".\n");
}

char *repro_verdict(const char *reported, const json_t *run, bool trigger)
{
    struct strbuf b = {0};
    const char *status = json_string_value(json_object_get(run, "status"));
    const char *reason = json_string_value(json_object_get(run, "reason"));
    const char *diag = json_string_value(json_object_get(run, "diagnosis"));
    if (trigger)
        customer_side(&b, run);
    else
        provider_side(&b, reported, run);
    bool answered = false;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(run, "dials"), i, d) answered =
        answered || json_is_true(json_object_get(d, "answered"));
    sb_printf(&b, "core side:     ");
    if (status && !strcmp(status, "completed"))
        sb_printf(&b, "the core answered the call and the run completed: with these facts nothing "
                      "in the core makes the call fail. Look outside it: the evaluator's line, the "
                      "carrier, or a fact in the report that differs from production.\n");
    else if (reason)
        sb_printf(&b, "the run ended %s with %s: %s\n", status, reason,
                  diag ? diag : reason_sentence(reason_from_name(reason)));
    else
        sb_printf(&b, "the run is %s%s%s.\n", status ? status : "unknown",
                  answered ? " (the call was answered)" : "", "");
    return sb_take(&b);
}

/* ---- the command -------------------------------------------------------------- */

static void repro_usage(FILE *f)
{
    fprintf(f, "usage: dialsim repro REPORT.json [-o SCENARIO.json] [-v] [--format text|json]\n"
               "Turn a customer's Busy / NoAnswer report into a scenario, replay it against the\n"
               "core on the simulated clock, and say what the provider showed and what the core\n"
               "did (docs/repro.md). -o writes the scenario, its expect pinned to the replay, for\n"
               "the catalogue; -v adds the run's event log; --format json gives the answer as\n"
               "one JSON document (docs/output-formats.md). Exit 0 replayed, 2 unusable report.\n");
}

/* Replay text as a scenario on wk; the verbose result in res. */
static int replay(struct worker *wk, const char *label, const char *text, bool verbose,
                  struct scenario_result *res, char *err, size_t n)
{
    struct scenario *s;
    if (scenario_parse(label, text, strlen(text), &s, err, n) != 0)
        return -1;
    int rc = worker_run(wk, s, verbose, res);
    scenario_free(s);
    if (rc != 0)
        snprintf(err, n, "%s", res->report ? res->report : "the replay failed");
    return rc;
}

/* The pinned scenario to path; 0, or -1 after saying why on stderr. */
static int write_scenario(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fputc('\n', f) == EOF) {
        fprintf(stderr, "dialsim repro: cannot write %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "dialsim repro: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The text after "prefix" on its line of the verdict, as a JSON string. */
static json_t *verdict_line(const char *verdict, const char *prefix)
{
    const char *p = verdict ? strstr(verdict, prefix) : NULL;
    if (!p)
        return json_null();
    p += strlen(prefix);
    while (*p == ' ')
        p++;
    return json_stringn(p, strcspn(p, "\n"));
}

/* --format json (docs/output-formats.md): the same answer as fields. */
static int print_repro_json(const char *facts, const char *symptom, const char *verdict,
                            const char *out, const json_t *run)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s?, s:O}", "format", "dialsim-repro/1",
                          "report", facts, "symptom", symptom, "provider_side",
                          verdict_line(verdict, "provider side:"), "core_side",
                          verdict_line(verdict, "core side:"), "scenario", out, "run", run);
    return json_print_doc(stdout, j, 0, "dialsim repro");
}

int cmd_repro(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"verbose", no_argument, NULL, 'v'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *in = NULL, *out = NULL;
    bool verbose = false, json = false;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
        if (opt == 'o') {
            out = optarg;
        } else if (opt == 'v') {
            verbose = true;
        } else if (opt == 'f' && (!strcmp(optarg, "json") || !strcmp(optarg, "text"))) {
            json = !strcmp(optarg, "json");
        } else if (opt == 'h') {
            repro_usage(stdout);
            return 0;
        } else {
            repro_usage(stderr);
            return 2;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "dialsim repro: one report at a time (got %s and %s)\n", argv[optind],
                argv[optind + 1]);
        return 2;
    }
    if (optind == argc) {
        repro_usage(stderr);
        return 2;
    }
    in = argv[optind];
    char err[1024];
    size_t len;
    char *text = scenario_read_file(in, &len, err, sizeof err);
    char symptom[16] = "";
    json_t *sc =
        text ? repro_scenario(in, text, len, symptom, sizeof symptom, err, sizeof err) : NULL;
    free(text);
    if (!sc) {
        fprintf(stderr, "dialsim repro: %s\n", err);
        return 2;
    }
    int rc = 2;
    char *gen = NULL, *pinned = NULL, *verdict = NULL;
    struct worker *wk = NULL;
    struct scenario_result res = {0}, again = {0};
    const char *label = out ? out : "(the generated scenario)";
    if (!(gen = json_dumps(sc, JSON_INDENT(2))) || worker_create(&wk) != 0) {
        fprintf(stderr, "dialsim repro: out of memory, or the mock server cannot start\n");
        goto done;
    }
    if (replay(wk, label, gen, true, &res, err, sizeof err) != 0) {
        fprintf(stderr,
                "dialsim repro: internal error (the report is fine; please report this with "
                "it): %s: the generated scenario cannot be replayed: %s\n",
                in, err);
        goto done;
    }
    const json_t *run = json_object_get(res.runs, "evaluator");
    if (!run || repro_pin(sc, res.runs) != 0 || !(pinned = json_dumps(sc, JSON_INDENT(2)))) {
        fprintf(stderr, "dialsim repro: %s: the replay produced no run\n", in);
        goto done;
    }
    /* Same scenario, same result: the pinned scenario must pass as it is. */
    if (replay(wk, label, pinned, false, &again, err, sizeof err) != 0 || !again.passed) {
        fprintf(stderr,
                "dialsim repro: internal error (the report is fine; please report this with "
                "it): %s: the pinned scenario did not pass as written:\n%s\n",
                in, again.report ? again.report : err);
        goto done;
    }
    bool trigger =
        json_object_get(json_array_get(json_object_get(sc, "agents"), 0), "trigger_url") != NULL;
    verdict = repro_verdict(symptom, run, trigger);
    /* the description without its "Generated by dialsim repro from …. " */
    const char *desc = json_string_value(json_object_get(sc, "description"));
    const char *facts = desc ? strstr(desc, ". ") : NULL;
    if (json) {
        rc = 0;
        if (out && write_scenario(out, pinned) != 0)
            rc = 2;
        else if (print_repro_json(facts  ? facts + 2
                                  : desc ? desc
                                         : "",
                                  symptom, verdict, out, run) != 0)
            rc = 2;
        goto done;
    }
    printf("report:        %s\n", facts ? facts + 2 : desc ? desc : "");
    fputs(verdict ? verdict : "", stdout);
    if (verbose) {
        /* the run's lines of the verbose report: from its "    run '" line on */
        const char *p = res.report ? strstr(res.report, "    run '") : NULL;
        if (p)
            fputs(p, stdout);
    }
    if (out) {
        if (write_scenario(out, pinned) != 0)
            goto done;
        printf("scenario: %s (dialsim run %s replays it)\n", out, out);
    }
    rc = 0;
done:
    free(verdict);
    free(gen);
    free(pinned);
    scenario_result_clear(&res);
    scenario_result_clear(&again);
    if (wk)
        worker_destroy(wk);
    json_decref(sc);
    return rc;
}
