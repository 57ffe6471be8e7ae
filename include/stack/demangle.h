/* demangle.h - C++ and Rust symbol names for people. */
#ifndef PTPROF_DEMANGLE_H
#define PTPROF_DEMANGLE_H

/* A malloc'ed readable form of name: Itanium C++ ABI names demangled,
 * Rust legacy names without their hash suffix, Rust v0 names ("_R...")
 * demangled without crate hashes; other names, and names that do not
 * parse, copied. */
char *demangle(const char *name);

#endif
