#!/usr/bin/env bash
# Slipway's main job on an embedded default: a local management cluster, vcsim with a content
# library, the guest simulator and the operator build deploy/samples' cluster until it is Ready.
# Ctrl-C stops and removes everything. First run: builds the test bed (~6 min) and the project.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:/usr/local/go/bin"
# Maven 3.8's console library writes ESC[0m on exit even with -B; this keeps the console clean.
export MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true"
bash testenv/build.sh >/dev/null
# Builds in this tree only (nothing is installed into ~/.m2), including cli/target/kubectl-slipway,
# then runs the demo's own JVM: its console is the demo's, and Ctrl-C reaches it directly.
mkdir -p target
mvn -B -q -pl src/test -am package dependency:build-classpath -DskipTests \
  -DskipITs -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/target/demo.classpath"
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" \
  -cp "src/test/target/test-classes:$(cat target/demo.classpath)" \
  -Dlogback.configurationFile="$PWD/src/test/resources/logback-demo.xml" \
  dev.slipway.demo.LocalDemo
