package semconv

// Event names (LogRecord EventName). OpenTelemetry has no registry entry for
// most of them yet; they follow the "<domain>.<action>" shape of the ones it has.
const (
	EventProcessExec    = "process.exec"
	EventProcessExit    = "process.exit"
	EventContainerStart = "container.start"
	EventContainerStop  = "container.stop"
)

// OpenTelemetry semantic-convention attribute keys used by Vigil.
const (
	HostName = "host.name"

	ContainerID          = "container.id"
	ContainerName        = "container.name"
	ContainerImageName   = "container.image.name"
	ContainerImageTags   = "container.image.tags"
	ContainerImageID     = "container.image.id"
	ContainerRuntimeName = "container.runtime.name"
	// Docker Compose labels, exported as container.label.<key> as the
	// semantic conventions prescribe for container labels.
	ContainerLabelComposeProject = "container.label.com.docker.compose.project"
	ContainerLabelComposeService = "container.label.com.docker.compose.service"

	ProcessPID            = "process.pid"
	ProcessVpid           = "process.vpid" // pid inside the process's pid namespace
	ProcessInteractive    = "process.interactive"
	ProcessParentPID      = "process.parent_pid"
	ProcessExecutablePath = "process.executable.path"
	ProcessExecutableName = "process.executable.name"
	ProcessCommandArgs    = "process.command_args"
	ProcessCommandLine    = "process.command_line"
	ProcessUserID         = "process.user.id"
	ProcessRealUserID     = "process.real_user.id"
	ProcessGroupID        = "process.group.id"
	ProcessRealGroupID    = "process.real_group.id"
	ProcessExitCode       = "process.exit.code"
	ProcessCreationTime   = "process.creation.time"
)

// Vigil's own keys, only where OpenTelemetry has none. Each is documented in
// semconv/README.md.
const (
	VigilEventType            = "vigil.event.type"
	VigilProcessArgsTruncated = "vigil.process.args_truncated"
	VigilProcessExitSignal    = "vigil.process.exit.signal"
	VigilProcessStillRunning  = "vigil.process.still_running"
	VigilProcessExecID        = "vigil.process.exec_id"
	VigilProcessSeeded        = "vigil.process.seeded"
	// VigilProcessExecutableDrift marks a process.exec of a file the
	// container itself wrote or made executable (container drift).
	VigilProcessExecutableDrift = "vigil.process.executable.drift"
	VigilCgroupID               = "vigil.cgroup.id"
	VigilPidNamespace           = "vigil.namespace.pid"
	VigilMntNamespace           = "vigil.namespace.mnt"
	VigilContainerResolved      = "vigil.container.resolved"
	VigilContainerExitCode      = "vigil.container.exit_code"
)

// Security alerts raised by the rules engine (package rules). The
// security_rule.* keys are OpenTelemetry semantic conventions; the vigil.*
// keys are Vigil's own and are documented in semconv/README.md.
const (
	EventSecurityAlert = "security.alert"

	SecurityRuleName        = "security_rule.name"
	SecurityRuleCategory    = "security_rule.category"
	SecurityRuleUUID        = "security_rule.uuid"
	SecurityRuleVersion     = "security_rule.version"
	SecurityRuleRulesetName = "security_rule.ruleset.name"
	SecurityRuleReference   = "security_rule.reference"
	SecurityRuleDescription = "security_rule.description"

	VigilMitreTechniqueID = "vigil.mitre.technique.id"
	VigilRuleTags         = "vigil.rule.tags"
	VigilAlertEventName   = "vigil.alert.event.name"
	VigilAlertSuppressed  = "vigil.alert.suppressed_count"
	VigilAlertRateCount   = "vigil.alert.rate.count"
	VigilAlertRateWindow  = "vigil.alert.rate.window"
)

// Span event attributes of an alert on its process span.
const (
	VigilAlertSeverity = "vigil.alert.severity"
	VigilAlertMessage  = "vigil.alert.message"
)

// The parent process, on every event record (no semantic convention names
// a parent's executable).
const (
	VigilProcessParentExecutablePath = "vigil.process.parent.executable.path"
	VigilProcessParentExecutableName = "vigil.process.parent.executable.name"
	VigilProcessParentCommandLine    = "vigil.process.parent.command_line"
)
