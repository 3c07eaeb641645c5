/* serve_admin.h: the admin routes that change the world — fault rules,
 * provider accounts, outcomes per number — and reset's part of them. Each
 * body is checked as the same part of a scenario's `mocks` would be
 * (scenario_check_mocks): one model, two doors. World mutex held. */
#include "serve/serve_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "catalogue_serve.h"
#include "catalogue_store.h"
#include "mock_account.h"
#include "mock_provider.h"
#include "pstn.h"
#include "pstn_outcomes.h"
#include "serve/serve_internal.h"

static bool is(const struct mock_request *rq, const char *method)
{
    return strcmp(rq->method, method) == 0;
}

/* ---- /_dialsim/faults[/{id}] -------------------------------------------- */

static json_t *rule_by_id(struct mock_faults *f, const char *id)
{
    json_t *all = mock_faults_list(f), *found = NULL;
    size_t i;
    json_t *r;
    json_array_foreach(all, i, r) if (!strcmp(json_string_value(json_object_get(r, "id")), id))
    {
        found = json_incref(r);
        break;
    }
    json_decref(all);
    return found;
}

static void one_rule(struct mock_world *w, const char *id, const struct mock_request *rq,
                     struct mock_response *rs)
{
    json_t *r = rule_by_id(w->faults, id);
    if (!r) {
        srv_admin_error(rs, 404, "no fault rule \"%s\" (GET /_dialsim/faults lists them)", id);
    } else if (is(rq, "GET")) {
        mock_reply_json(rs, 200, r);
        return;
    } else if (is(rq, "DELETE")) {
        mock_faults_remove(w->faults, id);
        mock_reply_json(rs, 200,
                        json_pack("{s:s,s:O}", "removed", id, "rule", json_object_get(r, "rule")));
    } else {
        srv_admin_error(rs, 405, "GET or DELETE only");
    }
    json_decref(r);
}

/* PUT: the rules replaced (hit counts start again), answered {"rules": n}
 * as before there were ids (GET lists them with their ids). */
static void put_rules(struct mock_world *w, const json_t *rules, struct mock_response *rs)
{
    mock_faults_clear(w->faults);
    size_t i;
    const json_t *r;
    json_array_foreach(rules, i, r)
    {
        if (mock_faults_add(w->faults, r, NULL, 0) != 0) {
            srv_admin_error(rs, 500, "out of memory");
            return;
        }
    }
    mock_reply_json(rs, 200, json_pack("{s:I}", "rules", (json_int_t)json_array_size(rules)));
}

int srv_admin_faults(struct serve *s, struct mock_world *w, const struct mock_request *rq,
                     struct mock_response *rs)
{
    (void)s;
    const char *p = rq->path + strlen("/_dialsim/faults");
    if (strncmp(rq->path, "/_dialsim/faults", 16) != 0 || (*p && *p != '/'))
        return 0;
    if (*p == '/') {
        one_rule(w, p + 1, rq, rs);
        return 1;
    }
    if (is(rq, "GET")) {
        mock_reply_json(rs, 200, json_pack("{s:o}", "rules", mock_faults_list(w->faults)));
        return 1;
    }
    if (is(rq, "DELETE")) {
        mock_reply_json(rs, 200,
                        json_pack("{s:I}", "removed", (json_int_t)mock_faults_clear(w->faults)));
        return 1;
    }
    if (!is(rq, "PUT") && !is(rq, "POST")) {
        srv_admin_error(rs, 405,
                        "GET, POST (one rule), PUT (every rule, as mocks.faults) or "
                        "DELETE");
        return 1;
    }
    json_t *body = srv_admin_body(rq, rs);
    if (!body)
        return 1;
    bool one = is(rq, "POST");
    json_t *mocks = json_pack("{s:o}", "faults", one ? json_pack("[O]", body) : json_incref(body));
    if (srv_admin_check_mocks(mocks, one ? "mocks.faults[0]" : "mocks.faults", rq, rs) == 0) {
        if (!one) {
            put_rules(w, body, rs);
        } else {
            char id[24];
            if (mock_faults_add(w->faults, body, id, sizeof id) != 0)
                srv_admin_error(rs, 500, "out of memory");
            else
                mock_reply_json(rs, 201, rule_by_id(w->faults, id));
        }
    }
    json_decref(mocks);
    json_decref(body);
    return 1;
}

/* ---- /_dialsim/accounts[/{provider}] ------------------------------------ */

/* The provider mocks as the admin API sees them, through their ops table
 * (mock_provider.h): an account, and a registry of phone numbers each keeps
 * in its own shape. NULL when the world has no such account. */
static struct mock_provider_slot *slot_at(struct mock_world *w, size_t i)
{
    struct mock_provider_slot *sl = mock_world_slot(w, mock_provider_list[i]->name);
    return sl && sl->ops->account && sl->ops->account(sl->m) ? sl : NULL;
}

static struct mock_provider_slot *slot_named(struct mock_world *w, const char *name)
{
    for (size_t i = 0; mock_provider_list[i]; i++)
        if (!strcmp(mock_provider_list[i]->name, name))
            return slot_at(w, i);
    return NULL;
}

/* An account's settings and its phone numbers (the provider's own shape). */
static json_t *account_json(const struct mock_provider_slot *sl)
{
    json_t *o = mock_account_settings(sl->ops->account(sl->m));
    json_object_set_new(o, "phone_numbers", sl->ops->numbers(sl->m));
    return o;
}

/* what an account's settings can change to while the server runs */
static const char *const settable[] = {
    "keys",       "credits",      "call_cost",     "concurrency_limit",
    "dial_delay", "ring_timeout", "phone_numbers", NULL};

/* PATCH /_dialsim/accounts/{provider}: the keys of mocks.<provider> that
 * change at run time; null credits: unlimited, null concurrency_limit: none. */
static void patch_account(struct mock_provider_slot *d, const char *provider,
                          const struct mock_request *rq, struct mock_response *rs)
{
    json_t *body = srv_admin_body(rq, rs);
    if (!body)
        return;
    if (!json_is_object(body)) {
        srv_admin_error(rs, 400, "body: expected an object of mocks.%s's settings", provider);
        json_decref(body);
        return;
    }
    /* null lifts a limit; the scenario's checker sees the rest */
    json_t *check = json_deep_copy(body);
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(check, tmp, k,
                             v) if (json_is_null(v) &&
                                    (!strcmp(k, "credits") || !strcmp(k, "concurrency_limit")))
        json_object_del(check, k);
    char rel[40];
    snprintf(rel, sizeof rel, "mocks.%s", provider);
    json_t *mocks = json_pack("{s:o}", provider, check);
    if (srv_admin_check_mocks(mocks, rel, rq, rs) == 0) {
        json_object_foreach(body, k, v)
        {
            bool ok = false;
            for (int i = 0; settable[i]; i++)
                ok = ok || !strcmp(k, settable[i]);
            if (!ok) {
                srv_admin_error(rs, 400,
                                "body.%s: not changed at run time: the settings that "
                                "are: keys, credits, call_cost, concurrency_limit, "
                                "dial_delay, ring_timeout, phone_numbers (the rest: "
                                "restart with another config)",
                                k);
                goto out;
            }
        }
        mock_account_apply(d->ops->account(d->m), body);
        if (json_object_get(body, "phone_numbers"))
            d->ops->set_numbers(d->m, json_object_get(body, "phone_numbers"));
        mock_reply_json(rs, 200, account_json(d));
    }
out:
    json_decref(mocks);
    json_decref(body);
}

int srv_admin_accounts(struct serve *s, struct mock_world *w, const struct mock_request *rq,
                       struct mock_response *rs)
{
    (void)s;
    if (!strcmp(rq->path, "/_dialsim/accounts")) {
        if (!is(rq, "GET")) {
            srv_admin_error(rs, 405, "GET only");
            return 1;
        }
        json_t *o = json_object();
        for (size_t i = 0; mock_provider_list[i]; i++) {
            struct mock_provider_slot *sl = slot_at(w, i);
            json_object_set_new(o, mock_provider_list[i]->name,
                                sl ? account_json(sl) : json_null());
        }
        mock_reply_json(rs, 200, o);
        return 1;
    }
    if (strncmp(rq->path, "/_dialsim/accounts/", 19) != 0)
        return 0;
    const char *provider = rq->path + 19;
    struct mock_provider_slot *d = slot_named(w, provider);
    if (!d) {
        srv_admin_error(rs, 404, "no account \"%s\": expected a provider the config has mocks for",
                        provider);
    } else if (is(rq, "GET")) {
        mock_reply_json(rs, 200, account_json(d));
    } else if (is(rq, "PATCH")) {
        patch_account(d, provider, rq, rs);
    } else {
        srv_admin_error(rs, 405, "GET or PATCH only");
    }
    return 1;
}

/* ---- /_dialsim/outcomes ------------------------------------------------- */

int srv_admin_outcomes(struct serve *s, struct mock_world *w, const struct mock_request *rq,
                       struct mock_response *rs)
{
    (void)s;
    if (strcmp(rq->path, "/_dialsim/outcomes") != 0)
        return 0;
    struct pstn_outcomes *o = pstn_outcomes_of(w->pstn);
    if (is(rq, "GET")) {
        mock_reply_json(rs, 200, json_pack("{s:o}", "outcomes", pstn_outcomes_json(o)));
        return 1;
    }
    if (is(rq, "DELETE")) {
        mock_reply_json(rs, 200, json_pack("{s:I}", "removed", (json_int_t)pstn_outcomes_clear(o)));
        return 1;
    }
    if (!is(rq, "PUT") && !is(rq, "POST")) {
        srv_admin_error(rs, 405,
                        "GET, POST (one outcome), PUT (every outcome, as "
                        "mocks.pstn.outcomes) or DELETE");
        return 1;
    }
    json_t *body = srv_admin_body(rq, rs);
    if (!body)
        return 1;
    bool one = is(rq, "POST");
    json_t *mocks = json_pack("{s:{s:o}}", "pstn", "outcomes",
                              one ? json_pack("[O]", body) : json_incref(body));
    if (srv_admin_check_mocks(mocks, one ? "mocks.pstn.outcomes[0]" : "mocks.pstn.outcomes", rq,
                              rs) == 0) {
        int rc = one ? pstn_outcomes_add(o, body) : pstn_outcomes_set(o, body);
        if (rc != 0)
            srv_admin_error(rs, 500, "out of memory");
        else
            mock_reply_json(rs, one ? 201 : 200,
                            json_pack("{s:o}", "outcomes", pstn_outcomes_json(o)));
    }
    json_decref(mocks);
    json_decref(body);
    return 1;
}

/* ---- reset's part ------------------------------------------------------- */

void srv_admin_reset_world(struct serve *s, struct mock_world *w, json_t *out)
{
    const json_t *mocks = s->mock_cfg;
    size_t gone = mock_faults_clear(w->faults);
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(mocks, "faults"), i, r)
        mock_faults_add(w->faults, r, NULL, 0);
    json_object_set_new(out, "faults", json_integer((json_int_t)gone));
    struct pstn_outcomes *o = pstn_outcomes_of(w->pstn);
    json_object_set_new(out, "outcomes", json_integer((json_int_t)pstn_outcomes_clear(o)));
    pstn_outcomes_set(o, json_object_get(json_object_get(mocks, "pstn"), "outcomes"));
    size_t ended = 0, objects = 0;
    for (size_t p = 0; mock_provider_list[p]; p++) {
        struct mock_provider_slot *sl = slot_at(w, p);
        if (!sl)
            continue;
        struct mock_account *a = sl->ops->account(sl->m);
        mock_account_restore(a);
        sl->ops->set_numbers(sl->m, NULL);
        ended += mock_account_forget_ended(a);
        /* the generic routes' objects: back to mocks.<provider>.objects */
        struct cat_store *fresh = NULL;
        if (cat_store_create(&fresh) == 0) {
            objects += cat_store_count(sl->store);
            cat_store_destroy(sl->store);
            sl->store = fresh;
            char err[300];
            const json_t *seed = json_object_get(json_object_get(mocks, sl->ops->name), "objects");
            if (catalogue_seed(sl, seed, ds_now(&w->clock), err, sizeof err) != 0)
                fprintf(stderr, "dialsim serve: reset: %s\n", err);
        }
    }
    json_object_set_new(out, "ended_calls", json_integer((json_int_t)ended));
    json_object_set_new(out, "objects", json_integer((json_int_t)objects));
}
