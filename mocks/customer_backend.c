#include "customer_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "journal.h"

struct post {
    struct mock_customer_backend *b;
    char *body;
    bool wrong_key;
};

struct mock_customer_backend {
    struct mock_world *w;
    int64_t delay_ms;
    char key[256];
    bool by_run_id;
    bool has_agent_id;
    json_int_t agent_id;
    bool wrong_key, missing_field, late, duplicate, no_post, header_spelling;
    unsigned long n_calls;
    struct post **posts;
    size_t n_posts;
};

int mock_customer_backend_create(struct mock_customer_backend **out, struct mock_world *w,
                                 const json_t *cfg, const char *default_key, uint64_t seed)
{
    (void)seed;
    struct mock_customer_backend *b = calloc(1, sizeof *b);
    *out = NULL;
    if (!b)
        return -1;
    b->w = w;
    json_t *d = json_object_get(cfg, "delay");
    b->delay_ms = d ? (int64_t)(json_number_value(d) * 1000 + 0.5) : 5000;
    const char *k = json_string_value(json_object_get(cfg, "api_key"));
    snprintf(b->key, sizeof b->key, "%s", k ? k : default_key ? default_key : "");
    const char *by = json_string_value(json_object_get(cfg, "identify_by"));
    b->by_run_id = by && !strcmp(by, "run_id");
    json_t *aid = json_object_get(cfg, "agent_id");
    if (aid) {
        b->has_agent_id = true;
        b->agent_id = json_integer_value(aid);
    }
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(cfg, "defects"), i, x)
    {
        const char *n = json_string_value(x);
        b->wrong_key |= !strcmp(n, "wrong_key");
        b->missing_field |= !strcmp(n, "missing_field");
        b->late |= !strcmp(n, "late");
        b->duplicate |= !strcmp(n, "duplicate");
        b->no_post |= !strcmp(n, "no_post");
        b->header_spelling |= !strcmp(n, "header_spelling");
    }
    *out = b;
    return 0;
}

void mock_customer_backend_destroy(struct mock_customer_backend *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n_posts; i++) {
        free(b->posts[i]->body);
        free(b->posts[i]);
    }
    free(b->posts);
    free(b);
}

static void send_post(void *arg)
{
    struct post *p = arg;
    struct mock_customer_backend *b = p->b;
    struct mock_world *w = b->w;
    char key[300];
    snprintf(key, sizeof key, "%s%s", p->wrong_key ? "wrong-" : "", b->key);
    struct ds_header h[] = {
        {"Content-Type", "application/json"},
        {b->header_spelling ? "x-cekura-api-key" : "X-CEKURA-API-KEY", key},
    };
    json_t *hj =
        json_pack("{s:s,s:s}", "content-type", "application/json", "x-cekura-api-key", key);
    pthread_mutex_lock(&w->mu);
    long ji = journal_add(w->journal, "customer-backend", "POST", "/transcripts", hj, p->body,
                          strlen(p->body), ds_now(&w->clock));
    pthread_mutex_unlock(&w->mu);
    json_decref(hj);
    char *answer = NULL;
    int status = w->transcripts.post
                     ? w->transcripts.post(w->transcripts.ctx, h, 2, "application/json", p->body,
                                           strlen(p->body), &answer)
                     : 404;
    pthread_mutex_lock(&w->mu);
    journal_set_status(w->journal, ji, status);
    journal_set_answer(w->journal, ji, answer);
    pthread_mutex_unlock(&w->mu);
    free(answer);
}

static struct post *keep(struct mock_customer_backend *b, char *body)
{
    struct post **nv = realloc(b->posts, (b->n_posts + 1) * sizeof *nv);
    struct post *p = calloc(1, sizeof *p);
    if (!nv || !p) {
        if (nv)
            b->posts = nv;
        free(p);
        free(body);
        return NULL;
    }
    b->posts = nv;
    b->posts[b->n_posts++] = p;
    p->b = b;
    p->body = body;
    p->wrong_key = b->wrong_key;
    return p;
}

/* seed 001: the call object a customer's backend sends after the call */
static void call_ended(void *ctx, const struct pstn_call *c)
{
    struct mock_customer_backend *b = ctx;
    if (!c->answered || b->no_post)
        return;
    struct mock_world *w = b->w;
    char started[40], ended[40], id[48];
    int64_t end = c->ended_at;
    snprintf(id, sizeof id, "backend-call-%lu", ++b->n_calls);
    json_t *call = json_pack("{s:s,s:s}", "id", id, "startedAt",
                             ts_iso(c->answered_at, started, sizeof started));
    if (!b->missing_field)
        json_object_set_new(call, "endedAt", json_string(ts_iso(end, ended, sizeof ended)));
    json_object_set_new(call, "to_phone_number", json_string(c->delivered_to));
    if (c->delivered_from && *c->delivered_from)
        json_object_set_new(call, "from_phone_number", json_string(c->delivered_from));
    json_object_set_new(call, "messages",
                        json_pack("[{s:s,s:s,s:I},{s:s,s:s,s:I}]", "role", "bot", "content",
                                  "Hello, this is the assistant calling.", "start_time",
                                  (json_int_t)c->placed_at, "role", "user", "content",
                                  "Hi, I can talk now.", "start_time",
                                  (json_int_t)c->placed_at + 3000));
    json_object_set_new(call, "endedReason", json_string("customer-ended-call"));
    if (b->by_run_id && w->transcripts.run_for) {
        const char *run = w->transcripts.run_for(w->transcripts.ctx, c->delivered_to);
        if (run)
            json_object_set_new(call, "run_id", json_string(run));
    }
    json_t *body = json_pack("{s:[o]}", "calls", call);
    if (b->has_agent_id && !b->by_run_id)
        json_object_set_new(body, "agent_id", json_integer(b->agent_id));
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    if (!text)
        return;
    int64_t at = end + b->delay_ms + (b->late ? 6 * 60 * 1000 : 0);
    struct post *p = keep(b, text);
    if (!p)
        return;
    w->clock.ops->schedule(w->clock.ctx, at, send_post, p);
    if (b->duplicate) {
        struct post *q = keep(b, strdup(text));
        if (q)
            w->clock.ops->schedule(w->clock.ctx, at + 1000, send_post, q);
    }
}

struct pstn_listener mock_customer_backend_listener(struct mock_customer_backend *b)
{
    return (struct pstn_listener){call_ended, b};
}
