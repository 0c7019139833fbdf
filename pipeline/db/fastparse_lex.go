package db

import (
	"strings"
	"unicode/utf8"
)

// fastTok is a token of the fast parser's lexer.
type fastTok struct {
	kind fastKind
	// text is the identifier (quotes removed), keyword (upper case),
	// operator, or literal (string unescaped, number as written).
	text string
}

type fastKind uint8

const (
	tokEOF     fastKind = iota
	tokIdent            // unquoted identifier, not a keyword
	tokQuoted           // "quoted identifier"
	tokKeyword          // a word the grammar reads as a keyword
	tokString           // 'string literal'
	tokInt              // digits
	tokDecimal          // digits.digits
	tokOp               // punctuation and operators
)

// fastKeywords are words the fast parser reads as keywords: an unquoted
// identifier spelled like one of them is either consumed where the grammar
// expects it or makes the fast parser give the text to DuckDB. The list
// is PostgreSQL's reserved words plus the words DuckDB's grammar gives a
// meaning to in a SELECT, so an unquoted identifier the fast parser
// accepts is an identifier to DuckDB too.
var fastKeywords = func() map[string]string {
	m := map[string]string{}
	for _, w := range strings.Fields(`ALL ANALYSE ANALYZE AND ANTI ANY ARRAY AS ASC ASOF ASYMMETRIC AT
		BETWEEN BOTH BY CASE CAST CHECK COLLATE COLUMN COLUMNS CONSTRAINT CREATE CROSS CURRENT_CATALOG
		CURRENT_DATE CURRENT_ROLE CURRENT_SCHEMA CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DATE DEFAULT
		DEFERRABLE DESC DESCRIBE DISTINCT DO ELSE END ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE FETCH
		FILTER FIRST FOR FOREIGN FROM FULL GLOB GRANT GREATEST GROUP GROUPING HAVING ILIKE IN INITIALLY
		INNER INTERSECT INTERVAL INTO IS ISNULL JOIN LAMBDA LAST LATERAL LEADING LEAST LEFT LIKE LIMIT
		LOCALTIME LOCALTIMESTAMP MAP NATURAL NOT NOTNULL NULL NULLIF NULLS OFFSET ON ONLY OR ORDER OUTER
		OVER OVERLAPS OVERLAY PIVOT PIVOT_LONGER PIVOT_WIDER PLACING POSITION POSITIONAL PRIMARY QUALIFY
		RECURSIVE REFERENCES RENAME REPLACE RETURNING RIGHT ROW ROWS SAMPLE SELECT SEMI SESSION_USER
		SIMILAR SOME STRUCT SUBSTRING SUMMARIZE SYMMETRIC TABLE TABLESAMPLE THEN TIME TIMESTAMP TO
		TRAILING TRIM TRUE TRY_CAST UNION UNIQUE UNPIVOT USER USING VALUES VARIADIC VERBOSE WHEN WHERE
		WINDOW WITH WITHIN COALESCE`) {
		m[w] = w
	}
	return m
}()

// fastKeyword returns the keyword w spells in any case ("" when w is not
// one), without allocating.
func fastKeyword(w string) string {
	var buf [24]byte
	if len(w) > len(buf) {
		return ""
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return fastKeywords[string(buf[:len(w)])]
}

// fastLex splits text into tokens. It reports false for anything it does
// not read exactly as DuckDB's lexer would (comments, semicolons,
// parameters, escape strings, exponents, control or non-ASCII characters
// outside string literals), so the caller can fall back to DuckDB.
func fastLex(text string) ([]fastTok, bool) {
	toks := make([]fastTok, 0, len(text)/4)
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			i++
		case isFastIdentStart(c):
			j := i + 1
			for j < n && isFastIdentPart(text[j]) {
				j++
			}
			w := text[i:j]
			kw := fastKeyword(w)
			if j < n && (text[j] == '\'' || text[j] == '"' || text[j] == '$' || text[j] >= 0x80) {
				// E'..', U&'..', x'..', b'..', identifiers with $ or
				// non-ASCII letters: DuckDB's to read
				if kw != "DATE" || text[j] != '\'' {
					return nil, false
				}
			}
			if kw != "" {
				toks = append(toks, fastTok{tokKeyword, kw})
			} else {
				toks = append(toks, fastTok{tokIdent, w})
			}
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < n && text[j] >= '0' && text[j] <= '9' {
				j++
			}
			kind := tokInt
			if j < n && text[j] == '.' {
				k := j + 1
				for k < n && text[k] >= '0' && text[k] <= '9' {
					k++
				}
				if k == j+1 {
					return nil, false
				}
				kind, j = tokDecimal, k
			}
			if j < n && (isFastIdentPart(text[j]) || text[j] == '.' || text[j] >= 0x80) {
				return nil, false // 1e3, 1_000, 1.2.3, 12abc
			}
			toks = append(toks, fastTok{kind, text[i:j]})
			i = j
		case c == '\'':
			s, j, ok := fastQuoted(text, i, '\'')
			if !ok {
				return nil, false
			}
			toks = append(toks, fastTok{tokString, s})
			i = j
		case c == '"':
			s, j, ok := fastQuoted(text, i, '"')
			if !ok || s == "" {
				return nil, false
			}
			toks = append(toks, fastTok{tokQuoted, s})
			i = j
		default:
			op, ok := fastOperator(text[i:])
			if !ok {
				return nil, false
			}
			toks = append(toks, fastTok{tokOp, op})
			i += len(op)
		}
	}
	return append(toks, fastTok{kind: tokEOF}), true
}

// fastOperator reads the operator at the start of s: only those whose
// meaning the fast parser knows.
func fastOperator(s string) (string, bool) {
	if len(s) >= 2 {
		switch two := s[:2]; two {
		case "<=", ">=", "<>", "!=", "||":
			if len(s) >= 3 && strings.ContainsRune("=<>!|~&#@^*+-/%", rune(s[2])) {
				return "", false // <=>, ||/, -- and other longer operators
			}
			return two, true
		}
	}
	switch s[0] {
	case '(', ')', ',', '.':
		return s[:1], true
	case '*', '=', '<', '>', '+', '/', '%':
		if len(s) >= 2 && strings.ContainsRune("=<>!|~&#@^*+-/%:", rune(s[1])) {
			return "", false // ==, /*, ::, *-, and other operator runs
		}
		return s[:1], true
	case '-':
		if len(s) >= 2 && strings.ContainsRune("=<>!|~&#@^*+-/%:", rune(s[1])) {
			return "", false
		}
		return "-", true
	}
	return "", false
}

// fastQuoted reads the quoted token opened at text[i] by q, with doubled
// quotes as escapes; the content must be valid UTF-8 without control
// characters other than tab and newline.
func fastQuoted(text string, i int, q byte) (string, int, bool) {
	var b strings.Builder
	n := len(text)
	j := i + 1
	start := j
	for j < n {
		c := text[j]
		if c == q {
			if j+1 < n && text[j+1] == q {
				b.WriteString(text[start : j+1])
				j += 2
				start = j
				continue
			}
			s := text[i+1 : j] // no doubled quote: the text itself
			if b.Len() > 0 {
				b.WriteString(text[start:j])
				s = b.String()
			}
			if !utf8.ValidString(s) {
				return "", 0, false
			}
			return s, j + 1, true
		}
		if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
			return "", 0, false
		}
		j++
	}
	return "", 0, false
}

func isFastIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isFastIdentPart(c byte) bool {
	return isFastIdentStart(c) || (c >= '0' && c <= '9')
}
