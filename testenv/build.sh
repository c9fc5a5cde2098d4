#!/usr/bin/env bash
# Builds Slipway's test bed from the Go module proxy: kube-apiserver, kube-controller-manager,
# kubeadm and kubectl (testenv/k8s), etcd (testenv/etcd), and vcsim + govc (testenv/vcsim).
#
# The result is cached by versions and by a hash of testenv's own sources, outside the repository:
#   ${SLIPWAY_TESTENV_CACHE:-~/.cache/slipway/testenv}/<key>/
#     bin/{kube-apiserver,kube-controller-manager,kubeadm,kubectl,etcd,vcsim,govc}
#     k8s/<numeric version>-linux-amd64/{etcd,kube-apiserver,kubectl}   (fabric8 kube-api-test layout)
# A second run finds the cache and only prints the directory. Usage:
#   testenv/build.sh            build if needed, print progress on stderr and the directory on stdout
#   testenv/build.sh --check    exit 0 if the cache is complete, 1 otherwise; build nothing
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_root=${SLIPWAY_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slipway/testenv}

say() { printf 'slipway testenv: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

need_go() {
  command -v go >/dev/null 2>&1 ||
    die "no Go toolchain on PATH: install Go $1 or newer and put 'go' on PATH (for example PATH=/usr/local/go/bin:\$PATH)."
  local have
  have=$(go env GOVERSION 2>/dev/null | sed 's/^go//')
  if [ "$(printf '%s\n%s\n' "$1" "$have" | sort -V | head -n1)" != "$1" ]; then
    die "Go $have is too old: the test bed needs Go $1 or newer (go.mod of testenv/k8s). Install a newer Go, or export GOTOOLCHAIN=go$1 so the go command fetches it from the module proxy."
  fi
}

mod_version() { # module path, go.mod file -> the version it requires
  awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$2"
}

k8s_version=$(mod_version k8s.io/kubernetes "$here/k8s/go.mod")
etcd_version=$(mod_version go.etcd.io/etcd/server/v3 "$here/etcd/go.mod")
govmomi_version=$(mod_version github.com/vmware/govmomi "$here/vcsim/go.mod")
go_min=$(awk '$1 == "go" { print $2; exit }' "$here/k8s/go.mod")
[ -n "$k8s_version" ] && [ -n "$etcd_version" ] && [ -n "$govmomi_version" ] ||
  die "could not read the pinned versions from testenv/*/go.mod (found k8s='$k8s_version' etcd='$etcd_version' govmomi='$govmomi_version')"

src_hash=$(cd "$here" && find build.sh k8s etcd vcsim -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' -o -name '*.sh' \) -print0 |
  sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
key="k8s${k8s_version#v}-etcd${etcd_version#v}-govmomi${govmomi_version#v}-${src_hash}"
out="$cache_root/$key"
numeric=${k8s_version#v}

if [ -f "$out/.complete" ]; then
  echo "$out"
  exit 0
fi
[ "${1:-}" = "--check" ] && exit 1

need_go "$go_min"
mkdir -p "$cache_root/logs"
exec 9>"$cache_root/.lock"
flock 9 # another build of the same cache: wait for it, then reuse what it made
if [ -f "$out/.complete" ]; then
  echo "$out"
  exit 0
fi

tmp="$out.partial"
rm -rf "$tmp"
mkdir -p "$tmp/bin" "$tmp/k8s/$numeric-linux-amd64"
logs="$cache_root/logs/$key"
mkdir -p "$logs"

# go_build <component> <module dir> <ldflags> <packages...>: one log per component, one clear line on failure.
go_build() {
  local name=$1 dir=$2 ldflags=$3
  shift 3
  local log="$logs/$name.log" start=$SECONDS
  say "building $name (log: $log)"
  if ! (cd "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/bin/" "$@") >"$log" 2>&1; then
    if grep -qE 'dial tcp|no such host|i/o timeout|connection refused|TLS handshake|404 Not Found|410 Gone|proxy\.golang|verifying .*: checksum mismatch' "$log"; then
      die "building $name failed: a Go module could not be downloaded (check GOPROXY='$(go env GOPROXY)' and the network). Last lines of $log:
$(tail -n 5 "$log")"
    fi
    die "building $name failed. Last lines of $log:
$(tail -n 15 "$log")"
  fi
  say "built $name in $((SECONDS - start))s"
}

build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
minor=$(echo "$numeric" | cut -d. -f2)
kv=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kv+=" -X '$pkg.gitVersion=$k8s_version' -X '$pkg.gitMajor=1' -X '$pkg.gitMinor=$minor'"
  kv+=" -X '$pkg.gitTreeState=archive' -X '$pkg.buildDate=$build_date'"
done

go_build kubernetes "$here/k8s" "-s -w$kv" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kubeadm k8s.io/kubernetes/cmd/kubectl
go_build etcd "$here/etcd" "-s -w" .
go_build vcsim "$here/vcsim" "-s -w" . ./govc

for b in kube-apiserver kube-controller-manager kubeadm kubectl etcd vcsim govc; do
  [ -x "$tmp/bin/$b" ] || die "the build produced no $b in $tmp/bin (see $logs)"
done
for b in etcd kube-apiserver kubectl; do
  ln -s "../../bin/$b" "$tmp/k8s/$numeric-linux-amd64/$b"
done

# A binary that will not start is caught here, not in the middle of a test.
"$tmp/bin/kube-apiserver" --version >"$logs/versions.txt" 2>&1 ||
  die "the built kube-apiserver does not start; see $logs/versions.txt"
"$tmp/bin/etcd" --version >>"$logs/versions.txt" 2>&1 ||
  die "the built etcd does not start; see $logs/versions.txt"
grep -q "$k8s_version" "$logs/versions.txt" ||
  die "kube-apiserver --version does not report $k8s_version; see $logs/versions.txt"

cat >"$tmp/versions.properties" <<EOF
kubernetes=$numeric
etcd=${etcd_version#v}
govmomi=${govmomi_version#v}
EOF
touch "$tmp/.complete"
rm -rf "$out"
mv "$tmp" "$out"
ln -sfn "$key" "$cache_root/current"
say "test bed ready in $out"
echo "$out"
