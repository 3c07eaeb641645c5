/* Recording checks (H-4): an analysis against what a test expects, each
 * failure said as the defect a user would hear ("channel 2 is silent"), not
 * as the number that tripped. */
#include "audio/recording.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const defect_names[] = {
#define REC_X_NAME(code, name) name,
    REC_DEFECTS(REC_X_NAME)
#undef REC_X_NAME
};

const char *rec_defect_name(enum rec_defect d)
{
    return (unsigned)d < REC_DEFECT__COUNT ? defect_names[d] : "?";
}

void rec_expect_init(struct rec_expect *e)
{
    *e = (struct rec_expect){
        .duration_s = NAN,
        .duration_tol_s = NAN,
        .min_active_ratio = NAN,
        .max_silence_s = NAN,
        .max_dead_air_s = NAN,
        .max_clip_ratio = NAN,
        .min_rms_dbfs = NAN,
        .max_rms_dbfs = NAN,
    };
}

/* "PCM_16", "pcm-16" and "pcm16" are one name. */
static bool same_name(const char *a, const char *b)
{
    for (;;) {
        while (*a == '_' || *a == '-' || *a == ' ')
            a++;
        while (*b == '_' || *b == '-' || *b == ' ')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++))
            return false;
    }
}

static void add(struct rec_failures *out, enum rec_defect d, int channel, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add(struct rec_failures *out, enum rec_defect d, int channel, const char *fmt, ...)
{
    if (out->n >= REC_MAX_FAILURES)
        return;
    struct rec_failure *f = &out->item[out->n++];
    f->defect = d;
    f->channel = channel;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof f->text, fmt, ap);
    va_end(ap);
}

/* Seconds with one decimal, more when one decimal would make the measured
 * value look equal to its limit ("1.0 s, at most 1.0 s"). */
struct num {
    char s[32];
};

static struct num secs(double v, double ref)
{
    struct num r;
    int prec = 1;
    while (prec < 3 && fabs(v - ref) * pow(10, prec) < 1 && v != ref)
        prec++;
    snprintf(r.s, sizeof r.s, "%.*f", prec, v);
    return r;
}

/* A limit as the user gave it: "30.0", "0.5", "0.05". */
static struct num lim(double v)
{
    struct num r;
    if (fabs(v * 10 - round(v * 10)) < 1e-9)
        snprintf(r.s, sizeof r.s, "%.1f", v);
    else
        snprintf(r.s, sizeof r.s, "%g", v);
    return r;
}

/* A position in the file, to the window: "12.34". */
static struct num at(double v)
{
    struct num r;
    snprintf(r.s, sizeof r.s, "%.2f", v);
    return r;
}

/* A measured ratio as a percentage: "4.1", "0.0", "0.012". */
static struct num pct(double ratio)
{
    struct num r;
    double v = ratio * 100;
    if (v == 0 || v >= 0.1)
        snprintf(r.s, sizeof r.s, "%.1f", v);
    else
        snprintf(r.s, sizeof r.s, "%.2g", v);
    return r;
}

static struct num db(double v)
{
    struct num r;
    if (isinf(v) && v < 0)
        snprintf(r.s, sizeof r.s, "-inf dBFS (digital silence)");
    else
        snprintf(r.s, sizeof r.s, "%.1f dBFS", v);
    return r;
}

static void check_format(const struct rec_analysis *a, const struct rec_expect *e,
                         struct rec_failures *out)
{
    if (e->container && !same_name(a->container, e->container))
        add(out, REC_DEFECT_CONTAINER, 0, "format %s (%s), expected %s", a->container,
            a->container_desc, e->container);
    if (e->encoding && !same_name(a->encoding, e->encoding))
        add(out, REC_DEFECT_ENCODING, 0, "encoding %s (%s), expected %s", a->encoding,
            a->encoding_desc, e->encoding);
    if (e->sample_rate > 0 && a->sample_rate != e->sample_rate)
        add(out, REC_DEFECT_SAMPLE_RATE, 0, "sample rate %d Hz, expected %d Hz", a->sample_rate,
            e->sample_rate);
    if (e->channels > 0 && a->channels != e->channels)
        add(out, REC_DEFECT_CHANNELS, 0, "%d channel%s%s, expected %d", a->channels,
            a->channels == 1 ? "" : "s", a->channels == 1 ? " (mono)" : "", e->channels);
}

static void check_time(const struct rec_analysis *a, const struct rec_expect *e,
                       struct rec_failures *out)
{
    if (a->declared_frames > a->frames) {
        double claimed = (double)a->declared_frames / a->sample_rate;
        add(out, REC_DEFECT_TRUNCATED, 0,
            "file is cut short: its header declares %s s of audio, the file holds %s s "
            "(truncated?)",
            at(claimed).s, at(a->duration_s).s);
    }
    if (!isnan(e->duration_s)) {
        double tol = isnan(e->duration_tol_s) ? 0.5 : e->duration_tol_s;
        double off = a->duration_s - e->duration_s;
        if (fabs(off) > tol)
            add(out, REC_DEFECT_DURATION, 0, "duration %s s, expected %s s ± %s s (%s)",
                secs(a->duration_s, e->duration_s).s, lim(e->duration_s).s, lim(tol).s,
                off < 0 ? "truncated?" : "longer than expected");
    }
    if (!isnan(e->max_dead_air_s) && a->leading_dead_air_s > e->max_dead_air_s) {
        bool nobody = a->leading_dead_air_s >= a->duration_s;
        add(out, REC_DEFECT_DEAD_AIR, 0, "leading dead air %s s%s (at most %s s allowed)",
            secs(a->leading_dead_air_s, e->max_dead_air_s).s,
            nobody ? ": nobody speaks in the whole recording" : "", lim(e->max_dead_air_s).s);
    }
    if (!isnan(e->max_silence_s) && a->longest_silence_s > e->max_silence_s)
        add(out, REC_DEFECT_SILENCE, 0,
            "silence of %s s with nobody speaking, from %s s to %s s (at most %s s allowed)",
            secs(a->longest_silence_s, e->max_silence_s).s, at(a->longest_silence_at_s).s,
            at(a->longest_silence_at_s + a->longest_silence_s).s, lim(e->max_silence_s).s);
}

static void check_channels(const struct rec_analysis *a, const struct rec_expect *e,
                           struct rec_failures *out)
{
    for (int c = 0; c < a->channels; c++) {
        const struct rec_channel *ch = &a->ch[c];
        if (isnan(e->min_active_ratio) || ch->active_ratio >= e->min_active_ratio)
            continue;
        if (ch->active_windows == 0)
            add(out, REC_DEFECT_SILENT_CHANNEL, c + 1,
                "channel %d is silent (active %s %%, expected at least %g %%)", c + 1,
                pct(ch->active_ratio).s, e->min_active_ratio * 100);
        else
            add(out, REC_DEFECT_LOW_ACTIVITY, c + 1,
                "channel %d speaks too little (active %s %%, expected at least %g %%)", c + 1,
                pct(ch->active_ratio).s, e->min_active_ratio * 100);
    }
    for (int c = 0; c < a->channels; c++)
        if (!isnan(e->max_clip_ratio) && a->ch[c].clip_ratio > e->max_clip_ratio)
            add(out, REC_DEFECT_CLIPPING, c + 1,
                "clipping %s %% of samples on channel %d (at most %g %%)",
                pct(a->ch[c].clip_ratio).s, c + 1, e->max_clip_ratio * 100);
    for (int c = 0; c < a->channels; c++)
        if (!isnan(e->min_rms_dbfs) && !(a->ch[c].rms_dbfs >= e->min_rms_dbfs))
            add(out, REC_DEFECT_TOO_QUIET, c + 1,
                "channel %d is too quiet: RMS %s (at least %.1f dBFS expected)", c + 1,
                db(a->ch[c].rms_dbfs).s, e->min_rms_dbfs);
    for (int c = 0; c < a->channels; c++)
        if (!isnan(e->max_rms_dbfs) && a->ch[c].rms_dbfs > e->max_rms_dbfs)
            add(out, REC_DEFECT_TOO_LOUD, c + 1,
                "channel %d is too loud: RMS %s (at most %.1f dBFS expected)", c + 1,
                db(a->ch[c].rms_dbfs).s, e->max_rms_dbfs);
}

int rec_check(const struct rec_analysis *a, const struct rec_expect *e, struct rec_failures *out)
{
    struct rec_expect none;
    if (!e) {
        rec_expect_init(&none);
        e = &none;
    }
    out->n = 0;
    check_format(a, e, out);
    check_time(a, e, out);
    check_channels(a, e, out);
    return (int)out->n;
}
