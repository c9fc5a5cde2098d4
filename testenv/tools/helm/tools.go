//go:build tools

// Package tools pins Helm's command, which build-tools.sh builds, so that `go mod tidy` keeps it.
// A module of its own: Helm's dependency set never mixes with Prometheus' or the test bed's.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
