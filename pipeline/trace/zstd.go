package trace

import (
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// lowMemZstd is Arrow's zstd codec for Parquet pages with two changes: its
// encoders size their history buffer to what a page needs
// (zstd.WithLowerEncoderMem) instead of twice the 8 MB window, and they
// are kept between pages (encoderPool). Arrow keeps its encoders in a
// sync.Pool, which the garbage collector empties, so a run created an
// encoder for most row groups, each about 20 MB (10 MB with the option;
// TestLowMemZstdSameBytes pins that the pages' bytes do not change).
// Decoding and the streaming API are Arrow's.
type lowMemZstd struct {
	arrow compress.Codec
	pools sync.Map // zstd.EncoderLevel -> *encoderPool
}

var useLowMemZstd = sync.OnceValue(func() error {
	base, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		return fmt.Errorf("zstd codec: %w", err)
	}
	if _, ok := base.(*lowMemZstd); !ok {
		compress.RegisterCodec(compress.Codecs.Zstd, &lowMemZstd{arrow: base})
	}
	return nil
})

// newLowMemZstdEncoder is the encoder Arrow's codec makes for level, with
// the lower history memory.
func newLowMemZstdEncoder(level zstd.EncoderLevel) *zstd.Encoder {
	enc, err := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(level),
		zstd.WithEncoderConcurrency(1), zstd.WithAllLitEntropyCompression(true), zstd.WithLowerEncoderMem(true))
	if err != nil {
		panic(fmt.Sprintf("zstd encoder: %v", err)) // options are constants: cannot fail
	}
	return enc
}

// levelOf maps a Parquet compression level to zstd's as Arrow does.
func levelOf(level int) zstd.EncoderLevel {
	if level == compress.DefaultCompressionLevel {
		return zstd.SpeedDefault
	}
	return zstd.EncoderLevelFromZstd(level)
}

// Encode compresses src at the default level.
func (z *lowMemZstd) Encode(dst, src []byte) []byte {
	return z.EncodeLevel(dst, src, compress.DefaultCompressionLevel)
}

// EncodeLevel compresses src at level with a pooled encoder.
func (z *lowMemZstd) EncodeLevel(dst, src []byte, level int) []byte {
	l := levelOf(level)
	p, ok := z.pools.Load(l)
	if !ok {
		p, _ = z.pools.LoadOrStore(l, &encoderPool{level: l})
	}
	pool := p.(*encoderPool)
	enc := pool.get()
	defer pool.put(enc)
	return enc.EncodeAll(src, dst[:0])
}

// maxIdleEncoders bounds the encoders an encoderPool keeps between uses.
const maxIdleEncoders = 1

// encoderPool keeps up to maxIdleEncoders encoders of one level alive
// between uses. A sync.Pool is emptied by every garbage collection, and a
// run collects often, so most pages paid for a new encoder and its history
// buffer.
type encoderPool struct {
	level zstd.EncoderLevel
	mu    sync.Mutex
	idle  []*zstd.Encoder
}

func (p *encoderPool) get() *zstd.Encoder {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		enc := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return enc
	}
	p.mu.Unlock()
	return newLowMemZstdEncoder(p.level)
}

func (p *encoderPool) put(enc *zstd.Encoder) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) < maxIdleEncoders {
		p.idle = append(p.idle, enc)
	}
}

// CompressBound is Arrow's.
func (z *lowMemZstd) CompressBound(n int64) int64 { return z.arrow.CompressBound(n) }

// Decode is Arrow's.
func (z *lowMemZstd) Decode(dst, src []byte) []byte { return z.arrow.Decode(dst, src) }

// DecodeWithError is Arrow's.
func (z *lowMemZstd) DecodeWithError(dst, src []byte) ([]byte, error) {
	return compress.Decode(z.arrow, dst, src)
}

// NewReader is Arrow's.
func (z *lowMemZstd) NewReader(r io.Reader) io.ReadCloser {
	return z.arrow.(compress.StreamingCodec).NewReader(r)
}

// NewWriter is Arrow's.
func (z *lowMemZstd) NewWriter(w io.Writer) io.WriteCloser {
	return z.arrow.(compress.StreamingCodec).NewWriter(w)
}

// NewWriterLevel is Arrow's.
func (z *lowMemZstd) NewWriterLevel(w io.Writer, level int) (io.WriteCloser, error) {
	return z.arrow.(compress.StreamingCodec).NewWriterLevel(w, level)
}
