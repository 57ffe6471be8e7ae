/* sampler_cli.h - the options record and top share: how to sample.
 *
 * -d, -r (and -F), -m parsed into sampler_opts, and the common options
 * (-p, -t, --stack-bytes, ...) carried over, with one wording of each
 * usage error for both subcommands.
 */
#ifndef PTPROF_SAMPLER_CLI_H
#define PTPROF_SAMPLER_CLI_H

#include "cli/cli.h"
#include "profile/sampler.h"

/* As cli_common_option: 0 when taken, EXIT_USAGE after saying what is
 * wrong with arg, -1 when opt is not a sampling option. */
int sampler_cli_option(const char *sub, struct sampler_opts *s, const struct cli_option *opt,
		       const char *arg);
/* The processes, threads and unwinding limits of the common options;
 * command: a command is launched (its children are followed unless
 * --no-children). */
void sampler_cli_common(struct sampler_opts *s, const struct common_args *c, bool command);

#endif
