// Command test-cluster is TEST TOOLING ONLY: it runs a real kube-apiserver (and, in a child
// process, kube-controller-manager) over an embedded etcd, all on 127.0.0.1, and writes an
// admin kubeconfig. Nothing here is meant for production use.
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
)

func main() {
	// Child mode: `test-cluster controller-manager <kcm flags>` runs kube-controller-manager in
	// its own process, so its global state (flags, feature gates, metrics) stays apart from the apiserver's.
	if len(os.Args) > 1 && os.Args[1] == "controller-manager" {
		cmd := kcm.NewControllerManagerCommand()
		cmd.SetArgs(os.Args[2:])
		if err := cmd.Execute(); err != nil {
			os.Exit(1)
		}
		return
	}

	kubeconfig := flag.String("kubeconfig", "", "where to write the admin kubeconfig (required)")
	dataDir := flag.String("data-dir", "", "state directory (default: a new temp dir, removed on exit)")
	withKCM := flag.Bool("controller-manager", true, "also run kube-controller-manager")
	port := flag.Int("port", 0, "apiserver secure port on 127.0.0.1 (0: pick a free one)")
	check := flag.Bool("check", false, "instead of starting a cluster, run the smoke check against -kubeconfig")
	flag.Parse()
	if *kubeconfig == "" {
		log.Fatal("-kubeconfig is required")
	}
	if *check {
		if err := runCheck(*kubeconfig); err != nil {
			log.Fatalf("check failed: %v", err)
		}
		fmt.Println("CHECK OK")
		return
	}
	if err := run(*kubeconfig, *dataDir, *withKCM, *port); err != nil {
		log.Fatal(err)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func run(kubeconfigPath, dataDir string, withKCM bool, port int) error {
	start := time.Now()
	if dataDir == "" {
		d, err := os.MkdirTemp("", "nora-test-cluster-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dataDir = d
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
	if err := os.WriteFile(kubeconfig, renderKubeconfig(server, p), 0o600); err != nil {
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

	var child *exec.Cmd
	if withKCM {
		child, err = startKCM(dataDir, kubeconfig, p)
		if err != nil {
			return fmt.Errorf("controller-manager: %w", err)
		}
		defer func() {
			_ = child.Process.Signal(syscall.SIGTERM)
			_ = child.Wait()
		}()
		// Stop the controller manager as soon as we are asked to stop: otherwise the apiserver
		// waits for its open watches to drain (60 s) before it returns.
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
		go func() {
			<-sigs
			_ = child.Process.Signal(syscall.SIGTERM)
		}()
	}

	// Written only once the apiserver answers /readyz, so its presence means "ready".
	tmp := kubeconfigPath + ".tmp"
	if err := os.WriteFile(tmp, renderKubeconfig(server, p), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, kubeconfigPath); err != nil {
		return err
	}
	fmt.Printf("READY server=%s kubeconfig=%s\n", server, kubeconfigPath)

	// The apiserver command handles SIGINT/SIGTERM itself and returns; then the deferred cleanup runs.
	err = <-apiErr
	_ = os.Remove(kubeconfigPath)
	return err
}

func mustMkdir(d string) string {
	if err := os.MkdirAll(d, 0o700); err != nil {
		log.Fatal(err)
	}
	return d
}

func startKCM(dataDir, kubeconfig string, p *pki) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "controller-manager",
		"--kubeconfig="+kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=0", // no serving endpoint: nothing scrapes it
		"--leader-elect=false",
		"--use-service-account-credentials=false",
		"--root-ca-file="+p.caCert,
		"--service-account-private-key-file="+p.saKey,
		"--controllers=*",
		"--v=0",
	)
	logFile, err := os.Create(filepath.Join(dataDir, "kube-controller-manager.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	log.Printf("kube-controller-manager started (pid %d, log %s)", cmd.Process.Pid, logFile.Name())
	return cmd, nil
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

func renderKubeconfig(server string, p *pki) []byte {
	b64 := base64.StdEncoding.EncodeToString
	return []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: nora-test
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: nora-test-admin
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: nora-test
  context:
    cluster: nora-test
    user: nora-test-admin
current-context: nora-test
`, server, b64(p.caPEM), b64(p.adminCertPEM), b64(p.adminKeyPEM)))
}
