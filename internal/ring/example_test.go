package ring_test

import (
	"fmt"

	"github.com/threadsystem/threadsystem/internal/ring"
)

func ExampleRing() {
	var r ring.Ring[string]
	r.PushBack("b")
	r.PushBack("c")
	r.PushFront("a") // put back at the front, as a worker returns a batch
	for r.Len() > 0 {
		v, _ := r.PopFront()
		fmt.Print(v, " ")
	}
	fmt.Println()
	// Output: a b c
}
