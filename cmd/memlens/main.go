// Command memlens shows what Go's runtime data structures look like in memory: it attaches to a
// running Go process or opens a core dump, decodes the runtime's own structures and draws them.
//
// Each command lives in its own file as an options struct, a newXCmd that only parses flags into it,
// and a run function that does the work (the GitHub CLI's pattern); app.go holds what they share:
// the target flags, opening and always closing the target, and writing output.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/memlens/memlens/inspect"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes memlens with args and returns the exit status. Errors are printed to stderr as one
// line, "memlens: what happened and what to do".
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	root := app.rootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var te *inspect.TargetError
	if errors.As(err, &te) {
		fmt.Fprintf(stderr, "memlens: %s\n", te.Msg)
	} else {
		fmt.Fprintf(stderr, "memlens: %s\n", oneLine(err.Error()))
	}
	return 1
}
