package postgres

// Migrations is the number of schema migrations a new schema gets.
func Migrations() int {
	ms, err := migrations()
	if err != nil {
		panic(err)
	}
	return len(ms)
}

// Queries whose plans the tests check.
const (
	QFeed       = qFeed
	QPartyCases = qPartyCases
	QOpenCases  = qOpenCases
)
