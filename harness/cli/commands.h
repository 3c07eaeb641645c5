/* dialsim subcommands that live outside main.c. Each takes its own name as
 * argv[0] ("dialsim serve", what getopt_long's messages show) and its
 * arguments after it (argv is borrowed; getopt_long reorders it), and returns
 * the process exit code: 0 every expectation holds, 1 one fails, 2 unusable
 * input or arguments. -h/--help prints the usage on stdout and gives 0. */
#ifndef DIALSIM_CLI_COMMANDS_H
#define DIALSIM_CLI_COMMANDS_H

/* dialsim check-recording FILE [--expect-...] [--json] (check_recording.c) */
int cmd_check_recording(int argc, char **argv);

/* dialsim conform trigger URL [...] | outbound-connection --config FILE [...]
 * (conform/conform_trigger.c): real requests to a customer's endpoint, each
 * check pass/warn/fail; 0 no check fails, 1 one fails, 2 bad arguments. */
int cmd_conform(int argc, char **argv);

/* dialsim serve [--config FILE] [--db FILE] [--port N] [--host ADDR] [...]
 * (serve/serve_cli.c): the core's HTTP API in real time until SIGINT/SIGTERM;
 * 0 after a clean stop, 2 bad arguments or a server that cannot start. */
int cmd_serve(int argc, char **argv);

/* dialsim init [DIR] (init.c): a first scenario and a serve config that pass. */
int cmd_init(int argc, char **argv);

#endif
