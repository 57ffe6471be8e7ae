//go:build !cgo

package main

// Without cgo there is no C code to call.
func cgoTouch() {}
