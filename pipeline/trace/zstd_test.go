package trace

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
)

// arrowZstd is Arrow's own zstd codec, whatever is registered now.
func arrowZstd(t *testing.T) compress.Codec {
	t.Helper()
	if err := useLowMemZstd(); err != nil {
		t.Fatal(err)
	}
	c, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	lm, ok := c.(*lowMemZstd)
	if !ok {
		t.Fatalf("the registered zstd codec is %T, not the low-memory one", c)
	}
	return lm.arrow
}

// TestLowMemZstdSameBytes: the low-memory encoders write the bytes Arrow's
// encoders write, for pages from a few bytes to past the 8 MB window, of
// trace-like text and of incompressible data, at the default and other
// levels; and what they write decodes back.
func TestLowMemZstdSameBytes(t *testing.T) {
	base := arrowZstd(t)
	lm := &lowMemZstd{arrow: base}
	var text strings.Builder
	r := rand.New(rand.NewPCG(1, 2))
	for text.Len() < 10<<20 {
		text.WriteString(`{"task_id":"gen-`)
		text.WriteString(strings.Repeat("x", r.IntN(20)))
		text.WriteString(`","verdict":"killed","sql":"SELECT sum(invoices.net_amount_cents) FROM invoices WHERE accounts.tenant_id IN ('acme')"}` + "\n")
	}
	noise := make([]byte, 3<<20)
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	inputs := [][]byte{}
	for _, n := range []int{1, 100, 4096, 70000, 1 << 20, 1<<20 + 12345, 3 << 20, 9 << 20} {
		inputs = append(inputs, []byte(text.String()[:n]))
	}
	inputs = append(inputs, noise[:1000], noise)
	for _, level := range []int{compress.DefaultCompressionLevel, 1, 3, 9} {
		for _, in := range inputs {
			want := base.EncodeLevel(nil, in, level)
			got := lm.EncodeLevel(nil, in, level)
			if !bytes.Equal(got, want) {
				t.Fatalf("level %d, %d bytes: the low-memory encoder wrote %d bytes that differ from Arrow's %d", level, len(in), len(got), len(want))
			}
			back, err := lm.DecodeWithError(nil, got)
			if err != nil || !bytes.Equal(back, in) {
				t.Fatalf("level %d, %d bytes: decoded %d bytes, err %v", level, len(in), len(back), err)
			}
		}
	}
	for _, in := range inputs {
		if !bytes.Equal(lm.Encode(nil, in), base.Encode(nil, in)) {
			t.Fatalf("%d bytes: Encode differs from Arrow's", len(in))
		}
	}
}
