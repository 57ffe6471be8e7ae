/* procfs.c - reading and parsing /proc files.
 *
 * Parsers take the text and fill a local copy first, so on failure
 * (-1) the caller's struct is left as it was.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target/procfs.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

/* --- small tokenizers ----------------------------------------------------- */

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* True when p is at the end of a field: blank, end of line or text. */
static bool field_end(const char *p)
{
	return *p == ' ' || *p == '\t' || *p == '\n' || *p == '\0';
}

/* Whether another field follows on this line. */
static bool more_fields(const char *p)
{
	p = skip_blanks(p);
	return *p != '\0' && *p != '\n';
}

/* Unsigned number at exactly *p (no blanks, no sign, no "0x" unless the
 * caller skipped it); advances *p past the digits. */
static int next_u64(const char **p, uint64_t *v, int base)
{
	const char *s = *p;
	char *e;

	if (base == 16 ? !isxdigit((unsigned char)*s) : !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoull(s, &e, base);
	if (errno == ERANGE)
		return -1;
	*p = e;
	return 0;
}

/* One blank-separated decimal field, possibly negative (the kernel prints
 * -1 for some stat fields); advances *p past it. */
static int next_s64(const char **p, long long *v)
{
	const char *s = skip_blanks(*p);
	char *e;

	if (!isdigit((unsigned char)*s) && !(*s == '-' && isdigit((unsigned char)s[1])))
		return -1;
	errno = 0;
	*v = strtoll(s, &e, 10);
	if (errno == ERANGE || !field_end(e))
		return -1;
	*p = e;
	return 0;
}

/* Start of the line after the one at p, or the terminating NUL. */
static const char *next_line(const char *p)
{
	p = strchrnul(p, '\n');
	return *p ? p + 1 : p;
}

/* --- stat ----------------------------------------------------------------- */

int procfs_parse_stat(const char *text, struct proc_stat *st)
{
	struct proc_stat s = { .processor = -1 };
	const char *open, *close, *p;
	long long pid, v;
	uint64_t u;

	p = text;
	if (next_s64(&p, &pid) < 0 || pid <= 0 || pid > INT_MAX)
		return -1;
	s.pid = (pid_t)pid;
	if (strncmp(p, " (", 2) != 0)
		return -1;
	open = p + 2;
	/* comm is whatever lies between the first '(' and the last ')': the
	 * fields after it are all numbers, so the last ')' is the real one. */
	close = strrchr(open, ')');
	if (!close)
		return -1;
	size_t len = (size_t)(close - open);
	if (len > PROC_COMM_MAX - 1)
		len = PROC_COMM_MAX - 1;
	memcpy(s.comm, open, len);
	s.comm[len] = '\0';

	p = close + 1;
	if (*p++ != ' ' || !isalpha((unsigned char)*p))
		return -1;
	s.state = *p++;
	if (*p != ' ')
		return -1;

	/* Fields 4..39; numbering as in proc(5). */
	for (int field = 4; field <= 39; field++) {
		if (!more_fields(p)) {
			if (field <= 15)
				return -1;
			break;   /* older or trimmed line: no processor */
		}
		switch (field) {
		case 9: case 14: case 15:
			p = skip_blanks(p);
			if (next_u64(&p, &u, 10) < 0 || !field_end(p))
				return -1;
			if (field == 9)
				s.flags = (unsigned long)u;
			else if (field == 14)
				s.utime_ticks = u;
			else
				s.stime_ticks = u;
			break;
		case 4: case 20: case 39:
			if (next_s64(&p, &v) < 0 || v < -1 || v > INT_MAX)
				return -1;
			if (field == 4)
				s.ppid = (pid_t)v;
			else if (field == 20)
				s.num_threads = (int)v;
			else
				s.processor = (int)v;
			break;
		default:
			/* Unused; some are unsigned 64-bit, some negative. */
			p = skip_blanks(p);
			while (!field_end(p))
				p++;
			break;
		}
	}
	*st = s;
	return 0;
}

/* --- status --------------------------------------------------------------- */

/* If line starts with "key:", return the value after it (tabs and spaces
 * skipped), else NULL. */
static const char *status_value(const char *line, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == '\t' || *line == ' ')
		line++;
	return line;
}

/* The blank-separated decimal list of a status line.  Stores up to max
 * values and returns how many there were, or -1 if malformed. */
static int status_list(const char *p, uint64_t *vals, int max)
{
	uint64_t v;
	int n = 0;

	for (;;) {
		p = skip_blanks(p);
		if (*p == '\0' || *p == '\n')
			return n;
		if (next_u64(&p, &v, 10) < 0 || !field_end(p) || v > UINT32_MAX)
			return -1;
		if (n < max)
			vals[n] = v;
		n++;
	}
}

int procfs_parse_status(const char *text, struct proc_status *st)
{
	struct proc_status s = { 0 };
	bool have_name = false, have_state = false, have_tgid = false;
	const char *line, *v;
	uint64_t ids[PROC_NSPID_MAX];
	int n;

	for (line = text; *line; line = next_line(line)) {
		if ((v = status_value(line, "Name"))) {
			/* Copied as is: the kernel escapes '\n' and '\\'. */
			size_t len = strcspn(v, "\n");
			if (len > PROC_COMM_MAX - 1)
				len = PROC_COMM_MAX - 1;
			memcpy(s.name, v, len);
			s.name[len] = '\0';
			have_name = true;
		} else if ((v = status_value(line, "State"))) {
			if (!isalpha((unsigned char)*v))
				return -1;
			s.state = *v;
			have_state = true;
		} else if ((v = status_value(line, "Tgid"))) {
			if (status_list(v, ids, 1) != 1 || ids[0] > INT_MAX)
				return -1;
			s.tgid = (pid_t)ids[0];
			have_tgid = true;
		} else if ((v = status_value(line, "TracerPid"))) {
			if (status_list(v, ids, 1) != 1 || ids[0] > INT_MAX)
				return -1;
			s.tracer_pid = (pid_t)ids[0];
		} else if ((v = status_value(line, "Uid"))) {
			/* real, effective, saved, filesystem */
			if (status_list(v, ids, 2) < 2)
				return -1;
			s.uid_real = (uid_t)ids[0];
			s.uid_effective = (uid_t)ids[1];
		} else if ((v = status_value(line, "NSpid"))) {
			/* Deeper nesting than we keep: the outermost
			 * PROC_NSPID_MAX levels are kept. */
			n = status_list(v, ids, PROC_NSPID_MAX);
			if (n < 1)
				return -1;
			s.nspid_count = n < PROC_NSPID_MAX ? n : PROC_NSPID_MAX;
			for (int i = 0; i < s.nspid_count; i++) {
				if (ids[i] > INT_MAX)
					return -1;
				s.nspid[i] = (pid_t)ids[i];
			}
		} else if ((v = status_value(line, "CapEff"))) {
			if (next_u64(&v, &s.cap_eff, 16) < 0 || !field_end(v) || more_fields(v))
				return -1;
		}
	}
	/* Every kernel prints these; without them the text is not status. */
	if (!have_name || !have_state || !have_tgid)
		return -1;
	*st = s;
	return 0;
}

/* --- maps ----------------------------------------------------------------- */

static int parse_map_line(const char *p, const char *eol, struct map_entry *e)
{
	uint64_t major, minor;
	static const char deleted[] = " (deleted)";
	const size_t dlen = sizeof(deleted) - 1;

	memset(e, 0, sizeof(*e));
	if (next_u64(&p, &e->start, 16) < 0 || *p++ != '-')
		return -1;
	if (next_u64(&p, &e->end, 16) < 0 || *p++ != ' ' || e->end < e->start)
		return -1;
	for (int i = 0; i < 4; i++) {
		if (p >= eol || *p == ' ')
			return -1;
		e->perms[i] = *p++;
	}
	e->perms[4] = '\0';
	if (*p++ != ' ' || next_u64(&p, &e->offset, 16) < 0 || *p++ != ' ')
		return -1;
	if (next_u64(&p, &major, 16) < 0 || *p++ != ':' ||
	    next_u64(&p, &minor, 16) < 0 || *p++ != ' ')
		return -1;
	if (major > UINT_MAX || minor > UINT_MAX)
		return -1;
	e->dev_major = (unsigned)major;
	e->dev_minor = (unsigned)minor;
	if (next_u64(&p, &e->inode, 10) < 0 || (p < eol && *p != ' '))
		return -1;

	/* The kernel pads with spaces up to the path; the path itself may
	 * contain spaces, so it runs to the end of the line. */
	while (p < eol && *p == ' ')
		p++;
	if (p == eol)
		return 0;   /* anonymous */
	size_t len = (size_t)(eol - p);
	if (len > dlen && memcmp(eol - dlen, deleted, dlen) == 0) {
		len -= dlen;
		e->deleted = true;
	}
	e->path = xstrndup(p, len);
	return 0;
}

static int map_cmp(const void *a, const void *b)
{
	const struct map_entry *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int procfs_parse_maps(const char *text, struct maps *m)
{
	struct maps out = { 0 };
	bool sorted = true;

	for (const char *line = text; *line; ) {
		const char *eol = strchrnul(line, '\n');
		if (eol > line) {
			XGROW(out.v, out.cap, out.n);
			if (parse_map_line(line, eol, &out.v[out.n]) < 0)
				goto fail;
			if (out.n > 0 && out.v[out.n].start < out.v[out.n - 1].start)
				sorted = false;
			out.n++;
		}
		line = next_line(eol);
	}
	/* The kernel lists mappings in address order; text from elsewhere
	 * may not, and maps_find depends on it. */
	if (!sorted)
		qsort(out.v, out.n, sizeof(out.v[0]), map_cmp);
	*m = out;
	return 0;
fail:
	maps_free(&out);
	return -1;
}

void maps_free(struct maps *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

const struct map_entry *maps_find(const struct maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	/* Find the first entry starting above addr; the one before it is
	 * the only candidate. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct map_entry *e = &m->v[lo - 1];
	return addr < e->end ? e : NULL;
}

/* --- syscall -------------------------------------------------------------- */

/* One " 0x..." field, the way the kernel prints syscall arguments. */
static int next_hex(const char **p, uint64_t *v)
{
	const char *s = *p;

	if (*s++ != ' ' || s[0] != '0' || s[1] != 'x')
		return -1;
	s += 2;
	if (next_u64(&s, v, 16) < 0 || !field_end(s))
		return -1;
	*p = s;
	return 0;
}

int procfs_parse_syscall(const char *text, struct proc_syscall *sc)
{
	struct proc_syscall s = { .nr = -1 };
	const char *p = text;
	long long nr;

	if (strncmp(text, "running", 7) == 0 && (text[7] == '\n' || text[7] == '\0')) {
		s.running = true;
		*sc = s;
		return 0;
	}
	if (next_s64(&p, &nr) < 0 || nr < -1 || nr > INT_MAX)
		return -1;
	s.nr = (long)nr;
	if (nr >= 0) {
		for (int i = 0; i < 6; i++)
			if (next_hex(&p, &s.args[i]) < 0)
				return -1;
	}
	if (next_hex(&p, &s.sp) < 0 || next_hex(&p, &s.pc) < 0)
		return -1;
	if (*p != '\0' && strcmp(p, "\n") != 0)
		return -1;
	*sc = s;
	return 0;
}

const char *procfs_state_name(char state)
{
	switch (state) {
	case 'R': return "running";
	case 'S': return "sleeping";
	case 'D': return "disk-sleep";
	case 'T': return "stopped";
	case 't': return "tracing-stop";
	case 'Z': return "zombie";
	case 'X': return "dead";
	case 'I': return "idle";
	case 'P': return "parked";
	default: return "unknown";
	}
}

/* --- readers -------------------------------------------------------------- */

static int open_proc(pid_t pid, pid_t tid, const char *name)
{
	char path[PATH_MAX];
	int n;

	if (tid > 0)
		n = snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)pid, (int)tid, name);
	else
		n = snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* close() without disturbing the errno of an earlier failure. */
static void close_keep_errno(int fd)
{
	int err = errno;
	close(fd);
	errno = err;
}

int procfs_read_comm(pid_t pid, char *comm, size_t size)
{
	char buf[1024];
	struct proc_stat st;
	if (procfs_read(pid, 0, "stat", buf, sizeof(buf)) <= 0 || procfs_parse_stat(buf, &st) < 0)
		return -1;
	snprintf(comm, size, "%s", st.comm);
	return 0;
}

ssize_t procfs_read(pid_t pid, pid_t tid, const char *name, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t r = -1;
	int fd;

	if (size == 0) {
		errno = EINVAL;
		return -1;
	}
	fd = open_proc(pid, tid, name);
	if (fd < 0)
		return -1;
	while (len < size - 1) {
		ssize_t k = read(fd, buf + len, size - 1 - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			goto out;
		if (k == 0)
			break;
		len += (size_t)k;
	}
	buf[len] = '\0';
	r = (ssize_t)len;
out:
	close_keep_errno(fd);
	return r;
}

ssize_t procfs_pread(int *fd, pid_t pid, pid_t tid, const char *name, char *buf, size_t size)
{
	ssize_t k;
	if (size == 0) {
		errno = EINVAL;
		return -1;
	}
	if (*fd < 0) {
		*fd = open_proc(pid, tid, name);
		/* Out of descriptors: read it the slow way this time. */
		if (*fd < 0)
			return errno == EMFILE || errno == ENFILE ? procfs_read(pid, tid, name, buf, size)
								   : -1;
	}
	do
		k = pread(*fd, buf, size - 1, 0);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return -1;
	buf[k] = '\0';
	return k;
}

char *procfs_read_all(pid_t pid, pid_t tid, const char *name, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	char *buf;
	int fd;

	fd = open_proc(pid, tid, name);
	if (fd < 0)
		return NULL;
	buf = xmalloc(cap);
	for (;;) {
		/* st_size is 0 for /proc files: read until EOF. */
		if (cap - len < 2) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t k = read(fd, buf + len, cap - 1 - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			goto fail;
		if (k == 0)
			break;
		len += (size_t)k;
	}
	buf[len] = '\0';
	close(fd);
	if (lenp)
		*lenp = len;
	return buf;
fail:
	free(buf);
	close_keep_errno(fd);
	return NULL;
}

static int tid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

ssize_t procfs_list_tasks(pid_t pid, pid_t **tids)
{
	char path[64];
	pid_t *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dir;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	for (;;) {
		errno = 0;
		d = readdir(dir);
		if (!d)
			break;
		const char *s = d->d_name;
		char *end;
		if (!isdigit((unsigned char)*s))
			continue;   /* ".", ".." */
		long t = strtol(s, &end, 10);
		if (*end != '\0' || t <= 0 || t > INT_MAX)
			continue;
		XGROW(v, cap, n);
		v[n++] = (pid_t)t;
	}
	if (errno != 0)
		goto fail;
	closedir(dir);
	/* readdir order is the kernel's, not guaranteed ascending. */
	if (n > 1)
		qsort(v, n, sizeof(*v), tid_cmp);
	*tids = v ? v : xmalloc(sizeof(*v));
	return (ssize_t)n;
fail:
	err = errno;
	closedir(dir);
	free(v);
	errno = err;
	return -1;
}

long procfs_clock_ticks(void)
{
	static long ticks;

	if (ticks <= 0) {
		ticks = sysconf(_SC_CLK_TCK);
		if (ticks <= 0)
			ticks = 100;   /* USER_HZ on every Linux architecture */
	}
	return ticks;
}

/* The hash of a maps text read now into *text (malloc'ed), or -1. */
static int maps_text(pid_t pid, char **text, uint64_t *hash)
{
	*text = procfs_read_all(pid, 0, "maps", NULL);
	if (!*text)
		return -1;
	*hash = hash_bytes(*text, strlen(*text));
	return 0;
}

int procfs_read_maps(pid_t pid, struct maps *m, uint64_t *hash)
{
	char *text;
	if (maps_text(pid, &text, hash) < 0)
		return -1;
	procfs_parse_maps(text, m);
	free(text);
	return 0;
}

int procfs_reread_maps(pid_t pid, struct maps *m, uint64_t *hash)
{
	char *text;
	uint64_t h;
	if (maps_text(pid, &text, &h) < 0)
		return -1;
	bool changed = h != *hash;
	if (changed) {
		*hash = h;
		maps_free(m);
		procfs_parse_maps(text, m);
	}
	free(text);
	return changed;
}
