/* dialsim: the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/json_depth.h"
#include "core/reason.h"
#include "runner/explain.h"
#include "runner/repro.h"
#include "runner/runner.h"

#define DIALSIM_VERSION "0.1.0"

static void usage(FILE *f)
{
    fprintf(f, "usage: dialsim run [-j N] [--junit FILE] [--shard K/N] [-v] [--timing] PATH...\n"
               "       dialsim check-recording FILE [--expect-...] [--json]  (check-recording -h)\n"
               "       dialsim serve [--config FILE] [--db FILE] [--port N]  (serve -h)\n"
               "       dialsim conform trigger|outbound-connection|transcripts ...  (conform -h)\n"
               "       dialsim repro REPORT.json [-o SCENARIO.json] [-v]  (repro -h)\n"
               "       dialsim explain [--scenarios DIR] REASON|RULE|RUN.json ...  (explain -h)\n"
               "       dialsim reasons\n"
               "       dialsim version\n"
               "\n"
               "run      replay scenario files (folders are searched for *.json) on the\n"
               "         simulated clock; exit 0 when every expectation holds, 1 when one\n"
               "         fails, 2 on unusable input\n"
               "  -j N           run N scenarios in parallel (default 1)\n"
               "  --junit FILE   also write JUnit XML\n"
               "  --shard K/N    run only the K-th of N stable shards (by scenario path)\n"
               "  -v             print every run's outcome, diagnosis and event log\n"
               "  --timing       print wall-time figures to stderr (stdout is unchanged)\n"
               "reasons  list the reason codes a run can end with\n");
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

static int cmd_run(int argc, char **argv)
{
    struct run_options o = {.jobs = 1};
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t np = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
            if (i + 1 >= argc || parse_int(argv[++i], 1, 64, &o.jobs)) {
                fprintf(stderr, "dialsim run: %s needs a number from 1 to 64\n", a);
                free(paths);
                return 2;
            }
        } else if (!strncmp(a, "-j", 2) && a[2]) {
            if (parse_int(a + 2, 1, 64, &o.jobs)) {
                fprintf(stderr, "dialsim run: -j needs a number from 1 to 64\n");
                free(paths);
                return 2;
            }
        } else if (!strcmp(a, "--junit")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "dialsim run: --junit needs a file name\n");
                free(paths);
                return 2;
            }
            o.junit = argv[++i];
        } else if (!strcmp(a, "--shard")) {
            int k, n;
            char extra;
            if (i + 1 >= argc || sscanf(argv[++i], "%d/%d%c", &k, &n, &extra) != 2 || n < 1 ||
                k < 1 || k > n) {
                fprintf(stderr, "dialsim run: --shard needs K/N with 1 <= K <= N (e.g. 2/4)\n");
                free(paths);
                return 2;
            }
            o.shard_k = k;
            o.shard_n = n;
        } else if (!strcmp(a, "--timing")) {
            o.timing = true;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o.verbose = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "dialsim run: unknown option %s\n", a);
            usage(stderr);
            free(paths);
            return 2;
        } else {
            paths[np++] = a;
        }
    }
    if (np == 0) {
        fprintf(stderr, "dialsim run: name at least one scenario file or folder\n");
        free(paths);
        return 2;
    }
    int rc = runner_main(paths, np, &o);
    free(paths);
    return rc;
}

static int cmd_reasons(void)
{
    for (int r = 1; r < DS_REASON__COUNT; r++)
        printf("%-30s %-8s %-5s %s\n", reason_name((enum ds_reason)r),
               run_status_name(reason_status((enum ds_reason)r)), reason_rule((enum ds_reason)r),
               reason_sentence((enum ds_reason)r));
    return 0;
}

int main(int argc, char **argv)
{
    json_depth_use_alloc(); /* before any JSON: a parse that ran out of memory says so */
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "check-recording"))
        return cmd_check_recording(argc - 2, argv + 2);
    if (!strcmp(cmd, "conform"))
        return cmd_conform(argc - 2, argv + 2);
    if (!strcmp(cmd, "explain"))
        return cmd_explain(argc - 2, argv + 2);
    if (!strcmp(cmd, "repro"))
        return cmd_repro(argc - 2, argv + 2);
    if (!strcmp(cmd, "reasons"))
        return cmd_reasons();
    if (!strcmp(cmd, "serve"))
        return cmd_serve(argc - 2, argv + 2);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("dialsim %s\n", DIALSIM_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "dialsim: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
