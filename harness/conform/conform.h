/* Pieces shared by the `dialsim conform` checks: real HTTP exchanges with
 * libcurl (one at a time or N at once), named checks with a verdict, and the
 * two reports (one line per check for humans, JUnit XML for CI).
 *
 * conform is a client tool that runs in real time against a real URL: it does
 * not use the simulated core or its clock. TLS verification is always on;
 * --cacert only chooses which CAs are trusted, as curl's option does. */
#ifndef DIALSIM_CONFORM_H
#define DIALSIM_CONFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFORM_TIMEOUT_MS 30000    /* TU-3: an answer within 30 s */
#define CONFORM_WARN_AFTER_MS 10000 /* TU-4: slower eats the dial window */
#define CONFORM_CONCURRENCY 5
#define CONFORM_MAX_CHECKS 12

enum conform_verdict {
    CONFORM_PASS,
    CONFORM_WARN, /* works, but a customer should know (does not fail the run) */
    CONFORM_FAIL,
    CONFORM_SKIP, /* not run: an earlier check showed it could not be */
};

/* What kind of answer an exchange got. */
enum conform_outcome {
    CONFORM_ANSWERED,  /* a status line arrived (any status) */
    CONFORM_TIMEOUT,   /* none within the timeout */
    CONFORM_CONNECT,   /* refused, unreachable, DNS */
    CONFORM_TLS,       /* handshake or certificate verification */
    CONFORM_TRANSPORT, /* closed without an answer, malformed answer */
};

/* Where and how to send: the same for every request of one run. */
struct conform_target {
    const char *url;
    const char *const *headers; /* "Name: value" lines, NULL-terminated; borrowed */
    const char *cacert;         /* PEM file of trusted CAs, NULL: the system's store
                                   (http_curl_system_cafile) */
    long timeout_ms;
};

/* One exchange's result. */
struct conform_answer {
    enum conform_outcome outcome;
    long status;          /* when ANSWERED */
    int64_t ms;           /* wall time from start to the last byte (or the failure) */
    bool tls_done;        /* a TLS handshake completed (https, certificate verified) */
    bool no_ca_store;     /* TLS failed: no CA certificates in the system's store */
    int64_t cert_expires; /* the server certificate's notAfter (unix s); 0 unknown */
    char error[256];      /* curl's words when not ANSWERED */
    char body_head[96];   /* the answer's first bytes, printable ASCII only */
};

/* POSTs body (len bytes) to t. Returns 0, or -1 when libcurl could not even be
 * set up (out of memory). */
int conform_post(const struct conform_target *t, const char *body, size_t len,
                 struct conform_answer *a);
/* POSTs the same body n times at once (curl multi, n connections) and fills
 * out[0..n-1] in request order. Returns 0 or -1 as conform_post. */
int conform_post_many(const struct conform_target *t, const char *body, size_t len, int n,
                      struct conform_answer *out);
/* 0 when url is an absolute http:// or https:// URL with a host; *https (may
 * be NULL) then says which. -1 otherwise. */
int conform_url_usable(const char *url, bool *https);
/* True for 200 and 201, the only statuses TU-3 accepts. */
bool conform_answer_ok(const struct conform_answer *a);
/* "201 Created in 12 ms", "no answer within 30000 ms", "TLS failed: ..." */
const char *conform_answer_describe(const struct conform_answer *a, char *buf, size_t n);

/* One named check and its result. */
struct conform_check {
    const char *name; /* "https" */
    const char *rule; /* "TU-2" */
    enum conform_verdict verdict;
    char detail[640];
};

struct conform_report {
    const char *suite; /* "conform trigger" */
    const char *url;
    struct conform_check checks[CONFORM_MAX_CHECKS];
    size_t n;
};

/* Appends a check and returns it (verdict PASS, empty detail). */
struct conform_check *conform_add(struct conform_report *r, const char *name, const char *rule);
/* Sets verdict and detail (printf-style). */
void conform_set(struct conform_check *c, enum conform_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "PASS https  TU-2  — detail" per check, then a summary line. */
void conform_print(FILE *f, const struct conform_report *r);
/* JUnit XML: one testcase per check, <failure> for FAIL, <skipped> for SKIP,
 * WARN as a passing case whose system-out says so. Returns 0 or -1. */
int conform_junit(const char *path, const struct conform_report *r, double seconds);
/* Exit code: 1 when a check failed, else 0. */
int conform_exit_code(const struct conform_report *r);
const char *conform_verdict_name(enum conform_verdict v);

#endif
