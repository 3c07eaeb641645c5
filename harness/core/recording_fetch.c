/* H-4: after an answered call ends, the core downloads its recording
 * (bounded: CORE_RECORDING_MAX_BYTES, CORE_RECORDING_TIMEOUT_MS), reads it
 * with libsndfile through harness/audio and keeps the analysis on the run. */
#include "core/core_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/recording.h"

struct fetch_ctx {
    struct core_run *run;
    struct provider_req req;
};

static void set_error(struct core_run *r, const char *fmt, const char *a, const char *b)
{
    char buf[512];
    snprintf(buf, sizeof buf, fmt, a, b);
    free(r->recording_error);
    r->recording_error = strdup(buf);
    core_log(r, "recording: %s", buf);
}

/* **decision** (docs/reliability.md#third-party-leaks): a download is opened only
 * in the containers providers serve (WAV: Vapi, Retell; MP3: Vapi, ElevenLabs)
 * and FLAC (scenarios use it), recognised by their first bytes. libsndfile's
 * other readers stay for `dialsim check-recording` on one's own files: OGG,
 * which no provider serves, leaks ~5.8 KB inside libvorbis for each malformed
 * file, and a long-running `dialsim serve` should not pay that to anyone who
 * can answer a recording URL. NULL when the body is none of them. */
static const char *download_container(const unsigned char *b, size_t len)
{
    if (len >= 12 && (!memcmp(b, "RIFF", 4) || !memcmp(b, "RIFX", 4) || !memcmp(b, "RF64", 4)) &&
        !memcmp(b + 8, "WAVE", 4))
        return "wav";
    if (len >= 4 && !memcmp(b, "fLaC", 4))
        return "flac";
    if (len >= 3 && !memcmp(b, "ID3", 3))
        return "mp3";
    if (len >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0) /* an MPEG audio frame's sync */
        return "mp3";
    return NULL;
}

/* libsndfile reads files: the body goes through a private temporary file. */
static void analyse(struct core_run *r, const char *body, size_t len)
{
    if (!download_container((const unsigned char *)body, len)) {
        set_error(r,
                  "not opened: %s; expected an audio file in a container providers serve "
                  "(WAV, MP3) or FLAC%s",
                  len >= 4 && !memcmp(body, "OggS", 4) ? "an OGG file" : "not WAV, FLAC or MP3",
                  "");
        return;
    }
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/dialsim-rec-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        set_error(r, "cannot make a temporary file in %s%s", dir && *dir ? dir : "/tmp", "");
        return;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, body + off, len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(fd);
    struct rec_analysis *a = calloc(1, sizeof *a);
    char err[400];
    if (a && off == len && rec_analyze(path, NULL, a, err, sizeof err) == 0) {
        free(r->recording);
        r->recording = a;
        core_log(r, "recording: %s %s, %d Hz, %d channel%s, %.1f s", a->container, a->encoding,
                 a->sample_rate, a->channels, a->channels == 1 ? "" : "s", a->duration_s);
    } else {
        free(a);
        /* the message names our temporary file: say "the recording" instead,
         * or the same scenario would print differently every time */
        const char *msg = err;
        size_t pl = strlen(path);
        if (strncmp(err, path, pl) == 0 && err[pl] == ':')
            msg = err + pl + 1 + (err[pl + 1] == ' ');
        set_error(r, "%s%s", off == len ? msg : "could not write the temporary file", "");
    }
    unlink(path);
}

static void on_recording(void *arg, const struct ds_http_response *resp)
{
    struct fetch_ctx *f = arg;
    struct core_run *r = f->run;
    char st[16];
    if (resp->outcome != DS_HTTP_RESPONSE) {
        set_error(r, "download failed: %s%s", resp->error, "");
    } else if (resp->status != 200) {
        snprintf(st, sizeof st, "%ld", resp->status);
        set_error(r, "download answered HTTP %s%s", st, "");
    } else {
        analyse(r, resp->body, resp->body_len);
    }
    provider_req_clear(&f->req);
    core_run_release(r);
    free(f);
}

void core_fetch_recording(struct core_run *r, const char *url)
{
    const struct provider_ops *ops = core_provider_ops(r->provider);
    const struct core_agent *a = core_agent_get(r->core, r->agent_id);
    r->recording_requested = true;
    struct fetch_ctx *f = calloc(1, sizeof *f);
    if (!f || !ops || !ops->build_recording ||
        ops->build_recording(r->core->env.provider_base_url[r->provider],
                             a ? a->provider_api_key : NULL, r->provider_call_id, url,
                             &f->req) != 0) {
        free(f);
        set_error(r, "no way to fetch a %s recording%s", ops ? ops->display : "?", "");
        return;
    }
    f->run = r;
    core_run_hold(r);
    struct ds_http_request hr = {
        .method = f->req.method,
        .url = f->req.url,
        .headers = f->req.headers,
        .n_headers = f->req.n_headers,
        .timeout_ms = CORE_RECORDING_TIMEOUT_MS,
        .max_body = CORE_RECORDING_MAX_BYTES,
    };
    struct ds_http *h = &r->core->env.http;
    if (h->ops->send(h->ctx, &hr, on_recording, f) != 0) {
        provider_req_clear(&f->req);
        core_run_release(r);
        free(f);
        set_error(r, "could not send the download request%s%s", "", "");
    }
}
