package strictyaml

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"syscall"

	"go.yaml.in/yaml/v3"
)

// Input limits. A file or a value past them is bad input (an Error), so that
// a hostile or mistaken file cannot make the process grow without bound.
const (
	// MaxFileBytes bounds every YAML input file.
	MaxFileBytes = 32 << 20
	// MaxStringBytes bounds every scalar value and mapping key in a YAML
	// input file.
	MaxStringBytes = 64 << 10
)

// ReadFile reads name from fsys for decoding, reporting as label: a
// missing file, a directory, a symlink loop, an unreadable file or one over
// MaxFileBytes is an Error (bad input); other failures are wrapped.
func ReadFile(fsys fs.FS, name, label string) ([]byte, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, fileError(label, err)
	}
	if st.IsDir() {
		return nil, Errorf(label, 0, "is a directory, not a file")
	}
	if !st.Mode().IsRegular() {
		return nil, Errorf(label, 0, "is not a regular file")
	}
	if st.Size() > MaxFileBytes {
		return nil, Errorf(label, 0, "file is %d bytes, over the limit of %d", st.Size(), MaxFileBytes)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fileError(label, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fileError(label, err)
	}
	if len(data) > MaxFileBytes {
		return nil, Errorf(label, 0, "file is over the limit of %d bytes", MaxFileBytes)
	}
	return data, nil
}

// fileError classifies a file-system error: what the user can fix (missing,
// unreadable, a symlink loop, a directory) is an Error.
func fileError(label string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Errorf(label, 0, "no such file")
	case errors.Is(err, fs.ErrPermission):
		return Errorf(label, 0, "permission denied")
	case errors.Is(err, syscall.ELOOP):
		return Errorf(label, 0, "too many levels of symbolic links")
	case errors.Is(err, syscall.EISDIR):
		return Errorf(label, 0, "is a directory, not a file")
	case errors.Is(err, syscall.ENOTDIR):
		return Errorf(label, 0, "a path component is not a directory")
	}
	return fmt.Errorf("read %s: %w", label, err)
}

// checkScalars rejects, below n, a scalar or key over MaxStringBytes or
// holding a NUL byte (no engine stores one in text, and C-based layers
// would truncate at it).
func checkScalars(path string, n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if len(n.Value) > MaxStringBytes {
			return Errorf(path, n.Line, "value is %d bytes, over the limit of %d", len(n.Value), MaxStringBytes)
		}
		if strings.IndexByte(n.Value, 0) >= 0 {
			return Errorf(path, n.Line, "value contains a NUL byte")
		}
	}
	for _, c := range n.Content {
		if err := checkScalars(path, c); err != nil {
			return err
		}
	}
	return nil
}
