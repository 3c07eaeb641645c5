#include "runner/expect.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audio/recording.h"
#include "core/timefmt.h"
#include <math.h>
#include "journal.h"
#include "journal_match.h"
#include "mock.h"
#include "mock_server.h"
#include "runner/jsonpos.h"
#include "runner/scenario.h"

static const struct core_run *find_run(const struct expect_input *in, const char *label)
{
    for (size_t i = 0; i < in->n_runs; i++)
        if (strcmp(in->runs[i].label, label) == 0)
            return in->runs[i].run;
    return NULL;
}

/* "file:line:column: " of the value at `path` (a JSON path as jsonpos_find
 * takes it) in the scenario file, so that a failed expectation says where it
 * is written, as a compiler error does; nothing when the file is not known or
 * the value cannot be found. The file is read again only when an expectation
 * fails, which keeps passing scenarios at one read. */
static void at(struct strbuf *f, const struct expect_input *in, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void at(struct strbuf *f, const struct expect_input *in, const char *fmt, ...)
{
    char path[512], err[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    size_t len;
    char *text = in->file ? scenario_read_file(in->file, &len, err, sizeof err) : NULL;
    int line, col;
    if (text && jsonpos_find(text, len, path, &line, &col) == 0)
        sb_printf(f, "%s:%d:%d: ", in->file, line, col);
    free(text);
}

static unsigned check_str(const struct expect_input *in, struct strbuf *f, const char *label,
                          const char *field, const json_t *want, const char *got)
{
    if (!want)
        return 0;
    if (json_is_null(want) && (!got || !*got))
        return 0;
    const char *w = json_string_value(want);
    if (w && got && strcmp(w, got) == 0)
        return 0;
    at(f, in, "expect.runs.%s.%s", label, field);
    if (json_is_null(want)) {
        sb_printf(f, "run '%s': %s: expected none, got \"%s\"\n", label, field, got);
        return 1;
    }
    if (got && *got)
        sb_printf(f, "run '%s': %s: expected \"%s\", got \"%s\"\n", label, field, w, got);
    else
        sb_printf(f, "run '%s': %s: expected \"%s\", got none\n", label, field, w);
    return 1;
}

static unsigned check_int(const struct expect_input *in, struct strbuf *f, const char *label,
                          const char *field, const json_t *want, long long got)
{
    if (!want || json_integer_value(want) == got)
        return 0;
    at(f, in, "expect.runs.%s.%s", label, field);
    sb_printf(f, "run '%s': %s: expected %lld, got %lld\n", label, field,
              (long long)json_integer_value(want), got);
    return 1;
}

/* field is what the line names ("diagnosis"); the key is field_contains. */
static unsigned check_contains(const struct expect_input *in, struct strbuf *f, const char *label,
                               const char *field, const json_t *want, const char *got)
{
    if (!want)
        return 0;
    unsigned bad = 0;
    size_t n = json_is_array(want) ? json_array_size(want) : 1;
    for (size_t i = 0; i < n; i++) {
        const char *w = json_string_value(json_is_array(want) ? json_array_get(want, i) : want);
        if (!got || !strstr(got, w)) {
            if (json_is_array(want))
                at(f, in, "expect.runs.%s.%s_contains[%zu]", label, field, i);
            else
                at(f, in, "expect.runs.%s.%s_contains", label, field);
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
static unsigned check_recording(const struct expect_input *in, const struct core_run *r,
                                const char *label, const json_t *x, struct strbuf *f)
{
    unsigned bad = 0;
    json_t *present = json_object_get(x, "present");
    const char *want_err = json_string_value(json_object_get(x, "error_contains"));
    if (want_err) {
        if (!r->recording_error || !strstr(r->recording_error, want_err)) {
            at(f, in, "expect.runs.%s.recording", label);
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
            at(f, in, "expect.runs.%s.recording", label);
            sb_printf(f, "run '%s': recording: expected none, got %s\n", label,
                      r->recording ? "a recording" : r->recording_error);
            bad++;
        }
        return bad;
    }
    if (!r->recording) {
        at(f, in, "expect.runs.%s.recording", label);
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
            at(f, in, "expect.runs.%s.recording", label);
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
            at(f, in, "expect.runs.%s.recording", label);
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
        at(f, in, "expect.runs.%s", label);
        sb_printf(f, "run '%s': no such run was created (did its step fail?)\n", label);
        return 1;
    }
    unsigned bad = 0;
    char b1[40], b2[40];
    bad +=
        check_str(in, f, label, "status", json_object_get(x, "status"), run_status_name(r->status));
    bad += check_str(in, f, label, "reason", json_object_get(x, "reason"), reason_name(r->reason));
    bad += check_contains(in, f, label, "diagnosis", json_object_get(x, "diagnosis_contains"),
                          r->diagnosis);
    bad += check_contains(in, f, label, "detail", json_object_get(x, "detail_contains"), r->detail);
    bad += check_int(in, f, label, "outbound_dial_window_seconds",
                     json_object_get(x, "outbound_dial_window_seconds"), r->window_seconds);
    bad += check_str(in, f, label, "outbound_dial_window_opens_at",
                     json_object_get(x, "outbound_dial_window_opens_at"),
                     r->window_set ? ts_iso(r->opens_at, b1, sizeof b1) : NULL);
    bad += check_str(in, f, label, "outbound_dial_window_closes_at",
                     json_object_get(x, "outbound_dial_window_closes_at"),
                     r->window_set ? ts_iso(r->closes_at, b2, sizeof b2) : NULL);
    long long dropped = 0;
    for (size_t i = 0; i < r->n_dials; i++)
        dropped += !r->dials[i].answered;
    bad += check_int(in, f, label, "dials", json_object_get(x, "dials"), (long long)r->n_dials);
    bad += check_int(in, f, label, "dropped", json_object_get(x, "dropped"), dropped);
    bad += check_int(in, f, label, "attempts", json_object_get(x, "attempts"), r->attempts);
    bad += check_int(in, f, label, "webhooks", json_object_get(x, "webhooks"), r->webhooks);
    bad += check_contains(in, f, label, "transcript", json_object_get(x, "transcript_contains"),
                          r->transcript);

    if (json_object_get(x, "recording"))
        bad += check_recording(in, r, label, json_object_get(x, "recording"), f);
    const json_t *pc = json_object_get(x, "provider_call");
    if (pc) {
        char st[64] = "", er[160] = "";
        pthread_mutex_lock(in->mu);
        bool call = r->provider_call_id &&
                    mock_world_call_outcome(in->world, provider_name(r->provider),
                                            r->provider_call_id, st, sizeof st, er, sizeof er);
        pthread_mutex_unlock(in->mu);
        if (!call) {
            at(f, in, "expect.runs.%s.provider_call", label);
            sb_printf(f, "run '%s': provider_call: the provider has no call for this run\n", label);
            bad++;
        } else {
            char fl[64];
            snprintf(fl, sizeof fl, "provider_call.status");
            bad += check_str(in, f, label, fl, json_object_get(pc, "status"), st);
            snprintf(fl, sizeof fl, "provider_call.ended_reason");
            bad += check_str(in, f, label, fl, json_object_get(pc, "ended_reason"), er);
        }
    }
    return bad;
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
            hits += journal_match(sel, journal_at(in->journal, k));
        const json_t *cnt = json_object_get(sel, "count");
        bool ok = cnt ? (json_int_t)hits == json_integer_value(cnt) : hits > 0;
        if (!ok) {
            char *desc = json_dumps(sel, JSON_COMPACT | JSON_PRESERVE_ORDER);
            at(f, in, "expect.journal[%zu]", i);
            if (cnt)
                sb_printf(f, "journal[%zu] %s: expected %lld matching request%s, got %zu\n", i,
                          desc, (long long)json_integer_value(cnt),
                          json_integer_value(cnt) == 1 ? "" : "s", hits);
            else
                sb_printf(f, "journal[%zu] %s: expected at least one matching request, got none\n",
                          i, desc);
            free(desc);
            if (hits == 0) {
                /* what came closest, and how it differs (as serve's
                 * POST /_dialsim/verify reports it) */
                json_t *nm = journal_near_misses(in->journal, sel, 3);
                char *text = journal_near_miss_text(nm);
                sb_printf(f, "  closest requests:\n%s", text ? text : "");
                free(text);
                json_decref(nm);
            }
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
