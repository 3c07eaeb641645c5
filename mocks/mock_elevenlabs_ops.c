/* ElevenLabs' registration (mock_provider.h): its routes served by
 * mock_elevenlabs*.c, FastAPI's 422 detail list, its catalogue. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "catalogue_data.h"
#include "mock_elevenlabs.h"
#include "mock_elevenlabs_int.h"
#include "mock_provider.h"
#include "schema_check.h"

static const char *const routes[] = {"POST /v1/convai/twilio/outbound-call",
                                     "POST /v1/convai/sip-trunk/outbound-call",
                                     "GET /v1/convai/conversations",
                                     "GET /v1/convai/conversations/{conversation_id}",
                                     "DELETE /v1/convai/conversations/{conversation_id}",
                                     "GET /v1/convai/conversations/{conversation_id}/audio",
                                     "GET /v1/convai/phone-numbers",
                                     "POST /v1/convai/phone-numbers",
                                     "GET /v1/convai/phone-numbers/{phone_number_id}",
                                     "PATCH /v1/convai/phone-numbers/{phone_number_id}",
                                     "DELETE /v1/convai/phone-numbers/{phone_number_id}",
                                     "POST /v1/convai/batch-calling/submit",
                                     "GET /v1/convai/batch-calling/workspace",
                                     "GET /v1/convai/batch-calling/{batch_id}",
                                     "DELETE /v1/convai/batch-calling/{batch_id}",
                                     "POST /v1/convai/batch-calling/{batch_id}/cancel",
                                     "GET /v1/convai/batch-calling/{batch_id}/export",
                                     "POST /v1/convai/batch-calling/{batch_id}/retry",
                                     NULL};

static bool recognises(const char *path)
{
    return strncmp(path, "/v1/convai/", 11) == 0;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct catalogue *cat;
static void load(void)
{
    cat = catalogue_get("elevenlabs", dialsim_catalogue_elevenlabs,
                        (size_t)(dialsim_catalogue_elevenlabs_end - dialsim_catalogue_elevenlabs));
}
static const struct catalogue *catalogue(void)
{
    pthread_once(&once, load);
    return cat;
}

static int create(void **out, struct mock_world *w, const struct mock_provider_config *cfg)
{
    struct mock_elevenlabs *e = NULL;
    int rc = mock_elevenlabs_create(&e, w, cfg);
    *out = e;
    return rc;
}

static void destroy(void *m)
{
    mock_elevenlabs_destroy(m);
}

static int handle(void *m, const struct mock_request *rq, struct mock_response *rs)
{
    return mock_elevenlabs_handle(m, rq, rs);
}

/* As mock_elevenlabs_handle: reading needs convai_read, writing convai_write
 * (providers.md §2.4). */
static int authorise(void *m, const struct mock_request *rq, struct mock_response *rs)
{
    return mock_elevenlabs_authorise(m, rq, rs);
}

/* pydantic's error list: loc is ["body", <path parts>] (or "query"). */
static json_t *loc_of(const struct schema_error *e)
{
    json_t *loc = json_pack("[s]", e->in);
    char part[192];
    const char *p = e->path;
    while (*p) {
        size_t n = strcspn(p, ".[");
        if (n) {
            snprintf(part, sizeof part, "%.*s", (int)n, p);
            json_array_append_new(loc, json_string(part));
        }
        p += n;
        if (*p == '[') {
            json_array_append_new(loc, json_integer(strtol(p + 1, NULL, 10)));
            p += strcspn(p, "]");
            if (*p)
                p++;
        }
        if (*p == '.')
            p++;
    }
    return loc;
}

static void refuse(struct mock_response *rs, const struct schema_errors *errs)
{
    json_t *detail = json_array();
    for (size_t i = 0; i < errs->n; i++) {
        const struct schema_error *e = &errs->e[i];
        static const char *const types[] = {[SE_REQUIRED] = "missing",
                                            [SE_TYPE] = "type_error",
                                            [SE_ENUM] = "enum",
                                            [SE_FORMAT] = "datetime_parsing",
                                            [SE_UNKNOWN] = "extra_forbidden",
                                            [SE_RANGE] = "value_error",
                                            [SE_LENGTH] = "value_error",
                                            [SE_COMBO] = "value_error"};
        char msg[300];
        if (e->kind == SE_REQUIRED)
            snprintf(msg, sizeof msg, "Field required");
        else if (e->kind == SE_UNKNOWN)
            snprintf(msg, sizeof msg, "Extra inputs are not permitted");
        else
            snprintf(msg, sizeof msg, "Input should be %s", e->expected);
        json_array_append_new(detail, json_pack("{s:o,s:s,s:s,s:n}", "loc", loc_of(e), "msg", msg,
                                                "type", types[e->kind], "input"));
    }
    mock_reply_json(rs, 422, json_pack("{s:o}", "detail", detail));
}

static void not_found(struct mock_response *rs, const char *what, const char *id)
{
    char code[96], msg[300];
    snprintf(code, sizeof code, "%.80s_not_found", what);
    for (char *p = code; *p; p++)
        if (*p == '-')
            *p = '_';
    snprintf(msg, sizeof msg, "%.80s %.100s not found", what, id);
    el_detail_error(rs, 404, code, msg);
}

/* FastAPI: a known path with another method, before the key is read. */
static void method_not_allowed(struct mock_response *rs)
{
    mock_reply_json(rs, 405, json_pack("{s:s}", "detail", "Method Not Allowed"));
}

static bool call_outcome(const void *m, const char *id, const char **status, const char **ended)
{
    const struct mock_call *c = mock_elevenlabs_find(m, id);
    if (!c)
        return false;
    *status = mock_elevenlabs_status(c);
    *ended = mock_elevenlabs_failure_reason(c);
    return true;
}

static struct mock_account *account(const void *m)
{
    return mock_elevenlabs_account(m);
}

static json_t *numbers(const void *m)
{
    return mock_elevenlabs_numbers(m);
}

static void set_numbers(void *m, const json_t *n)
{
    mock_elevenlabs_set_numbers(m, n);
}

const struct mock_provider_ops mock_elevenlabs_ops = {
    .name = "elevenlabs",
    .routes = routes,
    .recognises = recognises,
    .catalogue = catalogue,
    .create = create,
    .destroy = destroy,
    .handle = handle,
    .authorise = authorise,
    .refuse = refuse,
    .not_found = not_found,
    .method_not_allowed = method_not_allowed,
    .agents_route = "POST /v1/convai/agents/create",
    .refuse_unknown_fields = false,
    .webhook_auth = WH_AUTH_ELEVENLABS,
    .call_outcome = call_outcome,
    .account = account,
    .numbers = numbers,
    .set_numbers = set_numbers,
};
