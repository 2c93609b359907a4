package main

import "fmt"

// STUB: replaced by the engineer who owns 'explain'.
func runExplain(e env) int {
	fmt.Fprintln(e.stderr, "abi3ls explain: not implemented yet")
	return 2
}
