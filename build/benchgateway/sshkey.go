package main

import (
	"crypto/ed25519"
	"crypto/rand"

	"golang.org/x/crypto/ssh"
)

// mustSSHKey is a fresh ed25519 authorized_keys line: each simulated agent
// has its own, as real ones do (the coordinator refuses a key another
// enrolled agent has).
func mustSSHKey() string {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return string(ssh.MarshalAuthorizedKey(k))
}
