#include "recording.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void mock_recording_config_read(struct mock_recording_config *c, const json_t *j,
                                enum rec_format format, int sample_rate, int channels)
{
    memset(c, 0, sizeof *c);
    c->format = format;
    c->sample_rate = sample_rate;
    c->channels = channels;
    const char *f = json_string_value(json_object_get(j, "format"));
    static const struct {
        const char *name;
        enum rec_format f;
    } names[] = {{"wav", REC_FMT_WAV},
                 {"flac", REC_FMT_FLAC},
                 {"ogg", REC_FMT_OGG_VORBIS},
                 {"opus", REC_FMT_OGG_OPUS},
                 {"mp3", REC_FMT_MP3}};
    for (size_t i = 0; f && i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(f, names[i].name))
            c->format = names[i].f;
    json_t *x;
    if ((x = json_object_get(j, "sample_rate")))
        c->sample_rate = (int)json_integer_value(x);
    if ((x = json_object_get(j, "channels")))
        c->channels = (int)json_integer_value(x);
    const char *d = json_string_value(json_object_get(j, "defect"));
    snprintf(c->defect, sizeof c->defect, "%s", d ? d : "");
}

const char *mock_recording_mime(enum rec_format f)
{
    switch (f) {
    case REC_FMT_FLAC:
        return "audio/flac";
    case REC_FMT_OGG_VORBIS:
    case REC_FMT_OGG_OPUS:
        return "audio/ogg";
    case REC_FMT_MP3:
        return "audio/mpeg";
    default:
        return "audio/wav";
    }
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

const char *mock_turn_text(size_t i, int channel)
{
    static const char *agent[] = {
        "Hello, this is the assistant calling.",   "I am calling about your appointment next week.",
        "Would Tuesday at ten work for you?",      "Great, you are all set.",
        "Is there anything else I can help with?", "Thank you, goodbye."};
    static const char *customer[] = {"Hi, I can talk now.",     "Oh yes, what about it?",
                                     "Tuesday at ten is fine.", "Thanks.",
                                     "No, that is all.",        "Bye."};
    const char **lines = channel == 1 ? agent : customer;
    return lines[(i / 2) % 6];
}

/* The conversation: the agent opens, then the two alternate, 0.7 s apart. */
static size_t turns_for(const struct mock_call *c, double dur, struct rec_turn *t, size_t max)
{
    uint32_t h = hash(c->id);
    double at = 0.5;
    size_t n = 0;
    for (int who = 1; n < max && at < dur - 0.5; who = 3 - who) {
        h = h * 1103515245u + 12345u;
        double len = 1.5 + (double)(h >> 16 & 0xff) / 255.0 * 3.0; /* 1.5 to 4.5 s */
        double end = at + len < dur - 0.2 ? at + len : dur - 0.2;
        t[n++] = (struct rec_turn){who, at, end};
        at = end + 0.7;
    }
    return n;
}

size_t mock_call_turns(const struct mock_call *c, struct rec_turn *turns, size_t max)
{
    double dur = mock_call_duration_s(c);
    return c->answered_at && dur > 0 ? turns_for(c, dur, turns, max) : 0;
}

void mock_recording_reply(struct mock_world *w, const struct mock_recording_config *cfg,
                          const struct mock_call *call, enum mock_rec_variant v,
                          struct mock_response *rs)
{
    double dur = mock_call_duration_s(call);
    if (!call->answered_at || call->state != MC_ENDED || dur <= 0) {
        mock_reply_json(rs, 404, json_pack("{s:s}", "message", "Recording not found"));
        return;
    }
    struct rec_turn all[64], turns[64];
    size_t n_all = turns_for(call, dur, all, 64), n = 0;
    int channels = v == MOCK_REC_STEREO ? 2 : v == MOCK_REC_AS_CONFIGURED ? cfg->channels : 1;
    for (size_t i = 0; i < n_all; i++) {
        if ((v == MOCK_REC_AGENT && all[i].channel != 1) ||
            (v == MOCK_REC_CUSTOMER && all[i].channel != 2))
            continue;
        turns[n] = all[i];
        if (channels == 1)
            turns[n].channel = 1; /* mono: everybody on the one channel */
        n++;
    }
    struct rec_spec spec = {
        .format = cfg->format,
        .sample_rate = cfg->sample_rate,
        .channels = channels,
        .duration_s = dur,
        .turns = turns,
        .n_turns = n,
        .seed = hash(call->id),
    };
    const char *d = cfg->defect;
    if (!strcmp(d, "dead_air"))
        spec.dead_air_s = 3.0;
    else if (!strcmp(d, "silent_channel"))
        spec.silent_channel = channels;
    else if (!strcmp(d, "truncated"))
        spec.cut_fraction = 0.5;
    else if (!strcmp(d, "wrong_rate"))
        spec.header_rate = cfg->sample_rate == 8000 ? 16000 : 8000;
    else if (!strcmp(d, "clipping"))
        spec.clip_gain_db = 30;
    else if (!strcmp(d, "zero_length"))
        spec.body = REC_BODY_EMPTY;
    else if (!strcmp(d, "not_audio"))
        spec.body = REC_BODY_NOT_AUDIO;
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/rec-%s-%d.bin", w->tmpdir ? w->tmpdir : "/tmp", call->id,
             (int)v);
    FILE *f = NULL;
    char *buf = NULL;
    long len = -1;
    if (rec_generate(path, &spec, err, sizeof err) == 0 && (f = fopen(path, "rb"))) {
        fseek(f, 0, SEEK_END);
        len = ftell(f);
        rewind(f);
        buf = malloc(len > 0 ? (size_t)len : 1);
        if (buf && len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len)
            len = -1;
        fclose(f);
    }
    unlink(path);
    if (!buf || len < 0) {
        free(buf);
        mock_reply_json(rs, 500, json_pack("{s:s}", "message", err[0] ? err : "recording failed"));
        return;
    }
    mock_response_clear(rs);
    rs->status = 200;
    rs->body = buf;
    rs->body_len = (size_t)len;
    /* a "not audio" body still claims to be audio, as a broken storage URL would */
    rs->content_type = mock_recording_mime(cfg->format);
    if (len == 0) {
        /* zero-length: body_len 0 would read as a C string; send an empty one */
        free(rs->body);
        rs->body = strdup("");
    }
}
