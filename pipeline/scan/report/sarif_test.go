package report

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/scan"
	"github.com/policystrata/policystrata/pipeline/scan/config"
)

// sarifObjects are the properties the SARIF 2.1.0 schema allows on each
// object this writer emits (every one has additionalProperties: false)
// and the ones it requires.
var sarifObjects = map[string]struct{ allowed, required []string }{
	"log":                      {[]string{"$schema", "version", "runs", "inlineExternalProperties", "properties"}, []string{"version", "runs"}},
	"run":                      {[]string{"tool", "invocations", "conversion", "language", "versionControlProvenance", "originalUriBaseIds", "artifacts", "logicalLocations", "graphs", "results", "automationDetails", "runAggregates", "baselineGuid", "redactionTokens", "defaultEncoding", "defaultSourceLanguage", "newlineSequences", "columnKind", "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses", "translations", "policies", "webRequests", "webResponses", "specialLocations", "properties"}, []string{"tool"}},
	"tool":                     {[]string{"driver", "extensions", "properties"}, []string{"driver"}},
	"toolComponent":            {[]string{"guid", "name", "organization", "product", "productSuite", "shortDescription", "fullDescription", "fullName", "version", "semanticVersion", "dottedQuadFileVersion", "releaseDateUtc", "downloadUri", "informationUri", "globalMessageStrings", "notifications", "rules", "taxa", "locations", "language", "contents", "isComprehensive", "localizedDataSemanticVersion", "minimumRequiredLocalizedDataSemanticVersion", "associatedComponent", "translationMetadata", "supportedTaxonomies", "properties"}, []string{"name"}},
	"reportingDescriptor":      {[]string{"id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames", "shortDescription", "fullDescription", "messageStrings", "defaultConfiguration", "helpUri", "help", "relationships", "properties"}, []string{"id"}},
	"multiformatMessageString": {[]string{"text", "markdown", "properties"}, []string{"text"}},
	"result":                   {[]string{"ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget", "locations", "guid", "correlationGuid", "occurrenceCount", "partialFingerprints", "fingerprints", "stacks", "codeFlows", "graphs", "graphTraversals", "relatedLocations", "suppressions", "baselineState", "rank", "attachments", "hostedViewerUri", "workItemUris", "provenance", "fixes", "taxa", "webRequest", "webResponse", "properties"}, []string{"message"}},
	"message":                  {[]string{"text", "markdown", "id", "arguments", "properties"}, nil},
	"location":                 {[]string{"id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships", "properties"}, nil},
	"physicalLocation":         {[]string{"address", "artifactLocation", "region", "contextRegion", "properties"}, nil},
	"artifactLocation":         {[]string{"uri", "uriBaseId", "index", "description", "properties"}, nil},
	"region":                   {[]string{"startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength", "byteOffset", "byteLength", "snippet", "message", "sourceLanguage", "properties"}, nil},
	"artifactContent":          {[]string{"text", "binary", "rendered", "properties"}, nil},
}

// checkObject validates v as SARIF object kind: a JSON object with only
// allowed and all required properties.
func checkObject(t *testing.T, where, kind string, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: %s is not an object", where, kind)
	}
	spec := sarifObjects[kind]
	for k := range m {
		if !slices.Contains(spec.allowed, k) {
			t.Errorf("%s: %s has property %q the schema does not allow", where, kind, k)
		}
	}
	for _, k := range spec.required {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: %s lacks required property %q", where, kind, k)
		}
	}
	return m
}

// validateSARIF checks a log against the SARIF 2.1.0 schema's constraints
// for the objects a PolicyStrata log holds, and the references between
// them (each result's ruleIndex names its ruleId).
func validateSARIF(t *testing.T, data []byte) {
	t.Helper()
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	log := checkObject(t, "log", "log", doc)
	if log["version"] != "2.1.0" {
		t.Errorf("version %v", log["version"])
	}
	runs, _ := log["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("runs: %d", len(runs))
	}
	run := checkObject(t, "runs[0]", "run", runs[0])
	tool := checkObject(t, "tool", "tool", run["tool"])
	driver := checkObject(t, "driver", "toolComponent", tool["driver"])
	if driver["name"] != "PolicyStrata" {
		t.Errorf("driver name %v", driver["name"])
	}
	rules, _ := driver["rules"].([]any)
	var ids []string
	for i, r := range rules {
		rm := checkObject(t, fmt.Sprintf("rules[%d]", i), "reportingDescriptor", r)
		ids = append(ids, rm["id"].(string))
		for _, k := range []string{"shortDescription", "fullDescription", "help"} {
			checkObject(t, fmt.Sprintf("rules[%d].%s", i, k), "multiformatMessageString", rm[k])
		}
	}
	results, ok := run["results"].([]any)
	if !ok {
		t.Fatal("results missing")
	}
	for i, r := range results {
		where := fmt.Sprintf("results[%d]", i)
		rm := checkObject(t, where, "result", r)
		msg := checkObject(t, where+".message", "message", rm["message"])
		if s, _ := msg["text"].(string); s == "" {
			t.Errorf("%s: empty message", where)
		}
		if !slices.Contains([]any{"none", "note", "warning", "error"}, rm["level"]) {
			t.Errorf("%s: level %v", where, rm["level"])
		}
		idx, _ := rm["ruleIndex"].(float64)
		if int(idx) < 0 || int(idx) >= len(ids) || ids[int(idx)] != rm["ruleId"] {
			t.Errorf("%s: ruleIndex %v does not name ruleId %v", where, rm["ruleIndex"], rm["ruleId"])
		}
		locs, _ := rm["locations"].([]any)
		for j, l := range locs {
			lw := fmt.Sprintf("%s.locations[%d]", where, j)
			lm := checkObject(t, lw, "location", l)
			pl := checkObject(t, lw+".physicalLocation", "physicalLocation", lm["physicalLocation"])
			al := checkObject(t, lw+".artifactLocation", "artifactLocation", pl["artifactLocation"])
			uri, _ := al["uri"].(string)
			if _, err := url.Parse(uri); err != nil || uri == "" || strings.HasPrefix(uri, "/") {
				t.Errorf("%s: uri %q is not a relative uri-reference", lw, uri)
			}
			reg := checkObject(t, lw+".region", "region", pl["region"])
			if line, _ := reg["startLine"].(float64); line < 1 {
				t.Errorf("%s: startLine %v", lw, reg["startLine"])
			}
			if sn, ok := reg["snippet"]; ok {
				checkObject(t, lw+".snippet", "artifactContent", sn)
			}
		}
	}
}

func TestSARIFValid(t *testing.T) {
	c, err := config.Load("../../../examples/scan/security_cases/policystrata.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := scan.Run(context.Background(), c, scan.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	data, err := SARIFWithRoot(res, "examples/scan/security_cases")
	if err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, data)
	var doc struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	if len(run.Tool.Driver.Rules) != len(RuleIDs()) || len(run.Results) != len(res.Findings) {
		t.Fatalf("rules %d results %d", len(run.Tool.Driver.Rules), len(run.Results))
	}
	// the stale tenant key finding points at its trace: line 2 of traces.jsonl
	found := false
	for _, r := range run.Results {
		if r.RuleID == scan.CheckTenantScope {
			l := r.Locations[0].PhysicalLocation
			found = l.ArtifactLocation.URI == "examples/scan/security_cases/traces.jsonl" && l.Region.StartLine == 2
		}
	}
	if !found {
		t.Errorf("tenant scope result not located at traces.jsonl:2: %+v", run.Results)
	}
}

// TestSARIFValidatorRejects: the validator is not vacuous.
func TestSARIFValidatorRejects(t *testing.T) {
	bad := []string{
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"PolicyStrata"}},"results":[{"message":{"text":"x"},"level":"fatal","ruleIndex":0,"ruleId":"a"}]}]}`,
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"PolicyStrata","rules":[{"id":"a","shortDescription":{"text":"s"},"fullDescription":{"text":"s"},"help":{"text":"h"}}]}},"results":[{"message":{"text":"x"},"level":"error","ruleIndex":0,"ruleId":"a","colour":1}]}]}`,
	}
	for _, b := range bad {
		ft := &testing.T{}
		func() {
			defer func() { recover() }()
			validateSARIF(ft, []byte(b))
		}()
		if !ft.Failed() {
			t.Errorf("accepted %s", b)
		}
	}
}
