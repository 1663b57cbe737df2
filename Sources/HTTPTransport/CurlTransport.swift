import CCurl
import Foundation

/// The production transport: libcurl with TLS, proxy and timeout settings from `TransportOptions`.
/// Each transfer runs `curl_easy_perform` on a thread of its own; finished easy handles go back to a small pool,
/// which keeps their connections open for the next request to the same server.
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
        let transfer = CurlTransfer(delivery: .buffered, followsRedirects: plan.followsRedirects, uploadReader: try plan.makeUploadReader())
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
        let transfer = CurlTransfer(delivery: .streamed, followsRedirects: plan.followsRedirects, uploadReader: try plan.makeUploadReader())
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
        guard let handle = pool.checkOut() else {
            return .failure(TransportError(kind: .other, server: plan.server, message: "libcurl could not create a transfer handle"))
        }
        defer { pool.checkIn(handle) }
        transfer.handle = handle
        var lists = CurlLists()
        defer { lists.free() }

        configure(handle, plan: plan, transfer: transfer, lists: &lists)
        let code = curl_easy_perform(handle)
        if code != CURLE_OK {
            return .failure(plan.error(for: code, transfer: transfer))
        }
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

    private func configure(_ handle: UnsafeMutableRawPointer, plan: TransferPlan, transfer: CurlTransfer, lists: inout CurlLists) {
        let userData = Unmanaged.passUnretained(transfer).toOpaque()
        setString(handle, CURLOPT_URL, plan.curlURL)
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
        setLong(handle, CURLOPT_TCP_KEEPALIVE, 1)
        // Larger than the 16 KiB default: fewer callbacks (and stream chunks) for blob downloads.
        setLong(handle, CURLOPT_BUFFERSIZE, 256 << 10)
        setLong(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
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
    /// curl_global_init is not safe to race; a static let runs it exactly once.
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}

/// Idle easy handles; each keeps its connection cache, so reusing one reuses its connections.
final class EasyHandlePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [UnsafeMutableRawPointer] = []
    private let maximumIdle = 8

    func checkOut() -> UnsafeMutableRawPointer? {
        lock.lock()
        let handle = idle.popLast()
        lock.unlock()
        return handle ?? curl_easy_init()
    }

    func checkIn(_ handle: UnsafeMutableRawPointer) {
        // Reset forgets options (and our callbacks' user data) but keeps live connections and caches.
        curl_easy_reset(handle)
        lock.lock()
        if idle.count < maximumIdle {
            idle.append(handle)
            lock.unlock()
        } else {
            lock.unlock()
            curl_easy_cleanup(handle)
        }
    }

    deinit {
        idle.forEach { curl_easy_cleanup($0) }
    }
}

/// curl_slist values that must outlive curl_easy_perform.
struct CurlLists {
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    mutating func make(_ lines: [String]) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines { list = curl_slist_append(list, line) }
        if let list { lists.append(list) }
        return list
    }

    mutating func free() {
        lists.forEach { curl_slist_free_all($0) }
        lists.removeAll()
    }
}
