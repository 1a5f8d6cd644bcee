package inspect

import "fmt"

// TargetError is a mistake in what the user asked for or a target that cannot be read: a missing
// process, a core with the wrong executable, a stripped binary, an expression of the wrong kind.
// Its message is one line fit to show the user as it is, saying what happened and what to do.
// Errors of any other type are internal failures.
type TargetError struct {
	Msg string
}

func (e *TargetError) Error() string { return e.Msg }

func userErr(format string, args ...any) error {
	return &TargetError{Msg: fmt.Sprintf(format, args...)}
}

// UserError builds a TargetError; decoders use it for expressions that do not name the right
// kind of value ("main.x is an int, not a channel").
func UserError(format string, args ...any) error { return userErr(format, args...) }
