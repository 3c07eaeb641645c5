/* mock_build.h: one mock_world from a `mocks` object, for `dialsim run`
 * (per scenario, simulated clock) and `dialsim serve` (wall clock). */
#include "mock_build.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer_backend.h"
#include "faults.h"
#include "journal.h"
#include "mock_account.h"
#include "catalogue_serve.h"
#include "mock_provider.h"
#include "pstn.h"
#include "trigger_endpoint.h"
#include "webhook.h"

const char *mock_jstr(const json_t *o, const char *k, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : dflt;
}

bool mock_jbool(const json_t *o, const char *k, bool dflt)
{
    json_t *v = json_object_get(o, k);
    return v ? json_is_true(v) : dflt;
}

int64_t mock_jsecs(const json_t *o, const char *k, int64_t dflt_ms)
{
    json_t *v = json_object_get(o, k);
    return v ? (int64_t)llround(json_number_value(v) * 1000.0) : dflt_ms;
}

/* mocks.<provider>, or — decision, docs/decisions.md — when the scenario gives
 * none, the account the agents of that provider expect: their keys and
 * assistants exist and each phone_number_id dials from the agent's own
 * contact_number. Returns the config's JSON parts in *own (to decref). */
static void provider_config(const json_t *mocks, const json_t *agents, uint64_t seed,
                            const char *provider, struct mock_provider_config *pc, json_t **own)
{
    const json_t *cfg = json_object_get(mocks, provider);
    *own = NULL;
    memset(pc, 0, sizeof *pc);
    if (cfg) {
        pc->keys = json_object_get(cfg, "keys");
        pc->agents = json_object_get(cfg, "agents");
        if (!pc->agents)
            pc->agents = json_object_get(cfg, "assistants");
        pc->phone_numbers = json_object_get(cfg, "phone_numbers");
    } else {
        json_t *o = json_pack("{s:[],s:[],s:[]}", "keys", "agents", "phone_numbers");
        size_t i;
        json_t *a;
        json_array_foreach(agents, i, a)
        {
            if (strcmp(mock_jstr(a, "provider", "vapi"), provider) != 0)
                continue;
            if (mock_jstr(a, "provider_api_key", NULL))
                json_array_append_new(json_object_get(o, "keys"),
                                      json_string(mock_jstr(a, "provider_api_key", "")));
            if (mock_jstr(a, "assistant_id", NULL))
                json_array_append_new(json_object_get(o, "agents"),
                                      json_string(mock_jstr(a, "assistant_id", "")));
            if (mock_jstr(a, "contact_number", NULL))
                json_array_append_new(
                    json_object_get(o, "phone_numbers"),
                    json_pack("{s:s,s:s}", "id",
                              mock_jstr(a, "phone_number_id", mock_jstr(a, "contact_number", "")),
                              "number", mock_jstr(a, "contact_number", "")));
        }
        pc->keys = json_object_get(o, "keys");
        pc->agents = json_object_get(o, "agents");
        pc->phone_numbers = json_object_get(o, "phone_numbers");
        *own = o;
    }
    pc->latency_ms = mock_jsecs(cfg, "latency", 200);
    pc->dial_delay_ms = mock_jsecs(cfg, "dial_delay", 2000);
    /* providers.md §6.3: Twilio and Vapi ring 60 s, Retell 30 s, ElevenLabs 60 s */
    pc->ring_timeout_ms =
        mock_jsecs(cfg, "ring_timeout", strcmp(provider, "retell") ? 60000 : 30000);
    pc->seed = seed;
    json_t *credits = json_object_get(cfg, "credits");
    pc->credits = credits ? json_number_value(credits) : -1;
    json_t *cost = json_object_get(cfg, "call_cost");
    pc->call_cost = cost ? json_number_value(cost) : 1;
    pc->credits_as_ended_call = !strcmp(mock_jstr(cfg, "credits_surface", "http"), "ended");
    pc->concurrency_limit = (int)json_integer_value(json_object_get(cfg, "concurrency_limit"));
    pc->webhooks = json_object_get(cfg, "webhooks");
    pc->recording = json_object_get(cfg, "recording");
}

static int build_providers(struct mock_world *w, const json_t *mocks, const json_t *agents,
                           uint64_t seed)
{
    struct mock_provider_config pc;
    json_t *own;
    int rc = 0;
    for (size_t i = 0; mock_provider_list[i]; i++) {
        const struct mock_provider_ops *ops = mock_provider_list[i];
        void *m = NULL;
        provider_config(mocks, agents, seed, ops->name, &pc, &own);
        pc.max_ended_calls = w->limits.max_ended_calls;
        char err[300];
        if (ops->create(&m, w, &pc) != 0 || mock_world_attach(w, ops, m) != 0) {
            ops->destroy(m);
            rc = -1;
        } else if (catalogue_seed(&w->providers[w->n_providers - 1],
                                  json_object_get(json_object_get(mocks, ops->name), "objects"),
                                  ds_now(&w->clock), err, sizeof err) != 0) {
            fprintf(stderr, "dialsim: %s\n", err);
            rc = -1;
        }
        json_decref(own);
    }
    rc |= mock_faults_create(&w->faults, json_object_get(mocks, "faults"), seed);
    rc |= mock_webhooks_create(&w->webhooks);
    rc |= mock_triggers_create(&w->triggers, w, json_object_get(mocks, "trigger_endpoints"));
    return rc ? -1 : 0;
}

static int build_pstn(struct mock_world *w, const json_t *mocks)
{
    const json_t *cfg = json_object_get(mocks, "pstn");
    const json_t *faults = json_object_get(cfg, "faults");
    size_t nf = json_array_size(faults);
    struct pstn_fault *fv = calloc(nf ? nf : 1, sizeof *fv);
    if (!fv)
        return -1;
    for (size_t i = 0; i < nf; i++) {
        const json_t *f = json_array_get(faults, i);
        fv[i] = (struct pstn_fault){.to = (char *)mock_jstr(f, "to", ""),
                                    .ani = (char *)mock_jstr(f, "ani", NULL),
                                    .misdial = (char *)mock_jstr(f, "misdial", NULL),
                                    .busy = mock_jbool(f, "busy", false),
                                    .fail = mock_jbool(f, "fail", false),
                                    .declined = mock_jbool(f, "declined", false),
                                    .invalid = mock_jbool(f, "invalid", false),
                                    .voicemail = mock_jbool(f, "voicemail", false)};
    }
    const char *silent = mock_jstr(cfg, "silent_drop_as", "no-answer");
    struct pstn_config pc = {
        .call_duration_ms = mock_jsecs(cfg, "call_duration", 30000),
        .silence_as_busy = strcmp(silent, "busy") == 0,
        .silence_to_voicemail = strcmp(silent, "voicemail") == 0,
        .voicemail_after_ms = mock_jsecs(cfg, "voicemail_after", 20000),
        .faults = fv,
        .n_faults = nf,
        .max_ended_calls = w->limits.max_ended_calls,
        .outcomes = json_object_get(cfg, "outcomes"),
    };
    int rc = pstn_create(&w->pstn, w->clock, &pc);
    free(fv);
    return rc;
}

int mock_world_build(struct mock_world *w, const json_t *mocks, const json_t *agents, uint64_t seed)
{
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->journal_cv, NULL);
    w->waits_stopped = false;
    w->waiters = 0;
    if (journal_create_sized(&w->journal, w->limits.journal_size) || build_pstn(w, mocks) ||
        build_providers(w, mocks, agents, seed)) {
        mock_world_unbuild(w);
        return -1;
    }
    journal_set_notify(w->journal, &w->journal_cv);
    return 0;
}

void mock_world_unbuild(struct mock_world *w)
{
    while (w->n_providers > 0) {
        struct mock_provider_slot *s = &w->providers[w->n_providers - 1];
        const struct mock_provider_ops *ops = s->ops;
        void *m = s->m;
        mock_world_detach(w, m);
        ops->destroy(m);
    }
    mock_faults_destroy(w->faults);
    mock_webhooks_destroy(w->webhooks);
    mock_customer_backend_destroy(w->backend);
    mock_triggers_destroy(w->triggers);
    pstn_destroy(w->pstn);
    journal_destroy(w->journal);
    w->faults = NULL;
    w->webhooks = NULL;
    w->backend = NULL;
    w->triggers = NULL;
    w->pstn = NULL;
    w->journal = NULL;
    pthread_cond_destroy(&w->journal_cv);
    pthread_mutex_destroy(&w->mu);
}

void mock_world_stop_waits(struct mock_world *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->waits_stopped = true;
    pthread_cond_broadcast(&w->journal_cv);
    pthread_mutex_unlock(&w->mu);
}
