/* dialsim subcommands that live outside main.c. Each takes the arguments after
 * its own name (argv is borrowed) and returns the process exit code:
 * 0 every expectation holds, 1 one fails, 2 unusable input or arguments. */
#ifndef DIALSIM_CLI_COMMANDS_H
#define DIALSIM_CLI_COMMANDS_H

/* dialsim check-recording FILE [--expect-...] [--json] (check_recording.c) */
int cmd_check_recording(int argc, char **argv);

#endif
