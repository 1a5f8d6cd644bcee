package layouts

import (
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/memlens/memlens/arch"
)

// The built-in tables: the runtime structures memlens decodes, for every Go release it supports,
// as data. Each field is a name, a type name (as DWARF spells it) and a size/alignment class; the
// offsets are computed from those with Arrange, the gc compiler's rules, for the word size and
// cache-line padding of the target architecture. builtin_tables.txt says how the file is written;
// gentables.go produced it from shared/runtime-layouts.md §9.1, and builtin_test.go checks every
// table against the DWARF of fixture binaries built with Go 1.19, 1.26 and 1.27 for both arches.

//go:embed builtin_tables.txt
var builtinText string

// Supported Go minor versions of the built-in tables.
const (
	MinGoMinor = 19
	MaxGoMinor = 27
)

// Tables are parsed built-in tables.
type Tables struct {
	types []*tableType
	byKey map[string]*tableType
}

// tableType is one runtime type's layouts across Go versions.
type tableType struct {
	// names are the names the table answers to; the first is the one the file uses.
	names  []string
	blocks []*tableBlock
}

// tableBlock is the layout a type has in a set of Go versions.
type tableBlock struct {
	minors []int
	// dwarfName is what those versions' DWARF calls the type (an alias target such as
	// internal/abi.Type for runtime._type from Go 1.21).
	dwarfName string
	fields    []tableField
}

type tableField struct {
	name, typeName, class string
	line                  int
}

var (
	defaultTables     *Tables
	defaultTablesErr  error
	defaultTablesOnce sync.Once
)

func builtinTables() (*Tables, error) {
	defaultTablesOnce.Do(func() { defaultTables, defaultTablesErr = ParseTables(builtinText) })
	return defaultTables, defaultTablesErr
}

// builtin looks a type up in the built-in tables.
func builtin(name string, goMinor int, a *arch.Arch) (*Layout, error) {
	tables, err := builtinTables()
	if err != nil {
		return nil, err
	}
	return tables.Lookup(name, goMinor, a)
}

// BuiltinNames lists the names the built-in tables answer to, sorted.
func BuiltinNames() []string {
	tables, err := builtinTables()
	if err != nil {
		return nil
	}
	return tables.Names()
}

// Names lists every name the tables answer to, sorted.
func (ts *Tables) Names() []string {
	var names []string
	for _, t := range ts.types {
		names = append(names, t.names...)
	}
	sort.Strings(names)
	return names
}

// Lookup computes the layout of a named type for a Go minor version and architecture.
func (ts *Tables) Lookup(name string, goMinor int, a *arch.Arch) (*Layout, error) {
	if a == nil || a.PtrSize == 0 {
		return nil, fmt.Errorf("no architecture given for the built-in layout of %s (supported: %s)", name, strings.Join(arch.Supported(), ", "))
	}
	if _, err := arch.ByName(a.Name); err != nil {
		return nil, err
	}
	if goMinor < MinGoMinor || goMinor > MaxGoMinor {
		return nil, fmt.Errorf("no built-in layouts for Go 1.%d: the built-in tables cover Go 1.%d through 1.%d", goMinor, MinGoMinor, MaxGoMinor)
	}
	t := ts.byKey[name]
	if t == nil {
		return nil, fmt.Errorf("no built-in layout of %s (built-in tables: %s)", name, strings.Join(ts.primaryNames(), ", "))
	}
	b := t.block(goMinor)
	if b == nil {
		return nil, fmt.Errorf("%s does not exist in Go 1.%d (the built-in tables have it for Go %s)", name, goMinor, t.versions())
	}
	return ts.compute(t, b, goMinor, a)
}

func (ts *Tables) primaryNames() []string {
	var names []string
	for _, t := range ts.types {
		names = append(names, t.names[0])
	}
	sort.Strings(names)
	return names
}

func (t *tableType) block(goMinor int) *tableBlock {
	for _, b := range t.blocks {
		for _, m := range b.minors {
			if m == goMinor {
				return b
			}
		}
	}
	return nil
}

// versions lists the Go versions the type has a table for, as "1.24, 1.25".
func (t *tableType) versions() string {
	var minors []int
	for _, b := range t.blocks {
		minors = append(minors, b.minors...)
	}
	sort.Ints(minors)
	s := make([]string, len(minors))
	for i, m := range minors {
		s[i] = fmt.Sprintf("1.%d", m)
	}
	return strings.Join(s, ", ")
}

func (ts *Tables) compute(t *tableType, b *tableBlock, goMinor int, a *arch.Arch) (*Layout, error) {
	fields := make([]Field, len(b.fields))
	for i, f := range b.fields {
		size, align, pad, err := evalClass(f.class, a, goMinor)
		if err != nil {
			return nil, fmt.Errorf("built-in table of %s for Go 1.%d, field %s (line %d): %v", t.names[0], goMinor, f.name, f.line, err)
		}
		typeName := strings.ReplaceAll(f.typeName, "{pad}", strconv.FormatInt(pad, 10))
		fields[i] = Field{Name: f.name, TypeName: typeName, Size: size, Align: align}
	}
	name := b.dwarfName
	if name == "" {
		name = t.names[0]
	}
	l := Arrange(name, fields, a)
	l.GoMinor = goMinor
	l.nested = func(typeName string) *Layout {
		nt := ts.byKey[typeName]
		if nt == nil || nt == t {
			return nil
		}
		nb := nt.block(goMinor)
		if nb == nil {
			return nil
		}
		sub, err := ts.compute(nt, nb, goMinor, a)
		if err != nil {
			return nil
		}
		return sub
	}
	return l, nil
}

// evalClass computes a field's size and alignment from its class:
//
//	N       N bytes, aligned to N (1, 2, 4 or 8)
//	N/A     N bytes, aligned to A
//	w, Nw   N words (N pointers), aligned to the word
//	cl/A    internal/cpu.CacheLinePad: arch.CacheLinePadSize bytes, aligned to A
//	N*cl(S)/A  N elements of S bytes each padded up to the runtime's cache-line pad size
//	        (arch.CacheLinePadSize), aligned to A; pad is the padding added to each element
func evalClass(class string, a *arch.Arch, goMinor int) (size, align, pad int64, err error) {
	word := int64(a.PtrSize)
	bad := func() (int64, int64, int64, error) {
		return 0, 0, 0, fmt.Errorf("bad size class %q", class)
	}
	num := func(s string) (int64, bool) {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil && n >= 0
	}
	if strings.HasSuffix(class, "w") {
		n := int64(1)
		if c := strings.TrimSuffix(class, "w"); c != "" {
			var ok bool
			if n, ok = num(c); !ok {
				return bad()
			}
		}
		return n * word, word, 0, nil
	}
	sizePart, alignPart, hasAlign := strings.Cut(class, "/")
	if sizePart == "cl" {
		al, ok := num(alignPart)
		if !ok || al == 0 {
			return bad()
		}
		return int64(a.CacheLinePadSize(goMinor)), al, 0, nil
	}
	if count, elem, ok := strings.Cut(sizePart, "*cl("); ok {
		n, ok1 := num(count)
		s, ok2 := num(strings.TrimSuffix(elem, ")"))
		al, ok3 := num(alignPart)
		if !ok1 || !ok2 || !ok3 || !hasAlign || !strings.HasSuffix(elem, ")") || al == 0 {
			return bad()
		}
		line := int64(a.CacheLinePadSize(goMinor))
		padded := roundUp(s, line)
		return n * padded, al, padded - s, nil
	}
	s, ok := num(sizePart)
	if !ok {
		return bad()
	}
	if !hasAlign {
		switch s {
		case 1, 2, 4, 8:
			return s, s, 0, nil
		}
		return bad()
	}
	al, ok := num(alignPart)
	if !ok || al == 0 || al&(al-1) != 0 {
		return bad()
	}
	return s, al, 0, nil
}

// ParseTables parses built-in tables written as builtin_tables.txt is:
//
//	# comment
//	type NAME [OTHER NAME...]        names the table answers to (old and new spellings)
//	go 1.19 1.20 [as DWARFNAME]      the Go versions of the layout that follows, and the name
//	                                  those versions' DWARF gives the type
//	FIELD<TAB>TYPE<TAB>CLASS          one line per field, in declaration order (see evalClass)
func ParseTables(src string) (*Tables, error) {
	ts := &Tables{byKey: map[string]*tableType{}}
	var cur *tableType
	var blk *tableBlock
	for i, line := range strings.Split(src, "\n") {
		n := i + 1
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		errf := func(format string, args ...any) error {
			return fmt.Errorf("built-in tables, line %d: %s", n, fmt.Sprintf(format, args...))
		}
		switch {
		case strings.HasPrefix(line, "type "):
			names := strings.Split(strings.TrimPrefix(line, "type "), "|")
			cur = &tableType{}
			for _, name := range names {
				name = strings.TrimSpace(name)
				if name == "" {
					return nil, errf("empty type name")
				}
				if ts.byKey[name] != nil {
					return nil, errf("type %s listed twice", name)
				}
				ts.byKey[name] = cur
				cur.names = append(cur.names, name)
			}
			ts.types = append(ts.types, cur)
			blk = nil
		case strings.HasPrefix(line, "go "):
			if cur == nil {
				return nil, errf("versions before any type")
			}
			spec, as, _ := strings.Cut(strings.TrimPrefix(line, "go "), " as ")
			blk = &tableBlock{dwarfName: strings.TrimSpace(as)}
			if blk.dwarfName != "" && ts.byKey[blk.dwarfName] != cur {
				return nil, errf("%s is not one of the names of %s", blk.dwarfName, cur.names[0])
			}
			for _, v := range strings.Fields(spec) {
				m, err := strconv.Atoi(strings.TrimPrefix(v, "1."))
				if err != nil || !strings.HasPrefix(v, "1.") || m < MinGoMinor || m > MaxGoMinor {
					return nil, errf("bad Go version %q", v)
				}
				if cur.block(m) != nil || containsInt(blk.minors, m) {
					return nil, errf("%s has two layouts for Go %s", cur.names[0], v)
				}
				blk.minors = append(blk.minors, m)
			}
			if len(blk.minors) == 0 {
				return nil, errf("no Go versions")
			}
			cur.blocks = append(cur.blocks, blk)
		default:
			if blk == nil {
				return nil, errf("field before any go line")
			}
			parts := strings.Split(strings.TrimSpace(line), "\t")
			if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
				return nil, errf("want FIELD<TAB>TYPE<TAB>CLASS, got %q", line)
			}
			f := tableField{name: parts[0], typeName: parts[1], class: parts[2], line: n}
			if _, _, _, err := evalClass(f.class, arch.AMD64, MaxGoMinor); err != nil {
				return nil, errf("%v", err)
			}
			blk.fields = append(blk.fields, f)
		}
	}
	return ts, nil
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}
