package borgssh

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
)

func generateEd25519() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	return ed25519.GenerateKey(rand.Reader)
}

func pemEncode(b *pem.Block) []byte { return pem.EncodeToMemory(b) }
