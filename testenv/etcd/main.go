// Command etcd is etcd's own server entry point, built from the published server module so that
// the test bed needs no release tarball. It lives in a module of its own so that etcd's dependency
// set never mixes with the Kubernetes one.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
