/* Recording generation (H-4): synthetic calls written with libsndfile, for
 * the provider mocks and the tests.
 *
 * A turn is a voice-like signal, deterministic for a seed: five phase-locked
 * harmonics of a 100-220 Hz fundamental that drifts slowly (intonation), under
 * a 3-6 Hz syllable envelope that never quite closes, so every 20 ms window
 * of a turn is speech to the analyser and every window between turns is
 * not. A light uniform noise floor sits under everything, as on a phone line. */
#include "audio/recording.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 4096
#define TWO_PI 6.283185307179586
#define HARMONICS 5
/* RMS of the signal below for amplitude 1: harmonics 1/k (0.855) times the
 * envelope 0.35 + 0.65 |sin| (0.790). */
#define VOICE_RMS 0.675

static const struct {
    int sf;
    const char *name;
} formats[REC_FMT__COUNT] = {
    [REC_FMT_WAV] = {SF_FORMAT_WAV | SF_FORMAT_PCM_16, "wav"},
    [REC_FMT_FLAC] = {SF_FORMAT_FLAC | SF_FORMAT_PCM_16, "flac"},
    [REC_FMT_OGG_VORBIS] = {SF_FORMAT_OGG | SF_FORMAT_VORBIS, "ogg_vorbis"},
    [REC_FMT_OGG_OPUS] = {SF_FORMAT_OGG | SF_FORMAT_OPUS, "ogg_opus"},
    [REC_FMT_MP3] = {SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, "mp3"},
};

const char *rec_format_name(enum rec_format f)
{
    return (unsigned)f < REC_FMT__COUNT ? formats[f].name : NULL;
}

/* ------------------------------------------------- run-time format support */

/* A write-only sink that keeps nothing: opening an encoder on it is the one
 * sure way to learn whether this libsndfile (and the codec library it was
 * built with) accepts a format at a rate, without touching the disk. */
struct sink {
    sf_count_t pos, len;
};

static sf_count_t sink_len(void *u)
{
    return ((struct sink *)u)->len;
}

static sf_count_t sink_seek(sf_count_t off, int whence, void *u)
{
    struct sink *s = u;
    sf_count_t base = whence == SEEK_CUR ? s->pos : whence == SEEK_END ? s->len : 0;
    s->pos = base + off;
    return s->pos;
}

static sf_count_t sink_read(void *p, sf_count_t n, void *u)
{
    (void)p, (void)n, (void)u;
    return 0;
}

static sf_count_t sink_write(const void *p, sf_count_t n, void *u)
{
    struct sink *s = u;
    (void)p;
    s->pos += n;
    if (s->pos > s->len)
        s->len = s->pos;
    return n;
}

static sf_count_t sink_tell(void *u)
{
    return ((struct sink *)u)->pos;
}

static bool major_known(int major)
{
    int count = 0;
    sf_command(NULL, SFC_GET_FORMAT_MAJOR_COUNT, &count, sizeof count);
    for (int i = 0; i < count; i++) {
        SF_FORMAT_INFO fi = {.format = i};
        if (sf_command(NULL, SFC_GET_FORMAT_MAJOR, &fi, sizeof fi) == 0 && fi.format == major)
            return true;
    }
    return false;
}

bool rec_format_supported(enum rec_format f, int sample_rate, int channels)
{
    if ((unsigned)f >= REC_FMT__COUNT || sample_rate < 1 || channels < 1)
        return false;
    SF_INFO info = {.samplerate = sample_rate, .channels = channels, .format = formats[f].sf};
    if (!major_known(formats[f].sf & SF_FORMAT_TYPEMASK) || !sf_format_check(&info))
        return false;
    SF_VIRTUAL_IO io = {sink_len, sink_seek, sink_read, sink_write, sink_tell};
    struct sink s = {0};
    SNDFILE *sf = sf_open_virtual(&io, SFM_WRITE, &info, &s);
    if (!sf)
        return false;
    sf_close(sf);
    return true;
}

/* ---------------------------------------------------------------- synthesis */

struct voice {
    int channel; /* 0-based; -1 = every channel (mono) */
    double start, end;
    double f0, syl_rate, syl_phase, amp;
};

/* splitmix64: turn parameters from (seed, turn index). */
static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static double unit(uint64_t *state)
{
    *state = mix(*state);
    return (double)(*state >> 11) / 9007199254740992.0;
}

static double voice_at(const struct voice *v, double t)
{
    if (t < v->start || t >= v->end)
        return 0;
    double tau = t - v->start;
    /* 10 ms ramps at the edges: no click, and no spurious full-scale step. */
    double edge = fmin(1.0, fmin(tau, v->end - t) / 0.010);
    double env = 0.35 + 0.65 * fabs(sin(M_PI * v->syl_rate * tau + v->syl_phase));
    /* f0 (1 + 0.08 sin(2 pi 0.7 tau)), integrated. */
    double th = TWO_PI * v->f0 * (tau + 0.08 / (TWO_PI * 0.7) * (1 - cos(TWO_PI * 0.7 * tau)));
    double s1 = sin(th), c2 = 2 * cos(th);
    double prev = 0, cur = s1, sum = 0;
    for (int k = 1; k <= HARMONICS; k++) { /* sin(k th) by recurrence */
        sum += cur / k;
        double next = c2 * cur - prev;
        prev = cur;
        cur = next;
    }
    return v->amp * edge * env * sum;
}

static int fail(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return -1;
}

static int validate(const struct rec_spec *s, char *err, size_t n)
{
    if ((unsigned)s->format >= REC_FMT__COUNT)
        return fail(err, n, "spec.format %d is not a rec_format", (int)s->format);
    if (s->sample_rate < 1000 || s->sample_rate > 384000)
        return fail(err, n, "spec.sample_rate is %d; expected 1000 to 384000 Hz", s->sample_rate);
    if (s->header_rate != 0 && (s->header_rate < 1000 || s->header_rate > 384000))
        return fail(err, n, "spec.header_rate is %d; expected 0 or 1000 to 384000 Hz",
                    s->header_rate);
    if (s->channels < 1 || s->channels > 2)
        return fail(err, n, "spec.channels is %d; expected 1 or 2", s->channels);
    if (!(s->duration_s >= 0 && s->duration_s <= 86400))
        return fail(err, n, "spec.duration_s is %g; expected 0 to 86400 s", s->duration_s);
    if (!(s->cut_fraction >= 0 && s->cut_fraction < 1))
        return fail(err, n, "spec.cut_fraction is %g; expected 0 (off) or 0 < f < 1",
                    s->cut_fraction);
    if (s->silent_channel < 0 || s->silent_channel > s->channels)
        return fail(err, n, "spec.silent_channel is %d; expected 0 (none) to %d", s->silent_channel,
                    s->channels);
    if (s->n_turns > 0 && !s->turns)
        return fail(err, n, "spec.turns is NULL with n_turns %zu", s->n_turns);
    for (size_t i = 0; i < s->n_turns; i++) {
        const struct rec_turn *t = &s->turns[i];
        if (t->channel < 1 || t->channel > 2)
            return fail(err, n, "spec.turns[%zu].channel is %d; expected 1 or 2", i, t->channel);
        if (!(t->start_s >= 0 && t->end_s > t->start_s))
            return fail(err, n, "spec.turns[%zu] is %g..%g s; expected 0 <= start < end", i,
                        t->start_s, t->end_s);
    }
    return 0;
}

static void make_voices(const struct rec_spec *s, struct voice *v)
{
    double level = s->level_dbfs != 0 ? s->level_dbfs : -20.0;
    double amp = pow(10, (level + s->clip_gain_db) / 20) / VOICE_RMS;
    for (size_t i = 0; i < s->n_turns; i++) {
        uint64_t st = (uint64_t)s->seed * 0x100000001B3ULL + i;
        const struct rec_turn *t = &s->turns[i];
        bool dropped =
            s->silent_channel != 0 && (s->channels == 1 || t->channel == s->silent_channel);
        v[i] = (struct voice){
            .channel = s->channels == 1 ? -1 : t->channel - 1,
            .start = t->start_s + s->dead_air_s,
            .end = t->end_s + s->dead_air_s,
            .f0 = 100 + 120 * unit(&st),
            .syl_rate = 3 + 3 * unit(&st),
            .syl_phase = M_PI * unit(&st),
            .amp = dropped ? 0 : amp,
        };
    }
}

/* Fills frames [f0, f0 + k) of every channel, as floats in full-scale units.
 * live[] (room for n_turns) receives the turns that overlap the block, so a
 * long call with many turns costs per sample only the turns speaking then. */
static void synth_block(const struct rec_spec *s, const struct voice *v, int64_t f0, size_t k,
                        uint32_t *rng, double noise_amp, const struct voice **live, float *out)
{
    double t0 = (double)f0 / s->sample_rate, t1 = (double)(f0 + (int64_t)k) / s->sample_rate;
    size_t nl = 0;
    for (size_t j = 0; j < s->n_turns; j++)
        if (v[j].amp != 0 && v[j].start < t1 && v[j].end > t0)
            live[nl++] = &v[j];
    for (size_t i = 0; i < k; i++) {
        double t = (double)(f0 + (int64_t)i) / s->sample_rate;
        for (int c = 0; c < s->channels; c++) {
            double x = 0;
            for (size_t j = 0; j < nl; j++)
                if (live[j]->channel == c || live[j]->channel < 0)
                    x += voice_at(live[j], t);
            /* xorshift32: the noise floor, one draw per sample, always. */
            *rng ^= *rng << 13;
            *rng ^= *rng >> 17;
            *rng ^= *rng << 5;
            x += noise_amp * ((double)*rng / 2147483648.0 - 1.0);
            out[i * (size_t)s->channels + (size_t)c] = (float)x;
        }
    }
}

static int write_text(const char *path, const char *body, char *err, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return fail(err, n, "%s: cannot create: %s", path, strerror(errno));
    size_t len = strlen(body);
    int bad = fwrite(body, 1, len, f) != len;
    bad |= fclose(f) != 0;
    return bad ? fail(err, n, "%s: cannot write: %s", path, strerror(errno)) : 0;
}

static int write_audio(const char *path, const struct rec_spec *s, char *err, size_t n)
{
    int rate = s->header_rate ? s->header_rate : s->sample_rate;
    SF_INFO info = {.samplerate = rate, .channels = s->channels, .format = formats[s->format].sf};
    if (!rec_format_supported(s->format, rate, s->channels))
        return fail(err, n, "spec.format %s at %d Hz, %d channel(s) is not supported by %s",
                    formats[s->format].name, rate, s->channels, sf_version_string());
    struct voice *v = calloc(s->n_turns ? s->n_turns : 1, sizeof *v);
    const struct voice **live = calloc(s->n_turns ? s->n_turns : 1, sizeof *live);
    float *buf = malloc(BLOCK * sizeof(float) * (size_t)s->channels);
    short *pcm = malloc(BLOCK * sizeof(short) * (size_t)s->channels);
    SNDFILE *sf = NULL;
    int rc = -1;
    if (!v || !live || !buf || !pcm) {
        fail(err, n, "%s: out of memory", path);
        goto out;
    }
    sf = sf_open(path, SFM_WRITE, &info);
    if (!sf) {
        fail(err, n, "%s: %s", path, sf_strerror(NULL));
        goto out;
    }
    make_voices(s, v);
    double noise_db = s->noise_dbfs != 0 ? s->noise_dbfs : -60.0;
    double noise_amp = noise_db <= REC_NO_NOISE ? 0 : pow(10, noise_db / 20) * sqrt(3.0);
    uint32_t rng = s->seed * 2654435761u ^ 0x6D2B79F5u;
    if (rng == 0)
        rng = 1;
    double dur = s->stop_at_s > 0 && s->stop_at_s < s->duration_s ? s->stop_at_s : s->duration_s;
    int64_t total = llround(dur * s->sample_rate);
    bool as_pcm = (formats[s->format].sf & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16;
    for (int64_t f = 0; f < total; f += BLOCK) {
        size_t k = (size_t)(total - f < BLOCK ? total - f : BLOCK);
        size_t ns = k * (size_t)s->channels;
        synth_block(s, v, f, k, &rng, noise_amp, live, buf);
        sf_count_t put;
        if (as_pcm) { /* our own rounding and saturation: the same bytes everywhere */
            for (size_t i = 0; i < ns; i++) {
                long q = lrintf(buf[i] * 32768.0f);
                pcm[i] = (short)(q > 32767 ? 32767 : q < -32768 ? -32768 : q);
            }
            put = sf_writef_short(sf, pcm, (sf_count_t)k);
        } else {
            for (size_t i = 0; i < ns; i++)
                buf[i] = buf[i] > 1.0f ? 1.0f : buf[i] < -1.0f ? -1.0f : buf[i];
            put = sf_writef_float(sf, buf, (sf_count_t)k);
        }
        if (put != (sf_count_t)k) {
            fail(err, n, "%s: %s", path, sf_strerror(sf));
            goto out;
        }
    }
    rc = 0;
out:
    if (sf && sf_close(sf) != 0 && rc == 0)
        rc = fail(err, n, "%s: %s", path, sf_strerror(NULL));
    free(v);
    free(live);
    free(buf);
    free(pcm);
    return rc;
}

/* Keeps the first fraction f of the file's bytes: the header still claims
 * the whole length, as when a download or an upload stops half way. */
static int cut_file(const char *path, double f, char *err, size_t n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return fail(err, n, "%s: cannot reopen: %s", path, strerror(errno));
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fclose(fp);
    if (size < 0 || truncate(path, (off_t)((double)size * f)) != 0)
        return fail(err, n, "%s: cannot cut: %s", path, strerror(errno));
    return 0;
}

int rec_generate(const char *path, const struct rec_spec *spec, char *err, size_t n)
{
    if (validate(spec, err, n))
        return -1;
    if (spec->body == REC_BODY_EMPTY)
        return write_text(path, "", err, n);
    if (spec->body == REC_BODY_NOT_AUDIO)
        return write_text(path,
                          "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
                          "<body><h1>Not Found</h1><p>The recording is not available.</p>"
                          "</body></html>\n",
                          err, n);
    if (write_audio(path, spec, err, n))
        return -1;
    return spec->cut_fraction > 0 ? cut_file(path, spec->cut_fraction, err, n) : 0;
}
