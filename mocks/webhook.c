#include "webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmac.h"
#include "journal.h"

struct pending {
    struct mock_world *w;
    char provider[16];
    struct mock_webhook_config cfg;
    char *body;
    bool is_replay;
    int attempt; /* 0 for the first sending */
    char *url;   /* the user's own server; NULL: the core (w->sink.deliver) */
    long ji;     /* this sending's journal entry */
    struct pending *prev, *next;
};

/* The webhooks on their way; each is freed after its last sending (a
 * long-lived server sends millions), the rest with the world. */
struct mock_webhooks {
    struct pending *first;
};

int mock_webhooks_create(struct mock_webhooks **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -1;
}

/* Webhooks still on their way when a scenario ends are dropped with it. */
void mock_webhooks_destroy(struct mock_webhooks *q)
{
    if (!q)
        return;
    for (struct pending *p = q->first, *n; p; p = n) {
        n = p->next;
        free(p->body);
        free(p->url);
        free(p);
    }
    free(q);
}

void mock_webhook_config_read(struct mock_webhook_config *cfg, const json_t *j,
                              enum wh_auth default_auth, const char *default_secret,
                              int default_retries)
{
    memset(cfg, 0, sizeof *cfg);
    if (!json_is_object(j))
        return;
    cfg->enabled = true;
    cfg->auth = default_auth;
    /* decision: providers send webhooks asynchronously, a moment after the
     * event; 0.5 s unless the scenario says otherwise (0 reproduces a webhook
     * racing the API's own answer). */
    cfg->delay_ms = 500;
    const char *auth = json_string_value(json_object_get(j, "auth"));
    if (auth && strcmp(auth, "x-vapi-secret") == 0)
        cfg->auth = WH_AUTH_VAPI_SECRET;
    const char *secret = json_string_value(json_object_get(j, "secret"));
    snprintf(cfg->secret, sizeof cfg->secret, "%s",
             secret           ? secret
             : default_secret ? default_secret
                              : "");
    json_t *x;
    if ((x = json_object_get(j, "delay")))
        cfg->delay_ms = (int64_t)(json_number_value(x) * 1000.0 + 0.5);
    if ((x = json_object_get(j, "replay_after")))
        cfg->replay_after_ms = (int64_t)(json_number_value(x) * 1000.0 + 0.5);
    if ((x = json_object_get(j, "stale_by")))
        cfg->stale_by_ms = (int64_t)(json_number_value(x) * 1000.0 + 0.5);
    cfg->retries = default_retries;
    if ((x = json_object_get(j, "retries")))
        cfg->retries = (int)json_integer_value(x);
    /* decision: Retell does not document the spacing; 1 s apart */
    cfg->retry_after_ms = 1000;
    if ((x = json_object_get(j, "retry_after")))
        cfg->retry_after_ms = (int64_t)(json_number_value(x) * 1000.0 + 0.5);
    cfg->drop = json_is_true(json_object_get(j, "drop"));
    cfg->forge = json_is_true(json_object_get(j, "forge"));
    const char *url = json_string_value(json_object_get(j, "url"));
    snprintf(cfg->url, sizeof cfg->url, "%s", url ? url : "");
}

int mock_webhook_sign(enum wh_auth auth, const char *secret, int64_t at_ms, const char *body,
                      char *out, size_t n)
{
    char hex[65], ts[32];
    switch (auth) {
    case WH_AUTH_RETELL:
        /* providers.md §4.2: HMAC over raw body + unix ms */
        snprintf(ts, sizeof ts, "%lld", (long long)at_ms);
        if (hmac_sha256_hex(secret, body, strlen(body), ts, strlen(ts), hex))
            return -1;
        snprintf(out, n, "v=%s,d=%s", ts, hex);
        return 0;
    case WH_AUTH_ELEVENLABS: {
        /* providers.md §4.3: HMAC over "<t>.<body>", t in unix seconds */
        snprintf(ts, sizeof ts, "%lld.", (long long)(at_ms / 1000));
        if (hmac_sha256_hex(secret, ts, strlen(ts), body, strlen(body), hex))
            return -1;
        ts[strlen(ts) - 1] = '\0';
        snprintf(out, n, "t=%s,v0=%s", ts, hex);
        return 0;
    }
    default:
        snprintf(out, n, "%s", secret);
        return 0;
    }
}

static struct pending *keep(struct mock_world *w, const char *provider,
                            const struct mock_webhook_config *cfg, const char *url, char *body);
static void on_posted(void *arg, int status, const char *answer);
static void after_sending(struct pending *p, int status, int64_t now);

/* p's last sending is over: nothing refers to it any more. World mutex held. */
static void forget(struct mock_webhooks *q, struct pending *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        q->first = p->next;
    if (p->next)
        p->next->prev = p->prev;
    free(p->body);
    free(p->url);
    free(p);
}

static void deliver(void *arg)
{
    struct pending *p = arg;
    struct mock_world *w = p->w;
    int64_t now = ds_now(&w->clock);
    /* a forged webhook is signed with a key the core does not have */
    char key[300];
    snprintf(key, sizeof key, "%s%s", p->cfg.forge ? "forged-" : "", p->cfg.secret);
    char value[400], bearer[420];
    struct ds_header h[2];
    size_t nh = 0;
    h[nh++] = (struct ds_header){"Content-Type", "application/json"};
    if (mock_webhook_sign(p->cfg.auth, key, now - p->cfg.stale_by_ms, p->body, value,
                          sizeof value) != 0) {
        pthread_mutex_lock(&w->mu);
        forget(w->webhooks, p);
        pthread_mutex_unlock(&w->mu);
        return;
    }
    switch (p->cfg.auth) {
    case WH_AUTH_BEARER:
        snprintf(bearer, sizeof bearer, "Bearer %s", value);
        h[nh++] = (struct ds_header){"Authorization", bearer};
        break;
    case WH_AUTH_VAPI_SECRET:
        h[nh++] = (struct ds_header){"X-Vapi-Secret", value};
        break;
    case WH_AUTH_RETELL:
        h[nh++] = (struct ds_header){"x-retell-signature", value};
        break;
    case WH_AUTH_ELEVENLABS:
        h[nh++] = (struct ds_header){"ElevenLabs-Signature", value};
        break;
    }
    char mock[32];
    snprintf(mock, sizeof mock, "%s-webhook", p->provider);
    json_t *hj = json_object();
    for (size_t i = 0; i < nh; i++) {
        char lname[64];
        size_t k = 0;
        for (const char *c = h[i].name; *c && k < sizeof lname - 1; c++)
            lname[k++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
        lname[k] = '\0';
        json_object_set_new(hj, lname, json_string(h[i].value));
    }
    pthread_mutex_lock(&w->mu);
    /* the path is where it went: "/" for the core, the URL for the user's server */
    p->ji = journal_add(w->journal, mock, "POST", p->url ? p->url : "/", hj, p->body,
                        strlen(p->body), now);
    pthread_mutex_unlock(&w->mu);
    json_decref(hj);
    if (p->url) {
        /* over HTTP, off this thread: on_posted goes on when the answer came */
        if (w->sink.post)
            w->sink.post(w->sink.post_ctx, p->url, h, nh, p->body, strlen(p->body), on_posted, p);
        else
            on_posted(p, 0, "no HTTP client here: dialsim run sends webhooks to the core only");
        return;
    }
    int status = w->sink.deliver
                     ? w->sink.deliver(w->sink.ctx, p->provider, h, nh, p->body, strlen(p->body))
                     : 404;
    pthread_mutex_lock(&w->mu);
    journal_set_status(w->journal, p->ji, status);
    pthread_mutex_unlock(&w->mu);
    after_sending(p, status, now);
}

/* The user's server answered (status 0: it did not; answer: its body or why
 * not). Any thread; the world's mutex not held. */
static void on_posted(void *arg, int status, const char *answer)
{
    struct pending *p = arg;
    struct mock_world *w = p->w;
    pthread_mutex_lock(&w->mu);
    journal_set_status(w->journal, p->ji, status);
    if (answer)
        journal_set_answer(w->journal, p->ji, answer);
    pthread_mutex_unlock(&w->mu);
    after_sending(p, status, ds_now(&w->clock));
}

/* A sending is over with status: retry, replay, or let p go. */
static void after_sending(struct pending *p, int status, int64_t now)
{
    struct mock_world *w = p->w;
    /* not taken: sent again later, signed anew (a replay is the scenario's
     * copy of one that was sent already, and is not retried) */
    if ((status < 200 || status > 299) && !p->is_replay && p->attempt < p->cfg.retries) {
        p->attempt++;
        w->clock.ops->schedule(w->clock.ctx, now + p->cfg.retry_after_ms, deliver, p);
        return;
    }
    /* the last sending: the replay, when asked for, copies exactly its bytes
     * and signature (signed at this sending's instant), replay_after later */
    if (!p->is_replay && p->cfg.replay_after_ms > 0) {
        pthread_mutex_lock(&w->mu);
        struct pending *r = keep(w, p->provider, &p->cfg, p->url, strdup(p->body));
        pthread_mutex_unlock(&w->mu);
        if (r) {
            r->is_replay = true;
            r->cfg.stale_by_ms += p->cfg.replay_after_ms;
            w->clock.ops->schedule(w->clock.ctx, now + p->cfg.replay_after_ms, deliver, r);
        }
    }
    pthread_mutex_lock(&w->mu);
    forget(w->webhooks, p);
    pthread_mutex_unlock(&w->mu);
}

static struct pending *keep(struct mock_world *w, const char *provider,
                            const struct mock_webhook_config *cfg, const char *url, char *body)
{
    struct mock_webhooks *q = w->webhooks;
    struct pending *p = calloc(1, sizeof *p);
    char *u = url ? strdup(url) : NULL;
    if (!p || !body || (url && !u)) {
        free(p);
        free(u);
        free(body);
        return NULL;
    }
    p->url = u;
    p->next = q->first;
    if (q->first)
        q->first->prev = p;
    q->first = p;
    p->w = w;
    snprintf(p->provider, sizeof p->provider, "%s", provider);
    p->cfg = *cfg;
    p->body = body;
    return p;
}

void mock_webhook_send(struct mock_world *w, const char *provider,
                       const struct mock_webhook_config *cfg, char *body)
{
    mock_webhook_send_to(w, provider, cfg, cfg->url[0] ? cfg->url : NULL, body);
}

void mock_webhook_send_to(struct mock_world *w, const char *provider,
                          const struct mock_webhook_config *cfg, const char *url, char *body)
{
    if (!cfg->enabled || cfg->drop || !w->webhooks) {
        free(body);
        return;
    }
    struct pending *p = keep(w, provider, cfg, url && *url ? url : NULL, body);
    if (!p)
        return;
    int64_t at = ds_now(&w->clock) + cfg->delay_ms;
    w->clock.ops->schedule(w->clock.ctx, at, deliver, p);
}
