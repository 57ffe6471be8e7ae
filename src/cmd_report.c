/* cmd_report.c - `ptprof report FILE`: read any pprof profile.  (stub) */
#include "commands.h"
#include "error.h"

const struct cli_option report_options[] = {
	{ OPT_FORMAT, "format", 'f', "FMT", "text folded flamegraph speedscope",
	  "what to print (default text: the top functions)" },
	{ OPT_OUTPUT, "output", 'o', "FILE", NULL, "where to write (default standard output)" },
	{ OPT_TOP, "top", 0, "N", NULL, "text: how many functions (default 20; 0 for all)" },
	{ OPT_THREADS, "threads", 0, NULL, NULL,
	  "folded/flamegraph: a root frame per thread, from the thread labels" },
	{ OPT_QUIET, "quiet", 'q', NULL, NULL, "nothing on stderr but errors" },
	{ OPT_HELP, "help", 'h', NULL, NULL, "show this help" },
	{ OPT_END, NULL, 0, NULL, NULL, NULL },
};

static int ignore(void *ctx, const struct cli_option *opt, const char *arg)
{
	return 0;
}

int cmd_report(const struct subcommand *self, int argc, char **argv)
{
	int first;
	int ret = cli_parse(self, argc, argv, ignore, NULL, &first);
	if (ret)
		return ret < 0 ? 0 : ret;
	pt_error("report: not written yet");
	return EXIT_FAILED;
}
