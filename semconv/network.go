package semconv

// Network, DNS and HTTP records (probe sets network, dns, http).
const (
	EventNetworkConnect   = "network.connect"
	EventNetworkAccept    = "network.accept"
	EventNetworkListen    = "network.listen"
	EventNetworkClose     = "network.close"
	EventNetworkSocketRaw = "network.socket_raw"
	EventDNSQuery         = "dns.query"
	EventHTTPRequest      = "http.request"
)

// OpenTelemetry semantic-convention keys of network records.
const (
	NetworkTransport       = "network.transport"     // "tcp", "udp"
	NetworkType            = "network.type"          // "ipv4", "ipv6"
	NetworkPeerAddress     = "network.peer.address"  // the other end's IP
	NetworkPeerPort        = "network.peer.port"     // the other end's port
	NetworkLocalAddress    = "network.local.address" // this end's IP
	NetworkLocalPort       = "network.local.port"    // this end's port
	NetworkIODirection     = "network.io.direction"  // "transmit", "receive"
	NetworkProtocolName    = "network.protocol.name" // "http", "dns"
	NetworkProtocolVersion = "network.protocol.version"
	ServerAddress          = "server.address" // DNS name learned from the container's own lookups, else the IP
	ServerPort             = "server.port"
	ClientAddress          = "client.address"
	ClientPort             = "client.port"
	ErrorType              = "error.type" // errno name of a failed connect, e.g. "ECONNREFUSED"
	DNSQuestionName        = "dns.question.name"
	DNSAnswers             = "dns.answers" // resolved addresses of a response
	HTTPRequestMethod      = "http.request.method"
	URLPath                = "url.path"
	URLQuery               = "url.query"
	UserAgentOriginal      = "user_agent.original"
)

// Vigil's own keys of network records and of process.exec; documented in
// semconv/README.md.
const (
	VigilProcessStdioSocket      = "vigil.process.stdio_socket"
	VigilNetworkSocketFamily     = "vigil.network.socket.family"
	VigilNetworkSocketType       = "vigil.network.socket.type"
	VigilNetworkSocketProtocol   = "vigil.network.socket.protocol"
	VigilNetworkDuration         = "vigil.network.connection.duration"
	VigilNetworkBytesSent        = "vigil.network.connection.bytes_sent"
	VigilNetworkBytesReceived    = "vigil.network.connection.bytes_received"
	VigilNetworkDatagrams        = "vigil.network.udp.datagrams"
	VigilNetworkSampledBefore    = "vigil.network.sampled_before"
	VigilNetworkOwnerUnknown     = "vigil.network.owner_unknown"
	VigilNetworkPayloadTruncated = "vigil.network.payload_truncated"
	VigilDNSID                   = "vigil.dns.id"
	VigilDNSQuestionType         = "vigil.dns.question.type"
	VigilDNSResponse             = "vigil.dns.response"
	VigilDNSResponseCode         = "vigil.dns.response_code"
	VigilDNSCNAMEs               = "vigil.dns.cnames"
	VigilHTTPHost                = "vigil.http.host"
)
