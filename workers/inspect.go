package workers

import (
	"context"
	"fmt"
	"slices"

	"github.com/hibiken/asynq"

	"finzone"
)

// Inspector reads the sizes of the pipeline's queue from Redis.
type Inspector struct {
	in    *asynq.Inspector
	queue string
}

// NewInspector watches queue (QueueDefault when empty) on redis. Close it
// when done.
func NewInspector(redis asynq.RedisConnOpt, queue string) *Inspector {
	if queue == "" {
		queue = QueueDefault
	}
	return &Inspector{in: asynq.NewInspector(redis), queue: queue}
}

// Close releases the Redis connection.
func (i *Inspector) Close() error { return i.in.Close() }

// Stats reads the queue's sizes. A queue nothing was ever put on is empty,
// not an error. asynq's inspector takes no context, so the read runs aside
// and ctx bounds how long the caller waits for it.
func (i *Inspector) Stats(ctx context.Context) (finzone.QueueStat, error) {
	type result struct {
		st  finzone.QueueStat
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := i.read()
		done <- result{st, err}
	}()
	select {
	case r := <-done:
		return r.st, r.err
	case <-ctx.Done():
		return finzone.QueueStat{Queue: i.queue}, fmt.Errorf("queue stats %s: %w", i.queue, ctx.Err())
	}
}

// Queues is Stats as the list of queues the admin overview shows.
func (i *Inspector) Queues(ctx context.Context) ([]finzone.QueueStat, error) {
	st, err := i.Stats(ctx)
	if err != nil {
		return nil, err
	}
	return []finzone.QueueStat{st}, nil
}

func (i *Inspector) read() (finzone.QueueStat, error) {
	st := finzone.QueueStat{Queue: i.queue}
	queues, err := i.in.Queues()
	if err != nil {
		return st, fmt.Errorf("queue stats %s: %w", i.queue, err)
	}
	if !slices.Contains(queues, i.queue) {
		return st, nil
	}
	info, err := i.in.GetQueueInfo(i.queue)
	if err != nil {
		return st, fmt.Errorf("queue stats %s: %w", i.queue, err)
	}
	st.Pending, st.Active, st.Scheduled, st.Retry, st.Archived = info.Pending, info.Active, info.Scheduled, info.Retry, info.Archived
	st.ProcessedToday, st.FailedToday = info.Processed, info.Failed
	return st, nil
}
