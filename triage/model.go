// Package triage suggests which unit a citizen's report should go to,
// learned from the office's own decisions: every 交办 is an example (the
// report's title and text, the unit it went to). The model is a linear
// classifier over character 1- and 2-grams (one-vs-rest, hinge loss, trained
// by Pegasos) with TF-IDF weights; a unit's hand-written keywords are
// examples of their own, the prior a new deployment starts from.
//
// Training is deterministic: the same examples in the same order give the
// same model, on every instance. The package uses the standard library only.
package triage

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"unicode"
)

// Options tune the model. The zero value means the defaults, chosen by
// cross-validation on real messages (see Evaluate and the README).
type Options struct {
	// Lambda is the regularisation of the linear model (default 0.0005).
	Lambda float64
	// Epochs is how many passes training makes over the examples (default 15).
	Epochs int
	// TitleWeight counts the title's n-grams this many times (default 3): a
	// citizen's title says in a few words what the long text circles around.
	TitleWeight float64
	// MaxExamples keeps the newest examples only (default 20,000): routing
	// follows the office's current practice, and training stays bounded.
	MaxExamples int
}

func (o Options) withDefaults() Options {
	if o.Lambda <= 0 {
		o.Lambda = 0.0005
	}
	if o.Epochs <= 0 {
		o.Epochs = 15
	}
	if o.TitleWeight <= 0 {
		o.TitleWeight = 3
	}
	if o.MaxExamples <= 0 {
		o.MaxExamples = 20000
	}
	return o
}

// Example is one routing decision: a report and the unit it was assigned to.
type Example struct {
	Title, Text string
	Unit        string
}

// Suggestion is one unit the model proposes for a report.
type Suggestion struct {
	Unit string
	// Score is the model's margin for the unit; higher is more likely.
	Score float64
	// Reasons are the words (n-grams of the report) that weighed most for
	// the unit, strongest first.
	Reasons []string
}

// Model suggests units. It is safe for concurrent use. Learn marks it for
// retraining: Suggest retrains at once (an evaluation wants every decision
// counted), while a server calls Train in the background and ranks with
// Ranked, which never trains, so that no report waits for a training.
type Model struct {
	opts Options

	mu       sync.Mutex
	prior    []doc // keyword examples, always kept
	examples []doc // decisions, oldest first, at most MaxExamples
	grams    map[string]int32
	names    []string
	units    []string
	trained  *weights // the last training; nil before the first
	stale    bool     // examples changed since the last training
}

// pruneFrom is the number of examples from which training drops the grams
// seen only once.
const pruneFrom = 2000

// doc is an example as feature counts over interned n-grams.
type doc struct {
	counts map[int32]float64
	unit   string
}

// weights is a trained model: per unit a dense weight vector over the grams
// it kept (index maps a gram's id to its column), and the document
// frequencies the TF-IDF used.
type weights struct {
	units []string
	index map[int32]int32
	w     [][]float32
	df    []float64 // by column
	n     float64
}

// New returns an empty model.
func New(opts Options) *Model {
	return &Model{opts: opts.withDefaults(), grams: map[string]int32{}}
}

// AddKeywords adds a unit's hand-written keywords (config) as the prior: one
// example made of the words, kept however many decisions follow.
func (m *Model) AddKeywords(unit string, words []string) {
	if unit == "" || len(words) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	counts := map[int32]float64{}
	for _, w := range words {
		m.addGrams(counts, w, 1)
	}
	if len(counts) == 0 {
		return
	}
	m.prior = append(m.prior, doc{counts, unit})
	m.noteUnit(unit)
	m.stale = true
}

// Learn adds a routing decision.
func (m *Model) Learn(e Example) {
	if e.Unit == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	counts := m.features(e.Title, e.Text)
	m.examples = append(m.examples, doc{counts, e.Unit})
	if over := len(m.examples) - m.opts.MaxExamples; over > 0 {
		// A fresh array: a training may be reading the old one.
		m.examples = slices.Clone(m.examples[over:])
	}
	m.noteUnit(e.Unit)
	m.stale = true
}

// Examples counts the decisions the model holds (not the keyword prior).
func (m *Model) Examples() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.examples)
}

// Suggest ranks up to k units for a report, best first, after training on
// every example learned so far. It returns nil when the model knows no unit,
// or when the report shares no n-gram with anything it has learned (no basis
// for a suggestion).
func (m *Model) Suggest(title, text string, k int) []Suggestion {
	if k <= 0 {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.units) == 0 {
		return nil
	}
	if m.trained == nil || m.stale {
		m.trained, m.stale = train(m.snapshot()), false
	}
	return m.rank(m.trained, title, text, k)
}

// Ranked is Suggest with the weights of the last training, however many
// decisions came since: it never trains, and returns nil before the first
// Train.
func (m *Model) Ranked(title, text string, k int) []Suggestion {
	if k <= 0 {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.trained == nil {
		return nil
	}
	return m.rank(m.trained, title, text, k)
}

// Stale reports whether decisions were learned since the last training.
func (m *Model) Stale() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.trained == nil || m.stale
}

// Train fits the model to the examples learned so far. Suggestions go on
// with the old weights while it runs; it takes seconds for tens of
// thousands of examples.
func (m *Model) Train() {
	m.mu.Lock()
	snap := m.snapshot()
	m.stale = false
	m.mu.Unlock()
	tw := train(snap)
	m.mu.Lock()
	m.trained = tw
	m.mu.Unlock()
}

// rank scores text with tw; m.mu is held.
func (m *Model) rank(tw *weights, title, text string, k int) []Suggestion {
	vec := tw.vector(m.lookup(title, text))
	if len(vec) == 0 {
		return nil
	}
	out := make([]Suggestion, len(tw.units))
	for u, unit := range tw.units {
		var s float64
		for _, f := range vec {
			s += float64(tw.w[u][f.col]) * f.x
		}
		out[u] = Suggestion{Unit: unit, Score: s}
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Unit, b.Unit)
	})
	out = out[:min(k, len(out))]
	for i := range out {
		out[i].Reasons = m.reasons(vec, tw, slices.Index(tw.units, out[i].Unit), 3)
	}
	return out
}

// Confident reports whether a ranking is clear enough to offer its first
// unit without a warning: the first scores above zero (the unit's own side
// of the margin) and ahead of the second by a clear gap.
func Confident(s []Suggestion) bool {
	if len(s) == 0 || s[0].Score <= 0 {
		return false
	}
	return len(s) == 1 || s[0].Score-s[1].Score >= 0.25
}

// reasons returns the n strongest positive contributions of vec to unit u,
// two-character grams first (they read as words).
func (m *Model) reasons(vec []feature, tw *weights, u, n int) []string {
	type contrib struct {
		gram string
		v    float64
	}
	var cs []contrib
	for _, f := range vec {
		if v := float64(tw.w[u][f.col]) * f.x; v > 0 {
			cs = append(cs, contrib{m.names[f.id], v})
		}
	}
	slices.SortFunc(cs, func(a, b contrib) int {
		la, lb := len([]rune(a.gram)), len([]rune(b.gram))
		if (la > 1) != (lb > 1) {
			if la > 1 {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.v, a.v); c != 0 {
			return c
		}
		return cmp.Compare(a.gram, b.gram)
	})
	var out []string
	for _, c := range cs {
		if len(out) == n {
			break
		}
		out = append(out, c.gram)
	}
	return out
}

func (m *Model) noteUnit(unit string) {
	if !slices.Contains(m.units, unit) {
		m.units = append(m.units, unit)
		slices.Sort(m.units)
	}
}

// features interns the n-grams of a report and counts them.
func (m *Model) features(title, text string) map[int32]float64 {
	counts := map[int32]float64{}
	m.addGrams(counts, text, 1)
	m.addGrams(counts, title, m.opts.TitleWeight)
	return counts
}

func (m *Model) addGrams(counts map[int32]float64, s string, weight float64) {
	eachGram(s, func(g string) {
		id, ok := m.grams[g]
		if !ok {
			id = int32(len(m.names))
			m.grams[g] = id
			m.names = append(m.names, g)
		}
		counts[id] += weight
	})
}

// lookup counts a report's known n-grams without interning new ones: a
// suggestion must not grow the model.
func (m *Model) lookup(title, text string) map[int32]float64 {
	counts := map[int32]float64{}
	add := func(s string, weight float64) {
		eachGram(s, func(g string) {
			if id, ok := m.grams[g]; ok {
				counts[id] += weight
			}
		})
	}
	add(text, 1)
	add(title, m.opts.TitleWeight)
	return counts
}

// feature is one non-zero TF-IDF component: the gram's id, its column in
// the trained weights, its value.
type feature struct {
	id, col int32
	x       float64
}

// vector turns counts into an L2-normalised TF-IDF vector (sublinear TF)
// over the grams tw knows, sorted by id so that training is deterministic.
func (tw *weights) vector(counts map[int32]float64) []feature {
	vec := make([]feature, 0, len(counts))
	for id, c := range counts {
		col, ok := tw.index[id]
		if !ok || c <= 0 {
			continue
		}
		x := (1 + math.Log(c)) * (math.Log((1+tw.n)/(1+tw.df[col])) + 1)
		vec = append(vec, feature{id, col, x})
	}
	// Sorted before summing: floating-point sums depend on their order.
	slices.SortFunc(vec, func(a, b feature) int { return cmp.Compare(a.id, b.id) })
	var norm float64
	for _, f := range vec {
		norm += f.x * f.x
	}
	if norm == 0 {
		return nil
	}
	norm = math.Sqrt(norm)
	for i := range vec {
		vec[i].x /= norm
	}
	return vec
}

// trainSet is what a training reads, taken under the lock: the documents
// are never changed once made, so the slices may be shared.
type trainSet struct {
	prior, examples []doc
	units           []string
	opts            Options
}

func (m *Model) snapshot() trainSet {
	return trainSet{prior: slices.Clip(m.prior), examples: slices.Clip(m.examples), units: slices.Clone(m.units), opts: m.opts}
}

// train fits one-vs-rest linear SVMs by Pegasos over the prior and the
// examples, with a fixed seed. Past pruneFrom examples it keeps only the
// grams of the keywords and those found in at least two examples: a gram
// seen once says little about the next report, and dropping them keeps the
// weights small when the history is long.
func train(m trainSet) *weights {
	docs := append(slices.Clip(m.prior), m.examples...)
	df := map[int32]float64{}
	for _, d := range docs {
		for id := range d.counts {
			df[id]++
		}
	}
	inPrior := map[int32]bool{}
	for _, d := range m.prior {
		for id := range d.counts {
			inPrior[id] = true
		}
	}
	ids := make([]int32, 0, len(df))
	for id, n := range df {
		if n >= 2 || inPrior[id] || len(docs) < pruneFrom {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	tw := &weights{units: m.units, index: make(map[int32]int32, len(ids)), df: make([]float64, len(ids)), n: float64(len(docs))}
	for col, id := range ids {
		tw.index[id] = int32(col)
		tw.df[col] = df[id]
	}
	vecs := make([][]feature, len(docs))
	for i, d := range docs {
		vecs[i] = tw.vector(d.counts)
	}
	tw.w = make([][]float32, len(tw.units))
	for u, unit := range tw.units {
		w := make([]float64, len(ids))
		scale := 1.0
		t := 0
		r := rand.New(rand.NewPCG(uint64(len(docs)), 0x9e3779b97f4a7c15))
		for range m.opts.Epochs {
			for _, i := range r.Perm(len(docs)) {
				t++
				eta := 1 / (m.opts.Lambda * float64(t+10))
				y := -1.0
				if docs[i].unit == unit {
					y = 1
				}
				var d float64
				for _, f := range vecs[i] {
					d += w[f.col] * f.x
				}
				d *= scale
				scale *= 1 - eta*m.opts.Lambda
				if scale < 1e-9 { // fold the scale in before it underflows
					for j := range w {
						w[j] *= scale
					}
					scale = 1
				}
				if y*d < 1 {
					for _, f := range vecs[i] {
						w[f.col] += eta * y * f.x / scale
					}
				}
			}
		}
		tw.w[u] = make([]float32, len(w))
		for j := range w {
			tw.w[u][j] = float32(w[j] * scale)
		}
	}
	return tw
}

// eachGram calls fn with every character 1- and 2-gram of s after folding:
// letters lower-cased, every digit the same digit (numbers say little about
// the unit), spaces, punctuation and symbols break grams.
func eachGram(s string, fn func(string)) {
	prev := rune(-1)
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r):
			prev = -1
			continue
		case unicode.IsDigit(r):
			r = '0'
		default:
			r = unicode.ToLower(r)
		}
		fn(string(r))
		if prev >= 0 {
			fn(string([]rune{prev, r}))
		}
		prev = r
	}
}
