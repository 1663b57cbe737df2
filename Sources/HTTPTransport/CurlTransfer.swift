import CCurl
import Foundation

/// Status line and headers of the final response (not of 1xx answers, proxy CONNECTs or followed redirects).
struct ResponseHead: Sendable {
    var status: Int
    var reason: String
    var headers: HTTPHeaders
}

/// State shared between one curl_easy_perform (on its own thread) and the Swift caller waiting for it.
/// Every field touched from both sides is guarded by `condition`.
final class CurlTransfer: @unchecked Sendable {
    enum Delivery { case buffered, streamed }

    /// How many body bytes a streamed response may hold before the curl thread waits for the consumer.
    static let streamBufferLimit = 4 << 20

    let delivery: Delivery
    let followsRedirects: Bool
    let uploadReader: (any HTTPBodyReader)?
    let errorBuffer: UnsafeMutablePointer<CChar>
    var handle: UnsafeMutableRawPointer?

    private let condition = NSCondition()
    private var cancelled = false

    // Header block being parsed; only the curl thread touches these.
    private var blockReason = ""
    private var blockHeaders = HTTPHeaders()

    private var head: ResponseHead?
    private var headWaiter: CheckedContinuation<ResponseHead, Error>?
    private var headFailure: Error?

    private(set) var bufferedBody = Data()
    private var pendingChunks: [Data] = []
    private var pendingBytes = 0
    private var finished = false
    private var failure: Error?
    private var chunkWaiter: CheckedContinuation<Data?, Error>?

    /// The body reader's own error, kept so the caller learns why the upload stopped.
    var uploadError: Error?
    /// Where the answer came from when libcurl followed a redirect; written before the transfer finishes.
    var effectiveURL: URL?

    init(delivery: Delivery, followsRedirects: Bool, uploadReader: (any HTTPBodyReader)?) {
        self.delivery = delivery
        self.followsRedirects = followsRedirects
        self.uploadReader = uploadReader
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        errorBuffer.deallocate()
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    var errorText: String {
        String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The multi handle driving this transfer while it runs; guarded so a wakeup never reaches a freed handle.
    private var multi: UnsafeMutableRawPointer?

    func attach(multi: UnsafeMutableRawPointer) {
        condition.lock()
        self.multi = multi
        condition.unlock()
    }

    func detachMulti() {
        condition.lock()
        multi = nil
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        // curl_multi_wakeup may be called from any thread; it ends the transfer thread's poll at once.
        if let multi { ccurl_multi_wakeup(multi) }
        // The reader sees the end now, whatever libcurl still has in flight.
        let waiter = chunkWaiter
        chunkWaiter = nil
        condition.unlock()
        waiter?.resume(returning: nil)
    }

    var deliveredHead: ResponseHead? {
        condition.lock()
        defer { condition.unlock() }
        return head
    }

    // MARK: curl thread

    func receiveHeaderLine(_ line: String) {
        if deliveredHead != nil { return }  // trailers after a chunked body
        if line.hasPrefix("HTTP/") {
            let parts = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 2)
            blockReason = parts.count > 2 ? String(parts[2]) : ""
            blockHeaders = HTTPHeaders()
            return
        }
        if line.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let status = responseCode
            // 0: the answer of a proxy CONNECT; 1xx: interim; 3xx with Location: curl follows it.
            if status < 200 { return }
            if followsRedirects, (300..<400).contains(status), blockHeaders["Location"] != nil { return }
            deliverHead(ResponseHead(status: status, reason: blockReason, headers: blockHeaders))
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        blockHeaders.add(name, value)
    }

    var responseCode: Int {
        var code = 0
        if let handle { _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code) }
        return code
    }

    /// Used when the transfer ends without a blank line after the headers having been seen (e.g. HTTP/0.9).
    func headFromCurrentBlock() -> ResponseHead {
        ResponseHead(status: responseCode, reason: blockReason, headers: blockHeaders)
    }

    func deliverHead(_ newHead: ResponseHead) {
        condition.lock()
        guard head == nil else { condition.unlock(); return }
        head = newHead
        let waiter = headWaiter
        headWaiter = nil
        condition.unlock()
        waiter?.resume(returning: newHead)
    }

    /// Returns false to make curl abort the transfer.
    func receiveBody(_ data: Data) -> Bool {
        if deliveredHead == nil { deliverHead(headFromCurrentBlock()) }
        condition.lock()
        if cancelled { condition.unlock(); return false }
        switch delivery {
        case .buffered:
            bufferedBody.append(data)
            condition.unlock()
            return true
        case .streamed:
            if let waiter = chunkWaiter {
                chunkWaiter = nil
                condition.unlock()
                waiter.resume(returning: data)
                return true
            }
            pendingChunks.append(data)
            pendingBytes += data.count
            // Back-pressure: this is our own thread, so waiting here slows the socket, not Swift's pool.
            while pendingBytes > Self.streamBufferLimit && !cancelled { condition.wait() }
            let keepGoing = !cancelled
            condition.unlock()
            return keepGoing
        }
    }

    func readUpload(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let uploadReader else { return 0 }
        if isCancelled { return Int(CURL_READFUNC_ABORT) }
        do {
            return try uploadReader.read(into: buffer)
        } catch {
            uploadError = error
            return Int(CURL_READFUNC_ABORT)
        }
    }

    /// Ends the body stream and wakes whoever waits for the head or a chunk.
    func finish(failure error: Error?) {
        condition.lock()
        finished = true
        // A cancelled stream just ends, as HTTPStreamingResponse.cancel promises.
        failure = cancelled ? nil : error
        let headWaiterToFail = head == nil ? headWaiter : nil
        if head == nil { headWaiter = nil; headFailure = error ?? TransportError(kind: .other, server: "", message: "no response") }
        let waiter = chunkWaiter
        chunkWaiter = nil
        let bodyFailure = failure
        let headError = headFailure
        condition.unlock()
        if let headWaiterToFail, let headError { headWaiterToFail.resume(throwing: headError) }
        if let waiter {
            if let bodyFailure { waiter.resume(throwing: bodyFailure) } else { waiter.resume(returning: nil) }
        }
    }

    // MARK: Swift side

    func waitForHead() async throws -> ResponseHead {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if let head {
                condition.unlock()
                continuation.resume(returning: head)
            } else if let headFailure {
                condition.unlock()
                continuation.resume(throwing: headFailure)
            } else {
                headWaiter = continuation
                condition.unlock()
            }
        }
    }

    /// The next body bytes (all that are waiting, joined), nil at the end.
    func nextChunk() async throws -> Data? {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if cancelled {
                pendingChunks.removeAll()
                pendingBytes = 0
                condition.broadcast()
                condition.unlock()
                continuation.resume(returning: nil)
            } else if !pendingChunks.isEmpty {
                var joined = pendingChunks.count == 1 ? pendingChunks[0] : Data(capacity: pendingBytes)
                if pendingChunks.count > 1 { pendingChunks.forEach { joined.append($0) } }
                pendingChunks.removeAll(keepingCapacity: true)
                pendingBytes = 0
                condition.broadcast()
                condition.unlock()
                continuation.resume(returning: joined)
            } else if finished {
                let failure = failure
                condition.unlock()
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
            } else {
                chunkWaiter = continuation
                condition.unlock()
            }
        }
    }
}

/// Cancels the transfer when the body stream is dropped unread, so the curl thread never waits forever.
final class TransferCanceller: @unchecked Sendable {
    let transfer: CurlTransfer
    init(_ transfer: CurlTransfer) { self.transfer = transfer }
    deinit { transfer.cancel() }
}

// MARK: libcurl callbacks (C function pointers: they find their transfer through the user-data pointer)

private func transfer(from userData: UnsafeMutableRawPointer?) -> CurlTransfer {
    Unmanaged<CurlTransfer>.fromOpaque(userData!).takeUnretainedValue()
}

let curlHeaderCallback: curl_write_callback = { bytes, size, count, userData in
    let length = size * count
    guard let bytes else { return length }
    let line = String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
    transfer(from: userData).receiveHeaderLine(line)
    return length
}

let curlWriteCallback: curl_write_callback = { bytes, size, count, userData in
    let length = size * count
    guard let bytes, length > 0 else { return length }
    let data = Data(bytes: bytes, count: length)
    return transfer(from: userData).receiveBody(data) ? length : 0
}

let curlReadCallback: curl_read_callback = { bytes, size, count, userData in
    guard let bytes else { return 0 }
    let buffer = UnsafeMutableRawBufferPointer(start: bytes, count: size * count)
    return transfer(from: userData).readUpload(into: buffer)
}

let curlProgressCallback: curl_xferinfo_callback = { userData, _, _, _, _ in
    transfer(from: userData).isCancelled ? 1 : 0
}
