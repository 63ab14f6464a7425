// Command hotline runs the hotline telephony server.
//
//	hotline [-config FILE] [-sip-listen ADDR] [-http-listen ADDR] [-rtp-ports LOW-HIGH] [-data-dir DIR]
//	hotline check-config FILE
//	hotline backup [-config FILE] [-data-dir DIR] OUT.db
//
// Without -config it runs the embedded demo configuration on loopback.
//
// It owns the command line, loading the configuration, and the process's
// signals: SIGHUP reloads, SIGTERM or SIGINT drains and stops. It must not
// hold server logic: building, running, reloading and draining the server
// are app's, so that the end-to-end tests start exactly what runs here.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // business-hours calendars work in minimal images without zoneinfo

	"github.com/hotline-oss/hotline/app"
	recordbackup "github.com/hotline-oss/hotline/app/backup"
	"github.com/hotline-oss/hotline/config"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "check-config" {
		return checkConfig(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "backup" {
		return backup(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("hotline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "configuration file (default: the embedded demo)")
	var o config.Override
	fs.StringVar(&o.SIPListen, "sip-listen", "", "SIP listen address IP:port (UDP and TCP), overrides sip.listen")
	fs.StringVar(&o.HTTPListen, "http-listen", "", "HTTP listen address IP:port, overrides http.listen")
	fs.StringVar(&o.RTPPorts, "rtp-ports", "", "RTP port range LOW-HIGH, overrides rtp.ports")
	fs.StringVar(&o.DataDir, "data-dir", "", "data directory, overrides data_dir")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: hotline [flags]\n       hotline check-config FILE\n       hotline backup [-config FILE] [-data-dir DIR] OUT.db\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hotline: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	cfg, err := load(*configFile)
	if err == nil {
		err = cfg.Apply(o)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hotline: configuration error:\n%v\n", err)
		return 1
	}
	log := app.NewLogger(cfg, stderr)
	srv, err := app.Prepare(cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "hotline: configuration error:\n%v\n", err)
		return 1
	}
	if err := srv.Start(); err != nil {
		log.Error("start failed", "err", err)
		srv.Close()
		return 1
	}
	srv.SetConfigSource(func() (*config.Config, error) {
		cfg, err := load(*configFile)
		if err == nil {
			err = cfg.Apply(o) // the same flags as at startup
		}
		return cfg, err
	})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	sig := waitForStop(srv, sigs)
	log.Info("draining", "signal", sig.String(), "grace", cfg.ShutdownGrace.String(), "calls", srv.ActiveCalls())
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	go func() {
		// A second signal ends the grace period at once.
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()
	srv.Shutdown(ctx)
	cancel()
	log.Info("stopped")
	return 0
}

// waitForStop reloads the configuration on every SIGHUP until a stop
// signal comes. The reload logs what changed or why it was rejected.
func waitForStop(srv *app.Server, stop <-chan os.Signal) os.Signal {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-hup:
			_, _ = srv.ReloadConfig()
		case sig := <-stop:
			return sig
		}
	}
}

func load(file string) (*config.Config, error) {
	if file == "" {
		return config.Parse(config.DemoName, config.Demo())
	}
	return config.LoadFile(file)
}

func checkConfig(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: hotline check-config FILE")
		return 2
	}
	// Flows, prompts and queues are checked even when the configuration
	// has other problems, so that one run lists everything to fix.
	cfg, err := config.CheckFile(args[0])
	if cfg != nil {
		_, prepErr := app.Prepare(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		err = errors.Join(err, prepErr)
	}
	if err != nil {
		problems := config.Problems(err)
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		fmt.Fprintf(stderr, "%s: %d problem(s)\n", args[0], len(problems))
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok\n", args[0])
	return 0
}

// backup writes a consistent copy of the SQLite record database, also
// while the server runs (VACUUM INTO reads one snapshot).
func backup(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "configuration file (default: the embedded demo)")
	dataDir := fs.String("data-dir", "", "data directory, overrides data_dir")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: hotline backup [-config FILE] [-data-dir DIR] OUT.db")
		return 2
	}
	cfg, err := load(*configFile)
	if err == nil {
		err = cfg.Apply(config.Override{DataDir: *dataDir})
	}
	if err != nil {
		fmt.Fprintf(stderr, "hotline: configuration error:\n%v\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := recordbackup.Backup(ctx, cfg, fs.Arg(0)); err != nil {
		fmt.Fprintf(stderr, "hotline: backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "backup written to %s\n", fs.Arg(0))
	return 0
}
