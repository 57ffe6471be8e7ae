/* mhd.h - libmicrohttpd, loaded when serve starts.
 *
 * Linked like the other libraries, libmicrohttpd would bring GnuTLS and
 * eight more libraries into every run of ptprof, and their start-up
 * (about 12 ms) into every dump.  serve loads it with dlopen instead and
 * calls it through this table; nothing else uses it.
 */
#ifndef PTPROF_MHD_H
#define PTPROF_MHD_H

#include <stdbool.h>

#include <microhttpd.h>

struct mhd_api {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_get_connection_info) *get_connection_info;
	__typeof__(MHD_get_connection_values) *get_connection_values;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
	__typeof__(MHD_basic_auth_get_username_password) *basic_auth_get_username_password;
	__typeof__(MHD_free) *free;
};

/* Filled by mhd_load. */
extern struct mhd_api mhd;

/* Load the library (once); false after saying why and what to install. */
bool mhd_load(void);

#endif
