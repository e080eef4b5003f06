package container

import (
	"context"
	"fmt"
	"strings"

	dcontainer "github.com/docker/docker/api/types/container"
	"go.uber.org/zap"
)

// Docker Compose labels mapped onto Info.
const (
	labelComposeProject = "com.docker.compose.project"
	labelComposeService = "com.docker.compose.service"
)

// runtimeName is container.runtime.name for everything this resolver sees.
const runtimeName = "docker"

// inspect asks Docker about one container, bounded by LookupTimeout.
func (r *Resolver) inspect(id string) (Info, error) {
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.LookupTimeout)
	defer cancel()
	resp, err := r.cli.ContainerInspect(ctx, id)
	if err != nil {
		return Info{}, fmt.Errorf("inspecting container %s: %w", short(id), err)
	}
	// The base is an embedded pointer: a daemon answering with an empty
	// object must not crash us.
	if resp.ContainerJSONBase == nil {
		return Info{}, fmt.Errorf("inspecting container %s: empty answer", short(id))
	}
	var ref string
	var labels map[string]string
	if resp.Config != nil {
		ref, labels = resp.Config.Image, resp.Config.Labels
	}
	info := r.newInfo(ctx, id, resp.Name, ref, resp.Image, labels)
	return info, nil
}

// infoFromSummary builds Info from a container list entry, which carries
// everything inspect would give us without a call per container.
func (r *Resolver) infoFromSummary(ctx context.Context, s dcontainer.Summary) (Info, bool) {
	if !isContainerID(s.ID) {
		return Info{}, false
	}
	var name string
	if len(s.Names) > 0 {
		name = s.Names[0]
	}
	return r.newInfo(ctx, s.ID, name, s.Image, s.ImageID, s.Labels), true
}

func (r *Resolver) newInfo(ctx context.Context, id, name, ref, imageID string, labels map[string]string) Info {
	imgName, tags, byID := imageRef(ref, imageID)
	if byID {
		imgName, tags = r.imageTags(ctx, imageID)
	}
	return Info{
		ID:             id,
		Name:           strings.TrimPrefix(name, "/"),
		ImageName:      imgName,
		ImageTags:      tags,
		ImageID:        imageID,
		Runtime:        runtimeName,
		ComposeProject: labels[labelComposeProject],
		ComposeService: labels[labelComposeService],
		Resolved:       true,
	}
}

// imageTags names an image that a container references by id only. Failing
// that, the container is still resolved: its image id identifies the image.
func (r *Resolver) imageTags(ctx context.Context, imageID string) (string, []string) {
	if imageID == "" {
		return "", nil
	}
	img, err := r.cli.ImageInspect(ctx, imageID)
	if err != nil {
		r.log.Debug("image lookup failed", zap.String("container.image.id", imageID), zap.Error(err))
		return "", nil
	}
	return nameFromRepoTags(img.RepoTags)
}

// short is the 12-character form Docker prints, safe for any input.
func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
