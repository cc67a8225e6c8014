// Command test-cluster is TEST TOOLING ONLY: it runs a real kube-apiserver (and, in child
// processes, kube-controller-manager, kube-scheduler and KWOK with one fake node) over an embedded
// etcd, all on 127.0.0.1, and writes an admin kubeconfig. Nothing here is meant for production use.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	kubeapiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	kcm "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

type options struct {
	kubeconfig, dataDir  string
	port                 int
	withKCM, withSched   bool
	withKwok             bool
	kwokBinary, kwokConf string
	nodeName             string
}

func main() {
	// Child modes: `test-cluster controller-manager|scheduler <flags>` run that component in its own
	// process, so its global state (flags, feature gates, metrics) stays apart from the apiserver's.
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "controller-manager":
			runComponent(kcm.NewControllerManagerCommand())
			return
		case "scheduler":
			runComponent(scheduler.NewSchedulerCommand())
			return
		}
	}

	var o options
	flag.StringVar(&o.kubeconfig, "kubeconfig", "", "where to write the admin kubeconfig (required)")
	flag.StringVar(&o.dataDir, "data-dir", "", "state directory (default: a new temp dir, removed on exit)")
	flag.BoolVar(&o.withKCM, "controller-manager", true, "also run kube-controller-manager")
	flag.BoolVar(&o.withSched, "scheduler", true, "also run kube-scheduler")
	flag.BoolVar(&o.withKwok, "kwok", true, "also run KWOK with one fake node (default true when the kwok binary is present)")
	flag.StringVar(&o.kwokBinary, "kwok-binary", "", "KWOK binary (default: kwok next to this binary)")
	flag.StringVar(&o.kwokConf, "kwok-stages", "", "KWOK stages config (default: kwok-stages.yaml next to the resolved kwok binary)")
	flag.StringVar(&o.nodeName, "node-name", "kwok-node-0", "name of the fake node KWOK manages")
	flag.IntVar(&o.port, "port", 0, "apiserver secure port on 127.0.0.1 (0: pick a free one)")
	check := flag.Bool("check", false, "instead of starting a cluster, run the smoke check against -kubeconfig")
	flag.Parse()
	if o.kubeconfig == "" {
		log.Fatal("-kubeconfig is required")
	}
	if *check {
		if err := runCheck(o.kubeconfig); err != nil {
			log.Fatalf("check failed: %v", err)
		}
		fmt.Println("CHECK OK")
		return
	}
	if err := resolveKwok(&o, flagSet("kwok")); err != nil {
		log.Fatal(err)
	}
	if err := run(o); err != nil {
		log.Fatal(err)
	}
}

func runComponent(cmd interface {
	SetArgs([]string)
	Execute() error
}) {
	cmd.SetArgs(os.Args[2:])
	if err := cmd.Execute(); err != nil {
		os.Exit(1)
	}
}

func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// resolveKwok finds the KWOK binary and its stages. Without -kwok given explicitly, a missing
// binary turns KWOK off (logged, and READY says kwok=false); with -kwok=true it is an error.
func resolveKwok(o *options, explicit bool) error {
	if !o.withKwok {
		return nil
	}
	if o.kwokBinary == "" {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		o.kwokBinary = filepath.Join(filepath.Dir(self), "kwok")
	}
	if _, err := os.Stat(o.kwokBinary); err != nil {
		if explicit {
			return fmt.Errorf("-kwok: %w", err)
		}
		log.Printf("kwok binary %s not found: running without KWOK (Pods stay Pending)", o.kwokBinary)
		o.withKwok = false
		return nil
	}
	if o.kwokConf == "" {
		real, err := filepath.EvalSymlinks(o.kwokBinary)
		if err != nil {
			return err
		}
		o.kwokConf = filepath.Join(filepath.Dir(real), "kwok-stages.yaml")
	}
	if _, err := os.Stat(o.kwokConf); err != nil {
		return fmt.Errorf("kwok stages: %w", err)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func run(o options) error {
	start := time.Now()
	dataDir := o.dataDir
	if dataDir == "" {
		d, err := os.MkdirTemp("", "nora-test-cluster-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dataDir = d
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	p, err := generatePKI(mustMkdir(filepath.Join(dataDir, "pki")))
	if err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	etcdURL, stopEtcd, err := startEtcd(filepath.Join(dataDir, "etcd"))
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	defer stopEtcd()
	log.Printf("etcd ready at %s after %s", etcdURL, time.Since(start).Round(time.Millisecond))

	port := o.port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return err
		}
	}
	server := "https://127.0.0.1:" + strconv.Itoa(port)
	args := []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + filepath.Join(dataDir, "apiserver-certs"),
		"--tls-cert-file=" + p.servingCert,
		"--tls-private-key-file=" + p.servingKey,
		"--client-ca-file=" + p.caCert,
		"--service-account-key-file=" + p.saPub,
		"--service-account-signing-key-file=" + p.saKey,
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=RBAC",
		"--allow-privileged=true",
		// The endpoint reconciler would publish 127.0.0.1 as the kubernetes Service endpoint,
		// which Endpoints validation rejects (loopback); no in-cluster client needs it here.
		"--endpoint-reconciler-type=none",
		"--v=0",
	}
	kubeconfig := filepath.Join(dataDir, "admin.kubeconfig")
	if err := os.WriteFile(kubeconfig, renderKubeconfig(server, p.caPEM, "nora-test-admin", p.adminCertPEM, p.adminKeyPEM), 0o600); err != nil {
		return err
	}

	apiErr := make(chan error, 1)
	go func() {
		cmd := kubeapiserver.NewAPIServerCommand()
		cmd.SetArgs(args)
		apiErr <- cmd.Execute()
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := waitReady(ctx, server, p, apiErr); err != nil {
		return err
	}
	log.Printf("kube-apiserver ready at %s after %s", server, time.Since(start).Round(time.Millisecond))

	// Children are stopped as soon as we are asked to stop: otherwise the apiserver waits for
	// their open watches to drain (60 s) before it returns.
	var children []*exec.Cmd
	defer func() {
		for _, c := range children {
			stopChild(c)
		}
	}()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		for _, c := range children {
			_ = c.Process.Signal(syscall.SIGTERM)
		}
	}()
	if o.withKCM {
		child, err := startKCM(dataDir, kubeconfig, p)
		if err != nil {
			return fmt.Errorf("controller-manager: %w", err)
		}
		children = append(children, child)
	}
	if o.withSched {
		schedKubeconfig := filepath.Join(dataDir, "scheduler.kubeconfig")
		if err := os.WriteFile(schedKubeconfig, renderKubeconfig(server, p.caPEM, "system:kube-scheduler", p.schedulerCertPEM, p.schedulerKeyPEM), 0o600); err != nil {
			return err
		}
		child, err := startScheduler(dataDir, schedKubeconfig)
		if err != nil {
			return fmt.Errorf("scheduler: %w", err)
		}
		children = append(children, child)
	}
	node := ""
	if o.withKwok {
		child, err := startKwok(dataDir, o.kwokBinary, o.kwokConf, kubeconfig)
		if err != nil {
			return fmt.Errorf("kwok: %w", err)
		}
		children = append(children, child)
		if err := createFakeNode(ctx, kubeconfig, o.nodeName); err != nil {
			return fmt.Errorf("kwok: %w (see %s)", err, filepath.Join(dataDir, "kwok.log"))
		}
		node = o.nodeName
		log.Printf("node %s Ready (KWOK) after %s", node, time.Since(start).Round(time.Millisecond))
	}

	// Written only once the apiserver answers /readyz, so its presence means "ready".
	tmp := o.kubeconfig + ".tmp"
	if err := os.WriteFile(tmp, renderKubeconfig(server, p.caPEM, "nora-test-admin", p.adminCertPEM, p.adminKeyPEM), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, o.kubeconfig); err != nil {
		return err
	}
	fmt.Printf("READY server=%s kubeconfig=%s scheduler=%t kwok=%t node=%s\n", server, o.kubeconfig, o.withSched, o.withKwok, node)

	// The apiserver command handles SIGINT/SIGTERM itself and returns; then the deferred cleanup runs.
	err = <-apiErr
	_ = os.Remove(o.kubeconfig)
	return err
}

func mustMkdir(d string) string {
	if err := os.MkdirAll(d, 0o700); err != nil {
		log.Fatal(err)
	}
	return d
}

func adminTLS(p *pki) (*tls.Config, error) {
	pair, err := tls.X509KeyPair(p.adminCertPEM, p.adminKeyPEM)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(p.caPEM)
	return &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: roots, MinVersion: tls.VersionTLS12}, nil
}

func waitReady(ctx context.Context, server string, p *pki, apiErr <-chan error) error {
	cfg, err := adminTLS(p)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 5 * time.Second}
	for {
		select {
		case err := <-apiErr:
			return fmt.Errorf("kube-apiserver exited before ready: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("kube-apiserver not ready: %w", ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
		resp, err := client.Get(server + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
}

func renderKubeconfig(server string, caPEM []byte, user string, certPEM, keyPEM []byte) []byte {
	b64 := base64.StdEncoding.EncodeToString
	return []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: nora-test
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: %s
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: nora-test
  context:
    cluster: nora-test
    user: %s
current-context: nora-test
`, server, b64(caPEM), user, b64(certPEM), b64(keyPEM), user))
}
