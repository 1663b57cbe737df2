import Foundation
import HTTPTransport

/// A file another thread is still writing: readers get its bytes as they land and see the end only once the
/// writer says it is complete. Lets a push upload the layer while the layer is still being compressed.
public final class GrowingFile: @unchecked Sendable {
    /// Where the writer writes, and where the file ends up if it is renamed when complete.
    public let writingPath: String
    public let finalPath: String
    private let condition = NSCondition()
    private var state: State = .writing

    fileprivate enum State { case writing, complete, failed }

    public init(writingPath: String, finalPath: String) {
        self.writingPath = writingPath
        self.finalPath = finalPath
    }

    /// The writer is done and the file is whole (and renamed to `finalPath`).
    public func complete() { set(.complete) }
    /// The writer gave up: readers fail.
    public func fail() { set(.failed) }

    private func set(_ newState: State) {
        condition.lock()
        state = newState
        condition.broadcast()
        condition.unlock()
    }

    fileprivate func waitBriefly() -> State {
        condition.lock()
        defer { condition.unlock() }
        if state == .writing { _ = condition.wait(until: Date().addingTimeInterval(0.002)) }
        return state
    }

    public func makeReader() -> any HTTPBodyReader { GrowingFileReader(self) }
}

private final class GrowingFileReader: HTTPBodyReader {
    private let file: GrowingFile
    private var descriptor: Int32 = -1

    init(_ file: GrowingFile) { self.file = file }

    deinit { if descriptor >= 0 { close(descriptor) } }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if descriptor < 0 {
                // The writer may not have created the file yet, or may already have renamed it.
                descriptor = open(file.writingPath, O_RDONLY | O_CLOEXEC)
                if descriptor < 0 { descriptor = open(file.finalPath, O_RDONLY | O_CLOEXEC) }
            }
            if descriptor >= 0 {
                let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
                if count > 0 { return count }
                if count < 0 && errno != EINTR { throw FileBodyError(path: file.writingPath, reason: String(cString: strerror(errno))) }
            }
            switch file.waitBriefly() {
            case .writing: continue
            case .failed: throw FileBodyError(path: file.writingPath, reason: "the layer could not be built")
            case .complete:
                // Complete: whatever is left is still readable; an empty read now is the real end.
                guard descriptor >= 0 else { descriptor = open(file.finalPath, O_RDONLY | O_CLOEXEC); continue }
                let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
                if count >= 0 { return count }
                if errno != EINTR { throw FileBodyError(path: file.finalPath, reason: String(cString: strerror(errno))) }
            }
        }
    }
}

extension RegistryClient {
    /// Opens an upload session and streams `file` into it with one chunked PATCH while it is still being written;
    /// returns the session to commit with `commitStreamedBlob` once the digest is known. One attempt only: the
    /// caller falls back to a regular upload if this fails.
    public func streamBlob(_ file: GrowingFile, to reference: OCIReference) async throws -> URL {
        // The URL is made per attempt: the first may find that a loopback registry speaks plain HTTP.
        let start = try await sendOnce("POST blob upload", reference: reference, expect: [202]) {
            HTTPRequest(method: "POST", url: try url(reference, "/v2/\(reference.repository)/blobs/uploads/"), headers: ["Content-Length": "0"])
        }
        let uploads = try url(reference, "/v2/\(reference.repository)/blobs/uploads/")
        let location = try location(of: start, relativeTo: start.url ?? uploads, operation: "POST blob upload")
        let progress = options.progress
        let patched: HTTPResponse
        do {
            patched = try await sendOnce("PATCH blob (streamed)", reference: reference, expect: [202, 204]) {
                HTTPRequest(method: "PATCH", url: location, headers: ["Content-Type": "application/octet-stream"],
                            body: .stream(length: nil) { RegistryCountingReader(file.makeReader(), digest: "layer", total: nil, progress: progress) })
            }
        } catch {
            await cancelUpload(at: location, reference: reference)
            throw error
        }
        return try self.location(of: patched, relativeTo: location, operation: "PATCH blob (streamed)")
    }

    /// Tells the registry to drop an abandoned upload session (distribution spec: DELETE on its URL), also when the
    /// push was cancelled: the request runs in a task of its own, awaited, bounded to 2 s, its answer ignored.
    public func cancelUpload(at location: URL, reference: OCIReference) async {
        let cleanup = Task {
            _ = try? await self.sendOnce("DELETE blob upload", reference: reference, expect: [202, 204, 404]) {
                HTTPRequest(method: "DELETE", url: location, timeout: 2)
            }
        }
        await cleanup.value
    }

    /// Commits a streamed upload under its digest; the registry checks the bytes against it.
    public func commitStreamedBlob(at location: URL, digest: String, to reference: OCIReference) async throws {
        let commit = try await sendOnce("PUT blob \(digest)", reference: reference, expect: [201, 204]) {
            HTTPRequest(method: "PUT", url: Self.appendingDigest(digest, to: location),
                        headers: ["Content-Type": "application/octet-stream", "Content-Length": "0"])
        }
        try Self.checkDigestHeader(commit, expected: digest, operation: "PUT blob \(digest)")
    }
}
