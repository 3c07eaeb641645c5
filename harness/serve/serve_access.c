/* Who may use `dialsim serve` (docs/api.md#access): the Host check of a
 * server on loopback (DNS rebinding), the admin token of the management
 * routes, and the refusal to listen beyond loopback without one. The checks
 * themselves are util/netguard.c, shared with the mocks' port. */
#include "serve/serve_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/netguard.h"
#include "util/redact.h"

int srv_access_init(struct serve *s, const struct serve_options *o, char *err, size_t n)
{
    const char *host = o->host ? o->host : SERVE_DEFAULT_HOST;
    s->loopback = netguard_loopback_addr(host);
    if (o->admin_token && !*o->admin_token) {
        snprintf(err, n, "the admin token is empty; give one, or leave it out");
        return -1;
    }
    if (!s->loopback && !o->admin_token) {
        snprintf(err, n,
                 "--host %.64s is not a loopback address (127.0.0.0/8, ::1, localhost): anyone "
                 "who can reach it could change projects, agents and runs. Set an admin token "
                 "(--admin-token TOKEN or DIALSIM_ADMIN_TOKEN) to listen there",
                 host);
        return -1;
    }
    if (o->admin_token && !(s->admin_token = strdup(o->admin_token))) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    return 0;
}

/* The routes that keep their own authentication, and the health check:
 * everything else is management. */
static bool open_route(const struct srv_req *rq)
{
    bool post = !strcmp(rq->method, "POST");
    if (rq->n_seg == 1 && !strcmp(rq->seg[0], "health"))
        return !strcmp(rq->method, "GET");
    if (rq->n_seg == 3 && !strcmp(rq->seg[0], "projects") && !strcmp(rq->seg[2], "transcripts"))
        return post; /* the transcript webhook: X-CEKURA-API-KEY (CI-2) */
    if (rq->n_seg == 2 && !strcmp(rq->seg[0], "webhooks"))
        return post; /* provider webhooks: the agent's secret */
    return false;
}

bool srv_access_allowed(struct serve *s, const struct srv_req *rq, struct srv_resp *rs)
{
    char why[400];
    if (s->loopback &&
        !netguard_host_ok(srv_header(rq, "Host"), rq->ri->http_version, why, sizeof why)) {
        json_t *e = json_pack("{s:s,s:s}", "header", "Host", "message", why);
        srv_reply_errors(rs, 421, json_pack("[o]", e));
        return false;
    }
    if (open_route(rq) ||
        netguard_bearer_ok(srv_header(rq, "Authorization"), s->admin_token, why, sizeof why))
        return true;
    json_t *e = json_pack("{s:s,s:s}", "header", "Authorization", "message", why);
    srv_reply_errors(rs, 401, json_pack("[o]", e));
    return false;
}

/* ---- secrets in answers ----------------------------------------------------- */

json_t *srv_masked_headers(const char *text)
{
    if (!text)
        return json_null();
    json_t *h = json_loads(text, 0, NULL);
    json_t *m = json_is_object(h) ? redact_headers(h) : NULL;
    json_decref(h);
    if (!m)
        return json_string("***"); /* not what the core accepts: show nothing of it */
    char *out = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(m);
    json_t *j = out ? json_string(out) : json_string("***");
    free(out);
    return j;
}

json_t *srv_masked_payload(const char *text)
{
    if (!text)
        return json_null();
    json_t *p = json_loads(text, JSON_DECODE_ANY, NULL);
    if (!p)
        return json_string(text); /* a template that is not JSON has no keys to mask */
    json_t *m = redact_json(p);
    json_decref(p);
    char *out = m ? json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    json_decref(m);
    json_t *j = out ? json_string(out) : json_string("***");
    free(out);
    return j;
}

json_t *srv_masked_url(const char *url)
{
    if (!url)
        return json_null();
    /* "https://user:password@host/...": the password goes */
    const char *auth = strstr(url, "://");
    auth = auth ? auth + 3 : url;
    size_t k = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', k);
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (!colon)
        return json_string(url);
    size_t len = strlen(url);
    char *out = malloc(len + 4);
    if (!out)
        return json_string("***");
    size_t head = (size_t)(colon + 1 - url);
    memcpy(out, url, head);
    snprintf(out + head, len + 4 - head, "***%s", at);
    json_t *j = json_string(out);
    free(out);
    return j;
}
