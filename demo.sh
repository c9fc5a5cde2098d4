#!/usr/bin/env bash
# Slipway's main job on an embedded default: a local management cluster, vcsim with a content
# library, the guest simulator and the operator build deploy/samples' cluster until it is Ready.
# Ctrl-C stops and removes everything. First run: builds the test bed (~6 min) and the project.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:/usr/local/go/bin"
bash testenv/build.sh >/dev/null
mvn -B -q install -DskipTests
exec mvn -B -q -pl src/test exec:java \
  -Dexec.mainClass=dev.slipway.demo.LocalDemo -Dexec.classpathScope=test \
  -Dexec.cleanupDaemonThreads=false \
  -Dlogback.configurationFile="$PWD/src/test/resources/logback-demo.xml"
