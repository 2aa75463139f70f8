#!/usr/bin/env bash
# Kafka workers: throughput with 1..W workers and publish-to-committed-result latency, against a KRaft broker
# started in the benchmark's JVM (test classpath). Usage: benchmarks/kafka/run.sh [max-workers] [burst-frames] [paced-seconds]
# THREADS=N sets libtorch threads per worker (default 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -Dcamstream.nvcc.skip=true test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/kafka-bench.classpath
exec java -Xmx6g -Djava.library.path= -Dcamstream.threads="${THREADS:-1}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat target/kafka-bench.classpath)" io.camstream.kafka.KafkaBenchmark "$@"
