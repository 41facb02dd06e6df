package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// wire sends prepared HTTP/1.1 requests on keep-alive connections of its
// own, one per client, as WeChat's servers keep theirs: each request is
// written in one piece and its response read on the same goroutine. It
// stands for WeChat's side of the callback, whose work is not the server's:
// net/http's client, with a reader and a writer goroutine per connection
// and a hand-over between them for every request, spent about a tenth of
// this process's CPU per callback, on the two cores the server and the
// database share.
type wire struct {
	addr  string
	conns chan *wireConn
}

type wireConn struct {
	c net.Conn
	r *bufio.Reader
}

func newWire(addr string, clients int) *wire {
	return &wire{addr: addr, conns: make(chan *wireConn, clients)}
}

// request renders a POST of body to path with query, as net/http's client
// would send it.
func (w *wire) request(path string, query url.Values, contentType string, body []byte) []byte {
	b := make([]byte, 0, 256+len(body))
	b = append(b, "POST "...)
	b = append(b, path...)
	if len(query) > 0 {
		b = append(b, '?')
		b = append(b, query.Encode()...)
	}
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, w.addr...)
	b = append(b, "\r\nUser-Agent: Mozilla/4.0\r\nContent-Type: "...)
	b = append(b, contentType...)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n\r\n"...)
	return append(b, body...)
}

// do sends req and returns the response's status and body. A connection
// that fails is dropped; the next request dials a new one.
func (w *wire) do(ctx context.Context, req []byte) (int, []byte, error) {
	var c *wireConn
	select {
	case c = <-w.conns:
	default:
		var err error
		if c, err = w.dial(ctx); err != nil {
			return 0, nil, err
		}
	}
	status, body, err := c.roundTrip(req)
	if err != nil {
		c.c.Close()
		return 0, nil, err
	}
	select {
	case w.conns <- c:
	default:
		c.c.Close()
	}
	return status, body, nil
}

// dial opens a connection to the server.
func (w *wire) dial(ctx context.Context) (*wireConn, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	nc, err := d.DialContext(ctx, "tcp", w.addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", w.addr, err)
	}
	return &wireConn{c: nc, r: bufio.NewReaderSize(nc, 8<<10)}, nil
}

// open dials n connections before a measurement, as the baseline's pool is
// filled before its own, so that none is dialled while it is timed.
func (w *wire) open(ctx context.Context, n int) error {
	for range n {
		c, err := w.dial(ctx)
		if err != nil {
			return err
		}
		select {
		case w.conns <- c:
		default:
			c.c.Close()
			return nil
		}
	}
	return nil
}

func (c *wireConn) roundTrip(req []byte) (int, []byte, error) {
	if err := c.c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return 0, nil, err
	}
	if _, err := c.c.Write(req); err != nil {
		return 0, nil, fmt.Errorf("write request: %w", err)
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("read response: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return 0, nil, fmt.Errorf("read response: %w", err)
	}
	if resp.Close {
		return 0, nil, fmt.Errorf("server closed the connection")
	}
	return resp.StatusCode, body, nil
}

// close closes the idle connections.
func (w *wire) close() {
	for {
		select {
		case c := <-w.conns:
			c.c.Close()
		default:
			return
		}
	}
}
