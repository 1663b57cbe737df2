import Foundation
import HTTPTransport

/// A blob or manifest as a manifest refers to it.
public struct RegistryDescriptor: Sendable, Codable, Equatable {
    public var mediaType: String
    public var digest: String
    public var size: Int64
    public var annotations: [String: String]?

    public init(mediaType: String, digest: String, size: Int64, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
    }
}

/// A manifest as stored: its exact bytes, media type and digest.
public struct RegistryManifest: Sendable, Equatable {
    public var bytes: Data
    public var mediaType: String
    public var digest: String

    /// The fields we act on; unknown fields stay untouched in `bytes`.
    public struct Content: Decodable, Sendable, Equatable {
        public var mediaType: String?
        public var config: RegistryDescriptor?
        public var layers: [RegistryDescriptor]?
        public var annotations: [String: String]?
    }

    public func decoded() throws -> Content {
        do {
            return try JSONDecoder().decode(Content.self, from: bytes)
        } catch {
            throw RegistryError(kind: .server, message: "manifest \(digest) is not a JSON image manifest")
        }
    }
}

public struct RegistryClientOptions: Sendable {
    public enum UploadMethod: Sendable { case postThenPut, postPatchPut }

    /// Always use plain HTTP (`--plain-http`).
    public var plainHTTP: Bool
    /// `--insecure-registry`: plain HTTP allowed for any host (TLS verification is switched off on the transport).
    public var insecure: Bool
    public var uploadMethod: UploadMethod
    /// Attempts per idempotent step (and per blob upload session).
    public var maxAttempts: Int
    public var initialBackoff: TimeInterval
    public var maxBackoff: TimeInterval
    public var progress: RegistryProgressHandler?
    /// Status notes (retries, fallbacks, token fetches); never secrets.
    public var log: (@Sendable (String) -> Void)?
    public var sleep: @Sendable (TimeInterval) async throws -> Void
    /// `--request-timeout`: bound on one step with its retries (no wait or attempt starts past it, and each
    /// attempt gets only what is left); nil leaves each request to the transport's own bounds.
    public var overallTimeout: TimeInterval?

    public init(
        plainHTTP: Bool = false,
        insecure: Bool = false,
        uploadMethod: UploadMethod = .postThenPut,
        maxAttempts: Int = 4,
        initialBackoff: TimeInterval = 0.5,
        maxBackoff: TimeInterval = 10,
        progress: RegistryProgressHandler? = nil,
        log: (@Sendable (String) -> Void)? = nil,
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1_000_000_000)) },
        overallTimeout: TimeInterval? = nil
    ) {
        self.plainHTTP = plainHTTP
        self.insecure = insecure
        self.uploadMethod = uploadMethod
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.progress = progress
        self.log = log
        self.sleep = sleep
        self.overallTimeout = overallTimeout
    }
}

/// The end of the step being retried, for the requests made inside it.
enum RegistryStepDeadline {
    @TaskLocal static var end: Date?

    /// `request` with at most the time left before the step's end.
    static func bounding(_ request: HTTPRequest) -> HTTPRequest {
        guard let end else { return request }
        var bounded = request
        let left = max(0.001, end.timeIntervalSinceNow)
        bounded.timeout = min(request.timeout ?? left, left)
        return bounded
    }
}

/// OCI distribution client: one small checked step per method (go-containerregistry `remote.Write` style).
public final class RegistryClient: @unchecked Sendable {
    public static let manifestAcceptTypes = [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ]

    public let options: RegistryClientOptions
    let transport: RegistryAuthTransport
    private let lock = NSLock()
    /// Loopback (or insecure) hosts where HTTPS failed to connect and plain HTTP answered.
    private var plainHTTPHosts: Set<String> = []
    /// Asks a loopback host whether it speaks TLS at all, without verifying it and without credentials.
    private let schemeProbe: (any HTTPTransport)?
    private var schemeProbes: [String: Task<Void, Never>] = [:]
    /// Hosts in `plainHTTPHosts` on the probe's word alone, until a real request confirms it.
    private var probedPlainHosts: Set<String> = []
    /// Hosts where a request timed out: the registry is not answering within the bound, so later steps fail at once
    /// with the same error instead of each waiting the bound out again.
    private var stalledHosts: [String: TransportError] = [:]

    /// `schemeProbe`, when given, must skip TLS verification: a failed verified handshake first loads the system CA
    /// bundle (~25 ms here), which a plain-HTTP loopback registry, the common local case, would cost every command.
    public init(transport: any HTTPTransport, credential: RegistryCredential = .anonymous, options: RegistryClientOptions = RegistryClientOptions(),
                schemeProbe: (any HTTPTransport)? = nil) {
        self.options = options
        self.transport = RegistryAuthTransport(base: transport, credential: credential, log: options.log)
        self.schemeProbe = schemeProbe
    }

    // MARK: Endpoints

    /// `GET /v2/`: reachable and our credentials are accepted.
    public func ping(_ reference: OCIReference) async throws {
        _ = try await step("GET /v2/", reference: reference, expect: [200]) {
            HTTPRequest(method: "GET", url: try self.url(reference, "/v2/"))
        }
    }

    /// `HEAD` a manifest; nil when the tag or digest does not exist.
    public func headManifest(_ reference: OCIReference) async throws -> RegistryDescriptor? {
        let response = try await step("HEAD manifest \(reference.manifestReference)", reference: reference, expect: [200, 404]) {
            HTTPRequest(method: "HEAD", url: try self.url(reference, "/v2/\(reference.repository)/manifests/\(reference.manifestReference)"),
                        headers: Self.acceptHeaders())
        }
        guard response.status == 200 else { return nil }
        guard let digest = response.headers["Docker-Content-Digest"] else {
            // Without the header a HEAD tells us nothing reliable: ask for the bytes.
            return try await getManifest(reference).map { RegistryDescriptor(mediaType: $0.mediaType, digest: $0.digest, size: Int64($0.bytes.count)) }
        }
        return RegistryDescriptor(mediaType: Self.baseMediaType(response.headers["Content-Type"]) ?? "",
                                  digest: digest, size: Int64(response.headers["Content-Length"] ?? "") ?? 0)
    }

    /// `GET` a manifest with its bytes verified against its digest; nil on 404.
    public func getManifest(_ reference: OCIReference) async throws -> RegistryManifest? {
        let operation = "GET manifest \(reference.manifestReference)"
        let response = try await step(operation, reference: reference, expect: [200, 404]) {
            HTTPRequest(method: "GET", url: try self.url(reference, "/v2/\(reference.repository)/manifests/\(reference.manifestReference)"),
                        headers: Self.acceptHeaders())
        }
        guard response.status == 200 else { return nil }
        let digest = SHA256Hasher.digest(of: response.body)
        for expected in [reference.digest, response.headers["Docker-Content-Digest"]].compactMap({ $0 }) where expected != digest {
            throw RegistryError(kind: .digestMismatch, operation: operation,
                                message: "the registry sent a manifest whose digest is \(digest), expected \(expected)")
        }
        let headerType = Self.baseMediaType(response.headers["Content-Type"])
        let bodyType = (try? JSONDecoder().decode(RegistryManifest.Content.self, from: response.body))?.mediaType
        return RegistryManifest(bytes: response.body, mediaType: bodyType ?? headerType ?? Self.manifestAcceptTypes[0], digest: digest)
    }

    /// `PUT` a manifest byte for byte under the reference's tag (or digest); returns its digest, checked against the registry's.
    @discardableResult
    public func putManifest(_ bytes: Data, mediaType: String, to reference: OCIReference) async throws -> String {
        let digest = SHA256Hasher.digest(of: bytes)
        let operation = "PUT manifest"
        let response = try await step(operation, reference: reference, expect: [201, 200]) {
            HTTPRequest(method: "PUT", url: try self.url(reference, "/v2/\(reference.repository)/manifests/\(reference.manifestReference)"),
                        headers: ["Content-Type": mediaType], body: .bytes(bytes))
        }
        if let answered = response.headers["Docker-Content-Digest"], answered != digest {
            throw RegistryError(kind: .digestMismatch, operation: operation,
                                message: "the registry stored the manifest as \(answered), but its bytes hash to \(digest)")
        }
        return digest
    }

    /// `HEAD` a blob: whether the repository already has it.
    public func blobExists(_ digest: String, in reference: OCIReference) async throws -> Bool {
        let response = try await step("HEAD blob \(digest)", reference: reference, expect: [200, 404]) {
            HTTPRequest(method: "HEAD", url: try self.url(reference, "/v2/\(reference.repository)/blobs/\(digest)"))
        }
        return response.status == 200
    }

    /// Uploads a blob whose digest and size are known: POST a session, then PUT the streamed body with `digest=`
    /// (or PATCH then PUT). A failed attempt restarts from a new session.
    public func uploadBlob(_ source: RegistryBlobSource, digest: String, size: Int64, to reference: OCIReference) async throws {
        let operation = "upload blob \(digest)"
        if case .file(let path) = source {
            // Check the file here: a read failure inside the transfer would look like a network error and be retried.
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            guard let actual = (attributes?[.size] as? NSNumber)?.int64Value, FileManager.default.isReadableFile(atPath: path) else {
                throw RegistryError(kind: .localIO, operation: operation, message: "cannot read \(path): check that the file exists and is readable")
            }
            guard actual == size else {
                throw RegistryError(kind: .localIO, operation: operation, message: "\(path) has \(actual) bytes, but the manifest says \(size)")
            }
        }
        try await withRetries(operation: operation) {
            let start = try await self.sendOnce("POST blob upload", reference: reference, expect: [202, 201]) {
                HTTPRequest(method: "POST", url: try self.url(reference, "/v2/\(reference.repository)/blobs/uploads/"),
                            headers: ["Content-Length": "0"])
            }
            guard start.status == 202 else { return } // 201: already committed (mount semantics)
            var location = try self.location(of: start, relativeTo: start.url ?? self.url(reference, "/v2/\(reference.repository)/blobs/uploads/"), operation: "POST blob upload")
            let body = self.body(for: source, digest: digest, size: size)
            switch self.options.uploadMethod {
            case .postThenPut:
                let commit = try await self.sendOnce("PUT blob \(digest)", reference: reference, expect: [201, 204]) {
                    HTTPRequest(method: "PUT", url: Self.appendingDigest(digest, to: location),
                                headers: ["Content-Type": "application/octet-stream", "Content-Length": String(size)], body: body)
                }
                try Self.checkDigestHeader(commit, expected: digest, operation: "PUT blob \(digest)")
            case .postPatchPut:
                let patched = try await self.sendOnce("PATCH blob \(digest)", reference: reference, expect: [202, 204]) {
                    HTTPRequest(method: "PATCH", url: location,
                                headers: ["Content-Type": "application/octet-stream", "Content-Length": String(size),
                                          "Content-Range": "0-\(max(size - 1, 0))"], body: body)
                }
                location = try self.location(of: patched, relativeTo: location, operation: "PATCH blob \(digest)")
                let commit = try await self.sendOnce("PUT blob \(digest)", reference: reference, expect: [201, 204]) {
                    HTTPRequest(method: "PUT", url: Self.appendingDigest(digest, to: location),
                                headers: ["Content-Type": "application/octet-stream", "Content-Length": "0"])
                }
                try Self.checkDigestHeader(commit, expected: digest, operation: "PUT blob \(digest)")
            }
        }
    }

    /// Small blobs (configs) into memory, verified.
    public func fetchBlob(_ digest: String, from reference: OCIReference) async throws -> Data {
        let operation = "GET blob \(digest)"
        let response = try await step(operation, reference: reference, expect: [200]) {
            HTTPRequest(method: "GET", url: try self.url(reference, "/v2/\(reference.repository)/blobs/\(digest)"))
        }
        let actual = SHA256Hasher.digest(of: response.body)
        guard actual == digest else {
            throw RegistryError(kind: .digestMismatch, operation: operation, message: "downloaded bytes hash to \(actual)")
        }
        return response.body
    }

    /// Streams a blob to `path` (written beside it first, renamed when the digest matches).
    public func downloadBlob(_ descriptor: RegistryDescriptor, from reference: OCIReference, to path: String) async throws {
        let operation = "GET blob \(descriptor.digest)"
        let partialPath = path + ".partial"
        await probeSchemeOnce(reference)
        try await withRetries(operation: operation) {
            try self.checkNotStalled(reference, operation: operation)
            let response: HTTPStreamingResponse
            do {
                response = try await self.transport.stream(RegistryStepDeadline.bounding(
                    HTTPRequest(method: "GET", url: try self.url(reference, "/v2/\(reference.repository)/blobs/\(descriptor.digest)"))))
            } catch {
                let error = self.noteStall(error, reference: reference)
                guard try self.fallBackToPlainHTTP(after: error, reference: reference) else {
                    throw RegistryError.fromTransport(error, operation: operation)
                }
                do {
                    response = try await self.transport.stream(RegistryStepDeadline.bounding(
                        HTTPRequest(method: "GET", url: try self.url(reference, "/v2/\(reference.repository)/blobs/\(descriptor.digest)"))))
                } catch {
                    self.revertToHTTPS(reference)
                    throw RegistryError.fromTransport(error, operation: operation)
                }
            }
            guard response.status == 200 else {
                var body = Data()
                for try await chunk in response.body where body.count < 64 * 1024 { body.append(chunk) }
                var error = RegistryError.fromResponse(status: response.status, body: body, operation: operation)
                error.retryAfter = RegistryError.retryAfter(response.headers)
                throw error
            }
            guard FileManager.default.createFile(atPath: partialPath, contents: nil), let handle = FileHandle(forWritingAtPath: partialPath) else {
                throw RegistryError(kind: .localIO, operation: operation, message: "cannot write \(partialPath): check the output directory")
            }
            defer { try? handle.close() }
            let hasher = SHA256Hasher()
            var received: Int64 = 0
            self.options.progress?(RegistryProgress(digest: descriptor.digest, bytes: 0, total: descriptor.size))
            do {
                for try await chunk in response.body {
                    hasher.update(chunk)
                    try handle.write(contentsOf: chunk)
                    received += Int64(chunk.count)
                    self.options.progress?(RegistryProgress(digest: descriptor.digest, bytes: received, total: descriptor.size))
                }
            } catch let error as RegistryError {
                throw error
            } catch {
                throw RegistryError.fromTransport(error, operation: operation)
            }
            let actual = hasher.finalizeDigest()
            guard actual == descriptor.digest else {
                try? FileManager.default.removeItem(atPath: partialPath)
                throw RegistryError(kind: .digestMismatch, operation: operation,
                                    message: "downloaded \(received) bytes hash to \(actual); the blob is corrupt or was cut short")
            }
        }
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: partialPath, toPath: path)
        } catch {
            throw RegistryError(kind: .localIO, operation: operation, message: "cannot move the download to \(path): \(error.localizedDescription)")
        }
    }

    /// All tags, following `Link: <…>; rel="next"` pages; `pageSize` sets `n`.
    public func listTags(_ reference: OCIReference, pageSize: Int? = nil) async throws -> [String] {
        struct TagList: Decodable { var tags: [String]? }
        var tags: [String] = []
        var next: URL? = try url(reference, "/v2/\(reference.repository)/tags/list" + (pageSize.map { "?n=\($0)" } ?? ""))
        var pages = 0
        while let pageURL = next {
            pages += 1
            guard pages <= 10_000 else { break }
            let response = try await step("GET tags list", reference: reference, expect: [200]) {
                // After a plain-HTTP fallback the first page URL must follow; later pages come from Link headers.
                pages == 1 ? HTTPRequest(method: "GET", url: try self.url(reference, "/v2/\(reference.repository)/tags/list" + (pageSize.map { "?n=\($0)" } ?? "")))
                           : HTTPRequest(method: "GET", url: pageURL)
            }
            guard let page = try? JSONDecoder().decode(TagList.self, from: response.body) else {
                throw RegistryError(kind: .server, operation: "GET tags list", message: "the registry's tag list is not JSON")
            }
            tags += page.tags ?? []
            next = Self.nextLink(response.headers.values(for: "Link"), relativeTo: response.url ?? pageURL)
        }
        return tags
    }

    // MARK: Requests, retries, fallbacks

    /// One step, retried with backoff when the method is idempotent.
    func step(_ operation: String, reference: OCIReference, expect: Set<Int>, _ makeRequest: @escaping () throws -> HTTPRequest) async throws -> HTTPResponse {
        let idempotent = try makeRequest().isIdempotent
        if !idempotent { return try await sendOnce(operation, reference: reference, expect: expect, makeRequest) }
        return try await withRetries(operation: operation) {
            try await self.sendOnce(operation, reference: reference, expect: expect, makeRequest)
        }
    }

    /// One request: status checked, registry errors typed; a loopback/insecure host falls back to HTTP once.
    func sendOnce(_ operation: String, reference: OCIReference, expect: Set<Int>, _ makeRequest: () throws -> HTTPRequest) async throws -> HTTPResponse {
        await probeSchemeOnce(reference)
        try checkNotStalled(reference, operation: operation)
        // The HTTPS failure that made us try plain HTTP: reported instead when plain HTTP does not work either.
        var httpsFailure: Error?
        while true {
            let request = RegistryStepDeadline.bounding(try makeRequest())
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch {
                let error = noteStall(error, reference: reference)
                if httpsFailure == nil, try fallBackToPlainHTTP(after: error, reference: reference) {
                    httpsFailure = error
                    continue
                }
                if let httpsFailure {
                    revertToHTTPS(reference)
                    throw RegistryError.fromTransport(httpsFailure, operation: operation)
                }
                throw RegistryError.fromTransport(error, operation: operation)
            }
            // A 400 over plain HTTP on the probe's word: a TLS server the probe could not talk to (one that wants a
            // client certificate, say). Back to the verified HTTPS-first flow, which reports its real error.
            if httpsFailure == nil, response.status == 400, withdrawProbeVerdict(reference) { continue }
            if httpsFailure == nil { confirmProbeVerdict(reference) }
            // A TLS server answers plain HTTP with 400: the HTTPS error (e.g. an untrusted certificate) is the real one.
            if let httpsFailure, response.status == 400 {
                revertToHTTPS(reference)
                throw RegistryError.fromTransport(httpsFailure, operation: operation)
            }
            guard expect.contains(response.status) else {
                var error = RegistryError.fromResponse(status: response.status, body: response.body, operation: operation)
                error.retryAfter = RegistryError.retryAfter(response.headers)
                throw error
            }
            return response
        }
    }

    func withRetries<T>(operation: String, _ body: () async throws -> T) async throws -> T {
        // An enclosing step's end stays in force; a nested step cannot extend it.
        let ownEnd = options.overallTimeout.map { Date().addingTimeInterval($0) }
        let end = [ownEnd, RegistryStepDeadline.end].compactMap { $0 }.min()
        return try await RegistryStepDeadline.$end.withValue(end) {
            try await retrying(operation: operation, until: end, body)
        }
    }

    private func retrying<T>(operation: String, until end: Date?, _ body: () async throws -> T) async throws -> T {
        var attempt = 1
        var delay = options.initialBackoff
        while true {
            do {
                return try await body()
            } catch let error as RegistryError where error.isRetryable && attempt < options.maxAttempts {
                // Honour the registry's Retry-After, within reason; no wait runs past the step's end.
                let wait = min(max(delay, error.retryAfter ?? 0), options.maxBackoff * 3)
                if let end, Date().addingTimeInterval(wait) >= end { throw error }
                options.log?("\(operation) failed (\(error.code ?? error.status.map(String.init) ?? "connection")), retrying in \(String(format: "%.1f", wait))s (attempt \(attempt + 1)/\(options.maxAttempts))")
                try await options.sleep(wait)
                attempt += 1
                delay = min(delay * 3, options.maxBackoff)
            } catch let error as RegistryError {
                throw error
            } catch {
                throw RegistryError.fromTransport(error, operation: operation)
            }
        }
    }

    /// Switches a host to plain HTTP after HTTPS failed to connect, where that is allowed; true when the caller should resend.
    private func fallBackToPlainHTTP(after error: Error, reference: OCIReference) throws -> Bool {
        guard let transportError = error as? TransportError, !options.plainHTTP else { return false }
        guard [.tls, .connectionRefused, .other].contains(transportError.kind) else { return false }
        guard reference.isLoopback || options.insecure else { return false }
        return lock.withLock {
            if plainHTTPHosts.contains(reference.apiHost) { return false }
            plainHTTPHosts.insert(reference.apiHost)
            options.log?("HTTPS to \(reference.apiHost) failed (\(transportError.message)); using plain HTTP")
            return true
        }
    }

    /// Before the first request to a loopback host: an unverified, credential-free `GET /v2/` over HTTPS. A TLS
    /// protocol failure means the host speaks plain HTTP, where the real request would have fallen back anyway; any
    /// answer (or another failure) leaves the usual verified HTTPS-first flow in charge. Concurrent callers share it.
    private func probeSchemeOnce(_ reference: OCIReference) async {
        guard let schemeProbe, reference.isLoopback, !options.plainHTTP, !options.insecure else { return }
        let host = reference.apiHost
        let probe: Task<Void, Never> = lock.withLock {
            if let running = schemeProbes[host] { return running }
            let log = options.log
            let task = Task<Void, Never> { [self] in
                guard let url = URL(string: "https://\(host)/v2/") else { return }
                do {
                    _ = try await schemeProbe.send(HTTPRequest(method: "GET", url: url))
                } catch let error as TransportError where error.kind == .tls {
                    lock.withLock {
                        plainHTTPHosts.insert(host)
                        probedPlainHosts.insert(host)
                    }
                    log?("HTTPS to \(host) failed (\(error.message)); using plain HTTP")
                } catch let error as TransportError where error.kind == .timedOut {
                    lock.withLock { stalledHosts[host] = error }
                } catch {}
            }
            schemeProbes[host] = task
            return task
        }
        await probe.value
    }

    /// Remembers a timed-out request's host; returns the error to throw.
    func noteStall(_ error: Error, reference: OCIReference) -> Error {
        if let transportError = error as? TransportError, transportError.kind == .timedOut {
            lock.withLock { stalledHosts[reference.apiHost] = transportError }
        }
        return error
    }

    /// Throws the timeout an earlier request to this host ran into.
    func checkNotStalled(_ reference: OCIReference, operation: String) throws {
        if let stall = lock.withLock({ stalledHosts[reference.apiHost] }) {
            throw RegistryError.fromTransport(stall, operation: operation)
        }
    }

    private func withdrawProbeVerdict(_ reference: OCIReference) -> Bool {
        lock.withLock {
            guard probedPlainHosts.remove(reference.apiHost) != nil else { return false }
            plainHTTPHosts.remove(reference.apiHost)
            return true
        }
    }

    private func confirmProbeVerdict(_ reference: OCIReference) {
        lock.withLock { _ = probedPlainHosts.remove(reference.apiHost) }
    }

    func revertToHTTPS(_ reference: OCIReference) {
        _ = lock.withLock { plainHTTPHosts.remove(reference.apiHost) }
    }

    func url(_ reference: OCIReference, _ pathAndQuery: String) throws -> URL {
        let plain = options.plainHTTP || lock.withLock { plainHTTPHosts.contains(reference.apiHost) }
        guard let url = URL(string: "\(plain ? "http" : "https")://\(reference.apiHost)\(pathAndQuery)") else {
            throw RegistryError(kind: .invalidReference, message: "cannot build a URL for \(reference.repositoryName)")
        }
        return url
    }

    private func body(for source: RegistryBlobSource, digest: String, size: Int64) -> HTTPBody {
        let progress = options.progress
        switch source {
        case .data(let data):
            return .stream(length: size) { RegistryCountingReader(DataBodyReader(data), digest: digest, total: size, progress: progress) }
        case .file(let path):
            return .stream(length: size) { RegistryCountingReader(try FileBodyReader(path: path), digest: digest, total: size, progress: progress) }
        case .reader(_, let makeReader):
            return .stream(length: size) { RegistryCountingReader(try makeReader(), digest: digest, total: size, progress: progress) }
        }
    }

    func location(of response: HTTPResponse, relativeTo base: URL, operation: String) throws -> URL {
        guard let header = response.headers["Location"], let location = URL(string: header, relativeTo: base)?.absoluteURL else {
            throw RegistryError(kind: .server, operation: operation, status: response.status, message: "the registry answered without an upload Location")
        }
        return location
    }

    /// Reuses the Location exactly: `?digest=` or `&digest=` when it already carries a query.
    static func appendingDigest(_ digest: String, to location: URL) -> URL {
        let text = location.absoluteString
        let separator = location.query == nil ? "?" : "&"
        let encoded = digest.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ":-._~"))) ?? digest
        return URL(string: text + separator + "digest=" + encoded) ?? location
    }

    static func checkDigestHeader(_ response: HTTPResponse, expected: String, operation: String) throws {
        if let answered = response.headers["Docker-Content-Digest"], answered != expected {
            throw RegistryError(kind: .digestMismatch, operation: operation, message: "the registry committed \(answered) instead of \(expected)")
        }
    }

    static func acceptHeaders() -> HTTPHeaders {
        HTTPHeaders([("Accept", manifestAcceptTypes.joined(separator: ", "))])
    }

    static func baseMediaType(_ contentType: String?) -> String? {
        guard let contentType else { return nil }
        return contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// RFC 5988 `Link: <url>; rel="next"`, possibly among other links.
    static func nextLink(_ headers: [String], relativeTo base: URL) -> URL? {
        for header in headers {
            for link in header.split(separator: ",") {
                let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
                let isNext = parts.dropFirst().contains { parameter in
                    let compact = parameter.replacingOccurrences(of: " ", with: "").lowercased()
                    return compact == "rel=\"next\"" || compact == "rel=next"
                }
                if isNext { return URL(string: String(target.dropFirst().dropLast()), relativeTo: base)?.absoluteURL }
            }
        }
        return nil
    }
}
