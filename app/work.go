package app

import (
	"context"
	"sync"
)

// workQueue runs the window's library calls off the UI goroutine, one after another, in the
// order they were asked for: the changes (and their undo), the entry pane's reads, the notes'
// saves and the attachments' changes. A read asked for after a write then sees it: without the
// order, a note read back while its save is still on its way would show, and later save, the
// older text; an entry shown right after an edit would show it as it was.
//
// Adding never makes the caller wait (the UI goroutine must not block on the library); wait
// blocks, without polling, until everything asked for so far has run.
type workQueue struct {
	mu      sync.Mutex
	changed *sync.Cond // signalled when a job is added and when work ends
	jobs    []func(ctx context.Context)
	pending int // jobs queued or running, and holds (see hold)
}

// newWorkQueue makes a queue and starts the goroutine that runs its jobs.
func newWorkQueue() *workQueue {
	q := &workQueue{}
	q.changed = sync.NewCond(&q.mu)
	go q.serve()
	return q
}

// run queues job. It may be called from any goroutine.
func (q *workQueue) run(job func(ctx context.Context)) {
	q.mu.Lock()
	q.jobs = append(q.jobs, job)
	q.pending++
	q.mu.Unlock()
	q.changed.Broadcast()
}

// hold counts work that is not queued yet but will be (the notes' save timer while it is
// armed), so that wait and idle cover it; release ends it, after its job is queued.
func (q *workQueue) hold() {
	q.mu.Lock()
	q.pending++
	q.mu.Unlock()
}

func (q *workQueue) release() { q.done() }

func (q *workQueue) done() {
	q.mu.Lock()
	q.pending--
	q.mu.Unlock()
	q.changed.Broadcast()
}

// wait returns once every job queued so far, and every hold, has ended. It must not be called
// on the UI goroutine of a running app: a held job may wait for that goroutine.
func (q *workQueue) wait() {
	q.mu.Lock()
	for q.pending > 0 {
		q.changed.Wait()
	}
	q.mu.Unlock()
}

// idle reports whether nothing is queued, running or held.
func (q *workQueue) idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pending == 0
}

// serve runs the jobs one after the other, for the life of the program.
func (q *workQueue) serve() {
	for {
		q.mu.Lock()
		for len(q.jobs) == 0 {
			q.changed.Wait()
		}
		job := q.jobs[0]
		q.jobs[0] = nil
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		job(context.Background())
		q.done()
	}
}
