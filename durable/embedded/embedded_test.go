package embedded_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/threadsystem/threadsystem/durable/embedded"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStartServesJetStreamAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	srv, err := embedded.Start(dir)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", srv.Dir(), dir)
	}
	if !strings.HasPrefix(srv.ClientURL(), "nats://127.0.0.1:") {
		t.Errorf("ClientURL() = %q, want a loopback URL", srv.ClientURL())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	js, err := jetstream.New(srv.Conn())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}, Storage: jetstream.FileStorage}); err != nil {
		t.Fatal(err)
	}
	// A second client over TCP sees the same server.
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	js2, _ := jetstream.New(nc)
	if _, err := js2.Publish(ctx, "t.x", []byte("hi")); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	if !srv.Conn().IsClosed() {
		t.Error("Conn not closed by Shutdown")
	}

	// The store survives: a new server on the same directory has the message.
	srv2, err := embedded.Start(dir, embedded.InProcessOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Shutdown(ctx)
	if srv2.ClientURL() != "" {
		t.Errorf("InProcessOnly ClientURL() = %q, want empty", srv2.ClientURL())
	}
	js3, _ := jetstream.New(srv2.Conn())
	s, err := js3.Stream(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Errorf("after restart the stream holds %d messages, want 1", info.State.Msgs)
	}
}

func TestStartRefusesBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  embedded.Option
	}{
		{"port", embedded.Listen("", 70000)},
		{"name", embedded.Name("")},
		{"ready", embedded.ReadyTimeout(0)},
		{"store", embedded.MaxStore(-1)},
		{"logger", embedded.Logger(nil)},
		{"nil", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := embedded.Start(t.TempDir(), tc.opt)
			if !errors.Is(err, embedded.ErrInvalidOption) {
				t.Fatalf("Start = %v, %v; want ErrInvalidOption", srv, err)
			}
		})
	}
}

func TestStartNamesAnUnusableDirectory(t *testing.T) {
	_, err := embedded.Start("/proc/self/no/such/dir")
	if err == nil || !strings.Contains(err.Error(), "/proc/self/no/such/dir") {
		t.Fatalf("Start = %v, want an error naming the directory", err)
	}
}
