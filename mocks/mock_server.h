/* The in-process mock server: one CivetWeb context on an ephemeral loopback
 * port with few threads, serving every mock route (the providers' real paths
 * do not collide). It is created once per worker and bound to one scenario's
 * mock_world at a time, so starting a scenario costs no server start.
 *
 * Every request is journalled with the virtual time it arrived; every answer
 * states its virtual latency in X-Dialsim-Latency-Ms (read and stripped by the
 * simulated HTTP transport). */
#ifndef DIALSIM_MOCK_SERVER_H
#define DIALSIM_MOCK_SERVER_H

#include <stdbool.h>

#include "mock.h"

struct mock_server;

int mock_server_create(struct mock_server **out);
/* The same with a chosen address, port (0: any free one) and number of
 * threads (requests served at once), for `dialsim serve`. real_time: every
 * answer waits the latency the mock was told to have before it is sent (the
 * header still states it). err says why it could not listen. */
struct mock_server_options {
    const char *host; /* NULL: 127.0.0.1 */
    int port;
    int threads; /* <= 0: 2 */
    bool real_time;
    double time_scale; /* real_time waits latency * time_scale (serve --time-scale); <= 0: 1 */
    bool keep_alive; /* reuse connections (serve); off: every answer ends with a close (run) */
    /* docs/api.md#access (mock_access.h): routes under /_dialsim/ need
     * "Authorization: Bearer <admin_token>" (NULL: open; copied), and with
     * check_host a Host that does not name loopback is refused. */
    const char *admin_token;
    bool check_host;
};
int mock_server_create_opts(struct mock_server **out, const struct mock_server_options *o,
                            char *err, size_t n);
/* The same server over HTTPS: mock_server_url says "https://127.0.0.1:PORT".
 * TLS is terminated by mocks/tls_front (OpenSSL) in front of the CivetWeb
 * server. cert_pem and key_pem are PEM files, read here (borrowed), e.g. from
 * harness/tls/testpki.h; key_pem NULL means the key is in cert_pem. The
 * server presents the certificate as it is: verifying it, or refusing it
 * (expired, wrong host, unknown CA), is the client's business. */
int mock_server_create_tls(struct mock_server **out, const char *cert_pem, const char *key_pem);
/* Stops the server (quickly: it wakes CivetWeb's accept loop). NULL ok. */
void mock_server_destroy(struct mock_server *s);
/* "http://127.0.0.1:PORT" ("https://..." for a TLS server); borrowed. */
const char *mock_server_url(const struct mock_server *s);
/* Route requests to w (borrowed) from now on; NULL answers 503 to everything. */
void mock_server_bind(struct mock_server *s, struct mock_world *w);

/* The provider-side outcome of a call, in the provider's own vocabulary:
 * status (Vapi status, Retell call_status, ElevenLabs conversation status) and
 * ended reason (Vapi endedReason, Retell disconnection_reason, ElevenLabs
 * failure_reason). Returns false when the provider has no such call. Call with
 * w->mu held. */
bool mock_world_call_outcome(const struct mock_world *w, const char *provider, const char *id,
                             char *status, size_t sn, char *ended, size_t en);

/* Dispatch one request to the world's mocks (used by the server; exposed for
 * unit tests). Call with w->mu held. */
void mock_world_dispatch(struct mock_world *w, const struct mock_request *rq,
                         struct mock_response *rs);

#endif
