package container

// Info is what Vigil knows about a container, named after the OpenTelemetry
// container.* resource attributes.
type Info struct {
	ID             string   // container.id, 64 hex characters
	Name           string   // container.name, without Docker's leading "/"
	ImageName      string   // container.image.name, e.g. "vigil-test" (no tag)
	ImageTags      []string // container.image.tags, e.g. ["latest"]
	ImageID        string   // container.image.id, "sha256:..."
	Runtime        string   // container.runtime.name, e.g. "docker"
	ComposeProject string   // label com.docker.compose.project
	ComposeService string   // label com.docker.compose.service
	// Resolved is false when only the id is known (Docker absent or not answering).
	Resolved bool
}
