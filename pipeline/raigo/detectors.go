package raigo

import (
	"bytes"
	"regexp"
	"strings"
)

// The built-in detectors reproduce the reference engine's pattern lists.
// Each pattern carries a cheap prefilter (a literal one of which must occur,
// or a minimum run of digits) so that the regular expression only runs when
// it could match. Case-insensitive patterns run on the ASCII-lowercased text
// with lowercase expressions: the patterns' letters are all ASCII and
// JavaScript's non-unicode i flag never folds a non-ASCII character onto an
// ASCII one, so this is exactly the engine's behaviour. Case-sensitive
// patterns (marked cs) run on the original text.

// detector identifies one built-in detector.
type detector uint8

// The built-in detectors.
const (
	detPII detector = iota
	detPIIRequest
	detPHI
	detClassified
	detInjection
	detDestructive
	detFinancial
	detExternal
	numDetectors
)

// detectorSet is a bit set of detectors.
type detectorSet uint16

func (d detector) bit() detectorSet { return 1 << d }

// detectorNames are used in test and debug output.
var detectorNames = [numDetectors]string{
	detPII:         "pii",
	detPIIRequest:  "pii_request",
	detPHI:         "phi",
	detClassified:  "classified",
	detInjection:   "prompt_injection",
	detDestructive: "destructive_action",
	detFinancial:   "financial_action",
	detExternal:    "external_content_execution",
}

// pattern is one detector expression with its prefilter.
type pattern struct {
	re     *regexp.Regexp
	groups [][]string // each group: at least one literal must occur (lowercased text)
	masks  []litSet   // groups compiled against the literal automaton
	cs     bool       // case-sensitive: run on the original text
	minRun int        // the text must hold a run of at least this many ASCII digits
	minDig int        // the text must hold at least this many ASCII digits
	plain  bool       // the expression is the single literal itself
}

// need builds literal groups: need("a", "b|c") requires a, and b or c.
func need(groups ...string) [][]string {
	out := make([][]string, len(groups))
	for i, g := range groups {
		out[i] = strings.Split(g, "|")
	}
	return out
}

func ci(p string, groups ...string) pattern { return pattern{re: mustJS(p), groups: need(groups...)} }

func cs(p string, groups ...string) pattern {
	return pattern{re: mustJS(p), groups: need(groups...), cs: true}
}

func digits(p string, minRun, minDig int, groups ...string) pattern {
	return pattern{re: mustJS(p), groups: need(groups...), cs: true, minRun: minRun, minDig: minDig}
}

func plain(lit string) pattern {
	return pattern{re: regexp.MustCompile(regexp.QuoteMeta(lit)), groups: need(lit), plain: true}
}

var detectorPatterns = [numDetectors][]pattern{
	detPII: {
		digits(`\b\d{3}-\d{2}-\d{4}\b`, 4, 9, "-"),                            // SSN
		digits(`\b[A-Z]{2}\d{6}[A-Z]\b`, 6, 6),                                // "UK NHS number style" (cs)
		digits(`\b\d{10}\b`, 10, 10),                                          // NHS number
		ci(`\bnhs\s*number\b`, "nhs", "number"),                               //
		ci(`\bdate\s+of\s+birth\b`, "birth", "date"),                          //
		ci(`\bpassport\s+number\b`, "passport", "number"),                     //
		ci(`\bni\s*number\b`, "number", "ni"),                                 //
		digits(`\b[A-Z]{2}\s?\d{6}\s?[A-Z]\b`, 6, 6),                          // NI number (cs)
		digits(`\b\d{4}[\s-]?\d{4}[\s-]?\d{4}[\s-]?\d{4}\b`, 4, 16),           // card
		ci(`\bpatient\s+(id|number|record)\b`, "patient", "id|number|record"), //
		ci(`\bmedical\s+record\b`, "medical", "record"),                       //
		ci(`\bdiagnosis\b`, "diagnosis"),                                      //
		ci(`\bprescription\b`, "prescription"),                                //
		ci(`\bblood\s+type\b`, "blood", "type"),                               //
		ci(`\bemail\s+address\b`, "email", "address"),                         //
		ci(`\bhome\s+address\b`, "home", "address"),                           //
		ci(`\bphone\s+number\b`, "phone", "number"),                           //
		ci(`\bmobile\s+number\b`, "mobile", "number"),                         //
		ci(`\bsort\s+code\b`, "sort", "code"),                                 //
		ci(`\baccount\s+number\b`, "account", "number"),                       //
	},
	detPIIRequest: {
		ci(`\bemail\s+address\b`, "email", "address"),
		ci(`\bphone\s+number\b`, "phone", "number"),
		ci(`\bhome\s+address\b`, "home", "address"),
		ci(`\bpersonal\s+(details?|information|data)\b`, "personal", "detail|information|data"),
		ci(`\bcontact\s+(details?|information)\b`, "contact", "detail|information"),
		ci(`\bdate\s+of\s+birth\b`, "birth", "date"),
		ci(`\bpassword\b`, "password"),
		ci(`\bcredit\s+card\b`, "credit", "card"),
		ci(`\bbank\s+(account|details?)\b`, "bank", "account|detail"),
		ci(`\bsocial\s+security\b`, "social", "security"),
		ci(`\bnhs\s+number\b`, "nhs", "number"),
		ci(`\bni\s+number\b`, "number", "ni"),
		ci(`\bpassport\b`, "passport"),
		ci(`\bdriving\s+licen[cs]e\b`, "driving", "licen"),
	},
	detPHI: { // plus everything the PII detector matches
		ci(`\bhiv\b`, "hiv"),
		ci(`\bcancer\b`, "cancer"),
		ci(`\bdiabetes\b`, "diabetes"),
		ci(`\bclinical\s+notes?\b`, "clinical", "note"),
		ci(`\bmedication\b`, "medication"),
		ci(`\btreatment\s+plan\b`, "treatment", "plan"),
		ci(`\blab\s+results?\b`, "lab", "result"),
		ci(`\bpathology\b`, "pathology"),
		ci(`\bradiology\b`, "radiology"),
	},
	detClassified: {
		cs(`\bSECRET\b`, "secret"),
		ci(`\btop\s+secret\b`, "secret", "top"),
		cs(`\bCLASSIFIED\b`, "classified"),
		ci(`\bofficial[\s-]sensitive\b`, "sensitive", "official"),
		cs(`\bCUI\b`, "cui"),
		ci(`\bfor\s+official\s+use\s+only\b`, "official", "only"),
		cs(`\bFOUO\b`, "fouo"),
		cs(`\bNOFORN\b`, "noforn"),
	},
	detInjection: {
		ci(`(ignore|disregard|forget)\s+(all\s+)?(previous|prior|above)\s+instructions?`,
			"instruction", "ignore|disregard|forget", "previous|prior|above"),
		ci(`you\s+are\s+now\s+a\s+different`, "different", "now"),
		ci(`act\s+as\s+if\s+you\s+(have\s+no|don.t\s+have)\s+(rules|restrictions|guidelines)`,
			"act", "have", "rules|restrictions|guidelines"),
		plain("jailbreak"),
		ci(`\bdan\b.*mode`, "dan", "mode"),
		ci(`\bdan\b.*now`, "dan", "now"),
		ci(`you\s+are\s+now\s+dan`, "dan", "now"),
		ci(`developer\s+mode\s+enabled`, "enabled", "developer"),
		ci(`pretend\s+you\s+(have\s+no|don.t\s+have)\s+(restrictions|rules|guidelines)`,
			"pretend", "rules|restrictions|guidelines"),
		ci(`you\s+have\s+no\s+(restrictions|rules|guidelines|limits)`,
			"have", "rules|restrictions|guidelines|limits"),
		ci(`(override|bypass|circumvent)\s+(your\s+)?(safety|security|guidelines|instructions)`,
			"override|bypass|circumvent", "safety|security|guidelines|instruction"),
		ci(`system\s+prompt\s*:`, "prompt", "system", ":"),
		plain("[system]"),
		plain("[inst]"),
		ci(`admin\s+panel`, "panel", "admin"),
		ci(`access\s+the\s+admin`, "admin", "access"),
	},
	detDestructive: {
		ci(`\bdelete\s+(all|every|the)\b`, "delete"),
		ci(`\bdrop\s+(table|database|schema|collection)\b`, "drop"),
		ci(`\btruncate\s+(table|database)\b`, "truncate"),
		ci(`\bwipe\s+(the\s+)?(database|disk|drive|server|data|backup|all)\b`, "wipe"),
		ci(`\bformat\s+(the\s+)?(disk|drive|partition|server)\b`, "format"),
		ci(`\brm\s+-rf?\b`, "-r", "rm"),
		ci(`\bdel\s+/[sf]\b`, "del", "/"),
		ci(`\bkill\s+(all|every)\s+(process|service|container)\b`, "kill"),
		ci(`\bshutdown\s+(the\s+)?(server|system|database)\b`, "shutdown"),
		ci(`\bpurge\s+(all|every|the)\b`, "purge"),
		ci(`\berase\s+(all|every|the)\b`, "erase"),
		ci(`\bremove\s+all\b`, "remove", "all"),
		ci(`destroy\s+(the\s+)?(database|server|data|all)\b`, "destroy"),
	},
	detFinancial: {
		ci(`\b(transfer|send|pay|wire|purchase|buy|withdraw|debit|charge)\s+[$£€¥]?\s*[\d,]+`,
			"transfer|send|pay|wire|purchase|buy|withdraw|debit|charge"),
		ci(`\bsubscrib\w+\s+to\b`, "subscrib", "to"),
		ci(`\bsort\s+code\b`, "sort", "code"),
		ci(`\baccount\s+number\s+\d`, "account", "number"),
		ci(`\biban\b`, "iban"),
		ci(`\bbic\b`, "bic"),
		ci(`\bswift\b`, "swift"),
	},
	detExternal: {
		ci(`(execute|run|follow)\s+(the\s+)?(instructions?|commands?|code|script)\s+(it\s+)?(contains?|from|in)`,
			"execute|run|follow", "instruction|command|code|script"),
		ci(`eval(uate)?\s+(this|the)\s+(code|script|command)`, "eval", "code|script|command"),
		ci(`exec(ute)?\s+(this|the)\s+(code|script|command)`, "exec", "code|script|command"),
		ci(`(shell|bash|powershell)\s+script`, "script", "shell|bash"),
	},
}

// literals is the automaton over every detector literal.
var literals = func() *literalMatcher {
	x := &literalIndex{ids: map[string]int{}}
	for d := range detectorPatterns {
		for i := range detectorPatterns[d] {
			p := &detectorPatterns[d][i]
			for _, g := range p.groups {
				var m litSet
				for _, lit := range g {
					m.add(x.id(lit))
				}
				p.masks = append(p.masks, m)
			}
		}
	}
	return x.build()
}()

// detect runs detector d on the evaluation's text, memoising the answer.
func (s *evalState) detect(d detector) bool {
	bit := d.bit()
	if s.done&bit != 0 {
		return s.hits&bit != 0
	}
	hit := s.runDetector(d)
	s.done |= bit
	if hit {
		s.hits |= bit
	}
	return hit
}

// detectAny reports whether any detector in set matches.
func (s *evalState) detectAny(set detectorSet) bool {
	for d := detector(0); set != 0; d++ {
		if set&1 != 0 && s.detect(d) {
			return true
		}
		set >>= 1
	}
	return false
}

func (s *evalState) runDetector(d detector) bool {
	if s.matchAny(detectorPatterns[d]) {
		return true
	}
	return d == detPHI && s.detect(detPII)
}

func (s *evalState) matchAny(pats []pattern) bool {
	for i := range pats {
		if s.matchPattern(&pats[i]) {
			return true
		}
	}
	return false
}

func (s *evalState) matchPattern(p *pattern) bool {
	if len(p.masks) > 0 {
		found := s.literalsFound()
		for i := range p.masks {
			if !found.intersects(&p.masks[i]) {
				return false
			}
		}
	}
	if p.minRun > 0 {
		run, total := s.digitStats()
		if run < p.minRun || total < p.minDig {
			return false
		}
	}
	if p.plain {
		return true
	}
	if p.cs {
		return p.re.MatchString(s.text)
	}
	return p.re.Match(s.lowerText())
}

// bytesContainsString is bytes.Contains without converting the needle.
func bytesContainsString(b []byte, s string) bool {
	switch len(s) {
	case 0:
		return true
	case 1:
		return bytes.IndexByte(b, s[0]) >= 0
	}
	first := s[0]
	for len(b) >= len(s) {
		i := bytes.IndexByte(b[:len(b)-len(s)+1], first)
		if i < 0 {
			return false
		}
		if string(b[i:i+len(s)]) == s {
			return true
		}
		b = b[i+1:]
	}
	return false
}
