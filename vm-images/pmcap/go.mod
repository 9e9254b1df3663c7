module github.com/portmatrix/portmatrix/vm-images/pmcap

go 1.25.0

require golang.org/x/sys v0.43.0
