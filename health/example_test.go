package health_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"

	"github.com/threadsystem/threadsystem/health"
	"github.com/threadsystem/threadsystem/pool"
)

func ExampleHandler() {
	p, _ := pool.New(2)
	srv := httptest.NewServer(health.Handler(p))
	defer srv.Close()

	show := func() {
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		var r health.Report
		json.NewDecoder(resp.Body).Decode(&r)
		fmt.Println(resp.StatusCode, r.Status, r.Reasons)
	}
	show()
	p.Close()
	show()
	// Output:
	// 200 ok []
	// 503 unhealthy [pool is closed]
}
