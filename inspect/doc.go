// Package inspect opens inspection targets (a live process through ptrace, a core dump with its
// executable, or an executable alone) through Delve's pkg/proc, reads their memory in bulk, and
// decodes the Go runtime's structures into plain Go values: one file per runtime structure
// (chan.go for runtime.hchan, and so on).
//
// inspect owns everything that touches a target. It never writes target memory, never resumes or
// steps a process, and always detaches (Target.Close). Struct layouts come from package layouts;
// architecture facts from package arch. Rendering lives in package render, which sees only the
// decoded values defined here.
//
// Every assumption about a runtime field (its name, type and the Go versions it holds for) is
// written next to the code that relies on it and checked by tests against fixture binaries built
// with every supported toolchain, for amd64 and arm64.
package inspect
