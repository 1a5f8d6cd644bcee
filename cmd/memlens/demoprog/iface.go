package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// demoPoint is the small struct the demo's any holds.
type demoPoint struct {
	X, Y int
	Tag  string
}

// The interface values `memlens demo` draws.
var (
	demoReadWriter io.ReadWriter
	demoError      error
	demoAny        interface{}
)

func init() {
	setups = append(setups, func() {
		buf := bytes.NewBufferString("hello, interfaces")
		demoReadWriter = buf
		// Call both methods through the interface, so that the linker keeps them in the itab.
		var rw io.ReadWriter = demoReadWriter
		rw.Write([]byte("!"))
		p := make([]byte, 1)
		rw.Read(p)
		demoError = errors.New("file not found")
		demoAny = demoPoint{X: 3, Y: 4, Tag: "p"}
		report("iface.readwriter", fmt.Sprintf("%T", demoReadWriter))
		report("iface.error", demoError)
		report("iface.any", fmt.Sprintf("%+v", demoAny))
	})
}
