/* pages.c - see pages.h. */
#include <stdlib.h>
#include <string.h>

#include "serve/pages.h"
#include "target/procfs.h"

static void html(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&#34;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((unsigned char)*s < 0x20)
				fprintf(f, "&#%d;", *s);
			else
				fputc(*s, f);
		}
	}
}

static const struct {
	const char *name, *link, *what;
} profiles[] = {
	{ "allocs", "allocs?debug=1",
	  "Go programs: a sampling of all past memory allocations, read from the runtime" },
	{ "block", "block?debug=1",
	  "Go programs: stack traces that led to blocking on synchronization primitives" },
	{ "cmdline", "cmdline", "The command line of the process" },
	{ "fgprof", "../fgprof?seconds=30",
	  "Wall-clock profile: every thread, running or waiting. You can specify the duration "
	  "in the seconds GET parameter." },
	{ "goroutine", "goroutine?debug=1",
	  "Stack traces of all current goroutines (Go programs), else of every thread. Use "
	  "debug=2 as a query parameter to export in the same format as an unrecovered panic." },
	{ "heap", "heap?debug=1",
	  "Go programs: a sampling of memory allocations of live objects. gc=1 is refused: "
	  "ptprof never runs anything in the process." },
	{ "mutex", "mutex?debug=1", "Go programs: stack traces of holders of contended mutexes" },
	{ "profile", "profile?seconds=30",
	  "CPU profile, sampled from outside with ptrace. You can specify the duration in the "
	  "seconds GET parameter. After you get the profile file, use the go tool pprof command "
	  "to investigate the profile." },
};

static void process_line(FILE *f, pid_t pid, const char *sep)
{
	char comm[PROC_COMM_MAX];
	served_comm(pid, comm, sizeof(comm));
	fprintf(f, "%s<a href='?pid=%d'>%d</a> (", sep, (int)pid, (int)pid);
	html(f, comm);
	fputs(")", f);
}

void page_index(struct reply *r, const struct served *s, pid_t pid)
{
	FILE *f = reply_stream(r, CT_HTML, NULL);
	struct pidset set = { 0 };
	char q[32] = "";

	served_list(s, &set);
	if (pid && set.n > 1)
		snprintf(q, sizeof(q), "pid=%d", (int)pid);
	fputs("<html>\n<head>\n<title>/debug/pprof/</title>\n<style>\n"
	      ".profile-name{\n\tdisplay:inline-block;\n\twidth:6rem;\n}\n</style>\n</head>\n"
	      "<body>\n/debug/pprof/\n<br>\n<p>Set debug=1 as a query parameter to export in "
	      "legacy text format</p>\n<br>\n", f);
	fputs("<p>Served by ptprof, from outside the process", f);
	if (pid) {
		process_line(f, pid, ": ");
	} else {
		fputs(". Several processes: add pid=N to each request: ", f);
		for (size_t i = 0; i < set.n; i++)
			process_line(f, set.v[i], i ? ", " : "");
	}
	fputs("</p>\nTypes of profiles available:\n<table>\n<thead><td>Count</td><td>Profile</td>"
	      "</thead>\n", f);
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		const char *link = profiles[i].link;
		fprintf(f, "<tr><td></td><td><a href='%s%s%s'>%s</a></td></tr>\n", link,
			q[0] ? (strchr(link, '?') ? "&" : "?") : "", q, profiles[i].name);
	}
	fprintf(f, "</table>\n<a href='goroutine?debug=2%s%s'>full goroutine stack dump</a>\n"
		   "<br>\n<p>\nProfile Descriptions:\n<ul>\n", q[0] ? "&" : "", q);
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		fprintf(f, "<li><div class=profile-name>%s: </div> %s</li>\n", profiles[i].name,
			profiles[i].what);
	fputs("</ul>\n</p>\n</body>\n</html>\n", f);
	pidset_free(&set);
	reply_stream_end(r);
}

void page_cmdline(struct reply *r, pid_t pid)
{
	size_t len = 0;
	char *all = procfs_read_all(pid, 0, "cmdline", &len);
	if (!all) {
		reply_error(r, 410, "process %d has exited", (int)pid);
		return;
	}
	/* Go joins os.Args with NUL and ends without one. */
	if (len && all[len - 1] == 0)
		len--;
	reply_text(r, CT_TEXT, all, len);
	free(all);
}
