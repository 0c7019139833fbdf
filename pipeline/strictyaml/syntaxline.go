package strictyaml

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
)

// parserProblems are the problems yaml.v3's parser (as opposed to its
// scanner) reports. For them yaml.v3 prints the 0-based line of its mark
// (the construct being parsed, such as the block mapping that lacks a
// key), one line early; scanner problems are printed 1-based.
var parserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

var syntaxLineRE = regexp.MustCompile(`^(?:yaml: )?(?:line (\d+): )?(.*)$`)

// SyntaxLine reads the line and problem out of a yaml.v3 syntax error
// message ("yaml: line 5: did not find expected key") and corrects the
// line to the 1-based line of the construct the error names: yaml.v3
// prints parser errors one line early, and omits the line of any error on
// the first line (which is then 1). line is 0 when the message is not a
// syntax error yaml.v3 located. An error found at the end of the stream
// is put on data's last line (data is the document the message is about).
func SyntaxLine(msg string, data []byte) (line int, problem string) {
	line, problem = syntaxLine(msg)
	if n := lineCount(data); line > n && n > 0 {
		line = n
	}
	return line, problem
}

// lineCount is the number of lines of data (a last line without a
// newline counts).
func lineCount(data []byte) int {
	n := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}

func syntaxLine(msg string) (line int, problem string) {
	m := syntaxLineRE.FindStringSubmatch(strings.TrimSpace(msg))
	if m == nil {
		return 0, msg
	}
	problem = m[2]
	parser := false
	for _, p := range parserProblems {
		if problem == p {
			parser = true
			break
		}
	}
	if m[1] == "" {
		if parser || isScannerProblem(problem) {
			return 1, problem
		}
		return 0, problem
	}
	line, _ = strconv.Atoi(m[1])
	if parser {
		line++
	}
	return line, problem
}

// isScannerProblem reports whether problem is one yaml.v3's scanner
// reports (they start with these words).
func isScannerProblem(problem string) bool {
	for _, p := range []string{"found ", "did not find ", "could not find ", "mapping ", "block sequence ", "exceeded max depth"} {
		if strings.HasPrefix(problem, p) {
			return true
		}
	}
	return false
}
