/* dialsim init [DIR]: a starting point that works. It writes a first scenario
 * (the happy path of an outbound call through Vapi, with the expectations a
 * user edits from there) and a serve config with the same agent and mocks,
 * for a user's own suite against `dialsim serve`. Both pass as written
 * (tests/check_install.sh runs them); nothing is overwritten. */
#include "cli/commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/datadir.h"

static const char scenario_fmt[] =
    "{\n"
    "%s" /* "$schema": the installed schema, when there is one */
    "  \"name\": \"first call: Vapi dials from the agent's contact_number, the core answers\",\n"
    "  \"description\": \"Written by dialsim init. One agent, one evaluator: the run reaches "
    "pending, the core asks Vapi for one call, Vapi dials 2 s later from the agent's "
    "contact_number, the caller-ID gate answers, and the call ends after 30 s. Change a fact "
    "(the phone number's digits, dial_delay) and see which expectation fails.\",\n"
    "  \"rules\": [\"AO-1\", \"AO-3\", \"DW-1\"],\n"
    "  \"agents\": [\n"
    "    {\"id\": \"sales\", \"name\": \"Sales\", \"contact_number\": \"+15551234567\", "
    "\"provider\": \"vapi\",\n"
    "     \"provider_api_key\": \"vapi-private-key\", \"assistant_id\": \"asst-sales\", "
    "\"phone_number_id\": \"pn-main\"}\n"
    "  ],\n"
    "  \"evaluators\": [{\"id\": \"caller\", \"phone_number\": \"+15557654321\"}],\n"
    "  \"mocks\": {\n"
    "    \"vapi\": {\"keys\": [\"vapi-private-key\"], \"assistants\": [\"asst-sales\"],\n"
    "             \"phone_numbers\": [{\"id\": \"pn-main\", \"number\": \"+15551234567\"}],\n"
    "             \"latency\": 0.3, \"dial_delay\": 2},\n"
    "    \"pstn\": {\"call_duration\": 30}\n"
    "  },\n"
    "  \"steps\": [{\"at\": 0, \"do\": \"start_runs\", \"agent\": \"sales\", \"evaluators\": "
    "[\"caller\"]}],\n"
    "  \"expect\": {\n"
    "    \"runs\": {\n"
    "      \"caller\": {\"status\": \"completed\", \"reason\": null, \"dials\": 1,\n"
    "                 \"dropped\": 0, \"provider_call\": {\"status\": \"ended\",\n"
    "                                                 \"ended_reason\": \"customer-ended-call\"}}\n"
    "    },\n"
    "    \"journal\": [{\"mock\": \"vapi\", \"method\": \"POST\", \"path\": \"/call\", "
    "\"count\": 1}]\n"
    "  }\n"
    "}\n";

static const char serve_config[] =
    "{\n"
    "  \"projects\": [{\"id\": \"acme\", \"api_key\": \"sk-acme\"}],\n"
    "  \"agents\": [{\"id\": \"sales\", \"project\": \"acme\", \"name\": \"Sales\", "
    "\"contact_number\": \"+15551234567\",\n"
    "              \"provider\": \"vapi\", \"provider_api_key\": \"vapi-private-key\", "
    "\"assistant_id\": \"asst-sales\",\n"
    "              \"phone_number_id\": \"pn-main\"}],\n"
    "  \"evaluators\": [{\"id\": \"caller\", \"project\": \"acme\", \"phone_number\": "
    "\"+15557654321\"}],\n"
    "  \"mocks\": {\n"
    "    \"vapi\": {\"keys\": [\"vapi-private-key\"], \"assistants\": [\"asst-sales\"],\n"
    "             \"phone_numbers\": [{\"id\": \"pn-main\", \"number\": \"+15551234567\"}],\n"
    "             \"latency\": 0.3, \"dial_delay\": 2},\n"
    "    \"pstn\": {\"call_duration\": 30}\n"
    "  }\n"
    "}\n";

static void init_usage(FILE *f)
{
    fprintf(f, "usage: dialsim init [DIR]\n"
               "Write a first scenario (DIR/scenarios/first-call.json) and a serve config\n"
               "(DIR/serve.json) that pass as written: `dialsim run DIR/scenarios` and\n"
               "`dialsim serve --config DIR/serve.json`. DIR defaults to the current folder;\n"
               "existing files are never overwritten (exit 2).\n");
}

/* Creates path with text, refusing to replace a file; 0, or -1 after saying why. */
__attribute__((format(printf, 2, 3))) static int write_new(const char *path, const char *fmt, ...);
static int write_new(const char *path, const char *fmt, ...)
{
    FILE *f = fopen(path, "wx"); /* x: fail when it exists (C11) */
    if (!f) {
        fprintf(stderr, "dialsim init: %s: %s%s\n", path, strerror(errno),
                errno == EEXIST ? " (not overwritten)" : "");
        return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    int w = vfprintf(f, fmt, ap);
    va_end(ap);
    if (fclose(f) != 0 || w < 0) {
        fprintf(stderr, "dialsim init: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    printf("wrote %s\n", path);
    return 0;
}

int cmd_init(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        init_usage(c == 'h' ? stdout : stderr);
        return c == 'h' ? 0 : 2;
    }
    if (argc - optind > 1) {
        init_usage(stderr);
        return 2;
    }
    const char *dir = optind < argc ? argv[optind] : ".";
    char scn_dir[4096], scn[4200], cfg[4200];
    snprintf(scn_dir, sizeof scn_dir, "%s/scenarios", dir);
    snprintf(scn, sizeof scn, "%s/first-call.json", scn_dir);
    snprintf(cfg, sizeof cfg, "%s/serve.json", dir);
    if ((mkdir(dir, 0777) != 0 && errno != EEXIST) ||
        (mkdir(scn_dir, 0777) != 0 && errno != EEXIST)) {
        fprintf(stderr, "dialsim init: cannot create %s: %s\n", scn_dir, strerror(errno));
        return 2;
    }
    /* editors complete keys from the schema the file names (docs/scenario-format.md) */
    char schema[4096], line[4200] = "";
    if (datadir_find("scenario.schema.json", schema, sizeof schema))
        snprintf(line, sizeof line, "  \"$schema\": \"%s\",\n", schema);
    if (write_new(scn, scenario_fmt, line) != 0 || write_new(cfg, "%s", serve_config) != 0)
        return 2;
    printf("next: dialsim run %s   (then edit it: docs/scenario-format.md)\n"
           "      dialsim serve --config %s\n",
           scn_dir, cfg);
    return 0;
}
