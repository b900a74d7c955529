package acl

import (
	"sync"
	"testing"
)

// Compiled conditions are shared by every connection; each goroutine has
// its own Txn. Run with -race.
func TestConcurrentEval(t *testing.T) {
	rules := compileRules(t, mixFrontend)
	want := make([]string, len(mixRequests))
	for i, txn := range mixRequests {
		want[i] = route(rules, txn)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var txn Txn
			for n := 0; n < 200; n++ {
				for i, r := range mixRequests {
					txn.Reset()
					txn.Req, txn.Src, txn.SrcPort, txn.Dst, txn.DstPort = r.Req, r.Src, r.SrcPort, r.Dst, r.DstPort
					if got := route(rules, &txn); got != want[i] {
						t.Errorf("request %d: got %q, want %q", i, got, want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

func TestTxnResetKeepsScratch(t *testing.T) {
	s := NewSet()
	if err := s.Declare("b", []string{"base", "h/foo"}); err != nil {
		t.Fatal(err)
	}
	c, err := s.Cond([]string{"if", "b"})
	if err != nil {
		t.Fatal(err)
	}
	txn := httpTxn(rX)
	if !c.Eval(txn) {
		t.Fatal("base did not match")
	}
	if cap(txn.scratch) == 0 {
		t.Fatal("no scratch space after evaluating base")
	}
	txn.Reset()
	if txn.Req != nil || cap(txn.scratch) == 0 {
		t.Errorf("Reset: Req %v, scratch cap %d; want nil and kept", txn.Req, cap(txn.scratch))
	}
}
