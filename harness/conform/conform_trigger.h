/* `dialsim conform`: tells a customer, against their real endpoint and in real
 * time, whether it meets the trigger contract (TU-1..TU-4; OV-1..OV-5 for an
 * outbound voice connection). Each check is named and ends pass, warn or
 * fail (or skip, when an earlier failure made it impossible to run); the
 * checks and their rules are listed in docs/conformance.md.
 *
 * The endpoint receives real triggers (about a dozen, five of them at once):
 * a customer's system places a call for each, to the --to number. */
#ifndef DIALSIM_CONFORM_TRIGGER_H
#define DIALSIM_CONFORM_TRIGGER_H

#include <stdio.h>

#include "conform/conform.h"

struct conform_options {
    const char *url;            /* trigger: the trigger URL */
    const char *config;         /* outbound-connection: the connection's JSON file */
    const char *const *headers; /* "Name: value" lines, NULL-terminated; may be NULL */
    const char *from, *to;      /* E.164; defaults are fictional numbers */
    const char *cacert;         /* trust these CAs instead of the system's store */
    int concurrency;            /* triggers sent at once by the concurrency check */
    long warn_after_ms;         /* latency above this warns (TU-4) */
    long timeout_ms;            /* no answer within this fails (TU-3) */
    const char *junit;          /* also write JUnit XML here; may be NULL */
    bool json;                  /* the report as one JSON document (docs/output-formats.md) */
    const char *html;           /* --report FILE.html, or NULL */
};

#define CONFORM_DEFAULT_FROM "+12025550100" /* NANP 555-01xx: reserved for fiction */
#define CONFORM_DEFAULT_TO "+12025550101"

/* Runs every check against o->url (Cekura-style trigger URL, TU-1 body),
 * prints the report on out and writes o->junit. Returns the exit code: 0 no
 * check failed, 1 one failed, 2 the JUnit file could not be written. */
int conform_trigger_run(const struct conform_options *o, FILE *out);

/* The same for a Coval-style outbound voice connection read from o->config:
 * the config is checked first (OV-1..OV-4), then its endpoint gets the body
 * it would get from the core (OV-3, OV-4) with its headers (OV-2). Returns as
 * conform_trigger_run; 2 also when the config file cannot be read. */
int conform_outbound_run(const struct conform_options *o, FILE *out);

/* --- shared with conform_outbound.c --- */

/* What a run sends: the target, and the body of a normal trigger. In trigger
 * mode (dynamic_variables set) the payload check sends variants of it. */
struct conform_plan {
    const char *suite; /* "conform trigger" */
    const char *url;
    const char *https_rule; /* "TU-2" or "OV-1" */
    struct conform_target target;
    char *body; /* a normal trigger, owned */
    bool variants;
    const char *from, *to;
    const char *phone_key; /* outbound-connection: where the number goes (OV-3) */
    int concurrency;
    long warn_after_ms;
};

/* Runs the request checks of a plan into r (after any checks r has), prints
 * and writes JUnit. Returns as conform_trigger_run. */
int conform_run_plan(struct conform_plan *p, struct conform_report *r, const char *junit,
                     FILE *out);

#endif
