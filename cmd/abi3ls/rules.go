package main

import "fmt"

// STUB: replaced by the engineer who owns 'rules'.
func runRules(e env) int {
	fmt.Fprintln(e.stderr, "abi3ls rules: not implemented yet")
	return 2
}
