package registry

import (
	"reflect"
	"strconv"
)

// key identifies a service: its static type and its name. It is comparable
// and cheap to hash; reflect.TypeFor compiles to a constant type pointer, so
// making a key costs no reflection work.
type key struct {
	typ  reflect.Type
	name string
}

// keyFor returns the key of type T with the given name.
func keyFor[T any](name string) key {
	return key{typ: reflect.TypeFor[T](), name: name}
}

// String renders the key as in error messages: `*foo.DB named "primary"`,
// or just `*foo.DB` when unnamed.
func (k key) String() string {
	if k.name == "" {
		return k.typ.String()
	}
	return k.typ.String() + " named " + strconv.Quote(k.name)
}
