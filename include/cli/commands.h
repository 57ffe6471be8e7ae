/* commands.h - one entry point and option table per subcommand. */
#ifndef PTPROF_COMMANDS_H
#define PTPROF_COMMANDS_H

#include "cli/cli.h"

extern const struct cli_option dump_options[];
int cmd_dump(const struct subcommand *self, int argc, char **argv);
extern const struct cli_option record_options[];
int cmd_record(const struct subcommand *self, int argc, char **argv);
extern const struct cli_option top_options[];
int cmd_top(const struct subcommand *self, int argc, char **argv);
extern const struct cli_option report_options[];
int cmd_report(const struct subcommand *self, int argc, char **argv);

/* heap, allocs, mutex, block: one command, by its name. */
extern const struct cli_option goprof_options[];
int cmd_goprof(const struct subcommand *self, int argc, char **argv);

extern const struct cli_option serve_options[];
int cmd_serve(const struct subcommand *self, int argc, char **argv);

/* The subcommand table lives in main.c. */
extern const struct subcommand subcommands[];
extern const size_t nsubcommands;

#endif
