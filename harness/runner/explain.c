/* dialsim explain (explain.h, docs/explain.md). */
#include "runner/explain.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "core/reason.h"
#include "runner/runner.h"
#include "runner/scenario.h"
#include "runner/vocab.h"
#include "util/datadir.h"
#include "util/json_print.h"

/* What a user can check or change, per reason. The sentence of reason.c says
 * what happened; this says what to do about it. */
static const struct {
    const char *reason, *advice;
} advice[] = {
    {"agent_inbound_mode", "Set the agent's inbound to false (PATCH /agents/{id} "
                           "{\"inbound\": false}): an agent in inbound mode only takes calls."},
    {"auto_outbound_disabled", "Switch auto_outbound on for the agent."},
    {"provider_credentials_missing",
     "Give the agent its provider_api_key and assistant_id (Vapi assistantId, Retell and "
     "ElevenLabs agent id)."},
    {"contact_number_missing",
     "Set the agent's contact_number to the number its provider dials from, in E.164."},
    {"contact_number_invalid",
     "Write contact_number in E.164: \"+\", the country code and the number, digits only, no "
     "spaces, dashes or brackets (+15551234567). The run's detail names the first bad character."},
    {"evaluator_number_invalid",
     "Write the evaluator's phone_number in E.164 (+15557654321); the run's detail names the first "
     "bad character."},
    {"provider_auth_failed",
     "Check the agent's provider_api_key: Vapi wants the private key (not the public one), Retell "
     "its API key, ElevenLabs an xi-api-key of the workspace that owns the agent."},
    {"provider_insufficient_credits",
     "Add credits or a payment method in the provider's dashboard: a long suite can run the "
     "account dry half-way (Vapi 400 or call.start.error-subscription-insufficient-credits, "
     "Retell 402, ElevenLabs quota_exceeded)."},
    {"provider_permission_denied",
     "Give the ElevenLabs API key the convai_write permission (convai_read too, to read calls)."},
    {"provider_rejected_request",
     "The provider refused what was sent: the run's detail quotes its message (an assistant, "
     "agent or phone number id it does not know, a number it will not dial). Fix the agent's "
     "configuration to match the provider account."},
    {"provider_unreachable",
     "The provider's API could not be reached: the base URL in the config, DNS, a proxy or a "
     "firewall; \"no CA certificates found\" in the detail: install ca-certificates. Re-dial the "
     "run once it is reachable (POST /runs/{id}/redial while pending)."},
    {"provider_error",
     "The provider answered 5xx through every retry: check its status page, then start a fresh "
     "run."},
    {"provider_rate_limited",
     "The provider answered 429 through every retry: spread the batch out or ask the provider "
     "for a higher rate limit."},
    {"provider_concurrency_limit",
     "Start fewer calls at once, or raise the plan's concurrent-call limit (Vapi "
     "concurrencyLimit, Retell and ElevenLabs plan limits)."},
    {"trigger_not_https", "Serve the trigger endpoint over HTTPS: http:// URLs are refused."},
    {"trigger_bad_status",
     "The endpoint must answer 200 or 201 (202 and 204 do not count); the run's detail names the "
     "status it gave. `dialsim conform trigger URL` checks it."},
    {"trigger_timeout",
     "Answer within 30 s, and better within a few: the dial window is already running (TU-4). "
     "Acknowledge at once and place the call after."},
    {"trigger_connect_failed",
     "The trigger URL's host refused the connection or does not resolve: check the URL and that "
     "it is reachable from the platform."},
    {"trigger_tls_failed",
     "Fix the endpoint's certificate: a chain to a public CA, not expired, issued for the URL's "
     "host name; the run's detail quotes the TLS error. `dialsim conform trigger URL` shows "
     "which. A detail that says \"no CA certificates found\" is this host's fault, not the "
     "endpoint's: install ca-certificates (or set CURL_CA_BUNDLE to a PEM file)."},
    {"transcript_missing",
     "Post the call's transcript to the project's webhook with X-CEKURA-API-KEY within 5 minutes "
     "of endedAt. `dialsim conform transcripts --listen PORT` checks the sender."},
    {"transcript_late",
     "Post sooner: within 5 minutes of endedAt, on the platform's clock. Check the sender's queue "
     "and its clock."},
    {"caller_id_mismatch",
     "Make the provider dial from the agent's contact_number exactly, or set contact_number to "
     "the number it dials from. The drop is silent, so the provider shows no-answer or busy: "
     "`dialsim repro` replays such a report."},
    {"caller_id_missing",
     "The call arrived with its caller ID withheld: turn off caller-ID blocking on the "
     "provider's number or SIP trunk."},
    {"dial_late",
     "The dial must reach the evaluator's number before the window closes (300 s from pending by "
     "default): a slow trigger, a queue in the customer's system or a long dial delay used it "
     "up. Dial sooner, or lengthen the agent's dial_window_seconds."},
    {"serve_restarted",
     "The server stopped (or was killed) while the run was still open, and a run's timers do not "
     "survive a restart: start a fresh run (DW-4). Runs that had ended are kept as they were."},
    {"no_dial",
     "Nothing reached the evaluator's number in the window: check the number that was dialled "
     "(a misdial goes elsewhere), that the customer's system placed the call at all, and the "
     "provider's call log (the run's diagnosis quotes it)."},
};

const char *explain_advice(const char *reason)
{
    for (size_t i = 0; reason && i < sizeof advice / sizeof *advice; i++)
        if (strcmp(advice[i].reason, reason) == 0)
            return advice[i].advice;
    return NULL;
}

/* The rules of the platform documents (../shared/spec/rules.md), each in a
 * line of ours; `dialsim explain AO-3` prints it. */
static const struct {
    const char *id, *summary;
} rules[] = {
    {"AO-1", "auto outbound: the core asks the agent's voice provider to call each evaluator"},
    {"AO-2", "preconditions, each with its own error, checked before any call is asked for"},
    {"AO-3", "caller-ID gate: a test call is answered only when its caller ID equals some "
             "agent's contact_number exactly; otherwise the line stays silent"},
    {"AO-4", "the provider can refuse the call: key, credits, permissions, limits, errors"},
    {"AO-5", "phone numbers are E.164: +, a non-zero digit, at most 15 digits"},
    {"TU-1", "a trigger URL gets {from_number, to_number, dynamic_variables}; the customer dials"},
    {"TU-2", "the trigger URL must be HTTPS"},
    {"TU-3", "the trigger endpoint must answer 200 or 201 within 30 seconds"},
    {"TU-4", "a slow trigger eats into the dial window"},
    {"DW-1", "each run has a dial window from pending (300 s by default, per agent)"},
    {"DW-2", "a dial after the window closes is dropped; the run times out"},
    {"DW-3", "every run carries outbound_dial_window_opens_at, _seconds and _closes_at"},
    {"DW-4", "a timed-out run is final: fix the cause and start a fresh run"},
    {"CI-1", "one transcript webhook URL and one API key per project"},
    {"CI-2", "POST, JSON, X-CEKURA-API-KEY; a missing or wrong key is 401"},
    {"CI-3", "the body: {agent_id, calls: [...]}, agent_id an integer, or run_id per call"},
    {"CI-4", "call fields: id, startedAt, endedAt, to_phone_number, messages"},
    {"CI-5", "message fields: role, content, times"},
    {"CI-6", "a call's data is listened for 5 minutes after it ends; later data is not matched"},
    {"CI-7", "a call is matched by to_phone_number to the evaluator's number (or by run_id)"},
    {"CI-8", "an invalid payload gets a 400 naming every offending field by JSON path"},
    {"CI-9", "re-sending a call with a stored id is idempotent"},
    {"OV-1", "trigger_call_endpoint: required, HTTPS"},
    {"OV-2", "trigger_call_headers: a JSON object of strings, in a string"},
    {"OV-3", "phone_number_key: where the number goes in the body (default phone_number)"},
    {"OV-4", "trigger_call_payload: a JSON object merged into the body"},
    {"OV-5", "POST the merged body and headers; the customer's system places the call"},
    {"H-1", "the providers' APIs and customers' endpoints are mocked faithfully"},
    {"H-2", "scenarios replay on a simulated clock: same scenario, same result"},
    {"H-3", "failure modes are first-class"},
    {"H-4", "recordings are written and checked with libsndfile"},
};

static const char *rule_summary(const char *id)
{
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
        if (!strcmp(rules[i].id, id))
            return rules[i].summary;
    return NULL;
}

/* ---- the catalogue: which scenarios expect a reason ------------------------- */

struct catalogue {
    char **paths;
    json_t **roots; /* NULL for a file that did not load */
    size_t n;
    FILE *out; /* where the explanations go: stdout, or a buffer for --format json */
};

static void catalogue_load(struct catalogue *c, const char *dir)
{
    memset(c, 0, sizeof *c);
    c->out = stdout;
    struct stat st;
    if (!dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return;
    char err[512];
    const char *paths[] = {dir};
    if (runner_collect(paths, 1, &c->paths, &c->n, err, sizeof err) != 0) {
        c->paths = NULL;
        c->n = 0;
        return;
    }
    c->roots = calloc(c->n ? c->n : 1, sizeof *c->roots);
    for (size_t i = 0; c->roots && i < c->n; i++) {
        struct scenario *s;
        if (scenario_load(c->paths[i], &s, err, sizeof err) == 0) {
            c->roots[i] = json_incref(s->root);
            scenario_free(s);
        }
    }
}

static void catalogue_free(struct catalogue *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->paths[i]);
        if (c->roots)
            json_decref(c->roots[i]);
    }
    free(c->paths);
    free(c->roots);
}

static bool expects_reason(const json_t *root, const char *reason)
{
    const char *label;
    json_t *r;
    json_object_foreach(json_object_get(json_object_get(root, "expect"), "runs"), label, r)
    {
        const char *got = json_string_value(json_object_get(r, "reason"));
        if (got && strcmp(got, reason) == 0)
            return true;
    }
    return false;
}

static bool cites_rule(const json_t *root, const char *rule)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(root, "rules"), i, x)
    {
        if (json_is_string(x) && !strcmp(json_string_value(x), rule))
            return true;
    }
    return false;
}

/* The first five scenarios of the catalogue for which has(root, what) holds,
 * after a label: "  reproduced by: a.json, b.json (and 3 more)". */
static void print_matching(const struct catalogue *c, bool (*has)(const json_t *, const char *),
                           const char *what, const char *label, const char *none)
{
    size_t shown = 0, found = 0;
    for (size_t i = 0; c->roots && i < c->n; i++)
        if (c->roots[i] && has(c->roots[i], what))
            found++;
    if (!c->n)
        return;
    if (!found) {
        fprintf(c->out, "  %s %s\n", label, none);
        return;
    }
    fprintf(c->out, "  %s", label);
    for (size_t i = 0; i < c->n; i++) {
        if (!c->roots[i] || !has(c->roots[i], what))
            continue;
        if (shown == 5) {
            fprintf(c->out, " (and %zu more)", found - shown);
            break;
        }
        fprintf(c->out, "%s %s", shown ? "," : "", c->paths[i]);
        shown++;
    }
    fprintf(c->out, "\n");
}

static void print_citing(const struct catalogue *c, const char *rule)
{
    print_matching(c, cites_rule, rule, "cited by:", "no scenario");
}

static void print_scenarios(const struct catalogue *c, const char *reason)
{
    print_matching(c, expects_reason, reason, "reproduced by:", "no scenario in the catalogue");
}

/* ---- a reason, a rule ------------------------------------------------------- */

static void explain_reason(int r, const struct catalogue *c)
{
    const char *name = reason_name((enum ds_reason)r);
    fprintf(c->out, "%s  (%s, %s)\n", name, run_status_name(reason_status((enum ds_reason)r)),
            reason_rule((enum ds_reason)r));
    fprintf(c->out, "  what:  %s\n", reason_sentence((enum ds_reason)r));
    fprintf(c->out, "  check: %s\n", explain_advice(name));
    print_scenarios(c, name);
}

static bool is_rule_id(const char *s)
{
    size_t i = 0;
    while (s[i] >= 'A' && s[i] <= 'Z')
        i++;
    if (i < 1 || i > 3 || s[i] != '-' || !s[i + 1])
        return false;
    for (i++; s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* ---- a run, or the runs of GET /runs ------------------------------------------ */

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void explain_run(const json_t *run, const struct catalogue *c)
{
    const char *reason = str(run, "reason");
    fprintf(c->out, "run %s (agent %s, evaluator %s): %s%s%s\n",
            str(run, "id") ? str(run, "id") : "?", str(run, "agent") ? str(run, "agent") : "?",
            str(run, "evaluator") ? str(run, "evaluator") : "?",
            str(run, "status") ? str(run, "status") : "?", reason ? " " : "", reason ? reason : "");
    int r = reason_from_name(reason);
    if (r > 0)
        fprintf(c->out, "  what:      %s (%s)\n", reason_sentence((enum ds_reason)r),
                reason_rule((enum ds_reason)r));
    if (str(run, "diagnosis"))
        fprintf(c->out, "  diagnosis: %s\n", str(run, "diagnosis"));
    if (str(run, "outbound_dial_window_opens_at"))
        fprintf(c->out, "  window:    %s + %" JSON_INTEGER_FORMAT " s = %s (DW-3)\n",
                str(run, "outbound_dial_window_opens_at"),
                json_integer_value(json_object_get(run, "outbound_dial_window_seconds")),
                str(run, "outbound_dial_window_closes_at")
                    ? str(run, "outbound_dial_window_closes_at")
                    : "?");
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(run, "dials"), i, d)
    {
        const char *drop = str(d, "dropped_because");
        fprintf(c->out, "  dial:      %s from %s to %s: %s%s\n", str(d, "at") ? str(d, "at") : "?",
                str(d, "from") && str(d, "from")[0] ? str(d, "from") : "(withheld)",
                str(d, "to") ? str(d, "to") : "?",
                json_is_true(json_object_get(d, "answered")) ? "answered" : "dropped, ",
                json_is_true(json_object_get(d, "answered")) ? "" : (drop ? drop : "?"));
    }
    if (r > 0) {
        fprintf(c->out, "  check:     %s\n", explain_advice(reason));
        print_scenarios(c, reason);
    } else if (reason) {
        fprintf(c->out, "  (%s is no reason this dialsim knows: `dialsim reasons` lists them)\n",
                reason);
    }
}

static int explain_file(const char *path, const struct catalogue *c)
{
    char err[1024];
    size_t len;
    char *text = scenario_read_file(path, &len, err, sizeof err);
    if (!text) {
        fprintf(stderr, "dialsim explain: %s\n", err);
        return 2;
    }
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    free(text);
    if (!root) {
        fprintf(stderr, "dialsim explain: %s:%d:%d: invalid JSON: %s\n", path, je.line, je.column,
                je.text);
        return 2;
    }
    int rc = 0;
    const json_t *runs = json_object_get(root, "runs");
    if (json_is_array(runs)) {
        size_t i;
        json_t *r;
        json_array_foreach(runs, i, r)
        {
            if (!json_is_object(r) || !json_is_string(json_object_get(r, "status"))) {
                fprintf(stderr,
                        "dialsim explain: %s: at runs[%zu]: expected a run (an object with a "
                        "status), as GET /runs returns it\n",
                        path, i);
                rc = 2;
                break;
            }
            if (i)
                fprintf(c->out, "\n");
            explain_run(r, c);
        }
    } else if (json_is_object(root) && json_is_string(json_object_get(root, "status"))) {
        explain_run(root, c);
    } else {
        fprintf(stderr,
                "dialsim explain: %s: expected a run (an object with a status, as GET /runs/{id} "
                "returns it) or {\"runs\": [...]} (GET /runs, POST /runs)\n",
                path);
        rc = 2;
    }
    json_decref(root);
    return rc;
}

/* ---- a provider's word for the call's fate ----------------------------------- */

/* expect.runs.*.provider_call.ended_reason == word in a catalogue scenario:
 * count the reasons those runs expect, in order of first appearance. */
static size_t reasons_seen_with(const struct catalogue *c, const char *word, const char **names,
                                size_t *counts, size_t max, size_t *scenarios)
{
    size_t n = 0;
    *scenarios = 0;
    for (size_t i = 0; c->roots && i < c->n; i++) {
        const char *label;
        json_t *x;
        bool seen = false;
        json_object_foreach(json_object_get(json_object_get(c->roots[i], "expect"), "runs"), label,
                            x)
        {
            const char *er = str(json_object_get(x, "provider_call"), "ended_reason");
            if (!er || strcmp(er, word) != 0)
                continue;
            seen = true;
            const char *r = str(x, "reason") ? str(x, "reason") : "(none: completed)";
            size_t k = 0;
            while (k < n && strcmp(names[k], r) != 0)
                k++;
            if (k == n && n < max) {
                names[n] = r;
                counts[n++] = 0;
            }
            if (k < n)
                counts[k]++;
        }
        *scenarios += seen;
    }
    return n;
}

/* Retell's "dial_no_answer", Vapi's "customer-busy": what the provider meant,
 * where the word goes in a scenario, and which core causes the catalogue
 * shows behind it. */
static void explain_provider_word(const char *w, const struct vocab_outcome *const *o, size_t no,
                                  const struct catalogue *c)
{
    for (size_t i = 0; i < no; i++)
        fprintf(c->out, "%s  (%s %s, call status %s)\n  what:  %s\n", w, o[i]->provider,
                o[i]->field, o[i]->status, o[i]->meaning);
    fprintf(c->out,
            "  not a dialsim reason: it is the provider's side of the call. In a scenario it "
            "goes in expect.runs.LABEL.provider_call.ended_reason; the run's reason names the "
            "core's cause. A drop by the caller-ID gate (AO-3) is silent, so the provider "
            "reports it as no answer, busy or voicemail: `dialsim repro` replays such a report "
            "(docs/repro.md).\n");
    const char *names[16];
    size_t counts[16], scenarios;
    size_t n = reasons_seen_with(c, w, names, counts, 16, &scenarios);
    if (!c->n)
        return;
    if (!n) {
        fprintf(c->out, "  in the catalogue: no scenario expects it\n");
        return;
    }
    fprintf(c->out,
            "  in the catalogue (%zu scenario%s), the runs behind it ended with:", scenarios,
            scenarios == 1 ? "" : "s");
    for (size_t k = 0; k < n; k++)
        fprintf(c->out, "%s %s (%zu)", k ? "," : "", names[k], counts[k]);
    fprintf(c->out, "\n");
}

/* One name, rule id or file: its explanation on c->out, its kind in *kind;
 * 0, or 2 for an unknown name or an unusable file (said on stderr). */
static int explain_one(const char *w, struct catalogue *c, const char **kind)
{
    const struct vocab_outcome *words[4];
    size_t nw;
    int r = reason_from_name(w);
    struct stat st;
    if (r > 0) {
        *kind = "reason";
        explain_reason(r, c);
    } else if (is_rule_id(w) && rule_summary(w)) {
        *kind = "rule";
        fprintf(c->out, "%s: %s\n", w, rule_summary(w));
        print_citing(c, w);
        int found = 0;
        for (int i = 1; i < DS_REASON__COUNT; i++) {
            if (strcmp(reason_rule((enum ds_reason)i), w) != 0)
                continue;
            fprintf(c->out, "\n");
            found++;
            explain_reason(i, c);
        }
        if (!found)
            fprintf(c->out, "  no run ends with a reason of this rule: it is checked by refusals, "
                            "expectations or conformance checks (docs/)\n");
    } else if (is_rule_id(w)) {
        const char *ids[sizeof rules / sizeof *rules];
        for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
            ids[i] = rules[i].id;
        char dym[96];
        scenario_suggest(w, ids, sizeof rules / sizeof *rules, dym, sizeof dym);
        fprintf(stderr,
                "dialsim explain: '%s' is no rule of the platform documents%s; they are "
                "AO-1..5, TU-1..4, DW-1..4, CI-1..9, OV-1..5, H-1..4\n",
                w, dym);
        return 2;
    } else if (strchr(w, '/') || strstr(w, ".json") || stat(w, &st) == 0) {
        *kind = "file";
        if (explain_file(w, c) != 0)
            return 2;
    } else if ((nw = vocab_outcomes(w, words, 4)) > 0) {
        *kind = "provider-word";
        explain_provider_word(w, words, nw, c);
    } else {
        const char *names[DS_REASON__COUNT];
        for (int i = 1; i < DS_REASON__COUNT; i++)
            names[i - 1] = reason_name((enum ds_reason)i);
        char dym[96];
        scenario_suggest(w, names, DS_REASON__COUNT - 1, dym, sizeof dym);
        fprintf(stderr,
                "dialsim explain: '%s' is not a reason code, a rule id or a file%s; "
                "`dialsim reasons` lists the reasons\n",
                w, dym);
        return 2;
    }
    return 0;
}

/* --format json: one item per name asked about (docs/output-formats.md). A
 * reason also comes as fields; every item has the text the terminal shows. */
static json_t *explain_json(const char *w, const char *kind, bool ok, const char *text,
                            const struct catalogue *c)
{
    json_t *item = json_pack("{s:s, s:s, s:b, s:s}", "query", w, "kind", kind, "ok", ok, "text",
                             text ? text : "");
    int r = reason_from_name(w);
    if (item && ok && r > 0) {
        json_t *by = json_array();
        for (size_t i = 0; c->roots && i < c->n; i++)
            if (c->roots[i] && expects_reason(c->roots[i], w))
                json_array_append_new(by, json_string(c->paths[i]));
        json_object_set_new(item, "reason",
                            json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "name", w, "status",
                                      run_status_name(reason_status((enum ds_reason)r)), "rule",
                                      reason_rule((enum ds_reason)r), "what",
                                      reason_sentence((enum ds_reason)r), "check",
                                      explain_advice(w), "reproduced_by", by));
    }
    return item;
}

/* Prints j (stolen) on stdout, indented, keys in order; -1 when it cannot. */
static int print_json_doc(json_t *j)
{
    return json_print_doc(stdout, j, 0, "dialsim explain");
}

static void explain_usage(FILE *f)
{
    fprintf(f,
            "usage: dialsim explain [--scenarios DIR] [--format text|json] REASON|RULE|RUN.json"
            " ...\n"
            "Say in plain words what a reason code means and what to check, what a provider's\n"
            "word for a call's fate (dial_no_answer, customer-busy) means, which reasons a\n"
            "rule id (AO-3) can end a run with, or explain runs as `dialsim serve` returns them\n"
            "(GET /runs/{id}, GET /runs). The scenarios of DIR (default: scenarios when it\n"
            "exists, else the installed catalogue) that expect a reason are named. Exit 0, or\n"
            "2 for an unknown name or an unusable file. --format json: one JSON document\n"
            "(docs/output-formats.md).\n");
}

int cmd_explain(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"scenarios", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = "scenarios";
    bool json = false;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 's') {
            dir = optarg;
        } else if (opt == 'f' && (!strcmp(optarg, "json") || !strcmp(optarg, "text"))) {
            json = !strcmp(optarg, "json");
        } else if (opt == 'h') {
            explain_usage(stdout);
            return 0;
        } else {
            explain_usage(stderr);
            return 2;
        }
    }
    const char *const *what = (const char *const *)argv + optind;
    size_t n = (size_t)(argc - optind);
    if (!n) {
        explain_usage(stderr);
        return 2;
    }
    /* outside a checkout, an installed dialsim's own catalogue names the
     * scenarios that reproduce a reason */
    char installed[4096];
    struct stat dst;
    if (!strcmp(dir, "scenarios") && stat(dir, &dst) != 0 &&
        datadir_find("scenarios", installed, sizeof installed))
        dir = installed;
    struct catalogue c;
    catalogue_load(&c, dir);
    int rc = 0;
    json_t *items = json ? json_array() : NULL;
    for (size_t k = 0; k < n; k++) {
        const char *kind = "unknown";
        if (!json) {
            if (k)
                printf("\n");
            rc |= explain_one(what[k], &c, &kind);
            continue;
        }
        char *text = NULL;
        size_t len = 0;
        c.out = open_memstream(&text, &len);
        int one = c.out ? explain_one(what[k], &c, &kind) : 2;
        if (c.out)
            fclose(c.out);
        c.out = stdout;
        rc |= one;
        json_array_append_new(items, explain_json(what[k], kind, one == 0, text, &c));
        free(text);
    }
    if (json &&
        print_json_doc(json_pack("{s:s, s:o}", "format", "dialsim-explain/1", "items", items)) != 0)
        rc = 2;
    catalogue_free(&c);
    return rc;
}
