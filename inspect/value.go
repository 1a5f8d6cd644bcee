package inspect

import (
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"
)

// ValueLoadConfig is how much of a value memlens loads to print it: enough for a one-line summary.
var ValueLoadConfig = proc.LoadConfig{
	FollowPointers: true, MaxVariableRecurse: 1, MaxStringLen: 64, MaxArrayValues: 16, MaxStructFields: -1,
}

// FormatValue prints the value of type typeName (as DWARF names it: "int64", "main.T",
// "*bytes.Buffer") stored at addr, on one line the way Delve would print it.
func (t *Target) FormatValue(typeName string, addr uint64) (string, error) {
	v, err := t.Eval(fmt.Sprintf("*(*%q)(%#x)", typeName, addr), ValueLoadConfig)
	if err != nil {
		return "", err
	}
	return FormatVariable(v), nil
}

// FormatVariable prints a loaded Delve variable on one line.
func FormatVariable(v *proc.Variable) string {
	return api.ConvertVar(v).SinglelineString()
}

// typeString names a variable's type for messages ("main.x has type int, not a channel").
func typeString(v *proc.Variable) string {
	for _, t := range []godwarf.Type{v.DwarfType, v.RealType} {
		if t != nil {
			if s := t.String(); s != "" {
				return s
			}
		}
	}
	return v.Kind.String()
}
