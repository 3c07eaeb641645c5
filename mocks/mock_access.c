/* The mocks' port: Host check, admin token, masked journal dump (mock_access.h). */
#include "mock_access.h"

#include <string.h>

#include "util/netguard.h"
#include "util/redact.h"

static void refuse(struct mock_response *rs, int status, const char *why)
{
    mock_reply_json(rs, status, json_pack("{s:s}", "message", why));
}

bool mock_access_refused(const char *admin_token, bool check_host, const struct mock_request *rq,
                         const char *http_version, struct mock_response *rs)
{
    char why[400];
    if (check_host && !netguard_host_ok(mock_header(rq, "host"), http_version, why, sizeof why)) {
        refuse(rs, 421, why);
        return true;
    }
    if (strncmp(rq->path, "/_dialsim/", 10) != 0)
        return false;
    if (netguard_bearer_ok(mock_header(rq, "authorization"), admin_token, why, sizeof why))
        return false;
    refuse(rs, 401, why);
    return true;
}

void mock_access_mask_entry(json_t *entry)
{
    json_t *h = redact_headers(json_object_get(entry, "headers"));
    if (h)
        json_object_set_new(entry, "headers", h);
    json_t *b = json_object_get(entry, "body");
    if (json_is_object(b) || json_is_array(b))
        json_object_set_new(entry, "body", redact_json(b));
}
