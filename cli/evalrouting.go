package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"minsheng/triage"
)

// evalRouting is `minsheng eval-routing FILE.csv`: it measures the routing
// model on a labelled export (id, title, received_at, detail, category),
// first as a dispatcher meets it — the reports in the order they were
// received, each suggested before its decision is learned — then by k-fold
// cross-validation, and prints top-1, top-3, the share with no suggestion,
// the accuracy per unit and the learning curve. -taxonomy names a category
// tree (level1, level2, level3) whose rows serve as the units' keywords, the
// prior a new deployment starts from.
func evalRouting(_ context.Context, e *env, args []string) error {
	out := e.stdout
	fs := e.flags()
	taxonomy := fs.String("taxonomy", "", "category tree CSV (level1,level2,level3) used as the units' keywords")
	folds := fs.Int("folds", 10, "folds of the cross-validation (0: none)")
	block := fs.Int("block", 50, "reports per point of the learning curve")
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"name one CSV file"}
	}
	path := pos[0]
	reports, err := readLabelled(path)
	if err != nil {
		return err
	}
	var prior []triage.Keywords
	if *taxonomy != "" {
		f, err := os.Open(*taxonomy)
		if err != nil {
			return fmt.Errorf("eval-routing: %w", err)
		}
		prior, err = triage.ReadTaxonomy(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("eval-routing: %s: %w", *taxonomy, err)
		}
	}
	units := map[string]bool{}
	for _, r := range reports {
		units[r.Unit] = true
	}
	priorNote := "none"
	if len(prior) > 0 {
		priorNote = fmt.Sprintf("%s (%d rows)", filepath.Base(*taxonomy), len(prior))
	}
	fmt.Fprintf(out, "routing on %s: %d reports, %d units; keyword prior: %s\n\n", filepath.Base(path), len(reports), len(units), priorNote)

	rp := triage.Replay(reports, prior, triage.Options{}, *block)
	fmt.Fprintln(out, "replay in the order received (each report suggested, then learned):")
	printResult(out, rp)
	fmt.Fprintln(out, "  learning curve (decisions seen before the block: top-1 / top-3 on the block):")
	for _, p := range rp.Curve {
		fmt.Fprintf(out, "    %5d  %.3f  %.3f  (%d reports)\n", p.Seen, p.Top1, p.Top3, p.N)
	}
	if *folds >= 2 {
		cv := triage.CrossValidate(reports, *folds, prior, triage.Options{})
		fmt.Fprintf(out, "\n%d-fold cross-validation (each report ranked by a model trained on the other folds):\n", *folds)
		printResult(out, cv)
	}
	return nil
}

func readLabelled(path string) ([]triage.Labelled, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval-routing: %w", err)
	}
	defer f.Close()
	reports, err := triage.ReadLabelled(f)
	if err != nil {
		return nil, fmt.Errorf("eval-routing: %s: %w", path, err)
	}
	return reports, nil
}

func printResult(out io.Writer, r triage.Result) {
	fmt.Fprintf(out, "  top-1 %.3f   top-3 %.3f   no suggestion %.3f   (%d reports)\n", r.Top1, r.Top3, r.NoSuggestion, r.N)
	// The unit's name last: Chinese names are two columns a character.
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  reports\ttop-1\ttop-3\t  unit")
	for _, u := range r.PerUnit {
		fmt.Fprintf(tw, "  %d\t%.3f\t%.3f\t  %s\n", u.N, u.Top1, u.Top3, u.Unit)
	}
	tw.Flush()
}
