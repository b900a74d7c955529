module github.com/hawser-lb/hawser

go 1.26
