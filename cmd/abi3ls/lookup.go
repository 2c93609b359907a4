package main

import "fmt"

// STUB: replaced by the engineer who owns 'lookup'.
func runLookup(e env) int {
	fmt.Fprintln(e.stderr, "abi3ls lookup: not implemented yet")
	return 2
}
