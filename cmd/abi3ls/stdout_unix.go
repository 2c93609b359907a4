//go:build unix

package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// privateStdout duplicates fd 1 for the server's exclusive use and points
// fd 1 (and os.Stdout) at stderr.
func privateStdout() (io.Writer, error) {
	fd, err := unix.Dup(1)
	if err != nil {
		return nil, fmt.Errorf("dup stdout: %w", err)
	}
	if err := unix.Dup2(2, 1); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("redirect stdout: %w", err)
	}
	unix.CloseOnExec(fd)
	os.Stdout = os.Stderr
	return os.NewFile(uintptr(fd), "lsp-stdout"), nil
}
