package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone/metrics"
	"finzone/mongodb"
	"finzone/server"
	"finzone/workers"
)

// newMetrics is the process's metrics, or nil when no metrics address is
// set (FINZONE_METRICS_ADDR, -metrics-addr): then nothing is counted and
// nothing more listens.
func newMetrics(cfg config, log *slog.Logger) *metrics.Metrics {
	if cfg.MetricsAddr == "" {
		return nil
	}
	// The reconciler counts overdue matches; it runs on one worker process
	// per period, so a process's count goes stale unless it runs it again.
	return metrics.New(metrics.Config{Log: log, OverdueMaxAge: max(3*cfg.ReconcileEvery, time.Minute)})
}

// storeOptions time the driver's commands and count matches entering each
// stage.
func storeOptions(mx *metrics.Metrics) []mongodb.Option {
	if mx == nil {
		return nil
	}
	return []mongodb.Option{mongodb.WithCommandMonitor(mx.CommandMonitor()), mongodb.WithStageObserver(mx.MatchEntered)}
}

// httpMetrics counts and times the app's requests; an error a handler
// returns gets the status the app's error handler gives it.
func httpMetrics(mx *metrics.Metrics) fiber.Handler {
	return mx.Middleware(func(err error) int { return server.Status(server.Code(err)) })
}

// serveMetrics listens on the metrics address and answers GET /metrics only
// (every other path is 404) until in closes. With metrics off it does
// nothing. The queue sizes are read from Redis at each scrape.
func serveMetrics(mx *metrics.Metrics, in *infra, cfg config, log *slog.Logger) error {
	if mx == nil {
		return nil
	}
	queues := workers.NewInspector(in.redisOpt, cfg.Queue)
	mx.WatchQueues(queues.Queues, 2*time.Second)
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		_ = queues.Close()
		return fmt.Errorf("-metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", mx.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	log.Info("metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	// Closed before Redis and the store (closers run last first).
	in.closers = append(in.closers, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			log.Warn("metrics shutdown", "err", err)
		}
		_ = queues.Close()
	})
	return nil
}
