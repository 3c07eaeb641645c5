/* Vapi's registration (mock_provider.h): its routes served by mock_vapi*.c,
 * its NestJS error bodies, its catalogue. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "catalogue.h"
#include "catalogue_data.h"
#include "mock_provider.h"
#include "mock_vapi.h"
#include "mock_vapi_internal.h"
#include "schema_check.h"

static const char *const routes[] = {"GET /call",
                                     "POST /call",
                                     "GET /call/{id}",
                                     "PATCH /call/{id}",
                                     "DELETE /call/{id}",
                                     "GET /call/{id}/assistant-recording",
                                     "GET /call/{id}/customer-recording",
                                     "GET /call/{id}/mono-recording",
                                     "GET /call/{id}/stereo-recording",
                                     "GET /phone-number",
                                     "POST /phone-number",
                                     "GET /phone-number/{id}",
                                     "PATCH /phone-number/{id}",
                                     "DELETE /phone-number/{id}",
                                     "GET /v2/phone-number",
                                     "GET /campaign",
                                     "POST /campaign",
                                     "GET /campaign/{id}",
                                     "PATCH /campaign/{id}",
                                     "DELETE /campaign/{id}",
                                     NULL};

static bool recognises(const char *path)
{
    return mock_vapi_path(path); /* mock_vapi_campaigns.c: calls, numbers, campaigns */
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct catalogue *cat;
static void load(void)
{
    cat = catalogue_get("vapi", dialsim_catalogue_vapi,
                        (size_t)(dialsim_catalogue_vapi_end - dialsim_catalogue_vapi));
}
static const struct catalogue *catalogue(void)
{
    pthread_once(&once, load);
    return cat;
}

static int create(void **out, struct mock_world *w, const struct mock_provider_config *cfg)
{
    struct mock_vapi *v = NULL;
    int rc = mock_vapi_create(&v, w, cfg);
    *out = v;
    return rc;
}

static void destroy(void *m)
{
    mock_vapi_destroy(m);
}

static int handle(void *m, const struct mock_request *rq, struct mock_response *rs)
{
    return mock_vapi_handle(m, rq, rs);
}

/* The same answers as mock_vapi_handle gives a request without a valid key. */
static int authorise(void *m, const struct mock_request *rq, struct mock_response *rs)
{
    return mock_vapi_authorise(m, rq, rs);
}

/* class-validator's sentences, one per refused field, in NestJS's 400. */
static void refuse(struct mock_response *rs, const struct schema_errors *errs)
{
    json_t *msgs = json_array();
    for (size_t i = 0; i < errs->n; i++) {
        const struct schema_error *e = &errs->e[i];
        const char *p = e->path[0] ? e->path : "body";
        char m[512];
        switch (e->kind) {
        case SE_REQUIRED:
            snprintf(m, sizeof m, "%s should not be null or undefined", p);
            break;
        case SE_UNKNOWN:
            snprintf(m, sizeof m, "property %s should not exist", p);
            break;
        case SE_TYPE: /* "must be a string"; "must be a JSON body (...)" as it is */
            snprintf(m, sizeof m, "%s must be %s%s", p,
                     !strncmp(e->expected, "a ", 2)    ? ""
                     : strchr("aeiou", e->expected[0]) ? "an "
                                                       : "a ",
                     e->expected);
            break;
        default:
            snprintf(m, sizeof m, "%s must be %s", p, e->expected);
        }
        json_array_append_new(msgs, json_string(m));
    }
    mock_reply_json(rs, 400, mock_vapi_error(400, msgs));
}

static void not_found(struct mock_response *rs, const char *what, const char *id)
{
    char m[256];
    (void)id;
    snprintf(m, sizeof m, "%c%s not found",
             what[0] ? what[0] - ('a' <= what[0] && what[0] <= 'z' ? 32 : 0) : '?',
             what[0] ? what + 1 : "");
    mock_vapi_not_found(rs, m);
}

static bool call_outcome(const void *m, const char *id, const char **status, const char **ended)
{
    const struct mock_call *c = mock_vapi_find(m, id);
    if (!c)
        return false;
    *status = mock_vapi_status(c);
    *ended = mock_vapi_ended_reason(c);
    return true;
}

static struct mock_account *account(const void *m)
{
    return mock_vapi_account(m);
}

static json_t *numbers(const void *m)
{
    return mock_vapi_numbers(m);
}

static void set_numbers(void *m, const json_t *n)
{
    mock_vapi_set_numbers(m, n);
}

const struct mock_provider_ops mock_vapi_ops = {
    .name = "vapi",
    .routes = routes,
    .recognises = recognises,
    .catalogue = catalogue,
    .create = create,
    .destroy = destroy,
    .handle = handle,
    .authorise = authorise,
    .refuse = refuse,
    .not_found = not_found,
    .agents_route = "POST /assistant",
    .refuse_unknown_fields = true,
    .webhook_auth = WH_AUTH_BEARER,
    .call_outcome = call_outcome,
    .account = account,
    .numbers = numbers,
    .set_numbers = set_numbers,
};
