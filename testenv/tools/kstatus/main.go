// Command kstatus prints the status that sigs.k8s.io/cli-utils' kstatus library (the one Flux's
// health checks and kpt use) computes for Kubernetes objects, so that tests can check what a GitOps
// tool would conclude from Slipway's live objects.
//
// Input on stdin: JSON, either one object or a list (`kubectl get ... -o json`, kind *List, with
// items). Output on stdout: one JSON line per object, in input order:
//
//	{"kind":"TanzuKubernetesCluster","namespace":"team-a","name":"demo","status":"InProgress","message":"..."}
//
// Exit code 0 when every object's status was computed, 1 on unreadable input or a compute error.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type line struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Message   string `json:"message"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kstatus:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	data, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	var obj unstructured.Unstructured
	if err := obj.UnmarshalJSON(data); err != nil {
		return fmt.Errorf("input is not a Kubernetes object or list: %w", err)
	}
	objects := []unstructured.Unstructured{obj}
	if obj.IsList() {
		list, err := obj.ToList()
		if err != nil {
			return err
		}
		objects = list.Items
	}
	enc := json.NewEncoder(out)
	for i := range objects {
		u := &objects[i]
		res, err := status.Compute(u)
		if err != nil {
			return fmt.Errorf("%s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
		}
		if err := enc.Encode(line{u.GetKind(), u.GetNamespace(), u.GetName(), res.Status.String(), res.Message}); err != nil {
			return err
		}
	}
	return nil
}
