package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"finzone"
)

// QueueReader reads the task queues' sizes (workers.Inspector.Queues).
type QueueReader func(ctx context.Context) ([]finzone.QueueStat, error)

// WatchQueues exports the sizes read reads, asking at each scrape with
// timeout as its deadline: a gauge per queue and state. When Redis does not
// answer in time the scrape leaves them out (and the handler logs why)
// rather than exporting old figures.
func (m *Metrics) WatchQueues(read QueueReader, timeout time.Duration) {
	if m == nil || read == nil {
		return
	}
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	m.reg.MustRegister(&queueCollector{read: read, timeout: timeout, desc: prometheus.NewDesc(Namespace+"_queue_tasks",
		"Tasks in the asynq queue by state, read from Redis when scraped.", []string{"queue", "state"}, nil)})
}

type queueCollector struct {
	read    QueueReader
	timeout time.Duration
	desc    *prometheus.Desc
}

func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), q.timeout)
	defer cancel()
	stats, err := q.read(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(q.desc, err)
		return
	}
	for _, s := range stats {
		for _, v := range []struct {
			state string
			n     int
		}{{"pending", s.Pending}, {"active", s.Active}, {"scheduled", s.Scheduled}, {"retry", s.Retry}, {"archived", s.Archived}} {
			ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(v.n), s.Queue, v.state)
		}
	}
}
