/* ustep.c - a frame up from .debug_frame, the Go function table, or the
 * frame pointer. */
#include <dwarf.h>
#include <stdlib.h>

#include "stack/ustep.h"

#define REG_RBP UREG_RBP
#define REG_RSP UREG_RSP
#define REG_RA UREG_RA

/* The registers an expression may use: those of rf it knows.  A known
 * one missing sets *need (the capture lacks it), else the expression
 * uses one nothing tracks. */
static bool reg_value(const struct uregfile *rf, unsigned reg, uint64_t *v, bool *need)
{
	if (reg >= UREG_N)
		return false;
	if (!(rf->known & (1u << reg))) {
		*need = true;
		return false;
	}
	*v = rf->v[reg];
	return true;
}

static struct uregfile from_uregs(const struct uregs *r)
{
	struct uregfile rf = { .known = 1u << UREG_RBP | 1u << UREG_RSP };
	rf.v[UREG_RBP] = r->bp;
	rf.v[UREG_RSP] = r->sp;
	return rf;
}

/* The small DWARF expressions CFI uses: register or CFA plus constants.
 * *is_value: the result is the value itself, not where it is stored. */
static bool eval(const Dwarf_Op *ops, size_t nops, const struct uregfile *r, const uint64_t *cfa,
		 uint64_t *out, bool *is_value, bool *need)
{
	uint64_t st[8];
	size_t n = 0;
	*is_value = false;
	for (size_t i = 0; i < nops; i++) {
		const Dwarf_Op *op = &ops[i];
		uint64_t v;
		if (n == sizeof(st) / sizeof(st[0]))
			return false;
		if (op->atom >= DW_OP_breg0 && op->atom <= DW_OP_breg31) {
			if (!reg_value(r, op->atom - DW_OP_breg0, &v, need))
				return false;
			st[n++] = v + (uint64_t)(int64_t)op->number;
			continue;
		}
		/* A register as the location: its value is the value. */
		if (op->atom >= DW_OP_reg0 && op->atom <= DW_OP_reg31 && nops == 1) {
			if (!reg_value(r, op->atom - DW_OP_reg0, &v, need))
				return false;
			st[n++] = v;
			*is_value = true;
			continue;
		}
		if (op->atom >= DW_OP_lit0 && op->atom <= DW_OP_lit31) {
			st[n++] = op->atom - DW_OP_lit0;
			continue;
		}
		switch (op->atom) {
		case DW_OP_regx:
			if (nops != 1 || !reg_value(r, (unsigned)op->number, &v, need))
				return false;
			st[n++] = v;
			*is_value = true;
			break;
		case DW_OP_bregx:
			if (!reg_value(r, (unsigned)op->number, &v, need))
				return false;
			st[n++] = v + op->number2;
			break;
		case DW_OP_call_frame_cfa:
			if (!cfa)
				return false;
			st[n++] = *cfa;
			break;
		case DW_OP_const1u: case DW_OP_const2u: case DW_OP_const4u: case DW_OP_const8u:
		case DW_OP_const1s: case DW_OP_const2s: case DW_OP_const4s: case DW_OP_const8s:
		case DW_OP_constu: case DW_OP_consts:
			st[n++] = op->number;
			break;
		case DW_OP_plus_uconst:
			if (n < 1)
				return false;
			st[n - 1] += op->number;
			break;
		case DW_OP_plus:
		case DW_OP_minus:
			if (n < 2)
				return false;
			st[n - 2] = op->atom == DW_OP_plus ? st[n - 2] + st[n - 1] : st[n - 2] - st[n - 1];
			n--;
			break;
		case DW_OP_stack_value:
			if (i + 1 != nops)
				return false;
			*is_value = true;
			break;
		default:
			return false;
		}
	}
	if (n != 1)
		return false;
	*out = st[0];
	return true;
}

enum ustep ustep_cfi(Dwarf_CFI *cfi, uint64_t bias, uint64_t look, bool go_frame,
		     struct uregs *r, ustep_read_fn rd, void *arg)
{
	Dwarf_Frame *frame = NULL;
	Dwarf_Op *ops, ops_mem[3];
	size_t nops;
	uint64_t cfa, ra, v;
	bool is_value;
	struct uregs next = *r;
	struct uregfile rf = from_uregs(r);
	bool need = false;
	enum ustep res = USTEP_NO_INFO;

	if (!cfi || look < bias || dwarf_cfi_addrframe(cfi, look - bias, &frame) != 0)
		goto out;
	if (dwarf_frame_cfa(frame, &ops, &nops) != 0 || nops == 0 ||
	    !eval(ops, nops, &rf, NULL, &cfa, &is_value, &need))
		goto out;
	/* The return address: undefined in the outermost frame. */
	if (dwarf_frame_register(frame, REG_RA, ops_mem, &ops, &nops) != 0)
		goto out;
	if (nops == 0) {
		if (ops != ops_mem)
			goto out;     /* "same value": no caller to go to */
		next.ip = 0;
	} else {
		if (!eval(ops, nops, &rf, &cfa, &v, &is_value, &need))
			goto out;
		if (is_value)
			ra = v;
		else if (!rd(arg, v, &ra)) {
			res = USTEP_MEM;
			goto out;
		}
		next.ip = ra;
	}
	next.sp = cfa;
	if (dwarf_frame_register(frame, REG_RBP, ops_mem, &ops, &nops) == 0 && nops > 0) {
		if (!eval(ops, nops, &rf, &cfa, &v, &is_value, &need))
			goto out;
		if (is_value)
			next.bp = v;
		else if (!rd(arg, v, &next.bp)) {
			res = USTEP_MEM;
			goto out;
		}
	} else if (go_frame && cfa - r->sp >= 16 && !rd(arg, cfa - 16, &next.bp)) {
		res = USTEP_MEM;
		goto out;
	}
	*r = next;
	res = USTEP_OK;
out:
	free(frame);
	return res;
}

enum ustep ustep_gopcln(const struct gopcln *t, const struct gopcln_func *f, uint64_t bias,
			uint64_t look, struct uregs *r, ustep_read_fn rd, void *arg)
{
	int32_t delta;
	struct uregs next = *r;
	if (look < bias || !gopcln_spdelta(t, f, look - bias, &delta) || delta < 0)
		return USTEP_NO_INFO;
	uint64_t cfa = r->sp + (uint64_t)delta + 8;
	if (!rd(arg, cfa - 8, &next.ip))
		return USTEP_MEM;
	/* Every Go frame larger than its return address starts by pushing
	 * the caller's frame pointer. */
	if (delta >= 8 && !rd(arg, cfa - 16, &next.bp))
		return USTEP_MEM;
	next.sp = cfa;
	*r = next;
	return USTEP_OK;
}

enum ustep ustep_fp(struct uregs *r, ustep_read_fn rd, void *arg)
{
	struct uregs next;
	if (r->bp == 0 || r->bp < r->sp || r->bp & 7)
		return USTEP_NO_INFO;
	if (!rd(arg, r->bp + 8, &next.ip) || !rd(arg, r->bp, &next.bp))
		return USTEP_MEM;
	next.sp = r->bp + 16;
	*r = next;
	return USTEP_OK;
}

/* One rule of dwarf_frame_register applied: the caller's value of reg
 * into *next.  Returns USTEP_OK (known or not), USTEP_NO_INFO for a rule
 * that cannot be followed, USTEP_MEM for an unreadable slot. */
static enum ustep apply_rule(Dwarf_Frame *frame, unsigned reg, const struct uregfile *rf,
			     uint64_t cfa, struct uregfile *next, ustep_read_fn rd, void *arg,
			     bool *need)
{
	Dwarf_Op *ops, ops_mem[3];
	size_t nops;
	uint64_t v;
	bool is_value, need_here = false;
	if (dwarf_frame_register(frame, (int)reg, ops_mem, &ops, &nops) != 0)
		return USTEP_NO_INFO;
	if (nops == 0) {
		if (ops == NULL && (rf->known & (1u << reg))) {   /* same value */
			next->v[reg] = rf->v[reg];
			next->known |= 1u << reg;
		}
		return USTEP_OK;  /* undefined, or the same as an unknown */
	}
	if (!eval(ops, nops, rf, &cfa, &v, &is_value, &need_here)) {
		*need |= need_here;
		/* Only the return address and RBP matter to the next step;
		 * another register's rule may stay unfollowed. */
		return need_here || (reg != UREG_RA && reg != UREG_RBP) ? USTEP_OK : USTEP_NO_INFO;
	}
	if (!is_value && !rd(arg, v, &v))
		return reg == UREG_RA ? USTEP_MEM : USTEP_OK;
	next->v[reg] = v;
	next->known |= 1u << reg;
	return USTEP_OK;
}

enum ustep ustep_cfi_all(Dwarf_CFI *cfi, uint64_t bias, uint64_t look, struct uregfile *rf,
			 ustep_read_fn rd, void *arg)
{
	Dwarf_Frame *frame = NULL;
	Dwarf_Op *ops;
	size_t nops;
	Dwarf_Addr start, end;
	bool signal, is_value, need = false;
	uint64_t cfa;
	struct uregfile next = { .known = 0 };
	enum ustep res = USTEP_NO_INFO;

	if (!cfi || look < bias || dwarf_cfi_addrframe(cfi, look - bias, &frame) != 0)
		goto out;
	/* A signal frame restores every register from the signal context:
	 * left to the general unwinder. */
	if (dwarf_frame_info(frame, &start, &end, &signal) < 0 || signal)
		goto out;
	if (dwarf_frame_cfa(frame, &ops, &nops) != 0 || nops == 0)
		goto out;
	if (!eval(ops, nops, rf, NULL, &cfa, &is_value, &need)) {
		if (need)
			res = USTEP_NEED_REG;
		goto out;
	}
	for (unsigned reg = 0; reg < UREG_N; reg++) {
		if (reg == UREG_RSP)
			continue;
		enum ustep st = apply_rule(frame, reg, rf, cfa, &next, rd, arg, &need);
		if (st != USTEP_OK) {
			res = st;
			goto out;
		}
	}
	if (!(next.known & (1u << UREG_RA))) {
		/* No return address: the outermost frame - unless a register
		 * it needed is missing, and then ask for it. */
		if (need) {
			res = USTEP_NEED_REG;
			goto out;
		}
		next.v[UREG_RA] = 0;
		next.known |= 1u << UREG_RA;
	}
	next.v[UREG_RSP] = cfa;
	next.known |= 1u << UREG_RSP;
	*rf = next;
	res = USTEP_OK;
out:
	free(frame);
	return res;
}
