/* `dialsim conform transcripts`: plays the project's transcript webhook in real
 * time for a customer's sender (seed 001, CI-2..CI-8). Every request is
 * answered exactly as the core answers it (tx_validate's status and body;
 * nothing is stored) and gets a report block naming every rule it breaks,
 * each error with its JSON path or header, plus the warnings (key header
 * spelled otherwise than X-CEKURA-API-KEY, unknown fields, seconds instead of
 * milliseconds). docs/conformance.md lists the rule mapping. */
#ifndef DIALSIM_CONFORM_TRANSCRIPTS_H
#define DIALSIM_CONFORM_TRANSCRIPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CT_DEFAULT_HOST "127.0.0.1"

struct ct_options {
    const char *host;    /* address to listen on; NULL: CT_DEFAULT_HOST */
    int port;            /* 0: any free port */
    const char *api_key; /* the project's key (CI-1, CI-2) */
    long count;          /* stop after this many requests; 0: until SIGINT/SIGTERM */
    const char *junit;   /* also write JUnit XML here; may be NULL */
    size_t max_body;     /* 0: the core's limit (TX_MAX_BODY_DEFAULT) */
    bool json;           /* --format json: one document at the end, the URL on stderr */
};

/* The rule a validation error or warning belongs to, from where it points:
 * a JSON path ("calls[1].messages[0].role" → "CI-5"); "" is the root. */
const char *ct_rule_for_path(const char *path);

/* Listens, prints "listening on http://HOST:PORT" on out (flushed), then one
 * report block per request, then a summary; stops after o->count requests or
 * on SIGINT/SIGTERM. Returns the exit code: 0 no request broke a rule, 1 one
 * did, 2 the server could not start or the JUnit file could not be written. */
int conform_transcripts_run(const struct ct_options *o, FILE *out);

/* dialsim conform transcripts --listen PORT --api-key KEY [...]: the
 * arguments after "transcripts"; 2 on bad arguments. */
int cmd_conform_transcripts(int argc, char **argv);

#endif
