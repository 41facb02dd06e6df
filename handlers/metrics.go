package handlers

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"minsheng/models"
)

// Metrics are the Prometheus series served at /metrics.
type Metrics struct {
	Registry  *prometheus.Registry
	callbacks *prometheus.CounterVec
	cases     *prometheus.CounterVec
	latencies *prometheus.HistogramVec
}

// NewMetrics registers the series; the outbox depth is read from the store
// at each scrape.
func NewMetrics(store *models.Store) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		callbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minsheng_callbacks_total", Help: "Platform callbacks by platform and result.",
		}, []string{"platform", "result"}),
		cases: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minsheng_cases_opened_total", Help: "Cases opened, by the platform the report came from.",
		}, []string{"platform"}),
		latencies: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "minsheng_callback_seconds", Help: "Time to answer a platform callback.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"platform"}),
	}
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "minsheng_outbox_depth", Help: "Outbound messages waiting to be delivered.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := store.OutboxDepth(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	m.Registry.MustRegister(m.callbacks, m.cases, m.latencies, depth,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) callback(platform models.Platform, result string) {
	m.callbacks.WithLabelValues(string(platform), result).Inc()
}

func (m *Metrics) caseOpened(platform models.Platform) {
	m.cases.WithLabelValues(string(platform)).Inc()
}

func (m *Metrics) latency(platform models.Platform, d time.Duration) {
	m.latencies.WithLabelValues(string(platform)).Observe(d.Seconds())
}
