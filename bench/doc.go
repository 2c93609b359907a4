// Package bench holds abi3ls's performance benchmarks (issue 10). The go
// test benchmarks here drive the library and an in-process server:
//
//	go test -run '^$' -bench . -benchtime 1000x ./bench/
//
// The binary-level figures (start-up, `abi3ls check` against gcc, RSS of
// `abi3ls serve`) come from the driver in bench/cmd/lspbench; bench/run
// builds everything, runs both and prints the table of figures and
// targets recorded in docs/performance.md.
package bench
