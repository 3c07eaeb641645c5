/* Unit tests for harness/audio/recording (rule H-4: "Call recordings are
 * written and checked with libsndfile (format, duration, channels, silence,
 * level)"). Files are made here, in a mkdtemp folder: by rec_generate for
 * every property and defect, and by libsndfile directly where the exact
 * numbers must be known in advance. Tools independent of libsndfile's writer
 * (sox, espeak-ng) are exercised by check_recording_cli.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/recording.h"

static char dir[64];

static const char *path(const char *name)
{
    static char p[8][384];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dialsim-rec-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            remove(path(e->d_name));
    closedir(d);
    return rmdir(dir);
}

/* A two-party call: agent on channel 1, customer on channel 2, 8 s at 8 kHz.
 * Agent 0.5-2.5 s and 5-6 s, customer 3-4.5 s: nobody speaks 2.5-3 s,
 * 4.5-5 s and 6-8 s. */
static const struct rec_turn call_turns[] = {{1, 0.5, 2.5}, {2, 3.0, 4.5}, {1, 5.0, 6.0}};

static struct rec_spec call_spec(void)
{
    return (struct rec_spec){.format = REC_FMT_WAV,
                             .sample_rate = 8000,
                             .channels = 2,
                             .duration_s = 8,
                             .turns = call_turns,
                             .n_turns = 3,
                             .seed = 7};
}

static void make(const char *name, const struct rec_spec *s)
{
    char err[256] = "";
    int rc = rec_generate(path(name), s, err, sizeof err);
    if (rc)
        fail_msg("rec_generate %s: %s", name, err);
}

static void analyze(const char *name, struct rec_analysis *a)
{
    char err[512] = "";
    int rc = rec_analyze(path(name), NULL, a, err, sizeof err);
    if (rc)
        fail_msg("rec_analyze %s: %s", name, err);
}

#define assert_near(x, want, tol)                                                                  \
    do {                                                                                           \
        double x_ = (x), w_ = (want);                                                              \
        if (!(fabs(x_ - w_) <= (tol)))                                                             \
            fail_msg("%s = %g, expected %g ± %g", #x, x_, w_, (double)(tol));                      \
    } while (0)

/* The one failure rec_check found must be `defect` and its sentence must
 * contain `words`. */
static void assert_one_failure(const struct rec_analysis *a, const struct rec_expect *e,
                               enum rec_defect defect, const char *words)
{
    static struct rec_failures f;
    int n = rec_check(a, e, &f);
    for (int i = 0; i < n; i++)
        print_message("  [%s] %s\n", rec_defect_name(f.item[i].defect), f.item[i].text);
    assert_int_equal(n, 1);
    assert_string_equal(rec_defect_name(f.item[0].defect), rec_defect_name(defect));
    if (!strstr(f.item[0].text, words))
        fail_msg("'%s' does not say '%s'", f.item[0].text, words);
}

/* --- properties of a healthy call ------------------------------------------------ */

static void test_healthy_call_properties(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    struct rec_analysis a;
    make("call.wav", &s);
    analyze("call.wav", &a);
    assert_string_equal(a.container, "wav");
    assert_string_equal(a.encoding, "pcm_16");
    assert_string_equal(a.container_desc, "WAV (Microsoft)");
    assert_string_equal(a.encoding_desc, "Signed 16 bit PCM");
    assert_int_equal(a.sample_rate, 8000);
    assert_int_equal(a.channels, 2);
    assert_int_equal(a.frames, 64000);
    assert_near(a.duration_s, 8.0, 1e-9);
    assert_near(a.window_s, 0.020, 1e-12);
    assert_int_equal(a.windows, 400);
    assert_int_equal(a.declared_frames, -1);
    /* speech: agent 3.0 s of 8, customer 1.5 s of 8, to a window or two */
    assert_near(a.ch[0].active_ratio, 3.0 / 8, 0.01);
    assert_near(a.ch[1].active_ratio, 1.5 / 8, 0.01);
    assert_near(a.leading_dead_air_s, 0.5, 0.021);
    /* nobody speaks from 6 s to the end */
    assert_near(a.longest_silence_s, 2.0, 0.021);
    assert_near(a.longest_silence_at_s, 6.0, 0.021);
    /* the customer's channel is quiet 4.5 s .. 8 s */
    assert_near(a.ch[1].longest_silence_s, 3.5, 0.021);
    assert_near(a.ch[1].longest_silence_at_s, 4.5, 0.021);
    /* -20 dBFS while speaking, 3/8 of the time: -20 + 10 log10(3/8) */
    assert_near(a.ch[0].rms_dbfs, -20 + 10 * log10(3.0 / 8), 1.0);
    assert_true(a.ch[0].peak < 0.5 && a.ch[0].peak > 0.1);
    assert_int_equal(a.ch[0].clipped, 0);
    assert_true(a.ch[0].clip_ratio == 0);

    struct rec_expect e;
    rec_expect_init(&e);
    e.container = "WAV";
    e.encoding = "PCM16"; /* case, '_' and '-' do not matter */
    e.sample_rate = 8000;
    e.channels = 2;
    e.duration_s = 8;
    e.min_active_ratio = 0.15;
    e.max_silence_s = 2.5;
    e.max_dead_air_s = 1;
    e.max_clip_ratio = 0;
    e.min_rms_dbfs = -30;
    e.max_rms_dbfs = -10;
    static struct rec_failures f;
    assert_int_equal(rec_check(&a, &e, &f), 0);
    assert_int_equal(rec_check(&a, NULL, &f), 0);
}

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    make("seed-a.wav", &s);
    make("seed-b.wav", &s);
    s.seed = 8;
    make("seed-c.wav", &s);
    char cmp[512];
    snprintf(cmp, sizeof cmp, "cmp -s %s %s", path("seed-a.wav"), path("seed-b.wav"));
    assert_int_equal(system(cmp), 0);
    snprintf(cmp, sizeof cmp, "cmp -s %s %s", path("seed-a.wav"), path("seed-c.wav"));
    assert_int_not_equal(system(cmp), 0);
}

static void test_mono_is_the_sum(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    s.channels = 1;
    struct rec_analysis a;
    make("mono.wav", &s);
    analyze("mono.wav", &a);
    assert_int_equal(a.channels, 1);
    assert_near(a.ch[0].active_ratio, 4.5 / 8, 0.01);
    assert_near(a.longest_silence_s, 2.0, 0.021);
}

static void test_level_follows_the_spec(void **state)
{
    (void)state;
    static const struct rec_turn all[] = {{1, 0, 4}};
    struct rec_spec s = {.format = REC_FMT_WAV,
                         .sample_rate = 16000,
                         .channels = 1,
                         .duration_s = 4,
                         .turns = all,
                         .n_turns = 1,
                         .seed = 3,
                         .level_dbfs = -26};
    struct rec_analysis a;
    make("level.wav", &s);
    analyze("level.wav", &a);
    assert_near(a.ch[0].rms_dbfs, -26, 1.0);
    assert_near(a.ch[0].active_ratio, 1.0, 0.001);
    assert_near(a.leading_dead_air_s, 0, 1e-9);
    assert_true(a.longest_silence_s == 0);

    struct rec_expect e;
    rec_expect_init(&e);
    e.min_rms_dbfs = -20;
    assert_one_failure(&a, &e, REC_DEFECT_TOO_QUIET, "channel 1 is too quiet: RMS -2");
    rec_expect_init(&e);
    e.max_rms_dbfs = -30;
    assert_one_failure(&a, &e, REC_DEFECT_TOO_LOUD, "(at most -30.0 dBFS expected)");
}

/* --- each defect, found and named -------------------------------------------------- */

static void test_dead_air(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    s.dead_air_s = 2.7; /* first words at 3.2 s */
    struct rec_analysis a;
    make("dead-air.wav", &s);
    analyze("dead-air.wav", &a);
    assert_near(a.leading_dead_air_s, 3.2, 0.021);
    struct rec_expect e;
    rec_expect_init(&e);
    e.max_dead_air_s = 1;
    assert_one_failure(&a, &e, REC_DEFECT_DEAD_AIR,
                       "leading dead air 3.2 s (at most 1.0 s allowed)");
}

static void test_long_silence(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    struct rec_analysis a;
    make("call.wav", &s);
    analyze("call.wav", &a);
    struct rec_expect e;
    rec_expect_init(&e);
    e.max_silence_s = 1.5;
    assert_one_failure(&a, &e, REC_DEFECT_SILENCE,
                       "silence of 2.0 s with nobody speaking, from 6.00 s to 8.00 s "
                       "(at most 1.5 s allowed)");
}

static void test_silent_channel(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    s.silent_channel = 2;
    struct rec_analysis a;
    make("one-sided.wav", &s);
    analyze("one-sided.wav", &a);
    assert_int_equal(a.ch[1].active_windows, 0);
    assert_near(a.ch[1].rms_dbfs, -60, 1.0); /* the noise floor stays */
    assert_near(a.ch[0].active_ratio, 3.0 / 8, 0.01);
    struct rec_expect e;
    rec_expect_init(&e);
    e.min_active_ratio = 0.2;
    static struct rec_failures f;
    assert_int_equal(rec_check(&a, &e, &f), 1);
    assert_string_equal(rec_defect_name(f.item[0].defect), "silent_channel");
    assert_int_equal(f.item[0].channel, 2);
    assert_string_equal(f.item[0].text,
                        "channel 2 is silent (active 0.0 %, expected at least 20 %)");
}

static void test_low_activity_is_not_silence(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    struct rec_analysis a;
    make("call.wav", &s);
    analyze("call.wav", &a);
    struct rec_expect e;
    rec_expect_init(&e);
    e.min_active_ratio = 0.3;
    assert_one_failure(&a, &e, REC_DEFECT_LOW_ACTIVITY, "channel 2 speaks too little (active 18.");
}

static void test_clipping(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    s.clip_gain_db = 24; /* speech peaks far beyond full scale */
    struct rec_analysis a;
    make("clipped.wav", &s);
    analyze("clipped.wav", &a);
    assert_true(a.ch[0].clip_ratio > 0.02);
    assert_true(a.ch[1].clip_ratio > 0.01);
    assert_near(a.ch[0].peak, 1.0, 1e-9);
    struct rec_expect e;
    rec_expect_init(&e);
    e.max_clip_ratio = 0.001;
    static struct rec_failures f;
    assert_int_equal(rec_check(&a, &e, &f), 2);
    assert_string_equal(rec_defect_name(f.item[0].defect), "clipping");
    assert_non_null(strstr(f.item[0].text, "% of samples on channel 1 (at most 0.1 %)"));
    assert_non_null(strstr(f.item[1].text, "on channel 2"));
}

static void test_wrong_sample_rate(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    s.header_rate = 16000; /* 8 kHz audio labelled 16 kHz: plays twice as fast */
    struct rec_analysis a;
    make("wrong-rate.wav", &s);
    analyze("wrong-rate.wav", &a);
    assert_int_equal(a.sample_rate, 16000);
    assert_near(a.duration_s, 4.0, 1e-9);
    struct rec_expect e;
    rec_expect_init(&e);
    e.sample_rate = 8000;
    assert_one_failure(&a, &e, REC_DEFECT_SAMPLE_RATE, "sample rate 16000 Hz, expected 8000 Hz");
}

static void test_stopped_early(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    s.stop_at_s = 3.1;
    struct rec_analysis a;
    make("short.wav", &s);
    analyze("short.wav", &a);
    assert_near(a.duration_s, 3.1, 1e-9);
    assert_int_equal(a.declared_frames, -1); /* well-formed: nothing to say but the length */
    struct rec_expect e;
    rec_expect_init(&e);
    e.duration_s = 8;
    assert_one_failure(&a, &e, REC_DEFECT_DURATION,
                       "duration 3.1 s, expected 8.0 s ± 0.5 s (truncated?)");
    e.duration_s = 3;
    e.duration_tol_s = 0.05;
    assert_one_failure(&a, &e, REC_DEFECT_DURATION, "(longer than expected)");
    e.duration_tol_s = 0.2;
    static struct rec_failures f;
    assert_int_equal(rec_check(&a, &e, &f), 0);
}

static void test_cut_file_is_truncated_whatever_is_expected(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    s.cut_fraction = 0.25;
    struct rec_analysis a;
    make("cut.wav", &s);
    analyze("cut.wav", &a);
    assert_near(a.duration_s, 2.0, 0.01);
    assert_int_equal(a.declared_frames, 64000);
    assert_one_failure(
        &a, NULL, REC_DEFECT_TRUNCATED,
        "file is cut short: its header declares 8.00 s of audio, the file holds 2.00 s");
}

static void test_format_channels_mismatch(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    s.channels = 1;
    struct rec_analysis a;
    make("mono.wav", &s);
    analyze("mono.wav", &a);
    struct rec_expect e;
    rec_expect_init(&e);
    e.channels = 2;
    assert_one_failure(&a, &e, REC_DEFECT_CHANNELS, "1 channel (mono), expected 2");
    rec_expect_init(&e);
    e.container = "flac";
    assert_one_failure(&a, &e, REC_DEFECT_CONTAINER, "format wav (WAV (Microsoft)), expected flac");
    rec_expect_init(&e);
    e.encoding = "ulaw";
    assert_one_failure(&a, &e, REC_DEFECT_ENCODING,
                       "encoding pcm_16 (Signed 16 bit PCM), expected ulaw");
}

/* --- files that are not recordings ------------------------------------------------- */

static void assert_unreadable(const char *name, const char *words)
{
    struct rec_analysis a;
    char err[512] = "";
    assert_int_equal(rec_analyze(path(name), NULL, &a, err, sizeof err), -1);
    print_message("  %s\n", err);
    if (!strstr(err, words))
        fail_msg("'%s' does not say '%s'", err, words);
    assert_non_null(strstr(err, "expected an audio file libsndfile can read (WAV, FLAC, OGG...)"));
    assert_non_null(strstr(err, name));
}

static void test_zero_length(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    s.body = REC_BODY_EMPTY;
    make("empty.wav", &s);
    struct stat st;
    assert_int_equal(stat(path("empty.wav"), &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_unreadable("empty.wav", "(the file is empty)");
}

static void test_not_audio(void **state)
{
    (void)state;
    struct rec_spec s = call_spec();
    s.body = REC_BODY_NOT_AUDIO;
    make("error-page.wav", &s);
    /* libsndfile's own words, then what the file is */
    assert_unreadable("error-page.wav",
                      "Format not recognised (the file is text: \"<!DOCTYPE html>");
}

static void test_missing_file(void **state)
{
    (void)state;
    assert_unreadable("no-such-file.wav", "No such file or directory");
}

static void test_spec_errors_name_the_field(void **state)
{
    (void)state;
    static const struct rec_turn bad[] = {{1, 0, 1}, {3, 1, 2}};
    struct rec_spec s = call_spec();
    char err[256];
    s.turns = bad;
    s.n_turns = 2;
    assert_int_equal(rec_generate(path("bad.wav"), &s, err, sizeof err), -1);
    assert_string_equal(err, "spec.turns[1].channel is 3; expected 1 or 2");
    s = call_spec();
    s.channels = 3;
    assert_int_equal(rec_generate(path("bad.wav"), &s, err, sizeof err), -1);
    assert_string_equal(err, "spec.channels is 3; expected 1 or 2");
    s = call_spec();
    s.cut_fraction = 1.5;
    assert_int_equal(rec_generate(path("bad.wav"), &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "spec.cut_fraction"));
}

/* --- formats ---------------------------------------------------------------------- */

/* Every format this libsndfile writes (asked at run time) comes back with its
 * container and encoding named and its speech where it was put. */
static void test_formats_round_trip(void **state)
{
    (void)state;
    static const char *const want[REC_FMT__COUNT][2] = {
        [REC_FMT_WAV] = {"wav", "pcm_16"},        [REC_FMT_FLAC] = {"flac", "pcm_16"},
        [REC_FMT_OGG_VORBIS] = {"ogg", "vorbis"}, [REC_FMT_OGG_OPUS] = {"ogg", "opus"},
        [REC_FMT_MP3] = {"mp3", "mp3"},
    };
    static const struct rec_turn turns[] = {{1, 0.5, 2.0}, {2, 2.5, 3.5}};
    /* WAV and FLAC are in every libsndfile build this project runs on */
    assert_true(rec_format_supported(REC_FMT_WAV, 16000, 2));
    assert_true(rec_format_supported(REC_FMT_FLAC, 16000, 2));
    assert_false(rec_format_supported(REC_FMT__COUNT, 16000, 2));
    for (int f = 0; f < REC_FMT__COUNT; f++) {
        bool ok = rec_format_supported((enum rec_format)f, 16000, 2);
        print_message("  %-10s %s\n", rec_format_name((enum rec_format)f),
                      ok ? "written and read" : "not supported by this libsndfile");
        if (!ok)
            continue;
        char name[32];
        snprintf(name, sizeof name, "fmt-%s", rec_format_name((enum rec_format)f));
        struct rec_spec s = {.format = (enum rec_format)f,
                             .sample_rate = 16000,
                             .channels = 2,
                             .duration_s = 4,
                             .turns = turns,
                             .n_turns = 2,
                             .seed = 1};
        struct rec_analysis a;
        make(name, &s);
        analyze(name, &a);
        assert_string_equal(a.container, want[f][0]);
        assert_string_equal(a.encoding, want[f][1]);
        assert_int_equal(a.channels, 2);
        assert_near(a.duration_s, 4.0, 0.1); /* lossy codecs pad or trim a frame */
        assert_near(a.ch[0].active_ratio, 1.5 / 4, 0.05);
        assert_near(a.ch[1].active_ratio, 1.0 / 4, 0.05);
        assert_near(a.leading_dead_air_s, 0.5, 0.08);
    }
}

/* --- exact numbers, from files written sample by sample ----------------------------- */

/* Writes `seconds` of a square wave of amplitude amp on channel 1, silence on
 * channel 2 and a full-scale square on channel 3 (if any), in `format`. */
static void write_squares(const char *name, int format, int channels, double seconds, double amp)
{
    SF_INFO info = {.samplerate = 8000, .channels = channels, .format = format};
    SNDFILE *sf = sf_open(path(name), SFM_WRITE, &info);
    assert_non_null(sf);
    double buf[3 * 100];
    int64_t frames = (int64_t)(seconds * 8000);
    for (int64_t f = 0; f < frames; f += 100) {
        for (int i = 0; i < 100; i++) {
            double sign = ((f + i) / 20) % 2 ? -1 : 1; /* 200 Hz */
            buf[i * channels] = sign * amp;
            buf[i * channels + 1] = 0;
            if (channels > 2)
                buf[i * channels + 2] = sign;
        }
        assert_int_equal(sf_writef_double(sf, buf, 100), 100);
    }
    sf_close(sf);
}

static void check_squares(const struct rec_analysis *a, int channels)
{
    assert_near(a->ch[0].rms_dbfs, 20 * log10(0.5), 0.001);
    assert_near(a->ch[0].peak, 0.5, 0.001);
    assert_near(a->ch[0].active_ratio, 1, 0);
    assert_true(isinf(a->ch[1].rms_dbfs) && a->ch[1].rms_dbfs < 0);
    assert_true(isinf(a->ch[1].peak_dbfs));
    assert_near(a->ch[1].active_ratio, 0, 0);
    assert_near(a->ch[1].longest_silence_s, a->duration_s, 1e-9);
    assert_int_equal(a->ch[0].clipped, 0);
    if (channels > 2) {
        assert_near(a->ch[2].clip_ratio, 1.0, 0);
        assert_int_equal(a->ch[2].clipped, a->frames);
    }
}

/* The 16-bit path (8 lanes), the generic path (3 channels) and the float path
 * (24-bit, float) agree on the same signal, whatever the block size. */
static void test_exact_levels_every_path(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int format, channels;
    } files[] = {
        {"sq16x2.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2},
        {"sq16x3.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 3},
        {"sq24x2.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2},
        {"sqf32x3.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 3},
        {"sq16x2.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 2},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        write_squares(files[i].name, files[i].format, files[i].channels, 1.0125, 0.5);
        static const unsigned blocks[] = {1, 7, 160, 161, 8192};
        for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
            struct rec_options o = {.block_frames = blocks[b]};
            struct rec_analysis a;
            char err[256];
            assert_int_equal(rec_analyze(path(files[i].name), &o, &a, err, sizeof err), 0);
            assert_int_equal(a.frames, 8100);
            assert_int_equal(a.windows, 51); /* 50 of 160 frames and one of 100 */
            check_squares(&a, files[i].channels);
        }
    }
}

static void test_options_change_the_windows(void **state)
{
    (void)state;
    write_squares("sq-opt.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 1, 0.005); /* -46 dBFS */
    struct rec_analysis a;
    char err[256];
    assert_int_equal(rec_analyze(path("sq-opt.wav"), NULL, &a, err, sizeof err), 0);
    assert_near(a.ch[0].active_ratio, 0, 0); /* below -40 dBFS: not speech */
    struct rec_options o = {.window_ms = 100, .active_dbfs = -50, .clip_level = 0.004};
    assert_int_equal(rec_analyze(path("sq-opt.wav"), &o, &a, err, sizeof err), 0);
    assert_int_equal(a.windows, 10);
    assert_near(a.window_s, 0.1, 1e-12);
    assert_near(a.active_dbfs, -50, 0);
    assert_near(a.ch[0].active_ratio, 1, 0);
    assert_near(a.ch[0].clip_ratio, 1, 0);
}

/* --- streaming -------------------------------------------------------------------- */

static long maxrss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* A 10-minute 16 kHz stereo file (38 MB) is read in fixed blocks: the
 * process's peak memory grows by far less than the file. */
static void test_long_file_constant_memory(void **state)
{
    (void)state;
    SF_INFO info = {.samplerate = 16000, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *sf = sf_open(path("long.wav"), SFM_WRITE, &info);
    assert_non_null(sf);
    static short block[2 * 16000];
    for (int i = 0; i < 16000; i++)
        block[2 * i] = (short)(i % 40 < 20 ? 8000 : -8000);
    for (int s = 0; s < 600; s++)
        assert_int_equal(sf_writef_short(sf, block, 16000), 16000);
    sf_close(sf);
    struct stat st;
    assert_int_equal(stat(path("long.wav"), &st), 0);
    assert_true(st.st_size > 38 * 1000 * 1000);

    long before = maxrss_kib();
    struct rec_analysis a;
    analyze("long.wav", &a);
    long grew = maxrss_kib() - before;
    print_message("  38 MB file: peak RSS grew by %ld KiB\n", grew);
    assert_true(grew < 4 * 1024);
    assert_int_equal(a.frames, 600 * 16000);
    assert_near(a.ch[0].rms_dbfs, 20 * log10(8000.0 / 32768), 0.001);
    assert_near(a.ch[0].active_ratio, 1, 0);
    assert_near(a.ch[1].active_ratio, 0, 0);
}

/* --- names ------------------------------------------------------------------------ */

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(rec_container_name(SF_FORMAT_WAVEX | SF_FORMAT_PCM_32), "wav");
    assert_string_equal(rec_encoding_name(SF_FORMAT_WAVEX | SF_FORMAT_PCM_32), "pcm_32");
    assert_string_equal(rec_container_name(SF_FORMAT_OGG | SF_FORMAT_OPUS), "ogg");
    assert_string_equal(rec_encoding_name(SF_FORMAT_WAV | SF_FORMAT_ULAW), "ulaw");
    assert_string_equal(rec_container_name(0x7f0000), "?");
    assert_string_equal(rec_defect_name(REC_DEFECT_SILENT_CHANNEL), "silent_channel");
    assert_string_equal(rec_defect_name(REC_DEFECT__COUNT), "?");
    assert_string_equal(rec_format_name(REC_FMT_OGG_OPUS), "ogg_opus");
    assert_null(rec_format_name(REC_FMT__COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthy_call_properties),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_mono_is_the_sum),
        cmocka_unit_test(test_level_follows_the_spec),
        cmocka_unit_test(test_dead_air),
        cmocka_unit_test(test_long_silence),
        cmocka_unit_test(test_silent_channel),
        cmocka_unit_test(test_low_activity_is_not_silence),
        cmocka_unit_test(test_clipping),
        cmocka_unit_test(test_wrong_sample_rate),
        cmocka_unit_test(test_stopped_early),
        cmocka_unit_test(test_cut_file_is_truncated_whatever_is_expected),
        cmocka_unit_test(test_format_channels_mismatch),
        cmocka_unit_test(test_zero_length),
        cmocka_unit_test(test_not_audio),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_spec_errors_name_the_field),
        cmocka_unit_test(test_formats_round_trip),
        cmocka_unit_test(test_exact_levels_every_path),
        cmocka_unit_test(test_options_change_the_windows),
        cmocka_unit_test(test_long_file_constant_memory),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
