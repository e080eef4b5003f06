package rules

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// NA replaces a template placeholder whose value is missing or fails.
const NA = "<NA>"

// segment is literal text followed by an optional OTTL value expression.
type segment struct {
	text string
	expr *ottl.ValueExpression[tctx]
}

// parseTemplate splits an output template into literal text and %{expr}
// placeholders, each expr an OTTL value expression parsed now.
// "%%{" is a literal "%{".
func parseTemplate(s string, parser *ottl.Parser[tctx]) ([]segment, error) {
	var segs []segment
	var text strings.Builder
	var errs []error
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "%%{") {
			text.WriteString("%{")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "%{") {
			text.WriteByte(s[i])
			i++
			continue
		}
		end, err := closingBrace(s, i+2)
		if err != nil {
			errs = append(errs, err)
			break
		}
		raw := strings.TrimSpace(s[i+2 : end])
		expr, err := parser.ParseValueExpression(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("%%{%s}: %w", raw, err))
		}
		segs = append(segs, segment{text: text.String(), expr: expr})
		text.Reset()
		i = end + 1
	}
	if text.Len() > 0 {
		segs = append(segs, segment{text: text.String()})
	}
	return segs, errors.Join(errs...)
}

// closingBrace finds the '}' closing a placeholder opened before start,
// skipping braces inside string literals and nested map literals.
func closingBrace(s string, start int) (int, error) {
	depth := 0
	for i := start; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '{':
			depth++
		case '}':
			if depth == 0 {
				return i, nil
			}
			depth--
		}
	}
	return 0, fmt.Errorf("unterminated placeholder at offset %d", start-2)
}

// render evaluates the template; it never fails: a missing value or an
// evaluation error renders as NA.
func render(ctx context.Context, segs []segment, tc tctx) string {
	if len(segs) == 1 && segs[0].expr == nil {
		return segs[0].text
	}
	var b strings.Builder
	for _, sg := range segs {
		b.WriteString(sg.text)
		if sg.expr == nil {
			continue
		}
		v, err := sg.expr.Eval(ctx, tc)
		if err != nil {
			b.WriteString(NA)
			continue
		}
		writeValue(&b, v)
	}
	return b.String()
}

func writeValue(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString(NA)
	case string:
		b.WriteString(v)
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case pcommon.Value:
		if v.Type() == pcommon.ValueTypeEmpty {
			b.WriteString(NA)
			return
		}
		if v.Type() == pcommon.ValueTypeSlice {
			writeValue(b, v.Slice())
			return
		}
		b.WriteString(v.AsString())
	case pcommon.Slice:
		// A list (process.command_args) renders space separated, like a command line.
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(v.At(i).AsString())
		}
	case pcommon.Map:
		mv := pcommon.NewValueMap()
		v.CopyTo(mv.Map())
		b.WriteString(mv.AsString())
	case []string:
		b.WriteString(strings.Join(v, " "))
	default:
		fmt.Fprint(b, v)
	}
}
