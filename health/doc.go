// Package health serves the health of threadsystem pools over HTTP, for
// load balancers, orchestrators and people with curl.
//
// A handler answers 200 when every pool it watches is healthy and 503
// otherwise, with a JSON body holding the verdict, its reasons and the main
// figures of each pool:
//
//	http.Handle("/healthz", health.Handler(p))
//	http.Handle("/healthz/all", health.Pools(map[string]*pool.Pool{"cpu": cpu, "io": io}))
//
// The verdict is [pool.Pool.Health]: unhealthy when the pool is closed,
// when jobs run past its stuck threshold, or when its bounded queue is
// full. The handler lives here rather than in pool so that programs using
// pool alone do not link net/http.
package health
