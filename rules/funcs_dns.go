package rules

import (
	"context"
	"errors"
	"math"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// DNS-name converters for the network rules (default/40-network.yaml):
//
//	LongestLabel(name)        int: length of the longest label of a DNS name
//	DNSEntropy(name)          double: Shannon entropy, in bits per character,
//	                          of the longest label (the random part of a
//	                          generated or tunnel name)
//	InDomain(name, [...])     bool: name is one of the domains or below one
//	                          (case-insensitive; "*.x.org" means x.org too)
//
// A trailing dot is ignored. A missing or non-string value is 0 (0.0) and
// false, never an error, so they can be used on any record.
func addDNSFunctions(m map[string]ottl.Factory[tctx]) {
	for _, f := range []ottl.Factory[tctx]{
		newNameFactory("LongestLabel", func(name string) any { return int64(len(longestLabel(name))) }, int64(0)),
		newNameFactory("DNSEntropy", func(name string) any { return labelEntropy(longestLabel(name)) }, 0.0),
		newInDomainFactory(),
	} {
		m[f.Name()] = f
	}
}

// longestLabel returns the longest dot-separated label of name (the first
// of equal length).
func longestLabel(name string) string {
	name = strings.TrimSuffix(name, ".")
	var best string
	for name != "" {
		label, rest, _ := strings.Cut(name, ".")
		if len(label) > len(best) {
			best = label
		}
		name = rest
	}
	return best
}

// labelEntropy is the Shannon entropy of s's bytes, case-insensitive, in
// bits per character: 0 for "" or "aaaa", log2(n) at most for n characters.
func labelEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		counts[c]++
	}
	n := float64(len(s))
	var h float64
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

type nameArguments struct {
	Target ottl.Getter[tctx]
}

// newNameFactory builds a converter of one DNS name; zero is its result
// when the value is not a string.
func newNameFactory(name string, f func(string) any, zero any) ottl.Factory[tctx] {
	return ottl.NewFactory(name, &nameArguments{}, func(_ ottl.FunctionContext, oArgs ottl.Arguments) (ottl.ExprFunc[tctx], error) {
		args, ok := oArgs.(*nameArguments)
		if !ok {
			return nil, errors.New(name + " args must be of type *nameArguments")
		}
		return func(ctx context.Context, tc tctx) (any, error) {
			v, err := args.Target.Get(ctx, tc)
			if err != nil {
				return nil, err
			}
			switch v := v.(type) {
			case string:
				return f(v), nil
			case pcommon.Value:
				if v.Type() == pcommon.ValueTypeStr {
					return f(v.Str()), nil
				}
			}
			return zero, nil
		}, nil
	})
}

// newInDomainFactory builds InDomain: true when the name (or any element
// of a list attribute, such as vigil.dns.cnames) equals a listed domain or
// is a subdomain of one. It walks the name's parent domains with one hash
// lookup each, so a long list costs nothing more.
func newInDomainFactory() ottl.Factory[tctx] {
	return ottl.NewFactory("InDomain", &listArguments{}, func(_ ottl.FunctionContext, oArgs ottl.Arguments) (ottl.ExprFunc[tctx], error) {
		args, ok := oArgs.(*listArguments)
		if !ok {
			return nil, errors.New("InDomain args must be of type *listArguments")
		}
		set := make(map[string]struct{}, len(args.List))
		for _, d := range args.List {
			d = strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(d), "*."), ".")
			if d != "" {
				set[d] = struct{}{}
			}
		}
		match := func(name string) bool {
			name = strings.TrimSuffix(strings.ToLower(name), ".")
			for name != "" {
				if _, ok := set[name]; ok {
					return true
				}
				_, rest, found := strings.Cut(name, ".")
				if !found {
					return false
				}
				name = rest
			}
			return false
		}
		return func(ctx context.Context, tc tctx) (any, error) {
			v, err := args.Target.Get(ctx, tc)
			if err != nil {
				return nil, err
			}
			switch v := v.(type) {
			case string:
				return match(v), nil
			case pcommon.Value:
				if v.Type() == pcommon.ValueTypeStr {
					return match(v.Str()), nil
				}
			case pcommon.Slice:
				for i := 0; i < v.Len(); i++ {
					if e := v.At(i); e.Type() == pcommon.ValueTypeStr && match(e.Str()) {
						return true, nil
					}
				}
			case []any:
				for _, e := range v {
					if s, ok := e.(string); ok && match(s) {
						return true, nil
					}
				}
			}
			return false, nil
		}, nil
	})
}
