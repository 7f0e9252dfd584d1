// Package shellquote quotes one word for a POSIX shell (sh -c, ssh's
// remote command) and for Python's shlex.split, which is how borg splits
// BORG_RSH. It is the one quoting helper of Borgdesk: the agent and the
// coordinator both use it.
//
// It must never be used to build a command line for a local subprocess:
// those run through exec.CommandContext with an argument vector. It is for
// the places where a string is all the other side takes (a remote SSH
// command, BORG_RSH).
//
// Standard library only: the agent imports it.
package shellquote

import "strings"

// Quote returns s as one single-quoted word: every character stands for
// itself, and a single quote inside is written '"'"' (close, a quote in
// double quotes, reopen). The empty string becomes two single quotes: an
// empty word, not none.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// Join quotes each word and joins them with spaces: a command line whose
// shell split gives back exactly words.
func Join(words ...string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = Quote(w)
	}
	return strings.Join(q, " ")
}
