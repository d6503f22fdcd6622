// Command kubectl is built for the test bed only where no kubectl is installed (the deploy and
// chart tests run `kubectl kustomize` and `kubectl apply --dry-run=server`): upstream kubectl's
// entry point over the published k8s.io/kubectl module, at the bed's Kubernetes version.
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
	}
}
