package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one figure.
type row struct {
	ID     string  `json:"id"`     // the item, e.g. "1", "5b"
	What   string  `json:"what"`   // what was measured
	Value  float64 `json:"value"`  // in Unit
	Unit   string  `json:"unit"`   // "ms", "MB", "x", "MB/s", "%"
	Target string  `json:"target"` // e.g. "< 10 ms"; empty when none
	Met    *bool   `json:"met,omitempty"`
	Note   string  `json:"note,omitempty"`
}

// info describes the machine and the run.
type info struct {
	Date       string `json:"date"`
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	Kernel     string `json:"kernel"`
	Go         string `json:"go"`
	Commit     string `json:"commit,omitempty"`
	Short      bool   `json:"short"`
	LoadBefore string `json:"load_before"`
	LoadAfter  string `json:"load_after"`
}

type report struct {
	Machine info     `json:"machine"`
	Rows    []row    `json:"rows"`
	Errors  []string `json:"errors,omitempty"`

	log io.Writer
}

func newReport(log io.Writer) *report { return &report{log: log} }

func (r *report) progress(format string, args ...any) {
	fmt.Fprintf(r.log, format+"\n", args...)
}

// add records a figure; met is judged by the caller (nil: no target).
func (r *report) add(x row) {
	r.Rows = append(r.Rows, x)
	met := ""
	if x.Met != nil {
		met = map[bool]string{true: " (met)", false: " (MISSED)"}[*x.Met]
	}
	r.progress("   %s %s: %s%s", x.ID, x.What, formatValue(x), met)
}

func below(v, limit float64) *bool   { b := v < limit; return &b }
func atMost(v, limit float64) *bool  { b := v <= limit; return &b }
func atLeast(v, limit float64) *bool { b := v >= limit; return &b }

func formatValue(x row) string {
	switch x.Unit {
	case "x":
		return fmt.Sprintf("%.2fx", x.Value)
	case "%":
		return fmt.Sprintf("%+.1f%%", x.Value)
	case "ms":
		if x.Value < 10 {
			return fmt.Sprintf("%.2f ms", x.Value)
		}
		return fmt.Sprintf("%.1f ms", x.Value)
	}
	return fmt.Sprintf("%.1f %s", x.Value, x.Unit)
}

func (r *report) print(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "abi3ls benchmarks, %s\n", m.Date)
	fmt.Fprintf(w, "machine: %s, %d cores, Linux %s, %s", m.CPU, m.Cores, m.Kernel, m.Go)
	if m.Commit != "" {
		fmt.Fprintf(w, ", commit %s", m.Commit)
	}
	fmt.Fprintf(w, "\nload average (1/5/15 min): %s before, %s after", m.LoadBefore, m.LoadAfter)
	if m.Short {
		fmt.Fprint(w, "; SHORT run (smaller workloads, figures indicative only)")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tmeasure\tfigure\ttarget\tmet\tnote")
	for _, x := range r.Rows {
		met := "-"
		if x.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*x.Met]
		}
		t := x.Target
		if t == "" {
			t = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.What, formatValue(x), t, met, x.Note)
	}
	tw.Flush()
	for _, e := range r.Errors {
		fmt.Fprintf(w, "ERROR %s\n", e)
	}
}

func machine(commit string, short bool) info {
	return info{
		Date:       time.Now().UTC().Format("2006-01-02 15:04 MST"),
		CPU:        cpuModel(),
		Cores:      runtime.NumCPU(),
		Kernel:     strings.TrimSpace(readFile("/proc/sys/kernel/osrelease")),
		Go:         runtime.Version(),
		Commit:     commit,
		Short:      short,
		LoadBefore: loadavg(),
	}
}

func cpuModel() string {
	for _, line := range strings.Split(readFile("/proc/cpuinfo"), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func loadavg() string {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func readFile(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	return string(b)
}
