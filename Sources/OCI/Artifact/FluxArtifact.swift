import Foundation
import JSON

/// The manifest and config blobs of a Flux OCI artifact (as `flux push artifact` writes them), built from a layer.
public struct FluxArtifact: Sendable, Equatable {
    public static let manifestMediaType = "application/vnd.oci.image.manifest.v1+json"
    public static let configMediaType = "application/vnd.cncf.flux.config.v1+json"
    public static let layerMediaType = "application/vnd.cncf.flux.content.v1.tar+gzip"

    public static let sourceAnnotation = "org.opencontainers.image.source"
    public static let revisionAnnotation = "org.opencontainers.image.revision"
    public static let createdAnnotation = "org.opencontainers.image.created"

    public var configBytes: Data
    public var configDigest: String
    public var manifestBytes: Data
    public var manifestDigest: String
    /// The annotations written into the manifest (after overrides).
    public var annotations: [String: String]

    /// What the caller knows about the artifact besides its layer.
    public struct Metadata: Sendable, Equatable {
        public var source: String
        public var revision: String
        /// Raw `-a key=value` arguments, split on the first `=`; applied after the three standard annotations.
        public var extraAnnotations: [String]
        /// `--reproducible`: created is `1970-01-01T00:00:00Z`.
        public var reproducible: Bool

        public init(source: String, revision: String, extraAnnotations: [String] = [], reproducible: Bool = false) {
            self.source = source
            self.revision = revision
            self.extraAnnotations = extraAnnotations
            self.reproducible = reproducible
        }
    }

    /// Builds both blobs. `created` comes from, in order: an `org.opencontainers.image.created` annotation (must be
    /// RFC 3339; empty means "not given"), `reproducible` (the Unix epoch), `SOURCE_DATE_EPOCH` in `environment`,
    /// then `now`; always printed in UTC with second precision.
    public init(layer: BuiltLayer, metadata: Metadata, environment: [String: String] = ProcessInfo.processInfo.environment,
                now: Date = Date()) throws {
        try self.init(layerDigest: layer.compressedDigest, layerSize: layer.compressedSize, diffID: layer.uncompressedDigest,
                      metadata: metadata, environment: environment, now: now)
    }

    public init(layerDigest: String, layerSize: UInt64, diffID: String, metadata: Metadata,
                environment: [String: String] = ProcessInfo.processInfo.environment, now: Date = Date()) throws {
        var extra: [(String, String)] = []
        for argument in metadata.extraAnnotations {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw ArtifactError(.invalidMetadata, "invalid annotation '\(argument)' in --annotations: must be in the format key=value")
            }
            extra.append((String(argument[..<equals]), String(argument[argument.index(after: equals)...])))
        }

        var created = try Self.createdTimestamp(reproducible: metadata.reproducible, environment: environment, now: now)
        var annotations = [
            Self.sourceAnnotation: metadata.source,
            Self.revisionAnnotation: metadata.revision,
        ]
        for (key, value) in extra {
            if key == Self.createdAnnotation {
                if value.isEmpty { continue }
                guard Self.isRFC3339(value) else {
                    throw ArtifactError(.invalidMetadata,
                        "invalid value '\(value)' for annotation \(Self.createdAnnotation) in --annotations: it must be an RFC 3339 time such as 2025-01-15T13:50:15Z")
                }
                created = value
            } else {
                annotations[key] = value
            }
        }
        annotations[Self.createdAnnotation] = created
        self.annotations = annotations

        configBytes = Data(("{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"}],"
            + "\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\(CanonicalJSON.quoted(diffID))]},\"config\":{}}").utf8)
        configDigest = SHA256Hasher.digest(of: configBytes)

        var manifest = "{\"schemaVersion\":2,\"mediaType\":\(CanonicalJSON.quoted(Self.manifestMediaType)),"
        manifest += "\"config\":" + Self.descriptor(Self.configMediaType, UInt64(configBytes.count), configDigest) + ","
        manifest += "\"layers\":[" + Self.descriptor(Self.layerMediaType, layerSize, layerDigest) + "],"
        let sortedKeys = annotations.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        manifest += "\"annotations\":{" + sortedKeys.map { CanonicalJSON.quoted($0) + ":" + CanonicalJSON.quoted(annotations[$0]!) }.joined(separator: ",") + "}}"
        manifestBytes = Data(manifest.utf8)
        manifestDigest = SHA256Hasher.digest(of: manifestBytes)
    }

    private static func descriptor(_ mediaType: String, _ size: UInt64, _ digest: String) -> String {
        "{\"mediaType\":\(CanonicalJSON.quoted(mediaType)),\"size\":\(size),\"digest\":\(CanonicalJSON.quoted(digest))}"
    }

    static func createdTimestamp(reproducible: Bool, environment: [String: String], now: Date) throws -> String {
        if reproducible { return formatUTC(Date(timeIntervalSince1970: 0)) }
        if let epoch = environment["SOURCE_DATE_EPOCH"], !epoch.isEmpty {
            guard let seconds = Int64(epoch) else {
                throw ArtifactError(.invalidMetadata, "invalid SOURCE_DATE_EPOCH '\(epoch)': it must be a whole number of seconds since 1970-01-01T00:00:00Z")
            }
            return formatUTC(Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
        return formatUTC(now)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` in UTC.
    static func formatUTC(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// Go's `time.Parse(time.RFC3339, …)` shape: date `T` time, optional fraction, `Z` or `±hh:mm`.
    public static func isRFC3339(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for index in range {
                guard (0x30...0x39).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        func byte(_ index: Int, _ expected: Character) -> Bool { index < bytes.count && bytes[index] == expected.asciiValue! }
        guard digits(0..<4) != nil, byte(4, "-"), let month = digits(5..<7), byte(7, "-"), let day = digits(8..<10),
              byte(10, "T"), let hour = digits(11..<13), byte(13, ":"), let minute = digits(14..<16), byte(16, ":"),
              let second = digits(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return false }
        var index = 19
        if byte(index, ".") {
            index += 1
            let start = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
            if index == start { return false }
        }
        if byte(index, "Z") { return index + 1 == bytes.count }
        guard byte(index, "+") || byte(index, "-"), let zoneHour = digits(index + 1..<index + 3), byte(index + 3, ":"),
              let zoneMinute = digits(index + 4..<index + 6), zoneHour < 24, zoneMinute < 60 else { return false }
        return index + 6 == bytes.count
    }
}
