import Foundation
import HTTPTransport

/// What an extraction wrote and what it left out.
public struct ExtractionResult: Sendable, Equatable {
    public var files = 0
    public var directories = 0
    /// Bytes of file content written.
    public var bytes: UInt64 = 0
    /// Entries not extracted (symbolic and hard links inside the directory, devices, FIFOs), by name.
    public var skipped: [String] = []
}

/// Safe extraction of an artifact layer into a directory. Everything is first extracted into a temporary directory
/// beside the target and moved into place only when the whole archive was valid, so a refused or oversized archive
/// leaves nothing behind. Refused: absolute names, `..` components, links pointing outside the directory, content
/// beyond the size limit. Links inside the directory, devices and FIFOs are skipped (as flux skips symlinks).
/// Permission bits are kept without setuid/setgid/sticky; the target directory itself gets 0755 when created.
public enum TarExtractor {
    public static let defaultSizeLimit: UInt64 = 100 << 20

    public static func extract(gzipFile path: String, into directory: String, sizeLimit: UInt64 = defaultSizeLimit) throws -> ExtractionResult {
        try extract(gzipStream: try FileBodyReader(path: path), into: directory, sizeLimit: sizeLimit)
    }

    public static func extract(gzipStream reader: ArtifactByteReader, into directory: String, sizeLimit: UInt64 = defaultSizeLimit) throws -> ExtractionResult {
        try extract(tar: TarReader(try GzipDecompressingReader(reader)), into: directory, sizeLimit: sizeLimit)
    }

    public static func extract(tar: TarReader, into directory: String, sizeLimit: UInt64 = defaultSizeLimit) throws -> ExtractionResult {
        let target = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let parent = (target as NSString).deletingLastPathComponent
        let parentPath = parent.isEmpty ? "." : parent
        do {
            try FileManager.default.createDirectory(atPath: parentPath, withIntermediateDirectories: true)
        } catch {
            throw ArtifactError(.unwritable, "cannot create directory '\(parentPath)': \(error.localizedDescription)")
        }
        var template = Array((parentPath + "/." + (target as NSString).lastPathComponent + ".extract-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw ArtifactError.systemError(.unwritable, "cannot create a temporary directory in", parentPath)
        }
        let staging = String(cString: created)
        do {
            chmod(staging, 0o755)
            let result = try extractEntries(tar, into: staging, sizeLimit: sizeLimit)
            try moveIntoPlace(staging, target)
            return result
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    private static func extractEntries(_ tar: TarReader, into root: String, sizeLimit: UInt64) throws -> ExtractionResult {
        var result = ExtractionResult()
        var directoryModes: [(String, UInt32)] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        defer { buffer.deallocate() }
        while let entry = try tar.next() {
            let components = try safeComponents(of: entry.name, entry: entry.name)
            switch entry.kind {
            case .directory:
                guard !components.isEmpty else { continue } // the `.` root entry
                let path = try makeDirectories(root, components, entry: entry.name)
                directoryModes.append((path, entry.mode & 0o777))
                result.directories += 1
            case .file:
                guard !components.isEmpty else {
                    throw ArtifactError(.unsafeEntry, "refusing to extract entry '\(entry.name)': a file cannot replace the target directory")
                }
                if result.bytes + entry.size > sizeLimit {
                    throw ArtifactError(.sizeLimitExceeded,
                        "extracting entry '\(entry.name)' would exceed the size limit of \(describe(sizeLimit)); nothing was extracted. Raise the limit if the artifact is trusted")
                }
                let directory = try makeDirectories(root, Array(components.dropLast()), entry: entry.name)
                let path = directory + "/" + components.last!
                try writeFile(tar, path: path, mode: entry.mode & 0o777, size: entry.size, entry: entry.name, buffer: buffer)
                result.bytes += entry.size
                result.files += 1
            case .symlink:
                if entry.linkName.hasPrefix("/") || !staysInside(Array(components.dropLast()), entry.linkName) {
                    throw ArtifactError(.unsafeEntry,
                        "refusing to extract entry '\(entry.name)': it is a symbolic link to '\(entry.linkName)', outside the target directory")
                }
                result.skipped.append(entry.name)
            case .hardlink:
                if entry.linkName.hasPrefix("/") || !staysInside([], entry.linkName) {
                    throw ArtifactError(.unsafeEntry,
                        "refusing to extract entry '\(entry.name)': it is a hard link to '\(entry.linkName)', outside the target directory")
                }
                result.skipped.append(entry.name)
            case .characterDevice, .blockDevice, .fifo, .other:
                result.skipped.append(entry.name)
            }
        }
        // Deepest first, so a read-only directory does not block setting its children.
        for (path, mode) in directoryModes.reversed() { chmod(path, mode_t(mode)) }
        return result
    }

    /// The name's components without `.`; refuses absolute names and `..`.
    static func safeComponents(of name: String, entry: String) throws -> [String] {
        if name.hasPrefix("/") {
            throw ArtifactError(.unsafeEntry, "refusing to extract entry '\(entry)': absolute paths are not allowed in an artifact")
        }
        var components: [String] = []
        for part in name.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                throw ArtifactError(.unsafeEntry, "refusing to extract entry '\(entry)': '..' would write outside the target directory")
            }
            components.append(String(part))
        }
        return components
    }

    /// Whether `link`, resolved lexically from the directory `base` (components below the root), stays inside.
    static func staysInside(_ base: [String], _ link: String) -> Bool {
        var depth = base.count
        for part in link.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                depth -= 1
                if depth < 0 { return false }
            } else {
                depth += 1
            }
        }
        return true
    }

    private static func makeDirectories(_ root: String, _ components: [String], entry: String) throws -> String {
        var path = root
        for component in components {
            path += "/" + component
            if mkdir(path, 0o755) != 0 {
                guard errno == EEXIST else { throw ArtifactError.systemError(.unwritable, "cannot create directory for entry '\(entry)':", path) }
                var info = stat()
                // lstat: the staging tree only ever holds what we created, but never follow a link regardless.
                guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw ArtifactError(.invalidArchive, "cannot extract entry '\(entry)': '\(component)' is both a file and a directory in the artifact")
                }
            }
        }
        return path
    }

    private static func writeFile(_ tar: TarReader, path: String, mode: UInt32, size: UInt64, entry: String,
                                  buffer: UnsafeMutableRawBufferPointer) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EISDIR {
                throw ArtifactError(.invalidArchive, "cannot extract entry '\(entry)': it is both a file and a directory in the artifact")
            }
            throw ArtifactError.systemError(.unwritable, "cannot create file for entry '\(entry)':", path)
        }
        defer { close(descriptor) }
        var written: UInt64 = 0
        while true {
            let count = try tar.readContent(into: buffer)
            if count == 0 { break }
            try ArtifactBuilder.writeAll(descriptor, UnsafeRawBufferPointer(rebasing: buffer[..<count]), path: path)
            written += UInt64(count)
        }
        guard written == size else {
            throw ArtifactError(.invalidArchive, "entry '\(entry)' is truncated: \(written) of \(size) bytes")
        }
        fchmod(descriptor, mode_t(mode))
    }

    private static func moveIntoPlace(_ staging: String, _ target: String) throws {
        var info = stat()
        if lstat(target, &info) != 0 {
            guard rename(staging, target) == 0 else { throw ArtifactError.systemError(.unwritable, "cannot move the extracted files to", target) }
            return
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ArtifactError(.unwritable, "cannot extract into '\(target)': it exists and is not a directory")
        }
        try merge(staging, into: target)
        rmdir(staging)
    }

    /// Moves every child of `source` into `destination`, replacing files and merging directories.
    private static func merge(_ source: String, into destination: String) throws {
        let names = try listDirectory(source)
        for name in names {
            let from = source + "/" + name
            let to = destination + "/" + name
            var fromInfo = stat()
            var toInfo = stat()
            lstat(from, &fromInfo)
            if lstat(to, &toInfo) == 0 {
                if (fromInfo.st_mode & S_IFMT) == S_IFDIR && (toInfo.st_mode & S_IFMT) == S_IFDIR {
                    try merge(from, into: to)
                    chmod(to, fromInfo.st_mode & 0o777)
                    rmdir(from)
                    continue
                }
                try? FileManager.default.removeItem(atPath: to)
            }
            guard rename(from, to) == 0 else { throw ArtifactError.systemError(.unwritable, "cannot move the extracted file to", to) }
        }
    }

    static func describe(_ bytes: UInt64) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
