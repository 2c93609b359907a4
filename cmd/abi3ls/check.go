package main

import "fmt"

// STUB: replaced by the engineer who owns 'check'.
func runCheck(e env) int {
	fmt.Fprintln(e.stderr, "abi3ls check: not implemented yet")
	return 2
}
