package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/layouts"
	"github.com/memlens/memlens/render"
)

func init() {
	register(newLayoutCmd)
	registerDemo(demoStep{Name: "layout", Title: "A struct with padding, field by field (memlens layout main.layoutDemo --suggest)", Order: 5,
		View: func(t *inspect.Target, _ map[string]string) (render.View, error) {
			sv, err := t.EvalStruct("main.layoutDemo", 0, 16)
			if err != nil {
				return nil, err
			}
			return render.LayoutView{Layout: sv.Layout, Source: dwarfSource(t), CacheLine: int64(t.Arch.CacheLine),
				Suggest: true, Expr: sv.Expr, Addr: sv.Addr, Values: sv.Values}, nil
		}})
}

// layoutOptions are the flags of `memlens layout`.
type layoutOptions struct {
	goVersion string
	archName  string
	cacheLine int
	expand    int
	limit     int
	suggest   bool
}

func newLayoutCmd(a *app) *cobra.Command {
	opts := &layoutOptions{}
	cmd := &cobra.Command{
		Use:   "layout TYPE|EXPR",
		Short: "Show a struct's memory layout: offsets, sizes, holes, cache lines (like pahole, right for Go)",
		Long: `layout shows where each field of a Go struct lies: offset, size, type and name, the holes
(padding) between fields and at the end, and cache-line boundaries.

  memlens --exe BIN layout main.T                  from the binary's DWARF
  memlens layout runtime.hchan --go 1.22 --arch arm64   from memlens's built-in tables, no binary
  memlens --pid N layout main.cfg                  a variable: each field's current value too

--suggest adds the field order that minimises padding and the bytes it saves (nothing when the
order is already optimal); --expand N shows nested structs and arrays N levels deep.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return layoutRun(a, opts, args[0]) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.goVersion, "go", "", "Go version for the built-in tables when there is no target (1.19 to 1.27)")
	f.StringVar(&opts.archName, "arch", "", "architecture for the built-in tables when there is no target (amd64 or arm64; default amd64)")
	f.IntVar(&opts.cacheLine, "cache-line", 0, "cache-line size in bytes for the boundaries (default: the architecture's)")
	f.IntVar(&opts.expand, "expand", 0, "show nested structs and arrays this many levels deep")
	f.IntVar(&opts.limit, "limit", 16, "show at most this many elements of each expanded array and cache lines in diagrams")
	f.BoolVar(&opts.suggest, "suggest", false, "also show the field order that minimises padding")
	return cmd
}

func layoutRun(a *app, opts *layoutOptions, name string) error {
	if opts.cacheLine < 0 || opts.expand < 0 || opts.limit < 1 {
		return inspect.UserError("--cache-line and --expand must not be negative, and --limit must be at least 1")
	}
	if a.target.Pid == 0 && a.target.Core == "" && a.target.Exe == "" {
		return layoutFromTables(a, opts, name)
	}
	if opts.goVersion != "" || opts.archName != "" {
		return inspect.UserError("--go and --arch choose the built-in tables when there is no target; with a target, its own version and architecture are used")
	}
	return a.withTarget(func(t *inspect.Target) error {
		view := render.LayoutView{CacheLine: cacheLine(opts, t.Arch), Expand: opts.expand, Limit: opts.limit, Suggest: opts.suggest}
		if t.HasMemory() && !t.IsTypeName(name) {
			sv, err := t.EvalStruct(name, opts.expand, opts.limit)
			if err != nil {
				// Only a name that evaluates to nothing may have been meant as a type.
				if !strings.HasPrefix(err.Error(), "cannot evaluate") || strings.ContainsAny(name, "(*&[") || !strings.Contains(name, ".") {
					return err
				}
				if close := t.ClosestTypeNames(name, 6); len(close) > 0 {
					return inspect.UserError("%s is neither a type nor a variable of the target; closest type names: %s", name, strings.Join(close, ", "))
				}
				return inspect.UserError("%s is neither a type nor a variable of the target (%s)", name, strings.TrimPrefix(err.Error(), "cannot evaluate "))
			}
			view.Layout, view.Source, view.Expr, view.Addr, view.Values = sv.Layout, dwarfSource(t), sv.Expr, sv.Addr, sv.Values
			return a.emit(view)
		}
		l, err := t.LayoutOf(name)
		if err != nil {
			return err
		}
		view.Layout, view.Source = l, dwarfSource(t)
		if l.Name != name {
			view.Source += fmt.Sprintf("; %s is an alias of %s", name, l.Name)
		}
		if l.GoMinor > 0 {
			view.Source = fmt.Sprintf("built-in table for Go 1.%d (not in the DWARF of %s)", l.GoMinor, filepath.Base(t.Exe))
		}
		return a.emit(view)
	})
}

// layoutFromTables answers from the built-in tables, for --go and --arch with no target.
func layoutFromTables(a *app, opts *layoutOptions, name string) error {
	if opts.goVersion == "" {
		return inspect.UserError("layout of %s needs a target (--exe BIN, --pid PID or --core FILE) or, for the built-in tables, --go VERSION [--arch ARCH]", name)
	}
	minor, ok := parseGoMinor(opts.goVersion)
	if !ok || minor < layouts.MinGoMinor || minor > layouts.MaxGoMinor {
		return inspect.UserError("--go %s is not supported: the built-in tables cover Go 1.%d through 1.%d", opts.goVersion, layouts.MinGoMinor, layouts.MaxGoMinor)
	}
	archName := opts.archName
	if archName == "" {
		archName = "amd64"
	}
	ar, err := arch.ByName(archName)
	if err != nil {
		return inspect.UserError("--arch: %v", err)
	}
	l, err := layouts.Builtin(name, minor, ar)
	if err != nil {
		if strings.HasPrefix(err.Error(), "no built-in layout of") {
			close := layouts.Closest(name, layouts.BuiltinNames(), 6)
			if len(close) > 0 {
				return inspect.UserError("no built-in layout of %s; closest names: %s (give --exe BIN for any type of a binary)", name, strings.Join(close, ", "))
			}
		}
		return inspect.UserError("%v", err)
	}
	return a.emit(render.LayoutView{Layout: l, Source: fmt.Sprintf("built-in table for Go 1.%d", minor),
		CacheLine: cacheLine(opts, ar), Expand: opts.expand, Limit: opts.limit, Suggest: opts.suggest})
}

// parseGoMinor reads "1.22", "go1.22" or "1.22.3" as 22.
func parseGoMinor(v string) (int, bool) {
	v = strings.TrimPrefix(v, "go")
	rest, ok := strings.CutPrefix(v, "1.")
	if !ok {
		return 0, false
	}
	minorStr, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(minorStr)
	return n, err == nil
}

func cacheLine(opts *layoutOptions, a *arch.Arch) int64 {
	if opts.cacheLine > 0 {
		return int64(opts.cacheLine)
	}
	return int64(a.CacheLine)
}

func dwarfSource(t *inspect.Target) string {
	return fmt.Sprintf("DWARF of %s, %s", filepath.Base(t.Exe), t.GoVersion)
}
