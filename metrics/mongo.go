package metrics

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/event"
)

// CommandMonitor times every command the MongoDB driver sends, labelled by
// the command's name only (find, insert, update, aggregate, …: a bounded
// set). Attach it to the client options; nil when metrics are off.
func (m *Metrics) CommandMonitor() *event.CommandMonitor {
	if m == nil {
		return nil
	}
	return &event.CommandMonitor{
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			m.mongo.WithLabelValues(e.CommandName).Observe(e.Duration.Seconds())
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			m.mongo.WithLabelValues(e.CommandName).Observe(e.Duration.Seconds())
		},
	}
}
