/* TLS in front of a plain-HTTP loopback server: accepts TLS connections on
 * 127.0.0.1:<ephemeral>, completes the handshake with OpenSSL (linked, not
 * loaded at run time), and relays the decrypted bytes both ways to
 * 127.0.0.1:<backend_port>, one thread per connection. The backend sees the
 * exact bytes the client sent; the client sees the exact bytes the backend
 * answered, under a real certificate that it verifies (or refuses) itself.
 *
 * Why not CivetWeb's own TLS: Debian 12's CivetWeb 1.15 is built for the
 * OpenSSL 1.1 API and dlopens libssl.so. Under OpenSSL 3 one of its symbols
 * (SSL_get_peer_certificate, now a macro) is missing; CivetWeb leaves the
 * pointer NULL and its worker calls it after the first handshake, so every
 * HTTPS server crashes on its first request (civetweb issue #1334). */
#ifndef DIALSIM_TLS_FRONT_H
#define DIALSIM_TLS_FRONT_H

#include <stddef.h>

struct tls_front;

/* Starts the front. cert_pem holds the server certificate (and any chain
 * after it), key_pem its private key; both are read here (borrowed). Returns
 * 0, or -1 with a sentence in err (n bytes). */
int tls_front_create(struct tls_front **out, int backend_port, const char *cert_pem,
                     const char *key_pem, char *err, size_t n);
/* The port it listens on (127.0.0.1). */
int tls_front_port(const struct tls_front *f);
/* Stops listening, cuts the connections still open and joins every thread.
 * NULL ok. */
void tls_front_destroy(struct tls_front *f);

#endif
