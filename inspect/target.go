package inspect

import (
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/pkg/proc/core"
	"github.com/go-delve/delve/pkg/proc/native"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/layouts"
)

// Kind says what a Target reads from.
type Kind string

const (
	// Live is a running process memlens attached to with ptrace. It stays stopped while the
	// Target is open and resumes at Close.
	Live Kind = "live"
	// CoreDump is a core file together with the executable that produced it.
	CoreDump Kind = "core"
	// Static is an executable alone: types, symbols and layouts, no memory.
	Static Kind = "exe"
)

// Options say which target to open.
type Options struct {
	// Pid of a live process to attach to.
	Pid int
	// Core is the path of a core dump.
	Core string
	// Exe is the executable: with Core, the program that dumped it (default: the path the core
	// records); alone, a static target.
	Exe string
	// Force opens a core whose executable's build ID does not match the core's.
	Force bool
	// Goroutine and Frame select where expressions are evaluated: a goroutine id (0: the
	// current goroutine) and a frame number in its stack (0: the innermost).
	Goroutine int64
	Frame     int
}

// Target is an opened inspection target: a live process, a core dump, or an executable alone.
// It is not safe for concurrent use.
type Target struct {
	// Kind says whether memory comes from a live process, a core, or nowhere.
	Kind Kind
	// Arch is the target's architecture, from its ELF header.
	Arch *arch.Arch
	// Exe is the path of the executable whose symbols and DWARF are used.
	Exe string
	// Core is the path of the core dump (Kind == CoreDump).
	Core string
	// Pid is the live process id, or the pid recorded in a core (0 when unknown).
	Pid int
	// GoVersion is the toolchain that built the executable, as runtime.Version spells it
	// ("go1.26.8"), from the binary's build info.
	GoVersion string
	// GoMinor is the minor number of GoVersion (26 for go1.26.8).
	GoMinor int
	// BuildID is the Go build ID recorded in the executable (.note.go.buildid).
	BuildID string

	opts    Options
	group   *proc.TargetGroup // nil for static targets
	proc    *proc.Target      // nil for static targets
	bi      *proc.BinaryInfo
	mem     Memory // nil for static targets
	layouts map[string]*layouts.Layout
	// waitReasons caches runtime.waitReasonStrings (see waitReasonName).
	waitReasons []string

	closeOnce sync.Once
	closeErr  error
}

// Open opens the target opts describe. Every error it returns is a *TargetError that says what
// went wrong and what to do, fit to show the user as it is.
//
// A live process is stopped from Open until Close: callers must Close on every path.
func Open(opts Options) (*Target, error) {
	switch {
	case opts.Pid != 0 && opts.Core != "":
		return nil, userErr("--pid and --core name two targets; give one")
	case opts.Pid != 0:
		if opts.Exe != "" {
			return nil, userErr("--exe is not used with --pid: the executable is read from /proc/%d/exe", opts.Pid)
		}
		return openLive(opts)
	case opts.Core != "":
		return openCore(opts)
	case opts.Exe != "":
		return openStatic(opts)
	}
	return nil, userErr("no target: give --pid PID, --core FILE [--exe BIN], or --exe BIN")
}

// checkExecutable checks that path is a 64-bit ELF Go executable for a supported architecture
// with DWARF, and returns its architecture and build facts.
func checkExecutable(path, role string) (*arch.Arch, *buildinfo.BuildInfo, error) {
	f, err := elf.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, userErr("%s %s does not exist", role, path)
		}
		if errors.Is(err, os.ErrPermission) {
			return nil, nil, userErr("%s %s cannot be read: permission denied", role, path)
		}
		return nil, nil, userErr("%s %s is not an ELF executable (%v)", role, path, err)
	}
	defer f.Close()
	if f.Type == elf.ET_CORE {
		return nil, nil, userErr("%s %s is a core dump, not an executable; pass it with --core", role, path)
	}
	a, err := arch.FromELF(path)
	if err != nil {
		return nil, nil, userErr("%s: %v", role, err)
	}
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return nil, nil, userErr("%s %s is not a Go program (no Go build information: %v)", role, path, err)
	}
	if f.Section(".debug_info") == nil && f.Section(".zdebug_info") == nil {
		return nil, nil, userErr("%s %s is stripped (no DWARF debug info); memlens needs it: rebuild without -ldflags=-s or -w", role, path)
	}
	return a, info, nil
}

// goBuildID returns the Go build ID stored in an executable's .note.go.buildid note, with the
// note's virtual address and raw bytes so that it can be compared with a core's memory.
func goBuildID(path string) (id string, addr uint64, raw []byte) {
	f, err := elf.Open(path)
	if err != nil {
		return "", 0, nil
	}
	defer f.Close()
	s := f.Section(".note.go.buildid")
	if s == nil {
		return "", 0, nil
	}
	data, err := s.Data()
	if err != nil || len(data) < 16 {
		return "", 0, nil
	}
	// Note layout: namesz, descsz, type (4 bytes each), name "Go\0\0", desc = the build ID.
	descsz := f.ByteOrder.Uint32(data[4:8])
	if 16+int(descsz) > len(data) {
		return "", 0, nil
	}
	return string(data[16 : 16+descsz]), s.Addr, data
}

func goMinor(v string) int {
	m := regexp.MustCompile(`^go1\.(\d+)`).FindStringSubmatch(v)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func newTarget(kind Kind, opts Options, exe string, a *arch.Arch, info *buildinfo.BuildInfo) *Target {
	id, _, _ := goBuildID(exe)
	return &Target{
		Kind: kind, Arch: a, Exe: exe, Core: opts.Core, Pid: opts.Pid,
		GoVersion: info.GoVersion, GoMinor: goMinor(info.GoVersion), BuildID: id,
		opts: opts, layouts: map[string]*layouts.Layout{},
	}
}

func openStatic(opts Options) (*Target, error) {
	a, info, err := checkExecutable(opts.Exe, "executable")
	if err != nil {
		return nil, err
	}
	t := newTarget(Static, opts, opts.Exe, a, info)
	t.bi = proc.NewBinaryInfo("linux", a.Name, false)
	if err := t.bi.LoadBinaryInfo(opts.Exe, 0, nil); err != nil {
		return nil, userErr("reading debug info of %s: %v", opts.Exe, err)
	}
	return t, nil
}

func openLive(opts Options) (*Target, error) {
	pid := opts.Pid
	if pid < 0 {
		return nil, userErr("--pid %d is not a process id", pid)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
		return nil, userErr("no process with pid %d", pid)
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, ptraceErr(pid)
		}
		return nil, userErr("cannot find the executable of pid %d: %v", pid, err)
	}
	exe = strings.TrimSuffix(exe, " (deleted)")
	if base := filepath.Base(exe); strings.HasPrefix(base, "qemu-") {
		return nil, userErr("pid %d runs under %s; memlens cannot attach to emulated processes: make a core dump of it and use --core", pid, base)
	}
	a, info, err := checkExecutable(fmt.Sprintf("/proc/%d/exe", pid), fmt.Sprintf("the executable of pid %d (%s)", pid, exe))
	if err != nil {
		return nil, err
	}
	t := newTarget(Live, opts, exe, a, info)
	grp, err := attach(pid)
	if err != nil {
		if errors.Is(err, syscall.EPERM) || strings.Contains(err.Error(), "operation not permitted") {
			return nil, ptraceErr(pid)
		}
		return nil, userErr("attaching to pid %d: %v", pid, err)
	}
	t.group = grp
	t.proc = grp.Selected
	t.bi = t.proc.BinInfo()
	t.mem = readOnly{t.proc.Memory()}
	return t, nil
}

// attach runs Delve's native attach. Delve's ptrace calls must all come from one OS thread, which
// Delve arranges itself.
func attach(pid int) (*proc.TargetGroup, error) {
	return native.Attach(pid, nil, nil)
}

func ptraceErr(pid int) error {
	return userErr("not permitted to attach to pid %d with ptrace: run memlens as the process's user with ptrace allowed (as root, with CAP_SYS_PTRACE, or with /proc/sys/kernel/yama/ptrace_scope set to 0)", pid)
}

func openCore(opts Options) (*Target, error) {
	facts, err := readCoreFile(opts.Core)
	if err != nil {
		return nil, err
	}
	exe := opts.Exe
	if exe == "" {
		exe = facts.exePath()
		if exe == "" {
			return nil, userErr("core %s does not say which executable produced it; pass it with --exe", opts.Core)
		}
		if _, err := os.Stat(exe); err != nil {
			return nil, userErr("core %s was produced by %s, which does not exist here; pass the executable with --exe", opts.Core, exe)
		}
	}
	a, info, err := checkExecutable(exe, "executable")
	if err != nil {
		return nil, err
	}
	if a != facts.arch {
		return nil, userErr("core %s is an %s core but executable %s is %s: wrong executable", opts.Core, facts.arch.Name, exe, a.Name)
	}
	if err := facts.checkBuildID(exe); err != nil && !opts.Force {
		return nil, err
	}
	t := newTarget(CoreDump, opts, exe, a, info)
	t.Pid = facts.pid
	grp, err := core.OpenCore(opts.Core, exe, nil)
	if err != nil {
		return nil, userErr("reading core %s with executable %s: %v", opts.Core, exe, err)
	}
	t.group = grp
	t.proc = grp.Selected
	t.bi = t.proc.BinInfo()
	t.mem = readOnly{t.proc.Memory()}
	return t, nil
}

// Close releases the target. A live process is detached and resumes running; it is never
// killed. Close is safe to call more than once and from a signal handler's goroutine.
func (t *Target) Close() error {
	t.closeOnce.Do(func() {
		if t.group != nil {
			t.closeErr = t.group.Detach(false)
		} else if t.bi != nil {
			t.closeErr = t.bi.Close()
		}
	})
	return t.closeErr
}

// HasMemory reports whether the target has memory to read (a live process or a core).
func (t *Target) HasMemory() bool { return t.mem != nil }

// Memory returns the target's memory, read-only, or an error for a static target.
func (t *Target) Memory() (Memory, error) {
	if t.mem == nil {
		return nil, userErr("this needs a live process (--pid) or a core dump (--core); %s alone has no memory", t.Exe)
	}
	return t.mem, nil
}

// BinInfo returns Delve's view of the executable's symbols and DWARF.
func (t *Target) BinInfo() *proc.BinaryInfo { return t.bi }

// Proc returns Delve's process, or nil for a static target. Decoders use it for goroutines and
// expression evaluation; they must never resume, step or write through it.
func (t *Target) Proc() *proc.Target { return t.proc }

// FindType returns the DWARF type with the given name ("runtime.hchan", "main.T").
func (t *Target) FindType(name string) (godwarf.Type, error) {
	typ, err := t.bi.FindType(name)
	if err != nil {
		return nil, fmt.Errorf("type %s not found in the DWARF of %s", name, t.Exe)
	}
	return typ, nil
}

// Layout returns the layout of a named struct type of the target: from its DWARF when the type
// is there, otherwise from layouts' built-in tables for the target's Go version and architecture.
// Layouts are cached for the life of the Target.
func (t *Target) Layout(name string) (*layouts.Layout, error) {
	if l, ok := t.layouts[name]; ok {
		return l, nil
	}
	var l *layouts.Layout
	typ, err := t.bi.FindType(name)
	if err == nil {
		l, err = layouts.FromDWARF(typ, t.Arch)
	} else {
		l, err = layouts.Builtin(name, t.GoMinor, t.Arch)
	}
	if err != nil {
		return nil, err
	}
	t.layouts[name] = l
	return l, nil
}

// Eval evaluates a Delve expression ("main.ch", "*(*runtime.hchan)(0xc000012000)", a local) in
// the scope selected by Options.Goroutine and Options.Frame, loading the value with cfg.
func (t *Target) Eval(expr string, cfg proc.LoadConfig) (*proc.Variable, error) {
	if t.proc == nil {
		return nil, userErr("evaluating %q needs a live process (--pid) or a core dump (--core)", expr)
	}
	gid := t.opts.Goroutine
	if gid == 0 {
		gid = -1
	}
	scope, err := proc.ConvertEvalScope(t.proc, gid, t.opts.Frame, 0)
	if err != nil {
		if t.opts.Goroutine != 0 {
			return nil, userErr("cannot use goroutine %d frame %d: %v", t.opts.Goroutine, t.opts.Frame, err)
		}
		return nil, userErr("cannot set up a scope to evaluate %q: %v", expr, err)
	}
	v, err := scope.EvalExpression(expr, cfg)
	if err != nil {
		return nil, userErr("cannot evaluate %q: %v", expr, err)
	}
	if v.Unreadable != nil {
		return nil, userErr("%q is unreadable: %v", expr, v.Unreadable)
	}
	return v, nil
}
