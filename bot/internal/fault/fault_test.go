package fault

import (
	"context"
	"testing"
	"time"
)

func TestTakeOrder(t *testing.T) {
	var f Injector
	f.FailNext(2)
	f.RateLimitNext(1)
	type fate struct{ fail, limited, ok bool }
	var got []fate
	for range 5 {
		a, b, c := f.Take(context.Background())
		got = append(got, fate{a, b, c})
	}
	want := []fate{{true, false, true}, {true, false, true}, {false, true, true}, {false, false, true}, {false, false, true}}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("call %d = %+v; want %+v (all: %+v)", i, got[i], want[i], got)
		}
	}
}

func TestTakeCancelledDuringDelayTakesNothing(t *testing.T) {
	var f Injector
	f.SetDelay(time.Hour)
	f.FailNext(1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, ok := f.Take(ctx); ok {
		t.Fatal("Take with an ended context = ok; want not ok")
	}
	f.SetDelay(0)
	if fail, _, ok := f.Take(context.Background()); !fail || !ok {
		t.Errorf("next Take = fail %v, ok %v; want the injected failure still there", fail, ok)
	}
}

func TestLoseReplyNext(t *testing.T) {
	var f Injector
	f.LoseReplyNext(1)
	if !f.LoseReply() {
		t.Fatal("first LoseReply = false; want the injected loss")
	}
	if f.LoseReply() {
		t.Error("second LoseReply = true; want one loss only")
	}
}
