import Foundation
import HTTPTransport

/// How a local path differs from a remote artifact layer, by content (not by compressed bytes, which differ
/// between gzip implementations). "added" means present locally but not in the remote layer.
public struct ArtifactDiffResult: Sendable, Equatable {
    public enum EntryKind: String, Sendable, Equatable { case file, directory, other }

    public struct Entry: Sendable, Equatable {
        public var path: String
        public var kind: EntryKind
    }

    public struct Change: Sendable, Equatable {
        public var path: String
        /// Remote and local permission bits, when they differ.
        public var modeChange: (remote: UInt32, local: UInt32)?
        /// The entry's type changed (file ↔ directory).
        public var kindChange: (remote: EntryKind, local: EntryKind)?
        public var contentChanged: Bool
        /// Unified diff remote → local, for text files up to `ArtifactDiff.maxTextDiffSize` on both sides.
        public var unifiedDiff: String?

        public static func == (lhs: Change, rhs: Change) -> Bool {
            lhs.path == rhs.path && lhs.modeChange?.remote == rhs.modeChange?.remote && lhs.modeChange?.local == rhs.modeChange?.local
                && lhs.kindChange?.remote == rhs.kindChange?.remote && lhs.kindChange?.local == rhs.kindChange?.local
                && lhs.contentChanged == rhs.contentChanged && lhs.unifiedDiff == rhs.unifiedDiff
        }
    }

    public var added: [Entry] = []
    public var removed: [Entry] = []
    public var changed: [Change] = []

    public var isIdentical: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    /// diff(1)-style exit status: 0 same, 1 different (2, for errors, is the caller's).
    public var exitCode: Int32 { isIdentical ? 0 : 1 }
}

/// Compares a local path, walked with the same rules as the builder, with a remote layer stream, entry by entry.
/// Memory stays bounded: file contents are compared in chunks, and only files up to `maxTextDiffSize` are held
/// whole (to produce their unified diff).
public enum ArtifactDiff {
    public static let maxTextDiffSize = 1 << 20

    private struct LocalEntry {
        var kind: ArtifactDiffResult.EntryKind
        var mode: UInt32
        var size: UInt64
        var content: ArtifactEntry.Content
    }

    /// `remoteLayer` yields the layer's gzip bytes (a downloaded blob file, or a network stream).
    public static func compare(local source: ArtifactSource, options: ArtifactBuildOptions = ArtifactBuildOptions(),
                               remoteLayer: ArtifactByteReader) throws -> ArtifactDiffResult {
        var locals: [String: LocalEntry] = [:]
        try ArtifactWalker(source: source, options: options).walk { entry in
            guard entry.name != "." else { return }
            locals[entry.name] = LocalEntry(kind: entry.kind == .file ? .file : .directory, mode: entry.mode,
                                            size: entry.size, content: entry.content)
        }

        var result = ArtifactDiffResult()
        var seen = Set<String>()
        let tar = TarReader(try GzipDecompressingReader(remoteLayer))
        while let header = try tar.next() {
            let name = normalize(header.name)
            guard name != "." else { continue }
            let remoteKind: ArtifactDiffResult.EntryKind
            switch header.kind {
            case .file: remoteKind = .file
            case .directory: remoteKind = .directory
            default: remoteKind = .other
            }
            guard let local = locals[name] else {
                result.removed.append(.init(path: name, kind: remoteKind))
                continue
            }
            seen.insert(name)
            var change = ArtifactDiffResult.Change(path: name, modeChange: nil, kindChange: nil, contentChanged: false, unifiedDiff: nil)
            if local.kind != remoteKind {
                change.kindChange = (remoteKind, local.kind)
                result.changed.append(change)
                continue
            }
            let remoteMode = header.mode & 0o7777
            if remoteMode != local.mode { change.modeChange = (remoteMode, local.mode) }
            if remoteKind == .file {
                try compareContent(name: name, remote: tar, remoteSize: header.size, local: local, into: &change)
            }
            if change.modeChange != nil || change.contentChanged { result.changed.append(change) }
        }
        for (name, local) in locals where !seen.contains(name) {
            result.added.append(.init(path: name, kind: local.kind))
        }
        let byPath: (String, String) -> Bool = { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        result.added.sort { byPath($0.path, $1.path) }
        result.removed.sort { byPath($0.path, $1.path) }
        result.changed.sort { byPath($0.path, $1.path) }
        return result
    }

    private static func normalize(_ name: String) -> String {
        var path = Substring(name)
        while path.hasPrefix("./") { path = path.dropFirst(2) }
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return path.isEmpty ? "." : String(path)
    }

    private static func compareContent(name: String, remote: TarReader, remoteSize: UInt64, local: LocalEntry,
                                       into change: inout ArtifactDiffResult.Change) throws {
        let localReader: ArtifactByteReader
        switch local.content {
        case .disk(let path): localReader = try FileBodyReader(path: path)
        case .memory(let data): localReader = DataBodyReader(data)
        case .none: localReader = DataBodyReader(Data())
        }
        if remoteSize <= UInt64(maxTextDiffSize) && local.size <= UInt64(maxTextDiffSize) {
            let remoteBytes = try readAll(remote.readContent, limit: Int(remoteSize))
            let localBytes = try readAll(localReader.read, limit: Int(local.size))
            guard remoteBytes != localBytes else { return }
            change.contentChanged = true
            if let old = text(remoteBytes), let new = text(localBytes) {
                change.unifiedDiff = TextDiff.unified(old: old, new: new, oldLabel: "remote/" + name, newLabel: "local/" + name)
            }
            return
        }
        guard remoteSize == local.size else {
            change.contentChanged = true
            return
        }
        // Same size, too large for a text diff: compare in chunks.
        let size = 256 << 10
        let remoteBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        let localBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer {
            remoteBuffer.deallocate()
            localBuffer.deallocate()
        }
        while true {
            let remoteCount = try fill(remote.readContent, remoteBuffer)
            let localCount = try fill(localReader.read, localBuffer)
            if remoteCount != localCount || memcmp(remoteBuffer.baseAddress!, localBuffer.baseAddress!, remoteCount) != 0 {
                change.contentChanged = true
                return
            }
            if remoteCount == 0 { return }
        }
    }

    private static func fill(_ read: (UnsafeMutableRawBufferPointer) throws -> Int, _ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = try read(UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    private static func readAll(_ read: (UnsafeMutableRawBufferPointer) throws -> Int, limit: Int) throws -> Data {
        var data = Data(count: limit + 1)
        let count = try data.withUnsafeMutableBytes { try fill(read, $0) }
        return data.prefix(count)
    }

    /// UTF-8 without NUL bytes counts as text.
    private static func text(_ data: Data) -> String? {
        guard !data.contains(0) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
