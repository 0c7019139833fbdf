package raigorun

import "testing"

func TestFreezeFiles(t *testing.T) {
	base := []FileDigest{{"suite", "b.yaml", "22"}, {"policy", "p.raigo", "11"}, {"suite", "a.yaml", "33"}}
	h := freezeFiles(append([]FileDigest(nil), base...))
	tests := []struct {
		name  string
		files []FileDigest
		same  bool
	}{
		{"order does not matter", []FileDigest{{"suite", "a.yaml", "33"}, {"policy", "p.raigo", "11"}, {"suite", "b.yaml", "22"}}, true},
		{"paths do not matter", []FileDigest{{"suite", "x/b.yaml", "22"}, {"policy", "../p.raigo", "11"}, {"suite", "a.yaml", "33"}}, true},
		{"bytes matter", []FileDigest{{"suite", "b.yaml", "23"}, {"policy", "p.raigo", "11"}, {"suite", "a.yaml", "33"}}, false},
		{"kinds matter", []FileDigest{{"policy", "b.yaml", "22"}, {"policy", "p.raigo", "11"}, {"suite", "a.yaml", "33"}}, false},
		{"a missing file matters", []FileDigest{{"policy", "p.raigo", "11"}, {"suite", "a.yaml", "33"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := freezeFiles(tt.files); (got.Hash == h.Hash) != tt.same {
				t.Errorf("hash %s vs %s, same=%v", got.Hash, h.Hash, tt.same)
			}
		})
	}
	if h.Files[0].Kind != "policy" || h.Files[1].Path != "a.yaml" || h.Files[2].Path != "b.yaml" {
		t.Errorf("files not in canonical order: %+v", h.Files)
	}
}
