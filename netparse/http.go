package netparse

import (
	"bytes"
	"strings"
)

// MaxHTTPFieldLen bounds each reported string (path, Host, User-Agent).
const MaxHTTPFieldLen = 256

// HTTPRequest is what the first packet of an HTTP/1.x request tells.
type HTTPRequest struct {
	Method    string // "GET", "POST", ...
	Target    string // request-target as sent (origin-form path?query, or absolute-form)
	Path      string // path component of Target, without the query
	Query     string // query without '?', may be empty
	Version   string // "HTTP/1.1"
	Host      string // Host header, or the authority of an absolute-form target
	UserAgent string
	// Truncated is set when the capture ended before the end of the header
	// block: missing headers may simply not have been copied.
	Truncated bool
}

// httpMethods are the methods the kernel's prefix filter accepts
// (network.bpf.c: vigil_http_method); only these are parsed.
var httpMethods = []string{"GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"}

// IsHTTPMethodPrefix reports whether b starts like an HTTP/1.x request: one
// of the known methods followed by a space.
func IsHTTPMethodPrefix(b []byte) bool {
	for _, m := range httpMethods {
		if len(b) > len(m) && string(b[:len(m)]) == m && b[len(m)] == ' ' {
			return true
		}
	}
	return false
}

// ParseHTTPRequest parses a request line and the headers that follow, from
// the beginning of a TCP payload. ok is false when b does not start with a
// valid HTTP/1.x request line.
func ParseHTTPRequest(b []byte) (req HTTPRequest, ok bool) {
	if !IsHTTPMethodPrefix(b) {
		return HTTPRequest{}, false
	}
	line, rest, complete := cutLine(b)
	if !complete {
		// The request line alone did not fit: report what is sure.
		req.Truncated = true
	}
	method, after, ok1 := bytes.Cut(line, []byte{' '})
	target, version, ok2 := bytes.Cut(after, []byte{' '})
	if !ok1 || len(target) == 0 {
		return HTTPRequest{}, false
	}
	if ok2 {
		if !bytes.HasPrefix(version, []byte("HTTP/1.")) && !bytes.HasPrefix(version, []byte("HTTP/0.9")) {
			return HTTPRequest{}, false
		}
		req.Version = clean(version)
	} else if complete {
		// HTTP/0.9 "GET /path" has no version; anything else is not HTTP.
		if string(method) != "GET" {
			return HTTPRequest{}, false
		}
	}
	req.Method = string(method)
	req.Target = clean(target)
	req.Path, req.Query, _ = strings.Cut(req.Target, "?")
	if i := strings.Index(req.Path, "://"); i > 0 {
		// absolute-form: scheme://authority/path
		auth := req.Path[i+3:]
		req.Path = "/"
		if j := strings.IndexByte(auth, '/'); j >= 0 {
			auth, req.Path = auth[:j], auth[j:]
		}
		req.Host = auth
	}
	if req.Truncated {
		return req, true
	}
	for {
		line, rest, complete = cutLine(rest)
		if !complete {
			req.Truncated = true
			return req, true
		}
		if len(line) == 0 {
			return req, true // end of headers
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		switch {
		case asciiEqualFold(name, "host"):
			if req.Host == "" {
				req.Host = clean(bytes.TrimSpace(value))
			}
		case asciiEqualFold(name, "user-agent"):
			if req.UserAgent == "" {
				req.UserAgent = clean(bytes.TrimSpace(value))
			}
		}
	}
}

// cutLine splits at the first CRLF (or bare LF). complete is false when b
// holds no line end.
func cutLine(b []byte) (line, rest []byte, complete bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil, false
	}
	line = b[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, b[i+1:], true
}

func asciiEqualFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// clean bounds a field and replaces control and non-UTF-8 bytes, so a
// hostile client cannot inject line breaks into logs.
func clean(b []byte) string {
	if len(b) > MaxHTTPFieldLen {
		b = b[:MaxHTTPFieldLen]
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '\uFFFD'
		}
		return r
	}, s)
}
