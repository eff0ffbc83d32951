package embedded_test

import (
	"context"
	"fmt"
	"os"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/threadsystem/threadsystem/durable/embedded"
)

func ExampleStart() {
	dir, _ := os.MkdirTemp("", "embedded-example")
	defer os.RemoveAll(dir)
	srv, err := embedded.Start(dir, embedded.InProcessOnly())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown(context.Background())

	ctx := context.Background()
	js, _ := jetstream.New(srv.Conn())
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "demo", Storage: jetstream.FileStorage})
	if err != nil {
		fmt.Println(err)
		return
	}
	kv.Put(ctx, "greeting", []byte("hello"))
	e, _ := kv.Get(ctx, "greeting")
	fmt.Println(string(e.Value()))
	// Output: hello
}
