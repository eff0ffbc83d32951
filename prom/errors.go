package prom

import "errors"

// ErrDuplicate is returned by Collector.Add when the name is already in use
// by a source of the same Collector. Nothing is added.
var ErrDuplicate = errors.New("prom: pool name already added")

// ErrInvalid is wrapped by the error Collector.Add returns for an empty or
// non-UTF-8 name or a nil source, and by the error a registry's Register
// returns for a Collector made with an invalid option. Nothing is added or
// registered.
var ErrInvalid = errors.New("prom: invalid argument")
