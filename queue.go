package finzone

// QueueStat is one background queue's size as an operator watches it: tasks
// waiting, running, scheduled for later, waiting to retry and given up on
// (archived), and today's processed and failed counts. The workers read it
// from Redis; the API shows it on the admin page.
type QueueStat struct {
	Queue          string
	Pending        int
	Active         int
	Scheduled      int
	Retry          int
	Archived       int
	ProcessedToday int
	FailedToday    int
}
