package inspect

// SetEntryMapPage makes Delve load read/dirty maps n entries at a time, and returns a function that
// restores the default.
func SetEntryMapPage(n int) (restore func()) {
	old := entryMapPage
	entryMapPage = n
	return func() { entryMapPage = old }
}
