package embedded

import (
	"bytes"
	"log/slog"
	"testing"
)

// lazyAttrs must log exactly what the handler it wraps would, groups and all.
func TestLazyAttrsLogsLikeItsHandler(t *testing.T) {
	opts := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}
	var direct, lazy bytes.Buffer
	for _, l := range []*slog.Logger{
		slog.New(slog.NewTextHandler(&direct, opts)),
		slog.New(lazyAttrs{h: slog.NewTextHandler(&lazy, opts)}),
	} {
		l.With("a", 1).WithGroup("g").With("b", 2).With("c", 3).WithGroup("h").Error("msg", "d", 4)
		l.With("x", "y").Info("plain")
		l.WithGroup("only").Warn("empty group")
	}
	if direct.String() != lazy.String() {
		t.Errorf("lazy handler logged\n%s\nwant\n%s", lazy.String(), direct.String())
	}
	if direct.Len() == 0 {
		t.Fatal("nothing logged")
	}
}
