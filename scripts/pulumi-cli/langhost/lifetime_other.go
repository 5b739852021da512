//go:build !linux

package main

import "os/exec"

// runWithHost runs cmd; without a parent-death signal, a child outlives a killed host on this system.
func runWithHost(cmd *exec.Cmd) error {
	return cmd.Run()
}

// runWithHostUntil starts cmd, then returns what wait returns.
func runWithHostUntil(cmd *exec.Cmd, wait func() error) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	return wait()
}
