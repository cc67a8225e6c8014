package main

import (
	"context"
	"fmt"
	"log"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// runCheck is the smoke check: namespace, ConfigMap and Deployment via the admin kubeconfig,
// then waits for the controller manager to create a ReplicaSet and a Pod.
func runCheck(kubeconfig string) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := fmt.Sprintf("nora-check-%d", time.Now().UnixNano()%1_000_000)
	t0 := time.Now()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("namespace: %w", err)
	}
	log.Printf("namespace %s created", ns)
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "cfg"}, Data: map[string]string{"k": "v"},
	}, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("configmap: %w", err)
	}
	log.Printf("configmap created")
	one := int32(1)
	labels := map[string]string{"app": "check"}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nora.invalid/none:0"}}},
			},
		},
	}, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("deployment: %w", err)
	}
	log.Printf("deployment created")
	for ctx.Err() == nil {
		rs, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		if len(rs.Items) > 0 && len(pods.Items) > 0 {
			log.Printf("replicaset %s and pod %s (phase %s) appeared after %s",
				rs.Items[0].Name, pods.Items[0].Name, pods.Items[0].Status.Phase, time.Since(t0).Round(time.Millisecond))
			return cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("no ReplicaSet/Pod in %s before timeout", ns)
}
