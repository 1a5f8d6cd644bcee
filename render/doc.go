// Package render turns decoded values into what the user sees: text, JSON, Graphviz DOT, SVG and
// PNG. It sees only decoded values (types from package inspect and layouts); it never reads
// target memory.
//
// Every structure has one file here (chan.go for channels, and so on) with a View: a value that can
// write itself as text, give the value to marshal as JSON (a stable contract: addresses as "0x..."
// strings, counts as numbers, booleans as booleans), and build a Graph for the diagram formats.
// One Graph model feeds DOT, SVG and PNG; SVG and PNG are rendered in-process by go-graphviz,
// so memlens needs no system Graphviz. Every diagram is bounded: a View that would draw more than
// its limit draws a visible "N more" node instead.
package render
