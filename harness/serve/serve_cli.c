/* dialsim serve: arguments, signals, and the one line that says where the
 * server listens. */
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "serve/serve.h"

static void serve_usage(FILE *f)
{
    fprintf(f,
            "usage: dialsim serve [--config FILE] [--db FILE] [--port N] [--host ADDR]\n"
            "                     [--threads N] [--mock-port N] [--mock-threads N]\n"
            "                     [--journal-size N] [--max-ended-calls N] [--max-final-runs N]\n"
            "                     [--admin-token TOKEN] [--time-scale F] [--quiet]\n"
            "\n"
            "Run the core's HTTP API in real time (docs/api.md) until SIGINT or SIGTERM.\n"
            "  --config FILE  projects, agents, evaluators and provider URLs (JSON)\n"
            "  --db FILE      SQLite file for transcripts (default ./%s; :memory: allowed)\n"
            "  --port N       port to listen on; 0 (default) picks a free one\n"
            "  --host ADDR    address to bind (default %s)\n"
            "  --threads N    connections the API serves at once, idle keep-alive ones\n"
            "                 included (default %d)\n"
            "  --mock-port N  port of the provider mocks, when the config has \"mocks\"\n"
            "                 (0, the default, picks a free one)\n"
            "  --mock-threads N  connections the mocks serve at once (default %d)\n"
            "  --journal-size N  the mocks' journal keeps the last N requests (default %d)\n"
            "  --max-ended-calls N  each provider mock keeps the last N ended calls\n"
            "                 (default %d; live calls are always kept)\n"
            "  --max-final-runs N  the last N final runs stay in memory; older ones are\n"
            "                 read from the database file (default %d)\n"
            "  --admin-token TOKEN  the management routes and the mocks' /_dialsim/ routes\n"
            "                 need \"Authorization: Bearer TOKEN\" (default: the environment\n"
            "                 variable DIALSIM_ADMIN_TOKEN; none: open, loopback only);\n"
            "                 a --host beyond loopback needs one\n"
            "  --time-scale F  the clock runs 1/F times as fast as the wall clock:\n"
            "                 rings, dial delays, latencies, webhook delays and the dial\n"
            "                 window all scale (0.01: a 60 s ring takes 0.6 s; default 1;\n"
            "                 %g ... %g); network round trips do not\n"
            "  --quiet        no request log on stderr\n"
            "Prints \"listening on http://ADDR:PORT\" on stdout once it accepts requests,\n"
            "then \"mocks on http://ADDR:PORT\" when it serves the provider mocks.\n",
            SERVE_DEFAULT_DB, SERVE_DEFAULT_HOST, SERVE_DEFAULT_THREADS, SERVE_DEFAULT_THREADS,
            SERVE_DEFAULT_JOURNAL_SIZE, SERVE_DEFAULT_MAX_ENDED_CALLS, SERVE_DEFAULT_MAX_FINAL_RUNS,
            SERVE_TIME_SCALE_MIN, SERVE_TIME_SCALE_MAX);
}

static int int_arg(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* A number option of serve into *out; 0, or -1 after saying what it takes. */
static int num_opt(const char *name, const char *arg, int lo, int hi, int *out)
{
    if (int_arg(arg, lo, hi, out) == 0)
        return 0;
    fprintf(stderr, "dialsim serve: --%s needs a number from %d to %d\n", name, lo, hi);
    return -1;
}

int cmd_serve(int argc, char **argv)
{
    enum {
        CONFIG = 256,
        DB,
        HOST,
        PORT,
        THREADS,
        MOCK_PORT,
        MOCK_THREADS,
        JOURNAL_SIZE,
        MAX_ENDED,
        MAX_FINAL_RUNS,
        ADMIN_TOKEN,
        TIME_SCALE,
        QUIET
    };
    static const struct option longopts[] = {
        {"config", required_argument, NULL, CONFIG},
        {"db", required_argument, NULL, DB},
        {"host", required_argument, NULL, HOST},
        {"port", required_argument, NULL, PORT},
        {"threads", required_argument, NULL, THREADS},
        {"mock-port", required_argument, NULL, MOCK_PORT},
        {"mock-threads", required_argument, NULL, MOCK_THREADS},
        {"journal-size", required_argument, NULL, JOURNAL_SIZE},
        {"max-ended-calls", required_argument, NULL, MAX_ENDED},
        {"max-final-runs", required_argument, NULL, MAX_FINAL_RUNS},
        {"admin-token", required_argument, NULL, ADMIN_TOKEN},
        {"time-scale", required_argument, NULL, TIME_SCALE},
        {"quiet", no_argument, NULL, QUIET},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct serve_options o = {0};
    int c, bad = 0;
    optind = 0;
    while (!bad && (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case CONFIG:
            o.config_path = optarg;
            break;
        case DB:
            o.db_path = optarg;
            break;
        case HOST:
            o.host = optarg;
            break;
        case ADMIN_TOKEN:
            o.admin_token = optarg;
            break;
        case PORT:
            bad = num_opt("port", optarg, 0, 65535, &o.port);
            break;
        case MOCK_PORT:
            bad = num_opt("mock-port", optarg, 0, 65535, &o.mock_port);
            break;
        case MOCK_THREADS:
            bad = num_opt("mock-threads", optarg, 1, 1024, &o.mock_threads);
            break;
        case JOURNAL_SIZE:
            bad = num_opt("journal-size", optarg, 1, 100000000, &o.journal_size);
            break;
        case MAX_ENDED:
            bad = num_opt("max-ended-calls", optarg, 1, 100000000, &o.max_ended_calls);
            break;
        case MAX_FINAL_RUNS:
            bad = num_opt("max-final-runs", optarg, 1, 100000000, &o.max_final_runs);
            break;
        case THREADS:
            bad = num_opt("threads", optarg, 1, 1024, &o.threads);
            break;
        case TIME_SCALE: {
            char *end;
            o.time_scale = strtod(optarg, &end);
            if (!*optarg || *end || !(o.time_scale >= SERVE_TIME_SCALE_MIN) ||
                !(o.time_scale <= SERVE_TIME_SCALE_MAX)) {
                fprintf(stderr,
                        "dialsim serve: --time-scale needs a number from %g to %g, got "
                        "'%s'\n",
                        SERVE_TIME_SCALE_MIN, SERVE_TIME_SCALE_MAX, optarg);
                bad = 1;
            }
            break;
        }
        case QUIET:
            o.quiet = true;
            break;
        case 'h':
            serve_usage(stdout);
            return 0;
        default:
            serve_usage(stderr);
            return 2;
        }
    }
    if (bad)
        return 2;
    if (optind < argc) {
        fprintf(stderr, "dialsim serve: unexpected argument '%s'\n", argv[optind]);
        serve_usage(stderr);
        return 2;
    }
    /* the option wins over the environment; an empty variable is no token */
    const char *env_token = getenv("DIALSIM_ADMIN_TOKEN");
    if (!o.admin_token && env_token && *env_token)
        o.admin_token = env_token;
    /* decision (docs/decisions.md): as many malloc arenas as cores, not
     * glibc's 8 per core. Hundreds of mostly idle workers spread over 16
     * arenas kept each arena's high-water mark: the same load ended 33 or
     * 49 MiB depending on which worker took which connection. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    mallopt(M_ARENA_MAX, cores > 2 ? (int)cores : 2);
    /* Every thread started from here on inherits this mask, so SIGINT and
     * SIGTERM reach only sigwait below; a peer closing early is not a crash. */
    sigset_t stop_set;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGINT);
    sigaddset(&stop_set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* a file size limit (RLIMIT_FSIZE) reached is a write that fails, as on a
     * full disk: the store answers it (500, nothing accepted), the server
     * goes on (docs/reliability.md#disk-full) */
    signal(SIGXFSZ, SIG_IGN);

    struct serve *s;
    char err[1024];
    if (serve_create(&s, &o, err, sizeof err) != 0) {
        fprintf(stderr, "dialsim serve: %s\n", err);
        return 2;
    }
    printf("listening on http://%s:%d\n", o.host ? o.host : SERVE_DEFAULT_HOST, serve_port(s));
    if (serve_mocks_url(s))
        printf("mocks on %s\n", serve_mocks_url(s));
    fflush(stdout);
    int sig = 0;
    sigwait(&stop_set, &sig);
    fprintf(stderr, "dialsim serve: %s: finishing requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    serve_destroy(s);
    fprintf(stderr, "dialsim serve: stopped\n");
    return 0;
}
