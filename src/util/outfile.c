/* outfile.c - temporary file, fflush/ferror/fsync, rename. */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/outfile.h"
#include "util/xalloc.h"

int outfile_open(struct outfile *o, const char *path)
{
	o->f = NULL;
	o->path = NULL;
	o->tmp = NULL;
	if (!path || strcmp(path, "-") == 0) {
		/* Every thread is released before output starts, so a reader that
		 * goes away may end us the usual way. */
		signal(SIGPIPE, SIG_DFL);
		o->f = stdout;
		return 0;
	}
	char *copy = xstrdup(path);
	o->path = xstrdup(path);
	o->tmp = xasprintf("%s/.%s.XXXXXX", dirname(copy), basename(o->path));
	free(copy);
	int fd = mkstemp(o->tmp);
	if (fd < 0) {
		pt_perror("cannot create %s", path);
		goto fail;
	}
	/* mkstemp makes 0600; the file should get the usual umask mode. */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		pt_perror("cannot write %s", path);
		close(fd);
		unlink(o->tmp);
		goto fail;
	}
	return 0;
fail:
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return EXIT_FAILED;
}

int outfile_commit(struct outfile *o)
{
	int ret = 0;
	if (!o->path) {
		if (fflush(stdout) != 0 || ferror(stdout)) {
			pt_perror("write to standard output");
			ret = EXIT_FAILED;
		}
		return ret;
	}
	if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0) {
		pt_perror("write %s", o->path);
		ret = EXIT_FAILED;
	}
	if (fclose(o->f) != 0 && !ret) {
		pt_perror("write %s", o->path);
		ret = EXIT_FAILED;
	}
	o->f = NULL;
	if (!ret && rename(o->tmp, o->path) != 0) {
		pt_perror("rename %s to %s", o->tmp, o->path);
		ret = EXIT_FAILED;
	}
	if (ret)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return ret;
}

void outfile_abort(struct outfile *o)
{
	if (o->path) {
		if (o->f)
			fclose(o->f);
		unlink(o->tmp);
		free(o->tmp);
		free(o->path);
	}
	o->f = NULL;
	o->tmp = o->path = NULL;
}
