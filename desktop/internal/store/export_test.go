package store

// SetManyMatches lowers the number of search matches from which ListCases
// pages by walking the sort index, so small tests take that path too; the
// returned function restores it.
func SetManyMatches(n int) (restore func()) {
	old := manyMatches
	manyMatches = n
	return func() { manyMatches = old }
}
