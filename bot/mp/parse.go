package mp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// MaxBody is the largest callback or reply body, in bytes, this package
// parses or reads; WeChat's own messages are a few kilobytes.
const MaxBody = 1 << 20

// ParseMessage parses a callback's plaintext XML (already decrypted in safe
// mode) into a Message. It rejects bodies over MaxBody, any DOCTYPE or other
// directive, a root element other than <xml>, malformed numbers and a
// repeated known element, and requires ToUserName, FromUserName and MsgType.
// Unknown elements are ignored.
func ParseMessage(plainXML []byte) (Message, error) {
	var raw struct {
		ToUserName, FromUserName, CreateTime, MsgType, Content, MsgID, PicURL,
		MediaID, Format, Recognition, LocationX, LocationY, Scale, Label,
		Event, EventKey string
	}
	fields := map[string]*string{
		"ToUserName": &raw.ToUserName, "FromUserName": &raw.FromUserName,
		"CreateTime": &raw.CreateTime, "MsgType": &raw.MsgType, "Content": &raw.Content,
		"MsgId": &raw.MsgID, "PicUrl": &raw.PicURL, "MediaId": &raw.MediaID,
		"Format": &raw.Format, "Recognition": &raw.Recognition,
		"Location_X": &raw.LocationX, "Location_Y": &raw.LocationY, "Scale": &raw.Scale,
		"Label": &raw.Label, "Event": &raw.Event, "EventKey": &raw.EventKey,
	}
	if err := decodeDoc(plainXML, fields, messageFields); err != nil {
		return Message{}, fmt.Errorf("mp: parse message: %w", err)
	}
	switch {
	case raw.ToUserName == "":
		return Message{}, errors.New("mp: parse message: missing ToUserName")
	case raw.FromUserName == "":
		return Message{}, errors.New("mp: parse message: missing FromUserName")
	case raw.MsgType == "":
		return Message{}, errors.New("mp: parse message: missing MsgType")
	}
	m := Message{
		FromUser:    raw.FromUserName,
		ToUser:      raw.ToUserName,
		MsgType:     raw.MsgType,
		Content:     raw.Content,
		PicURL:      raw.PicURL,
		MediaID:     raw.MediaID,
		Format:      raw.Format,
		Recognition: raw.Recognition,
		Label:       raw.Label,
		Event:       raw.Event,
		EventKey:    raw.EventKey,
	}
	if err := m.setNumbers(raw.CreateTime, raw.MsgID, raw.Scale, raw.LocationX, raw.LocationY); err != nil {
		return Message{}, fmt.Errorf("mp: parse message: %w", err)
	}
	return m, nil
}

// setNumbers parses the numeric elements into m.
func (m *Message) setNumbers(createTime, msgID, scale, x, y string) error {
	var err error
	if m.CreateTime, err = parseInt("CreateTime", createTime, 64); err != nil {
		return err
	}
	if m.MsgID, err = parseInt("MsgId", msgID, 64); err != nil {
		return err
	}
	// Scale is a number in WeChat's documentation, and a decimal must not
	// cost the citizen their whole message.
	if m.Scale, err = parseFloat("Scale", scale); err != nil {
		return err
	}
	if m.LocationX, err = parseFloat("Location_X", x); err != nil {
		return err
	}
	m.LocationY, err = parseFloat("Location_Y", y)
	return err
}

// messageFields are the elements ParseMessage reads; each may appear once.
var messageFields = []string{
	"ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId",
	"PicUrl", "MediaId", "Format", "Recognition", "Location_X", "Location_Y",
	"Scale", "Label", "Event", "EventKey", "Encrypt",
}

func parseInt(name, s string, bits int) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("bad %s: %w", name, err)
	}
	return n, nil
}

func parseFloat(name, s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("bad %s: %w", name, err)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("bad %s: not a finite number", name)
	}
	return f, nil
}

// Envelope is the body WeChat posts in safe mode, and the outer part of a
// compatible-mode body: the account's original ID and the encrypted message.
type Envelope struct {
	ToUserName string
	Encrypt    string
}

// ParseEnvelope parses a safe-mode callback body, with the same strictness as
// ParseMessage, and requires a non-empty Encrypt element.
func ParseEnvelope(body []byte) (Envelope, error) {
	var e Envelope
	fields := map[string]*string{"ToUserName": &e.ToUserName, "Encrypt": &e.Encrypt}
	if err := decodeDoc(body, fields, messageFields); err != nil {
		return Envelope{}, fmt.Errorf("mp: parse envelope: %w", err)
	}
	if e.Encrypt == "" {
		return Envelope{}, errors.New("mp: parse envelope: missing Encrypt")
	}
	return e, nil
}

// decodeDoc checks that b is one well-formed <xml> document of at most
// MaxBody bytes with no directive (so no DOCTYPE and no entity declarations)
// and none of the direct children named in once (at most 64) repeated, and
// fills fields from it in the same pass, as xml.Unmarshal would fill string
// fields of those names: a direct child of <xml> named in fields, with or
// without a namespace, gives its character data and CDATA (not that of
// deeper elements); a later one of the same name wins. One pass instead of a
// check and an Unmarshal: the callback path parses every message this way.
func decodeDoc(b []byte, fields map[string]*string, once []string) error {
	if len(b) > MaxBody {
		return fmt.Errorf("body of %d bytes exceeds %d", len(b), MaxBody)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var (
		seen        uint64 // bit i: once[i] seen
		depth, root int
		field       *string // the child being read, if in fields
		text        []byte
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("malformed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return errors.New("DOCTYPE and other directives are not allowed")
		case xml.StartElement:
			switch depth {
			case 0:
				root++
				if root > 1 {
					return errors.New("more than one root element")
				}
				if t.Name.Local != "xml" || t.Name.Space != "" {
					return fmt.Errorf("root element is <%s>, want <xml>", t.Name.Local)
				}
			case 1:
				if i := slices.Index(once, t.Name.Local); i >= 0 && t.Name.Space == "" {
					if seen&(1<<i) != 0 {
						return fmt.Errorf("element <%s> repeated", t.Name.Local)
					}
					seen |= 1 << i
				}
				field, text = fields[t.Name.Local], text[:0]
			}
			depth++
		case xml.EndElement:
			depth--
			if depth == 1 && field != nil {
				*field, field = string(text), nil
			}
		case xml.CharData:
			switch {
			case depth == 0 && len(bytes.TrimSpace(t)) > 0:
				return errors.New("text outside the root element")
			case depth == 2 && field != nil:
				text = append(text, t...)
			}
		}
	}
	if root == 0 {
		return errors.New("no root element")
	}
	return nil
}
