/* Shared by the core's files (core.c, dispatch.c, gate.c, diagnosis.c, …);
 * not part of the core's API. */
#ifndef DIALSIM_CORE_INTERNAL_H
#define DIALSIM_CORE_INTERNAL_H

#include "core/core.h"
#include "core/provider.h"

struct core_project {
    char *id;
    char *api_key;
    bool fetch_recordings; /* H-4: download and analyse answered calls' recordings */
};

struct core {
    struct core_env env;
    struct core_project *projects;
    size_t n_projects;
    struct core_agent **agents;
    size_t n_agents;
    struct core_evaluator **evaluators;
    size_t n_evaluators;
    struct core_run **runs;
    size_t n_runs;
    uint64_t next_seq; /* the last run's seq (answered calls' tokens) */
};

const struct provider_ops *core_provider_ops(enum ds_provider p);
int64_t core_now(const struct core *c);
/* Append a line to the run's event log (printf-style). */
void core_log(struct core_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Tell the env's run observer (if any) that r changed. */
void core_run_changed(struct core_run *r);
/* Move a run to a final status with a reason and detail (detail may be NULL). */
void core_finish(struct core_run *r, enum ds_run_status st, enum ds_reason reason,
                 const char *detail);
/* Start following the provider call to its end, to name the provider-side symptom. */
void core_follow_provider_call(struct core_run *r);
/* Apply what the provider says of the run's call (from a poll or a webhook). */
void core_apply_provider_state(struct core_run *r, const struct provider_call_state *st,
                               const char *source);
/* Download the recording of the run's answered call and analyse it (H-4). */
void core_fetch_recording(struct core_run *r, const char *url);
/* Follow the provider call from at_ms on (polls until it has ended). */
void core_follow_provider_call_at(struct core_run *r, int64_t at_ms);
/* CI-6: the 5 minutes after the call ended passed without a transcript. */
void core_transcript_timeout(void *arg);
/* TU-2, OV-1..OV-4: is the agent's trigger configuration acceptable? */
int trigger_config_check(const struct core *c, const struct core_agent *a, char *err, size_t n);
/* TU-1, OV-5: POST the run's trigger instead of calling the provider. */
bool core_agent_has_trigger(const struct core_agent *a);
void trigger_dispatch(struct core_run *r);
/* Recompute r->diagnosis from what the run knows (diagnosis.c). */
void diagnosis_update(struct core *c, struct core_run *r);
char *core_strdup(const char *s);
/* Replace *dst with a copy of s (NULL ok); the old string is freed. */
void core_set_str(char **dst, const char *s);
/* The project with this id, or NULL; borrowed. */
struct core_project *core_project_find(const struct core *c, const char *id);
/* A timer or request that will call back with the run is scheduled / has
 * called back: a held run is never evicted (core_runs_evict). */
static inline void core_run_hold(struct core_run *r)
{
    r->holds++;
}
static inline void core_run_release(struct core_run *r)
{
    if (r->holds)
        r->holds--;
}
/* AO-1: ask the agent's provider (or its trigger) for the run's call (dispatch.c). */
void core_dispatch(struct core_run *r);
/* Issue 12: ask the agent's provider for the n pending runs' calls as one
 * batch (batch.c); runs borrowed, each stays the core's. */
void core_dispatch_batch(struct core *c, const struct core_agent *a, struct core_run **runs,
                         size_t n);
/* Read the pending run's call during its dial window (dispatch.c). */
void core_window_poll_start(struct core_run *r);
/* The same, the first read first_ms from now. */
void core_window_poll_start_in(struct core_run *r, int64_t first_ms);

#endif
