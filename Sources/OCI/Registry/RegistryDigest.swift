import CCrypto
import Foundation

/// Incremental SHA-256 for blobs that are streamed rather than held in memory.
final class RegistrySHA256 {
    private let context: OpaquePointer

    init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ data: Data) {
        data.withUnsafeBytes { raw in
            if let base = raw.baseAddress, raw.count > 0 { EVP_DigestUpdate(context, base, raw.count) }
        }
    }

    func update(_ buffer: UnsafeRawBufferPointer) {
        if let base = buffer.baseAddress, buffer.count > 0 { EVP_DigestUpdate(context, base, buffer.count) }
    }

    /// `sha256:<hex>`
    func finalizeDigest() -> String {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        return "sha256:" + output.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }

    static func digest(of data: Data) -> String {
        let hasher = RegistrySHA256()
        hasher.update(data)
        return hasher.finalizeDigest()
    }
}

enum RegistryDigestFormat {
    /// `sha256:` + 64 lowercase hex, the only algorithm we produce and verify.
    static func isValid(_ digest: String) -> Bool {
        guard digest.hasPrefix("sha256:") else { return false }
        let hex = digest.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }
}
