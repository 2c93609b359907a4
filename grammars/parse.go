package grammars

import (
	"fmt"
	"sync"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// chunk is how many bytes the parser is handed per read callback when the
// text cannot be parsed as one string (parseWith).
const chunk = 16 << 10

// Pool hands out parsers per language. A parser is used by one goroutine at a
// time. Close releases every pooled parser; it must be called once, after all
// users are done.
type Pool struct {
	mu     sync.Mutex
	free   map[Lang][]*sitter.Parser
	closed bool
}

// NewPool returns an empty parser pool.
func NewPool() *Pool {
	libcAllocator()
	return &Pool{free: map[Lang][]*sitter.Parser{}}
}

func (p *Pool) get(l Lang) (*sitter.Parser, error) {
	p.mu.Lock()
	if n := len(p.free[l]); n > 0 {
		ps := p.free[l][n-1]
		p.free[l] = p.free[l][:n-1]
		p.mu.Unlock()
		return ps, nil
	}
	p.mu.Unlock()
	lang := l.Language()
	if lang == nil {
		return nil, fmt.Errorf("grammars: no grammar for language %v", l)
	}
	ps := sitter.NewParser()
	if err := ps.SetLanguage(lang); err != nil {
		ps.Close()
		return nil, fmt.Errorf("grammars: set language %v: %w", l, err)
	}
	return ps, nil
}

func (p *Pool) put(l Lang, ps *sitter.Parser) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.free[l]) >= 8 {
		ps.Close()
		return
	}
	p.free[l] = append(p.free[l], ps)
}

// Close closes every idle parser. Parsers in use are closed when returned.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for l, list := range p.free {
		for _, ps := range list {
			ps.Close()
		}
		delete(p.free, l)
	}
	p.closed = true
}

// Parse parses src as language l. If old is non-nil it must already have been
// edited (Tree.Edit) to match src; it is used for incremental reparsing and
// stays owned by the caller. The returned tree is owned by the caller.
func (p *Pool) Parse(l Lang, src []byte, old *sitter.Tree) (*sitter.Tree, error) {
	ps, err := p.get(l)
	if err != nil {
		return nil, err
	}
	tree := parseString(ps, src, old)
	if tree == nil {
		// A failed parse leaves state behind that the next parse would resume.
		ps.Reset()
		p.put(l, ps)
		return nil, fmt.Errorf("grammars: parse of %d bytes failed", len(src))
	}
	p.put(l, ps)
	return tree, nil
}

// parseWith parses src through go-tree-sitter's read callback, in bounded
// chunks (the stock Parser.Parse hands over the whole remainder of the
// text on every read, which go-tree-sitter copies into C memory).
func parseWith(ps *sitter.Parser, src []byte, old *sitter.Tree) *sitter.Tree {
	n := len(src)
	return ps.ParseWith(func(i int, _ sitter.Point) []byte {
		if i >= n {
			return nil
		}
		end := i + chunk
		if end > n {
			end = n
		}
		return src[i:end]
	}, old)
}
