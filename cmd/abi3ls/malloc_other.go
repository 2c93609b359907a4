//go:build !linux || !cgo

package main

func limitMallocArenas(int) {}

func trimMalloc() {}
