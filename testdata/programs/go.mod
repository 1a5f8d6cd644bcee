// Fixture programs: small Go programs that build a known runtime state, print what they built and
// wait to be inspected. The module says go 1.19 so that every supported toolchain builds it.
module memlens.test/programs

go 1.19
