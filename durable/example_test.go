package durable_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/threadsystem/threadsystem/durable"
	"github.com/threadsystem/threadsystem/durable/embedded"
	"github.com/threadsystem/threadsystem/pool"
)

// Email is the payload of the example's "email.send" jobs.
type Email struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
}

func ExampleHandle() {
	dir, _ := os.MkdirTemp("", "durable-example")
	defer os.RemoveAll(dir)
	srv, err := embedded.Start(dir, embedded.InProcessOnly())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown(context.Background())
	client, err := durable.New(srv.Conn())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()
	p, _ := pool.New(2)
	defer p.Close()

	w, _ := durable.NewWorker(client, p)
	sent := make(chan string)
	durable.Handle(w, "email.send", func(ctx context.Context, e Email) error {
		sent <- e.To + ": " + e.Subject
		return nil
	})
	go w.Run(context.Background())
	defer w.Shutdown(context.Background())

	ctx := context.Background()
	if _, err := client.Enqueue(ctx, "email.send", Email{To: "ann@example.com", Subject: "welcome"}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(<-sent)
	// Output: ann@example.com: welcome
}

func ExampleClient_Enqueue() {
	dir, _ := os.MkdirTemp("", "durable-example")
	defer os.RemoveAll(dir)
	srv, err := embedded.Start(dir, embedded.InProcessOnly())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown(context.Background())
	client, err := durable.New(srv.Conn())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	ctx := context.Background()
	first, err := client.Enqueue(ctx, "email.send", Email{To: "bob@example.com"},
		durable.Queue("mail"), durable.MaxAttempts(5), durable.Unique("welcome:bob"))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The same unique key while the first job is not done: no second job.
	again, err := client.Enqueue(ctx, "email.send", Email{To: "bob@example.com"},
		durable.Queue("mail"), durable.Unique("welcome:bob"))
	fmt.Println(errors.Is(err, durable.ErrDuplicate), again == first)

	_, err = client.Enqueue(ctx, "email.send", Email{}, durable.Queue("no.dots"))
	fmt.Println(errors.Is(err, durable.ErrInvalid))
	// Output:
	// true true
	// true
}
