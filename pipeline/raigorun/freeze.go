package raigorun

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
)

// FileDigest records one input file of a run.
type FileDigest struct {
	// Kind is "policy" or "suite".
	Kind string `json:"kind"`
	// Path is the file as loaded (suite: as discovered; policy: resolved
	// against its suite's directory).
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Freeze is the run's input manifest: every suite and policy file with its
// digest, and the freeze hash over them.
type Freeze struct {
	// Hash is "sha256:<hex>" over the lines "<kind> <sha256>\n" of every
	// file, sorted: it depends on the files' bytes only, not on their paths
	// or the order they were named in.
	Hash  string       `json:"hash"`
	Files []FileDigest `json:"files"`
}

// freeze computes the manifest of the loaded suites and policies.
func freeze(suites []*loadedSuite, policies []*policyFile) Freeze {
	var files []FileDigest
	for _, ls := range suites {
		files = append(files, FileDigest{Kind: "suite", Path: ls.suite.Path, SHA256: ls.digest})
	}
	for _, pf := range policies {
		files = append(files, FileDigest{Kind: "policy", Path: pf.path, SHA256: pf.digest})
	}
	return freezeFiles(files)
}

// freezeFiles sorts files by kind, then path, and hashes them.
func freezeFiles(files []FileDigest) Freeze {
	sort.SliceStable(files, func(i, j int) bool {
		if files[i].Kind != files[j].Kind {
			return files[i].Kind < files[j].Kind
		}
		return files[i].Path < files[j].Path
	})
	lines := make([]string, len(files))
	for i, f := range files {
		lines[i] = f.Kind + " " + f.SHA256 + "\n"
	}
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
	}
	return Freeze{Hash: "sha256:" + hex.EncodeToString(h.Sum(nil)), Files: files}
}
