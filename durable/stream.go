package durable

import (
	"context"
	"errors"
	"slices"

	"github.com/nats-io/nats.go/jetstream"
)

// ensureStream makes the stream of want, or updates an existing one only
// when a setting this package relies on differs. A client joining a live
// deployment then sends the server no update: an update racing a worker
// that creates consumers is a data race inside nats-server v2.15.
func ensureStream(ctx context.Context, js jetstream.JetStream, want jetstream.StreamConfig) error {
	s, err := js.Stream(ctx, want.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = js.CreateStream(ctx, want)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return ensureStream(ctx, js, want) // another client made it first
		}
		return err
	}
	if err != nil {
		return err
	}
	if sameStream(s.CachedInfo().Config, want) {
		return nil
	}
	_, err = js.UpdateStream(ctx, want)
	return err
}

// sameStream reports whether have already holds every setting of want
// that the package sets.
func sameStream(have, want jetstream.StreamConfig) bool {
	return slices.Equal(have.Subjects, want.Subjects) &&
		have.Retention == want.Retention && have.Storage == want.Storage &&
		max(have.Replicas, 1) == max(want.Replicas, 1) &&
		have.Duplicates == want.Duplicates && have.AllowDirect == want.AllowDirect &&
		have.MaxMsgsPerSubject == want.MaxMsgsPerSubject &&
		have.AllowRollup == want.AllowRollup && have.DenyDelete == want.DenyDelete &&
		have.Discard == want.Discard && have.AllowMsgTTL == want.AllowMsgTTL &&
		have.Description == want.Description
}
