#!/usr/bin/env bash
# Runs the benchmark suite against a redis-server of its own (a free loopback port, no
# persistence), with redis-benchmark -c 16 on the same server for the commands the library sends,
# and writes the ratio table (Markdown) to a file.
#
# usage: benchmarks/run.sh [--quick] [--out FILE] [--no-build] [other options of the suite]
#   --quick     about 2 minutes: short iterations, one round (default: 3 rounds, ~25 minutes)
#   --out FILE  where the table goes (default benchmarks/results/latest.md, or quick.md with --quick)
#   --no-build  use benchmarks/target/benchmarks.jar as it is
# Needs Java 17+, Maven, redis-server and redis-benchmark on the PATH.
#
# redis-server, the suite (its JMH forks) and redis-benchmark all run pinned to one CPU
# (BENCH_CPU, default 0) with taskset when it is there: on a VM, a loopback round trip between two
# vCPUs takes about three times as long as one on the same vCPU, and where the scheduler put the
# client and the server made whole forks twice as slow as others. BENCH_CPU=none runs unpinned.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=
out=
build=1
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; pass+=("$1") ;;
    --out) out=$2; shift ;;
    --no-build) build= ;;
    *) pass+=("$1") ;;
  esac
  shift
done
if [ -z "$out" ]; then
  out=benchmarks/results/$([ -n "$quick" ] && echo quick || echo latest).md
fi

for cmd in java redis-server redis-cli redis-benchmark; do
  command -v "$cmd" >/dev/null || { echo "run.sh: $cmd is not on the PATH" >&2; exit 1; }
done

pin=()
cpu=${BENCH_CPU:-0}
if [ "$cpu" != none ] && command -v taskset >/dev/null; then
  pin=(taskset -c "$cpu")
fi

jar=benchmarks/target/benchmarks.jar
if [ -n "$build" ] || [ ! -f "$jar" ]; then
  echo "run.sh: building $jar"
  mvn -q -Pbenchmarks -pl benchmarks -am package -DskipTests
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/canvasstate-bench.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port: nothing answers on it; retried if redis-server loses a race for it.
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    continue
  fi
  ${pin[@]+"${pin[@]}"} redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
    >"$work/redis.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
      break 2
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
done
[ -n "$pid" ] || { echo "run.sh: could not start redis-server" >&2; cat "$work/redis.log" >&2; exit 1; }
url="redis://127.0.0.1:$port"
echo "run.sh: redis-server $(redis-server --version | awk '{print $3}') at $url"

# The suite captures the commands the library sends (MONITOR) and runs redis-benchmark -c 16 of
# each on this server right before the 16-thread benchmarks of every round.
${pin[@]+"${pin[@]}"} java -jar "$jar" --redis "$url" --redis-benchmark "$(command -v redis-benchmark)" --out "$out" \
  ${pass[@]+"${pass[@]}"}
