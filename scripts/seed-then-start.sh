#!/usr/bin/env bash
# Seeds a fresh data directory with "finzone seed --scale N" (default 20),
# starts the all-in-one platform on it, waits for the pipeline to settle and
# checks through the store (scripts/pipelinecheck) that no project is left
# in matching or submitted with an empty ledger while the catalogue has a
# lender for it. Prints counts and timings; exits non-zero on failure.
#
#   scripts/seed-then-start.sh [scale]
#
# LIVE=1 starts the platform first, as "finzone" with no arguments does
# (demo data loaded into the empty directory), and seeds beside it while it
# runs: a second embedded FerretDB on the same files, the way the 6,007
# projects of issue 10 were left stranded.
# KEEP=1 keeps the work directory (data, logs) after a successful run;
# LOG_LEVEL sets the platform's (default warn; info shows each rematch).
set -euo pipefail

scale=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/finzone-seed-then-start.XXXXXX")
data=$work/data
platform_pid=""

freeport() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cleanup() {
	status=$?
	if [[ -n $platform_pid ]] && kill -0 "$platform_pid" 2>/dev/null; then
		kill -TERM "$platform_pid"
		wait "$platform_pid" 2>/dev/null || true
	fi
	if [[ $status -eq 0 && -z ${KEEP:-} ]]; then
		rm -rf "$work"
	else
		echo "work directory kept: $work (platform.log, seed.log, data/)"
	fi
}
trap cleanup EXIT

elapsed() { echo $(($(date +%s) - $1))s; }

t0=$(date +%s)
echo "== build"
(cd "$root" && go build -o "$work/finzone" ./cmd/finzone && go build -o "$work/pipelinecheck" ./scripts/pipelinecheck)
echo "   built in $(elapsed "$t0")"

http_port=$(freeport)
mongo_port=$(freeport)
redis_port=$(freeport)

start_platform() {
	echo "== start the all-in-one platform on $data"
	"$work/finzone" --data-dir "$data" --addr "127.0.0.1:$http_port" \
		--embedded-mongo-addr "127.0.0.1:$mongo_port" --embedded-redis-addr "127.0.0.1:$redis_port" \
		--demo="$1" --log-level "${LOG_LEVEL:-warn}" >"$work/platform.log" 2>&1 &
	platform_pid=$!
	for _ in $(seq 1 120); do
		if curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null; then
			echo "   up (pid $platform_pid)"
			return 0
		fi
		if ! kill -0 "$platform_pid" 2>/dev/null; then
			echo "the platform exited:" >&2
			tail -20 "$work/platform.log" >&2
			return 1
		fi
		sleep 0.5
	done
	echo "the platform did not answer /healthz within 60 s" >&2
	return 1
}

seed() {
	echo "== finzone seed --scale $scale"
	local t
	t=$(date +%s)
	# Its own embedded server on the same files: the platform's holds the
	# configured address, so seed listens on a free port.
	"$work/finzone" seed --scale "$scale" --data-dir "$data" --embedded-mongo-addr 127.0.0.1:0 \
		--log-level info >"$work/seed.log" 2>&1
	grep -o 'demo data loaded.*' "$work/seed.log" | tr -d '"' || true
	echo "   seeded in $(elapsed "$t")"
}

if [[ -n ${LIVE:-} ]]; then
	start_platform true
	seed
else
	seed
	start_platform true
fi

echo "== wait for the pipeline to settle, then check"
t=$(date +%s)
set +e
"$work/pipelinecheck" -mongo-uri "mongodb://127.0.0.1:$mongo_port/" -redis-addr "127.0.0.1:$redis_port" -data-dir "$data"
result=$?
set -e
echo "   settled and checked in $(elapsed "$t"); total $(elapsed "$t0")"
if grep -E 'level=(ERROR|WARN)' "$work/platform.log" | grep -v 'start-up reconcile' | head -5; then
	echo "   (warnings and errors above are from platform.log)"
fi
exit $result
