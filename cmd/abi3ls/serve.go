package main

import "fmt"

// STUB: replaced by the engineer who owns 'serve'.
func runServe(e env) int {
	fmt.Fprintln(e.stderr, "abi3ls serve: not implemented yet")
	return 2
}
