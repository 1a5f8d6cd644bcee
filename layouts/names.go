package layouts

import (
	"sort"
	"strings"
)

// Closest returns up to n of names that look most like name, for "did you mean" messages:
// names containing name (or its part after the last dot) first, then by edit distance.
func Closest(name string, names []string, n int) []string {
	lower := strings.ToLower(name)
	short := lower
	if i := strings.LastIndexByte(short, '.'); i >= 0 {
		short = short[i+1:]
	}
	type scored struct {
		name  string
		score int
	}
	var cands []scored
	for _, c := range names {
		lc := strings.ToLower(c)
		score := editDistance(lower, lc)
		cshort := lc
		if i := strings.LastIndexByte(cshort, '.'); i >= 0 {
			cshort = cshort[i+1:]
		}
		switch {
		case cshort == short:
			score = -2
		case short != "" && strings.Contains(lc, short):
			score = -1
		}
		if score > len(lower)/2+2 {
			continue
		}
		cands = append(cands, scored{c, score})
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score < cands[j].score
		}
		if len(cands[i].name) != len(cands[j].name) {
			return len(cands[i].name) < len(cands[j].name)
		}
		return cands[i].name < cands[j].name
	})
	var out []string
	for _, c := range cands {
		if len(out) == n {
			break
		}
		out = append(out, c.name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
