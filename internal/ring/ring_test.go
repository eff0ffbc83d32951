package ring

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRingMatchesSliceModel drives a Ring and a plain slice with the same
// operations across many growth boundaries and checks they always agree.
func TestRingMatchesSliceModel(t *testing.T) {
	var r Ring[int]
	var model []int
	next := 0
	// A fixed pseudo-random sequence keeps the test deterministic.
	seed := uint32(7)
	rnd := func() uint32 { seed = seed*1664525 + 1013904223; return seed >> 16 }
	for step := range 20000 {
		switch op := rnd() % 5; op {
		case 0, 1:
			r.PushBack(next)
			model = append(model, next)
			next++
		case 2:
			r.PushFront(next)
			model = append([]int{next}, model...)
			next++
		case 3:
			v, ok := r.PopFront()
			if ok != (len(model) > 0) {
				t.Fatalf("step %d: PopFront ok=%v with model len %d", step, ok, len(model))
			}
			if ok {
				if v != model[0] {
					t.Fatalf("step %d: PopFront = %d, want %d", step, v, model[0])
				}
				model = model[1:]
			}
		case 4:
			v, ok := r.PopBack()
			if ok != (len(model) > 0) {
				t.Fatalf("step %d: PopBack ok=%v with model len %d", step, ok, len(model))
			}
			if ok {
				if want := model[len(model)-1]; v != want {
					t.Fatalf("step %d: PopBack = %d, want %d", step, v, want)
				}
				model = model[:len(model)-1]
			}
		}
		if r.Len() != len(model) {
			t.Fatalf("step %d: Len = %d, want %d", step, r.Len(), len(model))
		}
		if f, ok := r.Front(); ok && f != model[0] {
			t.Fatalf("step %d: Front = %d, want %d", step, f, model[0])
		}
	}
}

func TestPopClearsSlot(t *testing.T) {
	var r Ring[*int]
	x := new(int)
	r.PushBack(x)
	r.PopFront()
	for i, p := range r.head.buf {
		if p != nil {
			t.Fatalf("slot %d still holds a pointer after pop", i)
		}
	}
}

func BenchmarkPushPop(b *testing.B) {
	var r Ring[func()]
	f := func() {}
	b.ReportAllocs()
	for b.Loop() {
		r.PushBack(f)
		r.PopFront()
	}
}
