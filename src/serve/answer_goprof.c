/* answer_goprof.c - /debug/pprof/heap, allocs, mutex, block: what
 * `ptprof heap` (and the others) read, from memory only. */
#include "output/goprof_out.h"
#include "profile/goprof.h"
#include "serve/answer.h"
#include "serve/served.h"
#include "stack/symbolize.h"
#include "target/procfs.h"

void answer_goprof(struct job *j, const struct answer_opts *o)
{
	const char *name = goprof_kind_name(j->gkind);
	struct maps maps = { 0 };
	struct modules *ms = NULL;
	struct goprof_src src;
	struct goprof p = { 0 };
	char why[512], comm[PROC_COMM_MAX];
	uint64_t hash;

	served_comm(j->pid, comm, sizeof(comm));
	if (procfs_read_maps(j->pid, &maps, &hash) < 0) {
		reply_error(&j->reply, 410, "process %d has exited", (int)j->pid);
		goto out;
	}
	ms = modules_open(j->pid, &maps, o->debug_dir);
	switch (goprof_open(&src, j->pid, ms, why, sizeof(why))) {
	case GOPROF_NOT_GO:
		reply_error(&j->reply, 501,
			    "process %d (%s) is not a Go program: %s profiles come from the Go "
			    "runtime's own records; for C, C++ or Rust use /debug/pprof/profile "
			    "(CPU) or /debug/fgprof (wall clock)", (int)j->pid, comm, name);
		goto out_src;
	case GOPROF_UNAVAILABLE:
		reply_error(&j->reply, 501, "%s", why);
		goto out_src;
	case GOPROF_OK:
		break;
	}
	if (goprof_take(&src, j->gkind, &p, why, sizeof(why)) < 0) {
		reply_error(&j->reply, 500, "%s", why);
		goto out_src;
	}
	struct symbolizer sym = { .ms = ms, .inlines = true, .lines = true };
	struct symcache *sc = symcache_new(symbolize_resolve, &sym);
	if (j->debug > 0) {
		struct goprof_text_opts to = { j->pid, comm, goprof_rss(j->pid), 0 };
		goprof_write_text(reply_stream(&j->reply, CT_TEXT, NULL), &p, sc, &to);
		reply_stream_end(&j->reply);
	} else if (goprof_write_pprof(reply_stream(&j->reply, CT_BINARY, name), &p, sc) < 0) {
		reply_error(&j->reply, 500, "could not encode the profile");
	} else {
		reply_stream_end(&j->reply);
	}
	symcache_free(sc);
	goprof_free(&p);
out_src:
	goprof_close(&src);
	modules_free(ms);
out:
	maps_free(&maps);
}
