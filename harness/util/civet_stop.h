/* Stopping a CivetWeb server quickly. CivetWeb 1.15's accept loop polls with
 * a 2 s quantum, so mg_stop alone takes up to 2 s; a connection to the
 * listening port wakes the poll at once. civet_stop runs mg_stop on a helper
 * thread and pokes the port until it returns (about 10 ms), then — should
 * mg_stop still be waiting for requests in flight — only waits. Used by the
 * mock server, `dialsim serve` and `dialsim conform transcripts`. */
#ifndef DIALSIM_CIVET_STOP_H
#define DIALSIM_CIVET_STOP_H

struct mg_context;

/* host: the address the server listens on (an unspecified address such as
 * 0.0.0.0 or :: is poked on loopback); port: its port. */
void civet_stop(struct mg_context *ctx, const char *host, int port);

#endif
