package mongodb

import (
	"context"
	"fmt"
)

// AuthGeneration is a counter every write bumps that ends a session or
// changes a user or an organization after its creation: signing out, a
// password set or reset, an account deleted, an organization verified,
// deleted or given another credit code. Processes that remember who a
// token belongs to poll it and forget what they remember when it moved, so
// such a change reaches every process within their polling interval.
func (d *DB) AuthGeneration(ctx context.Context) (int64, error) { return d.metaVersion(ctx, "auth") }

// authChanged bumps the auth generation after a write that succeeded. If
// the bump fails the write stands, and the error is returned: the caller's
// change may not yet be seen by other processes' caches. Call it after the
// write has let its write gate go (lockWrite): the bump takes one too.
func (d *DB) authChanged(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	if err := d.bumpMeta(ctx, "auth"); err != nil {
		return fmt.Errorf("auth generation not bumped after the write: %w", err)
	}
	return nil
}
