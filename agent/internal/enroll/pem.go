package enroll

import (
	"encoding/pem"

	"borgdesk/backend/shared/agentapi"
)

// fingerprintPEM is the pin of the first certificate in a PEM text.
func fingerprintPEM(s string) string {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return ""
	}
	return agentapi.Fingerprint(b.Bytes)
}
