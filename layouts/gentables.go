//go:build ignore

// gentables writes builtin_tables.txt from the full layouts in §9.1 of shared/runtime-layouts.md
// (generated there from each Go release's source with go/types and checked against DWARF), then
// parses the file it wrote and checks that the offsets and sizes computed from it equal the
// appendix's for every version and both architectures.
//
//	go run gentables.go /work/shared/runtime-layouts.md > builtin_tables.txt
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/layouts"
)

// wanted are the appendix headings to turn into tables, with the other names each answers to.
var wanted = []struct {
	heading string
	names   []string
	dwarf   string // the DWARF name in every version, when not the heading
}{
	{"runtime.hchan", nil, ""},
	{"runtime.waitq", nil, ""},
	{"runtime.sudog", nil, ""},
	{"runtime.maybeTraceablePtr", nil, ""},
	{"runtime.maybeTraceableChan", nil, ""},
	{"runtime.iface", nil, ""},
	{"runtime.eface", nil, ""},
	{"runtime.itab", []string{"internal/abi.ITab"}, ""},
	{"runtime._type", []string{"internal/abi.Type"}, ""},
	{"runtime.interfacetype", []string{"internal/abi.InterfaceType"}, ""},
	{"runtime.uncommontype", []string{"internal/abi.UncommonType"}, ""},
	{"sync.Mutex", nil, ""},
	{"internal/sync.Mutex", nil, ""},
	{"sync.RWMutex", nil, ""},
	{"sync.Map", nil, ""},
	{"internal/sync.HashTrieMap", []string{"internal/sync.HashTrieMap[interface {},interface {}]"}, "internal/sync.HashTrieMap[interface {},interface {}]"},
	{"runtime.semaRoot", nil, ""},
	{"runtime.mutex", nil, ""},
	{"runtime.mspan", nil, ""},
	{"runtime.mSpanList", nil, ""},
	{"runtime.mheap", nil, ""},
	{"runtime.heapArena", nil, ""},
	{"runtime.g", nil, ""},
	{"runtime.gobuf", nil, ""},
	{"runtime.stack", nil, ""},
}

type field struct {
	off, size int64
	name, typ string
}

type block struct {
	minors []int
	arch   string // "" for amd64 = arm64
	alias  string
	size   int64
	fields []field
}

var (
	headingRE = regexp.MustCompile("^#### `([^`]+)`")
	versRE    = regexp.MustCompile(`^- \*\*([0-9., ()rc]+)\*\*(.*)$`)
	fieldRE   = regexp.MustCompile(`^\s+\+(\d+)\s+(\S+)\s+(.*?)\s+\((\d+)\)$`)
	centralRE = regexp.MustCompile(`^\[(\d+)\]struct \{(\w+) ([\w./]+); pad \[(\d+)\]uint8\}$`)
)

func main() {
	blocks := parseAppendix(os.Args[1])
	var out strings.Builder
	out.WriteString(header)
	for _, w := range wanted {
		bs := blocks[w.heading]
		if len(bs) == 0 {
			fail("no layouts of %s in the appendix", w.heading)
		}
		fmt.Fprintf(&out, "\ntype %s\n", strings.Join(append([]string{w.heading}, w.names...), " | "))
		for _, b := range merge(w.heading, bs) {
			vs := make([]string, len(b.minors))
			for i, m := range b.minors {
				vs[i] = fmt.Sprintf("1.%d", m)
			}
			fmt.Fprintf(&out, "go %s", strings.Join(vs, " "))
			if b.alias != "" {
				fmt.Fprintf(&out, " as %s", dwarfName(b.alias))
			} else if w.dwarf != "" {
				fmt.Fprintf(&out, " as %s", w.dwarf)
			}
			out.WriteString("\n")
			for _, f := range b.fields {
				typ, class := classify(f)
				fmt.Fprintf(&out, "%s\t%s\t%s\n", f.name, typ, class)
			}
		}
	}
	text := out.String()
	check(text, blocks)
	fmt.Print(text)
}

const header = `# Built-in layouts of the runtime structures memlens decodes, Go 1.19 through 1.27, written by
# gentables.go from shared/runtime-layouts.md §9.1 (computed there from each release's source with
# go/types). Offsets are not stored: layouts.Arrange computes them from the size/alignment classes
# (see evalClass in builtin.go) with the gc compiler's rules. builtin_test.go checks every table
# against the DWARF of fixtures built with Go 1.19, 1.26 and 1.27 for amd64 and arm64.
#
#   type NAME | OTHER NAME ...      names a table answers to (alias spellings across versions)
#   go 1.19 1.20 [as DWARFNAME]     the versions of the layout below and their DWARF name
#   FIELD<TAB>TYPE<TAB>CLASS        one field per line, in declaration order
`

func parseAppendix(path string) map[string][]*block {
	f, err := os.Open(path)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	out := map[string][]*block{}
	var heading string
	var cur *block
	var pendingMinors []int
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := headingRE.FindStringSubmatch(line); m != nil {
			heading, cur = m[1], nil
			continue
		}
		if heading == "" {
			continue
		}
		if m := versRE.FindStringSubmatch(line); m != nil {
			pendingMinors = nil
			for _, v := range strings.Split(m[1], ",") {
				v = strings.TrimSuffix(strings.TrimSpace(v), "(rc2)")
				n, err := strconv.Atoi(strings.TrimPrefix(v, "1."))
				if err != nil {
					fail("bad version %q in %s", v, line)
				}
				pendingMinors = append(pendingMinors, n)
			}
			rest := m[2]
			if strings.Contains(rest, "not present") {
				continue
			}
			a := ""
			if strings.Contains(rest, "amd64:") {
				a = "amd64"
			}
			cur = &block{minors: pendingMinors, arch: a}
			out[heading] = append(out[heading], cur)
			continue
		}
		if strings.TrimSpace(line) == "arm64:" && cur != nil {
			cur = &block{minors: pendingMinors, arch: "arm64"}
			out[heading] = append(out[heading], cur)
			continue
		}
		if cur == nil {
			continue
		}
		if strings.HasPrefix(line, "// type is an alias: = ") {
			cur.alias = strings.TrimPrefix(line, "// type is an alias: = ")
		} else if strings.HasPrefix(line, "size ") {
			cur.size, _ = strconv.ParseInt(strings.TrimPrefix(line, "size "), 10, 64)
		} else if m := fieldRE.FindStringSubmatch(line); m != nil {
			off, _ := strconv.ParseInt(m[1], 10, 64)
			size, _ := strconv.ParseInt(m[4], 10, 64)
			cur.fields = append(cur.fields, field{off: off, size: size, name: m[2], typ: dwarfName(m[3])})
		}
	}
	return out
}

// merge joins an amd64 block and the arm64 block of the same versions when they differ only in
// cache-line padding, which the classes compute; other pairs stay apart (and fail the check).
func merge(name string, bs []*block) []*block {
	var out []*block
	for i := 0; i < len(bs); i++ {
		b := bs[i]
		if b.arch == "amd64" && i+1 < len(bs) && bs[i+1].arch == "arm64" && len(bs[i+1].fields) == len(b.fields) {
			i++ // the arm64 layout is checked against the same table in check
		} else if b.arch != "" {
			fail("%s: a %s-only layout without its pair", name, b.arch)
		}
		out = append(out, b)
	}
	return out
}

// dwarfName rewrites go/types notation as DWARF spells types.
func dwarfName(s string) string {
	s = regexp.MustCompile(`\bbyte\b`).ReplaceAllString(s, "uint8")
	s = regexp.MustCompile(`\bany\b`).ReplaceAllString(s, "interface {}")
	s = strings.ReplaceAll(s, "struct{", "struct {")
	s = strings.ReplaceAll(s, "{}, ", "{},")
	return s
}

var fixed = map[string]string{
	"bool": "1", "int8": "1", "uint8": "1", "int16": "2", "uint16": "2", "int32": "4", "uint32": "4",
	"float32": "4", "int64": "8", "uint64": "8", "float64": "8", "complex64": "8/4", "complex128": "16/8",
	"int": "w", "uint": "w", "uintptr": "w", "unsafe.Pointer": "w", "string": "2w", "interface {}": "2w", "error": "2w",
}

// classify returns a field's type name and size class.
func classify(f field) (string, string) {
	if m := centralRE.FindStringSubmatch(f.typ); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		pad, _ := strconv.ParseInt(m[4], 10, 64)
		elem := f.size/n - pad
		return fmt.Sprintf("[%d]struct {%s %s; pad [{pad}]uint8}", n, m[2], m[3]), fmt.Sprintf("%d*cl(%d)/8", n, elem)
	}
	if f.typ == "internal/cpu.CacheLinePad" {
		return f.typ, "cl/1"
	}
	return f.typ, classOf(f.typ, f.size)
}

func classOf(typ string, size int64) string {
	if c, ok := fixed[typ]; ok {
		return c
	}
	switch {
	case strings.HasPrefix(typ, "*"), strings.HasPrefix(typ, "map["), strings.HasPrefix(typ, "chan "), strings.HasPrefix(typ, "func("):
		return "w"
	case strings.HasPrefix(typ, "[]"):
		return "3w"
	case strings.HasPrefix(typ, "interface {"):
		return "2w"
	}
	if m := regexp.MustCompile(`^\[(\d+)\](.*)$`).FindStringSubmatch(typ); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		if n == 0 {
			return "0/" + alignGuess(m[2], 0)
		}
		ec := classOf(m[2], size/n)
		switch {
		case ec == "w":
			return fmt.Sprintf("%dw", n)
		case strings.Contains(ec, "/"):
			s, a, _ := strings.Cut(ec, "/")
			es, _ := strconv.ParseInt(s, 10, 64)
			return fmt.Sprintf("%d/%s", n*es, a)
		default:
			es, _ := strconv.ParseInt(ec, 10, 64)
			return fmt.Sprintf("%d/%s", n*es, ec)
		}
	}
	return fmt.Sprintf("%d/%s", size, alignGuess(typ, size))
}

// alignGuess is the alignment of a named type the appendix gives only the size of; the check
// below and the DWARF test catch a wrong guess.
func alignGuess(typ string, size int64) string {
	switch typ {
	case "sync.Mutex", "internal/sync.Mutex", "sync.RWMutex": // {int32, uint32} and friends
		return "4"
	}
	for _, suffix := range []string{"atomic.Uint64", "atomic.Int64", "atomic.Float64"} {
		if strings.HasSuffix(typ, suffix) {
			return "8"
		}
	}
	switch {
	case size == 0:
		return "1"
	case size%8 == 0:
		return "8"
	case size%4 == 0:
		return "4"
	case size%2 == 0:
		return "2"
	}
	return "1"
}

// check parses the tables and compares every computed layout with the appendix.
func check(text string, blocks map[string][]*block) {
	ts, err := layouts.ParseTables(text)
	if err != nil {
		fail("%v", err)
	}
	bad := 0
	for _, w := range wanted {
		for _, b := range blocks[w.heading] {
			arches := []*arch.Arch{arch.AMD64, arch.ARM64}
			if b.arch == "amd64" {
				arches = arches[:1]
			} else if b.arch == "arm64" {
				arches = arches[1:]
			}
			for _, a := range arches {
				for _, m := range b.minors {
					l, err := ts.Lookup(w.heading, m, a)
					if err != nil {
						fail("%v", err)
					}
					if l.Size != b.size || len(l.Fields) != len(b.fields) {
						fmt.Fprintf(os.Stderr, "%s 1.%d %s: size %d fields %d, appendix %d/%d\n", w.heading, m, a.Name, l.Size, len(l.Fields), b.size, len(b.fields))
						bad++
						continue
					}
					for i, f := range b.fields {
						g := l.Fields[i]
						if g.Name != f.name || g.Offset != f.off || g.Size != f.size {
							fmt.Fprintf(os.Stderr, "%s 1.%d %s: %s +%d (%d), appendix %s +%d (%d)\n", w.heading, m, a.Name, g.Name, g.Offset, g.Size, f.name, f.off, f.size)
							bad++
						}
					}
				}
			}
		}
	}
	if bad > 0 {
		fail("%d mismatches with the appendix", bad)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gentables: "+format+"\n", args...)
	os.Exit(1)
}
