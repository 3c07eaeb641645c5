/* The config file of `dialsim serve` (docs/api.md#config) and the run ids. */
#include "serve/serve_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const top_keys[] = {"providers",  "projects", "agents",
                                       "evaluators", "mocks",    NULL};

/* "FILE: at PATH: message" for the first error of a list. */
static int first_error(const char *file, json_t *errors, char *err, size_t n)
{
    json_t *e = json_array_get(errors, 0);
    const char *path = json_string_value(json_object_get(e, "path"));
    const char *msg = json_string_value(json_object_get(e, "message"));
    if (path && *path)
        snprintf(err, n, "%s: at %s: %s", file, path, msg ? msg : "invalid");
    else
        snprintf(err, n, "%s: %s", file, msg ? msg : "invalid");
    if (json_array_size(errors) > 1) {
        size_t len = strlen(err);
        snprintf(err + len, n - len, " (and %zu more errors)", json_array_size(errors) - 1);
    }
    return -1;
}

json_t *srv_config_read(const char *path, const char **urls, char *err, size_t n)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (je.line > 0)
            snprintf(err, n, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        else
            snprintf(err, n, "%s: %s", path, je.text);
        return NULL;
    }
    json_t *errors = json_array();
    const char *key;
    json_t *v;
    if (!json_is_object(root))
        srv_error_add(errors, NULL, "the config must be a JSON object");
    json_object_foreach(root, key, v)
    {
        const char *const *k = top_keys;
        while (*k && strcmp(*k, key) != 0)
            k++;
        if (!*k)
            srv_error_add(errors, key,
                          "unknown key; the config has providers, projects, agents, evaluators, "
                          "mocks");
        else if (strcmp(key, "providers") != 0 && strcmp(key, "mocks") != 0 && !json_is_array(v))
            srv_error_add(errors, key, "must be an array");
    }
    json_t *prov = json_object_get(root, "providers");
    if (prov && !json_is_object(prov))
        srv_error_add(errors, "providers", "must be an object");
    json_object_foreach(prov, key, v)
    {
        char path_buf[128];
        snprintf(path_buf, sizeof path_buf, "providers.%s", key);
        int p = provider_from_name(key);
        const char *url = json_string_value(v);
        if (p <= DS_PROVIDER_NONE)
            srv_error_add(errors, path_buf, "unknown provider; use vapi, retell or elevenlabs");
        else if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
            srv_error_add(errors, path_buf, "must be an http:// or https:// base URL");
        else
            urls[p] = url;
    }
    if (json_array_size(errors)) {
        first_error(path, errors, err, n);
        json_decref(errors);
        json_decref(root);
        return NULL;
    }
    json_decref(errors);
    if (srv_mocks_check(json_object_get(root, "mocks"), path, err, n) != 0) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int srv_config_apply(struct serve *s, const json_t *root, const char *path, char *err, size_t n)
{
    json_t *errors = json_array();
    size_t i;
    json_t *x;
    char prefix[64], id[300];
    int rc = 0;
    json_array_foreach(json_object_get(root, "projects"), i, x)
    {
        snprintf(prefix, sizeof prefix, "projects[%zu]", i);
        if (srv_project_put(s, NULL, x, true, prefix, errors) && !json_array_size(errors))
            srv_error_add(errors, prefix, "could not be created");
    }
    json_array_foreach(json_object_get(root, "agents"), i, x)
    {
        if (json_array_size(errors))
            break;
        snprintf(prefix, sizeof prefix, "agents[%zu]", i);
        if (srv_agent_put(s, NULL, x, true, prefix, errors, id, sizeof id) &&
            !json_array_size(errors))
            srv_error_add(errors, prefix, "could not be created");
    }
    json_array_foreach(json_object_get(root, "evaluators"), i, x)
    {
        if (json_array_size(errors))
            break;
        snprintf(prefix, sizeof prefix, "evaluators[%zu]", i);
        if (srv_evaluator_put(s, NULL, x, true, prefix, errors, id, sizeof id) &&
            !json_array_size(errors))
            srv_error_add(errors, prefix, "could not be created");
    }
    if (json_array_size(errors))
        rc = first_error(path, errors, err, n);
    json_decref(errors);
    return rc;
}

/* ---- the objects stored in the database ------------------------------------
 * Applied after the config file. A stored object whose id the config file
 * also made is applied to it as a PATCH (stored fields win; id and project
 * cannot change, so an agent or evaluator keeps the config file's project);
 * any other is created. One that no longer applies (its project is gone) is
 * skipped with a warning on the log: the server still starts. Nothing is
 * written back. */

struct restore {
    struct serve *s;
    const char *kind;
    size_t applied, skipped;
    bool failed; /* out of memory */
};

static int restore_one(void *ctx, const char *id, const char *text)
{
    struct restore *r = ctx;
    struct serve *s = r->s;
    json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    json_t *errors = json_array();
    char id_out[300], prefix[320];
    int rc = 500;
    snprintf(prefix, sizeof prefix, "%s \"%.255s\"", r->kind, id);
    if (!o || !errors)
        goto out;
    bool project = !strcmp(r->kind, "project"), agent = !strcmp(r->kind, "agent");
    bool exists = project ? srv_project_find(s, id) != NULL
                  : agent ? core_agent_get(s->core, id) != NULL
                          : core_evaluator_get(s->core, id) != NULL;
    if (exists) { /* from the config file: a PATCH of what may change */
        const char *was = NULL;
        if (!project) {
            was = agent ? core_agent_get(s->core, id)->project
                        : core_evaluator_get(s->core, id)->project;
            const char *want = json_string_value(json_object_get(o, "project"));
            if (want && strcmp(want, was) != 0)
                fprintf(s->log,
                        "warning: stored %s \"%s\" is in project \"%s\"; the config file's, "
                        "\"%s\", stays\n",
                        r->kind, id, want, was);
            json_object_del(o, "project");
        }
        json_object_del(o, "id");
    }
    if (project)
        rc = srv_project_put(s, exists ? id : NULL, o, !exists, prefix, errors);
    else if (agent)
        rc =
            srv_agent_put(s, exists ? id : NULL, o, !exists, prefix, errors, id_out, sizeof id_out);
    else
        rc = srv_evaluator_put(s, exists ? id : NULL, o, !exists, prefix, errors, id_out,
                               sizeof id_out);
out:
    if (rc == 0) {
        r->applied++;
    } else if (rc == 500 && !json_array_size(errors)) {
        r->failed = true;
    } else {
        r->skipped++;
        json_t *e = json_array_get(errors, 0);
        const char *path = json_string_value(json_object_get(e, "path"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        fprintf(s->log, "warning: %s (stored in %s) skipped: %s%s%s\n", prefix, s->db_path,
                path && *path ? path : "", path && *path ? ": " : "", msg ? msg : "invalid");
    }
    json_decref(o);
    json_decref(errors);
    return r->failed ? 1 : 0;
}

int srv_restore(struct serve *s, char *err, size_t n)
{
    static const char *const kinds[] = {"project", "agent", "evaluator"};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        struct restore r = {.s = s, .kind = kinds[k]};
        int rc = store_config_list(s->store, kinds[k], restore_one, &r);
        if (rc != STORE_OK || r.failed) {
            char why[256];
            snprintf(err, n, "cannot load the stored %ss: %s", kinds[k],
                     rc != STORE_OK ? store_last_error(s->store, why, sizeof why)
                                    : "out of memory");
            return -1;
        }
    }
    return 0;
}

/* ---- run ids ---------------------------------------------------------------
 * Core state lives in memory, transcripts in the file: a run id must not come
 * back after a restart, or a stored transcript's run_id would name a new run.
 * So ids are random (64 bits from /dev/urandom, then xorshift64*), not a
 * counter. Called by the core, under the core lock. */

static uint64_t next_random(struct serve *s)
{
    if (!s->id_rng) {
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            if (read(fd, &s->id_rng, sizeof s->id_rng) != (ssize_t)sizeof s->id_rng)
                s->id_rng = 0;
            close(fd);
        }
        s->id_rng ^= (uint64_t)clock_real_now() * 0x9E3779B97F4A7C15ull;
        if (!s->id_rng)
            s->id_rng = 0x2545F4914F6CDD1Dull;
    }
    uint64_t x = s->id_rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->id_rng = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static void ids_next(void *ctx, const char *kind, char *buf, size_t n)
{
    snprintf(buf, n, "%s_%016llx", kind, (unsigned long long)next_random(ctx));
}

const struct ds_ids_ops srv_ids_ops = {ids_next};
