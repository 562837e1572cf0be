package embedded

import (
	"context"
	"log/slog"
	"slices"
)

// lazyAttrs defers a handler's WithAttrs until a record is actually logged.
// FerretDB calls Logger.With(args...) around every SQL statement, for a debug
// line that is then dropped; slog's TextHandler formats those attributes (the
// whole documents being written) inside With, which cost about a fifth of an
// insert's CPU here.
type lazyAttrs struct {
	h     slog.Handler
	attrs []slog.Attr
	group string
}

func (l lazyAttrs) Enabled(ctx context.Context, level slog.Level) bool {
	return l.h.Enabled(ctx, level)
}

func (l lazyAttrs) Handle(ctx context.Context, r slog.Record) error {
	return l.settle().Handle(ctx, r)
}

func (l lazyAttrs) WithAttrs(attrs []slog.Attr) slog.Handler {
	if l.group != "" {
		// Attributes after a group belong inside it: settle what is pending.
		return lazyAttrs{h: l.settle(), attrs: attrs}
	}
	return lazyAttrs{h: l.h, attrs: append(slices.Clip(l.attrs), attrs...)}
}

func (l lazyAttrs) WithGroup(name string) slog.Handler {
	if l.group != "" || len(l.attrs) > 0 {
		return lazyAttrs{h: l.settle(), group: name}
	}
	return lazyAttrs{h: l.h, group: name}
}

func (l lazyAttrs) settle() slog.Handler {
	h := l.h
	if len(l.attrs) > 0 {
		h = h.WithAttrs(l.attrs)
	}
	if l.group != "" {
		h = h.WithGroup(l.group)
	}
	return h
}
