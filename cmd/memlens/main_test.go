package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/goccy/go-graphviz"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

// memlens runs the CLI in-process and returns its exit status, stdout and stderr.
func memlens(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// execMemlens runs the command line in-process and returns stdout, stderr and the error (before
// run turns it into a line and an exit status).
func execMemlens(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newApp(&out, &errOut).rootCmd()
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errOut.String(), err
}

// memlensOn runs the command line in-process on a fixture target (its target flags appended) and
// returns stdout and the error.
func memlensOn(t *testing.T, tg *fixtures.Target, args ...string) (string, error) {
	t.Helper()
	out, _, err := execMemlens(t, append(append([]string{}, args...), tg.Args()...)...)
	return out, err
}

// checkOneLineError checks the shape every user mistake must have: exit status 1 and one line on
// stderr that starts with "memlens: " and contains want; no stack trace.
func checkOneLineError(t *testing.T, code int, stderr, want string) {
	t.Helper()
	if code != 1 {
		t.Errorf("exit status %d, want 1 (stderr %q)", code, stderr)
	}
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "memlens: ") {
		t.Errorf("stderr is not one memlens: line: %q", stderr)
	}
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr %q does not say %q", stderr, want)
	}
	if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
		t.Errorf("stderr shows a Go stack trace: %q", stderr)
	}
}

func TestInfoJSON(t *testing.T) {
	fixtures.ForEach(t, "basic", func(t *testing.T, tg *fixtures.Target) {
		args := append([]string{"info", "--format", "json"}, tg.Args()...)
		code, stdout, stderr := memlens(args...)
		if code != 0 {
			t.Fatalf("memlens %v: exit %d: %s", args, code, stderr)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("info JSON does not parse: %v\n%s", err, stdout)
		}
		want := map[string]any{
			"goVersion":  tg.Report.Get(t, "goversion"),
			"arch":       tg.Report.Get(t, "goarch"),
			"ptrSize":    float64(8),
			"goroutines": float64(tg.Report.Int(t, "goroutines")),
			"exe":        tg.Exe,
		}
		if tg.Mode == fixtures.Live {
			want["pid"] = float64(tg.Pid)
		} else {
			want["core"] = tg.Core
			want["corePid"] = float64(tg.Pid)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %v (%T), want %v", k, got[k], got[k], v)
			}
		}
		if _, ok := got["pid"]; ok && tg.Mode == fixtures.Core {
			t.Errorf("pid is for live targets only, got %v for a core", got["pid"])
		}
		if n, ok := got["threads"].(float64); !ok || n < 1 {
			t.Errorf("threads = %v, want a positive number", got["threads"])
		}
		if id, ok := got["buildID"].(string); !ok || id == "" {
			t.Errorf("buildID = %v, want the Go build ID", got["buildID"])
		}
		if tg.Mode == fixtures.Live {
			tg.Ping(t)
		}
	})
}

// TestInfoStatic reads an executable alone: build facts, no memory.
func TestInfoStatic(t *testing.T) {
	for _, tc := range fixtures.Toolchains {
		exe := fixtures.Build(t, "basic", tc, "arm64", nil)
		code, stdout, stderr := memlens("--exe", exe, "info", "--format", "json")
		if code != 0 {
			t.Fatalf("%s: %s", tc.Name, stderr)
		}
		var got struct {
			GoVersion, Arch, Kind string
			Goroutines            int
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(got.GoVersion, tc.Name) || got.Arch != "arm64" || got.Kind != "exe" || got.Goroutines != 0 {
			t.Errorf("%s: info --exe = %+v", tc.Name, got)
		}
	}
}

// TestOutputFormats writes every format through -o and checks that each file is what its
// extension promises: JSON that parses, DOT that Graphviz parses, an SVG document, a PNG image.
func TestOutputFormats(t *testing.T) {
	tg := fixtures.Start(t, "basic", fixtures.Toolchains[1], "amd64", fixtures.Core, nil)
	dir := t.TempDir()
	for _, ext := range []string{"txt", "json", "dot", "svg", "png"} {
		out := filepath.Join(dir, "info."+ext)
		code, _, stderr := memlens(append([]string{"info", "-o", out}, tg.Args()...)...)
		if code != 0 {
			t.Fatalf("-o %s: exit %d: %s", out, code, stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		switch ext {
		case "txt":
			if !strings.Contains(string(b), "Go version:") {
				t.Errorf("text output lacks the Go version: %q", b)
			}
		case "json":
			if !json.Valid(b) {
				t.Errorf("JSON output does not parse: %s", b)
			}
		case "dot":
			g, err := graphviz.ParseBytes(b)
			if err != nil {
				t.Errorf("DOT output does not parse: %v\n%s", err, b)
			} else {
				g.Close()
			}
		case "svg":
			if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("</svg>")) {
				t.Errorf("SVG output is not an SVG document: %.200s", b)
			}
		case "png":
			if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
				t.Errorf("PNG output does not start with the PNG signature: % x", b[:8])
			}
		}
	}
	// --format wins over the extension.
	out := filepath.Join(dir, "info.txt")
	if code, _, stderr := memlens(append([]string{"info", "--format", "json", "-o", out}, tg.Args()...)...); code != 0 {
		t.Fatal(stderr)
	}
	if b, _ := os.ReadFile(out); !json.Valid(b) {
		t.Errorf("--format json -o info.txt did not write JSON: %s", b)
	}
	code, _, stderr := memlens(append([]string{"info", "--format", "yaml"}, tg.Args()...)...)
	checkOneLineError(t, code, stderr, `unknown format "yaml"`)
}

// TestBadTargets checks that every kind of bad target gives one clear line and exit status 1.
func TestBadTargets(t *testing.T) {
	tc := fixtures.Toolchains[1]
	core := fixtures.Start(t, "basic", tc, "amd64", fixtures.Core, nil)
	armCore := fixtures.Start(t, "basic", tc, "arm64", fixtures.Core, nil)
	otherExe := fixtures.Build(t, "basic", fixtures.Toolchains[0], "amd64", nil)
	otherArmExe := fixtures.Build(t, "basic", fixtures.Toolchains[2], "arm64", nil)
	dir := t.TempDir()

	stripped := filepath.Join(dir, "stripped")
	if out, err := exec.Command("objcopy", "--strip-debug", core.Exe, stripped).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v %s", err, out)
	}
	truncated := filepath.Join(dir, "truncated.core")
	b, err := os.ReadFile(core.Core)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(truncated, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	notELF := filepath.Join(dir, "garbage.core")
	os.WriteFile(notELF, []byte("this is not a core dump\n"), 0o644)

	sleep := exec.Command("sleep", "60")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"info"}, "no target"},
		{"no such pid", []string{"info", "--pid", "999999999"}, "no process with pid 999999999"},
		{"not a Go process", []string{"info", "--pid", itoa(sleep.Process.Pid)}, "is not a Go program"},
		{"not a Go executable", []string{"info", "--exe", "/bin/sh"}, "is not a Go program"},
		{"stripped", []string{"info", "--exe", stripped}, "is stripped (no DWARF"},
		{"missing core", []string{"info", "--core", filepath.Join(dir, "nope")}, "does not exist"},
		{"non-ELF core", []string{"info", "--core", notELF, "--exe", core.Exe}, "is not a core dump"},
		{"executable as core", []string{"info", "--core", core.Exe}, "is not a core dump"},
		{"truncated core", []string{"info", "--core", truncated, "--exe", core.Exe}, "is truncated"},
		{"wrong executable", []string{"info", "--core", core.Core, "--exe", otherExe}, "was not produced by"},
		{"wrong executable arm64", []string{"info", "--core", armCore.Core, "--exe", otherArmExe}, "was not produced by"},
		{"wrong architecture", []string{"info", "--core", armCore.Core, "--exe", core.Exe}, "wrong executable"},
		{"stripped with core", []string{"info", "--core", core.Core, "--exe", stripped}, "is stripped"},
		{"two targets", []string{"info", "--pid", "1", "--core", core.Core}, "give one"},
		{"unknown flag", []string{"info", "--pidd", "1"}, "unknown flag"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := memlens(c.args...)
			checkOneLineError(t, code, stderr, c.want)
		})
	}

	// --force reads a core with a mismatched executable anyway: it gets past the check.
	code, _, stderr := memlens("info", "--core", core.Core, "--exe", otherExe, "--force")
	if strings.Contains(stderr, "was not produced by") {
		t.Errorf("--force did not skip the build ID check: exit %d %s", code, stderr)
	}
	// Without --exe, the executable recorded in the core is used.
	code, stdout, stderr := memlens("info", "--core", core.Core)
	if code != 0 || !strings.Contains(stdout, core.Exe) {
		t.Errorf("info --core without --exe: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestPtraceDenied attaches while the fixture is already traced (by a first attach): the kernel
// refuses a second tracer with EPERM, as it does without permission.
func TestPtraceDenied(t *testing.T) {
	tg := fixtures.Start(t, "basic", fixtures.Toolchains[1], "amd64", fixtures.Live, nil)
	first, err := inspect.Open(inspect.Options{Pid: tg.Pid})
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := memlens("info", "--pid", itoa(tg.Pid))
	first.Close()
	checkOneLineError(t, code, stderr, "not permitted to attach")
	if !strings.Contains(stderr, "ptrace_scope") {
		t.Errorf("the ptrace error does not say what to do: %q", stderr)
	}
	tg.Ping(t)
}

// TestDetachOnPanic checks that a panic while a live target is open releases the target, which
// keeps running, and becomes one error line.
func TestDetachOnPanic(t *testing.T) {
	tg := fixtures.Start(t, "basic", fixtures.Toolchains[2], "amd64", fixtures.Live, nil)
	a := newApp(os.Stdout, os.Stderr)
	a.target.Pid = tg.Pid
	err := a.withTarget(func(*inspect.Target) error { panic("decoder bug") })
	if err == nil || !strings.Contains(err.Error(), "internal error: decoder bug") {
		t.Fatalf("withTarget after a panic returned %v", err)
	}
	tg.Ping(t)
	// And after an ordinary error.
	err = a.withTarget(func(*inspect.Target) error { return errors.New("decoder failed") })
	if err == nil || err.Error() != "decoder failed" {
		t.Fatalf("withTarget returned %v", err)
	}
	tg.Ping(t)
}

// TestMain lets tests run the test binary itself as memlens (MEMLENS_RUN_MAIN=1), for the cases
// that need a separate process, such as being interrupted by a signal.
func TestMain(m *testing.M) {
	if os.Getenv("MEMLENS_RUN_MAIN") != "" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestDetachOnSignal interrupts memlens while it holds a live target and checks that the target
// was released and keeps running.
func TestDetachOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			tg := fixtures.Start(t, "basic", fixtures.Toolchains[1], "amd64", fixtures.Live, nil)
			cmd := exec.Command(os.Args[0], "info", "--pid", itoa(tg.Pid))
			cmd.Env = append(os.Environ(), "MEMLENS_RUN_MAIN=1", "MEMLENS_TEST_HOLD_TARGET=1")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stderr)
			if !sc.Scan() || !strings.Contains(sc.Text(), "holding the target") {
				cmd.Process.Kill()
				t.Fatalf("memlens did not open the target: %q", sc.Text())
			}
			if state := fixtures.ProcessState(tg.Pid); state != "t" && state != "T" {
				t.Errorf("while memlens holds it, the target's state is %q, want stopped", state)
			}
			cmd.Process.Signal(sig)
			var rest strings.Builder
			for sc.Scan() {
				rest.WriteString(sc.Text() + "\n")
			}
			err = cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 130 {
				t.Errorf("memlens exited with %v, want status 130", err)
			}
			if !strings.Contains(rest.String(), "target released") {
				t.Errorf("stderr after %v: %q", sig, rest.String())
			}
			tg.Ping(t)
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
