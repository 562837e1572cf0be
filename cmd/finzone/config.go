package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"finzone"
	"finzone/keys"
)

// config is read from flags, each defaulting to an environment variable.
type config struct {
	Addr       string
	MongoURI   string
	RedisURL   string
	DataDir    string
	DB         string
	MongoAddr  string
	RedisAddr  string
	Demo       bool
	LiveDemo   bool
	LogLevel   string
	Concurrent int
	// DayLength, when set, makes a deadline "working day" this long (demos
	// and fault tests); Queue and ReconcileEvery let tests share a Redis.
	DayLength    time.Duration
	Holidays     string
	TrackRecords bool
	// LPR is "one-year,five-year" in basis points; Screening lists the
	// regions whose coordinators screen every need before it is pushed.
	LPR            string
	Screening      string
	Enhancers      int
	Queue          string
	ReconcileEvery time.Duration
	// SecretKey signs page tokens and cursors and seals webhook secrets;
	// empty reads (or creates) the key file in the data directory.
	SecretKey string
	// RequireVerification lists the regions where a need of an unverified
	// enterprise is held before any push until a coordinator verifies it.
	RequireVerification string
	// TrustedProxies lists the reverse proxies (IPs, CIDRs) whose
	// X-Forwarded-Proto and X-Forwarded-Host are believed.
	TrustedProxies string
	// MetricsAddr, when set, is where GET /metrics answers (metrics.go).
	MetricsAddr string
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// defaultDataDir is under the user's data directory (XDG_DATA_HOME or
// ~/.local/share on Linux).
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "finzone")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "finzone")
	}
	return "finzone-data"
}

// register adds every flag the all-in-one process takes.
func (c *config) register(fs *flag.FlagSet) {
	c.processFlags(fs)
	c.httpFlags(fs)
	c.workerFlags(fs)
	fs.BoolVar(&c.LiveDemo, "live-demo", env("FINZONE_LIVE_DEMO", "true") == "true", "with demo data, let demo institutions and enterprises answer pushes over time, so every stage has examples (FINZONE_LIVE_DEMO)")
}

// storeFlags are where the data lives: MongoDB and Redis, or the embedded
// servers and their data directory; and the log level.
func (c *config) storeFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.MongoURI, "mongo-uri", env("FINZONE_MONGO_URI", ""), "MongoDB URI; empty runs embedded FerretDB (FINZONE_MONGO_URI)")
	fs.StringVar(&c.RedisURL, "redis-url", env("FINZONE_REDIS_URL", ""), "Redis URL; empty runs embedded miniredis (FINZONE_REDIS_URL)")
	c.embeddedDBFlags(fs)
	fs.StringVar(&c.RedisAddr, "embedded-redis-addr", env("FINZONE_EMBEDDED_REDIS_ADDR", "127.0.0.1:0"), "listen address of the embedded Redis (FINZONE_EMBEDDED_REDIS_ADDR)")
}

// embeddedDBFlags are the embedded MongoDB-wire server's: its data
// directory, database and address; and the log level.
func (c *config) embeddedDBFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", env("FINZONE_DATA_DIR", defaultDataDir()), "where the embedded database lives (FINZONE_DATA_DIR)")
	fs.StringVar(&c.DB, "db", env("FINZONE_DB", "finzone"), "MongoDB database name (FINZONE_DB)")
	fs.StringVar(&c.MongoAddr, "embedded-mongo-addr", env("FINZONE_EMBEDDED_MONGO_ADDR", "127.0.0.1:27018"), "listen address of the embedded MongoDB-wire server (FINZONE_EMBEDDED_MONGO_ADDR)")
	fs.StringVar(&c.LogLevel, "log-level", env("FINZONE_LOG_LEVEL", "info"), "debug, info, warn or error (FINZONE_LOG_LEVEL)")
}

// processFlags are what the server and the workers both take.
func (c *config) processFlags(fs *flag.FlagSet) {
	c.storeFlags(fs)
	fs.BoolVar(&c.Demo, "demo", env("FINZONE_DEMO", "true") == "true", "load demo data into an empty embedded store (FINZONE_DEMO)")
	fs.StringVar(&c.Queue, "queue", env("FINZONE_QUEUE", "finzone"), "asynq queue name (FINZONE_QUEUE)")
	fs.DurationVar(&c.DayLength, "day-length", envDuration("FINZONE_DAY_LENGTH", 0), "length of a deadline working day, e.g. 2m to watch deadlines pass and relay in minutes; 0 uses the calendar (FINZONE_DAY_LENGTH)")
	fs.StringVar(&c.Holidays, "holidays", env("FINZONE_HOLIDAYS", ""), "comma-separated extra days off (2026-10-08,...) that deadlines skip, on top of the holiday calendar (FINZONE_HOLIDAYS)")
	fs.StringVar(&c.SecretKey, "secret-key", env("FINZONE_SECRET_KEY", ""), "base64 key of 32 bytes or more that signs page tokens and cursors and encrypts webhook secrets; every process must share it; empty uses <data-dir>/secret-key, created at first start (FINZONE_SECRET_KEY)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("FINZONE_METRICS_ADDR", ""), "listen address of the Prometheus /metrics endpoint (no credentials: bind it where only the scraper reaches); empty serves none; each process on a host needs its own (FINZONE_METRICS_ADDR)")
}

// httpFlags are the server's.
func (c *config) httpFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", env("FINZONE_ADDR", "127.0.0.1:8080"), "HTTP listen address (FINZONE_ADDR)")
	fs.StringVar(&c.LPR, "lpr", env("FINZONE_LPR", "300,350"), "Loan Prime Rate in basis points, one-year,over-five-year, that LPR-priced offers add their spread to (FINZONE_LPR)")
	fs.StringVar(&c.Screening, "screening-regions", env("FINZONE_SCREENING_REGIONS", ""), "comma-separated region codes whose coordinators screen every submitted need before it is pushed (FINZONE_SCREENING_REGIONS)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("FINZONE_TRUSTED_PROXIES", ""), "comma-separated IPs and CIDR ranges of reverse proxies whose X-Forwarded-Proto and X-Forwarded-Host are believed (HSTS and Secure cookies behind a TLS proxy); empty believes nobody's (FINZONE_TRUSTED_PROXIES)")
}

// workerFlags are the workers'.
func (c *config) workerFlags(fs *flag.FlagSet) {
	fs.IntVar(&c.Concurrent, "concurrency", envInt("FINZONE_CONCURRENCY", 10), "tasks a worker process runs at once (FINZONE_CONCURRENCY)")
	fs.BoolVar(&c.TrackRecords, "track-records", env("FINZONE_TRACK_RECORDS", "false") == "true", "score institutions by their response and approval record and open load (FINZONE_TRACK_RECORDS)")
	fs.StringVar(&c.RequireVerification, "require-verification-regions", env("FINZONE_REQUIRE_VERIFICATION_REGIONS", ""), "comma-separated region codes where a need of an unverified enterprise is held, not pushed, until a coordinator verifies the enterprise (FINZONE_REQUIRE_VERIFICATION_REGIONS)")
	fs.IntVar(&c.Enhancers, "enhancers", envInt("FINZONE_ENHANCERS", 3), "how many guarantee firms or insurers a project that needs credit enhancement is pushed to, beside its 1+10 (FINZONE_ENHANCERS)")
	fs.DurationVar(&c.ReconcileEvery, "reconcile-every", envDuration("FINZONE_RECONCILE_EVERY", 30*time.Second), "how often the reconciler re-enqueues due work (FINZONE_RECONCILE_EVERY)")
}

func envDuration(key string, def time.Duration) time.Duration {
	if v := os.Getenv(key); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// parseLPR reads "one-year,five-year" basis points.
func parseLPR(s string) (finzone.LPR, error) {
	one, five, ok := strings.Cut(s, ",")
	a, err1 := strconv.Atoi(strings.TrimSpace(one))
	b, err2 := strconv.Atoi(strings.TrimSpace(five))
	if !ok || err1 != nil || err2 != nil || a <= 0 || b <= 0 || a > finzone.MaxRateBps || b > finzone.MaxRateBps {
		return finzone.LPR{}, fmt.Errorf("-lpr %q: want one-year,five-year basis points, e.g. 300,350", s)
	}
	return finzone.LPR{OneYearBps: a, FiveYearBps: b}, nil
}

// parseRegions reads comma-separated Anhui division codes for -screening-regions.
func parseRegions(s string) ([]string, error) { return parseRegionsOf("screening-regions", s) }

// parseRegionsOf reads comma-separated Anhui division codes given to flag name.
func parseRegionsOf(name, s string) ([]string, error) {
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		if _, ok := finzone.LookupRegion(r); !ok {
			return nil, fmt.Errorf("-%s: %q is not an Anhui division code", name, r)
		}
		out = append(out, r)
	}
	return out, nil
}

func envInt(key string, def int) int {
	if v := os.Getenv(key); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

// keyRing is the configured secret key, or the data directory's key file
// (created with mode 0600 at first start).
func (c config) keyRing() (keys.Ring, error) {
	if c.SecretKey != "" {
		return keys.Parse(c.SecretKey)
	}
	return keys.Load(filepath.Join(c.DataDir, "secret-key"))
}
