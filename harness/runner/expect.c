#include "runner/expect.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audio/recording.h"
#include "core/timefmt.h"
#include <math.h>
#include "journal.h"
#include "mock.h"
#include "mock_server.h"

static const struct core_run *find_run(const struct expect_input *in, const char *label)
{
    for (size_t i = 0; i < in->n_runs; i++)
        if (strcmp(in->runs[i].label, label) == 0)
            return in->runs[i].run;
    return NULL;
}

static unsigned check_str(struct strbuf *f, const char *label, const char *field,
                          const json_t *want, const char *got)
{
    if (!want)
        return 0;
    if (json_is_null(want)) {
        if (!got || !*got)
            return 0;
        sb_printf(f, "run '%s': %s: expected none, got \"%s\"\n", label, field, got);
        return 1;
    }
    const char *w = json_string_value(want);
    if (got && strcmp(w, got) == 0)
        return 0;
    if (got && *got)
        sb_printf(f, "run '%s': %s: expected \"%s\", got \"%s\"\n", label, field, w, got);
    else
        sb_printf(f, "run '%s': %s: expected \"%s\", got none\n", label, field, w);
    return 1;
}

static unsigned check_int(struct strbuf *f, const char *label, const char *field,
                          const json_t *want, long long got)
{
    if (!want || json_integer_value(want) == got)
        return 0;
    sb_printf(f, "run '%s': %s: expected %lld, got %lld\n", label, field,
              (long long)json_integer_value(want), got);
    return 1;
}

static unsigned check_contains(struct strbuf *f, const char *label, const char *field,
                               const json_t *want, const char *got)
{
    if (!want)
        return 0;
    unsigned bad = 0;
    size_t n = json_is_array(want) ? json_array_size(want) : 1;
    for (size_t i = 0; i < n; i++) {
        const char *w = json_string_value(json_is_array(want) ? json_array_get(want, i) : want);
        if (!got || !strstr(got, w)) {
            sb_printf(f, "run '%s': %s: expected to contain \"%s\", got \"%s\"\n", label, field, w,
                      got ? got : "");
            bad++;
        }
    }
    return bad;
}

static double num(const json_t *o, const char *k, double dflt)
{
    json_t *v = json_object_get(o, k);
    return v ? json_number_value(v) : dflt;
}

/* H-4: the run's recording against expect.runs.<label>.recording. Every
 * defect the checker names must be listed in "defects", and every listed one
 * must be named. */
static unsigned check_recording(const struct core_run *r, const char *label, const json_t *x,
                                struct strbuf *f)
{
    unsigned bad = 0;
    json_t *present = json_object_get(x, "present");
    const char *want_err = json_string_value(json_object_get(x, "error_contains"));
    if (want_err) {
        if (!r->recording_error || !strstr(r->recording_error, want_err)) {
            sb_printf(f, "run '%s': recording: expected an error containing \"%s\", got %s%s%s\n",
                      label, want_err, r->recording_error ? "\"" : "",
                      r->recording_error ? r->recording_error : "none",
                      r->recording_error ? "\"" : "");
            bad++;
        }
        return bad;
    }
    if (present && json_is_false(present)) {
        if (r->recording || r->recording_error) {
            sb_printf(f, "run '%s': recording: expected none, got %s\n", label,
                      r->recording ? "a recording" : r->recording_error);
            bad++;
        }
        return bad;
    }
    if (!r->recording) {
        sb_printf(f, "run '%s': recording: expected one, got %s\n", label,
                  r->recording_error ? r->recording_error
                                     : "none (was the project's fetch_recordings on?)");
        return 1;
    }
    struct rec_expect e;
    rec_expect_init(&e);
    e.container = json_string_value(json_object_get(x, "format"));
    e.encoding = json_string_value(json_object_get(x, "encoding"));
    e.sample_rate = (int)json_integer_value(json_object_get(x, "sample_rate"));
    e.channels = (int)json_integer_value(json_object_get(x, "channels"));
    e.duration_s = num(x, "duration", e.duration_s);
    e.duration_tol_s = num(x, "tolerance", e.duration_tol_s);
    e.min_active_ratio = num(x, "min_active", e.min_active_ratio);
    e.max_silence_s = num(x, "max_silence", e.max_silence_s);
    e.max_dead_air_s = num(x, "max_dead_air", e.max_dead_air_s);
    e.max_clip_ratio = num(x, "max_clipping", e.max_clip_ratio);
    e.min_rms_dbfs = num(x, "min_level", e.min_rms_dbfs);
    e.max_rms_dbfs = num(x, "max_level", e.max_rms_dbfs);
    struct rec_failures got;
    rec_check(r->recording, &e, &got);
    const json_t *want = json_object_get(x, "defects");
    for (size_t i = 0; i < got.n; i++) {
        const char *name = rec_defect_name(got.item[i].defect);
        bool listed = false;
        size_t k;
        const json_t *d;
        json_array_foreach(want, k, d) listed = listed || !strcmp(json_string_value(d), name);
        if (!listed) {
            sb_printf(f, "run '%s': recording: %s [%s]\n", label, got.item[i].text, name);
            bad++;
        }
    }
    size_t k;
    const json_t *d;
    json_array_foreach(want, k, d)
    {
        bool found = false;
        for (size_t i = 0; i < got.n; i++)
            found = found || !strcmp(rec_defect_name(got.item[i].defect), json_string_value(d));
        if (!found) {
            sb_printf(f, "run '%s': recording: expected the checker to name %s, it did not\n",
                      label, json_string_value(d));
            bad++;
        }
    }
    return bad;
}

static unsigned check_run(const struct expect_input *in, const char *label, const json_t *x,
                          struct strbuf *f)
{
    const struct core_run *r = find_run(in, label);
    if (!r) {
        sb_printf(f, "run '%s': no such run was created (did its step fail?)\n", label);
        return 1;
    }
    unsigned bad = 0;
    char b1[40], b2[40];
    bad += check_str(f, label, "status", json_object_get(x, "status"), run_status_name(r->status));
    bad += check_str(f, label, "reason", json_object_get(x, "reason"), reason_name(r->reason));
    bad += check_contains(f, label, "diagnosis", json_object_get(x, "diagnosis_contains"),
                          r->diagnosis);
    bad += check_contains(f, label, "detail", json_object_get(x, "detail_contains"), r->detail);
    bad += check_int(f, label, "outbound_dial_window_seconds",
                     json_object_get(x, "outbound_dial_window_seconds"), r->window_seconds);
    bad += check_str(f, label, "outbound_dial_window_opens_at",
                     json_object_get(x, "outbound_dial_window_opens_at"),
                     r->window_set ? ts_iso(r->opens_at, b1, sizeof b1) : NULL);
    bad += check_str(f, label, "outbound_dial_window_closes_at",
                     json_object_get(x, "outbound_dial_window_closes_at"),
                     r->window_set ? ts_iso(r->closes_at, b2, sizeof b2) : NULL);
    long long dropped = 0;
    for (size_t i = 0; i < r->n_dials; i++)
        dropped += !r->dials[i].answered;
    bad += check_int(f, label, "dials", json_object_get(x, "dials"), (long long)r->n_dials);
    bad += check_int(f, label, "dropped", json_object_get(x, "dropped"), dropped);
    bad += check_int(f, label, "attempts", json_object_get(x, "attempts"), r->attempts);
    bad += check_int(f, label, "webhooks", json_object_get(x, "webhooks"), r->webhooks);
    bad += check_contains(f, label, "transcript", json_object_get(x, "transcript_contains"),
                          r->transcript);

    if (json_object_get(x, "recording"))
        bad += check_recording(r, label, json_object_get(x, "recording"), f);
    const json_t *pc = json_object_get(x, "provider_call");
    if (pc) {
        char st[64] = "", er[160] = "";
        pthread_mutex_lock(in->mu);
        bool call = r->provider_call_id &&
                    mock_world_call_outcome(in->world, provider_name(r->provider),
                                            r->provider_call_id, st, sizeof st, er, sizeof er);
        pthread_mutex_unlock(in->mu);
        if (!call) {
            sb_printf(f, "run '%s': provider_call: the provider has no call for this run\n", label);
            bad++;
        } else {
            char fl[64];
            snprintf(fl, sizeof fl, "provider_call.status");
            bad += check_str(f, label, fl, json_object_get(pc, "status"), st);
            snprintf(fl, sizeof fl, "provider_call.ended_reason");
            bad += check_str(f, label, fl, json_object_get(pc, "ended_reason"), er);
        }
    }
    return bad;
}

/* Exact, or an fnmatch glob (a star matches any run of characters, slashes too). */
static bool path_matches(const char *pattern, const char *path)
{
    return fnmatch(pattern, path, 0) == 0;
}

static bool entry_matches(const json_t *sel, const struct journal_entry *e)
{
    const char *mock = json_string_value(json_object_get(sel, "mock"));
    const char *method = json_string_value(json_object_get(sel, "method"));
    const char *path = json_string_value(json_object_get(sel, "path"));
    if ((mock && strcmp(mock, e->mock)) || (method && strcasecmp(method, e->method)) ||
        (path && !path_matches(path, e->path)))
        return false;
    const json_t *st = json_object_get(sel, "status");
    if (st && json_integer_value(st) != e->status)
        return false;
    const char *ac = json_string_value(json_object_get(sel, "answer_contains"));
    if (ac && (!e->answer || !strstr(e->answer, ac)))
        return false;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)json_object_get(sel, "headers"), k, v)
    {
        const char *got = mock_header_in(e->headers, k);
        if (!got || strcmp(got, json_string_value(v)) != 0)
            return false;
    }
    json_object_foreach((json_t *)json_object_get(sel, "body"), k, v)
    {
        const json_t *got = mock_json_path(e->json, k);
        if (!got || !json_equal((json_t *)got, (json_t *)v))
            return false;
    }
    /* issue 14: a key the request must not carry, and the body as a whole */
    size_t i;
    json_array_foreach((json_t *)json_object_get(sel, "body_absent"), i, v)
    {
        if (e->json && mock_json_path(e->json, json_string_value(v)))
            return false;
    }
    const json_t *exact = json_object_get(sel, "body_exact");
    if (exact && (!e->json || !json_equal((json_t *)exact, e->json)))
        return false;
    return true;
}

static unsigned check_journal(const struct expect_input *in, struct strbuf *f)
{
    unsigned bad = 0;
    size_t i;
    const json_t *sel;
    pthread_mutex_lock(in->mu);
    json_array_foreach(json_object_get(in->expect, "journal"), i, sel)
    {
        size_t hits = 0;
        for (size_t k = 0; k < journal_count(in->journal); k++)
            hits += entry_matches(sel, journal_at(in->journal, k));
        const json_t *cnt = json_object_get(sel, "count");
        bool ok = cnt ? (json_int_t)hits == json_integer_value(cnt) : hits > 0;
        if (!ok) {
            char *desc = json_dumps(sel, JSON_COMPACT | JSON_PRESERVE_ORDER);
            if (cnt)
                sb_printf(f, "journal[%zu] %s: expected %lld matching request%s, got %zu\n", i,
                          desc, (long long)json_integer_value(cnt),
                          json_integer_value(cnt) == 1 ? "" : "s", hits);
            else
                sb_printf(f, "journal[%zu] %s: expected at least one matching request, got none\n",
                          i, desc);
            free(desc);
            bad++;
        }
    }
    pthread_mutex_unlock(in->mu);
    return bad;
}

unsigned expect_check(const struct expect_input *in, struct strbuf *f)
{
    unsigned bad = 0;
    const char *label;
    const json_t *x;
    json_object_foreach((json_t *)json_object_get(in->expect, "runs"), label, x) bad +=
        check_run(in, label, x, f);
    bad += check_journal(in, f);
    return bad;
}
