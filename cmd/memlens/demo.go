package main

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"fmt"
	"html"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
)

// demoSource is the demo program: demoprog/*.go, built at run time with the local toolchain.
//
//go:embed demoprog/*.go
var demoSource embed.FS

// demoStep is one view `memlens demo` shows. Each feature registers its steps from init in its own
// command file, next to the command that shows the same view.
type demoStep struct {
	// Name is the base name of the step's files in the output directory ("chan-ring").
	Name string
	// Title is the step's heading in the text output and in index.html.
	Title string
	// Order sorts steps (info is 0; features use 10, 20, ...).
	Order int
	// View decodes the step's value from the running demo; report is what the demo printed.
	View func(t *inspect.Target, report map[string]string) (render.View, error)
}

var demoSteps []demoStep

// registerDemo adds a step to `memlens demo`.
func registerDemo(s demoStep) { demoSteps = append(demoSteps, s) }

func init() {
	register(newDemoCmd)
	registerDemo(demoStep{Name: "info", Title: "The target", Order: 0,
		View: func(t *inspect.Target, _ map[string]string) (render.View, error) {
			info, err := t.Info()
			if err != nil {
				return nil, err
			}
			return render.InfoView{Info: info}, nil
		}})
}

type demoOptions struct {
	dir   string
	goCmd string
}

func newDemoCmd(a *app) *cobra.Command {
	opts := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Build a small Go program, inspect it live and draw what memlens finds",
		Long: `demo builds the program embedded in memlens with the local Go toolchain, starts it,
attaches to it, prints every view memlens has of it and writes their diagrams (SVG and PNG) and an
index.html that shows them all into --dir. The demo program is stopped at the end.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return demoRun(a, opts) },
	}
	cmd.Flags().StringVar(&opts.dir, "dir", "memlens-demo", "directory for the diagrams and index.html")
	cmd.Flags().StringVar(&opts.goCmd, "go", "", "go command that builds the demo (default: go on PATH, else GOROOT's)")
	return cmd
}

func demoRun(a *app, opts *demoOptions) error {
	if a.target.Pid != 0 || a.target.Core != "" || a.target.Exe != "" {
		return inspect.UserError("demo makes its own target; it takes no --pid, --core or --exe")
	}
	work, err := os.MkdirTemp("", "memlens-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	fmt.Fprintf(a.stderr, "building the demo program...\n")
	exe, err := buildDemo(work, opts.goCmd)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	prog := exec.CommandContext(ctx, exe)
	prog.Stderr = a.stderr
	stdout, err := prog.StdoutPipe()
	if err != nil {
		return err
	}
	if err := prog.Start(); err != nil {
		return fmt.Errorf("starting the demo program: %w", err)
	}
	defer func() {
		prog.Process.Kill()
		prog.Wait()
	}()
	report, err := readDemoReport(stdout)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", opts.dir, err)
	}
	a.target = inspect.Options{Pid: prog.Process.Pid}
	var shown []demoStep
	err = a.withTarget(func(t *inspect.Target) error {
		sort.SliceStable(demoSteps, func(i, j int) bool { return demoSteps[i].Order < demoSteps[j].Order })
		for _, step := range demoSteps {
			view, err := step.View(t, report)
			if err != nil {
				return fmt.Errorf("demo step %s: %w", step.Name, err)
			}
			fmt.Fprintf(a.stdout, "== %s\n", step.Title)
			if err := render.Write(a.stdout, render.Text, view); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout)
			if err := writeDiagrams(opts.dir, step.Name, view); err != nil {
				return err
			}
			shown = append(shown, step)
		}
		return nil
	})
	if err != nil {
		return err
	}
	index := filepath.Join(opts.dir, "index.html")
	if err := os.WriteFile(index, demoIndex(shown, report), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Diagrams written to %s (open %s).\n", opts.dir, index)
	return nil
}

// buildDemo writes the embedded program into work and builds it.
func buildDemo(work, goCmd string) (string, error) {
	src := filepath.Join(work, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	files, _ := fs.Glob(demoSource, "demoprog/*.go")
	for _, f := range files {
		b, _ := demoSource.ReadFile(f)
		if err := os.WriteFile(filepath.Join(src, filepath.Base(f)), b, 0o644); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module memlensdemo\n\ngo 1.19\n"), 0o644); err != nil {
		return "", err
	}
	if goCmd == "" {
		goCmd = findGo()
	}
	exe := filepath.Join(work, "memlens-demo-program")
	build := exec.Command(goCmd, "build", "-o", exe, ".")
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	if out, err := build.CombinedOutput(); err != nil {
		return "", inspect.UserError("building the demo program with %s failed: %v: %s", goCmd, err, oneLine(string(out)))
	}
	return exe, nil
}

// findGo returns the go command: go on PATH, else the one of the toolchain memlens was built with.
func findGo() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// readDemoReport reads key=value lines up to "ready".
func readDemoReport(stdout interface{ Read([]byte) (int, error) }) (map[string]string, error) {
	report := map[string]string{}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(time.Minute)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return nil, fmt.Errorf("the demo program exited before it was ready")
			}
			if line == "ready" {
				go func() {
					for range lines {
					}
				}()
				return report, nil
			}
			if k, v, ok := strings.Cut(line, "="); ok {
				report[k] = v
			}
		case <-timeout:
			return nil, fmt.Errorf("the demo program was not ready within a minute")
		}
	}
}

// writeDiagrams writes a view's SVG and PNG diagrams, when it has one.
func writeDiagrams(dir, name string, v render.View) error {
	if v.Graph() == nil {
		return nil
	}
	for _, f := range []render.Format{render.SVG, render.PNG} {
		var buf bytes.Buffer
		if err := render.Write(&buf, f, v); err != nil {
			return fmt.Errorf("drawing %s as %s: %w", name, f, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"."+string(f)), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// demoIndex is an HTML page that shows every step's text and diagram.
func demoIndex(steps []demoStep, report map[string]string) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>memlens demo</title>\n")
	b.WriteString("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em} img{max-width:100%;border:1px solid #ddd;padding:8px} h2{border-bottom:1px solid #ccc}</style>\n")
	b.WriteString("</head><body>\n<h1>memlens demo</h1>\n")
	fmt.Fprintf(&b, "<p>The demo program (pid %s, %s) as memlens found it in memory.</p>\n", html.EscapeString(report["pid"]), html.EscapeString(report["goversion"]))
	for _, s := range steps {
		fmt.Fprintf(&b, "<h2>%s</h2>\n<p><a href=\"%s.svg\"><img src=\"%s.svg\" alt=\"%s\"></a></p>\n",
			html.EscapeString(s.Title), s.Name, s.Name, html.EscapeString(s.Title))
	}
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}
