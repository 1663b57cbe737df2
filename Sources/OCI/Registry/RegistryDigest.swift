import Foundation

enum RegistryDigestFormat {
    /// `sha256:` + 64 lowercase hex, the only algorithm we produce and verify.
    static func isValid(_ digest: String) -> Bool {
        guard digest.hasPrefix("sha256:") else { return false }
        let hex = digest.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }
}
