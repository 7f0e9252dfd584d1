package app

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"strings"

	"borgdesk/backend/service"
)

const replicaUsage = "usage: borgdesk replica set SERVER (--sftp user@host[:port]/path [--accept-host-key SHA256:…] | --s3 https://ENDPOINT/BUCKET[/PREFIX] --access-key-id ID --secret-key-stdin [--region R] | --dir DIR) [--after-backup=false] [--schedule CRON] | show SERVER | list | run SERVER [--wait] | remove SERVER  (--json on each)"

// cmdReplica manages the replication of each server's repository.
func cmdReplica(ctx context.Context, g *globals, args []string, e env) error {
	if len(args) == 0 {
		return usageError{replicaUsage}
	}
	sub, args := args[0], args[1:]
	if sub == "set" {
		return cmdReplicaSet(ctx, g, args, e)
	}
	cl := newCmdline("replica "+sub, g, e, "print JSON")
	wait := cl.Bool("wait", false, "with run: wait for the replication to end; exit 1 if it failed")
	var pos []string
	var err error
	switch sub {
	case "list":
		err = cl.parse(args, 0, 0, "")
		pos = cl.pos
	case "show", "run", "remove":
		err = cl.parse(args, 1, 1, "SERVER")
		pos = cl.pos
	default:
		return usageError{fmt.Sprintf("unknown replica subcommand %q; %s", sub, replicaUsage)}
	}
	if err != nil {
		return err
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	var st service.ReplicaStatus
	switch sub {
	case "list":
		all, err := c.ListReplicas(ctx)
		return cl.print(all, err, func() error {
			return printReplicas(e, all)
		})
	case "show":
		st, err = c.Replica(ctx, pos[0], false)
	case "remove":
		if st, err = c.RemoveReplica(ctx, pos[0]); err == nil && !cl.json() {
			fmt.Fprintf(e.stdout, "%s is no longer replicated; the replica at %s was left as it is (delete it there if you no longer need it)\n", st.ServerName, st.Location)
			return nil
		}
	case "run":
		if st, err = c.RunReplica(ctx, pos[0]); err == nil && *wait {
			st, err = c.Replica(ctx, pos[0], true)
		}
	}
	if err != nil {
		return err
	}
	if cl.json() {
		if err := printJSON(e.stdout, st); err != nil {
			return err
		}
	} else if sub == "run" && !*wait {
		fmt.Fprintf(e.stdout, "replication of %s to %s started; `borgdesk replica show %s` tells how it went\n", st.ServerName, st.Display, st.ServerName)
	} else {
		printReplica(e, st)
	}
	if sub == "run" && *wait && st.State == service.ReplicaStateFailing {
		return fmt.Errorf("replication of %s %s", st.ServerName, st.Summary)
	}
	return nil
}

func cmdReplicaSet(ctx context.Context, g *globals, args []string, e env) error {
	cl := newCmdline("replica set", g, e, "print JSON")
	sftp := cl.String("sftp", "", "an SFTP target: user@host[:port]/path (the repository goes to path/<server-uuid>)")
	accept := cl.String("accept-host-key", "", "the SFTP target's host key fingerprint (SHA256:…) you compared on the target")
	s3 := cl.String("s3", "", "an S3-compatible target: https://ENDPOINT/BUCKET[/PREFIX]")
	keyID := cl.String("access-key-id", "", "with --s3: the access key id")
	secretStdin := cl.Bool("secret-key-stdin", false, "with --s3: read the secret key from the first line of standard input (kept 0600 in the data dir, never shown)")
	region := cl.String("region", "", "with --s3: the region (us-east-1 when empty)")
	dir := cl.String("dir", "", "a local directory (a mounted disk or share)")
	after := cl.Bool("after-backup", true, "replicate after each successful backup")
	schedule := cl.String("schedule", "", "also replicate on this cron schedule, e.g. '0 3 * * *'")
	if err := cl.parse(args, 1, 1, "SERVER (--sftp … | --s3 … | --dir …)"); err != nil {
		return err
	}
	pos := cl.pos
	var err error
	in := service.ReplicaInput{Server: pos[0], SFTP: *sftp, AcceptHostKey: *accept, Dir: *dir, AfterBackup: *after, Schedule: *schedule}
	if *s3 != "" {
		if in.S3, err = parseS3(*s3); err != nil {
			return err
		}
		in.S3.AccessKeyID, in.S3.Region = *keyID, *region
		if *secretStdin {
			s := &secrets{r: bufio.NewReader(e.stdin)}
			if in.S3.SecretKey, err = s.next("S3 secret key"); err != nil {
				return err
			}
		}
	} else if *keyID != "" || *secretStdin || *region != "" {
		return usageError{"replica set: --access-key-id, --secret-key-stdin and --region go with --s3"}
	}
	c, err := cl.client()
	if err != nil {
		return err
	}
	st, err := c.SetReplica(ctx, in)
	return cl.print(st, err, func() error {
		printReplica(e, st)
		if st.PublicKey != "" {
			fmt.Fprintf(e.stdout, "\nAdd this line to ~%s/.ssh/authorized_keys on %s, then run `borgdesk replica run %s --wait`:\n\n  %s\n",
				st.Target.User, st.Target.Host, st.ServerName, st.PublicKey)
		}
		return nil
	})
}

// parseS3 reads https://ENDPOINT/BUCKET[/PREFIX].
func parseS3(s string) (*service.S3Input, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, usageError{fmt.Sprintf("replica set: --s3 %q: write it as https://ENDPOINT/BUCKET[/PREFIX]", s)}
	}
	bucket, prefix, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	if bucket == "" {
		return nil, usageError{fmt.Sprintf("replica set: --s3 %q names no bucket: https://ENDPOINT/BUCKET[/PREFIX]", s)}
	}
	return &service.S3Input{Endpoint: u.Scheme + "://" + u.Host, Bucket: bucket, Prefix: prefix}, nil
}

func printReplicas(e env, all []service.ReplicaStatus) error {
	if len(all) == 0 {
		fmt.Fprintln(e.stdout, "No repository is replicated yet. Set one up: `borgdesk replica set SERVER --sftp user@host:port/path`.")
		return nil
	}
	rows := make([][]string, 0, len(all))
	for _, st := range all {
		rows = append(rows, []string{st.ServerName, st.Display, replicaSummary(st), fmtTimePtr(st.LastSuccessAt, "never"), humanBytes(st.Bytes), replicaWhen(st)})
	}
	return printTable(e.stdout, []string{"SERVER", "TARGET", "STATUS", "LAST SUCCESS", "SIZE", "WHEN"}, rows)
}

func replicaSummary(st service.ReplicaStatus) string {
	if st.Running {
		return "replicating… (" + st.Summary + ")"
	}
	return st.Summary
}

func replicaWhen(st service.ReplicaStatus) string {
	var when []string
	if st.AfterBackup {
		when = append(when, "after each backup")
	}
	if st.Schedule != "" {
		when = append(when, st.Schedule)
	}
	if len(when) == 0 {
		return "by hand"
	}
	return strings.Join(when, ", ")
}

func printReplica(e env, st service.ReplicaStatus) {
	rows := [][]string{
		{"server", st.ServerName}, {"target", st.Display}, {"replica", st.Location}, {"status", replicaSummary(st)},
		{"when", replicaWhen(st)}, {"last success", fmtTimePtr(st.LastSuccessAt, "never")}, {"last attempt", fmtTimePtr(st.LastAttemptAt, "never")},
		{"archives", fmt.Sprint(len(st.Archives))}, {"size", fmt.Sprintf("%s in %d files", humanBytes(st.Bytes), st.Files)},
		{"last run", fmt.Sprintf("%s copied in %s", humanBytes(st.Transferred), fmtMS(st.DurationMS))}, {"verified", st.Verified},
	}
	if st.HostKeyFingerprint != "" {
		rows = append(rows, []string{"host key", st.HostKeyFingerprint})
	}
	if st.Target.Kind == "s3" {
		rows = append(rows, []string{"secret key", map[bool]string{true: "stored", false: "missing"}[st.SecretSet]})
	}
	if st.Error != "" {
		rows = append(rows, []string{"error", st.Error})
	}
	printTable(e.stdout, []string{"FIELD", "VALUE"}, rows)
}

func fmtMS(ms int64) string { return fmt.Sprintf("%.1f s", float64(ms)/1000) }
