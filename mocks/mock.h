/* Shared types of the mocks. A mock_world holds everything one scenario's mocks
 * know: the clock, the journal, the provider mocks and the PSTN. Handlers run
 * on CivetWeb threads and the PSTN on the runner thread; both take world->mu
 * around mock state, and neither holds it while calling into the core. */
#ifndef DIALSIM_MOCK_H
#define DIALSIM_MOCK_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ports.h"

struct journal;
struct mock_faults;
struct mock_webhooks;
struct pstn;

/* Where provider webhooks go: the core's webhook handler. Called on the
 * clock's thread without the world's mutex; returns the HTTP status. */
struct mock_webhook_sink {
    int (*deliver)(void *ctx, const char *provider, const struct ds_header *headers,
                   size_t n_headers, const char *body, size_t body_len);
    /* POST to url (the user's own server) without blocking the caller (the
     * clock's thread): returns at once, and done(arg, status, answer) follows
     * once on another thread (status 0: no answer, answer says why; answer
     * borrowed for the call). Strings are copied. NULL: no HTTP out (dialsim
     * run): such webhooks are journalled unsent. */
    void (*post)(void *ctx, const char *url, const struct ds_header *headers, size_t n_headers,
                 const char *body, size_t body_len,
                 void (*done)(void *arg, int status, const char *answer), void *arg);
    void *ctx;      /* deliver's */
    void *post_ctx; /* post's */
};

/* Where the customer's backend posts transcripts: the project's transcript
 * webhook (harness/ingest). Returns the HTTP status; *answer (owned, may be
 * NULL) is the body. Called on the clock's thread without the mutex. */
struct mock_transcript_sink {
    int (*post)(void *ctx, const struct ds_header *headers, size_t n_headers,
                const char *content_type, const char *body, size_t body_len, char **answer);
    /* The run the core has for calls to `to` (SIP headers would carry it). */
    const char *(*run_for)(void *ctx, const char *to);
    void *ctx;
};

struct mock_customer_backend;
struct mock_triggers;
struct mock_request;
struct mock_response;
struct mock_world;

/* Routes under /_dialsim/ beyond the journal, added by whoever serves the
 * world (dialsim serve: PUT /_dialsim/faults). Called with the world's mutex
 * held; returns 1 when it answered. */
struct mock_admin {
    int (*handle)(void *ctx, struct mock_world *w, const struct mock_request *rq,
                  struct mock_response *rs);
    void *ctx;
};

#define MOCK_MAX_PROVIDERS 8
struct mock_provider_ops;
struct cat_store;

struct mock_world {
    pthread_mutex_t mu;
    struct ds_clock clock;
    struct journal *journal;
    /* The provider modules (mock_provider.h), in mock_provider_list's
     * order; n_providers used. */
    struct mock_provider_slot {
        const struct mock_provider_ops *ops;
        void *m;                /* the module's state */
        struct cat_store *store; /* the generic routes' objects (catalogue_store.h) */
    } providers[MOCK_MAX_PROVIDERS];
    size_t n_providers;
    struct mock_faults *faults;     /* NULL: no faults */
    struct mock_webhooks *webhooks; /* webhooks on their way */
    struct mock_webhook_sink sink;
    struct mock_transcript_sink transcripts;
    struct mock_customer_backend *backend; /* NULL: no customer backend */
    struct mock_triggers *triggers;        /* customers' trigger endpoints */
    struct pstn *pstn;
    const char *base_url;    /* the mock server's URL, for URLs in bodies; borrowed */
    const char *tmpdir;      /* scratch folder for generated recordings; borrowed */
    struct mock_admin admin; /* NULL handle: the journal route only */
    /* What a long-lived world keeps (dialsim serve); 0: everything, as a
     * scenario of `dialsim run` keeps (its `expect` reads it all). Set by
     * the caller before mock_world_build. */
    struct mock_limits {
        size_t journal_size;    /* journal entries kept (the last ones) */
        size_t max_ended_calls; /* ended calls each provider account keeps */
        int max_waiters;        /* long-polls (POST /_dialsim/wait) at once; 0: 1 */
    } limits;
    /* Broadcast on every journal push and status change (journal_set_notify)
     * and when the server stops: a long-poll waits on it with mu released. */
    pthread_cond_t journal_cv;
    bool waits_stopped; /* the server is stopping: long-polls answer now */
    int waiters;        /* long-polls waiting now (with mu) */
    bool keep_answers;       /* journal answer bodies too (dialsim run -v) */
};

/* A request as a mock handler sees it; everything borrowed. */
struct mock_request {
    const char *method;
    const char *path;      /* without the query string */
    const char *query;     /* the query string without '?', or NULL */
    /* the headers packed: "name\0value\0" for each, in the order they came,
     * names lower-cased (mock_headers.c); headers_len bytes in all */
    const char *headers;
    size_t headers_len;
    const char *body;
    size_t body_len;
    /* The body parsed once (journal_parse: depth-checked), shared by the
     * journal and the handler (borrowed; NULL when empty or not JSON, and
     * json_error then says why and where: json_depth_exceeded() when too
     * deep). parsed false: nobody parsed it yet (mock_world_dispatch does). */
    const json_t *json;
    bool parsed;
    const json_error_t *json_error;
    /* The provider module the path belongs to (mock_provider_for_path),
     * looked up once per request (the journal's entry names it, dispatch
     * serves it); provider_known false: not looked up yet. */
    const struct mock_provider_ops *provider;
    bool provider_known;
};

/* A handler's answer. body is owned (malloc) and freed by the server. A JSON
 * answer is kept as json (owned) and serialised by mock_response_finish,
 * after the world's mutex is released.
 *
 * The rule that makes that safe: a JSON node shared between threads (a
 * request body's members, held by the request and the call it placed) has
 * its reference count changed only with the world's mutex held (jansson's
 * counts are atomic, but json_incref/json_decref read them plainly first: a
 * data race under C11 and ThreadSanitizer). So an answer shares no node with mock state (handlers
 * copy what they echo), the server lets go of its own references to a
 * request's body and headers before it releases the mutex, and what the
 * journal drops holds no shared node (an entry keeps the body's text and a
 * tree parsed for it alone, journal.h), so it is freed outside. */
struct mock_response {
    int status;
    json_t *json; /* the answer not yet serialised, or NULL */
    char *body;
    size_t body_len;          /* 0: body is a C string; else its exact length (binary) */
    const char *content_type; /* static */
    int64_t latency_ms;       /* virtual latency, stated in X-Dialsim-Latency-Ms */
    /* wire faults (faults.h) */
    bool close;    /* close the connection without answering */
    bool truncate; /* send only truncate_at body bytes of a longer Content-Length */
    size_t truncate_at;
    int chunks; /* > 1: send the body chunked in this many pieces */
    char *headers; /* more header lines ("Name: value\r\n"...) a fault adds; owned, may be NULL */
};

/* Take the world's mutex, trying for a while before sleeping on it. The
 * mutex is held for a request's mock work (a few microseconds); with the
 * workers of 32 busy connections on 2 cores, sleeping on it at once put
 * half a context switch more on every request (docs/benchmarks.md run 8:
 * 1.49 against the bare handler's 1.00). The spin reads the lock's word and
 * tries only when it looks free (a try is a locked write that takes the
 * cache line from its holder), for about twice the hold: a longer spin
 * only burns the core the holder, preempted, needs (run 9: 1,000 tries
 * cost 20 % of the rate once the hold was halved). glibc's adaptive mutex
 * spins 100 times with a try each. */
#ifndef MOCK_WORLD_SPIN
#define MOCK_WORLD_SPIN 300
#endif
static inline bool mock_world_looks_free(struct mock_world *w)
{
#ifdef __GLIBC__
    return __atomic_load_n(&w->mu.__data.__lock, __ATOMIC_RELAXED) == 0;
#else
    (void)w;
    return true;
#endif
}

static inline void mock_world_lock(struct mock_world *w)
{
    for (int i = 0; i < MOCK_WORLD_SPIN; i++) {
        if (mock_world_looks_free(w) && pthread_mutex_trylock(&w->mu) == 0)
            return;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ __volatile__("yield");
#endif
    }
    pthread_mutex_lock(&w->mu);
}

/* Header value of a request, or NULL; the name in any case (stored names are
 * lower-cased, as HTTP header names are case-insensitive). */
const char *mock_header(const struct mock_request *rq, const char *name);
/* The same over packed headers (a journal entry's); the last of the name. */
const char *mock_header_in(const char *headers, size_t len, const char *name);
/* Packed headers as a JSON object (new), for a dump; a value that is not
 * UTF-8 is left out. */
json_t *mock_headers_json(const char *headers, size_t len);
/* n headers packed (malloc'd, names lower-cased), *len its size; NULL when
 * out of memory. The same from an object of strings (other values left
 * out). */
char *mock_headers_pack(const char *const *names, const char *const *values, size_t n, size_t *len);
char *mock_headers_pack_json(const json_t *object, size_t *len);
/* The value at a dotted path ("customer.number", "calls.0.id") in j, or
 * NULL; array elements by index. Borrowed. */
const json_t *mock_json_path(const json_t *j, const char *path);
/* Set a JSON answer: takes the reference to body (serialised later, without
 * the mutex: body may share parts of mock state, which nobody changes). */
void mock_reply_json(struct mock_response *rs, int status, json_t *body);
/* Set a JSON answer written with util/json_write.h's json_out (taken; o is
 * empty afterwards). An error in o answers 500 in the generic shape. */
struct json_out;
void mock_reply_out(struct mock_response *rs, int status, struct json_out *o);
/* Serialise a pending JSON answer into body (idempotent). */
void mock_response_finish(struct mock_response *rs);
/* Forget the answer (body and json) before another replaces it. */
void mock_response_clear(struct mock_response *rs);

#endif
