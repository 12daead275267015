#!/usr/bin/env bash
# Builds the benchmarks module and runs it pinned to one CPU, as docs/benchmarks.md explains.
#
#   benchmarks/run.sh quick   the throughput harness, short (under 5 minutes with the build)
#   benchmarks/run.sh full    the throughput harness, long (about 25 minutes), tighter numbers
#   benchmarks/run.sh web     the web workload at 16 threads: the lock's orders against HikariCP(1)
#                             (about 4 minutes; BENCH_CPU=0-1 lets it use both CPUs, as a web application would)
#   benchmarks/run.sh jmh     the JMH hot-path benchmarks with -prof gc (about 4 minutes)
#
# Further arguments go to the harness (see --help text in Settings) or to JMH.
# Environment: PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE (default 127.0.0.1:5432, postgres),
# BENCH_JAVA (default: the Temurin 25 JDK if installed, else java on the PATH), BENCH_CPU (default 0).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-quick}"
shift || true
case "$mode" in
  quick|full|web|jmh) ;;
  *) echo "Usage: $0 quick|full|web|jmh [options]" >&2; exit 2 ;;
esac

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}" PGDATABASE="${PGDATABASE:-postgres}"

java_bin="${BENCH_JAVA:-}"
if [[ -z "$java_bin" ]]; then
  if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
    java_bin=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  else
    java_bin=java
  fi
fi

cpu="${BENCH_CPU:-0}"
pin=(taskset -c "$cpu")
if ! command -v taskset >/dev/null; then
  echo "taskset not found: running unpinned, ratios will be noisy" >&2
  pin=()
fi

# Compiling only: the tests are the test suite's business.
echo "Building the benchmarks module..." >&2
./mvnw -q -B -ntp -pl benchmarks -am package -DskipTests
classpath="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"

echo "Running on $("$java_bin" -version 2>&1 | head -1), pinned to CPU $cpu; load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [[ "$mode" == jmh ]]; then
  # Arguments are JMH's own: a benchmark regex, -wi/-i/-f, -p fair=true, ...
  exec "${pin[@]}" "$java_bin" -cp "$classpath" org.openjdk.jmh.Main -prof gc "$@"
fi
exec "${pin[@]}" "$java_bin" -XX:ActiveProcessorCount=2 -Xms512m -Xmx512m -cp "$classpath" \
  dev.managedconnection.benchmarks.ThroughputBenchmark "$mode" "$@"
