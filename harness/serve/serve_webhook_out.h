/* Provider webhooks to the user's own server
 * (docs/mocks.md#webhooks-to-your-server): the mocks' webhook sink's `post`
 * in dialsim serve. Each POST runs
 * on a thread of its own with libcurl, so the clock's thread (which holds the
 * core lock while a mock timer runs) never waits for a user's server; the
 * answer goes back through the callback. A bounded number of POSTs at once;
 * the stop waits for those in flight, cut short.
 *
 * Ownership: created and freed by serve_mocks.c; strings given to post are
 * copied. */
#ifndef DIALSIM_SERVE_WEBHOOK_OUT_H
#define DIALSIM_SERVE_WEBHOOK_OUT_H

#include <stddef.h>

#include "core/ports.h"

struct webhook_out;

int webhook_out_create(struct webhook_out **out);
/* Stop: POSTs in flight are cut off (their done sees status 0) and waited
 * for; later ones are answered status 0 at once. NULL is fine. */
void webhook_out_stop(struct webhook_out *o);
void webhook_out_destroy(struct webhook_out *o);
/* The sink's post (mocks/mock.h); ctx is the webhook_out. */
void webhook_out_post(void *ctx, const char *url, const struct ds_header *headers, size_t nh,
                      const char *body, size_t len,
                      void (*done)(void *arg, int status, const char *answer), void *arg);

#endif
