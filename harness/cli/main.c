/* dialsim: the command line. Every command parses its arguments with glibc's
 * getopt_long, so they all behave as users of GNU tools expect: -h/--help,
 * --opt=value, options after operands, "--" to end the options, and an
 * unknown option exits 2 with the usage on stderr. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/json_depth.h"
#include "core/reason.h"
#include "runner/explain.h"
#include "runner/repro.h"
#include "runner/runner.h"

#include "version.h" /* DIALSIM_VERSION, DIALSIM_COMMIT (cmake/version.cmake) */

#ifdef DIALSIM_WITH_JEMALLOC
/* jemalloc's options, read at its start (docs/decisions.md#allocator; the
 * MALLOC_CONF variable still overrides them). serve runs 2 x 256 mostly idle
 * workers: a small per-thread cache (jemalloc's default costs ~8 KiB of RSS
 * per thread that ever allocates; sizes up to 2 KiB, which a mock's answer
 * and its head fit: a size above it takes an arena's lock on every
 * allocation and free, ~1,400 instructions a request), one arena per core (glibc's lesson: many
 * arenas keep many high-water marks), and freed pages handed back after a second instead of ten.
 * Measured in docs/benchmarks.md run 7. */
const char *malloc_conf = "narenas:2,tcache_max:2048,tcache_nslots_small_max:8,"
                          "tcache_nslots_large:2,dirty_decay_ms:1000,muzzy_decay_ms:0";
#endif

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: dialsim run [-j N] [--junit FILE] [--report FILE.html] [--shard K/N] [-v] PATH...\n"
        "       dialsim check-recording FILE [--expect-...] [--json]  (check-recording -h)\n"
        "       dialsim serve [--config FILE] [--db FILE] [--port N]  (serve -h)\n"
        "       dialsim conform trigger|outbound-connection|transcripts ...  (conform -h)\n"
        "       dialsim repro REPORT.json [-o SCENARIO.json] [-v]  (repro -h)\n"
        "       dialsim explain [--scenarios DIR] REASON|RULE|RUN.json ...  (explain -h)\n"
        "       dialsim init [DIR]   a first scenario and serve config that pass\n"
        "       dialsim reasons\n"
        "       dialsim version\n"
        "Every command takes -h/--help; `dialsim COMMAND --help` says more.\n");
}

static void run_usage(FILE *f)
{
    fprintf(f, "usage: dialsim run [options] PATH...\n"
               "Replay scenario files (folders are searched for *.json) on the simulated\n"
               "clock; exit 0 when every expectation holds, 1 when one fails, 2 on unusable\n"
               "input.\n"
               "  -j, --jobs N     run N scenarios in parallel (1 to 64, default 1)\n"
               "  --junit FILE     also write JUnit XML\n"
               "  --report FILE.html  also write an HTML report: a timeline per run, for\n"
               "                   people (one self-contained file)\n"
               "  --shard K/N      run only the K-th of N stable shards (by scenario path)\n"
               "  -v, --verbose    print every run's outcome, diagnosis and event log\n"
               "  --timing         print wall-time figures to stderr (stdout is unchanged)\n"
               "  --format FMT     text (default) or json: one JSON document on stdout\n"
               "                   (docs/output-formats.md)\n"
               "  -h, --help       this text\n");
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

enum { OPT_JUNIT = 256, OPT_SHARD, OPT_TIMING, OPT_FORMAT, OPT_REPORT };

/* argv[0] is the command's name as getopt_long's messages show it ("dialsim
 * run"); the rest are its arguments. */
static int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"jobs", required_argument, NULL, 'j'},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"verbose", no_argument, NULL, 'v'},
        {"timing", no_argument, NULL, OPT_TIMING},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"report", required_argument, NULL, OPT_REPORT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct run_options o = {.jobs = 1};
    int c, k, n;
    char extra;
    optind = 0;
    while ((c = getopt_long(argc, argv, "j:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            if (parse_int(optarg, 1, 64, &o.jobs)) {
                fprintf(stderr, "dialsim run: -j needs a number from 1 to 64, not '%s'\n", optarg);
                return 2;
            }
            break;
        case OPT_JUNIT:
            o.junit = optarg;
            break;
        case OPT_REPORT:
            o.html = optarg;
            break;
        case OPT_SHARD:
            if (sscanf(optarg, "%d/%d%c", &k, &n, &extra) != 2 || n < 1 || k < 1 || k > n) {
                fprintf(stderr, "dialsim run: --shard needs K/N with 1 <= K <= N (e.g. 2/4)\n");
                return 2;
            }
            o.shard_k = k;
            o.shard_n = n;
            break;
        case OPT_TIMING:
            o.timing = true;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
                fprintf(stderr, "dialsim run: --format takes text or json, not '%s'\n", optarg);
                return 2;
            }
            o.json = !strcmp(optarg, "json");
            break;
        case 'v':
            o.verbose = true;
            break;
        case 'h':
            run_usage(stdout);
            return 0;
        default: /* getopt_long said what is wrong */
            run_usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "dialsim run: name at least one scenario file or folder\n");
        return 2;
    }
    return runner_main((const char *const *)argv + optind, (size_t)(argc - optind), &o);
}

/* A command without options or operands (reasons, version): 0 to go on, or
 * the exit code when it was asked for help or given anything. */
static int no_args(int argc, char **argv, const char *text)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(text, stdout);
            return 0;
        }
        fputs(text, stderr);
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
        fputs(text, stderr);
        return 2;
    }
    return -1;
}

static int cmd_reasons(int argc, char **argv)
{
    int rc = no_args(argc, argv,
                     "usage: dialsim reasons\n"
                     "List the reason codes a run can end with: name, status, rule, sentence.\n");
    if (rc >= 0)
        return rc;
    for (int r = 1; r < DS_REASON__COUNT; r++)
        printf("%-30s %-8s %-5s %s\n", reason_name((enum ds_reason)r),
               run_status_name(reason_status((enum ds_reason)r)), reason_rule((enum ds_reason)r),
               reason_sentence((enum ds_reason)r));
    return 0;
}

static int cmd_version(int argc, char **argv)
{
    int rc = no_args(argc, argv, "usage: dialsim version\n");
    if (rc >= 0)
        return rc;
    printf("dialsim %s (commit %s)\n", DIALSIM_VERSION, DIALSIM_COMMIT);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {
    {"run", cmd_run},         {"check-recording", cmd_check_recording},
    {"conform", cmd_conform}, {"explain", cmd_explain},
    {"repro", cmd_repro},     {"reasons", cmd_reasons},
    {"serve", cmd_serve},     {"version", cmd_version},
    {"init", cmd_init},
};

int main(int argc, char **argv)
{
    json_depth_use_alloc(); /* before any JSON: a parse that ran out of memory says so */
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version"))
        cmd = "version";
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        if (strcmp(cmd, commands[i].name) != 0)
            continue;
        /* The command sees itself as argv[0], so getopt_long's messages read
         * "dialsim run: unrecognized option '--bogus'". */
        char prog[64];
        snprintf(prog, sizeof prog, "dialsim %s", commands[i].name);
        argv[1] = prog;
        return commands[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "dialsim: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
