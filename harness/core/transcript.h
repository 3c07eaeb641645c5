/* The transcript webhook: strict validation of one request (CI-2, CI-3, CI-4,
 * CI-5, CI-8). Pure: no I/O, no clock, no store, no global state — the HTTP
 * server hands in what it read, and gets back the status and the exact JSON
 * body to answer, plus, when the request is valid, the parsed calls to store
 * (store/store.h) before answering.
 *
 * The server's flow (dialsim serve, issue 6):
 *
 *   tx_validate(&r, &req)          -1: answer 500 tx_error_body(...)
 *   r->status != 200:              answer r->status r->body; store nothing (CI-2, CI-8)
 *   store_put_calls(..., r->calls) failed: answer 500; nothing was stored
 *   otherwise:                     answer 200 r->body — only after the commit (CI-9: a
 *                                  re-sent call gets this same answer)
 *
 * Checks run in this order and the first failing stage answers alone:
 * 401 (API key) → 415 (Content-Type) → 413 (size) → 400 (JSON syntax) → 400
 * (fields, every error at once). docs/transcripts.md lists every rule, the
 * decisions and the exact bodies.
 *
 * Ownership: everything in struct tx_request is borrowed for the duration of
 * tx_validate only. The struct tx_result and everything it points to is owned
 * by the caller and freed by tx_result_destroy; the strings of a tx_call point
 * into the result's parsed JSON and live exactly as long as the result.
 */
#ifndef DIALSIM_TRANSCRIPT_H
#define DIALSIM_TRANSCRIPT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TX_KEY_HEADER "X-CEKURA-API-KEY"  /* the documented spelling (CI-2) */
#define TX_MAX_BODY_DEFAULT (1024 * 1024) /* bytes; larger bodies get 413 */
#define TX_ID_MAX_CHARS 255               /* CI-4: id (and run_id, decision) */
#define TX_PHONE_MAX_CHARS 15             /* CI-4: "+" and digits, in all */
#define TX_MAX_ERRORS 1000                /* CI-8 cap on listed errors (decision) */
#define TX_DEFAULT_ENDED_REASON "unknown" /* CI-4 */

/* One request header as received. CivetWeb's struct mg_header has the same
 * shape, so the server can copy ri->http_headers[] field by field. */
struct tx_header {
    const char *name;
    const char *value;
};

struct tx_request {
    const struct tx_header *headers; /* every header of the request, any order */
    size_t n_headers;
    const char *content_type; /* the Content-Type value; NULL when absent */
    const char *body;         /* raw bytes, not necessarily NUL-terminated */
    size_t body_len;
    const char *api_key; /* the project's key (CI-1); NULL or "" matches nothing */
    size_t max_body;     /* 0: TX_MAX_BODY_DEFAULT */
};

/* Things a conformance checker should tell the sender about, which do not
 * make the request invalid. X(code, name) */
#define TX_WARNING_MAP(X)                                                                          \
    X(KEY_HEADER_SPELLING, "key_header_spelling")                                                  \
    X(UNKNOWN_FIELD, "unknown_field")                                                              \
    X(TIME_IN_SECONDS, "time_in_seconds")

enum tx_warning_code {
#define X(code, name) TX_WARN_##code,
    TX_WARNING_MAP(X)
#undef X
        TX_WARN__COUNT
};

const char *tx_warning_name(enum tx_warning_code c); /* "unknown_field"; static */

struct tx_warning {
    enum tx_warning_code code;
    char *path;    /* JSON path in the body ("calls[0].ended_reason"); NULL for a header */
    char *message; /* a sentence for humans */
};

/* One accepted call (CI-4). Strings are borrowed from the result. */
struct tx_call {
    const char *id;
    const char *run_id; /* NULL when absent */
    bool has_agent_id;  /* the request's agent_id (CI-3), copied onto each call */
    int64_t agent_id;
    const char *to_phone_number;   /* NULL when absent */
    const char *from_phone_number; /* NULL when absent */
    const char *ended_reason;      /* TX_DEFAULT_ENDED_REASON when absent */
    int64_t started_at_ms;         /* UTC, ms since the epoch */
    int64_t ended_at_ms;
    size_t n_messages;
    const json_t *json; /* the call object as received, unknown fields included */
};

struct tx_result {
    int status;      /* 200, 400, 401, 413 or 415 */
    char *body;      /* the answer: compact JSON, NUL-terminated, owned */
    size_t body_len; /* strlen(body) */

    /* CI-2 decision: X-CEKURA-API-KEY is matched case-insensitively; this is
     * set when the sender spelled it otherwise (also with a warning). */
    bool key_header_misspelled;

    struct tx_warning *warnings; /* owned; in body order, header warnings first */
    size_t n_warnings;

    /* Only when status == 200: */
    bool has_agent_id;
    int64_t agent_id;
    struct tx_call *calls; /* owned array, in request order; ids unique */
    size_t n_calls;

    json_t *root; /* the parsed body (owned); NULL unless parsing succeeded */
};

/* Validate one webhook request. Returns 0 and sets *out to a result whatever
 * the verdict (check (*out)->status); returns -1 with *out = NULL only when
 * memory ran out (the caller answers 500). */
int tx_validate(struct tx_result **out, const struct tx_request *req);
/* Free a result and everything it owns. NULL is fine. */
void tx_result_destroy(struct tx_result *r);

/* {"errors":[{"message":<message>}]} — the body for the answers the server
 * decides itself (404 unknown project, 405 not POST, 500 store failed), so
 * every refusal has one shape. Owned by the caller: free() it (or jansson's
 * free function, if json_set_alloc_funcs replaced it); NULL when out of
 * memory. */
char *tx_error_body(const char *message);

#endif
