package models

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Intakes beyond the pool's connections wait at the gate and go in their
// order of arrival; one that gives up waiting leaves no place taken.
func TestGateLetsPoolManyInOrder(t *testing.T) {
	s, err := Open("sqlite", t.TempDir()+"/gate.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	first, err := s.enterGate(ctx) // SQLite: one connection, one place
	if err != nil {
		t.Fatal(err)
	}
	order := make(chan int, 3)
	for i := range 3 {
		go func() {
			leave, err := s.enterGate(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			order <- i
			time.Sleep(5 * time.Millisecond)
			leave()
		}()
		time.Sleep(20 * time.Millisecond) // arrive one after another
	}
	select {
	case i := <-order:
		t.Fatalf("intake %d went in while the only place was taken", i)
	case <-time.After(50 * time.Millisecond):
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := s.enterGate(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("enterGate with a deadline = %v; want DeadlineExceeded", err)
	}
	first()
	for want := range 3 {
		if got := <-order; got != want {
			t.Fatalf("intake %d went in %dth; want arrival order", got, want+1)
		}
	}
}
