package mongodb

import (
	"context"

	"finzone"
)

// BoardQueries and BoardScan are PipelineBoard's two ways, whatever the
// server, for tests that compare them.
func (d *DB) BoardQueries(ctx context.Context, f finzone.BoardFilter) (finzone.MatchBoard, error) {
	return d.boardQueries(ctx, f)
}

func (d *DB) BoardScan(ctx context.Context, f finzone.BoardFilter) (finzone.MatchBoard, error) {
	return d.boardScan(ctx, f)
}
