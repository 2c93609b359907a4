package analysis

// FixAvailability says whether a rule offers fixes (ruff's terms).
type FixAvailability string

const (
	FixNone      FixAvailability = "none"
	FixSometimes FixAvailability = "sometimes"
	FixAlways    FixAvailability = "always"
)

// Rule documents one rule. Docs are Markdown paragraphs.
type Rule struct {
	Code     string // "ABI001"
	Name     string // "not-limited-api"
	Severity Severity
	// ABI3TSeverity, when non-zero, replaces Severity under abi3t targets.
	ABI3TSeverity Severity
	Summary       string // one line
	What          string // What it does
	Why           string // Why is this bad?
	Example       string // C code
	Instead       string // Use instead (C code)
	Fix           FixAvailability
	FixSafety     string // Fix safety
	// CompilerVisible is false for rules a C compiler cannot see (ABI003 on
	// declared names, ABI006, ABI009, ABI010), for the oracle suite.
	CompilerVisible bool
}

// Rules returns every rule, ordered by code. The slice is freshly allocated.
// Each rule lives in its own file (rule_abi001.go ...).
func Rules() []Rule {
	return []Rule{
		ruleABI001, ruleABI002, ruleABI003, ruleABI004, ruleABI005, ruleABI006,
		ruleABI007, ruleABI008, ruleABI009, ruleABI010, ruleABI011,
	}
}

// ruleByCode indexes the registry.
var ruleByCode = func() map[string]Rule {
	m := map[string]Rule{}
	for _, r := range Rules() {
		m[r.Code] = r
	}
	return m
}()

// RuleByCode returns the rule with the given code.
func RuleByCode(code string) (Rule, bool) {
	r, ok := ruleByCode[code]
	return r, ok
}
