import Foundation

/// Deterministic test payloads: the same seed always gives the same tree, byte for byte, on every machine.
public struct PayloadGenerator {
    /// SplitMix64: tiny, fast, and fully specified, so payloads never depend on the platform's random source.
    public struct Random {
        private var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    public var seed: UInt64
    public init(seed: UInt64) { self.seed = seed }

    /// Writes `fileCount` files totalling about `totalBytes` under `directory` (in nested folders): even-numbered files
    /// are YAML-like manifests (compressible), odd-numbered ones random bytes. Returns the bytes written.
    @discardableResult
    public func generate(in directory: String, totalBytes: Int, fileCount: Int) throws -> Int {
        var random = Random(seed: seed)
        let perFile = max(1, totalBytes / max(1, fileCount))
        var written = 0
        let manager = FileManager.default
        for index in 0..<fileCount {
            let folder = "\(directory)/group-\(index % 10)/set-\(index % 7)"
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let size = perFile / 2 + random.below(perFile + 1)
            let isText = index % 2 == 0
            let path = "\(folder)/file-\(String(format: "%05d", index))" + (isText ? ".yaml" : ".bin")
            let data = isText ? Self.yamlText(size: size, random: &random) : Self.randomBytes(size: size, random: &random)
            guard manager.createFile(atPath: path, contents: data) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            written += data.count
        }
        return written
    }

    public static func randomBytes(size: Int, random: inout Random) -> Data {
        var data = Data(count: size)
        data.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < size {
                var word = random.next()
                let step = min(8, size - offset)
                withUnsafeBytes(of: &word) { buffer.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: step) }
                offset += step
            }
        }
        return data
    }

    private static let kinds = ["Deployment", "Service", "ConfigMap", "Ingress", "StatefulSet", "CronJob"]
    private static let words = ["frontend", "backend", "cache", "queue", "worker", "gateway", "metrics", "auth", "search", "billing"]

    /// Kubernetes-looking YAML documents with varying names and numbers.
    public static func yamlText(size: Int, random: inout Random) -> Data {
        var text = ""
        text.reserveCapacity(size + 512)
        while text.utf8.count < size {
            let name = words[random.below(words.count)] + "-" + String(random.next() % 100_000, radix: 16)
            text += """
            apiVersion: apps/v1
            kind: \(kinds[random.below(kinds.count)])
            metadata:
              name: \(name)
              namespace: team-\(random.below(40))
              labels:
                app.kubernetes.io/name: \(name)
                app.kubernetes.io/version: "\(random.below(10)).\(random.below(30)).\(random.below(100))"
            spec:
              replicas: \(1 + random.below(9))
              template:
                spec:
                  containers:
                    - name: main
                      image: registry.example.com/\(name):\(String(random.next(), radix: 16).prefix(12))
                      resources:
                        limits: {cpu: \(100 + random.below(1900))m, memory: \(64 * (1 + random.below(32)))Mi}
            ---

            """
        }
        return Data(text.utf8.prefix(size))
    }
}
