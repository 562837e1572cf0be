package workers

// CatalogueVersion is the catalogue version this process has loaded (0
// before its first load). A product change is matched once it reaches the
// store's version: tests wait on it instead of sleeping.
func (w *Workers) CatalogueVersion() int64 { return w.cat.version() }
