/* Who may talk to a local test server: the checks `dialsim serve` makes on
 * its API port and on the provider mocks' port (docs/api.md#access).
 *
 * - A server bound to loopback is reachable from this machine only, but a
 *   web page in a browser on it can still reach it through DNS rebinding
 *   (evil.example resolves to 127.0.0.1 after the page has loaded). Such a
 *   request carries the attacker's name in Host, so a loopback server
 *   accepts only loopback names there.
 * - A server bound elsewhere needs the admin token on its management routes;
 *   the token is compared in constant time.
 *
 * Pure functions of their arguments; every string is borrowed. */
#ifndef DIALSIM_NETGUARD_H
#define DIALSIM_NETGUARD_H

#include <stdbool.h>
#include <stddef.h>

/* A bind address that only this machine can reach: "localhost", an IPv4
 * address in 127.0.0.0/8, or "::1" (also written "[::1]"). */
bool netguard_loopback_addr(const char *addr);

/* A Host header value that names this machine's loopback: "localhost",
 * "127.x.x.x" or "[::1]", each with or without ":port". NULL or "" is not. */
bool netguard_loopback_host(const char *host);

/* The Host check of a server bound to loopback: true when the request may go
 * on. A request without Host passes only on HTTP/1.0 (http_version "1.0"),
 * which has no Host. Otherwise why (n bytes) says what was expected. */
bool netguard_host_ok(const char *host, const char *http_version, char *why, size_t n);

/* The admin token check of "Authorization: Bearer TOKEN" (the scheme in any
 * case). token NULL: no token is set, everything passes. Otherwise why says
 * whether the header was missing, not Bearer, or the token was wrong. */
bool netguard_bearer_ok(const char *authorization, const char *token, char *why, size_t n);

#endif
