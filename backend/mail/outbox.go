// Package mail sends Borgdesk's e-mail through an outbox that loses
// nothing: every message is first appended to DATA/outbox.mbox (a standard
// mbox file, github.com/emersion/go-mbox), and a sender delivers from it
// over SMTP (github.com/wneessen/go-mail: STARTTLS or TLS, authentication)
// with retry and backoff, moving what was delivered to DATA/sent.mbox. If
// the SMTP server is down for a day, the messages wait in the outbox, and
// both files open in any mail client.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-mbox"
	gomail "github.com/wneessen/go-mail"

	"borgdesk/backend/datadir"
	"borgdesk/backend/filelock"
)

// Config is how to reach the SMTP server.
type Config struct {
	Host     string
	Port     int
	Security string // "starttls" (default), "tls", or "none"
	User     string
	Password string
	From     string
	Timeout  time.Duration
	// TLSConfig, when set, replaces the system's TLS settings (tests, a
	// private CA).
	TLSConfig *tls.Config
}

// Message is one e-mail to queue.
type Message struct {
	To      []string
	Subject string
	Text    string
	HTML    string
	Date    time.Time
}

// Status is the outbox at a glance.
type Status struct {
	Pending     int       `json:"pending"`
	Sent        int       `json:"sent"`
	LastError   string    `json:"last_error"`
	LastAttempt time.Time `json:"last_attempt" ts_type:"string"`
	Outbox      string    `json:"outbox"`
	SentPath    string    `json:"sent_path"`
}

// Outbox is the queue of outgoing mail.
type Outbox struct {
	dir     string
	config  func(context.Context) (Config, error)
	log     *slog.Logger
	problem func(string)
	now     func() time.Time

	mu      sync.Mutex // the files, in this process
	wake    chan struct{}
	lastErr string
	lastAt  time.Time
}

// Options configure an Outbox.
type Options struct {
	// Config returns the SMTP settings at the time of a delivery.
	Config func(context.Context) (Config, error)
	Logger *slog.Logger
	// Problem tells the operator about a damaged or locked outbox.
	Problem func(msg string)
	Now     func() time.Time
}

// Open returns the outbox kept in dir (outbox.mbox, sent.mbox).
func Open(dir string, o Options) *Outbox {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Problem == nil {
		o.Problem = func(string) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Outbox{dir: dir, config: o.Config, log: o.Logger, problem: o.Problem, now: o.Now, wake: make(chan struct{}, 1)}
}

func (o *Outbox) outboxPath() string { return datadir.At(o.dir).Outbox() }
func (o *Outbox) sentPath() string   { return datadir.At(o.dir).Sent() }

// Queue builds a message and appends it to the outbox; the sender delivers
// it as soon as it can.
func (o *Outbox) Queue(ctx context.Context, m Message) error {
	cfg, err := o.config(ctx)
	if err != nil {
		return err
	}
	raw, err := build(cfg, m, o.now())
	if err != nil {
		return err
	}
	o.mu.Lock()
	add := func(f *os.File) error {
		if _, err := f.Seek(0, io.SeekEnd); err != nil {
			return err
		}
		return appendMessage(f, cfg.From, m.Date, raw)
	}
	err = o.withLock(o.outboxPath(), add)
	var le *LockedError
	if errors.As(err, &le) {
		// Another program holds the outbox: keep its file as it is, start
		// a new one, and tell the operator; the message is not lost.
		kept := fmt.Sprintf("%s.locked-%s", o.outboxPath(), o.now().UTC().Format("20060102T150405"))
		if rerr := os.Rename(o.outboxPath(), kept); rerr == nil {
			msg := fmt.Sprintf("the e-mail outbox was locked by another program; it is kept as %s (deliver it from a mail client, or move it back once that program is closed) and a new one was started", kept)
			o.log.Error(msg)
			o.problem(msg)
			err = o.withLock(o.outboxPath(), add)
		}
	}
	o.mu.Unlock()
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return nil
}

// build renders m as an RFC 5322 message (text, and HTML as an alternative).
func build(cfg Config, m Message, now time.Time) ([]byte, error) {
	if len(m.To) == 0 {
		return nil, errors.New("no recipients: set notify.email.to")
	}
	if cfg.From == "" {
		cfg.From = "borgdesk@localhost"
	}
	msg := gomail.NewMsg()
	if err := msg.From(cfg.From); err != nil {
		return nil, fmt.Errorf("sender %q: %w", cfg.From, err)
	}
	if err := msg.To(m.To...); err != nil {
		return nil, fmt.Errorf("recipients %v: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	if m.Date.IsZero() {
		m.Date = now
	}
	msg.SetDateWithValue(m.Date)
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// appendMessage writes one message in mbox form at f's offset.
func appendMessage(f io.Writer, from string, date time.Time, raw []byte) error {
	if date.IsZero() {
		date = time.Now()
	}
	w := mbox.NewWriter(f)
	mw, err := w.CreateMessage(envelope(from), date)
	if err != nil {
		return err
	}
	if _, err := mw.Write(raw); err != nil {
		return err
	}
	return w.Close()
}

func envelope(from string) string {
	if i := strings.LastIndexByte(from, '<'); i >= 0 {
		from = strings.TrimSuffix(from[i+1:], ">")
	}
	if from == "" {
		return "borgdesk@localhost"
	}
	return from
}

// withLock runs fn on path opened read-write (created if missing) under an
// exclusive flock, so that a mail client or another Borgdesk does not read
// a half-written file. A lock held elsewhere for 5 s is an error.
func (o *Outbox) withLock(path string, fn func(*os.File) error) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := filelock.TryLock(f)
		if err == nil {
			break
		}
		if !errors.Is(err, filelock.ErrHeld) || time.Now().After(deadline) {
			return &LockedError{Path: path}
		}
		time.Sleep(100 * time.Millisecond)
	}
	defer filelock.Unlock(f)
	return fn(f)
}

// LockedError says another program holds a mailbox file's lock.
type LockedError struct{ Path string }

func (e *LockedError) Error() string {
	return e.Path + " is locked by another program (a mail client?); close it"
}

// readAll parses every message of an mbox file.
func readAll(f io.Reader) ([][]byte, error) {
	r := mbox.NewReader(f)
	var out [][]byte
	for {
		mr, err := r.NextMessage()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		b, err := io.ReadAll(mr)
		if err != nil {
			return out, err
		}
		out = append(out, b)
	}
}

// Deliver sends every message waiting in the outbox, oldest first, and
// moves each one delivered to sent.mbox. It stops at the first failure
// (the server is down, or refuses): the rest wait for the next attempt.
func (o *Outbox) Deliver(ctx context.Context) (int, error) {
	cfg, err := o.config(ctx)
	if err != nil {
		return 0, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	sent := 0
	err = o.withLock(o.outboxPath(), func(f *os.File) error {
		msgs, rerr := readAll(f)
		if rerr != nil {
			return o.setAside(f, rerr)
		}
		if len(msgs) == 0 {
			return nil
		}
		if cfg.Host == "" {
			return errors.New("no SMTP server set (smtp.host): the messages wait in " + o.outboxPath())
		}
		var derr error
		for _, raw := range msgs {
			if derr = send(ctx, cfg, raw); derr != nil {
				break
			}
			if err := o.withLock(o.sentPath(), func(s *os.File) error {
				if _, err := s.Seek(0, io.SeekEnd); err != nil {
					return err
				}
				return appendMessage(s, cfg.From, o.now(), raw)
			}); err != nil {
				derr = fmt.Errorf("delivered, but %s: %w", o.sentPath(), err)
				sent++
				break
			}
			sent++
		}
		if sent > 0 {
			if err := rewrite(f, msgs[sent:], cfg.From, o.now()); err != nil {
				return err
			}
		}
		return derr
	})
	o.lastAt = o.now()
	o.lastErr = ""
	if err != nil {
		o.lastErr = err.Error()
	}
	return sent, err
}

// rewrite replaces the outbox's content with the messages still waiting.
func rewrite(f *os.File, rest [][]byte, from string, now time.Time) error {
	var buf bytes.Buffer
	for _, raw := range rest {
		if err := appendMessage(&buf, from, now, raw); err != nil {
			return err
		}
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(buf.Bytes(), 0); err != nil {
		return err
	}
	return f.Sync()
}

// setAside keeps a damaged outbox under another name and starts a new one.
func (o *Outbox) setAside(f *os.File, cause error) error {
	kept := fmt.Sprintf("%s.damaged-%s", o.outboxPath(), o.now().UTC().Format("20060102T150405"))
	if err := os.Rename(o.outboxPath(), kept); err != nil {
		return fmt.Errorf("the outbox is damaged (%v) and cannot be set aside: %w", cause, err)
	}
	msg := fmt.Sprintf("the e-mail outbox was damaged (%v); it is kept as %s and a new one was started — open the old one in a mail client to see what it held", cause, kept)
	o.log.Error(msg)
	o.problem(msg)
	return nil
}

// send delivers one raw message over SMTP.
func send(ctx context.Context, cfg Config, raw []byte) error {
	msg, err := gomail.EMLToMsgFromReader(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("a queued message cannot be read back: %w", err)
	}
	opts := []gomail.Option{gomail.WithTimeout(timeoutOr(cfg.Timeout))}
	if cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(cfg.TLSConfig))
	}
	if cfg.Port > 0 {
		opts = append(opts, gomail.WithPort(cfg.Port))
	}
	switch cfg.Security {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if cfg.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(cfg.User), gomail.WithPassword(cfg.Password))
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("SMTP %s: %w", cfg.Host, err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return explain(cfg, err)
	}
	return nil
}

func timeoutOr(d time.Duration) time.Duration {
	if d <= 0 {
		return 30 * time.Second
	}
	return d
}

// explain turns SMTP failures into sentences that say what to do.
func explain(cfg Config, err error) error {
	m := strings.ToLower(err.Error())
	addr := fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	switch {
	case strings.Contains(m, "535"), strings.Contains(m, "auth failed"), strings.Contains(m, "authentication"):
		return fmt.Errorf("the SMTP server %s refused the user name or password (%v); check smtp.user and smtp.password", addr, err)
	case strings.Contains(m, "550"), strings.Contains(m, "553"), strings.Contains(m, "recipient"), strings.Contains(m, "rcpt"):
		return fmt.Errorf("the SMTP server %s refused a recipient (%v); check notify.email.to", addr, err)
	case strings.Contains(m, "certificate"), strings.Contains(m, "starttls"), strings.Contains(m, "tls:"):
		return fmt.Errorf("TLS with the SMTP server %s failed (%v); check smtp.security (starttls, tls or none) and the server's certificate", addr, err)
	case strings.Contains(m, "connection refused"), strings.Contains(m, "no such host"), strings.Contains(m, "i/o timeout"), strings.Contains(m, "dial"):
		return fmt.Errorf("cannot reach the SMTP server %s (%v); the message waits in the outbox and is retried", addr, err)
	}
	return fmt.Errorf("SMTP %s: %w", addr, err)
}

// Run delivers the outbox whenever a message is queued, and retries with
// backoff (15 s doubling to 15 min) while delivery fails.
func (o *Outbox) Run(ctx context.Context) error {
	delay := 15 * time.Second
	for {
		_, err := o.Deliver(ctx)
		wait := time.Hour
		if err != nil && ctx.Err() == nil {
			o.log.Warn("e-mail delivery failed; retrying", "in", delay, "err", err)
			wait = delay
			delay = min(delay*2, 15*time.Minute)
		} else {
			delay = 15 * time.Second
		}
		select {
		case <-ctx.Done():
			return nil
		case <-o.wake:
		case <-time.After(wait):
		}
	}
}

// Status counts the waiting and delivered messages.
func (o *Outbox) Status() Status {
	o.mu.Lock()
	defer o.mu.Unlock()
	st := Status{LastError: o.lastErr, LastAttempt: o.lastAt, Outbox: o.outboxPath(), SentPath: o.sentPath()}
	for _, c := range []struct {
		path string
		n    *int
	}{{o.outboxPath(), &st.Pending}, {o.sentPath(), &st.Sent}} {
		if f, err := os.Open(c.path); err == nil {
			msgs, _ := readAll(f)
			*c.n = len(msgs)
			f.Close()
		}
	}
	return st
}

// SendNow queues a message and delivers the outbox at once, returning the
// delivery's error (the "Send test e-mail" button).
func (o *Outbox) SendNow(ctx context.Context, m Message) error {
	if err := o.Queue(ctx, m); err != nil {
		return err
	}
	_, err := o.Deliver(ctx)
	return err
}
