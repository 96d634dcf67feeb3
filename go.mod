module github.com/bibshelf/bibshelf

go 1.26.8

require (
	github.com/google/go-cmp v0.7.0
	github.com/mattn/go-sqlite3 v1.14.53
	github.com/nickng/bibtex v1.4.2
)
