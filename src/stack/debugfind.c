/* debugfind.c - see debugfind.h. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <elfutils/libdwelf.h>

#include "stack/debugfind.h"
#include "util/xalloc.h"

static bool crc_matches(int fd, GElf_Word want)
{
	unsigned char buf[65536];
	uLong crc = crc32(0, Z_NULL, 0);
	ssize_t k;
	off_t off = 0;
	while ((k = pread(fd, buf, sizeof(buf), off)) > 0) {
		crc = crc32(crc, buf, (uInt)k);
		off += k;
	}
	return k == 0 && (GElf_Word)crc == want;
}

/* The candidate is the module's: the same build id; without one, the
 * CRC the link names; an alternate (dwz) file's link names neither. */
static bool belongs(Dwfl_Module *mod, int fd, GElf_Word crc)
{
	const unsigned char *want;
	GElf_Addr vaddr;
	int nwant = dwfl_module_build_id(mod, &want, &vaddr);
	bool ok = false;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf) {
		const void *have;
		ssize_t nhave = dwelf_elf_gnu_build_id(elf, &have);
		if (nwant > 0 && nhave == nwant)
			ok = memcmp(want, have, (size_t)nwant) == 0;
		else if (crc != 0)
			ok = crc_matches(fd, crc);
		else
			ok = nhave > 0 || nwant <= 0;
		elf_end(elf);
	}
	return ok;
}

static int try_path(Dwfl_Module *mod, char *path, GElf_Word crc, char **found)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && belongs(mod, fd, crc)) {
		*found = path;
		return fd;
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return -1;
}

int debugfind_local(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		    const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
		    char **debuginfo_file_name)
{
	const char *const *path = userdata ? *userdata : NULL;
	char *dir = NULL, *link = NULL, *list = NULL, *save = NULL;
	int fd = dwfl_build_id_find_debuginfo(mod, userdata, modname, base, file_name,
					      debuglink_file, debuglink_crc, debuginfo_file_name);
	if (fd >= 0 || !file_name || !path || !*path)
		goto out;
	const char *slash = strrchr(file_name, '/');
	dir = slash ? xstrndup(file_name, (size_t)(slash - file_name)) : xstrdup(".");
	link = debuglink_file ? xstrdup(debuglink_file)
			      : xasprintf("%s.debug", slash ? slash + 1 : file_name);
	/* An absolute link (an alternate file's) is tried as it is first. */
	if (link[0] == '/' && (fd = try_path(mod, xstrdup(link), debuglink_crc,
					     debuginfo_file_name)) >= 0)
		goto out;
	const char *base_name = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	/* The empty entry first, as libdw: the file's own directory. */
	fd = try_path(mod, xasprintf("%s/%s", dir, base_name), debuglink_crc, debuginfo_file_name);
	list = xstrdup(*path);
	for (char *e = strtok_r(list, ":", &save); e && fd < 0; e = strtok_r(NULL, ":", &save)) {
		char *p = e[0] == '/' ? xasprintf("%s%s/%s", e, dir, base_name)
				      : xasprintf("%s/%s/%s", dir, e, base_name);
		fd = try_path(mod, p, debuglink_crc, debuginfo_file_name);
	}
out:
	free(list);
	free(link);
	free(dir);
	return fd;
}
