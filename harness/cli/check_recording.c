/* dialsim check-recording: analyse one call recording and check it against
 * the expectations given as options (rule H-4). */
#include "cli/commands.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/recording.h"

#define ME "dialsim check-recording"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dialsim check-recording FILE [--expect-...] [--json]\n"
            "Analyses a call recording with libsndfile and checks it (rule H-4).\n"
            "  --expect-format NAME     container: wav, flac, ogg, mp3, aiff, ...\n"
            "  --expect-encoding NAME   pcm_16, pcm_24, float, ulaw, alaw, vorbis, opus, mp3, ...\n"
            "  --expect-rate HZ         sample rate\n"
            "  --expect-channels N      1 (mono) or 2 (one party per channel)\n"
            "  --expect-duration S      length in seconds, within --tolerance S (default 0.5)\n"
            "  --expect-min-active R    on every channel, at least this share of 20 ms windows\n"
            "                           is speech (RMS above -40 dBFS)\n"
            "  --expect-max-silence S   longest stretch with nobody speaking\n"
            "  --expect-max-dead-air S  silence before anyone first speaks\n"
            "  --expect-max-clipping R  share of samples at full scale, on every channel\n"
            "  --expect-min-level DB    RMS level of every channel, in dBFS (e.g. -40)\n"
            "  --expect-max-level DB\n"
            "  --json                   one JSON object: the analysis and the failures\n"
            "R is a ratio (0.2) or a percentage (20%%). A header that claims more audio than\n"
            "the file holds always fails (truncated).\n"
            "Exit 0 when every expectation holds, 1 when one fails, 2 on unusable input.\n");
}

/* A number filling the whole argument, within [lo, hi]; with `ratio`, "20%"
 * is 0.2. */
static int parse_num(const char *s, double lo, double hi, bool ratio, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s)
        return -1;
    if (ratio && *end == '%') {
        v /= 100;
        end++;
    }
    if (*end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

struct args {
    const char *file;
    bool json;
    struct rec_expect e;
};

/* The numeric options: name, where it goes, its range, what to say. */
enum kind { K_INT, K_DOUBLE, K_RATIO };
struct numopt {
    const char *name;
    enum kind kind;
    double lo, hi;
    const char *what;
    size_t off;
};

#define OFF(f) offsetof(struct rec_expect, f)
static const struct numopt numopts[] = {
    {"--expect-rate", K_INT, 1, 1000000, "a sample rate in Hz (e.g. 16000)", OFF(sample_rate)},
    {"--expect-channels", K_INT, 1, REC_MAX_CHANNELS, "a channel count from 1 to 8", OFF(channels)},
    {"--expect-duration", K_DOUBLE, 0, 1e7, "a duration in seconds", OFF(duration_s)},
    {"--tolerance", K_DOUBLE, 0, 1e7, "a tolerance in seconds", OFF(duration_tol_s)},
    {"--expect-min-active", K_RATIO, 0, 1, "a ratio from 0 to 1 or a percentage (20%)",
     OFF(min_active_ratio)},
    {"--expect-max-silence", K_DOUBLE, 0, 1e7, "a duration in seconds", OFF(max_silence_s)},
    {"--expect-max-dead-air", K_DOUBLE, 0, 1e7, "a duration in seconds", OFF(max_dead_air_s)},
    {"--expect-max-clipping", K_RATIO, 0, 1, "a ratio from 0 to 1 or a percentage (0.1%)",
     OFF(max_clip_ratio)},
    {"--expect-min-level", K_DOUBLE, -200, 20, "a level in dBFS (e.g. -40)", OFF(min_rms_dbfs)},
    {"--expect-max-level", K_DOUBLE, -200, 20, "a level in dBFS (e.g. -3)", OFF(max_rms_dbfs)},
};

enum { OPT_FORMAT = 256, OPT_ENCODING, OPT_JSON, OPT_NUM };
#define N_NUMOPTS (sizeof numopts / sizeof *numopts)

/* One numeric option's value into a->e; -1 when it is not what the option takes. */
static int set_num(struct args *a, const struct numopt *no, const char *arg)
{
    double v;
    if (parse_num(arg, no->lo, no->hi, no->kind == K_RATIO, &v) ||
        (no->kind == K_INT && v != floor(v))) {
        fprintf(stderr, ME ": %s needs %s, not %s\n", no->name, no->what, arg);
        return -1;
    }
    char *field = (char *)&a->e + no->off;
    if (no->kind == K_INT)
        *(int *)field = (int)v;
    else
        *(double *)field = v;
    return 0;
}

/* 0 to go on, 1 when --help was answered, -1 on a bad argument (said on stderr). */
static int parse_args(int argc, char **argv, struct args *a)
{
    /* the numeric options come from numopts, so a new one is one line there */
    struct option longopts[N_NUMOPTS + 5] = {
        {"expect-format", required_argument, NULL, OPT_FORMAT},
        {"expect-encoding", required_argument, NULL, OPT_ENCODING},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
    };
    for (size_t k = 0; k < N_NUMOPTS; k++)
        longopts[4 + k] =
            (struct option){numopts[k].name + 2, required_argument, NULL, OPT_NUM + (int)k};
    rec_expect_init(&a->e);
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c >= OPT_NUM && c < OPT_NUM + (int)N_NUMOPTS) {
            if (set_num(a, &numopts[c - OPT_NUM], optarg))
                return -1;
        } else if (c == OPT_FORMAT || c == OPT_ENCODING) {
            if (!optarg[0]) {
                fprintf(stderr, ME ": %s needs a name (e.g. %s)\n",
                        c == OPT_FORMAT ? "--expect-format" : "--expect-encoding",
                        c == OPT_FORMAT ? "wav, flac, ogg, mp3" : "pcm_16, ulaw, vorbis, opus");
                return -1;
            }
            *(c == OPT_FORMAT ? &a->e.container : &a->e.encoding) = optarg;
        } else if (c == OPT_JSON) {
            a->json = true;
        } else if (c == 'h') {
            usage(stdout);
            return 1;
        } else {
            usage(stderr);
            return -1;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, ME ": one file at a time (got %s and %s)\n", argv[optind],
                argv[optind + 1]);
        return -1;
    }
    if (optind < argc)
        a->file = argv[optind];
    if (!a->file) {
        fprintf(stderr, ME ": name the recording to check\n");
        usage(stderr);
        return -1;
    }
    if (!isnan(a->e.duration_tol_s) && isnan(a->e.duration_s)) {
        fprintf(stderr, ME ": --tolerance goes with --expect-duration\n");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ output */

/* One table cell, right-aligned under "channel N". */
static void cell(const char *fmt, double v)
{
    char s[32];
    if (isinf(v))
        snprintf(s, sizeof s, "-inf dBFS");
    else
        snprintf(s, sizeof s, fmt, v);
    printf("%13s", s);
}

static void row(const char *label, const struct rec_analysis *a, int what)
{
    printf("%-17s", label);
    for (int c = 0; c < a->channels; c++) {
        const struct rec_channel *ch = &a->ch[c];
        switch (what) {
        case 0:
            cell("%.1f dBFS", ch->rms_dbfs);
            break;
        case 1:
            cell("%.1f dBFS", ch->peak_dbfs);
            break;
        case 2:
            cell("%.3f %%", ch->clip_ratio * 100);
            break;
        case 3:
            cell("%.1f %%", ch->active_ratio * 100);
            break;
        default:
            cell("%.2f s", ch->longest_silence_s);
        }
    }
    printf("\n");
}

static void print_human(const char *file, const struct rec_analysis *a,
                        const struct rec_failures *f)
{
    printf("file             %s\n", file);
    printf("format           %s, %s (%s, %s)\n", a->container, a->encoding, a->container_desc,
           a->encoding_desc);
    printf("sample rate      %d Hz\n", a->sample_rate);
    printf("channels         %d\n", a->channels);
    printf("duration         %.3f s (%lld frames)\n", a->duration_s, (long long)a->frames);
    if (a->declared_frames > a->frames)
        printf("header declares  %.3f s\n", (double)a->declared_frames / a->sample_rate);
    printf("leading dead air %.2f s\n", a->leading_dead_air_s);
    if (a->longest_silence_s > 0)
        printf("longest silence  %.2f s with nobody speaking, from %.2f s\n", a->longest_silence_s,
               a->longest_silence_at_s);
    else
        printf("longest silence  none: someone speaks in every window\n");
    printf("%-17s", "");
    for (int c = 0; c < a->channels; c++)
        printf("    channel %d", c + 1);
    printf("\n");
    row("level (RMS)", a, 0);
    row("peak", a, 1);
    row("clipping", a, 2);
    row("speech", a, 3);
    row("longest silence", a, 4);
    printf("(speech: %.0f ms windows whose RMS is above %.1f dBFS)\n", a->window_s * 1000,
           a->active_dbfs);
    if (f->n == 0)
        printf("PASS\n");
    for (size_t i = 0; i < f->n; i++)
        printf("FAIL [%s] %s\n", rec_defect_name(f->item[i].defect), f->item[i].text);
}

/* JSON has no infinity: digital silence is null. */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *to_json(const char *file, const struct rec_analysis *a, const struct rec_failures *f)
{
    json_t *chans = json_array(), *fails = json_array();
    for (int c = 0; c < a->channels; c++) {
        const struct rec_channel *ch = &a->ch[c];
        json_array_append_new(
            chans,
            json_pack("{s:i, s:o, s:o, s:o, s:f, s:I, s:f, s:f, s:f}", "channel", c + 1, "rms_dbfs",
                      num(ch->rms_dbfs), "peak", num(ch->peak), "peak_dbfs", num(ch->peak_dbfs),
                      "clip_ratio", ch->clip_ratio, "clipped_samples", (json_int_t)ch->clipped,
                      "active_ratio", ch->active_ratio, "longest_silence_s", ch->longest_silence_s,
                      "longest_silence_at_s", ch->longest_silence_at_s));
    }
    for (size_t i = 0; i < f->n; i++)
        json_array_append_new(
            fails,
            json_pack("{s:s, s:o, s:s}", "defect", rec_defect_name(f->item[i].defect), "channel",
                      f->item[i].channel ? json_integer(f->item[i].channel) : json_null(),
                      "message", f->item[i].text));
    json_t *declared =
        a->declared_frames >= 0 ? json_integer((json_int_t)a->declared_frames) : json_null();
    return json_pack("{s:s, s:b, s:{s:s, s:s, s:s, s:s}, s:i, s:i, s:I, s:o, s:f, s:f, s:f, s:f, "
                     "s:f, s:f, s:o, s:o}",
                     "file", file, "pass", f->n == 0, "format", "container", a->container,
                     "encoding", a->encoding, "container_name", a->container_desc, "encoding_name",
                     a->encoding_desc, "sample_rate", a->sample_rate, "channels", a->channels,
                     "frames", (json_int_t)a->frames, "declared_frames", declared, "duration_s",
                     a->duration_s, "window_s", a->window_s, "active_dbfs", a->active_dbfs,
                     "leading_dead_air_s", a->leading_dead_air_s, "longest_silence_s",
                     a->longest_silence_s, "longest_silence_at_s", a->longest_silence_at_s,
                     "channel_stats", chans, "failures", fails);
}

/* Prints and frees j; -1 if there was nothing to print. */
static int print_json(json_t *j)
{
    char *s =
        j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    if (s)
        printf("%s\n", s);
    else
        fprintf(stderr, ME ": cannot build the JSON report\n");
    free(s);
    json_decref(j);
    return s ? 0 : -1;
}

int cmd_check_recording(int argc, char **argv)
{
    struct args a = {0};
    int parsed = parse_args(argc, argv, &a);
    if (parsed)
        return parsed > 0 ? 0 : 2;
    struct rec_analysis an;
    char err[512];
    if (rec_analyze(a.file, NULL, &an, err, sizeof err)) {
        fprintf(stderr, ME ": %s\n", err);
        if (a.json)
            print_json(json_pack("{s:s, s:b, s:s}", "file", a.file, "pass", 0, "error", err));
        return 2;
    }
    static struct rec_failures f; /* 10 KB: kept off the stack */
    rec_check(&an, &a.e, &f);
    if (a.json) {
        if (print_json(to_json(a.file, &an, &f)))
            return 2;
    } else
        print_human(a.file, &an, &f);
    return f.n == 0 ? 0 : 1;
}
