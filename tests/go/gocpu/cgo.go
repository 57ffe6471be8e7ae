//go:build cgo

// The cgo build of gocpu (go-gocpu-cgo): a C function called once at start
// makes the external linker put C code, and its .eh_frame, in the binary.

package main

/*
static int gocpu_c_touch(int x) { return x + 1; }
*/
import "C"

func cgoTouch() {
	if C.gocpu_c_touch(1) != 2 {
		panic("gocpu: C code gave a wrong answer")
	}
}
