/* unwind.c - libunwind remote unwinding against a stack copy. */
#include <stdlib.h>
#include <string.h>

#include <libunwind.h>

#include "stack/unwind.h"
#include "stack/ustep.h"
#include "util/error.h"
#include "util/xalloc.h"

/* libunwind exports its table search but does not declare it. */
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as, unw_word_t ip,
					      unw_dyn_info_t *di, unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

struct unwinder {
	unw_addr_space_t as;
	bool libunwind_only;      /* PTPROF_UNWINDER=libunwind: no fast path */
	struct modules *ms;
	const struct maps *maps;
	bool missed_module;       /* an address in no known module was met */
};

/* Per-unwind context handed to the accessors as `arg`. */
struct unwind_ctx {
	struct unwinder *u;
	struct modules *ms;
	const struct capture *cap;
	struct user_regs_struct regs; /* where libunwind starts: the capture's,
				     or a caller's found without libunwind */
	struct module *last;      /* most recent module hit: the common case */
	uint64_t stack_end;       /* end of the mapping the stack lives in */
	bool stack_miss;          /* a read past the copy, inside the stack, failed */
	bool allow_guess;         /* let libunwind guess a frame no table describes */
	bool partial;             /* only rip and rsp of regs are known */
	bool needed_reg;          /* ... and another was asked for */
};

static struct module *find_module(struct unwind_ctx *ctx, uint64_t addr)
{
	struct module *m = ctx->last;
	if (m && addr >= m->info.start && addr < m->info.limit)
		return m;
	m = modules_find(ctx->ms, addr);
	if (m)
		ctx->last = m;
	return m;
}

/* Code in anonymous memory (or memory the kernel names, "[anon:...]"):
 * compiled at run time, never a file to read again. */
static bool anonymous_code(const struct maps *maps, uint64_t ip)
{
	const struct map_entry *e = maps_find(maps, ip);
	return e && (!e->path || e->path[0] == '[');
}

static int acc_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
			      int need_unwind_info, void *arg)
{
	struct unwind_ctx *ctx = arg;
	struct module *m = find_module(ctx, ip);
	int rc = -UNW_ENOINFO;
	if (!m && !anonymous_code(ctx->u->maps, ip))
		ctx->u->missed_module = true;
	if (m && m->eh.present) {
		unw_dyn_info_t di;
		memset(&di, 0, sizeof(di));
		di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
		di.start_ip = m->text_lo;
		di.end_ip = m->text_hi;
		di.u.rti.segbase = m->eh.hdr_addr;
		di.u.rti.table_data = m->eh.table_addr;
		di.u.rti.table_len = m->eh.fde_count * 8 / sizeof(unw_word_t);
		rc = _Ux86_64_dwarf_search_unwind_table(as, ip, &di, pi, need_unwind_info, arg);
	}
	/* Nothing describes this frame: rather than let libunwind guess,
	 * stop its step so that ours (fp_step) is tried first. */
	if (rc == -UNW_ENOINFO && !ctx->allow_guess)
		return -UNW_ESTOPUNWIND;
	return rc;
}

static void acc_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	/* libunwind frees table-format info itself. */
}

static int acc_get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	return -UNW_ENOINFO;
}

static int acc_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write,
			  void *arg)
{
	struct unwind_ctx *ctx = arg;
	if (write)
		return -UNW_EREADONLYREG;
	if (stackmem_read(ctx->cap, addr, val, sizeof(*val)))
		return 0;
	struct module *m = find_module(ctx, addr);
	if (m && module_read(m, addr, val, sizeof(*val)))
		return 0;
	if (addr >= ctx->cap->stack_addr && addr < ctx->stack_end)
		ctx->stack_miss = true;
	return -UNW_EINVAL;
}

static int reg_slot(const struct user_regs_struct *r, unw_regnum_t reg, unw_word_t *out)
{
	switch (reg) {
	case UNW_X86_64_RAX: *out = r->rax; break;
	case UNW_X86_64_RDX: *out = r->rdx; break;
	case UNW_X86_64_RCX: *out = r->rcx; break;
	case UNW_X86_64_RBX: *out = r->rbx; break;
	case UNW_X86_64_RSI: *out = r->rsi; break;
	case UNW_X86_64_RDI: *out = r->rdi; break;
	case UNW_X86_64_RBP: *out = r->rbp; break;
	case UNW_X86_64_RSP: *out = r->rsp; break;
	case UNW_X86_64_R8: *out = r->r8; break;
	case UNW_X86_64_R9: *out = r->r9; break;
	case UNW_X86_64_R10: *out = r->r10; break;
	case UNW_X86_64_R11: *out = r->r11; break;
	case UNW_X86_64_R12: *out = r->r12; break;
	case UNW_X86_64_R13: *out = r->r13; break;
	case UNW_X86_64_R14: *out = r->r14; break;
	case UNW_X86_64_R15: *out = r->r15; break;
	case UNW_X86_64_RIP: *out = r->rip; break;
	default: return -UNW_EBADREG;
	}
	return 0;
}

/* What a capture read in place knows (see target/inplace.h). */
static bool known_in_place(const struct capture *c, unw_regnum_t reg)
{
	switch (reg) {
	case UNW_X86_64_RIP: case UNW_X86_64_RSP:
		return true;
	case UNW_X86_64_RDI: case UNW_X86_64_RSI: case UNW_X86_64_RDX: case UNW_X86_64_R10:
	case UNW_X86_64_R8: case UNW_X86_64_R9: case UNW_X86_64_RCX:
		return c->syscall_regs;
	default:
		return false;
	}
}

static int acc_access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write,
			  void *arg)
{
	struct unwind_ctx *ctx = arg;
	if (write)
		return -UNW_EREADONLYREG;
	/* A capture read in place knows where the thread is and nothing more:
	 * a frame that needs more cannot be unwound from it. */
	if (ctx->partial && !known_in_place(ctx->cap, reg)) {
		ctx->needed_reg = true;
		return -UNW_EBADREG;
	}
	return reg_slot(&ctx->regs, reg, val);
}

static int acc_access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val,
			    int write, void *arg)
{
	return -UNW_EBADREG;
}

static int acc_resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	return -UNW_EINVAL;
}

static int acc_get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
			     unw_word_t *off, void *arg)
{
	return -UNW_ENOINFO;  /* names come from libdw */
}

static unw_accessors_t accessors = {
	.find_proc_info = acc_find_proc_info,
	.put_unwind_info = acc_put_unwind_info,
	.get_dyn_info_list_addr = acc_get_dyn_info_list_addr,
	.access_mem = acc_access_mem,
	.access_reg = acc_access_reg,
	.access_fpreg = acc_access_fpreg,
	.resume = acc_resume,
	.get_proc_name = acc_get_proc_name,
};

struct unwinder *unwinder_new(struct modules *ms, const struct maps *maps)
{
	struct unwinder *u = xcalloc(1, sizeof(*u));
	u->ms = ms;
	u->maps = maps;
	u->as = unw_create_addr_space(&accessors, 0);
	if (!u->as) {
		pt_error("libunwind: unw_create_addr_space failed");
		exit(EXIT_FAILED);
	}
	u->libunwind_only = getenv("PTPROF_UNWINDER") && strcmp(getenv("PTPROF_UNWINDER"), "libunwind") == 0;
	/* Cache decoded unwind info across all unwinds of this process. */
	unw_set_caching_policy(u->as, UNW_CACHE_PER_THREAD);
	return u;
}

void unwinder_free(struct unwinder *u)
{
	if (!u)
		return;
	unw_destroy_addr_space(u->as);
	free(u);
}

static bool is_code(const struct maps *maps, uint64_t ip)
{
	const struct map_entry *m = maps_find(maps, ip);
	return m && m->perms[2] == 'x';
}

/* ustep_read_fn over the stack copy, then the module files. */
static bool read_word(void *arg, uint64_t addr, uint64_t *val)
{
	unw_word_t w;
	if (acc_access_mem(NULL, addr, &w, 0, arg) != 0)
		return false;
	*val = w;
	return true;
}

/* Code that .eh_frame does not describe but the module can step over
 * itself: a Go function (its table or .debug_frame), or any code of a
 * file with .debug_frame and no .eh_frame. */
struct alt_code {
	struct module *m;
	const struct gopcln *pcln;
	struct gopcln_func fn;    /* when pcln */
};

static bool alt_code(struct unwind_ctx *ctx, uint64_t look, struct alt_code *a)
{
	uint64_t bias;
	a->m = find_module(ctx, look);
	a->pcln = NULL;
	if (!a->m)
		return false;
	if (a->m->go.is_go) {
		a->pcln = module_gopcln(a->m);
		if (a->pcln && gopcln_func(a->pcln, look - a->m->bias, &a->fn))
			return true;
		a->pcln = NULL;
	}
	return !a->m->eh.present && module_debug_cfi(a->m, &bias);
}

/* Go's tracebacks leave out wrappers, unless they called into a panic. */
static bool elided(const struct alt_code *a, const struct stack *out)
{
	struct gopcln_func callee;
	if (!a->pcln || !a->fn.wrapper)
		return false;
	if (out->n == 0)
		return false;
	uint64_t pc = out->frames[out->n - 1].pc;
	if (out->frames[out->n - 1].is_return)
		pc--;
	if (!gopcln_func(a->pcln, pc - a->m->bias, &callee))
		return true;
	return strcmp(callee.name, "runtime.gopanic") != 0 &&
	       strcmp(callee.name, "runtime.sigpanic") != 0 &&
	       strcmp(callee.name, "runtime.panicwrap") != 0;
}

/* One frame up through code libunwind cannot read. */
static enum unwind_end alt_step(struct unwind_ctx *ctx, const struct alt_code *a,
				uint64_t look, struct uregs *r)
{
	uint64_t bias;
	Dwarf_CFI *cfi = module_debug_cfi(a->m, &bias);
	enum ustep st = ustep_cfi(cfi, bias, look, a->pcln != NULL, r, read_word, ctx);
	if (st == USTEP_NO_INFO && a->pcln)
		st = ustep_gopcln(a->pcln, &a->fn, a->m->bias, look, r, read_word, ctx);
	if (st == USTEP_NO_INFO)
		st = ustep_fp(r, read_word, ctx);
	switch (st) {
	case USTEP_OK: return UNWIND_COMPLETE;
	case USTEP_MEM: return ctx->stack_miss ? UNWIND_STACK_END : UNWIND_ERROR;
	default: return UNWIND_NO_INFO;
	}
}

/* One frame up by the frame pointer, for code no table describes (JIT
 * code: V8, the JVM and .NET keep RBP frames): CFA = RBP + 16, the return
 * address at RBP + 8, the caller's RBP at RBP.  Taken only when it looks
 * like a frame: RBP aligned, at or above SP and its two words inside the
 * copied stack, the return address in executable memory, the caller's RBP
 * higher still (or 0, the outermost frame).  Else false, *r untouched. */
static bool fp_step(struct unwind_ctx *ctx, struct uregs *r)
{
	uint64_t w[2];            /* caller's RBP, return address */
	if (r->bp & 7 || r->bp < r->sp || !stackmem_read(ctx->cap, r->bp, w, sizeof(w)))
		return false;
	if (!is_code(ctx->u->maps, w[1]))
		return false;
	if (w[0] != 0 && (w[0] <= r->bp || w[0] & 7))
		return false;
	*r = (struct uregs){ w[1], r->bp + 16, w[0] };
	return true;
}

/* The kernel returns from a signal handler to code that calls
 * rt_sigreturn: "mov $15, %rax; syscall", glibc's __restore_rt. */
static bool sigreturn_at(struct unwind_ctx *ctx, uint64_t ip)
{
	static const unsigned char code[] = { 0x48, 0xc7, 0xc0, 0x0f, 0, 0, 0, 0x0f, 0x05 };
	unsigned char have[sizeof(code)];
	struct module *m = find_module(ctx, ip);
	return m && module_read(m, ip, have, sizeof(have)) && memcmp(have, code, sizeof(code)) == 0;
}

static void push(struct stack *out, uint64_t ip, bool is_return)
{
	XGROW(out->frames, out->cap, out->n);
	out->frames[out->n++] = (struct stack_frame){ ip, is_return };
}

/* Where the stack ends before a frame at ip, sp is taken (out->end set,
 * true): --max-frames reached, no caller (ip 0), a return address outside
 * code, or a caller below its callee.  Callers live at higher addresses;
 * a signal frame may switch to another stack (sigaltstack), so the frame
 * reached through one alone may go down.  The innermost frame's caller
 * may share its SP: a leaf that keeps its return address in a register
 * (glibc's vfork, in rdi). */
static bool frame_ends(const struct unwinder *u, size_t max_frames, uint64_t ip, uint64_t sp,
		       uint64_t prev_sp, bool after_signal, struct stack *out)
{
	if (out->n >= max_frames)
		out->end = UNWIND_TRUNCATED;
	else if (ip == 0)
		out->end = UNWIND_COMPLETE;
	else if (out->n > 0 && !is_code(u->maps, ip))
		out->end = UNWIND_BAD_PC;
	else if (out->n > 0 && (out->n > 1 ? sp <= prev_sp : sp < prev_sp) && !after_signal)
		out->end = UNWIND_CYCLE;
	else
		return false;
	return true;
}

/* Frames with libunwind from *r on, until the stack ends (returns true,
 * out->end set), reaches code it cannot read but alt_code can, or leaves
 * a frame no table describes by its frame pointer (false, *r and
 * *is_return hold the next frame). */
static bool unwind_libunwind(struct unwinder *u, struct unwind_ctx *ctx, size_t max_frames,
			     struct uregs *r, bool *is_return, bool first, struct stack *out)
{
	unw_cursor_t cur;
	bool at_start = true;
	uint64_t prev_sp = out->n ? r->sp - 1 : 0;
	struct alt_code a;

	if (!first) {
		ctx->regs.rip = r->ip;
		ctx->regs.rsp = r->sp;
		ctx->regs.rbp = r->bp;
	}
	if (unw_init_remote(&cur, u->as, ctx) < 0) {
		/* Still report where the thread was. */
		if (out->n < max_frames)
			push(out, r->ip, *is_return);
		out->end = UNWIND_ERROR;
		return true;
	}
	for (;;) {
		unw_word_t ip = 0, sp = 0;
		unw_get_reg(&cur, UNW_REG_IP, &ip);
		unw_get_reg(&cur, UNW_REG_SP, &sp);
		/* Reached through a signal frame (libunwind says so once it has
		 * stepped through one): the interrupted code, at an exact PC. */
		bool after_signal = unw_is_signal_frame(&cur) > 0;
		if (frame_ends(u, max_frames, ip, sp, prev_sp, after_signal, out))
			return true;
		/* The signal trampoline's address is where it starts, not a
		 * return address: looked up as it is. */
		bool ret = at_start ? *is_return : !after_signal && !sigreturn_at(ctx, ip);
		if (!at_start && alt_code(ctx, ret ? ip - 1 : ip, &a)) {
			unw_word_t bp = 0;
			unw_get_reg(&cur, UNW_X86_64_RBP, &bp);
			*r = (struct uregs){ ip, sp, bp };
			*is_return = ret;
			return false;
		}
		at_start = false;
		push(out, ip, ret);
		prev_sp = sp;
		ctx->stack_miss = false;
		int rc = unw_step(&cur);
		if (rc == -UNW_ESTOPUNWIND) {
			/* No unwind table covers ip: the frame pointer, and if
			 * that does not hold up, libunwind's own guess. */
			unw_word_t bp = 0;
			struct uregs next = { ip, sp, 0 };
			unw_get_reg(&cur, UNW_X86_64_RBP, &bp);
			next.bp = bp;
			if (!after_signal && fp_step(ctx, &next)) {
				*r = next;
				*is_return = true;
				return false;
			}
			ctx->allow_guess = true;
			rc = unw_step(&cur);
			ctx->allow_guess = false;
		}
		if (rc > 0)
			continue;
		if (rc == 0)
			out->end = UNWIND_COMPLETE;
		else if (ctx->stack_miss)
			out->end = UNWIND_STACK_END;
		else if (rc == -UNW_ENOINFO)
			out->end = UNWIND_NO_INFO;
		else
			out->end = UNWIND_ERROR;
		return true;
	}
}

enum fast {
	FAST_DONE,                /* the stack ended: out->end set */
	FAST_HANDOFF,             /* reached code alt_code steps over */
	FAST_NEED_REG,            /* a rule needs a register not known */
	FAST_GIVE_UP,             /* something only libunwind follows */
};

/* The registers the capture gives, by DWARF number, and which are known
 * (a capture read in place: see known_in_place). */
static struct uregfile capture_regs(const struct capture *c)
{
	struct uregfile rf = { .known = 0 };
	/* libunwind numbers x86_64's registers as DWARF does. */
	_Static_assert((int)UNW_X86_64_RBP == (int)UREG_RBP && (int)UNW_X86_64_RSP == (int)UREG_RSP &&
		       (int)UNW_X86_64_RIP == (int)UREG_RA && UNW_X86_64_R15 == 15, "register numbers");
	for (unsigned reg = 0; reg < UREG_N; reg++) {
		unw_word_t v;
		if (reg_slot(&c->regs, (unw_regnum_t)reg, &v) != 0)
			continue;
		rf.v[reg] = v;
		if (!c->partial_regs || known_in_place(c, (unw_regnum_t)reg))
			rf.known |= 1u << reg;
	}
	return rf;
}

/* Frames from .eh_frame through libdw (ustep_cfi_all), the common case,
 * without libunwind: its table search takes a lock that costs two
 * sigprocmask calls a step, the largest cost of a dump of many threads.
 * The same frame_ends as unwind_libunwind; anything it does not follow (a
 * signal frame, a PLT entry's expression, code no table covers) gives
 * up, and the caller lets libunwind do the same frames again. */
static enum fast unwind_fast(struct unwind_ctx *ctx, size_t max_frames, struct uregs *r,
			     bool *is_return, bool first, struct stack *out)
{
	struct uregfile rf = { .known = 1u << UREG_RA | 1u << UREG_RSP | 1u << UREG_RBP };
	bool at_start = true;
	uint64_t prev_sp = out->n ? r->sp - 1 : 0;
	struct alt_code a;

	if (first) {
		rf = capture_regs(ctx->cap);
	} else {
		rf.v[UREG_RA] = r->ip;
		rf.v[UREG_RSP] = r->sp;
		rf.v[UREG_RBP] = r->bp;
	}
	for (;;) {
		uint64_t ip = rf.v[UREG_RA], sp = rf.v[UREG_RSP], bias;
		if (frame_ends(ctx->u, max_frames, ip, sp, prev_sp, false, out))
			return FAST_DONE;
		bool ret = at_start ? *is_return : true;
		uint64_t look = ret ? ip - 1 : ip;
		if (!at_start && alt_code(ctx, look, &a)) {
			*r = (struct uregs){ ip, sp, rf.known & 1u << UREG_RBP ? rf.v[UREG_RBP] : 0 };
			*is_return = ret;
			return FAST_HANDOFF;
		}
		struct module *m = find_module(ctx, look);
		Dwarf_CFI *cfi = m && m->eh.present ? module_eh_cfi(m, &bias) : NULL;
		if (!cfi)
			return FAST_GIVE_UP;
		at_start = false;
		push(out, ip, ret);
		prev_sp = sp;
		ctx->stack_miss = false;
		switch (ustep_cfi_all(cfi, bias, look, &rf, read_word, ctx)) {
		case USTEP_OK:
			continue;
		case USTEP_NEED_REG:
			return FAST_NEED_REG;
		case USTEP_MEM:
			if (!ctx->stack_miss)
				return FAST_GIVE_UP;
			out->end = UNWIND_STACK_END;
			return FAST_DONE;
		default:
			return FAST_GIVE_UP;
		}
	}
}

static void unwind_walk(struct unwinder *u, const struct capture *c, size_t max_frames,
			struct unwind_ctx *pctx, struct stack *out)
{
	struct unwind_ctx ctx = { .u = u, .ms = u->ms, .cap = c, .regs = c->regs,
				  .partial = c->partial_regs };
	const struct map_entry *sm = maps_find(u->maps, c->stack_addr);
	struct uregs r = { c->regs.rip, c->regs.rsp, c->regs.rbp };
	bool is_return = c->pc_is_return, first = true;
	uint64_t prev_sp = 0;
	struct alt_code a;

	ctx.stack_end = sm ? sm->end : c->stack_addr + c->stack_len;
	out->n = 0;
	if (!out->frames) {
		out->cap = 32;
		out->frames = xcalloc(out->cap, sizeof(*out->frames));
	}
	out->end = UNWIND_ERROR;
	for (;;) {
		uint64_t look = is_return ? r.ip - 1 : r.ip;
		if (!alt_code(&ctx, look, &a)) {
			size_t n0 = out->n;
			enum fast f = u->libunwind_only ? FAST_GIVE_UP
				: unwind_fast(&ctx, max_frames, &r, &is_return, first, out);
			if (f == FAST_NEED_REG && ctx.partial) {
				pctx->needed_reg = true;
				return;
			}
			if (f == FAST_DONE)
				return;
			if (f == FAST_HANDOFF) {
				first = false;
				prev_sp = r.sp - 1;
				continue;
			}
			out->n = n0;      /* libunwind does these frames again */
			bool done = unwind_libunwind(u, &ctx, max_frames, &r, &is_return, first, out);
			pctx->needed_reg = ctx.needed_reg;
			if (done || ctx.needed_reg)
				return;
			first = false;
			prev_sp = r.sp - 1;
			continue;
		}
		first = false;
		/* Go and .debug_frame steps may use RBP, which a capture read
		 * in place lacks. */
		if (ctx.partial) {
			pctx->needed_reg = true;
			return;
		}
		if (out->n >= max_frames) {
			out->end = UNWIND_TRUNCATED;
			return;
		}
		if (out->n > 0 && !is_code(u->maps, r.ip)) {
			out->end = UNWIND_BAD_PC;
			return;
		}
		if (out->n > 0 && r.sp <= prev_sp) {
			out->end = UNWIND_CYCLE;
			return;
		}
		/* goexit is where every goroutine returns to: Go shows nothing
		 * for it, and nothing lies beyond the other outermost frames. */
		if (a.pcln && a.fn.top && strcmp(a.fn.name, "runtime.goexit") == 0) {
			out->end = UNWIND_COMPLETE;
			return;
		}
		if (!elided(&a, out))
			push(out, r.ip, is_return);
		if (a.pcln && (a.fn.top || a.fn.systemstack)) {
			out->end = UNWIND_COMPLETE;
			return;
		}
		prev_sp = r.sp;
		ctx.stack_miss = false;
		enum unwind_end e = alt_step(&ctx, &a, look, &r);
		if (e != UNWIND_COMPLETE) {
			out->end = e;
			return;
		}
		if (r.ip == 0) {
			out->end = UNWIND_COMPLETE;
			return;
		}
		is_return = true;
	}
}

void unwind_capture(struct unwinder *u, const struct capture *c, size_t max_frames,
		    struct stack *out)
{
	struct unwind_ctx flags = { 0 };
	unwind_walk(u, c, max_frames, &flags, out);
	out->needs_stop = flags.needed_reg;
}

bool unwinder_missed_module(struct unwinder *u)
{
	bool r = u->missed_module;
	u->missed_module = false;
	return r;
}

void stack_free(struct stack *s)
{
	free(s->frames);
	memset(s, 0, sizeof(*s));
}

const char *unwind_end_reason(enum unwind_end e)
{
	switch (e) {
	case UNWIND_COMPLETE: return "complete";
	case UNWIND_TRUNCATED: return "truncated at --max-frames";
	case UNWIND_STACK_END: return "ran past the copied stack (raise --stack-bytes)";
	case UNWIND_NO_INFO: return "no unwind information";
	case UNWIND_CYCLE: return "stack pointer did not advance";
	case UNWIND_BAD_PC: return "a return address points outside any code (corrupt stack?)";
	default: return "unwind error";
	}
}

void stack_push_kernel(struct stack *s, long nr)
{
	XGROW(s->frames, s->cap, s->n);
	memmove(s->frames + 1, s->frames, s->n * sizeof(*s->frames));
	s->frames[0] = (struct stack_frame){ KERNEL_FRAME_PC(nr), false };
	s->n++;
}

bool capture_in_syscall(const struct capture *c, struct modules *ms, long *nr)
{
	unsigned char insn[2];
	long n = (long)c->regs.orig_rax;
	if (c->partial_regs || n < 0 || n >= 0x10000 || c->regs.rip < 2)
		return false;
	struct module *m = modules_find(ms, c->regs.rip - 2);
	if (!m || !module_read(m, c->regs.rip - 2, insn, sizeof(insn)) || insn[0] != 0x0f ||
	    insn[1] != 0x05)
		return false;
	*nr = n;
	return true;
}
