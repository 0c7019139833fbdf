package importdomain

import (
	"context"
	"os"
	"testing"
)

func TestScratch(t *testing.T) {
	for _, d := range []string{"support_saas", "finance_saas", "analytics_clickhouse"} {
		res, err := Import(context.Background(), os.DirFS("testdata/reference/"+d), "testdata/reference/"+d, Options{Name: d, FiscalMonthStartDay: 26})
		if err != nil {
			t.Errorf("%s: %v", d, err)
			continue
		}
		t.Logf("%s\n%s", d, res.Report)
		if d == "support_saas" {
			t.Logf("%s\n%s", res.Files["schema.yaml"], res.Files["policy.yaml"])
		}
	}
}
