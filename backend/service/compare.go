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
type CompareSide archives.CompareSide

// FileComparison is two versions of one file of a server's archives: a
// unified diff when both are text of at most Limit bytes, else only
// whether their contents are the same.
type FileComparison struct {
	Server string      `json:"server"`
	Path   string      `json:"path"`
	From   CompareSide `json:"from"`
	To     CompareSide `json:"to"`
	// Identical is true when both versions hold the same bytes.
	Identical bool `json:"identical"`
	// Binary is true when either version is not UTF-8 text: no diff.
	Binary bool `json:"binary"`
	// TooLarge is true when either version is larger than Limit: no diff.
	TooLarge bool  `json:"too_large"`
	Limit    int64 `json:"limit"`
	// Diff is the unified diff from From to To ("" when there is none).
	Diff    string `json:"diff"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
}

// CompareFile compares one file as two archives of a server hold it, read
// out of the repository as a preview reads it: the line-by-line diff of
// text files, the sizes and whether the contents are the same for binary
// and large ones.
func (s *Service) CompareFile(ctx context.Context, ref, path, from, to string) (FileComparison, error) {
	c, err := s.archives.CompareFile(ctx, ref, path, from, to)
	return fileComparison(c), err
}

// fileComparison is the room's answer under the service's name (a test
// checks that it copies every field).
func fileComparison(c archives.FileComparison) FileComparison {
	return FileComparison{Server: c.Server, Path: c.Path, From: CompareSide(c.From), To: CompareSide(c.To),
		Identical: c.Identical, Binary: c.Binary, TooLarge: c.TooLarge, Limit: c.Limit,
		Diff: c.Diff, Added: c.Added, Removed: c.Removed}
}
