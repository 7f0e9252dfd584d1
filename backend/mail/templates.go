package mail

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	texttemplate "text/template"
	"time"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var (
	textTmpl = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/alert.txt.tmpl"))
	htmlTmpl = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/alert.html.tmpl"))
)

// Alert is what an alert e-mail says.
type Alert struct {
	Kind        string // run_failed, rpo_missed, agent_offline, cert_expiring, drill_failed, flx_inbox, replica_failed, test
	Title       string
	Body        string
	Server      string
	Route       string
	At          time.Time
	Count       int // repeats folded into this e-mail
	Coordinator string
	Version     string
}

var kindText = map[string]string{
	"run_failed":     "a backup run failed",
	"rpo_missed":     "a server is past its backup-age target (RPO)",
	"agent_offline":  "an agent stopped reporting",
	"cert_expiring":  "an agent certificate is about to expire",
	"drill_failed":   "a restore drill failed",
	"flx_inbox":      "a .flx snapshot arrived in the inbox",
	"replica_failed": "a repository could not be copied to its replica",
	"test":           "a test e-mail from Settings",
	"run_succeeded":  "a backup run succeeded (the job asks to hear of it)",
}

// KindText says in words what kind of alert this is.
func (a Alert) KindText() string {
	if t, ok := kindText[a.Kind]; ok {
		return t
	}
	return a.Kind
}

// Colour is the accent of the HTML e-mail: red for failures, amber otherwise.
func (a Alert) Colour() string {
	switch a.Kind {
	case "run_failed", "rpo_missed", "drill_failed", "replica_failed":
		return "#dc2626"
	case "test", "flx_inbox":
		return "#2563eb"
	case "run_succeeded":
		return "#16a34a"
	}
	return "#d97706"
}

// Render turns an alert into a message for recipients.
func Render(a Alert, to []string) (Message, error) {
	var text, html bytes.Buffer
	if err := textTmpl.Execute(&text, a); err != nil {
		return Message{}, err
	}
	if err := htmlTmpl.Execute(&html, a); err != nil {
		return Message{}, err
	}
	subject := "[Borgdesk] " + a.Title
	return Message{To: to, Subject: subject, Text: text.String(), HTML: html.String(), Date: a.At}, nil
}
