package rules

import (
	"context"
	"errors"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/ottlfuncs"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

type tctx = *ottllog.TransformContext

// functions returns the OTTL converters available in conditions and output
// templates: every standard converter (no editors: rules never modify the
// record) plus Vigil's list-matching functions.
func functions() map[string]ottl.Factory[tctx] {
	m := ottlfuncs.StandardConverters[tctx]()
	for _, f := range []ottl.Factory[tctx]{
		newListFactory("In", func(set map[string]struct{}, _ []string, s string) bool { _, ok := set[s]; return ok }),
		newListFactory("HasAnyPrefix", func(_ map[string]struct{}, l []string, s string) bool {
			for _, p := range l {
				if strings.HasPrefix(s, p) {
					return true
				}
			}
			return false
		}),
		newListFactory("HasAnySuffix", func(_ map[string]struct{}, l []string, s string) bool {
			for _, p := range l {
				if strings.HasSuffix(s, p) {
					return true
				}
			}
			return false
		}),
		newListFactory("ContainsAny", func(_ map[string]struct{}, l []string, s string) bool {
			for _, p := range l {
				if strings.Contains(s, p) {
					return true
				}
			}
			return false
		}),
	} {
		m[f.Name()] = f
	}
	addDNSFunctions(m) // funcs_dns.go
	return m
}

// listArguments is the signature shared by In, HasAnyPrefix, HasAnySuffix
// and ContainsAny: a value and a literal list of strings (as ${list:name}
// expands to).
type listArguments struct {
	Target ottl.Getter[tctx]
	List   []string
}

// newListFactory builds a converter that is true when the target (a string,
// or any element of a list attribute such as process.command_args) matches
// the literal list. Other types and missing values are false, never errors.
func newListFactory(name string, match func(set map[string]struct{}, list []string, s string) bool) ottl.Factory[tctx] {
	return ottl.NewFactory(name, &listArguments{}, func(_ ottl.FunctionContext, oArgs ottl.Arguments) (ottl.ExprFunc[tctx], error) {
		args, ok := oArgs.(*listArguments)
		if !ok {
			return nil, errors.New(name + " args must be of type *listArguments")
		}
		list := append([]string(nil), args.List...)
		set := make(map[string]struct{}, len(list))
		for _, s := range list {
			set[s] = struct{}{}
		}
		return func(ctx context.Context, tc tctx) (any, error) {
			v, err := args.Target.Get(ctx, tc)
			if err != nil {
				return nil, err
			}
			switch v := v.(type) {
			case string:
				return match(set, list, v), nil
			case pcommon.Slice:
				for i := 0; i < v.Len(); i++ {
					e := v.At(i)
					if e.Type() == pcommon.ValueTypeStr && match(set, list, e.Str()) {
						return true, nil
					}
				}
			case pcommon.Value:
				if v.Type() == pcommon.ValueTypeStr {
					return match(set, list, v.Str()), nil
				}
			case []string:
				for _, s := range v {
					if match(set, list, s) {
						return true, nil
					}
				}
			case []any:
				for _, e := range v {
					if s, ok := e.(string); ok && match(set, list, s) {
						return true, nil
					}
				}
			}
			return false, nil
		}, nil
	})
}
