package web_test

import "regexp"

var pathParam = regexp.MustCompile(`\{[a-z_]+\}`)
