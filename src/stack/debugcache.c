/* debugcache.c - see debugcache.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <elfutils/libdwelf.h>
#include <gelf.h>
#include <libelf.h>

#include "stack/debugcache.h"
#include "stack/elfinflate.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/xalloc.h"

#define CACHE_MAX   (1ULL << 30)  /* the whole directory */
#define FILE_MAX    (256ULL << 20)  /* one copy, inflated */
#define SUFFIX      ".debug"

struct pending {
	char *hex;
	uint64_t size; /* its sections' inflated size */
};

static struct {
	pthread_mutex_t lock;
	bool looked;
	char *dir;     /* NULL: off */
	struct pending *v;
	size_t n, cap;
	size_t hits;
} g = { .lock = PTHREAD_MUTEX_INITIALIZER };

static char *choose_dir(void)
{
	const char *e = getenv("PTPROF_CACHE_DIR");
	if (e)
		return *e && strcmp(e, "off") != 0 ? xstrdup(e) : NULL;
	if ((e = getenv("XDG_CACHE_HOME")) && *e == '/')
		return xasprintf("%s/ptprof/debug", e);
	if ((e = getenv("HOME")) && *e == '/')
		return xasprintf("%s/.cache/ptprof/debug", e);
	return NULL;
}

/* The directory, chosen once; NULL when off. */
static const char *cache_dir(void)
{
	pthread_mutex_lock(&g.lock);
	if (!g.looked) {
		g.dir = choose_dir();
		g.looked = true;
	}
	pthread_mutex_unlock(&g.lock);
	return g.dir;
}

/* Index of the copy due for hex in g.v, or g.n; g.lock held. */
static size_t find_pending(const char *hex)
{
	size_t i = 0;
	while (i < g.n && strcmp(g.v[i].hex, hex) != 0)
		i++;
	return i;
}

/* Ours, and nobody else may change it. */
static bool owned(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static bool same_id(Elf *elf, const unsigned char *id, size_t len)
{
	const void *have;
	ssize_t n = dwelf_elf_gnu_build_id(elf, &have);
	return n > 0 && (size_t)n == len && memcmp(have, id, len) == 0;
}

/* Every section header and every section's bytes lie within the file
 * (a copy cut short by a full disk or a crash has its build id note in
 * its first page but not its DWARF), and none is stored compressed. */
static bool whole_and_plain(Elf *elf, uint64_t size)
{
	GElf_Ehdr eh;
	size_t n;
	Elf_Scn *scn = NULL;
	if (!gelf_getehdr(elf, &eh) || elf_getshdrnum(elf, &n) != 0 || n == 0 ||
	    eh.e_shoff > size || (uint64_t)n * eh.e_shentsize > size - eh.e_shoff)
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			return false;
		if (sh.sh_type != SHT_NOBITS && (sh.sh_offset > size || sh.sh_size > size - sh.sh_offset))
			return false;
		if (sh.sh_flags & SHF_COMPRESSED)
			return false;
	}
	return true;
}

/* A copy worth reading: see debugcache.h. */
static bool usable(int fd, const unsigned char *id, size_t len)
{
	struct stat st;
	bool ok = false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !owned(&st))
		return false;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf) {
		ok = elf_kind(elf) == ELF_K_ELF && same_id(elf, id, len) &&
		     whole_and_plain(elf, (uint64_t)st.st_size);
		elf_end(elf);
	}
	return ok;
}

static char *to_hex(const unsigned char *id, size_t len)
{
	char *s = xmalloc(len * 2 + 1);
	hex_encode(s, id, len);
	return s;
}

int debugcache_open(const unsigned char *id, size_t len)
{
	char *hex, *path;
	const char *dir;
	int fd;

	dir = cache_dir();
	if (!dir || !len)
		return -1;
	hex = to_hex(id, len);
	path = xasprintf("%s/%s%s", dir, hex, SUFFIX);
	/* O_NONBLOCK: a FIFO at that name must not hang the run. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd >= 0 && !usable(fd, id, len)) {
		close(fd);
		fd = -1;
	}
	if (fd >= 0) {
		/* Used now: the last to be evicted. */
		futimens(fd, NULL);
		pthread_mutex_lock(&g.lock);
		g.hits++;
		pthread_mutex_unlock(&g.lock);
	}
	free(path);
	free(hex);
	return fd;
}

void debugcache_note(int fd, const unsigned char *id, size_t len)
{
	uint64_t inflated;
	char *hex;

	if (!cache_dir() || !len || fd < 0 || !elf_has_compressed(fd, &inflated) ||
	    inflated > FILE_MAX)
		return;
	hex = to_hex(id, len);
	pthread_mutex_lock(&g.lock);
	if (find_pending(hex) == g.n) {
		XGROW(g.v, g.cap, g.n);
		g.v[g.n++] = (struct pending){ hex, inflated };
		hex = NULL;
	}
	pthread_mutex_unlock(&g.lock);
	free(hex);
}

/* mkdir -p, new parts private. */
static int make_dir(const char *dir)
{
	char *p = xstrdup(dir);
	int ret = 0;
	for (char *s = p + 1; ret == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			ret = -1;
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return ret;
}

struct entry {
	char *name;
	off_t size;
	struct timespec used;
};

static int by_use(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	return (x->used.tv_nsec > y->used.tv_nsec) - (x->used.tv_nsec < y->used.tv_nsec);
}

void debugcache_trim(int dfd, uint64_t need, uint64_t max)
{
	DIR *d = fdopendir(dup(dfd));
	struct entry *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = need;
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		struct stat st;
		if (l <= strlen(SUFFIX) || strcmp(e->d_name + l - strlen(SUFFIX), SUFFIX) != 0 ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
		    st.st_uid != geteuid())
			continue;
		XGROW(v, cap, n);
		v[n++] = (struct entry){ xstrdup(e->d_name), st.st_size, st.st_mtim };
		total += (uint64_t)st.st_size;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), by_use);
	for (size_t i = 0; i < n; i++) {
		if (total > max && unlinkat(dfd, v[i].name, 0) == 0) {
			total -= (uint64_t)v[i].size;
			pt_verbose("debug cache: removed %s, used least recently", v[i].name);
		}
		free(v[i].name);
	}
	free(v);
}

/* After the copy the disk keeps 1 GiB free, or a twentieth of itself if
 * that is less. */
static bool disk_has_room(int dfd, uint64_t need)
{
	struct statvfs vs;
	if (fstatvfs(dfd, &vs) != 0)
		return false;
	uint64_t avail = (uint64_t)vs.f_bavail * vs.f_frsize;
	uint64_t total = (uint64_t)vs.f_blocks * vs.f_frsize;
	uint64_t keep = total / 20 < (1ULL << 30) ? total / 20 : 1ULL << 30;
	return avail > need && avail - need >= keep;
}

static void write_one(const char *dir, int dfd, const struct pending *p, Elf *elf)
{
	char *tmp = xasprintf("%s/.%s.XXXXXX", dir, p->hex);
	char *path = xasprintf("%s/%s%s", dir, p->hex, SUFFIX);
	const char *why = NULL;
	int fd;

	debugcache_trim(dfd, p->size, CACHE_MAX);
	if (!disk_has_room(dfd, p->size)) {
		pt_verbose("debug cache: no copy of %s written: the disk of %s is nearly full",
			   p->hex, dir);
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		pt_verbose("debug cache: mkstemp in %s: %s", dir, strerror(errno));
		goto out;
	}
	int wrote = elf_write_inflated(elf, fd, &why);
	int closed = close(fd);
	if (wrote != 0) {
		pt_verbose("debug cache: no copy of %s written: %s", p->hex, why);
	} else if (closed != 0 || rename(tmp, path) != 0) {
		pt_verbose("debug cache: writing %s: %s", path, strerror(errno));
	} else {
		pt_verbose("debug cache: wrote %s (%.1f MB inflated), read in place from the next "
			   "run on", path, (double)p->size / 1e6);
		goto out;
	}
	unlink(tmp);
out:
	free(path);
	free(tmp);
}

/* The directory, made if need be, open; -1 when it is not ours alone. */
static int open_dir(const char *dir)
{
	struct stat st;
	int dfd;
	if (make_dir(dir) != 0) {
		pt_verbose("debug cache: mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0 && fstat(dfd, &st) == 0 && owned(&st))
		return dfd;
	pt_verbose("debug cache: %s is not a directory only we may write; nothing written", dir);
	if (dfd >= 0)
		close(dfd);
	return -1;
}

void debugcache_keep(Elf *elf, const unsigned char *id, size_t len)
{
	char *hex;
	size_t i;

	if (!elf || !len)
		return;
	hex = to_hex(id, len);
	pthread_mutex_lock(&g.lock);
	i = find_pending(hex);
	if (i < g.n) {
		struct pending p = g.v[i];
		g.v[i] = g.v[--g.n];
		int dfd = open_dir(g.dir);
		if (dfd >= 0) {
			write_one(g.dir, dfd, &p, elf);
			close(dfd);
		}
		free(p.hex);
	}
	pthread_mutex_unlock(&g.lock);
	free(hex);
}

void debugcache_report(void)
{
	pthread_mutex_lock(&g.lock);
	if (g.hits)
		pt_verbose("debug cache: %zu inflated cop%s read from %s", g.hits,
			   g.hits > 1 ? "ies" : "y", g.dir);
	/* Files whose DWARF was never read: inflating them is not worth it. */
	for (size_t i = 0; i < g.n; i++)
		free(g.v[i].hex);
	free(g.v);
	g.v = NULL;
	g.n = g.cap = 0;
	pthread_mutex_unlock(&g.lock);
}
