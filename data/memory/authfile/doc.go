// Package authfile is the file of users and API tokens that the embedded
// store's servers and the `jingge users` and `jingge tokens` commands
// share: its JSON format (version 1; secrets only as SHA-256 hashes), its
// atomic replacement (write, sync, rename), an exclusive lock that orders
// changes across processes, and the check that tells a reader another
// process wrote it.
//
// It imports data and the standard library only; data/memory imports it.
package authfile
