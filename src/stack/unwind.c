/* unwind.c - libunwind remote unwinding against a stack copy. */
#include <stdlib.h>
#include <string.h>

#include <libunwind.h>

#include "stack/unwind.h"
#include "util/error.h"
#include "util/xalloc.h"

/* libunwind exports its table search but does not declare it. */
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as, unw_word_t ip,
					      unw_dyn_info_t *di, unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

struct unwinder {
	unw_addr_space_t as;
	struct modules *ms;
	const struct maps *maps;
	bool missed_module;       /* an address in no known module was met */
};

/* Per-unwind context handed to the accessors as `arg`. */
struct unwind_ctx {
	struct unwinder *u;
	struct modules *ms;
	const struct capture *cap;
	struct module *last;      /* most recent module hit: the common case */
	uint64_t stack_end;       /* end of the mapping the stack lives in */
	bool stack_miss;          /* a read past the copy, inside the stack, failed */
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

static int acc_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
			      int need_unwind_info, void *arg)
{
	struct unwind_ctx *ctx = arg;
	struct module *m = find_module(ctx, ip);
	if (!m)
		ctx->u->missed_module = true;
	if (!m || !m->eh.present)
		return -UNW_ENOINFO;
	unw_dyn_info_t di;
	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = m->text_lo;
	di.end_ip = m->text_hi;
	di.u.rti.segbase = m->eh.hdr_addr;
	di.u.rti.table_data = m->eh.table_addr;
	di.u.rti.table_len = m->eh.fde_count * 8 / sizeof(unw_word_t);
	return _Ux86_64_dwarf_search_unwind_table(as, ip, &di, pi, need_unwind_info, arg);
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

static int acc_access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write,
			  void *arg)
{
	struct unwind_ctx *ctx = arg;
	if (write)
		return -UNW_EREADONLYREG;
	return reg_slot(&ctx->cap->regs, reg, val);
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

void unwind_capture(struct unwinder *u, const struct capture *c, size_t max_frames,
		    struct stack *out)
{
	struct unwind_ctx ctx = { .u = u, .ms = u->ms, .cap = c };
	const struct map_entry *sm = maps_find(u->maps, c->stack_addr);
	ctx.stack_end = sm ? sm->end : c->stack_addr + c->stack_len;
	unw_cursor_t cur;
	bool after_signal = false;
	uint64_t prev_sp = 0;

	out->n = 0;
	if (!out->frames) {
		out->cap = 32;
		out->frames = xcalloc(out->cap, sizeof(*out->frames));
	}
	out->end = UNWIND_ERROR;
	if (unw_init_remote(&cur, u->as, &ctx) < 0) {
		/* Still report where the thread was. */
		out->frames[0] = (struct stack_frame){ c->regs.rip, false };
		out->n = 1;
		return;
	}
	for (;;) {
		unw_word_t ip = 0, sp = 0;
		if (out->n >= max_frames) {
			out->end = UNWIND_TRUNCATED;
			break;
		}
		unw_get_reg(&cur, UNW_REG_IP, &ip);
		unw_get_reg(&cur, UNW_REG_SP, &sp);
		if (ip == 0) {
			out->end = UNWIND_COMPLETE;
			break;
		}
		if (out->n > 0 && !is_code(u->maps, ip)) {
			out->end = UNWIND_BAD_PC;
			break;
		}
		/* Callers live at higher addresses; a signal frame may switch to
		 * another stack (sigaltstack), so it alone may go down. */
		if (out->n > 0 && sp <= prev_sp && !after_signal) {
			out->end = UNWIND_CYCLE;
			break;
		}
		bool is_return = out->n > 0 && !after_signal;
		XGROW(out->frames, out->cap, out->n);
		out->frames[out->n++] = (struct stack_frame){ ip, is_return };
		prev_sp = sp;
		after_signal = unw_is_signal_frame(&cur) > 0;
		ctx.stack_miss = false;
		int r = unw_step(&cur);
		if (r > 0)
			continue;
		if (r == 0)
			out->end = UNWIND_COMPLETE;
		else if (ctx.stack_miss)
			out->end = UNWIND_STACK_END;
		else if (r == -UNW_ENOINFO)
			out->end = UNWIND_NO_INFO;
		else
			out->end = UNWIND_ERROR;
		break;
	}
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
