package sandbox

import "sync"

// cardPresses remembers the label a member's own button press put on a
// card. WeCom answers a press with an update_button passive reply that the
// member's client shows in place of the buttons; the fake WeCom only records
// the updates the app sends to the others (update_template_card), so the
// sandbox keeps the presser's own label here for the phone to show.
type cardPresses struct {
	mu     sync.Mutex
	labels map[[2]string]string // {user, task id} → label
}

// set records label for user's press on the card taskID; empty parts are
// ignored.
func (p *cardPresses) set(user, taskID, label string) {
	if user == "" || taskID == "" || label == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.labels == nil {
		p.labels = map[[2]string]string{}
	}
	p.labels[[2]string{user, taskID}] = label
}

// get returns the label of user's own press on taskID, or "".
func (p *cardPresses) get(user, taskID string) string {
	if taskID == "" {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.labels[[2]string{user, taskID}]
}
