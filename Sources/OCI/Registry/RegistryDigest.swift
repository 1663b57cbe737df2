import Foundation

/// Incremental SHA-256 for blobs that are streamed rather than held in memory, as `sha256:<hex>`.
final class RegistrySHA256 {
    private let hasher = SHA256Hasher()

    func update(_ data: Data) { hasher.update(data) }

    func update(_ buffer: UnsafeRawBufferPointer) { hasher.update(buffer) }

    /// `sha256:<hex>`
    func finalizeDigest() -> String { "sha256:" + hasher.finalizeHex() }

    static func digest(of data: Data) -> String { SHA256Hasher.digest(of: data) }
}

enum RegistryDigestFormat {
    /// `sha256:` + 64 lowercase hex, the only algorithm we produce and verify.
    static func isValid(_ digest: String) -> Bool {
        guard digest.hasPrefix("sha256:") else { return false }
        let hex = digest.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }
}
