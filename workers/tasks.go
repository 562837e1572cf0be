package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
)

// Task types. Payloads carry IDs only: handlers read the truth from MongoDB.
const (
	TypeFill          = "project:fill"      // push a project to institutions, or refill freed slots
	TypeWithdraw      = "project:withdraw"  // withdraw a withdrawn project's open matches
	TypeMatchChanged  = "match:changed"     // react to an institution's step
	TypeExpire        = "match:expire"      // a deadline passed (of a project's matches in one stage)
	TypeRemind        = "match:remind"      // a deadline is near
	TypeDeliver       = "webhook:deliver"   // send one notification to a webhook
	TypeSyndicate     = "syndicate:changed" // tell the banks, and make a signed syndicate's matches follow it
	TypeRematch       = "catalogue:rematch" // give exhausted projects what a catalogue change made eligible
	TypeReconcile     = "pipeline:reconcile"
	TypePurgeSessions = "sessions:purge"
)

type projectPayload struct {
	ProjectID string `json:"project_id"`
}

type matchPayload struct {
	MatchID string        `json:"match_id"`
	Stage   finzone.Stage `json:"stage,omitempty"`
}

type syndicatePayload struct {
	ProjectID string `json:"project_id"`
}

type deliveryPayload struct {
	DeliveryID string `json:"delivery_id"`
}

func newTask(typ string, payload any) *asynq.Task {
	b, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("workers: payload of %s: %v", typ, err)) // payloads are plain structs of strings
	}
	return asynq.NewTask(typ, b)
}

func decodePayload(t *asynq.Task, v any) error {
	if err := json.Unmarshal(t.Payload(), v); err != nil {
		// A payload that cannot be read never will be: do not retry it.
		return fmt.Errorf("%s: bad payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	return nil
}

// Client enqueues pipeline work: what the API tells the pipeline.
type Client struct {
	c     *asynq.Client
	queue string
}

// NewClient connects a client to Redis. (Catalogue changes need no call:
// the store moves the catalogue's version in the write that changes it.)
func NewClient(redis asynq.RedisConnOpt, queue string) *Client {
	if queue == "" {
		queue = QueueDefault
	}
	return &Client{c: asynq.NewClient(redis), queue: queue}
}

// Close releases the Redis connection.
func (c *Client) Close() error { return c.c.Close() }

// enqueue adds a task; a task with the same ID already waiting is success.
func (c *Client) enqueue(ctx context.Context, t *asynq.Task, opts ...asynq.Option) error {
	opts = append([]asynq.Option{asynq.Queue(c.queue), asynq.MaxRetry(25), asynq.Timeout(2 * time.Minute)}, opts...)
	_, err := c.c.EnqueueContext(ctx, t, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	if err != nil {
		return finzone.Wrap(finzone.ECUnavailable, err)
	}
	return nil
}

// ProjectSubmitted starts matching a submitted project. The task ID is the
// one the reconciler gives a submitted project's fill, so a reconcile while
// the fill still waits adds no second fill racing it for the ledger.
func (c *Client) ProjectSubmitted(ctx context.Context, projectID string) error {
	return c.enqueue(ctx, newTask(TypeFill, projectPayload{projectID}), asynq.TaskID(TypeFill+":"+projectID))
}

// ProjectWithdrawn withdraws the project's open matches.
func (c *Client) ProjectWithdrawn(ctx context.Context, projectID string) error {
	return c.enqueue(ctx, newTask(TypeWithdraw, projectPayload{projectID}))
}

// MatchChanged reacts to an institution's step: relay, deadlines, notices.
func (c *Client) MatchChanged(ctx context.Context, matchID string) error {
	return c.enqueue(ctx, newTask(TypeMatchChanged, matchPayload{MatchID: matchID}))
}

// SyndicateChanged: a syndicate changed to version; its banks hear of it
// and, once signed, the members' matches follow it. The task ID names the
// version, so a retried request queues it once.
func (c *Client) SyndicateChanged(ctx context.Context, projectID string, version int) error {
	return c.enqueue(ctx, newTask(TypeSyndicate, syndicatePayload{projectID}), asynq.TaskID(syndicateTaskID(projectID, version)))
}

func syndicateTaskID(projectID string, version int) string {
	return fmt.Sprintf("syndicate:%s:%d", projectID, version)
}

// fillTask is the reconciler's fill: one waiting per project at a time.
func fillTaskID(projectID string) string { return "fill:" + projectID }

// expireTaskID and remindTaskID name a deadline: a project's matches in one
// stage due at one time.
func expireTaskID(projectID string, stage finzone.Stage, due time.Time) string {
	return fmt.Sprintf("expire:%s:%s:%d", projectID, stage, due.Unix())
}

func remindTaskID(projectID string, stage finzone.Stage, due time.Time) string {
	return fmt.Sprintf("remind:%s:%s:%d", projectID, stage, due.Unix())
}

// rescueMark separates an orphaned task's ID from its rescue's generation.
const rescueMark = "~rescue"

// rescueTaskID names the re-run of an orphaned task: the same in every
// worker process, so processes that find one orphan queue one rescue, and
// a new one per generation, as a rescue can be orphaned in its turn.
func rescueTaskID(id string) string {
	base, n := id, 0
	if i := strings.LastIndex(id, rescueMark); i >= 0 {
		if g, err := strconv.Atoi(id[i+len(rescueMark):]); err == nil && g > 0 {
			base, n = id[:i], g
		}
	}
	return base + rescueMark + strconv.Itoa(n+1)
}
