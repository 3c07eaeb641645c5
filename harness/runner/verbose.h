/* `dialsim run -v`: what the mocks received and answered, bodies included,
 * with secrets masked (issue 14). */
#ifndef DIALSIM_RUNNER_VERBOSE_H
#define DIALSIM_RUNNER_VERBOSE_H

#include <jansson.h>
#include <stdint.h>

#include "journal.h"
#include "runner/strbuf.h"

/* Is a header or JSON member of this name a secret? (API keys, signatures,
 * tokens, passwords, Authorization.) Case-insensitive. */
int verbose_is_secret_name(const char *name);
/* A secret as -v shows it: its first 4 characters, then "****" ("****" alone
 * for 12 characters or fewer); an Authorization's scheme stays readable
 * ("Bearer vapi****"). New string (malloc), NULL when out of memory. */
char *verbose_mask(const char *name, const char *value);
/* A body as -v shows it: JSON with every secret member masked (compact, keys
 * in their order), other text as it is; at most 2,000 characters. New string. */
char *verbose_body(const char *body);
/* The journal, one entry per request or webhook, in arrival order:
 * "t=  0.200  vapi POST /call -> 201", its secret headers masked, "> body",
 * "< answer" when the mock kept it. start_ms makes times relative. */
void verbose_journal(const struct journal *j, int64_t start_ms, struct strbuf *out);

#endif
