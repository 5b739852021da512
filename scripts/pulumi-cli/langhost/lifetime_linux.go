package main

import (
	"os/exec"
	"runtime"
	"syscall"
)

// runWithHost runs cmd so that it dies with this host: Linux sends a child its parent-death signal when
// the thread that started it exits, so the goroutine stays on its thread until the child is gone (the Go
// runtime ends a thread only when a goroutine locked to it returns still locked). SIGKILL, because once
// the host is gone nothing the child does is read, and a handler could delay or swallow a SIGTERM.
func runWithHost(cmd *exec.Cmd) error {
	return runWithHostUntil(cmd, cmd.Wait)
}

// runWithHostUntil starts cmd as runWithHost does, then holds the thread until wait returns (wait must
// not return before the child is gone: a policy pack's proxy waits for it).
func runWithHostUntil(cmd *exec.Cmd, wait func() error) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cmd.Start(); err != nil {
		return err
	}
	return wait()
}
