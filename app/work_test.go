package app

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestWorkQueue: jobs run one at a time in the order asked for; wait covers a job that a job
// queues and a hold until its release; idle says whether anything is queued, running or held.
func TestWorkQueue(t *testing.T) {
	q := newWorkQueue()
	if !q.idle() {
		t.Fatal("a new queue is not idle")
	}
	var mu sync.Mutex
	var ran []int
	record := func(i int) func(context.Context) {
		return func(context.Context) {
			time.Sleep(time.Millisecond) // a later job must not overtake
			mu.Lock()
			ran = append(ran, i)
			mu.Unlock()
		}
	}
	for i := range 20 {
		q.run(record(i))
	}
	// A job that queues another: wait returns after both.
	q.run(func(context.Context) { q.run(record(100)) })
	q.wait()
	mu.Lock()
	var want []int
	for i := range 20 {
		want = append(want, i)
	}
	want = append(want, 100)
	if !slices.Equal(ran, want) {
		t.Errorf("jobs ran in the order %v, want %v", ran, want)
	}
	mu.Unlock()
	if !q.idle() {
		t.Error("not idle after wait")
	}

	// A hold keeps wait waiting until its release, as the notes' save timer does.
	q.hold()
	if q.idle() {
		t.Error("idle with a hold")
	}
	released := make(chan struct{})
	waited := make(chan struct{})
	go func() { q.wait(); close(waited) }()
	select {
	case <-waited:
		t.Fatal("wait returned with a hold")
	case <-time.After(50 * time.Millisecond):
	}
	go func() {
		q.run(record(200)) // the held work, queued before the release
		q.release()
		close(released)
	}()
	<-released
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("wait did not return after the release")
	}
	mu.Lock()
	if ran[len(ran)-1] != 200 {
		t.Errorf("the held job did not run before wait returned: %v", ran)
	}
	mu.Unlock()
}
