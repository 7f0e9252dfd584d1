package mail

import (
	"bytes"
	htmltemplate "html/template"
	texttemplate "text/template"
	"time"
)

var (
	digestText = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/digest.txt.tmpl"))
	digestHTML = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/digest.html.tmpl"))
)

// Digest is what the daily or weekly digest e-mail says: that all is well,
// or what is not.
type Digest struct {
	Title   string
	Summary string
	// Red: some server is red (the accent is red, else green).
	Red          bool
	Servers      []DigestServer
	Failures     []DigestFailure
	StaleDrills  string
	Certificates []string
	At           time.Time
	Coordinator  string
	Version      string
}

// DigestServer is one server's line, its values already in words.
type DigestServer struct {
	Name, StateWord, LastBackup, Size, Growth, Reasons string
}

// DigestFailure is one failed run of the period.
type DigestFailure struct {
	At, Job, Error string
}

// Colour is the digest's accent.
func (d Digest) Colour() string {
	if d.Red {
		return "#dc2626"
	}
	return "#16a34a"
}

// RenderDigest turns a digest into a message for recipients.
func RenderDigest(d Digest, to []string) (Message, error) {
	var text, html bytes.Buffer
	if err := digestText.Execute(&text, d); err != nil {
		return Message{}, err
	}
	if err := digestHTML.Execute(&html, d); err != nil {
		return Message{}, err
	}
	return Message{To: to, Subject: "[Borgdesk] " + d.Title, Text: text.String(), HTML: html.String(), Date: d.At}, nil
}
