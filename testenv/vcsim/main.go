// Command vcsim runs govmomi's vCenter simulator for Slipway's tests and local demo.
//
// It differs from the stock vcsim in what tests need: it listens on a free loopback port, prints
// one JSON readiness line on stdout (URL, certificate file, SHA-256 thumbprint, control URL), and
// serves a loopback-only control endpoint that injects faults and latency at run time through
// govmomi's Go API (the stock binary exposes fault rules to Go callers only).
package main

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/vmware/govmomi/simulator"

	// REST (vAPI: sessions, content library, tagging) and the other endpoints vCenter serves.
	_ "github.com/vmware/govmomi/lookup/simulator"
	_ "github.com/vmware/govmomi/pbm/simulator"
	_ "github.com/vmware/govmomi/sts/simulator"
	_ "github.com/vmware/govmomi/vapi/simulator"
)

type ready struct {
	Event      string `json:"event"`
	URL        string `json:"url"`
	Username   string `json:"username"`
	CertFile   string `json:"certFile"`
	Thumbprint string `json:"thumbprint"`
	ControlURL string `json:"controlUrl"`
	PID        int    `json:"pid"`
}

func main() {
	listen := flag.String("l", "127.0.0.1:0", "listen address of the vCenter endpoint (port 0 picks a free port)")
	control := flag.String("control", "127.0.0.1:0", "listen address of the control endpoint (loopback only)")
	username := flag.String("username", "administrator@vsphere.local", "the only user name accepted")
	password := flag.String("password", "", "the only password accepted (required)")
	certDir := flag.String("cert-dir", os.TempDir(), "directory for the PEM file of the server certificate")
	load := flag.String("load", "", "load an inventory saved by 'govc object.save' instead of generating one")
	apiVersion := flag.String("api-version", "8.0.3.0", "vim25 version the simulator reports (about.apiVersion, vimServiceVersions.xml)")
	m := simulator.VPX()
	flag.IntVar(&m.Datacenter, "dc", m.Datacenter, "datacenters")
	flag.IntVar(&m.Cluster, "cluster", m.Cluster, "clusters per datacenter")
	flag.IntVar(&m.ClusterHost, "host", m.ClusterHost, "hosts per cluster")
	flag.IntVar(&m.Host, "standalone-host", m.Host, "standalone hosts per datacenter")
	flag.IntVar(&m.Machine, "vm", m.Machine, "VMs per resource pool and standalone host")
	flag.IntVar(&m.Datastore, "ds", m.Datastore, "local datastores")
	flag.IntVar(&m.Pool, "pool", m.Pool, "child resource pools per compute resource")
	flag.IntVar(&m.Folder, "folder", m.Folder, "folders per datacenter")
	flag.IntVar(&m.Portgroup, "pg", m.Portgroup, "distributed port groups")
	flag.BoolVar(&m.Autostart, "autostart", m.Autostart, "power on the VMs the model creates")
	flag.Parse()

	if *password == "" {
		fail("-password is required: the simulator must not accept any credentials")
	}
	if err := loopbackOnly(*control); err != nil {
		fail("-control: %v", err)
	}

	// VPX() copied vpx.ServiceContent into the model already, so set the model's copy.
	m.ServiceContent.About.ApiVersion = *apiVersion
	var err error
	if *load != "" {
		err = m.Load(*load)
	} else {
		err = m.Create()
	}
	if err != nil {
		fail("building the inventory: %v", err)
	}
	m.Service.RegisterEndpoints = true
	m.Service.TLS = new(tls.Config)
	m.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*username, *password)}
	m.DelayConfig.MethodDelay = map[string]int{}

	srv := m.Service.NewServer()
	cert := srv.Certificate()
	certFile := filepath.Join(*certDir, fmt.Sprintf("vcsim-%d.pem", os.Getpid()))
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if err := os.WriteFile(certFile, pemBytes, 0o644); err != nil {
		fail("writing the certificate: %v", err)
	}
	sum := sha256.Sum256(cert.Raw)

	ctl, err := net.Listen("tcp", *control)
	if err != nil {
		fail("control endpoint: %v", err)
	}
	go func() { _ = http.Serve(ctl, controlHandler(m)) }()

	u := *srv.URL
	u.User = nil
	line, _ := json.Marshal(ready{
		Event:      "ready",
		URL:        u.String(),
		Username:   *username,
		CertFile:   certFile,
		Thumbprint: colonHex(sum[:]),
		ControlURL: "http://" + ctl.Addr().String(),
		PID:        os.Getpid(),
	})
	fmt.Println(string(line))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	srv.Close()
	m.Remove()
	_ = os.Remove(certFile)
}

// faultRule is the JSON a test posts to /faults; the names follow simulator.FaultInjectionRule.
type faultRule struct {
	Method      string  `json:"method"`
	ObjectType  string  `json:"objectType"`
	ObjectName  string  `json:"objectName"`
	Fault       string  `json:"fault"`
	Message     string  `json:"message"`
	Probability float64 `json:"probability"`
	MaxCount    int     `json:"maxCount"`
	SkipCount   int     `json:"skipCount"`
	DelayMillis int     `json:"delayMillis"`
}

var faultTypes = map[string]simulator.FaultType{
	"Generic":               simulator.FaultTypeGeneric,
	"NotAuthenticated":      simulator.FaultTypeNotAuthenticated,
	"NoPermission":          simulator.FaultTypeNoPermission,
	"InvalidArgument":       simulator.FaultTypeInvalidArgument,
	"MethodNotFound":        simulator.FaultTypeMethodNotFound,
	"ManagedObjectNotFound": simulator.FaultTypeManagedObjectNotFound,
	"InvalidState":          simulator.FaultTypeInvalidState,
	"ResourceInUse":         simulator.FaultTypeResourceInUse,
	"InsufficientResources": simulator.FaultTypeInsufficientResourcesFault,
	"NetworkFailure":        simulator.FaultTypeNetworkFailure,
	"Timeout":               simulator.FaultTypeTimeout,
}

func controlHandler(m *simulator.Model) http.Handler {
	var delayMu sync.Mutex
	mux := http.NewServeMux()
	mux.HandleFunc("/faults", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			var in faultRule
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				http.Error(w, "bad fault rule: "+err.Error(), http.StatusBadRequest)
				return
			}
			ft, ok := faultTypes[in.Fault]
			if !ok {
				http.Error(w, "unknown fault "+in.Fault+"; known: "+strings.Join(keys(faultTypes), ", "), http.StatusBadRequest)
				return
			}
			rule := &simulator.FaultInjectionRule{
				MethodName: or(in.Method, "*"), ObjectType: or(in.ObjectType, "*"),
				ObjectName: or(in.ObjectName, "*"), FaultType: ft, Message: in.Message,
				Probability: in.Probability, MaxCount: in.MaxCount, SkipCount: in.SkipCount,
				Delay: in.DelayMillis, Enabled: true,
			}
			if rule.Probability == 0 {
				rule.Probability = 1
			}
			m.Service.AddFaultRule(rule)
			w.WriteHeader(http.StatusCreated)
		case http.MethodDelete:
			m.Service.ClearFaultRules()
			w.WriteHeader(http.StatusNoContent)
		case http.MethodGet:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(m.Service.FaultInjector().GetStats())
		default:
			http.Error(w, "use GET, POST or DELETE", http.StatusMethodNotAllowed)
		}
	})
	// /delays takes {"SOAP method or task name": milliseconds, ...}; an empty object clears them.
	mux.HandleFunc("/delays", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			http.Error(w, "use PUT", http.StatusMethodNotAllowed)
			return
		}
		in := map[string]int{}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, "bad delays: "+err.Error(), http.StatusBadRequest)
			return
		}
		delayMu.Lock()
		// A fresh map, never mutated after publication, so SOAP handlers reading the old one are safe.
		// SOAP method names (CloneVM_Task) delay the call, in the service's DelayConfig; task names
		// (CloneVm, PowerOn) and LockHandoff delay the task, in the package's TaskDelay. The two
		// sets of names do not overlap, so one map serves both. (Until 2026-12-04 only the first
		// was set, and every task delay the tests asked for was silently ignored.)
		m.DelayConfig.MethodDelay = in
		simulator.TaskDelay.MethodDelay = taskDelays(in)
		delayMu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// taskDelays is in, with LockHandoff 0 unless in says otherwise or is empty: a delayed task then
// takes its object's lock when it runs, not for its whole delay, so clients read the object's
// properties meanwhile, as they do on a real vCenter (with the lock held, even a property
// collector waits for the task).
func taskDelays(in map[string]int) map[string]int {
	if len(in) == 0 {
		return in
	}
	out := map[string]int{"LockHandoff": 0}
	for k, v := range in {
		out[k] = v
	}
	return out
}

func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address", host)
	}
	return nil
}

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02X", x)
	}
	return strings.Join(parts, ":")
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func keys(m map[string]simulator.FaultType) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "vcsim: "+format+"\n", args...)
	os.Exit(1)
}
