package netparse

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
)

// MaxDNSAnswers bounds the answers kept from one response; the rest are
// counted in DNS.AnswersDropped.
const MaxDNSAnswers = 16

// DNS is the part of a DNS message Vigil reports: the first question, the
// response code and the A/AAAA/CNAME answers.
type DNS struct {
	ID       uint16
	Response bool
	// RCode is the response code (0 NOERROR, 3 NXDOMAIN, ...); meaningful
	// only when Response is set.
	RCode     uint16
	QName     string // without the trailing dot, lower case
	QType     uint16 // 1 A, 28 AAAA, 5 CNAME, ...
	Addresses []netip.Addr
	// CNAMEs are the canonical names the answer section points to, in order.
	CNAMEs []string
	// AnswersDropped counts A/AAAA/CNAME records beyond MaxDNSAnswers.
	AnswersDropped int
	// Truncated is set when the copy from the kernel ended inside the
	// message (more than the capture size): the answers are a prefix.
	Truncated bool
}

// ErrNotDNS is wrapped by ParseDNS errors for bytes that are not a DNS
// message with at least one question.
var ErrNotDNS = errors.New("not a DNS message")

// ParseDNS parses a DNS message copied from a UDP payload. A message cut by
// the capture size still yields its header, question and the answers that
// fit, with Truncated set.
func ParseDNS(b []byte) (DNS, error) {
	var p dnsmessage.Parser
	h, err := p.Start(b)
	if err != nil {
		return DNS{}, fmt.Errorf("%w: header: %v", ErrNotDNS, err)
	}
	d := DNS{ID: h.ID, Response: h.Response, RCode: uint16(h.RCode)}
	q, err := p.Question()
	if err != nil {
		return DNS{}, fmt.Errorf("%w: question: %v", ErrNotDNS, err)
	}
	d.QName = canonicalName(q.Name)
	d.QType = uint16(q.Type)
	if !h.Response {
		return d, nil
	}
	if err := p.SkipAllQuestions(); err != nil {
		d.Truncated = true
		return d, nil
	}
	for {
		ah, err := p.AnswerHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			return d, nil
		}
		if err != nil {
			d.Truncated = true
			return d, nil
		}
		if ah.Class != dnsmessage.ClassINET {
			if err := p.SkipAnswer(); err != nil {
				d.Truncated = true
				return d, nil
			}
			continue
		}
		switch ah.Type {
		case dnsmessage.TypeA, dnsmessage.TypeAAAA, dnsmessage.TypeCNAME:
			if len(d.Addresses)+len(d.CNAMEs) >= MaxDNSAnswers {
				d.AnswersDropped++
				if err := p.SkipAnswer(); err != nil {
					d.Truncated = true
					return d, nil
				}
				continue
			}
		}
		switch ah.Type {
		case dnsmessage.TypeA:
			r, err := p.AResource()
			if err != nil {
				d.Truncated = true
				return d, nil
			}
			d.Addresses = append(d.Addresses, netip.AddrFrom4(r.A))
		case dnsmessage.TypeAAAA:
			r, err := p.AAAAResource()
			if err != nil {
				d.Truncated = true
				return d, nil
			}
			d.Addresses = append(d.Addresses, netip.AddrFrom16(r.AAAA))
		case dnsmessage.TypeCNAME:
			r, err := p.CNAMEResource()
			if err != nil {
				d.Truncated = true
				return d, nil
			}
			d.CNAMEs = append(d.CNAMEs, canonicalName(r.CNAME))
		default:
			if err := p.SkipAnswer(); err != nil {
				d.Truncated = true
				return d, nil
			}
		}
	}
}

// canonicalName drops the root dot and lower-cases, so "Example.COM." and
// "example.com" correlate.
func canonicalName(n dnsmessage.Name) string {
	s := strings.TrimSuffix(n.String(), ".")
	return strings.ToLower(s)
}

// DNSTypeName names common query types as the RR registry does ("A",
// "AAAA", ...) and others as "TYPE<n>" (RFC 3597).
func DNSTypeName(t uint16) string {
	switch dnsmessage.Type(t) {
	case dnsmessage.TypeA:
		return "A"
	case dnsmessage.TypeNS:
		return "NS"
	case dnsmessage.TypeCNAME:
		return "CNAME"
	case dnsmessage.TypeSOA:
		return "SOA"
	case dnsmessage.TypePTR:
		return "PTR"
	case dnsmessage.TypeMX:
		return "MX"
	case dnsmessage.TypeTXT:
		return "TXT"
	case dnsmessage.TypeAAAA:
		return "AAAA"
	case dnsmessage.TypeSRV:
		return "SRV"
	case dnsmessage.TypeOPT:
		return "OPT"
	case dnsmessage.TypeAXFR:
		return "AXFR"
	case dnsmessage.TypeALL:
		return "ANY"
	case 65:
		return "HTTPS"
	}
	return fmt.Sprintf("TYPE%d", t)
}

// DNSRCodeName names a response code as RFC 1035/6895 do ("NOERROR",
// "NXDOMAIN", ...), others as "RCODE<n>".
func DNSRCodeName(c uint16) string {
	switch c {
	case 0:
		return "NOERROR"
	case 1:
		return "FORMERR"
	case 2:
		return "SERVFAIL"
	case 3:
		return "NXDOMAIN"
	case 4:
		return "NOTIMP"
	case 5:
		return "REFUSED"
	}
	return fmt.Sprintf("RCODE%d", c)
}
