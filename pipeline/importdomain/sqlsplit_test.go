package importdomain

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []Statement
	}{
		{"two statements", "create table a (id int);\n\ninsert into a values (1);\n",
			[]Statement{{"create table a (id int)", 1}, {"insert into a values (1)", 3}}},
		{"comments dropped", "-- header; not a statement\ncreate table a (\n  id int -- key; really\n);",
			[]Statement{{"create table a (\n  id int \n)", 2}}},
		{"block comment", "/* a;\nb */ select 1; select 2",
			[]Statement{{"select 1", 2}, {"select 2", 2}}},
		{"semicolon in a string", "insert into a values ('x;y', 'it''s');",
			[]Statement{{"insert into a values ('x;y', 'it''s')", 1}}},
		{"dollar-quoted body", "do $$\nbegin\n  create role r;\nend\n$$;\nselect 1;",
			[]Statement{{"do $$\nbegin\n  create role r;\nend\n$$", 1}, {"select 1", 6}}},
		{"tagged dollar quote", "do $body$ select ';' $body$; select 3",
			[]Statement{{"do $body$ select ';' $body$", 1}, {"select 3", 1}}},
		{"quoted identifier", `select "a;b" from t;`,
			[]Statement{{`select "a;b" from t`, 1}}},
		{"empty statements", ";;\n;  ", nil},
		{"unterminated string", "select 'abc", []Statement{{"select 'abc", 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, Split(c.src)); diff != "" {
				t.Errorf("Split (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"create table a (id int);", "do $$ x; $$;", "'a;b'; -- c\n/* d */ e", "$a$ $b$ $a$;", "\"q\"\"r\";"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		lines := strings.Count(src, "\n") + 1
		prev := 0
		for _, st := range Split(src) {
			if st.Text == "" || strings.TrimSpace(st.Text) != st.Text {
				t.Fatalf("statement %q is empty or untrimmed", st.Text)
			}
			if st.Line < 1 || st.Line > lines || st.Line < prev {
				t.Fatalf("statement %q at line %d (previous %d, %d lines)", st.Text, st.Line, prev, lines)
			}
			prev = st.Line
		}
	})
}
