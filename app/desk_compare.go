package app

import "borgdesk/backend/service"

// CompareFile compares one file as two archives of a server hold it: a
// unified diff of text files, sizes and sameness of binary and large ones.
func (d *Desk) CompareFile(server, path, from, to string) (service.FileComparison, error) {
	return d.svc.CompareFile(d.context(), server, path, from, to)
}
