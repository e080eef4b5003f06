package floor

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// Floor is the set of attached empty programs.
type Floor struct {
	links []link.Link
	hooks []string
}

// Attach loads floor.bpf.c and attaches each of its programs to the hook
// its section names.
func Attach() (*Floor, error) {
	spec, err := loadFloor()
	if err != nil {
		return nil, fmt.Errorf("loading floor spec: %w", err)
	}
	// A collection rather than the typed floorObjects: a new section in
	// floor.bpf.c then needs no Go change.
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		return nil, fmt.Errorf("loading floor programs: %w", err)
	}
	f := &Floor{}
	for name, ps := range spec.Programs {
		prog := coll.Programs[name]
		var l link.Link
		switch {
		case strings.HasPrefix(ps.SectionName, "tp_btf/"):
			l, err = link.AttachTracing(link.TracingOptions{Program: prog})
		case strings.HasPrefix(ps.SectionName, "raw_tracepoint/"), strings.HasPrefix(ps.SectionName, "raw_tp/"):
			l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: ps.AttachTo, Program: prog})
		case strings.HasPrefix(ps.SectionName, "tracepoint/"), strings.HasPrefix(ps.SectionName, "tp/"):
			group, tp, ok := strings.Cut(ps.AttachTo, "/")
			if !ok {
				err = fmt.Errorf("tracepoint section %q: want group/name", ps.SectionName)
				break
			}
			l, err = link.Tracepoint(group, tp, prog, nil)
		default:
			err = fmt.Errorf("section %q: the floor loader does not know how to attach it yet", ps.SectionName)
		}
		if err != nil {
			f.closeLinks()
			coll.Close()
			return nil, fmt.Errorf("attaching %s (%s): %w", name, ps.SectionName, err)
		}
		f.links = append(f.links, l)
		f.hooks = append(f.hooks, ps.SectionName)
	}
	// The links hold the programs; the collection's fds can go.
	coll.Close()
	return f, nil
}

// Hooks lists the attached sections, e.g. "tp_btf/sched_process_exec".
func (f *Floor) Hooks() []string { return append([]string(nil), f.hooks...) }

func (f *Floor) closeLinks() error {
	var errs []error
	for _, l := range f.links {
		errs = append(errs, l.Close())
	}
	f.links = nil
	return errors.Join(errs...)
}

// Close detaches every program.
func (f *Floor) Close() error { return f.closeLinks() }
