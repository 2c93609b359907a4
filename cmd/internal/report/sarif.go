package report

import (
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/abi3ls/abi3ls/analysis"
)

// SARIF 2.1.0 (OASIS), the subset GitHub code scanning reads.

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// SrcRoot is the uriBaseId of every result location: the repository
	// root.
	SrcRoot = "%SRCROOT%"
	// InformationURI is the project's home page.
	InformationURI = "https://github.com/abi3ls/abi3ls"
	// RulesDocURI is the rules reference; a rule's help is at #<code>.
	RulesDocURI = "https://github.com/abi3ls/abi3ls/blob/main/docs/rules.md"
)

// SarifLog is a SARIF log file.
type SarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []SarifRun `json:"runs"`
}

// SarifRun is one run of the tool.
type SarifRun struct {
	Tool               SarifTool                   `json:"tool"`
	Invocations        []SarifInvocation           `json:"invocations,omitempty"`
	OriginalURIBaseIDs map[string]SarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	ColumnKind         string                      `json:"columnKind"`
	Results            []SarifResult               `json:"results"`
}

type SarifTool struct {
	Driver SarifDriver `json:"driver"`
}

type SarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []SarifRule `json:"rules"`
}

type SarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type SarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name,omitempty"`
	ShortDescription     SarifText       `json:"shortDescription"`
	FullDescription      SarifText       `json:"fullDescription"`
	Help                 *SarifText      `json:"help,omitempty"`
	HelpURI              string          `json:"helpUri,omitempty"`
	DefaultConfiguration SarifRuleConfig `json:"defaultConfiguration"`
	Properties           map[string]any  `json:"properties,omitempty"`
}

type SarifRuleConfig struct {
	Level string `json:"level"`
}

type SarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []SarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type SarifNotification struct {
	Level     string          `json:"level"`
	Message   SarifText       `json:"message"`
	Locations []SarifLocation `json:"locations,omitempty"`
}

type SarifResult struct {
	RuleID           string          `json:"ruleId"`
	RuleIndex        int             `json:"ruleIndex"`
	Level            string          `json:"level"`
	Message          SarifText       `json:"message"`
	Locations        []SarifLocation `json:"locations"`
	RelatedLocations []SarifLocation `json:"relatedLocations,omitempty"`
	Fixes            []SarifFix      `json:"fixes,omitempty"`
}

type SarifLocation struct {
	ID               *int          `json:"id,omitempty"`
	PhysicalLocation SarifPhysical `json:"physicalLocation"`
	Message          *SarifText    `json:"message,omitempty"`
}

type SarifPhysical struct {
	ArtifactLocation SarifArtifactLoc `json:"artifactLocation"`
	Region           *SarifRegion     `json:"region,omitempty"`
}

type SarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type SarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type SarifFix struct {
	Description     SarifText             `json:"description"`
	ArtifactChanges []SarifArtifactChange `json:"artifactChanges"`
}

type SarifArtifactChange struct {
	ArtifactLocation SarifArtifactLoc   `json:"artifactLocation"`
	Replacements     []SarifReplacement `json:"replacements"`
}

type SarifReplacement struct {
	DeletedRegion   SarifRegion `json:"deletedRegion"`
	InsertedContent *SarifText  `json:"insertedContent,omitempty"`
}

// SarifLevel maps a severity to a SARIF level.
func SarifLevel(s analysis.Severity) string {
	switch s {
	case analysis.SeverityError:
		return "error"
	case analysis.SeverityWarning:
		return "warning"
	case analysis.SeverityOff:
		return "none"
	}
	return "note"
}

// artifact returns the location of a file: relative to %SRCROOT% when
// inside the repository, else an absolute file URI.
func (p Paths) artifact(abs string) SarifArtifactLoc {
	if rel, ok := p.RepoRel(abs); ok {
		segs := strings.Split(rel, "/")
		for i, s := range segs {
			segs[i] = url.PathEscape(s)
		}
		return SarifArtifactLoc{URI: strings.Join(segs, "/"), URIBaseID: SrcRoot}
	}
	return SarifArtifactLoc{URI: fileURI(abs)}
}

func fileURI(abs string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path
	}
	return u.String()
}

// BuildSarif makes the SARIF log of r: every rule in the driver (results
// refer to them by id and index), one result per diagnostic.
func BuildSarif(p Paths, r *Report, rules []analysis.Rule) *SarifLog {
	driver := SarifDriver{Name: "abi3ls", Version: r.Version, InformationURI: InformationURI, Rules: []SarifRule{}}
	index := map[string]int{}
	addRule := func(sr SarifRule) int {
		index[sr.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sr)
		return index[sr.ID]
	}
	for _, rule := range rules {
		addRule(sarifRule(rule))
	}
	run := SarifRun{
		Tool:       SarifTool{Driver: driver},
		ColumnKind: "unicodeCodePoints",
		OriginalURIBaseIDs: map[string]SarifArtifactLoc{
			SrcRoot: {URI: strings.TrimSuffix(fileURI(p.Repo), "/") + "/"},
		},
		Results: []SarifResult{},
	}
	for _, d := range r.Diagnostics {
		i, ok := index[d.Code]
		if !ok {
			// A code the registry does not list: describe it from the
			// finding so the result still has a rule.
			i = addRule(SarifRule{
				ID: d.Code, Name: d.Rule,
				ShortDescription:     SarifText{Text: d.Code},
				FullDescription:      SarifText{Text: d.Code},
				DefaultConfiguration: SarifRuleConfig{Level: SarifLevel(d.Sev)},
			})
		}
		loc := p.artifact(d.Abs)
		res := SarifResult{
			RuleID: d.Code, RuleIndex: i, Level: SarifLevel(d.Sev),
			Message: SarifText{Text: d.Message},
			Locations: []SarifLocation{{PhysicalLocation: SarifPhysical{
				ArtifactLocation: loc,
				Region: &SarifRegion{StartLine: d.Line, StartColumn: d.ColumnCP,
					EndLine: d.EndLine, EndColumn: d.EndColumnCP},
			}}},
		}
		if d.Target.File != "" && d.Target.Line > 0 {
			id := 1
			abs := d.Target.File
			if !filepath.IsAbs(abs) {
				abs = filepath.Join(p.Cwd, abs)
			}
			res.RelatedLocations = append(res.RelatedLocations, SarifLocation{
				ID:               &id,
				PhysicalLocation: SarifPhysical{ArtifactLocation: p.artifact(abs), Region: &SarifRegion{StartLine: d.Target.Line}},
				Message:          &SarifText{Text: "target set here: " + d.Target.Text},
			})
		}
		if fx := d.sarifFix; fx != nil {
			change := SarifArtifactChange{ArtifactLocation: loc}
			for _, e := range fx.Edits {
				change.Replacements = append(change.Replacements, SarifReplacement{
					DeletedRegion:   SarifRegion{StartLine: e.Line, StartColumn: e.Column, EndLine: e.EndLine, EndColumn: e.EndColumn},
					InsertedContent: &SarifText{Text: e.NewText},
				})
			}
			res.Fixes = []SarifFix{{Description: SarifText{Text: fx.Title}, ArtifactChanges: []SarifArtifactChange{change}}}
		}
		run.Results = append(run.Results, res)
	}
	run.Tool.Driver = driver
	inv := SarifInvocation{ExecutionSuccessful: len(r.Errors) == 0}
	for _, e := range r.Errors {
		abs := e.File
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(p.Cwd, abs)
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, SarifNotification{
			Level:     "error",
			Message:   SarifText{Text: e.File + ": " + e.Message},
			Locations: []SarifLocation{{PhysicalLocation: SarifPhysical{ArtifactLocation: p.artifact(abs)}}},
		})
	}
	run.Invocations = []SarifInvocation{inv}
	return &SarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []SarifRun{run}}
}

func sarifRule(r analysis.Rule) SarifRule {
	full := r.What
	if full == "" {
		full = r.Summary
	}
	short := r.Summary
	if short == "" {
		short = r.Name
	}
	sr := SarifRule{
		ID: r.Code, Name: r.Name,
		ShortDescription:     SarifText{Text: short},
		FullDescription:      SarifText{Text: full},
		HelpURI:              RulesDocURI + "#" + RuleAnchor(r),
		DefaultConfiguration: SarifRuleConfig{Level: SarifLevel(r.Severity)},
		Properties:           map[string]any{"tags": []string{"abi3", "limited-api"}, "precision": "high"},
	}
	if md := RuleMarkdownBody(r, 3); md != "" {
		sr.Help = &SarifText{Text: md, Markdown: md}
	}
	return sr
}

// WriteSarif writes r as a SARIF 2.1.0 log.
func WriteSarif(w io.Writer, p Paths, r *Report, rules []analysis.Rule) error {
	return EncodeJSON(w, BuildSarif(p, r, rules))
}
