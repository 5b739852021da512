package main

import (
	"os"
	"time"
)

// parentPollInterval is how soon the host notices that the engine that started it is gone.
const parentPollInterval = 500 * time.Millisecond

// exitWithParent ends this host once the engine that started it is gone (this process was re-parented):
// a SIGKILLed `pulumi up` cannot tell its language host to stop, and the program it runs would go on.
// Exiting also ends the program and the plugins the host started, through their parent-death signal
// (runWithHost).
func exitWithParent() {
	parent := os.Getppid()
	go func() {
		for os.Getppid() == parent && parent != 1 {
			time.Sleep(parentPollInterval)
		}
		os.Exit(1)
	}()
}
