/* Recording analysis (H-4): one pass over the file in fixed blocks.
 *
 * Cost model: a 16-bit WAV is read with sf_readf_short, which for
 * little-endian PCM is a plain read() into our buffer, so the hot path is
 * ours. Each block is cut at 20 ms window boundaries; inside a window a
 * branch-free loop keeps 8 lanes of sum-of-squares, max and min (lane j holds
 * channel j % channels, so it serves 1, 2, 4 and 8 channels) and the compiler
 * turns it into SIMD. Clipped samples are counted only in windows whose peak
 * reaches the clip level, which a healthy recording never does. Everything
 * else (activity, silence runs, dead air) is per window, not per sample. */
#include "audio/recording.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LANES 8

/* ------------------------------------------------------------ format names */

struct name_entry {
    int code;
    const char *name;
};

static const struct name_entry containers[] = {
    {SF_FORMAT_WAV, "wav"},  {SF_FORMAT_WAVEX, "wav"},   {SF_FORMAT_RF64, "rf64"},
    {SF_FORMAT_W64, "w64"},  {SF_FORMAT_FLAC, "flac"},   {SF_FORMAT_OGG, "ogg"},
    {SF_FORMAT_MPEG, "mp3"}, {SF_FORMAT_AIFF, "aiff"},   {SF_FORMAT_AU, "au"},
    {SF_FORMAT_CAF, "caf"},  {SF_FORMAT_RAW, "raw"},     {SF_FORMAT_NIST, "nist"},
    {SF_FORMAT_VOC, "voc"},  {SF_FORMAT_IRCAM, "sf"},    {SF_FORMAT_PAF, "paf"},
    {SF_FORMAT_SVX, "iff"},  {SF_FORMAT_MAT4, "mat4"},   {SF_FORMAT_MAT5, "mat5"},
    {SF_FORMAT_PVF, "pvf"},  {SF_FORMAT_XI, "xi"},       {SF_FORMAT_HTK, "htk"},
    {SF_FORMAT_SDS, "sds"},  {SF_FORMAT_AVR, "avr"},     {SF_FORMAT_SD2, "sd2"},
    {SF_FORMAT_WVE, "wve"},  {SF_FORMAT_MPC2K, "mpc2k"},
};

static const struct name_entry encodings[] = {
    {SF_FORMAT_PCM_S8, "pcm_s8"},
    {SF_FORMAT_PCM_U8, "pcm_u8"},
    {SF_FORMAT_PCM_16, "pcm_16"},
    {SF_FORMAT_PCM_24, "pcm_24"},
    {SF_FORMAT_PCM_32, "pcm_32"},
    {SF_FORMAT_FLOAT, "float"},
    {SF_FORMAT_DOUBLE, "double"},
    {SF_FORMAT_ULAW, "ulaw"},
    {SF_FORMAT_ALAW, "alaw"},
    {SF_FORMAT_IMA_ADPCM, "ima_adpcm"},
    {SF_FORMAT_MS_ADPCM, "ms_adpcm"},
    {SF_FORMAT_GSM610, "gsm610"},
    {SF_FORMAT_VOX_ADPCM, "vox_adpcm"},
    {SF_FORMAT_NMS_ADPCM_16, "nms_adpcm_16"},
    {SF_FORMAT_NMS_ADPCM_24, "nms_adpcm_24"},
    {SF_FORMAT_NMS_ADPCM_32, "nms_adpcm_32"},
    {SF_FORMAT_G721_32, "g721_32"},
    {SF_FORMAT_G723_24, "g723_24"},
    {SF_FORMAT_G723_40, "g723_40"},
    {SF_FORMAT_DWVW_12, "dwvw_12"},
    {SF_FORMAT_DWVW_16, "dwvw_16"},
    {SF_FORMAT_DWVW_24, "dwvw_24"},
    {SF_FORMAT_DWVW_N, "dwvw_n"},
    {SF_FORMAT_DPCM_8, "dpcm_8"},
    {SF_FORMAT_DPCM_16, "dpcm_16"},
    {SF_FORMAT_VORBIS, "vorbis"},
    {SF_FORMAT_OPUS, "opus"},
    {SF_FORMAT_ALAC_16, "alac_16"},
    {SF_FORMAT_ALAC_20, "alac_20"},
    {SF_FORMAT_ALAC_24, "alac_24"},
    {SF_FORMAT_ALAC_32, "alac_32"},
    {SF_FORMAT_MPEG_LAYER_I, "mp1"},
    {SF_FORMAT_MPEG_LAYER_II, "mp2"},
    {SF_FORMAT_MPEG_LAYER_III, "mp3"},
};

static const char *lookup(const struct name_entry *t, size_t n, int code)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code)
            return t[i].name;
    return "?";
}

const char *rec_container_name(int sf_format)
{
    return lookup(containers, sizeof containers / sizeof *containers,
                  sf_format & SF_FORMAT_TYPEMASK);
}

const char *rec_encoding_name(int sf_format)
{
    return lookup(encodings, sizeof encodings / sizeof *encodings, sf_format & SF_FORMAT_SUBMASK);
}

/* libsndfile's own long name of a major format or subtype, "" if none. */
static void sf_desc(int code, char *out, size_t n)
{
    SF_FORMAT_INFO fi = {.format = code};
    out[0] = '\0';
    if (sf_command(NULL, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name)
        snprintf(out, n, "%s", fi.name);
}

/* Encodings whose samples fit in 16 bits: read as short, integer hot path.
 * Everything else (24/32-bit, float, lossy codecs) is read as float so that
 * full scale and overshoot are seen as they are. */
static bool fits_short(int sf_format)
{
    switch (sf_format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_PCM_16:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW:
    case SF_FORMAT_IMA_ADPCM:
    case SF_FORMAT_MS_ADPCM:
    case SF_FORMAT_GSM610:
    case SF_FORMAT_VOX_ADPCM:
    case SF_FORMAT_DWVW_12:
    case SF_FORMAT_DWVW_16:
    case SF_FORMAT_DPCM_8:
    case SF_FORMAT_DPCM_16:
    case SF_FORMAT_ALAC_16:
        return true;
    default:
        return false;
    }
}

/* Bytes per sample of the simple PCM encodings, 0 for the others. */
static int pcm_bytes(int sf_format)
{
    switch (sf_format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW:
        return 1;
    case SF_FORMAT_PCM_16:
        return 2;
    case SF_FORMAT_PCM_24:
        return 3;
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_FLOAT:
        return 4;
    case SF_FORMAT_DOUBLE:
        return 8;
    default:
        return 0;
    }
}

/* A cut WAV still opens: libsndfile trusts the file size and only logs
 * "data : <header bytes> (should be <bytes present>)". That log line is the
 * one place libsndfile tells what the header claimed, so read it there.
 * Placeholder sizes of streaming writers (0, 0xFFFFFFFF) claim nothing. */
static int64_t declared_frames_from_log(SNDFILE *sf, int format, int channels)
{
    char log[8192];
    int bps = pcm_bytes(format);
    if (bps == 0 || channels <= 0)
        return -1;
    sf_command(sf, SFC_GET_LOG_INFO, log, sizeof log);
    for (const char *p = strstr(log, "data :"); p; p = strstr(p + 1, "data :")) {
        long long claimed, present;
        if (sscanf(p, "data : %lld (should be %lld)", &claimed, &present) == 2 &&
            claimed > present && claimed > 0 && claimed < 0x7FFFF000LL)
            return claimed / ((int64_t)bps * channels);
    }
    return -1;
}

/* When libsndfile cannot open a file, say what the file is instead: empty,
 * or text (a provider URL that served an error page). */
static void sniff(const char *path, char *out, size_t n)
{
    unsigned char head[48];
    out[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    if (got == 0) {
        snprintf(out, n, " (the file is empty)");
        return;
    }
    char text[sizeof head + 1];
    size_t k = 0;
    for (size_t i = 0; i < got; i++) {
        unsigned char c = head[i];
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        if (c < 0x20 || c > 0x7e)
            return; /* binary: libsndfile's word is all there is */
        if (k == 0 || c != ' ' || text[k - 1] != ' ')
            text[k++] = (char)c;
    }
    while (k > 0 && text[k - 1] == ' ')
        k--;
    text[k] = '\0';
    snprintf(out, n, " (the file is text: \"%.32s%s\")", text, k > 32 ? "..." : "");
}

/* ----------------------------------------------------------------- analysis */

/* Running totals of one channel. Sums of squares are in the native unit of
 * the read (short: 1/32768 of full scale; float: full scale). */
struct chan_acc {
    double ss;
    double peak;
    uint64_t clipped;
    uint64_t active;
    int64_t run, run_start, best_run, best_at; /* silence runs, in frames */
    /* the open window */
    double win_ss;
    double win_peak;
};

struct pass {
    int nch;
    int64_t win;      /* frames per window */
    int64_t pos;      /* frames into the open window */
    int64_t t;        /* frames before the open window */
    double thr_ms;    /* activity threshold as a mean square, native units */
    double full;      /* full scale, native units */
    int clip_s;       /* short path: clip at |x| >= clip_s */
    float clip_f;     /* float path: clip at |x| >= clip_f */
    bool spoke;       /* some window so far had speech */
    int64_t dead_air; /* frames before the first speech */
    int64_t run, run_start, best_run, best_at; /* nobody speaking, frames */
    int64_t windows;
    struct chan_acc ch[REC_MAX_CHANNELS];
};

static void silence_step(int64_t *run, int64_t *run_start, int64_t *best, int64_t *best_at,
                         bool active, int64_t t, int64_t k)
{
    if (active) {
        *run = 0;
        return;
    }
    if (*run == 0)
        *run_start = t;
    *run += k;
    if (*run > *best) {
        *best = *run;
        *best_at = *run_start;
    }
}

/* Closes the open window of k frames. */
static void close_window(struct pass *p, int64_t k)
{
    bool any = false;
    double thr = p->thr_ms * (double)k;
    for (int c = 0; c < p->nch; c++) {
        struct chan_acc *a = &p->ch[c];
        bool active = a->win_ss > thr;
        a->ss += a->win_ss;
        if (a->win_peak > a->peak)
            a->peak = a->win_peak;
        a->win_ss = 0;
        a->win_peak = 0;
        a->active += active;
        any |= active;
        silence_step(&a->run, &a->run_start, &a->best_run, &a->best_at, active, p->t, k);
    }
    if (any && !p->spoke) {
        p->spoke = true;
        p->dead_air = p->t;
    }
    silence_step(&p->run, &p->run_start, &p->best_run, &p->best_at, any, p->t, k);
    p->windows++;
    p->t += k;
    p->pos = 0;
}

/* n interleaved samples (a whole number of frames) of the open window, when
 * LANES % nch == 0. Branch-free so that it vectorises: 8 lanes of float
 * squares (exact below 2^24, and a window's worth of them keeps ~7 digits),
 * max and min. */
static void window_s16_lanes(struct pass *p, const short *x, size_t n)
{
    float ss[LANES] = {0};
    short mx[LANES], mn[LANES];
    for (int j = 0; j < LANES; j++)
        mx[j] = mn[j] = 0;
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; j++) {
            short v = x[i + j];
            float f = v;
            ss[j] += f * f;
            mx[j] = v > mx[j] ? v : mx[j];
            mn[j] = v < mn[j] ? v : mn[j];
        }
    for (int j = 0; i < n; i++, j++) {
        float f = x[i];
        ss[j] += f * f;
        mx[j] = x[i] > mx[j] ? x[i] : mx[j];
        mn[j] = x[i] < mn[j] ? x[i] : mn[j];
    }
    for (int j = 0; j < LANES; j++) {
        struct chan_acc *a = &p->ch[j % p->nch];
        int hi = mx[j], lo = -(int)mn[j];
        int pk = hi > lo ? hi : lo;
        a->win_ss += ss[j];
        if (pk > a->win_peak)
            a->win_peak = pk;
        if (pk >= p->clip_s) /* rare: count this lane's clipped samples */
            for (size_t s = (size_t)j; s < n; s += LANES)
                a->clipped += x[s] >= p->clip_s || -(int)x[s] >= p->clip_s;
    }
}

/* Any channel count: plain per-sample loop. */
static void window_s16_any(struct pass *p, const short *x, size_t frames)
{
    for (size_t f = 0; f < frames; f++)
        for (int c = 0; c < p->nch; c++) {
            int v = x[f * (size_t)p->nch + (size_t)c];
            int mag = v < 0 ? -v : v;
            struct chan_acc *a = &p->ch[c];
            a->win_ss += (double)v * v;
            if (mag > a->win_peak)
                a->win_peak = mag;
            a->clipped += mag >= p->clip_s;
        }
}

static void window_f32_lanes(struct pass *p, const float *x, size_t n)
{
    float ss[LANES] = {0}, pk[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; j++) {
            float v = x[i + j];
            float m = fabsf(v);
            ss[j] += v * v;
            pk[j] = m > pk[j] ? m : pk[j];
        }
    for (int j = 0; i < n; i++, j++) {
        float m = fabsf(x[i]);
        ss[j] += x[i] * x[i];
        pk[j] = m > pk[j] ? m : pk[j];
    }
    for (int j = 0; j < LANES; j++) {
        struct chan_acc *a = &p->ch[j % p->nch];
        a->win_ss += ss[j];
        if (pk[j] > a->win_peak)
            a->win_peak = pk[j];
        if (pk[j] >= p->clip_f)
            for (size_t s = (size_t)j; s < n; s += LANES)
                a->clipped += fabsf(x[s]) >= p->clip_f;
    }
}

static void window_f32_any(struct pass *p, const float *x, size_t frames)
{
    for (size_t f = 0; f < frames; f++)
        for (int c = 0; c < p->nch; c++) {
            float v = x[f * (size_t)p->nch + (size_t)c];
            float m = fabsf(v);
            struct chan_acc *a = &p->ch[c];
            a->win_ss += (double)v * v;
            if (m > a->win_peak)
                a->win_peak = m;
            a->clipped += m >= p->clip_f;
        }
}

/* Feeds one block of `frames` frames, cutting it at window boundaries. */
static void feed(struct pass *p, const void *buf, bool is_short, int64_t frames)
{
    bool lanes = LANES % p->nch == 0;
    int64_t off = 0;
    while (off < frames) {
        int64_t k = p->win - p->pos;
        if (k > frames - off)
            k = frames - off;
        size_t at = (size_t)off * (size_t)p->nch;
        size_t ns = (size_t)k * (size_t)p->nch;
        if (is_short) {
            const short *x = (const short *)buf + at;
            if (lanes)
                window_s16_lanes(p, x, ns);
            else
                window_s16_any(p, x, (size_t)k);
        } else {
            const float *x = (const float *)buf + at;
            if (lanes)
                window_f32_lanes(p, x, ns);
            else
                window_f32_any(p, x, (size_t)k);
        }
        p->pos += k;
        off += k;
        if (p->pos == p->win)
            close_window(p, p->win);
    }
}

static double dbfs(double ratio)
{
    return ratio > 0 ? 20.0 * log10(ratio) : -INFINITY;
}

static void finish(const struct pass *p, int rate, int64_t frames, struct rec_analysis *out)
{
    double fr = (double)rate;
    out->frames = frames;
    out->duration_s = (double)frames / fr;
    out->windows = p->windows;
    out->leading_dead_air_s = (double)(p->spoke ? p->dead_air : frames) / fr;
    out->longest_silence_s = (double)p->best_run / fr;
    out->longest_silence_at_s = (double)p->best_at / fr;
    for (int c = 0; c < p->nch; c++) {
        const struct chan_acc *a = &p->ch[c];
        struct rec_channel *o = &out->ch[c];
        double ms = frames > 0 ? a->ss / (double)frames : 0;
        o->rms_dbfs = ms > 0 ? 10.0 * log10(ms / (p->full * p->full)) : -INFINITY;
        o->peak = a->peak / p->full;
        o->peak_dbfs = dbfs(o->peak);
        o->clipped = a->clipped;
        o->clip_ratio = frames > 0 ? (double)a->clipped / (double)frames : 0;
        o->active_windows = a->active;
        o->active_ratio = p->windows > 0 ? (double)a->active / (double)p->windows : 0;
        o->longest_silence_s = (double)a->best_run / fr;
        o->longest_silence_at_s = (double)a->best_at / fr;
    }
}

static double or_default(double v, double def)
{
    return v != 0 && !isnan(v) ? v : def;
}

int rec_analyze(const char *path, const struct rec_options *opt, struct rec_analysis *out,
                char *err, size_t n)
{
    static const struct rec_options none;
    if (!opt)
        opt = &none;
    memset(out, 0, sizeof *out);
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) {
        char why[256], what[128];
        snprintf(why, sizeof why, "%s", sf_strerror(NULL));
        size_t len = strlen(why);
        while (len > 0 && (why[len - 1] == '.' || why[len - 1] == ' '))
            why[--len] = '\0';
        sniff(path, what, sizeof what);
        snprintf(err, n, "%s: %s%s; expected an audio file libsndfile can read (WAV, FLAC, OGG...)",
                 path, why, what);
        return -1;
    }
    if (info.channels < 1 || info.channels > REC_MAX_CHANNELS || info.samplerate < 1) {
        snprintf(err, n, "%s: %d channels at %d Hz; expected 1 to %d channels at a positive rate",
                 path, info.channels, info.samplerate, REC_MAX_CHANNELS);
        sf_close(sf);
        return -1;
    }

    out->format = info.format;
    snprintf(out->container, sizeof out->container, "%s", rec_container_name(info.format));
    snprintf(out->encoding, sizeof out->encoding, "%s", rec_encoding_name(info.format));
    sf_desc(info.format & SF_FORMAT_TYPEMASK, out->container_desc, sizeof out->container_desc);
    sf_desc(info.format & SF_FORMAT_SUBMASK, out->encoding_desc, sizeof out->encoding_desc);
    out->sample_rate = info.samplerate;
    out->channels = info.channels;

    double window_ms = or_default(opt->window_ms, 20.0);
    double clip = or_default(opt->clip_level, 0.999);
    out->active_dbfs = or_default(opt->active_dbfs, -40.0);
    bool is_short = fits_short(info.format);
    struct pass p = {.nch = info.channels, .full = is_short ? 32768.0 : 1.0};
    p.win = llround(info.samplerate * window_ms / 1000.0);
    if (p.win < 1)
        p.win = 1;
    out->window_s = (double)p.win / info.samplerate;
    p.thr_ms = pow(10.0, out->active_dbfs / 10.0) * p.full * p.full;
    p.clip_s = (int)ceil(clip * 32768.0);
    p.clip_f = (float)clip;

    size_t block = opt->block_frames ? opt->block_frames : 8192;
    void *buf = malloc(block * (size_t)info.channels * (is_short ? sizeof(short) : sizeof(float)));
    if (!buf) {
        snprintf(err, n, "%s: out of memory", path);
        sf_close(sf);
        return -1;
    }
    int64_t frames = 0;
    for (;;) {
        sf_count_t got = is_short ? sf_readf_short(sf, buf, (sf_count_t)block)
                                  : sf_readf_float(sf, buf, (sf_count_t)block);
        if (got <= 0)
            break;
        feed(&p, buf, is_short, got);
        frames += got;
    }
    if (p.pos > 0)
        close_window(&p, p.pos);
    free(buf);
    finish(&p, info.samplerate, frames, out);

    /* What the header claimed: the log for PCM containers, the FLAC stream
     * header otherwise. Lossy codecs only estimate it, so they claim nothing. */
    out->declared_frames = declared_frames_from_log(sf, info.format, info.channels);
    if (out->declared_frames < 0 && (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC &&
        info.frames > frames)
        out->declared_frames = info.frames;
    sf_close(sf);
    return 0;
}
