#include "ingest/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ingest_answer_clear(struct ingest_answer *a)
{
    free(a->body);
    memset(a, 0, sizeof *a);
}

static void set_error(struct ingest_answer *out, int status, const char *message)
{
    out->status = status;
    out->body = tx_error_body(message);
    out->body_len = out->body ? strlen(out->body) : 0;
}

/* The call's messages as "role: content" lines, for the run's transcript. */
static char *render_messages(const json_t *call)
{
    size_t cap = 256, len = 0, i;
    char *s = malloc(cap);
    json_t *m;
    if (!s)
        return NULL;
    s[0] = '\0';
    json_array_foreach(json_object_get(call, "messages"), i, m)
    {
        const char *role = json_string_value(json_object_get(m, "role"));
        const char *content = json_string_value(json_object_get(m, "content"));
        size_t need = strlen(role ? role : "") + strlen(content ? content : "") + 4;
        if (len + need >= cap) {
            while (len + need >= cap)
                cap *= 2;
            char *ns = realloc(s, cap);
            if (!ns) {
                free(s);
                return NULL;
            }
            s = ns;
        }
        len += (size_t)snprintf(s + len, cap - len, "%s: %s\n", role ? role : "",
                                content ? content : "");
    }
    return s;
}

int ingest_handle(struct core *c, struct store *s, const char *project, const struct tx_request *rq,
                  int64_t now_ms, struct ingest_answer *out)
{
    return ingest_handle_locked(c, s, project, rq, now_ms, NULL, out);
}

int ingest_handle_locked(struct core *c, struct store *s, const char *project,
                         const struct tx_request *rq, int64_t now_ms, const struct ingest_lock *lk,
                         struct ingest_answer *out)
{
    memset(out, 0, sizeof *out);
    struct tx_result *res = NULL;
    if (tx_validate(&res, rq) != 0) {
        set_error(out, 500, "out of memory");
        return -1;
    }
    out->key_header_misspelled = res->key_header_misspelled;
    if (res->status != 200) {
        /* CI-2, CI-8: nothing of a refused request is stored */
        out->status = res->status;
        out->body = res->body;
        out->body_len = res->body_len;
        res->body = NULL;
        tx_result_destroy(res);
        return 0;
    }
    enum store_put_result *put = calloc(res->n_calls ? res->n_calls : 1, sizeof *put);
    if (!put || store_put_calls(s, project, res->calls, res->n_calls, now_ms, put) != 0) {
        /* not committed: not acknowledged */
        free(put);
        tx_result_destroy(res);
        set_error(out, 500,
                  "the transcript could not be stored; nothing was accepted, send it again");
        return 0;
    }
    json_t *answer = json_loadb(res->body, res->body_len, 0, NULL);
    json_t *calls = json_array();
    if (c && lk)
        lk->lock(lk->arg); /* only the matching needs the core */
    for (size_t i = 0; i < res->n_calls; i++) {
        const struct tx_call *tc = &res->calls[i];
        struct core_tx_match m = {.outcome = CORE_TX_UNMATCHED};
        snprintf(m.message, sizeof m.message, "no core to match against");
        char agent[32];
        char *text = render_messages(tc->json);
        if (c) {
            snprintf(agent, sizeof agent, "%lld", (long long)tc->agent_id);
            struct core_transcript t = {
                .call_id = tc->id,
                .run_id = tc->run_id,
                .agent_id = tc->has_agent_id ? agent : NULL,
                .to_phone_number = tc->to_phone_number,
                .started_at_ms = tc->started_at_ms,
                .ended_at_ms = tc->ended_at_ms,
                .text = text,
            };
            core_transcript_attach(c, project, &t, &m);
        }
        free(text);
        json_array_append_new(calls, json_pack("{s:s,s:s,s:s,s:s}", "id", tc->id, "match",
                                               core_tx_outcome_name(m.outcome), "run_id", m.run_id,
                                               "message", m.message));
    }
    if (c && lk)
        lk->unlock(lk->arg);
    if (!answer)
        answer = json_object();
    json_object_set_new(answer, "calls", calls);
    out->status = 200;
    out->body = json_dumps(answer, JSON_COMPACT | JSON_PRESERVE_ORDER);
    out->body_len = out->body ? strlen(out->body) : 0;
    json_decref(answer);
    free(put);
    tx_result_destroy(res);
    return out->body ? 0 : -1;
}
