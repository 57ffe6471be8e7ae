/* answer_goroutines.c - /debug/pprof/goroutine: a dump, as `dump` takes it. */
#include "output/dumpout.h"
#include "profile/gosnap.h"
#include "profile/snapshot.h"
#include "serve/answer.h"

void answer_goroutines(struct job *j, const struct answer_opts *o)
{
	struct snapshot s;
	struct gosnap gs = { 0 };
	struct dump_view v = { .group = j->debug == 1 };
	struct snapshot_opts so = {
		.stack_bytes = o->stack_bytes, .max_frames = o->max_frames,
		.debug_dir = o->debug_dir, .inlines = o->inlines, .lines = o->lines,
		.gone_quietly = true,
	};

	int ret = snapshot_take(&s, j->pid, &so);
	if (s.gone) {
		reply_error(&j->reply, 410, "process %d has exited", (int)j->pid);
		goto out;
	}
	if (ret || s.n == 0) {
		reply_error(&j->reply, 500, "could not read the threads of process %d (the reason "
			    "is on ptprof's standard error)", (int)j->pid);
		goto out;
	}
	/* A Go program whose goroutines cannot be read is shown by thread. */
	if (gosnap_take(&gs, &s, o->stack_bytes, o->max_frames) == GOSNAP_OK)
		v.go = &gs;
	if (j->debug == 0) {
		FILE *f = reply_stream(&j->reply, CT_BINARY, "goroutine");
		if (dump_write_pprof(f, &s, &v) < 0)
			reply_error(&j->reply, 500, "could not encode the profile");
		else
			reply_stream_end(&j->reply);
	} else {
		FILE *f = reply_stream(&j->reply, CT_TEXT, NULL);
		dump_write_text(f, &s, &v);
		reply_stream_end(&j->reply);
	}
	gosnap_free(&gs);
out:
	snapshot_free(&s);
}
