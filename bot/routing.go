package bot

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"minsheng/models"
	"minsheng/triage"
)

// Routing suggests the units a new report should go to, learned from the
// office's own decisions: every 交办 that stands (a unit that gave a case back
// is not one) is an example, read from the store, so the model survives
// restarts and every instance learns what the others decided. The units'
// routing keywords (org.departments[].keywords) are the prior a new
// deployment starts from.
//
// Suggestions never wait for a training: Run reads new decisions and
// retrains in the background, and the dispatcher's card ranks with the last
// weights.
type Routing struct {
	Model *triage.Model

	mu   sync.Mutex
	last uint64 // the newest decision learned
}

// NewRouting returns a model whose prior is the units' keywords, each
// keyword an example of its unit.
func NewRouting(deps []models.Department) *Routing {
	m := triage.New(triage.Options{})
	for _, d := range deps {
		for _, k := range d.KeywordList() {
			m.AddKeywords(d.Code, []string{k})
		}
	}
	return &Routing{Model: m}
}

// Sync learns the decisions taken since the last Sync, on any instance.
func (r *Routing) Sync(ctx context.Context, s *models.Store) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for {
		batch, err := s.RoutingExamples(ctx, r.last, 1000)
		if err != nil {
			return n, err
		}
		for _, e := range batch {
			r.Model.Learn(triage.Example{Text: e.Content, Unit: e.Unit})
			r.last = e.ID
		}
		n += len(batch)
		if len(batch) < 1000 {
			return n, nil
		}
	}
}

// Run keeps the model current until ctx ends: it learns the new decisions
// every `every` and retrains when there are any.
func (r *Routing) Run(ctx context.Context, s *models.Store, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		every = 30 * time.Second
	}
	for {
		if _, err := r.Sync(ctx, s); err != nil && ctx.Err() == nil {
			log.Warn("routing: decisions not read", "err", err)
		}
		if r.Model.Stale() {
			start := time.Now()
			r.Model.Train()
			log.Debug("routing trained", "examples", r.Model.Examples(), "took", time.Since(start))
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// unitSuggestion is a unit the dispatcher's card offers, with the words that
// weighed most for it.
type unitSuggestion struct {
	dept    *models.Department
	reasons []string
}

// suggestUnits ranks up to k active units for a report: by the learned model
// when it has been trained, else by the routing keywords (Suggest). sure
// reports whether the first is a clear choice.
func (b *Bot) suggestUnits(deps []models.Department, text string, k int) (out []unitSuggestion, sure bool) {
	if b.Routing != nil {
		ranked := b.Routing.Model.Ranked("", text, k+2)
		for _, s := range ranked {
			if len(out) == k || s.Score <= 0 && len(out) > 0 {
				break
			}
			for i := range deps {
				if deps[i].Code == s.Unit {
					out = append(out, unitSuggestion{dept: &deps[i], reasons: s.Reasons})
					break
				}
			}
		}
		if len(out) > 0 {
			return out, triage.Confident(ranked)
		}
	}
	if d := Suggest(deps, text); d != nil {
		return []unitSuggestion{{dept: d}}, true
	}
	return nil, false
}

// suggestionField is the card's line of suggested units: 城管局（路灯、不亮）、住建局.
func suggestionField(sugs []unitSuggestion, sure bool) string {
	var parts []string
	for _, s := range sugs {
		p := s.dept.Name
		if len(s.reasons) > 0 {
			p += "（" + strings.Join(s.reasons, "、") + "）"
		}
		parts = append(parts, p)
	}
	line := strings.Join(parts, "；")
	if !sure {
		line += "（把握不大，请核实）"
	}
	return line
}
