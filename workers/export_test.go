package workers

// CatalogueSizes is how many products the process's loaded catalogue holds
// as lenders and as enhancers.
func CatalogueSizes(w *Workers) (lenders, enhancers int) {
	w.cat.mu.RLock()
	defer w.cat.mu.RUnlock()
	if w.cat.view.Load == 0 {
		return 0, 0
	}
	return w.cat.view.Lenders.Len(), w.cat.view.Enhancers.Len()
}
