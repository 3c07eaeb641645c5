/* Who may talk to the mocks' port of `dialsim serve` (docs/api.md#access),
 * and what the journal dump shows of secrets (docs/api.md#secrets). The
 * checks are util/netguard.h's, as on the API port; here in the mocks' own
 * error shape, {"message": ...}. */
#ifndef DIALSIM_MOCK_ACCESS_H
#define DIALSIM_MOCK_ACCESS_H

#include <jansson.h>
#include <stdbool.h>

#include "mock.h"

/* true when the request is refused, with the answer in rs: 421 when
 * check_host (the server is on loopback) and Host names something else; 401
 * when admin_token is set, the path is under /_dialsim/ and the request does
 * not carry "Authorization: Bearer <admin_token>". The provider routes keep
 * the providers' own key checks. http_version: "1.0", "1.1". */
bool mock_access_refused(const char *admin_token, bool check_host, const struct mock_request *rq,
                         const char *http_version, struct mock_response *rs);

/* One entry of GET /_dialsim/journal, as built (an object with "headers" and
 * "body"): credentials in its headers and secret keys in its JSON body are
 * replaced by masked copies (util/redact.h). The journal itself keeps what was
 * received: a scenario's `expect` reads it. */
void mock_access_mask_entry(json_t *entry);

#endif
