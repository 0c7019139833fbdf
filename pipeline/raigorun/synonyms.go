package raigorun

import (
	"math/rand/v2"
	"strings"
	"unicode"
)

// synonyms is the small built-in table the synonym mutator draws from:
// words that policies commonly key on, each with replacements a human
// reads the same way.
var synonyms = map[string][]string{
	"ignore":       {"disregard", "overlook", "skip"},
	"disregard":    {"ignore", "forget"},
	"forget":       {"drop", "discard"},
	"previous":     {"earlier", "prior", "preceding"},
	"instructions": {"directions", "guidance", "orders"},
	"rules":        {"guidelines", "policies"},
	"delete":       {"remove", "erase", "purge"},
	"drop":         {"remove", "delete"},
	"wipe":         {"clear", "erase"},
	"destroy":      {"wreck", "demolish"},
	"transfer":     {"move", "send"},
	"send":         {"transmit", "forward"},
	"pay":          {"settle", "remit"},
	"buy":          {"purchase", "acquire"},
	"password":     {"passcode", "passphrase"},
	"execute":      {"carry out", "perform"},
	"run":          {"launch", "start"},
	"show":         {"display", "reveal"},
	"patient":      {"client", "person"},
	"record":       {"file", "chart"},
	"email":        {"e-mail", "mail"},
	"address":      {"location", "residence"},
	"phone":        {"telephone", "cell"},
	"database":     {"datastore", "data store"},
	"secret":       {"confidential", "private"},
	"export":       {"extract", "dump"},
	"upload":       {"post", "push"},
	"system":       {"core", "base"},
	"prompt":       {"instruction", "preamble"},
	"number":       {"no.", "digits"},
}

// mutateSynonym replaces one word found in the table, keeping a leading
// capital and the word's surrounding punctuation.
func mutateSynonym(r *rand.Rand, s string) string {
	fields := strings.Fields(s)
	var at []int
	for i, f := range fields {
		if _, ok := synonyms[strings.ToLower(trimWord(f))]; ok {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return s
	}
	i := at[r.IntN(len(at))]
	word := trimWord(fields[i])
	alts := synonyms[strings.ToLower(word)]
	alt := alts[r.IntN(len(alts))]
	if first := []rune(word)[0]; unicode.IsUpper(first) {
		rs := []rune(alt)
		rs[0] = unicode.ToUpper(rs[0])
		alt = string(rs)
	}
	fields[i] = strings.Replace(fields[i], word, alt, 1)
	return strings.Join(fields, " ")
}

// trimWord strips leading and trailing punctuation.
func trimWord(f string) string {
	return strings.TrimFunc(f, func(c rune) bool { return unicode.IsPunct(c) || unicode.IsSymbol(c) })
}
