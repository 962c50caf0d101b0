package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"jingge/api"
	"jingge/api/apitest"
	"jingge/api/locate"
	"jingge/geo"
)

// A server answers from whatever index its geo.Live holds; a reload is a
// Store of a new index.
func ExampleServer_Handler() {
	ix, err := geo.NewIndex(apitest.Small())
	if err != nil {
		panic(err)
	}
	live := new(geo.Live)
	live.Store(ix)
	srv := httptest.NewServer(api.New(api.Config{Index: live}).Handler())
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/api/v1/lookup?lon=109.305&lat=34.15")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var hit locate.Response
	if err := json.NewDecoder(resp.Body).Decode(&hit); err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode, hit.CommunityGrid.Name, hit.PoliceGrid.Name, hit.Station.Name)
	for _, m := range hit.PoliceGrid.Members {
		fmt.Println(m.RoleZH, m.Name, m.Phone)
	}
	// Output:
	// 200 东街社区网格 蓝关第一警格 文姬路派出所
	// 社区民警 王警官 13800000001
	// 辅警 李辅警 13800000002
}
