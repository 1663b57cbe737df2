import CCrypto
import Foundation

/// Incremental SHA-256 over libcrypto's EVP interface, so large streams are hashed without being held in memory.
public final class SHA256Hasher {
    private let context: OpaquePointer
    private var finished = false

    public init() {
        guard let context = ccrypto_sha256_new() else {
            fatalError("SHA-256 is unavailable: \(String(cString: ccrypto_load_error()))")
        }
        self.context = context
    }

    deinit { ccrypto_sha256_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "SHA256Hasher used after finalize()")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        ccrypto_sha256_update(context, base, bytes.count)
    }

    public func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// The digest as 64 lowercase hex characters; the hasher cannot be used afterwards.
    public func finalizeHex() -> String {
        precondition(!finished, "SHA256Hasher finalized twice")
        finished = true
        var digest = [UInt8](repeating: 0, count: 32)
        ccrypto_sha256_final(context, &digest)
        return hexString(digest)
    }

    /// `sha256:<hex>`, the form registries use; the hasher cannot be used afterwards.
    public func finalizeDigest() -> String { "sha256:" + finalizeHex() }

    /// `sha256:<hex>` of a whole buffer.
    public static func digest(of data: Data) -> String {
        let hasher = SHA256Hasher()
        hasher.update(data)
        return hasher.finalizeDigest()
    }
}

func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}
