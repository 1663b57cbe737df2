import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What went wrong while starting or controlling the fault proxy.
public struct FaultProxyError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Launches `Tests/Support/fault-proxy/proxy.py`: a loopback TCP proxy in front of `127.0.0.1:upstreamPort` that
/// forwards bytes (so TLS passes through) until told to throttle, stall, cut or answer, and counts what it saw.
/// Control calls go to its second loopback port through a small blocking HTTP client run off the cooperative pool.
///
/// ```swift
/// let proxy = try await FaultProxy.start(upstreamPort: server.port)
/// defer { proxy.stop() }
/// try await proxy.set(.hold)                       // point the client at proxy.url(...) or 127.0.0.1:proxy.port
/// let stats = try await proxy.waitForStats { $0.closedByClient >= 1 }
/// ```
public final class FaultProxy: @unchecked Sendable {
    /// `up`: client to upstream (requests, uploads); `down`: upstream to client (responses, downloads).
    public enum Direction: String, Sendable {
        case up, down
    }

    /// What the proxy does with connections (`POST /mode`). Modes apply at once, to open connections too; byte
    /// budgets count per connection from the moment the mode was set. `answer` applies to connections opened after it.
    public enum Mode: Sendable, Equatable {
        /// Forward both ways (the default).
        case pass
        /// Forward at most this many bytes per second, per connection and direction.
        case throttle(bytesPerSecond: Int)
        /// Accept and read from the client, forward nothing either way: a server that never answers.
        case hold
        /// Forward this many bytes in `direction`, then stall that direction (the other one keeps passing).
        case holdAfterBytes(Int, direction: Direction)
        /// Forward this many bytes in `direction`, then reset both sockets (RST, SO_LINGER 0).
        case cutAfterBytes(Int, direction: Direction)
        /// Answer the next `count` plain-HTTP requests itself with `status`, `headers` and `body`, then pass.
        case answer(status: Int, headers: [String: String] = [:], count: Int = 1, body: String = "{}")

        var json: [String: Any] {
            switch self {
            case .pass:
                return ["mode": "pass"]
            case .throttle(let bytesPerSecond):
                return ["mode": "throttle", "bytesPerSecond": bytesPerSecond]
            case .hold:
                return ["mode": "hold"]
            case .holdAfterBytes(let bytes, let direction):
                return ["mode": "holdAfterBytes", "bytes": bytes, "direction": direction.rawValue]
            case .cutAfterBytes(let bytes, let direction):
                return ["mode": "cutAfterBytes", "bytes": bytes, "direction": direction.rawValue]
            case .answer(let status, let headers, let count, let body):
                return ["mode": "answer", "status": status, "headers": headers, "count": count, "body": body]
            }
        }
    }

    /// `GET /stats`: counters since start or `resetStats()`.
    public struct Stats: Decodable, Sendable, Equatable {
        /// Connections accepted.
        public let connections: Int
        /// Connections open now (not reset by `resetStats()`).
        public let open: Int
        /// Bytes forwarded client → upstream.
        public let bytesUp: Int
        /// Bytes forwarded upstream → client.
        public let bytesDown: Int
        /// Connections the client ended (EOF or reset) before the proxy had ended the stream towards it.
        public let closedByClient: Int
        /// Synthetic answers sent in `answer` mode.
        public let answered: Int
        /// Connections reset by `cutAfterBytes`.
        public let cut: Int
        /// Connections closed because the upstream could not be reached.
        public let upstreamFailures: Int
    }

    /// The proxy's listening port on 127.0.0.1.
    public let port: Int
    public let controlPort: Int
    public let upstreamPort: Int
    public let stateDir: String
    /// Where the proxy's output goes (with `verbose`, one line per connection event and control call).
    public var logPath: String { stateDir + "/proxy.log" }

    private let server: PythonServerProcess
    private let lock = NSLock()
    private var stopped = false

    private init(server: PythonServerProcess, port: Int, controlPort: Int, upstreamPort: Int) {
        self.server = server
        self.port = port
        self.controlPort = controlPort
        self.upstreamPort = upstreamPort
        self.stateDir = server.stateDir
    }

    deinit {
        stop()
    }

    public static var scriptPath: String {
        RepositoryPaths.packageRoot.appendingPathComponent("Tests/Support/fault-proxy/proxy.py").path
    }

    /// `scheme://127.0.0.1:port` + path (with query): the upstream's URL as seen through the proxy. For https the
    /// upstream's certificate must name 127.0.0.1.
    public func url(_ pathAndQuery: String = "", scheme: String = "http") -> URL {
        URL(string: "\(scheme)://127.0.0.1:\(port)\(pathAndQuery)")!
    }

    /// Starts a proxy in front of 127.0.0.1:`upstreamPort` and waits, off the cooperative pool, until it listens.
    public static func start(upstreamPort: Int, verbose: Bool = false, startTimeout: TimeInterval = 15) async throws
        -> FaultProxy {
        try await offPool { try startBlocking(upstreamPort: upstreamPort, verbose: verbose, startTimeout: startTimeout) }
    }

    private static func startBlocking(upstreamPort: Int, verbose: Bool, startTimeout: TimeInterval) throws -> FaultProxy {
        struct Ready: Decodable { var port: Int; var controlPort: Int }
        let (server, ready) = try PythonServerProcess.launch(
            script: scriptPath, label: "fault proxy", arguments: ["--upstream-port", String(upstreamPort)] + (verbose ? ["--verbose"] : []),
            logName: "proxy.log", startTimeout: startTimeout, ready: Ready.self)
        return FaultProxy(server: server, port: ready.port, controlPort: ready.controlPort, upstreamPort: upstreamPort)
    }

    /// Stops the proxy (SIGTERM, then SIGKILL after 3 s) and removes its state directory. Safe to call twice.
    public func stop() {
        lock.lock()
        let alreadyStopped = stopped
        stopped = true
        lock.unlock()
        if !alreadyStopped { server.stop() }
    }

    // MARK: - Control API

    public func set(_ mode: Mode) async throws {
        try await control("POST", "/mode", body: mode.json)
    }

    public func stats() async throws -> Stats {
        let data = try await control("GET", "/stats", body: nil)
        do {
            return try JSONDecoder().decode(Stats.self, from: data)
        } catch {
            throw FaultProxyError("the fault proxy's stats are not readable (\(error)): "
                + String(decoding: data, as: UTF8.self))
        }
    }

    /// Zeroes the counters (`open` stays: it is the number of connections open now).
    public func resetStats() async throws {
        try await control("POST", "/reset-stats", body: [:])
    }

    /// Polls the stats until `condition` holds and returns them; throws with the last stats after `timeout`.
    /// The timeout is a safety net against a hung test, not an expectation about speed.
    @discardableResult
    public func waitForStats(timeout: TimeInterval = 15, _ condition: (Stats) -> Bool) async throws -> Stats {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let stats = try await stats()
            if condition(stats) { return stats }
            if Date() > deadline {
                throw FaultProxyError("the fault proxy's stats did not reach the expected state within \(Int(timeout)) s; "
                    + "last: \(stats)")
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// One control call; throws with the proxy's answer when it is not 2xx.
    @discardableResult
    public func control(_ method: String, _ path: String, body: [String: Any]?) async throws -> Data {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let port = controlPort
        let (status, answer) = try await offPool { try Self.exchange(port: port, method: method, path: path, body: payload) }
        guard (200..<300).contains(status) else {
            throw FaultProxyError("the fault proxy answered \(status) to \(method) \(path): "
                + String(decoding: answer, as: UTF8.self))
        }
        return answer
    }

    // MARK: - Helpers

    /// A blocking HTTP/1.1 exchange with `Connection: close` on 127.0.0.1:`port`; returns status and body.
    private static func exchange(port: Int, method: String, path: String, body: Data?) throws -> (Int, Data) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FaultProxyError("socket() failed: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            _ = setsockopt(fd, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            throw FaultProxyError("cannot reach the fault proxy's control port \(port): \(String(cString: strerror(errno)))")
        }

        var request = Data("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n".utf8)
        if let body {
            request.append(Data("Content-Type: application/json\r\nContent-Length: \(body.count)\r\n".utf8))
        }
        request.append(Data("\r\n".utf8))
        if let body { request.append(body) }
        try request.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let sent = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else {
                    throw FaultProxyError("sending to the fault proxy failed: \(String(cString: strerror(errno)))")
                }
                offset += sent
            }
        }

        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw FaultProxyError("reading from the fault proxy failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        guard let headEnd = response.range(of: Data("\r\n\r\n".utf8)),
              let statusLine = String(decoding: response[..<headEnd.lowerBound], as: UTF8.self)
                .split(separator: "\r\n").first,
              let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw FaultProxyError("the fault proxy's answer is not HTTP: " + String(decoding: response.prefix(200), as: UTF8.self))
        }
        return (status, Data(response[headEnd.upperBound...]))
    }
}
