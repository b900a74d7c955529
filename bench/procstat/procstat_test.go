package procstat

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

func TestOwnProcess(t *testing.T) {
	self := os.Getpid()
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	tree, err := Tree(self)
	if err != nil {
		t.Fatal(err)
	}
	if tree[0] != self || !slices.Contains(tree, cmd.Process.Pid) {
		t.Errorf("tree %v, want %d first and child %d in it", tree, self, cmd.Process.Pid)
	}
	before, err := CPU([]int{self})
	if err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
	}
	after, _ := CPU([]int{self})
	if after <= before {
		t.Errorf("CPU did not grow over 50ms of spinning: %v then %v", before, after)
	}
	if rss, err := RSS([]int{self}); err != nil || rss < 1<<20 {
		t.Errorf("RSS %d, %v", rss, err)
	}
}
