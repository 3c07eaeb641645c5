/* A create or update of the API that could not be stored is not in effect
 * either (docs/api.md#durability). The model applies a change to the core
 * first (that is where it is checked: fields, 409, the trigger checks) and
 * the store writes what the core then holds; when the write fails, what was
 * saved here before the change is put back. A create is removed again, with
 * its automatic id, so that the same request sent again gets 201 and the same
 * id once the database takes it. Core lock held throughout. */
#include "serve/serve_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is(const char *kind, const char *name)
{
    return !strcmp(kind, name);
}

int srv_undo_save(struct serve *s, struct srv_undo *u, const char *kind, const char *id)
{
    memset(u, 0, sizeof *u);
    u->kind = kind;
    u->next_agent = s->next_agent;
    u->next_evaluator = s->next_evaluator;
    if (!id)
        return 0; /* a create with an automatic id: the id is new */
    if (is(kind, "project")) {
        const struct srv_project *p = srv_project_find(s, id);
        u->existed = p != NULL;
        if (p) {
            u->fetch_recordings = p->fetch_recordings;
            if (p->api_key && !(u->api_key = strdup(p->api_key)))
                return -1;
        }
    } else if (is(kind, "agent")) {
        const struct core_agent *a = core_agent_get(s->core, id);
        u->existed = a != NULL;
        if (a && !(u->agent = core_agent_copy(a)))
            return -1;
    } else {
        const struct core_evaluator *e = core_evaluator_get(s->core, id);
        u->existed = e != NULL;
        if (e && ((e->phone_number && !(u->phone_number = strdup(e->phone_number))) ||
                  !(u->vars = json_deep_copy(e->dynamic_variables))))
            return -1;
    }
    return 0;
}

/* The id out of a list (creation order kept). */
static void ids_remove(struct srv_ids *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i], id) != 0)
            continue;
        free(l->v[i]);
        memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
        l->n--;
        return;
    }
}

static void project_remove(struct serve *s, const char *id)
{
    struct srv_project *p = (struct srv_project *)srv_project_find(s, id);
    if (!p)
        return;
    size_t i = (size_t)(p - s->projects);
    core_project_remove(s->core, id);
    free(p->id);
    free(p->api_key);
    memmove(&s->projects[i], &s->projects[i + 1], (s->n_projects - i - 1) * sizeof *s->projects);
    s->n_projects--;
}

static void project_restore(struct serve *s, const struct srv_undo *u, const char *id)
{
    struct srv_project *p = (struct srv_project *)srv_project_find(s, id);
    if (!p)
        return;
    free(p->api_key);
    p->api_key = u->api_key ? strdup(u->api_key) : NULL;
    p->fetch_recordings = u->fetch_recordings;
    core_project_put(s->core, p->id, p->api_key);
    core_project_fetch_recordings(s->core, p->id, p->fetch_recordings);
}

void srv_undo_rollback(struct serve *s, struct srv_undo *u, const char *id)
{
    char err[256];
    if (!id || !*id)
        return;
    if (is(u->kind, "project")) {
        if (u->existed)
            project_restore(s, u, id);
        else
            project_remove(s, id);
    } else if (is(u->kind, "agent")) {
        if (u->existed && u->agent) {
            core_agent_put(s->core, u->agent, err, sizeof err); /* it was accepted before */
        } else if (!u->existed) {
            core_agent_remove(s->core, id);
            ids_remove(&s->agents, id);
            s->next_agent = u->next_agent;
        }
    } else {
        const struct core_evaluator *e = core_evaluator_get(s->core, id);
        if (u->existed && e) {
            char *project = strdup(e->project);
            if (project)
                core_evaluator_put(s->core, id, project, u->phone_number, u->vars, err, sizeof err);
            free(project);
        } else if (!u->existed) {
            /* its number stays one of the PSTN's lines: a call to it reaches
             * the gate, which finds no run for it, as for any stray call */
            core_evaluator_remove(s->core, id);
            ids_remove(&s->evaluators, id);
            s->next_evaluator = u->next_evaluator;
        }
    }
}

void srv_undo_clear(struct srv_undo *u)
{
    free(u->api_key);
    core_agent_free(u->agent);
    free(u->phone_number);
    json_decref(u->vars);
    memset(u, 0, sizeof *u);
}

/* ---- the whole write ---------------------------------------------------------- */

/* The model's put for a kind; id_out gets the object's id. */
static int put(struct serve *s, const char *kind, const char *id, const json_t *body, bool create,
               json_t *errors, char *id_out, size_t n)
{
    if (is(kind, "project")) {
        const char *pid = create ? json_string_value(json_object_get(body, "id")) : id;
        snprintf(id_out, n, "%s", pid ? pid : "");
        return srv_project_put(s, id, body, create, "", errors);
    }
    if (is(kind, "agent"))
        return srv_agent_put(s, id, body, create, "", errors, id_out, n);
    return srv_evaluator_put(s, id, body, create, "", errors, id_out, n);
}

int srv_put_stored(struct serve *s, const char *kind, const char *id, const json_t *body,
                   bool create, json_t *errors, char *id_out, size_t n)
{
    struct srv_undo u;
    const char *want = create ? json_string_value(json_object_get(body, "id")) : id;
    *id_out = '\0';
    int rc = srv_undo_save(s, &u, kind, want) == 0
                 ? put(s, kind, id, body, create, errors, id_out, n)
                 : 500;
    char why[400];
    if (rc == 0 && srv_persist(s, kind, id_out, why, sizeof why) != 0) {
        srv_error_add(errors, NULL,
                      "the %s could not be stored in the database (%s), so nothing was changed; "
                      "send the request again",
                      kind, why);
        fprintf(s->log,
                "warning: %s \"%s\" could not be stored in %s (%s); the change was undone\n", kind,
                id_out, s->db_path, why);
        rc = 500;
    }
    if (rc == 500) /* not stored, or out of memory half-way: as it was */
        srv_undo_rollback(s, &u, id_out);
    srv_undo_clear(&u);
    return rc;
}
