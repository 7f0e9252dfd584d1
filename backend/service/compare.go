package service

import (
	"context"

	"borgdesk/backend/archives"
)

// Comparing two versions of a file is the archives room's
// (archives.CompareFile); the answer keeps its name in the service (the
// Wails models are service.FileComparison and service.CompareSide), copied
// field by field as it passes: its sides are the service's CompareSide.

// CompareLimit is the largest version a comparison shows line by line.
const CompareLimit = archives.CompareLimit

// CompareSide is one of the two versions compared.
type CompareSide = archives.CompareSide

// FileComparison is two versions of one file of a server's archives.
type FileComparison = archives.FileComparison

// CompareFile compares one file as two archives of a server hold it, read
// out of the repository as a preview reads it: the line-by-line diff of
// text files, the sizes and whether the contents are the same for binary
// and large ones.
func (s *Service) CompareFile(ctx context.Context, ref, path, from, to string) (FileComparison, error) {
	return s.archives.CompareFile(ctx, ref, path, from, to)
}
