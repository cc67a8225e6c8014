package main

import (
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// startChild runs one component as a child process that logs to <dataDir>/<name>.log and dies
// with its parent (Pdeathsig), so a SIGKILLed test-cluster leaves no component behind.
func startChild(dataDir, name string, env []string, path string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(path, args...)
	logFile, err := os.Create(filepath.Join(dataDir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	logFile.Close() // the child holds its own descriptor
	log.Printf("%s started (pid %d, log %s)", name, cmd.Process.Pid, logFile.Name())
	return cmd, nil
}

// startSelf runs this binary in one of its child modes (`controller-manager`, `scheduler`).
func startSelf(dataDir, mode string, args ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return startChild(dataDir, "kube-"+mode, nil, self, append([]string{mode}, args...)...)
}

func startKCM(dataDir, kubeconfig string, p *pki) (*exec.Cmd, error) {
	return startSelf(dataDir, "controller-manager",
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
}

// startScheduler runs kube-scheduler with its own identity (system:kube-scheduler, bound by the
// bootstrap RBAC policy), not as admin, so it only does what a real cluster's scheduler may.
func startScheduler(dataDir, kubeconfig string) (*exec.Cmd, error) {
	return startSelf(dataDir, "scheduler",
		"--kubeconfig="+kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=0", // no serving endpoint: nothing scrapes it
		"--leader-elect=false",
		"--v=0",
	)
}

// startKwok runs KWOK's controller (built from its own module by build.sh) against the admin
// kubeconfig. It manages only Nodes annotated kwok.x-k8s.io/node=fake and serves nothing
// (no --server-address / --node-port). HOME points into the data dir so a ~/.kwok/kwok.yaml on
// the machine is not loaded on top of our stages.
func startKwok(dataDir, binary, stages, kubeconfig string) (*exec.Cmd, error) {
	home := filepath.Join(dataDir, "kwok-home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	return startChild(dataDir, "kwok", []string{"HOME=" + home}, binary,
		"--config="+stages,
		"--kubeconfig="+kubeconfig,
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector="+kwokNodeAnnotation+"=fake",
		"--cidr=10.244.0.0/24",
		"--node-ip=10.244.255.1",
		"--node-lease-duration-seconds=40",
	)
}

func stopChild(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
}
