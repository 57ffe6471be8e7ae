/* commands.h - one entry point and option table per subcommand. */
#ifndef PTPROF_COMMANDS_H
#define PTPROF_COMMANDS_H

#include "cli.h"

extern const struct cli_option dump_options[];
int cmd_dump(int argc, char **argv);

/* The subcommand table lives in main.c. */
extern const struct subcommand subcommands[];
extern const size_t nsubcommands;

#endif
