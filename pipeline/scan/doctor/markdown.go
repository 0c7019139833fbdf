package doctor

import (
	"fmt"
	"sort"
	"strings"
)

// EnvironmentMarkdown renders the environment alone.
func EnvironmentMarkdown(env map[string]any) string {
	var b strings.Builder
	b.WriteString("# PolicyStrata Doctor\n\n## Environment\n\n| item | value |\n| --- | --- |\n")
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "| %s | %v |\n", k, env[k])
	}
	return b.String()
}

// Markdown renders a report.
func Markdown(r *Report) string {
	var b strings.Builder
	b.WriteString(EnvironmentMarkdown(r.Environment))
	fmt.Fprintf(&b, "\n## Integration\n\n- Config: `%s`\n- Domain: %s\n", r.ConfigPath, r.Domain)
	b.WriteString("\n## Stack\n\n| item | status | owner | detail |\n| --- | --- | --- | --- |\n")
	for _, it := range r.Stack {
		detail := it.Detail
		if it.Error != "" {
			detail += " (" + it.Error + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", it.ID, it.Status, it.Owner, strings.ReplaceAll(detail, "|", "\\|"))
	}
	b.WriteString("\n## Remediation\n\n")
	if len(r.Remediation) == 0 {
		b.WriteString("Everything is wired.\n")
	}
	for _, t := range r.Remediation {
		fmt.Fprintf(&b, "- **%s** (%s): %s\n", t.ID, t.Owner, t.Reason)
	}
	return b.String()
}
