// Command etcd is the test bed's store: upstream etcd's entry point, built from the published
// server module (its own root main package carries local replaces, so `go install` refuses it).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
