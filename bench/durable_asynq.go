package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynq"
)

// asynqEnqueuers and asynqConcurrency are the shapes that gave asynq its best
// figures on this machine (shared/notes: 8 enqueuers, 50 workers).
const (
	asynqEnqueuers   = 8
	asynqConcurrency = 50
)

// asynqRedis is asynq v0.26.0 on a redis-server that the bench starts itself
// on a random loopback port, in a temporary directory, with redis's default
// persistence (RDB save points, no AOF), and kills afterwards.
func asynqRedis() queueSystem {
	return queueSystem{
		name: asynqName,
		note: fmt.Sprintf("asynq v0.26.0, %d enqueuing goroutines, Concurrency %d, TaskCheckInterval default (1 s); redis-server defaults", asynqEnqueuers, asynqConcurrency),
		missing: func() string {
			if _, err := exec.LookPath("redis-server"); err != nil {
				return "redis-server is not on PATH (apt-get install -y redis-server)"
			}
			return ""
		},
		open: openAsynq,
	}
}

// asynqQueue is one run's redis-server and asynq client and server.
type asynqQueue struct {
	dir    string
	redis  *exec.Cmd
	exited chan struct{}
	opt    asynq.RedisClientOpt
	client *asynq.Client
	srv    *asynq.Server
}

func openAsynq() (queue, error) {
	dir, err := os.MkdirTemp("", "bench-redis-")
	if err != nil {
		return nil, err
	}
	q := &asynqQueue{dir: dir}
	for try := 0; ; try++ {
		err = q.startRedis()
		if err == nil || try == 2 {
			break
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	q.client = asynq.NewClient(q.opt)
	return q, nil
}

// startRedis starts redis-server on a free loopback port and waits for it to
// answer PING.
func (q *asynqQueue) startRedis() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	q.opt = asynq.RedisClientOpt{Addr: "127.0.0.1:" + strconv.Itoa(port)}
	q.redis = exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", q.dir)
	if err := q.redis.Start(); err != nil {
		return fmt.Errorf("redis-server: %w", err)
	}
	q.exited = make(chan struct{})
	go func() { q.redis.Wait(); close(q.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-q.exited:
			return fmt.Errorf("redis-server on port %d exited at start (%v)", port, q.redis.ProcessState)
		default:
		}
		if pingRedis(q.opt.Addr) == nil {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	q.kill()
	return fmt.Errorf("redis-server on port %d did not answer PING in 10 s", port)
}

// pingRedis sends PING to addr and expects +PONG.
func pingRedis(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// kill stops redis-server at once (SIGKILL: no save on the way out) and
// waits for it.
func (q *asynqQueue) kill() {
	if q.redis == nil || q.redis.Process == nil {
		return
	}
	q.redis.Process.Kill()
	<-q.exited
}

func (q *asynqQueue) serve(handle func([]byte)) error {
	q.srv = asynq.NewServer(q.opt, asynq.Config{Concurrency: asynqConcurrency, LogLevel: asynq.FatalLevel})
	return q.srv.Start(asynq.HandlerFunc(func(_ context.Context, t *asynq.Task) error {
		handle(t.Payload())
		return nil
	}))
}

func (q *asynqQueue) enqueue(p []byte) error {
	_, err := q.client.Enqueue(asynq.NewTask("bench", p))
	return err
}

func (q *asynqQueue) enqueueAll(ps [][]byte) error {
	var wg sync.WaitGroup
	errs := make([]error, asynqEnqueuers)
	for k := range asynqEnqueuers {
		wg.Go(func() {
			for i := k; i < len(ps); i += asynqEnqueuers {
				if _, err := q.client.Enqueue(asynq.NewTask("bench", ps[i])); err != nil {
					errs[k] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// rss is redis-server's VmRSS: asynq's queue lives there.
func (q *asynqQueue) rss() (float64, error) { return procRSS(strconv.Itoa(q.redis.Process.Pid)) }

func (q *asynqQueue) disk() (float64, error) { return dirSize(q.dir) }

func (q *asynqQueue) close() error {
	if q.srv != nil {
		q.srv.Shutdown()
	}
	if q.client != nil {
		q.client.Close()
	}
	q.kill()
	return os.RemoveAll(q.dir)
}
