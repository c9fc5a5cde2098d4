//go:build tools

// Package tools pins Prometheus' promtool, which build-tools.sh builds, so that `go mod tidy` keeps
// it. A module of its own: Prometheus' dependency set never mixes with Helm's or the test bed's.
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/promtool"
)
