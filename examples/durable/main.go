// Durable is the README's durable jobs quick start: an embedded JetStream
// server with file storage, a job enqueued under a unique key (a second
// enqueue is refused), and a typed handler on a worker that fails once and
// is retried.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"runtime"
	"time"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/durable/embedded"
	"github.com/threadsystem/threadsystem/pool"
	"github.com/threadsystem/threadsystem/retry"
)

// Email is the job's payload, stored as JSON.
type Email struct {
	To, Subject string
}

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx := context.Background()
	// A real service passes "" (embedded.DefaultDir) or its own directory,
	// and finds its jobs there after a restart.
	dir, err := os.MkdirTemp("", "durable-example-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := embedded.Start(dir, embedded.InProcessOnly())
	if err != nil {
		return err
	}
	defer srv.Shutdown(ctx)
	client, err := durable.New(srv.Conn()) // or durable.Connect("nats://...") for a cluster
	if err != nil {
		return err
	}
	defer client.Close()

	// Enqueue returns once the job is stored: it survives a crash from here on.
	welcome := Email{To: "ada@example.com", Subject: "Welcome"}
	id, err := client.Enqueue(ctx, "email.send", welcome, durable.Unique("welcome:ada"),
		durable.MaxAttempts(5), durable.Backoff(retry.Policy{InitialDelay: 50 * time.Millisecond}))
	if err != nil {
		return err
	}
	again, err := client.Enqueue(ctx, "email.send", welcome, durable.Unique("welcome:ada"))
	fmt.Printf("second enqueue refused: %v, same job: %v\n", errors.Is(err, durable.ErrDuplicate), again == id)

	// A worker runs the jobs on a pool.
	p, err := pool.New(runtime.GOMAXPROCS(0))
	if err != nil {
		return err
	}
	defer p.Close()
	w, err := durable.NewWorker(client, p)
	if err != nil {
		return err
	}
	sent := make(chan string, 1)
	err = durable.Handle(w, "email.send", func(ctx context.Context, e Email) error {
		info, _ := durable.FromContext(ctx)
		if info.Attempt == 1 {
			return errors.New("smtp: try again later") // retried after the backoff
		}
		select { // at least once: a redelivered job may run again
		case sent <- fmt.Sprintf("sent %q to %s on attempt %d of %d", e.Subject, e.To, info.Attempt, info.MaxAttempts):
		default:
		}
		return nil
	})
	if err != nil {
		return err
	}
	ran := make(chan error, 1)
	go func() { ran <- w.Run(ctx) }()
	fmt.Println(<-sent)

	// Shutdown lets running jobs finish, then Run returns.
	if err := w.Shutdown(ctx); err != nil {
		return err
	}
	return <-ran
}
