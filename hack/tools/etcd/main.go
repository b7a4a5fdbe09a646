// Command etcd wraps etcdmain so etcd can be built from the Go module proxy
// (`go install` of the server module is refused because of its replace lines).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
