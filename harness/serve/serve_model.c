/* The API's objects (projects, agents, evaluators) as JSON, checked field by
 * field against a table and applied to the core. Every offending field is
 * reported at once, by JSON path, like the transcript webhook (CI-8). Called
 * with the core lock held. */
#include "serve/serve_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ftype { FT_STRING, FT_STRING_NULL, FT_BOOL, FT_INT, FT_ENUM, FT_OBJECT };

struct field {
    const char *name;
    enum ftype type;
    const char *const *choices; /* FT_ENUM, NULL-terminated */
    json_int_t lo, hi;          /* FT_INT */
    bool required;              /* on create */
    bool fixed;                 /* set on create only: a PATCH may not change it */
};

#define ID_MAX 255

static const char *const providers[] = {"vapi", "retell", "elevenlabs", NULL};
static const char *const number_types[] = {"twilio", "sip_trunk", NULL};
static const char *const dispatches[] = {"single", "batch", NULL}; /* issue 12 */
static const char *const transcript_providers[] = {"provider", "custom", NULL};

static const struct field project_fields[] = {
    {"id", FT_STRING, NULL, 0, 0, true, true},
    {"api_key", FT_STRING_NULL, NULL, 0, 0, false, false},
    {"fetch_recordings", FT_BOOL, NULL, 0, 0, false, false},
    {NULL, 0, NULL, 0, 0, false, false},
};

/* The scenario format's agent fields (docs/scenario-format.md), plus project. */
static const struct field agent_fields[] = {
    {"id", FT_STRING, NULL, 0, 0, false, true},
    {"project", FT_STRING, NULL, 0, 0, false, true},
    {"name", FT_STRING_NULL, NULL, 0, 0, false, false},
    {"inbound", FT_BOOL, NULL, 0, 0, false, false},
    {"auto_outbound", FT_BOOL, NULL, 0, 0, false, false},
    {"contact_number", FT_STRING_NULL, NULL, 0, 0, false, false},
    {"provider", FT_ENUM, providers, 0, 0, false, false},
    {"provider_api_key", FT_STRING_NULL, NULL, 0, 0, false, false},
    {"assistant_id", FT_STRING_NULL, NULL, 0, 0, false, false},
    {"phone_number_id", FT_STRING_NULL, NULL, 0, 0, false, false},
    {"phone_number_type", FT_ENUM, number_types, 0, 0, false, false},
    {"webhook_secret", FT_STRING_NULL, NULL, 0, 0, false, false},
    {"transcript_provider", FT_ENUM, transcript_providers, 0, 0, false, false},
    {"dial_window_seconds", FT_INT, NULL, 1, 86400, false, false},
    {"trigger_url", FT_STRING_NULL, NULL, 0, 0, false, false},
    {"trigger_call_endpoint", FT_STRING_NULL, NULL, 0, 0, false, false},
    {"trigger_call_headers", FT_STRING_NULL, NULL, 0, 0, false, false},
    {"phone_number_key", FT_STRING_NULL, NULL, 0, 0, false, false},
    {"trigger_call_payload", FT_STRING_NULL, NULL, 0, 0, false, false},
    {"dispatch", FT_ENUM, dispatches, 0, 0, false, false},
    {NULL, 0, NULL, 0, 0, false, false},
};

static const struct field evaluator_fields[] = {
    {"id", FT_STRING, NULL, 0, 0, false, true},
    {"project", FT_STRING, NULL, 0, 0, false, true},
    {"phone_number", FT_STRING, NULL, 0, 0, true, false},
    {"dynamic_variables", FT_OBJECT, NULL, 0, 0, false, false},
    {NULL, 0, NULL, 0, 0, false, false},
};

/* ---- checking ------------------------------------------------------------ */

static void join_path(char *out, size_t n, const char *prefix, const char *key)
{
    if (prefix && *prefix)
        snprintf(out, n, "%s.%s", prefix, key);
    else
        snprintf(out, n, "%s", key);
}

/* "a string (\"abc\")", "an integer (42)", "null": what was sent. */
static const char *describe(const json_t *v, char *buf, size_t n)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t len = strlen(s);
        snprintf(buf, n, "a string (\"%.40s%s\")", s, len > 40 ? "..." : "");
        break;
    }
    case JSON_INTEGER:
        snprintf(buf, n, "an integer (%" JSON_INTEGER_FORMAT ")", json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(buf, n, "a number (%g)", json_real_value(v));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        snprintf(buf, n, "a boolean (%s)", json_is_true(v) ? "true" : "false");
        break;
    case JSON_NULL:
        snprintf(buf, n, "null");
        break;
    case JSON_OBJECT:
        snprintf(buf, n, "an object");
        break;
    case JSON_ARRAY:
        snprintf(buf, n, "an array");
        break;
    }
    return buf;
}

/* Letters and digits only, lower case: "Contact-Number" ~ "contact_number". */
static bool loosely_equal(const char *a, const char *b)
{
    for (;;) {
        while (*a && (*a == '_' || *a == '-'))
            a++;
        while (*b && (*b == '_' || *b == '-'))
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if ((*a | 32) != (*b | 32))
            return false;
        a++, b++;
    }
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *did_you_mean(const struct field *f, const char *key)
{
    const char *best = NULL;
    size_t bd = 3;
    for (; f->name; f++) {
        if (loosely_equal(f->name, key))
            return f->name;
        size_t d = edit_distance(f->name, key);
        if (d < bd) {
            bd = d;
            best = f->name;
        }
    }
    return best;
}

static void check_value(const struct field *f, const json_t *v, const char *path, json_t *errors)
{
    char got[80];
    switch (f->type) {
    case FT_STRING:
        if (!json_is_string(v))
            srv_error_add(errors, path, "must be a string, got %s", describe(v, got, sizeof got));
        break;
    case FT_STRING_NULL:
        if (!json_is_string(v) && !json_is_null(v))
            srv_error_add(errors, path, "must be a string or null, got %s",
                          describe(v, got, sizeof got));
        break;
    case FT_BOOL:
        if (!json_is_boolean(v))
            srv_error_add(errors, path, "must be true or false, got %s",
                          describe(v, got, sizeof got));
        break;
    case FT_INT:
        if (!json_is_integer(v) || json_integer_value(v) < f->lo || json_integer_value(v) > f->hi)
            srv_error_add(errors, path,
                          "must be an integer from %" JSON_INTEGER_FORMAT
                          " to %" JSON_INTEGER_FORMAT ", got %s",
                          f->lo, f->hi, describe(v, got, sizeof got));
        break;
    case FT_ENUM: {
        const char *s = json_string_value(v);
        bool ok = false;
        for (const char *const *c = f->choices; s && *c; c++)
            ok = ok || strcmp(*c, s) == 0;
        if (!ok) {
            char list[128] = "";
            for (const char *const *c = f->choices; *c; c++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"",
                         c == f->choices ? "" : ", ", *c);
            srv_error_add(errors, path, "must be one of %s, got %s", list,
                          describe(v, got, sizeof got));
        }
        break;
    }
    case FT_OBJECT:
        if (!json_is_object(v))
            srv_error_add(errors, path, "must be an object, got %s", describe(v, got, sizeof got));
        break;
    }
}

/* Every problem of o against the table, in table order, then unknown keys in
 * body order. Returns how many errors were added. */
static size_t check_fields(const struct field *fields, const json_t *o, bool create,
                           const char *prefix, json_t *errors)
{
    size_t before = json_array_size(errors);
    char path[512], got[80];
    if (!json_is_object(o)) {
        srv_error_add(errors, prefix ? prefix : "", "must be an object, got %s",
                      describe(o, got, sizeof got));
        return 1;
    }
    for (const struct field *f = fields; f->name; f++) {
        const json_t *v = json_object_get(o, f->name);
        join_path(path, sizeof path, prefix, f->name);
        if (!v) {
            if (create && f->required)
                srv_error_add(errors, path, "is required");
            continue;
        }
        if (!create && f->fixed) {
            srv_error_add(errors, path, "cannot be changed; create a new one instead");
            continue;
        }
        check_value(f, v, path, errors);
        if (!strcmp(f->name, "id") && json_is_string(v)) {
            size_t len = strlen(json_string_value(v));
            if (len == 0 || len > ID_MAX || strchr(json_string_value(v), '/'))
                srv_error_add(errors, path, "must be 1 to %d characters, without '/'", ID_MAX);
        }
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)o, key, v)
    {
        const struct field *f = fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (f->name)
            continue;
        join_path(path, sizeof path, prefix, key);
        const char *dym = did_you_mean(fields, key);
        if (dym)
            srv_error_add(errors, path, "unknown field (did you mean \"%s\"?)", dym);
        else
            srv_error_add(errors, path, "unknown field");
    }
    return json_array_size(errors) - before;
}

static const char *str_or(const json_t *o, const char *k, const char *dflt)
{
    const json_t *v = json_object_get(o, k);
    return v ? json_string_value(v) : dflt; /* null → NULL */
}

static bool bool_or(const json_t *o, const char *k, bool dflt)
{
    const json_t *v = json_object_get(o, k);
    return v ? json_is_true(v) : dflt;
}

static json_t *str_json(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The project of a new agent or evaluator: named, or the only one there is. */
static const char *pick_project(struct serve *s, const json_t *o, const char *prefix,
                                json_t *errors)
{
    char path[512];
    join_path(path, sizeof path, prefix, "project");
    const char *p = json_string_value(json_object_get(o, "project"));
    if (!json_object_get(o, "project")) {
        if (s->n_projects == 1)
            return s->projects[0].id;
        srv_error_add(errors, path, "is required (the server has %zu projects)", s->n_projects);
        return NULL;
    }
    if (p && !srv_project_find(s, p)) {
        srv_error_add(errors, path, "no project has id \"%.80s\"", p);
        return NULL;
    }
    return p;
}

int srv_ids_add(struct srv_ids *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], id))
            return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(id)))
        return -1;
    l->n++;
    return 0;
}

void srv_ids_free(struct srv_ids *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void srv_model_free(struct serve *s)
{
    for (size_t i = 0; i < s->n_projects; i++) {
        free(s->projects[i].id);
        free(s->projects[i].api_key);
    }
    free(s->projects);
    s->projects = NULL;
    s->n_projects = 0;
    srv_ids_free(&s->agents);
    srv_ids_free(&s->evaluators);
    srv_ids_free(&s->dirty);
}

/* ---- projects ------------------------------------------------------------ */

const struct srv_project *srv_project_find(const struct serve *s, const char *id)
{
    for (size_t i = 0; i < s->n_projects; i++)
        if (!strcmp(s->projects[i].id, id))
            return &s->projects[i];
    return NULL;
}

int srv_project_put(struct serve *s, const char *id, const json_t *o, bool create,
                    const char *prefix, json_t *errors)
{
    if (check_fields(project_fields, o, create, prefix, errors))
        return 400;
    struct srv_project *p =
        (struct srv_project *)srv_project_find(s, id ? id : str_or(o, "id", ""));
    if (create && p) {
        char path[512];
        join_path(path, sizeof path, prefix, "id");
        srv_error_add(errors, path, "a project with id \"%.80s\" exists already", p->id);
        return 409;
    }
    if (!p) {
        struct srv_project *np = realloc(s->projects, (s->n_projects + 1) * sizeof *np);
        if (!np)
            return 500;
        s->projects = np;
        p = &np[s->n_projects];
        *p = (struct srv_project){.id = strdup(str_or(o, "id", ""))};
        if (!p->id)
            return 500;
        s->n_projects++;
    }
    if (json_object_get(o, "api_key")) {
        free(p->api_key);
        const char *k = str_or(o, "api_key", NULL);
        p->api_key = k ? strdup(k) : NULL;
    }
    p->fetch_recordings = bool_or(o, "fetch_recordings", p->fetch_recordings);
    if (core_project_put(s->core, p->id, p->api_key) ||
        core_project_fetch_recordings(s->core, p->id, p->fetch_recordings))
        return 500;
    return 0;
}

json_t *srv_project_json(struct serve *s, const struct srv_project *p)
{
    char hook[600];
    int64_t stored = 0;
    snprintf(hook, sizeof hook, "/projects/%s/transcripts", p->id);
    json_t *j =
        json_pack("{s:s,s:b,s:b,s:s}", "id", p->id, "has_api_key", p->api_key && *p->api_key,
                  "fetch_recordings", p->fetch_recordings, "transcript_webhook", hook);
    if (j && store_count(s->store, p->id, &stored) == STORE_OK)
        json_object_set_new(j, "transcripts_stored", json_integer(stored));
    return j;
}

/* ---- agents -------------------------------------------------------------- */

/* A trigger refusal of the core names its field in the message; put the
 * error on that field when it does. */
static void core_refusal(json_t *errors, const char *prefix, const char *msg)
{
    static const char *const names[] = {"trigger_call_endpoint", "trigger_call_headers",
                                        "trigger_call_payload",  "phone_number_key",
                                        "trigger_url",           NULL};
    char path[512];
    for (const char *const *n = names; *n; n++) {
        if (strstr(msg, *n)) {
            join_path(path, sizeof path, prefix, *n);
            srv_error_add(errors, path, "%s", msg);
            return;
        }
    }
    srv_error_add(errors, prefix && *prefix ? prefix : NULL, "%s", msg);
}

static void next_free_id(struct serve *s, uint64_t *counter, bool agent, char *out, size_t n)
{
    do
        snprintf(out, n, "%llu", (unsigned long long)++*counter);
    while (agent ? core_agent_get(s->core, out) != NULL : core_evaluator_get(s->core, out) != NULL);
}

/* What creating or updating an agent or an evaluator shares: check the body,
 * pick the project (create), refuse a taken id (409) or an unknown one (404),
 * and choose the id (the next free integer when a create names none).
 * Returns 0, or the HTTP status with errors added. */
static int put_begin(struct serve *s, bool agent, const struct field *fields, const char *id,
                     const json_t *o, bool create, const char *prefix, json_t *errors,
                     const char **project, char *id_out, size_t id_n)
{
    char path[512];
    *project = NULL;
    check_fields(fields, o, create, prefix, errors);
    if (create)
        *project = pick_project(s, o, prefix, errors);
    if (json_array_size(errors))
        return 400;
    const char *want = create ? str_or(o, "id", NULL) : id;
    bool taken = want && (agent ? core_agent_get(s->core, want) != NULL
                                : core_evaluator_get(s->core, want) != NULL);
    if (create && taken) {
        join_path(path, sizeof path, prefix, "id");
        srv_error_add(errors, path, "an %s with id \"%.80s\" exists already",
                      agent ? "agent" : "evaluator", want);
        return 409;
    }
    if (!create && !taken)
        return 404;
    if (create && !want)
        next_free_id(s, agent ? &s->next_agent : &s->next_evaluator, agent, id_out, id_n);
    else
        snprintf(id_out, id_n, "%s", want);
    return 0;
}

int srv_agent_put(struct serve *s, const char *id, const json_t *o, bool create, const char *prefix,
                  json_t *errors, char *id_out, size_t id_n)
{
    const char *project;
    int st =
        put_begin(s, true, agent_fields, id, o, create, prefix, errors, &project, id_out, id_n);
    if (st)
        return st;
    const struct core_agent *cur = create ? NULL : core_agent_get(s->core, id);
    struct core_agent a = {.id = id_out,
                           .project = (char *)project,
                           .provider = DS_PROVIDER_VAPI,
                           .auto_outbound = true};
    if (cur)
        a = *cur;
    a.name = (char *)str_or(o, "name", a.name);
    a.inbound = bool_or(o, "inbound", a.inbound);
    a.auto_outbound = bool_or(o, "auto_outbound", a.auto_outbound);
    a.contact_number = (char *)str_or(o, "contact_number", a.contact_number);
    if (json_object_get(o, "provider"))
        a.provider = (enum ds_provider)provider_from_name(str_or(o, "provider", "vapi"));
    a.provider_api_key = (char *)str_or(o, "provider_api_key", a.provider_api_key);
    a.assistant_id = (char *)str_or(o, "assistant_id", a.assistant_id);
    a.phone_number_id = (char *)str_or(o, "phone_number_id", a.phone_number_id);
    a.phone_number_type = (char *)str_or(o, "phone_number_type", a.phone_number_type);
    a.webhook_secret = (char *)str_or(o, "webhook_secret", a.webhook_secret);
    if (json_object_get(o, "transcript_provider"))
        a.custom_transcripts = !strcmp(str_or(o, "transcript_provider", ""), "custom");
    if (json_object_get(o, "dial_window_seconds"))
        a.dial_window_seconds = (int)json_integer_value(json_object_get(o, "dial_window_seconds"));
    a.trigger_url = (char *)str_or(o, "trigger_url", a.trigger_url);
    a.trigger_call_endpoint = (char *)str_or(o, "trigger_call_endpoint", a.trigger_call_endpoint);
    a.trigger_call_headers = (char *)str_or(o, "trigger_call_headers", a.trigger_call_headers);
    a.phone_number_key = (char *)str_or(o, "phone_number_key", a.phone_number_key);
    a.trigger_call_payload = (char *)str_or(o, "trigger_call_payload", a.trigger_call_payload);
    if (json_object_get(o, "dispatch"))
        a.dispatch_batch = !strcmp(str_or(o, "dispatch", "single"), "batch");
    char err[512] = "";
    if (core_agent_put(s->core, &a, err, sizeof err) != 0) {
        if (!*err)
            return 500;
        core_refusal(errors, prefix, err);
        return 400;
    }
    return srv_ids_add(&s->agents, id_out) ? 500 : 0;
}

json_t *srv_agent_json(const struct core_agent *a)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(a->id));
    json_object_set_new(j, "project", json_string(a->project));
    json_object_set_new(j, "name", str_json(a->name));
    json_object_set_new(j, "inbound", json_boolean(a->inbound));
    json_object_set_new(j, "auto_outbound", json_boolean(a->auto_outbound));
    json_object_set_new(j, "contact_number", str_json(a->contact_number));
    json_object_set_new(j, "provider", json_string(provider_name(a->provider)));
    json_object_set_new(j, "has_provider_api_key",
                        json_boolean(a->provider_api_key && *a->provider_api_key));
    json_object_set_new(j, "assistant_id", str_json(a->assistant_id));
    json_object_set_new(j, "phone_number_id", str_json(a->phone_number_id));
    json_object_set_new(j, "phone_number_type",
                        json_string(a->phone_number_type ? a->phone_number_type : "twilio"));
    json_object_set_new(j, "has_webhook_secret",
                        json_boolean(a->webhook_secret && *a->webhook_secret));
    json_object_set_new(j, "transcript_provider",
                        json_string(a->custom_transcripts ? "custom" : "provider"));
    json_object_set_new(
        j, "dial_window_seconds",
        json_integer(a->dial_window_seconds ? a->dial_window_seconds : CORE_DEFAULT_DIAL_WINDOW_S));
    json_object_set_new(j, "dispatch", json_string(a->dispatch_batch ? "batch" : "single"));
    /* secrets are write-only (docs/api.md#secrets): what may carry one is masked */
    json_object_set_new(j, "trigger_url", srv_masked_url(a->trigger_url));
    json_object_set_new(j, "trigger_call_endpoint", srv_masked_url(a->trigger_call_endpoint));
    json_object_set_new(j, "trigger_call_headers", srv_masked_headers(a->trigger_call_headers));
    json_object_set_new(j, "phone_number_key",
                        json_string(a->phone_number_key ? a->phone_number_key : "phone_number"));
    json_object_set_new(j, "trigger_call_payload", srv_masked_payload(a->trigger_call_payload));
    return j;
}

/* ---- evaluators ---------------------------------------------------------- */

int srv_evaluator_put(struct serve *s, const char *id, const json_t *o, bool create,
                      const char *prefix, json_t *errors, char *id_out, size_t id_n)
{
    const char *project;
    int st = put_begin(s, false, evaluator_fields, id, o, create, prefix, errors, &project, id_out,
                       id_n);
    if (st)
        return st;
    const struct core_evaluator *cur = create ? NULL : core_evaluator_get(s->core, id);
    const char *number = str_or(o, "phone_number", cur ? cur->phone_number : NULL);
    const json_t *vars = json_object_get(o, "dynamic_variables");
    if (!vars && cur)
        vars = cur->dynamic_variables;
    char err[512] = "";
    if (core_evaluator_put(s->core, id_out, cur ? cur->project : project, number, vars, err,
                           sizeof err) != 0) {
        if (!*err)
            return 500;
        srv_error_add(errors, prefix && *prefix ? prefix : NULL, "%s", err);
        return 400;
    }
    /* the stored number: `number` may be the replaced evaluator's, freed by now */
    srv_mocks_add_line(s, core_evaluator_get(s->core, id_out)->phone_number);
    return srv_ids_add(&s->evaluators, id_out) ? 500 : 0;
}

json_t *srv_evaluator_json(const struct core_evaluator *e)
{
    return json_pack("{s:s,s:s,s:o,s:O}", "id", e->id, "project", e->project, "phone_number",
                     str_json(e->phone_number), "dynamic_variables", e->dynamic_variables);
}

/* ---- durability: the objects in the database ------------------------------ */

/* What rebuilds the object: a create body with every field, secrets included
 * (the answers only say has_api_key and the like). Enum and integer fields
 * left at their default are left out: they take no null. */
static json_t *state_json(struct serve *s, const char *kind, const char *id)
{
    if (!strcmp(kind, "project")) {
        const struct srv_project *p = srv_project_find(s, id);
        return p ? json_pack("{s:s,s:o,s:b}", "id", p->id, "api_key", str_json(p->api_key),
                             "fetch_recordings", p->fetch_recordings)
                 : NULL;
    }
    if (!strcmp(kind, "evaluator")) {
        const struct core_evaluator *e = core_evaluator_get(s->core, id);
        return e ? json_pack("{s:s,s:s,s:o,s:O}", "id", e->id, "project", e->project,
                             "phone_number", str_json(e->phone_number), "dynamic_variables",
                             e->dynamic_variables)
                 : NULL;
    }
    const struct core_agent *a = core_agent_get(s->core, id);
    if (!a)
        return NULL;
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(a->id));
    json_object_set_new(j, "project", json_string(a->project));
    json_object_set_new(j, "name", str_json(a->name));
    json_object_set_new(j, "inbound", json_boolean(a->inbound));
    json_object_set_new(j, "auto_outbound", json_boolean(a->auto_outbound));
    json_object_set_new(j, "contact_number", str_json(a->contact_number));
    json_object_set_new(j, "provider", json_string(provider_name(a->provider)));
    json_object_set_new(j, "provider_api_key", str_json(a->provider_api_key));
    json_object_set_new(j, "assistant_id", str_json(a->assistant_id));
    json_object_set_new(j, "phone_number_id", str_json(a->phone_number_id));
    if (a->phone_number_type)
        json_object_set_new(j, "phone_number_type", json_string(a->phone_number_type));
    json_object_set_new(j, "webhook_secret", str_json(a->webhook_secret));
    json_object_set_new(j, "transcript_provider",
                        json_string(a->custom_transcripts ? "custom" : "provider"));
    if (a->dial_window_seconds)
        json_object_set_new(j, "dial_window_seconds", json_integer(a->dial_window_seconds));
    json_object_set_new(j, "trigger_url", str_json(a->trigger_url));
    json_object_set_new(j, "trigger_call_endpoint", str_json(a->trigger_call_endpoint));
    json_object_set_new(j, "trigger_call_headers", str_json(a->trigger_call_headers));
    json_object_set_new(j, "phone_number_key", str_json(a->phone_number_key));
    json_object_set_new(j, "trigger_call_payload", str_json(a->trigger_call_payload));
    if (a->dispatch_batch)
        json_object_set_new(j, "dispatch", json_string("batch"));
    return j;
}

int srv_persist(struct serve *s, const char *kind, const char *id, char *why, size_t n)
{
    json_t *j = state_json(s, kind, id);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!text) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    int rc = store_config_put(s->store, kind, id, text, clock_real_now());
    free(text);
    if (rc != STORE_OK) {
        char last[200];
        snprintf(why, n, "%s: %s", store_err_sentence(rc),
                 store_last_error(s->store, last, sizeof last));
        return -1;
    }
    return 0;
}
