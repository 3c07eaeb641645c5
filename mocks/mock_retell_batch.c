/* Retell's batch calling (issue 12): POST /create-batch-call, the only batch
 * route of Retell's description and retell-sdk (client.batchCall.
 * createBatchCall). It answers a BatchCallResponse and places one call per
 * task through the account, each as create-phone-call places one: dialled
 * over the PSTN, on the world's clock, with its own webhooks. A task the
 * account cannot take when the batch is sent ends at once, as Retell shows
 * it: call_status "error" with disconnection_reason "no_valid_payment" (out
 * of credits) or "concurrency_limit_reached" (no free slot; the batch may use
 * the account's limit less reserved_concurrency). So a batch can run out of
 * credits half-way.
 *
 * decision: the tasks are placed when the batch is created; a
 * trigger_timestamp is kept and shown (scheduled_timestamp), not waited for,
 * and call_time_window is echoed, as the ElevenLabs mock does with
 * scheduled_time_unix (docs/batch.md). Retell has no route that reads a batch
 * back: its calls carry the batch id, which list-calls' filter_criteria
 * batch_call_id selects (mock_retell_routes.c).
 *
 * The key was checked by mock_retell_handle; the world's mutex is held. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/e164.h"
#include "core/json_depth.h"
#include "mock_retell_internal.h"

#define BAD_FORMAT "Invalid request format, please check API reference."

/* Each task checked before any call is placed: a bad one refuses the whole
 * batch (nothing placed), with Retell's create-phone-call message. */
static int check_tasks(struct mock_retell *r, const json_t *tasks, const json_t *number,
                       struct mock_response *rs)
{
    size_t i;
    const json_t *t;
    char msg[300];
    json_array_foreach(tasks, i, t)
    {
        const char *to = json_string_value(json_object_get(t, "to_number"));
        bool any_to = json_is_true(json_object_get(t, "ignore_e164_validation"));
        if (!json_is_object(t) || !to || !to[0] || (!any_to && !e164_valid(to))) {
            snprintf(msg, sizeof msg, "%s tasks[%zu].to_number must be E.164.", BAD_FORMAT, i);
            retell_error(rs, 400, msg);
            return -1;
        }
        const char *agent = json_string_value(json_object_get(t, "override_agent_id"));
        if (!agent)
            agent = retell_outbound_agent(number);
        if (!agent) {
            snprintf(msg, sizeof msg,
                     "Phone number %s does not have an outbound agent, please set "
                     "override_agent_id.",
                     json_string_value(json_object_get(number, "phone_number")));
            retell_error(rs, 400, msg);
            return -1;
        }
        if (!retell_has_agent(r, agent)) {
            snprintf(msg, sizeof msg, "Item %s not found from agent", agent);
            retell_error(rs, 404, msg);
            return -1;
        }
    }
    return 0;
}

/* The task as a create-phone-call body (what the call keeps as its request:
 * metadata and dynamic variables are rendered from it), tagged with the
 * batch. New reference. */
static json_t *task_request(const json_t *t, const char *from, const char *batch_id)
{
    json_t *q = json_pack("{s:s,s:O,s:s}", "from_number", from, "to_number",
                          json_object_get(t, "to_number"), "batch_call_id", batch_id);
    static const char *const keep[] = {"override_agent_id", "metadata",
                                       "retell_llm_dynamic_variables", "custom_sip_headers",
                                       "ignore_e164_validation"};
    for (size_t k = 0; k < sizeof keep / sizeof *keep; k++) {
        json_t *v = json_object_get(t, keep[k]);
        if (v)
            json_object_set_new(q, keep[k], json_deep_copy(v));
    }
    return q;
}

/* One task's call: placed, or refused at start (credits, the batch's share
 * of the concurrency limit). -1 on allocation failure. */
static int place_task(struct mock_retell *r, const json_t *t, const json_t *number,
                      const char *from, const char *batch_id, int reserved)
{
    const char *agent = json_string_value(json_object_get(t, "override_agent_id"));
    if (!agent)
        agent = retell_outbound_agent(number);
    json_t *q = task_request(t, from, batch_id);
    if (!q)
        return -1;
    const char *to = json_string_value(json_object_get(t, "to_number"));
    int lim = mock_account_concurrency_limit(r->acct);
    struct mock_call *c;
    if (!mock_account_can_pay(r->acct))
        c = mock_account_refuse(r->acct, to, agent, NULL, q, MC_END_NO_CREDITS);
    else if (lim > 0 && mock_account_active(r->acct) >= lim - reserved)
        c = mock_account_refuse(r->acct, to, agent, NULL, q, MC_END_CONCURRENCY);
    else
        c = mock_account_place(r->acct, from, to, agent, NULL, q);
    json_decref(q);
    if (!c)
        return -1;
    if (c->state == MC_ENDED && (!c->ani || !c->ani[0])) {
        free(c->ani);
        c->ani = strdup(from);
    }
    return 0;
}

static void create_batch(struct mock_retell *r, const struct mock_request *rq,
                         struct mock_response *rs)
{
    const json_t *body = rq->json;
    char msg[300];
    if (!body && rq->json_error && json_depth_exceeded(rq->json_error)) {
        snprintf(msg, sizeof msg, "body: %s", rq->json_error->text);
        retell_error(rs, 400, msg);
        return;
    }
    const char *from = json_string_value(json_object_get(body, "from_number"));
    const json_t *tasks = json_object_get(body, "tasks");
    const json_t *reserved = json_object_get(body, "reserved_concurrency");
    const json_t *name = json_object_get(body, "name");
    const json_t *when = json_object_get(body, "trigger_timestamp");
    if (!json_is_object(body) || !from || !e164_valid(from) || !json_is_array(tasks) ||
        json_array_size(tasks) == 0 ||
        (reserved && (!json_is_integer(reserved) || json_integer_value(reserved) < 0)) ||
        (name && !json_is_string(name)) || (when && !json_is_number(when))) {
        retell_error(rs, 400, BAD_FORMAT);
        return;
    }
    const json_t *number = retell_number(r, from);
    if (!number) {
        snprintf(msg, sizeof msg, "Item %s not found from phone-number", from);
        retell_error(rs, 404, msg);
        return;
    }
    if (check_tasks(r, tasks, number, rs) != 0)
        return;
    /* decision: an account with no credit left refuses the batch as it
     * refuses a single call (402); one that runs out on the way fails the
     * remaining tasks' calls */
    if (!mock_account_can_pay(r->acct)) {
        retell_error(rs, 402, "Trial has ended, please add payment method.");
        return;
    }
    char uuid[40], id[48];
    mock_account_uuid(r->acct, uuid);
    snprintf(id, sizeof id, "batch_call_%.8s%.4s%.4s%.5s", uuid, uuid + 9, uuid + 14, uuid + 24);
    int res = (int)json_integer_value(reserved);
    size_t i;
    const json_t *t;
    json_array_foreach(tasks, i, t)
    {
        if (place_task(r, t, number, from, id, res) != 0) {
            retell_error(rs, 500, "An unexpected server error occurred.");
            return;
        }
    }
    int64_t now = ds_now(&r->w->clock);
    json_t *out =
        json_pack("{s:s,s:s,s:s,s:I,s:I}", "batch_call_id", id, "name",
                  name ? json_string_value(name) : "", "from_number", from, "scheduled_timestamp",
                  (json_int_t)(when ? json_number_value(when) : (double)now), "total_task_count",
                  (json_int_t)json_array_size(tasks));
    const json_t *win = json_object_get(body, "call_time_window");
    if (win)
        json_object_set_new(out, "call_time_window", json_deep_copy(win));
    mock_reply_json(rs, 201, out);
}

int retell_batch_route(struct mock_retell *r, const struct mock_request *rq,
                       struct mock_response *rs)
{
    if (strcmp(rq->path, "/create-batch-call") != 0)
        return 0;
    if (strcmp(rq->method, "POST") != 0)
        retell_error(rs, 405, "Method Not Allowed");
    else
        create_batch(r, rq, rs);
    return 1;
}
