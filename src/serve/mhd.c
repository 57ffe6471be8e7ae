/* mhd.c - see mhd.h. */
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include "serve/mhd.h"
#include "util/error.h"

#define MHD_SONAME "libmicrohttpd.so.12"

struct mhd_api mhd;

bool mhd_load(void)
{
	static const struct { const char *name; size_t off; } syms[] = {
#define SYM(field, name) { name, offsetof(struct mhd_api, field) }
		SYM(start_daemon, "MHD_start_daemon"),
		SYM(stop_daemon, "MHD_stop_daemon"),
		SYM(create_response_from_buffer, "MHD_create_response_from_buffer"),
		SYM(add_response_header, "MHD_add_response_header"),
		SYM(queue_response, "MHD_queue_response"),
		SYM(destroy_response, "MHD_destroy_response"),
		SYM(get_connection_info, "MHD_get_connection_info"),
		SYM(get_connection_values, "MHD_get_connection_values"),
		SYM(lookup_connection_value, "MHD_lookup_connection_value"),
		SYM(basic_auth_get_username_password, "MHD_basic_auth_get_username_password"),
		SYM(free, "MHD_free"),
#undef SYM
	};
	if (mhd.start_daemon)
		return true;
	void *so = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!so) {
		pt_error("serve: cannot load %s: %s (install Debian's libmicrohttpd12)", MHD_SONAME,
			 dlerror());
		return false;
	}
	struct mhd_api api;
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(so, syms[i].name);
		if (!f) {
			pt_error("serve: %s has no %s: a libmicrohttpd too old (0.9.75 or later is needed)",
				 MHD_SONAME, syms[i].name);
			dlclose(so);
			return false;
		}
		memcpy((char *)&api + syms[i].off, &f, sizeof(f));
	}
	mhd = api;
	return true;
}
