package webhook

import (
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
)

// Request headers of a webhook.
const (
	HeaderSignature = "X-Jingge-Signature"
	HeaderTimestamp = "X-Jingge-Timestamp"
	HeaderDelivery  = "X-Jingge-Delivery"
)

// Sign returns the X-Jingge-Signature value for a body sent at timestamp
// (unix seconds, as in X-Jingge-Timestamp) under secret. Receivers
// compute the same and compare with hmac.Equal.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// newDeliveryID names one batch across its attempts, so a receiver can
// tell a retry from a new batch.
func newDeliveryID() string {
	var b [12]byte
	_, _ = crand.Read(b[:])
	return hex.EncodeToString(b[:])
}
