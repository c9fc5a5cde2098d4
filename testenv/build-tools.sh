#!/usr/bin/env bash
# Builds the command-line tools the tests check Slipway's packaging with, from the Go module proxy:
#   helm      (testenv/tools/helm: helm.sh/helm/v3)             helm lint / template / install / upgrade
#   promtool  (testenv/tools/promtool: github.com/prometheus/prometheus, service discovery left out)
#                                                              promtool check rules / test rules
#   kstatus   (testenv/tools/kstatus: our main on sigs.k8s.io/cli-utils/pkg/kstatus)
#                                                              the status Flux and kpt compute for an object
#
# A cache of its own, next to build.sh's and keyed the same way (versions + a hash of these sources),
# so that adding or changing a tool never rebuilds Kubernetes:
#   ${SLIPWAY_TESTENV_CACHE:-~/.cache/slipway/testenv}/tools-<key>/bin/{helm,promtool,kstatus}
# Usage:
#   testenv/build-tools.sh            build if needed, progress on stderr, the directory on stdout
#   testenv/build-tools.sh --check    exit 0 if the cache is complete, 1 otherwise; build nothing
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools="$here/tools"
cache_root=${SLIPWAY_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slipway/testenv}

say() { printf 'slipway testenv tools: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

mod_version() { # module path, go.mod file -> the version it requires
  awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$2"
}

helm_version=$(mod_version helm.sh/helm/v3 "$tools/helm/go.mod")
prometheus_version=$(mod_version github.com/prometheus/prometheus "$tools/promtool/go.mod")
cliutils_version=$(mod_version sigs.k8s.io/cli-utils "$tools/kstatus/go.mod")
[ -n "$helm_version" ] && [ -n "$prometheus_version" ] && [ -n "$cliutils_version" ] ||
  die "could not read the pinned versions from testenv/tools/*/go.mod (found helm='$helm_version' prometheus='$prometheus_version' cli-utils='$cliutils_version')"

src_hash=$(cd "$here" && find build-tools.sh tools -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' -o -name '*.sh' \) -print0 |
  sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
key="tools-helm${helm_version#v}-prometheus${prometheus_version#v}-cliutils${cliutils_version#v}-${src_hash}"
out="$cache_root/$key"

if [ -f "$out/.complete" ]; then
  echo "$out"
  exit 0
fi
[ "${1:-}" = "--check" ] && exit 1

command -v go >/dev/null 2>&1 ||
  die "no Go toolchain on PATH: install Go 1.26 or newer and put 'go' on PATH (for example PATH=/usr/local/go/bin:\$PATH)."
mkdir -p "$cache_root/logs"
exec 9>"$cache_root/.tools.lock"
flock 9 # another build of the tools: wait for it, then reuse what it made (build.sh has its own lock)
if [ -f "$out/.complete" ]; then
  echo "$out"
  exit 0
fi

tmp="$out.partial"
rm -rf "$tmp"
mkdir -p "$tmp/bin"
logs="$cache_root/logs/$key"
mkdir -p "$logs"

# go_build <component> <module dir> <go build flags...> -- <packages...>
go_build() {
  local name=$1 dir=$2
  shift 2
  local log="$logs/$name.log" start=$SECONDS
  say "building $name (log: $log)"
  if ! (cd "$dir" && CGO_ENABLED=0 go build -trimpath -o "$tmp/bin/" "$@") >"$log" 2>&1; then
    if grep -qE 'dial tcp|no such host|i/o timeout|connection refused|TLS handshake|404 Not Found|410 Gone|verifying .*: checksum mismatch' "$log"; then
      die "building $name failed: a Go module could not be downloaded (check GOPROXY='$(go env GOPROXY)' and the network). Last lines of $log:
$(tail -n 5 "$log")"
    fi
    die "building $name failed. Last lines of $log:
$(tail -n 15 "$log")"
  fi
  say "built $name in $((SECONDS - start))s"
}

# As Helm's Makefile does: the Kubernetes version `helm template` and `helm lint` assume without a
# cluster is the one of the client-go it was built with (v0.37.x -> 1.37), not the compiled-in 1.20.
client_go=$(mod_version k8s.io/client-go "$tools/helm/go.mod")
[ -n "$client_go" ] || die "testenv/tools/helm/go.mod requires no k8s.io/client-go"
kube_minor=$(echo "$client_go" | cut -d. -f2)
helm_ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$helm_version -X helm.sh/helm/v3/internal/version.gitTreeState=archive"
for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
  helm_ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$kube_minor"
done
go_build helm "$tools/helm" -ldflags "$helm_ldflags" helm.sh/helm/v3/cmd/helm
# remove_all_sd: promtool without Prometheus' service-discovery plugins (cloud SDKs), which checking
# and unit-testing rules never use; it keeps the download and the build small.
# Prometheus publishes v3.M.P as Go module version v0.3MM.P.
mmm=$(echo "$prometheus_version" | cut -d. -f2)
prom_semver="$((10#$mmm / 100)).$((10#$mmm % 100)).$(echo "$prometheus_version" | cut -d. -f3)"
go_build promtool "$tools/promtool" -tags remove_all_sd \
  -ldflags "-s -w -X github.com/prometheus/common/version.Version=$prom_semver -X github.com/prometheus/common/version.Branch=archive" \
  github.com/prometheus/prometheus/cmd/promtool
go_build kstatus "$tools/kstatus" -ldflags "-s -w" .

for b in helm promtool kstatus; do
  [ -x "$tmp/bin/$b" ] || die "the build produced no $b in $tmp/bin (see $logs)"
done
# A tool that will not start is caught here, not in the middle of a test.
{
  "$tmp/bin/helm" version --short
  "$tmp/bin/promtool" --version
  echo '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"probe"}}' | "$tmp/bin/kstatus"
} >"$logs/versions.txt" 2>&1 || die "a built tool does not start; see $logs/versions.txt"
grep -q "^$helm_version" "$logs/versions.txt" ||
  die "helm version does not report $helm_version; see $logs/versions.txt"

cat >"$tmp/versions.properties" <<EOF
helm=${helm_version#v}
prometheus=${prometheus_version#v}
cli-utils=${cliutils_version#v}
EOF
touch "$tmp/.complete"
rm -rf "$out"
mv "$tmp" "$out"
say "tools ready in $out"
echo "$out"
