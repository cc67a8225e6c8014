//go:build tools

// Package kwok pins sigs.k8s.io/kwok for build.sh, which builds sigs.k8s.io/kwok/cmd/kwok from this
// module so kwok's own k8s.io versions stay apart from the apiserver module one level up.
package kwok

import _ "sigs.k8s.io/kwok/cmd/kwok"
