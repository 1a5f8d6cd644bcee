package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
)

// app holds the flags every command shares and the streams output goes to.
type app struct {
	target inspect.Options
	format string
	output string
	stdout io.Writer
	stderr io.Writer
}

func newApp(stdout, stderr io.Writer) *app { return &app{stdout: stdout, stderr: stderr} }

// commands are added by each command's file (see register).
var commands []func(*app) *cobra.Command

// register adds a command constructor; each command's file calls it from init.
func register(newCmd func(*app) *cobra.Command) { commands = append(commands, newCmd) }

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "memlens",
		Short: "Show what Go's runtime data structures look like in memory",
		Long: `memlens attaches to a running Go process (--pid) or opens a core dump (--core, --exe),
decodes the Go runtime's own data structures and shows them as text, JSON or diagrams.

Start with "memlens demo", which builds a small program, inspects it and draws what it finds.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	pf := root.PersistentFlags()
	pf.IntVar(&a.target.Pid, "pid", 0, "attach to the live Go process with this pid")
	pf.StringVar(&a.target.Core, "core", "", "open this core dump")
	pf.StringVar(&a.target.Exe, "exe", "", "the executable (with --core: the program that dumped it; alone: types and layouts only)")
	pf.BoolVar(&a.target.Force, "force", false, "open a core even when the executable's build ID does not match it")
	pf.Int64Var(&a.target.Goroutine, "goroutine", 0, "evaluate expressions in this goroutine (default: the current one)")
	pf.IntVar(&a.target.Frame, "frame", 0, "evaluate expressions in this stack frame of the goroutine")
	pf.StringVar(&a.format, "format", "", "output format: text, json, dot, svg or png (default: from -o's extension, else text)")
	pf.StringVarP(&a.output, "output", "o", "", "write output to this file instead of stdout")
	for _, newCmd := range commands {
		root.AddCommand(newCmd(a))
	}
	sort.Slice(root.Commands(), func(i, j int) bool { return root.Commands()[i].Name() < root.Commands()[j].Name() })
	return root
}

// withTarget opens the target named by the flags, runs fn, and closes the target on every path:
// success, error, panic, and SIGINT/SIGTERM (a live process is detached and keeps running).
func (a *app) withTarget(fn func(t *inspect.Target) error) (err error) {
	t, err := inspect.Open(a.target)
	if err != nil {
		return err
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-signals:
			t.Close()
			fmt.Fprintf(a.stderr, "memlens: interrupted by %v; target released\n", s)
			os.Exit(130)
		case <-done:
		}
	}()
	defer func() {
		close(done)
		signal.Stop(signals)
		if r := recover(); r != nil {
			if os.Getenv("MEMLENS_DEBUG") != "" {
				fmt.Fprintf(a.stderr, "%s\n", debug.Stack())
			}
			err = fmt.Errorf("internal error: %v (the target was released; set MEMLENS_DEBUG=1 for a stack trace and report it)", r)
		}
		if cerr := t.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("releasing the target: %w", cerr)
		}
	}()
	if os.Getenv("MEMLENS_TEST_HOLD_TARGET") != "" {
		// Test seam: hold the open target until a signal arrives, so tests can check that
		// SIGINT and SIGTERM release it.
		fmt.Fprintln(a.stderr, "memlens: holding the target for a test")
		select {}
	}
	return fn(t)
}

// outputFormat is the format to write: --format, else the -o file's extension, else text.
func (a *app) outputFormat() (render.Format, error) {
	if a.format != "" {
		return render.ParseFormat(a.format)
	}
	if a.output != "" {
		return render.FormatForPath(a.output), nil
	}
	return render.Text, nil
}

// emit writes a view in the chosen format to stdout or the -o file, as it renders (a large JSON
// document is not held in memory twice). A file left incomplete by an error is removed.
func (a *app) emit(v render.View) error {
	f, err := a.outputFormat()
	if err != nil {
		return err
	}
	if a.output == "" {
		w := bufio.NewWriter(a.stdout)
		if err := render.Write(w, f, v); err != nil {
			return err
		}
		return w.Flush()
	}
	file, err := os.Create(a.output)
	if err != nil {
		return fmt.Errorf("writing %s: %w", a.output, err)
	}
	w := bufio.NewWriter(file)
	err = render.Write(w, f, v)
	if err == nil {
		err = w.Flush()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(a.output)
		return fmt.Errorf("writing %s: %w", a.output, err)
	}
	return nil
}

// progressThreshold is the number of items below which a scan is quick enough to need no
// progress bar.
const progressThreshold = 20000

// progress returns a progress callback for a long scan that draws a bar on stderr when stderr is
// a terminal (and nothing otherwise), and a function that removes the bar when the scan ends.
// Short scans (fewer than progressThreshold items) draw nothing either.
func (a *app) progress(what string) (func(done, total int), func()) {
	f, ok := a.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, func() {}
	}
	var bar *progressbar.ProgressBar
	update := func(done, total int) {
		if total < progressThreshold {
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(io.Writer(f)),
				progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
		}
		bar.Set(done)
	}
	return update, func() {
		if bar != nil {
			bar.Finish()
		}
	}
}

// oneLine keeps the first line of a message.
func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
