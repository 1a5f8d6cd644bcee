package layouts

import (
	"fmt"

	"github.com/memlens/memlens/arch"
)

// builtin looks a type up in the built-in tables.
func builtin(name string, goMinor int, a *arch.Arch) (*Layout, error) {
	return nil, fmt.Errorf("no built-in layout of %s for Go 1.%d on %s", name, goMinor, a.Name)
}
