import CCurl
import Foundation

/// The production transport: libcurl with TLS, proxy and timeout settings from `TransportOptions`.
/// Each transfer runs on a thread of its own (never Swift's cooperative pool); finished handles go back to a small
/// pool, which keeps their connections open for the next request to the same server.
public final class CurlTransport: HTTPTransport, Sendable {
    public let options: TransportOptions
    /// Chooses the proxy per URL from `options.proxyURL` or the proxy environment variables.
    public let proxies: ProxySelection
    private let pool = EasyHandlePool()

    public init(options: TransportOptions = TransportOptions(), proxies: ProxySelection = ProxySelection()) {
        _ = CurlGlobal.initialized
        self.options = options
        self.proxies = proxies
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let plan = try TransferPlan(request: request, options: options, proxies: proxies)
        let transfer = CurlTransfer(delivery: .buffered, followsRedirects: plan.followsRedirects, uploadReader: plan.uploadReader)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, Error>) in
                startThread { [self] in
                    let result = perform(plan, transfer).map { head in
                        HTTPResponse(status: head.status, headers: head.headers, body: transfer.bufferedBody, url: transfer.effectiveURL ?? plan.requestURL)
                    }
                    continuation.resume(with: result)
                }
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let plan = try TransferPlan(request: request, options: options, proxies: proxies)
        let transfer = CurlTransfer(delivery: .streamed, followsRedirects: plan.followsRedirects, uploadReader: plan.uploadReader)
        startThread { [self] in
            switch perform(plan, transfer) {
            case .success: transfer.finish(failure: nil)
            case .failure(let error): transfer.finish(failure: error)
            }
        }
        let head = try await withTaskCancellationHandler {
            try await transfer.waitForHead()
        } onCancel: {
            transfer.cancel()
        }
        let canceller = TransferCanceller(transfer)
        let body = AsyncThrowingStream<Data, Error>(unfolding: {
            try await withTaskCancellationHandler {
                try await canceller.transfer.nextChunk()
            } onCancel: {
                canceller.transfer.cancel()
            }
        })
        return HTTPStreamingResponse(status: head.status, headers: head.headers, body: body, cancel: { transfer.cancel() })
    }

    private func startThread(_ work: @escaping @Sendable () -> Void) {
        let thread = Thread(block: work)
        thread.name = "curl-transfer"
        thread.start()
    }

    /// Runs one transfer to its end on the calling (dedicated) thread.
    private func perform(_ plan: TransferPlan, _ transfer: CurlTransfer) -> Result<ResponseHead, Error> {
        guard let session = pool.checkOut() else {
            let reason = ccurl_load() ? "libcurl could not create a transfer handle" : String(cString: ccurl_load_error())
            return .failure(TransportError(kind: .other, server: plan.server, message: reason))
        }
        // Only a transfer that finished goes back to the pool with its connection. libcurl (7.88) keeps an HTTP/2
        // connection after a transfer ended early (cancelled, timed out, aborted) without resetting its stream, so
        // the server would go on serving it (a cancelled watch streams on); closing the session closes the
        // connection, as libcurl does itself for HTTP/1.1.
        var finished = false
        defer {
            if finished {
                pool.checkIn(session)
            } else {
                transfer.handle = nil
                session.close()
            }
        }
        let handle = session.easy
        transfer.handle = handle
        var lists = CurlLists()
        defer { lists.free() }

        configure(handle, plan: plan, transfer: transfer, lists: &lists)
        let code = run(session, transfer)
        if code != CURLE_OK {
            return .failure(plan.error(for: code, transfer: transfer))
        }
        finished = true
        var effective: UnsafePointer<CChar>?
        if ccurl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK, let effective {
            let url = String(cString: effective)
            if url != plan.curlURL { transfer.effectiveURL = URL(string: url) }
        }
        if let head = transfer.deliveredHead { return .success(head) }
        let head = transfer.headFromCurrentBlock()
        transfer.deliverHead(head)
        return .success(head)
    }

    /// Drives the easy handle through its own multi handle rather than curl_easy_perform, so that `cancel`
    /// can wake the wait at once (curl_multi_wakeup) instead of after libcurl's next progress tick.
    private func run(_ session: CurlSession, _ transfer: CurlTransfer) -> CURLcode {
        guard ccurl_multi_add_handle(session.multi, session.easy) == CURLM_OK else { return CURLE_FAILED_INIT }
        transfer.attach(multi: session.multi)
        defer {
            transfer.detachMulti()
            ccurl_multi_remove_handle(session.multi, session.easy)
        }
        var running: Int32 = 1
        while running > 0 {
            if ccurl_multi_perform(session.multi, &running) != CURLM_OK { return CURLE_FAILED_INIT }
            if running == 0 { break }
            if transfer.isCancelled { return CURLE_ABORTED_BY_CALLBACK }
            if ccurl_multi_poll(session.multi, nil, 0, 1000, nil) != CURLM_OK { return CURLE_FAILED_INIT }
            if transfer.isCancelled { return CURLE_ABORTED_BY_CALLBACK }
        }
        var remaining: Int32 = 0
        while let message = ccurl_multi_info_read(session.multi, &remaining) {
            if message.pointee.msg == CURLMSG_DONE { return message.pointee.data.result }
        }
        return CURLE_FAILED_INIT
    }

    private func configure(_ handle: UnsafeMutableRawPointer, plan: TransferPlan, transfer: CurlTransfer, lists: inout CurlLists) {
        let userData = Unmanaged.passUnretained(transfer).toOpaque()
        setString(handle, CURLOPT_URL, plan.curlURL)
        setString(handle, CURLOPT_PROTOCOLS_STR, "http,https") // proxies are set apart and unaffected
        setLong(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, transfer.errorBuffer)
        _ = ccurl_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        _ = ccurl_setopt_ptr(handle, CURLOPT_HEADERDATA, userData)
        _ = ccurl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        _ = ccurl_setopt_ptr(handle, CURLOPT_WRITEDATA, userData)
        _ = ccurl_setopt_xferinfo_callback(handle, curlProgressCallback)
        _ = ccurl_setopt_ptr(handle, CURLOPT_XFERINFODATA, userData)
        setLong(handle, CURLOPT_NOPROGRESS, 0)

        setLong(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(options.connectTimeout))
        if let timeout = plan.timeout { setLong(handle, CURLOPT_TIMEOUT_MS, milliseconds(timeout)) }
        if let stall = options.stallTimeout {
            // Under one byte a second for this long, in either direction, ends the transfer.
            setLong(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
            setLong(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(stall.rounded(.up))))
        }
        setLong(handle, CURLOPT_TCP_KEEPALIVE, 1)
        // Larger than the 16 KiB default: fewer callbacks (and stream chunks) for blob downloads.
        setLong(handle, CURLOPT_BUFFERSIZE, 256 << 10)
        switch options.httpVersion {
        case .http2OverTLS: setLong(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        case .http1_1: setLong(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        }
        setString(handle, CURLOPT_USERAGENT, options.userAgent)
        // An empty string asks for every encoding libcurl can decode and decodes it transparently.
        if !options.disableCompression { setString(handle, CURLOPT_ACCEPT_ENCODING, "") }

        switch (plan.method, plan.uploadLength) {
        case ("HEAD", nil):
            setLong(handle, CURLOPT_NOBODY, 1)
        case ("GET", nil):
            setLong(handle, CURLOPT_HTTPGET, 1)
        case (_, nil):
            setString(handle, CURLOPT_CUSTOMREQUEST, plan.method)
        case (_, let length?):
            setLong(handle, CURLOPT_UPLOAD, 1)
            _ = ccurl_setopt_read_callback(handle, CURLOPT_READFUNCTION, curlReadCallback)
            _ = ccurl_setopt_ptr(handle, CURLOPT_READDATA, userData)
            // -1 (unknown) makes libcurl send HTTP/1.1 chunked transfer encoding.
            _ = ccurl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(length))
            setString(handle, CURLOPT_CUSTOMREQUEST, plan.method)
        }
        if plan.followsRedirects {
            setLong(handle, CURLOPT_FOLLOWLOCATION, 1)
            setLong(handle, CURLOPT_MAXREDIRS, 10)
            setString(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
            // UNRESTRICTED_AUTH stays 0: libcurl drops our Authorization header when a redirect changes the host.
        }

        if let caPEM = options.caPEM {
            caPEM.withUnsafeBytes { _ = ccurl_setopt_blob(handle, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) }
            // Without this libcurl would trust its default bundle as well as ours.
            _ = ccurl_setopt_ptr(handle, CURLOPT_CAINFO, nil)
            _ = ccurl_setopt_ptr(handle, CURLOPT_CAPATH, nil)
        }
        if let certificate = options.clientCertificatePEM {
            certificate.withUnsafeBytes { _ = ccurl_setopt_blob(handle, CURLOPT_SSLCERT_BLOB, $0.baseAddress, $0.count) }
            setString(handle, CURLOPT_SSLCERTTYPE, "PEM")
        }
        if let key = options.clientKeyPEM {
            key.withUnsafeBytes { _ = ccurl_setopt_blob(handle, CURLOPT_SSLKEY_BLOB, $0.baseAddress, $0.count) }
            setString(handle, CURLOPT_SSLKEYTYPE, "PEM")
        }
        if options.insecureSkipTLSVerify {
            setLong(handle, CURLOPT_SSL_VERIFYPEER, 0)
            setLong(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let connectTo = plan.connectTo {
            _ = ccurl_setopt_ptr(handle, CURLOPT_CONNECT_TO, lists.make([connectTo]))
        }

        // Set either way: an empty proxy stops libcurl from reading the environment itself.
        setString(handle, CURLOPT_PROXY, plan.proxy ?? "")

        _ = ccurl_setopt_ptr(handle, CURLOPT_HTTPHEADER, lists.make(plan.headerLines))
    }

    private func setLong(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: Int) {
        _ = ccurl_setopt_long(handle, option, value)
    }

    /// libcurl copies string options, so a temporary C string is enough.
    private func setString(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: String) {
        _ = value.withCString { ccurl_setopt_ptr(handle, option, $0) }
    }

    private func milliseconds(_ interval: TimeInterval) -> Int {
        max(1, Int((interval * 1000).rounded(.up)))
    }
}

enum CurlGlobal {
    /// curl_global_init is not safe to race; a static let runs it exactly once (and loads libcurl then).
    static let initialized: Bool = ccurl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}

/// An easy handle and the multi handle that drives it. The multi handle owns the connection cache,
/// so handing the pair to the next request reuses its open connections.
struct CurlSession: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    let multi: UnsafeMutableRawPointer

    static func make() -> CurlSession? {
        guard let easy = ccurl_easy_init() else { return nil }
        guard let multi = ccurl_multi_init() else {
            ccurl_easy_cleanup(easy)
            return nil
        }
        return CurlSession(easy: easy, multi: multi)
    }

    func close() {
        ccurl_easy_cleanup(easy)
        ccurl_multi_cleanup(multi)
    }
}

/// Idle sessions of one transport; a small number is kept, the rest closed.
final class EasyHandlePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [CurlSession] = []
    private let maximumIdle = 8

    func checkOut() -> CurlSession? {
        lock.lock()
        let session = idle.popLast()
        lock.unlock()
        return session ?? CurlSession.make()
    }

    func checkIn(_ session: CurlSession) {
        // Reset forgets options (and our callbacks' user data); the multi handle keeps live connections.
        ccurl_easy_reset(session.easy)
        lock.lock()
        if idle.count < maximumIdle {
            idle.append(session)
            lock.unlock()
        } else {
            lock.unlock()
            session.close()
        }
    }

    deinit {
        idle.forEach { $0.close() }
    }
}

/// curl_slist values that must outlive curl_easy_perform.
struct CurlLists {
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    mutating func make(_ lines: [String]) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines { list = ccurl_slist_append(list, line) }
        if let list { lists.append(list) }
        return list
    }

    mutating func free() {
        lists.forEach { ccurl_slist_free_all($0) }
        lists.removeAll()
    }
}
