package workers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// A pass of a periodic task can outlast its period (a reconcile of a large
// store on the embedded engine scans every project and match). The next
// period's pass would then run beside it, and the one after, each scanning
// the same collections again: on a busy store they only slow each other
// down. A run therefore holds a lease, a Redis key naming it, for as long
// as it runs; a run that finds the lease held leaves its period to the run
// in progress. The holder renews the lease every leaseTTL/3; a holder that
// dies stops renewing, and the lease lapses within leaseTTL, so the next
// period's run goes ahead.

// leaseTTL is how long a lease outlives its holder's last renewal.
const leaseTTL = 30 * time.Second

// Scripts that act on the lease only while it still holds our token: a
// holder whose lease lapsed and was taken neither extends nor ends the new
// holder's.
var (
	renewScript   = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) end return 0`)
	releaseScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)
)

// newLeases holds leases in the Redis of opt, named under queue.
func newLeases(opt asynq.RedisConnOpt, queue string) leases {
	return leases{rdb: opt.MakeRedisClient().(redis.UniversalClient), queue: queue}
}

// leaseKey is the Redis key of the lease called name on queue: two
// platforms on one Redis hold their own.
func leaseKey(queue, name string) string { return "finzone:" + queue + ":lease:" + name }

// leases takes and holds leases in Redis.
type leases struct {
	rdb   redis.UniversalClient
	queue string
}

// take acquires the lease called name (taken), or finds it held by another
// run (not taken, release nil). While held it is renewed in the
// background; release ends it.
func (l leases) take(ctx context.Context, name string) (release func(), taken bool, err error) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	key, token := leaseKey(l.queue, name), hex.EncodeToString(b)
	ok, err := l.rdb.SetNX(ctx, key, token, leaseTTL).Result()
	if err != nil || !ok {
		return nil, ok, err
	}
	renewing, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(leaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-renewing.Done():
				return
			case <-t.C:
				// A failed renewal is retried at the next tick; if the lease
				// lapses meanwhile, the worst is one pass beside this one.
				_ = renewScript.Run(renewing, l.rdb, []string{key}, token, leaseTTL.Milliseconds()).Err()
			}
		}
	}()
	return func() {
		cancel()
		<-done
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = releaseScript.Run(ctx, l.rdb, []string{key}, token).Err() // else it lapses within leaseTTL
	}, true, nil
}
