package inspect

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/memlens/memlens/arch"
)

// coreFile holds what memlens reads from a core dump's own ELF structure, before Delve opens it:
// enough to find the executable, check that it is the right one, and fail clearly on a damaged core.
type coreFile struct {
	path      string
	arch      *arch.Arch
	psinfoPid int      // pr_pid of NT_PRPSINFO: the process id
	minTid    int      // the lowest thread id of the NT_PRSTATUS notes
	threads   int      // number of NT_PRSTATUS notes: one per thread
	pid       int      // the process id: from NT_PRPSINFO, else the lowest thread id
	files     []string // NT_FILE mapped file names, in mapping order
	psargs    string   // NT_PRPSINFO pr_psargs: the command line, cut at 80 bytes
}

// Core note types (include/uapi/linux/elf.h); NT_FILE is 0x46494c45 ("FILE").
const (
	ntPrstatus = 1
	ntPrpsinfo = 3
	ntFile     = 0x46494c45
)

// readCoreFile opens a core and reads its notes. Offsets into the notes are those of the 64-bit
// Linux structures shared by amd64 and arm64: elf_prstatus.pr_pid at 32, elf_prpsinfo.pr_pid at
// 24 and pr_psargs at 56 (80 bytes).
func readCoreFile(path string) (*coreFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, userErr("core %s does not exist", path)
		}
		return nil, userErr("core %s cannot be opened: %v", path, err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, userErr("core %s cannot be read: %v", path, err)
	}
	f, err := elf.NewFile(fh)
	if err != nil {
		return nil, userErr("%s is not a core dump (not an ELF file: %v)", path, err)
	}
	if f.Type != elf.ET_CORE {
		return nil, userErr("%s is not a core dump (ELF type %v); an executable goes with --exe", path, f.Type)
	}
	a, err := arch.FromMachine(f.Machine)
	if err != nil || f.Class != elf.ELFCLASS64 {
		return nil, userErr("core %s: %v", path, err)
	}
	c := &coreFile{path: path, arch: a}
	loads := 0
	for _, p := range f.Progs {
		if p.Off+p.Filesz > uint64(st.Size()) {
			return nil, userErr("core %s is truncated: it is %d bytes but its segments need %d; the dump was cut short (disk full or a core size limit?)", path, st.Size(), p.Off+p.Filesz)
		}
		switch p.Type {
		case elf.PT_LOAD:
			loads++
		case elf.PT_NOTE:
			data, err := io.ReadAll(p.Open())
			if err != nil {
				return nil, userErr("core %s: reading notes: %v", path, err)
			}
			c.readNotes(data, f.ByteOrder)
		}
	}
	c.pid = c.psinfoPid
	if c.pid == 0 {
		c.pid = c.minTid
	}
	if loads == 0 {
		return nil, userErr("core %s has no memory segments", path)
	}
	return c, nil
}

func (c *coreFile) readNotes(data []byte, bo interface {
	Uint32([]byte) uint32
	Uint64([]byte) uint64
}) {
	align4 := func(n uint32) int { return int((n + 3) &^ 3) }
	for len(data) >= 12 {
		namesz, descsz, typ := bo.Uint32(data[0:]), bo.Uint32(data[4:]), bo.Uint32(data[8:])
		start := 12 + align4(namesz)
		end := start + int(descsz)
		if start > len(data) || end > len(data) {
			return
		}
		desc := data[start:end]
		switch typ {
		case ntPrstatus:
			// pr_pid of a thread's status is its thread id; the main thread's equals the pid.
			c.threads++
			if len(desc) >= 36 {
				if tid := int(bo.Uint32(desc[32:])); c.minTid == 0 || tid < c.minTid {
					c.minTid = tid
				}
			}
		case ntPrpsinfo:
			if len(desc) >= 136 {
				c.psinfoPid = int(bo.Uint32(desc[24:]))
				c.psargs = strings.TrimRight(string(desc[56:136]), "\x00 ")
			}
		case ntFile:
			c.files = parseNTFile(desc, bo)
		}
		next := 12 + align4(namesz) + align4(descsz)
		if next > len(data) {
			return
		}
		data = data[next:]
	}
}

// parseNTFile decodes an NT_FILE note: count, page size, count (start, end, offset) triples,
// then count NUL-terminated file names.
func parseNTFile(desc []byte, bo interface{ Uint64([]byte) uint64 }) []string {
	if len(desc) < 16 {
		return nil
	}
	count := bo.Uint64(desc)
	if count > uint64(len(desc))/24 {
		return nil
	}
	names := desc[16+24*count:]
	var files []string
	for i := uint64(0); i < count && len(names) > 0; i++ {
		n := bytes.IndexByte(names, 0)
		if n < 0 {
			n = len(names)
		}
		files = append(files, string(names[:n]))
		if n == len(names) {
			break
		}
		names = names[n+1:]
	}
	return files
}

// exePath returns the executable the core records: the first mapped file that is an ELF
// executable of the core's architecture, or else the first word of the command line.
func (c *coreFile) exePath() string {
	seen := map[string]bool{}
	for _, name := range c.files {
		if seen[name] {
			continue
		}
		seen[name] = true
		if f, err := elf.Open(name); err == nil {
			ok := f.Type == elf.ET_EXEC || f.Type == elf.ET_DYN && f.Section(".interp") != nil
			ok = ok && f.Machine == c.arch.ELFMachine
			f.Close()
			if ok {
				return name
			}
		}
	}
	if fields := strings.Fields(c.psargs); len(fields) > 0 {
		return fields[0]
	}
	return ""
}

// readCoreAt reads memory at a virtual address from a core's own segments; it reports false when
// the core does not hold those bytes.
func readCoreAt(core *elf.File, addr uint64, n int) ([]byte, bool) {
	for _, p := range core.Progs {
		if p.Type == elf.PT_LOAD && addr >= p.Vaddr && addr+uint64(n) <= p.Vaddr+p.Filesz {
			buf := make([]byte, n)
			if _, err := p.ReadAt(buf, int64(addr-p.Vaddr)); err != nil {
				return nil, false
			}
			return buf, true
		}
	}
	return nil, false
}

// checkBuildID checks that exe is the program that dumped the core, comparing bytes the two must
// share. First the Go build ID note: the kernel dumps the first page of mapped ELF files, which
// holds it. qemu dumps no executable text but does dump read-only data, so when the note is not in
// the core, samples of the executable's read-only segments are compared instead. A core that holds
// none of those bytes cannot be checked and is accepted.
func (c *coreFile) checkBuildID(exe string) error {
	core, err := elf.Open(c.path)
	if err != nil {
		return nil
	}
	defer core.Close()
	id, addr, raw := goBuildID(exe)
	mismatch := func(detail string) error {
		return userErr("core %s was not produced by %s: %s; pass the right --exe, or --force to read it anyway", c.path, exe, detail)
	}
	if raw != nil {
		if got, ok := readCoreAt(core, addr, len(raw)); ok {
			if bytes.Equal(got, raw) {
				return nil
			}
			if bytes.HasPrefix(got[12:], []byte("Go\x00\x00")) {
				return mismatch(fmt.Sprintf("the build IDs differ (core %s, executable %s)", shorten(strings.TrimRight(string(got[16:]), "\x00")), shorten(id)))
			}
			return mismatch(fmt.Sprintf("the core does not hold the executable's build ID %s", shorten(id)))
		}
	}
	ef, err := elf.Open(exe)
	if err != nil {
		return nil
	}
	defer ef.Close()
	const sample = 64 << 10
	for _, p := range ef.Progs {
		if p.Type != elf.PT_LOAD || p.Flags&elf.PF_W != 0 || p.Filesz == 0 {
			continue
		}
		n := p.Filesz
		if n > sample {
			n = sample
		}
		got, ok := readCoreAt(core, p.Vaddr, int(n))
		if !ok {
			continue
		}
		want := make([]byte, n)
		if _, err := p.ReadAt(want, 0); err != nil {
			return nil
		}
		if !bytes.Equal(got, want) {
			return mismatch(fmt.Sprintf("the executable's read-only segment at %#x differs from the core's memory (executable build ID %s)", p.Vaddr, shorten(id)))
		}
		return nil
	}
	return nil
}

func shorten(id string) string {
	if len(id) > 24 {
		return id[:24] + "..."
	}
	return id
}
