package raigorun

import "testing"

func TestLineDiff(t *testing.T) {
	tests := []struct {
		name, old, cur, want string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"one line changed", "a\nb\nc\n", "a\nB\nc\n", "  a\n- b\n+ B\n  c\n"},
		{"added at the end", "a\nb\n", "a\nb\nc\n", "  b\n+ c\n"},
		{"removed at the start", "x\na\nb\n", "a\nb\n", "- x\n  a\n"},
		{"distant changes are separated", "1\n2\n3\n4\n5\n6\n7\n", "0\n2\n3\n4\n5\n6\n8\n",
			"- 1\n+ 0\n  2\n  ...\n  6\n- 7\n+ 8\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lineDiff(tt.old, tt.cur); got != tt.want {
				t.Errorf("lineDiff =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
