#!/usr/bin/env bash
# The scale benchmark (docs/performance.md): the real management control plane, vcsim, the guest
# simulator and the operator process in a JVM of its own (fixed heap) build N
# clusters at once, stay idle, and report. Writes target/bench/<time>/results.json and PNG charts.
#
#   bench/run.sh [--clusters 5] [--workers 1] [--control-planes 1] [--clusters-per-namespace 10]
#                [--idle-seconds 120] [--heap 512m] [--ready-timeout-seconds 1800]
#                [--guest-mode LIGHT|FULL|MUX] [--upgrade true] [--idle-scrape-seconds 30]
#                [--heap-dump true]
#                [--out DIR]
#                (MUX: every cluster's API server and etcd as in-process fakes, for 100+ clusters;
#                 --upgrade true: after the idle window, B6 - every cluster moved to the next
#                 release at once; writes b6.json and b6-upgraded.png)
#                (--idle-scrape-seconds: how often the operator's /metrics is read while idle;
#                 CPU is sampled every 5 s)
#   bench/run.sh --b1-runs 10 --control-planes 3 --workers 3 --guest-mode FULL [--out DIR]
#                (B1: one cluster at a time, apply -> Ready, p50/p95; writes b1.json)
#
# Loopback ranges: SLIPWAY_TEST_VIPS (one per cluster) and SLIPWAY_TEST_GUEST_IPS (one per
# machine) must be large enough. MVN_ARGS is passed to Maven (e.g. -o). First run: builds the
# test bed (~6 min) and the project; nothing is installed into ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
bash testenv/build.sh >/dev/null
mkdir -p target/bench
# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS:-} -pl src/test -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/target/bench.classpath"
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" \
  -cp "src/test/target/test-classes:$(cat target/bench.classpath)" \
  -Dlogback.configurationFile="$PWD/src/test/resources/logback-bench.xml" \
  dev.slipway.bench.ScaleBench "$@"
