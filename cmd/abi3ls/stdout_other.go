//go:build !unix

package main

import (
	"errors"
	"io"
)

func privateStdout() (io.Writer, error) { return nil, errors.New("not supported on this system") }
