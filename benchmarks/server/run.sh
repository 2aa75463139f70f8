#!/usr/bin/env bash
# Server benchmarks (benchmarks/README.md, section "Server"). One case per call; each prints labelled JSON lines:
#   benchmarks/server/run.sh capacity-demo | capacity-resnet18 | batching-demo | batching-resnet18 | optimise-resnet18 | inprocess
# Server and load generator share this machine; the server gets --threads ${THREADS:-1} for libtorch.
# optimise-resnet18 offers 8 streams x ${FPS:-5} fps; raise FPS above what either server sustains to measure saturation.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=target/camstream.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests package
mkdir -p benchmarks/results
JAVA=(java -Djava.library.path= -jar "$JAR")
PORT=${PORT:-7170}
METRICS=${METRICS:-9570}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
DEMO=(--config demo/model.json)
RESNET=(--model benchmarks/models/resnet18.pt --size 224 --layer layer4)
SERVER_PID=

start_server() { # args: serve flags
  "${JAVA[@]}" serve --port "$PORT" --metrics-port "$METRICS" --threads "${THREADS:-1}" "$@" >> benchmarks/results/serve.log 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$METRICS/health/ready" > /dev/null && return 0
    kill -0 "$SERVER_PID" 2> /dev/null || { echo "server failed to start; see benchmarks/results/serve.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "server not ready after 120 s" >&2
  exit 1
}

stop_server() {
  kill "$SERVER_PID" && wait "$SERVER_PID" || true
}
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2> /dev/null || true' EXIT

load() { # label, load flags
  local label=$1
  shift
  local json
  json=$("${JAVA[@]}" load --server "127.0.0.1:$PORT" --seconds "$SECONDS_PER_RUN" --json "$@" 2> /dev/null | grep '^{' || true)
  echo "{\"case\":\"$label\",\"load\":\"$*\",\"loadavg\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"report\":${json:-null}}"
}

case "${1:-}" in
  capacity-demo)
    start_server "${DEMO[@]}"
    for s in 4 8 12 16 20 24 32; do load capacity-demo --streams "$s" --fps 25; done
    stop_server ;;
  capacity-resnet18)
    start_server "${RESNET[@]}"
    for s in 1 2 3 4 5 6 8; do load capacity-resnet18 --streams "$s" --fps 5; done
    stop_server ;;
  batching-demo)
    for b in 1 32; do
      start_server "${DEMO[@]}" --max-batch "$b"
      load "batching-demo-max-batch-$b" --streams 32 --fps 25
      stop_server
    done ;;
  batching-resnet18)
    for b in 1 16; do
      start_server "${RESNET[@]}" --max-batch "$b"
      load "batching-resnet18-max-batch-$b" --streams 8 --fps 5
      stop_server
    done ;;
  optimise-resnet18)
    # issue 10: saturated throughput with today's path (--no-optimize) and the optimised trunk, alternating
    for r in 1 2; do
      for opt in no-optimize optimise; do
        flags=()
        [ "$opt" = no-optimize ] && flags=(--no-optimize)
        start_server "${RESNET[@]}" --max-batch 4 "${flags[@]}"
        load "optimise-resnet18-$opt-round-$r" --streams 8 --fps "${FPS:-5}"
        stop_server
      done
    done ;;
  inprocess)
    CP="target/camstream.jar:target/lib/*"
    for b in 1 8 32; do
      echo "{\"case\":\"inprocess-demo-batch-$b\",\"bench\":$(java -Djava.library.path= -cp "$CP" benchmarks/server/InProcessBench.java demo/model.pt features.4 128 "$b" 60 "${THREADS:-1}" 2> /dev/null | tail -1)}"
    done
    for b in 1 4 16; do
      echo "{\"case\":\"inprocess-resnet18-batch-$b\",\"bench\":$(java -Djava.library.path= -cp "$CP" benchmarks/server/InProcessBench.java benchmarks/models/resnet18.pt layer4 224 "$b" 20 "${THREADS:-1}" 2> /dev/null | tail -1)}"
    done ;;
  *)
    echo "usage: $0 capacity-demo|capacity-resnet18|batching-demo|batching-resnet18|optimise-resnet18|inprocess" >&2
    exit 2 ;;
esac
