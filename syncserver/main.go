// Command syncserver is Bianmin's central server: it receives every station's
// work, runs the approval pipeline and pushes status back down.
//
//	syncserver serve --db central.db --addr :8700 --demo
//	syncserver station create --code XZ01 --name 青山镇便民服务中心 --level township
//	syncserver enroll-code --station XZ01
//
// Run "syncserver help" for every command.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/syncserver/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if e := bmerr.As(err); e != nil {
			fmt.Fprintf(os.Stderr, "syncserver: %s\n            %s\n", e.Zh, e.Error())
		} else {
			fmt.Fprintln(os.Stderr, "syncserver:", err)
		}
		os.Exit(cli.ExitCode(err))
	}
}
