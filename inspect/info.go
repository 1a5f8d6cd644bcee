package inspect

// Info is the summary of a target that `memlens info` shows.
type Info struct {
	// GoVersion is the toolchain that built the program ("go1.26.8").
	GoVersion string `json:"goVersion"`
	// Arch is the target's GOARCH ("amd64", "arm64").
	Arch string `json:"arch"`
	// PtrSize is the target's pointer size in bytes.
	PtrSize int `json:"ptrSize"`
	// Kind says what memory comes from: "live", "core" or "exe".
	Kind Kind `json:"kind"`
	// Pid is the live process id (live targets only).
	Pid int `json:"pid,omitempty"`
	// CorePid is the pid of the process that dumped the core, as the core records it.
	CorePid int `json:"corePid,omitempty"`
	// Core is the core dump's path, for core targets.
	Core string `json:"core,omitempty"`
	// Exe is the executable's path.
	Exe string `json:"exe"`
	// Goroutines counts the goroutines that are not dead and not system goroutines: what the
	// program's own runtime.NumGoroutine would have returned.
	Goroutines int `json:"goroutines"`
	// SystemGoroutines counts the runtime's own goroutines (GC workers, finalizers, ...).
	SystemGoroutines int `json:"systemGoroutines"`
	// Threads counts the OS threads of the process (the threads a core recorded).
	Threads int `json:"threads"`
	// BuildID is the Go build ID of the executable.
	BuildID string `json:"buildID"`
}

// Info summarises the target. Goroutine and thread counts are 0 for a static target.
func (t *Target) Info() (*Info, error) {
	in := &Info{
		GoVersion: t.GoVersion, Arch: t.Arch.Name, PtrSize: t.Arch.PtrSize, Kind: t.Kind,
		Core: t.Core, Exe: t.Exe, BuildID: t.BuildID,
	}
	switch t.Kind {
	case Live:
		in.Pid = t.Pid
	case CoreDump:
		in.CorePid = t.Pid
	}
	if t.proc == nil {
		return in, nil
	}
	gs, err := t.Goroutines()
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		if g.System {
			in.SystemGoroutines++
		} else {
			in.Goroutines++
		}
	}
	in.Threads = len(t.proc.ThreadList())
	return in, nil
}
