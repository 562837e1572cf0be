package workers

// Observer hears what the workers did, once each thing is stored.
type Observer interface {
	// Pushed: n institutions were pushed a project.
	Pushed(n int)
	// Relayed: n relays of kind RelayPushed or RelayPromoted.
	Relayed(kind string, n int)
	// Expired: n matches expired at their deadline.
	Expired(n int)
	// Delivered: one webhook delivery attempt ended with outcome (Outcome*).
	Delivered(outcome string)
	// Overdue: the reconciler found n matches past their deadline.
	Overdue(n int)
	// PeriodicRun: a periodic task's run for its period completed.
	PeriodicRun(task string)
	// PeriodicSkipped: a periodic task's period was left to the run of an
	// earlier period, still in progress.
	PeriodicSkipped(task string)
}

// Relay kinds.
const (
	RelayPushed   = "pushed"   // a partner pushed into a ledger that had entries
	RelayPromoted = "promoted" // a partner promoted to lead
)

// nopObserver counts nothing.
type nopObserver struct{}

func (nopObserver) Pushed(int)             {}
func (nopObserver) Relayed(string, int)    {}
func (nopObserver) Expired(int)            {}
func (nopObserver) Delivered(string)       {}
func (nopObserver) Overdue(int)            {}
func (nopObserver) PeriodicRun(string)     {}
func (nopObserver) PeriodicSkipped(string) {}

// Webhook delivery outcomes.
const (
	OutcomeDelivered        = "delivered"           // the receiver answered 2xx
	OutcomeRetry            = "retry"               // the attempt failed; asynq tries again later
	OutcomeFailed           = "failed"              // the last attempt failed: given up
	OutcomeWebhookRemoved   = "webhook_removed"     // the institution removed its webhook meanwhile
	OutcomeSecretUnreadable = ClassSecretUnreadable // the stored secret cannot be opened
)
