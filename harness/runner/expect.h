/* Checking a scenario's `expect` against what happened: the runs (status,
 * reason, diagnosis, dial-window fields, dials), the provider-side call as the
 * provider mock shows it, and the request journal. */
#ifndef DIALSIM_EXPECT_H
#define DIALSIM_EXPECT_H

#include <jansson.h>
#include <pthread.h>

#include "core/core.h"
#include "runner/strbuf.h"

struct mock_world;
struct journal;

struct expect_run {
    char *label;
    const struct core_run *run; /* borrowed */
};

struct expect_input {
    const json_t *expect;
    const struct expect_run *runs;
    size_t n_runs;
    struct mock_world *world; /* the provider mocks, for provider_call */
    struct journal *journal;
    pthread_mutex_t *mu; /* the mock world's lock, held while reading mocks */
    const char *file;    /* the scenario's path, for file:line:column in failures, or NULL */
};

/* Append one line per failed expectation to fail, starting with the
 * expectation's file:line:column when in->file has it; returns how many failed. */
unsigned expect_check(const struct expect_input *in, struct strbuf *fail);

#endif
