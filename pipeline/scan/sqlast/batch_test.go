package sqlast

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// batchCases are texts parsed together and alone: quotes and comments
// holding `;`, placeholders, a trailing `;`, and texts that must not share
// a call (unterminated, several statements, dollar quotes, not a SELECT).
var batchCases = []string{
	"select 1",
	"select 'a;b' as x from t where y = $1;",
	"select \"c;\" from t -- trailing ; comment",
	"select 1 /* ; */ from t;  ",
	"select 'unterminated from t",
	"select 1; select 2",
	"select $$x;y$$",
	"delete from t",
	"",
	"-- only a comment",
	"select e'\\';' from t",
	"select a from t where b = ? and c = :name",
	"select 1 /* nested /* */ */",
	"with c as (select id from accounts where tenant_id = 'a') select count(*) from c",
	"select 2 as two;",
}

func TestParseBatch(t *testing.T) {
	ctx := context.Background()
	p, err := Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, texts := range [][]string{batchCases, {batchCases[0], batchCases[1], batchCases[13]}, {batchCases[4]}, nil} {
		sts, errs, err := p.ParseBatch(ctx, texts)
		if err != nil {
			t.Fatal(err)
		}
		for i, text := range texts {
			want, werr := p.Parse(ctx, text)
			if (werr == nil) != (errs[i] == nil) || werr != nil && werr.Error() != errs[i].Error() {
				t.Errorf("%q: batch error %v, alone %v", text, errs[i], werr)
				continue
			}
			if werr != nil {
				continue
			}
			if diff := cmp.Diff(want.Root, sts[i].Root); diff != "" {
				t.Errorf("%q: batch tree differs (-alone +batch):\n%s", text, diff)
			}
		}
	}
}

func TestBatchable(t *testing.T) {
	tests := []struct {
		in  string
		end int
		ok  bool
	}{
		{"select 1", 8, true},
		{"select 1;", 8, true},
		{"select 1; -- c", 8, true},
		{"select ';'", 10, true},
		{"select 1; select 2", 0, false},
		{"select 'x", 0, false},
		{"select /* x", 0, false},
		{"select 1 -- x", 13, true},
		{"select $$a$$", 0, false},
		{"select 1;;", 0, false},
	}
	for _, tc := range tests {
		end, ok := batchable(tc.in)
		if ok != tc.ok || ok && end != tc.end {
			t.Errorf("%q: got %d %v, want %d %v", tc.in, end, ok, tc.end, tc.ok)
		}
	}
}

// FuzzParseBatch: a fuzzed text parsed in a batch between two ordinary
// statements gives what it gives alone, and its neighbours are unchanged.
func FuzzParseBatch(f *testing.F) {
	p, err := Open(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	defer p.Close()
	for _, c := range batchCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ctx := context.Background()
		texts := []string{"select a from t where b = 1", text, "select 'z' as z from u"}
		sts, errs, err := p.ParseBatch(ctx, texts)
		if err != nil {
			t.Skip(err)
		}
		for i, tx := range texts {
			want, werr := p.Parse(ctx, tx)
			if (werr == nil) != (errs[i] == nil) {
				t.Fatalf("%q: batch error %v, alone %v", tx, errs[i], werr)
			}
			if werr == nil && !cmp.Equal(want.Root, sts[i].Root) {
				t.Fatalf("%q: batch tree differs", tx)
			}
		}
	})
}

// FuzzDecodeJSON: the tree decoder accepts exactly what encoding/json
// accepts and gives the same values.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,-0,"x\u00e9\ud83d\ude00"],"b":null,"c":true}`, `[]`, `"\ud800x"`, `01`, `{"a":1,}`, `"\t"`, `{"query_location":18446744073709551615}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, gerr := decodeJSON(data)
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		werr := dec.Decode(&want)
		if werr == nil && dec.More() {
			werr = errTrailing
		}
		if werr == nil {
			// encoding/json's Decoder allows trailing whitespace only
			rest := bytes.TrimSpace(data[dec.InputOffset():])
			if len(rest) > 0 {
				werr = errTrailing
			}
		}
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%q: decode error %v, encoding/json %v", data, gerr, werr)
		}
		if gerr == nil && !cmp.Equal(want, got) {
			t.Fatalf("%q: %v != %v", data, got, want)
		}
	})
}

var errTrailing = json.Unmarshal([]byte("1 2"), new(any))

// TestCopyPath: the copy's target can be edited without touching the
// original; what is off the path is shared.
func TestCopyPath(t *testing.T) {
	p, err := Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	st, err := p.Parse(context.Background(), "with c as (select id from a where t = 'x') select count(*) from c where c.id > 1 limit 5")
	if err != nil {
		t.Fatal(err)
	}
	before := Clone(st.Root)
	for _, s := range st.Selects() {
		root, sel, ok := CopyPath(st.Root, s.Node)
		if !ok {
			t.Fatalf("select not found")
		}
		sel["where_clause"] = nil
		sel["modifiers"] = []any{}
		if !cmp.Equal(before, any(st.Root)) {
			t.Fatalf("editing the copy changed the original")
		}
		again := (&Statement{Root: root}).Selects()
		if len(again) != 2 || cmp.Equal(any(root), any(st.Root)) {
			t.Errorf("the copy lost a select or the edit: %d selects", len(again))
		}
	}
	if _, _, ok := CopyPath(st.Root, Node{}); ok {
		t.Error("found a node that is not in the tree")
	}
}
