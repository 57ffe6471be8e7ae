/* cmd_top.c - `ptprof top`: a live view.  (stub) */
#include "commands.h"
#include "error.h"

const struct cli_option top_options[] = {
	{ OPT_RATE, "rate", 'r', "HZ", NULL, "samples per second (default 99)" },
	{ OPT_MODE, "mode", 'm', "MODE", "cpu wall",
	  "cpu: threads on a CPU (default); wall: every thread, whatever its state" },
	{ OPT_DURATION, "duration", 'd', "TIME", NULL, "stop after TIME; default: until q or Ctrl-C" },
	{ OPT_INTERVAL, "interval", 0, "TIME", NULL, "time between refreshes (default 1s)" },
	{ OPT_TOP, "top", 0, "N", NULL, "functions shown (default: as many as fit; 20 without a terminal)" },
	{ OPT_END, NULL, 0, NULL, NULL, NULL },
};

static int ignore(void *ctx, const struct cli_option *opt, const char *arg)
{
	return 0;
}

int cmd_top(const struct subcommand *self, int argc, char **argv)
{
	int first;
	int ret = cli_parse(self, argc, argv, ignore, NULL, &first);
	if (ret)
		return ret < 0 ? 0 : ret;
	pt_error("top: not written yet");
	return EXIT_FAILED;
}
