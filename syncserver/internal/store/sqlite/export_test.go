package sqlite

// Pragmas are the pragmas of the store's write connection, for the
// benchmark that measures the plain-INSERT ceiling on the same settings.
var Pragmas = append(append([]string(nil), pragmas...), writePragmas...)
