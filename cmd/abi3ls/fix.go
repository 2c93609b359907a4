package main

import "fmt"

// STUB: replaced by the engineer who owns 'fix'.
func runFix(e env) int {
	fmt.Fprintln(e.stderr, "abi3ls fix: not implemented yet")
	return 2
}
