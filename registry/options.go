package registry

// Option adjusts one Provide, ProvideFunc or Resolve call. Make one with
// [Named] or [Transient]; the zero Option changes nothing. Options are small
// values, safe to share between goroutines and to reuse; passing them costs no
// allocation. When several options set the same thing, the last one wins.
type Option struct {
	name      string
	named     bool
	transient bool
}

// Named selects the instance called name, so that one type can be provided
// several times: pass the same Named option to Provide (or ProvideFunc) and to
// Resolve. Named("") is the default, unnamed instance.
func Named(name string) Option {
	return Option{name: name, named: true}
}

// Transient makes ProvideFunc build a new value on every Resolve instead of
// once. The registry keeps no reference to transient values and never closes
// them: the caller owns each one. Provide and Resolve reject it with
// [ErrInvalidOption].
func Transient() Option {
	return Option{transient: true}
}

// options is the result of applying a list of Options.
type options struct {
	name      string
	transient bool
}

// apply merges opts, last one winning.
func apply(opts []Option) options {
	var o options
	for _, opt := range opts {
		if opt.named {
			o.name = opt.name
		}
		if opt.transient {
			o.transient = true
		}
	}
	return o
}
