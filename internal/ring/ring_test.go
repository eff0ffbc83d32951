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

// TestTrimKeepsAtMostKeepSpares fills a ring over many segments, drains it,
// and trims: at most keep segments stay spare, the ring still works, and
// the heap gives the trimmed segments back.
func TestTrimKeepsAtMostKeepSpares(t *testing.T) {
	tests := []struct {
		name       string
		fill, left int // pushed, then left in the ring after pops
		keep       int
		wantSpare  int
	}{
		{"drained, keep 4", 100 * segSize, 0, 4, 4},
		{"drained, keep 0", 100 * segSize, 0, 0, 0},
		{"fewer spares than keep", 3 * segSize, 0, 8, 2},
		{"elements stay", 50 * segSize, 10*segSize + 5, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Ring[int]
			for i := range tt.fill {
				r.PushBack(i)
			}
			for range tt.fill - tt.left {
				r.PopFront()
			}
			r.Trim(tt.keep)
			if got := r.Spare(); got != tt.wantSpare {
				t.Fatalf("Trim(%d): Spare() = %d, want %d", tt.keep, got, tt.wantSpare)
			}
			for i := tt.fill - tt.left; i < tt.fill; i++ {
				if v, ok := r.PopFront(); !ok || v != i {
					t.Fatalf("PopFront = %d, %v; want %d, true", v, ok, i)
				}
			}
			for i := range 5 * segSize { // spares are reused, new ones made
				r.PushBack(i)
			}
			if r.Len() != 5*segSize {
				t.Fatalf("Len() = %d after refill, want %d", r.Len(), 5*segSize)
			}
		})
	}
}
