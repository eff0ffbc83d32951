package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// The flag values below check their value in Set, so that the flag package
// names the flag and the bad value, prints the usage, and nothing has
// started yet.

// intFlag is an int flag of at least min.
type intFlag struct {
	v   *int
	min int
}

func (f intFlag) String() string {
	if f.v == nil {
		return ""
	}
	return strconv.Itoa(*f.v)
}

func (f intFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a whole number")
	}
	if n < f.min {
		return fmt.Errorf("must be at least %d", f.min)
	}
	*f.v = n
	return nil
}

// durationFlag is a non-negative duration flag.
type durationFlag struct{ v *time.Duration }

func (f durationFlag) String() string {
	if f.v == nil {
		return ""
	}
	return f.v.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration such as 50us or 2ms")
	}
	if d < 0 {
		return errors.New("must not be negative")
	}
	*f.v = d
	return nil
}

// fractionFlag is a float flag within [0, 1].
type fractionFlag struct{ v *float64 }

func (f fractionFlag) String() string {
	if f.v == nil {
		return ""
	}
	return strconv.FormatFloat(*f.v, 'g', -1, 64)
}

func (f fractionFlag) Set(s string) error {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return errors.New("not a number")
	}
	if !(x >= 0 && x <= 1) { // rejects NaN too
		return errors.New("must be a fraction from 0 to 1")
	}
	*f.v = x
	return nil
}

// addrFlag is a host:port flag; an empty value turns the feature off.
type addrFlag struct{ v *string }

func (f addrFlag) String() string {
	if f.v == nil {
		return ""
	}
	return *f.v
}

func (f addrFlag) Set(s string) error {
	if s != "" {
		_, port, err := net.SplitHostPort(s)
		if err != nil {
			return errors.New("not host:port, such as :9090 or 127.0.0.1:9090")
		}
		if _, err := net.LookupPort("tcp", port); err != nil {
			return fmt.Errorf("bad port %q", port)
		}
	}
	*f.v = s
	return nil
}
