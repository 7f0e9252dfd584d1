// Package doclinks holds the test that keeps README.md and docs/*.md
// linked within the repository: every relative link and image names a
// file that exists, and none leads outside the repository.
package doclinks
