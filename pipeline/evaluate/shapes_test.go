package evaluate

import (
	"context"
	"testing"
	"time"
)

// enterAsync enters task idx with shape on q in a goroutine and returns a
// channel that yields its turn once it has it.
func enterAsync(t *testing.T, q *shapeSeq, idx int, shape string) <-chan *turn {
	t.Helper()
	ch := make(chan *turn, 1)
	go func() {
		tn, err := q.enter(context.Background(), idx, shape)
		if err != nil {
			t.Error(err)
		}
		ch <- tn
	}()
	return ch
}

// mustTurn waits for the turn on ch (long enough for a loaded machine).
func mustTurn(t *testing.T, ch <-chan *turn, what string) *turn {
	t.Helper()
	select {
	case tn := <-ch:
		return tn
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no turn", what)
		return nil
	}
}

// noTurn checks that no turn is on ch yet: a turn the sequencer wrongly
// gives comes at once, so a short wait sees it.
func noTurn(t *testing.T, ch <-chan *turn, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("%s: a turn came", what)
	case <-time.After(50 * time.Millisecond):
	}
}

// TestShapeSeqLanes: without announcements a task waits for every earlier
// task to report; with each task's operator announced it waits only for
// the earlier tasks of its operator, and a shape's tasks still take their
// turns in suite order, each after the previous one finished, sharing one
// chain.
func TestShapeSeqLanes(t *testing.T) {
	t.Run("one lane", func(t *testing.T) {
		q := newShapeSeq()
		second := enterAsync(t, q, 1, "opB/x")
		noTurn(t, second, "task 1 before task 0 reported")
		q.report(0, "")
		mustTurn(t, second, "task 1 after task 0 reported")
	})
	t.Run("lanes by operator", func(t *testing.T) {
		q := newShapeSeq()
		for i, op := range []string{"opA", "opB", "opA", "opB", "opA"} {
			q.announce(i, op)
		}
		// task 1 (opB) need not wait for task 0 (opA), still evaluating
		first := mustTurn(t, enterAsync(t, q, 1, "opB/x"), "task 1 while task 0 of another operator evaluates")
		// task 3, same shape as task 1: its turn waits for task 1's to end
		t3 := enterAsync(t, q, 3, "opB/x")
		noTurn(t, t3, "task 3 while task 1 of its shape holds its turn")
		first.finish()
		third := mustTurn(t, t3, "task 3 after task 1 finished")
		if third.chain != first.chain {
			t.Fatal("two tasks of one shape got different chains")
		}
		third.finish()
		// task 4 (opA) waits for tasks 2 and 0 of its operator
		t4 := enterAsync(t, q, 4, "opA/y")
		noTurn(t, t4, "task 4 before the earlier tasks of its operator reported")
		q.report(2, "")
		noTurn(t, t4, "task 4 before task 0 of its operator reported")
		zero := mustTurn(t, enterAsync(t, q, 0, "opA/y"), "task 0")
		noTurn(t, t4, "task 4 while task 0 of its shape holds its turn")
		zero.finish()
		if fourth := mustTurn(t, t4, "task 4 after task 0 finished"); fourth.chain != zero.chain {
			t.Fatal("task 4 is not on task 0's chain")
		}
		q.mu.Lock()
		defer q.mu.Unlock()
		if len(q.laneOf) != 0 || len(q.turns) != 0 {
			t.Fatalf("sequencer keeps %d lane entries and %d turns after every task took its turn", len(q.laneOf), len(q.turns))
		}
	})
}
