//go:build !unix

package paper

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs here") }
