// Command testreport reads `go test -json` output on stdin, prints the
// output of failed tests and a per-package summary, and exits non-zero if
// any test failed or was skipped: in this project a skipped test hides a
// missing service, and CI must not count it as passing.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	output := map[string][]string{} // "pkg test" → lines
	var failed, skipped []string
	passed := 0
	pkgs := map[string]string{}
	pkgTime := map[string]float64{}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			fmt.Println(string(line)) // build errors and other plain text
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			if e.Test == "" {
				if strings.HasPrefix(e.Output, "FAIL") || strings.Contains(e.Output, "panic:") || strings.Contains(e.Output, "[build failed]") || strings.HasPrefix(e.Output, "#") {
					fmt.Print(e.Output)
				}
				output[key] = append(output[key], e.Output)
				continue
			}
			output[key] = append(output[key], e.Output)
		case "pass":
			if e.Test != "" {
				passed++
				delete(output, key)
			} else {
				pkgs[e.Package], pkgTime[e.Package] = "ok", e.Elapsed
			}
		case "skip":
			if e.Test != "" {
				skipped = append(skipped, key)
				fmt.Printf("--- SKIP %s\n%s", key, strings.Join(output[key], ""))
			} else {
				pkgs[e.Package] = "no tests"
			}
		case "fail":
			if e.Test != "" {
				failed = append(failed, key)
				fmt.Printf("--- FAIL %s (%.2fs)\n%s", key, e.Elapsed, strings.Join(output[key], ""))
			} else {
				pkgs[e.Package], pkgTime[e.Package] = "FAIL", e.Elapsed
				if len(output[key]) > 0 && !hasFailedTest(failed, e.Package) {
					fmt.Print(strings.Join(output[key], ""))
				}
			}
		}
	}
	names := make([]string, 0, len(pkgs))
	for p := range pkgs {
		names = append(names, p)
	}
	sort.Strings(names)
	fmt.Println()
	for _, p := range names {
		fmt.Printf("%-8s %-60s %s\n", pkgs[p], p, time.Duration(pkgTime[p]*float64(time.Second)).Round(10*time.Millisecond))
	}
	fmt.Printf("\n%d passed, %d failed, %d skipped\n", passed, len(failed), len(skipped))
	bad := len(failed) > 0 || len(skipped) > 0
	for _, st := range pkgs {
		if st == "FAIL" {
			bad = true
		}
	}
	if bad {
		if len(skipped) > 0 {
			fmt.Println("skipped tests count as failures: a skip hides a missing service")
		}
		os.Exit(1)
	}
}

func hasFailedTest(failed []string, pkg string) bool {
	for _, f := range failed {
		if strings.HasPrefix(f, pkg+" ") {
			return true
		}
	}
	return false
}
