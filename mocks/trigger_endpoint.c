#include "trigger_endpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"
#include "pstn.h"

struct pending_dial {
    struct mock_triggers *t;
    char *from, *to;
};

struct mock_triggers {
    struct mock_world *w;
    json_t *cfg;
    struct pending_dial **dials;
    size_t n;
};

int mock_triggers_create(struct mock_triggers **out, struct mock_world *w, const json_t *cfg)
{
    struct mock_triggers *t = calloc(1, sizeof *t);
    *out = NULL;
    if (!t)
        return -1;
    t->w = w;
    t->cfg = cfg ? json_deep_copy(cfg) : json_object();
    *out = t;
    return 0;
}

void mock_triggers_destroy(struct mock_triggers *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->dials[i]->from);
        free(t->dials[i]->to);
        free(t->dials[i]);
    }
    free(t->dials);
    json_decref(t->cfg);
    free(t);
}

/* On the clock's thread, without the mutex: the PSTN calls into the core. */
static void ev_dial(void *arg)
{
    struct pending_dial *d = arg;
    struct pstn_observer none = {0};
    pstn_place_call(d->t->w->pstn, d->from, d->to, 60000, none);
}

static int64_t secs(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return v ? (int64_t)(json_number_value(v) * 1000 + 0.5) : 0;
}

int mock_triggers_handle(struct mock_triggers *t, const struct mock_request *rq,
                         struct mock_response *rs)
{
    if (strncmp(rq->path, "/trigger/", 9) != 0)
        return 0;
    const json_t *ep = json_object_get(t->cfg, rq->path + 9);
    if (!ep) {
        mock_reply_json(rs, 404, json_pack("{s:s}", "error", "no such trigger endpoint"));
        return 1;
    }
    rs->latency_ms = secs(ep, "latency");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)json_object_get(ep, "require_headers"), k, v)
    {
        const char *got = mock_header(rq, k);
        if (!got || strcmp(got, json_string_value(v)) != 0) {
            mock_reply_json(rs, got ? 403 : 401,
                            json_pack("{s:s}", "error", got ? "forbidden" : "unauthorized"));
            return 1;
        }
    }
    json_error_t je;
    json_t *body = json_depth_loadb(rq->body, rq->body_len, 0, &je);
    if (!body && json_depth_exceeded(&je)) { /* refused before jansson recurses */
        char msg[200];
        snprintf(msg, sizeof msg, "body: %s", je.text);
        mock_reply_json(rs, 400, json_pack("{s:s}", "error", msg));
        return 1;
    }
    json_t *status = json_object_get(ep, "status");
    int st = status ? (int)json_integer_value(status) : 200;
    mock_reply_json(rs, st, json_pack("{s:s}", "status", st < 300 ? "queued" : "error"));
    /* the customer's system places the call, as long as it accepted the trigger */
    const json_t *dial = json_object_get(ep, "dial");
    if (st >= 300 || json_is_false(dial)) {
        json_decref(body);
        return 1;
    }
    const char *key = json_string_value(json_object_get(ep, "number_key"));
    const char *to = json_string_value(json_object_get(body, "to_number"));
    if (!to)
        to = json_string_value(json_object_get(body, key ? key : "phone_number"));
    const char *from = json_string_value(json_object_get(dial, "from"));
    if (!from)
        from = json_string_value(json_object_get(body, "from_number"));
    struct pending_dial **nv = realloc(t->dials, (t->n + 1) * sizeof *nv);
    struct pending_dial *d = calloc(1, sizeof *d);
    if (to && from && nv && d) {
        t->dials = nv;
        t->dials[t->n++] = d;
        d->t = t;
        d->from = strdup(from);
        d->to = strdup(to);
        int64_t at = ds_now(&t->w->clock) + rs->latency_ms + secs(dial, "delay");
        t->w->clock.ops->schedule(t->w->clock.ctx, at, ev_dial, d);
    } else {
        if (nv)
            t->dials = nv;
        free(d);
    }
    json_decref(body);
    return 1;
}
