package retry

import "errors"

// permanentError marks an error that must not be retried.
type permanentError struct{ err error }

// errPermanent is the target every permanentError matches, so IsPermanent can
// use errors.Is, which, unlike errors.As, allocates nothing.
var errPermanent = errors.New("retry: permanent")

func (p *permanentError) Error() string        { return p.err.Error() }
func (p *permanentError) Unwrap() error        { return p.err }
func (p *permanentError) Is(target error) bool { return target == errPermanent }

// Permanent wraps err so that [Do], [Policy.Next] and [Backoff.Next] stop at
// once instead of retrying it, whatever RetryIf says. The result has err's
// message, and errors.Is and errors.As see through it to err. Permanent(nil)
// is nil, so `return retry.Permanent(err)` is safe on every path. It allocates
// one small value and is safe from many goroutines.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or any error it wraps (including the
// errors in an [*Error] or joined by errors.Join), was made by [Permanent].
// It does not allocate.
func IsPermanent(err error) bool {
	return errors.Is(err, errPermanent)
}
