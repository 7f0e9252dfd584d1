// Command usagedoc turns a program's usage text (what `borgdesk help`
// prints) into a man page or a bash completion script, for the packages and
// `make install`. It reads the usage on stdin:
//
//	borgdesk-cli help | go run ./build/usagedoc -man -name borgdesk -version V -summary S > borgdesk.1
//	borgdesk-cli help | go run ./build/usagedoc -bash -name borgdesk > borgdesk.bash
//
// It is a stopgap until the command tree generates both (issue 21, item 4):
// the man page is the usage text as it is, and the completion knows the
// commands, their subcommands and flags as the usage lines name them.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

func main() {
	man := flag.Bool("man", false, "write a man page (section 1)")
	bash := flag.Bool("bash", false, "write a bash completion script")
	name := flag.String("name", "", "the program's name (also the names the completion answers for: comma-separated)")
	version := flag.String("version", "dev", "the version the man page names")
	summary := flag.String("summary", "", "the man page's one-line summary")
	date := flag.String("date", "", "the man page's date (YYYY-MM-DD; for reproducible pages pass the commit's date)")
	flag.Parse()
	if *name == "" || *man == *bash {
		fmt.Fprintln(os.Stderr, "usagedoc: say -man or -bash, and -name; the usage text comes on stdin")
		os.Exit(2)
	}
	in, err := io.ReadAll(os.Stdin)
	if err != nil || len(strings.TrimSpace(string(in))) == 0 {
		fmt.Fprintln(os.Stderr, "usagedoc: no usage text on stdin; pipe the program's help into it")
		os.Exit(1)
	}
	names := strings.Split(*name, ",")
	if *man {
		os.Stdout.WriteString(manPage(names[0], *version, *summary, *date, string(in)))
		return
	}
	os.Stdout.WriteString(bashCompletion(names, commands(names[0], string(in))))
}

// manPage is the usage text in a man page: NAME, SYNOPSIS (the usage as
// it is, unfilled), and where to read more.
func manPage(name, version, summary, date, usage string) string {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH %s 1 %q %q \"User Commands\"\n", strings.ToUpper(name), date, name+" "+version)
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", name, roffEscape(summary))
	b.WriteString(".SH SYNOPSIS\n.nf\n")
	sc := bufio.NewScanner(strings.NewReader(usage))
	for sc.Scan() {
		line := roffEscape(sc.Text())
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
			line = "\\&" + line
		}
		b.WriteString(line + "\n")
	}
	b.WriteString(".fi\n.SH SEE ALSO\n")
	fmt.Fprintf(&b, "The documentation in /usr/share/doc/%s, and docs/ in Borgdesk's sources.\n", name)
	return b.String()
}

func roffEscape(s string) string {
	return strings.ReplaceAll(s, `\`, `\e`)
}

var (
	usageLine = regexp.MustCompile(`^\s+(\S+) ([a-z][a-z0-9-]*)(.*)$`)
	flagWord  = regexp.MustCompile(`--[a-z][a-z0-9-]*`)
	subWord   = regexp.MustCompile(`^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*$`)
)

// commands reads "  NAME CMD SUB … | SUB2 … | SUB3|SUB4 …" lines: each
// command with its subcommands and every --flag the line names.
func commands(name, usage string) map[string]*command {
	out := map[string]*command{}
	sc := bufio.NewScanner(strings.NewReader(usage))
	for sc.Scan() {
		m := usageLine.FindStringSubmatch(sc.Text())
		if m == nil || m[1] != name {
			continue
		}
		c := out[m[2]]
		if c == nil {
			c = &command{subs: map[string]bool{}, flags: map[string]bool{}}
			out[m[2]] = c
		}
		for _, f := range flagWord.FindAllString(m[3], -1) {
			c.flags[f] = true
		}
		for i, seg := range strings.Split(" "+m[3], " | ") {
			fields := strings.Fields(seg)
			if len(fields) == 0 {
				continue
			}
			w := strings.Trim(fields[0], "[]")
			if i > 0 && w == m[2] && len(fields) > 1 { // "… | add --hosts-file" repeats no command, but "server list | show"
				w = strings.Trim(fields[1], "[]")
			}
			if subWord.MatchString(w) && strings.ToUpper(w) != w {
				for _, s := range strings.Split(w, "|") {
					c.subs[s] = true
				}
			}
		}
	}
	return out
}

type command struct{ subs, flags map[string]bool }

func sorted(m map[string]bool) string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}

// bashCompletion completes the command, then its subcommands, then the
// flags its usage lines name, then file names.
func bashCompletion(names []string, cmds map[string]*command) string {
	fn := "_" + strings.ReplaceAll(names[0], "-", "_")
	var b strings.Builder
	fmt.Fprintf(&b, "# bash completion for %s, generated from its usage by build/usagedoc.\n", strings.Join(names, ", "))
	fmt.Fprintf(&b, "%s() {\n\tlocal cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]:-}\n", fn)
	all := map[string]bool{"help": true}
	for k := range cmds {
		all[k] = true
	}
	fmt.Fprintf(&b, "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n\t\treturn\n\tfi\n", sorted(all)+" --help --version")
	b.WriteString("\tlocal subs= flags=\n\tcase $cmd in\n")
	var keys []string
	for k := range cmds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := cmds[k]
		fmt.Fprintf(&b, "\t%s) subs=%q flags=%q ;;\n", k, sorted(c.subs), sorted(c.flags))
	}
	b.WriteString("\tesac\n")
	b.WriteString("\tif [[ $cur == -* ]]; then\n\t\tCOMPREPLY=($(compgen -W \"$flags --data --socket --json\" -- \"$cur\"))\n")
	b.WriteString("\telif [ \"$COMP_CWORD\" -eq 2 ] && [ -n \"$subs\" ]; then\n\t\tCOMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n")
	b.WriteString("\telse\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\tfi\n}\n")
	fmt.Fprintf(&b, "complete -o filenames -F %s %s\n", fn, strings.Join(names, " "))
	return b.String()
}
