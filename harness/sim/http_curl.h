/* The core's HTTP client (ds_http) on libcurl.
 *
 * Simulated mode: the exchange really goes over loopback to the mocks, but
 * takes no virtual time by itself. A mock states the virtual latency it was
 * told to have in the response header X-Dialsim-Latency-Ms, which this
 * transport reads and strips (the core never sees it). The answer is delivered
 * through the clock at now + latency, or as DS_HTTP_TIMEOUT at now + timeout
 * when the latency reaches the request's limit (an answer due at the very
 * instant the caller gives up counts as not received, as with curl).
 * timeout_ms <= 0 means no limit, in both modes.
 *
 * Real mode: the exchange takes the time it takes; libcurl enforces the
 * timeout and the answer is delivered through the clock at once.
 *
 * One handle serves one thread at a time (a mutex guards it); connections are
 * kept alive between requests.
 */
#ifndef DIALSIM_HTTP_CURL_H
#define DIALSIM_HTTP_CURL_H

#include <stdbool.h>
#include <stddef.h>
#include "core/ports.h"

#define DIALSIM_LATENCY_HEADER "X-Dialsim-Latency-Ms"

struct http_curl;

/* clock is borrowed for the transport's lifetime. */
int http_curl_create(struct http_curl **out, struct ds_clock clock, bool simulated);
void http_curl_destroy(struct http_curl *h);
struct ds_http http_curl_port(struct http_curl *h);
/* Deliver every answer still waiting on the clock at once, as
 * DS_HTTP_PROTOCOL_ERROR "abandoned", so that callers free what they hold:
 * for a scenario stopped by `until` while a request was in flight. The
 * callbacks run now; anything they schedule is the caller's to drop. */
void http_curl_abandon(struct http_curl *h);
/* What a libcurl result code (CURLcode) means to the core: RESPONSE for
 * CURLE_OK, else TIMEOUT, CONNECT_FAILED, TLS_FAILED (certificate or
 * handshake) or PROTOCOL_ERROR. Shared with `dialsim conform`, so that it
 * names a failure as the core would. */
enum ds_http_outcome http_curl_outcome(int curl_code);
/* Requests sent since creation. */
unsigned long http_curl_sent(const struct http_curl *h);
/* Trust the CA certificates in the PEM file at path (copied) instead of the
 * system's store, as curl --cacert does; NULL goes back to the system's store
 * (below).
 * Certificates and host names are always verified: there is no way to turn
 * that off. A certificate that does not verify fails the request with
 * DS_HTTP_TLS_FAILED and curl's reason in error ("SSL certificate problem:
 * certificate has expired"); with the system's store missing, the sentence
 * of http_curl_no_ca_store. */
int http_curl_set_cafile(struct http_curl *h, const char *path);

/* The system's store, shared with `dialsim conform`. A request that names no
 * CA file trusts $CURL_CA_BUNDLE when it is set and not empty (as curl(1)
 * reads it), else the bundle libcurl was built with (curl_version_info's
 * cainfo; Debian's is /etc/ssl/certs/ca-certificates.crt, from the package
 * ca-certificates, which libcurl only recommends). */
#define HTTP_CURL_CA_ENV "CURL_CA_BUNDLE"
/* That bundle's path: the environment's or libcurl's string, not to be freed;
 * NULL when neither names one. */
const char *http_curl_system_cafile(void);
/* Sets CURLOPT_CAINFO on the easy handle curl_easy: cafile when not NULL,
 * else $CURL_CA_BUNDLE when set; otherwise leaves libcurl's default. */
void http_curl_trust(void *curl_easy, const char *cafile);
/* A request that trusted the system's store (named no CA file) and failed
 * with curl_code CURLE_SSL_CACERT_BADFILE found no CA certificates there (on a
 * minimal Debian: ca-certificates is not installed). Then writes the sentence
 * a user can act on into out, "no CA certificates found at PATH: install
 * ca-certificates, or " + advice, and returns true; else returns false and
 * leaves out alone. */
bool http_curl_no_ca_store(int curl_code, bool system_store, const char *advice, char *out,
                           size_t n);

#endif
