/* Call recordings (rule H-4): read, measured and checked with libsndfile, and
 * written with libsndfile for the provider mocks.
 *
 * Three parts, one prefix:
 *   rec_analyze   streams a file once in fixed blocks (memory does not grow
 *                 with the file's length) and measures format, duration and,
 *                 per channel, level, peak, clipping and speech activity;
 *   rec_check     compares an analysis with what a test expects and says each
 *                 defect in words a user understands;
 *   rec_generate  writes a synthetic two-party call (voice-like turns on each
 *                 speaker's channel) with defects on demand.
 *
 * Ownership: every struct here is plain data owned by the caller; no function
 * allocates anything the caller must free. Pointers inside rec_spec (turns)
 * are borrowed for the duration of the call. */
#ifndef DIALSIM_AUDIO_RECORDING_H
#define DIALSIM_AUDIO_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A call recording has one or two channels; more are analysed up to this. */
#define REC_MAX_CHANNELS 8
/* rec_check reports at most this many failures (6 file-wide + 4 per channel fit). */
#define REC_MAX_FAILURES 48

/* ------------------------------------------------------------------ analysis */

/* Analysis settings; a zero field takes its default, and opt == NULL means all
 * defaults. */
struct rec_options {
    double window_ms;      /* speech-activity window, default 20 ms */
    double active_dbfs;    /* a window is speech when its RMS is above this, default -40 */
    double clip_level;     /* |x| >= this fraction of full scale clips, default 0.999 */
    unsigned block_frames; /* frames per libsndfile read, default 8192 */
};

struct rec_channel {
    /* whole-file RMS re full scale (a full-scale square wave is 0 dB); -INFINITY if all zero */
    double rms_dbfs;
    double peak;         /* largest |x| as a fraction of full scale, 0..1 (more for float files) */
    double peak_dbfs;    /* the same in dBFS; -INFINITY if digital zero */
    double clip_ratio;   /* samples at |x| >= clip_level over all samples */
    double active_ratio; /* speech windows over all windows */
    double longest_silence_s;    /* longest run of non-speech windows on this channel */
    double longest_silence_at_s; /* where that run starts */
    uint64_t clipped;            /* samples at |x| >= clip_level */
    uint64_t active_windows;
};

struct rec_analysis {
    int format;              /* SF_INFO.format */
    char container[16];      /* short name: wav, flac, ogg, mp3, aiff, ... */
    char encoding[16];       /* short name: pcm_16, pcm_24, float, ulaw, vorbis, opus, mp3, ... */
    char container_desc[64]; /* libsndfile's name, e.g. "WAV (Microsoft)" */
    char encoding_desc[64];  /* libsndfile's name, e.g. "Signed 16 bit PCM" */
    int sample_rate;         /* as the header says */
    int channels;
    int64_t frames;              /* frames actually read */
    int64_t declared_frames;     /* frames the header claims when libsndfile reports more than
                                    the file holds (a cut WAV); -1 when not known */
    double duration_s;           /* frames / sample_rate */
    double window_s;             /* the activity window actually used */
    int64_t windows;             /* windows per channel, the last one possibly partial */
    double active_dbfs;          /* the threshold used */
    double leading_dead_air_s;   /* before the first window where any channel speaks; the whole
                                    file when nobody does */
    double longest_silence_s;    /* longest run of windows where no channel speaks */
    double longest_silence_at_s; /* where that run starts */
    struct rec_channel ch[REC_MAX_CHANNELS];
};

/* Reads path once, front to back, in blocks of opt->block_frames frames.
 * Returns 0 and fills *out, or -1 with a message in err (libsndfile's own
 * words plus what was expected). The memory it uses does not depend on the
 * length of the file. */
int rec_analyze(const char *path, const struct rec_options *opt, struct rec_analysis *out,
                char *err, size_t n);

/* Short names of a libsndfile format's container and encoding ("?" when
 * unknown); static strings. */
const char *rec_container_name(int sf_format);
const char *rec_encoding_name(int sf_format);

/* -------------------------------------------------------------------- checks */

/* Every expectation is optional: start from rec_expect_init(), which leaves
 * everything unset (strings NULL, integers 0, doubles NAN), then set what the
 * test cares about. Ratios are fractions (0.2 = 20 %). */
struct rec_expect {
    const char *container; /* e.g. "wav"; case, '_' and '-' are ignored (borrowed) */
    const char *encoding;  /* e.g. "pcm_16" (borrowed) */
    int sample_rate;       /* Hz; 0 = any */
    int channels;          /* 0 = any */
    double duration_s;     /* with duration_tol_s (NAN = 0.5 s) */
    double duration_tol_s;
    double min_active_ratio; /* on every channel */
    double max_silence_s;    /* longest stretch where nobody speaks */
    double max_dead_air_s;   /* before anyone first speaks */
    double max_clip_ratio;   /* on every channel */
    double min_rms_dbfs;     /* on every channel */
    double max_rms_dbfs;     /* on every channel */
};

void rec_expect_init(struct rec_expect *e);

/* The defects rec_check can name: X(code, name). A test asserts the stable
 * name, never the sentence. */
#define REC_DEFECTS(X)                                                                             \
    X(REC_DEFECT_CONTAINER, "container")                                                           \
    X(REC_DEFECT_ENCODING, "encoding")                                                             \
    X(REC_DEFECT_SAMPLE_RATE, "sample_rate")                                                       \
    X(REC_DEFECT_CHANNELS, "channels")                                                             \
    X(REC_DEFECT_TRUNCATED, "truncated")                                                           \
    X(REC_DEFECT_DURATION, "duration")                                                             \
    X(REC_DEFECT_DEAD_AIR, "dead_air")                                                             \
    X(REC_DEFECT_SILENCE, "silence")                                                               \
    X(REC_DEFECT_SILENT_CHANNEL, "silent_channel")                                                 \
    X(REC_DEFECT_LOW_ACTIVITY, "low_activity")                                                     \
    X(REC_DEFECT_CLIPPING, "clipping")                                                             \
    X(REC_DEFECT_TOO_QUIET, "too_quiet")                                                           \
    X(REC_DEFECT_TOO_LOUD, "too_loud")

enum rec_defect {
#define REC_X_ENUM(code, name) code,
    REC_DEFECTS(REC_X_ENUM)
#undef REC_X_ENUM
        REC_DEFECT__COUNT
};

const char *rec_defect_name(enum rec_defect d);

struct rec_failure {
    enum rec_defect defect;
    int channel; /* 1-based; 0 for the whole file */
    char text[192];
};

struct rec_failures {
    size_t n;
    struct rec_failure item[REC_MAX_FAILURES];
};

/* Fills *out with every expectation of e that a does not meet (in the order
 * of the REC_DEFECTS table, channel by channel) and returns their number.
 * A file whose header claims more audio than it holds fails as truncated
 * whatever e says. */
int rec_check(const struct rec_analysis *a, const struct rec_expect *e, struct rec_failures *out);

/* ---------------------------------------------------------------- generation */

enum rec_format {
    REC_FMT_WAV, /* 16-bit PCM */
    REC_FMT_FLAC,
    REC_FMT_OGG_VORBIS,
    REC_FMT_OGG_OPUS,
    REC_FMT_MP3,
    REC_FMT__COUNT
};

/* "wav", "flac", "ogg_vorbis", "ogg_opus", "mp3"; NULL when out of range. */
const char *rec_format_name(enum rec_format f);

/* Whether the libsndfile linked at run time can write f with this rate and
 * channel count (asked of libsndfile, never assumed). */
bool rec_format_supported(enum rec_format f, int sample_rate, int channels);

/* What a generated file is, whatever its audio. */
enum rec_body {
    REC_BODY_AUDIO,
    REC_BODY_EMPTY,     /* a zero-length file */
    REC_BODY_NOT_AUDIO, /* an HTML error page, as a provider URL might serve */
};

/* One speaker's turn: audible on channel (1-based) over [start_s, end_s). */
struct rec_turn {
    int channel;
    double start_s, end_s;
};

/* Sentinel for rec_spec.noise_dbfs: no noise floor at all (digital silence). */
#define REC_NO_NOISE (-1000.0)

struct rec_spec {
    enum rec_format format;
    int sample_rate;              /* Hz */
    int channels;                 /* 1 or 2; mono is the sum of every turn */
    double duration_s;            /* of the whole call */
    const struct rec_turn *turns; /* borrowed */
    size_t n_turns;
    uint32_t seed;     /* same seed, same samples */
    double level_dbfs; /* speech RMS, 0 = default -20 */
    double noise_dbfs; /* noise floor on every channel, 0 = default -60; REC_NO_NOISE for none */

    /* Defects, each off when zero. */
    double dead_air_s;   /* every turn starts this much later (speech past the end is lost) */
    int silent_channel;  /* 1-based channel whose turns are dropped (only the noise floor stays) */
    double stop_at_s;    /* stop writing here: a well-formed but short file */
    double cut_fraction; /* 0 < f < 1: cut the finished file to this fraction of its bytes,
                            leaving a header that claims the full length */
    int header_rate;     /* label the file with this rate instead of sample_rate */
    double clip_gain_db; /* extra speech gain; beyond full scale the samples saturate */
    enum rec_body body;
};

/* Writes spec to path with libsndfile. Returns 0, or -1 with a message in err
 * (the spec field at fault, or libsndfile's words). */
int rec_generate(const char *path, const struct rec_spec *spec, char *err, size_t n);

#endif
